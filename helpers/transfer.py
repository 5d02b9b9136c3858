"""Transfer learning and fine-tuning: freezing, unfreezing, heads, features, image folders.

The recipe of chapter 16, in small pieces:

- :func:`freeze` / :func:`unfreeze_top`: set ``trainable`` on a base model: all frozen, or
  only its top ``n`` layers trainable (batch-normalization layers kept frozen by default).
- :func:`trainable_summary` / :func:`count_trainable`: which layers will train, and how many
  weights are trainable or not, per layer and in total.
- :func:`add_head`: a new classifier on a (frozen) base: global average pooling, dropout,
  a dense softmax layer. The base is called with ``training=False``.
- :func:`extract_features`: run a frozen base once over images and keep its outputs (the
  "feature-extraction network", FEN), so that a head trains on cached features in seconds.
- :func:`split_at`: cut a functional model into a bottom and a top part (cache the frozen
  bottom's output, fine-tune only the top).
- :func:`plot_trainable`: draw a model's layers coloured by what trains.
- :func:`image_folder_datasets`: ``keras.utils.image_dataset_from_directory`` with a fixed
  train / validation / test split of one folder of class sub-folders.
- :func:`keras2_decay_schedule` / :func:`keras2_sgd`: the Keras 3 equivalent of Keras 2's
  ``SGD(lr=..., decay=...)``: ``InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)``
  gives ``lr / (1 + decay · iterations)``, the iteration being the batch counter.

Example::

    from helpers import transfer
    base = some_pretrained_model(include_top=False)
    transfer.freeze(base)
    model = transfer.add_head(base, num_classes=5, dropout=0.2)
    ...  # train the head, then fine-tune the top layers with a lower learning rate:
    transfer.unfreeze_top(base, 20)
    model.compile(...)  # always recompile after changing ``trainable``
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "IMAGE_SUFFIXES",
    "LayerCount",
    "FolderSplits",
    "freeze",
    "unfreeze_top",
    "trainable_summary",
    "count_trainable",
    "format_trainable_summary",
    "add_head",
    "extract_features",
    "split_at",
    "list_image_folder",
    "image_folder_datasets",
    "keras2_decay_schedule",
    "keras2_sgd",
    "layer_states",
    "plot_trainable",
]

#: File endings ``image_dataset_from_directory`` reads (case-insensitive).
IMAGE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def _require_model(model, caller: str):
    if not hasattr(model, "layers") or not hasattr(model, "trainable_weights"):
        raise TypeError(f"{caller}: expected a Keras model, got {type(model).__name__}")
    return model


def _is_batchnorm(layer) -> bool:
    return "BatchNormalization" in type(layer).__name__


def _call(model, x, **kwargs):
    """``model(x, **kwargs)`` without Keras' warning for models built with ``inputs=[...]``.

    A functional model whose inputs were given as a one-item list warns when called on a
    bare tensor ("The structure of `inputs` doesn't match"); the call itself is fine.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The structure of `inputs`")
        return model(x, **kwargs)


def _size(variables) -> int:
    return int(sum(math.prod(int(d) for d in v.shape) for v in variables))


# ----------------------------------------------------------------------------- trainable


def freeze(model):
    """Make every weight of ``model`` non-trainable (``model.trainable = False``); return it.

    Recompile the model that contains ``model`` afterwards: ``compile`` decides what trains.
    """
    _require_model(model, "freeze()")
    model.trainable = False
    return model


