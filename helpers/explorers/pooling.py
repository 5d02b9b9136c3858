"""The pooling explorer (chapter 05): window, stride, padding, max or average.

* :func:`pool` is the pure function: a small grid or an image and the settings in, a
  :class:`PoolResult` out — the pooled output (computed by :func:`helpers.conv.pool2d`),
  for every output cell the input cell that **won** the max, how many windows each input
  cell won or lies in, which cells no window covers, and a text with the output-size formula.
* :func:`parse_grid` reads a small grid typed as text (``"2 3 1 9; 4 7 3 5; ..."``).
* :func:`pooling_explorer` shows both at once: the annotated grid (winners circled, dropped
  cells hatched) and a real photo before and after pooling.

Example:
    >>> r = pool([[2, 3, 1, 9], [4, 7, 3, 5], [8, 2, 2, 2], [1, 3, 4, 5]], 2)
    >>> r.output.tolist(), r.winners[0, 0].tolist()
    ([[7.0, 9.0], [8.0, 5.0]], [1, 1])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import conv
from ._ui import Explorer, layout, style

__all__ = ["PoolResult", "parse_grid", "pool", "PoolingFrame", "PoolingExplorer",
           "pooling_explorer", "DEFAULT_GRID"]  # fmt: skip

#: The default grid: seed 002's 4×4 example, grown to 6×6 so that windows and strides vary.
DEFAULT_GRID = "2 3 1 9 0 4; 4 7 3 5 2 1; 8 2 2 2 6 3; 1 3 4 5 0 7; 5 0 9 1 2 2; 3 6 1 4 8 0"


@dataclass
class PoolResult:
    """What :func:`pool` computes.

    Attributes:
        output: the pooled array, ``(H', W')`` or ``(H', W', C)``, float64.
        winners: ``(H', W', 2)`` int: the (row, column) of the input cell whose value each
            output cell took (max pooling of a 2-D input; first in reading order on ties);
            ``None`` for average pooling or a multi-channel input.
        counts: ``(H, W)`` int: for max pooling how many output cells each input cell won,
            for average pooling how many windows it lies in (2-D input; else ``None``).
        covered: ``(H, W)`` bool: the input cell lies in at least one window (``valid``
            padding drops the leftover rows/columns at the bottom and right).
        pads: ``((top, bottom), (left, right))`` padding used.
        text: the settings, the output-size formula for rows and columns, and what was kept.
    """

    output: np.ndarray
    winners: np.ndarray | None
    counts: np.ndarray | None
    covered: np.ndarray
    pads: tuple[tuple[int, int], tuple[int, int]]
    text: str


def _number(token: str) -> float:
    try:
        return float(Fraction(token))
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{token!r} is not a number (write e.g. 3, -1.5 or 1/4)") from None


def parse_grid(text: str) -> np.ndarray:
    """A grid typed as text: rows separated by ``;`` or new lines, numbers by spaces/commas.

    Raises:
        ValueError: empty text, a token that is not a number, rows of different lengths, or
            a grid larger than 12×12 (too big to annotate).
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_grid() takes a string, got {type(text).__name__}")
    rows = [r for r in text.replace("\n", ";").split(";") if r.strip()]
    if not rows:
        raise ValueError("the grid is empty: type rows such as '2 3 1 9; 4 7 3 5'")
    values = [[_number(t) for t in r.replace(",", " ").split()] for r in rows]
    lengths = [len(r) for r in values]
    if len(set(lengths)) != 1:
        raise ValueError(f"the grid's rows have different lengths {lengths}; "
                         "every row needs the same number of entries")  # fmt: skip
    grid = np.array(values, dtype=np.float64)
    if max(grid.shape) > 12:
        raise ValueError(f"the grid is {grid.shape[0]}×{grid.shape[1]}; at most 12×12 fits")
    return grid


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return int(value)


