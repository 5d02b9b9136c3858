"""Lab 07 (LeNet-5 by the numbers): parameter counts, a design choice, padding MNIST, the model.

``choose_c1`` is a design exercise with many right answers: the learner returns C1's
``(kernel, stride, padding)`` for an image size, and ``helpers/labs/custom/lab07.py`` judges the
design by its properties (C5 ends 1×1, stride ≤ kernel, C1 within the weight budget). The
reference returns the problem with one design it found, so that the comparator can explain.

The model exercise is judged twice per input shape: first its description (layer classes,
weights per layer, output shapes: ``helpers/labs/custom/lab07.py``), then what it computes
once LeNet-5's weights, drawn here per case, are set into it (``set_weights`` then a call on
random images). Hidden cases draw the image sizes, channels and class counts per submission.
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake
from helpers.labs.specs import _common

LENET_KEYS = ("c1", "c3", "c5", "f6", "output")

# ----------------------------------------------------------------------------- references


def _positive(**sizes):
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
            raise ValueError(f"{name} must be a positive whole number, got {value!r}")


def conv_params(k, c_in, c_out, bias=True):
    _positive(k=k, c_in=c_in, c_out=c_out)
    return int(_common.conv_params(k, k, c_in, c_out, bias))


def dense_params(n_in, n_out, bias=True):
    _positive(n_in=n_in, n_out=n_out)
    return int(_common.dense_params(n_in, n_out, bias))


def conv_output_size(n, k, stride=1, padding="valid"):  # not an exercise any more: a helper
    if n <= 0 or k <= 0 or stride <= 0:
        raise ValueError("n, k and stride must be positive")
    return _common.output_size(n, k, stride, padding)


def _c1_weights(k, channels):
    return conv_params(k, channels, 6)


def _c5_side(n, k, stride, padding, size=conv_output_size):
    """C5's side for C1 = (k, stride, padding) on an n×n image; 0 when a layer does not fit."""
    try:
        m = size(n, k, stride, padding)
        for kk, s in [(2, 2), (5, 1), (2, 2), (5, 1)]:
            m = size(m, kk, s)
    except ValueError:
        return 0
    return m


def _designs(n, channels, max_weights, *, size=conv_output_size, weights=_c1_weights,
             paddings=("valid", "same")):  # fmt: skip
    for padding in paddings:
        for stride in range(1, n + 1):
            for k in range(stride, n + 1):
                if weights(k, channels) > max_weights:
                    break
                if _c5_side(n, k, stride, padding, size) == 1:
                    yield (k, stride, padding)


def choose_c1(n, channels=1, max_weights=1000, *, size=conv_output_size, weights=_c1_weights):
    _positive(n=n, channels=channels, max_weights=max_weights)
    for design in _designs(n, channels, max_weights, size=size, weights=weights):
        return {"n": n, "channels": channels, "max_weights": max_weights, "design": design}
    raise ValueError(f"no C1 design for {n}x{n}x{channels} within {max_weights} weights")


def _after_c5(h, w):
    for k, s in [(5, 1), (2, 2), (5, 1), (2, 2), (5, 1)]:
        h, w = conv_output_size(h, k, s), conv_output_size(w, k, s)
    return h, w


def lenet_param_table(input_shape=(32, 32, 1), num_classes=10):
    h, w, c = input_shape
    h, w = _after_c5(h, w)
    return {"c1": conv_params(5, c, 6), "c3": conv_params(5, 6, 16),
            "c5": conv_params(5, 16, 120), "f6": dense_params(h * w * 120, 84),
            "output": dense_params(84, num_classes)}  # fmt: skip


def pad_to_32(x):
    x = np.asarray(x)
    if x.dtype != np.uint8:
        raise ValueError("expected uint8 pixels")
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[1:] != (28, 28, 1):
        raise ValueError("expected a batch of 28x28 images")
    return np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0))).astype(np.float32) / np.float32(255)


