"""Classification and localization: one object per image, a class and a box to predict.

A *localizer* is a CNN with two heads on one trunk: a softmax over the classes ("what") and four
numbers for the box ("where"), trained with one loss per head and a weighted sum of the two::

    from helpers import canvases, localization
    train = canvases.make_canvases(x, y, 10_000, size=64, objects=(1, 1), seed=0)
    model = localization.build_localizer((64, 64, 1), 10)
    localization.compile_localizer(model, loss_weights=(0.8, 0.2))
    model.fit(localization.inputs(train), localization.targets(train), epochs=8)
    report = localization.evaluate_localizer(model, test)   # accuracy, mean IoU, IoU >= 0.5

**Box targets.** The box head predicts the box in *normalised centre format*
``(cx, cy, w, h) / size``: four numbers in [0, 1] whatever the canvas size
(:func:`box_targets`; :func:`decode_boxes` turns predictions back into pixel corner boxes). Why
normalise: the head ends in a sigmoid, whose outputs lie in [0, 1]; the mean squared error of
numbers in [0, 1] stays on a scale comparable from one image size to another (in pixels, a
64-pixel canvas would give errors in the hundreds and a 448-pixel one in the thousands, and the
loss weights would have to be re-tuned each time); and the centre format separates *where* (cx, cy)
from *how big* (w, h), as the seed describes the task.

**The IoU metric.** :func:`box_iou` computes the intersection over union of normalised centre
boxes with ``keras.ops`` (so it runs inside ``fit`` on any backend); :class:`BoxIoU` is a Keras
metric that averages it over an epoch. Both are tested against :func:`helpers.boxes.iou`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers, ops

from . import boxes as box_ops

__all__ = [
    "BOX_FORMAT",
    "box_targets",
    "encode_boxes",
    "decode_boxes",
    "class_targets",
    "inputs",
    "targets",
    "box_iou",
    "BoxIoU",
    "build_localizer",
    "compile_localizer",
    "LocalizerReport",
    "evaluate_localizer",
    "weighted_loss",
    "draw_two_heads",
    "show_localizations",
]

#: What the box head predicts: the box's centre, width and height, divided by the canvas size.
BOX_FORMAT = "cxcywh / size"


# ----------------------------------------------------------------------------- targets


def _size(size) -> float:
    if isinstance(size, bool) or not isinstance(size, int | float | np.integer | np.floating):
        raise ValueError(f"size must be a positive number of pixels, got {size!r}")
    if not size > 0:
        raise ValueError(f"size must be a positive number of pixels, got {size!r}")
    return float(size)


def encode_boxes(boxes, size) -> np.ndarray:
    """Pixel corner boxes ``(x_min, y_min, x_max, y_max)`` → normalised ``(cx, cy, w, h) / size``
    as float32 (shape kept, ``(..., 4)``)."""
    b = box_ops.check_boxes(boxes)
    return (box_ops.to_centre(b) / _size(size)).astype(np.float32)


def decode_boxes(pred, size) -> np.ndarray:
    """Normalised ``(cx, cy, w, h)`` (what the box head outputs) → pixel corner boxes, float64.

    Widths and heights below 0 (a linear head can predict them) count as 0; corners are clipped
    to the canvas ``[0, size]``.
    """
    s = _size(size)
    p = np.asarray(pred, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] != 4:
        raise ValueError(f"predicted boxes must have 4 numbers on the last axis, got {p.shape}")
    if not np.all(np.isfinite(p)):
        raise ValueError("predicted boxes contain NaN or infinite values")
    p = p.copy()
    p[..., 2:] = np.maximum(p[..., 2:], 0.0)
    return np.clip(box_ops.to_corners(p * s), 0.0, s)


def _single(canvases, what: str):
    counts = [len(b) for b in canvases.boxes]
    bad = [i for i, c in enumerate(counts) if c != 1]
    if bad:
        raise ValueError(
            f"{what} needs exactly one object per canvas; canvas {bad[0]} has {counts[bad[0]]} "
            "(make them with objects=(1, 1))"
        )


def box_targets(canvases) -> np.ndarray:
    """The box head's targets: each canvas's one box as normalised ``(cx, cy, w, h)``, (n, 4)."""
    _single(canvases, "box_targets")
    if len(canvases) == 0:
        return np.zeros((0, 4), np.float32)
    corners = np.concatenate([b.reshape(1, 4) for b in canvases.boxes])
    return encode_boxes(corners, canvases.size)


def class_targets(canvases) -> np.ndarray:
    """The class head's targets: each canvas's one label, (n,) int64."""
    _single(canvases, "class_targets")
    return np.array([int(lab[0]) for lab in canvases.labels], dtype=np.int64)


def inputs(canvases) -> np.ndarray:
    """The images with a channel axis, (n, size, size, 1) float32 — what the model reads."""
    return np.asarray(canvases.images, dtype=np.float32)[..., None]


def targets(canvases) -> dict[str, np.ndarray]:
    """``{"class": labels, "box": normalised boxes}``, keyed like the model's two outputs."""
    return {"class": class_targets(canvases), "box": box_targets(canvases)}


