"""Checks of lab 07 (LeNet-5): parameter counts, output sizes, padding MNIST, the Keras model."""

from __future__ import annotations

import numpy as np

from . import call, expect_array, expect_int, expect_raises, fail, passed

__all__ = [
    "check_conv_params", "check_dense_params", "check_conv_output_size",
    "check_lenet_param_table", "check_pad_to_32", "check_build_lenet5",
]  # fmt: skip

LENET_KEYS = ["c1", "c3", "c5", "f6", "output"]


def _bad_sizes(fn, ex: str, arity: int, hint: str) -> None:
    good = [5, 3, 8][:arity]
    for i in range(arity):
        for bad in (0, -2):
            args = list(good)
            args[i] = bad
            expect_raises(fn, *args, exercise=ex, hint=hint)


def check_conv_params(fn) -> str:
    """Exercise 1: ``conv_params(k, c_in, c_out, bias=True)``."""
    ex = "conv_params"
    hint = "(k * k * c_in + 1) * c_out with biases, k * k * c_in * c_out without."
    cases = [
        ((5, 1, 6), {}, 156), ((5, 6, 16), {}, 2416), ((5, 16, 120), {}, 48120),
        ((5, 3, 6), {}, 456), ((3, 1, 64), {}, 640), ((3, 3, 32), {}, 896),
        ((7, 1, 64), {}, 3200), ((5, 3, 200), {}, 15200), ((5, 6, 16), {"bias": False}, 2400),
        ((1, 64, 32), {"bias": True}, 2080), ((3, 128, 256), {"bias": False}, 294912),
    ]  # fmt: skip
    for args, kwargs, expected in cases:
        shown = ", ".join([str(a) for a in args] + [f"{k}={v}" for k, v in kwargs.items()])
        got = call(fn, *args, exercise=ex, **kwargs)
        if args == (5, 6, 16) and not kwargs and got == 5 * 5 * 16 + 16:
            fail(
                f"{ex}(5, 6, 16): expected 2416, got {got}: the 6 input channels are missing.",
                "each filter spans all c_in input channels: k * k * c_in weights per filter.",
            )
        expect_int(got, expected, what=f"{ex}({shown})", hint=hint)
    _bad_sizes(fn, ex, 3, "k, c_in and c_out must be positive: raise ValueError otherwise.")
    return passed(ex)


def check_dense_params(fn) -> str:
    """Exercise 2: ``dense_params(n_in, n_out, bias=True)``."""
    ex = "dense_params"
    hint = "(n_in + 1) * n_out with biases, n_in * n_out without."
    cases = [
        ((120, 84), {}, 10164), ((84, 10), {}, 850), ((400, 120), {}, 48120),
        ((1024, 84), {}, 86100), ((3072, 84), {}, 258132), ((43264, 10), {}, 432650),
        ((9216, 128), {"bias": False}, 1179648), ((1, 1), {}, 2),
    ]  # fmt: skip
    for args, kwargs, expected in cases:
        shown = ", ".join([str(a) for a in args] + [f"{k}={v}" for k, v in kwargs.items()])
        expect_int(call(fn, *args, exercise=ex, **kwargs), expected, what=f"{ex}({shown})",
                   hint=hint)  # fmt: skip
    _bad_sizes(fn, ex, 2, "n_in and n_out must be positive: raise ValueError otherwise.")
    return passed(ex)


