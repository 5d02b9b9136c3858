"""Lab 08 (Fashion-MNIST): class counts, a model's multiply-adds, Géron's CNN, confusions,
overfitting, and a small network trained to a stated accuracy. (One convolution's multiply-adds
is lab 06's exercise; here the count runs over a whole model.)

Models cannot cross the wire as inputs, so ``model_macs`` receives a model as its JSON text
(``model.to_json()``); the lab's ``@lab08.takes_model`` decorator rebuilds it before the
learner's code runs. Géron's CNN is judged by its description (layers, shapes, weights,
activations, dropout rates) and, in the hidden cases, by what it computes with weights drawn
here (``set_weights`` then a call). The training exercise is not trained here: the reference
returns a stand-in whose ``predict`` gives the true labels of the test images, one-hot; the
learner's trained model must agree on 90 % of them.
"""

import hashlib

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake
from helpers.labs.specs import _common

CELL_TIMEOUT = 300  # the training cell: the synthetic check, then about 60 s on Fashion-MNIST
TIMEOUT = 900
CALL_SECONDS = 120  # one training run on 1,000 synthetic images (about 10 s on 2 CPU cores)

# ----------------------------------------------------------------------------- references


def class_counts(y, num_classes=10):
    y = np.asarray(y)
    if y.size and y.dtype.kind not in "iu":
        raise ValueError("labels must be integers")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError("labels must be in 0 … num_classes - 1")
    return np.bincount(y.astype(np.int64), minlength=num_classes)


def _model(model):
    if isinstance(model, str):
        from helpers.models import from_json  # knows the course's own layers

        return from_json(model)
    return model


def _macs_per_layer(model):
    out = {}
    for layer in _model(model).layers:
        kind = type(layer).__name__
        if kind == "Conv2D":
            kh, kw = layer.kernel_size
            _, h, w, c_out = layer.output.shape
            c_in = int(layer.input.shape[-1])
            out[layer.name] = (kind, _common.conv_macs(int(h), int(w), kh, kw, c_in, int(c_out)))
        elif kind == "Dense":
            out[layer.name] = (kind, int(layer.input.shape[-1]) * int(layer.units))
    return out


def model_macs(model):
    return sum(v for _, v in _macs_per_layer(model).values())


def build_geron_cnn(input_shape=(28, 28, 1), num_classes=10):
    from helpers import models

    return models.geron_fashion_cnn(tuple(input_shape), num_classes)


def most_confused_pair(cm):
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError("a square matrix")
    off = cm.astype(np.float64)
    np.fill_diagonal(off, -np.inf)
    i, j = np.unravel_index(int(off.argmax()), off.shape)
    return int(i), int(j)


def overfitting_gap(train_acc, val_acc):
    train = np.asarray(train_acc, dtype=np.float64)
    val = np.asarray(val_acc, dtype=np.float64)
    if train.ndim != 1 or train.shape != val.shape or train.size == 0:
        raise ValueError("two non-empty sequences of the same length")
    if not (((train >= 0) & (train <= 1)).all() and ((val >= 0) & (val <= 1)).all()):
        raise ValueError("accuracies within [0, 1]")
    return float(train[-1] - val[-1]), int(np.argmax(val)) + 1


_TEST_LABELS: dict[str, np.ndarray] = {}  # digest of a synthetic test set: its true labels


def _digest(x) -> str:
    return hashlib.sha256(np.ascontiguousarray(x, dtype=np.float32).tobytes()).hexdigest()


class TrueLabels:
    """The grader's stand-in for a trained model: ``predict`` gives the true labels, one-hot."""

    def predict(self, x, **kwargs):
        return np.eye(10, dtype=np.float32)[_TEST_LABELS[_digest(x)]]


def train_small_cnn(x_train, y_train):
    return TrueLabels()


# ----------------------------------------------------------------------------- mistakes


def _present_classes_only(y, num_classes=10):
    class_counts(y, num_classes)
    return np.unique(np.asarray(y), return_counts=True)[1]


def _convs_only(model):
    return sum(v for kind, v in _macs_per_layer(model).values() if kind == "Conv2D")


