"""The data-augmentation explorer (chapter 10): every transform's strength on a chosen
image, several random draws side by side, the fill mode, and what a flip does to a digit.

* :func:`augment_draws` is the pure function: an image and the settings in, an
  :class:`AugmentResult` out — ``n`` random draws of the Keras 3 pipeline that
  :func:`helpers.augment.augmentation_pipeline` builds from the settings (plus Gaussian noise
  from :func:`helpers.augment.add_gaussian_noise`), the layers used and a text.
* :func:`flip_digit` flips a digit and says whether its label survives (:data:`KEEPS_LABEL`).
* :func:`augmentation_explorer` is the ipywidgets user interface (the seed is typed as text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import augment
from ._ui import Explorer, layout, style

__all__ = ["STRENGTHS", "FLIPS", "KEEPS_LABEL", "BECOMES", "AugmentResult", "to_unit_image",
           "augment_draws", "flip_digit", "parse_seed", "AugmentationExplorer",
           "augmentation_explorer"]  # fmt: skip

#: The transforms with a strength, their slider range and what the strength means.
STRENGTHS: dict[str, tuple[float, str]] = {
    "rotation": (0.5, "largest turn, as a fraction of 360° (RandomRotation)"),
    "translation": (0.5, "largest shift, as a fraction of height and width (RandomTranslation)"),
    "zoom": (0.9, "largest zoom in or out, as a fraction (RandomZoom)"),
    "shear": (1.0, "largest shear factor along x and y (RandomShear)"),
    "contrast": (1.0, "contrast factor drawn in [1 − c, 1 + c] (RandomContrast)"),
    "brightness": (1.0, "largest brightness shift, a fraction of the range (RandomBrightness)"),
    "noise": (0.5, "σ of the Gaussian noise added to each pixel (augment.add_gaussian_noise)"),
}  # fmt: skip

#: Flips of a digit, as functions of a 2-D array.
FLIPS = {
    "horizontal flip": lambda d: d[:, ::-1],
    "vertical flip": lambda d: d[::-1, :],
    "half turn (180°)": lambda d: d[::-1, ::-1],
}
#: Digits whose label (roughly) survives each flip; the others become another digit or none.
KEEPS_LABEL = {"horizontal flip": {0, 1, 8}, "vertical flip": {0, 1, 3, 8},
               "half turn (180°)": {0, 1, 8}}  # fmt: skip
#: Digits that a flip turns into *another* digit.
BECOMES = {"half turn (180°)": {6: 9, 9: 6}}


def to_unit_image(image: Any) -> np.ndarray:
    """A float32 ``(H, W, C)`` image in [0, 1]: uint8 (0–255) is divided by 255, ``(H, W)``
    gets a channel axis; float images must already lie in [0, 1]."""
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = arr[..., None]
    if arr.ndim != 3 or arr.shape[-1] not in (1, 3) or arr.size == 0:
        raise ValueError(f"expected an (H, W), (H, W, 1) or (H, W, 3) image, got {arr.shape}")
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / 255
    if arr.dtype.kind != "f" or arr.min() < 0 or arr.max() > 1:
        raise ValueError("give a uint8 image (0–255) or floats in [0, 1]")
    return arr.astype(np.float32)


@dataclass
class AugmentResult:
    """What :func:`augment_draws` returns.

    Attributes:
        original: the image as float32 ``(H, W, C)`` in [0, 1]; draws: ``(n, H, W, C)``.
        layers: the names of the Keras layers used (plus ``"GaussianNoise (NumPy)"``).
        settings: the settings; text: what was applied and how much the draws differ.
    """

    original: np.ndarray
    draws: np.ndarray
    layers: list[str]
    settings: dict[str, Any]
    text: str


def augment_draws(image: Any, n: int = 6, *, flip: str | None = None, rotation: float = 0.0,
                  translation: float = 0.0, zoom: float = 0.0, shear: float = 0.0,
                  contrast: float = 0.0, brightness: float = 0.0, noise: float = 0.0,
                  fill_mode: str = "reflect", seed: int = 0) -> AugmentResult:  # fmt: skip
    """``n`` random augmentations of one image, reproducible with ``seed``.

    Args:
        image: uint8 or [0, 1] float, ``(H, W)`` or ``(H, W, C)`` (see :func:`to_unit_image`).
        n: number of draws (1 … 16).
        flip: ``None``, ``"horizontal"``, ``"vertical"`` or ``"horizontal_and_vertical"``.
        rotation … brightness: the strengths of :func:`helpers.augment.augmentation_pipeline`
            (0 = off); noise: σ of added Gaussian noise (0 … 0.5).
        fill_mode: ``"constant"`` (black), ``"nearest"``, ``"reflect"`` or ``"wrap"``.
        seed: a non-negative int; the same seed gives the same draws.

    Raises:
        ValueError: strengths out of range, unknown fill mode or flip, bad ``n`` or seed.
    """
    import keras

    img = to_unit_image(image)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= n <= 16:
        raise ValueError(f"n must be a whole number from 1 to 16, got {n!r}")
    seed = parse_seed(seed)
    strengths = {
        "rotation": rotation,
        "translation": translation,
        "zoom": zoom,
        "shear": shear,
        "contrast": contrast,
        "brightness": brightness,
        "noise": noise,
    }
    for key, value in strengths.items():
        top = STRENGTHS[key][0]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= top:
            raise ValueError(f"{key} must be between 0 and {top}, got {value!r}")
    pipe = augment.augmentation_pipeline(
        flip=flip, fill_mode=fill_mode, seed=seed,
        **{k: float(v) for k, v in strengths.items() if k != "noise"},
    )  # fmt: skip
    batch = np.repeat(img[None], int(n), axis=0)
    out = keras.ops.convert_to_numpy(pipe(batch, training=True)) if pipe.layers else batch.copy()
    layers = [type(layer).__name__ for layer in pipe.layers]
    if noise:
        rng = np.random.default_rng(seed)
        out = np.stack([augment.add_gaussian_noise(o, float(noise), rng) for o in out])
        layers.append("GaussianNoise (NumPy)")
    out = np.clip(out, 0, 1).astype(np.float32)
    spread = float(np.abs(out - img[None]).mean())
    distinct = len({o.tobytes() for o in out})
    settings = {"flip": flip, **strengths, "fill_mode": fill_mode, "seed": seed, "n": int(n)}
    on = [f"{k} {v:g}" for k, v in strengths.items() if v] + ([f"flip {flip}"] if flip else [])
    text = "\n".join([
        f"applied: {', '.join(on) if on else 'nothing (every strength is 0)'}; "
        f"fill_mode={fill_mode!r}, seed={seed}",
        f"layers: {' → '.join(layers) if layers else '(none)'}",
        f"{n} draws, {distinct} different; mean |draw − original| = {spread:.3f} "
        "(0 = unchanged, on a 0…1 scale)",
    ])  # fmt: skip
    return AugmentResult(img, out, layers, settings, text)


def flip_digit(digit: Any, label: int, how: str = "horizontal flip") -> tuple[np.ndarray, str]:
    """Flip a digit image; say whether the label survives.

    Returns:
        ``(flipped, text)``; the text names the flip, the label and the verdict, e.g.
        ``"half turn (180°) of a 6: looks like a 9 — the label changes"``.

    Raises:
        ValueError: unknown ``how``, a label outside 0–9 or an image that is not 2-D.
    """
    if how not in FLIPS:
        raise ValueError(f"unknown flip {how!r}; choose from {list(FLIPS)}")
    if isinstance(label, bool) or not isinstance(label, int | np.integer) or not 0 <= label <= 9:
        raise ValueError(f"label must be a digit 0–9, got {label!r}")
    d = np.asarray(digit)
    if d.ndim == 3 and d.shape[-1] == 1:
        d = d[..., 0]
    if d.ndim != 2:
        raise ValueError(f"a digit is an (H, W) image, got shape {d.shape}")
    flipped = FLIPS[how](d).copy()
    label = int(label)
    if label in BECOMES.get(how, {}):
        verdict = f"looks like a {BECOMES[how][label]} — the label changes"
    elif label in KEEPS_LABEL[how]:
        verdict = "still (roughly) the same digit — this flip keeps the label"
    else:
        verdict = "no longer a digit of its class — this flip would teach a wrong label"
    return flipped, f"{how} of a {label}: {verdict}"


def parse_seed(value: Any) -> int:
    """A non-negative whole number, from an int or from text such as ``" 42 "``."""
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit():
            raise ValueError(f"the seed must be a whole number ≥ 0, got {value!r}")
        return int(text)
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"the seed must be a whole number ≥ 0, got {value!r}")
    return int(value)


@dataclass
class AugmentFrame:
    """The explorer's result: the draws and the flipped digit."""

    draws: AugmentResult
    digit: np.ndarray | None
    flipped: np.ndarray | None
    flip_text: str
    text: str


