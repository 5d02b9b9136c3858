"""Concept figures: pictures of ideas, drawn by code (no data, no training).

Every function builds its own figure and *returns* it (never ``plt.show()``); end the notebook
line with ``;`` as with :mod:`helpers.viz`. The artists that carry the idea get a ``gid``
(``"neuron:H1"``, ``"edge:w5"``, ``"rf:1"``, ``"split:train"`` …) so that tests and readers can
find them with :func:`artists_by_gid`.

- :func:`draw_toy_network` — chapter 02's 2-2-2 network with w1…w8, b1, b2 on the edges; forward
  flow, or (``show="backward"``) the error signals δ flowing back.
- :func:`draw_feature_map_stack` — an input with a k×k receptive field, a convolutional layer's
  stack of feature maps (one per filter) and a second layer whose neuron sees a larger field.
- :func:`draw_data_split` — the train / validation / test split as one bar, with what each part
  is used for.
- :func:`draw_fitting_regimes` — under-, good and over-fitting of a 1-D regression, and the
  classic training vs validation error curve against capacity.
- :func:`draw_optimizer_paths` — several optimizers' paths on one 2-D loss surface (contours),
  computed by :func:`helpers.explorers.optimizers.compare_paths`.
- :func:`draw_batchnorm_passes` — the passes over a batch of feature maps that batch
  normalization makes in one training step, layer by layer variant (from
  :func:`helpers.fast_layers.full_size_ops`).

Example::

    from helpers import concept_diagrams as cd
    cd.draw_toy_network(show="backward");
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

__all__ = [
    "TOY_WEIGHTS",
    "TOY_EDGES",
    "artists_by_gid",
    "draw_toy_network",
    "draw_feature_map_stack",
    "draw_data_split",
    "draw_fitting_regimes",
    "draw_optimizer_paths",
    "draw_batchnorm_passes",
]

#: Chapter 02's example weights and biases.
TOY_WEIGHTS: dict[str, float] = {
    "w1": 0.2, "w2": 0.35, "w3": 0.15, "w4": 0.5,
    "w5": 0.6, "w6": 0.05, "w7": 0.5, "w8": 0.3,
    "b1": 0.7, "b2": 0.6,
}  # fmt: skip

#: weight name → (from neuron, to neuron), as in chapter 02's table.
TOY_EDGES: dict[str, tuple[str, str]] = {
    "w1": ("i1", "H1"), "w2": ("i2", "H1"), "w3": ("i1", "H2"), "w4": ("i2", "H2"),
    "w5": ("H1", "o1"), "w6": ("H2", "o1"), "w7": ("H1", "o2"), "w8": ("H2", "o2"),
}  # fmt: skip

_FORWARD = "#1f4e79"
_BACKWARD = "#c0392b"
_NEURON_FILL = {"i": "#eeeeee", "H": "#cfe2f3", "o": "#d9ead3"}


def artists_by_gid(fig: Figure, prefix: str = "") -> dict[str, Any]:
    """All artists of ``fig`` whose ``gid`` starts with ``prefix``, by gid."""
    found: dict[str, Any] = {}
    for ax in fig.axes:
        for artist in ax.findobj(lambda a: (a.get_gid() or "").startswith(prefix)):
            gid = artist.get_gid()
            if gid:
                found[gid] = artist
    return found


# --------------------------------------------------------------------------- 02: 2-2-2 network


def _fmt(value: float) -> str:
    return f"{value:.6g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"


def draw_toy_network(
    weights: Mapping[str, float] | None = None,
    values: Mapping[str, float] | None = None,
    show: str = "forward",
    *,
    title: str | None = None,
) -> Figure:
    """Draw chapter 02's 2-2-2 network: inputs i1, i2; hidden H1, H2; outputs o1, o2.

    Args:
        weights: ``w1`` … ``w8``, ``b1``, ``b2`` (missing keys take :data:`TOY_WEIGHTS`); each
            edge is labelled ``w5 = 0.6``. ``w1: i1→H1``, ``w5: H1→o1``, ``w7: H1→o2`` (see
            :data:`TOY_EDGES`); b1 feeds both hidden neurons, b2 both outputs.
        values: optional numbers written under the neurons, by neuron name (``"i1"``, ``"H1"``,
            ``"o2"`` …). In ``"backward"`` mode keys ``"d_o1"``, ``"d_H1"`` … give the δ values.
            Default: the inputs i1 = 0.4, i2 = 0.25.
        show: ``"forward"`` — arrows point from inputs to outputs (the forward pass);
            ``"backward"`` — the edges are grey and red arrows carry the error signals
            δ = ∂E/∂(net input) from the error E back through the outputs to the hidden layer,
            with the formulas of chapter 02 (δ_o = (o − t)·o(1 − o),
            δ_H1 = (δ_o1·w5 + δ_o2·w7)·H1(1 − H1), ∂E/∂w = δ(to) × input(from)).
        title: figure title (a default one otherwise).

    Artists with gids: ``neuron:<name>`` (6 circles), ``bias:b1``, ``bias:b2`` (boxes),
    ``edge:w1`` … ``edge:w8`` and ``edge:b1-H1`` … (arrows), and in backward mode
    ``back:E-o1``, ``back:o1-H1`` … (the red arrows).

    Raises:
        ValueError: ``show`` not "forward"/"backward", unknown weight names or non-finite values.
    """
    if show not in ("forward", "backward"):
        raise ValueError(f'show must be "forward" or "backward", got {show!r}')
    w = dict(TOY_WEIGHTS)
    for key, val in (weights or {}).items():
        if key not in TOY_WEIGHTS:
            raise ValueError(f"unknown weight {key!r}; expected one of {list(TOY_WEIGHTS)}")
        if not np.isfinite(float(val)):
            raise ValueError(f"weight {key} must be finite, got {val!r}")
        w[key] = float(val)
    vals = {"i1": 0.4, "i2": 0.25} if values is None else dict(values)
    backward = show == "backward"

    pos = {
        "i1": (0.0, 2.0), "i2": (0.0, 0.0),
        "H1": (3.0, 2.0), "H2": (3.0, 0.0),
        "o1": (6.0, 2.0), "o2": (6.0, 0.0),
        "b1": (1.5, 3.3), "b2": (4.5, 3.3),
    }  # fmt: skip
    radius = 0.38
    fig, ax = plt.subplots(figsize=(10, 4.8 if backward else 4.2))
    ax.set_aspect("equal")
    ax.axis("off")
    edge_color = "#9a9a9a" if backward else _FORWARD

    def arrow(p, q, gid, color, *, shrink_a=radius, shrink_b=radius, rad=0.0, lw=1.6, ls="-"):
        a = FancyArrowPatch(
            p, q, arrowstyle="-|>", mutation_scale=13, color=color, lw=lw, ls=ls,
            connectionstyle=f"arc3,rad={rad}", shrinkA=0, shrinkB=0, gid=gid, zorder=2,
        )  # fmt: skip
        # shrink in data units: move the end points onto the circles' rims
        (x0, y0), (x1, y1) = p, q
        d = np.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / d, (y1 - y0) / d
        a.set_positions(
            (x0 + ux * shrink_a, y0 + uy * shrink_a), (x1 - ux * shrink_b, y1 - uy * shrink_b)
        )
        ax.add_patch(a)
        return a

    # weight edges, labelled near their *target* third so that crossing labels do not collide
    for name, (src, dst) in TOY_EDGES.items():
        p, q = np.array(pos[src]), np.array(pos[dst])
        arrow(tuple(p), tuple(q), f"edge:{name}", edge_color)
        # a crossing edge is labelled near its source, on its own side of the crossing point
        crossing = p[1] != q[1]
        mid = p + (0.28 if crossing else 0.5) * (q - p)
        off = (0.0, (0.22 if q[1] > p[1] else -0.22) if crossing else 0.2)
        ax.text(
            mid[0] + off[0], mid[1] + off[1], f"{name} = {w[name]:g}", ha="center", va="center",
            fontsize=9, color=edge_color if not backward else "#555555", gid=f"wlabel:{name}",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9},
            zorder=4,
        )  # fmt: skip

    # biases
    for b, targets in (("b1", ("H1", "H2")), ("b2", ("o1", "o2"))):
        bx, by = pos[b]
        ax.add_patch(
            FancyBboxPatch(
                (bx - 0.42, by - 0.22),
                0.84,
                0.44,
                boxstyle="round,pad=0.02",
                fc="#fff2cc",
                ec="#7f6000",
                lw=1.2,
                gid=f"bias:{b}",
                zorder=3,
            )  # fmt: skip
        )
        ax.text(bx, by, f"{b} = {w[b]:g}", ha="center", va="center", fontsize=9, zorder=4)
        for tgt in targets:
            tx, ty = pos[tgt]
            arrow((bx, by - 0.22), (tx, ty), f"edge:{b}-{tgt}", "#b59b3b", shrink_a=0.0, lw=1.0,
                  ls="--")  # fmt: skip

    # neurons
    for name in ("i1", "i2", "H1", "H2", "o1", "o2"):
        x, y = pos[name]
        ax.add_patch(
            Circle(
                (x, y),
                radius,
                fc=_NEURON_FILL[name[0]],
                ec="black",
                lw=1.3,
                gid=f"neuron:{name}",
                zorder=3,
            )  # fmt: skip
        )
        ax.text(x, y, name, ha="center", va="center", fontsize=11, weight="bold", zorder=4)
        if name in vals:
            ax.text(x, y - radius - 0.18, f"{name} = {_fmt(float(vals[name]))}", ha="center",
                    va="top", fontsize=8.5, zorder=4)  # fmt: skip
    for x, label in ((0.0, "inputs"), (3.0, "hidden layer"), (6.0, "output layer")):
        ax.text(
            x,
            -1.5 if backward else -1.05,
            label,
            ha="center",
            va="center",
            fontsize=10,
            style="italic",
        )

    if not backward:
        ax.text(
            7.0, 1.0, "forward pass:\nnet = Σ w·input + b\nout = f(net)", ha="left",
            va="center", fontsize=9.5, color=_FORWARD,
        )  # fmt: skip
        ax.set_xlim(-0.8, 8.7)
        default_title = "The 2-2-2 network of chapter 02: weights on the edges, forward flow →"
    else:
        ex, ey = 8.4, 1.0
        ax.add_patch(
            FancyBboxPatch(
                (ex - 0.55, ey - 0.6),
                1.1,
                1.2,
                boxstyle="round,pad=0.03",
                fc="#f4cccc",
                ec=_BACKWARD,
                lw=1.3,
                gid="error:E",
                zorder=3,
            )  # fmt: skip
        )
        ax.text(ex, ey + 0.2, "E", ha="center", va="center", fontsize=12, weight="bold", zorder=4)
        ax.text(ex, ey - 0.25, "½Σ(t − o)²", ha="center", va="center", fontsize=8.5, zorder=4)
        for o in ("o1", "o2"):
            ox, oy = pos[o]
            arrow((ex - 0.55, ey + (0.3 if oy > ey else -0.3)), (ox, oy), f"back:E-{o}",
                  _BACKWARD, shrink_a=0.0, lw=2.0)  # fmt: skip
        # δ of the outputs flows back along w5…w8 to the hidden neurons (offset curved arrows)
        for name in ("w5", "w6", "w7", "w8"):
            src, dst = TOY_EDGES[name]
            arrow(pos[dst], pos[src], f"back:{dst}-{src}", _BACKWARD, rad=0.18, lw=1.6)
        deltas = {
            "o1": "δo1 = (o1 − t1)·o1(1 − o1)",
            "o2": "δo2 = (o2 − t2)·o2(1 − o2)",
            "H1": "δH1 = (δo1·w5 + δo2·w7)·H1(1 − H1)",
            "H2": "δH2 = (δo1·w6 + δo2·w8)·H2(1 − H2)",
        }
        for name, text in deltas.items():
            x, y = pos[name]
            extra = f" = {_fmt(float(vals['d_' + name]))}" if f"d_{name}" in vals else ""
            dy = radius + 0.55 if y > 1 else -(radius + 0.62)
            if y > 1 and name.startswith("H"):
                dy = radius + 0.2
            x += 0.9 if name.startswith("o") else -0.5  # keep the bottom labels apart
            ax.text(
                x, y + dy, text + extra, ha="center", va="center", fontsize=8.5,
                color=_BACKWARD, gid=f"delta:{name}", zorder=5,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9},
            )  # fmt: skip
        ax.text(
            3.4, -2.05, "gradient of a weight:  ∂E/∂w = δ(neuron it feeds) × (input it multiplies)"
            ",   e.g. ∂E/∂w5 = δo1·H1,  ∂E/∂w1 = δH1·i1", ha="center", va="center",
            fontsize=9, color=_BACKWARD,
        )  # fmt: skip
        ax.set_xlim(-0.8, 9.2)
        default_title = "Back-propagation: error signals δ flow backwards ← (red)"
    ax.set_ylim(-2.35 if backward else -1.3, 3.75)
    ax.set_title(title or default_title, fontsize=11)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- 04: feature maps


def _grid_lines(ax, x0: float, y0: float, n: int, *, color: str = "#777777", lw: float = 0.4):
    for k in range(n + 1):
        ax.plot([x0 + k, x0 + k], [y0, y0 + n], color=color, lw=lw, zorder=4)
        ax.plot([x0, x0 + n], [y0 + k, y0 + k], color=color, lw=lw, zorder=4)


def draw_feature_map_stack(
    size: int = 10,
    kernel: int = 3,
    n_filters: int = 4,
    *,
    kernel2: int = 3,
    n_filters2: int = 3,
    position: tuple[int, int] = (2, 3),
    title: str | None = None,
) -> Figure:
    """Receptive fields and stacked feature maps of two 'valid' stride-1 conv layers.

    Left: the ``size × size`` input with the ``kernel × kernel`` field of one layer-1 neuron
    (solid) and the larger field of one layer-2 neuron (dashed): ``kernel + kernel2 − 1`` pixels
    wide. Middle: layer 1's ``n_filters`` feature maps of ``size − kernel + 1`` pixels, stacked
    (one per filter), with the neuron that sees the solid field. Right: layer 2's
    ``n_filters2`` maps; its neuron sees ``kernel2 × kernel2 × n_filters`` values of layer 1,
    hence the dashed field of the input.

    ``position`` = (row, column) of the layer-2 neuron in its map (0-based, from the top-left).
    All lengths are in pixels = data units, so the rectangles' sizes are the field sizes.

    Gids: ``rf:1`` (the k×k field), ``rf:2`` (the larger field), ``map1:0`` … (layer-1 maps, the
    front one has index 0), ``map2:0`` …, ``neuron:1``, ``neuron:2``, ``window:2`` (the
    kernel2 × kernel2 window in layer 1's front map).

    Raises:
        ValueError: sizes that leave no output pixel, or a position outside the layer-2 map.
    """
    for name, val in (("size", size), ("kernel", kernel), ("kernel2", kernel2),
                      ("n_filters", n_filters), ("n_filters2", n_filters2)):  # fmt: skip
        if isinstance(val, bool) or not isinstance(val, int | np.integer) or val < 1:
            raise ValueError(f"{name} must be a positive whole number, got {val!r}")
    out1 = size - kernel + 1
    out2 = out1 - kernel2 + 1
    if out2 < 1:
        raise ValueError(f"a {size}×{size} input leaves no output for kernels {kernel}, {kernel2}")
    r, c = position
    if not (0 <= r < out2 and 0 <= c < out2):
        raise ValueError(f"position {position} is outside the {out2}×{out2} layer-2 map")
    field2 = kernel + kernel2 - 1

    fig, ax = plt.subplots(figsize=(10, 4.4))
    ax.set_aspect("equal")
    ax.axis("off")
    # y grows upwards in data coordinates; row 0 is the top row.
    rng = np.random.default_rng(4)
    img = rng.uniform(0.55, 1.0, (size, size))
    ax.imshow(img, cmap="Greys_r", vmin=0, vmax=1, extent=(0, size, 0, size), zorder=1)
    _grid_lines(ax, 0, 0, size)
    ax.text(size / 2, -0.9, f"input {size}×{size}", ha="center", va="top", fontsize=10)

    def top_left(x0: float, row: int, col: int, n: int) -> tuple[float, float]:
        """Lower-left corner (data coords) of cell (row, col) of an n×n map placed at x0."""
        return x0 + col, n - 1 - row

    # the layer-2 neuron at (r, c) sees layer-1 cells r..r+k2-1, c..c+k2-1, which see input
    # pixels r..r+field2-1; the layer-1 neuron drawn is the window's top-left cell (r, c).
    x_big, y_big = top_left(0, r, c, size)
    big = Rectangle((x_big, y_big - field2 + 1), field2, field2, fill=False, ec="#e69138", lw=2.2,
                    ls="--", gid="rf:2", zorder=5)  # fmt: skip
    small = Rectangle((x_big, y_big - kernel + 1), kernel, kernel, fc="#cc0000", alpha=0.25,
                      ec="#cc0000", lw=2.2, gid="rf:1", zorder=6)  # fmt: skip
    ax.add_patch(big)
    ax.add_patch(small)

    # layer 1: stack of maps, drawn back to front; offset (d, d) per map
    gap, d = 4.0, 0.7
    x1 = size + gap
    for j in reversed(range(n_filters)):
        ax.add_patch(
            Rectangle((x1 + j * d, j * d), out1, out1, fc=plt.get_cmap("Blues")(0.25 + 0.12 * j),
                      ec="#1f4e79", lw=1.0, gid=f"map1:{j}", zorder=3 + (n_filters - j) * 0.01)
        )  # fmt: skip
    _grid_lines(ax, x1, 0, out1, color="#5b7fa6")
    nx, ny = top_left(x1, r, c, out1)
    ax.add_patch(Rectangle((nx, ny - kernel2 + 1), kernel2, kernel2, fill=False, ec="#e69138",
                           lw=2.2, ls="--", gid="window:2", zorder=6))  # fmt: skip
    ax.add_patch(Rectangle((nx, ny), 1, 1, fc="#cc0000", ec="black", lw=1, gid="neuron:1",
                           zorder=7))  # fmt: skip
    for corner in ((x_big + kernel, y_big + 1), (x_big + kernel, y_big - kernel + 1)):
        ax.plot([corner[0], nx], [corner[1], ny + 0.5], color="#cc0000", lw=0.9, zorder=4)
    ax.text(
        x1 + out1 / 2 + (n_filters - 1) * d / 2, -0.9,
        f"conv {kernel}×{kernel}, {n_filters} filters\n→ {n_filters} feature maps {out1}×{out1}",
        ha="center", va="top", fontsize=10,
    )  # fmt: skip

    # layer 2
    x2 = x1 + out1 + (n_filters - 1) * d + gap
    for j in reversed(range(n_filters2)):
        ax.add_patch(
            Rectangle((x2 + j * d, j * d), out2, out2, fc=plt.get_cmap("Greens")(0.25 + 0.12 * j),
                      ec="#38761d", lw=1.0, gid=f"map2:{j}", zorder=3)
        )  # fmt: skip
    _grid_lines(ax, x2, 0, out2, color="#6aa84f")
    mx, my = top_left(x2, r, c, out2)
    ax.add_patch(Rectangle((mx, my), 1, 1, fc="#e69138", ec="black", lw=1, gid="neuron:2",
                           zorder=7))  # fmt: skip
    for corner in ((nx + kernel2, ny + 1), (nx + kernel2, ny - kernel2 + 1)):
        ax.plot([corner[0], mx], [corner[1], my + 0.5], color="#e69138", lw=0.9, ls="--",
                zorder=4)  # fmt: skip
    ax.text(
        x2 + out2 / 2 + (n_filters2 - 1) * d / 2, -0.9,
        f"conv {kernel2}×{kernel2}, {n_filters2} filters\n→ {n_filters2} maps {out2}×{out2}",
        ha="center", va="top", fontsize=10,
    )  # fmt: skip

    top = max(size, out1 + (n_filters - 1) * d) + 0.6
    ax.text(0, top + 1.0, f"■ a layer-1 neuron sees {kernel}×{kernel} input pixels",
            color="#cc0000", fontsize=10, ha="left", va="bottom")  # fmt: skip
    ax.text(0, top + 0.05,
            f"▫ a layer-2 neuron sees {kernel2}×{kernel2}×{n_filters} layer-1 values "
            f"= {field2}×{field2} input pixels: receptive fields grow with depth",
            color="#b45f06", fontsize=10, ha="left", va="bottom")  # fmt: skip
    ax.set_xlim(-0.5, x2 + out2 + (n_filters2 - 1) * d + 0.5)
    ax.set_ylim(-3.2, top + 2.2)
    if title:
        ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- 09: split, fitting


_SPLIT_USES = {
    "training": ("fit the weights", "#6fa8dc"),
    "validation": ("choose settings:\nepochs, learning\nrate, model", "#f6b26b"),
    "test": ("use once, at\nthe end: the\nreported score", "#93c47d"),
}


def draw_data_split(
    fractions: Sequence[float] = (0.7, 0.15, 0.15),
    n: int | None = None,
    *,
    title: str | None = None,
) -> Figure:
    """The train / validation / test split as one horizontal bar of total width 1.

    Args:
        fractions: (training, validation, test), positive, summing to 1 (within 1e-6).
        n: optional number of examples; the labels then also show the counts.
        title: figure title.

    Gids: ``split:training``, ``split:validation``, ``split:test`` (the bar segments; their
    widths are the fractions).

    Raises:
        ValueError: not three positive fractions summing to 1, or a bad ``n``.
    """
    fr = np.asarray(fractions, dtype=np.float64)
    if fr.shape != (3,) or not np.isfinite(fr).all() or (fr <= 0).any():
        raise ValueError(f"fractions must be three positive numbers, got {fractions!r}")
    if abs(fr.sum() - 1) > 1e-6:
        raise ValueError(f"fractions must sum to 1, got {fr.sum():g}")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 3):
        raise ValueError(f"n must be a whole number ≥ 3, got {n!r}")
    fig, ax = plt.subplots(figsize=(10, 3.0))
    left = 0.0
    for (name, (use, color)), f in zip(_SPLIT_USES.items(), fr, strict=True):
        ax.barh(0, f, left=left, height=0.6, color=color, ec="black", gid=f"split:{name}")
        count = f"  ({round(f * n):,})" if n is not None else ""
        ax.text(left + f / 2, 0, f"{name}\n{f:.0%}{count}", ha="center", va="center",
                fontsize=10, weight="bold")  # fmt: skip
        ax.text(left + f / 2, -0.45, use, ha="center", va="top", fontsize=9)
        left += f
    ax.annotate("", xy=(fr[0] + fr[1] / 2, 0.38), xytext=(fr[0] / 2, 0.38),
                arrowprops={"arrowstyle": "->", "color": "#555555",
                            "connectionstyle": "arc3,rad=-0.2"})  # fmt: skip
    ax.text((fr[0] + fr[1] / 2 + fr[0] / 2) / 2, 0.9, "train, then check on validation; repeat",
            ha="center", va="bottom", fontsize=9, color="#555555")  # fmt: skip
    ax.set_xlim(-0.005, 1.005)
    ax.set_ylim(-1.3, 1.25)
    ax.axis("off")
    ax.set_title(title or "Three disjoint parts of the data, three jobs", fontsize=11)
    fig.tight_layout()
    return fig


def _fitting_curves(capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic training and validation error against capacity (a concept, not a result)."""
    train = 0.05 + 0.95 * np.exp(-capacity / 2.5)
    val = train + 0.0045 * capacity**2
    return train, val


def draw_fitting_regimes(
    degrees: Sequence[int] = (1, 3, 9),
    n_points: int = 12,
    *,
    seed: int = 0,
    title: str | None = None,
) -> Figure:
    """Under-fitting, a good fit and over-fitting, plus the error-versus-capacity curve.

    Three panels fit polynomials of the given ``degrees`` (low, right, high capacity) to
    ``n_points`` noisy samples of sin(2πx); a fourth draws the classic picture: training error
    falls as capacity grows, validation error falls then rises; the best capacity is the
    validation minimum. Synthetic and seeded: a picture of the idea, not an experiment.

    Gids: ``fit:<degree>`` (the fitted curves), ``curve:train``, ``curve:validation``,
    ``best`` (the vertical line at the validation minimum).

    Raises:
        ValueError: not three increasing degrees ≥ 0, or ``n_points`` ≤ the highest degree.
    """
    deg = [int(dg) for dg in degrees]
    if len(deg) != 3 or deg != sorted(set(deg)) or deg[0] < 0:
        raise ValueError(f"degrees must be three increasing whole numbers ≥ 0, got {degrees!r}")
    if n_points <= deg[-1]:
        raise ValueError(f"n_points ({n_points}) must exceed the highest degree ({deg[-1]})")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 1, n_points))
    y = np.sin(2 * np.pi * x) + rng.normal(0, 0.2, n_points)
    grid = np.linspace(0, 1, 300)
    fig, axes = plt.subplots(1, 4, figsize=(10, 3.4), gridspec_kw={"width_ratios": [1, 1, 1, 1.35]})
    names = ("under-fitting", "good fit", "over-fitting")
    for ax, dg, name in zip(axes[:3], deg, names, strict=True):
        poly = np.polynomial.Polynomial.fit(x, y, dg)
        ax.plot(grid, np.sin(2 * np.pi * grid), color="#999999", lw=1, ls="--", label="truth")
        ax.plot(grid, poly(grid), color="#c0392b", lw=1.8, gid=f"fit:{dg}", label="model")
        ax.plot(x, y, "o", color="#1f4e79", ms=4, label="training data")
        ax.set_ylim(-1.8, 1.8)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{name}\ndegree {dg}", fontsize=10)
    axes[0].legend(fontsize=7, loc="lower left")
    ax = axes[3]
    cap = np.linspace(0, 12, 200)
    train, val = _fitting_curves(cap)
    best = cap[np.argmin(val)]
    ax.plot(cap, train, color="#1f4e79", lw=2, label="training error", gid="curve:train")
    ax.plot(cap, val, color="#e69138", lw=2, label="validation error", gid="curve:validation")
    ax.axvline(best, color="black", lw=1, ls=":", gid="best")
    ax.axvspan(0, best, color="#cfe2f3", alpha=0.35)
    ax.axvspan(best, cap[-1], color="#f4cccc", alpha=0.35)
    ax.text(best / 2, 0.95, "under-\nfitting", ha="center", va="top", fontsize=9)
    ax.text((best + cap[-1]) / 2, 0.95, "over-fitting", ha="center", va="top", fontsize=9)
    ax.set_xlim(0, cap[-1])
    ax.set_ylim(0, 1.05)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("capacity (or training epochs) →")
    ax.set_ylabel("error")
    ax.legend(fontsize=8, loc="center right")
    ax.set_title("select where validation\nerror is lowest", fontsize=10)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- 11: optimizers


