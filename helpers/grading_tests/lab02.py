"""Hidden tests of lab 02 (back-propagation by hand, metrics, parameter counts).

Self-contained (see ``helpers/grading_tests/__init__.py``): exact type checks, then explicit
arithmetic on float64 copies, on networks and counts the public checks do not use.
Points: 2 per exercise, 3 for the two gradient exercises.
"""

import importlib.util as _ilu
from pathlib import Path as _Path

_spec = _ilu.spec_from_file_location("_hidden_common", _Path(__file__).with_name("_common.py"))
_common = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(_common)  # by path, never through `helpers`: see _common.py
Failed = _common.Failed
_NP_INTS = _common.NP_INTS
_np = _common.np
_exact_type_in = _common.exact_type_in
_as_float = _common.as_float
_call = _common.call
_expect_value_error = _common.expect_value_error


def _expect_close(got, expected, what, tol=1e-9):
    value = _as_float(got, what)
    diff = value - expected
    diff = -diff if diff < 0 else diff
    if not diff <= tol:  # `not <=` also rejects NaN
        raise Failed(f"{what}: expected {expected!r}, got {value!r}")


def _expect_array(got, expected, what, tol=1e-9):
    np = _np()
    expected = np.array(expected, dtype=np.float64)
    if type(got) is not np.ndarray:
        raise Failed(f"{what}: expected np.ndarray, got {type(got).__name__}")
    if got.shape != expected.shape:
        raise Failed(f"{what}: expected shape {expected.shape}, got {got.shape}")
    if got.dtype.kind != "f":
        raise Failed(f"{what}: expected a float array, got dtype {got.dtype}")
    ours = np.array(got, dtype=np.float64)
    for a, b in zip(ours.ravel().tolist(), expected.ravel().tolist(), strict=True):
        d = a - b
        d = -d if d < 0 else d
        if not d <= tol:  # NaN fails here too
            raise Failed(f"{what}: expected {expected.tolist()}, got {ours.tolist()}")


def _net(seed, n_in, n_hidden, n_out):
    np = _np()
    r = np.random.default_rng(seed)
    x = r.normal(size=n_in)
    t = r.uniform(0.0, 1.0, size=n_out)
    w1, b1 = r.normal(size=(n_hidden, n_in)), r.normal(size=n_hidden)
    w2, b2 = r.normal(size=(n_out, n_hidden)), r.normal(size=n_out)
    return x, t, w1, b1, w2, b2


def _reference(x, t, w1, b1, w2, b2):
    np = _np()
    h = 1.0 / (1.0 + np.exp(-(w1 @ x + b1)))
    o = 1.0 / (1.0 + np.exp(-(w2 @ h + b2)))
    d_o = (o - t) * o * (1.0 - o)
    d_h = (w2.T @ d_o) * h * (1.0 - h)
    return h, o, np.outer(d_o, h), np.outer(d_h, x)


_SHAPES = [(11, 2, 2, 2), (12, 4, 3, 2), (13, 1, 5, 3), (14, 3, 2, 1)]


def test_forward(fn):
    for seed, *sizes in _SHAPES:
        x, t, w1, b1, w2, b2 = _net(seed, *sizes)
        what = f"forward on a {'-'.join(map(str, sizes))} network"
        got = _call(fn, x.copy(), w1.copy(), b1.copy(), w2.copy(), b2.copy(), what=what)
        if type(got) is not tuple or len(got) != 2:
            raise Failed(f"{what}: expected a tuple (hidden, outputs)")
        h, o, _, _ = _reference(x, t, w1, b1, w2, b2)
        _expect_array(got[0], h, f"{what}: hidden")
        _expect_array(got[1], o, f"{what}: outputs")


def test_squared_error(fn):
    np = _np()
    cases = [
        ([0.0, 1.0], [0.5, 0.25], [0.125, 0.28125]),
        ([2.0, -1.0, 0.0, 3.0], [2.0, 1.0, -4.0, 2.5], [0.0, 2.0, 8.0, 0.125]),
        ([[0.1], [0.9]], [[0.3], [0.6]], [[0.02], [0.045]]),
    ]
    for t, o, expected in cases:
        what = f"squared_error({t}, {o})"
        got = _call(fn, np.array(t), np.array(o), what=what)
        _expect_array(got, expected, what, tol=1e-12)
    _expect_value_error(
        fn, np.zeros(4), np.zeros((2, 2)), what="squared_error with shapes (4,) and (2, 2)"
    )


