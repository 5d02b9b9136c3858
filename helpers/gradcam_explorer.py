"""An interactive Grad-CAM explorer: pick an image, a class and a layer; see the heat map.

Two layers, as in :mod:`helpers.explorer`, so that the logic can be tested without a browser:

* :func:`compute_frame` is the pure core: model + image + class + layer in, a :class:`Frame`
  out (the heat map at the layer's resolution, the overlay on the image, the class's
  probability and rank, and a text line). Everything the widget shows comes from it.
* :func:`gradcam_explorer` wraps it in ipywidgets: a ``Dropdown`` of images, a ``Combobox`` of
  classes (the model's top 5 for the image first, then every class; any class name or number
  may be typed), a ``Dropdown`` of layers, and an ``Output`` with the pictures. Its widgets
  are attributes of the returned :class:`GradCamExplorer`, so a test (or a curious learner)
  can set values from code and read :attr:`GradCamExplorer.frame`.

Class labels in the class box look like ``"German Shepherd Dog (#235)"``; :func:`parse_class`
reads them back, and also a bare number, an exact name or a unique part of a name.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import interpret

__all__ = [
    "Frame",
    "top_classes",
    "class_label",
    "class_options",
    "parse_class",
    "predict_probs",
    "compute_frame",
    "GradCamExplorer",
    "gradcam_explorer",
]

_LABEL = re.compile(r"\(#(\d+)\)\s*$")


@dataclass
class Frame:
    """One picture of the explorer (what :func:`compute_frame` returns).

    Attributes:
        class_index, class_name: the explained class.
        probability: the model's probability for it on this image; ``rank`` its place among
            all classes (1 = the prediction).
        layer: the layer whose maps were used; ``heatmap`` the ``(h, w)`` Grad-CAM in [0, 1].
        overlay: the heat map drawn over the display image, ``(H, W, 3)`` in [0, 1].
        text: one line that says all of the above.
    """

    class_index: int
    class_name: str
    probability: float
    rank: int
    layer: str
    heatmap: np.ndarray
    overlay: np.ndarray
    text: str


def _names(class_names: Sequence[str] | None, n: int) -> list[str]:
    if class_names is None:
        return [str(i) for i in range(n)]
    names = [str(c) for c in class_names]
    if len(names) != n:
        raise ValueError(f"{len(names)} class names for a model with {n} classes")
    return names


def top_classes(probs, k: int = 5) -> list[int]:
    """The indices of the ``k`` most probable classes, most probable first (ties: lower first)."""
    p = np.asarray(probs, dtype=np.float64).reshape(-1)
    if not 1 <= k <= len(p):
        raise ValueError(f"k must be from 1 to {len(p)}, got {k}")
    return [int(i) for i in np.argsort(-p, kind="stable")[:k]]


def class_label(index: int, class_names: Sequence[str]) -> str:
    """The label of a class in the class box: ``"name (#index)"``."""
    return f"{class_names[index]} (#{index})"


def class_options(probs, class_names: Sequence[str], top: int = 5) -> list[str]:
    """The class box's choices: the ``top`` classes first, then every other class by index."""
    best = top_classes(probs, min(top, len(class_names)))
    rest = [i for i in range(len(class_names)) if i not in set(best)]
    return [class_label(i, class_names) for i in best + rest]


def parse_class(text: Any, class_names: Sequence[str]) -> int:
    """A class index from what was typed or picked.

    Accepts an int, a label ``"name (#12)"``, a number ``"12"``, an exact name (any case) or a
    part of a name that only one class has.

    Raises:
        ValueError: unknown or ambiguous (the message lists candidates).
    """
    n = len(class_names)
    if isinstance(text, int | np.integer) and not isinstance(text, bool):
        index = int(text)
    else:
        if not isinstance(text, str):
            raise TypeError(f"a class is an int or a string, got {text!r}")
        s = text.strip()
        m = _LABEL.search(s)
        if m:
            index = int(m.group(1))
        elif s.isdigit():
            index = int(s)
        else:
            if not s:
                raise ValueError("type a class name or number")
            low = [c.lower() for c in class_names]
            if s.lower() in low:
                return low.index(s.lower())
            hits = [i for i, c in enumerate(low) if s.lower() in c]
            if len(hits) == 1:
                return hits[0]
            if hits:
                shown = ", ".join(class_names[i] for i in hits[:6])
                raise ValueError(f"{s!r} matches {len(hits)} classes ({shown}…): type more")
            close = difflib.get_close_matches(s.lower(), low, n=4)
            tip = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise ValueError(f"no class called {s!r}{tip}")
    if not 0 <= index < n:
        raise ValueError(f"class number {index} is out of range 0..{n - 1}")
    return index


