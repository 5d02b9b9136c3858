"""Semantic segmentation: per-class metrics, Keras metrics, FCN and U-Net builders, overlays.

Masks are integer class maps: ``mask[i, j] = c`` says pixel (i, j) belongs to class ``c``
(0 is the background in the course's digit canvases, ``d + 1`` is digit ``d``).

NumPy metrics (any shape, ``y_true`` and ``y_pred`` of the same shape):

- :func:`confusion_counts` → per-class ``tp, fp, fn``;
- :func:`iou_per_class` = TP / (TP + FP + FN), :func:`dice_per_class` = 2·TP / (2·TP + FP + FN);
- :func:`pixel_accuracy`, :func:`mean_iou`, :func:`segmentation_report` (a printable table).

**Classes absent from both masks.** When a class appears neither in ``y_true`` nor in
``y_pred``, its IoU and Dice are 0 / 0: undefined. They are returned as ``NaN`` and left out of
every mean (:func:`mean_iou` uses ``nanmean``), the same rule Keras' ``IoU``/``MeanIoU`` metrics
follow (they divide by the number of classes with a non-zero denominator). A class that is in
the truth but never predicted (or the other way round) gets 0, not NaN.

Keras metrics: :func:`iou_metric` (a configured ``keras.metrics.IoU``, which takes softmax
outputs with ``sparse_y_pred=False``) and :class:`Dice` (written with ``keras.ops``; Keras has a
Dice *loss* but no Dice metric).

Models: :func:`build_fcn` (downsample, 1×1 class scores, one transposed convolution back up) and
:func:`build_unet` (4 down blocks 64→512, a 1024-wide bottleneck, 4 up blocks with skip
concatenation, batch normalization and dropout; ``width_multiplier`` shrinks it for a CPU).
:func:`transposed_output_size` is Keras' output-size rule of ``Conv2DTranspose``.

Pictures: :func:`overlay_mask` draws a class map over an image.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

__all__ = [
    "UNET_WIDTHS",
    "confusion_counts",
    "iou_per_class",
    "dice_per_class",
    "pixel_accuracy",
    "mean_iou",
    "segmentation_report",
    "iou_metric",
    "Dice",
    "transposed_output_size",
    "build_fcn",
    "build_unet",
    "unet_widths",
    "class_colours",
    "overlay_mask",
]

UNET_WIDTHS = (64, 128, 256, 512)
"""The original U-Net's down-block widths (Ronneberger et al., 2015); the bottleneck has 1024."""


# ----------------------------------------------------------------------------- NumPy metrics


def _num_classes(num_classes: Any) -> int:
    if isinstance(num_classes, bool) or not isinstance(num_classes, int | np.integer):
        raise TypeError(f"num_classes must be a whole number, got {num_classes!r}")
    if num_classes < 1:
        raise ValueError(f"num_classes must be at least 1, got {num_classes}")
    return int(num_classes)


def _labels(mask: Any, name: str, num_classes: int) -> np.ndarray:
    arr = np.asarray(mask)
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        hint = ""
        if arr.dtype.kind == "f":
            hint = (" (probabilities or scores? take the class with the largest score first: "
                    "`y_pred.argmax(axis=-1)`)")  # fmt: skip
        raise ValueError(f"{name} must hold integer class labels, got dtype {arr.dtype}{hint}")
    if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
        raise ValueError(
            f"{name} holds labels from {arr.min()} to {arr.max()}, outside 0..{num_classes - 1} "
            f"(num_classes={num_classes})"
        )
    return arr.astype(np.int64, copy=False)


def _pair(y_true: Any, y_pred: Any, num_classes: Any) -> tuple[np.ndarray, np.ndarray, int]:
    k = _num_classes(num_classes)
    t = _labels(y_true, "y_true", k)
    p = _labels(y_pred, "y_pred", k)
    if t.shape != p.shape:
        extra = ""
        if p.ndim == t.ndim + 1:
            extra = " (y_pred has one axis more: pass labels, `y_pred.argmax(axis=-1)`)"
        elif t.ndim == p.ndim + 1 and t.shape[-1] == 1:
            extra = " (drop y_true's channel axis: `y_true[..., 0]`)"
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {t.shape} and {p.shape}{extra}"
        )
    if t.size == 0:
        raise ValueError("the masks are empty (no pixels)")
    return t, p, k


