"""Lab 12 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import numpy as np

from helpers import metrics
from helpers.labs.spec import Mutant


def confusion_matrix_np(y_true, y_pred, n):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError("lengths differ")
    if min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= n:
        raise ValueError("label out of range")
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def precision_recall_from_cm(cm):
    m = metrics.per_class_metrics(cm)
    return m.precision, m.recall


def f1(p, r):
    p, r = np.asarray(p, dtype=float), np.asarray(r, dtype=float)
    out = np.zeros(p.shape)
    np.divide(2 * p * r, p + r, out=out, where=(p + r) > 0)
    return out


def accuracy_from_cm(cm):
    return metrics.accuracy_from_cm(cm)


def class_counts(cm, c):
    cm = np.asarray(cm)
    tp = int(cm[c, c])
    fp, fn = int(cm[:, c].sum()) - tp, int(cm[c].sum()) - tp
    return tp, fp, fn, int(cm.sum()) - tp - fp - fn


def most_confused(cm, k):
    if not isinstance(k, int) or isinstance(k, bool):
        raise ValueError("k")
    return metrics.most_confused_pairs(cm, k)


def misclassified(y_true, y_pred):
    return metrics.misclassified_indices(y_true, y_pred)


SOLUTION = {f.__name__: f for f in (confusion_matrix_np, precision_recall_from_cm, f1,
                                    accuracy_from_cm, class_counts, most_confused,
                                    misclassified)}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def cm_infers_n(t, p, n):
    return confusion_matrix_np(t, p, int(max(np.max(t), np.max(p))) + 1)


def cm_no_validation(t, p, n):
    t, p = np.asarray(t)[: len(p)], np.asarray(p)[: len(t)]
    cm = np.zeros((n, n), dtype=np.int64)
    for a, b in zip(t, p, strict=True):
        cm[a % n, b % n] += 1
    return cm


def cm_negative_wraps(t, p, n):
    """Checks the lengths and the upper bound only: a label -1 is counted in the last row."""
    t, p = np.asarray(t), np.asarray(p)
    if t.shape != p.shape:
        raise ValueError("lengths differ")
    if max(t.max(), p.max()) >= n:
        raise ValueError("label too large")
    cm = np.zeros((n, n), dtype=np.int64)
    for a, b in zip(t, p, strict=True):
        cm[a, b] += 1
    return cm


def cm_checks_true_only(t, p, n):
    t, p = np.asarray(t), np.asarray(p)
    if t.shape != p.shape:
        raise ValueError("lengths differ")
    if t.min() < 0 or t.max() >= n:
        raise ValueError("label out of range")
    cm = np.zeros((n, n), dtype=np.int64)
    for a, b in zip(t, p, strict=True):
        cm[a, b % n] += 1
    return cm


def cm_true_upper_bound_only(t, p, n):
    """Validates y_pred fully, but y_true only from above: a true label -1 wraps around."""
    t, p = np.asarray(t), np.asarray(p)
    if t.shape != p.shape:
        raise ValueError("lengths differ")
    if t.max() >= n or p.min() < 0 or p.max() >= n:
        raise ValueError("label out of range")
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (t, p), 1)
    return cm


def cm_off_by_one_bound(t, p, n):
    t, p = np.asarray(t), np.asarray(p)
    if t.shape != p.shape:
        raise ValueError("lengths differ")
    if min(t.min(), p.min()) < 0 or max(t.max(), p.max()) > n:
        raise ValueError("label out of range")
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (t, p), 1)  # a label n raises IndexError here
    return cm


def cm_no_length_check(t, p, n):
    t, p = np.asarray(t), np.asarray(p)
    if min(t.min(), p.min()) < 0 or max(t.max(), p.max()) >= n:
        raise ValueError("label out of range")
    cm = np.zeros((n, n), dtype=np.int64)
    for a, b in zip(t, p, strict=False):
        cm[a, b] += 1
    return cm


def pr_nan_for_empty(cm):
    cm = np.asarray(cm, dtype=float)
    with np.errstate(all="ignore"):
        return np.diag(cm) / cm.sum(axis=0), np.diag(cm) / cm.sum(axis=1)


def pr_both_by_rows(cm):
    cm = np.asarray(cm, dtype=float)
    rows = cm.sum(axis=1)
    recall = np.divide(np.diag(cm), rows, out=np.zeros(len(cm)), where=rows > 0)
    return recall, recall.copy()


def pr_int_division(cm):
    cm = np.asarray(cm).astype(np.int64)
    cols, rows = cm.sum(axis=0), cm.sum(axis=1)
    return (np.where(cols > 0, np.diag(cm) // np.maximum(cols, 1), 0).astype(float),
            np.where(rows > 0, np.diag(cm) // np.maximum(rows, 1), 0).astype(float))  # fmt: skip


def f1_nan_at_zero(p, r):
    with np.errstate(all="ignore"):
        return 2 * p * r / (p + r)


def f1_warns(p, r):
    p, r = np.asarray(p, dtype=float), np.asarray(r, dtype=float)
    return np.nan_to_num(2 * p * r / (p + r))  # right values, but 0/0 warns first


def pr_warns(cm):
    cm = np.asarray(cm, dtype=float)
    tp = np.diag(cm)
    return np.nan_to_num(tp / cm.sum(axis=0)), np.nan_to_num(tp / cm.sum(axis=1))


def f1_geometric(p, r):
    return np.sqrt(np.asarray(p, float) * np.asarray(r, float))


def f1_missing_two(p, r):
    return f1(p, r) / 2


def acc_mean_recall(cm):
    return float(precision_recall_from_cm(cm)[1].mean())


def acc_no_check(cm):
    cm = np.asarray(cm)
    return float(np.trace(cm) / max(cm.sum(), 1))


def acc_over_off_diagonal(cm):
    cm = np.asarray(cm)
    total = cm.sum()
    if total == 0:
        raise ValueError("empty")
    return float(np.trace(cm) / (total - np.trace(cm) or 1))


def counts_swapped(cm, c):
    tp, fp, fn, tn = class_counts(cm, c)
    return tp, fn, fp, tn


def counts_tn_forgets_tp(cm, c):
    tp, fp, fn, tn = class_counts(cm, c)
    return tp, fp, fn, tn + tp


def counts_fp_with_tp(cm, c):
    tp, fp, fn, tn = class_counts(cm, c)
    return tp, fp + tp, fn + tp, tn - tp


def pairs_with_diagonal(cm, k):
    cm = np.asarray(cm)
    cells = sorted(((int(cm[i, j]), i, j) for i in range(len(cm)) for j in range(len(cm))),
                   key=lambda t: (-t[0], t[1], t[2]))  # fmt: skip
    return [(i, j, n) for n, i, j in cells[:k]]


def pairs_keep_zeros(cm, k):
    cm = np.asarray(cm)
    off = [(int(cm[i, j]), i, j) for i in range(len(cm)) for j in range(len(cm)) if i != j]
    off.sort(key=lambda t: (-t[0], t[1], t[2]))
    return [(i, j, n) for n, i, j in off[:k]]


def pairs_ties_reversed(cm, k):
    cm = np.asarray(cm)
    off = [(int(cm[i, j]), i, j) for i in range(len(cm)) for j in range(len(cm))
           if i != j and cm[i, j]]  # fmt: skip
    off.sort(key=lambda t: (-t[0], -t[1], -t[2]))
    return [(i, j, n) for n, i, j in off[:k]]


def pairs_no_k_check(cm, k):
    cm = np.asarray(cm)
    off = [(int(cm[i, j]), i, j) for i in range(len(cm)) for j in range(len(cm))
           if i != j and cm[i, j]]  # fmt: skip
    off.sort(key=lambda t: (-t[0], t[1], t[2]))
    return [(i, j, n) for n, i, j in off[: int(max(k, 0))]]


def wrong_no_length_check(t, p):
    t, p = np.asarray(t), np.asarray(p)
    m = min(len(t), len(p))
    return np.flatnonzero(t[:m] != p[:m])


MUTANTS = [
    Mutant(
        "precision_recall_from_cm",
        "divides by zero, then replaces the NaN",
        pr_warns,
        says="NumPy warned",
    ),
    Mutant(
        "confusion_matrix_np",
        "transposed",
        lambda t, p, n: confusion_matrix_np(p, t, n),
        says="transposed",
    ),
    Mutant(
        "confusion_matrix_np",
        "infers n from the labels",
        cm_infers_n,
        says="sized the matrix from the labels",
    ),
    Mutant(
        "confusion_matrix_np",
        "no validation (truncates, wraps labels)",
        cm_no_validation,
        says="instead of raising ValueError",
    ),
    Mutant(
        "confusion_matrix_np",
        "float matrix",
        lambda t, p, n: confusion_matrix_np(t, p, n).astype(float),
        says="integer dtype",
    ),
    Mutant(
        "confusion_matrix_np",
        "a label -1 wraps into the last row",
        cm_negative_wraps,
        says="instead of raising ValueError",
    ),
    Mutant("confusion_matrix_np", "validates y_true only", cm_checks_true_only),
    Mutant(
        "confusion_matrix_np",
        "a true label -1 wraps (y_true checked from above only)",
        cm_true_upper_bound_only,
        says="instead of raising ValueError",
    ),
    Mutant(
        "confusion_matrix_np",
        "off-by-one upper bound (> n)",
        cm_off_by_one_bound,
        says="raise ValueError",
    ),
    Mutant("confusion_matrix_np", "no length check (zip truncates)", cm_no_length_check),
    Mutant(
        "precision_recall_from_cm",
        "swapped",
        lambda cm: precision_recall_from_cm(cm)[::-1],
        says="swapped",
    ),
    Mutant("precision_recall_from_cm", "NaN for an empty row/column", pr_nan_for_empty, says="NaN"),
    Mutant(
        "precision_recall_from_cm",
        "one stacked array",
        lambda cm: np.stack(precision_recall_from_cm(cm)),
        says="two arrays",
    ),
    Mutant("precision_recall_from_cm", "both divided by row sums", pr_both_by_rows),
    Mutant("precision_recall_from_cm", "integer division", pr_int_division),
    Mutant(
        "f1", "arithmetic mean", lambda p, r: (np.asarray(p) + np.asarray(r)) / 2, says="arithmetic"
    ),
    Mutant("f1", "NaN where p + r == 0", f1_nan_at_zero, says="NaN"),
    Mutant("f1", "divides by zero, then replaces the NaN", f1_warns, says="NumPy warned"),
    Mutant("f1", "geometric mean", f1_geometric),
    Mutant("f1", "forgets the factor 2", f1_missing_two),
    Mutant("accuracy_from_cm", "mean recall", acc_mean_recall, says="mean of the recalls"),
    Mutant(
        "accuracy_from_cm", "no ValueError for an empty matrix", acc_no_check, says="ValueError"
    ),
    Mutant("accuracy_from_cm", "right / wrong instead of right / all", acc_over_off_diagonal),
    Mutant("class_counts", "fp and fn swapped", counts_swapped, says="swapped"),
    Mutant("class_counts", "tn counts tp too", counts_tn_forgets_tp, says="tn"),
    Mutant("class_counts", "fp and fn keep the diagonal", counts_fp_with_tp, says="fp"),
    Mutant(
        "class_counts",
        "returns a dict",
        lambda cm, c: dict(zip("tp fp fn tn".split(), class_counts(cm, c), strict=True)),
        says="tuple of 4 ints",
    ),
    Mutant("most_confused", "lists the diagonal", pairs_with_diagonal, says="diagonal"),
    Mutant(
        "most_confused",
        "(predicted, true) swapped",
        lambda cm, k: [(j, i, n) for i, j, n in most_confused(cm, k)],
        says="swapped",
    ),
    Mutant("most_confused", "keeps zero cells", pairs_keep_zeros, says="count of 0"),
    Mutant("most_confused", "ties in reverse order", pairs_ties_reversed),
    Mutant(
        "most_confused",
        "lists instead of tuples",
        lambda cm, k: [list(t) for t in most_confused(cm, k)],
        says="tuple",
    ),
    Mutant(
        "most_confused", "no check of k", pairs_no_k_check, says="instead of raising ValueError"
    ),
    Mutant(
        "misclassified",
        "boolean mask",
        lambda t, p: np.asarray(t) != np.asarray(p),
        says="boolean mask",
    ),
    Mutant(
        "misclassified",
        "returns a list",
        lambda t, p: misclassified(t, p).tolist(),
        says="NumPy array",
    ),
    Mutant(
        "misclassified",
        "indices of the correct ones",
        lambda t, p: np.flatnonzero(np.asarray(t) == np.asarray(p)),
        says="CORRECT",
    ),
    Mutant(
        "misclassified",
        "no length check",
        wrong_no_length_check,
        says="instead of raising ValueError",
    ),
]
