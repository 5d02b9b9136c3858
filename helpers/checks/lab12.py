"""Checks of lab 12 (evaluating classifiers): confusion matrix and per-class metrics in NumPy."""

from __future__ import annotations

import warnings

import numpy as np

from . import call, expect_array, expect_close, expect_int, expect_raises, fail, passed

__all__ = [
    "check_confusion_matrix_np", "check_precision_recall_from_cm", "check_f1",
    "check_accuracy_from_cm", "check_class_counts", "check_most_confused", "check_misclassified",
]  # fmt: skip

SEED_CM = np.array([
    [977, 0, 0, 0, 0, 0, 1, 1, 1, 0],
    [0, 1130, 3, 1, 0, 0, 1, 0, 0, 0],
    [1, 0, 1029, 0, 1, 0, 0, 1, 0, 0],
    [0, 0, 4, 1003, 0, 1, 0, 1, 1, 0],
    [0, 0, 0, 0, 976, 0, 0, 0, 2, 4],
    [3, 0, 0, 5, 0, 881, 3, 0, 0, 0],
    [6, 2, 0, 0, 1, 1, 948, 0, 0, 0],
    [1, 2, 11, 2, 0, 0, 0, 1010, 1, 1],
    [4, 0, 3, 0, 0, 0, 0, 2, 963, 2],
    [1, 2, 0, 1, 5, 3, 0, 2, 5, 990],
])  # fmt: skip

# class 1 never occurs (empty row), class 3 is never predicted (empty column)
GAPPY_CM = np.array([[4, 0, 1, 0], [0, 0, 0, 0], [2, 1, 5, 0], [1, 0, 3, 0]])

ORIENTATION = "rows are TRUE classes and columns PREDICTED classes: cm[true, pred] += 1."


def _ref_cm(t, p, n):
    cm = np.zeros((n, n), dtype=np.int64)
    for a, b in zip(t, p, strict=True):
        cm[a, b] += 1
    return cm


def _ref_pr(cm):
    cm = np.asarray(cm, dtype=np.float64)
    tp, col, row = np.diag(cm), cm.sum(axis=0), cm.sum(axis=1)
    prec = np.array([t / c if c else 0.0 for t, c in zip(tp, col, strict=True)])
    rec = np.array([t / r if r else 0.0 for t, r in zip(tp, row, strict=True)])
    return prec, rec


def _no_warnings(fn, *args, exercise, what, hint):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = call(fn, *args, exercise=exercise)
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    if runtime:
        fail(f"{what}: NumPy warned '{runtime[0].message}'. An undefined fraction must give 0.0 "
             "without dividing by zero.", hint)  # fmt: skip
    return got


def check_confusion_matrix_np(fn) -> str:
    """Exercise 1: ``confusion_matrix_np(y_true, y_pred, n)``."""
    ex = "confusion_matrix_np"
    hint = ORIENTATION + " Use np.zeros((n, n), dtype=int) so absent classes keep their row."
    rng = np.random.default_rng(12)
    t_rand = rng.integers(0, 4, size=200)  # class 4 never occurs
    p_rand = np.where(rng.random(200) < 0.7, t_rand, rng.integers(0, 5, size=200))
    cases = [
        ([0, 1, 1, 2], [0, 2, 1, 2], 3),
        (np.array([2, 2, 0, 1, 2]), np.array([0, 0, 0, 1, 2]), 3),  # not symmetric
        (np.array([0, 0, 1]), np.array([0, 0, 1]), 4),  # classes 2 and 3 absent
        (t_rand, p_rand, 5),
    ]
    for t, p, n in cases:
        what = f"{ex}(y_true={list(t)[:6]}{'...' if len(t) > 6 else ''}, y_pred=..., n={n})"
        expected = _ref_cm(t, p, n)
        got = call(fn, t, p, n, exercise=ex)
        if (type(got) is np.ndarray and got.shape == expected.shape
                and not np.array_equal(expected, expected.T)
                and np.array_equal(got, expected.T)):  # fmt: skip
            fail(f"{what}: your matrix is transposed.", hint)
        expect_array(got, expected, what=what, dtype_kind="iu", hint=hint)
    for bad in [([0, 1, 2], [0, 1], 3), ([0, 3], [0, 1], 3), ([0, 1], [0, -1], 3)]:
        expect_raises(
            fn, *bad, exercise=ex,
            hint="check that both arrays have the same length and every label is in 0..n-1.",
        )  # fmt: skip
    return passed(ex)


def _expect_pair(got, what, hint):
    if type(got) not in (tuple, list) or len(got) != 2:
        fail(f"{what}: expected two arrays (precision, recall), got {type(got).__name__}.", hint)
    return got


