"""A detection and segmentation dataset made from real digits: MNIST (or Fashion-MNIST) items
placed on larger canvases, with exact boxes, class masks and instance masks.

No detection or segmentation dataset can be had offline, but every pixel of a digit pasted at a
known place is known, so the labels here are exact rather than drawn by hand::

    (x, y), _ = data.load_mnist()
    train = canvases.make_canvases(x, y, 2_000, size=96, objects=(1, 4), seed=0)
    train.images.shape, train.boxes[0], train.labels[0], train.masks.shape

An object's pixels are those of its digit with intensity ≥ :data:`OBJECT_THRESHOLD` (after scaling
to [0, 1]); its box is the tightest corner box around them (see :mod:`helpers.boxes` for the
format). Overlapping digits are combined with a pixel-wise maximum, and a later digit's pixels
win in the masks. ``clutter`` adds small fragments of other digits: they are background in the
masks and have no box, so a model must learn what a whole digit looks like.

:func:`write_voc` and :func:`read_voc` store one canvas's boxes as Pascal VOC XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .boxes import check_boxes, iou_matrix

OBJECT_THRESHOLD = 0.3
_MAX_TRIES = 200

__all__ = ["OBJECT_THRESHOLD", "Canvases", "make_canvases", "read_voc", "write_voc"]


@dataclass
class Canvases:
    """Canvases and their labels; index with :meth:`subset`.

    ``images`` (n, size, size) float32 in [0, 1]; ``boxes[i]`` (k_i, 4) corner boxes in pixels;
    ``labels[i]`` (k_i,) class numbers; ``masks`` (n, size, size) int16 with 0 = background and
    c + 1 = class c; ``instances`` (n, size, size) int16 with 0 = background and j + 1 = object j.
    """

    images: np.ndarray
    boxes: list[np.ndarray]
    labels: list[np.ndarray]
    masks: np.ndarray
    instances: np.ndarray
    num_classes: int

    def __len__(self) -> int:
        return len(self.images)

    @property
    def size(self) -> int:
        return self.images.shape[1]

    def subset(self, indices) -> Canvases:
        idx = np.arange(len(self))[indices]
        idx = np.atleast_1d(idx)
        return Canvases(
            self.images[idx],
            [self.boxes[i] for i in idx],
            [self.labels[i] for i in idx],
            self.masks[idx],
            self.instances[idx],
            self.num_classes,
        )

    def ground_truths(self) -> list[dict]:
        """Boxes and labels per canvas, as
        :func:`helpers.detection_metrics.evaluate_detections` takes them."""
        return [{"boxes": b, "labels": lab} for b, lab in zip(self.boxes, self.labels, strict=True)]


def _scaled_digit(digit: np.ndarray, side: int) -> np.ndarray:
    img = digit.astype(np.float32)
    if img.max() > 1.0:
        img = img / 255.0
    if side != img.shape[0]:
        shrink = side < img.shape[0]
        img = cv2.resize(
            img, (side, side), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
        )
    return np.clip(img, 0.0, 1.0).astype(np.float32)


def _tight_box(mask: np.ndarray, top: int, left: int) -> np.ndarray | None:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return None
    return np.array(
        [left + cols[0], top + rows[0], left + cols[-1] + 1, top + rows[-1] + 1], dtype=np.float64
    )


def make_canvases(
    images,
    labels,
    n: int,
    *,
    size: int = 64,
    objects: tuple[int, int] = (1, 3),
    scale: tuple[float, float] = (0.7, 1.3),
    max_iou: float = 0.0,
    clutter: int = 0,
    seed: int = 0,
) -> Canvases:
    """Make ``n`` canvases from a source set of digits (``images`` (m, 28, 28), ``labels`` (m,)).

    ``objects`` = (min, max) objects per canvas; ``scale`` = range of the digit's side as a factor
    of its 28 pixels; ``max_iou`` = the largest IoU allowed between two objects' boxes (0 = no
    overlap); ``clutter`` = fragments of other digits per canvas. Same arguments and seed, same
    canvases. Raises ``ValueError`` when the request cannot be met (a digit larger than the
    canvas, too many objects to place without overlap).
    """
    x = np.asarray(images)
    y = np.asarray(labels).reshape(-1)
    if x.ndim != 3 or x.shape[1] != x.shape[2]:
        raise ValueError(f"images must be (m, side, side) grey digits, got shape {x.shape}")
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"got {len(x)} images and {len(y)} labels")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    lo, hi = objects
    if not 0 <= lo <= hi:
        raise ValueError(f"objects must be (min, max) with 0 <= min <= max, got {objects}")
    if not 0 < scale[0] <= scale[1]:
        raise ValueError(f"scale must be (low, high) with 0 < low <= high, got {scale}")
    side_max = int(round(x.shape[1] * scale[1]))
    if side_max > size:
        raise ValueError(f"digits up to {side_max} px do not fit on a {size} px canvas")
    if not 0.0 <= max_iou <= 1.0:
        raise ValueError(f"max_iou must be in [0, 1], got {max_iou}")
    if clutter < 0:
        raise ValueError(f"clutter must be >= 0, got {clutter}")

    rng = np.random.default_rng(seed)
    num_classes = int(y.max()) + 1
    out_img = np.zeros((n, size, size), np.float32)
    out_mask = np.zeros((n, size, size), np.int16)
    out_inst = np.zeros((n, size, size), np.int16)
    out_boxes, out_labels = [], []
    for i in range(n):
        canvas, mask, inst = out_img[i], out_mask[i], out_inst[i]
        for _ in range(clutter):  # fragments first, so that whole digits are drawn over them
            src = _scaled_digit(x[rng.integers(len(x))], x.shape[1])
            h, w = rng.integers(6, 12, size=2)
            r, c = rng.integers(0, src.shape[0] - h), rng.integers(0, src.shape[1] - w)
            piece = src[r : r + h, c : c + w]
            top, left = rng.integers(0, size - h + 1), rng.integers(0, size - w + 1)
            np.maximum(
                canvas[top : top + h, left : left + w],
                piece,
                out=canvas[top : top + h, left : left + w],
            )
        boxes, classes = [], []
        for _ in range(int(rng.integers(lo, hi + 1))):
            for _attempt in range(_MAX_TRIES):
                k = int(rng.integers(len(x)))
                side = int(round(x.shape[1] * rng.uniform(*scale)))
                digit = _scaled_digit(x[k], side)
                top, left = (int(v) for v in rng.integers(0, size - side + 1, size=2))
                on = digit >= OBJECT_THRESHOLD
                box = _tight_box(on, top, left)
                if box is None:
                    continue
                if boxes and iou_matrix(box[None], np.array(boxes)).max() > max_iou:
                    continue
                break
            else:
                raise ValueError(
                    f"could not place {hi} objects on a {size} px canvas with max_iou={max_iou}; "
                    "use a larger canvas, fewer objects or smaller digits"
                )
            window = canvas[top : top + side, left : left + side]
            np.maximum(window, digit, out=window)
            # Inside this digit's box its own pixels win; clutter underneath becomes background.
            x0, y0, x1, y1 = box.astype(int)
            region = (slice(y0, y1), slice(x0, x1))
            own = on[y0 - top : y1 - top, x0 - left : x1 - left]
            mask[region][own] = int(y[k]) + 1
            inst[region][own] = len(boxes) + 1
            boxes.append(box)
            classes.append(int(y[k]))
        out_boxes.append(np.array(boxes, dtype=np.float64).reshape(-1, 4))
        out_labels.append(np.array(classes, dtype=np.int64))
    return Canvases(out_img, out_boxes, out_labels, out_mask, out_inst, num_classes)


def write_voc(path, filename: str, size: tuple[int, int, int], boxes, names: list[str]) -> Path:
    """Write one image's boxes as a Pascal VOC annotation (XML) and return the path.

    ``size`` = (width, height, depth); ``boxes`` are corner boxes in this module's convention
    (edges, counted from 0). VOC counts pixels from 1 and includes the last one, so
    ``xmin = x_min + 1`` and ``xmax = x_max``; :func:`read_voc` undoes it.
    """
    b = check_boxes(boxes).reshape(-1, 4)
    if len(names) != len(b):
        raise ValueError(f"{len(b)} boxes but {len(names)} names")
    if np.any(b != np.round(b)):
        raise ValueError("VOC stores whole pixels; round the boxes first")
    root = ET.Element("annotation")
    ET.SubElement(root, "filename").text = filename
    size_el = ET.SubElement(root, "size")
    for tag, value in zip(("width", "height", "depth"), size, strict=True):
        ET.SubElement(size_el, tag).text = str(int(value))
    for name, (x0, y0, x1, y1) in zip(names, b, strict=True):
        obj = ET.SubElement(root, "object")
        ET.SubElement(obj, "name").text = str(name)
        ET.SubElement(obj, "difficult").text = "0"
        box_el = ET.SubElement(obj, "bndbox")
        for tag, value in zip(
            ("xmin", "ymin", "xmax", "ymax"), (x0 + 1, y0 + 1, x1, y1), strict=True
        ):
            ET.SubElement(box_el, tag).text = str(int(value))
    ET.indent(root)
    path = Path(path)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def read_voc(path) -> dict:
    """Read a Pascal VOC annotation: ``{"filename", "size": (w, h, d), "boxes": (k, 4), "names"}``
    with boxes in this module's corner convention."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        raise ValueError(f"{path} is not a valid VOC XML file: {err}") from None
    if root.tag != "annotation":
        raise ValueError(f"{path}: expected an <annotation> root, found <{root.tag}>")

    def number(el, tag):
        found = el.find(tag)
        if found is None or found.text is None:
            raise ValueError(f"{path}: <{tag}> missing")
        return int(float(found.text))

    size_el = root.find("size")
    if size_el is None:
        raise ValueError(f"{path}: <size> missing")
    size = tuple(number(size_el, t) for t in ("width", "height", "depth"))
    names, boxes = [], []
    for obj in root.iter("object"):
        names.append(obj.findtext("name", default=""))
        bb = obj.find("bndbox")
        if bb is None:
            raise ValueError(f"{path}: an <object> has no <bndbox>")
        x0, y0, x1, y1 = (number(bb, t) for t in ("xmin", "ymin", "xmax", "ymax"))
        boxes.append([x0 - 1, y0 - 1, x1, y1])
    return {
        "filename": root.findtext("filename", default=""),
        "size": size,
        "boxes": np.array(boxes, dtype=np.float64).reshape(-1, 4),
        "names": names,
    }
