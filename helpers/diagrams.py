"""Block diagrams of networks: a Keras model, or a hand-written list of blocks, as boxes and arrows.

Two entry points, both return a matplotlib ``Figure`` (they never call ``plt.show()``; end the
notebook line with ``;`` as with :mod:`helpers.viz`):

- :func:`draw_model` draws a built Keras model (``Sequential`` or functional). One box per layer:
  its kind (``Conv2D``, ``MaxPool``, ``Dense``, ``Add`` …), its settings (kernel, filters,
  stride, units, activation) and its output shape. Parallel branches (an Inception module) are
  laid out side by side; a connection that jumps over layers (a residual shortcut) is drawn as a
  curved arrow on the side. By default a ``BatchNormalization``, ``Activation``/``ReLU`` or
  ``Dropout`` that directly follows a single layer is *folded* into that layer's box
  (``Conv2D 3×3, 64 +BN +ReLU``), which keeps deep networks readable. Long chains wrap into
  several columns (``max_rows``).
- :func:`draw_blocks` draws a schematic from a plain list, for ideas that are not a model yet
  ("7×7 conv → 3×3 max pool → 3 residual units of 64 …"): strings or ``(title, detail)`` pairs
  are boxes, a nested list is a set of parallel branches, ``skips=[(i, j)]`` adds shortcut arrows.

Example::

    from helpers import diagrams
    diagrams.draw_model(model, title="LittleVGG");
    diagrams.draw_blocks(["input", ["1×1", ("1×1", "3×3")], "concat"], title="two branches");

:func:`model_graph` returns the boxes and arrows that :func:`draw_model` would draw (useful in
tests and to inspect a model's wiring). TensorFlow/Keras is never imported here: the model is
read through its public attributes (``layers``, ``inputs``, ``output``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from .layer_kinds import keras_kind

__all__ = ["Box", "model_graph", "layer_label", "draw_model", "draw_blocks", "KIND_COLORS"]

#: Short names for long Keras class names.
_SHORT = {
    "InputLayer": "Input",
    "BatchNormalization": "BN",
    "MaxPooling2D": "MaxPool",
    "AveragePooling2D": "AvgPool",
    "GlobalAveragePooling2D": "GlobalAvgPool",
    "GlobalMaxPooling2D": "GlobalMaxPool",
    "DepthwiseConv2D": "DepthwiseConv",
    "SeparableConv2D": "SepConv",
    "Concatenate": "Concat",
    "ZeroPadding2D": "ZeroPad",
    "Conv2DTranspose": "ConvTranspose",
}

#: Box fill colour per (short) kind; anything else is white.
KIND_COLORS = {
    "Input": "#eeeeee",
    "Conv2D": "#cfe2f3",
    "Conv1D": "#cfe2f3",
    "ConvTranspose": "#cfe2f3",
    "DepthwiseConv": "#d9d2e9",
    "SepConv": "#d9d2e9",
    "MaxPool": "#fce5cd",
    "AvgPool": "#fce5cd",
    "GlobalAvgPool": "#f4cccc",
    "GlobalMaxPool": "#f4cccc",
    "Flatten": "#f4cccc",
    "Dense": "#d9ead3",
    "Add": "#fff2cc",
    "Concat": "#fff2cc",
    "Multiply": "#fff2cc",
}

# Layers folded into the box of the single layer they follow, and how the suffix reads.
_FOLDABLE = {"BatchNormalization", "Activation", "ReLU", "LeakyReLU", "Dropout", "ELU"}

_SLOT_W = 2.35  # inches per box column
_ROW_H = 0.72  # inches per row
_BOX_W = 0.88  # box width, in slots
_BOX_H = 0.66  # box height, in rows


@dataclass
class Box:
    """One box of a diagram: a layer (or a folded group of layers) or a hand-written block."""

    name: str
    kind: str
    detail: str = ""
    shape: str = ""
    parents: list[str] = field(default_factory=list)
    params: int | None = None


# --------------------------------------------------------------------------- labels


def _pair(value: Any) -> tuple[int, ...]:
    if isinstance(value, int):
        return (value, value)
    return tuple(int(v) for v in value)


def _activation_name(layer: Any) -> str:
    act = getattr(layer, "activation", None)
    if act is None:
        return ""
    name = getattr(act, "__name__", str(act))
    return "" if name == "linear" else name


def _kernel_text(size: Any) -> str:
    return "×".join(str(v) for v in _pair(size))


def _stride_text(strides: Any) -> str:
    s = _pair(strides)
    if all(v == 1 for v in s):
        return ""
    return f" /{s[0]}" if len(set(s)) == 1 else f" /{'×'.join(map(str, s))}"


def layer_label(layer: Any) -> tuple[str, str]:
    """``(kind, detail)`` for a Keras layer, e.g. ``("Conv2D", "3×3, 64 /2 relu")``.

    ``kind`` is the class name, shortened (``MaxPooling2D`` → ``MaxPool``); ``detail`` lists
    the settings that matter for the architecture (kernel, filters, stride, units, rate,
    activation). Unknown layers get an empty detail.
    """
    cls = keras_kind(layer)
    kind = _SHORT.get(cls, cls)
    cfg = layer.get_config() if hasattr(layer, "get_config") else {}
    act = _activation_name(layer)
    parts: list[str] = []
    if cls in {"Conv2D", "Conv1D", "Conv2DTranspose", "SeparableConv2D"}:
        parts.append(f"{_kernel_text(cfg['kernel_size'])}, {cfg['filters']}")
        parts.append(_stride_text(cfg.get("strides", 1)))
    elif cls == "DepthwiseConv2D":
        mult = cfg.get("depth_multiplier", 1)
        parts.append(_kernel_text(cfg["kernel_size"]) + (f", ×{mult}" if mult != 1 else ""))
        parts.append(_stride_text(cfg.get("strides", 1)))
    elif cls in {"MaxPooling2D", "AveragePooling2D"}:
        parts.append(_kernel_text(cfg["pool_size"]))
        parts.append(_stride_text(cfg.get("strides") or cfg["pool_size"]))
    elif cls == "Dense":
        parts.append(str(cfg["units"]))
    elif cls == "Dropout":
        parts.append(f"{cfg['rate']:g}")
    elif cls == "Activation":
        parts.append(str(cfg.get("activation", "")))
        act = ""
    elif cls == "ZeroPadding2D":
        parts.append(str(cfg.get("padding")))
    text = "".join(parts)
    if act:
        text = f"{text} {act}".strip()
    return kind, text


def _shape_text(layer: Any) -> str:
    try:
        shape = layer.output.shape
    except Exception:  # not built, or used several times: no single output shape
        return ""
    dims = [d for d in tuple(shape)[1:]]
    return "×".join("?" if d is None else str(d) for d in dims)


def _fold_suffix(layer: Any) -> str:
    cls = keras_kind(layer)
    if cls == "BatchNormalization":
        return "+BN"
    if cls == "Dropout":
        return f"+drop {layer.get_config()['rate']:g}"
    if cls == "ReLU":
        return "+ReLU"
    if cls == "Activation":
        name = str(layer.get_config().get("activation", ""))
        return "+ReLU" if name == "relu" else f"+{name}"
    return f"+{_SHORT.get(cls, cls)}"


# --------------------------------------------------------------------------- graph


def _model_layers(model: Any) -> tuple[list[Any], dict[str, list[str]]]:
    """All layers (with the input layer) and each layer's parents, by layer name."""
    if not hasattr(model, "layers"):
        raise TypeError(f"draw_model() needs a Keras model, got {type(model).__name__}")
    layers = list(model.layers)
    if type(model).__name__ == "Sequential":
        functional = getattr(model, "_functional", None)
        head = []
        if functional is not None:
            head = [lay for lay in functional.layers if type(lay).__name__ == "InputLayer"]
        chain = head + layers
        parents = {lay.name: ([chain[i - 1].name] if i else []) for i, lay in enumerate(chain)}
        return chain, parents
    names = {lay.name for lay in layers}
    parents: dict[str, list[str]] = {}
    for lay in layers:
        found: list[str] = []
        for node in getattr(lay, "_inbound_nodes", []):
            for parent in getattr(node, "parent_nodes", []):
                pname = getattr(getattr(parent, "operation", None), "name", None)
                if pname in names and pname not in found:
                    found.append(pname)
        parents[lay.name] = found
    return layers, parents


