"""Lab 07 comparators: LeNet-5's parameter table, a padded MNIST batch, the LeNet-5 model.

They judge, they hold no answers (shipped to students): what a model should be is read from
the expected model's description, never written here.
"""

from __future__ import annotations

import numpy as np

from helpers.labs.judge import Array, Int, brief
from helpers.labs.wire import Described

_KEY_HINTS = {
    "c1": "C1 sees the input's channels: 6 filters of 5 x 5 x channels, plus biases",
    "c3": "C3: 16 filters of 5 x 5 x 6, plus biases",
    "c5": "C5: 120 filters of 5 x 5 x 16, plus biases",
    "f6": "F6's inputs are C5's h * w * 120 outputs; follow h and w through 5-valid, 2/2, "
          "5-valid, 2/2, 5-valid with conv_output_size",
    "output": "the output layer has num_classes units on F6's 84",
}  # fmt: skip


def _kind(value) -> str:
    return value.type if isinstance(value, Described) else type(value).__name__


def param_table(got, expected):
    """A dict with the expected keys in the expected order, each an int equal to expected's."""
    keys = list(expected)
    if type(got) is not dict:
        return (f"expected a dict, got {_kind(got)}; return {{'c1': ..., 'c3': ..., 'c5': ..., "
                "'f6': ..., 'output': ...}")  # fmt: skip
    if list(got) != keys:
        return (f"expected the keys {keys} in this order, got {list(got)}; pooling layers have "
                "no weights and are not in the table")  # fmt: skip
    for key in keys:
        problem = Int().compare(got[key], expected[key])
        if problem:
            return f"[{key!r}]: {problem} ({_KEY_HINTS.get(key, 'see the table')})"
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


def _shape(shape) -> tuple | None:
    return None if shape is None else tuple(shape[1:])


def _summary(attrs: dict):
    """Weighted layers (class, count), distinct output shapes, classes, activations."""
    layers = [layer for layer in attrs.get("layers") or [] if layer.get("class") != "InputLayer"]
    weighted = [
        (layer["class"], layer.get("params")) for layer in layers if layer.get("weight_shapes")
    ]
    shapes = []
    for layer in layers:
        shape = _shape(layer.get("output_shape"))
        if not shapes or shapes[-1] != shape:
            shapes.append(shape)
    kinds = [layer.get("class") for layer in layers]
    acts = [layer.get("activation") for layer in layers]
    acts += ["relu" for layer in layers if layer.get("class") == "ReLU"]
    return weighted, shapes, kinds, acts


def model_summary(got, expected):
    """The layers of ``got`` (a described Keras model) against the expected model's."""
    if not (isinstance(got, Described) and got.type == "keras.Model"):
        return (
            f"expected a Keras model, got {_kind(got)} {brief(got)}; return keras.Sequential([...])"
        )
    g, e = got.attrs, expected.attrs
    want_input = _shape(e["inputs"][0])
    inputs = g.get("inputs")
    if not inputs or inputs[0] is None:
        return ("the model has no defined input; start the Sequential list with "
                "keras.Input(input_shape)")  # fmt: skip
    if len(inputs) != 1 or _shape(inputs[0]) != want_input:
        shown = [_shape(s) for s in inputs] if len(inputs) != 1 else _shape(inputs[0])
        return (f"the model's input shape is {shown}, not {want_input}; start with "
                "keras.Input(input_shape) and use the argument")  # fmt: skip
    weighted, shapes, kinds, acts = _summary(g)
    ref_weighted, chain, ref_kinds, ref_acts = _summary(e)
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
        total = sum(c or 0 for c in counts)
        return (f"the layers with weights hold {counts} weights (total {total:,}); LeNet-5's "
                f"hold {ref_counts} (total {sum(ref_counts):,}); check the filters, kernel "
                "sizes and units of each layer, valid padding, and the pooling between C1/C3 "
                "and C3/C5")  # fmt: skip
    if shapes != chain:
        return (
            f"the output shapes after each layer are {shapes}; LeNet-5's are {chain} "
            "(padding='valid', the default, in every Conv2D; 2×2 pooling with stride 2)"
        )
    if "relu" in acts and "relu" not in ref_acts:
        return (
            "your model uses ReLU; classic LeNet-5 uses tanh in C1, C3, C5 and F6. The ReLU "
            "variant has the same weights and shapes but computes something else "
            "(activation='tanh' in the hidden layers, 'softmax' in the output layer)"
        )
    return None


def lenet_model(got, expected, atol=1e-4, rtol=1e-4):
    """A model judged by its layers; with probes ``(model, set_weights(...), model(x))``, also
    by what it computes with the expected model's weights."""
    if type(expected) is not tuple:
        return model_summary(got, expected)
    if type(got) is not tuple or len(got) != len(expected):
        return f"expected the model and {len(expected) - 1} probe results, got {_kind(got)}"
    problem = model_summary(got[0], expected[0])
    if problem:
        return problem
    outputs, wanted = got[-1], np.asarray(expected[-1])
    if (
        type(outputs) is np.ndarray
        and outputs.shape == wanted.shape
        and outputs.dtype.kind == "f"
        and np.isfinite(outputs).all()
        and float(np.abs(outputs.astype(np.float64).sum(axis=-1) - 1).max()) > 1e-4
    ):
        return ("the outputs do not sum to 1; the last layer needs a softmax "
                "(Dense(num_classes, activation='softmax'))")  # fmt: skip
    problem = Array(atol=atol, rtol=rtol, kinds="f").compare(outputs, wanted)
    if problem:
        return (
            f"with LeNet-5's weights, its outputs on random images differ: {problem} "
            "(tanh after C1, C3, C5 and F6, softmax at the end; average pooling)"
        )
    return None
