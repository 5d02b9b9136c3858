"""helpers.detection_diagrams: the RoI sums of the 6.4-pixel example, anchors, SSD's box count,
and that every drawing draws."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import detection_diagrams as dd  # noqa: E402


def test_the_seeds_roi_example():
    box_f = dd.roi_on_feature_map([0, 0, 20, 20], 100, 32)
    np.testing.assert_allclose(box_f, [0, 0, 6.4, 6.4])
    bins = dd.roi_pool_bins(box_f, 2)
    assert bins == [(0, 0, 3, 3), (3, 0, 6, 3), (0, 3, 3, 6), (3, 3, 6, 6)]  # 6.4 → 6
    assert dd.roi_pool_bins([0.2, 0, 7, 7], 2)[0] == (0, 0, 4, 4)  # 7 cells: bins of 4 and 4
    pts = dd.roi_align_points(box_f, 2, samples=2)
    assert pts.shape == (2, 2, 4, 2)
    np.testing.assert_allclose(pts[0, 0], [[0.8, 0.8], [2.4, 0.8], [0.8, 2.4], [2.4, 2.4]])
    np.testing.assert_allclose(pts[1, 1, -1], [5.6, 5.6])
    with pytest.raises(ValueError):
        dd.roi_align_points(box_f, 0)


def test_bilinear():
    f = np.arange(12, dtype=float).reshape(3, 4)
    assert dd.bilinear(f, 1.5, 0.5) == 1.0  # a cell centre gives the cell's value
    assert dd.bilinear(f, 2.0, 1.0) == pytest.approx((1 + 2 + 5 + 6) / 4)
    assert dd.bilinear(f, 1.5, 1.25) == pytest.approx(1 + 0.75 * 4)
    assert dd.bilinear(f, -3, -3) == 0.0  # clamped at the edges
    with pytest.raises(ValueError, match="2-D"):
        dd.bilinear(np.zeros(3), 0, 0)


def test_anchors_and_default_boxes():
    a = dd.anchor_boxes((50, 40), sizes=(16, 32), ratios=(0.5, 1, 2))
    assert a.shape == (6, 4)
    w, h = a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]
    np.testing.assert_allclose(w * h, [256] * 3 + [1024] * 3)
    np.testing.assert_allclose(w / h, [0.5, 1, 2] * 2)
    np.testing.assert_allclose((a[:, 0] + a[:, 2]) / 2, 50)
    # SSD300 and SSD512 (the seed's table): 8,732 and 24,564 default boxes.
    assert dd.default_box_count([38, 19, 10, 5, 3, 1], [4, 6, 6, 6, 4, 4]) == 8_732
    assert dd.default_box_count([64, 32, 16, 8, 4, 2, 1], [4, 6, 6, 6, 6, 4, 4]) == 24_564
    assert dd.default_box_count([7], [2]) == 98  # YOLO v1: 7 x 7 cells x 2 boxes
    with pytest.raises(ValueError):
        dd.default_box_count([3, 2], [1])


def test_drawings_draw():
    img = np.zeros((96, 96), np.float32)
    fig = dd.draw_yolo_grid(None, img, [[10, 10, 40, 40], [50, 60, 80, 90]], [3, 7], grid=6)
    assert len(fig.axes[0].patches) == 4  # two shaded cells, two boxes
    fig2 = dd.draw_rcnn_family()
    texts = " ".join(t.get_text() for t in fig2.axes[0].texts)
    assert "RoIAlign" in texts and "selective search" in texts and "anchors" in texts
    fig3 = dd.draw_roi_pool_vs_align()
    assert "6.4" in fig3.axes[1].get_title() and "6 cells" in fig3.axes[0].get_title()
    fig4 = dd.draw_anchors()
    assert "k = 9 anchors" in fig4.axes[0].get_title()
    plt.close("all")
