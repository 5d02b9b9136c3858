"""Tests of helpers.ensemble (plain NumPy, plus one tiny Keras model for predict_all)."""

import numpy as np
import pytest

from helpers import ensemble

P1 = np.array([[0.6, 0.4, 0.0], [0.1, 0.2, 0.7]])
P2 = np.array([[0.2, 0.8, 0.0], [0.3, 0.3, 0.4]])
P3 = np.array([[0.55, 0.45, 0.0], [0.0, 0.9, 0.1]])


def test_average_is_the_mean():
    avg = ensemble.average_probabilities([P1, P2, P3])
    assert avg.shape == (2, 3) and avg.dtype == np.float64
    np.testing.assert_allclose(avg, (P1 + P2 + P3) / 3)
    np.testing.assert_allclose(avg.sum(axis=1), 1.0)


def test_average_of_a_3d_array_and_of_one_model():
    np.testing.assert_allclose(ensemble.average_probabilities(np.stack([P1, P2])), (P1 + P2) / 2)
    np.testing.assert_allclose(ensemble.average_probabilities([P1]), P1)


def test_weighted_average_is_normalised():
    avg = ensemble.average_probabilities([P1, P2], weights=[3, 1])
    np.testing.assert_allclose(avg, 0.75 * P1 + 0.25 * P2)
    np.testing.assert_allclose(ensemble.average_probabilities([P1, P2], [0, 2]), P2)


def test_soft_and_hard_voting_can_disagree():
    # sample 0: two models vote class 0 (0.6, 0.55) but the average favours class 1.
    soft = ensemble.ensemble_predict([P1, P2, P3])
    hard = ensemble.majority_vote([P1, P2, P3])
    assert soft.dtype == np.int64 and hard.dtype == np.int64
    assert soft[0] == 1  # (0.6 + 0.2 + 0.55) / 3 = 0.45 < (0.4 + 0.8 + 0.45) / 3 = 0.55
    assert hard[0] == 0  # two votes of three
    # sample 1: one vote each for 2, 2, 1 -> class 2
    assert hard[1] == 2


def test_majority_vote_ties_go_to_the_larger_summed_probability():
    a = np.array([[0.9, 0.1]])
    b = np.array([[0.4, 0.6]])
    assert ensemble.majority_vote([a, b]).tolist() == [0]  # 1 vote each; 1.3 > 0.7
    assert ensemble.majority_vote([b, np.array([[0.45, 0.55]])]).tolist() == [1]


@pytest.mark.parametrize(
    "bad, match",
    [
        ([], "at least one"),
        ([P1, P2[:1]], "every model"),
        ([P1[0]], "expected"),
        ([np.full((2, 3), np.nan)], "NaN"),
    ],
)
def test_bad_inputs_are_refused(bad, match):
    with pytest.raises(ValueError, match=match):
        ensemble.average_probabilities(bad)


def test_bad_weights_are_refused():
    for w in ([1], [-1, 2], [0, 0], [np.inf, 1]):
        with pytest.raises(ValueError, match="weights"):
            ensemble.average_probabilities([P1, P2], weights=w)


def test_predict_all_runs_each_model():
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    models = [
        keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
        for _ in range(2)
    ]
    probs = ensemble.predict_all(models, x)
    assert len(probs) == 2 and all(p.shape == (5, 3) and p.dtype == np.float64 for p in probs)
    np.testing.assert_allclose(probs[0].sum(axis=1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError):
        ensemble.predict_all([], x)
