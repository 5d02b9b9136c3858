"""Lab 21 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import numpy as np

from helpers.labs.spec import Mutant


def contrastive_loss(y_same, distance, margin=1.0):
    y = np.asarray(y_same, dtype=float)
    d = np.asarray(distance, dtype=float)
    same_part = y * d**2
    different_part = (1 - y) * np.maximum(margin - d, 0) ** 2
    return float(np.mean(same_part + different_part))


def triplet_loss(anchor, positive, negative, margin=0.2):
    a, p, n = np.asarray(anchor, float), np.asarray(positive, float), np.asarray(negative, float)
    d_ap = ((a - p) ** 2).sum(axis=1)
    d_an = ((a - n) ** 2).sum(axis=1)
    return float(np.maximum(d_ap - d_an + margin, 0).mean())


def pick_threshold(distances, same):
    d = np.asarray(distances, dtype=float)
    s = np.asarray(same, dtype=bool)
    best_t, best_acc = None, -1.0
    for t in np.sort(np.unique(d)):
        acc = np.mean((d <= t) == s)
        if acc > best_acc:
            best_t, best_acc = float(t), acc
    return best_t


def grow_box(box, factor, width, height):
    x1, y1, x2, y2 = box
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    half_w, half_h = (x2 - x1) / 2 * factor, (y2 - y1) / 2 * factor
    out = np.array([cx - half_w, cy - half_h, cx + half_w, cy + half_h], dtype=float)
    out[[0, 2]] = np.clip(out[[0, 2]], 0, width)
    out[[1, 3]] = np.clip(out[[1, 3]], 0, height)
    return out


def total_loss(losses, weights):
    return float(sum(value * weights.get(name, 1.0) for name, value in losses.items()))


SOLUTION = {f.__name__: f for f in (contrastive_loss, triplet_loss, pick_threshold, grow_box,
                                    total_loss)}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def contrastive_swapped(y_same, distance, margin=1.0):
    return contrastive_loss(1 - np.asarray(y_same, float), distance, margin)


def contrastive_no_hinge(y_same, distance, margin=1.0):
    y, d = np.asarray(y_same, float), np.asarray(distance, float)
    return float(np.mean(y * d**2 + (1 - y) * (margin - d) ** 2))


def contrastive_not_squared(y_same, distance, margin=1.0):
    y, d = np.asarray(y_same, float), np.asarray(distance, float)
    return float(np.mean(y * d + (1 - y) * np.maximum(margin - d, 0)))


def contrastive_sum(y_same, distance, margin=1.0):
    y, d = np.asarray(y_same, float), np.asarray(distance, float)
    return float(np.sum(y * d**2 + (1 - y) * np.maximum(margin - d, 0) ** 2))


def contrastive_ignores_margin(y_same, distance, margin=1.0):
    return contrastive_loss(y_same, distance, 1.0)


def triplet_not_squared(anchor, positive, negative, margin=0.2):
    a, p, n = np.asarray(anchor, float), np.asarray(positive, float), np.asarray(negative, float)
    d_ap = np.linalg.norm(a - p, axis=1)
    d_an = np.linalg.norm(a - n, axis=1)
    return float(np.maximum(d_ap - d_an + margin, 0).mean())


def triplet_no_hinge(anchor, positive, negative, margin=0.2):
    a, p, n = np.asarray(anchor, float), np.asarray(positive, float), np.asarray(negative, float)
    return float((((a - p) ** 2).sum(1) - ((a - n) ** 2).sum(1) + margin).mean())


def triplet_swapped(anchor, positive, negative, margin=0.2):
    return triplet_loss(anchor, negative, positive, margin)


def triplet_wrong_axis(anchor, positive, negative, margin=0.2):
    a, p, n = np.asarray(anchor, float), np.asarray(positive, float), np.asarray(negative, float)
    d_ap = ((a - p) ** 2).sum(axis=0)
    d_an = ((a - n) ** 2).sum(axis=0)
    return float(np.maximum(d_ap - d_an + margin, 0).mean())


def triplet_hinge_after_mean(anchor, positive, negative, margin=0.2):
    a, p, n = np.asarray(anchor, float), np.asarray(positive, float), np.asarray(negative, float)
    return float(max((((a - p) ** 2).sum(1) - ((a - n) ** 2).sum(1)).mean() + margin, 0))


def threshold_strict(distances, same):
    d, s = np.asarray(distances, float), np.asarray(same, bool)
    cands = np.unique(d)
    accs = [np.mean((d < t) == s) for t in cands]
    return float(cands[int(np.argmax(accs))])


def threshold_largest_on_tie(distances, same):
    d, s = np.asarray(distances, float), np.asarray(same, bool)
    best_t, best_acc = None, -1.0
    for t in np.unique(d):
        acc = np.mean((d <= t) == s)
        if acc >= best_acc:
            best_t, best_acc = float(t), acc
    return best_t


def threshold_reversed(distances, same):
    d, s = np.asarray(distances, float), np.asarray(same, bool)
    cands = np.unique(d)
    accs = [np.mean((d >= t) == s) for t in cands]
    return float(cands[int(np.argmax(accs))])


def threshold_returns_accuracy(distances, same):
    d, s = np.asarray(distances, float), np.asarray(same, bool)
    return float(max(np.mean((d <= t) == s) for t in np.unique(d)))


def threshold_mean_of_sames(distances, same):
    d, s = np.asarray(distances, float), np.asarray(same, bool)
    return float(d[s].max())


def box_from_corner(box, factor, width, height):
    x1, y1, x2, y2 = box
    return np.array([x1, y1, min(x1 + (x2 - x1) * factor, width),
                     min(y1 + (y2 - y1) * factor, height)], dtype=float)  # fmt: skip


def box_no_clip(box, factor, width, height):
    x1, y1, x2, y2 = box
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    hw, hh = (x2 - x1) / 2 * factor, (y2 - y1) / 2 * factor
    return np.array([cx - hw, cy - hh, cx + hw, cy + hh], dtype=float)


def box_full_width(box, factor, width, height):
    return grow_box(box, 2 * factor, width, height)


def box_swapped_clip(box, factor, width, height):
    return grow_box(box, factor, height, width)


def box_integer(box, factor, width, height):
    return grow_box(box, factor, width, height).round().astype(int)


def total_mean(losses, weights):
    return total_loss(losses, weights) / len(losses)


def total_missing_zero(losses, weights):
    return float(sum(v * weights.get(k, 0.0) for k, v in losses.items()))


def total_unweighted(losses, weights):
    return float(sum(losses.values()))


def total_normalised(losses, weights):
    return total_loss(losses, weights) / sum(weights.get(k, 1.0) for k in losses)


MUTANTS = [
    Mutant("contrastive_loss", "labels swapped", contrastive_swapped, says="different* pair"),
    Mutant("contrastive_loss", "no hinge on the margin", contrastive_no_hinge,
           says="beyond the margin"),
    Mutant("contrastive_loss", "not squared", contrastive_not_squared, says="did not square"),
    Mutant("contrastive_loss", "sum instead of mean", contrastive_sum, says="summed"),
    Mutant("contrastive_loss", "ignores the margin argument", contrastive_ignores_margin),
    Mutant("triplet_loss", "plain distances", triplet_not_squared, says="plain Euclidean"),
    Mutant("triplet_loss", "no hinge", triplet_no_hinge, says="forgot the hinge"),
    Mutant("triplet_loss", "positive and negative swapped", triplet_swapped, says="swapped"),
    Mutant("triplet_loss", "distances over the batch axis", triplet_wrong_axis),
    Mutant("triplet_loss", "hinge after the mean", triplet_hinge_after_mean,
           says="hinge"),
    Mutant("pick_threshold", "d < t", threshold_strict, says="d < t"),
    Mutant("pick_threshold", "largest on a tie", threshold_largest_on_tie, says="largest"),
    Mutant("pick_threshold", "large distance = same", threshold_reversed, says="LARGE"),
    Mutant("pick_threshold", "returns the accuracy", threshold_returns_accuracy),
    Mutant("pick_threshold", "largest same-pair distance", threshold_mean_of_sames),
    Mutant("grow_box", "grows from the corner", box_from_corner, says="top-left corner"),
    Mutant("grow_box", "no clipping", box_no_clip, says="sticks out"),
    Mutant("grow_box", "full width as half-width", box_full_width, says="twice as much"),
    Mutant("grow_box", "clip with swapped sizes", box_swapped_clip),
    Mutant("grow_box", "rounded to integers", box_integer),
    Mutant("total_loss", "mean instead of sum", total_mean, says="averaged"),
    Mutant("total_loss", "missing weight = 0", total_missing_zero, says="counted 0"),
    Mutant("total_loss", "weights ignored", total_unweighted, says="ignored the weights"),
    Mutant("total_loss", "divided by the weights", total_normalised, says="sum of the weights"),
]  # fmt: skip
