"""Lab 14 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import numpy as np

from helpers.labs.spec import Mutant


def saliency_from_gradient(grad):
    grad = np.asarray(grad, dtype=float)
    if grad.ndim != 3:
        raise ValueError("(H, W, C)")
    return np.max(np.abs(grad), axis=2)


def channel_weights(grads):
    grads = np.asarray(grads, dtype=float)
    if grads.ndim != 3:
        raise ValueError("(h, w, K)")
    return grads.mean(axis=(0, 1))


def grad_cam_map(maps, grads):
    maps, grads = np.asarray(maps, dtype=float), np.asarray(grads, dtype=float)
    if maps.shape != grads.shape or maps.ndim != 3:
        raise ValueError("shapes")
    cam = np.maximum(np.tensordot(maps, channel_weights(grads), axes=([2], [0])), 0)
    return cam / cam.max() if cam.max() > 0 else np.zeros(cam.shape)


def upsample_nearest(heatmap, factor):
    heatmap = np.asarray(heatmap)
    if heatmap.ndim != 2 or factor < 1:
        raise ValueError("bad")
    return heatmap.repeat(factor, axis=0).repeat(factor, axis=1)


def cosine_top_k(bank, query, k):
    bank, query = np.asarray(bank, dtype=float), np.asarray(query, dtype=float)
    if k < 1 or k > len(bank):
        raise ValueError("k")
    unit = bank / np.linalg.norm(bank, axis=1, keepdims=True)
    sims = unit @ (query / np.linalg.norm(query))
    return np.argsort(-sims)[:k]


def one_nn_accuracy(train_x, train_y, test_x, test_y):
    train_x, test_x = np.asarray(train_x, dtype=float), np.asarray(test_x, dtype=float)
    d = np.linalg.norm(test_x[:, None, :] - train_x[None, :, :], axis=-1)
    return float(np.mean(np.asarray(train_y)[d.argmin(axis=1)] == np.asarray(test_y)))


SOLUTION = {f.__name__: f for f in (saliency_from_gradient, channel_weights, grad_cam_map,
                                    upsample_nearest, cosine_top_k, one_nn_accuracy)}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def cam_no_relu(maps, grads):
    cam = np.tensordot(np.asarray(maps, float), channel_weights(grads), axes=([2], [0]))
    return (cam - cam.min()) / (cam.max() - cam.min())


def cam_divides_by_zero(maps, grads):
    cam = np.maximum(np.tensordot(np.asarray(maps, float), channel_weights(grads), ([2], [0])), 0)
    return cam / cam.max()


def cam_pointwise(maps, grads):
    cam = np.maximum((np.asarray(maps, float) * np.asarray(grads, float)).sum(-1), 0)
    return cam / cam.max() if cam.max() > 0 else np.zeros(cam.shape)


def cam_relu_each_map(maps, grads):
    parts = np.maximum(np.asarray(maps, float) * channel_weights(grads), 0).sum(-1)
    return parts / parts.max() if parts.max() > 0 else np.zeros(parts.shape)


def topk_euclidean(bank, query, k):
    if k > len(bank):
        raise ValueError("k")
    return np.argsort(np.linalg.norm(np.asarray(bank) - query, axis=1))[:k]


def topk_dot(bank, query, k):
    if k > len(bank):
        raise ValueError("k")
    return np.argsort(-(np.asarray(bank) @ query))[:k]


def topk_ascending(bank, query, k):
    if k > len(bank):
        raise ValueError("k")
    bank, query = np.asarray(bank, float), np.asarray(query, float)
    sims = bank @ query / np.linalg.norm(bank, axis=1) / np.linalg.norm(query)
    return np.argsort(sims)[:k]


def topk_one_too_many(bank, query, k):
    if k > len(bank):
        raise ValueError("k")
    bank, query = np.asarray(bank, float), np.asarray(query, float)
    sims = bank @ query / np.linalg.norm(bank, axis=1) / np.linalg.norm(query)
    return np.argsort(-sims)[: k + 1]


def nn_farthest(train_x, train_y, test_x, test_y):
    d = np.linalg.norm(np.asarray(test_x)[:, None] - np.asarray(train_x)[None], axis=-1)
    return float(np.mean(np.asarray(train_y)[d.argmax(axis=1)] == np.asarray(test_y)))


def nn_count(train_x, train_y, test_x, test_y):
    return int(round(one_nn_accuracy(train_x, train_y, test_x, test_y) * len(test_y)))


def nn_l1(train_x, train_y, test_x, test_y):
    d = np.abs(np.asarray(test_x)[:, None] - np.asarray(train_x)[None]).sum(-1)
    return float(np.mean(np.asarray(train_y)[d.argmin(axis=1)] == np.asarray(test_y)))


MUTANTS = [
    Mutant(
        "saliency_from_gradient",
        "signed max",
        lambda g: np.asarray(g, float).max(axis=-1),
        says="without np.abs",
    ),  # fmt: skip
    Mutant(
        "saliency_from_gradient",
        "mean of |g| over channels",
        lambda g: np.abs(np.asarray(g, float)).mean(axis=-1),
        says="averaged",
    ),  # fmt: skip
    Mutant(
        "saliency_from_gradient",
        "|sum| over channels",
        lambda g: np.abs(np.asarray(g, float).sum(axis=-1)),
        says="added the channels",
    ),  # fmt: skip
    Mutant(
        "saliency_from_gradient",
        "max over the wrong axis",
        lambda g: np.abs(np.asarray(g, float)).max(axis=0),
    ),  # fmt: skip
    Mutant(
        "channel_weights",
        "sum instead of mean",
        lambda g: np.asarray(g, float).sum(axis=(0, 1)),
        says="summed",
    ),  # fmt: skip
    Mutant(
        "channel_weights",
        "mean of |g|",
        lambda g: np.abs(np.asarray(g, float)).mean(axis=(0, 1)),
        says="sign was lost",
    ),  # fmt: skip
    Mutant(
        "channel_weights", "mean over the channels", lambda g: np.asarray(g, float).mean(axis=-1)
    ),  # fmt: skip
    Mutant("channel_weights", "first row only", lambda g: np.asarray(g, float)[0].mean(axis=0)),
    Mutant(
        "grad_cam_map", "min-max instead of ReLU", cam_no_relu, says="instead of applying a ReLU"
    ),
    Mutant(
        "grad_cam_map",
        "no normalisation",
        lambda m, g: np.maximum(
            np.tensordot(np.asarray(m, float), channel_weights(g), ([2], [0])), 0
        ),
        says="not divided",
    ),  # fmt: skip
    Mutant("grad_cam_map", "divides 0 by 0", cam_divides_by_zero),
    Mutant("grad_cam_map", "position-wise gradients", cam_pointwise, says="its own gradient"),
    Mutant("grad_cam_map", "ReLU on each map before the sum", cam_relu_each_map),
    Mutant(
        "upsample_nearest", "np.tile", lambda h, f: np.tile(np.asarray(h), (f, f)), says="np.tile"
    ),  # fmt: skip
    Mutant(
        "upsample_nearest",
        "rows only",
        lambda h, f: np.repeat(np.asarray(h), f, axis=0),
        says="only the rows",
    ),  # fmt: skip
    Mutant(
        "upsample_nearest",
        "float result",
        lambda h, f: upsample_nearest(np.asarray(h, float), f),
        says="dtype",
    ),  # fmt: skip
    Mutant(
        "upsample_nearest",
        "np.kron with a factor matrix of f·f",
        lambda h, f: np.kron(np.asarray(h), np.full((f, f), f)),
    ),  # fmt: skip
    Mutant("cosine_top_k", "euclidean distance", topk_euclidean, says="euclidean"),
    Mutant("cosine_top_k", "dot product", topk_dot, says="dot product"),
    Mutant("cosine_top_k", "least similar first", topk_ascending, says="least similar"),
    Mutant("cosine_top_k", "one too many", topk_one_too_many),
    Mutant("one_nn_accuracy", "farthest neighbour", nn_farthest, says="farthest"),
    Mutant("one_nn_accuracy", "count instead of fraction", nn_count),
    Mutant("one_nn_accuracy", "l1 distance", nn_l1),
]
