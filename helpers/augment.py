"""Data augmentation for chapter 10: small NumPy transforms, mixup, test-time augmentation.

- :func:`hflip`, :func:`shift_image`, :func:`add_gaussian_noise`: plain-NumPy transforms of one
  image, for teaching (Keras' preprocessing layers do the same on batches, with random amounts).
- :func:`augmentation_pipeline`: a ``keras.Sequential`` of Keras 3 random preprocessing layers,
  built from ``ImageDataGenerator``-like arguments (only the non-zero ones become layers).
- :func:`mixup`: λ-blends of images and of their one-hot labels, λ ~ Beta(α, α).
- :func:`tta_predict`: test-time augmentation, the average of the posteriors of several
  transformed copies of the inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

__all__ = [
    "FILL_MODES", "hflip", "shift_image", "add_gaussian_noise", "augmentation_pipeline",
    "MixupBatch", "mixup", "tta_predict",
]  # fmt: skip

# Keras' fill modes and the np.pad mode that gives the same pixels for whole-pixel shifts.
# Keras "reflect" mirrors about the edge *including* the border pixel (d c b a | a b c d),
# which is NumPy's "symmetric"; NumPy's "reflect" would skip the border pixel.
FILL_MODES = {"constant": "constant", "nearest": "edge", "reflect": "symmetric", "wrap": "wrap"}


def _image(img, caller: str) -> np.ndarray:
    img = np.asarray(img)
    if img.ndim not in (2, 3):
        raise ValueError(
            f"{caller}(): expected one image shaped (H, W) or (H, W, C), got shape {img.shape}"
        )
    if img.dtype.kind not in "biuf":
        raise ValueError(f"{caller}(): expected numeric pixels, got dtype {img.dtype}")
    return img


def hflip(img) -> np.ndarray:
    """Mirror one image left ↔ right (the columns are reversed); returns a new array."""
    return _image(img, "hflip")[:, ::-1].copy()


def shift_image(img, dx: int, dy: int, *, fill_mode: str = "constant", fill_value=0):
    """Move one image ``dx`` pixels right and ``dy`` pixels down (negative: left/up).

    The pixels that enter at the border are filled as Keras' ``fill_mode`` does:
    ``"constant"`` (``fill_value``), ``"nearest"`` (repeat the border pixel),
    ``"reflect"`` (mirror image about the border) or ``"wrap"`` (the pixels that left on
    the other side). Output shape and dtype are those of the input.
    """
    img = _image(img, "shift_image")
    for name, v in (("dx", dx), ("dy", dy)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer):
            raise ValueError(f"shift_image(): {name} must be a whole number of pixels, got {v!r}")
    if fill_mode not in FILL_MODES:
        raise ValueError(
            f"shift_image(): fill_mode must be one of {sorted(FILL_MODES)}, got {fill_mode!r}"
        )
    h, w = img.shape[:2]
    if abs(dy) > h or abs(dx) > w:
        raise ValueError(f"shift_image(): shift ({dx}, {dy}) is larger than the image ({w}×{h})")
    pad = [(abs(dy), abs(dy)), (abs(dx), abs(dx))] + [(0, 0)] * (img.ndim - 2)
    mode = FILL_MODES[fill_mode]
    kwargs = {"constant_values": fill_value} if mode == "constant" else {}
    big = np.pad(img, pad, mode=mode, **kwargs)
    top, left = abs(dy) - dy, abs(dx) - dx
    return big[top:top + h, left:left + w].copy()  # fmt: skip


def add_gaussian_noise(img, sigma: float, rng, *, clip=(0.0, 1.0)) -> np.ndarray:
    """Add N(0, sigma²) noise to a float image and clip to ``clip`` (``None``: no clipping).

    ``rng`` is a ``np.random.Generator`` (``np.random.default_rng(seed)``), so the noise is
    reproducible. Returns a new float array; the input is not changed.
    """
    img = _image(img, "add_gaussian_noise")
    if not np.isfinite(sigma) or sigma < 0:
        raise ValueError(f"add_gaussian_noise(): sigma must be ≥ 0, got {sigma!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("add_gaussian_noise(): rng must be a np.random.Generator")
    out = img.astype(np.float64) + rng.normal(0.0, sigma, size=img.shape)
    return out if clip is None else np.clip(out, clip[0], clip[1])


def augmentation_pipeline(
    *,
    flip: str | None = None,
    rotation: float = 0.0,
    translation: float = 0.0,
    zoom: float = 0.0,
    shear: float = 0.0,
    contrast: float = 0.0,
    brightness: float = 0.0,
    fill_mode: str = "nearest",
    fill_value: float = 0.0,
    value_range=(0, 1),
    seed: int | None = None,
    name: str = "augmentation",
):
    """A ``keras.Sequential`` of random augmentation layers; only non-zero settings are added.

    Args:
        flip: ``"horizontal"``, ``"vertical"``, ``"horizontal_and_vertical"`` or ``None``.
        rotation: largest rotation as a fraction of a full turn (0.05 = ±18°).
        translation: largest shift as a fraction of height and of width.
        zoom: largest zoom in or out, as a fraction (0.1 = 90 %…110 %).
        shear: largest shear factor along x and y (``RandomShear``).
        contrast: ``RandomContrast`` factor; brightness: ``RandomBrightness`` factor
            (a fraction of ``value_range``).
        fill_mode, fill_value: how geometric layers fill the pixels that enter the image.
        value_range: the pixel range of the images (``(0, 1)`` or ``(0, 255)``).
        seed: seeds every layer, for repeatable pictures.

    The layers are active only when called with ``training=True`` (``fit`` does that); at
    inference they return their input unchanged.
    """
    import keras
    from keras import layers

    if flip not in (None, "horizontal", "vertical", "horizontal_and_vertical"):
        raise ValueError(f"augmentation_pipeline(): unknown flip {flip!r}")
    if fill_mode not in FILL_MODES:
        raise ValueError(
            f"augmentation_pipeline(): fill_mode must be one of {sorted(FILL_MODES)}, "
            f"got {fill_mode!r}"
        )
    amounts = {"rotation": rotation, "translation": translation, "zoom": zoom, "shear": shear,
               "contrast": contrast, "brightness": brightness}  # fmt: skip
    for key, v in amounts.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
            raise ValueError(f"augmentation_pipeline(): {key} must be between 0 and 1, got {v!r}")
    fill = {"fill_mode": fill_mode, "fill_value": fill_value}
    stack = []
    if flip:
        stack.append(layers.RandomFlip(flip, seed=seed))
    if rotation:
        stack.append(layers.RandomRotation(rotation, seed=seed, **fill))
    if translation:
        stack.append(layers.RandomTranslation(translation, translation, seed=seed, **fill))
    if zoom:
        stack.append(layers.RandomZoom(zoom, seed=seed, **fill))
    if shear:
        stack.append(layers.RandomShear(shear, shear, seed=seed, **fill))
    if contrast:
        stack.append(layers.RandomContrast(contrast, value_range=value_range, seed=seed))
    if brightness:
        stack.append(layers.RandomBrightness(brightness, value_range=value_range, seed=seed))
    return keras.Sequential(stack, name=name)


class MixupBatch(NamedTuple):
    """Result of :func:`mixup`: ``x = lam·x[i] + (1 − lam)·x[partner[i]]``, same for ``y``."""

    x: np.ndarray
    y: np.ndarray
    lam: np.ndarray
    partner: np.ndarray


def mixup(x, y_onehot, alpha: float = 0.2, rng=None) -> MixupBatch:
    """Blend every example with a random partner from the same batch (Zhang et al., 2018).

    For example ``i`` a weight λ_i ~ Beta(α, α) is drawn and a partner ``j = partner[i]``
    (a random permutation of the batch); the new example is ``λ_i·x_i + (1 − λ_i)·x_j`` with
    the label ``λ_i·y_i + (1 − λ_i)·y_j``. Labels must be one-hot (or already soft): rows
    summing to 1, so the blended labels do too. Small α gives λ near 0 or 1 (mild blends);
    α = 1 gives λ uniform on [0, 1].
    """
    x = np.asarray(x)
    y = np.asarray(y_onehot, dtype=np.float64)
    if x.ndim < 2 or y.ndim != 2 or len(x) != len(y):
        raise ValueError(
            f"mixup(): expected a batch x (N, ...) and one-hot labels (N, classes), got shapes "
            f"{x.shape} and {y.shape}"
        )
    if len(y) and np.abs(y.sum(axis=1) - 1).max() > 1e-6:
        raise ValueError("mixup(): every label row must sum to 1 (one-hot or soft labels)")
    if not alpha > 0:
        raise ValueError(f"mixup(): alpha must be positive, got {alpha!r}")
    rng = np.random.default_rng() if rng is None else rng
    if not isinstance(rng, np.random.Generator):
        raise ValueError("mixup(): rng must be a np.random.Generator")
    n = len(x)
    lam = rng.beta(alpha, alpha, size=n)
    partner = rng.permutation(n)
    lx = lam.reshape((n,) + (1,) * (x.ndim - 1))
    xf = x.astype(np.float32 if x.dtype.kind != "f" else x.dtype)
    x_mix = (lx * xf + (1 - lx) * xf[partner]).astype(xf.dtype)
    y_mix = lam[:, None] * y + (1 - lam[:, None]) * y[partner]
    return MixupBatch(x_mix, y_mix, lam, partner)


def tta_predict(
    model, x, transforms: Sequence[Callable], *, batch_size: int = 256, return_all: bool = False
):
    """Test-time augmentation: average the model's posteriors over transformed copies of ``x``.

    ``transforms`` is a list of functions from a batch of images to a batch of the same
    shape (include ``lambda b: b`` to keep the original images). Returns the mean of the
    ``model.predict`` outputs, shape ``(N, classes)``; with ``return_all=True`` also the
    stacked posteriors of every transform, shape ``(len(transforms), N, classes)``.
    """
    transforms = list(transforms)
    if not transforms:
        raise ValueError("tta_predict(): give at least one transform (e.g. lambda b: b)")
    if not all(callable(t) for t in transforms):
        raise ValueError("tta_predict(): every transform must be a function of a batch")
    x = np.asarray(x)
    probs = []
    for t in transforms:
        xt = np.asarray(t(x))
        if xt.shape != x.shape:
            raise ValueError(
                f"tta_predict(): a transform changed the batch shape {x.shape} to {xt.shape}"
            )
        probs.append(np.asarray(model.predict(xt, batch_size=batch_size, verbose=0)))
    stacked = np.stack(probs)
    mean = stacked.mean(axis=0)
    return (mean, stacked) if return_all else mean
