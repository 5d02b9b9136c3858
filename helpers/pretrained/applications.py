"""Keras application families with their official ImageNet weights, and a timing helper.

:func:`keras_application` builds ``keras.applications.<Name>(weights=None, ...)`` and
loads the official weight file from the course's data cache. The file is downloaded
once (with a progress bar, checked against the MD5 hash Keras itself records; Keras
records none for MobileNet and MobileNetV2, whose files are checked as HDF5 and by
loading) or imported from a folder: ``python -m helpers data import FOLDER`` accepts
the ``.h5`` files flat (``~/.keras/models`` of a machine that has them) or in
sub-folders. Offline and without the file, a :class:`WeightsUnavailableError` names
the file, its URL and the import command. There is no silent ``weights=None``.

:data:`APPLICATIONS` holds, per family, the default input size and the ImageNet
top-1/top-5 accuracies **as published** in the Keras applications documentation
(https://keras.io/api/applications/): cited data, not measurements.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data import registry, store

__all__ = [
    "AppInfo",
    "APPLICATIONS",
    "ACCURACY_SOURCE",
    "LITE0_INFO",
    "WeightsUnavailableError",
    "application_names",
    "get_info",
    "weights_file",
    "keras_application",
    "depth",
    "time_model",
]

ACCURACY_SOURCE = "Keras applications documentation, https://keras.io/api/applications/"
LITE0_SOURCE = (
    "EfficientNet-Lite README (TensorFlow TPU repository, models/official/efficientnet/lite), "
    "FP32 accuracy"
)


@dataclass(frozen=True)
class AppInfo:
    """A family: constructor name, input side, cited accuracies (%) and their source."""

    name: str
    input_size: int
    top1: float
    top5: float | None
    source: str = ACCURACY_SOURCE

    @property
    def weights_dataset(self) -> str:
        return f"keras-{self.name.lower()}"


APPLICATIONS: dict[str, AppInfo] = {
    a.name: a
    for a in (
        AppInfo("VGG16", 224, 71.3, 90.1),
        AppInfo("VGG19", 224, 71.3, 90.0),
        AppInfo("ResNet50", 224, 74.9, 92.1),
        AppInfo("ResNet50V2", 224, 76.0, 93.0),
        AppInfo("InceptionV3", 299, 77.9, 93.7),
        AppInfo("Xception", 299, 79.0, 94.5),
        AppInfo("MobileNet", 224, 70.4, 89.5),
        AppInfo("MobileNetV2", 224, 71.3, 90.1),
        AppInfo("DenseNet121", 224, 75.0, 92.3),
    )
}
# The course's offline model; its accuracy is Google's published figure (no top-5 there).
LITE0_INFO = AppInfo("EfficientNet-Lite0", 224, 75.1, None, LITE0_SOURCE)


class WeightsUnavailableError(store.DatasetUnavailableError):
    """A Keras application's weight file is not cached and could not be downloaded."""


def application_names() -> list[str]:
    """The Keras families :func:`keras_application` knows."""
    return list(APPLICATIONS)


def get_info(name: str) -> AppInfo:
    """The :class:`AppInfo` of a family, case-insensitively (``"resnet50"`` works)."""
    if not isinstance(name, str):
        raise TypeError(f"a model name must be a string, got {type(name).__name__}")
    for key, info in APPLICATIONS.items():
        if key.lower() == name.strip().lower():
            return info
    raise ValueError(f"unknown Keras application {name!r}; known: {', '.join(APPLICATIONS)}")


def _weight_file(name: str, include_top: bool) -> registry.RemoteFile:
    ds = registry.WEIGHTS[get_info(name).weights_dataset]
    notop = [f for f in ds.files if f.name.endswith(("_notop.h5", "_no_top.h5"))]
    top = [f for f in ds.files if f not in notop]
    return (top if include_top else notop)[0]