def model_graph(model: Any, *, fold: bool = True, params: bool = False) -> list[Box]:
    """The boxes of :func:`draw_model`, in the model's layer order, each with its parents.

    With ``fold=True`` a ``BatchNormalization``/``Activation``/``ReLU``/``Dropout`` layer whose
    only parent has no other child is merged into that parent's box (its name disappears and
    its children point to the parent). ``params=True`` fills ``Box.params`` with the weights
    of the box's layers.
    """
    layers, parents = _model_layers(model)
    if not layers:
        raise ValueError("draw_model(): the model has no layers")
    children: dict[str, list[str]] = {lay.name: [] for lay in layers}
    for name, ps in parents.items():
        for p in ps:
            children.setdefault(p, []).append(name)
    boxes: dict[str, Box] = {}
    alias: dict[str, str] = {}  # folded layer name -> box name
    for lay in layers:
        ps = [alias.get(p, p) for p in parents[lay.name]]
        cls = keras_kind(lay)
        n_params = _safe_count(lay) if params else None
        if (
            fold
            and cls in _FOLDABLE
            and len(parents[lay.name]) == 1
            and len(children.get(parents[lay.name][0], [])) == 1
            and ps[0] in boxes
            and boxes[ps[0]].kind != "Input"
        ):
            target = boxes[ps[0]]
            target.detail = f"{target.detail} {_fold_suffix(lay)}".strip()
            shape = _shape_text(lay)
            target.shape = shape or target.shape
            if params and target.params is not None:
                target.params += n_params or 0
            alias[lay.name] = target.name
            continue
        kind, detail = layer_label(lay)
        boxes[lay.name] = Box(lay.name, kind, detail, _shape_text(lay), ps, n_params)
    return list(boxes.values())


