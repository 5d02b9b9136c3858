"""Lab 06 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py).

``mnist_submission`` trains a small CNN once (a few thousand digits, a few seconds in fast mode)
and returns it with its softmax outputs on the test digits, as the lab's training cell leaves
them; its mutants reuse that model, so that none of them trains again.
"""

import functools

import keras
import numpy as np

from helpers import config
from helpers.data import load_mnist
from helpers.labs.spec import Mutant


def to_float_images(x):
    x = np.asarray(x)
    return x[..., np.newaxis].astype("float32") / 255.0


def one_hot(y, n):
    y = np.asarray(y).astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= n):
        raise ValueError("label out of range")
    return keras.utils.to_categorical(y, n).astype("float32")


def choose_loss(y, num_outputs):
    y = np.asarray(y)
    if num_outputs == 1:
        if y.reshape(len(y), -1).shape[1] != 1 or not set(np.unique(y)) <= {0, 1}:
            raise ValueError("one output: 0/1 labels")
        return "binary_crossentropy"
    if y.ndim == 1:
        if y.min() < 0 or y.max() >= num_outputs:
            raise ValueError("class index out of range")
        return "sparse_categorical_crossentropy"
    if y.shape[1] != num_outputs or y.min() < 0 or y.max() > 1:
        raise ValueError("one 0…1 column per output")
    one_per_row = np.allclose(y.sum(axis=1), 1)
    return "categorical_crossentropy" if one_per_row else "binary_crossentropy"


def _loss_with(y, num_outputs, *, checks=True, binary_first=True, rows=True, by_dtype=False):
    """``choose_loss`` with one reading changed (the mutants below)."""
    y = np.asarray(y)
    if checks:
        choose_loss(y, num_outputs)  # the same errors
    if binary_first and num_outputs == 1:
        return "binary_crossentropy"
    if by_dtype and y.dtype.kind != "f":
        return "sparse_categorical_crossentropy"
    if y.ndim == 1:
        return "sparse_categorical_crossentropy"
    if rows and not np.allclose(y.sum(axis=1), 1):
        return "binary_crossentropy"
    return "categorical_crossentropy"


def conv_macs(h, w, k, c_in, c_out):
    return h * w * k * k * c_in * c_out


def build_very_simple_cnn():
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def _small_cnn():
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )


@functools.cache
def _trained():
    """The lab's training cell, once: a small CNN on 4,000 digits, and its test outputs."""
    (x_train, y_train), (x_test, _) = load_mnist()
    prep = lambda x: (x.astype("float32") / 255.0)[..., None]  # noqa: E731
    keras.utils.set_random_seed(6)
    model = _small_cnn()
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy")
    model.fit(prep(x_train[:4000]), y_train[:4000], epochs=3, batch_size=64, verbose=0)
    n = config.pick(default=10000, fast=1000)
    probs = model.predict(prep(x_test[:n]), batch_size=500, verbose=0)
    return model, probs


def mnist_submission():
    return _trained()


SOLUTION = {
    f.__name__: f
    for f in (
        to_float_images,
        one_hot,
        choose_loss,
        conv_macs,
        build_very_simple_cnn,
        mnist_submission,
    )
}


# ----------------------------------------------------------------------------- mutants


def one_hot_without_range_check(y, n):
    y = np.asarray(y).astype(np.int64)
    out = np.zeros((len(y), n), dtype="float32")
    out[np.arange(len(y)), np.clip(y, 0, n - 1)] = 1
    return out


def one_hot_negative_only(y, n):
    y = np.asarray(y).astype(np.int64)
    if y.size and y.min() < 0:
        raise ValueError("negative label")
    return np.eye(max(n, int(y.max()) + 1), n, dtype="float32")[y]


def one_hot_columns_from_labels(y, n):
    y = np.asarray(y).astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= n):
        raise ValueError("label out of range")
    return np.eye(int(y.max()) + 1, dtype="float32")[y]


