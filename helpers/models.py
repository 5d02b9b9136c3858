"""Model builders shared by the chapters, the labs and the benchmark.

Each builder returns an *uncompiled* ``keras.Sequential`` whose layers have
stable names, so the chapters can point at them ("conv1 holds 640 weights")
and the checks can compare parameter counts layer by layer.

The seeds' architectures, rebuilt with Keras 3:

- :func:`very_simple_cnn`: Conv2D(64, 3×3) → Flatten → Dense(10); 433,290 weights on MNIST.
- :func:`seed_mnist_cnn`: the two-convolution MNIST CNN of seed 004 §8; 1,199,882 weights.
- :func:`lenet5`: LeNet-5 with tanh and average pooling on a 32×32 input; 61,706 weights.
- :func:`lenet_mlp`: the fully connected network on the same 32×32 input; 86,950 weights.
- :func:`geron_fashion_cnn`: the Fashion-MNIST CNN of Géron's chapter 14 (64 7×7 → … → 10).

And the course's own CPU-efficient networks (see chapter 06 and 08 for why they are fast):

- :func:`fast_mnist_cnn`: reaches 99.3 % on MNIST in a few epochs on two cores.
- :func:`fast_fashion_cnn`: reaches 92.5 % on Fashion-MNIST in minutes on two cores.

:func:`count_params` and :func:`layer_params` give the numbers the chapters check.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "very_simple_cnn",
    "seed_mnist_cnn",
    "lenet5",
    "lenet_mlp",
    "geron_fashion_cnn",
    "fast_mnist_cnn",
    "fast_fashion_cnn",
    "BUILDERS",
    "build",
    "from_json",
    "count_params",
    "layer_params",
]


def _shape(input_shape: Sequence[int], caller: str) -> tuple[int, int, int]:
    shape = tuple(input_shape)
    if len(shape) != 3 or not all(isinstance(s, int) and s > 0 for s in shape):
        raise ValueError(
            f"{caller}(): input_shape must be (height, width, channels) of positive whole "
            f"numbers, e.g. (28, 28, 1); got {input_shape!r}"
        )
    return shape


def _classes(num_classes: int, caller: str) -> int:
    if not isinstance(num_classes, int) or isinstance(num_classes, bool) or num_classes < 2:
        raise ValueError(f"{caller}(): num_classes must be a whole number ≥ 2, got {num_classes!r}")
    return num_classes


def very_simple_cnn(input_shape=(28, 28, 1), num_classes: int = 10, *, pool: bool = False):
    """The seeds' "very simple CNN": one convolution and one dense layer.

    On 28×28×1 input conv1 has 64·(3·3·1) + 64 = 640 weights and its 26×26×64 =
    43,264 activations feed 10 softmax units through 43,264·10 + 10 = 432,650
    weights: 433,290 in all, the count of the seed's summary. ``pool=True`` puts
    a 2×2 max pooling before the dense layer, as the seed's prose describes:
    13·13·64·10 + 10 = 108,170 dense weights, a quarter.
    """
    import keras
    from keras import layers

    shape = _shape(input_shape, "very_simple_cnn")
    n = _classes(num_classes, "very_simple_cnn")
    return keras.Sequential(
        [
            keras.Input(shape),
            layers.Conv2D(64, 3, activation="relu", name="conv1"),
            *([layers.MaxPooling2D(2, name="pool1")] if pool else []),
            layers.Flatten(name="flatten"),
            layers.Dense(n, activation="softmax", name="output"),
        ],
        name="very_simple_cnn_pooled" if pool else "very_simple_cnn",
    )


def seed_mnist_cnn(input_shape=(28, 28, 1), num_classes: int = 10, *, dropout: bool = True):
    """The MNIST CNN of seed 004 §8 (Keras' classic ``mnist_cnn`` example).

    Conv 32@3×3 (320) → Conv 64@3×3 (18,496) → 2×2 max pool → Flatten (9,216) →
    Dense 128 (1,179,776) → Dense 10 (1,290): 1,199,882 weights, 98 % of them in
    the first dense layer. ``dropout=True`` adds the example's 0.25 and 0.5 dropout.
    """
    import keras
    from keras import layers

    shape = _shape(input_shape, "seed_mnist_cnn")
    n = _classes(num_classes, "seed_mnist_cnn")
    drop = (
        (lambda rate, name: [layers.Dropout(rate, name=name)])
        if dropout
        else (lambda rate, name: [])
    )
    return keras.Sequential(
        [
            keras.Input(shape),
            layers.Conv2D(32, 3, activation="relu", name="conv1"),
            layers.Conv2D(64, 3, activation="relu", name="conv2"),
            layers.MaxPooling2D(2, name="pool1"),
            *drop(0.25, "dropout1"),
            layers.Flatten(name="flatten"),
            layers.Dense(128, activation="relu", name="dense1"),
            *drop(0.5, "dropout2"),
            layers.Dense(n, activation="softmax", name="output"),
        ],
        name="seed_mnist_cnn",
    )


def lenet5(input_shape=(32, 32, 1), num_classes: int = 10, activation: str = "tanh"):
    """LeNet-5 (LeCun et al., 1998) as the seeds count it: 61,706 weights on 32×32×1.

    C1 6@5×5 (156) → S2 avg-pool → C3 16@5×5 (2,416) → S4 avg-pool →
    C5 120@5×5 (48,120) → F6 84 (10,164) → output 10 (850). C5 sees a 5×5 map,
    so it is a dense layer in disguise; most weights sit in C5 and F6.
    Use 28×28 images padded by 2 pixels on each side (``np.pad``) for MNIST.
    """
    import keras
    from keras import layers

    shape = _shape(input_shape, "lenet5")
    n = _classes(num_classes, "lenet5")
    return keras.Sequential(
        [
            keras.Input(shape),
            layers.Conv2D(6, 5, activation=activation, name="c1"),
            layers.AveragePooling2D(2, name="s2"),
            layers.Conv2D(16, 5, activation=activation, name="c3"),
            layers.AveragePooling2D(2, name="s4"),
            layers.Conv2D(120, 5, activation=activation, name="c5"),
            layers.Flatten(name="flatten"),
            layers.Dense(84, activation=activation, name="f6"),
            layers.Dense(n, activation="softmax", name="output"),
        ],
        name="lenet5",
    )


def lenet_mlp(input_shape=(32, 32, 1), num_classes: int = 10, activation: str = "tanh"):
    """A fully connected network on LeNet's 32×32 input: 1024 → 84 → 10.

    1024·84 + 84 = 86,100 and 84·10 + 10 = 850 weights: 86,950 in all, more than
    LeNet-5's 61,706, with no notion of locality.
    """
    import keras
    from keras import layers

    shape = _shape(input_shape, "lenet_mlp")
    n = _classes(num_classes, "lenet_mlp")
    return keras.Sequential(
        [
            keras.Input(shape),
            layers.Flatten(name="flatten"),
            layers.Dense(84, activation=activation, name="hidden"),
            layers.Dense(n, activation="softmax", name="output"),
        ],
        name="lenet_mlp",
    )


def geron_fashion_cnn(input_shape=(28, 28, 1), num_classes: int = 10, dropout: float = 0.5):
    """The Fashion-MNIST CNN of Géron's chapter 14 (seed 000 §4.1).

    64@7×7 → pool → 2×(128@3×3) → pool → 2×(256@3×3) → pool → Dense 128 → dropout →
    Dense 64 → dropout → softmax, all "same" padding and ReLU: 1,413,834 weights on
    28×28×1. Heavy for a CPU: the 128- and 256-channel 3×3 convolutions hold most of
    the FLOPs.
    """
    import keras
    from keras import layers

    shape = _shape(input_shape, "geron_fashion_cnn")
    n = _classes(num_classes, "geron_fashion_cnn")
    conv = dict(padding="same", activation="relu")
    return keras.Sequential(
        [
            keras.Input(shape),
            layers.Conv2D(64, 7, name="conv1", **conv),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(128, 3, name="conv2", **conv),
            layers.Conv2D(128, 3, name="conv3", **conv),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Conv2D(256, 3, name="conv4", **conv),
            layers.Conv2D(256, 3, name="conv5", **conv),
            layers.MaxPooling2D(2, name="pool3"),
            layers.Flatten(name="flatten"),
            layers.Dense(128, activation="relu", name="dense1"),
            layers.Dropout(dropout, name="dropout1"),
            layers.Dense(64, activation="relu", name="dense2"),
            layers.Dropout(dropout, name="dropout2"),
            layers.Dense(n, activation="softmax", name="output"),
        ],
        name="geron_fashion_cnn",
    )


def _conv_bn(filters: int, name: str, kernel: int = 3, momentum: float = 0.99, fused: bool = True):
    """Conv (no bias: batch norm's shift replaces it) → BatchNorm → ReLU.

    With ``fused=True`` the batch norm is :class:`helpers.fast_layers.FusedBatchNormalization`:
    Keras's layer with TensorFlow's fused kernel, the same weights and results, a faster
    epoch (``fused=False``: ``keras.layers.BatchNormalization``, for comparison).
    """
    from keras import layers

    from .fast_layers import FusedBatchNormalization

    norm = FusedBatchNormalization if fused else layers.BatchNormalization
    return [
        layers.Conv2D(filters, kernel, padding="same", use_bias=False, name=name),
        norm(momentum=momentum, name=f"{name}_bn"),
        layers.ReLU(name=f"{name}_relu"),
    ]


def fast_mnist_cnn(
    input_shape=(28, 28, 1),
    num_classes: int = 10,
    width: int = 32,
    bn_momentum: float = 0.99,
    fused_bn: bool = True,
):
    """A small, CPU-efficient CNN for MNIST.

    Where the cost goes: a convolution's FLOPs are H·W·k²·C_in·C_out, so the
    network keeps few channels at full 28×28 resolution and pools early; the
    wide layers only ever see 7×7 maps. Batch normalization lets it train with
    a large learning rate (and a one-cycle schedule) in a few epochs; global
    average pooling keeps the head tiny. ``fused_bn=False`` uses Keras's own
    batch norm instead of the fused one (same weights and results, slower on a CPU).
    """
    import keras
    from keras import layers

    shape = _shape(input_shape, "fast_mnist_cnn")
    n = _classes(num_classes, "fast_mnist_cnn")
    w = width
    return keras.Sequential(
        [
            keras.Input(shape),
            *_conv_bn(w, "conv1", momentum=bn_momentum, fused=fused_bn),
            layers.MaxPooling2D(2, name="pool1"),  # 14×14
            *_conv_bn(2 * w, "conv2", momentum=bn_momentum, fused=fused_bn),
            layers.MaxPooling2D(2, name="pool2"),  # 7×7
            *_conv_bn(4 * w, "conv3", momentum=bn_momentum, fused=fused_bn),
            layers.GlobalAveragePooling2D(name="gap"),
            layers.Dense(n, activation="softmax", name="output"),
        ],
        name="fast_mnist_cnn",
    )


def fast_fashion_cnn(
    input_shape=(28, 28, 1),
    num_classes: int = 10,
    width: int = 32,
    dropout: float = 0.3,
    bn_momentum: float = 0.99,
    fused_bn: bool = True,
):
    """A CPU-efficient CNN for Fashion-MNIST: two conv-BN blocks per resolution.

    Fashion-MNIST needs more capacity than MNIST (shirts vs T-shirts vs pullovers),
    so each resolution gets two 3×3 convolutions; the expensive width still only
    appears after pooling. ``bn_momentum`` and ``fused_bn`` as in :func:`fast_mnist_cnn`.
    """
    import keras
    from keras import layers

    shape = _shape(input_shape, "fast_fashion_cnn")
    n = _classes(num_classes, "fast_fashion_cnn")
    w = width
    return keras.Sequential(
        [
            keras.Input(shape),
            *_conv_bn(w, "conv1", momentum=bn_momentum, fused=fused_bn),
            *_conv_bn(w, "conv2", momentum=bn_momentum, fused=fused_bn),
            layers.MaxPooling2D(2, name="pool1"),  # 14×14
            *_conv_bn(2 * w, "conv3", momentum=bn_momentum, fused=fused_bn),
            *_conv_bn(2 * w, "conv4", momentum=bn_momentum, fused=fused_bn),
            layers.MaxPooling2D(2, name="pool2"),  # 7×7
            *_conv_bn(4 * w, "conv5", momentum=bn_momentum, fused=fused_bn),
            layers.GlobalAveragePooling2D(name="gap"),
            layers.Dropout(dropout, name="dropout"),
            layers.Dense(n, activation="softmax", name="output"),
        ],
        name="fast_fashion_cnn",
    )


BUILDERS = {
    "very_simple_cnn": very_simple_cnn,
    "seed_mnist_cnn": seed_mnist_cnn,
    "lenet5": lenet5,
    "lenet_mlp": lenet_mlp,
    "geron_fashion_cnn": geron_fashion_cnn,
    "fast_mnist_cnn": fast_mnist_cnn,
    "fast_fashion_cnn": fast_fashion_cnn,
}


def build(name: str, **kwargs):
    """Build a model by its name in :data:`BUILDERS`."""
    try:
        builder = BUILDERS[name]
    except KeyError:
        raise ValueError(
            f"unknown model {name!r}; choose one of {', '.join(sorted(BUILDERS))}"
        ) from None
    return builder(**kwargs)


def from_json(text: str):
    """Rebuild a model (architecture, fresh weights) from ``model.to_json()``.

    Unlike a bare ``keras.models.model_from_json``, it knows the course's own layers
    (:class:`helpers.fast_layers.FusedBatchNormalization`) in a kernel that has not imported
    them yet, as when a lab's check hands a course network over as JSON.
    """
    import keras

    from . import fast_layers  # noqa: F401  (registers the course's layers with Keras)

    if not isinstance(text, str):
        raise TypeError(f"from_json() needs the text of model.to_json(), got {type(text).__name__}")
    return keras.models.model_from_json(text)


def count_params(model) -> int:
    """Total number of weights (trainable and not) of a built Keras model."""
    if not hasattr(model, "count_params"):
        raise TypeError(f"count_params() needs a Keras model, got {type(model).__name__}")
    return int(model.count_params())


def layer_params(model) -> dict[str, int]:
    """``{layer name: number of weights}`` for the layers that have weights, in order."""
    if not hasattr(model, "layers"):
        raise TypeError(f"layer_params() needs a Keras model, got {type(model).__name__}")
    return {layer.name: int(layer.count_params()) for layer in model.layers if layer.weights}
