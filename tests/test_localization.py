"""helpers.localization: box targets, the Keras IoU metric, the two-headed model, evaluation."""

import keras
import matplotlib
import numpy as np
import pytest

from helpers import boxes, canvases, localization

matplotlib.use("Agg")


def random_centre_boxes(rng, n):
    """Normalised (cx, cy, w, h) boxes, some overlapping, some not, some degenerate."""
    b = np.column_stack([rng.uniform(0.1, 0.9, (n, 2)), rng.uniform(0.0, 0.6, (n, 2))])
    b[: n // 10, 2] = 0.0  # zero width: IoU 0
    return b.astype(np.float32)


def digits(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 28, 28), np.uint8)
    for i in range(n):  # a bright rectangle of random size: a "digit" with a known box
        h, w = rng.integers(8, 20, size=2)
        x[i, 4 : 4 + h, 6 : 6 + w] = 255
    return x, rng.integers(0, 3, size=n)


def one_object_canvases(n=12, size=40, seed=0):
    x, y = digits()
    return canvases.make_canvases(x, y, n, size=size, objects=(1, 1), scale=(0.8, 1.2),
                                  seed=seed)  # fmt: skip


def test_encode_and_decode_are_inverse():
    corners = np.array([[0, 0, 64, 64], [10, 20, 30, 24], [3, 5, 4, 60]], dtype=float)
    enc = localization.encode_boxes(corners, 64)
    assert enc.dtype == np.float32
    np.testing.assert_allclose(enc[0], [0.5, 0.5, 1.0, 1.0])
    np.testing.assert_allclose(enc[1], [20 / 64, 22 / 64, 20 / 64, 4 / 64], rtol=1e-6)
    np.testing.assert_allclose(localization.decode_boxes(enc, 64), corners, atol=1e-4)


def test_decode_clips_to_the_canvas_and_drops_negative_sizes():
    got = localization.decode_boxes([[0.0, 0.5, 0.5, 0.2], [0.5, 0.5, -0.3, 0.1]], 100)
    np.testing.assert_allclose(got[0], [0, 40, 25, 60])
    np.testing.assert_allclose(got[1], [50, 45, 50, 55])


@pytest.mark.parametrize("bad", [0, -3, "64", None, True])
def test_bad_sizes_are_refused(bad):
    with pytest.raises(ValueError, match="size"):
        localization.decode_boxes([[0.5, 0.5, 0.1, 0.1]], bad)


def test_decode_refuses_bad_shapes_and_nan():
    with pytest.raises(ValueError, match="4 numbers"):
        localization.decode_boxes(np.zeros((3, 5)), 64)
    with pytest.raises(ValueError, match="NaN"):
        localization.decode_boxes([[np.nan, 0.5, 0.1, 0.1]], 64)


def test_targets_from_canvases():
    c = one_object_canvases()
    t = localization.targets(c)
    assert set(t) == {"class", "box"}
    assert t["box"].shape == (len(c), 4) and t["box"].dtype == np.float32
    assert t["class"].dtype == np.int64
    assert np.all((t["box"] >= 0) & (t["box"] <= 1))
    for i in range(len(c)):
        back = localization.decode_boxes(t["box"][i], c.size)
        np.testing.assert_allclose(back, c.boxes[i][0], atol=1e-4)
        assert t["class"][i] == c.labels[i][0]
    assert localization.inputs(c).shape == (len(c), 40, 40, 1)


def test_targets_need_one_object_per_canvas():
    x, y = digits()
    two = canvases.make_canvases(x, y, 3, size=64, objects=(2, 2), scale=(0.6, 0.8), seed=1)
    with pytest.raises(ValueError, match="exactly one object"):
        localization.box_targets(two)


def test_box_iou_matches_helpers_boxes():
    rng = np.random.default_rng(3)
    a, b = random_centre_boxes(rng, 200), random_centre_boxes(rng, 200)
    b[:5] = a[:5]  # identical boxes: IoU 1
    got = keras.ops.convert_to_numpy(localization.box_iou(a, b))
    want = boxes.iou(a.astype(np.float64), b.astype(np.float64), fmt="cxcywh")
    np.testing.assert_allclose(got, want, atol=1e-5)
    np.testing.assert_allclose(got[5:], want[5:], atol=1e-5)
    assert np.allclose(got[:5][a[:5, 2] > 0], 1.0, atol=1e-5)


def test_box_iou_special_cases():
    t = np.array([[0.5, 0.5, 0.2, 0.2]] * 4, np.float32)
    p = np.array(
        [
            [0.5, 0.5, 0.2, 0.2],  # the same box
            [0.9, 0.9, 0.1, 0.1],  # disjoint
            [0.7, 0.5, 0.2, 0.2],  # touching at an edge
            [0.5, 0.5, 0.1, 0.1],  # inside: 0.01 / 0.04
        ],
        np.float32,
    )
    got = keras.ops.convert_to_numpy(localization.box_iou(t, p))
    np.testing.assert_allclose(got, [1.0, 0.0, 0.0, 0.25], atol=1e-6)
    zero = keras.ops.convert_to_numpy(localization.box_iou(np.zeros((1, 4)), np.zeros((1, 4))))
    assert zero.tolist() == [0.0]
    neg = np.array([[0.5, 0.5, -0.2, 0.2]], np.float32)
    assert keras.ops.convert_to_numpy(localization.box_iou(t[:1], neg)).tolist() == [0.0]