def test_grad_output_weights(fn):
    for seed, *sizes in _SHAPES:
        x, t, w1, b1, w2, b2 = _net(seed + 10, *sizes)
        h, o, g2, _ = _reference(x, t, w1, b1, w2, b2)
        what = f"grad_output_weights on a {'-'.join(map(str, sizes))} network"
        _expect_array(_call(fn, h.copy(), o.copy(), t.copy(), what=what), g2, what)


def test_grad_hidden_weights(fn):
    for seed, *sizes in _SHAPES:
        x, t, w1, b1, w2, b2 = _net(seed + 20, *sizes)
        h, o, _, g1 = _reference(x, t, w1, b1, w2, b2)
        what = f"grad_hidden_weights on a {'-'.join(map(str, sizes))} network"
        _expect_array(
            _call(fn, x.copy(), h.copy(), o.copy(), t.copy(), w2.copy(), what=what), g1, what
        )


def test_sgd_update(fn):
    np = _np()
    r = np.random.default_rng(31)
    for shape, lr in [((3, 4), 0.01), ((5,), 2.0), ((2, 2), 0.5)]:
        w, g = r.normal(size=shape), r.normal(size=shape)
        w_in, g_in = w.copy(), g.copy()
        what = f"sgd_update on shape {shape} with lr {lr}"
        got = _call(fn, w_in, g_in, lr, what=what)
        if not (np.array_equal(w_in, w) and np.array_equal(g_in, g)):
            raise Failed(f"{what}: the inputs were modified in place")
        _expect_array(got, w - lr * g, what, tol=1e-12)
    for bad in (0, -1.0, float("nan"), -float("inf")):
        _expect_value_error(fn, np.ones(2), np.ones(2), bad, what=f"sgd_update with lr {bad}")
    _expect_value_error(
        fn, np.ones((2, 3)), np.ones((3, 2)), 0.1, what="sgd_update with shapes (2, 3), (3, 2)"
    )


def test_precision_recall_f1(fn):
    cases = [(3, 1, 1), (7, 7, 0), (0, 1, 1), (25, 75, 5), (1, 0, 9), (6, 4, 2)]
    for tp, fp, fn_ in cases:
        what = f"precision_recall_f1({tp}, {fp}, {fn_})"
        got = _call(fn, tp, fp, fn_, what=what)
        if type(got) is not tuple or len(got) != 3:
            raise Failed(f"{what}: expected a tuple of three numbers")
        p, r = tp / (tp + fp), tp / (tp + fn_)
        f = 0.0 if p + r == 0 else 2 * p * r / (p + r)
        for name, value, exp in zip(("precision", "recall", "F1"), got, (p, r, f), strict=True):
            _expect_close(value, exp, f"{what}: {name}", tol=1e-12)
    for bad in [(0, 0, 2), (0, 6, 0), (0, 0, 0), (2, 3, -4), (-2, 5, 5)]:
        _expect_value_error(fn, *bad, what=f"precision_recall_f1{bad}")


def test_count_parameters(fn):
    cases = [([4, 3], 15), ([1, 1, 1, 1], 6), ([3072, 512, 256, 10], 1_707_274), ((5, 8, 2), 66)]
    for sizes, expected in cases:
        what = f"count_parameters({sizes})"
        got = _call(fn, sizes, what=what)
        if type(got) is not int and not _exact_type_in(got, _NP_INTS):
            raise Failed(f"{what}: expected an int, got {type(got).__name__}")
        if int(got) != expected:
            raise Failed(f"{what}: expected {expected}, got {int(got)}")
    for bad in ([7], [4, 0], [3, -2, 1], [2, 2.0], [0, 3]):
        _expect_value_error(fn, bad, what=f"count_parameters({bad})")


QUESTIONS = [
    ("forward", 2, test_forward),
    ("squared_error", 2, test_squared_error),
    ("grad_output_weights", 3, test_grad_output_weights),
    ("grad_hidden_weights", 3, test_grad_hidden_weights),
    ("sgd_update", 2, test_sgd_update),
    ("precision_recall_f1", 2, test_precision_recall_f1),
    ("count_parameters", 2, test_count_parameters),
]
