"""Lab 07 comparators: LeNet-5's parameter table, a C1 design, a padded MNIST batch, the model.

They judge, they hold no answers (shipped to students): what a model should be is read from
the expected model's description, never written here.
"""

from __future__ import annotations

import numpy as np

from helpers.labs.custom import models
from helpers.labs.judge import Array, Int

_KEY_HINTS = {
    "c1": "C1 sees the input's channels: 6 filters of 5 x 5 x channels, plus biases",
    "c3": "C3: 16 filters of 5 x 5 x 6, plus biases",
    "c5": "C5: 120 filters of 5 x 5 x 16, plus biases",
    "f6": "F6's inputs are C5's h * w * 120 outputs; follow h and w through 5-valid, 2/2, "
          "5-valid, 2/2, 5-valid",
    "output": "the output layer has num_classes units on F6's 84",
}  # fmt: skip


def param_table(got, expected):
    """A dict with the expected keys in the expected order, each an int equal to expected's."""
    keys = list(expected)
    if type(got) is not dict:
        return (f"expected a dict, got {models.kind(got)}; return {{'c1': ..., 'c3': ..., "
                "'c5': ..., 'f6': ..., 'output': ...}")  # fmt: skip
    if list(got) != keys:
        return (f"expected the keys {keys} in this order, got {list(got)}; pooling layers have "
                "no weights and are not in the table")  # fmt: skip
    for key in keys:
        problem = Int().compare(got[key], expected[key])
        if problem:
            return f"[{key!r}]: {problem} ({_KEY_HINTS.get(key, 'see the table')})"
    return None


# ----------------------------------------------------------------------------- choose_c1