def unfreeze_top(model, n: int, *, keep_batchnorm_frozen: bool = True) -> list[str]:
    """Freeze ``model``, then make its top ``n`` layers (``model.layers[-n:]``) trainable.

    ``n`` counts layers as Keras lists them, including layers without weights (pooling,
    activations), exactly as ``for layer in model.layers[-n:]`` would. ``n = 0`` freezes
    everything; ``n = len(model.layers)`` unfreezes all. With ``keep_batchnorm_frozen``
    (the usual advice), batch-normalization layers among the top ``n`` stay frozen: their
    statistics were learned on the large dataset, and a few hundred images would disturb them.

    Returns the names of the layers that now have trainable weights. Recompile afterwards.

    Raises:
        TypeError: ``model`` is not a Keras model.
        ValueError: ``n`` is not a whole number from 0 to ``len(model.layers)``.
    """
    _require_model(model, "unfreeze_top()")
    total = len(model.layers)
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise ValueError(f"unfreeze_top(): n must be a whole number of layers, got {n!r}")
    if not 0 <= n <= total:
        raise ValueError(
            f"unfreeze_top(): n={n}, but {model.name!r} has {total} layers; "
            f"choose n from 0 (all frozen) to {total} (all trainable)"
        )
    # model.trainable = True would also turn every sub-layer on; set the container on and
    # each layer explicitly, so that the result does not depend on earlier settings.
    model.trainable = True
    for layer in model.layers:
        layer.trainable = False
    for layer in model.layers[total - int(n) :]:
        layer.trainable = not (keep_batchnorm_frozen and _is_batchnorm(layer))
    return [layer.name for layer in model.layers if layer.trainable_weights]


@dataclass(frozen=True)
class LayerCount:
    """Weights of one layer: how many train and how many do not."""

    name: str
    kind: str
    trainable: int
    non_trainable: int

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable


def trainable_summary(model) -> list[LayerCount]:
    """One :class:`LayerCount` per layer of ``model`` (nested models count as one layer).

    Batch normalization always has non-trainable weights (its moving mean and variance,
    updated by running averages, never by gradients); its scale and offset train when
    the layer is trainable.
    """
    _require_model(model, "trainable_summary()")
    rows = []
    for layer in model.layers:
        trainable = _size(layer.trainable_weights)
        rows.append(LayerCount(layer.name, type(layer).__name__, trainable,
                               _size(layer.weights) - trainable))  # fmt: skip
    return rows


def count_trainable(model) -> tuple[int, int]:
    """``(trainable, non_trainable)`` weight counts of ``model`` (what ``summary()`` prints)."""
    _require_model(model, "count_trainable()")
    trainable = _size(model.trainable_weights)
    return trainable, _size(model.weights) - trainable