def pool(x: Any, size: int = 2, stride: int | None = None, padding: str = "valid",
         mode: str = "max") -> PoolResult:  # fmt: skip
    """Pool ``x`` and explain which cells won and how big the output is.

    Args:
        x: ``(H, W)`` grid or image, or ``(H, W, C)`` (each channel pooled on its own).
        size: the square window's side; stride: its step (``None``: the window size).
        padding: ``"valid"`` or ``"same"``; mode: ``"max"`` or ``"avg"``.

    Raises:
        ValueError: bad settings, e.g. a window larger than the input with ``valid``.
    """
    arr = np.asarray(x)
    if arr.ndim not in (2, 3) or arr.dtype.kind not in "iuf" or arr.size == 0:
        raise ValueError(f"pool() takes an (H, W) or (H, W, C) array of numbers, got {arr.shape}")
    size = _positive_int(size, "the window size")
    stride = size if stride is None else _positive_int(stride, "the stride")
    word = str(padding).strip().lower()
    if word not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    kind = {"max": "max", "avg": "avg", "average": "avg"}.get(str(mode).lower())
    if kind is None:
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    h, w = arr.shape[:2]
    out = conv.pool2d(arr, size, stride=stride, padding=word, mode=kind)
    pads = tuple(conv.padding_amounts(n, size, padding=word, stride=stride) for n in (h, w))
    (pt, pb), (pl, pr) = pads
    ho, wo = out.shape[:2]
    # Which input cells does each window cover? (rows r0..r1, columns c0..c1, clipped)
    covered = np.zeros((h, w), dtype=bool)
    in_windows = np.zeros((h, w), dtype=np.int64)
    for i in range(ho):
        r0, r1 = max(i * stride - pt, 0), min(i * stride - pt + size, h)
        for j in range(wo):
            c0, c1 = max(j * stride - pl, 0), min(j * stride - pl + size, w)
            in_windows[r0:r1, c0:c1] += 1
    covered = in_windows > 0
    winners = counts = None
    if arr.ndim == 2:
        counts = in_windows
        if kind == "max":
            padded = np.pad(arr.astype(np.float64), ((pt, pb), (pl, pr)), constant_values=-np.inf)
            view = sliding_window_view(padded, (size, size))[::stride, ::stride][:ho, :wo]
            flat = view.reshape(ho, wo, size * size).argmax(axis=-1)
            rows = np.arange(ho)[:, None] * stride - pt + flat // size
            cols = np.arange(wo)[None, :] * stride - pl + flat % size
            winners = np.stack([rows, cols], axis=-1)
            counts = np.zeros((h, w), dtype=np.int64)
            np.add.at(counts, (rows.ravel(), cols.ravel()), 1)
    n_in, n_out = h * w, ho * wo
    lines = [
        f"{kind} pooling, window {size}×{size}, stride {stride}, padding {word!r}",
        "rows:    " + conv.explain_output_size(h, size, padding=word, stride=stride),
        "columns: " + conv.explain_output_size(w, size, padding=word, stride=stride),
        f"input {h}×{w} → output {ho}×{wo}: {n_out:,} of {n_in:,} values per channel kept "
        f"({n_out / n_in:.0%}), {n_in - n_out:,} discarded",
    ]
    if not covered.all():
        lines.append(f"{int((~covered).sum())} input cell(s) lie in no window (leftover rows/"
                     "columns): they can never influence the output")  # fmt: skip
    if size > stride:
        lines.append(f"the windows overlap (window {size} > stride {stride})")
    elif size < stride:
        lines.append(f"the windows leave gaps (window {size} < stride {stride})")
    if winners is not None:
        never = int(((counts == 0) & covered).sum())
        lines.append(f"winners: {int((counts > 0).sum())} distinct input cells; "
                     f"{int(counts.max())} is the most outputs one cell won; "
                     f"{never} covered cell(s) never won")  # fmt: skip
    return PoolResult(out, winners, counts, covered, pads, "\n".join(lines))


@dataclass
class PoolingFrame:
    """The explorer's result: the same settings on the grid and on the image."""

    grid: PoolResult
    grid_input: np.ndarray
    image: PoolResult
    image_input: np.ndarray
    text: str


def _draw_grid(ax, values, title, *, counts=None, covered=None, winners=None, cmap="Oranges"):
    """An annotated grid: cells shaded by ``counts``, circles on winners, hatched if dropped."""
    import matplotlib.pyplot as plt

    h, w = values.shape
    shade = np.zeros((h, w)) if counts is None else counts.astype(float)
    top = max(float(shade.max()), 1.0)
    colours = plt.get_cmap(cmap)
    for i in range(h):
        for j in range(w):
            face = colours(0.15 + 0.6 * shade[i, j] / top) if shade[i, j] else "white"
            hatch = "//" if covered is not None and not covered[i, j] else None
            ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=face, edgecolor="grey",
                                       hatch=hatch))  # fmt: skip
            ax.text(j + 0.5, i + 0.5, f"{values[i, j]:.3g}", ha="center", va="center",
                    fontsize=10 if max(h, w) <= 8 else 8)  # fmt: skip
    if winners is not None:
        for r, c in {(int(r), int(c)) for r, c in winners.reshape(-1, 2)}:
            ax.add_patch(plt.Circle((c + 0.5, r + 0.5), 0.4, fill=False, lw=2, color="crimson"))
    ax.set_xlim(0, w)
    ax.set_ylim(h, 0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10)