def build_lenet5(input_shape=(32, 32, 1), num_classes=10):
    from helpers import models

    return models.lenet5(input_shape, num_classes)


# ----------------------------------------------------------------------------- mistakes


def _conv_without_channels(k, c_in, c_out, bias=True):
    return conv_params(k, 1, c_out, bias)


def _conv_ignores_bias_flag(k, c_in, c_out, bias=True):
    return conv_params(k, c_in, c_out)


def _dense_without_bias(n_in, n_out, bias=True):
    return dense_params(n_in, n_out, False)


def _dense_ignores_bias_flag(n_in, n_out, bias=True):
    return dense_params(n_in, n_out)


def _c1_without_channels(n, channels=1, max_weights=1000):
    """The learner's problem as a learner who forgot the channels in C1's weights sees it."""
    found = choose_c1(n, 1, max_weights)  # raises when even a grey image has no design
    return {**found, "channels": 1}


def _c1_without_bias(n, channels=1, max_weights=1000):
    found = choose_c1(n, channels, max_weights + 6)
    return {**found, "max_weights": max_weights + 6}


# ----------------------------------------------------------------------------- cases


def _bad_sizes(good):
    """Each size in turn replaced by 0 and by -2 (the old check's error cases)."""
    cases = []
    for i in range(len(good)):
        for bad in (0, -2):
            args = list(good)
            args[i] = bad
            cases.append(tuple(args))
    return cases


_CONV_ERRORS = "k, c_in and c_out must be positive: raise ValueError otherwise."
_DENSE_ERRORS = "n_in and n_out must be positive: raise ValueError otherwise."


def _bias_kwargs(rng):
    choice = int(rng.integers(0, 3))
    return {} if choice == 0 else {"bias": bool(choice == 1)}


def _conv_hidden(rng):
    cases = [Case((1, 1, 1), group="counts"), Case((5, 6, 16), {"bias": True}, group="counts"),
             Case((3, int(rng.integers(2, 65)), int(rng.integers(2, 65))), {"bias": False},
                  group="counts")]  # fmt: skip
    for _ in range(6):
        k, c_in, c_out = (int(rng.integers(1, 12)), int(rng.integers(2, 257)),
                          int(rng.integers(1, 257)))  # fmt: skip
        cases.append(Case((k, c_in, c_out), _bias_kwargs(rng), group="counts"))
    for _ in range(3):
        args = [int(rng.integers(1, 8)), int(rng.integers(1, 64)), int(rng.integers(1, 64))]
        args[int(rng.integers(0, 3))] = -int(rng.integers(0, 10))
        cases.append(Case(tuple(args), group="errors", hint=_CONV_ERRORS))
    return cases


def _dense_hidden(rng):
    cases = [Case((1, 1), group="counts"), Case((int(rng.integers(2, 999)), 10), {"bias": False},
                                                group="counts")]  # fmt: skip
    for _ in range(6):
        cases.append(Case((int(rng.integers(1, 50_000)), int(rng.integers(1, 1_000))),
                          _bias_kwargs(rng), group="counts"))  # fmt: skip
    cases += [Case((0, int(rng.integers(1, 99))), group="errors", hint=_DENSE_ERRORS),
              Case((int(rng.integers(1, 99)), -int(rng.integers(1, 9))), group="errors",
                   hint=_DENSE_ERRORS)]  # fmt: skip
    return cases


_C1_HINT = ("try the candidates: for each padding and stride, the kernels from the stride up; "
            "follow the side through S2, C3, S4 and C5 and count C1's weights.")  # fmt: skip
_C1_NONE = "when no design fits the budget (or the image is too small), raise ValueError."


def _lightest(n, channels):
    """The weights of the lightest C1 that gives a 1×1 C5 (None if there is none)."""
    found = [_c1_weights(d[0], channels) for d in _designs(n, channels, 10**9)]
    return min(found) if found else None