def format_trainable_summary(model, *, only_weighted: bool = True, max_rows: int = 40) -> str:
    """A text table of :func:`trainable_summary`, with totals. Long models are elided."""
    rows = [r for r in trainable_summary(model) if r.total or not only_weighted]
    lines = [f"{'layer':<28} {'class':<22} {'trainable':>11} {'frozen':>11}"]
    shown = (
        rows if len(rows) <= max_rows else rows[: max_rows // 2] + [None] + rows[-max_rows // 2 :]
    )
    for r in shown:
        if r is None:
            lines.append(f"{'…':<28} ({len(rows) - max_rows} more layers)")
            continue
        lines.append(
            f"{r.name[:28]:<28} {r.kind[:22]:<22} {r.trainable:>11,} {r.non_trainable:>11,}"
        )
    t, nt = count_trainable(model)
    lines.append(f"{'total':<51} {t:>11,} {nt:>11,}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- head


def add_head(
    base,
    num_classes: int,
    *,
    dropout: float = 0.2,
    pooling: str = "avg",
    name: str | None = None,
):
    """A classifier = ``base`` (called with ``training=False``) → pooling → dropout → softmax.

    Args:
        base: a Keras model with a defined input shape, e.g. a pretrained network without its
            top. Its ``trainable`` flag is left as it is: freeze it first for feature
            extraction.
        num_classes: number of classes (≥ 2) of the new softmax layer.
        dropout: rate of the dropout layer before it, from 0 (no dropout layer) to below 1.
        pooling: ``"avg"`` (global average pooling, the usual choice) or ``"max"``, used when
            the base's output is a spatial map; a base that already ends in a vector (e.g.
            ``pooling="avg"`` in ``keras.applications``) gets no pooling layer.

    ``training=False`` keeps the base's batch-normalization layers in inference mode even
    when they are unfrozen later for fine-tuning (Keras' recommended practice).
    """
    import keras
    from keras import layers

    _require_model(base, "add_head()")
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"add_head(): num_classes must be a whole number ≥ 2, got {num_classes!r}")
    if isinstance(dropout, bool) or not isinstance(dropout, int | float) or not 0 <= dropout < 1:
        raise ValueError(f"add_head(): dropout must be a rate in [0, 1), got {dropout!r}")
    if pooling not in ("avg", "max"):
        raise ValueError(f"add_head(): pooling must be 'avg' or 'max', got {pooling!r}")
    try:
        shape = tuple(base.inputs[0].shape[1:])
    except (AttributeError, IndexError, ValueError):
        raise ValueError(
            "add_head(): the base has no defined input; build it with an Input"
        ) from None
    inputs = keras.Input(shape, name="image")
    x = _call(base, inputs, training=False)
    if len(x.shape) == 4:
        pool = layers.GlobalAveragePooling2D if pooling == "avg" else layers.GlobalMaxPooling2D
        x = pool(name=f"global_{pooling}_pool")(x)
    elif len(x.shape) != 2:
        raise ValueError(f"add_head(): the base's output has shape {x.shape}; expected "
                         "(batch, h, w, channels) or (batch, features)")  # fmt: skip
    if dropout:
        x = layers.Dropout(dropout, name="head_dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="head")(x)
    return keras.Model(inputs, outputs, name=name or f"{base.name}_with_head")


# ----------------------------------------------------------------------------- features


def extract_features(base, data, batch_size: int = 64):
    """Run ``base`` once over ``data`` in inference mode and return its outputs as float32.

    ``data`` is an array of images (returns ``features``) or a ``tf.data.Dataset`` of
    batches ``x`` or ``(x, y)`` (returns ``features`` or ``(features, labels)``); a dataset
    must not reshuffle, or the features would not match a second pass over its labels.
    """
    import keras

    _require_model(base, "extract_features()")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"extract_features(): batch_size must be a positive whole number, got "
                         f"{batch_size!r}")  # fmt: skip
    if isinstance(data, np.ndarray):
        if data.ndim < 2 or len(data) == 0:
            raise ValueError(
                f"extract_features(): expected a batch of images, got shape {data.shape}"
            )
        parts = [keras.ops.convert_to_numpy(_call(base, data[i : i + batch_size], training=False))
                 for i in range(0, len(data), batch_size)]  # fmt: skip
        return np.concatenate(parts).astype(np.float32)
    if not hasattr(data, "as_numpy_iterator"):
        raise TypeError(f"extract_features(): expected a NumPy array or a tf.data.Dataset, got "
                        f"{type(data).__name__}")  # fmt: skip
    feats, labels = [], []
    for batch in data:
        x = batch[0] if isinstance(batch, tuple) else batch
        feats.append(keras.ops.convert_to_numpy(_call(base, x, training=False)))
        if isinstance(batch, tuple):
            labels.append(np.asarray(batch[1]))
    if not feats:
        raise ValueError("extract_features(): the dataset is empty")
    out = np.concatenate(feats).astype(np.float32)
    return (out, np.concatenate(labels)) if labels else out


def split_at(model, layer_name: str):
    """Cut a functional ``model`` after layer ``layer_name``: ``(bottom, top)``.

    ``top(bottom(x))`` computes ``model(x)``; both share ``model``'s layers and weights. Cut
    where every path of the graph passes (e.g. after a residual block's ``add``), so that
    the top needs nothing but the cut's output. Used to cache a frozen bottom's output and
    fine-tune only the top.

    Raises:
        ValueError: no such layer, or the top needs tensors from below the cut.
    """
    import keras

    _require_model(model, "split_at()")
    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(f"split_at(): {model.name!r} has no layer {layer_name!r}")
    cut = model.get_layer(layer_name).output
    try:
        top = keras.Model(cut, model.output, name=f"{model.name}_top")
    except ValueError as exc:
        raise ValueError(f"split_at(): cannot cut {model.name!r} at {layer_name!r}: a path "
                         f"skips over it ({exc})") from None  # fmt: skip
    bottom = keras.Model(model.inputs, cut, name=f"{model.name}_bottom")
    return bottom, top


# ----------------------------------------------------------------------------- folders


def list_image_folder(folder) -> dict[str, list[Path]]:
    """``{class name: sorted image files}`` of a folder with one sub-folder per class.

    Reads the layout ``image_dataset_from_directory`` expects (files may sit in nested
    folders inside a class folder); ignores other files and empty class folders.

    Raises:
        FileNotFoundError: ``folder`` is not a folder.
    """
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"no such folder: {root}")
    classes = {}
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(
            f for f in sub.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES
        )
        if files:
            classes[sub.name] = files
    return classes


