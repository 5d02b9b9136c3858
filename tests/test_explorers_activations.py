"""Tests of helpers.explorers.activations: f against Keras, f′ against autodiff, the widgets."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers.explorers import activations as act

# Avoid the kinks at 0 and 6 where one-sided derivatives differ.
X = np.concatenate([np.linspace(-7, -0.05, 60), np.linspace(0.05, 5.9, 60), [6.5, 8.0]])

KERAS = {
    "sigmoid": lambda z, a, e: keras.activations.sigmoid(z),
    "tanh": lambda z, a, e: keras.activations.tanh(z),
    "ReLU": lambda z, a, e: keras.activations.relu(z),
    "leaky ReLU": lambda z, a, e: keras.activations.leaky_relu(z, negative_slope=a),
    "ELU": lambda z, a, e: keras.activations.elu(z, alpha=e),
    "SELU": lambda z, a, e: keras.activations.selu(z),
    "ReLU6": lambda z, a, e: keras.activations.relu6(z),
    "softplus": lambda z, a, e: keras.activations.softplus(z),
    "swish (SiLU)": lambda z, a, e: keras.activations.silu(z),
    "GELU": lambda z, a, e: keras.activations.gelu(z, approximate=False),
}


@pytest.mark.parametrize("name", act.activation_names())
def test_f_matches_keras_and_grad_matches_autodiff(name):
    assert set(KERAS) == set(act.ACTIVATIONS)
    alpha, elu_alpha = 0.15, 1.7
    z = tf.constant(X, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(z)
        y = KERAS[name](z, alpha, elu_alpha)
    grad = tape.gradient(y, z).numpy()
    f, df = act.ACTIVATIONS[name]
    np.testing.assert_allclose(f(X, alpha, elu_alpha), y.numpy(), atol=1e-6, rtol=1e-6)
    np.testing.assert_allclose(df(X, alpha, elu_alpha), grad, atol=1e-6, rtol=1e-6)


def test_curves_and_vanishing_regions():
    r = act.activation_curves(["sigmoid", "relu", "Leaky_ReLU", "elu"], (-6, 6), alpha=0.2)
    assert list(r.f) == ["sigmoid", "ReLU", "leaky ReLU", "ELU"] and r.x.shape == (1201,)
    # σ′(x) = σ(x)(1 − σ(x)) < 0.01 exactly where |x| > 4.585 (σ = 0.0101…)
    (a0, a1), (b0, b1) = r.vanishing["sigmoid"]
    assert a0 == -6 and b1 == 6 and abs(a1 + 4.585) < 0.01 and abs(b0 - 4.585) < 0.01
    assert r.vanishing["ReLU"] == [(-6.0, 0.0)] and abs(r.fraction["ReLU"] - 0.5) < 0.01
    assert r.vanishing["leaky ReLU"] == [] and r.grad["leaky ReLU"].min() == pytest.approx(0.2)
    assert "exactly 0 on 50%" in r.text and "leaky ReLU α = 0.2" in r.text
    small = act.activation_curves("leaky relu", alpha=0.005)
    assert small.fraction["leaky ReLU"] == pytest.approx(0.5, abs=0.01)  # α < tol: vanishing
    for bad, kwargs, msg in [([], {}, "at least one"), (["softmax"], {}, "unknown activation"),
                             (["tanh"], {"x_range": (2, 2)}, "low < high"),
                             (["elu"], {"elu_alpha": -1}, "non-negative")]:  # fmt: skip
        with pytest.raises(ValueError, match=msg):
            act.activation_curves(bad, **kwargs)


def test_parse_points_and_table():
    assert act.parse_points("-3, 0; 1/2").tolist() == [-3, 0, 0.5]
    for bad, msg in [("", "type one"), ("1 two", "not a number"), (" ".join("1" * 13), "at most")]:
        with pytest.raises(ValueError, match=msg):
            act.parse_points(bad)
    table = act.evaluate_at(["sigmoid", "ReLU"], "-3, 0, 2")
    assert "0.04743" in table and "0.25" in table and table.count("f′") == 2


def test_widget_updates_and_reports_errors():
    ui = act.activation_explorer(draw=False)
    assert list(ui.result.f) == ["sigmoid", "tanh", "ReLU", "leaky ReLU", "ELU"]
    ui.functions.value = ("tanh", "SELU")
    assert list(ui.result.f) == ["tanh", "SELU"] and "SELU" in ui.message
    ui.x_range.value = (-2.0, 3.0)
    assert ui.result.x[0] == -2 and ui.result.x[-1] == 3 and "x from -2 to 3" in ui.message
    ui.functions.value = ("leaky ReLU", "ELU")
    ui.alpha.value = 0.05
    assert ui.result.grad["leaky ReLU"].min() == pytest.approx(0.05)
    ui.elu_alpha.value = 2.0
    assert ui.result.f["ELU"].min() == pytest.approx(2 * np.expm1(-2))
    ui.points.value = "-1, abc"  # invalid text: a message, no exception
    assert ui.result is None and ui.message.startswith("⚠") and "'abc'" in ui.message
    ui.points.value = "-1"
    assert ui.result is not None and f"{0.05 * -1:>9.4g}" in ui.message
    ui.functions.value = ()
    assert ui.result is None and "at least one" in ui.message


def test_widget_draws():
    ui = act.activation_explorer(("sigmoid", "GELU"))
    fig = ui.figures(ui.result)[0]
    assert len(fig.axes) == 3
    assert "application/vnd.jupyter.widget-view+json" in ui._repr_mimebundle_()
