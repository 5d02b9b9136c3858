"""Faces (chapter 21): LittleVGG for expressions, an age/gender two-head model, siamese networks.

* **Detection helpers.** :func:`lfw_for_detection` enlarges scikit-image's 25×25 LFW crops so
  that the detectors of :mod:`helpers.classic_detection` (Haar, MTCNN) can run on them;
  :func:`hit_rates` counts how many face / non-face crops got at least one box;
  :func:`draw_faces` draws boxes, scores and MTCNN's five landmarks on a photo;
  :func:`scale_boxes` grows boxes about their centres (and clips them to the image).
* **Expression recognition.** :func:`little_vgg` is the seed's LittleVGG (9 weight layers:
  3×3 convolutions 64-64, 128-128, 256-256 with max pooling, then dense 256, 256 and the
  classes, batch normalization and dropout) with the expression recipe's ELU activations and He
  normal initialisation; :func:`load_fer2013` reads FER2013 (Kaggle) when a learner has put it
  in the cache (:data:`FER2013_HELP` says how).
* **Age and gender.** :func:`age_gender_model` is one shared convolutional trunk with two heads
  (age: regression or age-group softmax; gender: one sigmoid) and :func:`compile_age_gender`
  gives each head its own loss and weight; :func:`total_loss` is the weighted sum Keras
  minimises.
* **Verification with siamese networks.** :func:`contrastive_loss_np` / :func:`triplet_loss_np`
  (NumPy references) and :func:`contrastive_loss` / :func:`triplet_loss` (``keras.ops``, usable
  as Keras losses through :func:`contrastive_loss_fn`); :func:`make_pairs` /
  :func:`make_triplets` draw index pairs / triplets from labels (seeded);
  :func:`embedding_net` + :func:`siamese_model` (one network, shared weights, the Euclidean
  distance of the two embeddings); :func:`embed` and :func:`pair_distances`;
  :func:`verification_roc` (ROC of the distance threshold with ``sklearn.metrics``),
  :func:`best_threshold` and :func:`threshold_at_fpr` (chosen on validation pairs),
  :func:`verification_accuracy`, :func:`one_shot_predict` (nearest support example);
  :func:`draw_siamese` draws the idea.

Example:
    >>> float(contrastive_loss_np([1, 0], [0.5, 0.25], margin=1.0))
    0.40625
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
from keras import ops

__all__ = [
    "FER2013_EMOTIONS",
    "FER2013_HELP",
    "lfw_for_detection",
    "hit_rates",
    "scale_boxes",
    "draw_faces",
    "little_vgg",
    "fer2013_path",
    "load_fer2013",
    "age_gender_model",
    "compile_age_gender",
    "total_loss",
    "contrastive_loss_np",
    "triplet_loss_np",
    "contrastive_loss",
    "triplet_loss",
    "contrastive_loss_fn",
    "make_pairs",
    "make_triplets",
    "embedding_net",
    "EuclideanDistance",
    "siamese_model",
    "embed",
    "pair_distances",
    "VerificationROC",
    "verification_roc",
    "best_threshold",
    "threshold_at_fpr",
    "verification_accuracy",
    "one_shot_predict",
    "draw_siamese",
]

#: FER2013's seven expressions, in the order of its ``emotion`` column (0–6).
FER2013_EMOTIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


# ------------------------------------------------------------------------------- detection
def lfw_for_detection(crops: Any, *, scale: int = 4, pad: int = 20) -> np.ndarray:
    """LFW crops (n, 25, 25) floats in [0, 1] → (n, H, W, 3) uint8 RGB the detectors accept.

    Each crop is enlarged ``scale`` times (bicubic) and its border repeated ``pad`` pixels on
    every side: the crops are cut tight around the face, and both Haar and MTCNN look for a
    little context (and for faces of at least ~20–24 pixels).
    """
    import cv2

    x = np.asarray(crops)
    if x.ndim == 2:
        x = x[None]
    if x.ndim != 3 or x.size == 0:
        raise ValueError(f"expected crops of shape (n, h, w), got {x.shape}")
    if not isinstance(scale, int) or scale < 1 or not isinstance(pad, int) or pad < 0:
        raise ValueError("scale must be a positive whole number and pad >= 0")
    x8 = x if x.dtype == np.uint8 else np.clip(np.round(x * 255.0), 0, 255).astype(np.uint8)
    out = []
    for im in x8:
        big = cv2.resize(im, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        big = cv2.copyMakeBorder(big, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        out.append(np.repeat(big[..., None], 3, axis=2))
    return np.stack(out)


def hit_rates(found: Any, is_face: Any) -> tuple[float, float]:
    """``(face hit rate, non-face false-alarm rate)``: the share of face crops in which a
    detector found something, and the share of non-face crops in which it did (wrongly).

    ``found``: how many boxes per crop (or True/False); ``is_face``: True for face crops.
    """
    f = np.asarray(found).astype(float).reshape(-1) > 0
    y = np.asarray(is_face).astype(bool).reshape(-1)
    if f.shape != y.shape or not y.any() or y.all():
        raise ValueError("found and is_face need the same length, with faces and non-faces")
    return float(f[y].mean()), float(f[~y].mean())


def scale_boxes(boxes: Any, factor: float, image_shape: Sequence[int] | None = None) -> np.ndarray:
    """Grow (factor > 1) or shrink corner-format ``xyxy`` boxes about their centres; with
    ``image_shape`` (H, W, …) clip them to the image. Returns float (k, 4)."""
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if not factor > 0:
        raise ValueError(f"factor must be positive, got {factor!r}")
    c = (b[:, :2] + b[:, 2:]) / 2
    half = (b[:, 2:] - b[:, :2]) / 2 * factor
    out = np.concatenate([c - half, c + half], axis=1)
    if image_shape is not None:
        h, w = image_shape[:2]
        out[:, [0, 2]] = out[:, [0, 2]].clip(0, w)
        out[:, [1, 3]] = out[:, [1, 3]].clip(0, h)
    return out


def draw_faces(ax, image: Any, detections: Any, *, title: str | None = None, color: str = "lime"):
    """Show ``image`` with a :class:`helpers.classic_detection.Detections`: boxes with their
    scores and, when the detector gives them (MTCNN), the five landmarks. Returns ``ax``."""
    from . import viz
    from .classic_detection import LANDMARK_NAMES

    ax.imshow(image, cmap="gray" if np.ndim(image) == 2 else None)
    if len(detections):
        viz.draw_boxes(ax, detections.boxes, scores=detections.scores, color=color)
    marks = getattr(detections, "landmarks", None)
    if marks is not None and len(marks):
        colours = ("red", "orange", "yellow", "cyan", "magenta")
        for j, name in enumerate(LANDMARK_NAMES):
            ax.scatter(marks[:, j, 0], marks[:, j, 1], s=18, color=colours[j],
                       edgecolors="black", linewidths=0.5, label=name.replace("_", " "),
                       zorder=3)  # fmt: skip
    ax.set_title(title or f"{detections.method}: {len(detections)} face(s)")
    ax.axis("off")
    return ax


# ------------------------------------------------------------------------- LittleVGG, FER2013
def little_vgg(
    input_shape: Sequence[int] = (48, 48, 1),
    num_classes: int = 7,
    *,
    activation: str = "elu",
    kernel_initializer: str = "he_normal",
    batch_norm: bool = True,
    dropout: tuple[float, float] = (0.2, 0.5),
    name: str = "little_vgg",
):
    """The seed's LittleVGG ("VGG9"): three blocks of two 3×3 'same' convolutions (64, 128,
    256 filters), each block ending in 2×2 max pooling; then dense 256, dense 256 and a softmax
    over ``num_classes``. Every hidden layer is followed by batch normalization (if
    ``batch_norm``); dropout ``dropout[0]`` after each block, ``dropout[1]`` after each hidden
    dense layer. The expression recipe uses ELU and He normal (the defaults here); pass
    ``activation="relu", kernel_initializer="glorot_uniform"`` for Keras' usual choices.

    With a 32×32×3 input and 20 classes (the seed's Simpsons model) it has 2,270,804 weights.
    """
    from keras import layers

    shape = tuple(int(v) for v in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape!r}")
    if shape[0] < 8 or shape[1] < 8:
        raise ValueError("LittleVGG pools three times: the input needs at least 8×8 pixels")
    if not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes must be a whole number >= 2, got {num_classes!r}")

    def settle(x, prefix):
        x = layers.Activation(activation, name=f"{prefix}_{activation}")(x)
        return layers.BatchNormalization(name=f"{prefix}_bn")(x) if batch_norm else x

    inputs = keras.Input(shape, name="image")
    x = inputs
    for block, filters in enumerate((64, 128, 256), start=1):
        for i in (1, 2):
            x = layers.Conv2D(filters, 3, padding="same", kernel_initializer=kernel_initializer,
                              name=f"block{block}_conv{i}")(x)  # fmt: skip
            x = settle(x, f"block{block}_conv{i}")
        x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
        x = layers.Dropout(dropout[0], name=f"block{block}_drop")(x)
    x = layers.Flatten(name="flatten")(x)
    for i in (1, 2):
        x = layers.Dense(256, kernel_initializer=kernel_initializer, name=f"fc{i}")(x)
        x = settle(x, f"fc{i}")
        x = layers.Dropout(dropout[1], name=f"fc{i}_drop")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name=name)


FER2013_HELP = """FER2013 is on Kaggle (an account is needed; the licence allows research use):
  https://www.kaggle.com/c/challenges-in-representation-learning-facial-expression-recognition-challenge/data
  (fer2013.tar.gz holds fer2013/fer2013.csv: emotion, pixels, Usage), or the folder version
  https://www.kaggle.com/datasets/msambare/fer2013 (train/<emotion>/*.png, test/<emotion>/*.png).
Put fer2013.csv, or the train/ and test/ folders, into
  {folder}
(or set COURSE_FER2013 to the file or folder) and re-run the chapter."""


def fer2013_path() -> Path | None:
    """Where FER2013 is, if a learner put it there: ``$COURSE_FER2013`` (the CSV file or the
    folder), else ``<data cache>/fer2013/fer2013.csv`` or that folder with ``train/``."""
    import os

    from . import config

    candidates = []
    if os.environ.get("COURSE_FER2013"):
        candidates.append(Path(os.environ["COURSE_FER2013"]).expanduser())
    folder = config.data_dir() / "fer2013"
    candidates += [folder / "fer2013.csv", folder / "fer2013" / "fer2013.csv", folder]
    for c in candidates:
        if c.is_file() and c.suffix == ".csv":
            return c
        if c.is_dir() and (c / "train").is_dir():
            return c
    return None


def _read_fer_csv(path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    usage_to_split = {"Training": "train", "PublicTest": "val", "PrivateTest": "test"}
    xs: dict[str, list] = {s: [] for s in usage_to_split.values()}
    ys: dict[str, list] = {s: [] for s in usage_to_split.values()}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            split = usage_to_split.get(row.get("Usage", "Training"), "train")
            pixels = np.array(row["pixels"].split(), dtype=np.uint8)
            if pixels.size != 48 * 48:
                raise ValueError(f"{path}: a row with {pixels.size} pixels (48×48 expected)")
            xs[split].append(pixels.reshape(48, 48))
            ys[split].append(int(row["emotion"]))
    return {s: (np.stack(xs[s]) if xs[s] else np.zeros((0, 48, 48), np.uint8),
                np.array(ys[s], dtype=np.int64)) for s in xs}  # fmt: skip


def _read_fer_folder(folder: Path, seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from PIL import Image

    def read(split_dir: Path):
        xs, ys = [], []
        for label, name in enumerate(FER2013_EMOTIONS):
            for f in sorted((split_dir / name).glob("*.*")):
                xs.append(np.asarray(Image.open(f).convert("L").resize((48, 48))))
                ys.append(label)
        return np.stack(xs), np.array(ys, dtype=np.int64)

    x, y = read(folder / "train")
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = len(x) // 8  # a validation split carved from train (the folder version has none)
    val, train = order[:n_val], order[n_val:]
    return {"train": (x[train], y[train]), "val": (x[val], y[val]), "test": read(folder / "test")}


def load_fer2013(path: str | Path | None = None, *, seed: int = 0):
    """FER2013 as ``{"train": (x, y), "val": (x, y), "test": (x, y)}``: x uint8 (n, 48, 48),
    y int 0–6 (:data:`FER2013_EMOTIONS`). From the Kaggle CSV, its ``Usage`` column gives the
    splits (Training 28,709 / PublicTest 3,589 / PrivateTest 3,589); from the folder version a
    seeded eighth of train becomes the validation split.

    Raises:
        FileNotFoundError: FER2013 is not there; the message says how to get it.
    """
    from . import config

    p = Path(path).expanduser() if path is not None else fer2013_path()
    if p is None or not p.exists():
        raise FileNotFoundError(FER2013_HELP.format(folder=config.data_dir() / "fer2013"))
    return _read_fer_csv(p) if p.is_file() else _read_fer_folder(p, seed)


# -------------------------------------------------------------------------- age and gender
def age_gender_model(
    input_shape: Sequence[int] = (64, 64, 3),
    *,
    age_groups: int | None = None,
    filters: Sequence[int] = (32, 64, 128),
    head_units: int = 64,
    name: str = "age_gender",
):
    """One shared convolutional trunk, two heads.

    The trunk: per entry of ``filters`` a 3×3 convolution (ReLU, batch norm) and 2×2 max
    pooling, then global average pooling. Head ``"age"``: dense ``head_units`` then either one
    linear unit (years, a regression; ``age_groups=None``) or a softmax over ``age_groups``
    classes. Head ``"gender"``: dense ``head_units`` then one sigmoid (probability of one of
    the two labels). The outputs are named ``"age"`` and ``"gender"``, so losses, weights and
    metrics can be given per head by name (:func:`compile_age_gender`).
    """
    from keras import layers

    if age_groups is not None and (not isinstance(age_groups, int) or age_groups < 2):
        raise ValueError(f"age_groups must be None (regression) or >= 2, got {age_groups!r}")
    inputs = keras.Input(tuple(int(v) for v in input_shape), name="face")
    x = inputs
    for i, f in enumerate(filters, start=1):
        x = layers.Conv2D(int(f), 3, padding="same", activation="relu", name=f"trunk_conv{i}")(x)
        x = layers.BatchNormalization(name=f"trunk_bn{i}")(x)
        x = layers.MaxPooling2D(2, name=f"trunk_pool{i}")(x)
    shared = layers.GlobalAveragePooling2D(name="shared_features")(x)
    a = layers.Dense(head_units, activation="relu", name="age_hidden")(shared)
    if age_groups is None:
        age = layers.Dense(1, name="age")(a)
    else:
        age = layers.Dense(age_groups, activation="softmax", name="age")(a)
    g = layers.Dense(head_units, activation="relu", name="gender_hidden")(shared)
    gender = layers.Dense(1, activation="sigmoid", name="gender")(g)
    return keras.Model(inputs, {"age": age, "gender": gender}, name=name)


def compile_age_gender(model, *, age_weight: float = 1.0, gender_weight: float = 1.0, lr=1e-3):
    """Compile :func:`age_gender_model` with one loss per head — mean absolute error (years)
    or sparse categorical cross-entropy (age groups), binary cross-entropy (gender) — and
    ``loss_weights``: Keras minimises ``age_weight·L_age + gender_weight·L_gender``."""
    groups = model.get_layer("age").units > 1
    model.compile(
        optimizer=keras.optimizers.Adam(lr),
        loss={"age": "sparse_categorical_crossentropy" if groups else "mae",
              "gender": "binary_crossentropy"},
        loss_weights={"age": float(age_weight), "gender": float(gender_weight)},
        metrics={"age": ["accuracy"] if groups else ["mae"], "gender": ["accuracy"]},
    )  # fmt: skip
    return model


def total_loss(losses: dict[str, float], weights: dict[str, float]) -> float:
    """The weighted sum of per-head losses that a multi-output model minimises; a head
    without a weight counts once (Keras' default weight is 1)."""
    unknown = set(weights) - set(losses)
    if unknown:
        raise ValueError(f"weights for heads without a loss: {sorted(unknown)}")
    return float(sum(float(v) * float(weights.get(k, 1.0)) for k, v in losses.items()))


# ------------------------------------------------------------------------------ the losses
def _check_margin(margin: float) -> float:
    if not np.isfinite(margin) or margin < 0:
        raise ValueError(f"margin must be a finite number >= 0, got {margin!r}")
    return float(margin)


def contrastive_loss_np(y_same: Any, distance: Any, margin: float = 1.0) -> float:
    """Mean contrastive loss (Hadsell, Chopra and LeCun, 2006) of pairs:
    ``y·d² + (1 − y)·max(margin − d, 0)²`` with y = 1 for a same-identity pair: similar
    pairs are pulled together, different ones pushed at least ``margin`` apart."""
    y = np.asarray(y_same, dtype=np.float64).reshape(-1)
    d = np.asarray(distance, dtype=np.float64).reshape(-1)
    if y.shape != d.shape or y.size == 0:
        raise ValueError(
            f"y_same and distance need the same, non-zero length: {y.shape}, {d.shape}"
        )
    if np.any(d < 0):
        raise ValueError("distances cannot be negative")
    m = _check_margin(margin)
    return float(np.mean(y * d**2 + (1 - y) * np.maximum(m - d, 0.0) ** 2))


def triplet_loss_np(anchor: Any, positive: Any, negative: Any, margin: float = 0.2) -> float:
    """Mean triplet loss (FaceNet, Schroff et al., 2015) of a batch of embeddings (n, dim):
    ``max(‖a − p‖² − ‖a − n‖² + margin, 0)``: the anchor must be closer to the positive
    (same identity) than to the negative by at least ``margin`` (squared distances)."""
    a, p, n = (np.asarray(v, dtype=np.float64) for v in (anchor, positive, negative))
    if a.ndim == 1:
        a, p, n = a[None], p[None], n[None]
    if not (a.shape == p.shape == n.shape) or a.ndim != 2 or a.shape[0] == 0:
        raise ValueError(f"anchor, positive, negative must be (n, dim) alike: "
                         f"{a.shape}, {p.shape}, {n.shape}")  # fmt: skip
    m = _check_margin(margin)
    d_pos = np.sum((a - p) ** 2, axis=1)
    d_neg = np.sum((a - n) ** 2, axis=1)
    return float(np.mean(np.maximum(d_pos - d_neg + m, 0.0)))


def contrastive_loss(y_same, distance, margin: float = 1.0):
    """:func:`contrastive_loss_np` with ``keras.ops`` (differentiable; a scalar tensor)."""
    y = ops.cast(ops.reshape(y_same, (-1,)), "float32")
    d = ops.cast(ops.reshape(distance, (-1,)), "float32")
    m = _check_margin(margin)
    return ops.mean(y * ops.square(d) + (1.0 - y) * ops.square(ops.maximum(m - d, 0.0)))


def triplet_loss(anchor, positive, negative, margin: float = 0.2):
    """:func:`triplet_loss_np` with ``keras.ops`` (differentiable; a scalar tensor)."""
    m = _check_margin(margin)
    d_pos = ops.sum(ops.square(anchor - positive), axis=-1)
    d_neg = ops.sum(ops.square(anchor - negative), axis=-1)
    return ops.mean(ops.maximum(d_pos - d_neg + m, 0.0))


def contrastive_loss_fn(margin: float = 1.0):
    """A Keras loss ``fn(y_true, y_pred)`` for :func:`siamese_model`: y_true = 1 for same-class
    pairs, y_pred = the model's distances."""
    m = _check_margin(margin)

    def contrastive(y_true, y_pred):
        return contrastive_loss(y_true, y_pred, m)

    return contrastive


# --------------------------------------------------------------------- pairs and triplets
def _label_index(labels: Any) -> tuple[np.ndarray, dict[Any, np.ndarray]]:
    y = np.asarray(labels).reshape(-1)
    classes = np.unique(y)
    if classes.size < 2:
        raise ValueError("pairs and triplets need at least two classes")
    by_class = {c: np.flatnonzero(y == c) for c in classes}
    if any(len(v) < 2 for v in by_class.values()):
        raise ValueError("every class needs at least two examples")
    return classes, by_class


def make_pairs(labels: Any, n_pairs: int, *, seed: int = 0, same_fraction: float = 0.5):
    """Draw ``n_pairs`` index pairs (i, j), i ≠ j, from ``labels``: a share ``same_fraction``
    of the same class (class chosen uniformly), the rest of two different classes.

    Returns ``(i, j, same)``: two int arrays and a float32 array of 1 (same) / 0 (different),
    shuffled. Seeded: the same call gives the same pairs.
    """
    if not isinstance(n_pairs, int | np.integer) or n_pairs < 1:
        raise ValueError(f"n_pairs must be a positive whole number, got {n_pairs!r}")
    if not 0.0 <= same_fraction <= 1.0:
        raise ValueError(f"same_fraction must be in [0, 1], got {same_fraction!r}")
    classes, by_class = _label_index(labels)
    rng = np.random.default_rng(seed)
    n_same = int(round(n_pairs * same_fraction))
    i, j = np.empty(n_pairs, np.int64), np.empty(n_pairs, np.int64)
    for k in range(n_pairs):
        if k < n_same:
            members = by_class[classes[rng.integers(len(classes))]]
            a, b = rng.choice(len(members), size=2, replace=False)
            i[k], j[k] = members[a], members[b]
        else:
            ca, cb = rng.choice(len(classes), size=2, replace=False)
            i[k] = rng.choice(by_class[classes[ca]])
            j[k] = rng.choice(by_class[classes[cb]])
    same = (np.arange(n_pairs) < n_same).astype(np.float32)
    order = rng.permutation(n_pairs)
    return i[order], j[order], same[order]


def make_triplets(labels: Any, n: int, *, seed: int = 0):
    """Draw ``n`` triplets of indices (anchor, positive, negative): positive of the anchor's
    class (not the anchor itself), negative of another class. Seeded."""
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive whole number, got {n!r}")
    classes, by_class = _label_index(labels)
    rng = np.random.default_rng(seed)
    out = np.empty((3, n), np.int64)
    for k in range(n):
        ca, cn = rng.choice(len(classes), size=2, replace=False)
        members = by_class[classes[ca]]
        a, p = rng.choice(len(members), size=2, replace=False)
        out[:, k] = members[a], members[p], rng.choice(by_class[classes[cn]])
    return out[0], out[1], out[2]


# --------------------------------------------------------------------- networks
def embedding_net(input_shape: Sequence[int] = (28, 28, 1), dim: int = 32, *, name="embedding"):
    """A small CNN that maps an image to a ``dim``-vector of unit length (L2-normalised, so
    that distances lie in [0, 2]): 3×3 convolutions 32 and 64 with max pooling, a 3×3
    convolution 128, global average pooling, dense ``dim``."""
    from keras import layers

    inputs = keras.Input(tuple(int(v) for v in input_shape), name="image")
    x = layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Conv2D(128, 3, padding="same", activation="relu", name="conv3")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dense(int(dim), name="project")(x)
    outputs = layers.UnitNormalization(name="l2_normalise")(x)
    return keras.Model(inputs, outputs, name=name)


@keras.saving.register_keras_serializable(package="course_faces")
class EuclideanDistance(keras.layers.Layer):
    """``EuclideanDistance()(a, b)`` → ``‖a − b‖`` per row, shape (batch,) (kept ≥ 1e-6 so
    that its gradient exists at 0)."""

    def call(self, a, b):
        return ops.sqrt(ops.maximum(ops.sum(ops.square(a - b), axis=-1), 1e-12))


def siamese_model(embedder, *, name: str = "siamese"):
    """Two inputs, **one** embedding network (the same weights for both), and the Euclidean
    distance of the two embeddings as the output (batch,)."""
    shape = tuple(embedder.input_shape[1:])
    a = keras.Input(shape, name="image_a")
    b = keras.Input(shape, name="image_b")
    d = EuclideanDistance(name="distance")(embedder(a), embedder(b))
    return keras.Model([a, b], d, name=name)


def embed(embedder, x: Any, *, batch_size: int = 256) -> np.ndarray:
    """Embeddings (n, dim) of images x (n, H, W, C) as a NumPy array."""
    return np.asarray(embedder.predict(np.asarray(x), batch_size=batch_size, verbose=0))


def pair_distances(emb: np.ndarray, i: Any, j: Any) -> np.ndarray:
    """Euclidean distances between rows ``i`` and ``j`` of an embedding matrix."""
    e = np.asarray(emb, dtype=np.float64)
    return np.linalg.norm(e[np.asarray(i)] - e[np.asarray(j)], axis=1)


# --------------------------------------------------------------------- verification
@dataclass
class VerificationROC:
    """The ROC of "same if distance ≤ threshold": false- and true-positive rates per
    threshold (distance units, decreasing strictness), and the area under the curve."""

    fpr: np.ndarray
    tpr: np.ndarray
    thresholds: np.ndarray
    auc: float


def _pairs_check(distances: Any, same: Any) -> tuple[np.ndarray, np.ndarray]:
    d = np.asarray(distances, dtype=np.float64).reshape(-1)
    s = np.asarray(same).reshape(-1)
    if d.shape != s.shape or d.size == 0:
        raise ValueError(f"distances and same need the same, non-zero length: {d.shape}, {s.shape}")
    s = s.astype(bool)
    if s.all() or not s.any():
        raise ValueError("a ROC needs both same and different pairs")
    return d, s


def verification_roc(distances: Any, same: Any) -> VerificationROC:
    """ROC of the distance threshold: a pair is called "same" when its distance is at most the
    threshold. ``sklearn.metrics.roc_curve`` on the score −distance; thresholds back in
    distance units; ``auc`` = ``sklearn.metrics.auc`` (the chance that a random same pair is
    closer than a random different pair)."""
    from sklearn.metrics import auc, roc_curve

    d, s = _pairs_check(distances, same)
    fpr, tpr, thr = roc_curve(s, -d)
    return VerificationROC(fpr, tpr, -thr, float(auc(fpr, tpr)))


def verification_accuracy(distances: Any, same: Any, threshold: float) -> float:
    """Share of pairs classified right by "same if distance ≤ threshold"."""
    d, s = _pairs_check(distances, same)
    return float(np.mean((d <= threshold) == s))


def best_threshold(distances: Any, same: Any) -> tuple[float, float]:
    """The threshold with the highest accuracy on these (validation) pairs, and that accuracy.
    Candidates are the midpoints between consecutive sorted distances (and both ends), so the
    threshold does not sit on a validation pair."""
    d, s = _pairs_check(distances, same)
    u = np.unique(d)
    candidates = np.concatenate([[u[0] - 1e-9], (u[1:] + u[:-1]) / 2, [u[-1] + 1e-9]])
    acc = np.array([np.mean((d <= t) == s) for t in candidates])
    k = int(np.argmax(acc))
    return float(candidates[k]), float(acc[k])


def threshold_at_fpr(distances: Any, same: Any, max_fpr: float) -> float:
    """The largest threshold whose false-positive rate (different pairs called same) on these
    pairs is at most ``max_fpr``."""
    if not 0.0 <= max_fpr <= 1.0:
        raise ValueError(f"max_fpr must be in [0, 1], got {max_fpr!r}")
    d, s = _pairs_check(distances, same)
    neg = np.sort(d[~s])
    k = int(np.floor(max_fpr * len(neg) + 1e-9))  # this many different pairs may fall below
    if k >= len(neg):
        return float(neg[-1])
    return float(np.nextafter(neg[k], -np.inf))  # just below the (k+1)-th closest different pair


def one_shot_predict(support: Any, support_labels: Any, queries: Any) -> np.ndarray:
    """One-shot classification: each query embedding takes the label of the nearest support
    embedding (one — or a few — labelled examples per class, never trained on)."""
    s = np.asarray(support, dtype=np.float64)
    q = np.asarray(queries, dtype=np.float64)
    lab = np.asarray(support_labels).reshape(-1)
    if s.ndim != 2 or q.ndim != 2 or s.shape[1] != q.shape[1] or len(lab) != len(s):
        raise ValueError("support (k, dim), support_labels (k,), queries (n, dim) expected")
    d2 = (q**2).sum(1)[:, None] - 2 * q @ s.T + (s**2).sum(1)[None, :]
    return lab[np.argmin(d2, axis=1)]


# --------------------------------------------------------------------- diagram
def draw_siamese(ax=None, *, images: Sequence[Any] | None = None, title: str | None = None):
    """Draw the siamese idea: two images → the same embedding network (shared weights) →
    two vectors → their distance → "same" below a threshold, "different" above. ``images``:
    two optional images shown as the inputs. Returns the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    if ax is None:
        fig, ax = plt.subplots(figsize=(11, 3.6))
    else:
        fig = ax.figure
    ax.set_xlim(0, 11)
    ax.set_ylim(0, 4)
    ax.axis("off")

    def box(x, y, w, h, text, colour, gid):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05", fc=colour,
                                    ec="black", lw=1, gid=gid))  # fmt: skip
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=10)

    def arrow(p, q, **kw):
        ax.add_patch(FancyArrowPatch(p, q, arrowstyle="-|>", mutation_scale=12, lw=1.2, **kw))

    for row, y in enumerate((2.7, 0.5)):
        name = "image A" if row == 0 else "image B"
        if images is not None:
            ax.imshow(np.asarray(images[row]), cmap="gray", extent=(0.1, 1.1, y, y + 1.0))
        else:
            box(0.1, y, 1.0, 1.0, name, "#eeeeee", f"input_{row}")
        ax.text(0.6, y - 0.15, name, ha="center", va="top", fontsize=9)
        box(1.8, y, 2.2, 1.0, "embedding CNN\nf(x)", "#cfe2f3", f"cnn_{row}")
        arrow((1.15, y + 0.5), (1.75, y + 0.5))
        box(4.7, y + 0.15, 1.4, 0.7, "f(A)" if row == 0 else "f(B)", "#d9ead3", f"emb_{row}")
        arrow((4.05, y + 0.5), (4.65, y + 0.5))
        arrow((6.15, y + 0.5), (6.85, 2.05 if row == 0 else 1.75))
    ax.annotate("", xy=(2.9, 2.65), xytext=(2.9, 1.55),
                arrowprops={"arrowstyle": "<->", "ls": "--", "color": "#cc0000"})  # fmt: skip
    ax.text(3.0, 2.1, "shared\nweights", color="#cc0000", fontsize=9, va="center")
    box(6.9, 1.4, 2.0, 1.0, "distance\nd = ‖f(A) − f(B)‖", "#fff2cc", "distance")
    arrow((8.95, 1.9), (9.3, 1.9))
    ax.text(9.35, 2.25, "d ≤ t: same", fontsize=10, va="center", color="#38761d")
    ax.text(9.35, 1.55, "d > t: different", fontsize=10, va="center", color="#990000")
    ax.set_title(title or "A siamese network: one CNN applied twice, then a distance")
    return fig