def check_conv_output_size(fn) -> str:
    """Exercise 3: ``conv_output_size(n, k, stride=1, padding="valid")``."""
    ex = "conv_output_size"
    cases = [
        ((32, 5), {}, 28), ((28, 2, 2), {}, 14), ((14, 5), {}, 10), ((10, 2, 2), {}, 5),
        ((5, 5), {}, 1), ((28, 3), {}, 26), ((13, 6, 5), {}, 2),
        ((13, 6, 5), {"padding": "same"}, 3), ((32, 5), {"padding": "same"}, 32),
        ((227, 11, 4), {}, 55), ((224, 7, 2), {"padding": "same"}, 112),
        ((5, 3, 1), {"padding": "valid"}, 3), ((9, 4, 2), {}, 3),
    ]  # fmt: skip
    for args, kwargs, expected in cases:
        shown = ", ".join([str(a) for a in args] + [f"padding={v!r}" for v in kwargs.values()])
        expect_int(
            call(fn, *args, exercise=ex, **kwargs), expected, what=f"{ex}({shown})",
            hint="valid: (n - k) // stride + 1; same: ceil(n / stride), i.e. -(-n // stride).",
        )  # fmt: skip
    for bad in [(0, 3), (10, 0), (10, 3, 0), (10, -3, 1), (4, 5), (10, 3, 1, "full")]:
        expect_raises(
            fn, *bad, exercise=ex,
            hint="n, k and stride must be positive, padding 'valid' or 'same', and a 'valid' "
                 "filter must fit inside the input (k <= n).",
        )  # fmt: skip
    return passed(ex)


def _lenet_table(input_shape, num_classes):
    h, w, c = input_shape
    for k, s in [(5, 1), (2, 2), (5, 1), (2, 2), (5, 1)]:
        h, w = (h - k) // s + 1, (w - k) // s + 1
    return {"c1": (25 * c + 1) * 6, "c3": (150 + 1) * 16, "c5": (400 + 1) * 120,
            "f6": (h * w * 120 + 1) * 84, "output": 85 * num_classes}  # fmt: skip


def check_lenet_param_table(fn) -> str:
    """Exercise 4: ``lenet_param_table(input_shape=(32, 32, 1), num_classes=10)``."""
    ex = "lenet_param_table"
    for args in [(), ((32, 32, 3),), ((32, 32, 1), 5), ((64, 64, 1),), ((36, 40, 2), 4)]:
        shape, classes = (args + ((32, 32, 1), 10)[len(args) :])[:2]
        expected = _lenet_table(shape, classes)
        shown = f"{ex}({', '.join(repr(a) for a in args)})"
        got = call(fn, *args, exercise=ex)
        if type(got) is not dict:
            fail(
                f"{shown}: expected a dict, got {type(got).__name__}.",
                "return {'c1': ..., 'c3': ..., 'c5': ..., 'f6': ..., 'output': ...}.",
            )
        if list(got) != LENET_KEYS:
            fail(f"{shown}: expected the keys {LENET_KEYS} in this order, got {list(got)}.",
                 "pooling layers have no weights and are not in the table.")  # fmt: skip
        for key in LENET_KEYS:
            hint = {
                "c1": "C1 sees the input's channels: (5 * 5 * channels + 1) * 6.",
                "c3": "C3: 16 filters of 5 x 5 x 6.",
                "c5": "C5: 120 filters of 5 x 5 x 16.",
                "f6": "F6's inputs are C5's h * w * 120 outputs; follow h and w through "
                      "5-valid, 2/2, 5-valid, 2/2, 5-valid with conv_output_size.",
                "output": "the output layer has num_classes units on F6's 84.",
            }[key]  # fmt: skip
            expect_int(got[key], expected[key], what=f"{shown}[{key!r}]", hint=hint)
    if sum(_lenet_table((32, 32, 1), 10).values()) != 61706:  # the chapter's total
        raise AssertionError("lab07 reference table is wrong")  # pragma: no cover
    expect_raises(
        fn,
        (16, 16, 1),
        10,
        exercise=ex,
        hint="a 16 x 16 image is too small for C5; conv_output_size raises ValueError.",
    )
    return passed(ex)


