"""Tests of helpers.checks.lab08: solutions pass, typical mistakes fail with a useful message."""

import keras
import numpy as np
import pytest
from keras import layers

from helpers import models
from helpers.checks import CheckFailed, lab08
from helpers.grading_tests import lab08 as hidden


def good_counts(y, num_classes=10):
    y = np.asarray(y)
    if y.size and (y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= num_classes):
        raise ValueError("bad labels")
    return np.bincount(y.astype(np.int64), minlength=num_classes)


def good_conv_macs(h_out, w_out, k, c_in, c_out):
    if min(h_out, w_out, k, c_in, c_out) <= 0:
        raise ValueError("sizes must be positive")
    return h_out * w_out * k * k * c_in * c_out


def good_model_macs(model):
    return sum(lab08.reference_macs(model).values())


def good_geron(input_shape=(28, 28, 1), num_classes=10):
    return models.geron_fashion_cnn(input_shape, num_classes)


def good_pair(cm):
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError("square matrix expected")
    best, where = -1, None
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            if i != j and cm[i, j] > best:
                best, where = cm[i, j], (i, j)
    return where


def good_gap(train_acc, val_acc):
    t, v = list(train_acc), list(val_acc)
    if not t or len(t) != len(v) or any(not 0 <= a <= 1 for a in t + v):
        raise ValueError("bad accuracies")
    return float(t[-1] - v[-1]), v.index(max(v)) + 1


