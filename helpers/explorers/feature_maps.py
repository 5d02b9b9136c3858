"""The feature-map explorer (chapter 06): pick a trained model's layer and an input image;
see the layer's feature maps and the filter that made a chosen map.

* :func:`feature_layers` lists the layers whose output is a stack of maps ``(H, W, C)``.
* :func:`source_filter` walks back from a layer, through layers that act on each channel
  on its own (batch normalization, activations, pooling, dropout), to the ``Conv2D`` whose
  filter made a given map.
* :func:`feature_maps` is the pure function: model, layer, image, map number in, a
  :class:`FeatureMaps` out (all maps, the chosen one, its filter, the model's prediction and
  a text).
* :func:`feature_map_explorer` is the ipywidgets user interface (the map number is typed).

Only models whose layers form a chain (``keras.Sequential``, or functional models without
branches) are supported by :func:`source_filter`; the maps themselves work for any model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..layer_kinds import keras_kind
from ._ui import Explorer, layout, style

__all__ = ["PER_CHANNEL", "feature_layers", "source_filter", "parse_map_index", "FeatureMaps",
           "feature_maps", "FeatureMapExplorer", "feature_map_explorer"]  # fmt: skip

#: Layer classes that transform each channel on its own: map #c after them is still made
#: by filter #c of the convolution before them.
PER_CHANNEL = ("BatchNormalization", "ReLU", "Activation", "LeakyReLU", "PReLU", "ELU",
               "MaxPooling2D", "AveragePooling2D", "Dropout", "SpatialDropout2D",
               "ZeroPadding2D", "Cropping2D", "GaussianNoise")  # fmt: skip


def _output_shape(layer) -> tuple | None:
    try:
        return tuple(layer.output.shape)
    except (AttributeError, ValueError):
        return None


def feature_layers(model) -> list[str]:
    """Names of the layers of ``model`` whose output is ``(batch, H, W, C)``, in order."""
    names = []
    for layer in model.layers:
        shape = _output_shape(layer)
        if shape is not None and len(shape) == 4 and type(layer).__name__ != "InputLayer":
            names.append(layer.name)
    return names


def source_filter(model, layer: str, channel: int) -> tuple[str | None, np.ndarray | None, list]:
    """The convolution and filter that made map ``channel`` of ``layer``.

    Returns:
        ``(conv_name, filter, path)``: the ``Conv2D`` layer's name, its filter
        ``kernel[:, :, :, channel]`` of shape ``(fh, fw, C_in)``, and the names of the
        per-channel layers between it and ``layer``; ``(None, None, path)`` when the chain
        reaches a layer that mixes channels in another way (or the input).
    """
    names = [lay.name for lay in model.layers]
    if layer not in names:
        raise ValueError(f"the model has no layer {layer!r}")
    path = []
    for lay in reversed(model.layers[: names.index(layer) + 1]):
        kind = keras_kind(lay)
        if kind == "Conv2D":
            kernel = np.asarray(lay.get_weights()[0])
            return lay.name, kernel[:, :, :, channel], path[::-1]
        if kind not in PER_CHANNEL:
            return None, None, path[::-1]
        path.append(lay.name)
    return None, None, path[::-1]


def parse_map_index(value: Any, n_maps: int) -> int:
    """A map number typed as text (``"5"``, ``"#5"``) or given as an int, checked against
    ``n_maps``.

    Raises:
        ValueError: not a whole number, or not in ``0 … n_maps − 1``.
    """
    if isinstance(value, str):
        text = value.strip().lstrip("#").strip()
        if not text.isdigit():
            raise ValueError(f"the map number must be a whole number 0…{n_maps - 1}, "
                             f"got {value!r}")  # fmt: skip
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"the map number must be a whole number, got {value!r}")
    if not 0 <= value < n_maps:
        raise ValueError(f"map #{value} does not exist: this layer has {n_maps} maps "
                         f"(#0…#{n_maps - 1})")  # fmt: skip
    return int(value)


def _model_input(model, image: Any) -> np.ndarray:
    arr = np.asarray(image)
    if arr.dtype == np.uint8:
        arr = arr.astype(np.float32) / 255
    want = tuple(model.inputs[0].shape[1:])
    if arr.ndim == len(want) - 1:
        arr = arr[..., None]
    if arr.ndim != len(want) or any(
        w is not None and w != a for w, a in zip(want, arr.shape, strict=True)
    ):
        raise ValueError(f"the model takes images of shape {want}, got {np.shape(image)}")
    return arr.astype(np.float32)


@dataclass
class FeatureMaps:
    """What :func:`feature_maps` returns.

    Attributes:
        layer: the layer's name; maps: its output for the image, ``(H, W, C)``.
        channel: the chosen map's number; chosen: ``maps[:, :, channel]``.
        conv, filter, path: see :func:`source_filter` (``None`` when there is no filter).
        prediction, probability: the model's class for the image and its probability
            (``None`` when the model's output is not a vector of class probabilities).
        image: the input as the model saw it, ``(H, W, C)`` float32; text: a summary.
    """

    layer: str
    maps: np.ndarray
    channel: int
    chosen: np.ndarray
    conv: str | None
    filter: np.ndarray | None
    path: list
    prediction: int | None
    probability: float | None
    image: np.ndarray
    text: str


def feature_maps(model, layer: str, image: Any, channel: Any = 0, *,
                 extractor=None) -> FeatureMaps:  # fmt: skip
    """The maps of ``layer`` for ``image``, and the filter that made map ``channel``.

    Args:
        model: a built Keras model with one image input.
        layer: a name from :func:`feature_layers`.
        image: one image ``(H, W)`` or ``(H, W, C)``; uint8 is divided by 255.
        channel: the chosen map, an int or text (see :func:`parse_map_index`).
        extractor: optional ``keras.Model(model.inputs[0], [layer output, model output])`` to
            reuse (the explorer caches one per layer).

    Raises:
        ValueError: unknown layer, a layer without maps, a bad image or map number.
    """
    import keras

    if layer not in feature_layers(model):
        raise ValueError(f"{layer!r} is not a layer with feature maps; choose from "
                         f"{feature_layers(model)}")  # fmt: skip
    x = _model_input(model, image)
    if extractor is None:
        extractor = keras.Model(model.inputs[0], [model.get_layer(layer).output, model.outputs[0]])
    maps, out = (keras.ops.convert_to_numpy(t) for t in extractor(x[None], training=False))
    maps, out = maps[0].astype(np.float64), out[0]
    c = parse_map_index(channel, maps.shape[-1])
    chosen = maps[:, :, c]
    conv, filt, path = source_filter(model, layer, c)
    prediction = probability = None
    if out.ndim == 1 and out.size > 1 and abs(float(out.sum()) - 1) < 1e-3 and out.min() >= 0:
        prediction, probability = int(out.argmax()), float(out.max())
    h, w, n = maps.shape
    lines = [f"layer {layer!r}: {n} maps of {h}×{w}"
             + (f"; the model predicts {prediction} (p = {probability:.3f})"
                if prediction is not None else ""),
             f"map #{c}: min {chosen.min():.3g}, max {chosen.max():.3g}, mean {chosen.mean():.3g}, "
             f"{(chosen == 0).mean():.0%} zeros"]  # fmt: skip
    dead = [i for i in range(n) if np.all(maps[:, :, i] == maps[0, 0, i])]
    if dead:
        lines.append(f"{len(dead)} map(s) are constant for this image (e.g. #{dead[0]}): "
                     "nothing in it excites them")  # fmt: skip
    if conv is not None:
        via = f", then {' → '.join(path)} (each channel on its own)" if path else ""
        lines.append(f"made by filter #{c} of {conv!r}: {filt.shape[0]}×{filt.shape[1]}×"
                     f"{filt.shape[2]} weights (one {filt.shape[0]}×{filt.shape[1]} slice per "
                     f"input channel), from {filt.min():.3g} to {filt.max():.3g}")  # fmt: skip
        if via:
            lines.append(via.removeprefix(", "))
    else:
        lines.append("no single filter made this map (a layer before it mixes channels "
                     "in another way, or it is the input)")  # fmt: skip
    return FeatureMaps(layer, maps, c, chosen, conv, filt, path, prediction, probability,
                       x, "\n".join(lines))  # fmt: skip


def _one_scale(fig, maps: np.ndarray) -> None:
    """Redraw the grid's maps on one shared colour scale, with a colour bar: signed maps
    (before a ReLU) diverging and centred on 0, activations ≥ 0 from 0 (dark) to the max."""
    from .. import viz

    images = [ax.images[0] for ax in fig.axes if ax.images]
    if not images:
        return
    lo, hi = float(maps.min()), float(maps.max())
    if lo < 0:
        lim = max(-lo, hi, 1e-12)
        cmap, clim = viz.DIVERGING_CMAP, (-lim, lim)
    else:
        cmap, clim = "viridis", (0.0, max(hi, 1e-12))
    for im in images:
        im.set_cmap(cmap)
        im.set_clim(*clim)
    fig.colorbar(images[0], ax=fig.axes, shrink=0.6, fraction=0.02, pad=0.02)


class FeatureMapExplorer(Explorer):
    """The widgets of :func:`feature_map_explorer` and the last :class:`FeatureMaps`.

    Attributes:
        layer: dropdown of :func:`feature_layers`; image: dropdown; channel: text field
        with the map number; max_maps: how many maps the grid shows.
    """

    def __init__(self, model, images: Mapping[str, Any], *, layer: str | None = None,
                 draw: bool = True):  # fmt: skip
        import ipywidgets as w

        if not isinstance(images, Mapping) or not images:
            raise ValueError("feature_map_explorer() needs a non-empty {name: image} mapping")
        names = feature_layers(model)
        if not names:
            raise ValueError("the model has no layer with feature maps (H, W, C)")
        self.model, self.images, self.draw = model, {str(k): v for k, v in images.items()}, draw
        self._extractors: dict[str, Any] = {}
        self.layer = w.Dropdown(options=names, value=layer or names[0], description="layer",
                                style=style(), layout=layout())  # fmt: skip
        self.image = w.Dropdown(options=list(self.images), description="image", style=style(),
                                layout=layout())  # fmt: skip
        self.channel = w.Text(value="0", description="map #", style=style(),
                              layout=layout("140px"), continuous_update=False)  # fmt: skip
        self.max_maps = w.IntSlider(value=32, min=8, max=128, step=8,
                                    description="maps in the grid", style=style(),
                                    layout=layout("280px"))  # fmt: skip
        controls = [self.layer, self.image, self.channel, self.max_maps]
        self._build([controls], controls)
        self.update()

    def _extractor(self, layer: str):
        import keras

        if layer not in self._extractors:
            m = self.model
            self._extractors[layer] = keras.Model(m.inputs[0], [m.get_layer(layer).output,
                                                             m.outputs[0]])  # fmt: skip
        return self._extractors[layer]

    def compute(self) -> FeatureMaps:
        return feature_maps(self.model, self.layer.value, self.images[self.image.value],
                            self.channel.value,
                            extractor=self._extractor(self.layer.value))  # fmt: skip

    def figures(self, result: FeatureMaps) -> list:
        import matplotlib.pyplot as plt

        from .. import viz

        fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.0))
        img = result.image[..., 0] if result.image.shape[-1] == 1 else result.image
        axes[0].imshow(img, cmap="gray" if img.ndim == 2 else None, vmin=0, vmax=1)
        axes[0].set_title(f"input {self.image.value}", fontsize=10)
        m = result.chosen
        if m.min() < 0:  # signed responses (before the ReLU): white = 0
            lim = max(abs(m.min()), abs(m.max()))
            im = axes[1].imshow(m, cmap=viz.DIVERGING_CMAP, vmin=-lim, vmax=lim)
        else:  # activations ≥ 0: a perceptually uniform map, dark = 0
            im = axes[1].imshow(m, cmap="viridis", vmin=0, interpolation="nearest")
        fig.colorbar(im, ax=axes[1], shrink=0.8)
        axes[1].set_title(f"{result.layer} map #{result.channel}", fontsize=10)
        for ax in axes:
            ax.axis("off")
        fig.tight_layout()
        figs = [fig]
        if result.filter is not None:
            f = result.filter
            figs.append(viz.show_filters(
                f[:, :, None, :], max_filters=32, ncols=8, annotate=f.shape[-1] == 1,
                title=f"filter #{result.channel} of {result.conv}: its {f.shape[-1]} "
                      "input-channel slice(s), red > 0 > blue",
            ))  # fmt: skip
        grid = viz.show_feature_maps(result.maps, max_maps=self.max_maps.value, ncols=8,
                                     title=f"all maps of {result.layer}, on one colour scale "
                                           "(strong and weak maps compare)")  # fmt: skip
        _one_scale(grid, result.maps[:, :, : self.max_maps.value])
        if result.channel < self.max_maps.value:
            ax = grid.axes[result.channel]
            ax.axis("on")
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_edgecolor("crimson")
                spine.set_linewidth(2.5)
        figs.append(grid)
        return figs


def feature_map_explorer(model, images: Mapping[str, Any], *, layer: str | None = None,
                         draw: bool = True) -> FeatureMapExplorer:  # fmt: skip
    """Build the feature-map explorer for a trained ``model`` and ``{name: image}``."""
    return FeatureMapExplorer(model, images, layer=layer, draw=draw)
