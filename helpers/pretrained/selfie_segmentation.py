"""A pretrained person-segmentation network: MediaPipe's selfie segmentation, run with TF Lite.

The model ships inside the npm package ``@mediapipe/selfie_segmentation`` (Apache-2.0), which
the data registry knows as ``selfie-segmentation``: the package tarball is downloaded (or
imported) and checked like any dataset, then ``selfie_segmentation.tflite`` (249 KB) is
extracted from it into the same cache folder. The network takes a 256×256 RGB image with values
in [0, 1] and returns, per pixel, the probability that it shows a person::

    from helpers.pretrained import selfie_segmentation as selfie
    if selfie.available():
        prob = selfie.person_probability(skimage.data.astronaut())   # (512, 512) in [0, 1]

Offline without the cached tarball, :func:`available` is False and :func:`model_path` raises
:class:`SelfieModelUnavailableError` naming the fetch and import commands.

The interpreter is LiteRT's (``ai_edge_litert``) when that package is installed, otherwise
TensorFlow's ``tf.lite.Interpreter`` (deprecated in favour of LiteRT but still present in
TensorFlow 2.21; its deprecation warning is silenced here).
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from .._quiet_tf import silenced_stderr
from ..data import store
from ._packaged import PackagedFile

__all__ = [
    "DATASET",
    "INPUT_SIZE",
    "MODEL_MEMBER",
    "MODEL_SHA256",
    "SelfieModelUnavailableError",
    "available",
    "model_path",
    "load_interpreter",
    "person_probability",
]

DATASET = "selfie-segmentation"
INPUT_SIZE = 256
MODEL_MEMBER = "package/selfie_segmentation.tflite"
MODEL_SHA256 = "8d13b7fae74af625c641226813616a2117bd6bca19eb3b75574621fc08557f27"
MODEL_SIZE = 249_024


class SelfieModelUnavailableError(store.DatasetUnavailableError):
    """The selfie-segmentation model is neither cached nor downloadable."""


_PACKAGED = PackagedFile(
    DATASET,
    MODEL_MEMBER,
    MODEL_SHA256,
    MODEL_SIZE,
    "the pretrained selfie-segmentation model",
    SelfieModelUnavailableError,
)


def model_path(*, download: bool = True, progress: bool = False) -> Path:
    """The verified ``selfie_segmentation.tflite`` in the cache, extracting it if needed.

    Raises:
        SelfieModelUnavailableError: the npm tarball is not cached and cannot be downloaded.
        store.ChecksumError: the file inside the tarball is not the expected one.
    """
    return _PACKAGED.path(download=download, progress=progress)


def available(*, download: bool = False) -> bool:
    """True when the model can be had (from the cache; with ``download`` also from npm)."""
    return _PACKAGED.available(download=download)


def _interpreter_class():
    with contextlib.suppress(ImportError):
        from ai_edge_litert.interpreter import Interpreter  # type: ignore[import-not-found]

        return Interpreter
    import tensorflow as tf

    return tf.lite.Interpreter


def load_interpreter(*, download: bool = True) -> Any:
    """A TF Lite interpreter of the model with its tensors allocated (for
    :func:`person_probability`)."""
    path = model_path(download=download)
    cls = _interpreter_class()
    with warnings.catch_warnings(), silenced_stderr():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's deprecation notice
        interpreter = cls(model_path=str(path))
        interpreter.allocate_tensors()
    return interpreter


def _as_rgb01(image: Any) -> np.ndarray:
    img = np.asarray(image)
    if img.ndim != 3 or img.shape[-1] not in (3, 4):
        raise ValueError(f"expected an RGB image of shape (H, W, 3), got {img.shape}")
    img = img[..., :3]
    if img.dtype == np.uint8:
        return img.astype(np.float32) / 255.0
    if img.dtype.kind != "f":
        raise ValueError(f"expected uint8 (0-255) or float (0-1) pixels, got dtype {img.dtype}")
    if img.size and (np.nanmin(img) < 0 or np.nanmax(img) > 1):
        raise ValueError("float pixels must be in [0, 1]; pass uint8 images unscaled")
    return img.astype(np.float32)


def person_probability(image: Any, interpreter: Any | None = None) -> np.ndarray:
    """Per-pixel person probability (H, W) float32 in [0, 1] for an RGB image (H, W, 3).

    The image (uint8 0–255 or float 0–1) is resized to 256×256 (its aspect ratio is not
    kept, as MediaPipe does), run through the network, and the 256×256 map is resized back to
    the image's size with bilinear interpolation.
    """
    import cv2

    rgb = _as_rgb01(image)
    h, w = rgb.shape[:2]
    interpreter = interpreter or load_interpreter()
    x = cv2.resize(rgb, (INPUT_SIZE, INPUT_SIZE), interpolation=cv2.INTER_AREA)
    inp = interpreter.get_input_details()[0]
    out = interpreter.get_output_details()[0]
    interpreter.set_tensor(inp["index"], x[None].astype(np.float32))
    interpreter.invoke()
    prob = np.asarray(interpreter.get_tensor(out["index"]))[0, ..., 0].astype(np.float32)
    prob = cv2.resize(prob, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip(prob, 0.0, 1.0)