def _safe_count(layer: Any) -> int:
    try:
        return int(layer.count_params())
    except Exception:  # an unbuilt layer has no weights yet
        return 0


# --------------------------------------------------------------------------- layout + drawing


def _levels(boxes: Sequence[Box]) -> dict[str, int]:
    level: dict[str, int] = {}
    for box in boxes:  # layer order is topological for Keras models and for draw_blocks
        level[box.name] = 1 + max((level[p] for p in box.parents if p in level), default=-1)
    return level


def _place(boxes: Sequence[Box], level: dict[str, int]) -> dict[str, float]:
    """x position (in slots) per box: children under the mean of their parents, no overlaps."""
    x: dict[str, float] = {}
    by_level: dict[int, list[Box]] = {}
    for box in boxes:
        by_level.setdefault(level[box.name], []).append(box)
    for lv in sorted(by_level):
        row = by_level[lv]
        want = []
        for i, box in enumerate(row):
            px = [x[p] for p in box.parents if p in x]
            want.append((sum(px) / len(px) if px else 0.0, i, box))
        # siblings that want the same place are spread around it
        groups: dict[float, list] = {}
        for w in want:
            groups.setdefault(round(w[0], 6), []).append(w)
        spread = []
        for centre, members in groups.items():
            k = len(members)
            for j, (_, i, box) in enumerate(members):
                spread.append((centre + j - (k - 1) / 2, i, box))
        spread.sort(key=lambda t: (t[0], t[1]))
        placed: list[float] = []
        for pos, _, _ in spread:
            placed.append(max(pos, placed[-1] + 1.0) if placed else pos)
        shift = (sum(s[0] for s in spread) - sum(placed)) / len(placed)
        for (_, _, box), pos in zip(spread, placed, strict=True):
            x[box.name] = pos + shift
    return x


