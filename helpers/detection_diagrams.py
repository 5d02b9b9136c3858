"""Pictures and small sums for chapter 18 (object detection): the YOLO grid, the R-CNN family,
RoI pooling against RoIAlign, anchor boxes and SSD's default-box count.

The arithmetic functions are plain NumPy and are tested; the ``draw_*`` functions draw on
Matplotlib axes they are given (or a new figure) and return the figure.

The RoI example is seed 004's (Mask R-CNN): a 100×100 image becomes a 32×32 feature map, so a
20×20 region of the image covers 20 · 32/100 = 6.4 feature-map cells. RoI pooling rounds that to
6 cells (the region shrinks; bins of unequal size); RoIAlign keeps 6.4 and reads the map at exact
sample points by bilinear interpolation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "anchor_boxes",
    "bilinear",
    "default_box_count",
    "draw_anchors",
    "draw_rcnn_family",
    "draw_roi_pool_vs_align",
    "draw_yolo_grid",
    "roi_align_points",
    "roi_on_feature_map",
    "roi_pool_bins",
]


# ----------------------------------------------------------------------------- arithmetic


def roi_on_feature_map(box, image_size: float, feature_size: float) -> np.ndarray:
    """A box (x0, y0, x1, y1) in image pixels → the same box in feature-map cells (floats)."""
    if image_size <= 0 or feature_size <= 0:
        raise ValueError("image_size and feature_size must be positive")
    return np.asarray(box, dtype=np.float64) * (feature_size / image_size)


def roi_pool_bins(box_f, output_size: int) -> list[tuple[int, int, int, int]]:
    """RoI pooling's bins (Fast R-CNN): the region's corners are rounded down to whole cells first
    (as the seed puts it, 6.4 → 6), then split into ``output_size`` × ``output_size``
    bins whose edges are rounded too (floor for starts, ceil for ends), so bins can differ in
    size. Returns ``(x0, y0, x1, y1)`` integer cell ranges, row by row."""
    if output_size < 1:
        raise ValueError("output_size must be >= 1")
    x0, y0, x1, y1 = (int(np.floor(v)) for v in np.asarray(box_f, np.float64))
    w, h = max(x1 - x0, 1), max(y1 - y0, 1)
    bins = []
    for r in range(output_size):
        for c in range(output_size):
            bx0 = x0 + int(np.floor(c * w / output_size))
            bx1 = x0 + int(np.ceil((c + 1) * w / output_size))
            by0 = y0 + int(np.floor(r * h / output_size))
            by1 = y0 + int(np.ceil((r + 1) * h / output_size))
            bins.append((bx0, by0, bx1, by1))
    return bins


def roi_align_points(box_f, output_size: int, samples: int = 2) -> np.ndarray:
    """RoIAlign's sample points: the region (no rounding) is split into ``output_size`` ×
    ``output_size`` equal bins, and each bin is read at ``samples`` × ``samples`` regularly spaced
    points (in feature-map cell units). Returns shape (output_size, output_size, samples², 2) with
    (x, y) per point."""
    if output_size < 1 or samples < 1:
        raise ValueError("output_size and samples must be >= 1")
    x0, y0, x1, y1 = np.asarray(box_f, np.float64)
    bw, bh = (x1 - x0) / output_size, (y1 - y0) / output_size
    frac = (np.arange(samples) + 0.5) / samples
    pts = np.zeros((output_size, output_size, samples * samples, 2))
    for r in range(output_size):
        for c in range(output_size):
            xs = x0 + (c + frac) * bw
            ys = y0 + (r + frac) * bh
            gx, gy = np.meshgrid(xs, ys)
            pts[r, c] = np.stack([gx.ravel(), gy.ravel()], axis=-1)
    return pts


def bilinear(feature: np.ndarray, x: float, y: float) -> float:
    """The value of a 2-D map at a real point (x, y), cell (i, j) having its centre at
    (j + 0.5, i + 0.5): a weighted mean of the four nearest cells (edges clamped)."""
    f = np.asarray(feature, dtype=np.float64)
    if f.ndim != 2:
        raise ValueError(f"feature must be a 2-D map, got shape {f.shape}")
    u, v = x - 0.5, y - 0.5
    j0, i0 = int(np.floor(u)), int(np.floor(v))
    a, b = u - j0, v - i0
    h, w = f.shape

    def at(i, j):
        return f[min(max(i, 0), h - 1), min(max(j, 0), w - 1)]

    return float(
        (1 - a) * (1 - b) * at(i0, j0)
        + a * (1 - b) * at(i0, j0 + 1)
        + (1 - a) * b * at(i0 + 1, j0)
        + a * b * at(i0 + 1, j0 + 1)
    )


def anchor_boxes(centre: Sequence[float], sizes: Sequence[float], ratios: Sequence[float]):
    """Faster R-CNN's anchors at one position: one box per (size, aspect ratio) pair, with area
    size² and width / height = ratio. Returns (len(sizes)·len(ratios), 4) xyxy boxes."""
    cx, cy = (float(v) for v in centre)
    out = []
    for s in sizes:
        for r in ratios:
            if s <= 0 or r <= 0:
                raise ValueError("sizes and ratios must be positive")
            w, h = s * np.sqrt(r), s / np.sqrt(r)
            out.append([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
    return np.asarray(out, dtype=np.float64)


def default_box_count(feature_sizes: Sequence[int], boxes_per_location: Sequence[int]) -> int:
    """SSD's number of default boxes: Σ over its feature maps of (side² × boxes per location)."""
    if len(feature_sizes) != len(boxes_per_location):
        raise ValueError("one number of boxes per feature map is needed")
    return int(
        sum(int(f) ** 2 * int(k) for f, k in zip(feature_sizes, boxes_per_location, strict=True))
    )