def weights_file(name: str, *, include_top: bool = True, download: bool = True,
                 opener=None, progress: bool = True) -> Path:  # fmt: skip
    """The verified path of a family's weight file in the cache, downloading it if needed.

    Args:
        include_top: the file with the 1000-class top, or the smaller ``notop`` file.
        download: try the internet when the file is not cached.
        opener: passed to :func:`helpers.data.store.download` (tests use a fake).

    Raises:
        WeightsUnavailableError: not cached and not downloadable; the message names the
            file, its URL and the import command.
    """
    info = get_info(name)
    ds = registry.WEIGHTS[info.weights_dataset]
    rf = _weight_file(info.name, include_top)
    path = store.dataset_dir(ds) / rf.name
    if store.is_verified(path, rf):
        return path
    if path.exists():
        path.unlink()  # corrupt: never used
    failure = "not in the cache and downloading is switched off"
    if download:
        try:
            store.download(rf, path, opener=opener, progress=progress)
            return path
        except store.DatasetUnavailableError as exc:
            failure = str(exc)
    raise WeightsUnavailableError(
        f"the ImageNet weights of {info.name} are not available: {rf.name} is not in "
        f"{path.parent}.\n{failure}\n"
        f"Keras downloads it from {rf.urls[0]}\n"
        "With internet access, call keras_application() again, or run:  "
        f"python -m helpers data fetch {ds.name}\n"
        "Without it, download the file on a machine that has internet access (or copy it from "
        "~/.keras/models/ there), put it in a folder and run:  python -m helpers data import FOLDER"
    )


def keras_application(name: str, *, include_top: bool = True, pooling: str | None = None,
                      input_shape=None, download: bool = True, opener=None):  # fmt: skip
    """A ``keras.applications`` model with its official ImageNet weights.

    Args:
        name: ``"ResNet50"``, ``"VGG16"``, ``"MobileNetV2"``, … (:func:`application_names`).
        include_top: keep the 1000-class classifier (then the input size is the family's,
            see :data:`APPLICATIONS`); without it, ``pooling`` may be ``"avg"`` or ``"max"``
            and ``input_shape`` may be another size.

    Raises:
        WeightsUnavailableError: the weight file cannot be had (see :func:`weights_file`).
    """
    import keras

    info = get_info(name)
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"pooling must be None, 'avg' or 'max', got {pooling!r}")
    path = weights_file(info.name, include_top=include_top, download=download, opener=opener)
    ctor = getattr(keras.applications, info.name)
    kwargs = {"include_top": include_top, "pooling": pooling, "input_shape": input_shape}
    if include_top:
        kwargs.pop("pooling")
    model = ctor(weights=None, **kwargs)
    model.load_weights(str(path))
    return model


def depth(model) -> int:
    """The number of layers that hold weights (convolutions, batch norms, dense layers).

    This is how the Keras documentation's "Depth" column counts (VGG16: 16,
    ResNet50: 107), which is why it is larger than the depth papers quote.
    """
    count = 0
    stack = list(model.layers)
    while stack:
        layer = stack.pop()
        sub = getattr(layer, "layers", None)
        if sub:  # a nested model: count its layers
            stack.extend(sub)
        elif layer.weights:
            count += 1
    return count


def time_model(model, *, batch_size: int = 1, batches: int = 10, warmup: int = 2,
               seed: int = 0) -> dict:  # fmt: skip
    """CPU/GPU inference latency of a model on random inputs.

    The first ``warmup`` calls (tracing, memory allocation) are not timed; then
    ``batches`` calls of ``model(x, training=False)`` on a batch of ``batch_size``
    are timed one by one. Returns ``{"ms_per_batch", "ms_per_image", "images_per_s",
    "batch_size", "batches"}`` with the *median* batch time (robust to a busy machine).
    """
    for arg, value, low in (("batch_size", batch_size, 1), ("batches", batches, 1),
                            ("warmup", warmup, 0)):  # fmt: skip
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
            raise ValueError(f"{arg} must be a whole number >= {low}, got {value!r}")
    shape = tuple(model.input_shape[1:])
    if any(s is None for s in shape):
        raise ValueError(f"the model's input shape {model.input_shape} must be fully known")
    x = np.random.default_rng(seed).random((batch_size, *shape), dtype=np.float32)
    for _ in range(warmup):
        np.asarray(model(x, training=False))
    times = []
    for _ in range(batches):
        start = time.perf_counter()
        np.asarray(model(x, training=False))  # np.asarray waits for the result
        times.append(time.perf_counter() - start)
    ms = float(np.median(times)) * 1000
    return {"ms_per_batch": ms, "ms_per_image": ms / batch_size,
            "images_per_s": 1000 * batch_size / ms, "batch_size": batch_size,
            "batches": batches}  # fmt: skip