def confusion_counts(y_true: Any, y_pred: Any, num_classes: int):
    """Per-class pixel counts ``(tp, fp, fn)``, each an int64 array of length ``num_classes``.

    ``tp[c]``: pixels of class c predicted c; ``fp[c]``: predicted c, truly another class;
    ``fn[c]``: truly c, predicted another class.
    """
    t, p, k = _pair(y_true, y_pred, num_classes)
    cm = np.bincount(t.ravel() * k + p.ravel(), minlength=k * k).reshape(k, k)
    tp = np.diag(cm).astype(np.int64)
    return tp, cm.sum(axis=0) - tp, cm.sum(axis=1) - tp


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def iou_per_class(y_true: Any, y_pred: Any, num_classes: int) -> np.ndarray:
    """IoU (Jaccard index) of each class: TP / (TP + FP + FN); NaN for classes absent from both.

    Example: ``iou_per_class([0, 1, 1, 0], [0, 1, 0, 0], 2)`` → ``[2/3, 1/2]``.
    """
    tp, fp, fn = confusion_counts(y_true, y_pred, num_classes)
    return _ratio(tp, tp + fp + fn)


def dice_per_class(y_true: Any, y_pred: Any, num_classes: int) -> np.ndarray:
    """Dice (F1 of the pixels) of each class: 2·TP / (2·TP + FP + FN); NaN when absent from both.

    Dice = 2·IoU / (1 + IoU), so Dice ≥ IoU, with equality only at 0 and 1.
    """
    tp, fp, fn = confusion_counts(y_true, y_pred, num_classes)
    return _ratio(2 * tp, 2 * tp + fp + fn)


def pixel_accuracy(y_true: Any, y_pred: Any) -> float:
    """The fraction of pixels whose predicted class is right."""
    t, p = np.asarray(y_true), np.asarray(y_pred)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {t.shape} and {p.shape}")
    if t.size == 0:
        raise ValueError("the masks are empty (no pixels)")
    return float((t == p).mean())


def mean_iou(
    y_true: Any, y_pred: Any, num_classes: int, classes: Sequence[int] | None = None
) -> float:
    """The mean of :func:`iou_per_class` over ``classes`` (default all), NaN classes left out.

    NaN when every selected class is absent from both masks.
    """
    iou = iou_per_class(y_true, y_pred, num_classes)
    if classes is not None:
        idx = np.asarray(list(classes), dtype=np.int64)
        if idx.size == 0 or idx.min() < 0 or idx.max() >= len(iou):
            raise ValueError(f"classes must be indices 0..{len(iou) - 1}, got {list(classes)}")
        iou = iou[idx]
    if np.isnan(iou).all():
        return float("nan")
    return float(np.nanmean(iou))


def segmentation_report(
    y_true: Any, y_pred: Any, num_classes: int, class_names: Sequence[str] | None = None
) -> str:
    """A text table: per class the true pixel count, IoU and Dice; then the means.

    The means are printed over all classes and over the classes other than 0 (the background).
    """
    tp, fp, fn = confusion_counts(y_true, y_pred, num_classes)
    iou, dice = _ratio(tp, tp + fp + fn), _ratio(2 * tp, 2 * tp + fp + fn)
    names = list(class_names) if class_names is not None else [str(c) for c in range(len(tp))]
    if len(names) != len(tp):
        raise ValueError(f"{len(names)} class names for {len(tp)} classes")
    rows = [f"{'class':>12} {'pixels':>9} {'IoU':>6} {'Dice':>6}"]
    for name, n, i, d in zip(names, tp + fn, iou, dice, strict=True):
        rows.append(f"{name:>12} {int(n):>9,} {i:>6.3f} {d:>6.3f}")

    def _m(a):
        return float(np.nanmean(a)) if not np.isnan(a).all() else float("nan")

    rows.append(f"{'mean (all)':>12} {'':>9} {_m(iou):>6.3f} {_m(dice):>6.3f}")
    if len(tp) > 1:
        rows.append(f"{'mean (1..)':>12} {'':>9} {_m(iou[1:]):>6.3f} {_m(dice[1:]):>6.3f}")
    return "\n".join(rows)


# ----------------------------------------------------------------------------- Keras metrics


def iou_metric(
    num_classes: int,
    classes: Sequence[int] | None = None,
    *,
    sparse_y_pred: bool = False,
    name: str = "mean_iou",
):
    """A ``keras.metrics.IoU`` averaged over ``classes`` (default: all).

    With ``sparse_y_pred=False`` (the default here) the metric takes the model's softmax output
    and uses its argmax; ``y_true`` holds integer labels. Classes with a zero denominator (absent
    from both masks over the whole evaluation) are left out of the mean, as in
    :func:`mean_iou`. ``classes=range(1, num_classes)`` gives the mean over the objects only.
    """
    k = _num_classes(num_classes)
    ids = list(range(k)) if classes is None else [int(c) for c in classes]
    if not ids or min(ids) < 0 or max(ids) >= k:
        raise ValueError(f"classes must be indices 0..{k - 1}, got {ids}")
    return keras.metrics.IoU(num_classes=k, target_class_ids=ids, sparse_y_pred=sparse_y_pred,
                             name=name)  # fmt: skip


