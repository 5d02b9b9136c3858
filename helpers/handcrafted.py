"""Hand-crafted features against learned ones (chapter 22): extractors, a fair split, a scorecard.

Before deep learning, an image classifier was two programs written separately: a **feature
extractor** designed by a person, which turns an image into a short vector of numbers that
person believes to matter, and a **classifier** (an SVM, a random forest…) trained on those
vectors. This module holds the extractor side for grey images and the bookkeeping needed to
compare such a pipeline fairly with CNNs:

* **Features.** :func:`hog_block` (histograms of oriented gradients, through
  :func:`helpers.classic_detection.hog_features`; its length is
  :func:`~helpers.classic_detection.hog_length`), :func:`shape_features` (area, perimeter,
  eccentricity, solidity, extent, bounding box, pieces, holes, Hu moments… of the thresholded
  object, from ``skimage.measure.regionprops``) and :func:`intensity_features` (mean, spread,
  percentiles and a histogram of the grey levels). :func:`feature_table` stacks the kinds you ask
  for into one ``(N, D)`` matrix with a name per column (:class:`FeatureTable`).
* **A fair split.** :func:`stratified_indices` draws the same number of images per class, so that
  every contender trains, is chosen and is tested on the very same images.
* **The scorecard.** :class:`Contender` records one approach (test accuracy, confusion matrix,
  training seconds, inference milliseconds per image, number of stored parameters);
  :func:`comparison_table` renders several side by side as Markdown, :func:`plot_comparison` and
  :func:`plot_confusions` draw them; :func:`ms_per_image` times a batch prediction (through
  :func:`helpers.classic_detection.time_per_image`) and :func:`sklearn_parameter_count` counts the
  numbers a fitted scikit-learn model keeps. :func:`agreement_groups` sorts test images by which
  contenders got them right (for "where do they disagree?").
* **Pictures of the ideas.** :func:`draw_pipelines` draws the two pipelines (image → hand-crafted
  features → classifier, image → feature-extraction network → classifier);
  :func:`plot_shape_features` shows the mask, bounding box, convex hull and fitted ellipse that
  the shape numbers come from.

Example:
    >>> import numpy as np
    >>> square = np.zeros((12, 12), bool); square[2:8, 3:9] = True
    >>> f = dict(zip(SHAPE_NAMES, shape_features(square)))
    >>> f["area"], f["perimeter"], f["extent"]
    (36.0, 20.0, 1.0)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import classic_detection as cdet
from .tables import markdown_table

__all__ = [
    "KINDS",
    "SHAPE_NAMES",
    "intensity_names",
    "hog_names",
    "foreground_mask",
    "shape_features",
    "intensity_features",
    "hog_block",
    "FeatureTable",
    "feature_table",
    "stratified_indices",
    "Contender",
    "ms_per_image",
    "timed",
    "sklearn_parameter_count",
    "comparison_table",
    "agreement_groups",
    "plot_comparison",
    "plot_confusions",
    "plot_shape_features",
    "draw_pipelines",
]

#: The feature kinds :func:`feature_table` knows, in the order it stacks them.
KINDS = ("hog", "shape", "intensity")

#: The names of :func:`shape_features`' numbers, in order.
SHAPE_NAMES = (
    "area",  # foreground pixels
    "perimeter",  # length of the outline (scikit-image's 4-connected estimate)
    "eccentricity",  # of the ellipse with the same second moments: 0 circle … 1 line
    "solidity",  # area / area of the convex hull
    "extent",  # area / area of the bounding box
    "bbox_height",
    "bbox_width",
    "aspect",  # bbox_height / bbox_width
    "major_axis",  # axis lengths of that ellipse
    "minor_axis",
    "orientation",  # angle of the major axis (radians, from the row axis)
    "compactness",  # 4π·area / perimeter²: 1 for a disc, small for ragged outlines
    "pieces",  # connected parts of the foreground (8-connected)
    "holes",  # pieces − Euler number: background regions enclosed by the object
    "hu1",
    "hu2",
    "hu3",
    "hu4",
    "hu5",
    "hu6",
    "hu7",  # Hu's seven moment invariants (translation, scale and rotation invariant)
)

_PERCENTILES = (10, 25, 50, 75, 90)


def intensity_names(bins: int = 8) -> list[str]:
    """The names of :func:`intensity_features`' numbers for ``bins`` histogram bins."""
    _positive_int(bins, "bins")
    return (
        ["mean", "std"]
        + [f"p{q}" for q in _PERCENTILES]
        + ["fg_mean", "fg_std"]
        + [f"hist{i}" for i in range(bins)]
    )


