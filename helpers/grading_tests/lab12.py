"""Hidden tests of lab 12 (evaluating classifiers): 2 points per exercise.

Self-contained (see ``helpers/grading_tests/__init__.py``): exact type checks, then plain
Python arithmetic on ``.tolist()`` copies, on inputs the public checks do not use.
"""

import importlib.util as _ilu
from pathlib import Path as _Path

_spec = _ilu.spec_from_file_location("_hidden_common", _Path(__file__).with_name("_common.py"))
_common = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(_common)  # by path, never through `helpers`: see _common.py
Failed = _common.Failed
_np = _common.np
_as_int = _common.as_int
_as_float = _common.as_float
_call = _common.call
_expect_value_error = _common.expect_value_error

# A 5-class matrix: class 3 never occurs (empty row), class 4 is never predicted (empty column).
_CM = [
    [20, 3, 0, 1, 0],
    [2, 15, 4, 0, 0],
    [0, 6, 30, 2, 0],
    [0, 0, 0, 0, 0],
    [1, 0, 2, 3, 0],
]


def _close(a, b, tol):
    d = a - b
    d = -d if d < 0 else d
    s = -b if b < 0 else b
    return d <= tol * (1 + s)  # False for NaN


def _flat(values):
    if isinstance(values, list):
        out = []
        for v in values:
            out.extend(_flat(v))
        return out
    return [values]


def _expect_array(got, expected_nested, shape, kinds, what, tol=1e-12):
    np = _np()
    if type(got) is not np.ndarray:
        raise Failed(f"{what}: expected a numpy.ndarray, got {type(got).__name__}")
    if tuple(got.shape) != tuple(shape):
        raise Failed(f"{what}: expected shape {tuple(shape)}, got {tuple(got.shape)}")
    if got.dtype.kind not in kinds:
        raise Failed(f"{what}: wrong dtype {got.dtype}")
    values, wanted = _flat(got.tolist()), _flat(expected_nested)
    if len(values) != len(wanted):
        raise Failed(f"{what}: wrong number of values")
    for v, e in zip(values, wanted, strict=True):
        if type(v) not in (int, float) or not _close(float(v), float(e), tol):
            raise Failed(f"{what}: expected {expected_nested}, got {got.tolist()}")


def _col(cm, j):
    return sum(row[j] for row in cm)


def test_confusion_matrix_np(fn):
    np = _np()
    t = [(3 * i + 1) % 6 for i in range(40)]  # classes 0..5, never 6
    p = [v if i % 4 else (v + 2) % 6 for i, v in enumerate(t)]
    for n in (6, 7):
        expected = [[0] * n for _ in range(n)]
        for a, b in zip(t, p, strict=True):
            expected[a][b] += 1
        what = f"confusion_matrix_np(40 labels, n={n})"
        got = _call(fn, np.array(t), np.array(p), n, what=what)
        _expect_array(got, expected, (n, n), "iu", what, tol=0)
    what = "confusion_matrix_np([1, 0, 0], [0, 0, 1], 2)"
    _expect_array(_call(fn, [1, 0, 0], [0, 0, 1], 2, what=what), [[1, 1], [1, 0]], (2, 2), "iu",
                  what, tol=0)  # fmt: skip
    _expect_value_error(fn, np.array([0, 1]), np.array([0, 1, 1]), 2,
                        what="confusion_matrix_np(lengths 2 and 3)")  # fmt: skip
    _expect_value_error(fn, np.array([0, 5]), np.array([0, 1]), 5,
                        what="confusion_matrix_np(label 5 with n=5)")  # fmt: skip


def test_precision_recall_from_cm(fn):
    np = _np()
    k = len(_CM)
    prec = [_CM[c][c] / _col(_CM, c) if _col(_CM, c) else 0.0 for c in range(k)]
    rec = [_CM[c][c] / sum(_CM[c]) if sum(_CM[c]) else 0.0 for c in range(k)]
    for arr in (np.array(_CM, dtype=np.int64), np.array(_CM, dtype=np.float32)):
        what = f"precision_recall_from_cm(5×5 {arr.dtype} matrix)"
        got = _call(fn, arr, what=what)
        if type(got) not in (tuple, list) or len(got) != 2:
            raise Failed(f"{what}: expected (precision, recall), got {type(got).__name__}")
        _expect_array(got[0], prec, (k,), "f", what + ": precision", tol=1e-6)
        _expect_array(got[1], rec, (k,), "f", what + ": recall", tol=1e-6)