def _needs_same(rng, channels):
    """An image size whose lightest C1 (within 2,000 weights) has 'same' padding, and a stride
    that does not divide it (rounding up matters): (n, budget)."""
    while True:
        n = int(rng.integers(100, 400))
        same = [d for d in _designs(n, channels, 2000, paddings=("same",))]
        if not same:
            continue
        light = min(_c1_weights(d[0], channels) for d in same)
        valid = [d for d in _designs(n, channels, light, paddings=("valid",))]
        if not valid and all(n % d[1] for d in same if _c1_weights(d[0], channels) == light):
            return n, light


def _c1_hidden(rng):
    channels = int(rng.choice([1, 3]))
    n, budget = _needs_same(rng, channels)
    cases = [Case((n, channels, budget), group="designs")]
    for i in range(8):
        n = int(rng.integers(28, 32)) if i == 0 else int(rng.integers(33, 140))
        channels = int(rng.choice([1, 3]))
        light = _lightest(n, channels)
        if light is None:
            continue
        extra = 0 if i % 2 else int(rng.integers(0, 400))
        cases.append(Case((n, channels, light + extra), group="designs"))
    n = int(rng.integers(40, 140))
    cases.append(Case((n,), {"channels": 3, "max_weights": _lightest(n, 3) + 5}, group="designs"))
    small = int(rng.integers(5, 28))
    n = int(rng.integers(33, 140))
    cases += [
        Case((small, 1, 10_000), group="errors", hint=_C1_NONE),
        Case((n, 3, _lightest(n, 3) - int(rng.integers(1, 7))), group="errors", hint=_C1_NONE),
        Case((n, 1, 0), group="errors", hint=_C1_NONE),
    ]
    return cases


_TABLE_HINT = ("follow the height and the width through C1, S2, C3, S4 and C5 (valid "
               "windows of 5, then 2 with stride 2); only the layers with weights are in the "
               "table.")  # fmt: skip
_TOO_SMALL = "an image this small leaves no room for C5: raise ValueError."


def _table_hidden(rng):
    cases = [Case((), group="tables")]
    for i in range(4):
        h, w = (int(v) for v in rng.integers(32, 129, size=2))
        shape = (h, w, int(rng.integers(2 if i == 0 else 1, 5)))  # a colour input always
        if rng.random() < 0.5:
            cases.append(Case((shape,), group="tables"))
        else:
            cases.append(Case((shape, int(rng.integers(2, 101))), group="tables"))
    small = int(rng.integers(8, 32))
    cases += [
        Case(((small, small, 1), 10), group="errors", hint=_TOO_SMALL),
        Case(((int(rng.integers(40, 99)), small, 3),), group="errors", hint=_TOO_SMALL),
    ]
    return cases


_PAD_HINT = "2 zero pixels on each side of height and width, then scale to [0, 1], float32."
_PAD_SIZE = "only 28 x 28 images can be padded to 32 x 32 by 2 pixels a side."
_PAD_DTYPE = "refuse images that are not uint8, so nothing is scaled twice."
_PAD_RNG = np.random.default_rng(7)
_PAD_X = _PAD_RNG.integers(1, 256, size=(3, 28, 28)).astype(np.uint8)  # no zeros: a border shows
_PAD_WRONG_SIZE = _PAD_RNG.integers(0, 256, size=(2, 32, 32)).astype(np.uint8)


def _digits(rng, n):
    x = rng.integers(0, 256, size=(n, 28, 28)).astype(np.uint8)
    x[:, 0, :] = 255  # a bright first row: its place shows whether the digit is centred
    x[:, :, -1] = 200
    return x


