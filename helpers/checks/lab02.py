"""Checks of lab 02 (neural-network essentials): back-propagation by hand, metrics, parameters.

Arrays are checked strictly: exact type ``np.ndarray``, exact shape, a float dtype, then the
largest absolute difference is computed explicitly on float64 copies.
"""

from __future__ import annotations

import numpy as np

from . import call, expect_close, expect_int, expect_raises, fail, passed

__all__ = [
    "check_forward",
    "check_squared_error",
    "check_grad_output_weights",
    "check_grad_hidden_weights",
    "check_sgd_update",
    "check_precision_recall_f1",
    "check_count_parameters",
]

# The worked example of chapter 02.
X = np.array([0.4, 0.25])
T = np.array([0.1, 0.9])
W1 = np.array([[0.2, 0.35], [0.15, 0.5]])
B1 = np.array([0.7, 0.7])
W2 = np.array([[0.6, 0.05], [0.5, 0.3]])
B2 = np.array([0.6, 0.6])


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _random_net(seed: int, n_in: int, n_hidden: int, n_out: int):
    r = np.random.default_rng(seed)
    return (
        r.normal(size=n_in),
        r.uniform(0.05, 0.95, size=n_out),
        r.normal(size=(n_hidden, n_in)),
        r.normal(size=n_hidden),
        r.normal(size=(n_out, n_hidden)),
        r.normal(size=n_out),
    )


def _reference(x, t, w1, b1, w2, b2):
    h = _sigmoid(w1 @ x + b1)
    o = _sigmoid(w2 @ h + b2)
    d_o = (o - t) * o * (1 - o)
    d_h = (w2.T @ d_o) * h * (1 - h)
    return h, o, np.outer(d_o, h), np.outer(d_h, x)


def _expect_array(got, expected, *, what: str, tol: float = 1e-9, hint: str | None = None):
    """``got`` must be a float np.ndarray of the expected shape and values (max abs diff ≤ tol)."""
    expected = np.array(expected, dtype=np.float64)
    if type(got) is not np.ndarray:
        fail(
            f"{what}: expected a NumPy array (np.ndarray), got {type(got).__name__}.",
            "build the result with NumPy operations, or wrap it in np.asarray(...).",
        )
    if got.shape != expected.shape:
        fail(f"{what}: expected shape {expected.shape}, got {got.shape}.", hint)
    if got.dtype.kind != "f":
        fail(
            f"{what}: expected a float array, got dtype {got.dtype}.",
            "the values are real numbers: keep the arrays in floating point.",
        )
    ours = np.array(got, dtype=np.float64)
    if not np.isfinite(ours).all():
        fail(f"{what}: the result contains NaN or infinity: {ours}.", hint)
    diff = float(np.abs(ours - expected).max()) if expected.size else 0.0
    if not diff <= tol:
        fail(f"{what}: expected\n{expected}\ngot\n{ours}\n(largest difference {diff:.3g}).", hint)


def check_forward(fn) -> str:
    """Exercise 1: ``forward(x, W1, b1, W2, b2)`` → (hidden, outputs) with sigmoid everywhere."""
    ex = "forward"
    hint = (
        "hidden = sigmoid(W1 @ x + b1), outputs = sigmoid(W2 @ hidden + b2); row j of a "
        "weight matrix holds the weights into neuron j, so multiply W @ x, not x @ W."
    )
    cases = [("the chapter's example", X, T, W1, B1, W2, B2)]
    cases.append(("a 3-4-2 network", *_random_net(1, 3, 4, 2)))
    cases.append(("a 2-3-1 network", *_random_net(2, 2, 3, 1)))
    for label, x, _t, w1, b1, w2, b2 in cases:
        got = call(fn, x.copy(), w1.copy(), b1.copy(), w2.copy(), b2.copy(), exercise=ex)
        if type(got) not in (tuple, list) or len(got) != 2:
            fail(
                f"{ex} on {label}: expected a tuple (hidden, outputs), got {type(got).__name__}.",
                "end with `return hidden, outputs`.",
            )
        h, o, _, _ = _reference(x, _t, w1, b1, w2, b2)
        if type(got[0]) is np.ndarray and got[0].shape == h.shape:
            lin = np.array(got[0], dtype=np.float64)
            if np.abs(lin - (w1 @ x + b1)).max() < 1e-9:
                fail(
                    f"{ex} on {label}: the hidden values are the net inputs, "
                    "without the activation.",
                    "apply sigmoid(...) to W1 @ x + b1.",
                )
        _expect_array(got[0], h, what=f"{ex} on {label}: hidden", hint=hint)
        _expect_array(got[1], o, what=f"{ex} on {label}: outputs", hint=hint)
    return passed(ex)


