"""Lab 13 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import math

import keras
from keras import layers

from helpers.labs.spec import Mutant


def _positive(*values):
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise ValueError("sizes must be positive whole numbers")


def separable_params(k, c_in, c_out, bias=True):
    _positive(k, c_in, c_out)
    depthwise = k * k * c_in
    pointwise = c_in * c_out + (c_out if bias else 0)
    return depthwise + pointwise


def branch_multiplies(h, w, c_in, k, c_out, reduce=None):
    _positive(h, w, c_in, k, c_out)
    if reduce is None:
        return h * w * c_out * k * k * c_in
    _positive(reduce)
    return h * w * reduce * c_in + h * w * c_out * k * k * reduce


def resnet_sizes(n, stages=4):
    _positive(n, stages)
    size = math.ceil(n / 2)
    sizes = [size]
    size = math.ceil(size / 2)
    sizes.append(size)
    for s in range(stages):
        if s > 0:
            size = math.ceil(size / 2)
        sizes.append(size)
    return sizes


def residual_unit_params(c_in, filters, strides=1):
    _positive(c_in, filters, strides)
    bn = 4 * filters
    total = 3 * 3 * c_in * filters + bn + 3 * 3 * filters * filters + bn
    if strides != 1 or c_in != filters:
        total += c_in * filters + bn
    return total


def _unit(input_shape, filters, strides=1, *, project="auto", stride_at=1, relu_before_add=False,
          final_relu=True, bias=False, proj_bn=True, proj_kernel=1, swap_add=False):  # fmt: skip
    inputs = keras.Input(input_shape)
    x = layers.Conv2D(filters, 3, strides=strides if stride_at == 1 else 1, padding="same",
                      use_bias=bias)(inputs)  # fmt: skip
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Conv2D(filters, 3, strides=strides if stride_at == 2 else 1, padding="same",
                      use_bias=bias)(x)  # fmt: skip
    x = layers.BatchNormalization()(x)
    if relu_before_add:
        x = layers.ReLU()(x)
    needs = strides != 1 or input_shape[-1] != filters
    shortcut = inputs
    if project is True or (project == "auto" and needs):
        shortcut = layers.Conv2D(filters, proj_kernel, strides=strides, padding="same",
                                 use_bias=bias)(inputs)  # fmt: skip
        if proj_bn:
            shortcut = layers.BatchNormalization()(shortcut)
    x = layers.Add()([shortcut, x] if swap_add else [x, shortcut])
    return keras.Model(inputs, layers.ReLU()(x) if final_relu else x)


def residual_unit(input_shape, filters, strides=1):
    return _unit(tuple(input_shape), filters, strides)


SOLUTION = {f.__name__: f for f in (separable_params, branch_multiplies, resnet_sizes,
                                    residual_unit_params, residual_unit)}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def _mutant_unit(**options):
    def build(input_shape, filters, strides=1):
        return _unit(tuple(input_shape), filters, strides, **options)

    return build


def sizes_floor(n, stages=4):
    _positive(n, stages)
    sizes = [n // 2, n // 4]
    for s in range(stages):
        sizes.append(sizes[-1] if s == 0 else sizes[-1] // 2)
    return sizes


MUTANTS = [
    Mutant("separable_params", "depthwise counted as a full conv",
           lambda k, c_in, c_out, bias=True: k * k * c_in * c_out + c_in * c_out
           + (c_out if bias else 0), says="like a full convolution"),
    Mutant("separable_params", "no depthwise weights",
           lambda k, c_in, c_out, bias=True: separable_params(k, c_in, c_out, bias) - k * k * c_in,
           says="depthwise filters are missing"),
    Mutant("separable_params", "bias on the depthwise part",
           lambda k, c_in, c_out, bias=True: separable_params(k, c_in, c_out, bias)
           + (c_in if bias else 0), says="depthwise part as well"),
    Mutant("separable_params", "ignores bias=False",
           lambda k, c_in, c_out, bias=True: separable_params(k, c_in, c_out),
           says="bias=False was ignored"),
    Mutant("separable_params", "no ValueError",
           lambda k, c_in, c_out, bias=True: k * k * c_in + c_in * c_out + (c_out if bias else 0),
           says="ValueError"),
    Mutant("branch_multiplies", "forgets the 1×1 cost",
           lambda h, w, c_in, k, c_out, reduce=None: branch_multiplies(
               h, w, c_in if reduce is None else reduce, k, c_out),
           says="1×1 reduction's own multiplies"),
    Mutant("branch_multiplies", "k×k on the input channels",
           lambda h, w, c_in, k, c_out, reduce=None: branch_multiplies(h, w, c_in, k, c_out)
           + (0 if reduce is None else h * w * reduce * c_in), says="reduced ones"),
    Mutant("branch_multiplies", "k instead of k·k",
           lambda h, w, c_in, k, c_out, reduce=None: h * w * c_out * k * c_in if reduce is None
           else h * w * reduce * c_in + h * w * c_out * k * reduce, says="not k·k"),
    Mutant("branch_multiplies", "ignores reduce",
           lambda h, w, c_in, k, c_out, reduce=None: branch_multiplies(h, w, c_in, k, c_out)),
    Mutant("resnet_sizes", "rounds down", sizes_floor, says="rounds UP"),
    Mutant("resnet_sizes", "every stage halves",
           lambda n, stages=4: resnet_sizes(n, stages)[:2]
           + [math.ceil(resnet_sizes(n, stages)[1] / 2 ** (s + 1)) for s in range(stages)]
           if n > 0 and stages > 0 else resnet_sizes(n, stages)),
    Mutant("resnet_sizes", "forgets stage count",
           lambda n, stages=4: resnet_sizes(n, 4)),
    Mutant("residual_unit_params", "always projects",
           lambda c_in, filters, strides=1: residual_unit_params(c_in, filters, 2),
           says="although the shape does not change"),
    Mutant("residual_unit_params", "never projects",
           lambda c_in, filters, strides=1: residual_unit_params(filters, filters, 1)
           - 9 * filters * filters + 9 * c_in * filters, says="projection"),
    Mutant("residual_unit_params", "projects on stride only",
           lambda c_in, filters, strides=1: residual_unit_params(c_in, filters, strides)
           if strides != 1 else 9 * c_in * filters + 9 * filters * filters + 8 * filters,
           says="number of channels needs a projection"),
    Mutant("residual_unit_params", "BN with 2 per channel",
           lambda c_in, filters, strides=1: residual_unit_params(c_in, filters, strides)
           - 2 * filters * (3 if (strides != 1 or c_in != filters) else 2),
           says="2 numbers per channel"),
    Mutant("residual_unit", "never projects", _mutant_unit(project=False)),
    Mutant("residual_unit", "always projects", _mutant_unit(project=True),
           says="the shortcut is the input itself"),
    Mutant("residual_unit", "stride in the second conv", _mutant_unit(stride_at=2)),
    Mutant("residual_unit", "ReLU before the addition", _mutant_unit(relu_before_add=True)),
    Mutant("residual_unit", "no ReLU after the addition", _mutant_unit(final_relu=False)),
    Mutant("residual_unit", "biases in the convolutions", _mutant_unit(bias=True),
           says="biases"),
    Mutant("residual_unit", "projection without BN", _mutant_unit(proj_bn=False)),
    Mutant("residual_unit", "3×3 projection", _mutant_unit(proj_kernel=3)),
    Mutant("residual_unit", "no Add at all",
           lambda input_shape, filters, strides=1: keras.Model(*_plain(input_shape, filters,
                                                                        strides)),
           says="no Add layer"),
]  # fmt: skip


def _plain(input_shape, filters, strides):
    inputs = keras.Input(tuple(input_shape))
    x = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return inputs, layers.ReLU()(x)
