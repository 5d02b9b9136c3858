"""Lab 06 (your first CNN): image and label preparation, counting, a model from its summary, and
a network trained to a test-accuracy target on MNIST.

The very simple CNN is judged by its description (layer classes, output shapes, weights,
activations) and by what it computes: the grader sets weights it drew itself and compares the
outputs with the reference model's. The MNIST exercise is never retrained here: the learner's
``mnist_submission()`` returns the model trained in the notebook and its softmax outputs on the
test digits; the reference returns a stand-in whose ``predict`` gives the test indices of the
images it receives, and the true test labels, read on the grader's side. The judge
(``lab06.mnist_submission``) recomputes the accuracy from those labels and checks that the model
predicts the submitted classes again on a sample of test images sent as a probe.
"""

import numpy as np

from helpers import models
from helpers.labs import judge
from helpers.labs.custom import lab06 as custom
from helpers.labs.spec import Case, Exercise, Mistake
from helpers.labs.specs import _common

# Exercises 6-7 train MNIST in the notebook (a 3-minute budget on an idle 2-core CPU): the grader
# raises its per-cell and per-notebook limits to these.
CELL_TIMEOUT = 900
TIMEOUT = 1500
CALL_SECONDS = 30  # a first predict() of a Keras model may take a few seconds on a busy machine
SAMPLE = 200  # test images the model predicts again to confirm the submitted outputs
PUBLIC_SAMPLE = range(0, custom.FAST_TEST, 20)  # within the fast-mode test digits

# ----------------------------------------------------------------------------- references


def to_float_images(x):
    return np.asarray(x)[..., np.newaxis].astype(np.float32) / np.float32(255)


def one_hot(y, n):
    y = np.asarray(y).astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= n):
        raise ValueError("labels must lie in 0 … n-1")
    out = np.zeros((len(y), n), dtype=np.float32)
    out[np.arange(len(y)), y] = 1.0
    return out


LOSSES = ("sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy")


def choose_loss(y, num_outputs):
    y = np.asarray(y)
    if y.size == 0 or y.ndim not in (1, 2) or y.dtype.kind not in "biuf":
        raise ValueError("labels: a non-empty 1-D or 2-D array of numbers")
    if num_outputs == 1:
        if (y.ndim == 2 and y.shape[1] != 1) or not np.isin(y, (0, 1)).all():
            raise ValueError("one output unit: labels 0 or 1, one per image")
        return "binary_crossentropy"
    if y.ndim == 1:
        if y.dtype.kind == "f" and not (y == np.round(y)).all():
            raise ValueError("class indices must be whole numbers")
        if y.min() < 0 or y.max() >= num_outputs:
            raise ValueError("class indices must lie in 0 … num_outputs - 1")
        return "sparse_categorical_crossentropy"
    if y.shape[1] != num_outputs:
        raise ValueError("one column of labels per output unit")
    if y.min() < 0 or y.max() > 1:
        raise ValueError("label columns hold values in [0, 1]")
    if np.allclose(y.sum(axis=1), 1.0):
        return "categorical_crossentropy"
    return "binary_crossentropy"


def conv_macs(h, w, k, c_in, c_out):
    return _common.conv_macs(h, w, k, k, c_in, c_out)


def build_very_simple_cnn():
    return models.very_simple_cnn()


_TEST = {}


def _mnist_test():
    """The MNIST test images (uint8, (10000, 28, 28)) and labels, read on the grader's side."""
    if not _TEST:
        from helpers.data.loaders import read_idx
        from helpers.data.store import ensure

        folder = ensure("mnist")
        _TEST["x"] = read_idx(folder / "t10k-images-idx3-ubyte.gz")
        _TEST["y"] = read_idx(folder / "t10k-labels-idx1-ubyte.gz")
    return _TEST["x"], _TEST["y"]


def _probe_images(index):
    x, _ = _mnist_test()
    return (x[np.asarray(index)].astype(np.float32) / np.float32(255))[..., np.newaxis]


class _TestIndex:
    """The reference's 'model': ``predict`` gives the test index of each image it receives."""

    def __init__(self):
        x, _ = _mnist_test()
        self._table = {}
        for i, image in enumerate(x):
            self._table.setdefault(image.tobytes(), i)

    def predict(self, images, verbose=0, **kwargs):
        pixels = np.rint(np.asarray(images)[..., 0] * 255).astype(np.uint8)
        return np.array([self._table[p.tobytes()] for p in pixels], dtype=np.int64)


def mnist_submission():
    _, y = _mnist_test()
    return _TestIndex(), y.copy()


# ----------------------------------------------------------------------------- mistakes


def _float64_images(x):
    return np.asarray(x)[..., np.newaxis] / 255.0