def one_hot_transposed(y, n):
    return np.ascontiguousarray(one_hot(y, n).T)


def _sequential(*layers, shape=(28, 28, 1)):
    return keras.Sequential([keras.Input(shape), *layers])


def cnn_pooled():
    L = keras.layers
    return _sequential(
        L.Conv2D(64, 3, activation="relu"),
        L.MaxPooling2D(2),
        L.Flatten(),
        L.Dense(10, activation="softmax"),
    )


def cnn_same_padding():
    L = keras.layers
    return _sequential(
        L.Conv2D(64, 3, padding="same", activation="relu"),
        L.Flatten(),
        L.Dense(10, activation="softmax"),
    )


def cnn_no_softmax():
    L = keras.layers
    return _sequential(L.Conv2D(64, 3, activation="relu"), L.Flatten(), L.Dense(10))


def cnn_linear_conv():
    L = keras.layers
    return _sequential(L.Conv2D(64, 3), L.Flatten(), L.Dense(10, activation="softmax"))


def cnn_32_filters():
    L = keras.layers
    return _sequential(
        L.Conv2D(32, 3, activation="relu"), L.Flatten(), L.Dense(10, activation="softmax")
    )


def cnn_sigmoid_output():
    L = keras.layers
    return _sequential(
        L.Conv2D(64, 3, activation="relu"), L.Flatten(), L.Dense(10, activation="sigmoid")
    )


def cnn_rgb_input():
    L = keras.layers
    return _sequential(
        L.Conv2D(64, 3, activation="relu"),
        L.Flatten(),
        L.Dense(10, activation="softmax"),
        shape=(28, 28, 3),
    )


def submission_list():
    model, probs = _trained()
    return model, probs.tolist()


