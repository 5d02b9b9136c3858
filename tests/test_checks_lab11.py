"""Tests of helpers.checks.lab11: solutions pass, typical mistakes fail with a useful message."""

import math
from pathlib import Path

import keras
import numpy as np
import pytest

from helpers import schedules
from helpers.checks import CheckFailed, lab11
from helpers.grading_tests import lab11 as hidden


def good_power(step, eta0, k):
    return schedules.power_schedule(step, eta0, k)


def good_exp(step, eta0, decay_rate, decay_steps, staircase=False):
    return schedules.exponential_schedule(step, eta0, decay_rate, decay_steps, staircase)


def good_cycle(step, total_steps, max_lr, warmup_fraction=0.25, start_div=25.0, final_div=1e3):
    return schedules.one_cycle_lr(step, total_steps, max_lr, warmup_fraction=warmup_fraction,
                                  start_div=start_div, final_div=final_div)  # fmt: skip


def _fan(f):
    if not isinstance(f, int) or isinstance(f, bool) or f <= 0:
        raise ValueError("bad fan")
    return f


def good_glorot(fan_in, fan_out):
    return math.sqrt(6 / (_fan(fan_in) + _fan(fan_out)))


def good_he(fan_in):
    return math.sqrt(2 / _fan(fan_in))


def good_bn(channels):
    return 2 * _fan(channels), 2 * channels


def good_leaky(x, alpha=0.3):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, alpha * x)


def good_callbacks(folder):
    folder = Path(folder)
    return [
        keras.callbacks.ModelCheckpoint(folder / "best.keras", save_best_only=True),
        keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True),
        keras.callbacks.ReduceLROnPlateau(factor=0.2, patience=2, min_lr=1e-5),
        keras.callbacks.CSVLogger(folder / "log.csv"),
    ]


GOOD = {
    "power_schedule": (lab11.check_power_schedule, good_power),
    "exponential_schedule": (lab11.check_exponential_schedule, good_exp),
    "one_cycle_lr": (lab11.check_one_cycle_lr, good_cycle),
    "glorot_limit": (lab11.check_glorot_limit, good_glorot),
    "he_normal_std": (lab11.check_he_normal_std, good_he),
    "batchnorm_params": (lab11.check_batchnorm_params, good_bn),
    "leaky_relu": (lab11.check_leaky_relu, good_leaky),
    "make_callbacks": (lab11.check_make_callbacks, good_callbacks),
}
HIDDEN = {name: test for name, _, test in hidden.QUESTIONS}


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return 0

    __rsub__ = __sub__
    __hash__ = object.__hash__


def test_solutions_pass(capsys):
    for check, fn in GOOD.values():
        assert "passed" in check(fn)
    assert capsys.readouterr().out.count("✔") == len(GOOD)


def test_hidden_tests_accept_the_solutions():
    assert set(HIDDEN) == set(GOOD)
    for name, (_, fn) in GOOD.items():
        HIDDEN[name](fn)


@pytest.mark.parametrize("name", list(GOOD))
def test_blank_exercise_fails(name):
    def not_done(*args, **kwargs):
        raise NotImplementedError

    with pytest.raises(CheckFailed, match="not implemented yet"):
        GOOD[name][0](not_done)
    with pytest.raises(hidden.Failed):
        HIDDEN[name](not_done)


@pytest.mark.parametrize("name", list(GOOD))
def test_always_equal_object_fails(name):
    with pytest.raises(CheckFailed):
        GOOD[name][0](lambda *args, **kwargs: AlwaysEqual())
    with pytest.raises(hidden.Failed):
        HIDDEN[name](lambda *a, **k: AlwaysEqual())


def both_fail(name, fn, match):
    with pytest.raises(CheckFailed, match=match):
        GOOD[name][0](fn)
    with pytest.raises(hidden.Failed):
        HIDDEN[name](fn)


def test_power_mistakes():
    both_fail("power_schedule", lambda s, e, k: e / (1 + k / max(s, 1)), r"k / step")
    both_fail("power_schedule", lambda s, e, k: e / (1 + s * k), r"expected")
    both_fail("power_schedule", lambda s, e, k: np.array(e / (1 + s / k)), "NumPy array")