def check_squared_error(fn) -> str:
    """Exercise 2: ``squared_error(targets, outputs)`` = ½ (t − o)² elementwise."""
    ex = "squared_error"
    hint = "each entry is 0.5 * (target - output) ** 2; keep one value per output (no sum)."
    o = _sigmoid(W2 @ _sigmoid(W1 @ X + B1) + B2)
    cases = [
        (T, o, [0.206271039, 0.009502145], 1e-9),
        (np.array([1.0, 0.0, 0.5]), np.array([0.2, 0.3, 0.5]), [0.32, 0.045, 0.0], 1e-12),
        (
            np.array([[1.0, 2.0], [3.0, 4.0]]),
            np.array([[0.0, 2.0], [5.0, 4.5]]),
            [[0.5, 0.0], [2.0, 0.125]],
            1e-12,
        ),
    ]
    for t, out, expected, tol in cases:
        got = call(fn, t.copy(), out.copy(), exercise=ex)
        _expect_array(
            got,
            expected,
            what=f"{ex}({t.tolist()}, {np.round(out, 6).tolist()})",
            tol=tol,
            hint=hint,
        )
    expect_raises(
        fn,
        np.array([0.1, 0.9]),
        np.array([0.5, 0.5, 0.5]),
        exercise=ex,
        hint="compare the two shapes and raise ValueError when they differ.",
    )
    return passed(ex)


def check_grad_output_weights(fn) -> str:
    """Exercise 3: ``grad_output_weights(hidden, outputs, targets)`` = outer(δ_o, h)."""
    ex = "grad_output_weights"
    cases = [
        ("the chapter's example", X, T, W1, B1, W2, B2),
        ("a 3-4-2 network", *_random_net(3, 3, 4, 2)),
    ]
    for label, x, t, w1, b1, w2, b2 in cases:
        h, o, g2, _ = _reference(x, t, w1, b1, w2, b2)
        got = call(fn, h.copy(), o.copy(), t.copy(), exercise=ex)
        if type(got) is np.ndarray and got.shape == g2.T.shape and got.shape != g2.shape:
            fail(
                f"{ex} on {label}: shape {got.shape} is transposed; "
                f"expected {g2.shape} (outputs × hidden).",
                "row k belongs to output k: np.outer(delta, hidden).",
            )
        if type(got) is np.ndarray and got.shape == g2.shape:
            ours = np.array(got, dtype=np.float64)
            if np.abs(ours + g2).max() < 1e-9:
                fail(
                    f"{ex} on {label}: the sign is flipped.",
                    "dE/do = o - t (not t - o): the error grows when o moves away from t.",
                )
            if g2.shape[0] == g2.shape[1] and np.abs(ours - g2.T).max() < 1e-9:
                fail(
                    f"{ex} on {label}: the matrix is transposed.",
                    "row k belongs to output k: np.outer(delta, hidden).",
                )
            if np.abs(ours - np.outer(o - t, h)).max() < 1e-9:
                fail(
                    f"{ex} on {label}: the factor o(1 - o) is missing.",
                    "the sigmoid's slope o * (1 - o) is the middle link of the chain.",
                )
        _expect_array(
            got,
            g2,
            what=f"{ex} on {label}",
            hint="delta = (o - t) * o * (1 - o); gradient = np.outer(delta, hidden).",
        )
    return passed(ex)


def check_grad_hidden_weights(fn) -> str:
    """Exercise 4: ``grad_hidden_weights(x, hidden, outputs, targets, W2)`` = outer(δ_h, x)."""
    ex = "grad_hidden_weights"
    cases = [
        ("the chapter's example", X, T, W1, B1, W2, B2),
        ("a 3-4-2 network", *_random_net(4, 3, 4, 2)),
        ("a 2-3-1 network", *_random_net(5, 2, 3, 1)),
    ]
    for label, x, t, w1, b1, w2, b2 in cases:
        h, o, _, g1 = _reference(x, t, w1, b1, w2, b2)
        got = call(fn, x.copy(), h.copy(), o.copy(), t.copy(), w2.copy(), exercise=ex)
        if type(got) is np.ndarray and got.shape == g1.T.shape and got.shape != g1.shape:
            fail(
                f"{ex} on {label}: shape {got.shape} is transposed; "
                f"expected {g1.shape} (hidden × inputs).",
                "row i belongs to hidden neuron i: np.outer(delta_hidden, x).",
            )
        if type(got) is np.ndarray and got.shape == g1.shape:
            if (
                g1.shape[0] == g1.shape[1]
                and np.abs(np.array(got, dtype=np.float64) - g1.T).max() < 1e-9
            ):
                fail(
                    f"{ex} on {label}: the matrix is transposed.",
                    "row i belongs to hidden neuron i: np.outer(delta_hidden, x).",
                )
            d_o = (o - t) * o * (1 - o)
            no_slope = np.outer(w2.T @ d_o, x)
            if np.abs(np.array(got, dtype=np.float64) - no_slope).max() < 1e-9:
                fail(
                    f"{ex} on {label}: the factor h(1 - h) of the hidden sigmoid is missing.",
                    "delta_hidden = (W2.T @ delta) * hidden * (1 - hidden).",
                )
        _expect_array(
            got,
            g1,
            what=f"{ex} on {label}",
            hint="delta_hidden = (W2.T @ delta) * hidden * (1 - hidden); "
            "gradient = np.outer(delta_hidden, x).",
        )
    return passed(ex)