class Dice(keras.metrics.Metric):
    """Mean Dice coefficient over ``classes``, accumulated over batches.

    ``y_true``: integer labels ``(B, H, W)`` or ``(B, H, W, 1)``; ``y_pred``: class scores
    ``(B, H, W, num_classes)`` (argmax taken) or, with ``sparse_y_pred=True``, labels.
    Per class it sums 2·TP and (predicted + true) pixels over every batch seen, so the
    result is the Dice of the whole evaluation set, not a mean of per-batch values. Classes
    with no pixel in either are left out of the mean.
    """

    def __init__(self, num_classes, classes=None, *, sparse_y_pred=False, name="dice",
                 dtype=None):  # fmt: skip
        super().__init__(name=name, dtype=dtype)
        self.num_classes = _num_classes(num_classes)
        ids = list(range(self.num_classes)) if classes is None else [int(c) for c in classes]
        if not ids or min(ids) < 0 or max(ids) >= self.num_classes:
            raise ValueError(f"classes must be indices 0..{self.num_classes - 1}, got {ids}")
        self.classes = ids
        self.sparse_y_pred = bool(sparse_y_pred)
        k = self.num_classes
        self.intersection = self.add_variable((k,), initializer="zeros", name="intersection")
        self.total = self.add_variable((k,), initializer="zeros", name="total")

    def update_state(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            raise ValueError("Dice does not support sample_weight")
        y_pred = ops.convert_to_tensor(y_pred)
        labels_pred = y_pred if self.sparse_y_pred else ops.argmax(y_pred, axis=-1)
        y_true = ops.convert_to_tensor(y_true)
        if len(y_true.shape) == len(labels_pred.shape) + 1:
            y_true = ops.squeeze(y_true, axis=-1)
        k = self.num_classes
        t = ops.one_hot(ops.reshape(ops.cast(y_true, "int32"), (-1,)), k)
        p = ops.one_hot(ops.reshape(ops.cast(labels_pred, "int32"), (-1,)), k)
        self.intersection.assign_add(ops.cast(ops.sum(t * p, axis=0), self.dtype))
        self.total.assign_add(ops.cast(ops.sum(t + p, axis=0), self.dtype))

    def result(self):
        ids = ops.convert_to_tensor(self.classes, dtype="int32")
        inter = ops.take(self.intersection, ids)
        total = ops.take(self.total, ids)
        present = ops.cast(total > 0, self.dtype)
        dice = 2.0 * inter / ops.maximum(total, 1.0)
        return ops.sum(dice * present) / ops.maximum(ops.sum(present), 1.0)

    def reset_state(self):
        self.intersection.assign(ops.zeros_like(self.intersection))
        self.total.assign(ops.zeros_like(self.total))

    def get_config(self):
        return {"num_classes": self.num_classes, "classes": self.classes,
                "sparse_y_pred": self.sparse_y_pred, "name": self.name}  # fmt: skip


# ----------------------------------------------------------------------------- models


def transposed_output_size(
    n: int, kernel: int, stride: int, padding: str = "valid", output_padding: int | None = None
) -> int:
    """Output length of ``keras.layers.Conv2DTranspose`` along one axis (Keras' own rule).

    Without ``output_padding``: ``"valid"`` gives ``n·s + max(k − s, 0)``, ``"same"`` gives
    ``n·s``. With it, ``(n − 1)·s + k − 2·pad + output_padding`` where pad = k // 2 for
    ``"same"`` and 0 for ``"valid"`` (``output_padding`` must be smaller than the stride).
    A transposed convolution is the gradient of a convolution with the same settings: it maps a
    convolution's output size back to (one of) its input sizes.
    """
    for value, what in ((n, "n"), (kernel, "kernel"), (stride, "stride")):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{what} must be a positive whole number, got {value!r}")
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    if output_padding is None:
        if padding == "valid":
            return int(n * stride + max(kernel - stride, 0))
        return int(n * stride)
    if isinstance(output_padding, bool) or not isinstance(output_padding, int | np.integer):
        raise ValueError(f"output_padding must be a whole number or None, got {output_padding!r}")
    if not 0 <= output_padding < stride:
        raise ValueError(
            f"output_padding must be at least 0 and smaller than the stride ({stride}), "
            f"got {output_padding}"
        )
    pad = kernel // 2 if padding == "same" else 0
    return int((n - 1) * stride + kernel - 2 * pad + output_padding)


def _shape(input_shape: Sequence[int], levels: int, caller: str) -> tuple[int, int, int]:
    shape = tuple(int(s) for s in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"{caller}: input_shape must be (height, width, channels), got {shape}")
    f = 2**levels
    if shape[0] % f or shape[1] % f:
        raise ValueError(
            f"{caller}: height and width must be divisible by {f} (2 ** {levels} poolings), "
            f"got {shape[:2]}"
        )
    return shape


def unet_widths(
    widths: Sequence[int] = UNET_WIDTHS,
    bottleneck: int | None = None,
    width_multiplier: float = 1.0,
) -> tuple[tuple[int, ...], int]:
    """The down-block widths and bottleneck width after the multiplier (each at least 1).

    ``bottleneck=None`` doubles the last width, as in the original U-Net (512 → 1024).
    """
    if not widths or any(int(w) < 1 for w in widths):
        raise ValueError(f"widths must be positive whole numbers, got {widths!r}")
    if not width_multiplier > 0:
        raise ValueError(f"width_multiplier must be positive, got {width_multiplier!r}")
    ws = tuple(max(1, round(int(w) * width_multiplier)) for w in widths)
    b = 2 * int(widths[-1]) if bottleneck is None else int(bottleneck)
    return ws, max(1, round(b * width_multiplier))


def _dropouts(dropout: float | Sequence[float], n: int) -> list[float]:
    rates = [float(dropout)] * n if np.isscalar(dropout) else [float(d) for d in dropout]
    if len(rates) != n or any(not 0 <= r < 1 for r in rates):
        raise ValueError(f"dropout must be one rate in [0, 1) or {n} of them, got {dropout!r}")
    return rates


def build_unet(
    input_shape: Sequence[int],
    num_classes: int,
    widths: Sequence[int] = UNET_WIDTHS,
    bottleneck: int | None = None,
    *,
    width_multiplier: float = 1.0,
    dropout: float | Sequence[float] = 0.0,
    batch_norm: bool = True,
    name: str = "unet",
):
    """A U-Net: ``len(widths)`` down blocks, a bottleneck, as many up blocks, softmax per pixel.

    Down block i: two 3×3 convolutions with ``widths[i]`` filters ('same' padding), each
    followed by batch normalization (``batch_norm``) and ReLU, then dropout; its output is
    kept for the skip connection and max-pooled 2×2. Bottleneck: the same pair of convolutions
    with ``bottleneck`` filters (default twice the last width). Up block i (deepest first): a
    2×2 transposed convolution with stride 2 and ``widths[i]`` filters doubles the size, its
    output is concatenated with the skip of the same size, then the pair of convolutions.
    Output: a 1×1 convolution to ``num_classes`` channels with softmax.

    ``dropout`` is one rate for every block or one per block (downs, bottleneck, ups:
    ``2·len(widths) + 1`` rates). ``width_multiplier`` scales every width (0.25 gives 16→128
    and a 256-wide bottleneck); the weight count scales roughly with its square.
    """
    from keras import layers

    levels = len(widths)
    shape = _shape(input_shape, levels, "build_unet")
    k = _num_classes(num_classes)
    ws, wb = unet_widths(widths, bottleneck, width_multiplier)
    rates = _dropouts(dropout, 2 * levels + 1)

    def conv_pair(x, filters, rate, tag):
        for j in (1, 2):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm,
                              name=f"{tag}_conv{j}")(x)  # fmt: skip
            if batch_norm:
                x = layers.BatchNormalization(name=f"{tag}_bn{j}")(x)
            x = layers.Activation("relu", name=f"{tag}_relu{j}")(x)
        if rate > 0:
            x = layers.Dropout(rate, name=f"{tag}_dropout")(x)
        return x

    inputs = keras.Input(shape, name="image")
    x, skips = inputs, []
    for i, w in enumerate(ws):
        x = conv_pair(x, w, rates[i], f"down{i + 1}")
        skips.append(x)
        x = layers.MaxPooling2D(2, name=f"down{i + 1}_pool")(x)
    x = conv_pair(x, wb, rates[levels], "bottleneck")
    for j, (w, skip) in enumerate(zip(ws[::-1], skips[::-1], strict=True)):
        tag = f"up{levels - j}"
        x = layers.Conv2DTranspose(w, 2, strides=2, name=f"{tag}_upconv")(x)
        x = layers.Concatenate(name=f"{tag}_concat")([skip, x])
        x = conv_pair(x, w, rates[levels + 1 + j], tag)
    outputs = layers.Conv2D(k, 1, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name=name)