def check_precision_recall_from_cm(fn) -> str:
    """Exercise 2: ``precision_recall_from_cm(cm)`` → ``(precision, recall)``."""
    ex = "precision_recall_from_cm"
    hint = ("precision[c] = cm[c, c] / cm[:, c].sum() (column: what was PREDICTED c); "
            "recall[c] = cm[c, c] / cm[c, :].sum() (row: what really IS c).")  # fmt: skip
    for cm, name in [(SEED_CM, "the seed's matrix"), (GAPPY_CM, "a 4×4 matrix"),
                     (GAPPY_CM.astype(np.float64), "a float matrix")]:  # fmt: skip
        what = f"{ex}({name})"
        got = _expect_pair(
            _no_warnings(fn, cm.copy(), exercise=ex, what=what, hint=hint), what, hint
        )
        prec, rec = _ref_pr(cm)
        if (all(type(g) is np.ndarray and g.shape == prec.shape for g in got)
                and np.allclose(got[0], rec) and np.allclose(got[1], prec)):  # fmt: skip
            fail(f"{what}: precision and recall are swapped.", hint)
        if cm is SEED_CM and type(got[1]) is np.ndarray and got[1].shape == (10,):
            if not abs(float(got[1][7]) - 1010 / 1028) < 1e-12:
                fail(f"{what}: recall of 7 should be 1010/1028 = 0.98249, got {got[1][7]!r}.",
                     hint)  # fmt: skip
        expect_array(got[0], prec, what=f"{what}: precision", atol=1e-12, dtype_kind="f",
                     hint=hint + " Use 0.0 where nothing was predicted.")  # fmt: skip
        expect_array(got[1], rec, what=f"{what}: recall", atol=1e-12, dtype_kind="f",
                     hint=hint + " Use 0.0 for a class with no samples.")  # fmt: skip
    return passed(ex)


def check_f1(fn) -> str:
    """Exercise 3: ``f1(p, r)``, element-wise harmonic mean, 0 where p + r == 0."""
    ex = "f1"
    hint = "2 * p * r / (p + r), with 0.0 where p + r == 0 (divide only where the sum is > 0)."
    cases = [
        (np.array([0.5, 1.0, 0.0, 2 / 3]), np.array([0.5, 0.01, 0.0, 0.4])),
        (np.array([[0.9, 0.0], [0.25, 1.0]]), np.array([[0.6, 0.3], [0.0, 1.0]])),
        (np.array([0.0, 0.0]), np.array([0.0, 0.0])),
    ]
    for p, r in cases:
        what = f"f1(p={p.tolist()}, r={r.tolist()})"
        den = p + r
        expected = np.where(den > 0, 2 * p * r / np.where(den > 0, den, 1.0), 0.0)
        got = _no_warnings(fn, p.copy(), r.copy(), exercise=ex, what=what, hint=hint)
        if (
            type(got) is np.ndarray
            and got.shape == p.shape
            and np.allclose(got, (p + r) / 2)
            and not np.allclose(expected, (p + r) / 2)
        ):
            fail(f"{what}: this is the arithmetic mean (p + r) / 2; F1 is the harmonic mean.",
                 hint)  # fmt: skip
        expect_array(got, expected, what=what, atol=1e-12, dtype_kind="f", hint=hint)
    return passed(ex)


def check_accuracy_from_cm(fn) -> str:
    """Exercise 4: ``accuracy_from_cm(cm)``."""
    ex = "accuracy_from_cm"
    hint = "the diagonal holds the correct answers: np.trace(cm) / cm.sum()."
    for cm, name, expected in [
        (SEED_CM, "the seed's matrix", 9907 / 10000),
        (GAPPY_CM, "a 4×4 matrix", 9 / 17),
        (np.array([[90, 10], [5, 0]]), "[[90, 10], [5, 0]]", 90 / 105),
    ]:
        expect_close(call(fn, cm, exercise=ex), expected, what=f"{ex}({name})", rel=1e-12,
                     hint=hint)  # fmt: skip
    expect_raises(
        fn,
        np.zeros((3, 3), dtype=np.int64),
        exercise=ex,
        hint="a matrix that counts no samples has no accuracy: raise ValueError.",
    )
    return passed(ex)


def _expect_int_tuple(got, n, what, hint):
    if type(got) not in (tuple, list) or len(got) != n:
        fail(f"{what}: expected a tuple of {n} ints, got {type(got).__name__} {got!r}.", hint)
    return got