def check_pad_to_32(fn) -> str:
    """Exercise 5: ``pad_to_32(x)`` for uint8 batches (N, 28, 28[, 1])."""
    ex = "pad_to_32"
    rng = np.random.default_rng(7)
    x = rng.integers(1, 256, size=(3, 28, 28)).astype(np.uint8)  # no zeros: a border shows
    expected = np.zeros((3, 32, 32, 1), dtype=np.float64)
    expected[:, 2:30, 2:30, 0] = x / 255.0
    for given, label in [(x.copy(), "(3, 28, 28)"), (x[..., None].copy(), "(3, 28, 28, 1)")]:
        before = given.copy()
        got = call(fn, given, exercise=ex)
        what = f"{ex}(uint8 batch of shape {label})"
        if type(got) is np.ndarray and got.shape == (3, 32, 32):
            fail(f"{what}: got shape (3, 32, 32); Keras wants a channel axis: (3, 32, 32, 1).",
                 "add the axis with x[..., None] before padding.")  # fmt: skip
        if type(got) is np.ndarray and got.shape == (3, 32, 32, 1) and got.dtype.kind == "f":
            if float(got.max()) > 1.5:
                fail(f"{what}: values go up to {float(got.max()):g}; scale them to [0, 1].",
                     "divide by 255 after converting to float32.")  # fmt: skip
            inner = np.array(got[:, 4:28, 4:28, 0], dtype=np.float64)
            if float(np.abs(inner - x[:, 2:26, 2:26] / 255.0).max()) > 1e-6:
                fail(f"{what}: the digit is not centred: pad 2 pixels on each side, not 4 on one.",
                     "np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0))).")  # fmt: skip
        expect_array(
            got,
            expected,
            what=what,
            atol=1e-6,
            dtype_kind="f",
            hint="2 zero pixels on each side of each image, then / 255, float32.",
        )
        if got.dtype != np.float32:
            fail(f"{what}: expected dtype float32 (what Keras computes in), got {got.dtype}.",
                 "use .astype(np.float32).")  # fmt: skip
        if not np.array_equal(given, before) or given.dtype != np.uint8:
            fail(f"{what} changed its input; return a new array and leave x as it was.")
    expect_raises(
        fn,
        rng.integers(0, 256, size=(2, 32, 32)).astype(np.uint8),
        exercise=ex,
        hint="only 28 x 28 images can be padded to 32 x 32 by 2 pixels a side.",
    )
    expect_raises(
        fn,
        x.astype(np.float32) / 255,
        exercise=ex,
        hint="refuse images that are not uint8, so nothing is scaled twice.",
    )
    return passed(ex)


# --------------------------------------------------------------------------- the Keras model


def _expected_chain(input_shape, num_classes):
    """Output shapes after C1, S2, C3, S4, C5, Flatten, F6 and the output layer."""
    h, w, _ = input_shape
    chain = []
    for k, s, c in [(5, 1, 6), (2, 2, 6), (5, 1, 16), (2, 2, 16), (5, 1, 120)]:
        h, w = (h - k) // s + 1, (w - k) // s + 1
        chain.append((h, w, c))
    return chain + [(h * w * 120,), (84,), (num_classes,)]


def _reference(input_shape, num_classes):
    from helpers import models

    return models.lenet5(input_shape, num_classes)


def _describe(model) -> tuple[list[tuple[str, int]], list[tuple[int, ...]], list[str]]:
    """Weighted layers (class, count), the distinct output shapes, and the layer classes."""
    import keras

    weighted, shapes, kinds = [], [], []
    x = keras.ops.zeros((1, *model.input_shape[1:]))
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        kinds.append(type(layer).__name__)
        x = layer(x)
        shape = tuple(int(d) for d in x.shape[1:])
        if not shapes or shapes[-1] != shape:
            shapes.append(shape)
        if layer.weights:
            weighted.append(
                (type(layer).__name__, int(sum(np.prod(w.shape) for w in layer.weights)))
            )
    return weighted, shapes, kinds


def _activations(model) -> list[str]:
    names = []
    for layer in model.layers:
        act = getattr(layer, "activation", None)
        if act is not None:
            names.append(getattr(act, "__name__", str(act)))
        if type(layer).__name__ == "ReLU":
            names.append("relu")
    return names