def _pad_hidden(rng):
    cases = [Case((_digits(rng, int(rng.integers(1, 6))),), group="padding"),
             Case((_digits(rng, int(rng.integers(1, 6)))[..., None],), group="padding"),
             Case((np.zeros((1, 28, 28), dtype=np.uint8),), group="padding")]  # fmt: skip
    side = int(rng.choice([24, 30, 32]))
    cases += [
        Case(
            (rng.integers(0, 256, size=(2, side, side)).astype(np.uint8),),
            group="errors",
            hint=_PAD_SIZE,
        ),
        Case((_digits(rng, 2) / 255.0,), group="errors", hint=_PAD_DTYPE),
        Case((_digits(rng, 1).astype(np.int64),), group="errors", hint=_PAD_DTYPE),
    ]
    return cases


# Weights for the model's probes: drawn per case like Keras' Glorot-uniform kernels (biases
# not zero, so that a missing bias shows), in the order of LeNet-5's get_weights().


def lenet_weights(rng, input_shape, num_classes):
    h, w = _after_c5(input_shape[0], input_shape[1])
    shapes = [((5, 5, input_shape[2], 6), 6), ((5, 5, 6, 16), 16), ((5, 5, 16, 120), 120),
              ((h * w * 120, 84), 84), ((84, num_classes), num_classes)]  # fmt: skip
    return _common.glorot_weights(rng, shapes)


def _model_cases(rng, input_shape, num_classes, group_layers="layers", group_outputs="outputs",
                 images=4):  # fmt: skip
    args = (tuple(input_shape), int(num_classes))
    x = rng.uniform(0, 1, size=(images, *input_shape)).astype(np.float32)
    probes = [{"method": "set_weights", "args": [lenet_weights(rng, input_shape, num_classes)]},
              {"method": "__call__", "args": [x]}]  # fmt: skip
    return [
        Case(args, group=group_layers),
        Case(
            args,
            group=group_outputs,
            then=probes,
            label=f"build_lenet5{args} with LeNet-5's weights set, on random images",
        ),
    ]


def _model_public():
    rng = np.random.default_rng(77)
    return [*_model_cases(rng, (32, 32, 1), 10), *_model_cases(rng, (32, 32, 3), 5)]


def _model_hidden(rng):
    cases = [Case((), group="layers")]
    for _ in range(2):
        h, w = (int(v) for v in rng.integers(32, 61, size=2))
        cases += _model_cases(rng, (h, w, int(rng.integers(1, 4))), int(rng.integers(2, 21)),
                              images=3)  # fmt: skip
    return cases


_MODEL_HINT = ("follow the exercise's list layer by layer: tanh in C1, C3, C5 and F6, softmax at "
               "the end, 2x2 average pooling, valid padding.")  # fmt: skip