# ----------------------------------------------------------------------------- drawings


def _new_axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def draw_yolo_grid(ax, image, boxes, labels, grid: int, class_names=None, title=None):
    """An image with its S×S grid, each object's box and centre, and its responsible cell
    shaded (the cell that must predict it)."""
    from matplotlib.patches import Rectangle

    from .yolo import responsible_cell

    img = np.asarray(image)
    fig, ax = _new_axes(ax, (4, 4))
    h, w = img.shape[:2]
    ax.imshow(img, cmap="gray", extent=(0, w, h, 0))
    ch, cw = h / grid, w / grid
    for k in range(1, grid):
        ax.axhline(k * ch, color="#4c9be8", lw=0.8)
        ax.axvline(k * cw, color="#4c9be8", lw=0.8)
    colours = ["#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#e377c2", "#17becf"]
    for n, (box, lab) in enumerate(zip(np.asarray(boxes).reshape(-1, 4), labels, strict=True)):
        colour = colours[n % len(colours)]
        row, col = responsible_cell(box, grid, (h, w))
        ax.add_patch(Rectangle((col * cw, row * ch), cw, ch, color=colour, alpha=0.35))
        x0, y0, x1, y1 = box
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec=colour, lw=2))
        ax.plot((x0 + x1) / 2, (y0 + y1) / 2, "o", color=colour, ms=5)
        name = class_names[int(lab)] if class_names is not None else str(int(lab))
        ax.text(x0, y0 - 1, f"{name} → cell ({row}, {col})", color=colour, fontsize=8, va="bottom")
    ax.set_xlim(0, w)
    ax.set_ylim(h, 0)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(
        title or f"{grid}×{grid} grid: the cell holding a box's centre is responsible", fontsize=9
    )
    return fig


_STAGE_COLOURS = {
    "image": "#bbbbbb",
    "cnn": "#4c72b0",
    "region": "#dd8452",
    "head": "#55a868",
    "mask": "#c44e52",
    "slow": "#8172b2",
}

_PIPELINES = {
    "R-CNN (2014)": [
        ("image", "image"),
        ("slow", "selective search\n~2,000 regions"),
        ("cnn", "CNN on EACH\nwarped region"),
        ("head", "SVM classes\n+ box regression"),
    ],
    "Fast R-CNN (2015)": [
        ("image", "image"),
        ("cnn", "CNN ONCE\n→ feature map"),
        ("slow", "selective search\nregions"),
        ("region", "RoI pooling\n(fixed size)"),
        ("head", "softmax classes\n+ box head"),
    ],
    "Faster R-CNN (2016)": [
        ("image", "image"),
        ("cnn", "CNN once\n→ feature map"),
        ("region", "region proposal net\n(k anchors per place)"),
        ("region", "RoI pooling"),
        ("head", "classes + boxes"),
    ],
    "Mask R-CNN (2017)": [
        ("image", "image"),
        ("cnn", "CNN once\n→ feature map"),
        ("region", "region proposal net"),
        ("region", "RoIAlign\n(no rounding)"),
        ("head", "classes + boxes"),
        ("mask", "+ a mask\nper region"),
    ],
}


