"""Lab 23 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import numpy as np

from helpers.labs.spec import Mutant


def quantize(x, scale, zero_point):
    q = np.round(np.asarray(x, dtype=float) / scale) + zero_point
    return np.clip(q, -128, 127).astype(np.int8)


def dequantize(q, scale, zero_point):
    return ((np.asarray(q).astype(np.int32) - zero_point) * scale).astype(np.float32)


def size_ratio(n_weights, n_biases):
    if n_weights < 0 or n_biases < 0 or n_weights + n_biases == 0:
        raise ValueError("no parameters")
    return 4 * (n_weights + n_biases) / (n_weights + 4 * n_biases)


def pick_model(rows, max_kb, max_ms):
    ok = [r for r in rows if r["size_kb"] <= max_kb and r["latency_ms"] <= max_ms]
    if not ok:
        return None
    ok.sort(key=lambda r: (-r["accuracy"], r["size_kb"]))
    return ok[0]["name"]


def read_scalar(records, tag):
    best = {}
    for r in records:
        if r["tag"] == tag and (r["step"] not in best or r["wall_time"] >= best[r["step"]][0]):
            best[r["step"]] = (r["wall_time"], r["value"])
    if not best:
        raise KeyError(f"no scalar {tag!r}")
    steps = sorted(best)
    return np.array(steps, dtype=np.int64), np.array([best[s][1] for s in steps], dtype=float)


def next_step(train_acc, val_acc, target, num_classes):
    if val_acc >= target:
        return "export"
    if train_acc <= 1 / num_classes + 0.05:
        return "debug"
    if train_acc < target:
        return "add capacity"
    if train_acc - val_acc > 0.05:
        return "regularise"
    return "tune"


SOLUTION = {f.__name__: f for f in (quantize, dequantize, size_ratio, pick_model, read_scalar,
                                    next_step)}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def quantize_floor(x, scale, zero_point):
    q = np.floor(np.asarray(x, dtype=float) / scale) + zero_point
    return np.clip(q, -128, 127).astype(np.int8)


def quantize_uint8(x, scale, zero_point):
    q = np.round(np.asarray(x, dtype=float) / scale) + zero_point
    return np.clip(q, 0, 255).astype(np.uint8)


def dequantize_in_int8(q, scale, zero_point):
    with np.errstate(over="ignore"):
        return ((np.asarray(q, np.int8) - np.int8(zero_point)) * np.float32(scale)).astype(
            np.float32
        )


def ratio_counts_biases_as_weights(n_weights, n_biases):
    return size_ratio(n_weights + n_biases, 0) if n_weights + n_biases else size_ratio(0, 0)


def read_scalar_lists(records, tag):
    steps, values = read_scalar(records, tag)
    return steps.tolist(), values.tolist()


def read_scalar_first(records, tag):
    first = {}
    for r in records:
        if r["tag"] == tag:
            first.setdefault(r["step"], r["value"])
    if not first:
        raise KeyError(tag)
    steps = sorted(first)
    return np.array(steps), np.array([first[s] for s in steps], dtype=float)


def next_step_gap_first(train_acc, val_acc, target, num_classes):
    if val_acc >= target:
        return "export"
    if train_acc - val_acc > 0.05:
        return "regularise"
    if train_acc <= 1 / num_classes + 0.05:
        return "debug"
    if train_acc < target:
        return "add capacity"
    return "tune"


MUTANTS = [
    Mutant("quantize", "rounds down", quantize_floor),
    Mutant(
        "quantize",
        "subtracts the zero point",
        lambda x, s, z: np.clip(np.round(np.asarray(x) / s) - z, -128, 127).astype(np.int8),
        says="subtracted the zero point",
    ),
    Mutant(
        "quantize",
        "wraps around instead of clipping",
        lambda x, s, z: (np.round(np.asarray(x) / s) + z).astype(np.int64).astype(np.int8),
        says="wrapped around",
    ),
    Mutant("quantize", "uint8 codes", quantize_uint8, says="dtype"),
    Mutant("quantize", "forgets to clip and cast", lambda x, s, z: np.round(np.asarray(x) / s) + z),
    Mutant("dequantize", "int8 arithmetic overflows", dequantize_in_int8, says="overflowed"),
    Mutant(
        "dequantize",
        "adds the zero point",
        lambda q, s, z: ((np.asarray(q, np.int32) + z) * s).astype(np.float32),
        says="added the zero point",
    ),
    Mutant(
        "dequantize",
        "returns float64",
        lambda q, s, z: (np.asarray(q, np.int32) - z) * s,
        says="float32",
    ),
    Mutant("dequantize", "forgets the scale", lambda q, s, z: (np.asarray(q, np.int32) - z) * 1.0),
    Mutant("size_ratio", "always 4", lambda w, b: 4.0, says="4 whatever"),
    Mutant(
        "size_ratio",
        "int8 / float",
        lambda w, b: (w + 4 * b) / (4 * (w + b)),
        says="divided the int8 size",
    ),
    Mutant("size_ratio", "biases quantized too", ratio_counts_biases_as_weights),
    Mutant(
        "pick_model",
        "ignores the latency budget",
        lambda rows, kb, ms: pick_model(rows, kb, float("inf")),
        says="latency budget",
    ),
    Mutant(
        "pick_model",
        "ignores the size budget",
        lambda rows, kb, ms: pick_model(rows, float("inf"), ms),
        says="size budget",
    ),
    Mutant(
        "pick_model",
        "returns the row instead of its name",
        lambda rows, kb, ms: next((r for r in rows if r["name"] == pick_model(rows, kb, ms)), None),
    ),
    Mutant(
        "pick_model",
        "ties go to the larger file",
        lambda rows, kb, ms: (
            max(
                [r for r in rows if r["size_kb"] <= kb and r["latency_ms"] <= ms],
                key=lambda r: (r["accuracy"], r["size_kb"]),
            )["name"]
            if any(r["size_kb"] <= kb and r["latency_ms"] <= ms for r in rows)
            else None
        ),
    ),
    Mutant("read_scalar", "returns lists", read_scalar_lists, says="NumPy array"),
    Mutant("read_scalar", "first record wins", read_scalar_first, says="FIRST record"),
    Mutant(
        "read_scalar",
        "returns None for a missing tag",
        lambda records, tag: (
            read_scalar(records, tag) if any(r["tag"] == tag for r in records) else None
        ),
    ),
    Mutant("next_step", "gap before underfitting", next_step_gap_first),
    Mutant(
        "next_step",
        "no debug branch",
        lambda t, v, g, k: (
            "add capacity" if next_step(t, v, g, k) == "debug" else next_step(t, v, g, k)
        ),
        says="chance level",
    ),
    Mutant(
        "next_step",
        "strict target",
        lambda t, v, g, k: next_step(t, v, g + 1e-12, k) if v == g else next_step(t, v, g, k),
    ),
]
