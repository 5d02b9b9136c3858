"""Lab 08 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py). ``model_macs`` is decorated as in the lab (the checks hand it
models as JSON text)."""

import keras
import numpy as np
from keras import layers

from helpers import models
from helpers.labs.custom.lab08 import takes_model
from helpers.labs.spec import Mutant


def class_counts(y, num_classes=10):
    y = np.asarray(y)
    if y.size and (y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= num_classes):
        raise ValueError("bad labels")
    return np.bincount(y.astype(np.int64), minlength=num_classes)


def _layer_macs(model, *, convs=True, dense=True, input_size=False):
    total = 0
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D) and convs:
            kh, kw = layer.kernel_size
            _, h, w, _ = layer.input.shape if input_size else layer.output.shape
            total += h * w * kh * kw * layer.input.shape[-1] * layer.filters
        elif isinstance(layer, layers.Dense) and dense:
            total += layer.input.shape[-1] * layer.units
    return total


@takes_model
def model_macs(model):
    return _layer_macs(model)


def build_geron_cnn(input_shape=(28, 28, 1), num_classes=10):
    return models.geron_fashion_cnn(input_shape, num_classes)


def most_confused_pair(cm):
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError("square matrix expected")
    best, where = -1, None
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            if i != j and cm[i, j] > best:
                best, where = cm[i, j], (i, j)
    return where


def overfitting_gap(train_acc, val_acc):
    t, v = list(train_acc), list(val_acc)
    if not t or len(t) != len(v) or any(not 0 <= a <= 1 for a in t + v):
        raise ValueError("bad accuracies")
    return float(t[-1] - v[-1]), v.index(max(v)) + 1