def _unscaled_images(x):
    return np.asarray(x)[..., np.newaxis].astype(np.float32)


def _no_channel_axis(x):
    return np.asarray(x).astype(np.float32) / np.float32(255)


def _loss_2d_always_categorical(y, num_outputs):
    loss = choose_loss(y, num_outputs)
    return "categorical_crossentropy" if np.ndim(y) == 2 and num_outputs > 1 else loss


def _loss_by_dtype(y, num_outputs):
    loss = choose_loss(y, num_outputs)
    if num_outputs == 1 or loss == "binary_crossentropy":
        return loss
    kind = np.asarray(y).dtype.kind
    return "categorical_crossentropy" if kind == "f" else "sparse_categorical_crossentropy"


def _loss_sparse_for_binary(y, num_outputs):
    loss = choose_loss(y, num_outputs)
    return "sparse_categorical_crossentropy" if num_outputs == 1 and np.ndim(y) == 1 else loss


def _k_once(h, w, k, c_in, c_out):
    return _common.conv_macs(h, w, k, 1, c_in, c_out)


def _no_input_channels(h, w, k, c_in, c_out):
    return _common.conv_macs(h, w, k, k, 1, c_out)


def _pooled_cnn():
    return models.very_simple_cnn(pool=True)


def _same_padding_cnn():
    import keras

    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


# ----------------------------------------------------------------------------- cases

_IMAGES_HINT = (
    "add a channel axis at the end (np.newaxis or reshape), convert to float32, then divide by 255."
)


def _images_hidden(rng):
    cases = []
    for _ in range(3):
        n, h, w = (int(v) for v in rng.integers(1, 9, size=3))
        cases.append(Case((rng.integers(0, 256, size=(n, h * 4, w * 3), dtype=np.uint8),)))
    cases.append(
        Case((rng.integers(0, 256, size=(int(rng.integers(2, 6)), 28, 28), dtype=np.uint8),))
    )
    cases.append(
        Case(
            (np.array([[[0, 255]]], dtype=np.uint8),),
            hint="0 must become 0.0 and 255 must become 1.0.",
        )
    )
    return cases


_ONE_HOT_HINT = (
    "start from a float32 array of zeros, one row per label and n columns, then set one "
    "cell per row, in the label's column (NumPy's integer-array indexing)."
)
_RANGE_HINT = "a label outside 0 … n-1 has no column: raise ValueError."


def _one_hot_hidden(rng):
    cases = []
    for dtype in ("int64", "uint8", "int32", "int64"):
        n = int(rng.integers(2, 16))
        y = rng.integers(0, n, size=int(rng.integers(1, 12)))
        y[int(rng.integers(0, len(y)))] = n - 1  # the last class always appears
        cases.append(Case((y.astype(dtype), n), group="values"))
    cases.append(Case((np.array([0], dtype=np.uint8), 2), group="values"))
    n = int(rng.integers(3, 12))
    cases += [
        Case((np.array([0, n]), n), group="errors", hint=_RANGE_HINT),
        Case((np.array([1, -int(rng.integers(1, 5))]), n), group="errors", hint=_RANGE_HINT),
    ]
    return cases


_LOSS_HINT = ("look at the label array, not the model: its number of dimensions, its width "
              "against num_outputs, and what each row adds up to.")  # fmt: skip
_LOSS_ERRORS = ("labels that do not fit the output layer (out of range, a wrong width, not 0/1 "
                "for one output unit) raise ValueError.")  # fmt: skip


def _one_hot_rows(rng, n, k, dtype):
    return np.eye(k, dtype=dtype)[rng.integers(0, k, size=n)]


def _multi_hot(rng, n, k, dtype):
    y = (rng.random((n, k)) < 0.35).astype(dtype)
    y[0] = 0  # an image with none of the labels
    y[1, :2] = 1  # and one with two
    return y


def _loss_hidden(rng):
    n, k = int(rng.integers(3, 12)), int(rng.integers(3, 12))
    dtype = str(rng.choice(["uint8", "int64", "float32"]))
    smooth = _one_hot_rows(rng, n, k, np.float64) * 0.9 + 0.1 / k  # label smoothing
    cases = [
        Case((rng.integers(0, k, size=n).astype(dtype), k)),
        Case((rng.integers(0, k, size=n).astype(np.float32), k)),
        Case((_one_hot_rows(rng, n, k, dtype), k)),
        Case((_one_hot_rows(rng, n, k, np.uint8), k)),
        Case((smooth, k)),
        Case((_multi_hot(rng, n, k, dtype), k)),
        Case((rng.integers(0, 2, size=n).astype(dtype), 1)),
        Case((rng.integers(0, 2, size=(n, 1)).astype(np.float32), 1)),
        Case((np.ones((n, 1), dtype=np.float32), 1), hint="one output unit: a yes/no question."),
    ]
    cases = [Case(c.args, group="choices", hint=c.hint) for c in cases]
    cases += [
        Case((np.array([0, k, 1]), k), group="errors", hint=_LOSS_ERRORS),
        Case((_one_hot_rows(rng, n, k + 1, np.float32), k), group="errors", hint=_LOSS_ERRORS),
        Case((rng.integers(2, 9, size=n), 1), group="errors", hint=_LOSS_ERRORS),
    ]
    return cases