# ----------------------------------------------------------------------------- IoU in Keras


def box_iou(y_true, y_pred):
    """IoU of normalised centre boxes ``(..., 4)``, element-wise, written with ``keras.ops``.

    Works on tensors and NumPy arrays alike (returns a tensor). Negative predicted widths or
    heights count as 0, and a box pair whose union is 0 gets IoU 0, never NaN.
    """
    t = ops.cast(ops.convert_to_tensor(y_true), "float32")
    p = ops.cast(ops.convert_to_tensor(y_pred), "float32")
    t_wh = ops.maximum(t[..., 2:], 0.0)
    p_wh = ops.maximum(p[..., 2:], 0.0)
    t_lo, t_hi = t[..., :2] - t_wh / 2, t[..., :2] + t_wh / 2
    p_lo, p_hi = p[..., :2] - p_wh / 2, p[..., :2] + p_wh / 2
    overlap = ops.maximum(ops.minimum(t_hi, p_hi) - ops.maximum(t_lo, p_lo), 0.0)
    inter = overlap[..., 0] * overlap[..., 1]
    union = t_wh[..., 0] * t_wh[..., 1] + p_wh[..., 0] * p_wh[..., 1] - inter
    safe = ops.where(union > 0, union, ops.ones_like(union))
    return ops.where(union > 0, inter / safe, ops.zeros_like(union))


