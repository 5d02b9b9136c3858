"""Tests of helpers.checks.lab02: the solution passes; typical mistakes fail with clear messages."""

import numpy as np
import pytest

from helpers.checks import CheckFailed, lab02


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward(x, W1, b1, W2, b2):
    h = sigmoid(W1 @ x + b1)
    return h, sigmoid(W2 @ h + b2)


def squared_error(t, o):
    t, o = np.asarray(t, dtype=float), np.asarray(o, dtype=float)
    if t.shape != o.shape:
        raise ValueError("shapes differ")
    return 0.5 * (t - o) ** 2


def grad_output_weights(h, o, t):
    return np.outer((o - t) * o * (1 - o), h)


def grad_hidden_weights(x, h, o, t, W2):
    d = (o - t) * o * (1 - o)
    return np.outer((W2.T @ d) * h * (1 - h), x)


def sgd_update(w, g, lr):
    if not lr > 0:
        raise ValueError("lr")
    w, g = np.asarray(w, dtype=float), np.asarray(g, dtype=float)
    if w.shape != g.shape:
        raise ValueError("shape")
    return w - lr * g


def precision_recall_f1(tp, fp, fn):
    if min(tp, fp, fn) < 0 or tp + fp == 0 or tp + fn == 0:
        raise ValueError("bad counts")
    p, r = tp / (tp + fp), tp / (tp + fn)
    return p, r, (0.0 if p + r == 0 else 2 * p * r / (p + r))


def count_parameters(sizes):
    sizes = list(sizes)
    if len(sizes) < 2 or any(
        isinstance(s, bool) or not isinstance(s, int) or s <= 0 for s in sizes
    ):
        raise ValueError("bad sizes")
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __float__(self):
        return 0.5

    def __int__(self):
        return 12


def not_done(*args):
    raise NotImplementedError


PAIRS = [
    (lab02.check_forward, forward),
    (lab02.check_squared_error, squared_error),
    (lab02.check_grad_output_weights, grad_output_weights),
    (lab02.check_grad_hidden_weights, grad_hidden_weights),
    (lab02.check_sgd_update, sgd_update),
    (lab02.check_precision_recall_f1, precision_recall_f1),
    (lab02.check_count_parameters, count_parameters),
]


def test_solutions_pass(capsys):
    for check, fn in PAIRS:
        assert "passed" in check(fn)
    assert capsys.readouterr().out.count("✔") == len(PAIRS)


@pytest.mark.parametrize("check", [c for c, _ in PAIRS])
def test_blank_fails_as_not_implemented(check):
    with pytest.raises(CheckFailed, match="not implemented yet"):
        check(not_done)


@pytest.mark.parametrize("check", [c for c, _ in PAIRS])
def test_always_equal_object_fails(check):
    with pytest.raises(CheckFailed, match="expected"):
        check(lambda *a: AlwaysEqual())


def test_forward_mistakes():
    with pytest.raises(CheckFailed, match="without the activation"):
        lab02.check_forward(
            lambda x, W1, b1, W2, b2: (W1 @ x + b1, sigmoid(W2 @ (W1 @ x + b1) + b2))
        )
    with pytest.raises(CheckFailed, match="x @ W"):  # the hint names the transposition
        lab02.check_forward(lambda x, W1, b1, W2, b2: forward(x, W1.T, b1, W2.T, b2))
    with pytest.raises(CheckFailed, match="expected a tuple"):
        lab02.check_forward(lambda *a: forward(*a)[1])
    with pytest.raises(CheckFailed, match="NumPy array"):
        lab02.check_forward(lambda *a: tuple(v.tolist() for v in forward(*a)))


