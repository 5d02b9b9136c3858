"""Tests of helpers.toynet: the worked example's numbers, hand gradients vs autodiff, bad input."""

import numpy as np
import pytest

from helpers import toynet

X, T = toynet.EXAMPLE_INPUTS, toynet.EXAMPLE_TARGETS


def maxdiff(a, b):
    return float(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)).max())


def test_example_params_are_fresh_copies():
    p = toynet.example_params()
    p["W1"][0, 0] = 99.0
    assert toynet.example_params()["W1"][0, 0] == 0.2


def test_sigmoid():
    assert toynet.sigmoid(0.0) == 0.5
    assert maxdiff(toynet.sigmoid([-1.0, 1.0]), [1 / (1 + np.e), 1 / (1 + np.exp(-1))]) < 1e-15


def test_forward_linear_and_sigmoid():
    f = toynet.forward(X, toynet.example_params(), "linear")
    assert maxdiff(f["h"], [0.8675, 0.885]) < 1e-12
    assert maxdiff(f["o"], [1.16475, 1.29925]) < 1e-12
    f = toynet.forward(X, toynet.example_params())
    assert maxdiff(f["h"], [0.704225, 0.707857]) < 1e-6
    assert maxdiff(f["o"], [0.742294, 0.762144]) < 1e-6


def test_squared_error():
    o = toynet.forward(X, toynet.example_params())["o"]
    assert maxdiff(toynet.squared_error(T, o), [0.206271039, 0.009502145]) < 1e-9
    with pytest.raises(ValueError, match="same shape"):
        toynet.squared_error([1.0], [1.0, 2.0])


@pytest.mark.parametrize("activation", ["sigmoid", "linear"])
def test_backward_matches_tape_and_finite_differences(activation):
    rng = np.random.default_rng(0)
    p = {"W1": rng.normal(size=(3, 2)), "b1": rng.normal(size=3),
         "W2": rng.normal(size=(2, 3)), "b2": rng.normal(size=2)}  # fmt: skip
    x, t = rng.normal(size=2), rng.normal(size=2)
    g = toynet.backward(x, t, p, activation)
    tape = toynet.gradients_with_tape(x, t, p, activation)
    for k in ("W1", "b1", "W2", "b2"):
        assert maxdiff(g[k], tape[k]) < 1e-12
    # one finite difference as an independent check
    eps = 1e-6
    q = {k: v.copy() for k, v in p.items()}
    q["W1"][1, 0] += eps
    e_plus = toynet.squared_error(t, toynet.forward(x, q, activation)["o"]).sum()
    q["W1"][1, 0] -= 2 * eps
    e_minus = toynet.squared_error(t, toynet.forward(x, q, activation)["o"]).sum()
    assert abs((e_plus - e_minus) / (2 * eps) - g["W1"][1, 0]) < 1e-7


def test_example_update():
    p = toynet.example_params()
    g = toynet.backward(X, T, p)
    assert abs(g["W2"][0, 0] - 0.086526) < 1e-6
    new = toynet.sgd_step(p, g, 0.5)
    assert abs(new["W2"][0, 0] - 0.556737) < 1e-6
    assert p["W2"][0, 0] == 0.6  # the old parameters are untouched


def test_sgd_step_bad_input():
    p = toynet.example_params()
    g = toynet.backward(X, T, p)
    with pytest.raises(ValueError, match="learning rate"):
        toynet.sgd_step(p, g, 0.0)
    with pytest.raises(ValueError, match="learning rate"):
        toynet.sgd_step(p, g, float("nan"))
    g["b2"] = np.zeros(3)
    with pytest.raises(ValueError, match="gradient of b2"):
        toynet.sgd_step(p, g, 0.1)


def test_bad_params_and_inputs():
    p = toynet.example_params()
    with pytest.raises(ValueError, match="keys"):
        toynet.forward(X, {"W1": p["W1"]})
    bad = dict(p, b1=np.zeros(3))
    with pytest.raises(ValueError, match="disagree"):
        toynet.forward(X, bad)
    bad = dict(p, b2=np.zeros(3))
    with pytest.raises(ValueError, match="disagree"):
        toynet.forward(X, bad)
    bad = dict(p, W1=np.zeros(2))
    with pytest.raises(ValueError, match="2-D"):
        toynet.forward(X, bad)
    with pytest.raises(ValueError, match="x must have shape"):
        toynet.forward([1.0, 2.0, 3.0], p)
    with pytest.raises(ValueError, match="activation"):
        toynet.forward(X, p, "relu")
    with pytest.raises(ValueError, match="targets must have shape"):
        toynet.backward(X, [0.1], p)
    with pytest.raises(ValueError, match="activation"):
        toynet.gradients_with_tape(X, T, p, "tanh")
    with pytest.raises(ValueError, match="activation"):
        toynet.to_keras(p, "tanh")


def test_to_keras_same_outputs_and_12_parameters():
    p = toynet.example_params()
    model = toynet.to_keras(p)
    assert model.count_params() == 12
    out = model.predict(np.array([X]), verbose=0)[0]
    assert maxdiff(out, toynet.forward(X, p)["o"]) < 1e-6


def test_count_parameters():
    assert toynet.count_parameters([2, 2, 2]) == 12
    assert toynet.count_parameters((784, 128, 10)) == 784 * 128 + 128 + 128 * 10 + 10
    assert type(toynet.count_parameters([np.int64(3), 1])) is int
    for bad in ([5], [2, 0, 1], [2, -1], [2, 1.5], [True, 2]):
        with pytest.raises(ValueError):
            toynet.count_parameters(bad)