def check_sgd_update(fn) -> str:
    """Exercise 5: ``sgd_update(weights, grads, lr)`` = weights − lr·grads, as a new array."""
    ex = "sgd_update"
    hint = "new = weights - lr * grads (minus: we step against the gradient)."
    _, _, g2, g1 = _reference(X, T, W1, B1, W2, B2)
    cases = [
        ("W2 of the example, lr 0.5", W2, g2, 0.5, W2 - 0.5 * g2),
        ("W1 of the example, lr 0.5", W1, g1, 0.5, W1 - 0.5 * g1),
        (
            "a vector, lr 0.1",
            np.array([1.0, -2.0, 3.0]),
            np.array([10.0, 0.0, -5.0]),
            0.1,
            [0.0, -2.0, 3.5],
        ),
    ]
    for label, w, g, lr, expected in cases:
        w_in, g_in = w.copy(), g.copy()
        got = call(fn, w_in, g_in, lr, exercise=ex)
        if not (np.array_equal(w_in, w) and np.array_equal(g_in, g)):
            fail(
                f"{ex} on {label}: the input arrays were changed in place.",
                "return a new array (weights - lr * grads) instead of using -= on weights.",
            )
        _expect_array(got, expected, what=f"{ex} on {label}", tol=1e-12, hint=hint)
    new_w5 = float(np.array(call(fn, W2.copy(), g2.copy(), 0.5, exercise=ex))[0, 0])
    expect_close(new_w5, 0.556737, rel=1e-6, what=f"{ex}: new w5 rounded to 6 decimals")
    for bad_lr in (0.0, -0.1, float("nan")):
        expect_raises(
            fn,
            W2.copy(),
            g2.copy(),
            bad_lr,
            exercise=ex,
            hint="a learning rate must be a positive number; `not lr > 0` also catches NaN.",
        )
    expect_raises(
        fn,
        W2.copy(),
        np.zeros(3),
        0.5,
        exercise=ex,
        hint="raise ValueError when weights and gradients differ in shape.",
    )
    return passed(ex)


def check_precision_recall_f1(fn) -> str:
    """Exercise 6: ``precision_recall_f1(tp, fp, fn)`` → (precision, recall, f1)."""
    ex = "precision_recall_f1"
    cases = [
        ((4, 2, 6), (2 / 3, 0.4, 0.5)),  # the gender example
        ((90, 10, 210), (0.9, 0.3, 0.45)),
        ((10, 0, 0), (1.0, 1.0, 1.0)),
        ((0, 3, 5), (0.0, 0.0, 0.0)),
        ((1, 1, 3), (0.5, 0.25, 1 / 3)),
    ]
    for args, expected in cases:
        got = call(fn, *args, exercise=ex)
        if type(got) is not tuple or len(got) != 3:
            fail(
                f"{ex}{args}: expected a tuple of three numbers, got {type(got).__name__} {got!r}.",
                "return precision, recall, f1",
            )
        for name, value, exp in zip(("precision", "recall", "F1"), got, expected, strict=True):
            expect_close(
                value,
                exp,
                rel=1e-9,
                what=f"{ex}{args}: {name}",
                hint="precision = tp/(tp+fp), recall = tp/(tp+fn), F1 = 2PR/(P+R) "
                "(0 when P + R = 0); do not round.",
            )
    for bad in ((0, 0, 5), (0, 4, 0), (3, -1, 2), (-1, 2, 2)):
        expect_raises(
            fn,
            *bad,
            exercise=ex,
            hint="negative counts, or tp+fp = 0 or tp+fn = 0, make no sense: raise ValueError.",
        )
    return passed(ex)


def check_count_parameters(fn) -> str:
    """Exercise 7: ``count_parameters(layer_sizes)`` of a dense network."""
    ex = "count_parameters"
    hint = "each layer after the input: n_in * n_out weights + n_out biases; add them up."
    cases = [([2, 2, 2], 12), ([784, 128, 10], 101_770), ([3, 1], 4), ((10, 20, 30, 40), 2_090)]
    for sizes, expected in cases:
        expect_int(call(fn, sizes, exercise=ex), expected, what=f"{ex}({sizes})", hint=hint)
    for bad in ([5], [], [3, 0, 2], [2, -1], [2, 1.5]):
        expect_raises(
            fn,
            bad,
            exercise=ex,
            hint="at least two sizes, each a positive int; otherwise raise ValueError.",
        )
    return passed(ex)