_MACS_HINT = (
    "every output value (h·w positions × c_out filters) needs k·k·c_in multiply-adds: "
    "multiply all of these together."
)


def _macs_hidden(rng):
    cases = [Case((1, 1, 1, 1, 1))]
    for _ in range(6):
        h, w = (int(v) for v in rng.integers(1, 120, size=2))
        k = int(rng.choice([1, 3, 5, 7, 11]))
        c_in, c_out = (int(v) for v in rng.integers(1, 257, size=2))
        cases.append(Case((h, w, k, c_in, c_out)))
    cases.append(Case((int(rng.integers(2, 30)), int(rng.integers(2, 30)), 3, 1, 64)))
    return cases


_CNN_HINT = (
    "compare model.summary() with the table: each layer's type, output shape and weight count."
)
_WEIGHT_SHAPES = [(3, 3, 1, 64), (64,), (26 * 26 * 64, 10), (10,)]


def _cnn_hidden(rng):
    weights = [
        (rng.normal(size=s) * (0.3 if len(s) == 4 else 0.01 if len(s) == 2 else 0.1)).astype(
            np.float32
        )
        for s in _WEIGHT_SHAPES
    ]
    images = rng.uniform(0, 1, size=(int(rng.integers(2, 6)), 28, 28, 1)).astype(np.float32)
    return [
        Case(label="build_very_simple_cnn()"),
        Case(
            label=f"build_very_simple_cnn() with the grader's weights, on {len(images)} "
            "random images",
            then=[
                {"method": "set_weights", "args": [weights]},
                {"method": "__call__", "args": [images]},
            ],
        ),
    ]


def _submission_case(index, label):
    return Case(
        label=label,
        then=[
            {
                "method": "predict",
                "args": [_probe_images(index)],
                "kwargs": {"verbose": 0},
                "on": [0],
            }
        ],
    )


def _submission_hidden(rng):
    n = custom.n_test_digits()
    index = np.sort(rng.choice(n, size=min(SAMPLE, n), replace=False))
    return [
        _submission_case(
            index, f"mnist_submission() (the model predicts {len(index)} test digits again)"
        )
    ]


