"""Lab 23 (the ecosystem, from training to deployment): int8 quantization and back, the size
ratio of an int8 file, picking a model for a budget, reading a TensorBoard scalar, and the
design recipe's next step.

References come from :mod:`helpers.deploy` where the chapter uses the same function (quantize,
dequantize, diagnose). Hidden cases are drawn per submission: random scales, zero points and
values (always with values that must be clipped, and codes whose ``q − zero_point`` overflows
int8), random parameter counts, random model tables (always with a tie on accuracy and a model
exactly on the budget), random event records (always with a restarted step and a foreign tag),
and random accuracies in every region of the recipe's rules (always on the boundaries).
"""

import numpy as np

from helpers import deploy
from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

# ----------------------------------------------------------------------------- references


def quantize(x, scale, zero_point):
    return deploy.quantize(x, scale, zero_point)


def dequantize(q, scale, zero_point):
    return deploy.dequantize(q, scale, zero_point)


def size_ratio(n_weights, n_biases):
    if n_weights < 0 or n_biases < 0 or n_weights + n_biases == 0:
        raise ValueError("counts must be non-negative and not both zero")
    return float(4 * (n_weights + n_biases) / (n_weights + 4 * n_biases))


def pick_model(rows, max_kb, max_ms):
    fitting = [r for r in rows if r["size_kb"] <= max_kb and r["latency_ms"] <= max_ms]
    if not fitting:
        return None
    best = max(fitting, key=lambda r: (r["accuracy"], -r["size_kb"]))
    return best["name"]


def read_scalar(records, tag):
    latest = {}
    for r in records:
        if r["tag"] != tag:
            continue
        step = r["step"]
        if step not in latest or r["wall_time"] >= latest[step][0]:
            latest[step] = (r["wall_time"], r["value"])
    if not latest:
        raise KeyError(tag)
    steps = np.array(sorted(latest), dtype=np.int64)
    return steps, np.array([latest[s][1] for s in steps], dtype=np.float64)


def next_step(train_acc, val_acc, target, num_classes):
    return deploy.diagnose(train_acc, val_acc, target, num_classes)


# ----------------------------------------------------------------------------- mistakes


def _truncates(x, scale, zero_point):
    q = np.trunc(np.asarray(x, np.float64) / scale) + zero_point
    return np.clip(q, -128, 127).astype(np.int8)


def _minus_zero_point(x, scale, zero_point):
    q = np.round(np.asarray(x, np.float64) / scale) - zero_point
    return np.clip(q, -128, 127).astype(np.int8)


def _wraps_instead_of_clipping(x, scale, zero_point):
    q = np.round(np.asarray(x, np.float64) / scale) + zero_point
    return q.astype(np.int64).astype(np.int8)


def _int8_overflow(q, scale, zero_point):
    with np.errstate(over="ignore"):
        diff = np.asarray(q, np.int8) - np.int8(zero_point)
    return (diff.astype(np.float32) * np.float32(scale)).astype(np.float32)


def _plus_zero_point(q, scale, zero_point):
    return ((np.asarray(q, np.int32) + zero_point) * scale).astype(np.float32)


def _always_four(n_weights, n_biases):
    return 4.0


def _int8_over_float(n_weights, n_biases):
    return 1 / size_ratio(n_weights, n_biases)


def _ignores_latency(rows, max_kb, max_ms):
    return pick_model(rows, max_kb, float("inf"))


def _ignores_size(rows, max_kb, max_ms):
    return pick_model(rows, float("inf"), max_ms)


def _strict_budget(rows, max_kb, max_ms):
    fitting = [r for r in rows if r["size_kb"] < max_kb and r["latency_ms"] < max_ms]
    return max(fitting, key=lambda r: (r["accuracy"], -r["size_kb"]))["name"] if fitting else None


def _smallest(rows, max_kb, max_ms):
    fitting = [r for r in rows if r["size_kb"] <= max_kb and r["latency_ms"] <= max_ms]
    return min(fitting, key=lambda r: r["size_kb"])["name"] if fitting else None


def _first_record_wins(records, tag):
    first = {}
    for r in records:
        if r["tag"] == tag and r["step"] not in first:
            first[r["step"]] = r["value"]
    if not first:
        raise KeyError(tag)
    steps = np.array(sorted(first), dtype=np.int64)
    return steps, np.array([first[s] for s in steps], dtype=np.float64)


