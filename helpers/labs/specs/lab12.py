"""Lab 12 (evaluating classifiers): confusion matrix and per-class metrics in NumPy.

Hidden cases are drawn per submission: random label arrays and class counts, random confusion
matrices (with absent and never-predicted classes, and many ties), random k; the invalid inputs
(labels below 0 or from n on, in either array; lengths that differ; an empty matrix; k that is
not a positive integer) are always in.
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

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

ORIENTATION = "rows are TRUE classes and columns PREDICTED classes: cell [true, pred] counts."

# ----------------------------------------------------------------------------- references


_UNDEFINED = "An undefined fraction must be 0.0 without dividing by zero."


def confusion_matrix_np(y_true, y_pred, n):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError("the label arrays have different lengths")
    for y in (y_true, y_pred):
        if y.size and (y.min() < 0 or y.max() >= n):
            raise ValueError("labels must be in 0..n-1")
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def precision_recall_from_cm(cm):
    cm = np.asarray(cm, dtype=np.float64)
    tp = np.diag(cm)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    precision, recall = np.zeros_like(tp), np.zeros_like(tp)
    np.divide(tp, predicted, out=precision, where=predicted > 0)
    np.divide(tp, actual, out=recall, where=actual > 0)
    return precision, recall


def f1(p, r):
    p, r = np.asarray(p, dtype=np.float64), np.asarray(r, dtype=np.float64)
    den = p + r
    out = np.zeros(np.broadcast(p, r).shape)
    np.divide(2 * p * r, den, out=out, where=den > 0)
    return out


def accuracy_from_cm(cm):
    cm = np.asarray(cm)
    total = cm.sum()
    if total == 0:
        raise ValueError("the confusion matrix counts no samples")
    return float(np.trace(cm) / total)


def class_counts(cm, c):
    cm = np.asarray(cm)
    tp = int(cm[c, c])
    fp = int(cm[:, c].sum()) - tp
    fn = int(cm[c, :].sum()) - tp
    return tp, fp, fn, int(cm.sum()) - tp - fp - fn


def most_confused(cm, k):
    if not isinstance(k, int) or isinstance(k, bool) or k <= 0:
        raise ValueError("k must be a positive integer")
    cm = np.asarray(cm)
    cells = [(int(cm[i, j]), i, j) for i in range(cm.shape[0]) for j in range(cm.shape[1])
             if i != j and cm[i, j] > 0]  # fmt: skip
    cells.sort(key=lambda cell: (-cell[0], cell[1], cell[2]))
    return [(i, j, count) for count, i, j in cells[:k]]


def misclassified(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError("the label arrays have different lengths")
    return np.flatnonzero(y_true != y_pred)


# ----------------------------------------------------------------------------- mistakes


def _transposed_cm(y_true, y_pred, n):
    return confusion_matrix_np(y_pred, y_true, n)


def _inferred_n(y_true, y_pred, n):
    return confusion_matrix_np(y_true, y_pred, int(max(np.max(y_true), np.max(y_pred))) + 1)


def _swapped_pr(cm):
    precision, recall = precision_recall_from_cm(cm)
    return recall, precision


def _arithmetic_mean(p, r):
    return (np.asarray(p, dtype=np.float64) + np.asarray(r, dtype=np.float64)) / 2


def _mean_recall(cm):
    return float(precision_recall_from_cm(cm)[1].mean())


def _swapped_counts(cm, c):
    tp, fp, fn, tn = class_counts(cm, c)
    return tp, fn, fp, tn


def _swapped_pairs(cm, k):
    return [(j, i, count) for i, j, count in most_confused(cm, k)]


def _with_diagonal(cm, k):
    cm = np.asarray(cm)
    cells = sorted(((int(cm[i, j]), i, j) for i in range(len(cm)) for j in range(len(cm))),
                   key=lambda t: (-t[0], t[1], t[2]))  # fmt: skip
    return [(i, j, count) for count, i, j in cells[:k]]


def _with_zero_cells(cm, k):
    cm = np.asarray(cm)
    cells = sorted(((int(cm[i, j]), i, j) for i in range(len(cm)) for j in range(len(cm))
                    if i != j), key=lambda t: (-t[0], t[1], t[2]))  # fmt: skip
    return [(i, j, count) for count, i, j in cells[:k]]


def _correct_ones(y_true, y_pred):
    return np.flatnonzero(np.asarray(y_true) == np.asarray(y_pred))


# ----------------------------------------------------------------------------- cases


def _labels(rng, size, n, as_list=False):
    """Random labels in 0..n-1 (some classes absent), an array of a random int dtype or a list."""
    present = max(1, n - int(rng.integers(0, 3)))
    y = rng.integers(0, present, size=size)
    if as_list:
        return [int(v) for v in y]
    return y.astype(str(rng.choice(["int64", "int32", "int16", "uint8"])))


def _noisy(rng, y_true, n, accuracy):
    y = np.asarray(y_true)
    wrong = rng.random(len(y)) > accuracy
    out = np.where(wrong, rng.integers(0, n, size=len(y)), y).astype(y.dtype)
    return [int(v) for v in out] if isinstance(y_true, list) else out


_CM_ERROR_HINT = "check that both arrays have the same length and every label is in 0..n-1."


def _cm_hidden(rng):
    cases = []
    for i in range(6):
        n = int(rng.integers(2, 9))
        size = int(rng.integers(5, 80))
        t = _labels(rng, size, n, as_list=i == 0)
        cases.append(Case((t, _noisy(rng, t, n, float(rng.uniform(0.3, 0.9))), n),
                          group="values"))  # fmt: skip
    n = int(rng.integers(4, 9))  # the last classes never occur: their rows stay
    t = rng.integers(0, 2, size=int(rng.integers(3, 12)))
    cases.append(
        Case(
            (t, _noisy(rng, t, 2, 0.5), n),
            group="values",
            hint="a class that never occurs still has its row and column (of zeros).",
        )
    )
    cases.append(
        Case((np.array([1, 0, 0]), np.array([0, 0, 1]), 2), group="values", hint=ORIENTATION)
    )
    # Invalid inputs: every label must be in 0..n-1, in either array; lengths must match.
    n = int(rng.integers(3, 8))
    size = int(rng.integers(4, 20))

    def bad(which, value):
        t, p = _labels(rng, size, n), _labels(rng, size, n)
        arr = t if which == "true" else p
        arr = arr.astype(np.int64)
        arr[int(rng.integers(0, size))] = value
        return (arr, p, n) if which == "true" else (t, arr, n)

    for which in ("true", "pred"):
        for value in (-1, -int(rng.integers(2, 5)), n, n + int(rng.integers(1, 5))):
            cases.append(Case(bad(which, value), group="errors", hint=_CM_ERROR_HINT))
    t = _labels(rng, size, n)
    cases.append(Case((t, _labels(rng, size + int(rng.integers(1, 4)), n), n), group="errors",
                      hint=_CM_ERROR_HINT))  # fmt: skip
    cases.append(Case((_labels(rng, size + 1, n, as_list=True), _labels(rng, size, n, as_list=True),
                       n), group="errors", hint=_CM_ERROR_HINT))  # fmt: skip
    return cases


def _random_cm(rng, c, gaps=True):
    """A diagonal-heavy confusion matrix; sometimes a class never occurs or is never predicted."""
    cm = rng.integers(0, 4, size=(c, c)) * (rng.random((c, c)) < 0.5)
    cm[np.arange(c), np.arange(c)] = rng.integers(3, 60, size=c)
    if gaps and c > 2:
        cm[int(rng.integers(0, c)), :] = 0
        cm[:, int(rng.integers(0, c))] = 0
    return cm


def _pr_hidden(rng):
    cases = []
    for dtype in ("int64", "int32", "float64", "float32", "int64"):
        c = int(rng.integers(2, 11))
        cases.append(Case((_random_cm(rng, c).astype(dtype),)))
    cases.append(Case((np.diag(rng.integers(1, 9, size=int(rng.integers(2, 6)))),)))
    cases.append(Case((np.array([[int(rng.integers(1, 50))]]),)))
    cases.append(
        Case(
            (np.zeros((3, 3), dtype=np.int64),),
            hint="a matrix of zeros: every fraction is undefined, so all are 0.0.",
        )
    )
    return cases


def _f1_hidden(rng):
    cases = []
    for shape in [(int(rng.integers(3, 12)),), (int(rng.integers(1, 4)), int(rng.integers(2, 5))),
                  (int(rng.integers(5, 15)),)]:  # fmt: skip
        p, r = rng.uniform(0, 1, size=shape), rng.uniform(0, 1, size=shape)
        zero = rng.random(shape) < 0.3
        p[zero], r[zero] = 0.0, 0.0  # p + r == 0 there
        p[rng.random(shape) < 0.15] = 0.0  # p = 0 alone: F1 = 0 without a division by 0
        r[rng.random(shape) < 0.1] = 1.0
        cases.append(Case((p, r)))
    k = int(rng.integers(1, 5))
    cases.append(
        Case(
            (np.zeros(k), np.zeros(k)),
            hint="where p + r == 0, F1 is 0.0: divide only where the sum is > 0.",
        )
    )
    cases.append(
        Case(
            (
                np.array([1.0, float(rng.uniform(0.001, 0.05))]),
                np.array([float(rng.uniform(0.001, 0.05)), 1.0]),
            ),
            hint="the harmonic mean is low as soon as one of the two is low.",
        )
    )
    return cases


_ACC_ERROR_HINT = "a matrix that counts no samples has no accuracy: raise ValueError."


def _acc_hidden(rng):
    cases = [Case((_random_cm(rng, int(rng.integers(2, 11))).astype(dtype),), group="values")
             for dtype in ("int64", "int32", "float64", "int64")]  # fmt: skip
    a, b = (int(v) for v in rng.integers(1, 20, size=2))
    cases += [Case((np.array([[0, a], [b, 0]]),), group="values"),
              Case((np.array([[int(rng.integers(1, 99))]]),), group="values"),
              Case((np.zeros((int(rng.integers(1, 6)),) * 2, dtype=np.int64),), group="errors",
                   hint=_ACC_ERROR_HINT)]  # fmt: skip
    return cases


_COUNTS_HINT = ("tp is the diagonal cell; fp: column c without tp (others predicted c); fn: row "
                "c without tp (c predicted as others); tn: all the rest.")  # fmt: skip


def _counts_hidden(rng):
    cases = []
    for _ in range(3):
        c = int(rng.integers(3, 11))
        cm = _random_cm(rng, c)
        for cls in sorted({int(v) for v in rng.integers(0, c, size=3)}):
            cases.append(Case((cm, cls)))
    cm = rng.integers(0, 30, size=(2, 2))
    cases += [Case((cm, 0)), Case((cm, 1))]
    return cases


_PAIRS_HINT = ("keep the cells off the diagonal with a count > 0; sort by count (largest first), "
               "then true class, then predicted class; return [(true, predicted, count), ...], "
               "at most k of them.")  # fmt: skip
_K_HINT = "k must be a positive integer: raise ValueError otherwise."


def _pairs_hidden(rng):
    cases = []
    for _ in range(4):
        c = int(rng.integers(3, 9))
        cm = _random_cm(rng, c, gaps=bool(rng.random() < 0.5))
        cases.append(Case((cm, int(rng.integers(1, 2 * c))), group="values"))
    ties = np.diag(rng.integers(5, 20, size=4))
    ties[3, 0] = ties[0, 3] = ties[2, 1] = ties[1, 2] = int(rng.integers(1, 4))  # four ties
    cases.append(
        Case(
            (ties, int(rng.integers(2, 5))),
            group="values",
            hint="equal counts: order by true class, then predicted class.",
        )
    )
    cases.append(
        Case(
            (np.diag(rng.integers(1, 9, size=3)), 2),
            group="values",
            hint="a diagonal matrix makes no mistakes: the list is empty.",
        )
    )
    cases.append(
        Case(
            (_random_cm(rng, 4), 50),
            group="values",
            hint="never list cells with a count of 0, even when k asks for more.",
        )
    )
    cm = _random_cm(rng, 5)
    for k in (0, -int(rng.integers(1, 5)), float(rng.integers(1, 4)) + 0.5):
        cases.append(Case((cm, k), group="errors", hint=_K_HINT))
    return cases


_WRONG_ERROR_HINT = "raise ValueError when y_true and y_pred have different lengths."


def _wrong_hidden(rng):
    cases = []
    for _ in range(4):
        n = int(rng.integers(2, 11))
        t = _labels(rng, int(rng.integers(1, 120)), n)
        cases.append(Case((t, _noisy(rng, t, n, float(rng.uniform(0.5, 0.95)))), group="values"))
    t = _labels(rng, int(rng.integers(3, 30)), 10)
    cases.append(
        Case((t, t.copy()), group="values", hint="nothing is wrong: return an empty integer array.")
    )
    size = int(rng.integers(3, 30))
    cases.append(Case((_labels(rng, size, 10), _labels(rng, size - int(rng.integers(1, 3)), 10)),
                      group="errors", hint=_WRONG_ERROR_HINT))  # fmt: skip
    return cases


# ----------------------------------------------------------------------------- public inputs

_RNG = np.random.default_rng(12)
_T_RAND = _RNG.integers(0, 4, size=200)  # class 4 never occurs
_P_RAND = np.where(_RNG.random(200) < 0.7, _T_RAND, _RNG.integers(0, 5, size=200))
_RNG = np.random.default_rng(7)
_T_WRONG = _RNG.integers(0, 10, size=300)
_P_WRONG = np.where(_RNG.random(300) < 0.9, _T_WRONG, _RNG.integers(0, 10, size=300))

EXERCISES = [
    Exercise(
        "confusion_matrix_np",
        points=2,
        reference=confusion_matrix_np,
        judge=judge.Array(atol=0.0, kinds="iu"),
        public=[
            Case(([0, 1, 1, 2], [0, 2, 1, 2], 3)),
            Case((np.array([2, 2, 0, 1, 2]), np.array([0, 0, 0, 1, 2]), 3)),
            Case(
                (np.array([0, 0, 1]), np.array([0, 0, 1]), 4),
                hint="a class that never occurs still has its row and column (of zeros).",
            ),
            Case((_T_RAND, _P_RAND, 5)),
        ]
        + [
            Case(bad, hint=_CM_ERROR_HINT)
            for bad in [
                ([0, 1, 2], [0, 1], 3),
                ([0, 3], [0, 1], 3),
                ([0, 1], [0, -1], 3),
                ([2, -1], [2, 0], 3),
                ([1, 0], [3, 0], 3),
            ]
        ],
        hidden=_cm_hidden,
        groups={"values": 1, "errors": 1},
        mistakes=[
            Mistake(_transposed_cm, "your matrix is transposed.", ORIENTATION),
            Mistake(
                _inferred_n,
                "you sized the matrix from the labels instead of n.",
                "a class that never occurs still has its row and column: the shape is (n, n).",
            ),
        ],
        hint=ORIENTATION + " Start from an (n, n) integer array of zeros, so that absent "
        "classes keep their row.",
    ),  # fmt: skip
    Exercise(
        "precision_recall_from_cm",
        points=2,
        reference=precision_recall_from_cm,
        judge=judge.Custom("lab12.precision_recall", params={"atol": 1e-6}),
        public=[
            Case(
                (SEED_CM,),
                label="precision_recall_from_cm(the seed's matrix)",
                hint="recall of 7 is 1010/1028 = 0.98249 (row 7: what really IS a 7); "
                "precision of 7 is 1010/1017 (column 7: what was PREDICTED 7).",
            ),
            Case((GAPPY_CM,), label="precision_recall_from_cm(a 4×4 matrix)"),
            Case((GAPPY_CM.astype(np.float64),), label="precision_recall_from_cm(a float matrix)"),
        ],
        hidden=_pr_hidden,
        mistakes=[
            Mistake(
                _swapped_pr,
                "precision and recall are swapped.",
                "precision divides by a COLUMN sum (what was predicted c), recall by "
                "a ROW sum (what really is c).",
            )
        ],
        hint="precision of c: the diagonal cell against column c (what was PREDICTED c); "
        "recall: against row c (what really IS c); 0.0 where the total is 0.",
        no_warnings=_UNDEFINED,
    ),  # fmt: skip
    Exercise(
        "f1",
        points=2,
        reference=f1,
        judge=judge.Array(atol=1e-12, kinds="f"),
        public=[
            Case((np.array([0.5, 1.0, 0.0, 2 / 3]), np.array([0.5, 0.01, 0.0, 0.4]))),
            Case((np.array([[0.9, 0.0], [0.25, 1.0]]), np.array([[0.6, 0.3], [0.0, 1.0]]))),
            Case((np.array([0.0, 0.0]), np.array([0.0, 0.0]))),
        ],
        hidden=_f1_hidden,
        mistakes=[
            Mistake(
                _arithmetic_mean,
                "this is the arithmetic mean (p + r) / 2; F1 is the harmonic mean.",
                "F1 is the harmonic mean of precision and recall.",
            )
        ],
        hint="the harmonic mean of p and r, 0.0 where both are 0 (never divide by 0).",
        no_warnings=_UNDEFINED,
    ),  # fmt: skip
    Exercise(
        "accuracy_from_cm",
        points=2,
        reference=accuracy_from_cm,
        judge=judge.Float(rel=1e-12),
        public=[
            Case((SEED_CM,), label="accuracy_from_cm(the seed's matrix)"),
            Case((GAPPY_CM,), label="accuracy_from_cm(a 4×4 matrix)"),
            Case((np.array([[90, 10], [5, 0]]),)),
            Case((np.zeros((3, 3), dtype=np.int64),), hint=_ACC_ERROR_HINT),
        ],
        hidden=_acc_hidden,
        groups={"values": 1, "errors": 1},
        mistakes=[
            Mistake(
                _mean_recall,
                "this is the mean of the recalls (balanced accuracy).",
                "accuracy counts samples: the diagonal's share of ALL samples.",
            )
        ],
        hint="the diagonal holds the correct answers: its sum divided by the sum of all cells.",
    ),  # fmt: skip
    Exercise(
        "class_counts",
        points=2,
        reference=class_counts,
        judge=judge.Custom("lab12.counts"),
        public=[
            Case((SEED_CM, 7), label="class_counts(the seed's matrix, 7)"),
            Case((SEED_CM, 2), label="class_counts(the seed's matrix, 2)"),
        ]
        + [Case((GAPPY_CM, c), label=f"class_counts(a 4×4 matrix, {c})") for c in range(4)],
        hidden=_counts_hidden,
        mistakes=[
            Mistake(
                _swapped_counts,
                "fp and fn are swapped.",
                "fp: others predicted c (column c); fn: c predicted as others (row c).",
            )
        ],
        hint=_COUNTS_HINT,
    ),  # fmt: skip
    Exercise(
        "most_confused",
        points=2,
        reference=most_confused,
        judge=judge.Custom("lab12.pairs"),
        public=[
            Case((SEED_CM, 2), label="most_confused(the seed's matrix, 2)"),
            Case((SEED_CM, 5), label="most_confused(the seed's matrix, 5)"),
            Case((SEED_CM, 1), label="most_confused(the seed's matrix, 1)"),
            Case((GAPPY_CM, 10), label="most_confused(a 4×4 matrix, 10)"),
            Case((np.diag([3, 4, 5]), 3), label="most_confused(a diagonal matrix, 3)"),
        ]
        + [
            Case((SEED_CM, k), label=f"most_confused(the seed's matrix, {k})", hint=_K_HINT)
            for k in (0, -2, 1.5)
        ],
        hidden=_pairs_hidden,
        groups={"values": 1, "errors": 1},
        mistakes=[
            Mistake(_swapped_pairs, "(true, predicted) are swapped.", ORIENTATION),
            Mistake(
                _with_diagonal,
                "you listed diagonal cells: those are the correct answers, not confusions.",
                "keep only the cells with i != j.",
            ),
            Mistake(
                _with_zero_cells,
                "you listed cells with a count of 0: they are not mistakes.",
                "keep only the cells with a count > 0 (the list can be shorter than k).",
            ),
        ],
        hint=_PAIRS_HINT,
    ),  # fmt: skip
    Exercise(
        "misclassified",
        points=2,
        reference=misclassified,
        judge=judge.Custom("lab12.indices"),
        public=[
            Case((np.array([7, 7, 2, 7, 1]), np.array([7, 2, 2, 1, 1]))),
            Case((np.array([3, 3, 3]), np.array([3, 3, 3]))),
            Case((_T_WRONG, _P_WRONG)),
            Case((np.array([1, 2, 3]), np.array([1, 2])), hint=_WRONG_ERROR_HINT),
        ],
        hidden=_wrong_hidden,
        groups={"values": 1, "errors": 1},
        mistakes=[
            Mistake(
                _correct_ones,
                "you returned the indices of the CORRECT predictions.",
                "keep the positions where the prediction differs from the truth.",
            )
        ],
        hint="the positions where y_true and y_pred differ, as integer indices in increasing "
        "order (np.flatnonzero turns a boolean mask into them).",
    ),  # fmt: skip
]
