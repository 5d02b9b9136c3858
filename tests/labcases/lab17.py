"""Lab 17 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import keras
import numpy as np
from keras import layers

from helpers.labs.spec import Mutant


def iou(box_a, box_b):
    ax0, ay0, ax1, ay1 = box_a
    bx0, by0, bx1, by1 = box_b
    if ax1 < ax0 or ay1 < ay0 or bx1 < bx0 or by1 < by0:
        raise ValueError("not a box")
    inter = max(0, min(ax1, bx1) - max(ax0, bx0)) * max(0, min(ay1, by1) - max(ay0, by0))
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    if union == 0:
        return 0.0
    return inter / union


def centre_to_corners(boxes):
    boxes = np.asarray(boxes, dtype=float)
    if boxes.ndim != 2 or boxes.shape[1] != 4 or (boxes[:, 2:] < 0).any():
        raise ValueError("bad boxes")
    cx, cy, w, h = boxes.T
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)


def box_targets(boxes, size):
    boxes = np.asarray(boxes, dtype=float)
    if size <= 0 or boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError("bad input")
    x0, y0, x1, y1 = boxes.T
    if (boxes < 0).any() or (boxes > size).any() or (x1 < x0).any() or (y1 < y0).any():
        raise ValueError("box outside the canvas")
    out = np.stack([(x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0], axis=1) / size
    return out.astype(np.float32)


def total_loss(probs, labels, pred_boxes, true_boxes, loss_weights=(0.8, 0.2)):
    picked = np.asarray(probs)[np.arange(len(labels)), labels]
    ce = -np.log(picked).mean()
    mse = ((np.asarray(pred_boxes) - np.asarray(true_boxes)) ** 2).mean()
    return float(loss_weights[0] * ce + loss_weights[1] * mse)


def _localizer(
    input_shape,
    num_classes,
    *,
    padding="same",
    box_act="sigmoid",
    names=True,
    as_list=False,
    hidden=64,
    box_first=False,
    pool=True,
):
    image = keras.Input(input_shape)
    x = layers.Conv2D(16, 3, padding=padding, activation="relu")(image)
    x = layers.MaxPooling2D()(x) if pool else x
    x = layers.Conv2D(32, 3, padding=padding, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dense(hidden, activation="relu")(x)
    if box_first:
        box = layers.Dense(4, activation=box_act, name="box" if names else None)(x)
    cls = layers.Dense(num_classes, activation="softmax", name="class" if names else None)(x)
    if not box_first:
        box = layers.Dense(4, activation=box_act, name="box" if names else None)(x)
    if as_list:
        return keras.Model(image, [cls, box])
    return keras.Model(image, {"class": cls, "box": box})


def build_localizer(input_shape=(48, 48, 1), num_classes=10):
    return _localizer(input_shape, num_classes)


SOLUTION = {
    f.__name__: f for f in (iou, centre_to_corners, box_targets, total_loss, build_localizer)
}


# ----------------------------------------------------------------------------- mutants


def iou_no_clip(box_a, box_b):
    ax0, ay0, ax1, ay1 = box_a
    bx0, by0, bx1, by1 = box_b
    if ax1 < ax0 or ay1 < ay0 or bx1 < bx0 or by1 < by0:
        raise ValueError("not a box")
    inter = (min(ax1, bx1) - max(ax0, bx0)) * (min(ay1, by1) - max(ay0, by0))
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    return inter / union if union else 0.0


def iou_sum_union(box_a, box_b):
    ax0, ay0, ax1, ay1 = box_a
    bx0, by0, bx1, by1 = box_b
    if ax1 < ax0 or ay1 < ay0 or bx1 < bx0 or by1 < by0:
        raise ValueError("not a box")
    inter = max(0, min(ax1, bx1) - max(ax0, bx0)) * max(0, min(ay1, by1) - max(ay0, by0))
    total = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0)
    return inter / total if total else 0.0


def iou_coverage(box_a, box_b):
    ax0, ay0, ax1, ay1 = box_a
    bx0, by0, bx1, by1 = box_b
    if ax1 < ax0 or ay1 < ay0 or bx1 < bx0 or by1 < by0:
        raise ValueError("not a box")
    inter = max(0, min(ax1, bx1) - max(ax0, bx0)) * max(0, min(ay1, by1) - max(ay0, by0))
    area_b = (bx1 - bx0) * (by1 - by0)
    return inter / area_b if area_b else 0.0


def iou_divides_by_zero(box_a, box_b):
    ax0, ay0, ax1, ay1 = box_a
    bx0, by0, bx1, by1 = box_b
    if ax1 < ax0 or ay1 < ay0 or bx1 < bx0 or by1 < by0:
        raise ValueError("not a box")
    inter = max(0, min(ax1, bx1) - max(ax0, bx0)) * max(0, min(ay1, by1) - max(ay0, by0))
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    return inter / union


def iou_no_validation(box_a, box_b):
    ax0, ay0, ax1, ay1 = box_a
    bx0, by0, bx1, by1 = box_b
    inter = max(0, min(ax1, bx1) - max(ax0, bx0)) * max(0, min(ay1, by1) - max(ay0, by0))
    union = abs((ax1 - ax0) * (ay1 - ay0)) + abs((bx1 - bx0) * (by1 - by0)) - inter
    return inter / union if union else 0.0


def corners_no_half(boxes):
    out = centre_to_corners(boxes)
    b = np.asarray(boxes, dtype=float)
    return np.concatenate([b[:, :2], b[:, :2] + b[:, 2:]], axis=1) + 0 * out


def corners_wrong_order(boxes):
    return centre_to_corners(boxes)[:, [0, 2, 1, 3]]


def corners_no_errors(boxes):
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    cx, cy, w, h = boxes.T
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)


def targets_corners(boxes, size):
    box_targets(boxes, size)
    return (np.asarray(boxes, dtype=float) / size).astype(np.float32)


def targets_pixels(boxes, size):
    return box_targets(boxes, size) * size


def targets_float64(boxes, size):
    return box_targets(boxes, size).astype(np.float64)


def targets_no_checks(boxes, size):
    boxes = np.asarray(boxes, dtype=float)
    x0, y0, x1, y1 = boxes.T
    return (np.stack([(x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0], axis=1) / abs(size)).astype(
        np.float32
    )


def loss_swapped(probs, labels, pred_boxes, true_boxes, loss_weights=(0.8, 0.2)):
    return total_loss(probs, labels, pred_boxes, true_boxes, loss_weights[::-1])


def loss_box_summed(probs, labels, pred_boxes, true_boxes, loss_weights=(0.8, 0.2)):
    picked = np.asarray(probs)[np.arange(len(labels)), labels]
    se = ((np.asarray(pred_boxes) - np.asarray(true_boxes)) ** 2).sum(axis=1).mean()
    return float(loss_weights[0] * -np.log(picked).mean() + loss_weights[1] * se)


def loss_unweighted(probs, labels, pred_boxes, true_boxes, loss_weights=(0.8, 0.2)):
    return total_loss(probs, labels, pred_boxes, true_boxes, (1, 1))


def loss_wrong_probability(probs, labels, pred_boxes, true_boxes, loss_weights=(0.8, 0.2)):
    ce = -np.log(np.asarray(probs).max(axis=1)).mean()
    mse = ((np.asarray(pred_boxes) - np.asarray(true_boxes)) ** 2).mean()
    return float(loss_weights[0] * ce + loss_weights[1] * mse)


def _one_output(input_shape, num_classes):
    model = _localizer(input_shape, num_classes)
    return keras.Model(model.input, model.output["class"])


MUTANTS = [
    Mutant("iou", "no clipping of a negative overlap", iou_no_clip, says="non-zero IoU"),
    Mutant("iou", "union = sum of areas", iou_sum_union, says="counts the overlap twice"),
    Mutant("iou", "coverage of box_b", iou_coverage, says="share of box_b"),
    Mutant("iou", "divides by a zero union", iou_divides_by_zero),
    Mutant("iou", "accepts reversed boxes", iou_no_validation, says="instead of raising"),
    Mutant("iou", "returns a string", lambda a, b: f"{iou(a, b):.3f}", says="expected a number"),
    Mutant("centre_to_corners", "centre as a corner", corners_no_half, says="top-left corner"),
    Mutant(
        "centre_to_corners", "x_min, x_max, y_min, y_max", corners_wrong_order, says="in the order"
    ),
    Mutant("centre_to_corners", "no ValueError", corners_no_errors, says="instead of raising"),
    Mutant("box_targets", "normalised corners", targets_corners, says="normalised corners"),
    Mutant("box_targets", "pixels", targets_pixels, says="in pixels"),
    Mutant("box_targets", "float64", targets_float64, says="float32"),
    Mutant("box_targets", "no ValueError", targets_no_checks, says="instead of raising"),
    Mutant("total_loss", "weights swapped", loss_swapped, says="swapped"),
    Mutant("total_loss", "box loss summed over 4", loss_box_summed, says="summed over the 4"),
    Mutant("total_loss", "no weights", loss_unweighted, says="not applied"),
    Mutant("total_loss", "log of the top probability", loss_wrong_probability),
    Mutant(
        "build_localizer",
        "linear box head",
        lambda s=(48, 48, 1), n=10: _localizer(s, n, box_act="linear"),
        says="'box' head's activation",
    ),
    Mutant(
        "build_localizer",
        "unnamed heads",
        lambda s=(48, 48, 1), n=10: _localizer(s, n, names=False),
        says="no layer named",
    ),
    Mutant(
        "build_localizer",
        "valid padding",
        lambda s=(48, 48, 1), n=10: _localizer(s, n, padding="valid"),
        says="output shape",
    ),
    Mutant(
        "build_localizer",
        "Dense(128)",
        lambda s=(48, 48, 1), n=10: _localizer(s, n, hidden=128),
        says="weights",
    ),
    Mutant(
        "build_localizer",
        "one pooling only",
        lambda s=(48, 48, 1), n=10: _localizer(s, n, pool=False),
    ),
    Mutant(
        "build_localizer",
        "outputs as a list",
        lambda s=(48, 48, 1), n=10: _localizer(s, n, as_list=True),
        says="a dict",
    ),
    Mutant(
        "build_localizer",
        "one output",
        lambda s=(48, 48, 1), n=10: _one_output(s, n),
        says="output(s)",
    ),
    Mutant("build_localizer", "returns a string", lambda *a: "model", says="expected a Keras"),
]