def _file_order(records, tag):
    rows = [r for r in records if r["tag"] == tag]
    if not rows:
        raise KeyError(tag)
    return (
        np.array([r["step"] for r in rows], dtype=np.int64),
        np.array([r["value"] for r in rows], dtype=np.float64),
    )


def _gap_before_capacity(train_acc, val_acc, target, num_classes):
    if val_acc >= target:
        return "export"
    if train_acc <= 1 / num_classes + 0.05:
        return "debug"
    if train_acc - val_acc > 0.05:
        return "regularise"
    if train_acc < target:
        return "add capacity"
    return "tune"


def _no_debug(train_acc, val_acc, target, num_classes):
    answer = next_step(train_acc, val_acc, target, num_classes)
    return "add capacity" if answer == "debug" else answer


# ----------------------------------------------------------------------------- cases

_CLIP_HINT = "codes outside −128…127 are clipped to the ends (np.clip), never wrapped around."


def _quant_hidden(rng):
    cases = []
    for _ in range(6):
        scale = float(rng.choice([1 / 255, 0.02, 0.1, 0.5])) * float(rng.uniform(0.5, 2))
        zp = int(rng.integers(-128, 128))
        x = rng.uniform(-140 * scale, 140 * scale, size=int(rng.integers(3, 12)))
        cases.append(Case((x, scale, zp)))
    cases.append(
        Case(
            (np.array([-1.0, 0.0, 1.0, 2.0]) * 300 * 0.05, 0.05, int(rng.integers(-5, 5))),
            hint=_CLIP_HINT,
        )
    )
    cases.append(
        Case(
            (np.array([0.26, -0.26, 0.74, -0.74]) * 0.1, 0.1, 0),
            hint="round to the NEAREST code (np.round), not towards zero.",
        )
    )
    cases.append(Case((rng.uniform(0, 1, size=(3, 4)), 1 / 255, -128)))
    return cases


def _dequant_hidden(rng):
    cases = []
    for _ in range(5):
        scale = float(rng.uniform(0.001, 0.5))
        zp = int(rng.integers(-128, 128))
        q = rng.integers(-128, 128, size=int(rng.integers(3, 10))).astype(np.int8)
        cases.append(Case((q, scale, zp)))
    cases.append(
        Case(
            (
                np.array([127, 100, -128], np.int8),
                float(rng.uniform(0.01, 0.1)),
                -int(rng.integers(60, 128)),
            ),
            hint="q − zero_point can exceed int8's range: convert to a wider integer "
            "(or float) first.",
        )
    )
    return cases


def _size_hidden(rng):
    cases = [
        Case((int(rng.integers(1_000, 5_000_000)), int(rng.integers(10, 5_000)))) for _ in range(5)
    ]
    cases.append(Case((int(rng.integers(1, 50)), int(rng.integers(100, 1000)))))
    cases.append(Case((0, int(rng.integers(1, 100)))))
    cases.append(Case((0, 0), hint="no parameters at all: raise ValueError."))
    return cases


def _table(rng, n):
    names = [
        "keras",
        "savedmodel",
        "tflite_float",
        "tflite_dynamic",
        "tflite_int8",
        "pruned",
        "distilled",
        "mobile",
    ]
    chosen = rng.choice(names, size=n, replace=False)
    return [
        {
            "name": str(c),
            "size_kb": float(np.round(rng.uniform(50, 5000), 1)),
            "accuracy": float(np.round(rng.uniform(0.85, 0.99), 3)),
            "latency_ms": float(np.round(rng.uniform(0.05, 20), 2)),
        }
        for c in chosen
    ]


def _pick_hidden(rng):
    cases = []
    for _ in range(4):
        rows = _table(rng, int(rng.integers(3, 7)))
        sizes = sorted(r["size_kb"] for r in rows)
        times = sorted(r["latency_ms"] for r in rows)
        cases.append(Case((rows, float(rng.choice(sizes)), float(rng.choice(times)))))
    rows = _table(rng, 4)
    rows[1]["accuracy"] = rows[2]["accuracy"] = 0.995  # a tie on accuracy: the smaller wins
    rows[1]["size_kb"], rows[2]["size_kb"] = 300.0, 120.0
    rows[1]["latency_ms"] = rows[2]["latency_ms"] = 1.0
    cases.append(Case((rows, 400.0, 2.0), hint="on a tie in accuracy, take the smaller file."))
    # the most accurate model is small but too slow, the next one fast but too big
    rows = _table(rng, 4)
    rows[0].update(accuracy=0.999, size_kb=60.0, latency_ms=25.0)
    rows[1].update(accuracy=0.998, size_kb=6000.0, latency_ms=0.04)
    cases.append(Case((rows, 5000.0, 20.0), hint="a model must fit BOTH budgets."))
    cases.append(Case((_table(rng, 3), 10.0, 100.0), hint="nothing fits: return None."))
    return cases