def draw_optimizer_paths(
    surface: str = "elongated bowl",
    optimizers: Sequence[str] = ("SGD", "momentum", "RMSprop", "Adam"),
    *,
    lr: float = 0.03,
    steps: int = 80,
    momentum: float = 0.9,
    title: str | None = None,
) -> Figure:
    """Several optimizers' paths on one 2-D loss surface, over its contours (a static figure).

    The paths come from :func:`helpers.explorers.optimizers.compare_paths` (Keras' update
    rules in NumPy), all with the same ``lr``, ``steps`` and start. A diverged path is drawn
    up to the picture's edge and marked "diverged" in the legend.

    Gids: ``path:<optimizer>`` (one line per optimizer), ``minimum`` (the star(s)).
    """
    from helpers.explorers import optimizers as opt

    s = opt.SURFACES[surface] if surface in opt.SURFACES else opt._surface(surface)
    paths = opt.compare_paths(s, optimizers, lr=lr, steps=steps, momentum=momentum)
    x0, x1, y0, y1 = s.box
    gx, gy = np.meshgrid(np.linspace(x0, x1, 240), np.linspace(y0, y1, 240))
    z = s.f(gx, gy)
    levels = np.geomspace(max(float(z.min()), 1e-3), float(z.max()), 14)
    fig, ax = plt.subplots(figsize=(9, 4.6))
    ax.contourf(gx, gy, z, levels=levels, cmap="Greys", norm="log", alpha=0.3, extend="both")
    ax.contour(gx, gy, z, levels=levels, colors="grey", linewidths=0.5)
    for k, (mx, my) in enumerate(s.minima):
        ax.plot(mx, my, marker="*", ms=15, color="gold", mec="black", zorder=5,
                gid="minimum" if k == 0 else f"minimum:{k}")  # fmt: skip
    colours = plt.get_cmap("tab10")
    for i, (name, p) in enumerate(paths.items()):
        label = f"{name}: " + (
            f"diverged at step {p.diverged_at}"
            if p.diverged_at
            else f"loss {p.losses[-1]:.2g} after {len(p.points) - 1} steps"
        )
        ax.plot(p.points[:, 0], p.points[:, 1], "-o", color=colours(i), ms=2.5, lw=1.4,
                label=label, gid=f"path:{name}")  # fmt: skip
    start = next(iter(paths.values())).points[0]
    ax.plot(*start, "ks", ms=7, label="start", zorder=6)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("weight θ₁")
    ax.set_ylabel("weight θ₂")
    ax.legend(fontsize=8, loc="lower right", framealpha=0.9)
    ax.set_title(title or f"{s.name}: {len(paths)} optimizers, lr = {lr:g}, {steps} steps",
                 fontsize=11)  # fmt: skip
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- 06: batch-norm passes