def test_exponential_mistakes():
    def ignores_staircase(step, eta0, decay_rate, decay_steps, staircase=False):
        return eta0 * decay_rate ** (step / decay_steps)

    both_fail("exponential_schedule", ignores_staircase, "staircase=True was ignored")

    def wrong_exponent(step, eta0, decay_rate, decay_steps, staircase=False):
        return eta0 * decay_rate ** (step * decay_steps)

    both_fail("exponential_schedule", wrong_exponent, "expected")


def test_one_cycle_mistakes():
    def no_cap(step, total_steps, max_lr, warmup_fraction=0.25, start_div=25.0, final_div=1e3):
        warm = max(1, round(total_steps * warmup_fraction))
        start, end = max_lr / start_div, max_lr / final_div
        if step < warm:
            return start + (max_lr - start) * step / warm
        progress = (step - warm) / (total_steps - warm)
        return end + (max_lr - end) * (1 + math.cos(math.pi * progress)) / 2

    both_fail("one_cycle_lr", no_cap, "cap progress")

    def starts_at_zero(step, total_steps, max_lr, warmup_fraction=0.25, start_div=25.0,
                       final_div=1e3):  # fmt: skip
        warm = max(1, round(total_steps * warmup_fraction))
        if step < warm:
            return max_lr * step / warm
        return good_cycle(step, total_steps, max_lr, warmup_fraction, start_div, final_div)

    both_fail("one_cycle_lr", starts_at_zero, r"one_cycle_lr\(0, 1000, 0.1\)")


def test_initializer_mistakes():
    both_fail("glorot_limit", lambda a, b: math.sqrt(2 / (_fan(a) + _fan(b))), "√3 times larger")
    both_fail("glorot_limit", lambda a, b: math.sqrt(6 / (a + b)), "returned instead of raising")
    both_fail("he_normal_std", lambda f: 2 / _fan(f), "variance")
    both_fail("he_normal_std", lambda f: math.sqrt(1 / _fan(f)), "expected")


def test_batchnorm_mistakes():
    both_fail("batchnorm_params", lambda c: (4 * _fan(c), 0), r"\[0\] \(trainable\)")
    both_fail("batchnorm_params", lambda c: [2 * _fan(c), 2 * c], "expected a tuple")
    both_fail("batchnorm_params", lambda c: (2 * c, 2 * c), "returned instead of raising")


def test_leaky_mistakes():
    both_fail("leaky_relu", lambda x, alpha=0.3: np.where(np.asarray(x) > 0, x, alpha * x)
              if np.asarray(x).dtype.kind == "f" else np.asarray(x), "integer result")  # fmt: skip
    both_fail("leaky_relu", lambda x, alpha=0.01: good_leaky(x, alpha), "alpha = 0.01")
    both_fail("leaky_relu", lambda x, alpha=0.3: np.maximum(np.asarray(x, float), 0), "expected")

    def mutates(x, alpha=0.3):
        out = good_leaky(x, alpha)
        x[...] = 0
        return out

    both_fail("leaky_relu", mutates, "changed")


def test_callback_mistakes():
    def wrong_order(folder):
        cbs = good_callbacks(folder)
        return [cbs[1], cbs[0], cbs[2], cbs[3]]

    both_fail("make_callbacks", wrong_order, "item 0 should be keras.callbacks.ModelCheckpoint")

    def saves_every_epoch(folder):
        cbs = good_callbacks(folder)
        cbs[0] = keras.callbacks.ModelCheckpoint(Path(folder) / "best.keras")
        return cbs

    both_fail("make_callbacks", saves_every_epoch, "save_best_only")

    def no_restore(folder):
        cbs = good_callbacks(folder)
        cbs[1] = keras.callbacks.EarlyStopping(patience=5)
        return cbs

    both_fail("make_callbacks", no_restore, "restore_best_weights")

    def wrong_factor(folder):
        cbs = good_callbacks(folder)
        cbs[2] = keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=2, min_lr=1e-5)
        return cbs

    both_fail("make_callbacks", wrong_factor, "factor")

    def wrong_file(folder):
        cbs = good_callbacks(folder)
        cbs[3] = keras.callbacks.CSVLogger("log.csv")
        return cbs

    both_fail("make_callbacks", wrong_file, "CSVLogger writes to")
    both_fail("make_callbacks", lambda folder: tuple(good_callbacks(folder)), "expected a list")
