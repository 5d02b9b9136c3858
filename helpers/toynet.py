"""A tiny fully connected network (inputs → one hidden layer → outputs) written out in NumPy.

Chapter 02 uses it to do forward and back-propagation by hand, step by step, and to check
the hand-derived gradients against TensorFlow's automatic differentiation.

Conventions (for any layer sizes, the course's example is 2-2-2):

* ``params`` is a dict with ``"W1"`` (hidden × inputs), ``"b1"`` (hidden,), ``"W2"``
  (outputs × hidden) and ``"b2"`` (outputs,), all float64 NumPy arrays. Row ``j`` of a weight
  matrix holds the weights *into* neuron ``j``; so in the 2-2-2 example
  ``W1 = [[w1, w2], [w3, w4]]`` and ``W2 = [[w5, w6], [w7, w8]]``.
* ``activation`` is ``"sigmoid"`` (the logistic function) or ``"linear"`` (none), applied
  to the hidden and the output layer alike.
* The error is E = Σ ½ (target − output)².

Keras stores a Dense kernel the other way round, as (inputs × units): :func:`to_keras`
transposes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "example_params", "EXAMPLE_INPUTS", "EXAMPLE_TARGETS", "sigmoid", "forward", "squared_error",
    "backward", "sgd_step", "gradients_with_tape", "to_keras", "count_parameters",
]  # fmt: skip

#: The worked example's inputs i1, i2 and targets for Output1, Output2.
EXAMPLE_INPUTS = (0.4, 0.25)
EXAMPLE_TARGETS = (0.1, 0.9)

_KEYS = ("W1", "b1", "W2", "b2")
_ACTIVATIONS = ("sigmoid", "linear")


def example_params() -> dict[str, np.ndarray]:
    """A fresh copy of the worked example's weights and biases.

    w3 = 0.15, w4 = 0.5, b1 = 0.7, w5 = 0.6, w6 = 0.05, w7 = 0.5, w8 = 0.3, b2 = 0.6 are read
    off the example's equations. The source gives w1 and w2 only through
    0.4·w1 + 0.25·w2 + 0.7 = 0.8675; we take w1 = 0.2, w2 = 0.35 (every printed number of the
    example depends on them only through that sum). Each neuron has its own bias entry, as in
    Keras; the example happens to give both neurons of a layer the same value.
    """
    return {
        "W1": np.array([[0.2, 0.35], [0.15, 0.5]]),
        "b1": np.array([0.7, 0.7]),
        "W2": np.array([[0.6, 0.05], [0.5, 0.3]]),
        "b2": np.array([0.6, 0.6]),
    }


def sigmoid(z: Any) -> np.ndarray:
    """The logistic function 1 / (1 + e^(−z)), elementwise, as float64."""
    z = np.asarray(z, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-z))


def _check_params(params: dict) -> dict[str, np.ndarray]:
    if not isinstance(params, dict) or set(params) != set(_KEYS):
        raise ValueError(f"params must be a dict with exactly the keys {_KEYS}")
    p = {k: np.asarray(params[k], dtype=np.float64) for k in _KEYS}
    if p["W1"].ndim != 2 or p["W2"].ndim != 2 or p["b1"].ndim != 1 or p["b2"].ndim != 1:
        raise ValueError("W1, W2 must be 2-D and b1, b2 1-D")
    n_hidden = p["W1"].shape[0]
    if p["b1"].shape != (n_hidden,) or p["W2"].shape[1] != n_hidden:
        raise ValueError(f"W1 {p['W1'].shape}, b1 {p['b1'].shape} and W2 {p['W2'].shape} disagree")
    if p["b2"].shape != (p["W2"].shape[0],):
        raise ValueError(f"W2 {p['W2'].shape} and b2 {p['b2'].shape} disagree")
    return p


def _check_vector(v: Any, n: int, name: str) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    if v.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {v.shape}")
    return v


def _act(z: np.ndarray, activation: str) -> np.ndarray:
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {_ACTIVATIONS}, got {activation!r}")
    return sigmoid(z) if activation == "sigmoid" else z


def forward(x: Any, params: dict, activation: str = "sigmoid") -> dict[str, np.ndarray]:
    """Forward pass of one sample.

    Returns a dict with the hidden layer's net input ``"net_h"`` and output ``"h"``, and the
    output layer's net input ``"net_o"`` and output ``"o"`` (all 1-D float64 arrays).
    """
    p = _check_params(params)
    x = _check_vector(x, p["W1"].shape[1], "x")
    net_h = p["W1"] @ x + p["b1"]
    h = _act(net_h, activation)
    net_o = p["W2"] @ h + p["b2"]
    return {"net_h": net_h, "h": h, "net_o": net_o, "o": _act(net_o, activation)}


def squared_error(targets: Any, outputs: Any) -> np.ndarray:
    """Per-output error ½ (target − output)² (sum it for the total error E)."""
    t = np.asarray(targets, dtype=np.float64)
    o = np.asarray(outputs, dtype=np.float64)
    if t.shape != o.shape:
        raise ValueError(f"targets {t.shape} and outputs {o.shape} must have the same shape")
    return 0.5 * (t - o) ** 2


def backward(x: Any, targets: Any, params: dict, activation: str = "sigmoid") -> dict:
    """Gradients of E = Σ ½ (t − o)² with respect to every parameter, by the chain rule.

    Returns a dict with the same keys as ``params`` (``"W1"``, ``"b1"``, ``"W2"``, ``"b2"``)
    plus ``"delta_o"`` and ``"delta_h"``, the error signals dE/dnet of the output and hidden
    neurons.
    """
    p = _check_params(params)
    f = forward(x, p, activation)
    x = np.asarray(x, dtype=np.float64)
    t = _check_vector(targets, p["W2"].shape[0], "targets")
    slope_o = f["o"] * (1 - f["o"]) if activation == "sigmoid" else np.ones_like(f["o"])
    slope_h = f["h"] * (1 - f["h"]) if activation == "sigmoid" else np.ones_like(f["h"])
    delta_o = (f["o"] - t) * slope_o  # dE/dout × dout/dnet
    delta_h = (p["W2"].T @ delta_o) * slope_h  # each hidden neuron feeds every output
    return {
        "W2": np.outer(delta_o, f["h"]), "b2": delta_o,
        "W1": np.outer(delta_h, x), "b1": delta_h,
        "delta_o": delta_o, "delta_h": delta_h,
    }  # fmt: skip


def sgd_step(params: dict, grads: dict, lr: float) -> dict[str, np.ndarray]:
    """One gradient-descent update ``new = old − lr × gradient``; returns new arrays."""
    if not lr > 0:
        raise ValueError(f"the learning rate must be positive, got {lr}")
    p = _check_params(params)
    out = {}
    for k in _KEYS:
        g = np.asarray(grads[k], dtype=np.float64)
        if g.shape != p[k].shape:
            raise ValueError(f"gradient of {k} has shape {g.shape}, expected {p[k].shape}")
        out[k] = p[k] - lr * g
    return out


def gradients_with_tape(x: Any, targets: Any, params: dict, activation: str = "sigmoid") -> dict:
    """The same gradients as :func:`backward`, by TensorFlow's automatic differentiation.

    Computed in float64 with ``tf.GradientTape``; returns NumPy arrays under the keys of
    ``params``, and the total error under ``"E"``.
    """
    import tensorflow as tf

    p = _check_params(params)
    x = _check_vector(x, p["W1"].shape[1], "x")
    t = _check_vector(targets, p["W2"].shape[0], "targets")
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {_ACTIVATIONS}, got {activation!r}")
    act = tf.sigmoid if activation == "sigmoid" else tf.identity
    v = {k: tf.Variable(p[k]) for k in _KEYS}
    with tf.GradientTape() as tape:
        h = act(tf.linalg.matvec(v["W1"], x) + v["b1"])
        o = act(tf.linalg.matvec(v["W2"], h) + v["b2"])
        error = tf.reduce_sum(0.5 * (t - o) ** 2)
    grads = tape.gradient(error, [v[k] for k in _KEYS])
    out = {k: g.numpy() for k, g in zip(_KEYS, grads, strict=True)}
    out["E"] = float(error.numpy())
    return out


def to_keras(params: dict, activation: str = "sigmoid"):
    """A Keras ``Sequential`` model with the same weights (Dense kernels are transposed)."""
    import keras

    p = _check_params(params)
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {_ACTIVATIONS}, got {activation!r}")
    n_in, n_hidden, n_out = p["W1"].shape[1], p["W1"].shape[0], p["W2"].shape[0]
    model = keras.Sequential(
        [
            keras.Input((n_in,)),
            keras.layers.Dense(n_hidden, activation=activation, name="hidden"),
            keras.layers.Dense(n_out, activation=activation, name="output"),
        ]
    )
    model.set_weights([p["W1"].T, p["b1"], p["W2"].T, p["b2"]])
    return model


def count_parameters(layer_sizes: Any) -> int:
    """Learnable parameters of a dense network with these layer sizes (inputs first).

    Every layer after the input has ``n_in × n_out`` weights and ``n_out`` biases:
    ``count_parameters([2, 2, 2]) == 12``.
    """
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError("give at least two layer sizes (inputs and outputs)")
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, int | np.integer) or s <= 0:
            raise ValueError(f"layer sizes must be positive integers, got {s!r}")
    return int(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True)))
