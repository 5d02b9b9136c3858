"""helpers.schedules agrees with Keras' schedule objects and with helpers.training.one_cycle."""

import keras
import numpy as np
import pytest

from helpers import schedules
from helpers.training import one_cycle

S = keras.optimizers.schedules
STEPS = np.array([0, 1, 2, 5, 10, 49, 50, 51, 99, 100, 101, 250, 999, 1000])


def close(a, b, rtol=1e-5):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape
    assert np.all(np.abs(a - b) <= rtol * np.abs(b) + 1e-12), (a, b)


@pytest.mark.parametrize("eta0,k", [(0.01, 100), (0.2, 20), (1.0, 1)])
def test_power_matches_inverse_time_decay(eta0, k):
    ref = schedules.keras_values(S.InverseTimeDecay(eta0, decay_steps=k, decay_rate=1.0), STEPS)
    close(schedules.power_schedule(STEPS, eta0, k), ref)
    assert schedules.power_schedule(k, eta0, k) == pytest.approx(eta0 / 2)


def test_power_with_exponent():
    assert schedules.power_schedule(10, 1.0, 10, c=2) == pytest.approx(0.25)


def test_legacy_decay_is_inverse_time_decay_with_one_step():
    ref = schedules.keras_values(S.InverseTimeDecay(0.2, decay_steps=1, decay_rate=0.01), STEPS)
    close(schedules.legacy_decay(STEPS, 0.2, 0.01), ref)
    close(schedules.legacy_decay(STEPS, 0.2, 0.01), schedules.power_schedule(STEPS, 0.2, 100))


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_matches_keras(staircase):
    sched = S.ExponentialDecay(0.05, decay_steps=50, decay_rate=0.1, staircase=staircase)
    close(
        schedules.exponential_schedule(STEPS, 0.05, 0.1, 50, staircase=staircase),
        schedules.keras_values(sched, STEPS),
    )


def test_step_schedule_is_staircase():
    got = schedules.step_schedule(STEPS, 0.1, 0.5, 100)
    close(got, schedules.keras_values(S.ExponentialDecay(0.1, 100, 0.5, staircase=True), STEPS))
    assert schedules.step_schedule(99, 0.1, 0.5, 100) == pytest.approx(0.1)
    assert schedules.step_schedule(100, 0.1, 0.5, 100) == pytest.approx(0.05)


def test_piecewise_matches_keras_including_boundaries():
    b, v = [50, 100], [0.1, 0.01, 0.001]
    close(
        schedules.piecewise_constant(STEPS, b, v),
        schedules.keras_values(S.PiecewiseConstantDecay(b, v), STEPS),
    )
    assert schedules.piecewise_constant(50, b, v) == pytest.approx(0.1)  # boundary: earlier value
    assert schedules.piecewise_constant(51, b, v) == pytest.approx(0.01)


@pytest.mark.parametrize("total,frac", [(100, 0.25), (37, 0.3), (1000, 0.1)])
def test_one_cycle_matches_training_helper(total, frac):
    steps = np.arange(0, total + 5)
    ref = schedules.keras_values(one_cycle(0.1, total, warmup_fraction=frac), steps)
    got = schedules.one_cycle_lr(steps, total, 0.1, warmup_fraction=frac)
    close(got, ref, rtol=1e-4)  # Keras computes in float32
    assert got.max() == pytest.approx(0.1)
    assert got[0] == pytest.approx(0.1 / 25) and got[total] == pytest.approx(0.1 / 1e3)


def test_scalar_in_float_out_and_array_in_array_out():
    assert type(schedules.power_schedule(3, 0.1, 10)) is float
    out = schedules.exponential_schedule([0, 1], 0.1, 0.5, 1)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64 and out.shape == (2,)


@pytest.mark.parametrize("bad", [
    lambda: schedules.power_schedule(-1, 0.1, 10),
    lambda: schedules.power_schedule(1, 0.0, 10),
    lambda: schedules.power_schedule(1, 0.1, 0),
    lambda: schedules.exponential_schedule(1, 0.1, -0.5, 10),
    lambda: schedules.piecewise_constant(1, [10, 5], [1, 2, 3]),
    lambda: schedules.piecewise_constant(1, [10], [1]),
    lambda: schedules.one_cycle_lr(1, 1, 0.1),
    lambda: schedules.one_cycle_lr(1, 10, 0.1, warmup_fraction=1.5),
    lambda: schedules.legacy_decay(1, 0.1, -0.01),
    lambda: schedules.power_schedule(float("nan"), 0.1, 10),
])  # fmt: skip
def test_bad_arguments_raise(bad):
    with pytest.raises(ValueError):
        bad()


def test_keras_values_rejects_non_schedule():
    with pytest.raises(TypeError):
        schedules.keras_values(0.1, [0, 1])
