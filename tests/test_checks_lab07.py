"""Tests of helpers.checks.lab07: solutions pass, typical mistakes fail with a useful message."""

import keras
import numpy as np
import pytest
from keras import layers

from helpers import models, training
from helpers.checks import CheckFailed, lab07
from helpers.grading_tests import lab07 as hidden


def _positive(*values):
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise ValueError("sizes must be positive whole numbers")


def good_conv(k, c_in, c_out, bias=True):
    _positive(k, c_in, c_out)
    return (k * k * c_in + int(bias)) * c_out


def good_dense(n_in, n_out, bias=True):
    _positive(n_in, n_out)
    return (n_in + int(bias)) * n_out


def good_size(n, k, stride=1, padding="valid"):
    if n <= 0 or k <= 0 or stride <= 0 or padding not in ("valid", "same"):
        raise ValueError("bad arguments")
    if padding == "same":
        return -(-n // stride)
    if k > n:
        raise ValueError("filter too large")
    return (n - k) // stride + 1


def good_table(input_shape=(32, 32, 1), num_classes=10):
    h, w, c = input_shape
    for k, s in [(5, 1), (2, 2), (5, 1), (2, 2), (5, 1)]:
        h, w = good_size(h, k, s), good_size(w, k, s)
    return {"c1": good_conv(5, c, 6), "c3": good_conv(5, 6, 16), "c5": good_conv(5, 16, 120),
            "f6": good_dense(h * w * 120, 84), "output": good_dense(84, num_classes)}  # fmt: skip


def good_pad(x):
    x = np.asarray(x)
    if x.shape[1:3] != (28, 28):
        raise ValueError("28×28 only")
    return training.prepare_images(x, pad=2)


def good_build(input_shape=(32, 32, 1), num_classes=10):
    return models.lenet5(input_shape, num_classes)


GOOD = {
    "conv_params": (lab07.check_conv_params, good_conv),
    "dense_params": (lab07.check_dense_params, good_dense),
    "conv_output_size": (lab07.check_conv_output_size, good_size),
    "lenet_param_table": (lab07.check_lenet_param_table, good_table),
    "pad_to_32": (lab07.check_pad_to_32, good_pad),
    "build_lenet5": (lab07.check_build_lenet5, good_build),
}
HIDDEN = {name: test for name, _, test in hidden.QUESTIONS}


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


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


@pytest.mark.parametrize("name", list(GOOD))
def test_always_equal_object_fails(name):
    with pytest.raises(CheckFailed):
        GOOD[name][0](lambda *args, **kwargs: AlwaysEqual())
    with pytest.raises(hidden.Failed):
        HIDDEN[name](lambda *args, **kwargs: AlwaysEqual())


def test_conv_params_mistakes():
    def no_input_channels(k, c_in, c_out, bias=True):
        _positive(k, c_in, c_out)
        return (k * k + int(bias)) * c_out

    with pytest.raises(CheckFailed, match=r"(?s)conv_params\(5, 6, 16\).*6 input channels"):
        lab07.check_conv_params(no_input_channels)
    with pytest.raises(hidden.Failed):
        HIDDEN["conv_params"](no_input_channels)

    def bias_per_weight(k, c_in, c_out, bias=True):
        _positive(k, c_in, c_out)
        return k * k * c_in * c_out * (2 if bias else 1)

    with pytest.raises(CheckFailed, match=r"conv_params\(5, 1, 6\): expected 156, got 300"):
        lab07.check_conv_params(bias_per_weight)

    def ignores_bias_flag(k, c_in, c_out, bias=True):
        return good_conv(k, c_in, c_out)

    with pytest.raises(CheckFailed, match="bias=False"):
        lab07.check_conv_params(ignores_bias_flag)
    with pytest.raises(hidden.Failed, match="bias=False"):
        HIDDEN["conv_params"](ignores_bias_flag)

    def no_validation(k, c_in, c_out, bias=True):
        return (k * k * c_in + int(bias)) * c_out

    with pytest.raises(CheckFailed, match="raise ValueError"):
        lab07.check_conv_params(no_validation)

    def float_result(k, c_in, c_out, bias=True):
        return float(good_conv(k, c_in, c_out, bias))

    with pytest.raises(CheckFailed, match="expected a whole number"):
        lab07.check_conv_params(float_result)
    with pytest.raises(hidden.Failed, match="expected an int"):
        HIDDEN["conv_params"](float_result)


def test_dense_params_mistakes():
    def no_bias(n_in, n_out, bias=True):
        _positive(n_in, n_out)
        return n_in * n_out

    with pytest.raises(CheckFailed, match=r"dense_params\(120, 84\): expected 10164, got 10080"):
        lab07.check_dense_params(no_bias)
    with pytest.raises(hidden.Failed):
        HIDDEN["dense_params"](no_bias)


def test_conv_output_size_mistakes():
    def no_plus_one(n, k, stride=1, padding="valid"):
        good_size(n, k, stride, padding)
        return (n - k) // stride if padding == "valid" else -(-n // stride)

    with pytest.raises(CheckFailed, match=r"(?s)conv_output_size\(32, 5\): expected 28, got 27"):
        lab07.check_conv_output_size(no_plus_one)
    with pytest.raises(hidden.Failed):
        HIDDEN["conv_output_size"](no_plus_one)

    def same_is_valid(n, k, stride=1, padding="valid"):
        return good_size(n, k, stride, "valid" if padding == "same" else padding)

    with pytest.raises(CheckFailed, match=r"padding='same'\): expected 3, got 2"):
        lab07.check_conv_output_size(same_is_valid)

    def no_checks(n, k, stride=1, padding="valid"):
        return max(1, (n - k) // max(stride, 1) + 1) if padding == "valid" else -(-n // stride)

    with pytest.raises(CheckFailed, match="returned instead of raising ValueError"):
        lab07.check_conv_output_size(no_checks)


def test_lenet_param_table_mistakes():
    def forgets_channels(input_shape=(32, 32, 1), num_classes=10):
        table = good_table(input_shape, num_classes)
        table["c1"] = 156
        return table

    with pytest.raises(CheckFailed, match=r"(?s)\(32, 32, 3\)\)\['c1'\]: expected 456, got 156"):
        lab07.check_lenet_param_table(forgets_channels)
    with pytest.raises(hidden.Failed):
        HIDDEN["lenet_param_table"](forgets_channels)

    def fixed_f6(input_shape=(32, 32, 1), num_classes=10):
        table = good_table((32, 32, input_shape[2]), num_classes)
        return table

    with pytest.raises(CheckFailed, match=r"(?s)\['f6'\]: expected .*follow h and w"):
        lab07.check_lenet_param_table(fixed_f6)

    def with_pools(input_shape=(32, 32, 1), num_classes=10):
        t = good_table(input_shape, num_classes)
        return {"c1": t["c1"], "s2": 0, "c3": t["c3"], "s4": 0, "c5": t["c5"], "f6": t["f6"],
                "output": t["output"]}  # fmt: skip

    with pytest.raises(CheckFailed, match="pooling layers have no weights"):
        lab07.check_lenet_param_table(with_pools)


def test_pad_to_32_mistakes():
    def one_side(x):
        x = np.asarray(x)
        if x.dtype != np.uint8 or x.shape[1:3] != (28, 28):
            raise ValueError("bad")
        x = x.reshape(len(x), 28, 28, 1)
        return np.pad(x, ((0, 0), (4, 0), (4, 0), (0, 0))).astype(np.float32) / 255

    with pytest.raises(CheckFailed, match="not centred"):
        lab07.check_pad_to_32(one_side)
    with pytest.raises(hidden.Failed, match="wrong value"):
        HIDDEN["pad_to_32"](one_side)

    def unscaled(x):
        return good_pad(x) * 255

    with pytest.raises(CheckFailed, match="scale them to"):
        lab07.check_pad_to_32(unscaled)

    def no_channel(x):
        return good_pad(x)[..., 0]

    with pytest.raises(CheckFailed, match="channel axis"):
        lab07.check_pad_to_32(no_channel)

    def float64(x):
        return good_pad(x).astype(np.float64)

    with pytest.raises(CheckFailed, match="float32"):
        lab07.check_pad_to_32(float64)
    with pytest.raises(hidden.Failed, match="float32"):
        HIDDEN["pad_to_32"](float64)

    def in_place(x):
        out = good_pad(x)
        x[...] = 0
        return out

    with pytest.raises(CheckFailed, match="changed its input"):
        lab07.check_pad_to_32(in_place)

    def any_size(x):
        x = np.asarray(x)
        if x.dtype != np.uint8:
            raise ValueError("uint8 only")
        if x.ndim == 3:
            x = x[..., None]
        return np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0))).astype(np.float32) / 255

    with pytest.raises(CheckFailed, match="only 28 x 28"):
        lab07.check_pad_to_32(any_size)


