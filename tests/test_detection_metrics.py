"""Matching, precision–recall, AP and mAP: hand-worked cases, scikit-learn and pycocotools."""

import contextlib
import io

import numpy as np
import pytest

from helpers import detection_metrics as dm


def test_match_takes_the_best_free_ground_truth():
    gt = np.array([[0, 0, 10, 10], [20, 0, 30, 10]])
    pred = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [20, 0, 30, 10], [50, 50, 60, 60]])
    scores = np.array([0.9, 0.95, 0.5, 0.8])
    # The 0.95 box claims gt 0 first (IoU 9/11), so the exact 0.9 box finds it taken.
    np.testing.assert_array_equal(dm.match_detections(pred, scores, gt), [False, True, True, False])
    assert not dm.match_detections(pred, scores, np.zeros((0, 4))).any()
    taken = dm.match_detections(pred, scores, gt, return_indices=True)
    np.testing.assert_array_equal(taken, [-1, 0, 1, -1])


def test_precision_recall_hand_worked():
    scores = [0.9, 0.8, 0.7, 0.6, 0.5]
    tp = [1, 0, 1, 1, 0]
    p, r = dm.precision_recall(scores, tp, n_ground_truth=4)
    np.testing.assert_allclose(p, [1, 1 / 2, 2 / 3, 3 / 4, 3 / 5])
    np.testing.assert_allclose(r, [1 / 4, 1 / 4, 2 / 4, 3 / 4, 3 / 4])
    # All-point AP: recall steps of 1/4 at precision 1, 3/4 (the envelope) and 3/4.
    assert dm.average_precision(p, r) == pytest.approx(0.25 * 1 + 0.25 * 0.75 + 0.25 * 0.75)


def test_precision_recall_sorts_by_score():
    p1, r1 = dm.precision_recall([0.1, 0.9], [0, 1], 1)
    np.testing.assert_allclose(p1, [1, 0.5])
    np.testing.assert_allclose(r1, [1, 1])


def test_curve_agrees_with_scikit_learn_when_every_object_is_detected():
    # scikit-learn's average precision sums recall steps times the raw precision (no envelope).
    # With every object somewhere in the list, our curve must give exactly that sum, and the
    # interpolated AP can only be larger.
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(0)
    for _ in range(10):
        tp = rng.uniform(size=30) < 0.4
        tp[0] = True
        scores = rng.uniform(size=30)
        p, r = dm.precision_recall(scores, tp, int(tp.sum()))
        reference = average_precision_score(tp, scores)
        assert np.sum(np.diff(np.concatenate([[0], r])) * p) == pytest.approx(reference)
        assert dm.average_precision(p, r) >= reference - 1e-12


def test_eleven_point_and_empty_lists():
    p, r = dm.precision_recall([0.9, 0.8], [1, 1], 2)
    assert dm.average_precision(p, r, "voc11") == pytest.approx(1.0)
    p, r = dm.precision_recall([0.9], [1], 2)  # recall stops at 0.5: 6 of 11 points are 1
    assert dm.average_precision(p, r, "voc11") == pytest.approx(6 / 11)
    assert dm.average_precision([], []) == 0.0


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: dm.precision_recall([0.5, 0.4], [1], 1), "2 scores but 1"),
        (lambda: dm.precision_recall([0.5, 0.4], [1, 1], 1), "only 1 ground truths"),
        (lambda: dm.precision_recall([0.5], [2], 1), "booleans"),
        (lambda: dm.average_precision([1, 1], [0.5, 0.2]), "non-decreasing"),
        (lambda: dm.average_precision([1], [1], "voc12"), "unknown method"),
    ],
)
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_evaluate_detections_input_errors():
    gt = [{"boxes": [[0, 0, 5, 5]], "labels": [0]}]
    with pytest.raises(ValueError, match="needs 'scores'"):
        dm.evaluate_detections([{"boxes": [[0, 0, 5, 5]], "labels": [0]}], gt, 2)
    with pytest.raises(ValueError, match="for 2 images but ground truth for 1"):
        dm.evaluate_detections([{}, {}], gt, 2)
    bad = [{"boxes": [[0, 0, 5, 5]], "labels": [3], "scores": [0.5]}]
    with pytest.raises(ValueError, match=r"label outside \[0, 2\)"):
        dm.evaluate_detections(bad, gt, 2)


