"""Plotting helpers for the course: image grids, training curves, confusion matrices, filters.

Every public function builds its own figure with ``plt.subplots`` and *returns* it; none calls
``plt.show()``. In a notebook, end the call with ``;`` or assign the result
(``fig = show_images(...)``): returning a pyplot figure as the last expression of a cell makes
the inline backend draw it twice.

Only matplotlib and NumPy are needed (scikit-learn computes the confusion matrix). TensorFlow is
never imported: a Keras ``History`` is accepted as anything with a ``.history`` dict, and tensors
or Keras variables are read with ``np.asarray``.

Pixel values are displayed like this everywhere (see :func:`show_images`):

- ``uint8`` (and other integer images within 0..255): shown on the fixed 0..255 scale;
- floats within [0, 1]: shown on the fixed 0..1 scale;
- anything else (e.g. standardised images, float 0..255, filter outputs): rescaled per image so
  that its own minimum is black and its maximum is white.

Example::

    from helpers import viz
    viz.show_images(x_train[:16], y_train[:16], class_names=CLASS_NAMES);
    viz.plot_history(history);
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

__all__ = [
    "CORRECT_COLOR",
    "WRONG_COLOR",
    "DIVERGING_CMAP",
    "show_images",
    "compare_images",
    "plot_history",
    "confusion_matrix",
    "plot_confusion_matrix",
    "show_filters",
    "show_feature_maps",
    "plot_functions",
    "draw_boxes",
]

#: Title colours for right and wrong predictions in :func:`show_images`.
CORRECT_COLOR = "green"
WRONG_COLOR = "red"
#: Colormap for signed data (filter weights, edge responses): blue < 0 < red, white at 0.
DIVERGING_CMAP = "RdBu_r"

_LR_KEYS = ("learning_rate", "lr")
_NORMALIZE_CHOICES = (None, "true", "pred", "all")
# Above this many classes the per-cell numbers of a confusion matrix become unreadable.
_MAX_ANNOTATED_CLASSES = 30


# --------------------------------------------------------------------------- shared utilities


def _grid(n: int, ncols: int, panel_w: float, panel_h: float, title: str | None):
    """A figure with ``n`` panels on a grid of ``ncols`` columns; spare axes hidden.

    Returns the figure and the list of the ``n`` axes in reading order.
    """
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(ncols * panel_w, nrows * panel_h + (0.4 if title else 0.0)),
        squeeze=False,
        layout="constrained",
    )
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    return fig, flat[:n]


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return int(value)


def _truncation_note(title: str | None, shown: int, total: int) -> str | None:
    """Say in the title that only part of the input is shown, so a cut is never silent."""
    if shown >= total:
        return title
    note = f"(first {shown} of {total})"
    return f"{title} {note}" if title else note


def _check_numeric(arr: np.ndarray, what: str) -> np.ndarray:
    """Reject non-numeric and non-finite arrays; turn booleans into 0/1 floats."""
    if arr.dtype.kind == "b":
        return arr.astype(np.float32)
    if arr.dtype.kind not in "uif":
        raise TypeError(f"{what} must hold real numbers, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{what} contains NaN or infinite values; cannot display it")
    return arr


def _display_range(img: np.ndarray) -> tuple[float, float, bool]:
    """The value range to map to black..white, and whether it is the image's own range.

    Implements the module's rule: 0..255 for uint8-like integers, 0..1 for floats already in
    [0, 1], otherwise the image's own min..max (per-image rescaling).
    """
    lo, hi = float(img.min()), float(img.max())
    if img.dtype.kind in "iu" and lo >= 0 and hi <= 255:
        return 0.0, 255.0, False
    if img.dtype.kind == "f" and lo >= 0 and hi <= 1:
        return 0.0, 1.0, False
    if hi == lo:  # a constant image: mid-grey rather than a division by zero
        return lo - 0.5, hi + 0.5, True
    return lo, hi, True


def _prepare_image(img: np.ndarray, what: str):
    """Return ``(data, vmin, vmax)`` ready for ``imshow``.

    Grayscale data is passed through unchanged (so ``get_array()`` equals the input) with
    ``vmin``/``vmax`` set; RGB cannot use vmin/vmax in matplotlib, so out-of-range RGB data is
    rescaled to [0, 1] here and uint8-like integers are cast to uint8.
    """
    img = _check_numeric(img, what)
    lo, hi, rescaled = _display_range(img)
    if img.ndim == 2:
        return img, lo, hi
    if rescaled:
        return (img.astype(np.float64) - lo) / (hi - lo), None, None
    if img.dtype.kind in "iu":
        return img.astype(np.uint8), None, None
    return img, None, None


def _image_list(images: Any, what: str = "images") -> list[np.ndarray]:
    """Normalise the accepted image inputs to a list of (H,W) or (H,W,3) arrays."""
    if isinstance(images, list | tuple):
        if len(images) == 0:
            raise ValueError(f"{what} is empty; nothing to show")
        out = []
        for i, item in enumerate(images):
            arr = np.asarray(item)
            if arr.ndim == 3 and arr.shape[-1] == 1:
                arr = arr[..., 0]
            if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] == 3)):
                raise ValueError(
                    f"{what}[{i}] has shape {arr.shape}; each image in a list must be "
                    "(H, W), (H, W, 1) or (H, W, 3)"
                )
            if arr.size == 0:
                raise ValueError(f"{what}[{i}] is empty (shape {arr.shape})")
            out.append(arr)
        return out
    arr = np.asarray(images)
    if arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] in (1, 3)):
        # One image. A 3-D array whose last axis is 1 or 3 is read as (H, W, C), not as a batch.
        arr = arr[None]
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if not (arr.ndim == 3 or (arr.ndim == 4 and arr.shape[-1] == 3)):
        raise ValueError(
            f"{what} has shape {arr.shape}; expected a batch (N, H, W), (N, H, W, 1) or "
            "(N, H, W, 3), one image (H, W) or (H, W, 3), or a list of images"
        )
    if arr.shape[0] == 0 or arr.size == 0:
        raise ValueError(f"{what} is empty (shape {arr.shape}); nothing to show")
    return list(arr)


def _class_names_list(class_names: Any) -> list[str] | None:
    if class_names is None:
        return None
    if isinstance(class_names, str | Mapping):
        raise TypeError(
            "class_names must be a sequence of names indexed by class id, e.g. ['cat', 'dog'], "
            f"got {type(class_names).__name__}"
        )
    return [str(c) for c in class_names]


def _as_class_indices(y: Any, name: str) -> tuple[np.ndarray, int | None]:
    """Class indices from integer labels or one-hot / probability rows.

    Returns ``(indices, width)`` where ``width`` is the number of columns of 2-D input (the
    number of classes it implies) or None for 1-D input.
    """
    arr = np.asarray(y)
    if arr.ndim == 0:
        arr = arr[None]
    if arr.ndim == 2 and arr.shape[1] == 1:
        # (N, 1) is a column of labels (or of sigmoid outputs), not one-hot rows: argmax over a
        # single column would silently give class 0 for everything.
        arr = arr[:, 0]
    if arr.ndim == 2:
        arr = _check_numeric(arr, name)
        return arr.argmax(axis=1).astype(np.int64), int(arr.shape[1])
    if arr.ndim != 1:
        raise ValueError(
            f"{name} has shape {arr.shape}; expected class indices (N,) or one-hot / "
            "probability rows (N, num_classes)"
        )
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all() or not np.all(arr == np.round(arr)):
            raise ValueError(
                f"{name} holds non-integer values (e.g. {arr[arr != np.round(arr)][:3]}); "
                "expected class indices. For a binary classifier's probabilities, threshold "
                "first: (p > 0.5).astype(int)"
            )
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class indices, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name} contains negative class index {arr.min()}")
    return arr, None


def _label_texts(
    labels: Any, name: str, n: int, class_names: list[str] | None
) -> tuple[list[Any], list[str]]:
    """Comparable keys and display texts for ``n`` labels (ints, one-hot rows or strings)."""
    arr = np.asarray(labels)
    if arr.dtype.kind in "US" or (arr.dtype.kind == "O" and all(isinstance(v, str) for v in arr)):
        if class_names is not None:
            raise TypeError(
                f"{name} are strings already; class_names only maps integer class indices"
            )
        keys = [str(v) for v in np.atleast_1d(arr)]
        texts = keys
    else:
        idx, _ = _as_class_indices(arr, name)
        keys = [int(i) for i in idx]
        if class_names is not None:
            bad = [i for i in keys if i >= len(class_names)]
            if bad:
                raise ValueError(
                    f"{name} contains class index {max(bad)} but class_names has only "
                    f"{len(class_names)} names (valid indices 0..{len(class_names) - 1})"
                )
            texts = [class_names[i] for i in keys]
        else:
            texts = [str(i) for i in keys]
    if len(keys) != n:
        raise ValueError(f"got {n} images but {len(keys)} {name}; they must match one to one")
    return keys, texts


def _signed_limits(arr: np.ndarray) -> tuple[float, float]:
    """Symmetric limits around 0 so that white in a diverging map means exactly zero."""
    m = float(np.abs(arr).max())
    m = m if m > 0 else 1.0
    return -m, m


# --------------------------------------------------------------------------- images


def show_images(
    images: Any,
    labels: Any = None,
    *,
    class_names: Sequence[str] | None = None,
    predictions: Any = None,
    ncols: int = 8,
    cmap: str | None = None,
    title: str | None = None,
    size: float = 1.6,
    max_images: int = 64,
) -> Figure:
    """Show images on a grid, optionally titled with their labels and predictions.

    Args:
        images: a batch ``(N, H, W)``, ``(N, H, W, 1)`` or ``(N, H, W, 3)``; one image
            ``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)``; or a list of such single images (sizes
            may differ). A 3-D array whose last axis is 1 or 3 is one image, not a batch.
            Values: uint8 (or integers within 0..255) on the 0..255 scale and floats within
            [0, 1] are shown as they are; any other range is rescaled per image to [0, 1]
            (its own min is black, max white). NaN/inf is an error.
        labels: ``N`` true labels: class indices, one-hot / probability rows (argmax is
            taken) or strings. Shown as panel titles.
        class_names: names indexed by class id, used to turn integer labels into text.
        predictions: ``N`` predicted labels, same forms as ``labels``. With labels, each title
            reads ``"pred (true)"``, red (:data:`WRONG_COLOR`) when wrong and green
            (:data:`CORRECT_COLOR`) when right.
        ncols: panels per row (fewer when there are fewer images).
        cmap: colormap for single-channel images (default ``"gray"``); ignored for RGB.
        title: figure title.
        size: width of one panel in inches.
        max_images: show at most this many (the first ones); the title then says so.

    Returns:
        The matplotlib Figure, one axes per image (spare grid cells hidden).
    """
    imgs = _image_list(images)
    ncols = _positive_int(ncols, "ncols")
    max_images = _positive_int(max_images, "max_images")
    names = _class_names_list(class_names)
    n = len(imgs)
    true_keys = true_texts = pred_keys = pred_texts = None
    if labels is not None:
        true_keys, true_texts = _label_texts(labels, "labels", n, names)
    if predictions is not None:
        pred_keys, pred_texts = _label_texts(predictions, "predictions", n, names)

    shown = min(n, max_images)
    fig, axes = _grid(shown, ncols, size, size * 1.15, _truncation_note(title, shown, n))
    for i, ax in enumerate(axes):
        data, vmin, vmax = _prepare_image(imgs[i], f"image {i}")
        ax.imshow(data, cmap=(cmap or "gray") if data.ndim == 2 else None, vmin=vmin, vmax=vmax)
        ax.axis("off")
        if pred_texts is not None and true_texts is not None:
            right = pred_keys[i] == true_keys[i]
            ax.set_title(
                f"{pred_texts[i]} ({true_texts[i]})",
                color=CORRECT_COLOR if right else WRONG_COLOR,
                fontsize=9,
            )
        elif pred_texts is not None:
            ax.set_title(pred_texts[i], fontsize=9)
        elif true_texts is not None:
            ax.set_title(true_texts[i], fontsize=9)
    return fig



def _named_items(obj, caller: str, kind: str, kinds: str, verb: str) -> list[tuple]:
    """``{name: value}`` or ``[(name, value), ...]`` as a non-empty list of pairs."""
    if isinstance(obj, Mapping):
        items = list(obj.items())
    elif isinstance(obj, list | tuple) and all(
        isinstance(it, tuple | list) and len(it) == 2 for it in obj
    ):
        items = [tuple(it) for it in obj]
    else:
        raise TypeError(
            f"{caller} takes a dict {{name: {kind}}} or a list of (name, {kind}) pairs, "
            f"got {type(obj).__name__}"
        )
    if not items:
        raise ValueError(f"{caller} got no {kinds}; nothing to {verb}")
    return items


def compare_images(
    images: Mapping[str, Any] | Sequence[tuple[str, Any]],
    *,
    ncols: int | None = None,
    cmap: str | None = None,
    size: float = 3.0,
    show_shape: bool = True,
    title: str | None = None,
    signed: bool | str = "auto",
    colorbar: bool = False,
) -> Figure:
    """Show named images side by side, e.g. an original next to its filtered versions.

    Args:
        images: ``{"name": array}`` or ``[("name", array), ...]``, in display order. Each array
            is ``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)``; a leading batch axis of size 1 is
            dropped. Values are displayed as in :func:`show_images`, except signed panels.
        ncols: panels per row; default all in one row up to 5, then rows of 5.
        cmap: colormap for single-channel panels (default ``"gray"``, or
            :data:`DIVERGING_CMAP` for signed panels).
        size: width of one panel in inches.
        show_shape: add the array's shape and dtype under each name.
        title: figure title.
        signed: ``"auto"`` shows a single-channel array that has negative values (e.g. a Sobel
            response) with a diverging colormap centred at 0 (white = 0, limits +-max|x|);
            ``True`` does so for every single-channel panel; ``False`` never (per-image
            rescaling instead).
        colorbar: add a colorbar to each single-channel panel.

    Returns:
        The matplotlib Figure, one axes per image (plus colorbar axes when asked).
    """
    items = _named_items(images, "compare_images()", "image", "images", "show")
    if signed not in ("auto", True, False):
        raise ValueError(f"signed must be 'auto', True or False, got {signed!r}")
    if ncols is None:
        ncols = min(len(items), 5)
    ncols = _positive_int(ncols, "ncols")

    arrays = []
    for name, img in items:
        arr = np.asarray(img)
        if arr.ndim == 4 and arr.shape[0] == 1:
            arr = arr[0]
        if arr.ndim == 3 and arr.shape[-1] == 1:
            arr = arr[..., 0]
        if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] == 3)):
            raise ValueError(
                f"image {name!r} has shape {np.shape(img)}; expected (H, W), (H, W, 1) or (H, W, 3)"
            )
        if arr.size == 0:
            raise ValueError(f"image {name!r} is empty (shape {arr.shape})")
        arrays.append(_check_numeric(arr, f"image {name!r}"))

    fig, axes = _grid(len(items), ncols, size, size * 1.1, title)
    for ax, (name, _), arr in zip(axes, items, arrays, strict=True):
        if arr.ndim == 3:
            if signed is True:
                raise ValueError(
                    f"image {name!r} is RGB; signed display needs a single-channel array"
                )
            data, vmin, vmax = _prepare_image(arr, f"image {name!r}")
            im = ax.imshow(data)
        elif signed is True or (signed == "auto" and arr.min() < 0):
            vmin, vmax = _signed_limits(arr)
            im = ax.imshow(arr, cmap=cmap or DIVERGING_CMAP, vmin=vmin, vmax=vmax)
        else:
            data, vmin, vmax = _prepare_image(arr, f"image {name!r}")
            im = ax.imshow(data, cmap=cmap or "gray", vmin=vmin, vmax=vmax)
        if colorbar and arr.ndim == 2:
            fig.colorbar(im, ax=ax, shrink=0.8)
        label = str(name)
        if show_shape:
            label += f"\n{tuple(np.shape(arr))} {arr.dtype}"
        ax.set_title(label, fontsize=10)
        ax.axis("off")
    return fig


# --------------------------------------------------------------------------- training curves


def _history_dict(history: Any) -> dict[str, np.ndarray]:
    raw = getattr(history, "history", history)
    if not isinstance(raw, Mapping):
        raise TypeError(
            "plot_history() takes a Keras History (anything with a .history dict) or a dict of "
            f"lists, got {type(history).__name__}"
        )
    if not raw:
        raise ValueError("the history is empty: was the model trained (model.fit) yet?")
    out: dict[str, np.ndarray] = {}
    for key, values in raw.items():
        arr = np.asarray(values, dtype=np.float64)
        if arr.ndim != 1:
            raise ValueError(
                f"history[{key!r}] has shape {arr.shape}; expected one value per epoch"
            )
        out[str(key)] = arr
    lengths = {k: len(v) for k, v in out.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(
            f"history entries have different lengths {lengths}; expected one value per epoch each"
        )
    if next(iter(lengths.values())) == 0:
        raise ValueError("the history has no epochs: every entry is empty")
    return out


def plot_history(
    history: Any,
    *,
    metrics: str | Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Plot training curves: one panel per metric, training and validation together.

    Args:
        history: the ``History`` returned by ``model.fit`` (anything with a ``.history``
            dict) or a dict ``{"loss": [...], "val_loss": [...], ...}`` with one value per
            epoch in every entry.
        metrics: metric name(s) to plot, without ``"val_"``. Default: every key that does not
            start with ``"val_"``, plus a learning-rate panel when ``"learning_rate"`` (or
            ``"lr"``) was recorded. A learning-rate panel uses a log y scale when all its
            values are positive.
        title: figure title.

    Returns:
        The matplotlib Figure. Curves are plotted against epochs 1..n with integer ticks; the
        training curve is labelled ``"training"`` and the ``val_`` curve ``"validation"``.

    Raises:
        TypeError: ``history`` is neither a History nor a dict.
        ValueError: empty history, entries of different lengths, or an unknown metric.
    """
    hist = _history_dict(history)
    available: list[str] = []
    for key in hist:
        base = key[4:] if key.startswith("val_") else key
        if base not in available:
            available.append(base)
    if metrics is None:
        wanted = [m for m in available if m not in _LR_KEYS]
        wanted += [m for m in available if m in _LR_KEYS][:1]
    else:
        wanted = [metrics] if isinstance(metrics, str) else list(metrics)
        if not wanted:
            raise ValueError(f"metrics is empty; available metrics: {available}")
        unknown = [m for m in wanted if m not in available]
        if unknown:
            raise ValueError(
                f"metric(s) {unknown} not in the history; available metrics: {available}"
            )
    if not wanted:
        raise ValueError(f"nothing to plot; the history holds only {list(hist)}")

    n_epochs = len(next(iter(hist.values())))
    epochs = np.arange(1, n_epochs + 1)
    marker = "o" if n_epochs <= 30 else None  # dots make a 1- or 2-epoch run visible
    ncols = min(len(wanted), 3)
    fig, axes = _grid(len(wanted), ncols, 4.5, 3.3, title)
    for ax, metric in zip(axes, wanted, strict=True):
        if metric in hist:
            ax.plot(epochs, hist[metric], marker=marker, label="training")
        if f"val_{metric}" in hist:
            ax.plot(epochs, hist[f"val_{metric}"], marker=marker, label="validation")
        if metric in _LR_KEYS and np.all(hist[metric] > 0):
            ax.set_yscale("log")
        ax.set_title(metric)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        if metric not in _LR_KEYS:  # a schedule has no validation twin: a legend would be noise
            ax.legend()
    return fig


