"""Box formats, IoU and NMS: hand-worked cases and TensorFlow's NMS as the reference."""

import numpy as np
import pytest

from helpers import boxes


def test_formats_round_trip():
    corners = np.array([[2.0, 3.0, 10.0, 7.0], [0, 0, 0, 0]])
    centre = boxes.to_centre(corners)
    np.testing.assert_allclose(centre, [[6, 5, 8, 4], [0, 0, 0, 0]])
    np.testing.assert_allclose(boxes.to_corners(centre), corners)


def test_area_and_hand_worked_iou():
    assert boxes.area([0, 0, 4, 3]) == 12
    # Overlap 1×1 = 1, union 4 + 4 - 1 = 7.
    assert boxes.iou([0, 0, 2, 2], [1, 1, 3, 3]) == pytest.approx(1 / 7)
    # One box inside another: 4 / 16.
    assert boxes.iou([0, 0, 4, 4], [1, 1, 3, 3]) == pytest.approx(0.25)
    # Touching edges and disjoint boxes do not overlap.
    assert boxes.iou([0, 0, 2, 2], [2, 0, 4, 2]) == 0
    assert boxes.iou([0, 0, 1, 1], [5, 5, 6, 6]) == 0
    assert boxes.iou([1, 2, 5, 6], [1, 2, 5, 6]) == 1


def test_iou_in_centre_format_matches_corners():
    a, b = np.array([[5, 5, 4, 4]]), np.array([[6, 6, 4, 2]])
    expected = boxes.iou(boxes.to_corners(a), boxes.to_corners(b))
    np.testing.assert_allclose(boxes.iou(a, b, fmt="cxcywh"), expected)


def test_degenerate_boxes_give_zero_not_nan():
    assert boxes.iou([1, 1, 1, 1], [1, 1, 1, 1]) == 0
    assert boxes.iou([1, 1, 1, 5], [0, 0, 4, 4]) == 0


def test_broadcasting_and_matrix_agree():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 50, (7, 2))
    a = np.concatenate([xy, xy + rng.uniform(1, 20, (7, 2))], axis=1)
    b = a[::-1] + 3
    m = boxes.iou_matrix(a, b)
    assert m.shape == (7, 7)
    np.testing.assert_allclose(m, boxes.iou(a[:, None], b[None, :]))
    np.testing.assert_allclose(np.diag(boxes.iou_matrix(a, a)), 1)


@pytest.mark.parametrize(
    "bad, message",
    [
        ([[0, 0, 1]], "4 numbers"),
        ([[0, 0, np.nan, 1]], "NaN"),
        ([[5, 0, 1, 1]], "x_max < x_min"),
    ],
)
def test_bad_boxes_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        boxes.iou(bad, [[0, 0, 1, 1]])


def test_negative_size_in_centre_format_is_refused():
    with pytest.raises(ValueError, match="widths and heights"):
        boxes.check_boxes([[1, 1, -2, 2]], fmt="cxcywh")
    with pytest.raises(ValueError, match="unknown box format"):
        boxes.check_boxes([[1, 1, 2, 2]], fmt="yxyx")


def test_nms_hand_worked():
    b = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 9]])
    s = np.array([0.9, 0.8, 0.7, 0.95])
    # Box 3 is best; box 0 overlaps it with IoU 90/100 and box 1 with 72/118, both > 0.5;
    # box 2 stands alone.
    np.testing.assert_array_equal(boxes.nms(b, s, 0.5), [3, 2])
    np.testing.assert_array_equal(boxes.nms(b, s, 0.95), [3, 0, 1, 2])
    np.testing.assert_array_equal(boxes.nms(b, s, 0.5, score_threshold=0.8), [3])
    np.testing.assert_array_equal(boxes.nms(b, s, 0.95, max_output=2), [3, 0])
    assert len(boxes.nms(np.zeros((0, 4)), [])) == 0


def test_nms_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(1)
    for trial in range(20):
        n = int(rng.integers(1, 40))
        xy = rng.uniform(0, 60, (n, 2))
        b = np.concatenate([xy, xy + rng.uniform(2, 30, (n, 2))], axis=1)
        s = rng.uniform(size=n)
        thr = float(rng.uniform(0.1, 0.9))
        # TensorFlow takes (y_min, x_min, y_max, x_max).
        ref = tf.image.non_max_suppression(
            b[:, [1, 0, 3, 2]], s, max_output_size=n, iou_threshold=thr
        )
        np.testing.assert_array_equal(boxes.nms(b, s, thr), ref.numpy(), err_msg=f"trial {trial}")


def test_batched_nms_never_mixes_classes():
    b = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]])
    s = np.array([0.5, 0.9, 0.7])
    c = np.array([1, 0, 1])
    np.testing.assert_array_equal(boxes.batched_nms(b, s, c, 0.5), [1, 2])
    np.testing.assert_array_equal(boxes.batched_nms(b, s, c, 0.5, max_output=1), [1])
    with pytest.raises(ValueError, match="3 boxes, 3 scores and 2 classes"):
        boxes.batched_nms(b, s, c[:2])


def test_nms_input_errors():
    with pytest.raises(ValueError, match="2 boxes but 1 scores"):
        boxes.nms([[0, 0, 1, 1], [0, 0, 2, 2]], [0.5])
    with pytest.raises(ValueError, match="iou_threshold"):
        boxes.nms([[0, 0, 1, 1]], [0.5], iou_threshold=1.5)
