"""Tests of helpers.explorers.detection: the pure function and the widgets."""

import numpy as np
import pytest

from helpers import detection_metrics as dm
from helpers.explorers import detection

# Image 0: two digits (classes 0 and 1); the detector found the first twice (a near duplicate),
# the second with the wrong class, and one weak box on the background.
PRED = [
    {
        "boxes": [[10, 10, 30, 30], [11, 10, 31, 30], [40, 40, 60, 60], [0, 50, 10, 60]],
        "scores": [0.9, 0.8, 0.7, 0.3],
        "labels": [0, 0, 2, 1],
    },
    {"boxes": [[5, 5, 25, 25]], "scores": [0.6], "labels": [1]},
    {"boxes": np.zeros((0, 4)), "scores": [], "labels": []},
]
GT = [
    {"boxes": [[10, 10, 30, 30], [40, 40, 60, 60]], "labels": [0, 1]},
    {"boxes": [[5, 5, 25, 25]], "labels": [1]},
    {"boxes": [[1, 1, 9, 9]], "labels": [2]},
]
IMAGES = [np.zeros((64, 64)), np.zeros((64, 64, 3)), np.ones((64, 64))]


def test_threshold_and_nms():
    s = detection.explore_state(PRED, GT, score_threshold=0.5, nms_iou=0.5)
    im0 = s.images[0]
    assert im0.kept.tolist() == [0, 2] and im0.n_above == 3 and im0.n_raw == 4
    assert im0.tp.tolist() == [True, False] and im0.missed.tolist() == [False, True]
    assert (s.n_raw, s.n_above, s.n_kept) == (5, 4, 3)
    assert (s.n_tp, s.n_fp, s.n_missed, s.n_objects) == (2, 1, 2, 4)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(0.5)
    assert "precision 0.667, recall 0.500" in s.text and "5 raw boxes" in s.text
    kept = [{"boxes": st.boxes, "scores": st.scores, "labels": st.labels} for st in s.images]
    assert s.map == pytest.approx(dm.evaluate_detections(kept, GT, 3).map)
    p, r = s.curve
    assert len(p) == 3 and r[-1] == pytest.approx(0.5)


def test_no_nms_keeps_duplicates_as_false_positives():
    s = detection.explore_state(PRED, GT, score_threshold=0.5, nms_iou=1.0)
    assert s.images[0].kept.tolist() == [0, 1, 2]
    assert s.images[0].tp.tolist() == [True, False, False]  # the duplicate finds nothing left
    assert s.precision == pytest.approx(2 / 4)
    low = detection.explore_state(PRED, GT, score_threshold=0.0, nms_iou=0.5)
    assert low.n_kept == 4 and low.recall == pytest.approx(0.5)
    high = detection.explore_state(PRED, GT, score_threshold=0.95, nms_iou=0.5)
    assert high.n_kept == 0 and high.precision == 1.0 and high.recall == 0.0


def test_tp_flags_agree_with_match_detections():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 50, size=(30, 2))
    boxes = np.concatenate([xy, xy + rng.uniform(5, 20, size=(30, 2))], axis=1)
    gt = boxes[:8] + rng.normal(0, 1.5, size=(8, 4))
    gt[:, 2:] = np.maximum(gt[:, 2:], gt[:, :2] + 1)
    pred = [{"boxes": boxes, "scores": rng.random(30), "labels": np.zeros(30, int)}]
    s = detection.explore_state(pred, [{"boxes": gt, "labels": np.zeros(8, int)}], 0.0, 1.0)
    st = s.images[0]
    np.testing.assert_array_equal(st.tp, dm.match_detections(st.boxes, st.scores, gt))
    assert s.n_tp + s.n_missed == 8


def test_bad_input():
    for args, msg in [
        ((PRED, GT[:2]), "ground truth for 2"),
        (([], []), "at least one"),
        (([{"boxes": [[0, 0, 1, 1]], "labels": [0]}], GT[:1]), "scores"),
        (([{"boxes": [[0, 0, 1]], "scores": [1], "labels": [0]}], GT[:1]), "4 numbers"),
    ]:
        with pytest.raises(ValueError, match=msg):
            detection.explore_state(*args)
    with pytest.raises(ValueError, match="nms_iou"):
        detection.explore_state(PRED, GT, 0.5, 1.5)


def test_widget_updates():
    ui = detection.detection_explorer(IMAGES, PRED, GT, class_names=["a", "b", "c"], draw=False)
    assert ui.score.min == 0.0 and ui.score.max == 1.0 and ui.score.value == 0.5
    assert ui.result.n_kept == 3 and "image 0:" in ui.message and "2 kept" in ui.message
    ui.nms.value = 1.0
    assert ui.result.n_kept == 4 and "1 true (green), 2 false (red)" in ui.message
    ui.score.value = 0.2
    assert ui.result.n_above == 5
    ui.index.value = 2
    assert "image 2: 0 raw" in ui.message and "1 of 1 objects missed" in ui.message
    assert ui.widget.children[0].layout.flex_flow == "row wrap"


def test_widget_draws_and_scales_its_slider():
    margins = [{**p, "scores": np.asarray(p["scores"], float) * 4 - 1} for p in PRED]
    ui = detection.detection_explorer(IMAGES, margins, GT)
    assert ui.score.min == pytest.approx(0.2) and ui.score.max == pytest.approx(2.6)
    ui.index.value = 1
    figs = ui.figures(ui.result)
    assert len(figs) == 1 and len(figs[0].axes) == 2
    assert "application/vnd.jupyter.widget-view+json" in ui._repr_mimebundle_()
    with pytest.raises(ValueError, match="one of each"):
        detection.detection_explorer(IMAGES[:2], PRED, GT)


def test_nms_across_classes():
    two = [{"boxes": [[10, 10, 30, 30], [11, 10, 31, 30]], "scores": [0.9, 0.8], "labels": [0, 1]}]
    gt = [{"boxes": [[10, 10, 30, 30]], "labels": [0]}]
    per_class = detection.explore_state(two, gt, 0.5, 0.5)
    across = detection.explore_state(two, gt, 0.5, 0.5, across_classes=True)
    assert per_class.n_kept == 2 and per_class.n_fp == 1 and "(per class)" in per_class.text
    assert across.n_kept == 1 and across.n_fp == 0 and "(across classes)" in across.text
    ui = detection.detection_explorer(IMAGES[:1], two, gt, draw=False)
    assert ui.result.n_kept == 2
    ui.across.value = True
    assert ui.result.n_kept == 1 and ui.result.across_classes