def _model_input(image, preprocess: Callable | None) -> np.ndarray:
    x = np.asarray(image) if preprocess is None else np.asarray(preprocess(image))
    return x.astype(np.float32)


def predict_probs(model, image, preprocess: Callable | None = None) -> np.ndarray:
    """The model's class probabilities for one display image, ``(classes,)``."""
    x = interpret._single(model, _model_input(image, preprocess), "predict_probs")
    return interpret._run(model, x, 1)[0][0].astype(np.float64)


def compute_frame(
    model,
    image,
    class_index: int | str | None = None,
    layer: str | None = None,
    *,
    preprocess: Callable | None = None,
    class_names: Sequence[str] | None = None,
    probs=None,
    alpha: float = 0.45,
) -> Frame:
    """Grad-CAM of ``image`` for one class at one layer, with everything needed to show it.

    Args:
        image: the image as it is *shown* (e.g. uint8 RGB); ``preprocess`` turns it into the
            model's input (None: the image is the input).
        class_index: an int, a class label or name (see :func:`parse_class`), or None for the
            predicted class.
        layer: a layer with spatial axes (None: the last one).
        probs: the model's probabilities for this image, if already computed.
    """
    x = _model_input(image, preprocess)
    if probs is None:
        probs = predict_probs(model, x)
    probs = np.asarray(probs, dtype=np.float64).reshape(-1)
    names = _names(class_names, len(probs))
    c = int(np.argmax(probs)) if class_index is None else parse_class(class_index, names)
    parts = interpret.grad_cam_parts(model, x[0] if x.ndim == 4 else x, c, layer)
    rank = int((probs > probs[c]).sum()) + 1
    h, w = parts.heatmap.shape
    k = parts.maps.shape[-1]
    peak = np.unravel_index(int(parts.heatmap.argmax()), parts.heatmap.shape)
    where = (
        f"peak at row {peak[0]}, column {peak[1]} of {h}×{w}"
        if parts.heatmap.max() > 0
        else "nothing in this image raises the score (the map is all zero)"
    )
    text = (
        f"class {names[c]} (#{c}): p = {probs[c]:.3f}, rank {rank}; layer {parts.layer} "
        f"({h}×{w}×{k}); {where}"
    )
    return Frame(c, names[c], float(probs[c]), rank, parts.layer, parts.heatmap,
                 interpret.overlay(image, parts.heatmap, alpha=alpha), text)  # fmt: skip