@keras.saving.register_keras_serializable(package="course")
class BoxIoU(keras.metrics.Metric):
    """A Keras metric: the mean IoU of predicted and true boxes (normalised ``(cx, cy, w, h)``)
    over every image seen since the last reset.

    Default name ``"iou"``, so the history of a model whose box output is called ``"box"`` has
    ``box_iou`` and ``val_box_iou``. Use it as ``compile(metrics={"box": [BoxIoU()]})``.
    """

    def __init__(self, name: str = "iou", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = ops.reshape(box_iou(y_true, y_pred), (-1,))
        if sample_weight is None:
            weights = ops.ones_like(values)
        else:
            weights = ops.reshape(ops.cast(sample_weight, "float32"), (-1,))
        self.total.assign_add(ops.sum(values * weights))
        self.count.assign_add(ops.sum(weights))

    def result(self):
        return ops.where(self.count > 0, self.total / ops.maximum(self.count, 1e-12), 0.0)

    def reset_state(self):
        self.total.assign(0.0)
        self.count.assign(0.0)


# ----------------------------------------------------------------------------- the model


def build_localizer(
    input_shape: Sequence[int] = (64, 64, 1),
    num_classes: int = 10,
    *,
    filters: Sequence[int] = (16, 32, 64, 32),
    dense: int = 128,
    name: str = "localizer",
):
    """A small two-headed CNN: a shared convolutional trunk, then two heads.

    Trunk: ``Conv2D(f, 3, "same", relu)`` + 2×2 max pooling for each entry of ``filters`` but
    the last. Each head then has its own ``Conv2D(filters[-1], 3, "same", relu)``, ``Flatten``
    (flattening, unlike global pooling, keeps *where* each feature was) and
    ``Dense(dense, relu)``, and ends in ``"class"`` = ``Dense(num_classes, softmax)`` or
    ``"box"`` = ``Dense(4, sigmoid)`` (the normalised box). Own layers per head let the small
    box loss shape features of its own. The outputs are a dict with keys ``"class"``, ``"box"``.
    """
    shape = tuple(int(s) for s in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes must be a whole number >= 2, got {num_classes!r}")
    if len(filters) < 2 or any(int(f) < 1 for f in filters):
        raise ValueError(f"filters must list >= 2 positive filter counts, got {filters!r}")
    if 2 ** (len(filters) - 1) > min(shape[:2]):
        raise ValueError(f"{len(filters) - 1} poolings do not fit a {shape[0]}×{shape[1]} image")
    image = keras.Input(shape, name="image")
    x = image
    for i, f in enumerate(filters[:-1]):
        x = layers.Conv2D(int(f), 3, padding="same", activation="relu", name=f"conv{i + 1}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i + 1}")(x)
    heads = {}
    for head, units, activation in (("class", num_classes, "softmax"), ("box", 4, "sigmoid")):
        h = layers.Conv2D(int(filters[-1]), 3, padding="same", activation="relu",
                          name=f"{head}_conv")(x)  # fmt: skip
        h = layers.Flatten(name=f"{head}_flatten")(h)
        h = layers.Dense(dense, activation="relu", name=f"{head}_hidden")(h)
        heads[head] = layers.Dense(units, activation=activation, name=head)(h)
    outputs = heads
    return keras.Model(image, outputs, name=name)


def compile_localizer(model, loss_weights: tuple[float, float] = (0.8, 0.2), *,
                      learning_rate: float = 1e-3):  # fmt: skip
    """Compile with Adam: sparse cross-entropy on ``"class"``, mean squared error on ``"box"``,
    the total loss ``w_class · class_loss + w_box · box_loss``; accuracy and :class:`BoxIoU`
    as metrics. Returns the model."""
    w_class, w_box = (float(w) for w in loss_weights)
    if w_class < 0 or w_box < 0 or w_class + w_box == 0:
        raise ValueError(f"loss_weights must be >= 0 and not both 0, got {loss_weights!r}")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss={"class": "sparse_categorical_crossentropy", "box": "mse"},
        loss_weights={"class": w_class, "box": w_box},
        metrics={"class": ["accuracy"], "box": [BoxIoU()]},
    )
    return model


def weighted_loss(class_loss: float, box_loss: float, loss_weights=(0.8, 0.2)) -> float:
    """The total loss Keras minimises: ``w_class · class_loss + w_box · box_loss``."""
    w_class, w_box = loss_weights
    return float(w_class) * float(class_loss) + float(w_box) * float(box_loss)


# ----------------------------------------------------------------------------- evaluation


@dataclass
class LocalizerReport:
    """What :func:`evaluate_localizer` measured on a set of one-object canvases."""

    accuracy: float  # fraction of canvases whose class is right
    mean_iou: float  # mean IoU of predicted vs true box
    hit_rate: float  # fraction with IoU >= 0.5 (the usual "the box is right")
    both_rate: float  # fraction with the right class AND IoU >= 0.5
    ious: np.ndarray  # (n,) IoU per canvas
    pred_labels: np.ndarray  # (n,) predicted class
    pred_boxes: np.ndarray  # (n, 4) predicted corner boxes in pixels
    true_labels: np.ndarray
    true_boxes: np.ndarray

    def __str__(self) -> str:
        return (f"class accuracy {self.accuracy:.3f}, mean IoU {self.mean_iou:.3f}, "
                f"IoU >= 0.5: {self.hit_rate:.3f}, both right: {self.both_rate:.3f} "
                f"({len(self.ious):,} canvases)")  # fmt: skip


def evaluate_localizer(model, canvases, *, batch_size: int = 256) -> LocalizerReport:
    """Predict every canvas and measure class accuracy, mean IoU and the IoU ≥ 0.5 rate.

    The IoU is computed in pixels with :func:`helpers.boxes.iou` on the decoded boxes (not with
    the Keras metric), so that the two implementations check each other.
    """
    if len(canvases) == 0:
        raise ValueError("no canvases to evaluate")
    out = model.predict(inputs(canvases), batch_size=batch_size, verbose=0)
    if not isinstance(out, dict) or set(out) != {"class", "box"}:
        raise ValueError("the model must have two outputs named 'class' and 'box'")
    pred_labels = np.argmax(out["class"], axis=-1)
    pred_boxes = decode_boxes(out["box"], canvases.size)
    true_labels = class_targets(canvases)
    true_boxes = np.concatenate([b.reshape(1, 4) for b in canvases.boxes])
    ious = box_ops.iou(pred_boxes, true_boxes)
    right = pred_labels == true_labels
    return LocalizerReport(
        accuracy=float(np.mean(right)),
        mean_iou=float(np.mean(ious)),
        hit_rate=float(np.mean(ious >= 0.5)),
        both_rate=float(np.mean(right & (ious >= 0.5))),
        ious=ious,
        pred_labels=pred_labels,
        pred_boxes=pred_boxes,
        true_labels=true_labels,
        true_boxes=true_boxes,
    )


# ----------------------------------------------------------------------------- the diagram


def draw_two_heads(ax=None, *, num_classes: int = 10, loss_weights=(0.8, 0.2)):
    """Draw the idea of a localizer: image → shared trunk → two heads → two losses → one sum.

    Returns the figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    if ax is None:
        fig, ax = plt.subplots(figsize=(11, 3.8))
    else:
        fig = ax.figure
    w_class, w_box = loss_weights

    def box(x, y, w, h, text, colour):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.02", fc=colour,
                                    ec="#555555"))  # fmt: skip
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=9)

    def arrow(a, b):
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="->", mutation_scale=12, color="#444444"))

    box(0.0, 1.6, 1.2, 1.0, "image\n64×64×1", "#eeeeee")
    box(1.7, 1.4, 2.2, 1.4, "shared trunk\n(Conv → Pool) × n\n(what AND where)",
        "#cfe2f3")  # fmt: skip
    box(4.6, 2.6, 2.0, 1.0, f"class head\nConv → Dense →\nsoftmax({num_classes})", "#d9ead3")
    box(4.6, 0.6, 2.0, 1.0, "box head\nConv → Dense →\nsigmoid(4) = box / size", "#fce5cd")
    box(7.3, 2.6, 1.9, 1.0, "cross-entropy\nwith the label", "#f4f4f4")
    box(7.3, 0.6, 1.9, 1.0, "mean squared error\nwith the true box", "#f4f4f4")
    box(9.9, 1.6, 1.9, 1.0, f"total loss\n{w_class:g}·class + {w_box:g}·box", "#fff2cc")
    arrow((1.2, 2.1), (1.7, 2.1))
    arrow((3.9, 2.3), (4.6, 3.1))
    arrow((3.9, 1.9), (4.6, 1.1))
    arrow((6.6, 3.1), (7.3, 3.1))
    arrow((6.6, 1.1), (7.3, 1.1))
    arrow((9.2, 3.1), (9.9, 2.3))
    arrow((9.2, 1.1), (9.9, 1.9))
    ax.set_xlim(-0.1, 11.9)
    ax.set_ylim(0.3, 3.9)
    ax.axis("off")
    ax.set_title("Classification and localization: one trunk, two heads, one weighted loss")
    return fig


def show_localizations(
    images,
    true_boxes,
    pred_boxes,
    *,
    true_labels=None,
    pred_labels=None,
    ious=None,
    ncols: int = 6,
    size: float = 1.9,
    title: str | None = None,
):
    """Images with the true box (green, dashed) and the predicted one (red), one panel each.

    Boxes are pixel corner boxes, one per image. Each panel's title gives the true and predicted
    class (when given) and the IoU (computed with :func:`helpers.boxes.iou` when not given).
    Returns the figure.
    """
    import matplotlib.pyplot as plt

    from . import viz

    imgs = np.asarray(images)
    if imgs.ndim == 4 and imgs.shape[-1] == 1:
        imgs = imgs[..., 0]
    if imgs.ndim != 3:
        raise ValueError(f"images must be (n, h, w) or (n, h, w, 1), got shape {imgs.shape}")
    t = box_ops.check_boxes(true_boxes, name="true_boxes").reshape(-1, 4)
    p = box_ops.check_boxes(pred_boxes, name="pred_boxes").reshape(-1, 4)
    n = len(imgs)
    if len(t) != n or len(p) != n:
        raise ValueError(f"{n} images but {len(t)} true and {len(p)} predicted boxes")
    ious = box_ops.iou(t, p) if ious is None else np.asarray(ious, dtype=float).reshape(-1)
    ncols = max(1, min(int(ncols), n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * (size + 0.25)),
                             squeeze=False, layout="constrained")  # fmt: skip
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    for i, ax in enumerate(axes.ravel()[:n]):
        ax.imshow(imgs[i], cmap="gray", vmin=0, vmax=1)
        viz.draw_boxes(ax, t[i], color="limegreen", linestyle="--")
        viz.draw_boxes(ax, p[i], color="red")
        words = []
        if true_labels is not None and pred_labels is not None:
            words.append(f"{int(true_labels[i])}→{int(pred_labels[i])}")
        words.append(f"IoU {ious[i]:.2f}")
        wrong = pred_labels is not None and true_labels is not None and (
            int(pred_labels[i]) != int(true_labels[i]))  # fmt: skip
        ax.set_title(" ".join(words), fontsize=9, color="red" if wrong else "black")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title or "true box: green dashed; predicted box: red", fontsize=10)
    return fig
