"""Lab 13 (classic architectures): the arithmetic of separable convolutions, Inception branches,
ResNet's sizes and residual units, then a residual unit with a projection shortcut in Keras.

The model exercise is judged twice per case: first its description (layer classes, weights per
layer, output shapes: ``helpers/labs/custom/lab13.py``), then what it computes once weights
drawn here are set into it (``set_weights`` then a call on random images). Hidden cases draw
the sizes per submission.
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

# ----------------------------------------------------------------------------- references


def _positive(**sizes):
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
            raise ValueError(f"{name} must be a positive whole number, got {value!r}")


def separable_params(k, c_in, c_out, bias=True):
    _positive(k=k, c_in=c_in, c_out=c_out)
    return int(k * k * c_in + c_in * c_out + (c_out if bias else 0))


def branch_multiplies(h, w, c_in, k, c_out, reduce=None):
    _positive(h=h, w=w, c_in=c_in, k=k, c_out=c_out)
    if reduce is None:
        return int(h * w * c_out * k * k * c_in)
    _positive(reduce=reduce)
    return int(h * w * reduce * c_in + h * w * c_out * k * k * reduce)


def resnet_sizes(n, stages=4):
    _positive(n=n, stages=stages)
    sizes = [-(-n // 2)]  # 7×7/2 'same' convolution
    sizes.append(-(-sizes[-1] // 2))  # 3×3/2 'same' max pooling
    for s in range(stages):
        sizes.append(sizes[-1] if s == 0 else -(-sizes[-1] // 2))
    return sizes


def residual_unit_params(c_in, filters, strides=1):
    _positive(c_in=c_in, filters=filters, strides=strides)
    main = 9 * c_in * filters + 4 * filters + 9 * filters * filters + 4 * filters
    needs_projection = strides != 1 or c_in != filters
    return int(main + (c_in * filters + 4 * filters if needs_projection else 0))


def residual_unit(input_shape, filters, strides=1):
    from helpers import architectures

    return architectures.block_model(architectures.residual_unit, tuple(input_shape), filters,
                                     strides)  # fmt: skip


# ----------------------------------------------------------------------------- mistakes


def _separable_full_depthwise(k, c_in, c_out, bias=True):
    return separable_params(k, c_in, c_out, bias) - k * k * c_in + k * k * c_in * c_out


def _separable_no_depthwise(k, c_in, c_out, bias=True):
    return separable_params(k, c_in, c_out, bias) - k * k * c_in


def _separable_depthwise_bias(k, c_in, c_out, bias=True):
    return separable_params(k, c_in, c_out, bias) + (c_in if bias else 0)


def _separable_ignores_bias(k, c_in, c_out, bias=True):
    return separable_params(k, c_in, c_out)


def _branch_no_reduce_cost(h, w, c_in, k, c_out, reduce=None):
    if reduce is None:
        return branch_multiplies(h, w, c_in, k, c_out)
    return branch_multiplies(h, w, reduce, k, c_out)


def _branch_kxk_on_input(h, w, c_in, k, c_out, reduce=None):
    if reduce is None:
        return branch_multiplies(h, w, c_in, k, c_out)
    return h * w * reduce * c_in + branch_multiplies(h, w, c_in, k, c_out)


def _branch_k_not_squared(h, w, c_in, k, c_out, reduce=None):
    if reduce is None:
        return h * w * c_out * k * c_in
    return h * w * reduce * c_in + h * w * c_out * k * reduce


def _sizes_round_down(n, stages=4):
    resnet_sizes(n, stages)
    sizes = [n // 2]
    sizes.append(sizes[-1] // 2)
    for s in range(stages):
        sizes.append(sizes[-1] if s == 0 else sizes[-1] // 2)
    return sizes


def _sizes_every_stage_halves(n, stages=4):
    sizes = resnet_sizes(n, stages)
    out = sizes[:2]
    for _ in range(stages):
        out.append(-(-out[-1] // 2))
    return out


def _sizes_without_pool(n, stages=4):
    sizes = resnet_sizes(n, stages)
    out = [sizes[0], sizes[0]]  # the "pool" leaves the size unchanged
    for s in range(stages):
        out.append(out[-1] if s == 0 else -(-out[-1] // 2))
    return out


def _params_always_project(c_in, filters, strides=1):
    return residual_unit_params(c_in, filters, 2)


def _params_never_project(c_in, filters, strides=1):
    _positive(c_in=c_in, filters=filters, strides=strides)
    return 9 * c_in * filters + 9 * filters * filters + 8 * filters


def _params_project_on_stride_only(c_in, filters, strides=1):
    if strides == 1:
        return _params_never_project(c_in, filters, strides)
    return residual_unit_params(c_in, filters, strides)


def _params_no_batch_norm(c_in, filters, strides=1):
    full = residual_unit_params(c_in, filters, strides)
    projected = full != _params_never_project(c_in, filters, strides)
    return full - 4 * filters * (3 if projected else 2)


def _params_bn_trainable_only(c_in, filters, strides=1):
    full = residual_unit_params(c_in, filters, strides)
    projected = full != _params_never_project(c_in, filters, strides)
    return full - 2 * filters * (3 if projected else 2)


# ----------------------------------------------------------------------------- cases


def _bad(good, n_bad=None):
    """Each size in turn replaced by 0 and by -3."""
    cases = []
    for i in range(len(good) if n_bad is None else n_bad):
        for bad in (0, -3):
            args = list(good)
            args[i] = bad
            cases.append(tuple(args))
    return cases


_SEP_ERRORS = "k, c_in and c_out must be positive whole numbers: raise ValueError otherwise."


def _separable_hidden(rng):
    cases = [Case((3, 32, 64), group="counts"), Case((1, 1, 1), {"bias": False}, group="counts")]
    for _ in range(7):
        args = (int(rng.integers(1, 8)), int(rng.integers(1, 1025)), int(rng.integers(1, 1025)))
        kwargs = {} if rng.random() < 0.4 else {"bias": bool(rng.random() < 0.5)}
        cases.append(Case(args, kwargs, group="counts"))
    args = [int(rng.integers(1, 6)), int(rng.integers(1, 99)), int(rng.integers(1, 99))]
    args[int(rng.integers(0, 3))] = -int(rng.integers(0, 5))
    cases += [Case(tuple(args), group="errors", hint=_SEP_ERRORS),
              Case((3, 2.5, 4), group="errors", hint=_SEP_ERRORS)]  # fmt: skip
    return cases


_BRANCH_HINT = ("each output value of a k×k convolution costs k·k·(input channels) multiplies; a "
                "1×1 reduction is a convolution of its own, with its own cost.")  # fmt: skip
_BRANCH_ERRORS = "every size (and reduce, when given) must be a positive whole number."


def _branch_hidden(rng):
    cases = [Case((28, 28, 192, 5, 32), group="counts"),
             Case((28, 28, 192, 5, 32), {"reduce": 16}, group="counts")]  # fmt: skip
    for _ in range(6):
        h, w = int(rng.integers(1, 60)), int(rng.integers(1, 60))
        args = (h, w, int(rng.integers(8, 513)), int(rng.choice([1, 3, 5, 7])),
                int(rng.integers(1, 257)))  # fmt: skip
        kwargs = {} if rng.random() < 0.3 else {"reduce": int(rng.integers(1, 129))}
        cases.append(Case(args, kwargs, group="counts"))
    cases += [Case((14, 14, 0, 3, 8), group="errors", hint=_BRANCH_ERRORS),
              Case((14, 14, 64, 3, 8), {"reduce": -int(rng.integers(0, 9))}, group="errors",
                   hint=_BRANCH_ERRORS)]  # fmt: skip
    return cases


_SIZES_HINT = (
    "'same' padding with stride 2 gives ceil(n / 2), rounding up; the first stage keeps the "
    "size (the max pooling just halved it), each later stage halves it."
)
_SIZES_ERRORS = "n and stages must be positive whole numbers."


def _sizes_hidden(rng):
    cases = [Case((224,), group="sizes"), Case((1,), group="sizes")]
    for _ in range(6):
        n = int(rng.integers(2, 700))
        args = (n,) if rng.random() < 0.4 else (n, int(rng.integers(1, 7)))
        cases.append(Case(args, group="sizes"))
    cases += [Case((-int(rng.integers(0, 50)),), group="errors", hint=_SIZES_ERRORS),
              Case((32, 0), group="errors", hint=_SIZES_ERRORS)]  # fmt: skip
    return cases


_PARAMS_HINT = (
    "two 3×3 convolutions without bias, each followed by batch normalization (4 numbers per "
    "channel); a 1×1 projection (+ its batch normalization) only when the shape changes: "
    "another stride, or another number of channels."
)
_PARAMS_ERRORS = "c_in, filters and strides must be positive whole numbers."


def _params_hidden(rng):
    f = int(rng.integers(2, 513))
    cases = [Case((f, f), group="counts"), Case((f, f, 2), group="counts"),
             Case((f, 2 * f), {"strides": 1}, group="counts"),
             Case((64, 128, 2), group="counts")]  # fmt: skip
    for _ in range(5):
        c_in = int(rng.integers(1, 513))
        filters = c_in if rng.random() < 0.4 else int(rng.integers(1, 513))
        cases.append(Case((c_in, filters, int(rng.choice([1, 2, 3]))), group="counts"))
    bad_stride = -int(rng.integers(0, 3))
    cases += [
        Case((0, 8), group="errors", hint=_PARAMS_ERRORS),
        Case((8, 8, bad_stride), group="errors", hint=_PARAMS_ERRORS),
    ]
    return cases


# Weights for the model's probes, in the order of the reference's get_weights() (Keras lists
# the layers by their distance from the output: conv1, its batch norm, conv2, the projection,
# then the last batch norms). Batch-norm statistics are not 0/1, so a missing or misplaced
# batch normalization changes the outputs.


def unit_weights(rng, c_in, filters, strides):
    def conv(shape):
        limit = np.sqrt(6 / (shape[0] * shape[1] * (shape[2] + shape[3])))
        return rng.uniform(-limit, limit, size=shape).astype(np.float32)

    def bn(c):
        return [rng.uniform(0.5, 1.5, c).astype(np.float32),
                rng.normal(0, 0.2, c).astype(np.float32),
                rng.normal(0, 0.2, c).astype(np.float32),
                rng.uniform(0.5, 1.5, c).astype(np.float32)]  # fmt: skip

    reference = residual_unit((6, 6, c_in), filters, strides)
    weights = []
    for layer in reference.layers:
        kind = type(layer).__name__
        if kind == "Conv2D":
            weights.append(conv(tuple(layer.kernel.shape)))
        elif kind == "BatchNormalization":
            weights += bn(filters)
    return weights


def _model_cases(rng, input_shape, filters, strides, images=3):
    args = (tuple(input_shape), int(filters), int(strides))
    x = rng.normal(0, 1, size=(images, *input_shape)).astype(np.float32)
    probes = [{"method": "set_weights",
               "args": [unit_weights(rng, input_shape[2], filters, strides)]},
              {"method": "__call__", "args": [x]}]  # fmt: skip
    return [
        Case(args, group="layers"),
        Case(args, group="outputs", then=probes,
             label=f"residual_unit{args} with weights set, on random images"),
    ]  # fmt: skip


def _model_public():
    rng = np.random.default_rng(1313)
    return [*_model_cases(rng, (8, 8, 16), 16, 1), *_model_cases(rng, (8, 8, 16), 32, 2),
            *_model_cases(rng, (6, 6, 4), 8, 1)]  # fmt: skip


def _model_hidden(rng):
    c = int(rng.integers(2, 9))
    cases = _model_cases(rng, (int(rng.integers(4, 11)),) * 2 + (c,), c, 1)
    h, w = int(rng.integers(4, 12)), int(rng.integers(4, 12))
    cases += _model_cases(rng, (h, w, int(rng.integers(2, 9))), int(rng.integers(2, 13)), 2)
    cases += _model_cases(rng, (h, w, c), c + int(rng.integers(1, 5)), 1)
    return cases


_MODEL_HINT = (
    "compare with the exercise's block: the order of convolutions, batch normalization and "
    "ReLU on the main path, when the shortcut needs a projection; add the two, "
    "then ReLU. Convolutions: padding='same', use_bias=False."
)


EXERCISES = [
    Exercise(
        "separable_params",
        points=2,
        reference=separable_params,
        judge=judge.Int(),
        public=[
            Case(a, kw)
            for a, kw in [
                ((3, 32, 64), {}),
                ((3, 128, 256), {"bias": False}),
                ((5, 3, 16), {}),
                ((1, 8, 8), {}),
                ((7, 64, 1), {}),
            ]
        ]
        + [Case(b, hint=_SEP_ERRORS) for b in _bad((3, 16, 32))],
        hidden=_separable_hidden,
        groups={"counts": 1, "errors": 1},
        mistakes=[
            Mistake(
                _separable_full_depthwise,
                "the depthwise part was counted like a full convolution (k·k·c_in per "
                "output channel).",
                "a depthwise convolution has ONE k×k filter per input channel.",
            ),
            Mistake(
                _separable_no_depthwise,
                "the depthwise filters are missing.",
                "the k×k depthwise filters are weights too, one per input channel.",
            ),
            Mistake(
                _separable_depthwise_bias,
                "biases were counted in the depthwise part as well.",
                "Keras' SeparableConv2D has one bias per output channel, on the pointwise "
                "part only.",
            ),
            Mistake(_separable_ignores_bias, "bias=False was ignored.", "use the bias argument."),
        ],  # fmt: skip
        hint="a depthwise k×k part (one filter per input channel, no bias), then a pointwise "
        "1×1 part that mixes the channels (with one bias per output channel when bias=True).",
    ),  # fmt: skip
    Exercise(
        "branch_multiplies",
        points=2,
        reference=branch_multiplies,
        judge=judge.Int(),
        public=[
            Case(a, kw, hint=_BRANCH_HINT)
            for a, kw in [
                ((28, 28, 192, 5, 32), {}),
                ((28, 28, 192, 5, 32), {"reduce": 16}),
                ((28, 28, 192, 3, 128), {"reduce": 96}),
                ((14, 7, 10, 3, 4), {}),
                ((1, 1, 8, 1, 8), {"reduce": 2}),
            ]
        ]
        + [Case(b, hint=_BRANCH_ERRORS) for b in [(0, 28, 192, 5, 32), (28, 28, 192, -1, 32)]]
        + [Case((28, 28, 192, 5, 32), {"reduce": 0}, hint=_BRANCH_ERRORS)],
        hidden=_branch_hidden,
        groups={"counts": 1, "errors": 1},
        mistakes=[
            Mistake(
                _branch_no_reduce_cost,
                "the 1×1 reduction's own multiplies are missing.",
                "the 1×1 convolution computes h·w·reduce outputs from c_in channels each.",
            ),
            Mistake(
                _branch_kxk_on_input,
                "the k×k convolution was costed on the c_in input channels, not on the "
                "reduced ones.",
                "after the reduction, the k×k filters see only `reduce` channels.",
            ),
            Mistake(
                _branch_k_not_squared,
                "the filter size counts once, not k·k.",
                "a k×k filter has k·k weights per channel.",
            ),
        ],  # fmt: skip
        hint=_BRANCH_HINT,
    ),  # fmt: skip
    Exercise(
        "resnet_sizes",
        points=2,
        reference=resnet_sizes,
        judge=judge.Exact(),
        public=[Case(a, hint=_SIZES_HINT) for a in [(224,), (32,), (227,), (100, 3), (1,), (97, 6)]]
        + [Case(b, hint=_SIZES_ERRORS) for b in [(0,), (-4,), (224, 0)]],
        hidden=_sizes_hidden,
        groups={"sizes": 1, "errors": 1},
        mistakes=[
            Mistake(
                _sizes_round_down,
                "'same' padding with stride 2 rounds UP, not down.",
                "with 'same' the output is ceil(n / stride): an odd size keeps its last "
                "(padded) position.",
            ),
            Mistake(
                _sizes_every_stage_halves,
                "the first stage halved the size too.",
                "stage 1 starts right after the max pooling and uses stride 1.",
            ),
            Mistake(
                _sizes_without_pool,
                "the max pooling after the first convolution is missing.",
                "the stem is a 7×7/2 convolution AND a 3×3/2 max pooling.",
            ),
        ],  # fmt: skip
        hint=_SIZES_HINT,
    ),  # fmt: skip
    Exercise(
        "residual_unit_params",
        points=2,
        reference=residual_unit_params,
        judge=judge.Int(),
        public=[
            Case(a, hint=_PARAMS_HINT)
            for a in [(64, 64), (64, 128, 2), (128, 128, 2), (3, 16), (16, 16, 1)]
        ]
        + [Case(b, hint=_PARAMS_ERRORS) for b in [(0, 16), (16, -1), (16, 16, 0)]],
        hidden=_params_hidden,
        groups={"counts": 1, "errors": 1},
        mistakes=[
            Mistake(
                _params_always_project,
                "a projection was counted although the shape does not change.",
                "with stride 1 and as many filters as input channels, the shortcut is the "
                "input itself: no weights.",
            ),
            Mistake(
                _params_project_on_stride_only,
                "a change in the number of channels needs a projection too.",
                "Add needs equal shapes: the channels must match as well as the size.",
            ),
            Mistake(
                _params_never_project,
                "the projection shortcut is missing.",
                "when the stride or the number of channels changes, x cannot be added as "
                "it is: a 1×1 convolution with batch normalization reshapes it.",
            ),
            Mistake(
                _params_no_batch_norm,
                "the batch-normalization weights are missing.",
                "each batch normalization holds 4 numbers per channel.",
            ),
            Mistake(
                _params_bn_trainable_only,
                "batch normalization was counted with 2 numbers per channel.",
                "Keras counts 4 per channel: γ and β (trained) and the moving mean and "
                "variance (not trained).",
            ),
        ],  # fmt: skip
        hint=_PARAMS_HINT,
    ),  # fmt: skip
    Exercise(
        "residual_unit",
        points=3,
        reference=residual_unit,
        judge=judge.Custom("lab13.residual_model", {"atol": 1e-4, "rtol": 1e-4}),
        public=_model_public(),
        hidden=_model_hidden,
        groups={"layers": 2, "outputs": 1},
        hint=_MODEL_HINT,
    ),  # fmt: skip
]