def _records(rng, tag, steps, other="epoch_loss"):
    out, t = [], 1000.0
    for s in steps:
        t += float(rng.uniform(1, 5))
        out.append(
            {
                "wall_time": t,
                "step": int(s),
                "tag": tag,
                "value": float(np.round(rng.uniform(0, 1), 4)),
            }
        )
        out.append(
            {
                "wall_time": t,
                "step": int(s),
                "tag": other,
                "value": float(np.round(rng.uniform(0, 3), 4)),
            }
        )
    return out


def _scalar_hidden(rng):
    cases = []
    for _ in range(3):
        steps = rng.permutation(int(rng.integers(3, 9)))
        cases.append(Case((_records(rng, "epoch_accuracy", steps), "epoch_accuracy")))
    # a restart: steps 0-4, then 3-6 again with later wall times
    recs = _records(rng, "epoch_loss", range(5), other="epoch_accuracy")
    recs += _records(rng, "epoch_loss", range(3, 7), other="epoch_accuracy")
    for r in recs[10:]:
        r["wall_time"] += 500.0
    cases.append(Case((recs, "epoch_loss"), hint="a step logged twice keeps its LATEST record."))
    cases.append(
        Case(
            (_records(rng, "epoch_loss", range(3)), "epoch_auc"),
            hint="a tag that is not there: raise KeyError.",
        )
    )
    return cases


def _recipe_hidden(rng):
    cases = []
    target = float(np.round(rng.uniform(0.8, 0.95), 2))
    k = int(rng.choice([2, 5, 10, 100]))
    chance = 1 / k
    up = lambda a, b: float(np.round(rng.uniform(a, b), 3))  # noqa: E731
    train_cap = up(chance + 0.1, target - 0.01)
    train_reg = up(target, 1.0)
    train_tune = float(np.round(target + rng.uniform(0, 0.025), 3))
    draws = [
        (up(target, 1.0), up(target, 1.0)),  # export
        (up(0, chance + 0.04), float(np.round(chance, 3))),  # debug
        (train_cap, max(0.0, float(np.round(train_cap - rng.uniform(0, 0.2), 3)))),  # capacity
        (train_reg, min(float(np.round(train_reg - rng.uniform(0.06, 0.3), 3)), target - 0.01)),
        (train_tune, float(np.round(target - rng.uniform(0.002, 0.02), 3))),  # tune
    ]
    for train, val in draws:
        cases.append(Case((train, val, target, k)))
    cases.append(Case((0.99, 0.80, target, k), hint="train 99 %, validation 80 %: overfitting."))
    cases.append(Case((0.62, 0.61, 0.9, 10), hint="62 % on the training set: underfitting."))
    cases.append(Case((target, target, target, k), hint="reaching the target counts (>=)."))
    return cases