def hog_names(height: int, width: int | None = None, cell: int = 7, bins: int = 9,
              block: int = 2) -> list[str]:  # fmt: skip
    """``["hog0", "hog1", …]``: one name per number of a HOG descriptor of that window."""
    return [f"hog{i}" for i in range(cdet.hog_length(height, width, cell, bins, block))]


# ----------------------------------------------------------------------------- checks
def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return int(value)


def _gray(image: Any, caller: str) -> np.ndarray:
    """One grey image as float64 in [0, 1] (uint8 / values above 1 are divided by 255)."""
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != 2:
        raise ValueError(f"{caller}: expected one grey image (H, W), got shape {arr.shape}")
    if arr.dtype.kind not in "buif" or arr.size == 0:
        raise ValueError(f"{caller}: expected a non-empty array of numbers, got {arr.dtype}")
    if arr.dtype == bool:
        return arr.astype(np.float64)
    x = arr.astype(np.float64)
    if not np.isfinite(x).all():
        raise ValueError(f"{caller}: the image contains NaN or infinite values")
    if x.min() < 0:
        raise ValueError(f"{caller}: grey levels must not be negative (min {x.min():.3g})")
    return x / 255.0 if (arr.dtype == np.uint8 or x.max() > 1.0) else x


def _batch(images: Any, caller: str) -> np.ndarray:
    arr = np.asarray(images)
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != 3 or len(arr) == 0:
        raise ValueError(f"{caller}: expected a batch of grey images (N, H, W), got shape "
                         f"{arr.shape}")  # fmt: skip
    return arr


# ----------------------------------------------------------------------------- features
def foreground_mask(image: Any, threshold: float | None = None) -> np.ndarray:
    """The object's pixels: ``image > threshold`` (grey levels in [0, 1]).

    ``threshold=None`` picks Otsu's threshold (the level that best splits the grey-level
    histogram in two); a flat image then has no foreground. A boolean image is its own mask.
    """
    arr = np.asarray(image)
    if arr.dtype == bool and arr.ndim == 2:
        return arr.copy()
    x = _gray(image, "foreground_mask()")
    if threshold is None:
        if np.ptp(x) == 0:
            return np.zeros(x.shape, bool)
        from skimage.filters import threshold_otsu

        threshold = float(threshold_otsu(x))
    elif not 0.0 <= float(threshold) < 1.0:
        raise ValueError(f"foreground_mask(): threshold must be in [0, 1), got {threshold!r}")
    return x > threshold


def shape_features(image: Any, threshold: float | None = None) -> np.ndarray:
    """The :data:`SHAPE_NAMES` numbers of the object in ``image`` (float64, 21 values).

    The object is :func:`foreground_mask` (a boolean image is used as it is), taken as *one*
    region even when it falls apart in several pieces (a sandal's straps): ``regionprops`` of
    the whole mask. An empty mask gives zeros everywhere.
    """
    from skimage.measure import label, regionprops

    mask = foreground_mask(image, threshold)
    if not mask.any():
        return np.zeros(len(SHAPE_NAMES))
    (region,) = regionprops(mask.astype(np.uint8))
    r0, c0, r1, c1 = region.bbox
    area, perimeter = float(region.area), float(region.perimeter)
    pieces = int(label(mask, connectivity=2).max())
    values = {
        "area": area,
        "perimeter": perimeter,
        "eccentricity": float(region.eccentricity),
        "solidity": float(region.solidity),
        "extent": float(region.extent),
        "bbox_height": float(r1 - r0),
        "bbox_width": float(c1 - c0),
        "aspect": (r1 - r0) / (c1 - c0),
        "major_axis": float(region.axis_major_length),
        "minor_axis": float(region.axis_minor_length),
        "orientation": float(region.orientation),
        "compactness": 4 * np.pi * area / perimeter**2 if perimeter > 0 else 0.0,
        "pieces": float(pieces),
        "holes": float(max(pieces - int(region.euler_number), 0)),
    }
    hu = np.asarray(region.moments_hu, dtype=np.float64)
    # Hu moments span many orders of magnitude: the usual signed log keeps them comparable.
    # A moment below 1e-12 is 0 up to rounding (a symmetric object): it is kept as 0.
    tiny = np.abs(hu) < 1e-12
    hu = np.where(tiny, 0.0, -np.sign(hu) * np.log10(np.where(tiny, 1.0, np.abs(hu))))
    return np.array([values[n] for n in SHAPE_NAMES[:14]] + list(hu), dtype=np.float64)


