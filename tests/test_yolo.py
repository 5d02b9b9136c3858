"""helpers.yolo: target encoding, the YOLO v1 loss on hand-worked cases, decoding, the model."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import boxes as bx
from helpers import yolo


def test_output_depth_and_cells():
    assert yolo.output_depth(2, 20) == 30  # YOLO v1 on Pascal VOC: 7 x 7 x 30
    assert 7 * 7 * yolo.output_depth(2, 20) == 1470
    assert yolo.cell_size(96, 6) == (16.0, 16.0)
    assert yolo.cell_size((64, 128), 4) == (16.0, 32.0)
    with pytest.raises(ValueError, match="positive whole number"):
        yolo.output_depth(0, 3)


def test_responsible_cell():
    assert yolo.responsible_cell([10, 20, 30, 40], 6, 96) == (1, 1)  # centre (20, 30)
    assert yolo.responsible_cell([0, 0, 32, 32], 6, 96) == (1, 1)  # centre on a border: floor
    assert yolo.responsible_cell([80, 90, 96, 96], 6, 96) == (5, 5)
    assert yolo.responsible_cell([94, 0, 96, 2], 3, 96) == (0, 2)


def test_encode_one_box_by_hand():
    t = yolo.encode([[10, 20, 30, 40]], [3], grid=6, boxes_per_cell=2, num_classes=5, image_size=96)
    assert t.shape == (6, 6, 15) and t.dtype == np.float32
    slot = [20 / 16 - 1, 30 / 16 - 1, 20 / 96, 20 / 96, 1.0]  # x 0.25, y 0.875
    np.testing.assert_allclose(t[1, 1, :5], slot, rtol=1e-6)
    np.testing.assert_allclose(t[1, 1, 5:10], slot, rtol=1e-6)  # every slot gets the box
    np.testing.assert_array_equal(t[1, 1, 10:], [0, 0, 0, 1, 0])
    t[1, 1] = 0
    assert not t.any(), "only the responsible cell is filled"


def test_encode_drops_a_second_object_in_the_same_cell():
    boxes = [[0, 0, 10, 10], [2, 2, 12, 12], [50, 50, 60, 60]]
    t, dropped = yolo.encode(
        boxes,
        [0, 1, 2],
        grid=4,
        boxes_per_cell=1,
        num_classes=3,
        image_size=64,
        return_dropped=True,
    )
    assert dropped.tolist() == [1]
    assert t[0, 0, 5] == 1 and t[0, 0, 6] == 0  # the first object kept its cell
    batch, n = yolo.encode_batch(
        [boxes, np.zeros((0, 4))],
        [[0, 1, 2], []],
        grid=4,
        boxes_per_cell=1,
        num_classes=3,
        image_size=64,
    )
    assert batch.shape == (2, 4, 4, 8) and n == 1 and not batch[1].any()


def test_encode_rejects_bad_input():
    with pytest.raises(ValueError, match="labels"):
        yolo.encode([[0, 0, 4, 4]], [5], grid=2, boxes_per_cell=1, num_classes=5, image_size=8)
    with pytest.raises(ValueError, match="2 boxes but 1 labels"):
        yolo.encode(np.ones((2, 4)), [0], grid=2, boxes_per_cell=1, num_classes=5, image_size=8)
    with pytest.raises(ValueError, match="x_max < x_min"):
        yolo.encode([[5, 0, 4, 4]], [0], grid=2, boxes_per_cell=1, num_classes=5, image_size=8)


def _one_cell(pred_cell, *, grid=2, empty_conf=0.2, b=1):
    """Targets and activated predictions: an object in cell (0, 0), class 0 of 2."""
    target = np.zeros((1, grid, grid, 5 * b + 2), np.float32)
    target[0, 0, 0, : 5 * b] = np.tile([0.5, 0.5, 0.25, 0.25, 1.0], b)
    target[0, 0, 0, 5 * b] = 1.0
    pred = np.zeros_like(target)
    pred[..., 4 : 5 * b : 5] = empty_conf
    pred[..., 5 * b :] = 0.5
    pred[0, 0, 0] = pred_cell
    return target, pred


def _terms(target, pred, b=1, **kw):
    out = yolo.yolo_loss_terms(
        target, pred, boxes_per_cell=b, num_classes=2, from_logits=False, **kw
    )
    return {k: float(v) for k, v in out.items()}


def test_loss_perfect_box_by_hand():
    target, pred = _one_cell([0.5, 0.5, 0.25, 0.25, 0.8, 0.6, 0.4])
    t = _terms(target, pred)
    assert t["coord_xy"] == pytest.approx(0) and t["coord_wh"] == pytest.approx(0, abs=1e-6)
    assert t["obj"] == pytest.approx((0.8 - 1.0) ** 2)  # IoU 1: the target confidence is 1
    assert t["noobj"] == pytest.approx(0.5 * 3 * 0.2**2)  # λ_noobj · 3 empty cells · 0.2²
    assert t["class"] == pytest.approx((0.6 - 1) ** 2 + 0.4**2)  # only the object's cell
    assert t["total"] == pytest.approx(0.04 + 0.06 + 0.32)


def test_loss_coordinates_use_lambda_and_square_roots():
    target, pred = _one_cell([0.7, 0.5, 0.36, 0.25, 1.0, 1.0, 0.0], empty_conf=0.0)
    t = _terms(target, pred, conf_target="one")
    assert t["coord_xy"] == pytest.approx(5 * 0.2**2)  # λ_coord (0.7 − 0.5)²
    assert t["coord_wh"] == pytest.approx(5 * (0.6 - 0.5) ** 2, rel=1e-5)  # √0.36 − √0.25
    assert t["obj"] == pytest.approx(0) and t["noobj"] == 0 and t["class"] == 0
    # With the paper's target, the confidence should equal the IoU of the two boxes.
    truth = bx.to_corners([0.25, 0.25, 0.25, 0.25])
    guess = bx.to_corners([0.35, 0.25, 0.36, 0.25])
    expected_iou = float(bx.iou(truth, guess))
    assert 0.5 < expected_iou < 0.51
    t_iou = _terms(target, pred, conf_target="iou")
    assert t_iou["obj"] == pytest.approx((1.0 - expected_iou) ** 2, rel=1e-5)


def test_loss_picks_the_predictor_with_the_higher_iou():
    bad, good = [0.9, 0.9, 0.1, 0.1, 0.3], [0.5, 0.5, 0.25, 0.25, 0.6]
    target, pred = _one_cell(bad + good + [1.0, 0.0], b=2, empty_conf=0.0)
    t = _terms(target, pred, b=2, conf_target="one")
    assert t["coord_xy"] == pytest.approx(0) and t["coord_wh"] == pytest.approx(0, abs=1e-6)
    assert t["obj"] == pytest.approx((0.6 - 1) ** 2)  # the good predictor is responsible
    assert t["noobj"] == pytest.approx(0.5 * 0.3**2)  # the other one counts as "no object"
    swapped = _terms(
        *_one_cell(good + bad + [1.0, 0.0], b=2, empty_conf=0.0), b=2, conf_target="one"
    )
    assert swapped["total"] == pytest.approx(t["total"])


def test_loss_averages_over_the_batch_and_has_gradients():
    target, pred = _one_cell([0.5, 0.5, 0.25, 0.25, 0.8, 0.6, 0.4])
    one = _terms(target, pred)["total"]
    two = _terms(np.concatenate([target, target]), np.concatenate([pred, pred]))["total"]
    assert two == pytest.approx(one)
    raw = tf.Variable(np.random.default_rng(0).normal(size=(3, 4, 4, 12)).astype("float32"))
    y, _ = yolo.encode_batch(
        [[[4, 4, 20, 20]], [[30, 2, 40, 14]], np.zeros((0, 4))],
        [[0], [1], []],
        grid=4,
        boxes_per_cell=2,
        num_classes=2,
        image_size=64,
    )
    with tf.GradientTape() as tape:
        loss = yolo.yolo_loss(y, raw, boxes_per_cell=2, num_classes=2)
    grad = tape.gradient(loss, raw).numpy()
    assert np.isfinite(float(loss)) and np.isfinite(grad).all() and np.abs(grad).sum() > 0
    assert np.abs(grad[2, ..., 10:]).sum() == 0, "no class loss in an image without objects"
    with pytest.raises(ValueError, match="conf_target"):
        yolo.yolo_loss(y, raw, boxes_per_cell=2, num_classes=2, conf_target="half")


def test_activate():
    raw = np.zeros((2, 2, 7), np.float32)
    p = keras.ops.convert_to_numpy(yolo.activate(raw, 1, 2))
    np.testing.assert_allclose(p, 0.5)
    with pytest.raises(ValueError, match="B·5 \\+ C"):
        yolo.activate(raw, 2, 2)


def test_decode_inverts_encode_and_nms_removes_duplicates():
    truth = np.array([[10.0, 20, 30, 44], [50, 8, 70, 30], [60, 60, 90, 96]])
    labels = np.array([4, 0, 2])
    t = yolo.encode(truth, labels, grid=6, boxes_per_cell=2, num_classes=5, image_size=96)
    det = yolo.decode(t, boxes_per_cell=2, num_classes=5, image_size=96, score_threshold=0.5)
    assert len(det["boxes"]) == 6  # B = 2 copies of each box, score 1
    np.testing.assert_allclose(det["scores"], 1.0)
    keep = bx.batched_nms(det["boxes"], det["scores"], det["labels"], iou_threshold=0.5)
    got = sorted(zip(det["labels"][keep].tolist(), det["boxes"][keep].tolist(), strict=True))
    want = sorted(zip(labels.tolist(), truth.tolist(), strict=True))
    assert [g[0] for g in got] == [w[0] for w in want]
    np.testing.assert_allclose([g[1] for g in got], [w[1] for w in want], atol=1e-4)


def test_decode_scores_are_conf_times_class_probability():
    p = np.zeros((2, 2, 7), np.float32)
    p[1, 0] = [0.5, 0.5, 0.5, 0.5, 0.8, 0.25, 0.75]
    det = yolo.decode(p, boxes_per_cell=1, num_classes=2, image_size=(40, 80), score_threshold=0.1)
    assert det["scores"].tolist() == pytest.approx([0.6])
    assert det["labels"].tolist() == [1]
    np.testing.assert_allclose(det["boxes"][0], [0, 20, 40, 40])  # row 1, column 0; 40 × 20
    with pytest.raises(ValueError, match="expected one prediction"):
        yolo.decode(p[None], boxes_per_cell=1, num_classes=2, image_size=40)


def test_build_detector_and_predict_detections():
    model = yolo.build_detector((64, 64, 1), grid=4, boxes_per_cell=2, num_classes=3, width=4)
    assert model.output_shape == (None, 4, 4, 13)
    assert model.get_layer("yolo_head").kernel_size == (1, 1)
    images = np.random.default_rng(1).uniform(size=(3, 64, 64)).astype("float32")
    preds = yolo.predict_detections(
        model, images, boxes_per_cell=2, num_classes=3, score_threshold=0.0, iou_threshold=None
    )
    assert len(preds) == 3 and all(len(p["boxes"]) == 4 * 4 * 2 for p in preds)
    assert set(preds[0]) == {"boxes", "scores", "labels"}
    nms = yolo.predict_detections(
        model,
        images,
        boxes_per_cell=2,
        num_classes=3,
        score_threshold=0.0,
        iou_threshold=0.3,
        max_output=5,
    )
    assert all(len(p["boxes"]) <= 5 for p in nms)
    with pytest.raises(ValueError, match="grid · 2\\^k"):
        yolo.build_detector((60, 60, 1), grid=4)
    with pytest.raises(ValueError, match="images must be"):
        yolo.predict_detections(model, images[0, 0], boxes_per_cell=2, num_classes=3)