EXERCISES = [
    Exercise(
        "quantize",
        points=2,
        reference=quantize,
        judge=judge.Array(atol=0.0, kinds="i", same_dtype=True),
        public=[
            Case(
                (np.array([0.0, 0.5, 1.0]), 1 / 255, -128),
                label="quantize([0.0, 0.5, 1.0], scale=1/255, zero_point=-128)",
            ),
            Case((np.array([-1.0, 0.0, 0.25, 2.9]), 0.02, 10)),
            Case((np.array([0.5, 3.0, -3.0]), 0.01, 0), hint=_CLIP_HINT),
            Case(
                (np.array([0.026, -0.026, 0.074]), 0.01, 5),
                hint="round to the NEAREST code (np.round), not towards zero.",
            ),
            Case((np.array([[0.1, 0.2], [0.3, 0.4]]), 0.05, -3)),
        ],
        hidden=_quant_hidden,
        hint="divide by the scale, round, add the zero point, clip to int8's range, then cast "
        "to np.int8.",
        mistakes=[
            Mistake(_truncates, "you truncated towards zero.", "round to the nearest code."),
            Mistake(
                _minus_zero_point,
                "you subtracted the zero point.",
                "the zero point is ADDED when quantizing (0.0 becomes the zero point).",
            ),
            Mistake(_wraps_instead_of_clipping, "out-of-range codes wrapped around.", _CLIP_HINT),
        ],
    ),
    Exercise(
        "dequantize",
        points=2,
        reference=dequantize,
        judge=judge.Array(atol=1e-5, rtol=1e-6, kinds="f", same_dtype=True),
        public=[
            Case((np.array([-128, -1, 127], np.int8), 1 / 255, -128)),
            Case((np.array([0, 10, -10, 50], np.int8), 0.1, 0)),
            Case(
                (np.array([127, 100, -128], np.int8), 0.05, -100),
                hint="q − zero_point can exceed int8's range: convert to a wider integer "
                "(or float) first.",
            ),
            Case((np.array([[1, 2], [3, 4]], np.int8), 0.5, 3)),
        ],
        hidden=_dequant_hidden,
        hint="subtract the zero point from the code, then multiply by the scale; return float32.",
        mistakes=[
            Mistake(
                _int8_overflow,
                "q − zero_point overflowed in int8 arithmetic.",
                "convert the codes to a wider type (np.int32 or float) before subtracting.",
            ),
            Mistake(
                _plus_zero_point,
                "you added the zero point.",
                "reading back undoes quantizing: subtract the zero point.",
            ),
        ],
    ),
    Exercise(
        "size_ratio",
        points=2,
        reference=size_ratio,
        judge=judge.Float(rel=1e-9),
        public=[
            Case(
                (93_728, 234),
                label="size_ratio(93_728, 234) (the chapter's MNIST network, "
                "batch norm folded into the convolutions)",
            ),
            Case((2_000_000, 10_000)),
            Case((100, 100), hint="biases stay 32-bit (int32) in an int8 model."),
            Case((0, 0), hint="no parameters at all: raise ValueError."),
        ],
        hidden=_size_hidden,
        hint="float32: 4 bytes per parameter. int8 model: 1 byte per weight, but biases stay "
        "int32 (4 bytes). The ratio is float size / int8 size.",
        mistakes=[
            Mistake(
                _always_four,
                "you answered 4 whatever the counts.",
                "biases are not quantized to 8 bits: they keep 4 bytes each.",
            ),
            Mistake(
                _int8_over_float,
                "you divided the int8 size by the float size.",
                "the ratio asked is float32 size / int8 size (larger than 1).",
            ),
        ],
    ),
    Exercise(
        "pick_model",
        points=2,
        reference=pick_model,
        judge=judge.Exact(),
        public=[
            Case(
                (
                    [
                        {"name": "keras", "size_kb": 1164.0, "accuracy": 0.993, "latency_ms": 1.2},
                        {
                            "name": "tflite_float",
                            "size_kb": 371.0,
                            "accuracy": 0.993,
                            "latency_ms": 0.15,
                        },
                        {
                            "name": "tflite_int8",
                            "size_kb": 102.0,
                            "accuracy": 0.992,
                            "latency_ms": 0.06,
                        },
                    ],
                    400.0,
                    1.0,
                )
            ),
            Case(
                (
                    [
                        {"name": "a", "size_kb": 500.0, "accuracy": 0.95, "latency_ms": 5.0},
                        {"name": "b", "size_kb": 200.0, "accuracy": 0.90, "latency_ms": 1.0},
                        {"name": "c", "size_kb": 100.0, "accuracy": 0.97, "latency_ms": 9.0},
                    ],
                    600.0,
                    5.0,
                ),
                hint="a model exactly on the budget fits (<=).",
            ),
            Case(
                (
                    [
                        {"name": "a", "size_kb": 500.0, "accuracy": 0.95, "latency_ms": 5.0},
                        {"name": "b", "size_kb": 200.0, "accuracy": 0.95, "latency_ms": 1.0},
                    ],
                    600.0,
                    6.0,
                ),
                hint="on a tie in accuracy, take the smaller file.",
            ),
            Case(
                (
                    [{"name": "a", "size_kb": 500.0, "accuracy": 0.95, "latency_ms": 5.0}],
                    100.0,
                    1.0,
                ),
                hint="nothing fits: return None.",
            ),
            Case(
                (
                    [
                        {"name": "big", "size_kb": 900.0, "accuracy": 0.99, "latency_ms": 0.5},
                        {"name": "slow", "size_kb": 90.0, "accuracy": 0.98, "latency_ms": 8.0},
                        {"name": "ok", "size_kb": 95.0, "accuracy": 0.96, "latency_ms": 0.9},
                    ],
                    100.0,
                    1.0,
                )
            ),
        ],
        hidden=_pick_hidden,
        hint="keep the rows within BOTH budgets, then the highest accuracy; break ties by size.",
        mistakes=[
            Mistake(
                _ignores_latency,
                "you ignored the latency budget.",
                "a model must fit both budgets.",
            ),
            Mistake(
                _ignores_size, "you ignored the size budget.", "a model must fit both budgets."
            ),
            Mistake(
                _strict_budget,
                "a model exactly on the budget was left out.",
                "'within budget' means <=.",
            ),
            Mistake(
                _smallest,
                "you picked the smallest model that fits.",
                "among those that fit, the most accurate wins.",
            ),
        ],
    ),
    Exercise(
        "read_scalar",
        points=2,
        reference=read_scalar,
        judge=judge.Seq(
            [judge.Array(atol=0, kinds="i"), judge.Array(atol=1e-12, kinds="f")],
            names=["steps", "values"],
        ),
        public=[
            Case(
                (
                    [
                        {"wall_time": 10.0, "step": 0, "tag": "epoch_loss", "value": 0.9},
                        {"wall_time": 10.0, "step": 0, "tag": "epoch_accuracy", "value": 0.7},
                        {"wall_time": 20.0, "step": 1, "tag": "epoch_loss", "value": 0.5},
                        {"wall_time": 20.0, "step": 1, "tag": "epoch_accuracy", "value": 0.85},
                    ],
                    "epoch_accuracy",
                )
            ),
            Case(
                (
                    [
                        {"wall_time": 30.0, "step": 2, "tag": "loss", "value": 0.3},
                        {"wall_time": 10.0, "step": 0, "tag": "loss", "value": 0.9},
                        {"wall_time": 20.0, "step": 1, "tag": "loss", "value": 0.5},
                    ],
                    "loss",
                ),
                hint="sort by step.",
            ),
            Case(
                (
                    [
                        {"wall_time": 10.0, "step": 0, "tag": "loss", "value": 0.9},
                        {"wall_time": 20.0, "step": 1, "tag": "loss", "value": 0.5},
                        {"wall_time": 50.0, "step": 1, "tag": "loss", "value": 0.45},
                        {"wall_time": 60.0, "step": 2, "tag": "loss", "value": 0.4},
                    ],
                    "loss",
                ),
                hint="a step logged twice keeps its LATEST record (largest wall_time).",
            ),
            Case(
                ([{"wall_time": 10.0, "step": 0, "tag": "loss", "value": 0.9}], "accuracy"),
                hint="a tag that is not there: raise KeyError.",
            ),
        ],
        hidden=_scalar_hidden,
        hint="filter by tag, keep one record per step (the latest by wall_time), sort by step; "
        "return two NumPy arrays.",
        mistakes=[
            Mistake(
                _first_record_wins,
                "a repeated step kept its FIRST record.",
                "after a restart the latest record (largest wall_time) is the valid one.",
            ),
            Mistake(
                _file_order,
                "the steps are in file order, not sorted (or repeated).",
                "one value per step, sorted by step.",
            ),
        ],
    ),
    Exercise(
        "next_step",
        points=2,
        reference=next_step,
        judge=judge.Exact(),
        public=[
            Case((0.99, 0.80, 0.90, 10), hint="train 99 %, validation 80 %: overfitting."),
            Case((0.62, 0.61, 0.90, 10), hint="62 % on the training set: underfitting."),
            Case(
                (0.11, 0.10, 0.90, 10),
                hint="at chance level (1 / classes) the model learns nothing: debug first.",
            ),
            Case((0.93, 0.91, 0.90, 10)),
            Case((0.90, 0.90, 0.90, 10), hint="reaching the target exactly counts (>=)."),
            Case((0.93, 0.89, 0.90, 10)),
            Case((0.53, 0.50, 0.90, 2), hint="with 2 classes, chance is 50 %."),
            Case(
                (0.80, 0.60, 0.90, 10),
                hint="underfitting (train below the target) is checked before the gap.",
            ),
        ],
        hidden=_recipe_hidden,
        hint="check in order: target reached? chance level? training below target? a gap of "
        "more than 5 points? Otherwise tune.",
        mistakes=[
            Mistake(
                _gap_before_capacity,
                "you looked at the gap before underfitting.",
                "if the model cannot reach the target on its TRAINING data, first add capacity.",
            ),
            Mistake(
                _no_debug,
                "a model at chance level was sent to 'add capacity'.",
                "at 1 / num_classes (+5 points) nothing is learned: debug.",
            ),
        ],
    ),
]