def intensity_features(image: Any, bins: int = 8, threshold: float | None = None) -> np.ndarray:
    """Grey-level statistics of ``image`` (float64; names: :func:`intensity_names`).

    Mean and standard deviation of all pixels; their 10/25/50/75/90th percentiles; mean and
    standard deviation of the foreground pixels only (:func:`foreground_mask`, zeros if there are
    none); and a ``bins``-bin histogram of the levels over [0, 1], as fractions summing to 1.
    """
    bins = _positive_int(bins, "bins")
    x = _gray(image, "intensity_features()")
    mask = foreground_mask(x, threshold)
    fg = x[mask]
    hist = np.histogram(x, bins=bins, range=(0.0, 1.0))[0] / x.size
    stats = [x.mean(), x.std(), *np.percentile(x, _PERCENTILES)]
    stats += [fg.mean(), fg.std()] if fg.size else [0.0, 0.0]
    return np.concatenate([np.asarray(stats, dtype=np.float64), hist])


def hog_block(images: Any, cell: int = 7, bins: int = 9, block: int = 2) -> np.ndarray:
    """HOG descriptors of a batch of grey images at their own size: ``(N, hog_length(H, W,
    cell, bins, block))``, by :func:`helpers.classic_detection.hog_features` (L2-Hys blocks)."""
    arr = _batch(images, "hog_block()")
    cdet.hog_length(arr.shape[1], arr.shape[2], cell, bins, block)  # checks that a block fits
    return cdet.hog_features(arr, size=None, cell=cell, bins=bins, block=block)


@dataclass
class FeatureTable:
    """A feature matrix with one name per column and the columns of each kind."""

    values: np.ndarray  # (N, D) float64
    names: list[str]
    blocks: dict[str, slice]  # kind → its columns

    def __post_init__(self):
        if self.values.ndim != 2 or self.values.shape[1] != len(self.names):
            raise ValueError(f"FeatureTable: {self.values.shape} values for {len(self.names)} "
                             "names")  # fmt: skip

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    def kind(self, kind: str) -> np.ndarray:
        """The columns of one kind (``"hog"``, ``"shape"`` or ``"intensity"``)."""
        if kind not in self.blocks:
            raise KeyError(f"no {kind!r} columns; this table has {list(self.blocks)}")
        return self.values[:, self.blocks[kind]]

    def __repr__(self) -> str:
        parts = ", ".join(f"{k} {s.stop - s.start}" for k, s in self.blocks.items())
        return f"FeatureTable({self.values.shape[0]} images × {self.values.shape[1]}: {parts})"