def _detail(img: np.ndarray, out: np.ndarray, stride: int, pads) -> tuple[np.ndarray, np.ndarray]:
    """A square from the centre of ``img`` and the cells of ``out`` that its windows fill."""
    h, w = img.shape[:2]
    side = min(h, w, max(48, 8 * stride))
    r0, c0 = (h - side) // 2, (w - side) // 2
    (pt, _), (pl, _) = pads
    o_r, o_c = (r0 + pt) // stride, (c0 + pl) // stride
    n = max(side // stride, 1)
    return img[r0 : r0 + side, c0 : c0 + side], out[o_r : o_r + n, o_c : o_c + n]


class PoolingExplorer(Explorer):
    """The widgets of :func:`pooling_explorer` and the last :class:`PoolingFrame`.

    Attributes:
        image: photo dropdown; grid: text field with the small grid; size, stride: sliders;
        same_stride: checkbox "stride = window"; padding: dropdown; mode: toggle max/avg.
    """

    def __init__(self, images: Mapping[str, Any], *, grid: str = DEFAULT_GRID, draw: bool = True):
        import ipywidgets as w

        if not isinstance(images, Mapping) or not images:
            raise ValueError("pooling_explorer() needs a non-empty {name: image} mapping")
        self.images = {str(k): np.asarray(v) for k, v in images.items()}
        self.draw = draw
        self.image = w.Dropdown(options=list(self.images), description="image", style=style(),
                                layout=layout())  # fmt: skip
        self.grid = w.Text(value=grid, description="grid (rows; separated)", style=style(),
                           layout=layout("360px", flex="1 1 420px", max_width="640px"),
                           continuous_update=False)  # fmt: skip
        self.size = w.IntSlider(value=2, min=1, max=6, description="window", style=style(),
                                layout=layout())  # fmt: skip
        self.stride = w.IntSlider(value=2, min=1, max=6, description="stride", style=style(),
                                  layout=layout(), disabled=True)  # fmt: skip
        self.same_stride = w.Checkbox(value=True, description="stride = window", indent=False,
                                      style=style(), layout=layout("140px"))  # fmt: skip
        self.padding = w.Dropdown(options=["valid", "same"], description="padding",
                                  style=style(), layout=layout("160px"))  # fmt: skip
        self.mode = w.ToggleButtons(options=["max", "avg"], description="pooling",
                                    style={**style(), "button_width": "64px"},
                                    layout=layout("250px"))  # fmt: skip
        controls = [self.image, self.grid, self.size, self.same_stride, self.stride,
                    self.padding, self.mode]  # fmt: skip
        self._build([controls[:2], controls[2:]], controls)
        self.update()

    def sync(self) -> None:
        self.stride.disabled = self.same_stride.value
        if self.same_stride.value and self.stride.value != self.size.value:
            self.stride.unobserve(self._changed, names="value")
            self.stride.value = self.size.value
            self.stride.observe(self._changed, names="value")

    def settings(self) -> dict[str, Any]:
        """The current settings, as keyword arguments of :func:`pool`."""
        return {"size": self.size.value, "stride": self.stride.value,
                "padding": self.padding.value, "mode": self.mode.value}  # fmt: skip

    def compute(self) -> PoolingFrame:
        grid = parse_grid(self.grid.value)
        img = self.images[self.image.value]
        g, i = pool(grid, **self.settings()), pool(img, **self.settings())
        shape = "×".join(map(str, img.shape))
        text = (f"GRID {grid.shape[0]}×{grid.shape[1]}\n{g.text}\n\nIMAGE {self.image.value!r} "
                f"{shape}\n" + "\n".join(i.text.splitlines()[1:4]))  # fmt: skip
        return PoolingFrame(g, grid, i, img, text)

    def figures(self, result: PoolingFrame) -> list:
        import matplotlib.pyplot as plt

        from .. import viz

        g = result.grid
        h, w = result.grid_input.shape
        ho, wo = g.output.shape
        fig, axes = plt.subplots(1, 2, figsize=(min(3 + 0.45 * (w + wo), 10), 0.5 * h + 1.2),
                                 gridspec_kw={"width_ratios": [w, max(wo, 1)]})  # fmt: skip
        won = "circled: the winners; shade: outputs won" if g.winners is not None else \
            "shade: windows each cell lies in"  # fmt: skip
        _draw_grid(axes[0], result.grid_input, f"input\n{won}", counts=g.counts,
                   covered=g.covered, winners=g.winners,
                   cmap="Oranges" if g.winners is not None else "Blues")  # fmt: skip
        _draw_grid(axes[1], g.output, f"{self.mode.value} pool → {ho}×{wo}")
        fig.tight_layout()
        img = result.image_input
        out = result.image.output
        if img.dtype == np.uint8:
            out = np.clip(np.round(out), 0, 255).astype(np.uint8)
        # At the photo's full size both look alike: a detail from the centre, with its pixels
        # drawn as squares, shows what the pooling kept.
        crop_in, crop_out = _detail(img, out, self.stride.value, result.image.pads)
        fig2 = viz.compare_images(
            {f"{self.image.value}": img, f"{self.mode.value} pooled": out,
             "detail from the centre": crop_in, "the same detail, pooled": crop_out},
            size=2.4)  # fmt: skip
        return [fig, fig2]


def pooling_explorer(images: Mapping[str, Any], *, grid: str = DEFAULT_GRID,
                     draw: bool = True) -> PoolingExplorer:  # fmt: skip
    """Build the pooling explorer for ``{name: image}`` and a grid typed as text (display it).

    Every change pools both the grid and the chosen image with the same settings.
    ``draw=False`` skips the figures (for tests).
    """
    return PoolingExplorer(images, grid=grid, draw=draw)
