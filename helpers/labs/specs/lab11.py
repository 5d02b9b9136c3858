"""Lab 11 (training): schedules, initializer scales, batch norm, leaky ReLU, callbacks.

References are plain Python and NumPy; ``make_callbacks`` builds the Keras callbacks, judged by
their descriptions (class and settings) with the file paths compared relative to the folder
(the reference and the learner each get their own temporary folder). Nothing trains.
"""

import math
from pathlib import Path

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake, TempDir

# ----------------------------------------------------------------------------- references


def power_schedule(step, eta0, k):
    return eta0 / (1 + step / k)


def exponential_schedule(step, eta0, decay_rate, decay_steps, staircase=False):
    p = step // decay_steps if staircase else step / decay_steps
    return float(eta0 * decay_rate**p)


def one_cycle_lr(step, total_steps, max_lr, warmup_fraction=0.25, start_div=25.0,
                 final_div=1000.0):  # fmt: skip
    warm = max(1, round(total_steps * warmup_fraction))
    start, end = max_lr / start_div, max_lr / final_div
    if step < warm:
        return start + (max_lr - start) * step / warm
    progress = min(1.0, (step - warm) / max(1, total_steps - warm))
    return end + (max_lr - end) * (1 + math.cos(math.pi * progress)) / 2


def _fan(value):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"expected a positive whole number, got {value!r}")
    return value


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
    import keras

    folder = Path(folder)
    if folder.is_absolute():
        # A temporary folder, different on each call: the judge compares paths from the folder's
        # name on, and a fixed parent keeps the stored public outcomes the same on every build.
        folder = Path("/tmp") / folder.name
    return [
        keras.callbacks.ModelCheckpoint(folder / "best.keras", monitor="val_loss",
                                        save_best_only=True),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=2,
                                          min_lr=1e-5),
        keras.callbacks.CSVLogger(str(folder / "log.csv")),
    ]  # fmt: skip


# ----------------------------------------------------------------------------- mistakes


def _power_inverted(step, eta0, k):
    return eta0 / (1 + k / max(step, 1))


def _smooth_only(step, eta0, decay_rate, decay_steps, staircase=False):
    return exponential_schedule(step, eta0, decay_rate, decay_steps, False)


def _uncapped(step, total_steps, max_lr, warmup_fraction=0.25, start_div=25.0, final_div=1000.0):
    warm = max(1, round(total_steps * warmup_fraction))
    if step < warm:
        return one_cycle_lr(step, total_steps, max_lr, warmup_fraction, start_div, final_div)
    end = max_lr / final_div
    progress = (step - warm) / max(1, total_steps - warm)
    return end + (max_lr - end) * (1 + math.cos(math.pi * progress)) / 2


def _warmup_from_zero(step, total_steps, max_lr, warmup_fraction=0.25, start_div=25.0,
                      final_div=1000.0):  # fmt: skip
    warm = max(1, round(total_steps * warmup_fraction))
    if step < warm:
        return max_lr * step / warm
    return one_cycle_lr(step, total_steps, max_lr, warmup_fraction, start_div, final_div)


def _glorot_std(fan_in, fan_out):
    return math.sqrt(2 / (_fan(fan_in) + _fan(fan_out)))


def _he_variance(fan_in):
    return 2 / _fan(fan_in)


def _bn_all_trainable(channels):
    return 4 * _fan(channels), 0


def _leaky(default):
    def leaky(x, alpha=default):
        return leaky_relu(x, alpha)

    return leaky


# ----------------------------------------------------------------------------- cases


def _power_hidden(rng):
    cases = []
    for _ in range(6):
        k = int(rng.integers(1, 2_000))
        cases.append(Case((int(rng.integers(1, 20 * k)), float(np.round(rng.uniform(0.001, 2), 4)),
                           k)))  # fmt: skip
    k = int(rng.integers(2, 300))
    cases.append(Case((k, 0.1, k), hint="after k steps the rate is halved."))
    cases.append(Case((0, float(np.round(rng.uniform(0.001, 1), 4)), int(rng.integers(1, 500)))))
    return cases


_EXP_HINT = ("the rate is multiplied by decay_rate once per decay_steps steps (a fractional "
             "exponent in between); with staircase=True only whole periods count (round "
             "DOWN).")  # fmt: skip