EXERCISES = [
    Exercise(
        "to_float_images",
        points=1,
        reference=to_float_images,
        judge=judge.Array(atol=1e-6, kinds="f", same_dtype=True),
        public=[
            Case((np.random.default_rng(6).integers(0, 256, size=(5, 28, 28), dtype=np.uint8),)),
            Case((np.array([[[0, 255], [128, 51]]], dtype=np.uint8),)),
            Case((np.random.default_rng(7).integers(0, 256, size=(3, 7, 9), dtype=np.uint8),)),
        ],
        hidden=_images_hidden,
        hint=_IMAGES_HINT,
        mistakes=[
            Mistake(
                _float64_images,
                "the result is float64, expected float32.",
                "Keras computes in float32; float64 doubles the memory for nothing.",
            ),
            Mistake(
                _unscaled_images,
                "the pixels were not divided by 255.",
                "divide by 255 so that the values lie in [0, 1].",
            ),
            Mistake(
                _no_channel_axis,
                "the channel axis is missing: a Conv2D layer wants (N, H, W, 1).",
                "add a last axis of size 1 (np.newaxis or reshape).",
            ),
        ],
    ),
    Exercise(
        "one_hot",
        points=2,
        reference=one_hot,
        judge=judge.Array(atol=0.0, kinds="f"),
        public=[
            Case((np.array([0, 6, 4, 7, 2, 4, 1, 0, 5, 8], dtype=np.uint8), 10), group="values"),
            Case((np.array([2, 0, 1], dtype=np.int64), 3), group="values"),
            Case((np.array([4, 4, 4, 4], dtype=np.int32), 5), group="values"),
            Case((np.array([9], dtype=np.uint8), 12), group="values"),
            Case((np.array([0, 10]), 10), group="errors", hint=_RANGE_HINT),
            Case((np.array([-1, 2]), 5), group="errors", hint=_RANGE_HINT),
        ],
        hidden=_one_hot_hidden,
        groups={"values": 1, "errors": 1},
        hint=_ONE_HOT_HINT,
    ),
    Exercise(
        "choose_loss",
        points=2,
        reference=choose_loss,
        judge=judge.Exact(),
        public=[
            Case(
                (np.array([5, 0, 4, 1, 9], dtype=np.uint8), 10),
                label="choose_loss(MNIST's labels as they load, 10)",
            ),
            Case(
                (np.eye(10, dtype=np.float32)[[5, 0, 4]], 10),
                label="choose_loss(one-hot labels, 10)",
            ),
            Case(
                (np.eye(3, dtype=np.int64)[[2, 0, 1, 1]], 3),
                label="choose_loss(one-hot labels stored as integers, 3)",
            ),
            Case(
                (np.array([[0.93, 0.03, 0.04], [0.03, 0.03, 0.94]]), 3),
                label="choose_loss(smoothed one-hot labels, 3)",
            ),
            Case(
                (np.array([[1, 0, 1, 0], [0, 0, 0, 0], [0, 1, 0, 0]], dtype=np.float32), 4),
                label="choose_loss(several tags per image, 4)",
            ),
            Case((np.array([0, 1, 1, 0]), 1), label="choose_loss(yes/no labels, 1)"),
            Case((np.array([[1.0], [1.0]]), 1), label="choose_loss(a column of yes labels, 1)"),
            Case((np.array([0, 10, 3]), 10), hint=_LOSS_ERRORS),
            Case((np.eye(10, dtype=np.float32)[[1, 2]], 5), hint=_LOSS_ERRORS),
            Case((np.array([0, 2, 1]), 1), hint=_LOSS_ERRORS),
        ],
        hidden=_loss_hidden,
        groups={"choices": 1, "errors": 1},
        hint=_LOSS_HINT,
        mistakes=[
            Mistake(
                _loss_2d_always_categorical,
                "categorical cross-entropy assumes exactly one class per image (each row sums "
                "to 1); these rows carry several tags, or none.",
                "independent yes/no questions per column call for the binary cross-entropy.",
            ),
            Mistake(
                _loss_by_dtype,
                "you decided by the dtype; what matters is the shape: one-hot rows can be "
                "integers, and class indices can be floats.",
                "1-D class indices or 2-D one-hot rows: look at y.ndim.",
            ),
            Mistake(
                _loss_sparse_for_binary,
                "one output unit (a sigmoid) answers a yes/no question: the sparse categorical "
                "loss needs one unit per class.",
                "num_outputs == 1 means the binary cross-entropy.",
            ),
        ],
    ),  # fmt: skip
    Exercise(
        "conv_macs",
        points=1,
        reference=conv_macs,
        judge=judge.Int(),
        public=[
            Case(args)
            for args in [
                (26, 26, 3, 1, 64),
                (24, 24, 3, 32, 64),
                (28, 28, 3, 1, 32),
                (7, 7, 3, 64, 128),
                (1, 1, 1, 5, 7),
                (10, 20, 5, 3, 2),
            ]
        ],
        hidden=_macs_hidden,
        hint=_MACS_HINT,
        mistakes=[
            Mistake(
                _k_once,
                "you multiplied by k once.",
                "a k×k filter has k·k weights per input channel.",
            ),
            Mistake(
                _no_input_channels,
                "you left out the input channels.",
                "each filter spans all c_in input channels.",
            ),
        ],
    ),
    Exercise(
        "build_very_simple_cnn",
        points=2,
        reference=build_very_simple_cnn,
        judge=judge.Custom("lab06.very_simple_cnn"),
        public=[Case(label="build_very_simple_cnn()")],
        hidden=_cnn_hidden,
        hint=_CNN_HINT,
        mistakes=[
            Mistake(
                _pooled_cnn,
                "you added a pooling layer; the summary has none.",
                "no MaxPooling2D: the chapter explains why the seed's code and its "
                "summary disagree; follow the summary.",
            ),
            Mistake(
                _same_padding_cnn,
                "'same' padding keeps 28×28; the summary's conv output is 26×26.",
                "use the default 'valid' padding.",
            ),
        ],
    ),
    Exercise(
        "mnist_submission",
        points=5,
        reference=mnist_submission,
        judge=judge.Custom("lab06.mnist_submission", params={"agree": 0.98}),
        public=[
            _submission_case(
                PUBLIC_SAMPLE,
                f"mnist_submission() (the model predicts {len(PUBLIC_SAMPLE)} test digits again)",
            )
        ],
        hidden=_submission_hidden,
        hint="mnist_submission() returns (model, test_probabilities): the model the training "
        "cell trained and its softmax outputs on the test digits, as that cell left them.",
    ),
]
