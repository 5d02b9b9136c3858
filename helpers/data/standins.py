"""Synthetic stand-ins for datasets that cannot be had offline.

They exist for one purpose: letting CI run, end to end, the notebooks that need
CIFAR-10 or tf_flowers on a machine with no internet. They have the real
datasets' shapes, dtypes and class counts, and are easy-ish to learn (each
class is a drawn pattern), so training code is exercised for real. Their
numbers say nothing about CIFAR-10 or flowers, and every use is announced.

Loaders call these only when ``COURSE_ALLOW_STANDIN=1`` (see
:mod:`helpers.config`); nothing here is used silently.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

__all__ = [
    "StandInWarning", "CIFAR10_LIKE_CLASSES", "announce", "cifar10_like", "write_flowers_like",
]  # fmt: skip

BANNER_WIDTH = 78

#: What the ten classes of :func:`cifar10_like` really are (label order). Plots of stand-in
#: data should use these names, not CIFAR-10's: label 0 is a disc, not an airplane.
CIFAR10_LIKE_CLASSES = (
    "disc", "square", "triangle", "horizontal stripes", "vertical stripes",
    "diagonal stripes", "checkerboard", "ring", "plus sign", "two blobs",
)  # fmt: skip


class StandInWarning(UserWarning):
    """Issued every time a synthetic stand-in replaces a real dataset."""


def announce(title: str, reason: str) -> str:
    """Print a boxed notice and issue a :class:`StandInWarning`; return the notice."""
    lines = [
        f"OFFLINE STAND-IN for {title}: SYNTHETIC DATA, NOT {title.upper()}",
        f"Reason: {reason}",
        "Numbers computed on it (accuracy, loss) say nothing about the real dataset.",
        "Only CI and tests allow this (COURSE_ALLOW_STANDIN=1).",
    ]
    rule = "!" * BANNER_WIDTH
    text = "\n".join([rule, *(f"!! {ln}" for ln in lines), rule])
    print(text, file=sys.stdout, flush=True)
    warnings.warn(f"using a synthetic stand-in for {title}", StandInWarning, stacklevel=3)
    return text


def _draw_pattern(kind: int, rng: np.random.Generator, size: int) -> np.ndarray:
    """A float mask in [0, 1] of shape (size, size): one of ten pattern classes."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    cy, cx = rng.uniform(0.35, 0.65, 2)
    r = rng.uniform(0.18, 0.32)
    dy, dx = yy - cy, xx - cx
    dist = np.sqrt(dy**2 + dx**2)
    period = rng.uniform(0.12, 0.22)
    phase = rng.uniform(0, 1)
    if kind == 0:  # disc
        m = dist < r
    elif kind == 1:  # square
        m = (np.abs(dy) < r * 0.85) & (np.abs(dx) < r * 0.85)
    elif kind == 2:  # triangle pointing up
        m = (dy > -r) & (dy < r) & (np.abs(dx) < (dy + r) * 0.6)
    elif kind == 3:  # horizontal stripes
        m = ((yy / period + phase) % 1.0) < 0.5
    elif kind == 4:  # vertical stripes
        m = ((xx / period + phase) % 1.0) < 0.5
    elif kind == 5:  # diagonal stripes
        m = (((xx + yy) / period + phase) % 1.0) < 0.5
    elif kind == 6:  # checkerboard
        m = ((np.floor(xx / period) + np.floor(yy / period)) % 2) == 0
    elif kind == 7:  # ring
        m = np.abs(dist - r) < 0.06
    elif kind == 8:  # plus sign
        m = ((np.abs(dx) < 0.07) & (np.abs(dy) < r)) | ((np.abs(dy) < 0.07) & (np.abs(dx) < r))
    elif kind == 9:  # two small blobs
        m = (np.hypot(dy, dx - r * 0.8) < r * 0.45) | (np.hypot(dy, dx + r * 0.8) < r * 0.45)
    else:
        raise ValueError(f"pattern class must be 0-9, got {kind}")
    return m.astype(np.float32)


