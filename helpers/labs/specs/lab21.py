"""Lab 21 (faces): the contrastive and triplet losses, a verification threshold chosen on
validation distances, growing a face box for a crop, and the total loss of a two-head model.

Hidden cases are drawn per submission: random pairs with distances on both sides of the margin
(always one exactly at the margin's edge and some beyond it), random triplet batches with
violated and satisfied triplets, random validation distances with ties and a case where every
pair is "different", random boxes near the image's borders, random head losses and weights with
a head that has no weight.
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

# ----------------------------------------------------------------------------- references


def contrastive_loss(y_same, distance, margin=1.0):
    y = np.asarray(y_same, dtype=np.float64)
    d = np.asarray(distance, dtype=np.float64)
    return float(np.mean(y * d**2 + (1 - y) * np.maximum(margin - d, 0.0) ** 2))


def triplet_loss(anchor, positive, negative, margin=0.2):
    a, p, n = (np.asarray(v, dtype=np.float64) for v in (anchor, positive, negative))
    d_pos = np.sum((a - p) ** 2, axis=-1)
    d_neg = np.sum((a - n) ** 2, axis=-1)
    return float(np.mean(np.maximum(d_pos - d_neg + margin, 0.0)))


def _accuracy(d, same, t):
    return float(np.mean((d <= t) == same))


def pick_threshold(distances, same):
    d = np.asarray(distances, dtype=np.float64)
    s = np.asarray(same).astype(bool)
    best_t, best_acc = None, -1.0
    for t in np.unique(d):  # ascending: the smallest threshold wins a tie
        acc = _accuracy(d, s, t)
        if acc > best_acc:
            best_t, best_acc = float(t), acc
    return best_t


def grow_box(box, factor, width, height):
    x1, y1, x2, y2 = (float(v) for v in box)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    hw, hh = (x2 - x1) / 2 * factor, (y2 - y1) / 2 * factor
    return np.array([max(cx - hw, 0.0), max(cy - hh, 0.0),
                     min(cx + hw, float(width)), min(cy + hh, float(height))])  # fmt: skip


def total_loss(losses, weights):
    return float(sum(float(v) * float(weights.get(k, 1.0)) for k, v in losses.items()))


# ----------------------------------------------------------------------------- mistakes


def _contrastive_labels_swapped(y_same, distance, margin=1.0):
    return contrastive_loss(1 - np.asarray(y_same, dtype=np.float64), distance, margin)


def _contrastive_no_hinge(y_same, distance, margin=1.0):
    y, d = np.asarray(y_same, np.float64), np.asarray(distance, np.float64)
    return float(np.mean(y * d**2 + (1 - y) * (margin - d) ** 2))


def _contrastive_not_squared(y_same, distance, margin=1.0):
    y, d = np.asarray(y_same, np.float64), np.asarray(distance, np.float64)
    return float(np.mean(y * d + (1 - y) * np.maximum(margin - d, 0.0)))


def _contrastive_sum(y_same, distance, margin=1.0):
    return contrastive_loss(y_same, distance, margin) * len(np.asarray(distance).reshape(-1))


def _contrastive_half(y_same, distance, margin=1.0):
    return contrastive_loss(y_same, distance, margin) / 2


def _triplet_not_squared(anchor, positive, negative, margin=0.2):
    a, p, n = (np.asarray(v, dtype=np.float64) for v in (anchor, positive, negative))
    d_pos = np.linalg.norm(a - p, axis=-1)
    d_neg = np.linalg.norm(a - n, axis=-1)
    return float(np.mean(np.maximum(d_pos - d_neg + margin, 0.0)))


def _triplet_no_hinge(anchor, positive, negative, margin=0.2):
    a, p, n = (np.asarray(v, dtype=np.float64) for v in (anchor, positive, negative))
    return float(np.mean(np.sum((a - p) ** 2, -1) - np.sum((a - n) ** 2, -1) + margin))


def _triplet_swapped(anchor, positive, negative, margin=0.2):
    return triplet_loss(anchor, negative, positive, margin)


def _triplet_sum(anchor, positive, negative, margin=0.2):
    return triplet_loss(anchor, positive, negative, margin) * len(np.asarray(anchor))


def _triplet_hinge_after_mean(anchor, positive, negative, margin=0.2):
    a, p, n = (np.asarray(v, dtype=np.float64) for v in (anchor, positive, negative))
    gap = np.mean(np.sum((a - p) ** 2, -1) - np.sum((a - n) ** 2, -1))
    return float(max(gap + margin, 0.0))


def _threshold_strict(distances, same):
    d, s = np.asarray(distances, np.float64), np.asarray(same).astype(bool)
    accs = [float(np.mean((d < t) == s)) for t in np.unique(d)]
    return float(np.unique(d)[int(np.argmax(accs))])


def _threshold_largest_tie(distances, same):
    d, s = np.asarray(distances, np.float64), np.asarray(same).astype(bool)
    u = np.unique(d)
    accs = np.array([_accuracy(d, s, t) for t in u])
    return float(u[np.flatnonzero(accs == accs.max())[-1]])


def _threshold_reversed(distances, same):
    d, s = np.asarray(distances, np.float64), np.asarray(same).astype(bool)
    u = np.unique(d)
    accs = [float(np.mean((d >= t) == s)) for t in u]
    return float(u[int(np.argmax(accs))])


def _threshold_median(distances, same):
    return float(np.median(np.asarray(distances, np.float64)))


def _grow_from_corner(box, factor, width, height):
    x1, y1, x2, y2 = (float(v) for v in box)
    return np.array([x1, y1, min(x1 + (x2 - x1) * factor, float(width)),
                     min(y1 + (y2 - y1) * factor, float(height))])  # fmt: skip


def _grow_no_clip(box, factor, width, height):
    x1, y1, x2, y2 = (float(v) for v in box)
    cx, cy, hw, hh = (x1 + x2) / 2, (y1 + y2) / 2, (x2 - x1) / 2 * factor, (y2 - y1) / 2 * factor
    return np.array([cx - hw, cy - hh, cx + hw, cy + hh])


def _grow_double(box, factor, width, height):
    return grow_box(box, 2 * factor, width, height)  # the full width used as the half-width


def _grow_swapped_size(box, factor, width, height):
    return grow_box(box, factor, height, width)


def _total_mean(losses, weights):
    return total_loss(losses, weights) / len(losses)


def _total_missing_zero(losses, weights):
    return float(sum(float(v) * float(weights.get(k, 0.0)) for k, v in losses.items()))


def _total_unweighted(losses, weights):
    return float(sum(float(v) for v in losses.values()))


def _total_normalised(losses, weights):
    w = [float(weights.get(k, 1.0)) for k in losses]
    return total_loss(losses, weights) / sum(w)


# ----------------------------------------------------------------------------- cases


def _pairs(rng, n, margin):
    y = rng.integers(0, 2, n).astype(float)
    d = rng.uniform(0, 1.6 * margin, n)
    return y, d


def _contrastive_hidden(rng):
    cases = []
    for _ in range(6):
        margin = float(rng.choice([0.5, 1.0, 1.5, 2.0]))
        y, d = _pairs(rng, int(rng.integers(3, 30)), margin)
        y[:2] = [0, 1]
        d[0] = margin * float(rng.uniform(1.1, 1.5))  # a different pair beyond the margin
        cases.append(Case((y, d), {"margin": margin}))
    y, d = _pairs(rng, 8, 1.0)
    cases.append(Case((np.zeros(8), d)))  # different pairs only, default margin
    cases.append(Case((np.ones(5), rng.uniform(0, 2, 5)), {"margin": 0.7}))
    cases.append(Case(([0, 0], [1.0, 1.0]), {"margin": 1.0},
                      hint="a different pair exactly at the margin costs nothing."))  # fmt: skip
    return cases


def _triplets(rng, n, dim, scale=1.0):
    a = rng.normal(size=(n, dim))
    p = a + rng.normal(scale=0.5 * scale, size=(n, dim))
    neg = a + rng.normal(scale=scale, size=(n, dim))
    return a, p, neg


def _triplet_hidden(rng):
    cases = []
    for _ in range(6):
        n, dim = int(rng.integers(2, 12)), int(rng.integers(2, 9))
        margin = float(rng.choice([0.1, 0.2, 0.5, 1.0]))
        cases.append(Case(_triplets(rng, n, dim, float(rng.uniform(0.3, 1.5))),
                          {"margin": margin}))  # fmt: skip
    a, p, neg = _triplets(rng, 6, 4)
    cases.append(Case((a, p, neg)))  # default margin
    cases.append(Case((a, a.copy(), a + 5.0), {"margin": 0.3},
                      hint="every triplet satisfied: the loss is 0."))  # fmt: skip
    return cases


def _threshold_pairs(rng, n, overlap):
    same = rng.random(n) < 0.5
    same[:2] = [True, False]
    d = np.where(same, rng.normal(0.6, overlap, n), rng.normal(1.2, overlap, n))
    return np.round(np.abs(d), 3), same.astype(int)


def _threshold_hidden(rng):
    cases = []
    for _ in range(6):
        d, s = _threshold_pairs(rng, int(rng.integers(8, 40)), float(rng.uniform(0.1, 0.5)))
        cases.append(Case((d, s)))
    d, s = _threshold_pairs(rng, 12, 0.3)
    d[3:6] = d[2]  # ties
    cases.append(Case((d, s), hint="equal distances are one candidate threshold."))
    # one pair only decides: the best accuracy is reached by several thresholds
    cases.append(Case((np.array([0.2, 0.4, 0.9, 1.0]), np.array([1, 0, 1, 0])),
                      hint="on a tie, return the smallest threshold."))  # fmt: skip
    return cases


def _box_hidden(rng):
    cases = []
    for _ in range(6):
        w, h = int(rng.integers(60, 400)), int(rng.integers(60, 400))
        bw, bh = float(rng.uniform(10, w / 2)), float(rng.uniform(10, h / 2))
        x1, y1 = float(rng.uniform(0, w - bw)), float(rng.uniform(0, h - bh))
        factor = float(rng.choice([1.1, 1.25, 1.5, 2.0, 0.8]))
        cases.append(Case(([x1, y1, x1 + bw, y1 + bh], factor, w, h)))
    w, h = int(rng.integers(100, 200)), int(rng.integers(220, 300))
    cases.append(Case(([2.0, h - 30.0, 40.0, h - 2.0], 1.5, w, h),
                      hint="clip x to [0, width] and y to [0, height]."))  # fmt: skip
    cases.append(Case(([w - 20.0, 5.0, w - 1.0, 50.0], 2.0, w, h)))
    return cases


def _loss_hidden(rng):
    cases = []
    names = ["age", "gender", "expression", "landmarks"]
    for _ in range(5):
        k = int(rng.integers(2, 5))
        heads = [str(v) for v in rng.choice(names, size=k, replace=False)]
        losses = {h: float(rng.uniform(0.05, 12)) for h in heads}
        weights = {h: float(rng.choice([0.1, 0.5, 1.0, 2.0, 10.0])) for h in heads}
        cases.append(Case((losses, weights)))
    losses = {"age": float(rng.uniform(3, 10)), "gender": float(rng.uniform(0.1, 1))}
    missing = "a head without a weight counts once (Keras' default is 1)."
    cases.append(Case((losses, {"age": 0.1}), hint=missing))
    cases.append(Case((losses, {})))
    return cases


EXERCISES = [
    Exercise(
        "contrastive_loss",
        points=3,
        reference=contrastive_loss,
        judge=judge.Float(rel=1e-9, abs=1e-12),
        public=[
            Case(([1, 0], [0.5, 0.25]), label="contrastive_loss([1, 0], [0.5, 0.25])"),
            Case(
                ([1, 0, 0], [0.5, 0.25, 1.5]),
                {"margin": 1.0},
                hint="a different pair beyond the margin costs nothing.",
            ),
            Case(([0, 1, 0, 1], [0.3, 0.3, 2.5, 0.0]), {"margin": 2.0}),
            Case((np.array([1.0, 1.0, 0.0]), np.array([0.1, 0.9, 0.4])), {"margin": 0.5}),
        ],  # fmt: skip
        hidden=_contrastive_hidden,
        hint="per pair: a same pair pays its squared distance; a different pair pays the "
        "squared shortfall below the margin (never negative); then average.",
        mistakes=[
            Mistake(
                _contrastive_labels_swapped,
                "you treated y = 1 as a *different* pair.",
                "y_same = 1 means same: those pairs are pulled together (d²).",
            ),
            Mistake(
                _contrastive_no_hinge,
                "your different pairs pay even beyond the margin.",
                "a different pair farther than the margin is fine: max(margin − d, 0).",
            ),
            Mistake(
                _contrastive_not_squared,
                "you did not square the terms.",
                "both terms are squares: d² and max(margin − d, 0)².",
            ),
            Mistake(
                _contrastive_sum,
                "you summed over the pairs instead of averaging.",
                "return the mean over the pairs.",
            ),
            Mistake(
                _contrastive_half,
                "you halved the loss (Hadsell et al. write ½; this lab does not).",
                "no factor ½ here: y·d² + (1 − y)·max(m − d, 0)², averaged.",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "triplet_loss",
        points=3,
        reference=triplet_loss,
        judge=judge.Float(rel=1e-9, abs=1e-12),
        public=[
            Case(
                ([[0.0, 0.0]], [[1.0, 0.0]], [[0.0, 2.0]]),
                {"margin": 3.5},
                label="triplet_loss(a=[[0, 0]], p=[[1, 0]], n=[[0, 2]], margin=3.5)",
            ),
            Case(
                ([[0.0, 0.0]], [[1.0, 0.0]], [[0.0, 2.0]]),
                {"margin": 0.2},
                hint="this triplet already meets the margin: its loss is 0.",
            ),
            Case(
                (
                    np.array([[0.0, 0, 0], [1, 1, 1]]),
                    np.array([[0.5, 0, 0], [1, 1, 2]]),
                    np.array([[0.0, 0.6, 0], [3, 1, 1]]),
                ),
                {"margin": 0.5},
            ),
            Case(_triplets(np.random.default_rng(21), 5, 4)),
        ],  # fmt: skip
        hidden=_triplet_hidden,
        hint="per row: squared Euclidean distance anchor–positive and anchor–negative; the "
        "hinge max(·, 0) acts on each triplet before the mean over the batch.",
        mistakes=[
            Mistake(
                _triplet_not_squared,
                "you used plain Euclidean distances.",
                "FaceNet's triplet loss compares SQUARED distances.",
            ),
            Mistake(
                _triplet_no_hinge,
                "you forgot the hinge: satisfied triplets give negative losses.",
                "a triplet that meets the margin costs 0, not less.",
            ),
            Mistake(
                _triplet_swapped,
                "you swapped the positive and the negative.",
                "the positive (same identity) should end up CLOSER to the anchor.",
            ),
            Mistake(
                _triplet_sum,
                "you summed over the triplets instead of averaging.",
                "return the mean over the batch.",
            ),
            Mistake(
                _triplet_hinge_after_mean,
                "you applied the hinge after averaging.",
                "each triplet gets its own max(·, 0), then average.",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "pick_threshold",
        points=3,
        reference=pick_threshold,
        judge=judge.Float(rel=1e-12, abs=1e-12),
        public=[
            Case(
                ([0.1, 0.2, 0.3, 0.35, 0.6, 0.8], [1, 1, 0, 1, 0, 0]),
                label="pick_threshold([0.1, 0.2, 0.3, 0.35, 0.6, 0.8], [1, 1, 0, 1, 0, 0])",
            ),
            Case(([0.5, 0.2, 0.9, 0.1], [1, 1, 0, 1]), hint="the distances need not be sorted."),
            Case(
                ([0.2, 0.4, 0.9, 1.0], [1, 0, 1, 0]),
                hint="several thresholds reach the best accuracy: return the smallest.",
            ),
            Case(([0.3, 0.3, 0.5, 0.7], [1, 0, 1, 0])),
        ],  # fmt: skip
        hidden=_threshold_hidden,
        hint='try each distinct distance t as the threshold ("same" when d ≤ t), score its '
        "accuracy, keep the best; go through the candidates in increasing order.",
        mistakes=[
            Mistake(
                _threshold_strict,
                "you called a pair 'same' only when d < t.",
                "a pair AT the threshold is 'same': d ≤ t.",
            ),
            Mistake(
                _threshold_largest_tie,
                "on a tie you kept the largest threshold.",
                "keep the smallest threshold among the equally accurate ones.",
            ),
            Mistake(
                _threshold_reversed,
                "you called LARGE distances 'same'.",
                "a small distance means similar embeddings: same when d ≤ t.",
            ),
            Mistake(
                _threshold_median,
                "you returned the median distance.",
                "the threshold must maximise the accuracy on these pairs.",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "grow_box",
        points=2,
        reference=grow_box,
        judge=judge.Array(atol=1e-9, kinds="f"),
        public=[
            Case(
                ([10, 20, 30, 60], 1.5, 100, 100),
                label="grow_box([10, 20, 30, 60], 1.5, width=100, height=100)",
            ),
            Case(([177, 66, 272, 161], 1.2, 512, 512)),
            Case(([5, 5, 45, 25], 2.0, 50, 40), hint="clip x to [0, width] and y to [0, height]."),
            Case(([40, 10, 60, 30], 0.5, 80, 40)),
        ],  # fmt: skip
        hidden=_box_hidden,
        hint="keep the centre; multiply the half-width and half-height by the factor; then "
        "clip each corner to the image.",
        mistakes=[
            Mistake(
                _grow_from_corner,
                "you grew the box from its top-left corner.",
                "the centre stays where it is; both sides move.",
            ),
            Mistake(
                _grow_no_clip,
                "your box sticks out of the image.",
                "clip x to [0, width] and y to [0, height].",
            ),
            Mistake(
                _grow_double,
                "your box grew twice as much as asked (the full width used as the half-width).",
                "multiply the HALF-width and half-height (each side moves by half).",
            ),
            Mistake(
                _grow_swapped_size,
                "you clipped x with the height and y with the width.",
                "x runs along the width, y along the height.",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "total_loss",
        points=2,
        reference=total_loss,
        judge=judge.Float(rel=1e-9, abs=1e-12),
        public=[
            Case(
                ({"age": 6.0, "gender": 0.4}, {"age": 0.1, "gender": 1.0}),
                label="total_loss({'age': 6.0, 'gender': 0.4}, {'age': 0.1, 'gender': 1.0})",
            ),
            Case(
                (
                    {"age": 2.5, "gender": 0.7, "expression": 1.2},
                    {"age": 0.5, "gender": 2.0, "expression": 1.0},
                )
            ),
            Case(
                ({"age": 3.0, "gender": 0.5}, {"age": 0.1}),
                hint="a head without a weight counts once (Keras' default is 1).",
            ),
        ],  # fmt: skip
        hidden=_loss_hidden,
        hint="multiply each head's loss by its weight (1 when none is given) and add them up.",
        mistakes=[
            Mistake(_total_mean, "you averaged the weighted losses.", "Keras minimises their SUM."),
            Mistake(
                _total_missing_zero,
                "a head without a weight counted 0.",
                "a missing weight is 1, Keras' default.",
            ),
            Mistake(
                _total_unweighted,
                "you ignored the weights.",
                "each loss is multiplied by its head's weight.",
            ),
            Mistake(
                _total_normalised,
                "you divided by the sum of the weights.",
                "no normalisation: the plain weighted sum.",
            ),
        ],  # fmt: skip
    ),
]