def _param_count(model):
    return int(_model(model).count_params())


def _gap_sign(train_acc, val_acc):
    gap, best = overfitting_gap(train_acc, val_acc)
    return -gap, best


def _zero_based(train_acc, val_acc):
    gap, best = overfitting_gap(train_acc, val_acc)
    return gap, best - 1


def _best_accuracies(train_acc, val_acc):
    _, best = overfitting_gap(train_acc, val_acc)
    return float(max(train_acc) - max(val_acc)), best


# ----------------------------------------------------------------------------- class_counts

_LABEL_RANGE_HINT = "a label outside 0 … num_classes − 1 is not a class: raise ValueError."
_FLOAT_LABELS_HINT = "labels are whole numbers: refuse a float array with ValueError."


def _counts_hidden(rng):
    cases = []
    for dtype in ("uint8", "int32", "int64"):
        k = int(rng.integers(2, 16))
        present = rng.choice(k, size=int(rng.integers(1, k)), replace=False)  # some absent
        y = rng.choice(present, size=int(rng.integers(1, 60))).astype(dtype)
        cases.append(Case((y,), {"num_classes": k}, group="values"))
    y = rng.integers(0, 10, size=int(rng.integers(20, 200))).astype(np.int64)
    y[y == int(rng.integers(0, 10))] = 9 - int(rng.integers(0, 3))  # one class absent, maybe
    cases.append(Case((y,), group="values", hint="the default is num_classes=10."))
    k = int(rng.integers(2, 8))
    cases.append(Case((np.repeat(np.arange(k), int(rng.integers(1, 5))),), {"num_classes": k},
                      group="values"))  # fmt: skip
    cases.append(Case((np.array([], dtype=np.int64),), {"num_classes": int(rng.integers(1, 6))},
                      group="values", hint="no labels: every class counts 0."))  # fmt: skip
    k = int(rng.integers(2, 10))
    cases += [Case((np.array([0, k, 1]),), {"num_classes": k}, group="errors",
                   hint=_LABEL_RANGE_HINT),
              Case((np.array([1, -int(rng.integers(1, 5))]),), group="errors",
                   hint=_LABEL_RANGE_HINT),
              Case((rng.integers(0, 5, size=4).astype(np.float64),), group="errors",
                   hint=_FLOAT_LABELS_HINT)]  # fmt: skip
    return cases


# ----------------------------------------------------------------------------- model_macs


def _json_case(model, label, group="models"):
    return Case((model.to_json(),), group=group, label=f"model_macs({label})")


def _odd_model():
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input((30, 20, 3)),
        layers.Conv2D(8, (3, 5), strides=2, name="c1"),  # valid padding, stride 2
        layers.BatchNormalization(name="bn"),
        layers.MaxPooling2D(2, name="pool"),
        layers.Conv2D(16, 1, name="c2"),
        layers.GlobalAveragePooling2D(name="gap"),
        layers.Dense(5, name="out"),
    ], name="odd_shapes")  # fmt: skip


def _public_macs_cases():
    from helpers import models

    return [_json_case(models.geron_fashion_cnn(), "helpers.models.geron_fashion_cnn()"),
            _json_case(models.fast_fashion_cnn(), "helpers.models.fast_fashion_cnn()"),
            _json_case(models.lenet5(), "helpers.models.lenet5()"),
            _json_case(_odd_model(), "a model with a 3×5 stride-2 convolution, batch norm, "
                       "pooling, a 1×1 convolution and global average pooling")]  # fmt: skip