@dataclass
class FolderSplits:
    """Three batched ``tf.data`` pipelines of ``(images, labels)`` and what is in them."""

    train: object
    valid: object
    test: object
    class_names: list[str]
    sizes: dict[str, int] = field(default_factory=dict)
    folder: Path | None = None

    def __str__(self) -> str:
        s = self.sizes
        return (f"{self.folder}: {len(self.class_names)} classes ({', '.join(self.class_names)}); "
                f"train {s['train']}, valid {s['valid']}, test {s['test']} images")  # fmt: skip


def _split_sizes(n: int, val_split: float, test_split: float) -> tuple[int, int, int]:
    holdout = int((val_split + test_split) * n)  # what image_dataset_from_directory keeps aside
    n_test = round(holdout * test_split / (val_split + test_split))
    return n - holdout, holdout - n_test, n_test


def image_folder_datasets(
    folder,
    image_size: Sequence[int] = (224, 224),
    val_split: float = 0.15,
    test_split: float = 0.10,
    seed: int = 42,
    *,
    batch_size: int = 32,
    min_per_class: int = 2,
) -> FolderSplits:
    """Train / validation / test pipelines from a folder of class sub-folders.

    ``keras.utils.image_dataset_from_directory`` splits in two only (``validation_split``
    with ``subset="both"``). This asks it for training images and a held-out part of
    ``val_split + test_split`` of the files (shuffled once with ``seed``), then cuts the
    held-out part, whose order is fixed, into validation and test images. Images come out
    as float32 0–255 of ``image_size``, labels as integers in ``class_names`` order. Only the
    training pipeline reshuffles each epoch. The same folder and seed give the same split.

    Raises:
        FileNotFoundError: ``folder`` does not exist.
        ValueError: fewer than 2 classes, a class with fewer than ``min_per_class`` images,
            split fractions outside (0, 1) or adding up to 1 or more, or so few images that
            a split would be empty.
    """
    import keras

    for label, frac in (("val_split", val_split), ("test_split", test_split)):
        if isinstance(frac, bool) or not isinstance(frac, int | float) or not 0 < frac < 1:
            raise ValueError(f"image_folder_datasets(): {label} must be a fraction in (0, 1), "
                             f"got {frac!r}")  # fmt: skip
    if val_split + test_split >= 1:
        raise ValueError(f"image_folder_datasets(): val_split + test_split = "
                         f"{val_split + test_split:g} leaves no training images")  # fmt: skip
    size = tuple(image_size)
    if len(size) != 2 or not all(isinstance(s, int) and s > 0 for s in size):
        raise ValueError(f"image_folder_datasets(): image_size must be (height, width), got "
                         f"{image_size!r}")  # fmt: skip
    root = Path(folder)
    classes = list_image_folder(root)
    if len(classes) < 2:
        raise ValueError(
            f"image_folder_datasets(): {root} has {len(classes)} class folder(s) with images "
            f"({', '.join(classes) or 'none'}); a classifier needs at least 2: put the images "
            "of each class in its own sub-folder, e.g. beach/*.jpg and mountain/*.jpg"
        )
    small = {k: len(v) for k, v in classes.items() if len(v) < min_per_class}
    if small:
        raise ValueError(f"image_folder_datasets(): too few images in {small}; each class needs "
                         f"at least {min_per_class} (exercise 14.10 asks for 100)")  # fmt: skip
    n = sum(len(v) for v in classes.values())
    n_train, n_val, n_test = _split_sizes(n, val_split, test_split)
    if min(n_train, n_val, n_test) < 1:
        raise ValueError(f"image_folder_datasets(): {n} images are too few for a "
                         f"{1 - val_split - test_split:.0%}/{val_split:.0%}/{test_split:.0%} split "
                         f"({n_train}/{n_val}/{n_test} images)")  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()):  # Keras prints "Found N files ..." lines
        train, holdout = keras.utils.image_dataset_from_directory(
            root, labels="inferred", label_mode="int", class_names=list(classes),
            image_size=size, batch_size=None, shuffle=True, seed=seed,
            validation_split=val_split + test_split, subset="both", verbose=False,
        )  # fmt: skip
    import tensorflow as tf

    valid, test = holdout.take(n_val), holdout.skip(n_val)

    def batched(ds):
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    return FolderSplits(batched(train), batched(valid), batched(test), list(classes),
                        {"train": n_train, "valid": n_val, "test": n_test}, root)  # fmt: skip


