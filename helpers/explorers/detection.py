"""The detection explorer (chapter 18): a score threshold and an NMS IoU, and what they do.

A detector proposes far more boxes than there are objects: neighbouring windows or grid cells
find the same digit or face again and again, with slightly different boxes and scores. Two
numbers turn the raw proposals into an answer: the **score threshold** (drop boxes the
detector is unsure of) and the **NMS IoU** (of two boxes of the same class that overlap more
than this, keep the better one). Both trade precision for recall.

* :func:`explore_state` is the pure function: raw predictions (before NMS) and ground truths
  in, the kept boxes of every image with their true-positive flags, the objects missed, and
  precision, recall and mAP of the kept boxes out (:class:`DetectionState`).
* :func:`detection_explorer` is the user interface: an image selector, the two sliders and a
  check box "NMS across classes";
  the picture shows true positives in green, false positives in red and missed objects as
  dashed boxes, next to the precision–recall curve with the chosen operating point.

Predictions and ground truths use the format of :mod:`helpers.detection_metrics`: one dict
per image, ``{"boxes": (k, 4) xyxy, "scores": (k,), "labels": (k,)}`` and
``{"boxes", "labels"}``. A detection is a true positive when it overlaps a still unclaimed
object of its class with IoU ≥ ``iou_threshold`` (matching by descending score, as
:func:`helpers.detection_metrics.match_detections` does).

Example:
    >>> pred = [{"boxes": [[0, 0, 10, 10], [1, 0, 11, 10]], "scores": [0.9, 0.8],
    ...          "labels": [0, 0]}]
    >>> gt = [{"boxes": [[0, 0, 10, 10]], "labels": [0]}]
    >>> s = explore_state(pred, gt, score_threshold=0.5, nms_iou=0.5)
    >>> s.n_tp, s.n_fp, s.n_missed, s.precision, s.recall
    (1, 0, 0, 1.0, 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import boxes as bx
from .. import detection_metrics as dm
from ._ui import Explorer, layout, style

__all__ = [
    "ImageState",
    "DetectionState",
    "explore_state",
    "DetectionExplorer",
    "detection_explorer",
    "TP_COLOR",
    "FP_COLOR",
    "MISSED_COLOR",
]

TP_COLOR = "limegreen"
FP_COLOR = "red"
MISSED_COLOR = "gold"


@dataclass
class ImageState:
    """One image after thresholding and NMS.

    Attributes:
        kept: indices into the image's raw predictions, highest score first.
        boxes, scores, labels: the kept detections.
        tp: ``(len(kept),)`` bool, True for a true positive.
        gt_boxes, gt_labels: the image's objects; missed: ``(n_objects,)`` bool, True when no
            kept detection claimed the object.
        n_raw: raw predictions of the image; n_above: those at or above the score threshold.
    """

    kept: np.ndarray
    boxes: np.ndarray
    scores: np.ndarray
    labels: np.ndarray
    tp: np.ndarray
    gt_boxes: np.ndarray
    gt_labels: np.ndarray
    missed: np.ndarray
    n_raw: int
    n_above: int


@dataclass
class DetectionState:
    """What :func:`explore_state` computes for a set of images.

    Attributes:
        images: one :class:`ImageState` per image.
        n_raw, n_above, n_kept: boxes proposed, above the score threshold, left after NMS.
        n_tp, n_fp, n_missed, n_objects: counts over all images.
        precision, recall: of the kept boxes (precision is 1.0 when nothing is kept).
        curve: ``(precision, recall)`` along all kept boxes ranked by score (classes pooled).
        report: :class:`helpers.detection_metrics.DetectionReport` of the kept boxes (per-class
            AP; ``report.map`` is their mAP).
        text: a summary in words.
    """

    images: list[ImageState]
    n_raw: int
    n_above: int
    n_kept: int
    n_tp: int
    n_fp: int
    n_missed: int
    n_objects: int
    precision: float
    recall: float
    curve: tuple[np.ndarray, np.ndarray]
    report: Any
    score_threshold: float
    nms_iou: float
    text: str
    across_classes: bool = False

    @property
    def map(self) -> float:
        """mAP of the kept boxes at the matching IoU."""
        return self.report.map


def _match(boxes, scores, labels, gt_boxes, gt_labels, iou_threshold):
    """True-positive flags of the detections and "claimed" flags of the objects, per class
    (:func:`helpers.detection_metrics.match_detections`, class by class)."""
    tp = np.zeros(len(boxes), dtype=bool)
    claimed = np.zeros(len(gt_boxes), dtype=bool)
    for c in np.unique(np.concatenate([labels, gt_labels])):
        p, g = np.flatnonzero(labels == c), np.flatnonzero(gt_labels == c)
        if len(p) == 0 or len(g) == 0:
            continue
        taken = dm.match_detections(boxes[p], scores[p], gt_boxes[g], iou_threshold,
                                    return_indices=True)  # fmt: skip
        tp[p] = taken >= 0
        claimed[g[taken[taken >= 0]]] = True
    return tp, claimed


def explore_state(
    predictions: Sequence[dict],
    ground_truths: Sequence[dict],
    score_threshold: float = 0.5,
    nms_iou: float = 0.5,
    *,
    iou_threshold: float = 0.5,
    num_classes: int | None = None,
    class_names: Sequence[str] | None = None,
    max_output: int | None = None,
    across_classes: bool = False,
) -> DetectionState:
    """Threshold, suppress and score raw detections.

    For every image: keep the predictions scoring at least ``score_threshold``; run per-class
    non-maximum suppression (:func:`helpers.boxes.batched_nms`) with ``nms_iou`` (1.0: none;
    ``across_classes=True``: one NMS over all classes, so that a box can also suppress a box of
    another class — useful when a detector calls the same object by several names);
    keep at most ``max_output`` boxes; flag true positives (IoU ≥ ``iou_threshold`` with an
    unclaimed object of the same class) and the objects nobody found. Then precision and
    recall of the kept boxes, their pooled precision–recall curve and their per-class AP
    (:func:`helpers.detection_metrics.evaluate_detections`).
    """
    if len(predictions) != len(ground_truths):
        raise ValueError(
            f"got predictions for {len(predictions)} images but ground truth for "
            f"{len(ground_truths)}"
        )
    if len(predictions) == 0:
        raise ValueError("explore_state() needs at least one image")
    for value, name, low in ((nms_iou, "nms_iou", 0.0), (iou_threshold, "iou_threshold", 1e-9)):
        if not isinstance(value, int | float | np.floating) or not low <= float(value) <= 1.0:
            raise ValueError(f"{name} must be a number in [{low:g}, 1], got {value!r}")
    if not isinstance(score_threshold, int | float | np.floating) or np.isnan(score_threshold):
        raise ValueError(f"score_threshold must be a number, got {score_threshold!r}")
    preds = [dm.image_arrays(p, "predictions", i, True) for i, p in enumerate(predictions)]
    gts = [dm.image_arrays(g, "ground_truths", i, False)[:2] for i, g in enumerate(ground_truths)]
    if num_classes is None:
        top = [lab.max() for _, lab, _ in preds if len(lab)] + [
            lab.max() for _, lab in gts if len(lab)
        ]
        num_classes = int(max(top, default=0)) + 1
    states, kept_dicts = [], []
    for (b, lab, s), (gb, gl) in zip(preds, gts, strict=True):
        above = int(np.sum(s >= score_threshold))
        if not len(b):
            keep = np.zeros(0, np.int64)
        elif across_classes:
            keep = bx.nms(b, s, float(nms_iou), float(score_threshold), max_output)
        else:
            keep = bx.batched_nms(b, s, lab, float(nms_iou), float(score_threshold), max_output)
        kb, ks, kl = b[keep], s[keep], lab[keep]
        tp, claimed = _match(kb, ks, kl, gb, gl, iou_threshold)
        states.append(ImageState(keep, kb, ks, kl, tp, gb, gl, ~claimed, len(b), above))
        kept_dicts.append({"boxes": kb, "scores": ks, "labels": kl})
    report = dm.evaluate_detections(
        kept_dicts,
        [{"boxes": gb, "labels": gl} for gb, gl in gts],
        num_classes,
        iou_threshold=iou_threshold,
        class_names=None if class_names is None else list(class_names),
    )
    n_tp = sum(int(st.tp.sum()) for st in states)
    n_kept = sum(len(st.kept) for st in states)
    n_obj = sum(len(st.gt_boxes) for st in states)
    n_missed = sum(int(st.missed.sum()) for st in states)
    all_scores = np.concatenate([st.scores for st in states])
    all_tp = np.concatenate([st.tp for st in states])
    curve = dm.precision_recall(all_scores, all_tp, n_obj)
    precision = n_tp / n_kept if n_kept else 1.0
    recall = n_tp / n_obj if n_obj else float("nan")
    n_raw = sum(st.n_raw for st in states)
    n_above = sum(st.n_above for st in states)
    text = (
        f"score ≥ {score_threshold:.2f}, NMS IoU {nms_iou:.2f} "
        f"({'across classes' if across_classes else 'per class'}): {n_raw:,} raw boxes → "
        f"{n_above:,} above the threshold → {n_kept:,} kept after NMS\n"
        f"all {len(states)} images: {n_tp} true positives, {n_kept - n_tp} false positives, "
        f"{n_missed} of {n_obj} objects missed → precision {precision:.3f}, recall "
        f"{recall:.3f}; mAP@{iou_threshold:g} of the kept boxes {report.map:.3f}"
    )
    return DetectionState(
        states,
        n_raw,
        n_above,
        n_kept,
        n_tp,
        n_kept - n_tp,
        n_missed,
        n_obj,
        precision,
        recall,
        curve,
        report,
        float(score_threshold),
        float(nms_iou),
        text,
        bool(across_classes),
    )


def _image_line(k: int, st: ImageState) -> str:
    n_tp = int(st.tp.sum())
    return (
        f"image {k}: {st.n_raw} raw → {st.n_above} above the threshold → {len(st.kept)} "
        f"kept: {n_tp} true (green), {len(st.kept) - n_tp} false (red); "
        f"{int(st.missed.sum())} of {len(st.gt_boxes)} objects missed (dashed)"
    )


class DetectionExplorer(Explorer):
    """The widgets of :func:`detection_explorer` and the last :class:`DetectionState`.

    Attributes:
        index: image selector; score: score-threshold slider; nms: NMS IoU slider;
        across: check box, NMS across classes (unticked: per class).
    """

    def __init__(
        self,
        images: Sequence[Any],
        predictions: Sequence[dict],
        ground_truths: Sequence[dict],
        *,
        class_names: Sequence[str] | None = None,
        num_classes: int | None = None,
        iou_threshold: float = 0.5,
        score_threshold: float | None = None,
        nms_iou: float = 0.5,
        across_classes: bool = False,
        draw: bool = True,
    ) -> None:
        import ipywidgets as w

        self.images = [np.asarray(im) for im in images]
        if not self.images:
            raise ValueError("detection_explorer() needs at least one image")
        if not len(self.images) == len(predictions) == len(ground_truths):
            raise ValueError(
                f"got {len(self.images)} images, {len(predictions)} predictions "
                f"and {len(ground_truths)} ground truths: one of each per image"
            )
        self.predictions, self.ground_truths = list(predictions), list(ground_truths)
        self.class_names = None if class_names is None else list(class_names)
        self.num_classes = num_classes
        self.iou_threshold = iou_threshold
        self.draw = draw
        scores = np.concatenate(
            [np.asarray(p["scores"], float).reshape(-1) for p in self.predictions] + [np.zeros(0)]
        )
        lo, hi = (float(scores.min()), float(scores.max())) if len(scores) else (0.0, 1.0)
        if 0.0 <= lo and hi <= 1.0:  # probabilities
            lo, hi = 0.0, 1.0
        hi = hi if hi > lo else lo + 1.0
        start = float(np.clip(0.5 if score_threshold is None else score_threshold, lo, hi))
        self.index = w.IntSlider(
            value=0,
            min=0,
            max=len(self.images) - 1,
            description="image",
            style=style(),
            layout=layout(),
            disabled=len(self.images) == 1,
        )
        self.score = w.FloatSlider(
            value=start,
            min=lo,
            max=hi,
            step=(hi - lo) / 100,
            description="score threshold",
            readout_format=".2f",
            style=style(),
            layout=layout("280px"),
            continuous_update=False,
        )
        self.nms = w.FloatSlider(
            value=nms_iou,
            min=0.05,
            max=1.0,
            step=0.05,
            description="NMS IoU",
            readout_format=".2f",
            style=style(),
            layout=layout("260px"),
            continuous_update=False,
        )
        self.across = w.Checkbox(
            value=bool(across_classes),
            description="NMS across classes",
            indent=False,
            style=style(),
            layout=layout("170px"),
        )
        controls = [self.index, self.score, self.nms, self.across]
        self._build([controls], controls)
        self.update()

    def compute(self) -> DetectionState:
        return explore_state(
            self.predictions,
            self.ground_truths,
            self.score.value,
            self.nms.value,
            iou_threshold=self.iou_threshold,
            num_classes=self.num_classes,
            class_names=self.class_names,
            across_classes=self.across.value,
        )

    def describe(self, result: DetectionState) -> str:
        k = self.index.value
        return result.text + "\n" + _image_line(k, result.images[k])

    def figures(self, result: DetectionState) -> list:
        import matplotlib.pyplot as plt

        from .. import viz

        k = self.index.value
        st, img = result.images[k], self.images[k]
        fig, (ax, ax_pr) = plt.subplots(
            1, 2, figsize=(9, 4.2), gridspec_kw={"width_ratios": [1.1, 1]}
        )
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
        ax.set_axis_off()
        missed = st.missed
        if missed.any():
            viz.draw_boxes(ax, st.gt_boxes[missed], color=MISSED_COLOR, linestyle="--", linewidth=2)
        for flag, colour in ((True, TP_COLOR), (False, FP_COLOR)):
            sel = st.tp == flag
            if sel.any():
                viz.draw_boxes(
                    ax,
                    st.boxes[sel],
                    labels=st.labels[sel],
                    scores=st.scores[sel],
                    class_names=self.class_names,
                    color=colour,
                )
        ax.set_title(f"image {k}: green = true, red = false, dashed = missed", fontsize=9)
        precision, recall = result.curve
        if len(precision):
            ax_pr.step(
                np.concatenate([[0], recall]),
                np.concatenate([[1], precision]),
                where="post",
                color="tab:blue",
            )
        ax_pr.plot(
            [result.recall],
            [result.precision],
            "o",
            color="crimson",
            label=f"kept boxes: P={result.precision:.2f}, R={result.recall:.2f}",
        )
        ax_pr.set(
            xlim=(0, 1.02),
            ylim=(0, 1.05),
            xlabel="recall",
            ylabel="precision",
            title=f"all images, mAP@{self.iou_threshold:g} = {result.map:.3f}",
        )
        ax_pr.title.set_fontsize(9)
        ax_pr.legend(loc="lower left", fontsize=8)
        ax_pr.grid(alpha=0.3)
        fig.tight_layout()
        return [fig]


def detection_explorer(
    images: Sequence[Any],
    predictions: Sequence[dict],
    ground_truths: Sequence[dict],
    *,
    class_names: Sequence[str] | None = None,
    num_classes: int | None = None,
    iou_threshold: float = 0.5,
    score_threshold: float | None = None,
    nms_iou: float = 0.5,
    across_classes: bool = False,
    draw: bool = True,
) -> DetectionExplorer:
    """Build the detection explorer (display it): one image at a time, two sliders.

    ``predictions`` are the detector's **raw** boxes (before NMS), one dict per image, so that
    the NMS slider has something to suppress. The score slider spans 0–1 for probabilities and
    the scores' range otherwise (an SVM's margins). The check box "NMS across classes" lets a
    box suppress overlapping boxes of other classes too. ``draw=False`` skips the figures.
    """
    return DetectionExplorer(
        images,
        predictions,
        ground_truths,
        class_names=class_names,
        num_classes=num_classes,
        iou_threshold=iou_threshold,
        score_threshold=score_threshold,
        nms_iou=nms_iou,
        across_classes=across_classes,
        draw=draw,
    )
