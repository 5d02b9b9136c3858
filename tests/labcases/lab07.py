"""Lab 07 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import keras
import numpy as np
from keras import layers

from helpers import models, training
from helpers.labs.spec import Mutant


def _positive(*values):
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise ValueError("sizes must be positive whole numbers")


def conv_params(k, c_in, c_out, bias=True):
    _positive(k, c_in, c_out)
    return (k * k * c_in + int(bias)) * c_out


def dense_params(n_in, n_out, bias=True):
    _positive(n_in, n_out)
    return (n_in + int(bias)) * n_out


def conv_output_size(n, k, stride=1, padding="valid"):  # a helper, no longer an exercise
    if n <= 0 or k <= 0 or stride <= 0 or padding not in ("valid", "same"):
        raise ValueError("bad arguments")
    if padding == "same":
        return -(-n // stride)
    if k > n:
        raise ValueError("filter too large")
    return (n - k) // stride + 1


def lenet_param_table(input_shape=(32, 32, 1), num_classes=10):
    h, w, c = input_shape
    for k, s in [(5, 1), (2, 2), (5, 1), (2, 2), (5, 1)]:
        h, w = conv_output_size(h, k, s), conv_output_size(w, k, s)
    return {
        "c1": conv_params(5, c, 6),
        "c3": conv_params(5, 6, 16),
        "c5": conv_params(5, 16, 120),
        "f6": dense_params(h * w * 120, 84),
        "output": dense_params(84, num_classes),
    }


def _c5_side(n, k, stride, padding, size=conv_output_size):
    try:
        m = size(n, k, stride, padding)
        for kk, s in [(2, 2), (5, 1), (2, 2), (5, 1)]:
            m = size(m, kk, s)
    except ValueError:
        return 0
    return m


def choose_c1(n, channels=1, max_weights=1000):
    """The learner's search: every padding, stride and kernel (from the stride up)."""
    for padding in ("valid", "same"):
        for stride in range(1, n + 1):
            for k in range(stride, n + 1):
                if conv_params(k, channels, 6) > max_weights:
                    break
                if _c5_side(n, k, stride, padding) == 1:
                    return (k, stride, padding)
    raise ValueError("no design fits")


def pad_to_32(x):
    x = np.asarray(x)
    if x.shape[1:3] != (28, 28):
        raise ValueError("28×28 only")
    return training.prepare_images(x, pad=2)


def _lenet(input_shape, num_classes, *, pool=layers.AveragePooling2D, act="tanh",
           dense_c5=False, padding="valid", out="softmax"):  # fmt: skip
    c5 = ([layers.Flatten(), layers.Dense(120, activation=act)] if dense_c5 else
          [layers.Conv2D(120, 5, activation=act), layers.Flatten()])  # fmt: skip
    return keras.Sequential([
        keras.Input(input_shape),
        layers.Conv2D(6, 5, activation=act, padding=padding), pool(2),
        layers.Conv2D(16, 5, activation=act), pool(2),
        *c5,
        layers.Dense(84, activation=act),
        layers.Dense(num_classes, activation=out),
    ])  # fmt: skip


def build_lenet5(input_shape=(32, 32, 1), num_classes=10):
    return _lenet(input_shape, num_classes)


SOLUTION = {f.__name__: f for f in (conv_params, dense_params, lenet_param_table, choose_c1,
                                    pad_to_32, build_lenet5)}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def conv_no_input_channels(k, c_in, c_out, bias=True):
    _positive(k, c_in, c_out)
    return (k * k + int(bias)) * c_out


def conv_bias_per_weight(k, c_in, c_out, bias=True):
    _positive(k, c_in, c_out)
    return k * k * c_in * c_out * (2 if bias else 1)


def conv_no_validation(k, c_in, c_out, bias=True):
    return (k * k * c_in + int(bias)) * c_out


def _search(
    n,
    channels,
    max_weights,
    *,
    weights=None,
    size=conv_output_size,
    paddings=None,
    strides=None,
    min_kernel=None,
    target=(1,),
):
    """``choose_c1`` with one reading changed (the mutants below)."""
    weights = weights or (lambda k, c: conv_params(k, c, 6))
    for padding in paddings or ("valid", "same"):
        for stride in strides or range(1, n + 1):
            for k in range((min_kernel or stride), n + 1):
                if weights(k, channels) > max_weights:
                    break
                if _c5_side(n, k, stride, padding, size) in target:
                    return (k, stride, padding)
    raise ValueError("no design fits")


