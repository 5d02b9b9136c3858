"""Model ensembling: combine the class probabilities of several classifiers.

- :func:`average_probabilities`: the (optionally weighted) mean of several ``(N, C)``
  probability arrays: "soft voting", what seed 004's ``0.2 * (p1 + ... + p5)`` does.
- :func:`majority_vote`: each model votes for its top class; the most voted class wins
  ("hard voting"); ties go to the class with the larger summed probability.
- :func:`ensemble_predict`: class labels of the averaged probabilities.
- :func:`predict_all`: run ``model.predict`` of several Keras models on the same inputs.

Everything here is plain NumPy except :func:`predict_all`, so it can be tested without Keras.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["average_probabilities", "majority_vote", "ensemble_predict", "predict_all"]


def _stack(prob_list, caller: str) -> np.ndarray:
    """Validate a list of ``(N, C)`` probability arrays and stack them to ``(M, N, C)``."""
    if isinstance(prob_list, np.ndarray) and prob_list.ndim == 3:
        arrays = list(prob_list)
    else:
        arrays = list(prob_list) if prob_list is not None else []
    if not arrays:
        raise ValueError(f"{caller}(): needs at least one array of probabilities")
    out = []
    for i, p in enumerate(arrays):
        p = np.asarray(p, dtype=np.float64)
        if p.ndim != 2:
            raise ValueError(
                f"{caller}(): array {i} has shape {p.shape}; expected (samples, classes)"
            )
        if not np.all(np.isfinite(p)):
            raise ValueError(f"{caller}(): array {i} contains NaN or infinite values")
        if out and p.shape != out[0].shape:
            raise ValueError(
                f"{caller}(): array {i} has shape {p.shape} but array 0 has {out[0].shape}; "
                "every model must score the same samples and classes"
            )
        out.append(p)
    return np.stack(out)


def average_probabilities(prob_list, weights: Sequence[float] | None = None) -> np.ndarray:
    """The mean of several ``(N, C)`` probability arrays, as a float64 ``(N, C)`` array.

    ``weights`` (one non-negative number per array, not all zero) gives a weighted mean;
    the weights are normalised to sum to 1, so rows of probabilities stay probabilities.
    """
    stack = _stack(prob_list, "average_probabilities")
    if weights is None:
        return stack.mean(axis=0)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (len(stack),):
        raise ValueError(f"average_probabilities(): {len(stack)} arrays but {w.size} weights")
    if np.any(w < 0) or not np.all(np.isfinite(w)) or w.sum() <= 0:
        raise ValueError(
            f"average_probabilities(): weights must be finite, >= 0 and not all 0, got {w}"
        )
    return np.tensordot(w / w.sum(), stack, axes=1)


def ensemble_predict(prob_list, weights: Sequence[float] | None = None) -> np.ndarray:
    """Class labels (int64, shape ``(N,)``) of the averaged probabilities ("soft voting")."""
    return average_probabilities(prob_list, weights).argmax(axis=1).astype(np.int64)


def majority_vote(prob_list) -> np.ndarray:
    """Hard voting: every model votes for its top class; the most voted class wins.

    Ties between classes with the same number of votes go to the one with the larger
    summed probability (then to the smaller class index). Returns int64 labels ``(N,)``.
    """
    stack = _stack(prob_list, "majority_vote")
    n_models, n, c = stack.shape
    votes = np.zeros((n, c), dtype=np.int64)
    top = stack.argmax(axis=2)  # (M, N)
    for m in range(n_models):
        votes[np.arange(n), top[m]] += 1
    # Lexicographic: votes first, summed probability second (it is < n_models + 1 per class).
    score = votes * (n_models + 1.0) + stack.sum(axis=0)
    return score.argmax(axis=1).astype(np.int64)


def predict_all(models, x, *, batch_size: int = 256) -> list[np.ndarray]:
    """``[model.predict(x) for model in models]`` as float64 arrays, silently (no progress bar)."""
    models = list(models)
    if not models:
        raise ValueError("predict_all(): needs at least one model")
    return [np.asarray(m.predict(x, batch_size=batch_size, verbose=0), np.float64) for m in models]