def _render(
    boxes: Sequence[Box],
    *,
    title: str | None,
    max_rows: int,
    show_shapes: bool,
    ax: Any = None,
) -> Figure:
    if not isinstance(max_rows, int) or max_rows < 2:
        raise ValueError(f"max_rows must be a whole number ≥ 2, got {max_rows!r}")
    level = _levels(boxes)
    x = _place(boxes, level)
    n_levels = max(level.values()) + 1
    n_cols = -(-n_levels // max_rows)
    rows = min(n_levels, max_rows)
    # each wrapped column is as wide as its widest level
    col_lo, col_hi = [0.0] * n_cols, [0.0] * n_cols
    for box in boxes:
        c = level[box.name] // max_rows
        col_lo[c] = min(col_lo[c], x[box.name])
        col_hi[c] = max(col_hi[c], x[box.name])
    offsets, cursor = [], 0.0
    for c in range(n_cols):
        offsets.append(cursor - col_lo[c])
        cursor += col_hi[c] - col_lo[c] + 1.5
    width = cursor - 0.25  # includes room on the right for shortcut arrows
    pos = {
        b.name: (x[b.name] + offsets[level[b.name] // max_rows], -(level[b.name] % max_rows))
        for b in boxes
    }
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(3.0, width * _SLOT_W), max(1.5, rows * _ROW_H + 0.5)))
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.92 if title else 0.99)
    else:
        fig = ax.figure
    top = 0.5 + (0.25 if title else 0.0)
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(-rows + 0.5, top)
    ax.axis("off")
    hw, hh = _BOX_W / 2, _BOX_H / 2
    texts = []
    for b in boxes:
        lines = [f"{b.kind} {b.detail}".strip()]
        sub = b.shape if show_shapes else ""
        if b.params is not None:
            sub = f"{sub}  ({b.params:,} w)".strip()
        if sub:
            lines.append(sub)
        texts.append(lines)
    # one font size for the whole diagram, small enough for the longest line to fit its box
    fig_w, fig_h = fig.get_size_inches()
    axes_box = ax.get_position()
    box_w_pt = _BOX_W / width * fig_w * axes_box.width * 72
    box_h_pt = _BOX_H / (rows + top - 0.5) * fig_h * axes_box.height * 72
    longest = max(len(line) for lines in texts for line in lines)
    most = max(len(lines) for lines in texts)
    fontsize = max(4.0, min(7.5, 0.9 * box_w_pt / (0.6 * longest), box_h_pt / (1.35 * most + 0.4)))
    for b, lines in zip(boxes, texts, strict=True):
        cx, cy = pos[b.name]
        ax.add_patch(
            FancyBboxPatch(
                (cx - hw, cy - hh),
                _BOX_W,
                _BOX_H,
                boxstyle="round,pad=0,rounding_size=0.08",
                facecolor=KIND_COLORS.get(b.kind, "white"),
                edgecolor="#444444",
                linewidth=0.9,
                mutation_aspect=_SLOT_W / _ROW_H,
            )
        )
        ax.text(cx, cy, "\n".join(lines), ha="center", va="center", fontsize=fontsize)
    col_right = [col_hi[c] + offsets[c] + _BOX_W / 2 for c in range(n_cols)]
    for b in boxes:
        for p in b.parents:
            if p in pos:
                _arrow(ax, p, b.name, pos, level, max_rows, col_right)
    if title:
        ax.set_title(title, fontsize=11)
    return fig