def c1_no_channels(n, channels=1, max_weights=1000):
    return _search(n, channels, max_weights, weights=lambda k, c: (k * k + 1) * 6)


def c1_no_bias(n, channels=1, max_weights=1000):
    return _search(n, channels, max_weights, weights=lambda k, c: k * k * c * 6)


def c1_no_plus_one(n, channels=1, max_weights=1000):
    def size(m, k, stride=1, padding="valid"):
        out = conv_output_size(m, k, stride, padding)
        return out - 1 if padding == "valid" else out

    return _search(n, channels, max_weights, size=size)


def c1_valid_only(n, channels=1, max_weights=1000):
    return _search(n, channels, max_weights, paddings=("valid",))


def c1_stride_one(n, channels=1, max_weights=1000):
    return _search(n, channels, max_weights, strides=(1,))


def c1_skips_pixels(n, channels=1, max_weights=1000):
    return _search(n, channels, max_weights, min_kernel=1)


def c1_ignores_budget(n, channels=1, max_weights=1000):
    return _search(n, channels, 10**9)


def c1_same_rounds_down(n, channels=1, max_weights=1000):
    def size(m, k, stride=1, padding="valid"):
        return m // stride if padding == "same" else conv_output_size(m, k, stride, padding)

    return _search(n, channels, max_weights, size=size)


def c1_no_error(n, channels=1, max_weights=1000):
    try:
        return choose_c1(n, channels, max_weights)
    except ValueError:
        return (5, 1, "valid")


def table_forgets_channels(input_shape=(32, 32, 1), num_classes=10):
    table = lenet_param_table(input_shape, num_classes)
    table["c1"] = 156
    return table


def table_fixed_f6(input_shape=(32, 32, 1), num_classes=10):
    return lenet_param_table((32, 32, input_shape[2]), num_classes)


def table_with_pools(input_shape=(32, 32, 1), num_classes=10):
    t = lenet_param_table(input_shape, num_classes)
    return {"c1": t["c1"], "s2": 0, "c3": t["c3"], "s4": 0, "c5": t["c5"], "f6": t["f6"],
            "output": t["output"]}  # fmt: skip


def table_height_only(input_shape=(32, 32, 1), num_classes=10):
    h, _, c = input_shape
    return lenet_param_table((h, h, c), num_classes)


def table_no_errors(input_shape=(32, 32, 1), num_classes=10):
    h, w, c = input_shape
    h, w = max(h, 32), max(w, 32)
    return lenet_param_table((h, w, c), num_classes)


def table_as_list(input_shape=(32, 32, 1), num_classes=10):
    return list(lenet_param_table(input_shape, num_classes).values())


def pad_one_side(x):
    x = np.asarray(x)
    if x.dtype != np.uint8 or x.shape[1:3] != (28, 28):
        raise ValueError("bad")
    x = x.reshape(len(x), 28, 28, 1)
    return np.pad(x, ((0, 0), (4, 0), (4, 0), (0, 0))).astype(np.float32) / 255


def pad_in_place(x):
    out = pad_to_32(x)
    x[...] = 0
    return out


def pad_any_size(x):
    x = np.asarray(x)
    if x.dtype != np.uint8:
        raise ValueError("uint8 only")
    if x.ndim == 3:
        x = x[..., None]
    return np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0))).astype(np.float32) / 255


def pad_any_dtype(x):
    x = np.asarray(x)
    if x.shape[1:3] != (28, 28):
        raise ValueError("28×28 only")
    if x.ndim == 3:
        x = x[..., None]
    return np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0))).astype(np.float32) / 255


def lenet_sigmoid_out(input_shape=(32, 32, 1), num_classes=10):
    return _lenet(input_shape, num_classes, out="sigmoid")


def lenet_ignores_arguments(input_shape=(32, 32, 1), num_classes=10):
    return models.lenet5()


def lenet_no_input(input_shape=(32, 32, 1), num_classes=10):
    model = _lenet(input_shape, num_classes)
    return keras.Sequential(model.layers)


def conv_k_not_squared(k, c_in, c_out, bias=True):
    _positive(k, c_in, c_out)
    return (k * c_in + int(bias)) * c_out


def dense_no_bias(n_in, n_out, bias=True):
    _positive(n_in, n_out)
    return n_in * n_out