def _random_model(rng):
    """A random small CNN (Conv2D with odd kernels, strides and paddings, and cheap layers)."""
    import keras
    from keras import layers

    h, w, c = int(rng.integers(12, 41)), int(rng.integers(12, 41)), int(rng.integers(1, 4))
    stack, parts = [keras.Input((h, w, c))], [f"Input(({h}, {w}, {c}))"]
    for _ in range(int(rng.integers(1, 4))):
        kh, kw = int(rng.integers(1, min(h, 6) + 1)), int(rng.integers(1, min(w, 6) + 1))
        s = int(rng.choice([1, 1, 2]))
        pad = str(rng.choice(["valid", "same"]))
        filters = int(rng.integers(2, 33))
        stack.append(layers.Conv2D(filters, (kh, kw), strides=s, padding=pad,
                                   activation=str(rng.choice(["relu", "linear"]))))  # fmt: skip
        parts.append(f"Conv2D({filters}, ({kh}, {kw}), strides={s}, padding='{pad}')")
        if pad == "valid":
            h, w = (h - kh) // s + 1, (w - kw) // s + 1
        else:
            h, w = -(-h // s), -(-w // s)
        extra = str(rng.choice(["none", "bn", "pool", "dropout"]))
        if extra == "bn":
            stack.append(layers.BatchNormalization())
            parts.append("BatchNormalization()")
        elif extra == "pool" and min(h, w) >= 4:
            pool = layers.MaxPooling2D if rng.random() < 0.5 else layers.AveragePooling2D
            stack.append(pool(2))
            parts.append(f"{pool.__name__}(2)")
            h, w = h // 2, w // 2
        elif extra == "dropout":
            stack.append(layers.Dropout(0.25))
            parts.append("Dropout(0.25)")
        if min(h, w) < 3:
            break
    if rng.random() < 0.5:
        stack.append(layers.Flatten())
        parts.append("Flatten()")
    else:
        stack.append(layers.GlobalAveragePooling2D())
        parts.append("GlobalAveragePooling2D()")
    for units in (int(rng.integers(4, 65)), int(rng.integers(2, 11))):
        stack.append(layers.Dense(units))
        parts.append(f"Dense({units})")
    return keras.Sequential(stack), " → ".join(parts)


def _macs_hidden(rng):
    import keras
    from keras import layers

    cases = [_json_case(*_random_model(rng)) for _ in range(3)]
    fixed = keras.Sequential([
        keras.Input((40, 30, 2)),
        layers.Conv2D(12, (5, 3), strides=(2, 1)),  # valid: 18 × 28 × 12
        layers.BatchNormalization(),
        layers.Conv2D(6, 3, padding="same"),
        layers.AveragePooling2D(2),
        layers.Flatten(),
        layers.Dense(20),
        layers.Dropout(0.2),
        layers.Dense(3),
    ])  # fmt: skip
    cases.append(_json_case(fixed, "a model with a 5×3 convolution of strides (2, 1)"))
    n_in, hidden = int(rng.integers(3, 30)), int(rng.integers(2, 20))
    dense = keras.Sequential([keras.Input((n_in,)), layers.Dense(hidden), layers.Dense(2)])
    cases.append(_json_case(dense, f"Input(({n_in},)) → Dense({hidden}) → Dense(2), no "
                            "convolution"))  # fmt: skip
    return cases


# ----------------------------------------------------------------------------- build_geron_cnn


def _weights_for(shape, num_classes, rng):
    """He-scaled random weights for Géron's CNN on ``shape`` (the probe sets them)."""
    ref = build_geron_cnn(shape, num_classes)
    weights = []
    for w in ref.get_weights():
        if w.ndim == 1:
            weights.append((rng.normal(size=w.shape) * 0.05).astype(np.float32))
        else:
            fan_in = int(np.prod(w.shape[:-1]))
            weights.append((rng.normal(size=w.shape) * np.sqrt(2.0 / fan_in)).astype(np.float32))
    return weights


def _geron_cases(rng, shape, num_classes, group, defaults=False):
    """The model itself (its table), then the same with weights set and a forward pass."""
    args = () if defaults else (shape, num_classes)
    x = rng.uniform(0, 1, size=(2, *shape)).astype(np.float32)
    probes = [{"method": "set_weights", "args": [_weights_for(shape, num_classes, rng)]},
              {"method": "__call__", "args": [x], "kwargs": {"training": False}}]  # fmt: skip
    what = "build_geron_cnn()" if defaults else f"build_geron_cnn({shape}, {num_classes})"
    return [Case(args, group=group),
            Case(args, group=group, then=probes,
                 label=f"{what}, given random weights and called on 2 images",
                 hint="with the same weights your model must compute what Géron's does: "
                      "ReLU in every Conv2D and hidden Dense layer, max (not average) "
                      "pooling.")]  # fmt: skip


def _geron_hidden(rng):
    cases = _geron_cases(rng, (28, 28, 1), 10, "defaults", defaults=True)
    for _ in range(2):
        shape = (int(rng.integers(8, 41)), int(rng.integers(8, 41)), int(rng.integers(2, 5)))
        classes = int(rng.choice([2, 3, 4, 5, 6, 7, 8, 9, 11, 12]))  # not the defaults
        cases += _geron_cases(rng, shape, classes, "shapes")
    return cases


# ----------------------------------------------------------------------------- most_confused_pair

_PAIR_HINT = ("ignore the diagonal (those are correct), find the largest remaining cell; its row "
              "is the true class and its column the predicted one; on a tie, the first in "
              "row-major order.")  # fmt: skip


def _pair_hidden(rng):
    cases = []
    for _ in range(4):
        n = int(rng.integers(2, 11))
        cm = rng.integers(0, 30, size=(n, n))
        cm[np.diag_indices(n)] = rng.integers(50, 500, size=n)
        cases.append(Case((cm.astype(str(rng.choice(["int32", "int64"]))),), group="values"))
    n = int(rng.integers(3, 8))  # a poor classifier: an off-diagonal cell beats the diagonal
    cm = rng.integers(0, 10, size=(n, n))
    i, j = rng.choice(n, size=2, replace=False)
    cm[i, j] = 90
    cases.append(Case((cm.astype(np.int64),), group="values"))
    n = int(rng.integers(3, 8))  # a tie: the first cell in row-major order
    cm = np.eye(n, dtype=np.int64) * 40
    cells = [(r, c) for r in range(n) for c in range(n) if r != c]
    picked = rng.choice(len(cells), size=2, replace=False)
    for p in picked:
        cm[cells[int(p)]] = 7
    cases.append(Case((cm,), group="values", hint="on a tie, return the first such cell in "
                      "row-major order (row 0 left to right, then row 1 …)."))  # fmt: skip
    cases.append(Case((np.array([[0, 0, 0], [0, 0, 0], [5, 0, 0]], dtype=np.int32),),
                      group="values"))  # fmt: skip
    n = int(rng.integers(2, 6))
    cases += [Case((np.zeros((n, n + 1), dtype=np.int64),), group="errors",
                   hint="a confusion matrix is square: raise ValueError."),
              Case((np.zeros(n * n, dtype=np.int64),), group="errors",
                   hint="a 1-D array is not a matrix: raise ValueError.")]  # fmt: skip
    return cases


# ----------------------------------------------------------------------------- overfitting_gap

_GAP_ERRORS_HINT = ("equal, non-empty lengths and accuracies within [0, 1]; otherwise raise "
                    "ValueError.")  # fmt: skip


def _curves(rng, n):
    train = np.clip(
        np.sort(rng.uniform(0.5, 0.97, size=n)) + rng.normal(0, 0.02, size=n), 0, 1
    ).round(4)
    val = np.clip(train - rng.normal(0.0, 0.05, size=n), 0, 1).round(4)
    return [float(v) for v in train], [float(v) for v in val]


def _gap_hidden(rng):
    cases = []
    for n in (int(rng.integers(3, 8)), int(rng.integers(8, 30))):
        cases.append(Case(_curves(rng, n), group="values"))
    train, val = _curves(rng, int(rng.integers(4, 12)))
    val[int(rng.integers(0, len(val) - 1))] = val[-1] = 1.0  # a tie: the first one counts
    cases.append(
        Case(
            (train, val),
            group="values",
            hint="on a tie, the first epoch with the best validation accuracy.",
        )
    )
    train, val = _curves(rng, int(rng.integers(3, 10)))
    cases.append(Case((np.array(train), np.array(val)), group="values",
                      hint="NumPy arrays work like lists here."))  # fmt: skip
    val_better = round(float(rng.uniform(0.6, 0.9)), 3)
    cases.append(Case(([val_better - 0.05], [val_better]), group="values",
                      hint="the gap is negative when validation does better."))  # fmt: skip
    n = int(rng.integers(2, 6))
    train, val = _curves(rng, n)
    cases += [Case((train, val[:-1]), group="errors", hint=_GAP_ERRORS_HINT),
              Case(([], []), group="errors", hint=_GAP_ERRORS_HINT),
              Case((train[:-1] + [1.0 + float(rng.uniform(0.01, 1))], val), group="errors",
                   hint=_GAP_ERRORS_HINT),
              Case((train, val[:-1] + [-float(rng.uniform(0.01, 1))]), group="errors",
                   hint=_GAP_ERRORS_HINT)]  # fmt: skip
    return cases


# ----------------------------------------------------------------------------- train_small_cnn


def _synthetic_task(rng, n_train, n_test):
    """Ten classes, each a random 7×7 blob pattern scaled to 28×28, with noise and ±1 shifts."""
    templates = rng.uniform(0, 1, size=(10, 7, 7)).repeat(4, axis=1).repeat(4, axis=2)

    def draw(n):
        y = rng.integers(0, 10, size=n)
        x = 0.7 * templates[y] + 0.3 * rng.uniform(0, 1, size=(n, 28, 28))
        shifts = rng.integers(-1, 2, size=(n, 2))
        x = np.stack([np.roll(img, tuple(int(v) for v in s), axis=(0, 1))
                      for img, s in zip(x, shifts, strict=True)])  # fmt: skip
        return x[..., None].astype(np.float32), y.astype(np.int64)

    (x, y), (x_test, y_test) = draw(n_train), draw(n_test)
    _TEST_LABELS[_digest(x_test)] = y_test
    return Case((x, y), then=[{"method": "predict", "args": [x_test], "kwargs": {"verbose": 0}}],
                label=f"train_small_cnn(synthetic 10-class images: {n_train} to train on, "
                      f"{n_test} to test)")  # fmt: skip


EXERCISES = [
    Exercise(
        "class_counts",
        points=2,
        reference=class_counts,
        judge=judge.Array(atol=0, kinds="iu"),
        public=[
            Case((np.array([0, 1, 1, 3, 9, 9, 9], dtype=np.uint8),)),
            Case((np.array([2, 2, 0], dtype=np.int64),), {"num_classes": 4}),
            Case((np.repeat(np.arange(10), 6),)),
            Case((np.array([], dtype=np.int64),), {"num_classes": 3}),
            Case(
                (np.array([0, 10, 3]),),
                group="errors",
                hint="label 10 is not a class of 0 … 9: raise ValueError.",
            ),
            Case(
                (np.array([0, -1]),),
                group="errors",
                hint="a negative label is not a class: raise ValueError.",
            ),
            Case((np.array([0.5, 1.0]),), group="errors", hint=_FLOAT_LABELS_HINT),
        ],
        hidden=_counts_hidden,
        groups={"values": 1, "errors": 1},
        mistakes=[
            Mistake(
                _present_classes_only,
                "you counted only the classes that occur; absent classes need a 0.",
                "np.bincount's minlength argument counts every class, present or not.",
            )
        ],
        hint="count[c] = number of labels equal to c, for c = 0 … num_classes − 1; integer "
        "labels only.",
    ),  # fmt: skip
    Exercise(
        "model_macs",
        points=2,
        reference=model_macs,
        judge=judge.Int(),
        public=_public_macs_cases(),
        hidden=_macs_hidden,
        groups={"models": 2},
        mistakes=[
            Mistake(
                _convs_only,
                "you counted the convolutions only; each Dense layer adds n_in · n_out.",
                "add input units × output units for every Dense layer.",
            ),
            Mistake(
                _param_count,
                "that is the number of weights, not the multiply-adds.",
                "a Conv2D weight is used once per output position, not once per image.",
            ),
        ],
        hint="add up the Conv2D layers (exercise 2, with the sizes from layer.output.shape, "
        "layer.input.shape and layer.kernel_size) and one multiply-add per weight of "
        "each Dense layer (no biases); other layers count 0. Keep the "
        "@lab08.takes_model line above the def: the checks hand models through it.",
    ),  # fmt: skip
    Exercise(
        "build_geron_cnn",
        points=3,
        reference=build_geron_cnn,
        judge=judge.Custom("lab08.geron_model", params={"atol": 1e-4}),
        public=[Case(((28, 28, 1), 10), group="defaults"), Case(((32, 32, 3), 4), group="shapes")],
        hidden=_geron_hidden,
        groups={"defaults": 1, "shapes": 2},
        hint="follow the exercise's table layer by layer (padding, activations, pooling, "
        "dropout, output); the printed tables show the first layer that differs.",
    ),  # fmt: skip
    Exercise(
        "most_confused_pair",
        points=2,
        reference=most_confused_pair,
        judge=judge.Custom("lab08.confused_pair"),
        public=[
            Case((np.array(rows, dtype=np.int64),))
            for rows in [
                [[50, 3, 0], [1, 40, 9], [0, 4, 60]],
                [[90, 0], [7, 5]],
                [[5, 8, 1], [2, 99, 0], [8, 0, 70]],  # tie 8/8: the first in row order
                [[10, 0, 0, 0], [0, 10, 0, 3], [0, 0, 10, 0], [0, 4, 0, 10]],
            ]
        ]
        + [
            Case(
                (np.zeros((2, 3), dtype=np.int64),),
                group="errors",
                hint="a confusion matrix is square: raise ValueError for a 2×3 array.",
            ),
            Case(
                (np.zeros(4, dtype=np.int64),),
                group="errors",
                hint="a 1-D array is not a matrix: raise ValueError.",
            ),
        ],
        hidden=_pair_hidden,
        groups={"values": 1, "errors": 1},
        hint=_PAIR_HINT,
    ),  # fmt: skip
    Exercise(
        "overfitting_gap",
        points=2,
        reference=overfitting_gap,
        judge=judge.Seq(
            [judge.Float(rel=1e-9, abs=1e-12), judge.Int()], names=["gap", "best_epoch"]
        ),
        public=[
            Case(([0.80, 0.88, 0.92, 0.95], [0.84, 0.89, 0.90, 0.90])),
            Case(([0.7, 0.9], [0.75, 0.8])),
            Case((np.array([0.5]), np.array([0.6]))),
            Case(([0.6, 0.8, 0.9, 0.97, 0.99], [0.7, 0.86, 0.88, 0.87, 0.85])),
        ]
        + [
            Case(bad, group="errors", hint=_GAP_ERRORS_HINT)
            for bad in [([0.5, 0.6], [0.5]), ([], []), ([0.5, 1.2], [0.5, 0.6]), ([0.5], [-0.1])]
        ],
        hidden=_gap_hidden,
        groups={"values": 1, "errors": 1},
        mistakes=[
            Mistake(
                _gap_sign,
                "the gap has the wrong sign: train minus validation.",
                "train accuracy minus validation accuracy at the last epoch; positive "
                "when the model overfits.",
            ),
            Mistake(
                _zero_based,
                "the best epoch is off by one: epochs are numbered from 1 as Keras prints them.",
                "add 1 to the index of the best validation accuracy.",
            ),
            Mistake(
                _best_accuracies,
                "you compared the best accuracies; the gap is the one at the LAST epoch.",
                "train minus validation accuracy, both at the last epoch.",
            ),
        ],
        hint="the gap at the LAST epoch (train minus validation); epochs count from 1, list "
        "indices from 0 (on a tie, the first best epoch).",
    ),  # fmt: skip
    Exercise(
        "train_small_cnn",
        points=3,
        reference=train_small_cnn,
        judge=judge.Custom("lab08.trained_model", params={"threshold": 0.9}),
        public=[_synthetic_task(np.random.default_rng(808), 400, 100)],
        hidden=lambda rng: [_synthetic_task(rng, 1_000, 400)],
        hint="return the trained Keras model (after model.fit); a small CNN of chapter 06's "
        "kind is enough; check that labels and images match and that it trained long "
        "enough.",
    ),  # fmt: skip
]
