"""Lab 14 (what CNNs learn): the arithmetic of saliency, Grad-CAM and feature-space retrieval.

Pure NumPy exercises on arrays that stand for gradients, feature maps and latent features, so
they grade in milliseconds and hide well: hidden cases draw new shapes and values per
submission, and always include the edge cases (a map with no positive evidence, negative
gradients, vectors of very different lengths).
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

# ----------------------------------------------------------------------------- references


def saliency_from_gradient(grad):
    g = np.asarray(grad, dtype=np.float64)
    if g.ndim != 3:
        raise ValueError("expected a gradient of shape (H, W, C)")
    return np.abs(g).max(axis=-1)


def channel_weights(grads):
    g = np.asarray(grads, dtype=np.float64)
    if g.ndim != 3:
        raise ValueError("expected gradients of shape (h, w, K)")
    return g.mean(axis=(0, 1))


def grad_cam_map(maps, grads):
    a = np.asarray(maps, dtype=np.float64)
    g = np.asarray(grads, dtype=np.float64)
    if a.ndim != 3 or a.shape != g.shape:
        raise ValueError("maps and grads must both have shape (h, w, K)")
    cam = np.maximum((a * g.mean(axis=(0, 1))).sum(axis=-1), 0.0)
    top = cam.max()
    return cam / top if top > 0 else np.zeros_like(cam)


def upsample_nearest(heatmap, factor):
    h = np.asarray(heatmap)
    if h.ndim != 2 or factor < 1:
        raise ValueError("a 2-D map and a factor >= 1")
    return np.repeat(np.repeat(h, factor, axis=0), factor, axis=1)


def cosine_top_k(bank, query, k):
    b = np.asarray(bank, dtype=np.float64)
    q = np.asarray(query, dtype=np.float64)
    if not 1 <= k <= len(b):
        raise ValueError("k must be between 1 and the number of rows")
    sims = (b @ q) / (np.linalg.norm(b, axis=1) * np.linalg.norm(q))
    return np.argsort(-sims, kind="stable")[:k]


def one_nn_accuracy(train_x, train_y, test_x, test_y):
    a = np.asarray(train_x, dtype=np.float64)
    b = np.asarray(test_x, dtype=np.float64)
    d = ((b[:, None, :] - a[None, :, :]) ** 2).sum(axis=-1)
    pred = np.asarray(train_y)[np.argmin(d, axis=1)]
    return float(np.mean(pred == np.asarray(test_y)))


# ----------------------------------------------------------------------------- mistakes


def _signed_max(grad):
    return np.asarray(grad, dtype=np.float64).max(axis=-1)


def _mean_abs(grad):
    return np.abs(np.asarray(grad, dtype=np.float64)).mean(axis=-1)


def _abs_of_sum(grad):
    return np.abs(np.asarray(grad, dtype=np.float64).sum(axis=-1))


def _summed_weights(grads):
    return np.asarray(grads, dtype=np.float64).sum(axis=(0, 1))


def _abs_weights(grads):
    return np.abs(np.asarray(grads, dtype=np.float64)).mean(axis=(0, 1))


def _cam_no_relu(maps, grads):
    cam = (np.asarray(maps, float) * np.asarray(grads, float).mean(axis=(0, 1))).sum(axis=-1)
    lo, hi = cam.min(), cam.max()
    return (cam - lo) / (hi - lo) if hi > lo else np.zeros_like(cam)


def _cam_not_normalised(maps, grads):
    a, g = np.asarray(maps, float), np.asarray(grads, float)
    return np.maximum((a * g.mean(axis=(0, 1))).sum(axis=-1), 0.0)


def _cam_pointwise(maps, grads):
    cam = np.maximum((np.asarray(maps, float) * np.asarray(grads, float)).sum(axis=-1), 0.0)
    return cam / cam.max() if cam.max() > 0 else np.zeros_like(cam)


def _cam_abs(maps, grads):
    cam = np.abs((np.asarray(maps, float) * np.asarray(grads, float).mean(axis=(0, 1))).sum(-1))
    return cam / cam.max() if cam.max() > 0 else np.zeros_like(cam)


def _tiled(heatmap, factor):
    return np.tile(np.asarray(heatmap), (factor, factor))


def _rows_only(heatmap, factor):
    return np.repeat(np.asarray(heatmap), factor, axis=0)


def _euclidean_top_k(bank, query, k):
    d = np.linalg.norm(np.asarray(bank, float) - np.asarray(query, float), axis=1)
    return np.argsort(d, kind="stable")[:k]


def _dot_top_k(bank, query, k):
    return np.argsort(-(np.asarray(bank, float) @ np.asarray(query, float)), kind="stable")[:k]


def _least_similar(bank, query, k):
    b, q = np.asarray(bank, float), np.asarray(query, float)
    sims = (b @ q) / (np.linalg.norm(b, axis=1) * np.linalg.norm(q))
    return np.argsort(sims, kind="stable")[:k]


def _nn_count(train_x, train_y, test_x, test_y):
    return one_nn_accuracy(train_x, train_y, test_x, test_y) * len(test_y)


def _farthest(train_x, train_y, test_x, test_y):
    a, b = np.asarray(train_x, float), np.asarray(test_x, float)
    d = ((b[:, None, :] - a[None, :, :]) ** 2).sum(axis=-1)
    return float(np.mean(np.asarray(train_y)[np.argmax(d, axis=1)] == np.asarray(test_y)))


def _cosine_nn(train_x, train_y, test_x, test_y):
    a, b = np.asarray(train_x, float), np.asarray(test_x, float)
    s = (b @ a.T) / np.outer(np.linalg.norm(b, axis=1), np.linalg.norm(a, axis=1))
    return float(np.mean(np.asarray(train_y)[np.argmax(s, axis=1)] == np.asarray(test_y)))


# ----------------------------------------------------------------------------- cases

_R = np.random.default_rng  # fixed public inputs: a seeded generator per case


def _grad(rng, shape):
    return np.round(rng.normal(size=shape), 3)


_SAL_HINT = "take np.abs first, then the largest value over the last axis (the channels)."


def _sal_hidden(rng):
    cases = [Case((_grad(rng, (int(rng.integers(2, 9)), int(rng.integers(2, 9)), c)),))
             for c in (1, 3, 3, int(rng.integers(2, 6)))]  # fmt: skip
    neg = -np.abs(_grad(rng, (3, 4, 3)))  # only negative gradients: the sign must not matter
    cases.append(Case((neg,), hint="a large negative gradient matters as much as a positive one."))
    cases.append(Case((np.zeros((2, 2)),), group="errors",
                      hint="a gradient without a channel axis: raise ValueError."))  # fmt: skip
    return cases


_ALPHA_HINT = "the mean over the two spatial axes (0 and 1): one number per channel."


def _alpha_hidden(rng):
    cases = [Case((_grad(rng, (int(rng.integers(2, 8)), int(rng.integers(2, 8)),
                               int(rng.integers(1, 9)))),)) for _ in range(4)]  # fmt: skip
    cases.append(Case((_grad(rng, (7, 7, int(rng.integers(10, 40)))),)))
    cases.append(Case((np.ones((4, 5)),), group="errors",
                      hint="gradients without a channel axis: raise ValueError."))  # fmt: skip
    return cases


_CAM_HINT = ("weight each map by its channel weight (exercise 2), sum over the channels, "
             "apply a ReLU, then scale to a maximum of 1 (zeros when it is 0).")  # fmt: skip


def _maps(rng, shape):
    return np.round(np.maximum(rng.normal(size=shape), 0), 3)  # ReLU maps: non-negative


def _cam_hidden(rng):
    cases = []
    for _ in range(4):
        shape = (int(rng.integers(2, 8)), int(rng.integers(2, 8)), int(rng.integers(2, 7)))
        cases.append(Case((_maps(rng, shape), _grad(rng, shape))))
    shape = (int(rng.integers(2, 6)), int(rng.integers(2, 6)), 3)
    cases.append(Case((_maps(rng, shape), -np.abs(_grad(rng, shape)) - 0.01),
                      hint="when no place raises the score, the ReLU leaves only zeros: "
                           "return zeros (no division by 0)."))  # fmt: skip
    cases.append(Case((np.ones((3, 3, 2)), np.ones((3, 3, 3))), group="errors",
                      hint="maps and grads of different shapes: raise ValueError."))  # fmt: skip
    return cases


_UP_HINT = "repeat every row `factor` times (axis 0), then every column (axis 1): np.repeat."


def _up_hidden(rng):
    cases = [Case((np.round(rng.uniform(size=(int(rng.integers(1, 6)), int(rng.integers(2, 6)))),
                            2), int(rng.integers(2, 5)))) for _ in range(4)]  # fmt: skip
    cases.append(Case((rng.integers(0, 9, size=(2, 3)), 1), hint="factor 1 keeps the map."))
    cases.append(Case((np.ones((2, 2)), 0), group="errors",
                      hint="a factor below 1 makes no sense: raise ValueError."))  # fmt: skip
    return cases


_TOPK_HINT = ("cosine similarity: the dot product divided by both lengths; sort from the "
              "largest (np.argsort sorts ascending) and keep the first k indices.")  # fmt: skip


def _bank(rng, n, d):
    # rows of very different lengths, so that cosine, dot product and distance disagree
    return np.round(rng.normal(size=(n, d)) * rng.uniform(0.2, 5.0, size=(n, 1)), 3)


def _topk_hidden(rng):
    cases = []
    for _ in range(4):
        n, d = int(rng.integers(6, 30)), int(rng.integers(2, 12))
        bank = _bank(rng, n, d)
        query = bank[int(rng.integers(0, n))] * 0.5 + np.round(rng.normal(size=d), 3)
        cases.append(Case((bank, query, int(rng.integers(1, min(n, 6) + 1)))))
    bank = _bank(rng, 8, 4)
    cases.append(Case((bank, bank[3] * 7.0, 8), hint="k may be the whole bank."))
    cases.append(Case((bank, bank[0], 9), group="errors",
                      hint="k larger than the bank: raise ValueError."))  # fmt: skip
    return cases


_NN_HINT = (
    "squared distances between every test row and every training row (broadcasting), "
    "the label of the closest training row, then the share of right labels (a float)."
)


def _nn_hidden(rng):
    cases = []
    for _ in range(4):
        n_cls, d = int(rng.integers(2, 5)), int(rng.integers(2, 6))
        centres = rng.normal(size=(n_cls, d)) * 2
        y_tr = rng.integers(0, n_cls, size=int(rng.integers(8, 30)))
        x_tr = np.round(centres[y_tr] + rng.normal(size=(len(y_tr), d)), 3)
        y_te = rng.integers(0, n_cls, size=int(rng.integers(4, 15)))
        x_te = np.round(centres[y_te] + rng.normal(size=(len(y_te), d)) * 1.5, 3)
        cases.append(Case((x_tr, y_tr, x_te, y_te)))
    return cases


def _public_nn():
    rng = _R(1414)
    x_tr = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [3.0, 4.0]])
    y_tr = np.array([0, 1, 2, 1])
    x_te = np.array([[1.0, 1.0], [9.0, 1.0], [1.0, 9.0], [3.5, 3.5], [30.0, 40.0]])
    cases = [
        Case((x_tr, y_tr, x_te, np.array([0, 1, 2, 1, 2])),
             label="one_nn_accuracy(4 training points, 5 test points, all right)"),
        Case((x_tr, y_tr, x_te, np.array([0, 1, 0, 0, 1])),
             label="one_nn_accuracy(the same points, 2 of 5 right)",
             hint="2 right answers out of 5 give 0.4 (a fraction, not a count)."),
    ]  # fmt: skip
    centres = rng.normal(size=(3, 4)) * 2
    y_tr, y_te = rng.integers(0, 3, size=20), rng.integers(0, 3, size=10)
    cases.append(
        Case(
            (
                np.round(centres[y_tr] + rng.normal(size=(20, 4)), 3),
                y_tr,
                np.round(centres[y_te] + rng.normal(size=(10, 4)) * 1.5, 3),
                y_te,
            )
        )
    )
    return cases  # fmt: skip


EXERCISES = [
    Exercise(
        "saliency_from_gradient",
        points=2,
        reference=saliency_from_gradient,
        judge=judge.Array(atol=1e-12, kinds="f"),
        public=[
            Case(
                (
                    np.array(
                        [[[0.5, -2.0, 1.0], [0.0, 0.1, -0.3]], [[-4.0, 3.0, 0.2], [0.7, 0.7, -0.7]]]
                    ),
                ),
                label="saliency_from_gradient(a 2×2 RGB gradient)",
                hint="pixel (0, 0): the largest |value| of (0.5, -2.0, 1.0) is 2.0.",
            ),
            Case((_grad(_R(1), (5, 6, 3)),)),
            Case((_grad(_R(2), (4, 4, 1)),)),
            Case((np.zeros((3, 3)),), hint="a gradient without a channel axis: raise ValueError."),
        ],  # fmt: skip
        hidden=_sal_hidden,
        groups={"all": 1, "errors": 1},
        hint=_SAL_HINT,
        mistakes=[
            Mistake(
                _signed_max,
                "you took the largest signed value, without np.abs.",
                "a strongly negative gradient is as important as a positive one.",
            ),
            Mistake(
                _mean_abs,
                "you averaged |gradient| over the channels.",
                "keep the largest |value| over the channels, not the mean.",
            ),
            Mistake(
                _abs_of_sum,
                "you added the channels before taking |.|.",
                "take |.| of each channel first, then the maximum over channels.",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "channel_weights",
        points=2,
        reference=channel_weights,
        judge=judge.Array(atol=1e-12, kinds="f"),
        public=[
            Case(
                (np.arange(12.0).reshape(2, 2, 3),),
                label="channel_weights(np.arange(12.0).reshape(2, 2, 3))",
                hint="channel 0 holds 0, 3, 6, 9: its weight is their mean, 4.5.",
            ),
            Case((_grad(_R(3), (7, 7, 5)),)),
            Case((_grad(_R(4), (3, 5, 1)),)),
            Case((np.ones((4, 4)),), hint="gradients without a channel axis: raise ValueError."),
        ],  # fmt: skip
        hidden=_alpha_hidden,
        groups={"all": 1, "errors": 1},
        hint=_ALPHA_HINT,
        mistakes=[
            Mistake(
                _summed_weights,
                "you summed the gradients instead of averaging them.",
                "divide by the number of positions h·w (or use .mean).",
            ),
            Mistake(
                _abs_weights,
                "you averaged |gradient|: the sign was lost.",
                "a map whose gradient is negative lowers the score: keep the sign.",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "grad_cam_map",
        points=3,
        reference=grad_cam_map,
        judge=judge.Array(atol=1e-9, kinds="f"),
        public=[
            Case(
                (
                    np.stack([np.eye(3), np.ones((3, 3))], axis=-1),
                    np.stack([np.full((3, 3), 2.0), np.full((3, 3), -1.0)], axis=-1),
                ),
                label="grad_cam_map(maps = [identity, ones], grads = [2, -1] everywhere)",
                hint="α = (2, -1); 2·identity − ones is 1 on the diagonal and −1 elsewhere; "
                "the ReLU keeps the diagonal.",
            ),
            Case((_maps(_R(5), (7, 7, 4)), _grad(_R(6), (7, 7, 4)))),
            Case((_maps(_R(7), (4, 6, 3)), _grad(_R(8), (4, 6, 3)))),
            Case(
                (_maps(_R(9), (3, 3, 2)), -np.abs(_grad(_R(10), (3, 3, 2))) - 0.01),
                label="grad_cam_map(maps, gradients that are all negative)",
                hint="when no place raises the score, the ReLU leaves only zeros: return zeros "
                "(no division by 0).",
            ),
            Case(
                (np.ones((3, 3, 2)), np.ones((3, 3, 3))),
                hint="maps and grads of different shapes: raise ValueError.",
            ),
        ],  # fmt: skip
        hidden=_cam_hidden,
        groups={"all": 2, "errors": 1},
        hint=_CAM_HINT,
        mistakes=[
            Mistake(
                _cam_no_relu,
                "you rescaled min..max instead of applying a ReLU.",
                "places with a negative sum lower the score: ReLU sets them to 0, then "
                "divide by the maximum.",
            ),
            Mistake(
                _cam_not_normalised,
                "the map is not divided by its maximum.",
                "divide by cam.max() so that the values lie in [0, 1].",
            ),
            Mistake(
                _cam_pointwise,
                "you multiplied each position by its own gradient.",
                "Grad-CAM first averages the gradients of each map over all positions (α_k).",
            ),
            Mistake(
                _cam_abs,
                "you took |.| of the weighted sum instead of a ReLU.",
                "negative evidence must become 0, not positive.",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "upsample_nearest",
        points=2,
        reference=upsample_nearest,
        judge=judge.Array(atol=0.0, same_dtype=True),
        copy=True,
        public=[
            Case(
                (np.array([[1, 2], [3, 4]]), 2),
                label="upsample_nearest([[1, 2], [3, 4]], 2)",
                hint="the result is [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]].",
            ),
            Case((np.round(_R(11).uniform(size=(7, 7)), 2), 4)),
            Case((np.array([[0.5, 0.25, 1.0]]), 3)),
            Case((np.array([[1.0, 2.0]]), 1), hint="factor 1 keeps the map (as a new array)."),
            Case((np.ones((2, 2)), 0), hint="a factor below 1 makes no sense: raise ValueError."),
        ],  # fmt: skip
        hidden=_up_hidden,
        groups={"all": 1, "errors": 1},
        hint=_UP_HINT,
        mistakes=[
            Mistake(
                _tiled,
                "you tiled the whole map (np.tile): it appears several times.",
                "each *value* must be repeated in place: np.repeat, along each axis.",
            ),
            Mistake(_rows_only, "only the rows were repeated.", "repeat along axis 1 as well."),
        ],  # fmt: skip
    ),
    Exercise(
        "cosine_top_k",
        points=2,
        reference=cosine_top_k,
        judge=judge.Array(atol=0.0, kinds="iu"),
        public=[
            Case(
                (
                    np.array([[1.0, 0.0], [10.0, 1.0], [0.0, 3.0], [-1.0, 0.0]]),
                    np.array([1.0, 0.2]),
                    2,
                ),
                label="cosine_top_k(4 rows, query [1, 0.2], k=2)",
                hint="row 1 points almost exactly along the query, row 0 next: [1, 0].",
            ),
            Case((_bank(_R(12), 15, 6), np.round(_R(13).normal(size=6), 3), 5)),
            Case((_bank(_R(14), 10, 3), np.round(_R(15).normal(size=3), 3), 1)),
            Case(
                (_bank(_R(16), 4, 2), np.array([0.3, -1.0]), 5),
                hint="k larger than the bank: raise ValueError.",
            ),
        ],  # fmt: skip
        hidden=_topk_hidden,
        groups={"all": 1, "errors": 1},
        hint=_TOPK_HINT,
        mistakes=[
            Mistake(
                _euclidean_top_k,
                "you ranked by euclidean distance, not by cosine.",
                "cosine compares directions: divide the dot products by both lengths.",
            ),
            Mistake(
                _dot_top_k,
                "you ranked by the dot product: long vectors win.",
                "divide by |row| · |query| to compare directions only.",
            ),
            Mistake(
                _least_similar,
                "you returned the least similar rows.",
                "sort from the largest similarity (np.argsort sorts ascending).",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "one_nn_accuracy",
        points=2,
        reference=one_nn_accuracy,
        judge=judge.Float(rel=1e-9, abs=1e-12),
        public=_public_nn(),
        hidden=_nn_hidden,
        hint=_NN_HINT,
        mistakes=[
            Mistake(
                _nn_count,
                "you returned the number of right answers.",
                "divide by the number of test points: a fraction in [0, 1].",
            ),
            Mistake(
                _farthest,
                "you took the farthest training point (argmax of distances).",
                "the nearest neighbour has the smallest distance: np.argmin.",
            ),
            Mistake(
                _cosine_nn,
                "you used cosine similarity; this exercise asks for euclidean distance.",
                "compute the distances of all pairs at once, by broadcasting.",
            ),
        ],  # fmt: skip
    ),
]