def submission_half():
    model, probs = _trained()
    return model, probs[: len(probs) // 2]


def submission_unnormalised():
    model, probs = _trained()
    return model, probs * 3


def submission_log_probabilities():
    model, probs = _trained()
    return model, np.log(probs + 1e-7)


def submission_shifted_classes():
    model, probs = _trained()
    return model, np.roll(probs, 1, axis=1)


def submission_untrained_model():
    _, probs = _trained()
    keras.utils.set_random_seed(1)
    return _small_cnn(), probs


def submission_probabilities_only():
    return _trained()[1]


def submission_without_model():
    return None, _trained()[1]


def submission_other_images():
    """The outputs on the first test digits of another mode (or of the training set)."""
    model, probs = _trained()
    (x_train, _), _ = load_mnist()
    return model, model.predict((x_train[: len(probs)] / 255.0)[..., None], verbose=0)


MUTANTS = [
    Mutant(
        "to_float_images",
        "no channel axis",
        lambda x: np.asarray(x).astype("float32") / 255,
        says="channel axis is missing",
    ),
    Mutant(
        "to_float_images", "float64", lambda x: np.asarray(x)[..., None] / 255.0, says="float64"
    ),
    Mutant(
        "to_float_images",
        "not divided by 255",
        lambda x: np.asarray(x)[..., None].astype("float32"),
        says="not divided by 255",
    ),
    Mutant(
        "to_float_images",
        "divided by 256",
        lambda x: np.asarray(x)[..., None].astype("float32") / 256,
    ),
    Mutant(
        "to_float_images",
        "channels first",
        lambda x: np.asarray(x)[:, None].astype("float32") / 255,
        says="expected shape",
    ),
    Mutant(
        "one_hot",
        "no range check",
        one_hot_without_range_check,
        says="instead of raising ValueError",
    ),
    Mutant("one_hot", "checks negative labels only", one_hot_negative_only),
    Mutant(
        "one_hot",
        "as many columns as the largest label",
        one_hot_columns_from_labels,
        says="expected shape",
    ),
    Mutant("one_hot", "transposed", one_hot_transposed),
    Mutant(
        "one_hot", "integer dtype", lambda y, n: one_hot(y, n).astype(np.int64), says="float dtype"
    ),
    Mutant("one_hot", "returns a list", lambda y, n: one_hot(y, n).tolist(), says="NumPy array"),
    Mutant(
        "choose_loss",
        "2-D labels always categorical",
        lambda y, n: _loss_with(y, n, rows=False),
        says="several tags",
    ),
    Mutant(
        "choose_loss",
        "decides by the dtype",
        lambda y, n: _loss_with(y, n, by_dtype=True),
        says="by the dtype",
    ),
    Mutant(
        "choose_loss",
        "rows before the output count",
        lambda y, n: _loss_with(y, n, binary_first=False),
    ),
    Mutant("choose_loss", "no checks", lambda y, n: _loss_with(y, n, checks=False)),
    Mutant(
        "choose_loss",
        "a Keras class name",
        lambda y, n: {
            "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
            "categorical_crossentropy": "CategoricalCrossentropy",
            "binary_crossentropy": "BinaryCrossentropy",
        }[choose_loss(y, n)],
    ),  # fmt: skip
    Mutant(
        "choose_loss",
        "1-D labels always sparse",
        lambda y, n: "sparse_categorical_crossentropy" if np.ndim(y) == 1 else choose_loss(y, n),
    ),
    Mutant(
        "conv_macs",
        "k instead of k*k",
        lambda h, w, k, c_in, c_out: h * w * k * c_in * c_out,
        says="multiplied by k once",
    ),
    Mutant(
        "conv_macs",
        "forgets c_in",
        lambda h, w, k, c_in, c_out: h * w * k * k * c_out,
        says="input channels",
    ),
    Mutant(
        "conv_macs",
        "float result",
        lambda h, w, k, c_in, c_out: float(h * w) * k * k * c_in * c_out,
        says="whole number",
    ),
    Mutant(
        "conv_macs",
        "input size (h + k - 1)",
        lambda h, w, k, c_in, c_out: (h + k - 1) * (w + k - 1) * k * k * c_in * c_out,
    ),
    Mutant("build_very_simple_cnn", "adds pooling", cnn_pooled, says="pooling layer"),
    Mutant("build_very_simple_cnn", "'same' padding", cnn_same_padding, says="'same' padding"),
    Mutant("build_very_simple_cnn", "no softmax", cnn_no_softmax, says="'softmax'"),
    Mutant("build_very_simple_cnn", "linear convolution", cnn_linear_conv, says="'relu'"),
    Mutant("build_very_simple_cnn", "32 filters", cnn_32_filters, says="does not match"),
    Mutant("build_very_simple_cnn", "sigmoid output", cnn_sigmoid_output, says="'sigmoid'"),
    Mutant("build_very_simple_cnn", "RGB input", cnn_rgb_input, says="input shape"),
    Mutant(
        "build_very_simple_cnn",
        "returns a string",
        lambda: "a model",
        says="expected a Keras model",
    ),
    Mutant("mnist_submission", "probabilities as a list", submission_list, says="NumPy array"),
    Mutant("mnist_submission", "half of the test digits", submission_half, says="expected shape"),
    Mutant("mnist_submission", "outputs times 3", submission_unnormalised, says="softmax"),
    Mutant("mnist_submission", "log-probabilities", submission_log_probabilities, says="softmax"),
    Mutant(
        "mnist_submission",
        "classes shifted by one",
        submission_shifted_classes,
        says="below the target",
    ),
    Mutant(
        "mnist_submission",
        "outputs of another model",
        submission_untrained_model,
        says="predicts other classes",
    ),
    Mutant(
        "mnist_submission",
        "probabilities only",
        submission_probabilities_only,
        says="returns (model, test_probabilities)",
    ),
    Mutant(
        "mnist_submission",
        "no model",
        submission_without_model,
        says="returns (model, test_probabilities)",
    ),
    Mutant(
        "mnist_submission",
        "outputs on other images",
        submission_other_images,
        says="below the target",
    ),
]