def cifar10_like(n_train: int = 5_000, n_test: int = 1_000, *, seed: int = 0):
    """A CIFAR-10-shaped synthetic dataset of ten drawn pattern classes.

    Returns ``((x_train, y_train), (x_test, y_test))`` with ``x`` uint8 of shape
    (N, 32, 32, 3) and ``y`` uint8 of shape (N,), classes balanced and shuffled;
    the same seed gives the same arrays.
    """
    for label, n in (("n_train", n_train), ("n_test", n_test)):
        if not isinstance(n, int) or n < 10:
            raise ValueError(f"{label} must be a whole number >= 10 (one per class), got {n!r}")
    rng = np.random.default_rng(seed)

    def make(n: int):
        y = rng.permutation(np.arange(n) % 10).astype(np.uint8)
        x = np.empty((n, 32, 32, 3), np.uint8)
        for i, label in enumerate(y):
            mask = _draw_pattern(int(label), rng, 32)[..., None]
            bg = rng.uniform(0, 255, 3) * rng.uniform(0.3, 1.0)
            fg = rng.uniform(0, 255, 3)
            img = bg * (1 - mask) + fg * mask + rng.normal(0, 18, (32, 32, 3))
            x[i] = np.clip(img, 0, 255).astype(np.uint8)
        return x, y

    return make(n_train), make(n_test)


# Petal count, petal colour (RGB) and centre colour of each flower class.
_FLOWER_STYLE = {
    "daisy": (12, (245, 245, 240), (230, 200, 40)),
    "dandelion": (28, (250, 215, 30), (220, 170, 20)),
    "roses": (5, (200, 30, 50), (120, 10, 30)),
    "sunflowers": (16, (250, 190, 20), (90, 50, 20)),
    "tulips": (3, (240, 90, 160), (200, 60, 120)),
}


def _flower(kind: str, rng: np.random.Generator, size: int) -> np.ndarray:
    petals, petal_rgb, centre_rgb = _FLOWER_STYLE[kind]
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    cy, cx = rng.uniform(0.4, 0.6, 2)
    dy, dx = yy - cy, xx - cx
    rho, theta = np.hypot(dy, dx), np.arctan2(dy, dx) + rng.uniform(0, 2 * np.pi)
    radius = rng.uniform(0.25, 0.4) * (0.75 + 0.25 * np.abs(np.cos(petals * theta / 2)))
    petal = (rho < radius)[..., None]
    centre = (rho < radius.min() * 0.35)[..., None]
    green = np.array([40, 110, 40]) * rng.uniform(0.6, 1.2)
    img = green + rng.normal(0, 20, (size, size, 3))
    img = np.where(petal, np.array(petal_rgb) * rng.uniform(0.8, 1.0), img)
    img = np.where(centre, np.array(centre_rgb), img)
    return np.clip(img + rng.normal(0, 8, img.shape), 0, 255).astype(np.uint8)


def write_flowers_like(root: Path, *, per_class: int = 40, size: int = 96, seed: int = 0) -> Path:
    """Write a tf_flowers-shaped folder of synthetic JPEGs and return it.

    ``root/flower_photos/<class>/standin_0000.jpg`` for the five classes, plus
    a ``STANDIN_README.txt`` saying what this is, so the folder cannot be
    mistaken for the real photos even when found later on disk.
    """
    from PIL import Image

    if not isinstance(per_class, int) or per_class < 1:
        raise ValueError(f"per_class must be a positive whole number, got {per_class!r}")
    if not isinstance(size, int) or size < 16:
        raise ValueError(f"size must be a whole number >= 16, got {size!r}")
    rng = np.random.default_rng(seed)
    out = Path(root) / "flower_photos"
    for kind in _FLOWER_STYLE:
        (out / kind).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            Image.fromarray(_flower(kind, rng, size)).save(out / kind / f"standin_{i:04d}.jpg")
    (out / "STANDIN_README.txt").write_text(
        "SYNTHETIC STAND-IN, NOT tf_flowers. Drawn by helpers.data.standins for offline CI.\n"
    )
    return out