EXERCISES = [
    Exercise(
        "conv_params",
        points=2,
        reference=conv_params,
        judge=judge.Int(),
        public=[
            Case(args, kwargs)
            for args, kwargs in [
                ((5, 1, 6), {}),
                ((5, 6, 16), {}),
                ((5, 16, 120), {}),
                ((5, 3, 6), {}),
                ((3, 1, 64), {}),
                ((3, 3, 32), {}),
                ((7, 1, 64), {}),
                ((5, 3, 200), {}),
                ((5, 6, 16), {"bias": False}),
                ((1, 64, 32), {"bias": True}),
                ((3, 128, 256), {"bias": False}),
            ]
        ]
        + [Case(b, hint=_CONV_ERRORS) for b in _bad_sizes((5, 3, 8))],
        hidden=_conv_hidden,
        groups={"counts": 1, "errors": 1},
        mistakes=[
            Mistake(
                _conv_without_channels,
                "the input channels are missing.",
                "each filter spans all c_in input channels: k * k * c_in weights per filter.",
            ),
            Mistake(
                _conv_ignores_bias_flag,
                "bias=False was ignored: without biases, a filter has only its k x k x c_in "
                "weights.",
                "use the bias argument.",
            ),
        ],
        hint="one k x k x c_in kernel per filter, plus one bias per filter when bias=True; "
        "without bias, no + 1.",
    ),  # fmt: skip
    Exercise(
        "dense_params",
        points=2,
        reference=dense_params,
        judge=judge.Int(),
        public=[
            Case(args, kwargs)
            for args, kwargs in [
                ((120, 84), {}),
                ((84, 10), {}),
                ((400, 120), {}),
                ((1024, 84), {}),
                ((3072, 84), {}),
                ((43264, 10), {}),
                ((9216, 128), {"bias": False}),
                ((1, 1), {}),
            ]
        ]
        + [Case(b, hint=_DENSE_ERRORS) for b in _bad_sizes((5, 3))],
        hidden=_dense_hidden,
        groups={"counts": 1, "errors": 1},
        mistakes=[
            Mistake(
                _dense_without_bias,
                "the biases are missing (one per unit).",
                "with bias=True each of the n_out units also has a bias.",
            ),
            Mistake(_dense_ignores_bias_flag, "bias=False was ignored.", "use the bias argument."),
        ],
        hint="each of the n_in inputs connects to each of the n_out units, plus one bias per "
        "unit when bias=True.",
    ),  # fmt: skip
    Exercise(
        "lenet_param_table",
        points=2,
        reference=lenet_param_table,
        judge=judge.Custom("lab07.param_table"),
        public=[
            Case(args)
            for args in [(), ((32, 32, 3),), ((32, 32, 1), 5), ((64, 64, 1),), ((36, 40, 2), 4)]
        ]
        + [
            Case(
                ((16, 16, 1), 10),
                hint=_TOO_SMALL,
            )
        ],
        hidden=_table_hidden,
        groups={"tables": 1, "errors": 1},
        hint=_TABLE_HINT,
    ),  # fmt: skip
    Exercise(
        "choose_c1",
        points=3,
        reference=choose_c1,
        judge=judge.Custom("lab07.c1_design"),
        public=[
            Case((32,), label="choose_c1(32) (the classic LeNet-5: one answer is (5, 1, 'valid'))"),
            Case((31, 1, 60)),
            Case((48, 1, 2000)),
            Case((64, 3, 200)),
            Case((96, 1, 150)),
            Case((128,), {"channels": 3, "max_weights": 500}),
            Case((139, 1, 200)),
            Case((20, 1, 10_000), hint=_C1_NONE),
            Case((100, 3, 1000), hint=_C1_NONE),
            Case((64, 1, 55), hint=_C1_NONE),
        ],
        hidden=_c1_hidden,
        groups={"designs": 2, "errors": 1},
        hint=_C1_HINT,
        mistakes=[
            Mistake(
                _c1_without_channels,
                "C1 is over the budget: each of its 6 filters spans all the input channels "
                "(k·k·channels weights, plus a bias).",
                "count C1's weights with the channels.",
            ),
            Mistake(
                _c1_without_bias,
                "C1 is over the budget by its biases: each of the 6 filters also has one.",
                "C1's weights are (k·k·channels + 1)·6.",
            ),
        ],
    ),  # fmt: skip
    Exercise(
        "pad_to_32",
        points=2,
        reference=pad_to_32,
        judge=judge.Custom("lab07.padded_batch"),
        public=[
            Case((_PAD_X,)),
            Case((_PAD_X[..., None].copy(),)),
            Case((_PAD_WRONG_SIZE,), hint=_PAD_SIZE),
            Case((_PAD_X.astype(np.float32) / 255,), hint=_PAD_DTYPE),
        ],
        hidden=_pad_hidden,
        groups={"padding": 1, "errors": 1},
        hint=_PAD_HINT,
    ),  # fmt: skip
    Exercise(
        "build_lenet5",
        points=3,
        reference=build_lenet5,
        judge=judge.Custom("lab07.lenet_model", {"atol": 1e-4, "rtol": 1e-4}),
        public=_model_public(),
        hidden=_model_hidden,
        groups={"layers": 2, "outputs": 1},
        hint=_MODEL_HINT,
    ),  # fmt: skip
]
