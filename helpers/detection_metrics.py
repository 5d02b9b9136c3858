"""Evaluating a detector the way the field does: matching, precision–recall, AP and mAP.

A detection is a **true positive** when it overlaps a ground-truth box of its class with
IoU ≥ the threshold (0.5 for Pascal VOC's mAP@0.5) and that ground truth was not already claimed
by a higher-scoring detection; otherwise it is a **false positive**. Ranking all detections of a
class by score and walking down the list gives one (precision, recall) point per detection;
**average precision** is the area under that curve after making precision non-increasing, and
**mAP** is the mean of AP over the classes that have ground truth.

Matching follows COCO (a detection takes the best-overlapping ground truth still free) and the
tests check :func:`evaluate_detections` against ``pycocotools``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from .boxes import check_boxes, iou_matrix

APMethod = Literal["all", "voc11", "coco101"]

__all__ = [
    "DetectionReport",
    "average_precision",
    "evaluate_detections",
    "image_arrays",
    "match_detections",
    "precision_recall",
]


def match_detections(
    pred_boxes, pred_scores, gt_boxes, iou_threshold: float = 0.5, *, return_indices: bool = False
) -> np.ndarray:
    """True-positive flags for one image and one class, in the order the predictions were given.

    Detections are visited from the highest score down (ties: earlier first); each takes the
    free ground truth it overlaps most, if that IoU is ≥ ``iou_threshold``. With
    ``return_indices=True`` the result is instead the index of the ground truth each detection
    took, or -1 for a false positive.
    """
    pb = check_boxes(pred_boxes, name="pred_boxes").reshape(-1, 4)
    gb = check_boxes(gt_boxes, name="gt_boxes").reshape(-1, 4)
    scores = np.asarray(pred_scores, dtype=np.float64).reshape(-1)
    if len(scores) != len(pb):
        raise ValueError(f"got {len(pb)} predicted boxes but {len(scores)} scores")
    if not 0.0 < iou_threshold <= 1.0:
        raise ValueError(f"iou_threshold must be in (0, 1], got {iou_threshold}")
    taken = np.full(len(pb), -1, dtype=np.int64)
    if len(pb) and len(gb):
        overlaps = iou_matrix(pb, gb)
        free = np.ones(len(gb), dtype=bool)
        for i in np.argsort(-scores, kind="stable"):
            candidates = np.where(free, overlaps[i], -1.0)
            j = int(np.argmax(candidates))
            if candidates[j] >= iou_threshold:
                taken[i] = j
                free[j] = False
    return taken if return_indices else taken >= 0


def precision_recall(scores, tp, n_ground_truth: int) -> tuple[np.ndarray, np.ndarray]:
    """Precision and recall after each detection of a ranked list (highest score first).

    ``tp`` flags which detections are true positives; ``n_ground_truth`` is the number of objects
    to find (true positives can never exceed it).
    """
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    t = np.asarray(tp).reshape(-1)
    if len(s) != len(t):
        raise ValueError(f"got {len(s)} scores but {len(t)} true-positive flags")
    if t.dtype != bool and not np.isin(t, (0, 1)).all():
        raise ValueError("tp must hold booleans (or 0/1) for each detection")
    if n_ground_truth < 0 or int(n_ground_truth) != n_ground_truth:
        raise ValueError(f"n_ground_truth must be a whole number >= 0, got {n_ground_truth}")
    t = t.astype(bool)
    if t.sum() > n_ground_truth:
        raise ValueError(f"{int(t.sum())} true positives but only {n_ground_truth} ground truths")
    order = np.argsort(-s, kind="stable")
    hits = np.cumsum(t[order])
    precision = hits / np.arange(1, len(t) + 1)
    recall = hits / n_ground_truth if n_ground_truth else np.zeros(len(t))
    return precision, recall


def average_precision(precision, recall, method: APMethod = "all") -> float:
    """Area under a precision–recall curve given point by point along the ranked list.

    ``"all"`` (Pascal VOC since 2010): precision is first replaced by its running maximum from the
    right (the best precision at this recall or beyond), then summed over each step in recall.
    ``"voc11"`` (VOC 2007): mean of that envelope at recall 0, 0.1, …, 1. ``"coco101"`` (COCO):
    the same at 101 recall points. An empty list has AP 0.
    """
    p = np.asarray(precision, dtype=np.float64).reshape(-1)
    r = np.asarray(recall, dtype=np.float64).reshape(-1)
    if len(p) != len(r):
        raise ValueError(f"precision has {len(p)} points but recall has {len(r)}")
    if len(p) and (
        np.any(np.diff(r) < 0) or r.min() < 0 or r.max() > 1 or p.min() < 0 or p.max() > 1
    ):
        raise ValueError("recall must be non-decreasing and both curves must lie in [0, 1]")
    if len(p) == 0:
        return 0.0
    envelope = np.maximum.accumulate(p[::-1])[::-1]
    if method == "all":
        steps = np.diff(np.concatenate([[0.0], r]))
        return float(np.sum(steps * envelope))
    if method in ("voc11", "coco101"):
        points = np.linspace(0, 1, 11 if method == "voc11" else 101)
        at = np.searchsorted(r, points, side="left")
        values = np.where(at < len(r), envelope[np.minimum(at, len(r) - 1)], 0.0)
        return float(values.mean())
    raise ValueError(f"unknown method {method!r}; use 'all', 'voc11' or 'coco101'")


@dataclass
class DetectionReport:
    """Result of :func:`evaluate_detections`.

    ``ap[c]`` is NaN for a class with no ground-truth object (it is left out of ``map``, as COCO
    does); ``curves[c]`` is that class's (precision, recall) along its ranked detections.
    """

    ap: np.ndarray
    iou_threshold: float
    method: str
    n_ground_truth: np.ndarray
    n_detections: np.ndarray
    curves: dict = field(repr=False)
    class_names: list[str] | None = None

    @property
    def map(self) -> float:
        valid = ~np.isnan(self.ap)
        return float(self.ap[valid].mean()) if valid.any() else float("nan")

    def table(self) -> str:
        """A small text table: class, objects, detections, AP; then mAP."""
        names = self.class_names or [str(c) for c in range(len(self.ap))]
        width = max(5, *(len(n) for n in names))
        lines = [f"{'class':<{width}} {'objects':>8} {'detections':>10} {'AP':>7}"]
        for c, name in enumerate(names):
            ap = "   —" if np.isnan(self.ap[c]) else f"{self.ap[c]:7.3f}"
            lines.append(
                f"{name:<{width}} {self.n_ground_truth[c]:>8d} {self.n_detections[c]:>10d} {ap:>7}"
            )
        lines.append(f"mAP@{self.iou_threshold:g} = {self.map:.3f}")
        return "\n".join(lines)


def image_arrays(item: dict, what: str, index: int, with_scores: bool):
    """Check one image's entry (``{"boxes", "labels"[, "scores"]}``) and return its arrays:
    ``(boxes (k, 4) float, labels (k,) int, scores (k,) float or None)``; ``what[index]`` names it
    in error messages."""
    if not isinstance(item, dict) or "boxes" not in item or "labels" not in item:
        raise ValueError(f"{what}[{index}] must be a dict with 'boxes' and 'labels'")
    boxes = check_boxes(item["boxes"], name=f"{what}[{index}]['boxes']").reshape(-1, 4)
    labels = np.asarray(item["labels"]).reshape(-1).astype(np.int64)
    if len(labels) != len(boxes):
        raise ValueError(f"{what}[{index}] has {len(boxes)} boxes but {len(labels)} labels")
    scores = None
    if with_scores:
        if "scores" not in item:
            raise ValueError(f"{what}[{index}] needs 'scores' (one per box)")
        scores = np.asarray(item["scores"], dtype=np.float64).reshape(-1)
        if len(scores) != len(boxes):
            raise ValueError(f"{what}[{index}] has {len(boxes)} boxes but {len(scores)} scores")
    return boxes, labels, scores


def evaluate_detections(
    predictions: list[dict],
    ground_truths: list[dict],
    num_classes: int,
    iou_threshold: float = 0.5,
    method: APMethod = "all",
    class_names: list[str] | None = None,
) -> DetectionReport:
    """Per-class AP and mAP over a set of images.

    ``predictions[i]`` = ``{"boxes": (k, 4) xyxy, "scores": (k,), "labels": (k,)}`` for image i,
    ``ground_truths[i]`` = ``{"boxes", "labels"}``; labels are integers in ``[0, num_classes)``.
    """
    if len(predictions) != len(ground_truths):
        raise ValueError(
            f"got predictions for {len(predictions)} images "
            f"but ground truth for {len(ground_truths)}"
        )
    if class_names is not None and len(class_names) != num_classes:
        raise ValueError(f"{len(class_names)} class names for {num_classes} classes")
    scores = [[] for _ in range(num_classes)]
    flags = [[] for _ in range(num_classes)]
    n_gt = np.zeros(num_classes, dtype=np.int64)
    for i, (pred, gt) in enumerate(zip(predictions, ground_truths, strict=True)):
        pb, pl, ps = image_arrays(pred, "predictions", i, with_scores=True)
        gb, gl, _ = image_arrays(gt, "ground_truths", i, with_scores=False)
        for labels, what in ((pl, "predictions"), (gl, "ground_truths")):
            if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
                raise ValueError(f"{what}[{i}] has a label outside [0, {num_classes})")
        for c in range(num_classes):
            p_sel, g_sel = pl == c, gl == c
            n_gt[c] += int(g_sel.sum())
            if p_sel.any():
                scores[c].append(ps[p_sel])
                flags[c].append(match_detections(pb[p_sel], ps[p_sel], gb[g_sel], iou_threshold))
    ap = np.full(num_classes, np.nan)
    curves = {}
    n_det = np.zeros(num_classes, dtype=np.int64)
    for c in range(num_classes):
        s = np.concatenate(scores[c]) if scores[c] else np.zeros(0)
        t = np.concatenate(flags[c]) if flags[c] else np.zeros(0, dtype=bool)
        n_det[c] = len(s)
        precision, recall = precision_recall(s, t, int(n_gt[c]))
        curves[c] = (precision, recall)
        if n_gt[c]:
            ap[c] = average_precision(precision, recall, method)
    return DetectionReport(ap, iou_threshold, method, n_gt, n_det, curves, class_names)