def _poly(ax, pts, *, color: str, lw: float, ls: str = "-") -> None:
    """A polyline whose last segment ends in an arrow head."""
    if len(pts) > 2:
        xs, ys = zip(*pts[:-1], strict=True)
        ax.plot(xs, ys, color=color, linewidth=lw, linestyle=ls, solid_capstyle="butt")
    ax.add_patch(
        FancyArrowPatch(
            pts[-2], pts[-1], arrowstyle="-|>", mutation_scale=9, color=color, linewidth=lw,
            linestyle=ls, shrinkA=0, shrinkB=0,
        )
    )  # fmt: skip


def _arrow(ax, p: str, d: str, pos, level, max_rows: int, col_right: list[float]) -> None:
    """Route one arrow: straight, elbow (branches), side path (shortcuts) or column wrap."""
    hw, hh = _BOX_W / 2, _BOX_H / 2
    (sx, sy), (dx, dy) = pos[p], pos[d]
    lv_s, lv_d = level[p], level[d]
    # arrows into a merge box land spread over its top edge
    ex = dx + max(-0.7 * hw, min(0.7 * hw, 0.3 * (sx - dx)))
    if lv_s // max_rows != lv_d // max_rows:  # wraps to the next column
        gap_x = col_right[lv_s // max_rows] + 0.62
        low, top = sy - hh - 0.12, 0.5
        pts = [(sx, sy - hh), (sx, low), (gap_x, low), (gap_x, top), (dx, top), (dx, dy + hh)]
        _poly(ax, pts, color="#888888", lw=0.8, ls="--")
        return
    if lv_d - lv_s == 1:
        _poly(ax, [(sx, sy - hh), (ex, dy + hh)], color="#333333", lw=0.9)
        return
    between = [
        pos[n][0]
        for n in pos
        if lv_s < level[n] < lv_d and level[n] // max_rows == lv_s // max_rows
    ]
    if all(abs(bx - sx) > hw + 0.04 for bx in between):  # straight down, then to the target
        knee = dy + hh + 0.3
        _poly(ax, [(sx, sy - hh), (sx, knee), (ex, dy + hh)], color="#333333", lw=0.9)
        return
    # a shortcut over boxes: out of the right side, down, and back into the target's side
    side = max([sx, dx, *between]) + hw + 0.12 + 0.03 * (lv_d - lv_s)
    pts = [(sx + hw, sy), (side, sy), (side, dy), (dx + hw, dy)]
    _poly(ax, pts, color="#c0392b", lw=1.4)


def draw_model(
    model: Any,
    *,
    title: str | None = None,
    fold: bool = True,
    show_shapes: bool = True,
    show_params: bool = False,
    max_rows: int = 14,
    ax: Any = None,
) -> Figure:
    """Draw a built Keras model (``Sequential`` or functional) as a block diagram.

    Parameters
    ----------
    model:
        A Keras model. Build it first (give it an ``Input``) to see output shapes.
    title:
        Figure title.
    fold:
        Merge ``BatchNormalization``/``Activation``/``ReLU``/``Dropout`` layers that follow a
        single layer into that layer's box (``+BN +ReLU``). ``False`` draws every layer.
    show_shapes:
        Print each box's output shape (without the batch axis), e.g. ``32×32×64``.
    show_params:
        Also print each box's number of weights.
    max_rows:
        Rows per column; deeper models wrap into further columns (dashed grey arrows).
    ax:
        Draw into this matplotlib axes instead of a new figure.

    Returns the matplotlib ``Figure``. Boxes are coloured by kind (convolutions blue, depthwise
    purple, pooling orange, dense green, merges yellow); shortcuts that jump over boxes are red
    curved arrows. Nested models appear as one box (their class name).
    """
    boxes = model_graph(model, fold=fold, params=show_params)
    return _render(boxes, title=title, max_rows=max_rows, show_shapes=show_shapes, ax=ax)


# --------------------------------------------------------------------------- draw_blocks


def _block_box(item: Any, name: str, parents: list[str]) -> Box:
    if isinstance(item, Box):
        return Box(name, item.kind, item.detail, item.shape, parents, item.params)
    if isinstance(item, str):
        return Box(name, item, "", "", parents)
    if isinstance(item, tuple) and 1 <= len(item) <= 3 and all(isinstance(s, str) for s in item):
        kind, detail, shape = (*item, "", "")[:3]
        return Box(name, kind, detail, shape, parents)
    if isinstance(item, dict):
        unknown = set(item) - {"kind", "detail", "shape"}
        if "kind" not in item or unknown:
            raise ValueError(f"draw_blocks(): a dict block needs 'kind' (and optionally "
                             f"'detail', 'shape'); got keys {sorted(item)}")  # fmt: skip
        return Box(name, item["kind"], item.get("detail", ""), item.get("shape", ""), parents)
    raise TypeError(
        "draw_blocks(): a block is a string, a (title, detail[, shape]) tuple, a dict or a "
        f"list of parallel branches; got {item!r}"
    )


def draw_blocks(
    blocks: Sequence[Any],
    *,
    skips: Iterable[tuple[int, int]] = (),
    title: str | None = None,
    max_rows: int = 14,
    ax: Any = None,
) -> Figure:
    """Draw a schematic from a list of blocks, top to bottom.

    Each element of ``blocks`` is one of:

    - a string (``"3×3 max pool"``) or a tuple ``(title, detail)`` / ``(title, detail, shape)``
      or a dict with keys ``kind``, ``detail``, ``shape``: one box; the title picks the colour
      when it is a kind of :data:`KIND_COLORS` (``"Conv2D"``, ``"Add"`` …);
    - a list: parallel branches that all start from the previous block and all feed the next
      one; each branch is a single box or a list of boxes in sequence (a tuple is one box).

    ``skips`` holds ``(i, j)`` pairs of indices into ``blocks``: a shortcut from the output of
    block ``i`` into block ``j`` (``j > i + 1``), drawn as a red curved arrow.
    """
    if isinstance(blocks, str) or not isinstance(blocks, Sequence) or not blocks:
        raise ValueError("draw_blocks(): blocks must be a non-empty list")
    boxes: list[Box] = []
    heads: list[list[str]] = []
    tails: list[list[str]] = []
    prev: list[str] = []
    for i, item in enumerate(blocks):
        if isinstance(item, list):
            if not item:
                raise ValueError(f"draw_blocks(): block {i} is an empty list of branches")
            head, tail = [], []
            for j, branch in enumerate(item):
                chain = branch if isinstance(branch, list) else [branch]
                if not chain:
                    raise ValueError(f"draw_blocks(): branch {j} of block {i} is empty")
                ps = list(prev)
                for k, part in enumerate(chain):
                    box = _block_box(part, f"b{i}_{j}_{k}", ps)
                    boxes.append(box)
                    ps = [box.name]
                    if k == 0:
                        head.append(box.name)
                tail.append(ps[0])
        else:
            box = _block_box(item, f"b{i}", list(prev))
            boxes.append(box)
            head, tail = [box.name], [box.name]
        heads.append(head)
        tails.append(tail)
        prev = tail
    for skip in skips:
        if len(skip) != 2:
            raise ValueError(f"draw_blocks(): a skip is an (i, j) pair, got {skip!r}")
        i, j = skip
        if not (0 <= i < len(blocks) and 0 <= j < len(blocks) and j > i + 1):
            raise ValueError(
                f"draw_blocks(): skip ({i}, {j}) must join two blocks of the list with "
                f"j > i + 1 (there are {len(blocks)} blocks)"
            )
        for name in heads[j]:
            target = next(b for b in boxes if b.name == name)
            target.parents.extend(t for t in tails[i] if t not in target.parents)
    return _render(boxes, title=title, max_rows=max_rows, show_shapes=True, ax=ax)