def _exp_hidden(rng):
    cases = []
    for staircase in (None, False, True, True, False, True):
        s = int(rng.integers(2, 1_000))
        args = (int(rng.integers(0, 8 * s)), float(np.round(rng.uniform(0.001, 1), 4)),
                float(np.round(rng.uniform(0.05, 0.99), 3)), s)  # fmt: skip
        kwargs = {} if staircase is None else {"staircase": staircase}
        cases.append(Case(args, kwargs))
    s = int(rng.integers(10, 500))
    cases += [Case((s - 1, 0.1, 0.5, s), {"staircase": True}),
              Case((3 * s + int(rng.integers(1, s)), 0.3, 0.5, s), {"staircase": True}),
              Case((0, 0.3, 0.5, s))]  # fmt: skip
    return cases


_CYCLE_HINT = ("the warm-up is the rounded warmup_fraction of total_steps (at least 1); a line "
               "from max_lr / start_div up to max_lr; from warm on, a half cosine from max_lr "
               "down to max_lr / final_div, with progress capped at 1.")  # fmt: skip


def _cycle_hidden(rng):
    cases = []
    for _ in range(8):
        total = int(rng.integers(10, 3_000))
        step = int(rng.integers(0, int(total * 1.3)))
        max_lr = float(np.round(rng.uniform(0.001, 2), 4))
        kwargs = {}
        if rng.random() < 0.5:
            kwargs["warmup_fraction"] = float(np.round(rng.uniform(0.05, 0.6), 2))
        if rng.random() < 0.4:
            kwargs["start_div"] = float(rng.integers(2, 50))
            kwargs["final_div"] = float(rng.integers(50, 5_000))
        cases.append(Case((step, total, max_lr), kwargs))
    total = int(rng.integers(40, 1_000))
    warm = max(1, round(total * 0.25))
    cases += [Case((0, total, 0.1)), Case((warm, total, 0.1)), Case((warm - 1, total, 0.1)),
              Case((total, total, 0.1)),
              Case((total + int(rng.integers(1, total)), total, 0.1),
                   hint="after total_steps the rate stays at max_lr / final_div: cap progress "
                        "at 1.")]  # fmt: skip
    return cases


_FAN_HINT = "fans must be positive whole numbers (an int, not a float or a bool): raise ValueError."


def _fan_value(rng):
    return int(rng.choice([1, 2, 3, 9, 27, 64, 128, 144, 256, 576, 784, 1024, 2048, 4608])) \
        * int(rng.integers(1, 4))  # fmt: skip


def _glorot_hidden(rng):
    cases = [Case((_fan_value(rng), _fan_value(rng))) for _ in range(6)] + [Case((1, 1))]
    bad = [(0, _fan_value(rng)), (_fan_value(rng), -int(rng.integers(1, 9))),
           (float(_fan_value(rng)) + 0.5, 4), (True, _fan_value(rng)), (3, None)]  # fmt: skip
    return cases + [Case(b, hint=_FAN_HINT) for b in bad]


def _he_hidden(rng):
    cases = [Case((_fan_value(rng),)) for _ in range(6)] + [Case((1,))]
    bad = [0, -int(rng.integers(1, 99)), float(_fan_value(rng)), False, True]
    return cases + [Case((b,), hint=_FAN_HINT) for b in bad]


_BN_HINT = "γ and β are trained (2 per channel); the moving mean and variance are not (2 more)."
_BN_ERRORS = "raise ValueError unless channels is an int > 0."


def _bn_hidden(rng):
    cases = [Case((int(rng.integers(1, 4_097)),), group="values") for _ in range(5)]
    cases.append(Case((1,), group="values"))
    bad = [0, -int(rng.integers(1, 512)), float(rng.integers(1, 512)), True]
    return cases + [Case((b,), group="errors", hint=_BN_ERRORS) for b in bad]


_LEAKY_HINT = ("keep x where x > 0 and use alpha · x elsewhere, on a float copy of x; the default "
               "alpha is 0.3.")  # fmt: skip
_INT_HINT = "convert x to float first: -1 · 0.3 is not a whole number."


def _leaky_case(x, kwargs=None, hint=None):
    kwargs = kwargs or {}
    extra = f", alpha={kwargs['alpha']}" if "alpha" in kwargs else ""
    label = f"leaky_relu(x of shape {x.shape}, dtype {x.dtype}{extra})"
    if x.dtype.kind in "iu":
        hint = hint or _INT_HINT
    return Case((x,), kwargs, label=label, hint=hint)


