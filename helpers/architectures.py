"""Classic CNN architectures rebuilt from Keras layers, and the arithmetic behind them (chapter 13).

Whole models (uncompiled; functional or ``Sequential``; stable layer names):

- :func:`alexnet`: one-tower AlexNet, 5 convolutions + 3 dense layers, ReLU, dropout 0.5;
  62,378,344 weights on 227×227×3 (the "60 million"), 3,747,200 of them in the convolutions.
- :func:`vgg` (``depth=16`` or ``19``), :func:`vgg16`: the VGG family, same layers and
  weights as ``keras.applications.VGG16/VGG19``: 138,357,544 and 143,667,240 weights.
- :func:`little_vgg`: the seed's "LittleVGG"/VGG9 on 32×32×3, 20 classes, batch
  normalization after every convolution and hidden dense layer: 2,270,804 weights.
- :func:`resnet34` (basic residual units 3, 4, 6, 3) and :func:`resnet50` (bottleneck units
  3, 4, 6, 3; the same number of weights as ``keras.applications.ResNet50``: 25,636,712).
- :func:`mobilenet`: MobileNet v1 from depthwise-separable blocks (the same number of weights
  as ``keras.applications.MobileNet``: 4,253,864).
- :func:`xception_entry_flow`: Xception's entry flow (stem + three entry blocks).
- :func:`plain_net` / :func:`residual_net`: the pair of chapter 13's degradation experiment:
  the same convolutions, with or without shortcuts.

Building blocks, each a function ``tensor -> tensor`` (Keras functional API):
:func:`inception_module`, :func:`residual_unit` (identity or projection shortcut),
:func:`bottleneck_unit`, :func:`depthwise_separable_block`, :func:`xception_entry_block`.
:func:`block_model` wraps one block into a small model (to count or draw it).

Arithmetic (plain Python ints, defined in :mod:`helpers.layer_math` and re-exported here):
:func:`conv_params`, :func:`dense_params`, :func:`conv_multiplies`, :func:`separable_params`,
:func:`separable_cost_ratio`, :func:`inception_branch_multiplies`, :func:`stack_weights`,
:func:`output_size`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# The arithmetic lives in helpers.layer_math (one home for every chapter); chapter 13 reads it here.
from .layer_math import (
    _pos,  # the same check of positive whole numbers
    conv_multiplies,
    conv_params,
    dense_params,
    inception_branch_multiplies,
    output_size,
    separable_cost_ratio,
    separable_params,
    stack_weights,
)

__all__ = [
    "conv_params",
    "dense_params",
    "conv_multiplies",
    "separable_params",
    "separable_cost_ratio",
    "inception_branch_multiplies",
    "stack_weights",
    "output_size",
    "alexnet",
    "vgg",
    "vgg16",
    "little_vgg",
    "inception_module",
    "residual_unit",
    "bottleneck_unit",
    "resnet34",
    "resnet50",
    "depthwise_separable_block",
    "mobilenet",
    "xception_entry_block",
    "xception_entry_flow",
    "plain_net",
    "residual_net",
    "block_model",
    "VGG_CONFIGS",
    "RESNET34_UNITS",
]

#: Convolutions per stage (filters 64, 128, 256, 512, 512) of VGG16 and VGG19.
VGG_CONFIGS = {16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}
#: Residual units per stage of ResNet-34 and ResNet-50 (filters 64, 128, 256, 512).
RESNET34_UNITS = (3, 4, 6, 3)


# --------------------------------------------------------------------------- checks


def _shape(input_shape: Sequence[int], caller: str) -> tuple[int, int, int]:
    shape = tuple(input_shape)
    if len(shape) != 3 or not all(isinstance(s, int) and s > 0 for s in shape):
        raise ValueError(
            f"{caller}(): input_shape must be (height, width, channels) of positive whole "
            f"numbers, e.g. (32, 32, 3); got {input_shape!r}"
        )
    return shape


# --------------------------------------------------------------------------- whole models


def alexnet(input_shape=(227, 227, 3), num_classes: int = 1000, *, dropout: float = 0.5):
    """AlexNet on one tower: 5 convolutions (96 11×11 /4, 256 5×5, 384, 384, 256 3×3) with
    3×3/2 max pooling after the 1st, 2nd and 5th, then 4096 → 4096 → ``num_classes`` dense
    layers with dropout; ReLU everywhere, softmax at the end. The original's local response
    normalisation and its split over two GPUs are left out (neither holds weights)."""
    import keras
    from keras import layers

    shape = _shape(input_shape, "alexnet")
    _pos("alexnet", num_classes=num_classes)

    def conv(f, k, name, s=1, pad="same"):
        return layers.Conv2D(f, k, strides=s, padding=pad, activation="relu", name=name)

    return keras.Sequential(
        [
            keras.Input(shape),
            conv(96, 11, "conv1", s=4, pad="valid"),
            layers.MaxPooling2D(3, 2, name="pool1"),
            conv(256, 5, "conv2"),
            layers.MaxPooling2D(3, 2, name="pool2"),
            conv(384, 3, "conv3"),
            conv(384, 3, "conv4"),
            conv(256, 3, "conv5"),
            layers.MaxPooling2D(3, 2, name="pool5"),
            layers.Flatten(name="flatten"),
            layers.Dense(4096, activation="relu", name="fc6"),
            layers.Dropout(dropout, name="drop6"),
            layers.Dense(4096, activation="relu", name="fc7"),
            layers.Dropout(dropout, name="drop7"),
            layers.Dense(num_classes, activation="softmax", name="fc8"),
        ],
        name="alexnet",
    )


def vgg(depth: int = 16, input_shape=(224, 224, 3), num_classes: int = 1000):
    """VGG16 (``depth=16``) or VGG19: five stages of 3×3 'same' ReLU convolutions (64, 128,
    256, 512, 512 filters; :data:`VGG_CONFIGS` per stage), each closed by 2×2/2 max pooling,
    then Flatten → 4096 → 4096 → ``num_classes`` softmax. Layer names follow
    ``keras.applications`` (``block1_conv1`` … ``fc1``, ``fc2``, ``predictions``)."""
    import keras
    from keras import layers

    if depth not in VGG_CONFIGS:
        raise ValueError(f"vgg(): depth must be 16 or 19, got {depth!r}")
    shape = _shape(input_shape, "vgg")
    _pos("vgg", num_classes=num_classes)
    stack: list[Any] = [keras.Input(shape)]
    for b, (n, f) in enumerate(zip(VGG_CONFIGS[depth], (64, 128, 256, 512, 512), strict=True), 1):
        for i in range(1, n + 1):
            stack.append(
                layers.Conv2D(f, 3, padding="same", activation="relu", name=f"block{b}_conv{i}")
            )
        stack.append(layers.MaxPooling2D(2, 2, name=f"block{b}_pool"))
    stack += [
        layers.Flatten(name="flatten"),
        layers.Dense(4096, activation="relu", name="fc1"),
        layers.Dense(4096, activation="relu", name="fc2"),
        layers.Dense(num_classes, activation="softmax", name="predictions"),
    ]
    return keras.Sequential(stack, name=f"vgg{depth}")


def vgg16(input_shape=(224, 224, 3), num_classes: int = 1000):
    """:func:`vgg` with ``depth=16``: 138,357,544 weights on 224×224×3 with 1000 classes."""
    return vgg(16, input_shape, num_classes)


def little_vgg(input_shape=(32, 32, 3), num_classes: int = 20):
    """The seed's LittleVGG ("VGG9"): 9 weight layers.

    Three stages of two 3×3 'same' convolutions (64, 128, 256 filters), each convolution
    followed by batch normalization and ReLU, each stage by 2×2 max pooling; then Flatten →
    Dense 256 → BN → Dense 256 → BN → ``num_classes`` softmax. On 32×32×3 with 20 classes:
    1,145,408 convolution + 1,119,764 dense + 5,632 batch-norm = 2,270,804 weights.
    """
    import keras
    from keras import layers

    shape = _shape(input_shape, "little_vgg")
    _pos("little_vgg", num_classes=num_classes)
    stack: list[Any] = [keras.Input(shape)]
    for b, f in enumerate((64, 128, 256), 1):
        for i in (1, 2):
            name = f"block{b}_conv{i}"
            stack += [
                layers.Conv2D(f, 3, padding="same", name=name),
                layers.BatchNormalization(name=f"{name}_bn"),
                layers.ReLU(name=f"{name}_relu"),
            ]
        stack.append(layers.MaxPooling2D(2, name=f"block{b}_pool"))
    stack.append(layers.Flatten(name="flatten"))
    for i in (1, 2):
        stack += [
            layers.Dense(256, name=f"fc{i}"),
            layers.BatchNormalization(name=f"fc{i}_bn"),
            layers.ReLU(name=f"fc{i}_relu"),
        ]
    stack.append(layers.Dense(num_classes, activation="softmax", name="predictions"))
    return keras.Sequential(stack, name="little_vgg")


# --------------------------------------------------------------------------- blocks


def _conv_bn(x, filters, kernel, strides=1, *, name, relu=True, use_bias=False, momentum=0.99):
    from keras import layers

    x = layers.Conv2D(
        filters, kernel, strides=strides, padding="same", use_bias=use_bias, name=name
    )(x)
    x = layers.BatchNormalization(momentum=momentum, name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x) if relu else x


def inception_module(
    x,
    f1: int = 64,
    f3_reduce: int = 96,
    f3: int = 128,
    f5_reduce: int = 16,
    f5: int = 32,
    pool_proj: int = 32,
    *,
    name: str = "inception",
):
    """GoogLeNet's Inception module: four parallel branches concatenated along channels.

    1×1 (``f1``) | 1×1 (``f3_reduce``) → 3×3 (``f3``) | 1×1 (``f5_reduce``) → 5×5 (``f5``) |
    3×3/1 max pool → 1×1 (``pool_proj``); all 'same', ReLU. The defaults are module 3a
    (28×28×192 in, 64 + 128 + 32 + 32 = 256 channels out). The 1×1 "reduce" convolutions
    are the bottlenecks that make the 3×3 and 5×5 branches cheap.
    """
    from keras import layers

    _pos("inception_module", f1=f1, f3_reduce=f3_reduce, f3=f3, f5_reduce=f5_reduce, f5=f5,
         pool_proj=pool_proj)  # fmt: skip

    def conv(t, f, k, suffix):
        return layers.Conv2D(f, k, padding="same", activation="relu", name=f"{name}_{suffix}")(t)

    b1 = conv(x, f1, 1, "1x1")
    b3 = conv(conv(x, f3_reduce, 1, "3x3_reduce"), f3, 3, "3x3")
    b5 = conv(conv(x, f5_reduce, 1, "5x5_reduce"), f5, 5, "5x5")
    bp = layers.MaxPooling2D(3, 1, padding="same", name=f"{name}_pool")(x)
    bp = conv(bp, pool_proj, 1, "pool_proj")
    return layers.Concatenate(name=f"{name}_concat")([b1, b3, b5, bp])


def residual_unit(
    x,
    filters: int,
    strides: int = 1,
    *,
    name: str = "res",
    use_bias: bool = False,
    bn_momentum: float = 0.99,
):
    """A ResNet basic residual unit: ``ReLU(F(x) + shortcut(x))``.

    F: 3×3 conv (stride ``strides``) → BN → ReLU → 3×3 conv → BN. The shortcut is the input
    itself (identity) when the shape is unchanged, else a *projection*: a 1×1 convolution
    with the same stride, then BN, so that the two can be added. Convolutions have no bias
    unless ``use_bias``; ``bn_momentum`` is the batch normalizations' momentum.
    """
    from keras import layers

    _pos("residual_unit", filters=filters, strides=strides)
    kw = {"use_bias": use_bias, "momentum": bn_momentum}
    y = _conv_bn(x, filters, 3, strides, name=f"{name}_conv1", **kw)
    y = _conv_bn(y, filters, 3, name=f"{name}_conv2", relu=False, **kw)
    shortcut = x
    if strides != 1 or x.shape[-1] != filters:
        shortcut = _conv_bn(x, filters, 1, strides, name=f"{name}_proj", relu=False, **kw)
    y = layers.Add(name=f"{name}_add")([y, shortcut])
    return layers.ReLU(name=f"{name}_out")(y)


def bottleneck_unit(x, filters: int, strides: int = 1, *, name: str = "bneck", use_bias=False):
    """A ResNet-50 bottleneck unit: 1×1 (``filters``, stride) → 3×3 (``filters``) → 1×1
    (``4·filters``), BN after each, ReLU after the first two; projection shortcut (1×1,
    stride, BN) when the shape changes; add; ReLU. The 1×1s shrink then restore the channels
    so the 3×3 works on a quarter of them."""
    from keras import layers

    _pos("bottleneck_unit", filters=filters, strides=strides)
    out = 4 * filters
    y = _conv_bn(x, filters, 1, strides, name=f"{name}_conv1", use_bias=use_bias)
    y = _conv_bn(y, filters, 3, name=f"{name}_conv2", use_bias=use_bias)
    y = _conv_bn(y, out, 1, name=f"{name}_conv3", relu=False, use_bias=use_bias)
    shortcut = x
    if strides != 1 or x.shape[-1] != out:
        shortcut = _conv_bn(x, out, 1, strides, name=f"{name}_proj", relu=False,
                            use_bias=use_bias)  # fmt: skip
    y = layers.Add(name=f"{name}_add")([y, shortcut])
    return layers.ReLU(name=f"{name}_out")(y)


def _resnet(input_shape, num_classes, unit: Callable, units, widths, use_bias, name):
    import keras
    from keras import layers

    inputs = keras.Input(_shape(input_shape, name))
    _pos(name, num_classes=num_classes)
    x = _conv_bn(inputs, 64, 7, 2, name="stem", use_bias=use_bias)
    x = layers.MaxPooling2D(3, 2, padding="same", name="stem_pool")(x)
    for s, (n, f) in enumerate(zip(units, widths, strict=True), 1):
        for i in range(1, n + 1):
            strides = 2 if (i == 1 and s > 1) else 1
            x = unit(x, f, strides, name=f"stage{s}_unit{i}", use_bias=use_bias)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def resnet34(input_shape=(224, 224, 3), num_classes: int = 1000):
    """ResNet-34: a 7×7/2 stem and 3×3/2 max pool, then 3, 4, 6 and 3 basic
    :func:`residual_unit` s of 64, 128, 256, 512 filters (the first unit of stages 2–4 halves
    the size with a projection shortcut), global average pooling and a softmax layer.
    1 + 2·16 convolutions + 1 dense = 34 weight layers (projections not counted)."""
    return _resnet(input_shape, num_classes, residual_unit, RESNET34_UNITS,
                   (64, 128, 256, 512), False, "resnet34")  # fmt: skip


def resnet50(input_shape=(224, 224, 3), num_classes: int = 1000):
    """ResNet-50: like :func:`resnet34` with 3, 4, 6, 3 :func:`bottleneck_unit` s (outputs
    256, 512, 1024, 2048 channels). Convolutions keep their biases, as in
    ``keras.applications.ResNet50``, so the weights add up to the same 25,636,712."""
    return _resnet(input_shape, num_classes, bottleneck_unit, RESNET34_UNITS,
                   (64, 128, 256, 512), True, "resnet50")  # fmt: skip


def depthwise_separable_block(x, filters: int, strides: int = 1, *, name: str = "dws"):
    """MobileNet's block: 3×3 depthwise convolution (one filter per channel, stride
    ``strides``) → BN → ReLU, then 1×1 pointwise convolution to ``filters`` → BN → ReLU.
    No biases (batch norm shifts). Weights: ``9·c_in + c_in·filters`` + 4 per BN channel."""
    from keras import layers

    _pos("depthwise_separable_block", filters=filters, strides=strides)
    x = layers.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=False,
                               name=f"{name}_dw")(x)  # fmt: skip
    x = layers.BatchNormalization(name=f"{name}_dw_bn")(x)
    x = layers.ReLU(name=f"{name}_dw_relu")(x)
    return _conv_bn(x, filters, 1, name=f"{name}_pw")


#: MobileNet v1's 13 depthwise-separable blocks: (filters, stride).
_MOBILENET_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
                     *([(512, 1)] * 5), (1024, 2), (1024, 1))  # fmt: skip


def mobilenet(input_shape=(224, 224, 3), num_classes: int = 1000):
    """MobileNet v1 (width 1): a 3×3/2 convolution of 32, then 13
    :func:`depthwise_separable_block` s (64 … 1024 filters), global average pooling and a
    softmax layer: 4,253,864 weights, as ``keras.applications.MobileNet``."""
    import keras
    from keras import layers

    inputs = keras.Input(_shape(input_shape, "mobilenet"))
    _pos("mobilenet", num_classes=num_classes)
    x = _conv_bn(inputs, 32, 3, 2, name="stem")
    for i, (f, s) in enumerate(_MOBILENET_BLOCKS, 1):
        x = depthwise_separable_block(x, f, s, name=f"block{i}")
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="mobilenet")


def xception_entry_block(x, filters: int, *, relu_first: bool = True, name: str = "entry"):
    """An Xception entry-flow block: [ReLU] → 3×3 separable conv → BN → ReLU → 3×3 separable
    conv → BN → 3×3/2 max pool, added to a 1×1/2 convolution + BN of the input (a projection
    shortcut). ``relu_first=False`` for the first block (its input already went through a
    ReLU). Separable convolutions have no bias, as in Xception."""
    from keras import layers

    _pos("xception_entry_block", filters=filters)
    shortcut = layers.Conv2D(filters, 1, strides=2, padding="same", use_bias=False,
                             name=f"{name}_proj")(x)  # fmt: skip
    shortcut = layers.BatchNormalization(name=f"{name}_proj_bn")(shortcut)
    y = layers.ReLU(name=f"{name}_relu1")(x) if relu_first else x
    y = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False,
                               name=f"{name}_sep1")(y)  # fmt: skip
    y = layers.BatchNormalization(name=f"{name}_sep1_bn")(y)
    y = layers.ReLU(name=f"{name}_relu2")(y)
    y = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False,
                               name=f"{name}_sep2")(y)  # fmt: skip
    y = layers.BatchNormalization(name=f"{name}_sep2_bn")(y)
    y = layers.MaxPooling2D(3, 2, padding="same", name=f"{name}_pool")(y)
    return layers.Add(name=f"{name}_add")([y, shortcut])


def xception_entry_flow(input_shape=(299, 299, 3)):
    """Xception's entry flow: 3×3/2 conv 32 and 3×3 conv 64 (valid, BN, ReLU), then entry
    blocks of 128, 256 and 728 filters; output 19×19×728 on 299×299×3. Its weights equal
    those of ``keras.applications.Xception`` up to the third shortcut addition."""
    import keras
    from keras import layers

    inputs = keras.Input(_shape(input_shape, "xception_entry_flow"))
    x = inputs
    for i, f in enumerate((32, 64), 1):
        x = layers.Conv2D(f, 3, strides=2 if i == 1 else 1, use_bias=False, name=f"stem{i}")(x)
        x = layers.BatchNormalization(name=f"stem{i}_bn")(x)
        x = layers.ReLU(name=f"stem{i}_relu")(x)
    for i, f in enumerate((128, 256, 728), 1):
        x = xception_entry_block(x, f, relu_first=i > 1, name=f"entry{i}")
    return keras.Model(inputs, x, name="xception_entry_flow")


# --------------------------------------------------------------------------- degradation pair


def _deep_net(input_shape, num_classes, depth, widths, residual: bool, name: str, momentum):
    import keras
    from keras import layers

    shape = _shape(input_shape, name)
    _pos(name, num_classes=num_classes, depth=depth)
    if (depth - 2) % (2 * len(widths)) or depth < 2 + 2 * len(widths):
        raise ValueError(
            f"{name}(): depth must be 2 + 2·{len(widths)}·n (n units of two convolutions per "
            f"stage, plus the first convolution and the dense layer), e.g. 20, 32, 44, 56; "
            f"got {depth!r}"
        )
    per_stage = (depth - 2) // (2 * len(widths))
    inputs = keras.Input(shape)
    x = _conv_bn(inputs, widths[0], 3, name="stem", momentum=momentum)
    for s, f in enumerate(widths, 1):
        for i in range(1, per_stage + 1):
            strides = 2 if (i == 1 and s > 1) else 1
            unit = f"stage{s}_unit{i}"
            if residual:
                x = residual_unit(x, f, strides, name=unit, bn_momentum=momentum)
            else:
                x = _conv_bn(x, f, 3, strides, name=f"{unit}_conv1", momentum=momentum)
                x = _conv_bn(x, f, 3, name=f"{unit}_conv2", momentum=momentum)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def plain_net(
    input_shape=(28, 28, 1),
    num_classes: int = 10,
    depth: int = 20,
    widths: Sequence[int] = (16, 32, 64),
    *,
    bn_momentum: float = 0.9,
):
    """A deep "plain" network: a 3×3 conv, then stages of 3×3 conv → BN → ReLU pairs (the
    first of stages 2, 3 … with stride 2), global average pooling, softmax. ``depth`` counts
    the weight layers: 2 + 2·len(widths)·n (20, 32, 44, 56 for three stages). Batch
    normalization momentum 0.9 (not Keras' 0.99), so that its moving statistics follow the
    weights within a few hundred steps of a short CPU run."""
    return _deep_net(input_shape, num_classes, depth, tuple(widths), False, "plain_net",
                     bn_momentum)  # fmt: skip


def residual_net(
    input_shape=(28, 28, 1),
    num_classes: int = 10,
    depth: int = 20,
    widths: Sequence[int] = (16, 32, 64),
    *,
    bn_momentum: float = 0.9,
):
    """:func:`plain_net` with a shortcut around every pair of convolutions
    (:func:`residual_unit`; a 1×1 projection where the size or width changes): the same
    convolutions and depth, plus the few projection weights."""
    return _deep_net(input_shape, num_classes, depth, tuple(widths), True, "residual_net",
                     bn_momentum)  # fmt: skip


def block_model(block: Callable, input_shape: Sequence[int], *args: Any, **kwargs: Any):
    """Wrap one block (``block(x, *args, **kwargs) -> tensor``) into a ``keras.Model`` on an
    input of ``input_shape``, to count its weights or draw it."""
    import keras

    inputs = keras.Input(_shape(input_shape, "block_model"))
    outputs = block(inputs, *args, **kwargs)
    return keras.Model(inputs, outputs, name=getattr(block, "__name__", "block"))
