"""Lab 06's training cell (``helpers.labs.custom.lab06.train_and_evaluate``), without training:
a model that reads the label off coded images stands in for a trained network."""

import keras
import numpy as np
import pytest

from helpers.labs.checks import CheckFailed
from helpers.labs.custom import lab06


def _coded_data(n_train=40, n_test=60):
    """Images whose first row holds the label (pixel (0, label) is 1): easy to read exactly."""
    rng = np.random.default_rng(0)

    def make(n):
        y = rng.integers(0, 10, size=n)
        x = rng.uniform(0, 0.01, size=(n, 28, 28, 1)).astype("float32")
        x[np.arange(n), 0, y, 0] = 1.0
        return x, y

    return (*make(n_train), *make(n_test))


def _reader():
    """A Flatten → Dense softmax model that reads the label off the first row."""
    model = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, "softmax")]
    )
    w = np.zeros((784, 10), dtype="float32")
    w[np.arange(10), np.arange(10)] = 50.0
    model.layers[-1].set_weights([w, np.zeros(10, dtype="float32")])
    return model


def test_training_cell_prints_and_returns_the_outputs(capsys):
    model, probs = lab06.train_and_evaluate(_reader, lambda m, x, y: m, data=_coded_data())
    assert isinstance(model, keras.Model) and probs.shape == (60, 10)
    out = capsys.readouterr().out
    assert "test accuracy on 60 digits: 100.00%" in out
    assert f"(target {lab06.target_accuracy():.1%})" in out


def test_training_cell_failures():
    data = _coded_data()

    def not_done(*args):
        raise NotImplementedError

    with pytest.raises(CheckFailed, match="build_mnist_model: not implemented yet"):
        lab06.train_and_evaluate(not_done, lambda m, x, y: m, data=data)
    with pytest.raises(CheckFailed, match="train_mnist: not implemented yet"):
        lab06.train_and_evaluate(_reader, not_done, data=data)
    with pytest.raises(CheckFailed, match="return the trained Keras model"):
        lab06.train_and_evaluate(_reader, lambda m, x, y: None, data=data)
    with pytest.raises(CheckFailed, match="expected a Keras model"):
        lab06.train_and_evaluate(lambda: None, lambda m, x, y: m, data=data)
    with pytest.raises(CheckFailed, match="raised ValueError: bad"):
        lab06.train_and_evaluate(_reader, lambda m, x, y: (_ for _ in ()).throw(ValueError("bad")),
                                 data=data)  # fmt: skip

    def eleven_classes():
        return keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                                 keras.layers.Dense(11, activation="softmax")])  # fmt: skip

    with pytest.raises(CheckFailed, match=r"shape \(60, 11\), expected \(60, 10\)"):
        lab06.train_and_evaluate(eleven_classes, lambda m, x, y: m, data=data)


def test_budget_warning_in_default_mode(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_FAST", "0")
    monkeypatch.setattr(lab06, "BUDGET_SECONDS", -1)
    lab06.train_and_evaluate(_reader, lambda m, x, y: m, data=_coded_data())
    out = capsys.readouterr().out
    assert "default mode" in out and "target 99.0%" in out and "budget" in out