def _leaky_public():
    rng = np.random.default_rng(11)
    return [_leaky_case(x, kw) for x, kw in [
        (np.array([-2.0, -0.5, 0.0, 0.5, 3.0]), {}),
        (np.array([-10, -1, 0, 1, 10], dtype=np.int64), {}),
        (rng.normal(size=(4, 6)), {"alpha": 0.01}),
        (rng.normal(size=(2, 3, 5)).astype(np.float32), {"alpha": 0.2}),
        (np.array([[-4.0, 4.0]]), {"alpha": 1.0})]]  # fmt: skip


def _leaky_hidden(rng):
    cases = []
    for dtype, alpha in [("float64", None), ("float32", None), ("int32", None),
                         ("float64", float(np.round(rng.uniform(0.01, 0.5), 3))),
                         ("int64", float(np.round(rng.uniform(0.01, 0.5), 3))),
                         ("float32", float(np.round(rng.uniform(0.01, 0.5), 3)))]:  # fmt: skip
        shape = tuple(int(d) for d in rng.integers(1, 7, size=int(rng.integers(1, 4))))
        x = rng.normal(scale=5, size=shape)
        x.flat[0] = -abs(x.flat[0]) - 1  # always a negative value
        cases.append(_leaky_case(x.astype(dtype), {} if alpha is None else {"alpha": alpha}))
    return cases


_SETTINGS = {
    "ModelCheckpoint": ["filepath", "monitor", "save_best_only", "save_weights_only"],
    "EarlyStopping": ["monitor", "patience", "restore_best_weights"],
    "ReduceLROnPlateau": ["monitor", "factor", "patience", "min_lr"],
    "CSVLogger": ["filename"],
}


def _callbacks_hidden(rng):
    k = int(rng.integers(1, 1_000))
    return [Case((TempDir(f"run_{k}"),)),
            Case((f"experiments/exp{int(rng.integers(1, 1_000))}",)),
            Case((TempDir(str(rng.choice(["logs", "ckpt", "out", "trial"]))),))]  # fmt: skip


