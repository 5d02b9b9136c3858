"""Lab 17 (classification and localization): IoU of two boxes, centre to corner boxes,
normalised box targets, the weighted loss of a two-headed model, a two-headed Keras model.

The first four are plain Python/NumPy, judged on hidden boxes, canvases and predictions drawn per
submission (with fixed edge cases: disjoint, touching, nested and zero-area boxes). The model is
judged by its description (``helpers/labs/custom/lab17.py``: trunk layers, then the two named
heads), then by what it computes once weights drawn here are set into it.
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake
from helpers.labs.specs import _common

# ----------------------------------------------------------------------------- references


def _box(b, name):
    b = [float(v) for v in b]
    if len(b) != 4:
        raise ValueError(f"{name} must have 4 numbers")
    if b[2] < b[0] or b[3] < b[1]:
        raise ValueError(f"{name} has x_max < x_min or y_max < y_min")
    return b


def iou(box_a, box_b):
    ax0, ay0, ax1, ay1 = _box(box_a, "box_a")
    bx0, by0, bx1, by1 = _box(box_b, "box_b")
    iw = max(0.0, min(ax1, bx1) - max(ax0, bx0))
    ih = max(0.0, min(ay1, by1) - max(ay0, by0))
    inter = iw * ih
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    return inter / union if union > 0 else 0.0


def centre_to_corners(boxes):
    b = np.asarray(boxes, dtype=np.float64)
    if b.ndim != 2 or b.shape[1] != 4:
        raise ValueError("boxes must have shape (n, 4)")
    if np.any(b[:, 2:] < 0):
        raise ValueError("widths and heights must be >= 0")
    half = b[:, 2:] / 2
    return np.concatenate([b[:, :2] - half, b[:, :2] + half], axis=1)


def box_targets(boxes, size):
    b = np.asarray(boxes, dtype=np.float64)
    if not size > 0:
        raise ValueError("size must be positive")
    if b.ndim != 2 or b.shape[1] != 4:
        raise ValueError("boxes must have shape (n, 4)")
    if np.any(b < 0) or np.any(b > size) or np.any(b[:, 2:] < b[:, :2]):
        raise ValueError("every box must lie inside the canvas, with x_min <= x_max")
    centre = np.stack(
        [(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2, b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]],
        axis=1,
    )
    return (centre / size).astype(np.float32)


def total_loss(probs, labels, pred_boxes, true_boxes, loss_weights=(0.8, 0.2)):
    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(labels)
    class_loss = float(np.mean(-np.log(p[np.arange(len(y)), y])))
    box_loss = float(np.mean((np.asarray(pred_boxes, float) - np.asarray(true_boxes, float)) ** 2))
    w_class, w_box = loss_weights
    return w_class * class_loss + w_box * box_loss


def build_localizer(input_shape=(48, 48, 1), num_classes=10):
    import keras
    from keras import layers

    image = keras.Input(input_shape)
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(image)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(64, activation="relu")(x)
    outputs = {
        "class": layers.Dense(num_classes, activation="softmax", name="class")(x),
        "box": layers.Dense(4, activation="sigmoid", name="box")(x),
    }
    return keras.Model(image, outputs)


# ----------------------------------------------------------------------------- mistakes


def _iou_no_clip(box_a, box_b):
    ax0, ay0, ax1, ay1 = _box(box_a, "box_a")
    bx0, by0, bx1, by1 = _box(box_b, "box_b")
    inter = (min(ax1, bx1) - max(ax0, bx0)) * (min(ay1, by1) - max(ay0, by0))
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    return inter / union if union > 0 else 0.0


def _iou_union_is_sum(box_a, box_b):
    ax0, ay0, ax1, ay1 = _box(box_a, "box_a")
    bx0, by0, bx1, by1 = _box(box_b, "box_b")
    inter = max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))
    total = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0)
    return inter / total if total > 0 else 0.0


def _iou_coverage(box_a, box_b):
    ax0, ay0, ax1, ay1 = _box(box_a, "box_a")
    bx0, by0, bx1, by1 = _box(box_b, "box_b")
    inter = max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))
    area_b = (bx1 - bx0) * (by1 - by0)
    return inter / area_b if area_b > 0 else 0.0


def _corners_w_not_halved(boxes):
    b = np.asarray(boxes, dtype=np.float64)
    centre_to_corners(b)
    return np.concatenate([b[:, :2], b[:, :2] + b[:, 2:]], axis=1)


def _corners_xywh_order(boxes):
    out = centre_to_corners(boxes)
    return out[:, [0, 2, 1, 3]]


def _targets_corners(boxes, size):
    box_targets(boxes, size)
    return (np.asarray(boxes, dtype=np.float64) / size).astype(np.float32)


def _targets_not_normalised(boxes, size):
    return box_targets(boxes, size) * np.float32(size)


def _targets_float64(boxes, size):
    return box_targets(boxes, size).astype(np.float64)


def _loss_swapped(probs, labels, pred_boxes, true_boxes, loss_weights=(0.8, 0.2)):
    return total_loss(probs, labels, pred_boxes, true_boxes, loss_weights[::-1])


def _loss_box_sum(probs, labels, pred_boxes, true_boxes, loss_weights=(0.8, 0.2)):
    extra = (
        np.mean(
            np.sum((np.asarray(pred_boxes, float) - np.asarray(true_boxes, float)) ** 2, axis=1)
        )
        * 3
        / 4
    )
    return total_loss(probs, labels, pred_boxes, true_boxes, loss_weights) + loss_weights[1] * extra


def _loss_unweighted(probs, labels, pred_boxes, true_boxes, loss_weights=(0.8, 0.2)):
    return total_loss(probs, labels, pred_boxes, true_boxes, (1.0, 1.0))


# ----------------------------------------------------------------------------- cases

_IOU_EDGES = [
    ([0, 0, 2, 2], [1, 1, 3, 3]),  # 1 / 7
    ([20, 20, 40, 40], [25, 25, 45, 45]),
    ([10, 10, 30, 30], [20, 10, 40, 30]),  # 1 / 3
    ([0, 0, 10, 10], [0, 0, 10, 10]),  # identical: 1
    ([0, 0, 10, 10], [20, 20, 30, 30]),  # disjoint: 0
    ([0, 0, 10, 10], [10, 0, 20, 10]),  # touching along an edge: 0
    ([0, 0, 64, 64], [20, 20, 40, 40]),  # nested: 400 / 4096
    ([5, 5, 5, 15], [0, 0, 10, 10]),  # zero width: 0
    ([3, 3, 3, 3], [3, 3, 3, 3]),  # two points: union 0, IoU 0
]
_IOU_HINT = (
    "intersection = overlap width × overlap height, each at least 0; union = area A + "
    "area B − intersection; 0 when the union is 0."
)
_IOU_ERRORS = "a box with x_max < x_min (or y_max < y_min) is not a box: raise ValueError."


def _rand_box(rng, lo=0.0, hi=100.0):
    x0, y0 = rng.uniform(lo, hi - 10, size=2)
    w, h = rng.uniform(1, 40, size=2)
    return [
        round(float(x0), 2),
        round(float(y0), 2),
        round(float(x0 + w), 2),
        round(float(y0 + h), 2),
    ]


def _iou_hidden(rng):
    cases = []
    for _ in range(6):
        a = _rand_box(rng)
        b = [v + float(rng.uniform(-8, 8)) for v in a[:2]] + [
            v + float(rng.uniform(-8, 8)) for v in a[2:]
        ]
        b = [min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3])]
        cases.append(Case((a, b), group="overlaps"))
    a = _rand_box(rng)
    s = float(rng.uniform(50, 100))
    cases += [
        Case((a, [a[2] + s, a[3] + s, a[2] + 2 * s, a[3] + 2 * s]), group="edges"),  # disjoint
        Case((a, [a[2] + s, a[1], a[2] + 2 * s, a[3]]), group="edges"),  # disjoint, same rows
        Case((a, [a[2], a[1], a[2] + s, a[3]]), group="edges"),  # touching
        Case(([a[0] - 5, a[1] - 5, a[2] + 5, a[3] + 5], a), group="edges"),  # nested
        Case((a, a), group="edges"),
        Case(([a[0], a[1], a[0], a[3]], a), group="edges"),  # zero width
        Case(([a[0], a[1], a[0], a[1]], [a[0], a[1], a[0], a[1]]), group="edges"),
        Case((a, [a[2], a[1], a[0], a[3]]), group="edges", hint=_IOU_ERRORS),
    ]
    return cases


_CORNER_HINT = "x_min = cx − w/2, y_min = cy − h/2, x_max = cx + w/2, y_max = cy + h/2."
_CORNER_ERRORS = "shape (n, 4) only, widths and heights >= 0: raise ValueError otherwise."


def _centre_boxes(rng, n):
    cxcy = rng.uniform(5, 60, size=(n, 2))
    wh = rng.uniform(0, 30, size=(n, 2))
    return np.round(np.concatenate([cxcy, wh], axis=1), 3)


def _corner_hidden(rng):
    b = _centre_boxes(rng, int(rng.integers(3, 9)))
    b[0, 2] = 0.0
    bad = _centre_boxes(rng, 2)
    bad[1, 3] = -float(rng.uniform(1, 5))
    return [
        Case((b,), group="boxes"),
        Case((_centre_boxes(rng, 1),), group="boxes"),
        Case((np.zeros((0, 4)),), group="boxes"),
        Case((bad,), group="errors", hint=_CORNER_ERRORS),
        Case((_centre_boxes(rng, 3)[:, :3],), group="errors", hint=_CORNER_ERRORS),
    ]


_TARGET_HINT = (
    "convert each corner box to (cx, cy, w, h), divide by the canvas size, and return float32."
)
_TARGET_ERRORS = (
    "the size must be positive and every box inside the canvas [0, size] with "
    "x_min <= x_max, y_min <= y_max: raise ValueError otherwise."
)


def _corner_boxes(rng, n, size):
    x0 = rng.integers(0, size - 10, size=(n, 2))
    wh = rng.integers(1, 10, size=(n, 2))
    return np.concatenate([x0, x0 + wh], axis=1).astype(np.float64)


def _target_hidden(rng):
    size = int(rng.choice([32, 64, 96, 448]))
    b = _corner_boxes(rng, int(rng.integers(3, 8)), size)
    outside = _corner_boxes(rng, 2, size)
    outside[0, 2] = size + float(rng.integers(1, 9))
    flipped = _corner_boxes(rng, 2, size)
    flipped[1, [0, 2]] = flipped[1, [2, 0]]
    return [
        Case((b, size), group="targets"),
        Case((b, float(size) * 2), group="targets"),
        Case((np.array([[0.0, 0.0, size, size]]), size), group="targets"),
        Case((outside, size), group="errors", hint=_TARGET_ERRORS),
        Case((flipped, size), group="errors", hint=_TARGET_ERRORS),
        Case((b, 0), group="errors", hint=_TARGET_ERRORS),
    ]


_LOSS_HINT = (
    "class loss = mean over examples of −log(probability of the true class); box "
    "loss = mean of the squared differences over all 4·n numbers; total = w_class · "
    "class loss + w_box · box loss."
)


def _loss_inputs(rng, n, k):
    logits = rng.normal(size=(n, k))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = rng.integers(0, k, size=n)
    true = rng.uniform(0, 1, size=(n, 4))
    pred = np.clip(true + rng.normal(0, 0.1, size=(n, 4)), 0, 1)
    return probs, labels, pred, true


def _loss_hidden(rng):
    cases = []
    drawn = (round(float(rng.uniform(0.1, 0.9)), 2), round(float(rng.uniform(0.1, 2)), 2))
    for weights in [None, (0.5, 0.5), (1.0, 0.0), (0.0, 1.0), drawn]:
        args = _loss_inputs(rng, int(rng.integers(2, 12)), int(rng.integers(2, 11)))
        kwargs = {} if weights is None else {"loss_weights": weights}
        cases.append(Case(args, kwargs))
    return cases


_LOSS_PUBLIC_RNG = np.random.default_rng(1717)


def _loss_public():
    return [
        Case(_loss_inputs(_LOSS_PUBLIC_RNG, 4, 3)),
        Case(_loss_inputs(_LOSS_PUBLIC_RNG, 6, 10), {"loss_weights": (0.5, 0.5)}),
        Case(_loss_inputs(_LOSS_PUBLIC_RNG, 3, 2), {"loss_weights": (0.2, 0.8)}),
        Case(
            (
                np.array([[0.25, 0.75]]),
                np.array([1]),
                np.array([[0.5, 0.5, 0.2, 0.2]]),
                np.array([[0.5, 0.5, 0.4, 0.2]]),
            ),
        ),
    ]


# The model: weights for its probes, drawn per case like Keras' Glorot-uniform kernels (biases
# not zero, so that a missing bias shows), in the order of the reference's get_weights().


def localizer_weights(rng, input_shape, num_classes):
    h, w = input_shape[0] // 4, input_shape[1] // 4
    shapes = [
        ((3, 3, input_shape[2], 16), 16),
        ((3, 3, 16, 32), 32),
        ((h * w * 32, 64), 64),
        ((64, 4), 4),  # Keras orders a dict of outputs by key: 'box' before 'class'
        ((64, num_classes), num_classes),
    ]
    return _common.glorot_weights(rng, shapes)


def _model_cases(rng, input_shape, num_classes, images=3):
    args = (tuple(input_shape), int(num_classes))
    x = rng.uniform(0, 1, size=(images, *input_shape)).astype(np.float32)
    probes = [
        {"method": "set_weights", "args": [localizer_weights(rng, input_shape, num_classes)]},
        {"method": "predict", "args": [x], "kwargs": {"verbose": 0}},
    ]
    return [
        Case(args, group="layers"),
        Case(
            args,
            group="outputs",
            then=probes,
            label=f"build_localizer{args} with weights set, on random images",
        ),
    ]


def _model_public():
    rng = np.random.default_rng(171)
    return [*_model_cases(rng, (48, 48, 1), 10), *_model_cases(rng, (32, 40, 3), 5)]


def _model_hidden(rng):
    cases = [Case((), group="layers")]
    for _ in range(2):
        h, w = (4 * int(v) for v in rng.integers(6, 15, size=2))
        cases += _model_cases(rng, (h, w, int(rng.integers(1, 4))), int(rng.integers(2, 21)))
    return cases


EXERCISES = [
    Exercise(
        "iou",
        points=3,
        reference=iou,
        judge=judge.Float(rel=1e-9, abs=1e-12),
        public=[Case(pair, hint=_IOU_HINT) for pair in _IOU_EDGES]
        + [Case(([0, 0, 10, 10], [5, 0, 2, 10]), hint=_IOU_ERRORS)],
        hidden=_iou_hidden,
        groups={"overlaps": 1, "edges": 2},
        mistakes=[
            Mistake(
                _iou_no_clip,
                "boxes that do not overlap got a non-zero IoU.",
                "an overlap width or height below 0 means no overlap: clip each at 0.",
            ),
            Mistake(
                _iou_union_is_sum,
                "the union counts the overlap twice.",
                "union = area A + area B − intersection.",
            ),
            Mistake(
                _iou_coverage,
                "this is the share of box_b that box_a covers, not the IoU "
                "(a huge box_a covers all of box_b).",
                "divide the intersection by the union of the two boxes.",
            ),
        ],
        hint=_IOU_HINT,
        no_warnings="a zero-area pair must give 0.0 without dividing by zero.",
    ),
    Exercise(
        "centre_to_corners",
        points=2,
        reference=centre_to_corners,
        judge=judge.Array(atol=1e-9, kinds="f"),
        public=[
            Case((np.array([[30.0, 20.0, 20.0, 20.0]]),), hint=_CORNER_HINT),
            Case((np.array([[32.0, 32.0, 64.0, 64.0], [10.5, 7.0, 3.0, 0.0]]),), hint=_CORNER_HINT),
            Case((np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 9.0, 1.0, 1.0]]),)),
            Case((np.zeros((0, 4)),)),
            Case((np.array([[5.0, 5.0, -2.0, 3.0]]),), hint=_CORNER_ERRORS),
            Case((np.array([1.0, 2.0, 3.0, 4.0]),), hint=_CORNER_ERRORS),
        ],
        hidden=_corner_hidden,
        groups={"boxes": 1, "errors": 1},
        mistakes=[
            Mistake(
                _corners_w_not_halved,
                "(cx, cy) was used as the top-left corner.",
                "the centre is half a width from each side: subtract and add w / 2.",
            ),
            Mistake(
                _corners_xywh_order,
                "the columns are in the order (x_min, x_max, y_min, y_max).",
                "corner format is (x_min, y_min, x_max, y_max).",
            ),
        ],
        hint=_CORNER_HINT,
    ),
    Exercise(
        "box_targets",
        points=2,
        reference=box_targets,
        judge=judge.Array(atol=1e-6, kinds="f", same_dtype=True),
        public=[
            Case((np.array([[20.0, 10.0, 34.0, 40.0]]), 64), hint=_TARGET_HINT),
            Case((np.array([[0.0, 0.0, 64.0, 64.0], [10.0, 20.0, 30.0, 24.0]]), 64)),
            Case((np.array([[100.0, 50.0, 300.0, 250.0]]), 448)),
            Case((np.array([[0.0, 0.0, 70.0, 10.0]]), 64), hint=_TARGET_ERRORS),
            Case((np.array([[30.0, 0.0, 20.0, 10.0]]), 64), hint=_TARGET_ERRORS),
            Case((np.array([[0.0, 0.0, 10.0, 10.0]]), -64), hint=_TARGET_ERRORS),
        ],
        hidden=_target_hidden,
        groups={"targets": 1, "errors": 1},
        mistakes=[
            Mistake(
                _targets_corners,
                "these are normalised corners; the box head predicts (cx, cy, w, h).",
                "convert to centre format before dividing.",
            ),
            Mistake(
                _targets_not_normalised,
                "the targets are in pixels, not divided by the canvas size.",
                "divide by size so that every number is in [0, 1].",
            ),
            Mistake(
                _targets_float64,
                "expected dtype float32 (what Keras trains in), got float64.",
                "convert with .astype(np.float32).",
            ),
        ],
        hint=_TARGET_HINT,
    ),
    Exercise(
        "total_loss",
        points=2,
        reference=total_loss,
        judge=judge.Float(rel=1e-6),
        public=_loss_public(),
        hidden=_loss_hidden,
        mistakes=[
            Mistake(
                _loss_swapped,
                "the two weights are swapped: the first weight is the class loss's.",
                "total = w_class · class loss + w_box · box loss.",
            ),
            Mistake(
                _loss_box_sum,
                "the box loss is summed over the 4 numbers; Keras' MSE averages them.",
                "take the mean over all 4·n squared differences.",
            ),
            Mistake(
                _loss_unweighted,
                "the weights were not applied.",
                "multiply each loss by its weight before adding.",
            ),
        ],
        hint=_LOSS_HINT,
    ),
    Exercise(
        "build_localizer",
        points=3,
        reference=build_localizer,
        judge=judge.Custom("lab17.localizer", {"atol": 1e-4, "rtol": 1e-4}),
        public=_model_public(),
        hidden=_model_hidden,
        groups={"layers": 2, "outputs": 1},
        hint="two Conv2D(…, padding='same', activation='relu') + MaxPooling2D blocks, Flatten, "
        "Dense(64, relu), then two Dense heads named 'class' (softmax) and 'box' (sigmoid), "
        "returned as a dict by keras.Model.",
    ),
]