class AugmentationExplorer(Explorer):
    """The widgets of :func:`augmentation_explorer` and the last :class:`AugmentFrame`.

    Attributes:
        image: dropdown; one ``FloatSlider`` per transform in :attr:`strength` (also
        attributes ``rotation``, ``zoom``, …); flip: dropdown; fill_mode: dropdown;
        n: number of draws; seed: text field; digit: class 0–9; digit_flip: dropdown.
    """

    def __init__(self, images: Mapping[str, Any], digits: tuple[Any, Any] | None = None, *,
                 draw: bool = True):  # fmt: skip
        import ipywidgets as w

        if not isinstance(images, Mapping) or not images:
            raise ValueError("augmentation_explorer() needs a non-empty {name: image} mapping")
        self.images = {str(k): to_unit_image(v) for k, v in images.items()}
        self.draw = draw
        self.image = w.Dropdown(options=list(self.images), description="image", style=style(),
                                layout=layout())  # fmt: skip
        defaults = {"rotation": 0.05, "zoom": 0.1, "contrast": 0.2}
        self.strength = {
            key: w.FloatSlider(value=defaults.get(key, 0.0), min=0.0, max=top, step=0.01,
                               description=key, style={"description_width": "80px"},
                               layout=layout("300px"),
                               tooltip=meaning)
            for key, (top, meaning) in STRENGTHS.items()
        }  # fmt: skip
        for key, slider in self.strength.items():
            setattr(self, key, slider)
        self.flip = w.Dropdown(options=[("none", None), ("horizontal", "horizontal"),
                                        ("vertical", "vertical"),
                                        ("both", "horizontal_and_vertical")],
                               value="horizontal", description="random flip", style=style(),
                               layout=layout())  # fmt: skip
        self.fill_mode = w.Dropdown(options=list(augment.FILL_MODES), value="reflect",
                                    description="fill_mode", style=style(),
                                    layout=layout())  # fmt: skip
        self.n = w.IntSlider(value=6, min=1, max=12, description="draws", style=style(),
                             layout=layout())  # fmt: skip
        self.seed = w.Text(value="0", description="seed", style=style(), layout=layout("160px"),
                           continuous_update=False)  # fmt: skip
        controls = [self.image, self.flip, self.fill_mode, self.n, self.seed]
        watched = [*controls, *self.strength.values()]
        rows = [controls, list(self.strength.values())]
        self.digits = None
        if digits is not None:
            x, y = (np.asarray(a) for a in digits)
            if x.ndim != 3 or len(x) != len(y):
                raise ValueError("digits must be (images (N, H, W), labels (N,))")
            self.digits = (x, y.astype(int))
            present = sorted(set(self.digits[1].tolist()))
            self.digit = w.Dropdown(options=present, value=6 if 6 in present else present[0],
                                    description="digit", style=style(),
                                    layout=layout("140px"))  # fmt: skip
            self.digit_flip = w.Dropdown(options=list(FLIPS), value="half turn (180°)",
                                         description="flip the digit", style=style(),
                                         layout=layout("300px"))  # fmt: skip
            rows.append([self.digit, self.digit_flip])
            watched += [self.digit, self.digit_flip]
        self._build(rows, watched)
        self.update()

    def settings(self) -> dict[str, Any]:
        """The current settings, as keyword arguments of :func:`augment_draws`."""
        return {"n": self.n.value, "flip": self.flip.value, "fill_mode": self.fill_mode.value,
                "seed": parse_seed(self.seed.value),
                **{k: s.value for k, s in self.strength.items()}}  # fmt: skip

    def compute(self) -> AugmentFrame:
        result = augment_draws(self.images[self.image.value], **self.settings())
        digit = flipped = None
        flip_text = ""
        if self.digits is not None:
            x, y = self.digits
            digit = x[np.flatnonzero(y == self.digit.value)[0]]
            flipped, flip_text = flip_digit(digit, self.digit.value, self.digit_flip.value)
        text = result.text + (f"\ndigit: {flip_text}" if flip_text else "")
        return AugmentFrame(result, digit, flipped, flip_text, text)

    def figures(self, result: AugmentFrame) -> list:
        from .. import viz

        r = result.draws
        panels = {"original": r.original, **{f"draw {i + 1}": d for i, d in enumerate(r.draws)}}
        figs = [viz.compare_images(panels, ncols=min(len(panels), 7), size=1.45,
                                   show_shape=False)]  # fmt: skip
        if result.digit is not None:
            fig = viz.compare_images({f"a {self.digit.value}": result.digit,
                                      self.digit_flip.value: result.flipped},
                                     size=1.6, show_shape=False)  # fmt: skip
            keeps = "keeps the label" in result.flip_text
            fig.suptitle(result.flip_text.split(": ", 1)[1], fontsize=9,
                         color=viz.CORRECT_COLOR if keeps else viz.WRONG_COLOR)  # fmt: skip
            figs.append(fig)
        return figs


def augmentation_explorer(images: Mapping[str, Any], digits: tuple[Any, Any] | None = None, *,
                          draw: bool = True) -> AugmentationExplorer:  # fmt: skip
    """Build the augmentation explorer for ``{name: image}`` and optional ``(x, y)`` digits."""
    return AugmentationExplorer(images, digits, draw=draw)
