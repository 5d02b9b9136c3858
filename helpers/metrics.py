"""Per-class metrics read off a confusion matrix, in plain NumPy (chapter 12).

Convention (the one of scikit-learn and :func:`helpers.viz.confusion_matrix`): ``cm[i, j]`` is
the number of samples of **true** class ``i`` that were **predicted** as class ``j``. So row ``i``
sums to the number of samples of class ``i`` (its *support*) and column ``j`` to the number of
times class ``j`` was predicted.

For class ``c``: ``TP = cm[c, c]``, ``FN = row sum − TP`` (class ``c`` predicted as something
else), ``FP = column sum − TP`` (something else predicted as ``c``), and

* recall ``= TP / (TP + FN)``: the share of the real ``c`` that were found;
* precision ``= TP / (TP + FP)``: the share of the ``c`` predictions that were right;
* F1 ``= 2·TP / (2·TP + FP + FN)``, the harmonic mean of the two.

A fraction whose denominator is 0 is undefined: a class with no samples (empty row) has no
recall, a class never predicted (empty column) has no precision, and a class that is neither
present nor predicted has no F1. Those entries get ``zero_division`` (0.0 by default, or 1.0 or
``nan``), exactly as scikit-learn's ``precision_recall_fscore_support(..., zero_division=...)``.

- :func:`per_class_metrics`: precision, recall, F1 and support of every class.
- :func:`accuracy_from_cm`: trace / total.
- :func:`most_confused_pairs`: the largest off-diagonal cells, as ``(true, predicted, count)``.
- :func:`misclassified_indices`: where ``y_true != y_pred``, optionally filtered by class and
  sorted by the model's confidence.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "ClassMetrics", "as_confusion_matrix", "per_class_metrics", "accuracy_from_cm",
    "most_confused_pairs", "misclassified_indices",
]  # fmt: skip


class ClassMetrics(NamedTuple):
    """Per-class arrays, each of shape ``(C,)``; ``support`` is an int array."""

    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray


def as_confusion_matrix(cm: Any) -> np.ndarray:
    """Validate a confusion matrix and return it as an ``int64`` array.

    It must be a non-empty square 2-D array of finite, non-negative whole numbers (floats
    like ``3.0`` are accepted, ``2.5`` is not). Raises ``ValueError`` (``TypeError`` for
    non-numeric input) saying what is wrong.
    """
    arr = np.asarray(cm)
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"a confusion matrix holds counts (numbers), got dtype {arr.dtype}")
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"a confusion matrix must be square (C, C), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError("the confusion matrix is empty (0 classes)")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise ValueError("the confusion matrix contains NaN or infinity")
        if not np.all(arr == np.round(arr)):
            raise ValueError(
                "the confusion matrix must hold whole counts; got fractions (a normalised "
                "matrix? pass the raw counts)"
            )
    if np.any(arr < 0):
        raise ValueError("the confusion matrix contains negative counts")
    return arr.astype(np.int64)


def _zero_division_value(zero_division: Any) -> float:
    value = float(zero_division)
    if not (value in (0.0, 1.0) or math.isnan(value)):
        raise ValueError(f"zero_division must be 0.0, 1.0 or nan, got {zero_division!r}")
    return value


def _safe_divide(num: np.ndarray, den: np.ndarray, fill: float) -> np.ndarray:
    out = np.full(num.shape, fill, dtype=np.float64)
    ok = den > 0
    out[ok] = num[ok] / den[ok]
    return out


def per_class_metrics(cm: Any, *, zero_division: float = 0.0) -> ClassMetrics:
    """Precision, recall, F1 and support of every class of a confusion matrix.

    Args:
        cm: counts, rows = true classes, columns = predicted classes (see the module doc).
        zero_division: the value of an undefined fraction (empty row → recall, empty column →
            precision, class neither present nor predicted → F1): 0.0, 1.0 or ``nan``.

    Returns:
        :class:`ClassMetrics` of float64 arrays (and an int64 ``support``), equal to
        ``sklearn.metrics.precision_recall_fscore_support(y_true, y_pred, average=None,
        labels=range(C), zero_division=zero_division)``.
    """
    counts = as_confusion_matrix(cm)
    fill = _zero_division_value(zero_division)
    tp = np.diag(counts).astype(np.float64)
    support = counts.sum(axis=1)
    predicted = counts.sum(axis=0)
    precision = _safe_divide(tp, predicted.astype(np.float64), fill)
    recall = _safe_divide(tp, support.astype(np.float64), fill)
    f1 = _safe_divide(2 * tp, (support + predicted).astype(np.float64), fill)
    return ClassMetrics(precision, recall, f1, support)


def accuracy_from_cm(cm: Any) -> float:
    """Share of samples on the diagonal: ``trace(cm) / cm.sum()``; error if ``cm`` is all 0."""
    counts = as_confusion_matrix(cm)
    total = int(counts.sum())
    if total == 0:
        raise ValueError("the confusion matrix counts no samples; accuracy is undefined")
    return int(np.trace(counts)) / total


def most_confused_pairs(cm: Any, k: int = 5) -> list[tuple[int, int, int]]:
    """The ``k`` largest off-diagonal cells as ``(true, predicted, count)``, largest first.

    Ties are ordered by true class, then predicted class; cells with a count of 0 are never
    listed, so fewer than ``k`` pairs come back when the model makes few kinds of mistake.
    """
    counts = as_confusion_matrix(cm)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k <= 0:
        raise ValueError(f"k must be a positive whole number, got {k!r}")
    c = counts.shape[0]
    cells = [
        (int(counts[i, j]), i, j) for i in range(c) for j in range(c) if i != j and counts[i, j]
    ]
    cells.sort(key=lambda t: (-t[0], t[1], t[2]))
    return [(i, j, n) for n, i, j in cells[: int(k)]]


def _labels(y: Any, name: str) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] > 1:  # one-hot or probability rows
        arr = arr.argmax(axis=1)
    elif arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be N class indices (or N rows of scores), got {arr.shape}")
    if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
        raise ValueError(f"{name} must hold whole class indices")
    if arr.dtype.kind not in "iuf" or arr.dtype == bool:
        raise TypeError(f"{name} must hold class indices, got dtype {arr.dtype}")
    return arr.astype(np.int64)


def misclassified_indices(
    y_true: Any,
    y_pred: Any,
    *,
    true_class: int | None = None,
    pred_class: int | None = None,
    confidence: Any = None,
) -> np.ndarray:
    """Indices of the samples whose prediction is wrong.

    Args:
        y_true, y_pred: ``N`` class indices each (rows of one-hot / probabilities are reduced
            with argmax).
        true_class, pred_class: keep only mistakes of this true class and/or this predicted
            class (e.g. ``true_class=7, pred_class=2``: the 7s read as 2s).
        confidence: optional scores to sort by, most confident mistake first: ``(N,)`` (the
            confidence of each prediction) or ``(N, C)`` probabilities (the predicted class's
            probability is used). Without it the indices are in increasing order.

    Returns:
        An int64 array of indices into the ``N`` samples (possibly empty).
    """
    t = _labels(y_true, "y_true")
    p = _labels(y_pred, "y_pred")
    if len(t) != len(p):
        raise ValueError(f"y_true has {len(t)} labels but y_pred has {len(p)}; they must match")
    wrong = t != p
    if true_class is not None:
        wrong &= t == int(true_class)
    if pred_class is not None:
        wrong &= p == int(pred_class)
    idx = np.flatnonzero(wrong).astype(np.int64)
    if confidence is None:
        return idx
    conf = np.asarray(confidence, dtype=np.float64)
    if conf.ndim == 2:
        if conf.shape[0] != len(t) or conf.shape[1] <= int(p.max(initial=0)):
            raise ValueError(f"confidence has shape {conf.shape}; expected ({len(t)}, C)")
        conf = conf[np.arange(len(p)), p]
    if conf.shape != (len(t),):
        raise ValueError(
            f"confidence has shape {conf.shape}; expected ({len(t)},) or ({len(t)}, C)"
        )
    order = np.argsort(-conf[idx], kind="stable")
    return idx[order]