def _check_model(fn, input_shape, num_classes) -> None:
    import keras

    ex = "build_lenet5"
    shown = f"{ex}({input_shape}, {num_classes})"
    model = call(fn, input_shape, num_classes, exercise=ex)
    if not isinstance(model, keras.Model):
        fail(f"{shown}: expected a Keras model, got {type(model).__name__}.",
             "return keras.Sequential([...]).")  # fmt: skip
    try:
        model_input = tuple(model.input_shape[1:])
    except (AttributeError, ValueError) as exc:
        fail(f"{shown}: the model has no defined input ({type(exc).__name__}: {exc}).",
             "start the Sequential list with keras.Input(input_shape).")  # fmt: skip
    if model_input != tuple(input_shape):
        fail(f"{shown}: the model's input shape is {model.input_shape[1:]}, not {input_shape}.",
             "start with keras.Input(input_shape) and use the argument.")  # fmt: skip
    weighted, shapes, kinds = _describe(model)
    ref = _reference(input_shape, num_classes)
    ref_weighted, _, _ = _describe(ref)
    counts, ref_counts = [c for _, c in weighted], [c for _, c in ref_weighted]
    chain = _expected_chain(input_shape, num_classes)
    if "MaxPooling2D" in kinds:
        fail(f"{shown}: your model uses MaxPooling2D; LeNet-5's S2 and S4 are 2×2 AVERAGE "
             "pooling layers. Max pooling has the same (zero) weights and output shapes but "
             "computes something else — that is the modern variant.",
             "use layers.AveragePooling2D(2).")  # fmt: skip
    if [k for k, _ in weighted] == ["Conv2D", "Conv2D", "Dense", "Dense", "Dense"] and (
        counts == ref_counts
    ):
        fail(f"{shown}: C5 is a Dense(120) layer after Flatten. It has the same "
             f"{ref_counts[2]:,} weights (as in seed 003's code), but in this lab C5 is "
             "Conv2D(120, 5), whose output is 1×1×120 on a 32×32 input; Flatten comes after C5.",
             "Conv2D(120, 5, activation='tanh'), then Flatten, then Dense(84).")  # fmt: skip
    if counts != ref_counts:
        fail(f"{shown}: the layers with weights hold {counts} weights "
             f"(total {sum(counts):,}); LeNet-5's hold {ref_counts} (total {sum(ref_counts):,}).",
             "C1 Conv2D(6, 5), C3 Conv2D(16, 5), C5 Conv2D(120, 5), F6 Dense(84), output "
             "Dense(num_classes); valid padding; pooling between C1/C3 and C3/C5.")  # fmt: skip
    if shapes != chain:
        fail(
            f"{shown}: the output shapes after each layer are {shapes}; LeNet-5's are {chain}.",
            "padding='valid' (the default) in every Conv2D; 2×2 pooling with stride 2.",
        )
    acts = _activations(model)
    if "relu" in acts:
        fail(f"{shown}: your model uses ReLU; classic LeNet-5 uses tanh in C1, C3, C5 and F6. "
             "The ReLU variant has the same weights and shapes but computes something else.",
             "activation='tanh' in the hidden layers, 'softmax' in the output layer.")  # fmt: skip
    # Same weights in the reference: both models must compute the same function.
    ref.set_weights(model.get_weights())
    rng = np.random.default_rng(77)
    x = rng.uniform(0, 1, size=(4, *input_shape)).astype("float32")
    got = np.asarray(keras.ops.convert_to_numpy(model(x)), dtype=np.float64)
    want = np.asarray(keras.ops.convert_to_numpy(ref(x)), dtype=np.float64)
    if got.shape == want.shape and float(np.abs(got.sum(axis=1) - 1).max()) > 1e-4:
        fail(f"{shown}: the outputs do not sum to 1; the last layer needs a softmax.",
             "Dense(num_classes, activation='softmax').")  # fmt: skip
    expect_array(
        got,
        want,
        what=f"{shown}: outputs on random images (same weights as LeNet-5)",
        atol=1e-4,
        dtype_kind="f",
        hint="tanh after C1, C3, C5 and F6, softmax at the end; average pooling.",
    )


def check_build_lenet5(fn) -> str:
    """Exercise 6: ``build_lenet5(input_shape=(32, 32, 1), num_classes=10)``."""
    _check_model(fn, (32, 32, 1), 10)
    _check_model(fn, (32, 32, 3), 5)
    return passed("build_lenet5")
