"""Tests of helpers.checks.lab09: solutions pass, typical mistakes fail with a useful message."""

import keras
import numpy as np
import pytest
from keras import layers

from helpers import ensemble
from helpers.checks import CheckFailed, lab09
from helpers.grading_tests import lab09 as hidden


def good_gap(history):
    h = getattr(history, "history", history)
    if "val_accuracy" not in h:
        raise ValueError("no validation accuracy")
    return h["accuracy"][-1] - h["val_accuracy"][-1]


def good_conv(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


def good_sep(k, c_in, c_out, depth_multiplier=1):
    mid = c_in * depth_multiplier
    return k * k * mid + mid * c_out + c_out


def good_cnn(input_shape=(32, 32, 3), num_classes=10):
    """The seed's spelling: separate Activation layers."""
    return keras.Sequential([
        keras.Input(input_shape),
        layers.Conv2D(32, (3, 3), padding="same"), layers.Activation("relu"),
        layers.Conv2D(32, (3, 3)), layers.Activation("relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, (3, 3), padding="same"), layers.Activation("relu"),
        layers.Conv2D(64, (3, 3)), layers.Activation("relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dense(512), layers.Activation("relu"),
        layers.Dense(num_classes), layers.Activation("softmax"),
    ])  # fmt: skip


def good_ensemble(prob_list):
    return ensemble.ensemble_predict(prob_list)


def good_per_class(y_true, y_pred, n):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError("lengths differ")
    cm = np.zeros((n, n))
    np.add.at(cm, (y_true, y_pred), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return cm.diagonal() / cm.sum(axis=1)


GOOD = {
    "overfitting_gap": (lab09.check_overfitting_gap, good_gap),
    "conv_params": (lab09.check_conv_params, good_conv),
    "separable_params": (lab09.check_separable_params, good_sep),
    "build_baseline_cnn": (lab09.check_build_baseline_cnn, good_cnn),
    "ensemble_predict": (lab09.check_ensemble_predict, good_ensemble),
    "per_class_accuracy": (lab09.check_per_class_accuracy, good_per_class),
}


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return 0

    __rsub__ = __sub__
    __hash__ = object.__hash__


def test_solutions_pass(capsys):
    for check, fn in GOOD.values():
        assert "passed" in check(fn)
    assert capsys.readouterr().out.count("✔") == len(GOOD)


def test_hidden_tests_accept_the_solutions():
    tests = {name: test for name, _, test in hidden.QUESTIONS}
    assert set(tests) == set(GOOD)
    for name, (_, fn) in GOOD.items():
        tests[name](fn)


@pytest.mark.parametrize("name", list(GOOD))
def test_blank_exercise_fails_as_not_implemented(name):
    def not_done(*args, **kwargs):
        raise NotImplementedError

    with pytest.raises(CheckFailed, match="not implemented yet"):
        GOOD[name][0](not_done)
    with pytest.raises(hidden.Failed):
        dict((n, t) for n, _, t in hidden.QUESTIONS)[name](not_done)


@pytest.mark.parametrize("name", list(GOOD))
def test_always_equal_object_fails(name):
    with pytest.raises(CheckFailed):
        GOOD[name][0](lambda *args, **kwargs: AlwaysEqual())
    with pytest.raises(hidden.Failed):
        dict((n, t) for n, _, t in hidden.QUESTIONS)[name](lambda *a, **k: AlwaysEqual())


def both_fail(name, fn, match):
    with pytest.raises(CheckFailed, match=match):
        GOOD[name][0](fn)
    with pytest.raises(hidden.Failed):
        dict((n, t) for n, _, t in hidden.QUESTIONS)[name](fn)


def test_gap_mistakes():
    def flipped(history):
        return -good_gap(history)

    both_fail("overfitting_gap", flipped, "sign is flipped")

    def best_epochs(history):
        h = getattr(history, "history", history)
        return max(h["accuracy"]) - max(h["val_accuracy"])

    both_fail("overfitting_gap", best_epochs, "not the best one")

    def dict_only(history):
        return history["accuracy"][-1] - history["val_accuracy"][-1]

    both_fail("overfitting_gap", dict_only, r"\.history")

    def no_validation_check(history):
        h = getattr(history, "history", history)
        return h["accuracy"][-1] - h.get("val_accuracy", [0])[-1]

    with pytest.raises(CheckFailed, match="raise ValueError"):
        lab09.check_overfitting_gap(no_validation_check)


def test_param_count_mistakes():
    both_fail("conv_params", lambda k, c_in, c_out: k * k * c_in * c_out, r"expected 896, got 864")
    both_fail("conv_params", lambda k, c_in, c_out: k * k * c_out + c_out, "c_in")

    def standard(k, c_in, c_out, depth_multiplier=1):
        return good_conv(k, c_in, c_out)

    both_fail("separable_params", standard, "standard Conv2D")

    def no_multiplier(k, c_in, c_out, depth_multiplier=1):
        return good_sep(k, c_in, c_out)

    both_fail("separable_params", no_multiplier, "depth_multiplier=2")

    def depthwise_bias(k, c_in, c_out, depth_multiplier=1):
        return good_sep(k, c_in, c_out, depth_multiplier) + c_in * depth_multiplier

    both_fail("separable_params", depthwise_bias, "expected 2400, got 2432")


def test_cnn_mistakes():
    def all_same(input_shape=(32, 32, 3), num_classes=10):
        return keras.Sequential([
            keras.Input(input_shape),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(), layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.Conv2D(64, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
            layers.Flatten(), layers.Dense(512, activation="relu"),
            layers.Dense(num_classes, activation="softmax"),
        ])  # fmt: skip

    both_fail("build_baseline_cnn", all_same, r"layer 2 \(Conv2D\): expected output shape")

    def no_softmax(input_shape=(32, 32, 3), num_classes=10):
        model = good_cnn(input_shape, num_classes)
        return keras.Sequential(model.layers[:-1])

    both_fail("build_baseline_cnn", no_softmax, "softmax")

    def fixed_classes(input_shape=(32, 32, 3), num_classes=10):
        return good_cnn(input_shape, 10)

    both_fail("build_baseline_cnn", fixed_classes, r"num_classes=5")

    def with_dropout(input_shape=(32, 32, 3), num_classes=10):
        model = good_cnn(input_shape, num_classes)
        return keras.Sequential([keras.Input(input_shape), *model.layers[:-3],
                                 layers.Dropout(0.5), *model.layers[-3:]])  # fmt: skip

    both_fail("build_baseline_cnn", with_dropout, "the layers")

    def not_built(input_shape=(32, 32, 3), num_classes=10):
        return keras.Sequential([layers.Conv2D(32, 3, padding="same", activation="relu")])

    both_fail("build_baseline_cnn", not_built, "not built")

    both_fail("build_baseline_cnn", lambda **kw: "a model", "expected a keras Model")


def test_ensemble_mistakes():
    def majority(prob_list):
        return ensemble.majority_vote(prob_list)

    both_fail("ensemble_predict", majority, "majority vote")

    def returns_average(prob_list):
        return ensemble.average_probabilities(prob_list)

    both_fail("ensemble_predict", returns_average, "expected shape")

    def first_model(prob_list):
        if not prob_list:
            raise ValueError
        return np.asarray(prob_list[0]).argmax(axis=1)

    both_fail("ensemble_predict", first_model, "wrong values|majority")

    def in_place(prob_list):
        if not prob_list:
            raise ValueError
        total = prob_list[0]
        for p in prob_list[1:]:
            total += p  # mutates the first array
        return total.argmax(axis=1)

    with pytest.raises(CheckFailed, match="changed the arrays|raise ValueError"):
        lab09.check_ensemble_predict(in_place)


def test_per_class_mistakes():
    def precision(y_true, y_pred, n):
        return good_per_class(y_pred, y_true, n)  # per predicted class: that is precision

    both_fail("per_class_accuracy", precision, "wrong values|NaN")

    def zeros_for_missing(y_true, y_pred, n):
        return np.nan_to_num(good_per_class(y_true, y_pred, n))

    both_fail("per_class_accuracy", zeros_for_missing, "NaN expected")

    def as_list(y_true, y_pred, n):
        return good_per_class(y_true, y_pred, n).tolist()

    both_fail("per_class_accuracy", as_list, "expected a NumPy array")

    def overall(y_true, y_pred, n):
        acc = np.mean(np.asarray(y_true) == np.asarray(y_pred))
        return np.full(n, acc)

    both_fail("per_class_accuracy", overall, "NaN|wrong values")