def build_fcn(
    input_shape: Sequence[int],
    num_classes: int,
    widths: Sequence[int] = (16, 32, 64),
    *,
    batch_norm: bool = True,
    name: str = "fcn",
):
    """A plain fully convolutional network: downsample, score, upsample once.

    One block per width: a 3×3 convolution (+ batch norm) with ReLU and a 2×2 max pooling, so
    the class scores of the 1×1 convolution are ``2 ** len(widths)`` times smaller than the
    image. One ``Conv2DTranspose`` with kernel 2f and stride f ('same') brings them back to
    full size (like FCN-32s, without skips): the masks come out blurry at the edges, which is
    what the U-Net's skip connections fix.
    """
    from keras import layers

    levels = len(widths)
    shape = _shape(input_shape, levels, "build_fcn")
    k = _num_classes(num_classes)
    if not widths or any(int(w) < 1 for w in widths):
        raise ValueError(f"widths must be positive whole numbers, got {widths!r}")
    inputs = keras.Input(shape, name="image")
    x = inputs
    for i, w in enumerate(widths):
        x = layers.Conv2D(int(w), 3, padding="same", use_bias=not batch_norm,
                          name=f"conv{i + 1}")(x)  # fmt: skip
        if batch_norm:
            x = layers.BatchNormalization(name=f"bn{i + 1}")(x)
        x = layers.Activation("relu", name=f"relu{i + 1}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i + 1}")(x)
    x = layers.Conv2D(k, 1, name="scores")(x)
    f = 2**levels
    x = layers.Conv2DTranspose(k, 2 * f, strides=f, padding="same", name="upsample")(x)
    outputs = layers.Activation("softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name=name)


# ----------------------------------------------------------------------------- pictures


def class_colours(num_classes: int) -> np.ndarray:
    """RGB colours (num_classes, 3) in [0, 1]: class 0 black, the others from tab10 / tab20."""
    import matplotlib

    k = _num_classes(num_classes)
    cmap = matplotlib.colormaps["tab10" if k <= 11 else "tab20"]
    colours = [(0.0, 0.0, 0.0)] + [cmap((c - 1) % cmap.N)[:3] for c in range(1, k)]
    return np.array(colours[:k])


def overlay_mask(
    ax,
    image: Any,
    mask: Any,
    class_names: Sequence[str] | None = None,
    *,
    alpha: float = 0.55,
    num_classes: int | None = None,
    legend: bool = True,
    title: str | None = None,
):
    """Draw ``image`` (grey or RGB) with the class map ``mask`` coloured on top.

    Class 0 (background) stays transparent; each other class gets its colour from
    :func:`class_colours` at opacity ``alpha``. A legend names the classes present (with
    ``class_names``, one name per class including the background). Returns ``ax``.
    """
    img = np.asarray(image, dtype=np.float64)
    m = np.asarray(mask)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[-1] != 3):
        raise ValueError(f"image must be (H, W), (H, W, 1) or (H, W, 3), got {img.shape}")
    if m.ndim == 3 and m.shape[-1] == 1:
        m = m[..., 0]
    if m.shape != img.shape[:2]:
        raise ValueError(f"mask shape {m.shape} does not match the image's {img.shape[:2]}")
    if m.dtype.kind not in "iub":
        raise ValueError(f"mask must hold integer class labels, got dtype {m.dtype}")
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    k = num_classes or (len(class_names) if class_names is not None else int(m.max()) + 1)
    if class_names is not None and len(class_names) != k:
        raise ValueError(f"{len(class_names)} class names for {k} classes")
    if m.size and (m.min() < 0 or m.max() >= k):
        named = f" ({len(class_names)} class names given)" if class_names is not None else ""
        raise ValueError(f"mask labels must be in 0..{k - 1}{named}, got {m.min()}..{m.max()}")
    hi = img.max() if img.size else 1.0
    shown = img / 255.0 if hi > 1.0 else img
    ax.imshow(shown, cmap="gray" if shown.ndim == 2 else None, vmin=0, vmax=1)
    colours = class_colours(k)
    rgba = np.zeros((*m.shape, 4))
    rgba[..., :3] = colours[m.astype(np.int64)]
    rgba[..., 3] = np.where(m > 0, alpha, 0.0)
    ax.imshow(rgba)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    present = [int(c) for c in np.unique(m) if c > 0]
    if legend and present:
        from matplotlib.patches import Patch

        names = class_names or [str(c) for c in range(k)]
        ax.legend(handles=[Patch(color=colours[c], label=names[c]) for c in present],
                  fontsize=7, loc="upper right", framealpha=0.6, handlelength=1)  # fmt: skip
    return ax