def test_f1(fn):
    np = _np()
    p = [0.8, 0.0, 1.0, 0.3, 0.0, 0.55]
    r = [0.2, 0.7, 1.0, 0.3, 0.0, 0.95]
    expected = [2 * a * b / (a + b) if a + b > 0 else 0.0 for a, b in zip(p, r, strict=True)]
    what = f"f1({p}, {r})"
    _expect_array(_call(fn, np.array(p), np.array(r), what=what), expected, (6,), "f", what)
    p2 = [[0.0, 0.5, 0.9]]
    r2 = [[0.0, 0.25, 0.9]]
    exp2 = [[2 * a * b / (a + b) if a + b > 0 else 0.0 for a, b in zip(p2[0], r2[0], strict=True)]]
    what = "f1(1×3 arrays)"
    _expect_array(_call(fn, np.array(p2), np.array(r2), what=what), exp2, (1, 3), "f", what)


def test_accuracy_from_cm(fn):
    np = _np()
    total = sum(sum(row) for row in _CM)
    diag = sum(_CM[i][i] for i in range(len(_CM)))
    for cm, expected in ((_CM, diag / total), ([[0, 4], [6, 0]], 0.0), ([[7]], 1.0)):
        what = f"accuracy_from_cm({cm})"
        got = _as_float(_call(fn, np.array(cm), what=what), what)
        if not _close(got, expected, 1e-12):
            raise Failed(f"{what}: expected {expected!r}, got {got!r}")
    _expect_value_error(fn, np.zeros((2, 2), dtype=np.int64), what="accuracy_from_cm(zeros)")


def test_class_counts(fn):
    np = _np()
    arr = np.array(_CM)
    total = sum(sum(row) for row in _CM)
    for c in range(len(_CM)):
        tp = _CM[c][c]
        fp = _col(_CM, c) - tp
        fn_ = sum(_CM[c]) - tp
        expected = (tp, fp, fn_, total - tp - fp - fn_)
        what = f"class_counts(5×5 matrix, {c})"
        got = _call(fn, arr, c, what=what)
        if type(got) not in (tuple, list) or len(got) != 4:
            raise Failed(f"{what}: expected a tuple (tp, fp, fn, tn), got {type(got).__name__}")
        values = tuple(_as_int(v, what) for v in got)
        if values != expected:
            raise Failed(f"{what}: expected {expected}, got {values}")


def test_most_confused(fn):
    np = _np()
    cells = [(_CM[i][j], i, j) for i in range(5) for j in range(5) if i != j and _CM[i][j] > 0]
    cells.sort(key=lambda t: (-t[0], t[1], t[2]))
    for k in (1, 3, 4, 20):
        expected = [(i, j, n) for n, i, j in cells[:k]]
        what = f"most_confused(5×5 matrix, {k})"
        got = _call(fn, np.array(_CM), k, what=what)
        if type(got) is not list or len(got) != len(expected):
            raise Failed(f"{what}: expected {expected}, got {got!r}")
        for g, e in zip(got, expected, strict=True):
            if type(g) is not tuple or len(g) != 3:
                raise Failed(f"{what}: items must be (true, predicted, count) tuples")
            if tuple(_as_int(v, what) for v in g) != e:
                raise Failed(f"{what}: expected {expected}, got {got!r}")
    what = "most_confused(diagonal matrix, 2)"
    got = _call(fn, np.diag([1, 2, 3]), 2, what=what)
    if type(got) is not list or len(got) != 0:
        raise Failed(f"{what}: expected [], got {got!r}")
    _expect_value_error(fn, np.array(_CM), 0, what="most_confused(cm, 0)")


def test_misclassified(fn):
    np = _np()
    t = [(5 * i) % 7 for i in range(50)]
    p = [v if i % 3 else (v + 1) % 7 for i, v in enumerate(t)]
    expected = [i for i in range(50) if t[i] != p[i]]
    what = "misclassified(50 labels)"
    got = _call(fn, np.array(t), np.array(p), what=what)
    _expect_array(got, expected, (len(expected),), "iu", what, tol=0)
    what = "misclassified(all right)"
    _expect_array(_call(fn, np.array(t), np.array(t), what=what), [], (0,), "iu", what, tol=0)
    _expect_value_error(fn, np.array(t), np.array(p[:-1]), what="misclassified(lengths differ)")


QUESTIONS = [
    ("confusion_matrix_np", 2, test_confusion_matrix_np),
    ("precision_recall_from_cm", 2, test_precision_recall_from_cm),
    ("f1", 2, test_f1),
    ("accuracy_from_cm", 2, test_accuracy_from_cm),
    ("class_counts", 2, test_class_counts),
    ("most_confused", 2, test_most_confused),
    ("misclassified", 2, test_misclassified),
]
