"""Tests for helpers.metrics, cross-checked against scikit-learn on random and edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    precision_recall_fscore_support,
)

from helpers import metrics

SEED_CM = np.array([
    [977, 0, 0, 0, 0, 0, 1, 1, 1, 0],
    [0, 1130, 3, 1, 0, 0, 1, 0, 0, 0],
    [1, 0, 1029, 0, 1, 0, 0, 1, 0, 0],
    [0, 0, 4, 1003, 0, 1, 0, 1, 1, 0],
    [0, 0, 0, 0, 976, 0, 0, 0, 2, 4],
    [3, 0, 0, 5, 0, 881, 3, 0, 0, 0],
    [6, 2, 0, 0, 1, 1, 948, 0, 0, 0],
    [1, 2, 11, 2, 0, 0, 0, 1010, 1, 1],
    [4, 0, 3, 0, 0, 0, 0, 2, 963, 2],
    [1, 2, 0, 1, 5, 3, 0, 2, 5, 990],
])  # fmt: skip


def labels_from_cm(cm):
    """Label vectors whose confusion matrix is ``cm``."""
    t, p = [], []
    for i, row in enumerate(cm):
        for j, n in enumerate(row):
            t += [i] * int(n)
            p += [j] * int(n)
    return np.array(t), np.array(p)


def sk_metrics(t, p, k, zero_division):
    return precision_recall_fscore_support(
        t, p, labels=list(range(k)), average=None, zero_division=zero_division
    )


def assert_same(ours, theirs):
    for a, b in zip(ours[:3], theirs[:3], strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12, equal_nan=True)
    np.testing.assert_array_equal(ours.support, theirs[3])


def test_seed_digit_seven():
    m = metrics.per_class_metrics(SEED_CM)
    assert m.support[7] == 1028 and SEED_CM[:, 7].sum() == 1017
    assert m.recall[7] == 1010 / 1028 and m.precision[7] == 1010 / 1017
    t, p = labels_from_cm(SEED_CM)
    assert_same(m, sk_metrics(t, p, 10, 0.0))
    assert metrics.accuracy_from_cm(SEED_CM) == accuracy_score(t, p) == 9907 / 10000


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("zero_division", [0.0, 1.0, np.nan])
def test_random_against_sklearn(seed, zero_division):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 8))
    n = int(rng.integers(1, 60))
    # draw from a few classes only, so empty rows and columns happen
    t = rng.choice(rng.choice(k, size=max(1, k - 2), replace=False), size=n)
    p = np.where(rng.random(n) < 0.6, t, rng.integers(0, k, size=n))
    cm = confusion_matrix(t, p, labels=list(range(k)))
    ours = metrics.per_class_metrics(cm, zero_division=zero_division)
    assert_same(ours, sk_metrics(t, p, k, zero_division))
    assert metrics.accuracy_from_cm(cm) == pytest.approx(accuracy_score(t, p))


def test_empty_rows_and_columns():
    cm = np.array([[3, 1, 0], [0, 0, 0], [2, 0, 0]])  # class 1 absent, class 2 never predicted
    m = metrics.per_class_metrics(cm)
    assert m.recall.tolist() == [0.75, 0.0, 0.0]  # class 1: undefined → 0
    assert m.precision.tolist() == [0.6, 0.0, 0.0]  # class 2: undefined → 0
    assert m.support.tolist() == [4, 0, 2] and m.support.dtype == np.int64
    m1 = metrics.per_class_metrics(cm, zero_division=1.0)
    assert m1.recall[1] == 1.0 and m1.precision[2] == 1.0 and m1.f1[2] == 0.0
    mn = metrics.per_class_metrics(np.diag([2, 0]), zero_division=np.nan)
    assert mn.precision[0] == 1.0 and np.isnan(mn.precision[1]) and np.isnan(mn.f1[1])


@pytest.mark.parametrize(
    ("bad", "error", "words"),
    [
        (np.zeros((2, 3)), ValueError, "square"),
        (np.zeros(4), ValueError, "square"),
        (np.zeros((0, 0)), ValueError, "empty"),
        (np.array([[1, -1], [0, 2]]), ValueError, "negative"),
        (np.array([[0.5, 0.5], [0.0, 1.0]]), ValueError, "whole"),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), ValueError, "NaN"),
        (np.array([["a", "b"], ["c", "d"]]), TypeError, "numbers"),
        (np.eye(2, dtype=bool), TypeError, "numbers"),
    ],
)
def test_bad_matrices(bad, error, words):
    with pytest.raises(error, match=words):
        metrics.per_class_metrics(bad)


def test_float_counts_and_bad_zero_division():
    m = metrics.per_class_metrics(np.array([[2.0, 1.0], [0.0, 3.0]]))
    assert m.precision.tolist() == [1.0, 0.75]
    with pytest.raises(ValueError, match="zero_division"):
        metrics.per_class_metrics(np.eye(2), zero_division=0.5)
    with pytest.raises(ValueError, match="no samples"):
        metrics.accuracy_from_cm(np.zeros((3, 3)))


def test_most_confused_pairs():
    pairs = metrics.most_confused_pairs(SEED_CM, 4)
    assert pairs == [(7, 2, 11), (6, 0, 6), (5, 3, 5), (9, 4, 5)]  # ties: by true class
    assert metrics.most_confused_pairs(np.diag([3, 4]), 5) == []
    assert metrics.most_confused_pairs(np.array([[1, 2], [0, 1]]), 5) == [(0, 1, 2)]
    for k in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="k must"):
            metrics.most_confused_pairs(SEED_CM, k)


def test_misclassified_indices():
    t = np.array([7, 7, 2, 7, 1, 7])
    p = np.array([7, 2, 2, 1, 1, 2])
    assert metrics.misclassified_indices(t, p).tolist() == [1, 3, 5]
    assert metrics.misclassified_indices(t, p, true_class=7, pred_class=2).tolist() == [1, 5]
    assert metrics.misclassified_indices(t, p, pred_class=1).tolist() == [3]
    conf = np.array([0.9, 0.6, 0.8, 0.7, 0.9, 0.95])
    assert metrics.misclassified_indices(t, p, confidence=conf).tolist() == [5, 3, 1]
    probs = np.eye(8)[p] * conf[:, None]  # probability rows: the predicted class holds conf
    assert metrics.misclassified_indices(t, probs, confidence=probs).tolist() == [5, 3, 1]
    out = metrics.misclassified_indices(t, t)
    assert out.tolist() == [] and out.dtype == np.int64
    with pytest.raises(ValueError, match="must match"):
        metrics.misclassified_indices(t, p[:3])
    with pytest.raises(ValueError, match="confidence"):
        metrics.misclassified_indices(t, p, confidence=conf[:2])