def feature_table(
    images: Any,
    kinds: Sequence[str] = KINDS,
    *,
    hog_cell: int = 7,
    hog_bins: int = 9,
    hog_block_cells: int = 2,
    hist_bins: int = 8,
    threshold: float | None = None,
) -> FeatureTable:
    """Hand-crafted features of a batch of grey images ``(N, H, W)``: a :class:`FeatureTable`.

    ``kinds`` picks and orders the blocks among :data:`KINDS`; the HOG settings are those of
    :func:`hog_block`, ``hist_bins`` and ``threshold`` those of :func:`intensity_features` and
    :func:`shape_features`.
    """
    arr = _batch(images, "feature_table()")
    if isinstance(kinds, str):
        kinds = (kinds,)
    kinds = tuple(kinds)
    unknown = [k for k in kinds if k not in KINDS]
    if not kinds or unknown or len(set(kinds)) != len(kinds):
        raise ValueError(f"feature_table(): kinds must be distinct names among {KINDS}, got "
                         f"{kinds!r}")  # fmt: skip
    parts, names, blocks, start = [], [], {}, 0
    for kind in kinds:
        if kind == "hog":
            block = hog_block(arr, hog_cell, hog_bins, hog_block_cells)
            kind_names = hog_names(arr.shape[1], arr.shape[2], hog_cell, hog_bins, hog_block_cells)
        elif kind == "shape":
            block = np.stack([shape_features(im, threshold) for im in arr])
            kind_names = list(SHAPE_NAMES)
        else:
            block = np.stack([intensity_features(im, hist_bins, threshold) for im in arr])
            kind_names = intensity_names(hist_bins)
        parts.append(block.astype(np.float64))
        names += kind_names
        blocks[kind] = slice(start, start + len(kind_names))
        start += len(kind_names)
    return FeatureTable(np.concatenate(parts, axis=1), names, blocks)


# ----------------------------------------------------------------------------- the split
def stratified_indices(
    y: Any, per_class: int | Sequence[int], *, seed: int = 0
) -> tuple[np.ndarray, ...]:
    """Disjoint index sets with the same number of images of every class.

    ``per_class=300`` gives one index array; ``per_class=(300, 100)`` gives two (e.g. training
    and validation) that share no index. Inside each set the indices are sorted. ValueError when
    a class has too few images.
    """
    labels = np.asarray(y)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"stratified_indices(): y must be a non-empty 1-D array of labels, got "
                         f"shape {labels.shape}")  # fmt: skip
    sizes = (per_class,) if np.ndim(per_class) == 0 else tuple(per_class)
    sizes = tuple(_positive_int(s, "per_class") for s in sizes)
    rng = np.random.default_rng(seed)
    picks: list[list[np.ndarray]] = [[] for _ in sizes]
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        if len(members) < sum(sizes):
            raise ValueError(f"stratified_indices(): class {c} has {len(members)} images, "
                             f"fewer than the {sum(sizes)} asked for")  # fmt: skip
        start = 0
        for i, s in enumerate(sizes):
            picks[i].append(members[start : start + s])
            start += s
    out = tuple(np.sort(np.concatenate(p)) for p in picks)
    return out if len(out) > 1 else out[0]


# ----------------------------------------------------------------------------- scorecard
@dataclass
class Contender:
    """One approach's results on the shared test split."""

    name: str
    test_accuracy: float
    confusion: np.ndarray  # (K, K) counts: rows = true class, columns = predicted
    train_seconds: float  # everything training needed (features of the training images too)
    ms_per_image: float  # inference, from pixels to a class, per image in a batch
    parameters: int  # numbers the trained model keeps (frozen ones included)
    predictions: np.ndarray | None = None  # its predicted class for each test image
    note: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        cm = np.asarray(self.confusion)
        if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
            raise ValueError(f"Contender {self.name!r}: confusion must be square, got {cm.shape}")
        if not 0.0 <= float(self.test_accuracy) <= 1.0:
            raise ValueError(f"Contender {self.name!r}: accuracy must be in [0, 1]")
        if self.train_seconds < 0 or self.ms_per_image < 0 or self.parameters < 0:
            raise ValueError(f"Contender {self.name!r}: times and parameters must be ≥ 0")
        self.confusion = cm


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """``(fn(), seconds it took)`` — wall time of one call."""
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def ms_per_image(predict: Callable[[Any], Any], images: Any, repeats: int = 3) -> float:
    """Milliseconds per image of ``predict(images)`` on the whole batch: the median of
    ``repeats`` calls after a warm-up call (:func:`helpers.classic_detection.time_per_image`),
    divided by the batch size."""
    n = len(images)
    if n == 0:
        raise ValueError("ms_per_image(): the batch is empty")
    return 1000.0 * cdet.time_per_image(predict, images, repeats) / n


