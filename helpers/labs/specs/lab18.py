"""Lab 18 (object detection): NMS, YOLO targets, AP, sliding-window counts, HOG length,
RoIAlign sample points, and an error breakdown for diagnosis.

References: ``nms`` is :func:`helpers.boxes.nms` (tested against ``tf.image.non_max_suppression``);
``hog_length`` asks ``skimage.feature.hog`` itself; the others are written here with NumPy.
Hidden cases are drawn per submission, with the edge cases (ties, IoU exactly at the threshold,
centres on cell borders, sizes that leave pixels over) always in.
"""

import numpy as np

from helpers import boxes as bx
from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

# ----------------------------------------------------------------------------- references


def nms(boxes, scores, iou_threshold):
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if len(boxes) != len(scores):
        raise ValueError("one score per box")
    return bx.nms(boxes, scores, iou_threshold=iou_threshold).astype(np.int64)


def yolo_target(box, grid, image_size):
    x0, y0, x1, y1 = (float(v) for v in box)
    if x1 <= x0 or y1 <= y0 or grid < 1 or image_size <= 0:
        raise ValueError("bad box or grid")
    cell = image_size / grid
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    col = min(int(np.floor(cx / cell)), grid - 1)
    row = min(int(np.floor(cy / cell)), grid - 1)
    xywh = np.array(
        [cx / cell - col, cy / cell - row, (x1 - x0) / image_size, (y1 - y0) / image_size]
    )
    return row, col, xywh


def average_precision(tp_flags, n_ground_truth):
    tp = np.asarray(tp_flags, dtype=bool).reshape(-1)
    if n_ground_truth < 1 or tp.sum() > n_ground_truth:
        raise ValueError("need n_ground_truth >= 1 and no more TPs than ground truths")
    if len(tp) == 0:
        return 0.0
    hits = np.cumsum(tp)
    precision = hits / np.arange(1, len(tp) + 1)
    recall = hits / n_ground_truth
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    steps = np.diff(np.concatenate([[0.0], recall]))
    return float(np.sum(steps * envelope))