def test_perfect_and_empty_predictions():
    gt = [{"boxes": [[0, 0, 5, 5], [10, 10, 20, 20]], "labels": [0, 1]}]
    perfect = [{**gt[0], "scores": [0.9, 0.8]}]
    report = dm.evaluate_detections(perfect, gt, 3, class_names=["a", "b", "c"])
    np.testing.assert_allclose(report.ap[:2], 1)
    assert np.isnan(report.ap[2]) and report.map == 1
    assert "mAP@0.5 = 1.000" in report.table()
    empty = [{"boxes": np.zeros((0, 4)), "labels": [], "scores": []}]
    assert dm.evaluate_detections(empty, gt, 2).map == 0


def _random_scene(rng, n_images=12, num_classes=3):
    predictions, truths = [], []
    for _ in range(n_images):
        k = int(rng.integers(0, 5))
        xy = rng.uniform(0, 80, (k, 2))
        gt = np.concatenate([xy, xy + rng.uniform(8, 30, (k, 2))], axis=1).round()
        gl = rng.integers(0, num_classes, k)
        # Predictions: jittered copies of the truths (some with the wrong class) plus clutter.
        jitter = gt + rng.normal(0, 3, gt.shape)
        jitter[:, 2:] = np.maximum(jitter[:, 2:], jitter[:, :2] + 1)
        m = int(rng.integers(0, 4))
        xy = rng.uniform(0, 80, (m, 2))
        extra = np.concatenate([xy, xy + rng.uniform(8, 30, (m, 2))], axis=1)
        pb = np.concatenate([jitter, extra]).round(2)
        pl = np.concatenate([np.where(rng.uniform(size=k) < 0.15, (gl + 1) % num_classes, gl),
                             rng.integers(0, num_classes, m)])  # fmt: skip
        ps = rng.uniform(size=len(pb)).round(4)
        predictions.append({"boxes": pb, "labels": pl, "scores": ps})
        truths.append({"boxes": gt, "labels": gl})
    return predictions, truths


def _coco_map(predictions, truths, num_classes, iou):
    coco_mod = pytest.importorskip("pycocotools.coco")
    from pycocotools.cocoeval import COCOeval

    images, anns, dets = [], [], []
    for i, (pred, gt) in enumerate(zip(predictions, truths, strict=True)):
        images.append({"id": i, "width": 200, "height": 200})
        for b, lab in zip(gt["boxes"], gt["labels"], strict=True):
            w, h = b[2] - b[0], b[3] - b[1]
            anns.append({"id": len(anns) + 1, "image_id": i, "category_id": int(lab),
                         "bbox": [b[0], b[1], w, h], "area": w * h, "iscrowd": 0})  # fmt: skip
        for b, lab, s in zip(pred["boxes"], pred["labels"], pred["scores"], strict=True):
            dets.append({"image_id": i, "category_id": int(lab), "score": float(s),
                         "bbox": [b[0], b[1], b[2] - b[0], b[3] - b[1]]})  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()):
        gt_api = coco_mod.COCO()
        gt_api.dataset = {"images": images, "annotations": anns,
                          "categories": [{"id": c} for c in range(num_classes)]}  # fmt: skip
        gt_api.createIndex()
        dt_api = gt_api.loadRes(dets) if dets else coco_mod.COCO()
        ev = COCOeval(gt_api, dt_api, "bbox")
        ev.params.iouThrs = np.array([iou])
        ev.params.areaRng = [[0, 1e10]]
        ev.params.areaRngLbl = ["all"]
        ev.params.maxDets = [100]
        ev.evaluate()
        ev.accumulate()
    per_class = ev.eval["precision"][0, :, :, 0, 0]  # (recall points, classes)
    ap = np.array([c.mean() if (c > -1).all() else np.nan for c in per_class.T])
    return ap


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("iou", [0.5, 0.75])
def test_map_matches_pycocotools(seed, iou):
    rng = np.random.default_rng(seed)
    predictions, truths = _random_scene(rng)
    ours = dm.evaluate_detections(predictions, truths, 3, iou_threshold=iou, method="coco101")
    ref = _coco_map(predictions, truths, 3, iou)
    np.testing.assert_allclose(ours.ap, ref, atol=1e-9)