def sklearn_parameter_count(model: Any) -> int:
    """How many numbers a fitted scikit-learn model keeps (what it would save to disk).

    ``StandardScaler``: a mean and a scale per feature. Linear models: ``coef_`` and
    ``intercept_``. ``SVC``: the support vectors, their dual coefficients and the intercepts.
    Trees and forests: per node a feature index and a threshold, plus a class distribution per
    leaf. A ``Pipeline`` adds up its steps. TypeError for anything else.
    """
    steps = getattr(model, "steps", None)
    if steps is not None:
        return sum(sklearn_parameter_count(step) for _, step in steps if step != "passthrough")
    if hasattr(model, "estimators_") and hasattr(model, "n_classes_"):
        return sum(sklearn_parameter_count(tree) for tree in model.estimators_)
    if hasattr(model, "tree_"):
        tree = model.tree_
        leaves = int(np.sum(tree.children_left == -1))
        return int(2 * (tree.node_count - leaves) + leaves * tree.value.shape[-1])
    if hasattr(model, "support_vectors_"):
        return int(model.support_vectors_.size + model.dual_coef_.size + model.intercept_.size)
    if hasattr(model, "coef_"):
        return int(np.size(model.coef_) + np.size(getattr(model, "intercept_", 0)))
    if hasattr(model, "mean_") and hasattr(model, "scale_"):
        return int(np.size(model.mean_) + np.size(model.scale_))
    raise TypeError(f"sklearn_parameter_count(): do not know how to count a "
                    f"{type(model).__name__} (fit it first?)")  # fmt: skip


def _check_contenders(contenders: Sequence[Contender], caller: str) -> list[Contender]:
    items = list(contenders)
    if not items or not all(isinstance(c, Contender) for c in items):
        raise ValueError(f"{caller}: expected a non-empty list of Contender records")
    return items


def _count(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:.2f} M"
    if n >= 10_000:
        return f"{n / 1e3:.0f} k"
    return f"{n:,}"


def comparison_table(contenders: Sequence[Contender]) -> str:
    """The contenders side by side as a Markdown table (best test accuracy in bold)."""
    items = _check_contenders(contenders, "comparison_table()")
    best = max(c.test_accuracy for c in items)
    rows = []
    for c in items:
        acc = f"{c.test_accuracy:.3f}"
        rows.append((c.name, f"**{acc}**" if c.test_accuracy == best else acc,
                     f"{c.train_seconds:.1f}", f"{c.ms_per_image:.3f}",
                     _count(int(c.parameters))))  # fmt: skip
    return markdown_table(
        ["approach", "test accuracy", "training (s)", "inference (ms/image)", "parameters"],
        rows,
        align="lrrrr",
    )