def check_class_counts(fn) -> str:
    """Exercise 5: ``class_counts(cm, c)`` → ``(tp, fp, fn, tn)``."""
    ex = "class_counts"
    hint = ("tp = cm[c, c]; fp = column c minus tp (others predicted c); fn = row c minus tp "
            "(c predicted as others); tn = total - tp - fp - fn.")  # fmt: skip
    cases = [(SEED_CM, 7, (1010, 7, 18, 8965)), (SEED_CM, 2, (1029, 21, 3, 8947))]
    for c in range(4):
        m = GAPPY_CM
        tp = int(m[c, c])
        fp, fn_ = int(m[:, c].sum()) - tp, int(m[c].sum()) - tp
        cases.append((m, c, (tp, fp, fn_, int(m.sum()) - tp - fp - fn_)))
    for cm, c, expected in cases:
        name = "the seed's matrix" if cm is SEED_CM else "a 4×4 matrix"
        what = f"{ex}({name}, {c})"
        got = _expect_int_tuple(call(fn, cm, c, exercise=ex), 4, what, hint)
        if expected[1] != expected[2] and list(got) == [expected[0], expected[2], expected[1],
                                                       expected[3]]:  # fmt: skip
            fail(f"{what}: fp and fn are swapped; expected (tp, fp, fn, tn) = {expected}.", hint)
        for label, g, e in zip(("tp", "fp", "fn", "tn"), got, expected, strict=True):
            expect_int(g, e, what=f"{what}: {label}", hint=hint)
    return passed(ex)


def _ref_pairs(cm, k):
    cells = [(int(cm[i, j]), i, j) for i in range(len(cm)) for j in range(len(cm))
             if i != j and cm[i, j] > 0]  # fmt: skip
    cells.sort(key=lambda t: (-t[0], t[1], t[2]))
    return [(i, j, n) for n, i, j in cells[:k]]


def check_most_confused(fn) -> str:
    """Exercise 6: ``most_confused(cm, k)`` → ``[(true, predicted, count), ...]``."""
    ex = "most_confused"
    hint = ("keep cells with i != j and count > 0; sort by count (largest first), then true "
            "class, then predicted class; return [(true, predicted, count), ...][:k].")  # fmt: skip
    cases = [(SEED_CM, 2), (SEED_CM, 5), (SEED_CM, 1), (GAPPY_CM, 10), (np.diag([3, 4, 5]), 3)]
    for cm, k in cases:
        name = {id(SEED_CM): "the seed's matrix", id(GAPPY_CM): "a 4×4 matrix"}.get(
            id(cm), "a diagonal matrix"
        )
        what = f"{ex}({name}, {k})"
        expected = _ref_pairs(cm, k)
        got = call(fn, cm, k, exercise=ex)
        if type(got) is not list:
            fail(f"{what}: expected a list of (true, predicted, count) tuples, "
                 f"got {type(got).__name__}.", hint)  # fmt: skip
        if len(got) != len(expected):
            fail(f"{what}: expected {len(expected)} pairs {expected}, got {len(got)}.",
                 hint + " Skip the diagonal and the zero cells.")  # fmt: skip
        for pos, (g, e) in enumerate(zip(got, expected, strict=True)):
            if type(g) is not tuple or len(g) != 3:
                fail(f"{what}: item {pos} should be a tuple (true, predicted, count), "
                     f"got {type(g).__name__} {g!r}.", hint)  # fmt: skip
            if len(e) == 3 and (g[1], g[0], g[2]) == e and g != e:
                fail(f"{what}: item {pos} is {g}; expected {e} — (true, predicted) "
                     "are swapped.", ORIENTATION)  # fmt: skip
            for label, gv, ev in zip(("true", "predicted", "count"), g, e, strict=True):
                expect_int(gv, ev, what=f"{what}: item {pos} ({label}); expected {expected}",
                           hint=hint)  # fmt: skip
    for bad in (0, -2, 1.5):
        expect_raises(fn, SEED_CM, bad, exercise=ex, hint="k must be a positive integer.")
    return passed(ex)


def check_misclassified(fn) -> str:
    """Exercise 7: ``misclassified(y_true, y_pred)`` → increasing int indices."""
    ex = "misclassified"
    hint = "np.flatnonzero(y_true != y_pred) gives the positions where they differ."
    rng = np.random.default_rng(7)
    t = rng.integers(0, 10, size=300)
    p = np.where(rng.random(300) < 0.9, t, rng.integers(0, 10, size=300))
    cases = [
        (np.array([7, 7, 2, 7, 1]), np.array([7, 2, 2, 1, 1])),
        (np.array([3, 3, 3]), np.array([3, 3, 3])),  # nothing wrong: empty
        (t, p),
    ]
    for yt, yp in cases:
        what = f"{ex}(y_true of {len(yt)}, y_pred of {len(yp)})"
        expected = np.array([i for i in range(len(yt)) if yt[i] != yp[i]], dtype=np.int64)
        got = call(fn, yt.copy(), yp.copy(), exercise=ex)
        if type(got) is np.ndarray and got.dtype == bool:
            fail(f"{what}: you returned a boolean mask; return the indices.", hint)
        expect_array(got, expected, what=what, dtype_kind="iu", hint=hint)
    expect_raises(
        fn,
        np.array([1, 2, 3]),
        np.array([1, 2]),
        exercise=ex,
        hint="raise ValueError when y_true and y_pred have different lengths.",
    )
    return passed(ex)