# --------------------------------------------------------------------------- confusion matrix


def _class_inputs(y_true: Any, y_pred: Any, num_classes: int | None):
    t, wt = _as_class_indices(y_true, "y_true")
    p, wp = _as_class_indices(y_pred, "y_pred")
    if len(t) != len(p):
        raise ValueError(f"y_true has {len(t)} labels but y_pred has {len(p)}; they must match")
    if len(t) == 0:
        raise ValueError("y_true and y_pred are empty")
    top = int(max(t.max(), p.max())) + 1
    if num_classes is None:
        num_classes = max([top] + [w for w in (wt, wp) if w is not None])
    else:
        num_classes = _positive_int(num_classes, "num_classes")
        # sklearn drops labels outside `labels=` without a word; refuse them instead.
        if top > num_classes:
            raise ValueError(
                f"labels contain class index {top - 1} but num_classes={num_classes} "
                f"(valid indices 0..{num_classes - 1})"
            )
    return t, p, num_classes


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> np.ndarray:
    """Count matrix ``cm[i, j]`` = number of samples of true class ``i`` predicted as ``j``.

    Args:
        y_true, y_pred: ``N`` labels each, as class indices ``(N,)`` or one-hot / probability
            rows ``(N, C)`` (converted with argmax; an ``(N, 1)`` column is read as indices).
        num_classes: size of the matrix; classes that never occur still get a row and column.
            Default: the largest index seen + 1 (or the row width of one-hot input).

    Returns:
        An integer ndarray of shape ``(num_classes, num_classes)``; rows are true classes,
        columns predicted classes.
    """
    from sklearn.metrics import confusion_matrix as sk_confusion_matrix

    t, p, k = _class_inputs(y_true, y_pred, num_classes)
    return sk_confusion_matrix(t, p, labels=list(range(k))).astype(np.int64)


