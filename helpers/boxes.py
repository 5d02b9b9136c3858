"""Bounding boxes: formats, areas, intersection over union and non-maximum suppression.

Boxes are float arrays whose last axis holds four numbers, in pixels.

* **Corner format** ``"xyxy"``: ``(x_min, y_min, x_max, y_max)``. The maxima are *edges*, not pixel
  centres: a box around columns 3..5 of an image has ``x_min = 3`` and ``x_max = 6``, so its width
  is ``x_max - x_min = 3`` pixels. Pascal VOC files count pixels from 1 and include the last one;
  :mod:`helpers.canvases` converts when it reads and writes them.
* **Centre format** ``"cxcywh"``: ``(cx, cy, w, h)``, the form YOLO predicts.

Everything here is plain NumPy so that it can be checked by hand; the tests compare
:func:`nms` with ``tf.image.non_max_suppression``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Format = Literal["xyxy", "cxcywh"]
_FORMATS = ("xyxy", "cxcywh")

__all__ = [
    "area",
    "batched_nms",
    "check_boxes",
    "iou",
    "iou_matrix",
    "nms",
    "to_centre",
    "to_corners",
]


def _as_boxes(boxes, name: str) -> np.ndarray:
    b = np.asarray(boxes, dtype=np.float64)
    if b.ndim == 0 or b.shape[-1] != 4:
        raise ValueError(
            f"{name} must have 4 numbers on its last axis (a box), got shape {np.shape(boxes)}"
        )
    if not np.all(np.isfinite(b)):
        raise ValueError(f"{name} contains NaN or infinite coordinates")
    return b


def _check_format(fmt: str) -> None:
    if fmt not in _FORMATS:
        raise ValueError(f"unknown box format {fmt!r}; use 'xyxy' (corners) or 'cxcywh' (centre)")


def to_corners(boxes) -> np.ndarray:
    """Centre format ``(cx, cy, w, h)`` → corner format ``(x_min, y_min, x_max, y_max)``."""
    b = _as_boxes(boxes, "boxes")
    cx, cy, w, h = np.moveaxis(b, -1, 0)
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1)


def to_centre(boxes) -> np.ndarray:
    """Corner format ``(x_min, y_min, x_max, y_max)`` → centre format ``(cx, cy, w, h)``."""
    b = _as_boxes(boxes, "boxes")
    x0, y0, x1, y1 = np.moveaxis(b, -1, 0)
    return np.stack([(x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0], axis=-1)


def check_boxes(boxes, fmt: Format = "xyxy", name: str = "boxes") -> np.ndarray:
    """Validate boxes and return them in corner format as float64 of shape (..., 4).

    Raises ``ValueError`` with a message that names the first bad box when the last axis is not 4
    long, a coordinate is NaN or infinite, or a width or height is negative. Zero-width boxes are
    allowed (they have area 0 and IoU 0 with everything).
    """
    _check_format(fmt)
    b = _as_boxes(boxes, name)
    if fmt == "cxcywh":
        if np.any(b[..., 2:] < 0):
            raise ValueError(f"{name}: widths and heights must be >= 0 in 'cxcywh' format")
        b = to_corners(b)
    bad = (b[..., 2] < b[..., 0]) | (b[..., 3] < b[..., 1])
    if np.any(bad):
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name}{list(first)} = {b[first].tolist()} has x_max < x_min or y_max < y_min; "
            "corner boxes are (x_min, y_min, x_max, y_max)"
        )
    return b


def area(boxes, fmt: Format = "xyxy") -> np.ndarray:
    """Area of each box (pixels²)."""
    b = check_boxes(boxes, fmt)
    return (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])


def _iou_corners(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    iw = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = iw * ih
    union = (
        (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
        + (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
        - inter
    )
    # Two zero-area boxes have union 0: their IoU is defined as 0, never NaN.
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def iou(a, b, fmt: Format = "xyxy") -> np.ndarray:
    """Intersection over union of boxes ``a`` and ``b``, element-wise with NumPy broadcasting.

    >>> float(iou([0, 0, 2, 2], [1, 1, 3, 3]))  # overlap 1, union 4 + 4 - 1
    0.14285714285714285
    """
    return _iou_corners(check_boxes(a, fmt, "a"), check_boxes(b, fmt, "b"))


def iou_matrix(a, b, fmt: Format = "xyxy") -> np.ndarray:
    """IoU of every box in ``a`` (N, 4) with every box in ``b`` (M, 4): an (N, M) array."""
    a = check_boxes(a, fmt, "a").reshape(-1, 4)
    b = check_boxes(b, fmt, "b").reshape(-1, 4)
    return _iou_corners(a[:, None, :], b[None, :, :])


def nms(
    boxes,
    scores,
    iou_threshold: float = 0.5,
    score_threshold: float | None = None,
    max_output: int | None = None,
    fmt: Format = "xyxy",
) -> np.ndarray:
    """Greedy non-maximum suppression; returns the indices kept, highest score first.

    Walk the boxes from the highest score down; keep a box unless its IoU with a box already kept
    is *greater than* ``iou_threshold``. Boxes scoring below ``score_threshold`` are dropped
    first. Ties in score keep the earlier index first (a stable sort), as TensorFlow does.
    """
    b = check_boxes(boxes, fmt).reshape(-1, 4)
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    if len(s) != len(b):
        raise ValueError(f"got {len(b)} boxes but {len(s)} scores")
    if not 0.0 <= iou_threshold <= 1.0:
        raise ValueError(f"iou_threshold must be in [0, 1], got {iou_threshold}")
    if max_output is not None and max_output < 0:
        raise ValueError(f"max_output must be >= 0, got {max_output}")
    order = np.argsort(-s, kind="stable")
    if score_threshold is not None:
        order = order[s[order] >= score_threshold]
    limit = len(order) if max_output is None else max_output
    keep: list[int] = []
    for i in order:
        if len(keep) >= limit:
            break
        if keep and np.any(_iou_corners(b[i], b[keep]) > iou_threshold):
            continue
        keep.append(int(i))
    return np.asarray(keep, dtype=np.int64)


def batched_nms(
    boxes,
    scores,
    classes,
    iou_threshold: float = 0.5,
    score_threshold: float | None = None,
    max_output: int | None = None,
    fmt: Format = "xyxy",
) -> np.ndarray:
    """Non-maximum suppression within each class: boxes of different classes never suppress
    each other. Returns indices, highest score first, at most ``max_output`` of them."""
    b = check_boxes(boxes, fmt).reshape(-1, 4)
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    c = np.asarray(classes).reshape(-1)
    if not (len(b) == len(s) == len(c)):
        raise ValueError(f"got {len(b)} boxes, {len(s)} scores and {len(c)} classes")
    kept = []
    for cls in np.unique(c):
        idx = np.flatnonzero(c == cls)
        kept.extend(idx[nms(b[idx], s[idx], iou_threshold, score_threshold)])
    kept = np.sort(np.asarray(kept, dtype=np.int64))  # equal scores: lower index first
    kept = kept[np.argsort(-s[kept], kind="stable")]
    return kept if max_output is None else kept[:max_output]