def _variant(*, pool=layers.AveragePooling2D, act="tanh", dense_c5=False, padding="valid"):
    def build(input_shape=(32, 32, 1), num_classes=10):
        c5 = ([layers.Flatten(), layers.Dense(120, activation=act)] if dense_c5 else
              [layers.Conv2D(120, 5, activation=act), layers.Flatten()])  # fmt: skip
        return keras.Sequential([
            keras.Input(input_shape),
            layers.Conv2D(6, 5, activation=act, padding=padding), pool(2),
            layers.Conv2D(16, 5, activation=act), pool(2),
            *c5,
            layers.Dense(84, activation=act),
            layers.Dense(num_classes, activation="softmax"),
        ])  # fmt: skip

    return build


def test_build_lenet5_variants_are_told_what_differs():
    with pytest.raises(CheckFailed, match="MaxPooling2D.*AVERAGE"):
        lab07.check_build_lenet5(_variant(pool=layers.MaxPooling2D))
    with pytest.raises(hidden.Failed, match="AveragePooling2D"):
        HIDDEN["build_lenet5"](_variant(pool=layers.MaxPooling2D))

    with pytest.raises(CheckFailed, match="uses ReLU"):
        lab07.check_build_lenet5(_variant(act="relu"))
    with pytest.raises(hidden.Failed, match="different outputs"):
        HIDDEN["build_lenet5"](_variant(act="relu"))

    with pytest.raises(CheckFailed, match="C5 is a Dense"):
        lab07.check_build_lenet5(_variant(dense_c5=True))

    with pytest.raises(CheckFailed, match=r"hold \[156, 2416, 48120, 40404, 850\]"):
        lab07.check_build_lenet5(_variant(padding="same"))  # 16·5·5·6 = 2400 → bigger F6
    with pytest.raises(hidden.Failed, match="weight shapes"):
        HIDDEN["build_lenet5"](_variant(padding="same"))


def test_build_lenet5_other_mistakes():
    def sigmoid_out(input_shape=(32, 32, 1), num_classes=10):
        m = models.lenet5(input_shape, num_classes)
        m.layers[-1].activation = keras.activations.sigmoid
        return m

    with pytest.raises(CheckFailed, match="softmax"):
        lab07.check_build_lenet5(sigmoid_out)
    with pytest.raises(hidden.Failed, match="different outputs"):
        HIDDEN["build_lenet5"](sigmoid_out)

    def ignores_arguments(input_shape=(32, 32, 1), num_classes=10):
        return models.lenet5()

    with pytest.raises(CheckFailed, match="input shape"):
        lab07.check_build_lenet5(ignores_arguments)
    with pytest.raises(hidden.Failed, match="weight shapes"):
        HIDDEN["build_lenet5"](ignores_arguments)

    with pytest.raises(CheckFailed, match="expected a Keras model"):
        lab07.check_build_lenet5(lambda *a: "LeNet-5")