def test_squared_error_mistakes():
    with pytest.raises(CheckFailed, match="no sum"):
        lab02.check_squared_error(lambda t, o: np.array(0.5 * np.sum((t - o) ** 2)))
    with pytest.raises(CheckFailed, match=r"expected\s*\[0.20627104"):
        lab02.check_squared_error(lambda t, o: (t - o) ** 2)
    with pytest.raises(CheckFailed, match="returned instead of raising ValueError"):
        lab02.check_squared_error(lambda t, o: 0.5 * (np.asarray(t) - np.asarray(o)[: len(t)]) ** 2)


def test_gradient_mistakes():
    with pytest.raises(CheckFailed, match="sign is flipped"):
        lab02.check_grad_output_weights(lambda h, o, t: -grad_output_weights(h, o, t))
    with pytest.raises(CheckFailed, match=r"o\(1 - o\) is missing"):
        lab02.check_grad_output_weights(lambda h, o, t: np.outer(o - t, h))
    with pytest.raises(CheckFailed, match="transposed"):
        lab02.check_grad_output_weights(lambda h, o, t: grad_output_weights(h, o, t).T)
    with pytest.raises(CheckFailed, match=r"h\(1 - h\) of the hidden sigmoid is missing"):
        lab02.check_grad_hidden_weights(
            lambda x, h, o, t, W2: np.outer(W2.T @ ((o - t) * o * (1 - o)), x)
        )
    with pytest.raises(CheckFailed, match="transposed"):
        lab02.check_grad_hidden_weights(lambda *a: grad_hidden_weights(*a).T)
    with pytest.raises(CheckFailed, match="float array"):
        lab02.check_grad_output_weights(lambda *a: (grad_output_weights(*a) * 1e6).astype(int))


def test_sgd_update_mistakes():
    def in_place(w, g, lr):
        if not lr > 0 or np.shape(w) != np.shape(g):
            raise ValueError
        w -= lr * g
        return w

    with pytest.raises(CheckFailed, match="changed in place"):
        lab02.check_sgd_update(in_place)
    with pytest.raises(CheckFailed, match="minus"):
        lab02.check_sgd_update(lambda w, g, lr: sgd_update(w, -g, lr))

    def nan_slips(w, g, lr):
        if lr <= 0:
            raise ValueError
        return sgd_update(w, g, lr) if lr == lr else w - lr * g

    with pytest.raises(CheckFailed, match="nan"):
        lab02.check_sgd_update(nan_slips)


def test_metric_and_count_mistakes():
    with pytest.raises(CheckFailed, match="F1: expected 0.5, got 0.4"):
        lab02.check_precision_recall_f1(
            lambda tp, fp, fn: (*precision_recall_f1(tp, fp, fn)[:2], 0.4)
        )
    with pytest.raises(
        CheckFailed, match="precision: expected 0.666667, got 0.4"
    ):  # fp and fn swapped
        lab02.check_precision_recall_f1(lambda tp, fp, fn: precision_recall_f1(tp, fn, fp))
    with pytest.raises(CheckFailed, match="tuple of three"):
        lab02.check_precision_recall_f1(lambda tp, fp, fn: list(precision_recall_f1(tp, fp, fn)))

    def crashes_on_zero(tp, fp, fn):
        if min(tp, fp, fn) < 0 or tp + fp == 0 or tp + fn == 0:
            raise ValueError
        p, r = tp / (tp + fp), tp / (tp + fn)
        return p, r, 2 * p * r / (p + r)

    with pytest.raises(CheckFailed, match="ZeroDivisionError"):
        lab02.check_precision_recall_f1(crashes_on_zero)
    with pytest.raises(CheckFailed, match="expected 12, got 8"):
        lab02.check_count_parameters(lambda s: count_parameters(s) - sum(s[1:]))  # biases forgotten
    with pytest.raises(CheckFailed, match="whole number"):
        lab02.check_count_parameters(lambda s: float(count_parameters(s)))
    with pytest.raises(CheckFailed, match="returned instead of raising ValueError"):
        lab02.check_count_parameters(
            lambda s: sum(a * b + b for a, b in zip(s[:-1], s[1:], strict=True))
        )