def draw_rcnn_family(fig=None):
    """The four two-stage detectors as pipelines, one row each, left to right."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    if fig is None:
        fig = plt.figure(figsize=(12, 5.2))
    ax = fig.add_axes((0, 0, 1, 1))
    rows = list(_PIPELINES.items())
    for r, (name, stages) in enumerate(rows):
        y = len(rows) - 1 - r
        ax.text(0.1, y + 0.4, name, fontsize=10, fontweight="bold", va="center")
        for k, (kind, text) in enumerate(stages):
            x = 2.3 + 1.75 * k
            ax.add_patch(
                FancyBboxPatch(
                    (x, y + 0.1),
                    1.45,
                    0.62,
                    boxstyle="round,pad=0.02",
                    color=_STAGE_COLOURS[kind],
                    alpha=0.9,
                )
            )
            ax.text(
                x + 0.725,
                y + 0.41,
                text,
                ha="center",
                va="center",
                fontsize=7.5,
                color="black" if kind == "image" else "white",
            )
            if k:
                ax.add_patch(
                    FancyArrowPatch(
                        (x - 0.3, y + 0.41),
                        (x - 0.02, y + 0.41),
                        arrowstyle="->",
                        mutation_scale=10,
                    )
                )
    ax.set_xlim(0, 13.0)
    ax.set_ylim(-0.3, len(rows) + 0.1)
    ax.axis("off")
    ax.text(
        6.5,
        len(rows) - 0.05,
        "purple: slow, outside the network · blue: shared CNN · "
        "orange: regions · green: heads · red: masks",
        ha="center",
        fontsize=8,
    )
    return fig


def draw_roi_pool_vs_align(
    axes=None, *, image_size=100, feature_size=32, roi=20, output_size=2, samples=2
):
    """Seed 004's example side by side: the region on the feature map, quantized by RoI pooling
    (left) and sampled exactly by RoIAlign (right)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.8))
    fig = axes[0].figure
    box_f = roi_on_feature_map([0, 0, roi, roi], image_size, feature_size)
    side = int(np.ceil(box_f[2])) + 1
    for ax in axes:
        for k in range(side + 1):
            ax.plot([0, side], [k, k], color="#cccccc", lw=0.7)
            ax.plot([k, k], [0, side], color="#cccccc", lw=0.7)
        ax.add_patch(Rectangle((0, 0), box_f[2], box_f[3], fill=False, ec="black", lw=2, ls="--"))
        ax.set_xlim(-0.3, side + 0.3)
        ax.set_ylim(side + 0.3, -0.3)
        ax.set_aspect("equal")
        ax.set_xticks(range(side + 1))
        ax.set_yticks(range(side + 1))
        ax.tick_params(labelsize=7)
    colours = ["#4c72b0", "#dd8452", "#55a868", "#c44e52"]
    for n, (x0, y0, x1, y1) in enumerate(roi_pool_bins(box_f, output_size)):
        axes[0].add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, color=colours[n % 4], alpha=0.35))
    axes[0].set_title(
        f"RoI pooling: {box_f[2]:.1f} → {int(box_f[2])} cells, bins rounded\n"
        f"(dashed: the true {roi}×{roi} px region)",
        fontsize=9,
    )
    pts = roi_align_points(box_f, output_size, samples)
    bw = box_f[2] / output_size
    for r in range(output_size):
        for c in range(output_size):
            n = r * output_size + c
            axes[1].add_patch(Rectangle((c * bw, r * bw), bw, bw, color=colours[n % 4], alpha=0.35))
            axes[1].plot(pts[r, c, :, 0], pts[r, c, :, 1], "k.", ms=7)
    axes[1].set_title(
        f"RoIAlign: {box_f[2]:.1f} cells kept, {output_size}×{output_size} equal bins,"
        f"\n{samples}×{samples} bilinear samples per bin (dots)",
        fontsize=9,
    )
    return fig


def draw_anchors(
    ax=None,
    *,
    image_size=(96, 128),
    centre=(64, 48),
    sizes=(16, 32, 56),
    ratios=(0.5, 1.0, 2.0),
    stride=16,
):
    """k = len(sizes)·len(ratios) anchors at one position of a feature map with ``stride``,
    over the grid of positions where the region proposal network places them."""
    from matplotlib.patches import Rectangle

    fig, ax = _new_axes(ax, (5.5, 4.2))
    h, w = image_size
    ax.add_patch(Rectangle((0, 0), w, h, color="#f2f2f2"))
    ys, xs = np.mgrid[stride / 2 : h : stride, stride / 2 : w : stride]
    ax.plot(xs.ravel(), ys.ravel(), ".", color="#999999", ms=3)
    colours = ["#4c72b0", "#dd8452", "#55a868"]
    anchors = anchor_boxes(centre, sizes, ratios)
    for n, (x0, y0, x1, y1) in enumerate(anchors):
        ax.add_patch(
            Rectangle(
                (x0, y0), x1 - x0, y1 - y0, fill=False, ec=colours[n // len(ratios) % 3], lw=1.5
            )
        )
    ax.plot(*centre, "ko", ms=5)
    ax.set_xlim(-2, w + 2)
    ax.set_ylim(h + 2, -2)
    ax.set_aspect("equal")
    ax.set_title(
        f"k = {len(anchors)} anchors ({len(sizes)} sizes × {len(ratios)} ratios) at one "
        f"of {xs.size} positions (stride {stride})",
        fontsize=9,
    )
    return fig
