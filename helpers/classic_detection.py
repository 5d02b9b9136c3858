"""Detection before deep detectors (chapter 18): windows, pyramids, HOG + SVM, Haar, MTCNN, FCNs.

Everything a sliding-window detector is made of, small enough to read:

* **Where to look.** :func:`image_pyramid` shrinks an image step by step (so that a fixed-size
  window meets large objects at a small level); :func:`sliding_windows` cuts every window out of
  one level; :func:`window_count` and :func:`pyramid_window_count` are the formulas for how many
  windows that makes (the cost of the approach).
* **What to compute per window.** :func:`hog_features` wraps ``skimage.feature.hog`` (cells of
  8×8 pixels, 9 orientation bins over 0–180°, blocks of 2×2 cells, L2-Hys normalisation);
  :func:`hog_length` is its length formula.
* **A face detector you train.** :func:`face_training_data` + :func:`train_face_svm` fit a
  linear SVM on scikit-image's LFW face / non-face crops plus random patches of scikit-image's
  non-face photos, with a validation split and hard-negative mining (two rounds);
  :func:`detect_faces_hog` slides it over a pyramid and keeps the best boxes with
  :func:`helpers.boxes.nms`.
* **Two ready-made detectors.** :func:`detect_faces_haar` (OpenCV's Viola–Jones cascade) and
  :func:`detect_faces_mtcnn` (the pretrained MTCNN of the ``mtcnn`` package, with 5 landmarks).
  All three return a :class:`Detections` with boxes in the corner format ``xyxy`` of
  :mod:`helpers.boxes` and the time the call took.
* **A classifier that slides itself.** :func:`to_fully_convolutional` turns a small
  Flatten/Dense classifier into a network of convolutions only, which runs on an image of any
  size and returns a grid of class scores, one per window; :func:`fcn_geometry` gives the
  window and the stride of that grid, :func:`grid_boxes` the window of each cell and
  :func:`grid_to_detections` the raw (before NMS) detections it makes;
  :func:`window_training_set` cuts the window-sized digit / background crops it is trained on.

Why the LFW crops are resized: they are 25×25 pixels, which 8×8 cells do not tile. They are
resized to ``size`` = 32 (4×4 cells, 3×3 blocks, 324 numbers), the smallest multiple of 8 above
25, so that almost nothing is invented by interpolation. 48×48 (900 numbers) validated about as
well on the small validation split (a crop or two either way), triples the descriptor for 150
training faces, cannot find faces smaller than 48 pixels and ranked the astronaut's face lower.
The detector's window is then 32×32 pixels at each pyramid level.

Example:
    >>> window_count((512, 512), 32, 8)
    3721
    >>> hog_length(64, 128)  # Dalal and Triggs' 64×128 pedestrian window
    3780
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import boxes as bx
from .layer_kinds import keras_kind

__all__ = [
    "NEGATIVE_PHOTOS",
    "LANDMARK_NAMES",
    "PyramidLevel",
    "Windows",
    "Detections",
    "FaceSVM",
    "pyramid_shapes",
    "image_pyramid",
    "window_count",
    "pyramid_window_count",
    "sliding_windows",
    "to_gray",
    "hog_length",
    "hog_features",
    "face_training_data",
    "train_face_svm",
    "score_windows",
    "detect_faces_hog",
    "detect_faces_haar",
    "detect_faces_mtcnn",
    "time_per_image",
    "fcn_geometry",
    "to_fully_convolutional",
    "grid_boxes",
    "grid_to_detections",
    "square_boxes",
    "window_training_set",
]

#: scikit-image photos without a human face, used for negative patches and hard negatives
#: (``camera`` shows a person and ``astronaut`` is the test photo: both are left out).
NEGATIVE_PHOTOS = (
    "coffee",
    "chelsea",
    "rocket",
    "horse",
    "coins",
    "hubble_deep_field",
    "brick",
    "grass",
    "gravel",
    "moon",
    "page",
    "text",
    "immunohistochemistry",
    "cell",
    "clock",
    "checkerboard",
)

#: The negative photos are shrunk to this many pixels on their long side (faster mining).
NEGATIVE_MAX_SIDE = 320

#: The order of MTCNN's five landmarks in :attr:`Detections.landmarks`.
LANDMARK_NAMES = ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")


# ----------------------------------------------------------------------------- small checks
def _pair(value: Any, name: str) -> tuple[int, int]:
    """``7`` → ``(7, 7)``; ``(h, w)`` stays; both must be positive whole numbers."""
    items = (value, value) if np.ndim(value) == 0 else tuple(value)
    if len(items) != 2:
        raise ValueError(f"{name} must be a number or a (height, width) pair, got {value!r}")
    out = []
    for v in items:
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
            raise ValueError(f"{name} must hold positive whole numbers, got {value!r}")
        out.append(int(v))
    return out[0], out[1]


def _image(image: Any, name: str = "image") -> np.ndarray:
    arr = np.asarray(image)
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (1, 3, 4)):
        raise ValueError(f"{name} must be (H, W) gray or (H, W, 3) colour, got shape {arr.shape}")
    if arr.dtype.kind not in "buif" or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty array of numbers, got dtype {arr.dtype}")
    return arr


def to_gray(image: Any) -> np.ndarray:
    """An image as float64 gray in [0, 1]: uint8 is divided by 255, colour uses BT.601 luma."""
    arr = _image(image)
    x = arr.astype(np.float64)
    if arr.dtype == np.uint8 or x.max(initial=0.0) > 1.0:
        x = x / 255.0
    if x.ndim == 3:
        x = x[..., :3] @ np.array([0.299, 0.587, 0.114]) if x.shape[2] >= 3 else x[..., 0]
    return x


# ------------------------------------------------------------------------ pyramid, windows
@dataclass
class PyramidLevel:
    """One level of :func:`image_pyramid`.

    Attributes:
        image: the level (the input image resized).
        factor: original pixels per level pixel: multiply a box found on the level by it to get
            the box in the original image (level 0 has factor 1).
    """

    image: np.ndarray
    factor: float

    @property
    def shape(self) -> tuple[int, int]:
        return self.image.shape[:2]


def pyramid_shapes(
    shape: Sequence[int], scale: float = 1.25, min_size: Any = 32, max_levels: int | None = None
) -> list[tuple[int, int]]:
    """The (height, width) of each pyramid level: level k is the image divided by ``scale**k``
    (rounded), for as long as both sides are at least ``min_size``.

    >>> pyramid_shapes((100, 80), scale=2, min_size=20)
    [(100, 80), (50, 40), (25, 20)]
    """
    h, w = _pair(tuple(shape)[:2], "shape")
    mh, mw = _pair(min_size, "min_size")
    if not np.isfinite(scale) or scale <= 1.0:
        raise ValueError(f"scale must be a number > 1 (each level smaller), got {scale!r}")
    if max_levels is not None and (not isinstance(max_levels, int) or max_levels < 1):
        raise ValueError(f"max_levels must be a positive whole number or None, got {max_levels!r}")
    if h < mh or w < mw:
        raise ValueError(f"the image ({h}×{w}) is smaller than min_size ({mh}×{mw})")
    shapes, k = [], 0
    while max_levels is None or k < max_levels:
        f = scale**k
        sh, sw = int(round(h / f)), int(round(w / f))
        if sh < mh or sw < mw:
            break
        shapes.append((sh, sw))
        k += 1
    return shapes


def image_pyramid(
    image: Any, scale: float = 1.25, min_size: Any = 32, max_levels: int | None = None
) -> list[PyramidLevel]:
    """The image, then smaller and smaller copies (each ``scale`` times smaller), down to
    ``min_size`` (usually the detector's window): a list of :class:`PyramidLevel`.

    Resizing averages the pixels each level pixel covers (OpenCV's ``INTER_AREA``), so small
    levels do not alias. A window of ``s`` pixels on a level with factor ``f`` covers ``s·f``
    pixels of the original.
    """
    import cv2

    arr = _image(image)
    if arr.dtype == bool:
        arr = arr.astype(np.float64)
    levels = []
    for k, (sh, sw) in enumerate(pyramid_shapes(arr.shape, scale, min_size, max_levels)):
        if k == 0:
            level = arr
        else:
            level = cv2.resize(arr.astype(np.float32), (sw, sh), interpolation=cv2.INTER_AREA)
            level = level.reshape((sh, sw) + arr.shape[2:])
            level = (
                level.astype(arr.dtype)
                if arr.dtype.kind == "f"
                else np.clip(np.round(level), 0, np.iinfo(arr.dtype).max).astype(arr.dtype)
            )
        levels.append(PyramidLevel(level, float(scale**k)))
    return levels


def window_count(size: Any, window: Any, step: Any) -> int:
    """How many windows fit: ``(⌊(H − h)/s_y⌋ + 1) · (⌊(W − w)/s_x⌋ + 1)``, 0 if none fits.

    The same formula as a "valid" convolution's output size, for a kernel of the window's size.
    """
    h, w = _pair(tuple(np.atleast_1d(size))[:2] if np.ndim(size) else size, "size")
    wh, ww = _pair(window, "window")
    sy, sx = _pair(step, "step")
    if wh > h or ww > w:
        return 0
    return ((h - wh) // sy + 1) * ((w - ww) // sx + 1)


def pyramid_window_count(
    shape: Sequence[int], window: Any, step: Any, scale: float = 1.25, max_levels: int | None = None
) -> int:
    """Windows over a whole pyramid (levels down to the window's size): the classifier calls a
    sliding-window detector makes for one image."""
    return sum(
        window_count(s, window, step) for s in pyramid_shapes(shape, scale, window, max_levels)
    )


@dataclass
class Windows:
    """What :func:`sliding_windows` cuts out.

    Attributes:
        crops: ``(n, h, w)`` or ``(n, h, w, C)`` — views into the image, not copies.
        boxes: ``(n, 4)`` float ``xyxy`` boxes of the crops, in the image's pixels, row by row.
        grid: ``(rows, columns)`` of window positions (``rows · columns = n``).
    """

    crops: np.ndarray
    boxes: np.ndarray
    grid: tuple[int, int]

    def __len__(self) -> int:
        return len(self.boxes)


def sliding_windows(image: Any, window: Any, step: Any) -> Windows:
    """Every ``window``-sized crop of ``image`` whose top-left corner lies on a ``step`` grid
    (starting at (0, 0); windows never leave the image). ``window``/``step``: int or (h, w)."""
    from numpy.lib.stride_tricks import sliding_window_view

    arr = _image(image)
    wh, ww = _pair(window, "window")
    sy, sx = _pair(step, "step")
    h, w = arr.shape[:2]
    if wh > h or ww > w:
        raise ValueError(f"the window ({wh}×{ww}) is larger than the image ({h}×{w})")
    view = sliding_window_view(arr, (wh, ww), axis=(0, 1))[::sy, ::sx]
    rows, cols = view.shape[:2]
    if arr.ndim == 3:  # (rows, cols, C, wh, ww) → (rows, cols, wh, ww, C)
        view = np.moveaxis(view, 2, -1)
    crops = view.reshape(rows * cols, *view.shape[2:])
    y0, x0 = np.meshgrid(np.arange(rows) * sy, np.arange(cols) * sx, indexing="ij")
    y0, x0 = y0.ravel().astype(float), x0.ravel().astype(float)
    boxes = np.stack([x0, y0, x0 + ww, y0 + wh], axis=1)
    assert len(boxes) == window_count(arr.shape, (wh, ww), (sy, sx))
    return Windows(crops, boxes, (rows, cols))


# ------------------------------------------------------------------------------------- HOG
def hog_length(
    height: int, width: int | None = None, cell: int = 8, bins: int = 9, block: int = 2
) -> int:
    """Length of a HOG descriptor: blocks × cells per block × bins.

    Blocks slide one cell at a time, so a window of ``H/c × W/c`` cells has
    ``(H/c − b + 1)(W/c − b + 1)`` blocks of ``b²`` cells, each cell a ``bins``-long histogram.
    """
    width = height if width is None else width
    h, w = _pair((height, width), "window")
    cell, bins, block = (
        _pair(v, n)[0] for v, n in ((cell, "cell"), (bins, "bins"), (block, "block"))
    )
    ch, cw = h // cell, w // cell
    if ch < block or cw < block:
        raise ValueError(
            f"a {h}×{w} window holds {ch}×{cw} cells of {cell} px: fewer than one "
            f"{block}×{block} block"
        )
    return (ch - block + 1) * (cw - block + 1) * block * block * bins


def _hog(gray: np.ndarray, cell: int, bins: int, block: int, vector: bool = True) -> np.ndarray:
    from skimage.feature import hog

    return hog(
        gray,
        orientations=bins,
        pixels_per_cell=(cell, cell),
        cells_per_block=(block, block),
        block_norm="L2-Hys",
        feature_vector=vector,
    )


def hog_features(
    crops: Any, size: int | None = 32, cell: int = 8, bins: int = 9, block: int = 2
) -> np.ndarray:
    """HOG descriptors of a stack of crops: ``(n, hog_length(size))`` float64.

    Each crop (gray or colour, any size) is made gray, resized to ``size × size`` (``None``:
    kept, then every crop must have the same size) and described by ``skimage.feature.hog``
    with ``cell``×``cell`` cells, ``bins`` unsigned orientation bins (0–180°) and ``block``×
    ``block`` blocks normalised with L2-Hys. A single 2-D crop gives one row. Resizing is
    bilinear when enlarging and pixel-averaging when shrinking (OpenCV).
    """
    import cv2

    arr = np.asarray(crops)
    if arr.ndim == 2 or (
        arr.ndim == 3
        and arr.shape[-1] in (3, 4)
        and arr.shape[0] > 4
        and arr.shape[1] > 4
        and arr.dtype == np.uint8
    ):
        arr = arr[None]  # one crop
    if arr.ndim not in (3, 4) or len(arr) == 0:
        raise ValueError(f"hog_features() takes (n, h, w[, C]) crops, got shape {arr.shape}")
    rows = []
    for crop in arr:
        g = to_gray(crop)
        if size is not None and g.shape != (size, size):
            how = cv2.INTER_AREA if min(g.shape) > size else cv2.INTER_LINEAR
            g = cv2.resize(g, (size, size), interpolation=how).astype(np.float64)
        rows.append(_hog(g, cell, bins, block))
    return np.stack(rows)


# ------------------------------------------------------------------------- face detector
@functools.lru_cache(maxsize=2)
def _negative_photos_cached(max_side: int) -> tuple[np.ndarray, ...]:
    import cv2
    import skimage.data

    out = []
    for name in NEGATIVE_PHOTOS:
        g = to_gray(getattr(skimage.data, name)()).astype(np.float32)
        f = max(g.shape) / max_side
        if f > 1:
            g = cv2.resize(
                g, (round(g.shape[1] / f), round(g.shape[0] / f)), interpolation=cv2.INTER_AREA
            )
        g.flags.writeable = False
        out.append(g.astype(np.float64))
    return tuple(out)


def _negative_photos(max_side: int = NEGATIVE_MAX_SIDE) -> list[np.ndarray]:
    """:data:`NEGATIVE_PHOTOS` as gray float images, shrunk to at most ``max_side`` pixels."""
    return list(_negative_photos_cached(int(max_side)))


def face_training_data(
    n_random: int = 1000, *, seed: int = 0, flip: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Crops for a face classifier: ``(crops, labels, source)``.

    * faces (label 1): the 100 faces of ``skimage.data.lfw_subset()`` (25×25);
    * non-faces (label 0): its 100 non-face crops, plus ``n_random`` random square patches
      (24 px to half the photo's short side, resized to 25×25) of :data:`NEGATIVE_PHOTOS`.

    ``source`` numbers the original crop, so that a crop and its mirror image (``flip=True``
    adds the mirrored faces) never end up on both sides of a train/validation split.
    """
    import cv2
    import skimage.data

    if not isinstance(n_random, int) or n_random < 0:
        raise ValueError(f"n_random must be a whole number >= 0, got {n_random!r}")
    lfw = skimage.data.lfw_subset()  # 100 faces, then 100 non-faces, float in [0, 1]
    rng = np.random.default_rng(seed)
    photos = _negative_photos()
    patches = []
    for _ in range(n_random):
        p = photos[rng.integers(len(photos))]
        side = int(rng.integers(24, max(25, min(p.shape) // 2)))
        y, x = rng.integers(0, p.shape[0] - side + 1), rng.integers(0, p.shape[1] - side + 1)
        patch = p[y : y + side, x : x + side].astype(np.float32)
        patches.append(cv2.resize(patch, (25, 25), interpolation=cv2.INTER_AREA))
    crops = [lfw[:100], lfw[100:], np.array(patches).reshape(-1, 25, 25)]
    labels = [np.ones(100, int), np.zeros(100 + n_random, int)]
    source = [np.arange(100), np.arange(100, 200 + n_random)]
    if flip:
        crops.append(lfw[:100, :, ::-1])
        labels.append(np.ones(100, int))
        source.append(np.arange(100))
    crops = np.concatenate(crops)
    return crops, np.concatenate(labels), np.concatenate(source)


@dataclass
class FaceSVM:
    """A trained HOG + linear-SVM face classifier (from :func:`train_face_svm`).

    Attributes:
        svm: the fitted ``sklearn.svm.LinearSVC``; its ``decision_function`` is the score.
        size, cell, bins, block: the HOG settings (the window is ``size × size`` pixels).
        val_accuracy: accuracy on the validation crops (faces and non-faces).
        val_face_recall: the fraction of validation faces scored > 0.
        val_false_positive_rate: the fraction of validation non-faces scored > 0.
        n_train: ``{"faces": …, "non-faces": …, "hard negatives": …}`` used for training.
    """

    svm: Any
    size: int = 32
    cell: int = 8
    bins: int = 9
    block: int = 2
    val_accuracy: float = float("nan")
    val_face_recall: float = float("nan")
    val_false_positive_rate: float = float("nan")
    n_train: dict = field(default_factory=dict)

    @property
    def weights(self) -> np.ndarray:
        """The SVM's weight vector (one weight per HOG number)."""
        return self.svm.coef_.ravel()

    def score(self, features: np.ndarray) -> np.ndarray:
        """Signed distances to the separating plane (> 0: face)."""
        return np.asarray(features, dtype=np.float64) @ self.weights + float(self.svm.intercept_[0])


def _fit_svm(x: np.ndarray, y: np.ndarray, C: float, seed: int):
    from sklearn.svm import LinearSVC

    return LinearSVC(C=C, class_weight="balanced", max_iter=20_000, random_state=seed).fit(x, y)


def train_face_svm(
    *,
    size: int = 32,
    cell: int = 8,
    bins: int = 9,
    block: int = 2,
    C: float = 0.1,
    n_random: int = 1000,
    val_fraction: float = 0.25,
    hard_negative_rounds: int = 2,
    max_hard: int = 500,
    seed: int = 0,
) -> FaceSVM:
    """Train the HOG + linear SVM face classifier and measure it on a validation split.

    1. :func:`face_training_data` (LFW faces and their mirror images; LFW non-faces; random
       patches of non-face photos), described by :func:`hog_features`;
    2. a stratified split by ``source`` (a face and its mirror image stay together):
       ``val_fraction`` of them are held out for validation;
    3. ``LinearSVC`` (``class_weight="balanced"``: non-faces outnumber faces);
    4. ``hard_negative_rounds`` times: slide the detector over every negative photo, add up to
       ``max_hard`` of the windows it wrongly scores > 0 (the hardest first) to the training
       non-faces, and train again (Dalal and Triggs' "hard negative mining").
    """
    from sklearn.model_selection import train_test_split

    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must lie strictly between 0 and 1, got {val_fraction!r}")
    hog_length(size, size, cell, bins, block)  # fails early on a window too small
    crops, labels, source = face_training_data(n_random, seed=seed)
    feats = hog_features(crops, size, cell, bins, block)
    ids = np.unique(source)
    id_label = np.array([labels[source == i][0] for i in ids])
    train_ids, _ = train_test_split(
        ids, test_size=val_fraction, stratify=id_label, random_state=seed
    )
    is_train = np.isin(source, train_ids)
    x_tr, y_tr, x_va, y_va = feats[is_train], labels[is_train], feats[~is_train], labels[~is_train]
    svm = _fit_svm(x_tr, y_tr, C, seed)
    model = FaceSVM(svm, size, cell, bins, block)
    n_hard = 0
    for _ in range(int(hard_negative_rounds)):
        hard = [(np.zeros(0), np.zeros((0, feats.shape[1])))]
        for photo in _negative_photos():
            for feats_p, _boxes in _window_features(photo, model, step=cell, scale=1.25):
                s = model.score(feats_p)
                hard.append((s[s > 0], feats_p[s > 0]))
        scores_h = np.concatenate([h[0] for h in hard])
        feats_h = np.concatenate([h[1] for h in hard]).reshape(-1, feats.shape[1])
        if len(scores_h) == 0:
            break
        take = np.argsort(-scores_h)[:max_hard]
        x_tr = np.concatenate([x_tr, feats_h[take]])
        y_tr = np.concatenate([y_tr, np.zeros(len(take), int)])
        n_hard += len(take)
        model.svm = _fit_svm(x_tr, y_tr, C, seed)
    s_va = model.score(x_va)
    model.val_accuracy = float(np.mean((s_va > 0) == (y_va == 1)))
    model.val_face_recall = float(np.mean(s_va[y_va == 1] > 0))
    model.val_false_positive_rate = float(np.mean(s_va[y_va == 0] > 0))
    model.n_train = {
        "faces": int((y_tr == 1).sum()),
        "non-faces": int((y_tr == 0).sum()) - n_hard,
        "hard negatives": n_hard,
    }
    return model


def _window_features(
    gray: np.ndarray, model: FaceSVM, step: int, scale: float, max_levels: int | None = None
):
    """Yield ``(features, boxes)`` for the windows of each pyramid level (and offset): HOG
    descriptors ``(n, d)`` and their boxes ``(n, 4)`` in the original image's pixels.

    Each level's HOG is computed **once** over the whole level; a window's descriptor is then
    the slice of the level's block grid under it (what Dalal and Triggs did), which is why
    windows move in whole cells. A ``step`` smaller than a cell repeats this on the level
    shifted by ``step`` pixels. The slice differs from the HOG of the cut-out window only in the
    window's outermost pixels, where the cut-out crop sees no neighbours. Level by level keeps
    the memory small (a big photo has hundreds of thousands of windows).
    """
    from numpy.lib.stride_tricks import sliding_window_view

    cell, size = model.cell, model.size
    if size % cell:
        raise ValueError(f"the window ({size} px) must be a whole number of cells ({cell} px)")
    if isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 1 or cell % step:
        raise ValueError(
            f"step must be a whole number that divides the cell size {cell}, got {step!r}"
        )
    nb = size // cell - model.block + 1  # blocks across a window
    for level in image_pyramid(gray, scale, size, max_levels):
        for dy in range(0, cell, step):
            for dx in range(0, cell, step):
                sub = level.image[dy:, dx:]
                if min(sub.shape) < size:
                    continue
                grid = _hog(sub, cell, model.bins, model.block, vector=False)
                if grid.shape[0] < nb or grid.shape[1] < nb:
                    continue
                v = sliding_window_view(grid, (nb, nb), axis=(0, 1))  # (R, C, b, b, bins, nb, nb)
                v = np.moveaxis(v, (-2, -1), (2, 3))  # (R, C, nb, nb, b, b, bins)
                r, c = v.shape[:2]
                y0, x0 = np.meshgrid(
                    np.arange(r) * cell + dy, np.arange(c) * cell + dx, indexing="ij"
                )
                b = np.stack([x0.ravel(), y0.ravel(), x0.ravel() + size, y0.ravel() + size], 1)
                yield v.reshape(r * c, -1), b.astype(np.float64) * level.factor


def score_windows(
    image: Any,
    model: FaceSVM,
    *,
    step: int | None = None,
    scale: float = 1.25,
    max_levels: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Every window of the pyramid and its SVM score, before any threshold or NMS:
    ``(boxes (n, 4) xyxy in the image's pixels, scores (n,))``."""
    gray = to_gray(image)
    boxes, scores = [np.zeros((0, 4))], [np.zeros(0)]
    for feats, b in _window_features(gray, model, step or model.cell, scale, max_levels):
        boxes.append(b)
        scores.append(model.score(feats))
    return np.concatenate(boxes), np.concatenate(scores)


@dataclass
class Detections:
    """Boxes found in one image by one detector.

    Attributes:
        boxes: ``(k, 4)`` float ``xyxy`` in the image's pixels, best first.
        scores: ``(k,)`` (SVM margin for HOG, cascade level weight for Haar, probability for
            MTCNN).
        landmarks: ``(k, 5, 2)`` (x, y) of :data:`LANDMARK_NAMES` (MTCNN only), else ``None``.
        seconds: wall time of the call.
        method: ``"hog+svm"``, ``"haar"`` or ``"mtcnn"``.
        windows: how many windows were scored (HOG only; 0 otherwise).
    """

    boxes: np.ndarray
    scores: np.ndarray
    landmarks: np.ndarray | None = None
    seconds: float = 0.0
    method: str = ""
    windows: int = 0

    def __len__(self) -> int:
        return len(self.boxes)


def detect_faces_hog(
    image: Any,
    model: FaceSVM,
    *,
    step: int | None = None,
    scale: float = 1.25,
    score_threshold: float = 0.5,
    nms_iou: float = 0.3,
    max_output: int | None = None,
) -> Detections:
    """Slide the HOG + SVM window over an image pyramid; keep windows scoring at least
    ``score_threshold``; remove overlaps with :func:`helpers.boxes.nms` (``nms_iou``).

    ``step`` (pixels at each level, a divisor of the cell size; default one cell) and ``scale``
    (between pyramid levels) set how densely positions and sizes are searched.
    """
    start = time.perf_counter()
    boxes, scores = score_windows(image, model, step=step, scale=scale)
    keep = bx.nms(boxes, scores, nms_iou, score_threshold=score_threshold, max_output=max_output)
    return Detections(
        boxes[keep], scores[keep], None, time.perf_counter() - start, "hog+svm", len(boxes)
    )


def _cascade(name: str):
    import cv2

    if not hasattr(cv2, "CascadeClassifier"):
        raise RuntimeError(
            f"this OpenCV ({cv2.__version__}) has no CascadeClassifier: OpenCV 5's main wheel "
            "moved Haar cascades out. Install opencv-contrib-python-headless (5.x) or "
            "opencv-python-headless<5."
        )
    path = __import__("os").path.join(cv2.data.haarcascades, name)
    cascade = cv2.CascadeClassifier(path)
    if cascade.empty():
        raise RuntimeError(f"OpenCV could not load the cascade {path!r}")
    return cascade


_CASCADES: dict[str, Any] = {}


def detect_faces_haar(
    image: Any,
    *,
    scale_factor: float = 1.1,
    min_neighbors: int = 5,
    min_size: int = 24,
    cascade: str = "haarcascade_frontalface_default.xml",
) -> Detections:
    """OpenCV's Viola–Jones face cascade (``cv2.CascadeClassifier.detectMultiScale3``).

    ``scale_factor`` is the pyramid step, ``min_neighbors`` how many overlapping hits a face
    needs (OpenCV's own grouping, instead of NMS), ``min_size`` the smallest face in pixels.
    Scores are the cascade's level weights (larger: more confident).
    """

    gray = np.round(to_gray(image) * 255).astype(np.uint8)
    start = time.perf_counter()
    if cascade not in _CASCADES:
        _CASCADES[cascade] = _cascade(cascade)
    rects, _levels, weights = _CASCADES[cascade].detectMultiScale3(
        gray,
        scaleFactor=scale_factor,
        minNeighbors=min_neighbors,
        minSize=(min_size, min_size),
        outputRejectLevels=True,
    )
    seconds = time.perf_counter() - start
    rects = np.asarray(rects, dtype=np.float64).reshape(-1, 4)
    scores = np.asarray(weights, dtype=np.float64).reshape(-1)
    order = np.argsort(-scores, kind="stable")
    xyxy = np.concatenate([rects[:, :2], rects[:, :2] + rects[:, 2:]], axis=1)[order]
    return Detections(xyxy, scores[order], None, seconds, "haar")


_MTCNN: list = []


def _mtcnn():
    if not _MTCNN:
        import logging
        import warnings

        from ._quiet_tf import silenced_stderr

        with warnings.catch_warnings(), silenced_stderr():
            warnings.simplefilter("ignore")
            logging.getLogger("tensorflow").setLevel(logging.ERROR)
            from mtcnn import MTCNN

            _MTCNN.append(MTCNN(device="CPU:0"))
    return _MTCNN[0]


def detect_faces_mtcnn(image: Any, *, min_confidence: float = 0.9) -> Detections:
    """The pretrained MTCNN (PyPI ``mtcnn``: three small CNNs, P-Net → R-Net → O-Net) on an RGB
    image; boxes, confidences and the five landmarks of :data:`LANDMARK_NAMES`.

    The network is built once and reused; the first call also traces TensorFlow functions and
    is slower (use :func:`time_per_image` to time it fairly).
    """
    import warnings

    arr = _image(image)
    if arr.ndim == 2 or arr.shape[2] == 1:
        arr = np.repeat(arr.reshape(*arr.shape[:2], 1), 3, axis=2)
    if arr.dtype != np.uint8:  # floats in [0, 1] (or 0–255) → uint8, as MTCNN expects
        x = arr.astype(np.float64)
        x = x * 255.0 if x.max(initial=0.0) <= 1.0 else x
        arr = np.clip(np.round(x), 0, 255).astype(np.uint8)
    detector = _mtcnn()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = detector.detect_faces(np.ascontiguousarray(arr[..., :3]))
    seconds = time.perf_counter() - start
    found = [f for f in found if float(f["confidence"]) >= min_confidence]
    found.sort(key=lambda f: -float(f["confidence"]))
    b = np.array([f["box"] for f in found], dtype=np.float64).reshape(-1, 4)
    xyxy = np.concatenate([b[:, :2], b[:, :2] + b[:, 2:]], axis=1)
    scores = np.array([float(f["confidence"]) for f in found], dtype=np.float64)
    marks = np.array(
        [[f["keypoints"][k] for k in LANDMARK_NAMES] for f in found], dtype=np.float64
    ).reshape(-1, 5, 2)
    return Detections(xyxy, scores, marks, seconds, "mtcnn")


def time_per_image(detect: Callable[[Any], Any], image: Any, repeats: int = 3) -> float:
    """Median wall time (seconds) of ``detect(image)`` over ``repeats`` calls, after one
    warm-up call (which builds caches, loads cascades, traces TensorFlow functions)."""
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive whole number, got {repeats!r}")
    detect(image)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        detect(image)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


# --------------------------------------------------------------- fully convolutional networks
_SPATIAL = ("Conv2D", "MaxPooling2D", "AveragePooling2D")
_ELEMENTWISE = (
    "Activation",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "Softmax",
    "Rescaling",
    "BatchNormalization",
)


def _layers(model) -> list:
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"expected a Keras model, got {type(model).__name__}")
    if not model.built or model.inputs is None and not getattr(model, "input_shape", None):
        raise ValueError("the model must be built (give it an Input or call it once)")
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    if not isinstance(model, keras.Sequential):
        # A functional model must be a plain chain: each layer feeds only the next one.
        for a, b in zip(layers, layers[1:], strict=False):
            if b.input is not a.output:
                raise ValueError(
                    "to_fully_convolutional() needs a plain chain of layers "
                    f"({b.name!r} does not take {a.name!r}'s output)"
                )
    return layers


def fcn_geometry(model) -> tuple[tuple[int, int], tuple[int, int]]:
    """``(window, stride)`` of the grid a converted classifier outputs: the window is the
    classifier's input size, the stride the product of its conv and pooling strides."""
    shape = tuple(model.input_shape)
    if len(shape) != 4 or shape[1] is None or shape[2] is None:
        raise ValueError(f"the classifier needs a fixed (H, W, C) input, got {shape}")
    sy = sx = 1
    for layer in _layers(model):
        if keras_kind(layer) in _SPATIAL:
            s = layer.strides
            sy, sx = sy * int(s[0]), sx * int(s[1])
    return (int(shape[1]), int(shape[2])), (sy, sx)


def to_fully_convolutional(model):
    """A copy of a Flatten/Dense classifier made of convolutions only, for any input size.

    * Conv2D, pooling and element-wise layers (activations, BatchNormalization, Rescaling) are
      copied with their weights; Dropout is left out (it does nothing at inference).
    * The first Dense after Flatten, which saw an ``h × w × c`` block, becomes a ``Conv2D`` with
      an ``h × w`` kernel and ``padding="valid"``: its kernel is the Dense matrix reshaped to
      ``(h, w, c, units)`` (Flatten reads rows, then columns, then channels). Every later Dense
      becomes a 1×1 Conv2D. Activations (softmax included) act on the last axis, as before.

    On the classifier's own input size the output is a 1×1 grid equal to the classifier's
    output; on a larger image cell (i, j) equals the classifier on the window at
    ``(i·stride, j·stride)`` (:func:`fcn_geometry`). That equality is exact when every
    convolution and pooling uses ``padding="valid"``: with ``"same"`` the zeros padded around
    a small window are real pixels in the large image, and the borders of each window differ.
    """
    import keras

    layers = _layers(model)
    shape = tuple(model.input_shape)
    if len(shape) != 4:
        raise ValueError(f"the classifier must take (H, W, C) images, got input shape {shape}")
    x = inputs = keras.Input(shape=(None, None, shape[3]), name="image_any_size")
    current = shape  # shape flowing through the original classifier
    flat_from: tuple | None = None  # (h, w, c) seen by Flatten
    copies: list[tuple[Any, list]] = []
    for layer in layers:
        kind = keras_kind(layer)
        if kind in ("Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout"):
            pass
        elif kind == "Flatten":
            if flat_from is not None:
                raise ValueError("more than one Flatten layer")
            flat_from = tuple(int(v) for v in current[1:])
        elif kind == "Dense":
            w, b = layer.get_weights() if layer.use_bias else (layer.get_weights()[0], None)
            if (
                flat_from is not None
                and len(current) == 2
                and current[1] == int(np.prod(flat_from))
            ):
                h, wd, c = flat_from
                kernel = w.reshape(h, wd, c, w.shape[1])
                flat_from = (1, 1, w.shape[1])  # later Dense layers are 1×1
            else:
                kernel = w.reshape(1, 1, w.shape[0], w.shape[1])
            conv = keras.layers.Conv2D(
                w.shape[1],
                kernel.shape[:2],
                padding="valid",
                activation=layer.activation,
                use_bias=b is not None,
                name=f"{layer.name}_as_conv",
            )
            x = conv(x)
            copies.append((conv, [kernel] if b is None else [kernel, b]))
        elif kind in _SPATIAL or kind in _ELEMENTWISE:
            if flat_from is not None and kind in _SPATIAL:
                raise ValueError(f"{layer.name!r} ({kind}) comes after Flatten")
            if (
                kind == "BatchNormalization"
                and len(current) == 2
                and flat_from is not None
                and current[1] != flat_from[-1]
            ):
                raise ValueError(
                    f"{layer.name!r} normalises the flattened vector: it has no "
                    "convolutional equivalent"
                )
            clone = type(layer).from_config(layer.get_config())
            x = clone(x)
            copies.append((clone, layer.get_weights()))
        else:
            raise ValueError(
                f"to_fully_convolutional() cannot convert layer {layer.name!r} "
                f"({kind}); it handles Conv2D, pooling, activations, "
                "BatchNormalization, Dropout, Flatten and Dense"
            )
        current = tuple(layer.compute_output_shape(current))
    if flat_from is None and not any(type(layer).__name__ == "Dense" for layer in layers):
        raise ValueError("the model has no Dense layer: it is already fully convolutional")
    fcn = keras.Model(inputs, x, name=f"{model.name}_fcn")
    for layer, weights in copies:
        layer.set_weights(weights)
    return fcn


def grid_boxes(grid_shape: Sequence[int], window: Any, stride: Any) -> np.ndarray:
    """The ``xyxy`` box each cell of an FCN output grid looks at, row by row: ``(rows·cols, 4)``."""
    rows, cols = _pair(tuple(grid_shape)[:2], "grid_shape")
    wh, ww = _pair(window, "window")
    sy, sx = _pair(stride, "stride")
    y0, x0 = np.meshgrid(np.arange(rows) * sy, np.arange(cols) * sx, indexing="ij")
    y0, x0 = y0.ravel().astype(float), x0.ravel().astype(float)
    return np.stack([x0, y0, x0 + ww, y0 + wh], axis=1)


def grid_to_detections(
    grid: Any, window: Any, stride: Any, *, background: int | None = None, min_score: float = 0.0
) -> dict[str, np.ndarray]:
    """Raw detections from one image's FCN output grid ``(rows, cols, classes)`` of
    probabilities: each cell proposes its window with its best non-background class.

    Returns ``{"boxes", "scores", "labels"}`` (cells scoring at least ``min_score``), before
    any NMS: neighbouring cells usually find the same object, which is what NMS is for.
    """
    g = np.asarray(grid, dtype=np.float64)
    if g.ndim != 3:
        raise ValueError(f"grid must be (rows, cols, classes) for one image, got {g.shape}")
    probs = g.reshape(-1, g.shape[2]).copy()
    if background is not None:
        if not 0 <= background < g.shape[2]:
            raise ValueError(f"background class {background} is not in 0..{g.shape[2] - 1}")
        probs[:, background] = -np.inf
    labels = probs.argmax(axis=1)
    scores = probs[np.arange(len(probs)), labels]
    boxes = grid_boxes(g.shape[:2], window, stride)
    keep = scores >= min_score
    return {"boxes": boxes[keep], "scores": scores[keep], "labels": labels[keep]}


def square_boxes(boxes: Any, side: Any) -> np.ndarray:
    """Boxes of a fixed ``side`` (int or (h, w)) centred on the given boxes' centres: what a
    fixed-size window would have to cover to be "right" about an object."""
    h, w = _pair(side, "side")
    b = bx.to_centre(bx.check_boxes(boxes).reshape(-1, 4))
    b[:, 2], b[:, 3] = w, h
    return bx.to_corners(b)


def _background_corner(corner, squares, hw, window, max_iou, index, out) -> bool:
    """Clip a window's corner into the image; keep it (append to ``out``) when its IoU with
    every object's square is at most ``max_iou``."""
    x0 = int(np.clip(corner[0], 0, hw[1] - window))
    y0 = int(np.clip(corner[1], 0, hw[0] - window))
    cand = np.array([[x0, y0, x0 + window, y0 + window]], dtype=float)
    if len(squares) and bx.iou_matrix(cand, squares).max() > max_iou:
        return False
    out.append((index, x0, y0))
    return True


def window_training_set(
    images: Any,
    boxes: Sequence[Any],
    labels: Sequence[Any],
    *,
    window: int = 28,
    background: int = 10,
    negatives_per_image: int = 2,
    near_per_object: int = 1,
    jitter: int = 2,
    max_background_iou: float = 0.3,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Window-sized training crops for a sliding-window classifier, cut from labelled canvases.

    * one crop per object: the ``window × window`` square centred on its box, moved by up to
      ``jitter`` pixels (the sliding windows will not be centred exactly either), labelled with
      the object's class;
    * ``negatives_per_image`` random crops per image, and ``near_per_object`` crops moved
      away from each object until they hold only part of it, all with an IoU of at most
      ``max_background_iou`` with every object's square, labelled ``background``. The "near"
      ones teach the classifier that half a digit is not a digit: without them, windows next
      to a digit fire too, often with another class, and per-class NMS cannot remove them.

    Returns ``(crops (n, window, window[, C]), labels (n,))``, positives then negatives. Crops
    are clipped to the image (an object at the border gets a window moved inwards).
    """
    x = np.asarray(images)
    if x.ndim not in (3, 4) or len(x) != len(boxes) or len(x) != len(labels):
        raise ValueError(
            f"need (n, H, W[, C]) images with one boxes and one labels array each, got "
            f"{x.shape}, {len(boxes)} and {len(labels)}"
        )
    h, w = x.shape[1:3]
    if window > min(h, w):
        raise ValueError(f"the window ({window}) is larger than the images ({h}×{w})")
    rng = np.random.default_rng(seed)
    crops, out = [], []

    def cut(i: int, x0: int, y0: int) -> None:
        x0, y0 = int(np.clip(x0, 0, w - window)), int(np.clip(y0, 0, h - window))
        crops.append(x[i, y0 : y0 + window, x0 : x0 + window])

    negatives = []
    for i, (b, lab) in enumerate(zip(boxes, labels, strict=True)):
        b = bx.check_boxes(b).reshape(-1, 4)
        lab = np.asarray(lab).reshape(-1)
        squares = square_boxes(b, window) if len(b) else np.zeros((0, 4))
        for (x0, y0, _, _), c in zip(squares, lab, strict=True):
            dx, dy = rng.integers(-jitter, jitter + 1, size=2)
            cut(i, int(round(x0)) + dx, int(round(y0)) + dy)
            out.append(int(c))

        found, tries = 0, 0
        while found < negatives_per_image and tries < 50 * max(negatives_per_image, 1):
            tries += 1
            corner = (int(rng.integers(0, w - window + 1)), int(rng.integers(0, h - window + 1)))
            found += _background_corner(
                corner, squares, (h, w), window, max_background_iou, i, negatives
            )
        for x0, y0, _, _ in squares:
            found, tries = 0, 0
            while found < near_per_object and tries < 50:
                tries += 1
                shift = rng.integers(window // 3, window // 2 + 2, size=2) * rng.choice([-1, 1], 2)
                shift[rng.integers(2)] = rng.integers(-window // 4, window // 4 + 1)
                corner = (int(round(x0)) + int(shift[0]), int(round(y0)) + int(shift[1]))
                found += _background_corner(
                    corner, squares, (h, w), window, max_background_iou, i, negatives
                )
    for i, x0, y0 in negatives:
        cut(i, x0, y0)
        out.append(int(background))
    shape = (0, window, window) + x.shape[3:]
    return (np.stack(crops) if crops else np.zeros(shape, x.dtype)), np.asarray(out, np.int64)