def plot_confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    class_names: Sequence[str] | None = None,
    normalize: str | None = None,
    title: str | None = None,
    cmap: str = "Blues",
    annotate: bool | None = None,
) -> Figure:
    """Plot a confusion matrix with the value written in each cell.

    Args:
        y_true, y_pred: as in :func:`confusion_matrix` (indices, or one-hot / probability rows
            reduced with argmax).
        class_names: names for the axes; their number sets the number of classes.
        normalize: ``None`` (counts), ``"true"`` (each row sums to 1: recall per class),
            ``"pred"`` (each column sums to 1: precision per class) or ``"all"`` (the whole
            matrix sums to 1), as in scikit-learn. Rows/columns with no samples give 0.
        title: axes title (default ``"Confusion matrix"`` plus the normalisation).
        cmap: colormap name.
        annotate: write values in the cells (integers, or 2 decimals when normalised). Default:
            only when there are at most 30 classes.

    Returns:
        The matplotlib Figure; rows are true classes (y axis ``"True"``), columns predicted
        classes (x axis ``"Predicted"``). The plotted matrix is ``ax.images[0].get_array()``.
    """
    if normalize not in _NORMALIZE_CHOICES:
        raise ValueError(f"normalize must be one of {_NORMALIZE_CHOICES}, got {normalize!r}")
    names = _class_names_list(class_names)
    k = len(names) if names is not None else None
    if names is not None and k == 0:
        raise ValueError("class_names is empty")
    try:
        counts = confusion_matrix(y_true, y_pred, num_classes=k)
    except ValueError as err:
        if names is not None and "num_classes" in str(err):
            raise ValueError(str(err).replace("num_classes", "len(class_names)")) from None
        raise
    k = counts.shape[0]
    if names is None:
        names = [str(i) for i in range(k)]

    if normalize is None:
        cm = counts
    else:
        axis = {"true": 1, "pred": 0, "all": None}[normalize]
        totals = counts.sum(axis=axis, keepdims=axis is not None)
        with np.errstate(invalid="ignore", divide="ignore"):
            cm = np.nan_to_num(counts / totals)  # empty rows/columns: 0, as sklearn does

    side = min(max(4.5, 0.5 * k + 2.5), 16.0)
    fig, ax = plt.subplots(figsize=(side + 1.0, side), layout="constrained")
    vmax = float(cm.max()) if cm.max() > 0 else 1.0
    im = ax.imshow(cm, cmap=cmap, vmin=0, vmax=vmax, interpolation="nearest")
    fig.colorbar(im, ax=ax, shrink=0.8)

    if annotate is None:
        annotate = k <= _MAX_ANNOTATED_CLASSES
    if annotate:
        fontsize = max(6, min(12, 120 // k))
        for i in range(k):
            for j in range(k):
                v = cm[i, j]
                # Pick white or black text from the cell's own luminance, so any cmap works.
                r, g, b, _ = im.cmap(im.norm(v))
                dark = 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5
                ax.text(
                    j,
                    i,
                    f"{v:.2f}" if normalize else f"{int(v)}",
                    ha="center",
                    va="center",
                    color="white" if dark else "black",
                    fontsize=fontsize,
                )

    long_names = any(len(n) > 3 for n in names)
    ax.set_xticks(
        range(k),
        labels=names,
        rotation=45 if long_names else 0,
        ha="right" if long_names else "center",
        rotation_mode="anchor",
    )
    ax.set_yticks(range(k), labels=names)
    ax.set_xlabel("Predicted")
    ax.set_ylabel("True")
    default = "Confusion matrix" + (f" (normalize={normalize!r})" if normalize else "")
    ax.set_title(title or default)
    return fig


# --------------------------------------------------------------------------- filters and maps


def show_filters(
    kernel: Any,
    *,
    max_filters: int = 64,
    ncols: int = 8,
    channel: int | None = None,
    title: str | None = None,
    annotate: bool = False,
) -> Figure:
    """Show the filters of a convolution kernel, one panel per output channel.

    Args:
        kernel: a Conv2D kernel in Keras layout ``(fh, fw, C_in, C_out)`` (``layer.kernel`` or
            ``layer.get_weights()[0]``), or a single filter ``(fh, fw)``.
        max_filters: show at most this many filters (the first ones); the title then says so.
        ncols: panels per row.
        channel: input channel to show. When ``C_in == 3`` and ``channel`` is None, each filter
            is shown as an RGB image, normalised to [0, 1] per filter (its min black, max
            white). Otherwise channel ``channel`` (default 0) is shown with
            :data:`DIVERGING_CMAP`, centred at 0 per filter (white = 0, limits +-max|w|).
        title: figure title (default describes the kernel).
        annotate: write each weight's value in its cell (useful for small kernels such as a
            3x3 Sobel filter).

    Returns:
        The matplotlib Figure, one axes titled ``"#i"`` per filter ``i`` shown.
    """
    try:
        k = np.asarray(kernel)
    except ValueError as err:  # e.g. layer.get_weights(): [kernel, bias] of different shapes
        raise TypeError(
            "show_filters() takes the kernel array only, e.g. layer.get_weights()[0]"
        ) from err
    if k.dtype.kind == "O":
        raise TypeError("show_filters() takes the kernel array only, e.g. layer.get_weights()[0]")
    if k.ndim == 2:
        k = k[:, :, None, None]
    if k.ndim != 4:
        raise ValueError(
            f"kernel has shape {k.shape}; expected a Conv2D kernel (fh, fw, C_in, C_out) "
            "or one filter (fh, fw)"
        )
    if k.size == 0:
        raise ValueError(f"kernel is empty (shape {k.shape})")
    k = _check_numeric(k, "kernel").astype(np.float64)
    fh, fw, c_in, c_out = k.shape
    max_filters = _positive_int(max_filters, "max_filters")
    ncols = _positive_int(ncols, "ncols")
    rgb = c_in == 3 and channel is None
    if not rgb:
        channel = 0 if channel is None else channel
        if isinstance(channel, bool) or not isinstance(channel, int | np.integer):
            raise TypeError(f"channel must be an integer, got {channel!r}")
        if not 0 <= channel < c_in:
            raise ValueError(
                f"channel={channel} is out of range: the kernel has {c_in} input channel(s) "
                f"(valid 0..{c_in - 1})"
            )

    shown = min(c_out, max_filters)
    if title is None:
        title = f"{c_out} filter{'s' if c_out != 1 else ''} {fh}x{fw}"
        if rgb:
            title += ", RGB"
        elif c_in > 1:
            title += f", input channel {channel} of {c_in}"
    # Few panels get more room, so the title fits and annotated values stay legible.
    panel = 1.4 if shown > 4 else 2.4
    fig, axes = _grid(shown, ncols, panel, panel * 1.1, _truncation_note(title, shown, c_out))
    for i, ax in enumerate(axes):
        if rgb:
            f = k[:, :, :, i]
            lo, hi = f.min(), f.max()
            data = (f - lo) / (hi - lo) if hi > lo else np.full_like(f, 0.5)
            ax.imshow(data, interpolation="nearest")
        else:
            data = k[:, :, channel, i]
            vmin, vmax = _signed_limits(data)
            im = ax.imshow(data, cmap=DIVERGING_CMAP, vmin=vmin, vmax=vmax, interpolation="nearest")
            if annotate:
                for r in range(fh):
                    for c in range(fw):
                        ax.text(
                            c,
                            r,
                            f"{data[r, c]:.2g}",
                            ha="center",
                            va="center",
                            fontsize=8,
                            color="white" if abs(im.norm(data[r, c]) - 0.5) > 0.35 else "black",
                        )
        ax.set_title(f"#{i}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def show_feature_maps(
    maps: Any,
    *,
    max_maps: int = 32,
    ncols: int = 8,
    title: str | None = None,
    cmap: str = "viridis",
) -> Figure:
    """Show the channels of one sample's feature maps (a conv layer's output) as images.

    Args:
        maps: ``(H, W, C)``, a batch of one ``(1, H, W, C)``, or a single map ``(H, W)``.
            For a larger batch index one sample first: ``maps[i]``.
        max_maps: show at most this many channels (the first ones); the title then says so.
        ncols: panels per row.
        title: figure title.
        cmap: colormap; each map is scaled to its own min..max. A constant map (e.g. a "dead"
            ReLU channel) is marked ``"(const v)"`` in its title.

    Returns:
        The matplotlib Figure, one axes titled ``"#c"`` per channel ``c`` shown.
    """
    m = np.asarray(maps)
    if m.ndim == 4:
        if m.shape[0] != 1:
            raise ValueError(
                f"maps has shape {m.shape}: a batch of {m.shape[0]} samples; pass one sample, "
                "e.g. maps[0] (or maps[:1])"
            )
        m = m[0]
    elif m.ndim == 2:
        m = m[..., None]
    if m.ndim != 3:
        raise ValueError(f"maps has shape {m.shape}; expected (H, W, C), (1, H, W, C) or (H, W)")
    if m.size == 0:
        raise ValueError(f"maps is empty (shape {m.shape})")
    m = _check_numeric(m, "maps")
    max_maps = _positive_int(max_maps, "max_maps")
    ncols = _positive_int(ncols, "ncols")
    c = m.shape[-1]
    shown = min(c, max_maps)
    fig, axes = _grid(shown, ncols, 1.5, 1.65, _truncation_note(title, shown, c))
    for i, ax in enumerate(axes):
        fmap = m[:, :, i]
        ax.imshow(fmap, cmap=cmap, interpolation="nearest")
        label = f"#{i}"
        if fmap.min() == fmap.max():
            label += f" (const {float(fmap.flat[0]):.2g})"
        ax.set_title(label, fontsize=9)
        ax.axis("off")
    return fig


# --------------------------------------------------------------------------- functions


def plot_functions(
    funcs: Mapping[str, Callable[[np.ndarray], Any]] | Sequence[tuple[str, Callable]],
    *,
    x: Any = None,
    title: str | None = None,
    ncols: int | None = None,
) -> Figure:
    """Plot 1-D functions (e.g. activation functions), one panel each.

    Args:
        funcs: ``{"name": f}`` or ``[("name", f), ...]``; each ``f`` takes a 1-D array and
            returns an array of the same shape (NumPy arrays, tensors and scalars work: the
            result is read with ``np.asarray`` and a scalar is broadcast).
        x: the 1-D input points (at least 2); default ``np.linspace(-5, 5, 201)``.
        title: figure title.
        ncols: panels per row (default: up to 4).

    Returns:
        The matplotlib Figure, one axes per function with a grid and the axes through zero
        drawn (when zero lies within the plotted range).
    """
    items = _named_items(funcs, "plot_functions()", "function", "functions", "plot")
    for name, f in items:
        if not callable(f):
            raise TypeError(f"funcs[{name!r}] is {type(f).__name__}, not a function")
    xs = np.linspace(-5.0, 5.0, 201) if x is None else np.asarray(x, dtype=np.float64)
    if xs.ndim != 1 or xs.size < 2:
        raise ValueError(f"x must be a 1-D array of at least 2 points, got shape {xs.shape}")
    ncols = _positive_int(min(len(items), 4) if ncols is None else ncols, "ncols")

    ys = []
    for name, f in items:
        try:
            y = np.asarray(f(xs.copy()), dtype=np.float64)
        except Exception as err:
            err.add_note(f"while plot_functions() evaluated {name!r}")
            raise
        if y.ndim == 0:
            y = np.full_like(xs, float(y))
        if y.shape != xs.shape:
            raise ValueError(
                f"function {name!r} returned shape {y.shape} for x of shape {xs.shape}; "
                "expected the same shape"
            )
        ys.append(y)

    fig, axes = _grid(len(items), ncols, 3.2, 2.6, title)
    for ax, (name, _), y in zip(axes, items, ys, strict=True):
        ax.plot(xs, y)
        # Reference lines only inside the data range, so they never stretch the axes.
        if xs.min() <= 0 <= xs.max():
            ax.axvline(0, color="black", linewidth=0.8)
        finite = y[np.isfinite(y)]
        if finite.size and finite.min() <= 0 <= finite.max():
            ax.axhline(0, color="black", linewidth=0.8)
        ax.grid(True, alpha=0.3)
        ax.set_title(str(name))
        ax.set_xlabel("x")
    return fig


# --------------------------------------------------------------------------- boxes


def draw_boxes(
    ax,
    boxes: Any,
    labels: Any = None,
    scores: Any = None,
    class_names: Sequence[str] | None = None,
    color: Any = None,
    fmt: str = "xyxy",
    linestyle: str = "-",
    linewidth: float = 1.5,
):
    """Draw boxes (pixels, corner ``"xyxy"`` or centre ``"cxcywh"`` format) on an image axis.

    Each box gets a caption from its label (through ``class_names`` when given) and score. Without
    ``color`` a box takes its class's colour from matplotlib's ``tab10`` cycle, so that the same
    class looks the same in every panel. Returns ``ax``.
    """
    from .boxes import check_boxes  # local: keep viz importable without the box helpers

    b = check_boxes(boxes, fmt).reshape(-1, 4)
    lab = None if labels is None else np.asarray(labels).reshape(-1)
    sc = None if scores is None else np.asarray(scores, dtype=float).reshape(-1)
    for name, arr in (("labels", lab), ("scores", sc)):
        if arr is not None and len(arr) != len(b):
            raise ValueError(f"{len(b)} boxes but {len(arr)} {name}")
    palette = plt.get_cmap("tab10")
    for i, (x0, y0, x1, y1) in enumerate(b):
        c = color
        if c is None:
            c = palette(int(lab[i]) % 10) if lab is not None else palette(0)
        ax.add_patch(
            plt.Rectangle(
                (x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0,
                fill=False, edgecolor=c, linewidth=linewidth, linestyle=linestyle,
            )
        )  # fmt: skip
        parts = []
        if lab is not None:
            parts.append(class_names[int(lab[i])] if class_names is not None else str(lab[i]))
        if sc is not None:
            parts.append(f"{sc[i]:.2f}")
        if parts:
            ax.text(
                x0 - 0.5, y0 - 1, " ".join(parts), color="white", fontsize=7, va="bottom",
                bbox={"facecolor": c, "edgecolor": "none", "pad": 1, "alpha": 0.8},
            )  # fmt: skip
    return ax