def train_small_cnn(x, y):
    model = keras.Sequential([
        keras.Input(x.shape[1:]),
        layers.Conv2D(32, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(10, activation="softmax"),
    ])  # fmt: skip
    model.compile(keras.optimizers.Adam(2e-3), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=4, batch_size=64, verbose=0)
    return model


SOLUTION = {
    f.__name__: f
    for f in (class_counts, model_macs, build_geron_cnn, most_confused_pair,
              overfitting_gap, train_small_cnn)
}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def counts_present_only(y, num_classes=10):
    class_counts(y, num_classes)
    return np.unique(np.asarray(y), return_counts=True)[1]


def counts_without_validation(y, num_classes=10):
    return np.bincount(np.abs(np.asarray(y)).astype(np.int64), minlength=num_classes)[:num_classes]


def counts_one_too_many(y, num_classes=10):
    class_counts(y, num_classes)
    return np.bincount(np.asarray(y).astype(np.int64), minlength=num_classes + 1)


def _geron_variant(input_shape=(28, 28, 1), num_classes=10, *, pool=layers.MaxPooling2D,
                   first=64, rate=0.5, padding="same", act="relu", last="softmax",
                   with_input=True):  # fmt: skip
    conv = dict(padding=padding, activation=act)
    return keras.Sequential([
        *([keras.Input(input_shape)] if with_input else []),
        layers.Conv2D(first, 7, **conv), pool(2),
        layers.Conv2D(128, 3, **conv), layers.Conv2D(128, 3, **conv), pool(2),
        layers.Conv2D(256, 3, **conv), layers.Conv2D(256, 3, **conv), pool(2),
        layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dropout(rate),
        layers.Dense(64, activation="relu"), layers.Dropout(rate),
        layers.Dense(num_classes, activation=last),
    ])  # fmt: skip


def geron_without_input(input_shape=(28, 28, 1), num_classes=10):
    return _geron_variant(input_shape, num_classes, with_input=False)


def pair_with_diagonal(cm):
    cm = np.asarray(cm)
    most_confused_pair(cm)
    i, j = np.unravel_index(int(cm.argmax()), cm.shape)
    return int(i), int(j)


def pair_swapped(cm):
    i, j = most_confused_pair(cm)
    return j, i


def pair_in_place(cm):
    most_confused_pair(cm)
    np.fill_diagonal(cm, -1)
    i, j = np.unravel_index(int(cm.argmax()), cm.shape)
    return int(i), int(j)


def pair_last_tie(cm):
    cm = np.asarray(cm)
    most_confused_pair(cm)
    off = cm.astype(float)
    np.fill_diagonal(off, -np.inf)
    flat = off[::-1, ::-1].argmax()
    i, j = np.unravel_index(int(flat), off.shape)
    return cm.shape[0] - 1 - int(i), cm.shape[1] - 1 - int(j)


def gap_zero_based(t, v):
    gap, best = overfitting_gap(t, v)
    return gap, best - 1


def gap_wrong_sign(t, v):
    gap, best = overfitting_gap(t, v)
    return -gap, best


def gap_of_best_accuracies(t, v):
    overfitting_gap(t, v)
    return float(max(t) - max(v)), list(v).index(max(v)) + 1


def gap_without_errors(t, v):
    t, v = list(t), list(v)
    return float(t[-1] - v[-1]), v.index(max(v)) + 1


def gap_last_best(t, v):
    gap, _ = overfitting_gap(t, v)
    v = list(v)
    return gap, len(v) - v[::-1].index(max(v))


def untrained(x, y):
    return keras.Sequential([keras.Input(x.shape[1:]), layers.Flatten(),
                             layers.Dense(10, activation="softmax")])  # fmt: skip


def three_outputs(x, y):
    return keras.Sequential([keras.Input(x.shape[1:]), layers.Flatten(), layers.Dense(3)])


def returns_history(x, y):
    model = untrained(x, y)
    model.compile("adam", "sparse_categorical_crossentropy")
    return model.fit(x[:8], y[:8], epochs=1, verbose=0)


MUTANTS = [
    Mutant(
        "class_counts",
        "counts the classes that occur only",
        counts_present_only,
        says="only the classes that occur",
    ),
    Mutant(
        "class_counts",
        "no validation",
        counts_without_validation,
        says="instead of raising ValueError",
    ),
    Mutant(
        "class_counts",
        "returns a list",
        lambda y, num_classes=10: class_counts(y, num_classes).tolist(),
        says="NumPy array",
    ),
    Mutant("class_counts", "one count too many", counts_one_too_many, says="shape"),
    Mutant(
        "model_macs",
        "convolutions only",
        takes_model(lambda m: _layer_macs(m, dense=False)),
        says="convolutions only",
    ),
    Mutant(
        "model_macs",
        "the weight count",
        takes_model(lambda m: int(m.count_params())),
        says="number of weights",
    ),
    Mutant(
        "model_macs",
        "input size instead of output size",
        takes_model(lambda m: _layer_macs(m, input_size=True)),
    ),
    Mutant(
        "model_macs",
        "square kernels (k_h only)",
        takes_model(
            lambda m: (
                sum(
                    int(np.prod(layer.output.shape[1:3]))
                    * layer.kernel_size[0] ** 2
                    * layer.input.shape[-1]
                    * layer.filters
                    for layer in m.layers
                    if isinstance(layer, layers.Conv2D)
                )
                + _layer_macs(m, convs=False)
            )
        ),
    ),
    Mutant(
        "model_macs",
        "Dense layers only",
        takes_model(lambda m: _layer_macs(m, convs=False)),
        says="expected",
    ),
    Mutant(
        "build_geron_cnn",
        "32 filters first",
        lambda s=(28, 28, 1), n=10: _geron_variant(s, n, first=32),
        says="differs from Géron's: layer 1 (Conv2D): expected output shape",
    ),
    Mutant(
        "build_geron_cnn",
        "valid padding",
        lambda s=(28, 28, 1), n=10: _geron_variant(s, n, padding="valid"),
        says="raised",
    ),
    Mutant(
        "build_geron_cnn",
        "dropout 0.25",
        lambda s=(28, 28, 1), n=10: _geron_variant(s, n, rate=0.25),
        says="dropout rates",
    ),
    Mutant(
        "build_geron_cnn",
        "average pooling",
        lambda s=(28, 28, 1), n=10: _geron_variant(s, n, pool=layers.AveragePooling2D),
        says="differs from Géron's",
    ),
    Mutant(
        "build_geron_cnn",
        "tanh convolutions",
        lambda s=(28, 28, 1), n=10: _geron_variant(s, n, act="tanh"),
        says="'tanh'",
    ),
    Mutant(
        "build_geron_cnn",
        "no softmax",
        lambda s=(28, 28, 1), n=10: _geron_variant(s, n, last=None),
        says="needs a softmax",
    ),
    Mutant(
        "build_geron_cnn",
        "ignores input_shape",
        lambda s=(28, 28, 1), n=10: _geron_variant((28, 28, 1), n),
        says="input shape",
    ),
    Mutant(
        "build_geron_cnn", "ignores num_classes", lambda s=(28, 28, 1), n=10: _geron_variant(s, 10)
    ),
    Mutant("build_geron_cnn", "no keras.Input", geron_without_input, says="no defined input"),
    Mutant("most_confused_pair", "includes the diagonal", pair_with_diagonal, says="diagonal"),
    Mutant("most_confused_pair", "(predicted, true)", pair_swapped, says="swapped"),
    Mutant("most_confused_pair", "changes the matrix", pair_in_place, says="changed its input"),
    Mutant("most_confused_pair", "the last cell on a tie", pair_last_tie),
    Mutant(
        "most_confused_pair",
        "returns a list",
        lambda cm: list(most_confused_pair(cm)),
        says="expected a tuple",
    ),
    Mutant("overfitting_gap", "best epoch from 0", gap_zero_based, says="numbered from 1"),
    Mutant("overfitting_gap", "validation minus train", gap_wrong_sign, says="wrong sign"),
    Mutant(
        "overfitting_gap", "gap of the best accuracies", gap_of_best_accuracies, says="LAST epoch"
    ),
    Mutant(
        "overfitting_gap", "no ValueError", gap_without_errors, says="instead of raising ValueError"
    ),
    Mutant("overfitting_gap", "the last best epoch on a tie", gap_last_best),
    Mutant("train_small_cnn", "returns the model untrained", untrained, says="below the 90%"),
    Mutant("train_small_cnn", "three outputs", three_outputs, says="(N, 10)"),
    Mutant(
        "train_small_cnn",
        "returns the History",
        returns_history,
        says="return the trained Keras model",
    ),
]
