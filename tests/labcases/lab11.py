"""Lab 11 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import math
from pathlib import Path

import keras
import numpy as np

from helpers import schedules
from helpers.labs.spec import Mutant


def power_schedule(step, eta0, k):
    return schedules.power_schedule(step, eta0, k)


def exponential_schedule(step, eta0, decay_rate, decay_steps, staircase=False):
    return schedules.exponential_schedule(step, eta0, decay_rate, decay_steps, staircase)


def one_cycle_lr(step, total_steps, max_lr, warmup_fraction=0.25, start_div=25.0, final_div=1e3):
    return schedules.one_cycle_lr(step, total_steps, max_lr, warmup_fraction=warmup_fraction,
                                  start_div=start_div, final_div=final_div)  # fmt: skip


def _fan(f):
    if not isinstance(f, int) or isinstance(f, bool) or f <= 0:
        raise ValueError("bad fan")
    return f


def glorot_limit(fan_in, fan_out):
    return math.sqrt(6 / (_fan(fan_in) + _fan(fan_out)))


def he_normal_std(fan_in):
    return math.sqrt(2 / _fan(fan_in))


def batchnorm_params(channels):
    return 2 * _fan(channels), 2 * channels


def leaky_relu(x, alpha=0.3):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, alpha * x)


def make_callbacks(folder):
    folder = Path(folder)
    return [
        keras.callbacks.ModelCheckpoint(folder / "best.keras", save_best_only=True),
        keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True),
        keras.callbacks.ReduceLROnPlateau(factor=0.2, patience=2, min_lr=1e-5),
        keras.callbacks.CSVLogger(folder / "log.csv"),
    ]


SOLUTION = {f.__name__: f for f in (power_schedule, exponential_schedule, one_cycle_lr,
                                    glorot_limit, he_normal_std, batchnorm_params, leaky_relu,
                                    make_callbacks)}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def exp_ignores_staircase(step, eta0, decay_rate, decay_steps, staircase=False):
    return eta0 * decay_rate ** (step / decay_steps)


def exp_rounds_to_nearest(step, eta0, decay_rate, decay_steps, staircase=False):
    p = round(step / decay_steps) if staircase else step / decay_steps
    return eta0 * decay_rate**p


def cycle_no_cap(step, total_steps, max_lr, warmup_fraction=0.25, start_div=25.0, final_div=1e3):
    warm = max(1, round(total_steps * warmup_fraction))
    start, end = max_lr / start_div, max_lr / final_div
    if step < warm:
        return start + (max_lr - start) * step / warm
    progress = (step - warm) / (total_steps - warm)
    return end + (max_lr - end) * (1 + math.cos(math.pi * progress)) / 2


def cycle_from_zero(step, total_steps, max_lr, warmup_fraction=0.25, start_div=25.0,
                    final_div=1e3):  # fmt: skip
    warm = max(1, round(total_steps * warmup_fraction))
    if step < warm:
        return max_lr * step / warm
    return one_cycle_lr(step, total_steps, max_lr, warmup_fraction, start_div, final_div)


def cycle_floor_warm(step, total_steps, max_lr, warmup_fraction=0.25, start_div=25.0,
                     final_div=1e3):  # fmt: skip
    warm = max(1, int(total_steps * warmup_fraction))
    start, end = max_lr / start_div, max_lr / final_div
    if step < warm:
        return start + (max_lr - start) * step / warm
    progress = min(1.0, (step - warm) / max(1, total_steps - warm))
    return end + (max_lr - end) * (1 + math.cos(math.pi * progress)) / 2


def leaky_keeps_dtype(x, alpha=0.3):
    x = np.asarray(x)
    return np.where(x > 0, x, alpha * x).astype(x.dtype)


def leaky_in_place(x, alpha=0.3):
    out = leaky_relu(x, alpha)
    x[...] = 0
    return out


def leaky_float_in_place(x, alpha=0.3):  # returns its (float) input, changed
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    x[x < 0] *= alpha
    return x


def _replace(index, make):
    def callbacks(folder):
        cbs = make_callbacks(folder)
        cbs[index] = make(Path(folder))
        return cbs

    return callbacks


def callbacks_wrong_order(folder):
    cbs = make_callbacks(folder)
    return [cbs[1], cbs[0], cbs[2], cbs[3]]


def callbacks_patiences_swapped(folder):
    cbs = make_callbacks(folder)
    cbs[1] = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    cbs[2] = keras.callbacks.ReduceLROnPlateau(factor=0.2, patience=5, min_lr=1e-5)
    return cbs


def callbacks_in_cwd(folder):
    return make_callbacks(".")[:2] + make_callbacks(folder)[2:]


CB = keras.callbacks

MUTANTS = [
    Mutant("power_schedule", "k / step", lambda s, e, k: e / (1 + k / max(s, 1)), says="k / step"),
    Mutant("power_schedule", "step * k", lambda s, e, k: e / (1 + s * k)),
    Mutant(
        "power_schedule",
        "returns an array",
        lambda s, e, k: np.array(e / (1 + s / k)),
        says="expected a number",
    ),
    Mutant("power_schedule", "squared", lambda s, e, k: e / (1 + s / k) ** 2),
    Mutant(
        "exponential_schedule",
        "ignores staircase",
        exp_ignores_staircase,
        says="staircase=True was ignored",
    ),
    Mutant(
        "exponential_schedule",
        "step * decay_steps",
        lambda step, eta0, r, s, staircase=False: eta0 * r ** (step * s),
    ),
    Mutant("exponential_schedule", "staircase rounds to nearest", exp_rounds_to_nearest),
    Mutant("one_cycle_lr", "progress not capped", cycle_no_cap, says="must stay at"),
    Mutant("one_cycle_lr", "warm-up from 0", cycle_from_zero, says="starts at 0"),
    Mutant("one_cycle_lr", "warm rounded down", cycle_floor_warm),
    Mutant(
        "glorot_limit",
        "standard deviation",
        lambda a, b: math.sqrt(2 / (_fan(a) + _fan(b))),
        says="√3 times larger",
    ),
    Mutant(
        "glorot_limit",
        "no validation",
        lambda a, b: math.sqrt(6 / (a + b)),
        says="instead of raising ValueError",
    ),
    Mutant("glorot_limit", "fan_in only", lambda a, b: math.sqrt(6 / (_fan(a) + 0 * _fan(b)))),
    Mutant("he_normal_std", "variance", lambda f: 2 / _fan(f), says="variance"),
    Mutant("he_normal_std", "LeCun's 1 / fan_in", lambda f: math.sqrt(1 / _fan(f))),
    Mutant("he_normal_std", "accepts floats", lambda f: math.sqrt(2 / f) if f > 0 else 1 / 0),
    Mutant("batchnorm_params", "all trainable", lambda c: (4 * _fan(c), 0), says="all four"),
    Mutant("batchnorm_params", "a list", lambda c: [2 * _fan(c), 2 * c], says="tuple"),
    Mutant(
        "batchnorm_params",
        "no validation",
        lambda c: (2 * c, 2 * c),
        says="instead of raising ValueError",
    ),
    Mutant("batchnorm_params", "one each", lambda c: (_fan(c), _fan(c))),
    Mutant("leaky_relu", "keeps an integer dtype", leaky_keeps_dtype, says="float"),
    Mutant(
        "leaky_relu",
        "alpha 0.01 by default",
        lambda x, alpha=0.01: leaky_relu(x, alpha),
        says="alpha = 0.01",
    ),
    Mutant(
        "leaky_relu",
        "alpha 0.2 by default",
        lambda x, alpha=0.2: leaky_relu(x, alpha),
        says="alpha = 0.2",
    ),
    Mutant("leaky_relu", "plain ReLU", lambda x, alpha=0.3: np.maximum(np.asarray(x, float), 0)),
    Mutant("leaky_relu", "changes its input", leaky_in_place, says="changed its input"),
    Mutant("leaky_relu", "scales its float input in place", leaky_float_in_place),
    Mutant(
        "make_callbacks",
        "wrong order",
        callbacks_wrong_order,
        says="item 0 should be keras.callbacks.ModelCheckpoint",
    ),
    Mutant(
        "make_callbacks",
        "saves every epoch",
        _replace(0, lambda f: CB.ModelCheckpoint(f / "best.keras")),
        says="save_best_only",
    ),
    Mutant(
        "make_callbacks",
        "no restore_best_weights",
        _replace(1, lambda f: CB.EarlyStopping(patience=5)),
        says="restore_best_weights",
    ),
    Mutant(
        "make_callbacks",
        "factor 0.5",
        _replace(2, lambda f: CB.ReduceLROnPlateau(factor=0.5, patience=2, min_lr=1e-5)),
        says="factor",
    ),
    Mutant(
        "make_callbacks",
        "log in the working folder",
        _replace(3, lambda f: CB.CSVLogger("log.csv")),
        says="CSVLogger writes to",
    ),
    Mutant(
        "make_callbacks",
        "a tuple",
        lambda folder: tuple(make_callbacks(folder)),
        says="expected a list",
    ),
    Mutant("make_callbacks", "patiences swapped", callbacks_patiences_swapped, says="patience"),
    Mutant(
        "make_callbacks",
        "monitors val_accuracy",
        _replace(
            1,
            lambda f: CB.EarlyStopping(
                monitor="val_accuracy", patience=5, restore_best_weights=True
            ),
        ),
        says="monitor",
    ),
    Mutant(
        "make_callbacks",
        "min_lr 1e-4",
        _replace(2, lambda f: CB.ReduceLROnPlateau(factor=0.2, patience=2, min_lr=1e-4)),
        says="min_lr",
    ),
    Mutant(
        "make_callbacks",
        "checkpoint file in the parent folder",
        _replace(0, lambda f: CB.ModelCheckpoint(f.parent / "best.keras", save_best_only=True)),
        says="ModelCheckpoint writes to",
    ),
    Mutant(
        "make_callbacks",
        "three callbacks",
        lambda folder: make_callbacks(folder)[:3],
        says="expected 4 callbacks",
    ),
    Mutant("make_callbacks", "checkpoint and log in the working folder", callbacks_in_cwd),
]