def agreement_groups(y_true: Any, predictions: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Test indices grouped by who got them right.

    Keys: ``"all right"``, ``"all wrong"``, and for each contender ``"only <name> right"`` and
    ``"only <name> wrong"`` (with two contenders the two families coincide, so only the first is
    kept).
    """
    t = np.asarray(y_true)
    if not predictions:
        raise ValueError("agreement_groups(): no predictions")
    right = {}
    for name, p in predictions.items():
        p = np.asarray(p)
        if p.shape != t.shape:
            raise ValueError(f"agreement_groups(): {name!r} has {p.shape} predictions for "
                             f"{t.shape} labels")  # fmt: skip
        right[name] = p == t
    stack = np.stack(list(right.values()))
    n_right = stack.sum(axis=0)
    out = {"all right": np.flatnonzero(n_right == len(right)),
           "all wrong": np.flatnonzero(n_right == 0)}  # fmt: skip
    for i, name in enumerate(right):
        out[f"only {name} right"] = np.flatnonzero(stack[i] & (n_right == 1))
    if len(right) > 2:
        for i, name in enumerate(right):
            out[f"only {name} wrong"] = np.flatnonzero(~stack[i] & (n_right == len(right) - 1))
    return out


# ----------------------------------------------------------------------------- figures
def plot_comparison(contenders: Sequence[Contender], *, title: str | None = None):
    """Three bar charts side by side: test accuracy, training seconds, inference ms/image
    (the last two on a log scale, as they differ by orders of magnitude)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    items = _check_contenders(contenders, "plot_comparison()")
    names = [c.name for c in items]
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, axes = plt.subplots(1, 3, figsize=(11.5, 3.2))
    panels = [
        ("test accuracy", [c.test_accuracy for c in items], False, "{:.3f}"),
        ("training time (s)", [c.train_seconds for c in items], True, "{:.1f}"),
        ("inference (ms / image)", [c.ms_per_image for c in items], True, "{:.2f}"),
    ]
    y = np.arange(len(items))
    for ax, (label, values, log, fmt) in zip(axes, panels, strict=True):
        ax.barh(y, values, color=colours[: len(items)], gid=f"bars:{label}")
        ax.set_yticks(y, names if ax is axes[0] else [""] * len(items), fontsize=9)
        ax.invert_yaxis()
        ax.set_title(label, fontsize=10)
        if log:
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.margins(x=0.25)  # room for the value printed after each bar
        else:
            # Bars start at 0: a cut axis would make small differences in accuracy look large.
            ax.set_xlim(0.0, 1.2)
            ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        for yi, v in zip(y, values, strict=True):
            ax.text(v, yi, " " + fmt.format(v), va="center", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def plot_confusions(
    contenders: Sequence[Contender], class_names: Sequence[str] | None = None, *,
    normalize: bool = True,
):  # fmt: skip
    """The contenders' confusion matrices, two per row, on one colour scale (rows normalised to
    recall per class when ``normalize``); each large enough to read at a notebook's width."""
    import matplotlib.pyplot as plt

    items = _check_contenders(contenders, "plot_confusions()")
    k = items[0].confusion.shape[0]
    if any(c.confusion.shape != (k, k) for c in items):
        raise ValueError("plot_confusions(): the confusion matrices have different sizes")
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    if len(names) != k:
        raise ValueError(f"plot_confusions(): {len(names)} class names for {k} classes")
    cols = min(2, len(items))
    rows = -(-len(items) // cols)
    fig, grid = plt.subplots(rows, cols, figsize=(5.6 * cols, 5.4 * rows), squeeze=False)
    axes = grid.ravel()
    for ax in axes[len(items) :]:
        ax.axis("off")
    for ax, c in zip(axes, items, strict=False):
        cm = c.confusion.astype(np.float64)
        if normalize:
            cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
        ax.imshow(cm, cmap="Blues", vmin=0, vmax=1 if normalize else cm.max())
        for (i, j), v in np.ndenumerate(cm):
            if v >= (0.05 if normalize else 1):
                ax.text(
                    j,
                    i,
                    f"{v:.2f}"[1:] if normalize and v < 1 else f"{v:.0f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if v > 0.5 * (1 if normalize else cm.max()) else "black",
                )
        ax.set_xticks(range(k), names, rotation=90, fontsize=9)
        ax.set_yticks(range(k), names, fontsize=9)
        ax.set_xlabel("predicted", fontsize=9)
        ax.set_ylabel("true", fontsize=9)
        ax.set_title(f"{c.name}\naccuracy {c.test_accuracy:.3f}", fontsize=10)
    fig.tight_layout()
    return fig


def plot_shape_features(images: Any, *, threshold: float | None = None, titles=None):
    """Where the shape numbers come from: each image with its mask's outline, bounding box
    (extent), convex hull (solidity) and the ellipse of the same second moments
    (eccentricity, axes)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Ellipse, Rectangle
    from skimage.measure import find_contours, regionprops

    arr = _batch(images, "plot_shape_features()")
    fig, axes = plt.subplots(1, len(arr), figsize=(min(12, 2.3 * len(arr)), 2.9), squeeze=False)
    for i, (ax, im) in enumerate(zip(axes[0], arr, strict=True)):
        mask = foreground_mask(im, threshold)
        ax.imshow(_gray(im, "plot_shape_features()"), cmap="gray_r", vmin=0, vmax=1)
        ax.set_axis_off()
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
        if not mask.any():
            continue
        (region,) = regionprops(mask.astype(np.uint8))
        for contour in find_contours(mask.astype(float), 0.5):
            ax.plot(contour[:, 1], contour[:, 0], color="tab:blue", lw=1, gid="outline")
        r0, c0, r1, c1 = region.bbox
        ax.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0, fill=False,
                               ec="tab:green", lw=1.2, gid="bbox"))  # fmt: skip
        hull = find_contours(np.pad(region.image_convex, 1).astype(float), 0.5)
        for contour in hull:
            ax.plot(contour[:, 1] + c0 - 1, contour[:, 0] + r0 - 1, color="tab:orange", lw=1,
                    ls="--", gid="hull")  # fmt: skip
        cy, cx = region.centroid
        angle = 90 - np.degrees(region.orientation)  # matplotlib: degrees from the x axis
        ax.add_patch(
            Ellipse(
                (cx, cy),
                region.axis_major_length,
                region.axis_minor_length,
                angle=-angle,
                fill=False,
                ec="tab:red",
                lw=1.2,
                gid="ellipse",
            )
        )
    handles = [plt.Line2D([], [], color=c, ls=s, label=lab) for c, s, lab in
               [("tab:blue", "-", "outline (perimeter)"), ("tab:green", "-", "box (extent)"),
                ("tab:orange", "--", "convex hull (solidity)"),
                ("tab:red", "-", "ellipse (eccentricity)")]]  # fmt: skip
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def draw_pipelines():
    """The two ways from pixels to a class: features a person designed, or features a network
    learned. Boxes carry ``gid`` ``"hand:<step>"`` and ``"learned:<step>"``."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    rows = [
        ("hand", "hand-crafted features", 1.6, [
            ("image", "image\n28×28 grey", "#bbbbbb"),
            ("extract", "feature extraction\nwritten by a person:\nHOG · shape · intensity",
             "#d98c3a"),
            ("vector", "feature vector\n(each number\nmeans something)", "#f2d3a9"),
            ("classifier", "classifier\nSVM / random forest\n(trained)", "#2e75b6"),
            ("class", "class", "#bbbbbb"),
        ]),
        ("learned", "learned (data-driven) features", 0.0, [
            ("image", "image\n28×28 grey", "#bbbbbb"),
            ("extract", "feature-extraction\nnetwork (FEN): conv +\npooling, LEARNED", "#2e75b6"),
            ("vector", "feature vector\n(learned, not\nnamed)", "#a9c8ea"),
            ("classifier", "classifier\ndense + softmax\n(trained)", "#2e75b6"),
            ("class", "class", "#bbbbbb"),
        ]),
    ]  # fmt: skip
    fig, ax = plt.subplots(figsize=(10, 4.2))  # shown near full size at a notebook's width
    xs, widths = [0.0, 1.6, 4.2, 6.6, 8.9], [1.2, 2.2, 2.0, 1.9, 0.9]
    for key, label, y, steps in rows:
        ax.text(-0.1, y + 1.15, label, fontsize=11, weight="bold", va="bottom")
        for i, ((step, text, colour), x, w) in enumerate(zip(steps, xs, widths, strict=True)):
            ax.add_patch(FancyBboxPatch((x, y), w, 1.0, boxstyle="round,pad=0.04", fc=colour,
                                        ec="black", lw=0.8, gid=f"{key}:{step}"))  # fmt: skip
            dark = colour in ("#2e75b6",)
            ax.text(x + w / 2, y + 0.5, text, ha="center", va="center", fontsize=9.5,
                    color="white" if dark else "black")  # fmt: skip
            if i:
                ax.add_patch(FancyArrowPatch((xs[i - 1] + widths[i - 1] + 0.05, y + 0.5),
                                             (x - 0.05, y + 0.5), arrowstyle="-|>",
                                             mutation_scale=12))  # fmt: skip
    ax.text(5.0, -0.45, "blue: learned from data     orange: designed by hand", ha="center",
            fontsize=9, color="dimgray")  # fmt: skip
    ax.set_xlim(-0.2, 10.0)
    ax.set_ylim(-0.6, 3.05)
    ax.axis("off")
    fig.tight_layout()
    return fig