def good_train(x, y):
    model = keras.Sequential([
        keras.Input(x.shape[1:]),
        layers.Conv2D(32, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(10, activation="softmax"),
    ])  # fmt: skip
    model.compile(keras.optimizers.Adam(2e-3), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=4, batch_size=64, verbose=0)
    return model


GOOD = {
    "class_counts": (lab08.check_class_counts, good_counts),
    "conv_macs": (lab08.check_conv_macs, good_conv_macs),
    "model_macs": (lab08.check_model_macs, good_model_macs),
    "build_geron_cnn": (lab08.check_build_geron_cnn, good_geron),
    "most_confused_pair": (lab08.check_most_confused_pair, good_pair),
    "overfitting_gap": (lab08.check_overfitting_gap, good_gap),
    "train_small_cnn": (lab08.check_train_small_cnn, good_train),
}
HIDDEN = {name: test for name, _, test in hidden.QUESTIONS}
QUICK = [name for name in GOOD if name != "train_small_cnn"]


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


@pytest.fixture(autouse=True)
def fast_mode(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")


def test_solutions_pass(capsys):
    for check, fn in GOOD.values():
        assert "passed" in check(fn)
    assert capsys.readouterr().out.count("✔") == len(GOOD)


def test_hidden_tests_accept_the_solutions():
    assert set(HIDDEN) == set(GOOD)
    for name, (_, fn) in GOOD.items():
        HIDDEN[name](fn)


@pytest.mark.parametrize("name", list(GOOD))
def test_blank_exercise_fails_as_not_implemented(name):
    def not_done(*args, **kwargs):
        raise NotImplementedError

    with pytest.raises(CheckFailed, match="not implemented yet"):
        GOOD[name][0](not_done)
    with pytest.raises(hidden.Failed, match="not implemented"):
        HIDDEN[name](not_done)


@pytest.mark.parametrize("name", QUICK)
def test_always_equal_object_fails(name):
    with pytest.raises(CheckFailed):
        GOOD[name][0](lambda *args, **kwargs: AlwaysEqual())
    with pytest.raises(hidden.Failed):
        HIDDEN[name](lambda *args, **kwargs: AlwaysEqual())


def _both_fail(name, fn, match):
    with pytest.raises(CheckFailed, match=match):
        GOOD[name][0](fn)
    with pytest.raises(hidden.Failed):
        HIDDEN[name](fn)


def test_class_counts_mistakes():
    def only_present(y, num_classes=10):
        good_counts(y, num_classes)
        return np.unique(np.asarray(y), return_counts=True)[1]

    _both_fail("class_counts", only_present, r"(?s)only the classes that occur.*bincount")

    def no_validation(y, num_classes=10):
        return np.bincount(np.asarray(y).astype(np.int64), minlength=num_classes)[:num_classes]

    _both_fail("class_counts", no_validation, "ValueError")


def test_conv_macs_mistakes():
    def k_not_squared(h, w, k, c_in, c_out):
        good_conv_macs(h, w, k, c_in, c_out)
        return h * w * k * c_in * c_out

    _both_fail("conv_macs", k_not_squared, "k² =")

    def no_c_in(h, w, k, c_in, c_out):
        good_conv_macs(h, w, k, c_in, c_out)
        return h * w * k * k * c_out

    _both_fail("conv_macs", no_c_in, "all .* input channels")

    def weights(h, w, k, c_in, c_out):
        good_conv_macs(h, w, k, c_in, c_out)
        return (k * k * c_in + 1) * c_out

    _both_fail("conv_macs", weights, "weight count")


def test_model_macs_mistakes():
    def convs_only(model):
        return sum(v for k, v in lab08.reference_macs(model).items()
                   if type(model.get_layer(k)).__name__ == "Conv2D")  # fmt: skip

    _both_fail("model_macs", convs_only, "convolutions only")

    def params(model):
        return int(model.count_params())

    _both_fail("model_macs", params, "number of weights")

    def input_size(model):  # H_in · W_in instead of H_out · W_out
        total = 0
        for layer in model.layers:
            if type(layer).__name__ == "Conv2D":
                kh, kw = layer.kernel_size
                _, h, w, c_in = layer.input.shape
                total += h * w * kh * kw * c_in * layer.filters
            elif type(layer).__name__ == "Dense":
                total += layer.input.shape[-1] * layer.units
        return total

    _both_fail("model_macs", input_size, "expected")


def _geron_variant(input_shape, num_classes, *, pool=layers.MaxPooling2D, first=64, rate=0.5,
                   padding="same", act="relu"):  # fmt: skip
    conv = dict(padding=padding, activation=act)
    return keras.Sequential([
        keras.Input(input_shape),
        layers.Conv2D(first, 7, **conv), pool(2),
        layers.Conv2D(128, 3, **conv), layers.Conv2D(128, 3, **conv), pool(2),
        layers.Conv2D(256, 3, **conv), layers.Conv2D(256, 3, **conv), pool(2),
        layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dropout(rate),
        layers.Dense(64, activation="relu"), layers.Dropout(rate),
        layers.Dense(num_classes, activation="softmax"),
    ])  # fmt: skip


def test_build_geron_mistakes():
    _both_fail("build_geron_cnn", lambda s=(28, 28, 1), n=10: _geron_variant(s, n, first=32),
               r"(?s)differs from Géron's starting at layer 0.*yours.*expected")  # fmt: skip
    _both_fail("build_geron_cnn",
               lambda s=(28, 28, 1), n=10: _geron_variant(s, n, padding="valid"),
               "raised|differs from Géron's")  # fmt: skip
    _both_fail("build_geron_cnn", lambda s=(28, 28, 1), n=10: _geron_variant(s, n, rate=0.25),
               "dropout rates")  # fmt: skip
    _both_fail("build_geron_cnn",
               lambda s=(28, 28, 1), n=10: _geron_variant(s, n, pool=layers.AveragePooling2D),
               "differs from Géron's|outputs")  # fmt: skip
    _both_fail("build_geron_cnn", lambda s=(28, 28, 1), n=10: _geron_variant(s, n, act="tanh"),
               "outputs")  # fmt: skip


def test_most_confused_pair_mistakes():
    def with_diagonal(cm):
        cm = np.asarray(cm)
        good_pair(cm)
        i, j = np.unravel_index(int(cm.argmax()), cm.shape)
        return int(i), int(j)

    _both_fail("most_confused_pair", with_diagonal, "diagonal")

    def swapped(cm):
        i, j = good_pair(cm)
        return j, i

    _both_fail("most_confused_pair", swapped, "swapped")

    def in_place(cm):
        np.fill_diagonal(cm, -1)
        i, j = np.unravel_index(int(cm.argmax()), cm.shape)
        return int(i), int(j)

    with pytest.raises(CheckFailed, match="changed the matrix"):
        lab08.check_most_confused_pair(in_place)


def test_overfitting_gap_mistakes():
    def zero_based(t, v):
        gap, best = good_gap(t, v)
        return gap, best - 1

    _both_fail("overfitting_gap", zero_based, "numbered from 1")

    def wrong_sign(t, v):
        gap, best = good_gap(t, v)
        return -gap, best

    _both_fail("overfitting_gap", wrong_sign, "wrong sign")

    def max_gap(t, v):
        good_gap(t, v)
        return float(max(t) - max(v)), list(v).index(max(v)) + 1

    _both_fail("overfitting_gap", max_gap, "LAST epoch")


def test_train_small_cnn_mistakes():
    def untrained(x, y):
        return keras.Sequential([keras.Input(x.shape[1:]), layers.Flatten(),
                                 layers.Dense(10, activation="softmax")])  # fmt: skip

    _both_fail("train_small_cnn", untrained, "below the FAST MODE threshold")

    def wrong_output(x, y):
        model = keras.Sequential([keras.Input(x.shape[1:]), layers.Flatten(), layers.Dense(3)])
        return model

    _both_fail("train_small_cnn", wrong_output, r"\(N, 10\)")