#: Short labels for TensorFlow operation types (others are shown by their type name).
OP_SYMBOLS: dict[str, str] = {
    "Mean": "mean", "Sum": "sum", "SquaredDifference": "(x−μ)²", "Mul": "×", "AddV2": "+",
    "Add": "+", "AddN": "add", "Sub": "−", "RealDiv": "÷", "Tile": "tile",
    "FusedBatchNormV3": "fused", "FusedBatchNormGradV3": "fused\ngrad",
}  # fmt: skip
_PASS_COLOURS = {"forward": _FORWARD, "backward": _BACKWARD}


def draw_batchnorm_passes(
    variants: Mapping[str, Mapping[str, Sequence[str]]],
    *,
    input_shape: Sequence[int] | None = None,
    title: str | None = None,
) -> Figure:
    """Each variant's passes over the feature maps in one training step, as rows of boxes.

    Args:
        variants: name → ``{"forward": [op types…], "backward": [op types…]}``, as returned by
            :func:`helpers.fast_layers.full_size_ops`; one to four variants, at least one
            operation each.
        input_shape: optional (batch, height, width, channels) the operations were traced with;
            the caption then gives the size of one full-size tensor in MB.
        title: figure title.

    Gids: ``pass:<variant>:<forward|backward>:<i>`` (one box per operation, i from 0) and
    ``count:<variant>`` (the text giving the variant's number of passes).

    Raises:
        ValueError: no variants or more than four, a variant without operations or with keys
            other than forward and backward, or a bad ``input_shape``.
    """
    if not 1 <= len(variants) <= 4:
        raise ValueError(f"give one to four variants, got {len(variants)}")
    for name, ops in variants.items():
        if set(ops) != {"forward", "backward"}:
            raise ValueError(f"{name!r}: expected keys 'forward' and 'backward', got {sorted(ops)}")
        if not (len(ops["forward"]) + len(ops["backward"])):
            raise ValueError(f"{name!r} has no operations")
    if input_shape is not None:
        shape = tuple(input_shape)
        if len(shape) != 4 or not all(isinstance(n, int | np.integer) and n > 0 for n in shape):
            raise ValueError(
                f"input_shape must be four positive whole numbers, got {input_shape!r}"
            )
    widest = max(max(len(o["forward"]), len(o["backward"])) for o in variants.values())
    cols = max(widest, 6)
    # Sized for a notebook's width: about 8.5 inches shown at full size, so text stays legible.
    label_w, box_w, gap, row_h = 1.35, 0.8, 0.1, 0.8
    fig, ax = plt.subplots(figsize=(8.5, (0.5 + 2 * row_h) * len(variants) * 0.85 + 1.4))
    y = 0.0
    for name, ops in variants.items():
        nf, nb = len(ops["forward"]), len(ops["backward"])
        ax.text(0, y, name, ha="left", va="center", fontsize=11, weight="bold")
        ax.text(label_w + cols * (box_w + gap), y, f"{nf} forward + {nb} backward = {nf + nb} "
                f"pass{'es' if nf + nb != 1 else ''}", ha="right", va="center", fontsize=10,
                gid=f"count:{name}")  # fmt: skip
        y -= 0.3
        for direction in ("forward", "backward"):
            ax.text(label_w - 0.12, y - row_h / 2, direction, ha="right", va="center",
                    fontsize=10, color=_PASS_COLOURS[direction])  # fmt: skip
            for i, op in enumerate(ops[direction]):
                x = label_w + i * (box_w + gap)
                ax.add_patch(FancyBboxPatch(
                    (x, y - row_h + 0.08), box_w, row_h - 0.16,
                    boxstyle="round,pad=0.02,rounding_size=0.08",
                    fc="white", ec=_PASS_COLOURS[direction], lw=1.4,
                    gid=f"pass:{name}:{direction}:{i}"))  # fmt: skip
                symbol = OP_SYMBOLS.get(op, op)
                ax.text(x + box_w / 2, y - row_h / 2, symbol, ha="center", va="center",
                        fontsize=9.5 if "\n" in symbol or len(symbol) > 5 else 12)  # fmt: skip
            y -= row_h
        y -= 0.35
    caption = "Each box: one operation that reads a whole batch of feature maps from memory"
    if input_shape is not None:
        b, h, w, c = (int(n) for n in input_shape)
        caption += f" ({b}×{h}×{w}×{c} floats = {b * h * w * c * 4 / 1e6:.1f} MB)"
    caption += (
        ".\n× multiply, ÷ divide, − subtract, + and add: add; mean and sum reduce over the batch"
        " and the positions.\nA fused kernel does all its steps inside one operation."
    )
    ax.text(0, y + 0.1, caption, ha="left", va="top", fontsize=9.5, color="#444444")
    ax.set_xlim(-0.05, label_w + cols * (box_w + gap))
    ax.set_ylim(y - 0.75, 0.3)
    ax.axis("off")
    ax.set_title(title or "Batch normalization's passes over the feature maps in one training step",
                 fontsize=12)  # fmt: skip
    fig.tight_layout()
    return fig
