"""Learning-rate schedules in plain Python/NumPy, for teaching and plotting.

Each function takes the training *step* (a batch counter starting at 0, or an
array of steps) and returns the learning rate at that step: a ``float`` for a
scalar step, a float64 ``np.ndarray`` for an array. They agree with Keras'
schedule objects (``tests/test_schedules.py`` checks it), so a chapter can plot a
schedule with NumPy and then hand the Keras object to an optimizer:

=========================  ===============================================================
this module                Keras 3
=========================  ===============================================================
:func:`power_schedule`     ``InverseTimeDecay(eta0, decay_steps=k, decay_rate=1)`` (c = 1)
:func:`legacy_decay`       Keras 2's ``SGD(lr=eta0, decay=d)``; Keras 3:
                           ``InverseTimeDecay(eta0, decay_steps=1, decay_rate=d)``
:func:`exponential_schedule`  ``ExponentialDecay(eta0, decay_steps, decay_rate, staircase)``
:func:`step_schedule`      ``ExponentialDecay(eta0, every, drop, staircase=True)``
:func:`piecewise_constant` ``PiecewiseConstantDecay(boundaries, values)``
:func:`one_cycle_lr`       :func:`helpers.training.one_cycle`
=========================  ===============================================================

:func:`keras_values` evaluates any Keras schedule on an array of steps, for comparisons.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "power_schedule", "legacy_decay", "exponential_schedule", "step_schedule",
    "piecewise_constant", "one_cycle_lr", "keras_values",
]  # fmt: skip


def _steps(step, caller: str):
    """``step`` as a float64 array (and whether it was a scalar); reject negatives and NaN."""
    arr = np.asarray(step, dtype=np.float64)
    if arr.size and not (np.all(np.isfinite(arr)) and np.all(arr >= 0)):
        raise ValueError(f"{caller}: steps must be finite and ≥ 0, got {step!r}")
    return arr, arr.ndim == 0


def _out(values: np.ndarray, scalar: bool):
    return float(values) if scalar else np.asarray(values, dtype=np.float64)


def _positive(value, name: str, caller: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{caller}: {name} must be a number, got {type(value).__name__}")
    if not value > 0 or not math.isfinite(value):
        raise ValueError(f"{caller}: {name} must be positive, got {value!r}")
    return float(value)


def power_schedule(step, eta0: float, k: float, c: float = 1.0):
    """Power scheduling η(t) = η0 / (1 + t/k)^c: halved after k steps when c = 1.

    With ``c = 1`` this is Keras' ``InverseTimeDecay(eta0, decay_steps=k, decay_rate=1)``.
    """
    eta0 = _positive(eta0, "eta0", "power_schedule()")
    k = _positive(k, "k", "power_schedule()")
    c = _positive(c, "c", "power_schedule()")
    t, scalar = _steps(step, "power_schedule()")
    return _out(eta0 / (1.0 + t / k) ** c, scalar)


def legacy_decay(step, lr: float, decay: float):
    """Keras 2's ``SGD(lr=lr, decay=decay)``: lr / (1 + decay · iterations).

    The ``decay`` argument was removed from Keras 3 optimizers; the same curve is
    ``InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)``, i.e. a power schedule
    with k = 1/decay steps.
    """
    lr = _positive(lr, "lr", "legacy_decay()")
    if isinstance(decay, bool) or not isinstance(decay, int | float) or not decay >= 0:
        raise ValueError(f"legacy_decay(): decay must be a number ≥ 0, got {decay!r}")
    t, scalar = _steps(step, "legacy_decay()")
    return _out(lr / (1.0 + decay * t), scalar)


def exponential_schedule(
    step, eta0: float, decay_rate: float, decay_steps: float, staircase: bool = False
):
    """Exponential decay η(t) = η0 · rate^(t / decay_steps) (Keras' ``ExponentialDecay``).

    ``staircase=True`` uses ⌊t / decay_steps⌋: the rate drops in steps.
    """
    eta0 = _positive(eta0, "eta0", "exponential_schedule()")
    rate = _positive(decay_rate, "decay_rate", "exponential_schedule()")
    s = _positive(decay_steps, "decay_steps", "exponential_schedule()")
    t, scalar = _steps(step, "exponential_schedule()")
    p = np.floor(t / s) if staircase else t / s
    return _out(eta0 * rate**p, scalar)


def step_schedule(step, eta0: float, drop: float, every: int):
    """Step decay: multiply the rate by ``drop`` every ``every`` steps: η0 · drop^⌊t/every⌋."""
    return exponential_schedule(step, eta0, drop, every, staircase=True)


def piecewise_constant(step, boundaries, values):
    """``values[i]`` while ``boundaries[i-1] < step <= boundaries[i]`` (Keras' convention).

    ``len(values) == len(boundaries) + 1``; boundaries must increase. Note the ``<=``:
    at a step equal to a boundary the *earlier* value still applies, as in Keras'
    ``PiecewiseConstantDecay``.
    """
    b = [float(x) for x in boundaries]
    v = [float(x) for x in values]
    if len(v) != len(b) + 1:
        raise ValueError(
            f"piecewise_constant(): need one more value than boundaries, got {len(b)} "
            f"boundaries and {len(v)} values"
        )
    if any(b2 <= b1 for b1, b2 in zip(b, b[1:], strict=False)):
        raise ValueError(f"piecewise_constant(): boundaries must increase, got {b}")
    t, scalar = _steps(step, "piecewise_constant()")
    idx = np.searchsorted(np.asarray(b), t, side="left")  # number of boundaries < t
    return _out(np.asarray(v)[idx], scalar)


def one_cycle_lr(
    step,
    total_steps: int,
    max_lr: float,
    *,
    warmup_fraction: float = 0.25,
    start_div: float = 25.0,
    final_div: float = 1e3,
):
    """The 1-cycle schedule of :func:`helpers.training.one_cycle`, in NumPy.

    Linear warm-up from ``max_lr / start_div`` to ``max_lr`` during the first
    ``warm = max(1, round(total_steps · warmup_fraction))`` steps, then a half cosine
    down to ``max_lr / final_div`` at ``total_steps`` (and flat after it).
    """
    max_lr = _positive(max_lr, "max_lr", "one_cycle_lr()")
    if (
        isinstance(total_steps, bool)
        or not isinstance(total_steps, int | np.integer)
        or total_steps < 2
    ):
        raise ValueError(
            f"one_cycle_lr(): total_steps must be a whole number ≥ 2, got {total_steps!r}"
        )
    if not 0 < warmup_fraction < 1:
        raise ValueError(
            f"one_cycle_lr(): warmup_fraction must be in (0, 1), got {warmup_fraction!r}"
        )
    t, scalar = _steps(step, "one_cycle_lr()")
    warm = max(1, int(round(total_steps * warmup_fraction)))
    start, end = max_lr / start_div, max_lr / final_div
    up = start + (max_lr - start) * t / warm
    progress = np.clip((t - warm) / max(1, total_steps - warm), 0.0, 1.0)
    down = end + (max_lr - end) * 0.5 * (1.0 + np.cos(np.pi * progress))
    return _out(np.where(t < warm, up, down), scalar)


def keras_values(schedule, steps) -> np.ndarray:
    """Evaluate a Keras ``LearningRateSchedule`` at each step; float64 array."""
    import keras

    if not callable(schedule):
        raise TypeError(f"keras_values(): expected a schedule object, got {type(schedule)}")
    return np.array(
        [float(keras.ops.convert_to_numpy(schedule(int(s)))) for s in np.ravel(steps)],
        dtype=np.float64,
    ).reshape(np.shape(steps))