MUTANTS = [
    Mutant(
        "conv_params",
        "forgets the input channels",
        conv_no_input_channels,
        says="input channels are missing",
    ),
    Mutant("conv_params", "a bias per weight", conv_bias_per_weight),
    Mutant(
        "conv_params",
        "ignores bias=False",
        lambda k, c_in, c_out, bias=True: conv_params(k, c_in, c_out),
        says="bias=False was ignored",
    ),
    Mutant(
        "conv_params", "no ValueError", conv_no_validation, says="instead of raising ValueError"
    ),
    Mutant(
        "conv_params",
        "returns a float",
        lambda k, c_in, c_out, bias=True: float(conv_params(k, c_in, c_out, bias)),
        says="whole number",
    ),
    Mutant("conv_params", "k * c_in instead of k * k * c_in", conv_k_not_squared),
    Mutant("dense_params", "no bias", dense_no_bias, says="biases are missing"),
    Mutant(
        "dense_params",
        "ignores bias=False",
        lambda n_in, n_out, bias=True: dense_params(n_in, n_out),
        says="bias=False was ignored",
    ),
    Mutant(
        "dense_params",
        "no ValueError",
        lambda n_in, n_out, bias=True: (n_in + int(bias)) * n_out,
        says="instead of raising ValueError",
    ),
    Mutant("choose_c1", "C1's weights without the channels", c1_no_channels),
    Mutant("choose_c1", "C1's weights without the biases", c1_no_bias),
    Mutant("choose_c1", "valid size without + 1", c1_no_plus_one),
    Mutant("choose_c1", "never tries 'same'", c1_valid_only),
    Mutant("choose_c1", "stride 1 only", c1_stride_one),
    Mutant("choose_c1", "stride larger than the kernel", c1_skips_pixels, says="skips pixels"),
    Mutant("choose_c1", "ignores the budget", c1_ignores_budget, says="over the budget"),
    Mutant("choose_c1", "'same' rounds down", c1_same_rounds_down),
    Mutant("choose_c1", "a default design instead of ValueError", c1_no_error),
    Mutant(
        "lenet_param_table",
        "C1 ignores the channels",
        table_forgets_channels,
        says="C1 sees the input's channels",
    ),
    Mutant("lenet_param_table", "F6 as on 32×32", table_fixed_f6, says="follow h and w"),
    Mutant(
        "lenet_param_table",
        "lists the pooling layers",
        table_with_pools,
        says="pooling layers have no weights",
    ),
    Mutant("lenet_param_table", "follows the height only", table_height_only),
    Mutant(
        "lenet_param_table",
        "no ValueError for small images",
        table_no_errors,
        says="instead of raising ValueError",
    ),
    Mutant("lenet_param_table", "returns a list", table_as_list, says="expected a dict"),
    Mutant("pad_to_32", "pads 4 pixels on one side", pad_one_side, says="not centred"),
    Mutant("pad_to_32", "not scaled", lambda x: pad_to_32(x) * 255, says="scale them to"),
    Mutant("pad_to_32", "no channel axis", lambda x: pad_to_32(x)[..., 0], says="channel axis"),
    Mutant("pad_to_32", "float64", lambda x: pad_to_32(x).astype(np.float64), says="float32"),
    Mutant("pad_to_32", "changes its input", pad_in_place, says="changed its input"),
    Mutant("pad_to_32", "pads any size", pad_any_size, says="instead of raising ValueError"),
    Mutant("pad_to_32", "accepts any dtype", pad_any_dtype, says="instead of raising ValueError"),
    Mutant(
        "build_lenet5",
        "max pooling",
        lambda s=(32, 32, 1), n=10: _lenet(s, n, pool=layers.MaxPooling2D),
        says="AVERAGE",
    ),
    Mutant(
        "build_lenet5",
        "ReLU",
        lambda s=(32, 32, 1), n=10: _lenet(s, n, act="relu"),
        says="uses ReLU",
    ),
    Mutant(
        "build_lenet5",
        "C5 as Dense after Flatten",
        lambda s=(32, 32, 1), n=10: _lenet(s, n, dense_c5=True),
        says="C5 is a Dense",
    ),
    Mutant(
        "build_lenet5",
        "'same' padding in C1",
        lambda s=(32, 32, 1), n=10: _lenet(s, n, padding="same"),
        says="the layers with weights hold",
    ),
    Mutant("build_lenet5", "sigmoid output", lenet_sigmoid_out, says="softmax"),
    Mutant("build_lenet5", "ignores its arguments", lenet_ignores_arguments, says="input shape"),
    Mutant("build_lenet5", "no Input layer", lenet_no_input, says="no defined input"),
    Mutant("build_lenet5", "returns a string", lambda *a: "LeNet-5", says="expected a Keras model"),
]