class GradCamExplorer:
    """The widgets of :func:`gradcam_explorer` and the last frame they produced.

    Attributes:
        image, klass, layer: the input widgets (Dropdown, Combobox, Dropdown).
        text: an ``HTML`` widget with the frame's text (or an error message).
        plot: an ``Output`` widget with the pictures.
        widget: the whole user interface.
        frame: the last :class:`Frame`, or ``None`` when the settings are invalid.
        message: the last text, as plain text.
    """

    def __init__(
        self,
        model,
        images: Mapping[str, Any],
        *,
        class_names: Sequence[str] | None = None,
        preprocess: Callable | None = None,
        layers: Sequence[str] | None = None,
        top: int = 5,
        draw: bool = True,
        size: float = 3.2,
    ):
        import ipywidgets as w

        if not isinstance(images, Mapping) or not images:
            raise ValueError("gradcam_explorer() needs a non-empty {name: image} mapping")
        self.model, self.preprocess, self.top = model, preprocess, top
        self.images = {str(k): np.asarray(v) for k, v in images.items()}
        spatial = interpret.spatial_layer_names(model)
        layers = list(spatial if layers is None else layers)
        unknown = [n for n in layers if n not in spatial]
        if unknown or not layers:
            raise ValueError(
                f"layers {unknown or layers} cannot be used: Grad-CAM needs layers with spatial "
                f"axes; this model's are {spatial}"
            )
        self.draw, self.size = draw, size
        self._probs: dict[str, np.ndarray] = {}
        first = next(iter(self.images))
        n = len(self._probs_of(first))
        self.class_names = _names(class_names, n)
        self.frame: Frame | None = None
        self.message = ""
        full = w.Layout(width="100%")
        style = {"description_width": "60px"}
        self.image = w.Dropdown(options=list(self.images), description="image", style=style,
                                layout=full)  # fmt: skip
        self.klass = w.Combobox(options=[], description="class", ensure_option=False,
                                placeholder="type a class name or number", style=style,
                                layout=full)  # fmt: skip
        self.layer = w.Dropdown(options=layers, value=layers[-1], description="layer",
                                style=style, layout=full)  # fmt: skip
        self.text = w.HTML(layout=full)
        self.plot = w.Output(layout=full)
        controls = w.VBox([self.image, self.klass, self.layer], layout=full)
        self.widget = w.VBox([controls, self.text, self.plot], layout=full)
        self._set_class_options()
        self.image.observe(self._image_changed, names="value")
        self.klass.observe(self._changed, names="value")
        self.layer.observe(self._changed, names="value")
        self.update()

    def _probs_of(self, name: str) -> np.ndarray:
        if name not in self._probs:
            self._probs[name] = predict_probs(self.model, self.images[name], self.preprocess)
        return self._probs[name]

    def _set_class_options(self) -> None:
        probs = self._probs_of(self.image.value)
        options = class_options(probs, self.class_names, self.top)
        self.klass.options = options
        self._quiet = True
        self.klass.value = options[0]
        self._quiet = False

    def _image_changed(self, _change=None) -> None:
        self._set_class_options()
        self.update()

    def _changed(self, _change=None) -> None:
        if not getattr(self, "_quiet", False):
            self.update()

    def update(self) -> None:
        """Recompute with the current settings and refresh the text and the pictures."""
        import html

        name = self.image.value
        try:
            self.frame = compute_frame(
                self.model, self.images[name], self.klass.value, self.layer.value,
                preprocess=self.preprocess, class_names=self.class_names,
                probs=self._probs_of(name),
            )  # fmt: skip
            self.message = self.frame.text
        except (ValueError, TypeError) as exc:
            self.frame, self.message = None, f"⚠ {exc}"
        self.text.value = f"<pre style='white-space: pre-wrap'>{html.escape(self.message)}</pre>"
        if self.draw:
            self._redraw()

    def _redraw(self) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import display

        self.plot.clear_output(wait=True)
        if self.frame is None:
            return
        f = self.frame
        image = self.images[self.image.value]
        fig, axes = plt.subplots(1, 3, figsize=(3 * self.size, self.size))
        axes[0].imshow(image, cmap="gray" if image.ndim == 2 or image.shape[-1] == 1 else None)
        axes[0].set_title(self.image.value, fontsize=9)
        axes[1].imshow(f.heatmap, cmap="jet", vmin=0, vmax=1, interpolation="nearest")
        axes[1].set_title(f"Grad-CAM at {f.layer} ({f.heatmap.shape[0]}×{f.heatmap.shape[1]})",
                          fontsize=9)  # fmt: skip
        axes[2].imshow(f.overlay)
        axes[2].set_title(f"{f.class_name}: p = {f.probability:.3f}", fontsize=9)
        for ax in axes:
            ax.axis("off")
        fig.tight_layout()
        with self.plot:
            display(fig)
        plt.close(fig)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def gradcam_explorer(
    model,
    images: Mapping[str, Any],
    *,
    class_names: Sequence[str] | None = None,
    preprocess: Callable | None = None,
    layers: Sequence[str] | None = None,
    draw: bool = True,
) -> GradCamExplorer:
    """Build the interactive Grad-CAM explorer for ``{name: image}`` (display the result).

    ``preprocess`` turns a shown image into the model's input (e.g.
    :func:`helpers.pretrained.preprocess`); ``layers`` limits the layer menu (default: every
    layer with spatial axes, the last one selected). ``draw=False`` skips the pictures (tests).
    """
    return GradCamExplorer(model, images, class_names=class_names, preprocess=preprocess,
                           layers=layers, draw=draw)  # fmt: skip