# ----------------------------------------------------------------------------- Keras 2 decay


def keras2_decay_schedule(lr: float, decay: float):
    """Keras 2's ``SGD(lr=lr, decay=decay)`` learning rate, as a Keras 3 schedule object.

    Keras 2 optimizers used ``lr / (1 + decay · iterations)``, ``iterations`` counting
    batches (not epochs). Keras 3 removed the argument; the same curve is
    ``InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)``, whose value at step t is
    ``lr / (1 + decay_rate · t / decay_steps)``.
    """
    import keras

    if isinstance(lr, bool) or not isinstance(lr, int | float) or not lr > 0:
        raise ValueError(f"keras2_decay_schedule(): lr must be positive, got {lr!r}")
    if isinstance(decay, bool) or not isinstance(decay, int | float) or not decay >= 0:
        raise ValueError(f"keras2_decay_schedule(): decay must be ≥ 0, got {decay!r}")
    return keras.optimizers.schedules.InverseTimeDecay(
        float(lr), decay_steps=1, decay_rate=float(decay)
    )


def keras2_sgd(lr: float, *, decay: float = 0.0, momentum: float = 0.0, nesterov: bool = False):
    """Keras 3's equivalent of Keras 2's ``SGD(lr=lr, momentum=..., nesterov=..., decay=...)``."""
    import keras

    rate = keras2_decay_schedule(lr, decay) if decay else float(lr)
    return keras.optimizers.SGD(learning_rate=rate, momentum=momentum, nesterov=nesterov)


# ----------------------------------------------------------------------------- picture

TRAINABLE_COLOURS = {"trainable": "#e4572e", "frozen": "#4c72b0", "no weights": "#d9d9d9",
                     "partly": "#f3a712"}  # fmt: skip


def layer_states(model) -> list[tuple[str, str, int]]:
    """``(name, state, weights)`` per layer; state is ``trainable``, ``frozen``, ``partly``
    (some weights train, e.g. an unfrozen batch-normalization layer) or ``no weights``."""
    out = []
    for r in trainable_summary(model):
        if r.total == 0:
            state = "no weights"
        elif r.trainable == 0:
            state = "frozen"
        elif r.non_trainable == 0:
            state = "trainable"
        else:
            state = "partly"
        out.append((r.name, state, r.total))
    return out


def plot_trainable(model, ax=None, *, title: str | None = None, label_every: int = 0):
    """Draw ``model``'s layers as a strip of boxes coloured by what trains; return the axes.

    Each layer is one box, left (input) to right (output); its height grows with the
    logarithm of its weight count. ``label_every`` > 0 writes every k-th layer's name.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    states = layer_states(model)
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 1.8))
    for i, (name, state, weights) in enumerate(states):
        h = 0.25 + 0.75 * math.log10(1 + weights) / 7
        ax.add_patch(Rectangle((i + 0.05, 0), 0.9, h, color=TRAINABLE_COLOURS[state]))
        if label_every and i % label_every == 0:
            ax.text(i + 0.5, -0.05, name, rotation=60, ha="right", va="top", fontsize=7)
    ax.set_xlim(0, max(1, len(states)))
    ax.set_ylim(-0.02 if not label_every else -0.6, 1.05)
    ax.set_yticks([])
    ax.set_xlabel(f"{len(states)} layers, input → output")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    t, nt = count_trainable(model)
    ax.set_title(title or f"{model.name}: {t:,} trainable / {nt:,} frozen weights", fontsize=10)
    used = {s for _, s, _ in states}
    ax.legend(handles=[Patch(color=c, label=k) for k, c in TRAINABLE_COLOURS.items() if k in used],
              loc="upper left", fontsize=8, frameon=False, ncol=4)  # fmt: skip
    return ax