def window_count(image_size, window, step, scale):
    h, w = image_size
    wh, ww = window
    if step < 1 or scale <= 1 or wh < 1 or ww < 1:
        raise ValueError("step >= 1, scale > 1, window >= 1")
    levels, total, k = 0, 0, 0
    while True:
        lh, lw = round(h / scale**k), round(w / scale**k)
        if lh < wh or lw < ww:
            break
        total += ((lh - wh) // step + 1) * ((lw - ww) // step + 1)
        levels += 1
        k += 1
    return levels, total


def hog_length(image_shape, cell=8, block=2, bins=9):
    from skimage.feature import hog

    h, w = image_shape
    if h // cell < block or w // cell < block:
        raise ValueError("the image holds fewer cells than one block")
    return int(
        hog(
            np.zeros((h, w)),
            orientations=bins,
            pixels_per_cell=(cell, cell),
            cells_per_block=(block, block),
            feature_vector=True,
        ).size
    )


def roi_align_points(box, image_size, feature_size, output_size, samples):
    if output_size < 1 or samples < 1 or image_size <= 0 or feature_size <= 0:
        raise ValueError("sizes must be positive")
    x0, y0, x1, y1 = np.asarray(box, dtype=np.float64) * (feature_size / image_size)
    bw, bh = (x1 - x0) / output_size, (y1 - y0) / output_size
    frac = (np.arange(samples) + 0.5) / samples
    out = np.zeros((output_size, output_size, samples * samples, 2))
    for r in range(output_size):
        for c in range(output_size):
            gx, gy = np.meshgrid(x0 + (c + frac) * bw, y0 + (r + frac) * bh)
            out[r, c] = np.stack([gx.ravel(), gy.ravel()], axis=-1)
    return out


def error_breakdown(pred_boxes, pred_scores, gt_boxes, iou_threshold=0.5):
    pb = np.asarray(pred_boxes, dtype=np.float64).reshape(-1, 4)
    gb = np.asarray(gt_boxes, dtype=np.float64).reshape(-1, 4)
    scores = np.asarray(pred_scores, dtype=np.float64).reshape(-1)
    if len(scores) != len(pb):
        raise ValueError("one score per box")
    counts = {"tp": 0, "duplicate": 0, "background": 0, "missed": 0}
    free = np.ones(len(gb), dtype=bool)
    overlaps = bx.iou_matrix(pb, gb) if len(pb) and len(gb) else np.zeros((len(pb), len(gb)))
    for i in np.argsort(-scores, kind="stable"):
        candidates = np.where(free, overlaps[i], -1.0)
        if len(gb) and candidates.max() >= iou_threshold:
            free[int(np.argmax(candidates))] = False
            counts["tp"] += 1
        elif len(gb) and overlaps[i].max() >= iou_threshold:
            counts["duplicate"] += 1
        else:
            counts["background"] += 1
    counts["missed"] = int(free.sum())
    return counts


# ----------------------------------------------------------------------------- mistakes


def _nms_ge(boxes, scores, iou_threshold):
    b, s = np.asarray(boxes, float), np.asarray(scores, float)
    keep = []
    for i in np.argsort(-s, kind="stable"):
        if all(bx.iou(b[i], b[j]) < iou_threshold for j in keep):
            keep.append(int(i))
    return np.array(keep, dtype=np.int64)


def _nms_given_order(boxes, scores, iou_threshold):
    b = np.asarray(boxes, float)
    keep = []
    for i in range(len(b)):
        if all(bx.iou(b[i], b[j]) <= iou_threshold for j in keep):
            keep.append(i)
    return np.array(keep, dtype=np.int64)


def _target_swapped(box, grid, image_size):
    row, col, xywh = yolo_target(box, grid, image_size)
    return col, row, xywh


def _target_image_relative(box, grid, image_size):
    row, col, xywh = yolo_target(box, grid, image_size)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return row, col, np.array([cx / image_size, cy / image_size, xywh[2], xywh[3]])


def _target_cell_sizes(box, grid, image_size):
    row, col, xywh = yolo_target(box, grid, image_size)
    return row, col, np.array([xywh[0], xywh[1], xywh[2] * grid, xywh[3] * grid])


def _ap_no_envelope(tp_flags, n_ground_truth):
    tp = np.asarray(tp_flags, bool)
    hits = np.cumsum(tp)
    precision = hits / np.arange(1, len(tp) + 1)
    steps = np.diff(np.concatenate([[0.0], hits / n_ground_truth]))
    return float(np.sum(steps * precision))


def _ap_precision_only(tp_flags, n_ground_truth):
    tp = np.asarray(tp_flags, bool)
    return float(tp.sum() / len(tp))


def _windows_no_plus_one(image_size, window, step, scale):
    levels, total, k = 0, 0, 0
    while True:
        lh, lw = round(image_size[0] / scale**k), round(image_size[1] / scale**k)
        if lh < window[0] or lw < window[1]:
            return levels, total
        total += ((lh - window[0]) // step) * ((lw - window[1]) // step)
        levels, k = levels + 1, k + 1


def _windows_first_level(image_size, window, step, scale):
    return window_count(image_size, window, step, 1e9)


def _hog_no_blocks(image_shape, cell=8, block=2, bins=9):
    return (image_shape[0] // cell) * (image_shape[1] // cell) * bins


def _hog_disjoint_blocks(image_shape, cell=8, block=2, bins=9):
    ny, nx = image_shape[0] // cell // block, image_shape[1] // cell // block
    return ny * nx * block * block * bins


def _roi_pooled(box, image_size, feature_size, output_size, samples):
    scaled = np.floor(np.asarray(box, float) * (feature_size / image_size))
    return roi_align_points(scaled, 1, 1, output_size, samples)


def _roi_corners(box, image_size, feature_size, output_size, samples):
    x0, y0, x1, y1 = np.asarray(box, float) * (feature_size / image_size)
    bw, bh = (x1 - x0) / output_size, (y1 - y0) / output_size
    frac = np.arange(samples) / samples
    out = np.zeros((output_size, output_size, samples * samples, 2))
    for r in range(output_size):
        for c in range(output_size):
            gx, gy = np.meshgrid(x0 + (c + frac) * bw, y0 + (r + frac) * bh)
            out[r, c] = np.stack([gx.ravel(), gy.ravel()], axis=-1)
    return out


def _roi_not_scaled(box, image_size, feature_size, output_size, samples):
    return roi_align_points(box, 1, 1, output_size, samples)


def _breakdown_duplicates_background(pred_boxes, pred_scores, gt_boxes, iou_threshold=0.5):
    c = error_breakdown(pred_boxes, pred_scores, gt_boxes, iou_threshold)
    return {**c, "duplicate": 0, "background": c["background"] + c["duplicate"]}


# ----------------------------------------------------------------------------- cases


def _cluster(rng, centre, n, spread, size):
    cx, cy = centre
    out = []
    for _ in range(n):
        w, h = size * rng.uniform(0.7, 1.3, size=2)
        x, y = cx + rng.normal(0, spread), cy + rng.normal(0, spread)
        out.append([x - w / 2, y - h / 2, x + w / 2, y + h / 2])
    return np.round(np.array(out), 2)


_HALF = (np.array([[0.0, 0, 2, 1], [0, 0, 1, 1], [5, 5, 6, 6]]), np.array([0.9, 0.8, 0.7]))


def _nms_hidden(rng):
    cases = []
    for _ in range(4):
        k = int(rng.integers(2, 5))
        parts = [
            _cluster(
                rng,
                rng.uniform(10, 90, size=2),
                int(rng.integers(1, 6)),
                float(rng.uniform(1, 6)),
                float(rng.uniform(10, 30)),
            )
            for _ in range(k)
        ]
        b = np.concatenate(parts)
        s = np.round(rng.uniform(0.05, 1, size=len(b)), 3)
        cases.append(Case((b, s, float(rng.choice([0.3, 0.5, 0.7]))), group="nms"))
    b, s = _HALF
    cases.append(
        Case(
            (b, s[::-1].copy(), 0.5),
            group="nms",
            hint="suppress only when IoU is GREATER than the threshold (0.5 is kept).",
        )
    )
    d = float(np.round(rng.uniform(2, 3), 2))  # A suppresses B, B (suppressed) overlaps C
    chain = np.array([[0.0, 0, 10, 10], [d, 0, 10 + d, 10], [2 * d, 0, 10 + 2 * d, 10]])
    cases.append(
        Case(
            (chain + float(rng.integers(0, 50)), np.array([0.9, 0.8, 0.7]), 0.5),
            group="nms",
            hint="a suppressed box suppresses nothing: compare with the KEPT boxes only.",
        )
    )
    tie = np.round(rng.uniform(0.2, 0.9), 2)
    cases.append(
        Case(
            (
                np.array([[0.0, 0, 10, 10], [1, 1, 11, 11], [0, 0, 10, 10]]),
                np.array([tie, tie, tie]),
                0.5,
            ),
            group="nms",
            hint="equal scores: the earlier index comes first (a stable sort).",
        )
    )
    return cases


def _target_hidden(rng):
    cases = []
    for _ in range(6):
        grid = int(rng.choice([3, 4, 6, 7, 8, 13]))
        size = float(grid * rng.choice([16, 32, 64]))
        w, h = rng.uniform(4, size / 2, size=2)
        x0, y0 = rng.uniform(0, size - w), rng.uniform(0, size - h)
        cases.append(Case((np.round([x0, y0, x0 + w, y0 + h], 1), grid, size)))
    g = int(rng.choice([4, 6, 8]))
    cases.append(
        Case(
            ([0.0, 0.0, 64.0, 32.0], g, 16.0 * g),
            hint="a centre exactly on a cell border belongs to the next cell (floor).",
        )
    )
    cases.append(Case(([90.0, 10.0, 96.0, 40.0], 6, 96.0)))
    return cases


def _ap_hidden(rng):
    cases = []
    for _ in range(6):
        n = int(rng.integers(3, 15))
        flags = rng.random(n) < rng.uniform(0.3, 0.9)
        n_gt = int(flags.sum() + rng.integers(0, 4)) or 1
        cases.append(Case((flags.tolist(), n_gt)))
    cases.append(Case(([False, False], int(rng.integers(1, 4)))))
    cases.append(Case(([True] * 3, 3)))
    cases.append(
        Case(
            ([True, True], 1),
            hint="more true positives than ground truths is impossible: raise ValueError.",
        )
    )
    return cases


def _windows_hidden(rng):
    cases = []
    for _ in range(6):
        wh, ww = int(rng.integers(16, 80)), int(rng.integers(16, 80))
        h, w = int(rng.integers(wh, 500)), int(rng.integers(ww, 500))
        cases.append(
            Case(
                (
                    (h, w),
                    (wh, ww),
                    int(rng.integers(1, 17)),
                    float(rng.choice([1.1, 1.25, 1.5, 2.0])),
                )
            )
        )
    cases.append(Case(((int(rng.integers(64, 70)), 100), (64, 64), 8, 1.5)))
    cases.append(Case(((100, 100), (32, 32), 0, 1.25), hint="the step must be at least 1."))
    return cases


def _hog_hidden(rng):
    cases = []
    for _ in range(6):
        cell = int(rng.choice([4, 6, 8, 16]))
        block = int(rng.choice([1, 2, 3]))
        bins = int(rng.choice([6, 9, 12]))
        h = int(rng.integers(block * cell, 200))
        w = int(rng.integers(block * cell, 200))
        cases.append(Case(((h, w),), {"cell": cell, "block": block, "bins": bins}))
    cases.append(
        Case(
            ((int(rng.integers(8, 16)), 64),),
            {"cell": 8, "block": 2},
            hint="with fewer than `block` cells along a side there is no block: raise ValueError.",
        )
    )
    return cases


def _roi_hidden(rng):
    cases = []
    for _ in range(5):
        image = float(rng.choice([100, 224, 320, 512]))
        feature = float(rng.choice([7, 14, 32, 38]))
        x0, y0 = rng.uniform(0, image / 2, size=2)
        w, h = rng.uniform(image / 10, image / 2, size=2)
        box = np.round([x0, y0, x0 + w, y0 + h], 1)
        cases.append(Case((box, image, feature, int(rng.integers(1, 5)), int(rng.integers(1, 4)))))
    cases.append(
        Case(
            ([0.0, 0.0, 20.0, 20.0], 100.0, 32.0, 2, 2),
            label="roi_align_points(the seed's 6.4 example: 20 px of 100 on a 32-cell map)",
        )
    )
    return cases


_ORDER = (
    np.array([[-2.0, 0, 8, 10], [0.8, 0, 10.8, 10]]),
    np.array([0.6, 0.9]),
    np.array([[0.0, 0, 10, 10], [2, 0, 12, 10]]),
)


def _breakdown_hidden(rng):
    shift = float(rng.integers(0, 60))
    gt = np.array([[10.0, 10, 40, 40], [60, 50, 85, 80]]) + shift
    copies = np.concatenate([gt + rng.normal(0, 1.0, size=gt.shape) for _ in range(3)])
    cases = [
        Case(
            (np.round(copies, 2), np.round(rng.uniform(0.2, 1, size=6), 3), gt),
            hint="the second and third box on a found object are duplicates.",
        ),
        Case(
            (_ORDER[0] + shift, _ORDER[1], _ORDER[2] + shift),
            hint="walk the detections by score, not in the order given.",
        ),
    ]
    for _ in range(5):
        gt = np.concatenate(
            [
                _cluster(rng, rng.uniform(20, 80, size=2), 1, 0, 20)
                for _ in range(int(rng.integers(0, 4)))
            ]
            or [np.zeros((0, 4))]
        )
        preds = [g + rng.normal(0, 2, size=4) for g in gt for _ in range(int(rng.integers(0, 3)))]
        preds += [
            _cluster(rng, rng.uniform(10, 90, size=2), 1, 0, 15)[0]
            for _ in range(int(rng.integers(0, 3)))
        ]
        pb = np.round(np.array(preds).reshape(-1, 4), 2)
        pb[:, 2:] = np.maximum(pb[:, 2:], pb[:, :2] + 1)
        cases.append(Case((pb, np.round(rng.uniform(0.1, 1, size=len(pb)), 3), gt)))
    return cases


_NMS_PUBLIC = [
    Case(
        (
            np.array([[0.0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]]),
            np.array([0.9, 0.8, 0.7]),
            0.5,
        ),
        label="nms(two overlapping boxes and one apart, IoU threshold 0.5)",
    ),
    Case(
        (
            np.array([[0.0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]]),
            np.array([0.6, 0.8, 0.7]),
            0.5,
        ),
        hint="sort by score first: the best box (not the first one) is kept first.",
    ),
    Case((_HALF[0], _HALF[1], 0.5), hint="suppress only when IoU is GREATER than the threshold."),
    Case(
        (
            np.array([[0.0, 0, 10, 10], [2, 0, 12, 10], [4, 0, 14, 10]]),
            np.array([0.9, 0.8, 0.7]),
            0.5,
        ),
        hint="compare with every box kept so far; a suppressed box suppresses nothing.",
    ),
    Case(
        (
            np.array([[0.0, 0, 10, 10], [1, 1, 11, 11], [0, 0, 10, 10]]),
            np.array([0.5, 0.5, 0.5]),
            0.9,
        ),
        hint="equal scores: the earlier index comes first (a stable sort).",
    ),
    Case((np.zeros((0, 4)), np.zeros(0), 0.5), label="nms(no boxes at all)"),
]

EXERCISES = [
    Exercise(
        "nms",
        points=3,
        reference=nms,
        judge=judge.Array(atol=0, kinds="iu"),
        public=_NMS_PUBLIC,
        hidden=_nms_hidden,
        groups={"nms": 3},
        hint="sort by score (stable), walk down, keep a box unless its IoU with a kept box is "
        "greater than the threshold; return the kept indices.",
        mistakes=[
            Mistake(
                _nms_ge,
                "you suppressed boxes whose IoU EQUALS the threshold.",
                "tf.image.non_max_suppression removes a box only when IoU > threshold.",
            ),
            Mistake(
                _nms_given_order,
                "you walked the boxes in the order given, not by score.",
                "start from the highest score (np.argsort(-scores, kind='stable')).",
            ),
        ],
    ),
    Exercise(
        "yolo_target",
        points=2,
        reference=yolo_target,
        judge=judge.Seq(
            [judge.Int(), judge.Int(), judge.Array(atol=1e-9, kinds="f")],
            names=["row", "column", "(x, y, w, h)"],
        ),
        public=[
            Case(([10.0, 20.0, 30.0, 40.0], 6, 96.0)),
            Case(([150.0, 100.0, 250.0, 300.0], 7, 448.0)),
            Case(
                ([0.0, 0.0, 64.0, 32.0], 4, 64.0),
                hint="a centre exactly on a cell border belongs to the next cell (floor).",
            ),
            Case(([90.0, 10.0, 96.0, 40.0], 6, 96.0)),
            Case(([5.0, 5.0, 5.0, 9.0], 4, 64.0), hint="an empty box: raise ValueError."),
        ],
        hidden=_target_hidden,
        hint="find the cell holding the box's centre (floor of centre / cell size); x and y are "
        "measured inside that cell, w and h against the whole image.",
        mistakes=[
            Mistake(
                _target_swapped,
                "you swapped row and column.",
                "the row comes from the y coordinate, the column from x.",
            ),
            Mistake(
                _target_image_relative,
                "x and y are relative to the image, not to the cell.",
                "x, y are the centre's position INSIDE its cell, from 0 to 1.",
            ),
            Mistake(
                _target_cell_sizes,
                "w and h are measured in cells.",
                "YOLO's w and h are fractions of the whole image.",
            ),
        ],
    ),
    Exercise(
        "average_precision",
        points=2,
        reference=average_precision,
        judge=judge.Float(rel=1e-9, abs=1e-12),
        public=[
            Case(([True, True, False, True, False, False, True], 5)),
            Case(([True, False, True, False, True], 3)),
            Case(([False, True, True, True], 6)),
            Case(([True, True, True], 3)),
            Case(([], 2), label="average_precision(no detections, 2 objects)"),
            Case(
                ([True, True], 1),
                hint="more true positives than ground truths is impossible: raise ValueError.",
            ),
        ],
        hidden=_ap_hidden,
        hint="precision and recall after each detection; make precision non-increasing from the "
        "right; sum recall steps × precision.",
        mistakes=[
            Mistake(
                _ap_no_envelope,
                "you used the raw precision, not the interpolated one.",
                "replace each precision by the best precision at this recall or beyond "
                "(a running maximum from the right).",
            ),
            Mistake(
                _ap_precision_only,
                "you returned TP / (TP + FP), the final precision.",
                "AP is the AREA under the precision–recall curve, not one point of it.",
            ),
        ],
    ),
    Exercise(
        "window_count",
        points=2,
        reference=window_count,
        judge=judge.Exact(),
        public=[
            Case(
                ((128, 64), (128, 64), 8, 1.25), label="window_count(one window that fits exactly)"
            ),
            Case(((480, 640), (128, 64), 8, 1.25)),
            Case(((100, 100), (32, 32), 4, 2.0)),
            Case(((96, 96), (28, 28), 4, 1.5)),
            Case(((20, 100), (32, 32), 4, 2.0), label="window_count(the window never fits)"),
            Case(((100, 100), (32, 32), 0, 1.25), hint="the step must be at least 1."),
        ],
        hidden=_windows_hidden,
        hint="level k is round(H / scale**k) × round(W / scale**k); positions per axis are "
        "(size − window) // step + 1.",
        mistakes=[
            Mistake(
                _windows_no_plus_one,
                "you forgot the first position along each axis (+1).",
                "positions = (size − window) // step + 1.",
            ),
            Mistake(
                _windows_first_level,
                "you counted the original image only.",
                "shrink by `scale` again and again while the window still fits.",
            ),
        ],
    ),
    Exercise(
        "hog_length",
        points=2,
        reference=hog_length,
        judge=judge.Int(),
        public=[
            Case(((128, 64),), label="hog_length((128, 64)): Dalal and Triggs' window"),
            Case(((32, 32),)),
            Case(((48, 40),), {"cell": 8, "block": 3, "bins": 9}),
            Case(((100, 70),), {"cell": 6, "block": 2, "bins": 12}),
            Case(((64, 64),), {"cell": 16, "block": 1, "bins": 9}),
            Case(
                ((12, 64),),
                hint="with fewer than `block` cells along a side there is no block: "
                "raise ValueError.",
            ),
        ],
        hidden=_hog_hidden,
        hint="whole cells per side, then overlapping block positions per side (stride one cell); "
        "each block holds block² cells of `bins` numbers.",
        mistakes=[
            Mistake(
                _hog_no_blocks,
                "you counted one histogram per cell, without blocks.",
                "skimage normalizes overlapping blocks: each cell appears in several.",
            ),
            Mistake(
                _hog_disjoint_blocks,
                "your blocks do not overlap.",
                "blocks slide by ONE cell: (cells − block + 1) positions per side.",
            ),
        ],
    ),
    Exercise(
        "roi_align_points",
        points=2,
        reference=roi_align_points,
        judge=judge.Array(atol=1e-9, kinds="f"),
        public=[
            Case(
                ([0.0, 0.0, 20.0, 20.0], 100.0, 32.0, 2, 2),
                label="roi_align_points(the seed's 6.4 example: 20 px of 100 on a 32-cell map)",
            ),
            Case(([10.0, 30.0, 70.0, 50.0], 100.0, 10.0, 2, 1)),
            Case(([16.0, 16.0, 112.0, 80.0], 224.0, 14.0, 3, 2)),
            Case(([0.0, 0.0, 7.0, 7.0], 7.0, 7.0, 1, 3)),
        ],
        hidden=_roi_hidden,
        hint="scale the box by feature_size / image_size WITHOUT rounding; bin (r, c) spans "
        "1/output_size of it; sample at (i + 0.5) / samples of the bin.",
        mistakes=[
            Mistake(
                _roi_pooled,
                "you rounded the region to whole cells: that is RoI pooling.",
                "RoIAlign keeps 6.4 as 6.4.",
            ),
            Mistake(
                _roi_corners,
                "you sampled at the bins' corners.",
                "sample points are spaced regularly INSIDE a bin: (i + 0.5) / samples.",
            ),
            Mistake(
                _roi_not_scaled,
                "you forgot to map the box onto the feature map.",
                "multiply by feature_size / image_size.",
            ),
        ],
    ),
    Exercise(
        "error_breakdown",
        points=2,
        reference=error_breakdown,
        judge=judge.Exact(),
        public=[
            Case(
                (
                    np.array([[0.0, 0, 10, 10], [1, 0, 11, 10], [50, 50, 60, 60]]),
                    np.array([0.9, 0.8, 0.7]),
                    np.array([[0.0, 0, 10, 10], [20, 20, 30, 30]]),
                ),
                label="error_breakdown(a duplicate, a background box and a missed object)",
            ),
            Case(
                (
                    np.array([[0.0, 0, 10, 10], [20, 20, 30, 30]]),
                    np.array([0.5, 0.9]),
                    np.array([[0.0, 0, 10, 10], [20, 20, 30, 30]]),
                )
            ),
            Case((np.zeros((0, 4)), np.zeros(0), np.array([[0.0, 0, 10, 10]]))),
            Case(
                (
                    np.array([[0.0, 0, 10, 10], [0, 0, 10, 10], [0, 1, 10, 11]]),
                    np.array([0.3, 0.9, 0.6]),
                    np.array([[0.0, 0, 10, 10]]),
                )
            ),
            Case((np.array([[0.0, 0, 10, 10]]), np.array([0.4]), np.zeros((0, 4)))),
            Case(_ORDER, hint="walk the detections by score, not in the order given."),
        ],
        hidden=_breakdown_hidden,
        hint="walk the detections by score; a TP claims the free truth it overlaps most (IoU ≥ "
        "threshold); a miss that still overlaps a claimed truth that much is a duplicate.",
        mistakes=[
            Mistake(
                _breakdown_duplicates_background,
                "you counted duplicates as background errors.",
                "a duplicate overlaps an object that a better box has already claimed.",
            ),
        ],
    ),
]