EXERCISES = [
    Exercise(
        "power_schedule",
        points=2,
        reference=power_schedule,
        judge=judge.Float(rel=1e-9),
        public=[
            Case(a)
            for a in [
                (300, 0.1, 100),
                (0, 0.1, 100),
                (100, 0.1, 100),
                (7, 0.01, 20),
                (1, 1.0, 1),
                (5_000, 0.2, 100),
            ]
        ],
        hidden=_power_hidden,
        hint="inverse-time decay: the rate is halved after k steps, a third after 2k.",
        mistakes=[
            Mistake(
                _power_inverted,
                "you computed eta0 / (1 + k / step).",
                "the ratio is step / k, not k / step.",
            )
        ],
    ),  # fmt: skip
    Exercise(
        "exponential_schedule",
        points=2,
        reference=exponential_schedule,
        judge=judge.Float(rel=1e-9),
        public=[
            Case(a, kw)
            for a, kw in [
                ((0, 0.1, 0.1, 500), {}),
                ((500, 0.1, 0.1, 500), {}),
                ((250, 0.1, 0.1, 500), {}),
                ((1000, 0.05, 0.5, 100), {}),
                ((499, 0.1, 0.1, 500), {"staircase": True}),
                ((500, 0.1, 0.1, 500), {"staircase": True}),
                ((1234, 0.2, 0.5, 300), {"staircase": True}),
                ((1234, 0.2, 0.5, 300), {"staircase": False}),
            ]
        ],
        hidden=_exp_hidden,
        hint=_EXP_HINT,
        mistakes=[
            Mistake(
                _smooth_only,
                "you returned the smooth curve: staircase=True was ignored.",
                "with staircase=True the exponent is rounded down.",
            )
        ],
    ),  # fmt: skip
    Exercise(
        "one_cycle_lr",
        points=2,
        reference=one_cycle_lr,
        judge=judge.Float(rel=1e-7),
        public=[
            Case(a, kw)
            for a, kw in [
                ((0, 1000, 0.1), {}),
                ((125, 1000, 0.1), {}),
                ((250, 1000, 0.1), {}),
                ((625, 1000, 0.1), {}),
                ((1000, 1000, 0.1), {}),
                ((1200, 1000, 0.1), {}),
                ((3, 10, 0.5), {"warmup_fraction": 0.3}),
                ((9, 10, 0.5), {"warmup_fraction": 0.3}),
                ((40, 200, 1.0), {"start_div": 10.0, "final_div": 100.0}),
                ((150, 200, 1.0), {"start_div": 10.0, "final_div": 100.0}),
                ((7, 30, 0.5), {}),
            ]
        ]
        + [
            Case((step, 400, 0.1), hint="the same curve as helpers.training.one_cycle(0.1, 400).")
            for step in (0, 50, 100, 101, 399, 400)
        ],
        hidden=_cycle_hidden,
        hint=_CYCLE_HINT,
        mistakes=[
            Mistake(
                _uncapped,
                "after total_steps the rate must stay at max_lr / final_div.",
                "cap progress at 1.",
            ),
            Mistake(
                _warmup_from_zero,
                "the warm-up starts at 0, not at max_lr / start_div.",
                "at step 0 the rate is max_lr / start_div.",
            ),
        ],
    ),  # fmt: skip
    Exercise(
        "glorot_limit",
        points=1,
        reference=glorot_limit,
        judge=judge.Float(rel=1e-9),
        public=[
            Case(a) for a in [(400, 200), (784, 128), (3 * 3 * 16, 3 * 3 * 32), (1, 1), (100, 100)]
        ]
        + [Case(b, hint=_FAN_HINT) for b in [(0, 10), (10, -1), (2.5, 4), (3, None)]],
        hidden=_glorot_hidden,
        hint="Glorot uniform: the limit uses the sum of both fans, under a square root.",
        mistakes=[
            Mistake(
                _glorot_std,
                "you returned the standard deviation √(2/(fan_in+fan_out)); "
                "the limit of the uniform distribution is √3 times larger.",
            )
        ],
    ),  # fmt: skip
    Exercise(
        "he_normal_std",
        points=1,
        reference=he_normal_std,
        judge=judge.Float(rel=1e-9),
        public=[Case((f,)) for f in [400, 144, 1, 784, 4608]]
        + [Case((b,), hint=_FAN_HINT) for b in [0, -3, 2.5, True]],
        hidden=_he_hidden,
        hint="He normal: σ depends on fan_in only; a 3×3 convolution on 16 channels has "
        "fan_in = 144.",
        mistakes=[
            Mistake(_he_variance, "you returned the variance 2/fan_in; return its square root.")
        ],
    ),  # fmt: skip
    Exercise(
        "batchnorm_params",
        points=2,
        reference=batchnorm_params,
        judge=judge.Seq(
            [judge.Int(), judge.Int()], names=["item 0 (trainable)", "item 1 (non-trainable)"]
        ),
        public=[Case((c,)) for c in [32, 1, 64, 224, 2048]]
        + [Case((b,), hint=_BN_ERRORS) for b in [0, -4, 3.0, True]],
        hidden=_bn_hidden,
        groups={"values": 1, "errors": 1},
        hint=_BN_HINT,
        mistakes=[
            Mistake(
                _bn_all_trainable,
                "you counted all four numbers per channel as trainable.",
                "the moving mean and variance are not trained.",
            )
        ],
    ),  # fmt: skip
    Exercise(
        "leaky_relu",
        points=2,
        reference=leaky_relu,
        copy=True,
        judge=judge.Array(atol=1e-6, kinds="f"),
        public=_leaky_public(),
        hidden=_leaky_hidden,
        hint=_LEAKY_HINT,
        mistakes=[
            Mistake(
                _leaky(0.01),
                "you used alpha = 0.01; the default here is 0.3 (Keras' LeakyReLU layer).",
            ),
            Mistake(
                _leaky(0.2),
                "you used alpha = 0.2 (keras.activations.leaky_relu's "
                "default); the default here is 0.3 (the LeakyReLU layer's).",
            ),
        ],
    ),  # fmt: skip
    Exercise(
        "make_callbacks",
        points=2,
        reference=make_callbacks,
        judge=judge.Custom("lab11.callbacks", params={"settings": _SETTINGS}),
        public=[
            Case((TempDir("run"),), label="make_callbacks(a temporary folder, as a Path)"),
            Case(("runs/sub",)),
        ],
        hidden=_callbacks_hidden,
        hint="ModelCheckpoint, EarlyStopping, ReduceLROnPlateau, CSVLogger — in this order, "
        "with the settings of the exercise; both files go inside `folder`.",
    ),  # fmt: skip
]