def _side(n: int, k: int, stride: int, padding: str = "valid") -> int | None:
    """Output side of a window k, stride on n cells (None when a valid window does not fit)."""
    if padding == "same":
        return -(-n // stride)
    return None if k > n else (n - k) // stride + 1


def _sides(n: int, k: int, stride: int, padding: str) -> list[int]:
    """The sides after C1, S2, C3, S4 and C5 (shorter when a layer does not fit)."""
    sides = [_side(n, k, stride, padding)]
    for kk, s in [(2, 2), (5, 1), (2, 2), (5, 1)]:
        if sides[-1] is None:
            break
        sides.append(_side(sides[-1], kk, s))
    return [v for v in sides if v is not None]


def c1_design(got, expected):
    """A (kernel, stride, padding) for C1 with which C5 is 1×1 on expected's image, the stride
    at most the kernel and C1's weights within expected's budget. Judged by these properties:
    any such design is right."""
    n, channels, budget = expected["n"], expected["channels"], expected["max_weights"]
    if type(got) not in (tuple, list) or len(got) != 3:
        return (f"expected a tuple (kernel, stride, padding), got {models.kind(got)}; return "
                "e.g. (5, 1, 'valid')")  # fmt: skip
    k, stride, padding = got
    for name, value in (("kernel", k), ("stride", stride)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            return f"the {name} must be a positive whole number, got {value!r}"
    if padding not in ("valid", "same"):
        return f"the padding must be 'valid' or 'same', got {padding!r}"
    if stride > k:
        return (f"a stride of {stride} with a {k}×{k} kernel skips pixels that no filter ever "
                "sees; keep the stride at most the kernel size")  # fmt: skip
    if k > n:
        return f"a {k}×{k} kernel is larger than the {n}×{n} image"
    sides = _sides(n, int(k), int(stride), padding)
    names = ["C1", "S2", "C3", "S4", "C5"]
    chain = ", ".join(f"{name} {v}" for name, v in zip(names, sides, strict=False))
    if len(sides) < 5:
        return (f"with C1 = {tuple(got)} on a {n}×{n} image the sides go {chain}, and then "
                f"{names[len(sides)]} does not fit; C5 must come out 1×1")  # fmt: skip
    if sides[-1] != 1:
        return (f"with C1 = {tuple(got)} on a {n}×{n} image the sides go {chain}: C5 comes out "
                f"{sides[-1]}×{sides[-1]}, not 1×1")  # fmt: skip
    weights = (int(k) * int(k) * channels + 1) * 6
    if weights > budget:
        return (f"C1 = {tuple(got)} gives a 1×1 C5 but holds (k·k·{channels} + 1)·6 = "
                f"{weights:,} weights, over the budget of {budget:,}")  # fmt: skip
    return None


# ----------------------------------------------------------------------------- pad_to_32


def _centred_elsewhere(got, expected, atol):
    """True if ``got`` holds the expected images shifted away from the centre."""
    n = expected.shape[1]
    inner = expected[:, 2 : n - 2, 2 : n - 2]
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            if (dy, dx) == (0, 0):
                continue
            window = got[:, 2 + dy : n - 2 + dy, 2 + dx : n - 2 + dx]
            if window.shape == inner.shape and np.abs(window - inner).max() <= atol:
                return True
    return False


def padded_batch(got, expected, atol=1e-6):
    """A float32 batch (N, 32, 32, 1) in [0, 1], the digits centred, equal to ``expected``."""
    expected = np.asarray(expected)
    problem = Array(atol=atol, kinds="f").compare(got, expected)
    if problem is None:
        if got.dtype != np.float32:
            return (f"expected dtype float32 (what Keras computes in), got {got.dtype}; convert "
                    "with .astype(np.float32)")  # fmt: skip
        return None
    if type(got) is np.ndarray and got.shape == expected.shape[:-1]:
        return (f"got shape {got.shape}; Keras wants a channel axis: {expected.shape} (add the "
                "axis before padding)")  # fmt: skip
    if type(got) is np.ndarray and got.shape == expected.shape and got.dtype.kind == "f":
        g = got.astype(np.float64)
        if np.isfinite(g).all() and float(g.max()) > 1.5:
            return (f"values go up to {float(g.max()):g}; scale them to [0, 1] (divide by 255 "
                    "after converting to float32)")  # fmt: skip
        if np.isfinite(g).all() and _centred_elsewhere(g, expected.astype(np.float64), atol):
            return ("the digit is not centred: pad 2 pixels on each side, not 4 on one "
                    "(np.pad takes a (before, after) pair per axis)")  # fmt: skip
    return problem


# ----------------------------------------------------------------------------- the model


_MODEL_HINTS = {
    "kinds": "LeNet-5 is C1, S2, C3, S4, C5, Flatten, F6 and the output layer, nothing else",
    "activations": "tanh in C1, C3, C5 and F6, softmax in the output layer",
}


def _summary(rows: list[models.Row]):
    """Weighted layers (class, count), distinct output shapes, classes, activations."""
    weighted = [(r.kind, r.params) for r in rows if r.params]
    shapes = []
    for r in rows:
        if not shapes or shapes[-1] != r.output_shape:
            shapes.append(r.output_shape)
    return weighted, shapes, [r.kind for r in rows], [str(r.activation) for r in rows]


def model_summary(got, expected):
    """The layers of ``got`` (a described Keras model) against the expected model's."""
    problem = models.not_a_model(got, "return keras.Sequential([...])") or models.input_problem(
        got, expected, "start with keras.Input(input_shape) and use the argument"
    )
    if problem:
        return problem
    rows = models.layer_rows(got.attrs, fold_activations=True)
    if isinstance(rows, str):
        return rows
    weighted, shapes, kinds, acts = _summary(rows)
    want = models.layer_rows(expected.attrs, fold_activations=True)
    ref_weighted, chain, ref_kinds, ref_acts = _summary(want)
    counts, ref_counts = [c for _, c in weighted], [c for _, c in ref_weighted]
    if "MaxPooling2D" in kinds and "MaxPooling2D" not in ref_kinds:
        return (
            "your model uses MaxPooling2D; LeNet-5's S2 and S4 are 2×2 AVERAGE pooling "
            "layers. Max pooling has the same (zero) weights and output shapes but computes "
            "something else — that is the modern variant (use layers.AveragePooling2D(2))"
        )
    if (
        [k for k, _ in weighted] == ["Conv2D", "Conv2D", "Dense", "Dense", "Dense"]
        and [k for k, _ in ref_weighted] == ["Conv2D", "Conv2D", "Conv2D", "Dense", "Dense"]
        and counts == ref_counts
    ):
        return (f"C5 is a Dense(120) layer after Flatten. It has the same {ref_counts[2]:,} "
                "weights (as in seed 003's code), but in this lab C5 is Conv2D(120, 5), whose "
                "output is 1×1×120 on a 32×32 input; Flatten comes after C5")  # fmt: skip
    if counts != ref_counts:
        total = sum(counts)
        return (f"the layers with weights hold {counts} weights (total {total:,}); LeNet-5's "
                f"hold {ref_counts} (total {sum(ref_counts):,}); check the filters, kernel "
                "sizes and units of each layer, valid padding, and the pooling between C1/C3 "
                "and C3/C5")  # fmt: skip
    if shapes != chain:
        return (
            f"the output shapes after each layer are {shapes}; LeNet-5's are {chain} "
            "(padding='valid', the default, in every Conv2D; 2×2 pooling with stride 2)"
        )
    if any("relu" in a for a in acts) and not any("relu" in a for a in ref_acts):
        return (
            "your model uses ReLU; classic LeNet-5 uses tanh in C1, C3, C5 and F6. The ReLU "
            "variant has the same weights and shapes but computes something else "
            "(activation='tanh' in the hidden layers, 'softmax' in the output layer)"
        )
    return models.first_difference(rows, want, hints=_MODEL_HINTS)


_OUTPUTS = (
    "with LeNet-5's weights, its outputs on random images differ: {problem} (tanh after C1, "
    "C3, C5 and F6, softmax at the end; average pooling)"
)


def lenet_model(got, expected, atol=1e-4, rtol=1e-4):
    """LeNet-5 judged by its layers; with probes, also by what it computes with its weights."""
    return models.probed(got, expected, model_summary, atol=atol, rtol=rtol, what=_OUTPUTS)
