"""Lab 18 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import numpy as np
from skimage.feature import hog

from helpers.labs.spec import Mutant


def _iou(a, b):
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def nms(boxes, scores, iou_threshold):
    boxes, scores = np.asarray(boxes, float), np.asarray(scores, float)
    if len(boxes) != len(scores):
        raise ValueError("one score per box")
    keep = []
    for i in np.argsort(-scores, kind="stable"):
        if all(_iou(boxes[i], boxes[j]) <= iou_threshold for j in keep):
            keep.append(int(i))
    return np.array(keep, dtype=np.int64)


def yolo_target(box, grid, image_size):
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        raise ValueError("empty box")
    cell = image_size / grid
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    col, row = min(int(cx // cell), grid - 1), min(int(cy // cell), grid - 1)
    return (
        row,
        col,
        np.array(
            [cx / cell - col, cy / cell - row, (x1 - x0) / image_size, (y1 - y0) / image_size]
        ),
    )


def average_precision(tp_flags, n_ground_truth):
    tp = np.asarray(tp_flags, dtype=bool)
    if n_ground_truth < 1 or tp.sum() > n_ground_truth:
        raise ValueError("impossible")
    if tp.size == 0:
        return 0.0
    hits = np.cumsum(tp)
    precision = hits / np.arange(1, tp.size + 1)
    recall = hits / n_ground_truth
    best = np.maximum.accumulate(precision[::-1])[::-1]
    return float(np.sum(np.diff(recall, prepend=0.0) * best))


def window_count(image_size, window, step, scale):
    if step < 1:
        raise ValueError("step")
    levels = total = 0
    while True:
        h, w = round(image_size[0] / scale**levels), round(image_size[1] / scale**levels)
        if h < window[0] or w < window[1]:
            return levels, total
        total += ((h - window[0]) // step + 1) * ((w - window[1]) // step + 1)
        levels += 1


def hog_length(image_shape, cell=8, block=2, bins=9):
    ny, nx = image_shape[0] // cell, image_shape[1] // cell
    if ny < block or nx < block:
        raise ValueError("too small")
    return (ny - block + 1) * (nx - block + 1) * block * block * bins


def roi_align_points(box, image_size, feature_size, output_size, samples):
    x0, y0, x1, y1 = np.asarray(box, float) * feature_size / image_size
    bw, bh = (x1 - x0) / output_size, (y1 - y0) / output_size
    out = np.zeros((output_size, output_size, samples * samples, 2))
    for r in range(output_size):
        for c in range(output_size):
            k = 0
            for i in range(samples):
                for j in range(samples):
                    out[r, c, k] = [
                        x0 + (c + (j + 0.5) / samples) * bw,
                        y0 + (r + (i + 0.5) / samples) * bh,
                    ]
                    k += 1
    return out


def error_breakdown(pred_boxes, pred_scores, gt_boxes, iou_threshold=0.5):
    pred_boxes, gt_boxes = np.asarray(pred_boxes, float), np.asarray(gt_boxes, float)
    claimed = [False] * len(gt_boxes)
    out = {"tp": 0, "duplicate": 0, "background": 0, "missed": 0}
    for i in np.argsort(-np.asarray(pred_scores, float), kind="stable"):
        ious = [_iou(pred_boxes[i], g) for g in gt_boxes]
        free = [v if not claimed[j] else -1 for j, v in enumerate(ious)]
        if free and max(free) >= iou_threshold:
            claimed[int(np.argmax(free))] = True
            out["tp"] += 1
        elif ious and max(ious) >= iou_threshold:
            out["duplicate"] += 1
        else:
            out["background"] += 1
    out["missed"] = claimed.count(False)
    return out


SOLUTION = {
    f.__name__: f
    for f in (
        nms,
        yolo_target,
        average_precision,
        window_count,
        hog_length,
        roi_align_points,
        error_breakdown,
    )
}
assert hog_length((128, 64)) == hog(np.zeros((128, 64)), cells_per_block=(2, 2)).size == 3780


# ----------------------------------------------------------------------------- mutants


def nms_ge(boxes, scores, iou_threshold):
    keep = []
    for i in np.argsort(-np.asarray(scores, float), kind="stable"):
        if all(_iou(boxes[i], boxes[j]) < iou_threshold for j in keep):
            keep.append(int(i))
    return np.array(keep, dtype=np.int64)


def nms_unsorted(boxes, scores, iou_threshold):
    keep = []
    for i in range(len(boxes)):
        if all(_iou(boxes[i], boxes[j]) <= iou_threshold for j in keep):
            keep.append(i)
    return np.array(keep, dtype=np.int64)


def nms_compares_with_all(boxes, scores, iou_threshold):
    """Suppresses against every higher-scoring box, even one that was itself suppressed."""
    order = np.argsort(-np.asarray(scores, float), kind="stable")
    keep = []
    for n, i in enumerate(order):
        if all(_iou(boxes[i], boxes[j]) <= iou_threshold for j in order[:n]):
            keep.append(int(i))
    return np.array(keep, dtype=np.int64)


def target_swapped(box, grid, image_size):
    row, col, xywh = yolo_target(box, grid, image_size)
    return col, row, xywh


def target_image_relative(box, grid, image_size):
    row, col, xywh = yolo_target(box, grid, image_size)
    return (
        row,
        col,
        np.array(
            [
                (box[0] + box[2]) / 2 / image_size,
                (box[1] + box[3]) / 2 / image_size,
                xywh[2],
                xywh[3],
            ]
        ),
    )


def target_round(box, grid, image_size):
    cell = image_size / grid
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    col, row = min(round(cx / cell), grid - 1), min(round(cy / cell), grid - 1)
    return (
        row,
        col,
        np.array(
            [
                cx / cell - col,
                cy / cell - row,
                (box[2] - box[0]) / image_size,
                (box[3] - box[1]) / image_size,
            ]
        ),
    )


def ap_raw_precision(tp_flags, n_ground_truth):
    tp = np.asarray(tp_flags, dtype=bool)
    hits = np.cumsum(tp)
    precision = hits / np.arange(1, tp.size + 1)
    return float(np.sum(np.diff(hits / n_ground_truth, prepend=0.0) * precision))


def ap_final_precision(tp_flags, n_ground_truth):
    tp = np.asarray(tp_flags, dtype=bool)
    return float(tp.sum() / max(tp.size, 1))


def ap_eleven_points(tp_flags, n_ground_truth):
    tp = np.asarray(tp_flags, dtype=bool)
    if tp.size == 0:
        return 0.0
    hits = np.cumsum(tp)
    precision, recall = hits / np.arange(1, tp.size + 1), hits / n_ground_truth
    return float(
        np.mean(
            [
                precision[recall >= t].max() if (recall >= t).any() else 0.0
                for t in np.linspace(0, 1, 11)
            ]
        )
    )


def windows_without_plus_one(image_size, window, step, scale):
    levels = total = 0
    while True:
        h, w = round(image_size[0] / scale**levels), round(image_size[1] / scale**levels)
        if h < window[0] or w < window[1]:
            return levels, total
        total += ((h - window[0]) // step) * ((w - window[1]) // step)
        levels += 1


def windows_truncate(image_size, window, step, scale):
    if step < 1:
        raise ValueError("step")
    levels = total = 0
    while True:
        h, w = int(image_size[0] / scale**levels), int(image_size[1] / scale**levels)
        if h < window[0] or w < window[1]:
            return levels, total
        total += ((h - window[0]) // step + 1) * ((w - window[1]) // step + 1)
        levels += 1


def hog_per_cell(image_shape, cell=8, block=2, bins=9):
    return (image_shape[0] // cell) * (image_shape[1] // cell) * bins


def hog_disjoint(image_shape, cell=8, block=2, bins=9):
    return (image_shape[0] // cell // block) * (image_shape[1] // cell // block) * block**2 * bins


def roi_rounded(box, image_size, feature_size, output_size, samples):
    scaled = np.floor(np.asarray(box, float) * feature_size / image_size)
    return roi_align_points(scaled, 1.0, 1.0, output_size, samples)


def roi_corners(box, image_size, feature_size, output_size, samples):
    out = roi_align_points(box, image_size, feature_size, output_size, samples)
    x0, y0, x1, y1 = np.asarray(box, float) * feature_size / image_size
    half = np.array([(x1 - x0), (y1 - y0)]) / output_size / samples / 2
    return out - half


def roi_xy_swapped(box, image_size, feature_size, output_size, samples):
    return roi_align_points(box, image_size, feature_size, output_size, samples)[..., ::-1].copy()


def breakdown_no_duplicates(pred_boxes, pred_scores, gt_boxes, iou_threshold=0.5):
    c = error_breakdown(pred_boxes, pred_scores, gt_boxes, iou_threshold)
    return {**c, "duplicate": 0, "background": c["background"] + c["duplicate"]}


def breakdown_in_given_order(pred_boxes, pred_scores, gt_boxes, iou_threshold=0.5):
    return error_breakdown(pred_boxes, np.arange(len(pred_scores), 0, -1), gt_boxes, iou_threshold)


MUTANTS = [
    Mutant("nms", "suppresses at IoU == threshold", nms_ge, says="EQUALS the threshold"),
    Mutant("nms", "walks in the given order", nms_unsorted, says="order given"),
    Mutant("nms", "suppressed boxes still suppress", nms_compares_with_all),
    Mutant("nms", "returns a list", lambda b, s, t: nms(b, s, t).tolist(), says="NumPy array"),
    Mutant("yolo_target", "row and column swapped", target_swapped, says="swapped row and column"),
    Mutant(
        "yolo_target",
        "x, y relative to the image",
        target_image_relative,
        says="relative to the image",
    ),
    Mutant("yolo_target", "rounds to the nearest cell", target_round),
    Mutant("average_precision", "no interpolation", ap_raw_precision, says="raw precision"),
    Mutant("average_precision", "TP / (TP + FP)", ap_final_precision, says="final precision"),
    Mutant("average_precision", "VOC2007 11 points", ap_eleven_points),
    Mutant("window_count", "no +1", windows_without_plus_one, says="first position"),
    Mutant("window_count", "truncates level sizes", windows_truncate),
    Mutant(
        "window_count",
        "first level only",
        lambda size, window, step, scale: window_count(size, window, step, 1e9),
        says="original image only",
    ),
    Mutant("hog_length", "one histogram per cell", hog_per_cell, says="without blocks"),
    Mutant("hog_length", "disjoint blocks", hog_disjoint, says="do not overlap"),
    Mutant("roi_align_points", "RoI pooling's rounding", roi_rounded, says="RoI pooling"),
    Mutant("roi_align_points", "bin corners", roi_corners, says="corners"),
    Mutant("roi_align_points", "(y, x) instead of (x, y)", roi_xy_swapped),
    Mutant(
        "error_breakdown",
        "duplicates as background",
        breakdown_no_duplicates,
        says="duplicates as background",
    ),
    Mutant("error_breakdown", "ignores the scores", breakdown_in_given_order),
]