def test_box_iou_metric_accumulates_and_resets():
    rng = np.random.default_rng(5)
    a, b = random_centre_boxes(rng, 30), random_centre_boxes(rng, 30)
    want = boxes.iou(a, b, fmt="cxcywh")
    metric = localization.BoxIoU()
    assert isinstance(metric, keras.metrics.Metric) and metric.name == "iou"
    metric.update_state(a[:10], b[:10])
    metric.update_state(a[10:], b[10:])
    assert abs(float(metric.result()) - want.mean()) < 1e-5
    metric.reset_state()
    assert float(metric.result()) == 0.0
    w = np.r_[np.ones(10), np.zeros(20)].astype(np.float32)
    metric.update_state(a, b, sample_weight=w)
    assert abs(float(metric.result()) - want[:10].mean()) < 1e-5


def test_build_localizer_shape_and_heads():
    model = localization.build_localizer((32, 32, 1), 3, filters=(4, 8), dense=16)
    assert set(model.output) == {"class", "box"}
    assert model.get_layer("box_conv").output.shape == (None, 16, 16, 8)
    out = model(np.zeros((2, 32, 32, 1), np.float32))
    assert out["class"].shape == (2, 3) and out["box"].shape == (2, 4)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out["class"]).sum(1), 1.0, atol=1e-5)
    b = keras.ops.convert_to_numpy(out["box"])
    assert np.all((b > 0) & (b < 1))
    # conv1 (1·9 + 1)·4; per head a conv (4·9 + 1)·8 and a hidden layer on 16·16·8 features
    feats = 16 * 16 * 8
    expected = 40 + 2 * 296 + 2 * (feats * 16 + 16) + (16 * 3 + 3) + (16 * 4 + 4)
    assert model.count_params() == expected


@pytest.mark.parametrize(
    "kwargs",
    [
        {"input_shape": (32, 32)},
        {"num_classes": 1},
        {"filters": (8,)},
        {"input_shape": (4, 4, 1), "filters": (2, 2, 2, 2)},
    ],
)
def test_build_localizer_refuses_bad_arguments(kwargs):
    args = {"input_shape": (32, 32, 1), "num_classes": 3, **kwargs}
    with pytest.raises(ValueError):
        localization.build_localizer(**args)


def test_weighted_loss():
    assert localization.weighted_loss(0.5, 0.01) == pytest.approx(0.8 * 0.5 + 0.2 * 0.01)
    assert localization.weighted_loss(2.0, 3.0, (1.0, 0.0)) == 2.0


def test_compile_fit_and_evaluate_agree():
    keras.utils.set_random_seed(0)
    c = one_object_canvases(n=24)
    model = localization.build_localizer((40, 40, 1), 3, filters=(4, 8), dense=16)
    localization.compile_localizer(model, (0.8, 0.2))
    hist = model.fit(localization.inputs(c), localization.targets(c), epochs=2, batch_size=8,
                     verbose=0).history  # fmt: skip
    assert {"loss", "class_loss", "box_loss", "class_accuracy", "box_iou"} <= set(hist)
    total = localization.weighted_loss(hist["class_loss"][-1], hist["box_loss"][-1])
    assert abs(hist["loss"][-1] - total) < 1e-3 * max(1.0, total)
    report = localization.evaluate_localizer(model, c)
    keras_eval = model.evaluate(localization.inputs(c), localization.targets(c), verbose=0,
                                return_dict=True)  # fmt: skip
    assert abs(report.mean_iou - keras_eval["box_iou"]) < 1e-3
    assert abs(report.accuracy - keras_eval["class_accuracy"]) < 1e-6
    assert report.ious.shape == (24,) and report.pred_boxes.shape == (24, 4)
    assert 0 <= report.both_rate <= min(report.accuracy, report.hit_rate)
    assert "mean IoU" in str(report)


def test_compile_refuses_bad_weights():
    model = localization.build_localizer((16, 16, 1), 2, filters=(2, 2), dense=4)
    with pytest.raises(ValueError, match="loss_weights"):
        localization.compile_localizer(model, (0.0, 0.0))
    with pytest.raises(ValueError, match="loss_weights"):
        localization.compile_localizer(model, (-1.0, 1.0))


def test_evaluate_needs_two_named_outputs():
    c = one_object_canvases(n=3)
    plain = keras.Sequential([keras.Input((40, 40, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])  # fmt: skip
    with pytest.raises(ValueError, match="'class' and 'box'"):
        localization.evaluate_localizer(plain, c)


def test_draw_two_heads():
    fig = localization.draw_two_heads(loss_weights=(0.5, 0.5))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("0.5·class + 0.5·box" in t for t in texts)
    assert len(fig.axes[0].patches) == 14  # 7 boxes, 7 arrows
    matplotlib.pyplot.close(fig)


def test_show_localizations():
    c = one_object_canvases(n=5)
    t = np.concatenate(c.boxes)
    p = t + np.array([1.0, 0.0, 1.0, 0.0])
    fig = localization.show_localizations(c.images, t, p, true_labels=[0, 1, 2, 0, 1],
                                          pred_labels=[0, 1, 1, 0, 1], ncols=3)  # fmt: skip
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 5
    assert axes[2].get_title().startswith("2→1") and axes[2].title.get_color() == "red"
    assert f"IoU {boxes.iou(t[0], p[0]):.2f}" in axes[0].get_title()
    matplotlib.pyplot.close(fig)
    with pytest.raises(ValueError, match="5 images"):
        localization.show_localizations(c.images, t[:4], p)
