"""Lab 16 (transfer learning): trainable weights after unfreezing, Keras 2's decay as a schedule,
a stratified train/valid/test split of a file list, a transfer head on a given frozen base.

The first three are plain Python/NumPy, judged on hidden architectures, schedules and file
lists drawn per submission. The model is judged by its description (layers, trainable weights,
dropout rate: ``helpers/labs/custom/lab16.py``), then by what it computes once weights drawn
here are set into it.
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

# ----------------------------------------------------------------------------- references

KINDS = ("conv", "dense", "bn", "pool", "act")


def count_trainable(layers, n_top, keep_bn_frozen=True):
    if isinstance(n_top, bool) or not isinstance(n_top, int) or not 0 <= n_top <= len(layers):
        raise ValueError("n_top must be a whole number from 0 to the number of layers")
    trainable = total = 0
    for i, (kind, params) in enumerate(layers):
        if kind not in KINDS:
            raise ValueError(f"unknown layer kind {kind!r}")
        total += params
        if i < len(layers) - n_top:
            continue
        if kind == "bn":
            trainable += 0 if keep_bn_frozen else params // 2
        else:
            trainable += params
    return (trainable, total - trainable)


def epoch_start_lrs(lr, decay, steps_per_epoch, epochs):
    if not lr > 0 or not decay >= 0:
        raise ValueError("lr must be positive and decay >= 0")
    for v in (steps_per_epoch, epochs):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError("steps_per_epoch and epochs must be positive whole numbers")
    steps = np.arange(epochs, dtype=np.float64) * steps_per_epoch
    return lr / (1.0 + decay * steps)


def split_files(files, val_frac, test_frac, seed=0):
    if not (0 < val_frac < 1 and 0 < test_frac < 1 and val_frac + test_frac < 1):
        raise ValueError("fractions must be in (0, 1) and add up to less than 1")
    by_class = {}
    for f in files:
        by_class.setdefault(f.split("/")[-2], []).append(f)
    rng = np.random.default_rng(seed)
    train, valid, test = [], [], []
    for name in sorted(by_class):
        group = sorted(by_class[name])
        n = len(group)
        n_test, n_val = round(n * test_frac), round(n * val_frac)
        if n_test < 1 or n_val < 1 or n - n_test - n_val < 1:
            raise ValueError(f"class {name!r} has too few files ({n}) for this split")
        order = rng.permutation(n)
        group = [group[i] for i in order]
        test += group[:n_test]
        valid += group[n_test : n_test + n_val]
        train += group[n_test + n_val :]
    return (train, valid, test)


def make_base(input_shape):
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(input_shape),
            layers.Conv2D(8, 3, name="conv1"),
            layers.BatchNormalization(name="bn1"),
            layers.ReLU(name="relu1"),
            layers.MaxPooling2D(name="pool1"),
            layers.Conv2D(16, 3, activation="relu", name="conv2"),
        ],
        name="base",
    )


def transfer_model(input_shape, num_classes, dropout=0.2):
    import keras
    from keras import layers

    base = make_base(input_shape)
    base.trainable = False
    inputs = keras.Input(input_shape)
    x = base(inputs, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


# ----------------------------------------------------------------------------- mistakes


def _bn_counted_whole(layers, n_top, keep_bn_frozen=True):
    t, nt = count_trainable(layers, n_top, keep_bn_frozen)
    extra = sum(p // 2 for k, p in layers[len(layers) - n_top :] if k == "bn")
    return (t + extra, nt - extra) if not keep_bn_frozen else (t, nt)


def _bottom_n(layers, n_top, keep_bn_frozen=True):
    count_trainable(layers, n_top, keep_bn_frozen)
    flipped = list(reversed(layers))
    return count_trainable(flipped, n_top, keep_bn_frozen)


def _per_epoch(lr, decay, steps_per_epoch, epochs):
    return epoch_start_lrs(lr, decay, 1, epochs)


def _linear(lr, decay, steps_per_epoch, epochs):
    epoch_start_lrs(lr, decay, steps_per_epoch, epochs)
    return lr * (1.0 - decay * np.arange(epochs, dtype=np.float64) * steps_per_epoch)


def _exponential(lr, decay, steps_per_epoch, epochs):
    epoch_start_lrs(lr, decay, steps_per_epoch, epochs)
    return lr * (1.0 - decay) ** (np.arange(epochs, dtype=np.float64) * steps_per_epoch)


def _end_of_epoch(lr, decay, steps_per_epoch, epochs):
    epoch_start_lrs(lr, decay, steps_per_epoch, epochs)
    return lr / (1.0 + decay * (np.arange(epochs, dtype=np.float64) + 1) * steps_per_epoch)


# ----------------------------------------------------------------------------- cases

_COUNT_HINT = (
    "walk over the last n_top layers: they train (a BatchNormalization layer only its "
    "scale and offset, half its weights, and not at all when kept frozen); every "
    "other weight is non-trainable."
)
_COUNT_ERRORS = "n_top must be a whole number from 0 to len(layers): raise ValueError otherwise."


def _conv(rng, c_in, c_out, k=3, bias=True):
    return ("conv", k * k * c_in * c_out + (c_out if bias else 0))


def _architecture(rng, blocks=None):
    """A random CNN description: conv-BN-act blocks with pooling, then GAP-like pool + dense."""
    layers, c = [], int(rng.choice([1, 3]))
    for _ in range(blocks or int(rng.integers(2, 5))):
        width = int(rng.choice([8, 16, 32, 64]))
        layers += [
            _conv(rng, c, width, int(rng.choice([1, 3, 5])), bias=False),
            ("bn", 4 * width),
            ("act", 0),
        ]
        if rng.random() < 0.6:
            layers.append(("pool", 0))
        c = width
    layers += [("pool", 0), ("dense", (c + 1) * int(rng.integers(2, 11)))]
    return layers


_DEMO = [
    ("conv", 432),
    ("bn", 64),
    ("act", 0),
    ("pool", 0),
    ("conv", 4640),
    ("bn", 128),
    ("act", 0),
]


def _count_hidden(rng):
    cases = []
    for _ in range(6):
        arch = _architecture(rng)
        n = int(rng.integers(0, len(arch) + 1))
        kwargs = {} if rng.random() < 0.4 else {"keep_bn_frozen": bool(rng.random() < 0.5)}
        cases.append(Case((arch, n), kwargs, group="counts"))
    arch = _architecture(rng, 3)
    cases += [
        Case((arch, len(arch)), {"keep_bn_frozen": False}, group="counts"),
        Case((arch, 0), group="counts"),
        Case((arch, len(arch) + int(rng.integers(1, 4))), group="errors", hint=_COUNT_ERRORS),
        Case((arch, -int(rng.integers(1, 4))), group="errors", hint=_COUNT_ERRORS),
    ]
    return cases


_LR_HINT = (
    "Keras 2's decay counts batches (inverse-time decay, one step per batch); count the "
    "steps of the epochs before e."
)
_LR_ERRORS = (
    "lr must be positive, decay >= 0, steps_per_epoch and epochs positive whole "
    "numbers: raise ValueError otherwise."
)


def _lr_hidden(rng):
    cases = []
    for _ in range(6):
        lr = float(rng.choice([0.2, 0.1, 0.05, 0.01, 0.001])) * float(rng.uniform(0.5, 2))
        decay = float(rng.choice([0.01, 0.001, 1e-4])) * float(rng.uniform(0.5, 2))
        cases.append(
            Case((lr, decay, int(rng.integers(5, 300)), int(rng.integers(2, 50))), group="rates")
        )
    cases += [
        Case((float(rng.uniform(0.01, 1)), 0.0, int(rng.integers(1, 50)), 3), group="rates"),
        Case((0.0, 0.01, 10, 5), group="errors", hint=_LR_ERRORS),
        Case((0.1, -float(rng.uniform(0.001, 0.1)), 10, 5), group="errors", hint=_LR_ERRORS),
        Case((0.1, 0.01, 0, int(rng.integers(1, 9))), group="errors", hint=_LR_ERRORS),
    ]
    return cases


_SPLIT_HINT = (
    "group the files by class (the folder name before the file name), shuffle each "
    "class with a generator seeded by seed, then take the rounded test share, the "
    "rounded validation share and the rest for training."
)
_SPLIT_ERRORS = (
    "raise ValueError for fractions outside (0, 1), fractions adding up to 1 or more, "
    "and a class too small to give every split at least one file."
)


def _file_list(rng, n_classes, low, high, ext="jpg"):
    names = ["beach", "city", "daisy", "forest", "mountain", "roses", "tulips", "desert"]
    chosen = sorted(rng.choice(names, size=n_classes, replace=False).tolist())
    files = []
    for c in chosen:
        n = int(rng.integers(low, high + 1))
        files += [f"photos/{c}/img_{int(i):04d}.{ext}" for i in rng.permutation(10 * n)[:n]]
    order = rng.permutation(len(files))
    return [files[i] for i in order]


def _split_hidden(rng):
    cases = []
    for _ in range(5):
        files = _file_list(rng, int(rng.integers(2, 6)), 12, 120)
        val, test = float(rng.choice([0.1, 0.15, 0.2])), float(rng.choice([0.1, 0.15, 0.2]))
        cases.append(
            Case((files, val, test), {"seed": int(rng.integers(0, 10_000))}, group="splits")
        )
    unbalanced = _file_list(rng, 2, 10, 12) + _file_list(rng, 1, 150, 200)
    cases.append(Case((unbalanced, 0.15, 0.1), {"seed": int(rng.integers(0, 99))}, group="splits"))
    small = _file_list(rng, 2, 3, 4)
    cases += [
        Case((small, 0.1, 0.1), group="errors", hint=_SPLIT_ERRORS),
        Case((_file_list(rng, 2, 20, 30), 0.5, 0.5), group="errors", hint=_SPLIT_ERRORS),
        Case((_file_list(rng, 3, 20, 30), 0.0, 0.2), group="errors", hint=_SPLIT_ERRORS),
    ]
    return cases


_SPLIT_PUBLIC_RNG = np.random.default_rng(1616)
_SPLIT_PUBLIC_FILES = _file_list(_SPLIT_PUBLIC_RNG, 3, 20, 40)


def _split_public():
    unbalanced = _file_list(np.random.default_rng(5), 1, 10, 10) + _file_list(
        np.random.default_rng(6), 1, 60, 60
    )
    return [
        Case((_SPLIT_PUBLIC_FILES, 0.15, 0.1), {"seed": 16}),
        Case((_SPLIT_PUBLIC_FILES, 0.2, 0.2), {"seed": 3}),
        Case((unbalanced, 0.15, 0.1), {"seed": 0}),
        Case((_file_list(np.random.default_rng(7), 2, 3, 3), 0.1, 0.1), hint=_SPLIT_ERRORS),
        Case((_SPLIT_PUBLIC_FILES, 0.6, 0.4), hint=_SPLIT_ERRORS),
        Case((_SPLIT_PUBLIC_FILES, 0.15, 0.0), hint=_SPLIT_ERRORS),
    ]


# The model exercise: weights drawn per case, in the order of the model's get_weights().


def model_weights(rng, input_shape, num_classes):
    c = input_shape[2]
    return [
        rng.normal(0, 0.3, (3, 3, c, 8)).astype(np.float32),
        rng.normal(0, 0.1, 8).astype(np.float32),
        rng.uniform(0.5, 1.5, 8).astype(np.float32),  # BN scale
        rng.normal(0, 0.1, 8).astype(np.float32),  # BN offset
        rng.normal(0, 0.2, 8).astype(np.float32),  # moving mean
        rng.uniform(0.5, 2.0, 8).astype(np.float32),  # moving variance
        rng.normal(0, 0.2, (3, 3, 8, 16)).astype(np.float32),
        rng.normal(0, 0.1, 16).astype(np.float32),
        rng.normal(0, 0.5, (16, num_classes)).astype(np.float32),
        rng.normal(0, 0.1, num_classes).astype(np.float32),
    ]


def _model_cases(rng, input_shape, num_classes, dropout, images=3):
    args = (tuple(input_shape), int(num_classes))
    kwargs = {} if dropout is None else {"dropout": float(dropout)}
    x = rng.uniform(0, 1, size=(images, *input_shape)).astype(np.float32)
    probes = [
        {"method": "set_weights", "args": [model_weights(rng, input_shape, num_classes)]},
        {"method": "__call__", "args": [x]},
    ]
    return [
        Case(args, kwargs, group="layers"),
        Case(
            args,
            kwargs,
            group="outputs",
            then=probes,
            label=f"transfer_model{args} with weights set, on random images",
        ),
    ]


def _model_public():
    rng = np.random.default_rng(161)
    return [*_model_cases(rng, (32, 32, 3), 5, None), *_model_cases(rng, (20, 24, 1), 3, 0.5)]


def _model_hidden(rng):
    cases = []
    for _ in range(2):
        h, w = (int(v) for v in rng.integers(12, 41, size=2))
        cases += _model_cases(
            rng,
            (h, w, int(rng.choice([1, 3]))),
            int(rng.integers(2, 11)),
            round(float(rng.uniform(0.1, 0.6)), 2),
        )
    return cases


EXERCISES = [
    Exercise(
        "count_trainable",
        points=3,
        reference=count_trainable,
        judge=judge.Exact(),
        public=[
            Case((_DEMO, 0)),
            Case((_DEMO, 2)),
            Case((_DEMO, 3)),
            Case((_DEMO, 3), {"keep_bn_frozen": False}),
            Case((_DEMO, 5), {"keep_bn_frozen": False}),
            Case((_DEMO, 7), {"keep_bn_frozen": False}),
            Case((_DEMO, 7)),
            Case(([("conv", 896), ("pool", 0), ("dense", 330)], 1)),
            Case(([("conv", 896), ("pool", 0), ("dense", 330)], 3)),
            Case((_DEMO, 8), hint=_COUNT_ERRORS),
            Case((_DEMO, -1), hint=_COUNT_ERRORS),
        ],
        hidden=_count_hidden,
        groups={"counts": 2, "errors": 1},
        mistakes=[
            Mistake(
                _bn_counted_whole,
                "a trainable BatchNormalization layer was counted whole: its moving mean and "
                "variance (half of its weights) never train.",
                "only the scale and offset (2 of every 4 weights per channel) get gradients.",
            ),
            Mistake(
                _bottom_n,
                "you unfroze the first n_top layers; the top layers are the LAST ones "
                "(model.layers[-n_top:]).",
            ),
        ],
        hint=_COUNT_HINT,
    ),
    Exercise(
        "epoch_start_lrs",
        points=2,
        reference=epoch_start_lrs,
        judge=judge.Array(rtol=1e-9, atol=0, kinds="f"),
        public=[
            Case((0.2, 0.01, 87, 5)),
            Case((0.01, 0.001, 87, 40)),
            Case((0.1, 0.0, 10, 3)),
            Case((0.5, 0.05, 1, 4)),
            Case((0.0, 0.01, 10, 5), hint=_LR_ERRORS),
            Case((0.1, -0.01, 10, 5), hint=_LR_ERRORS),
            Case((0.1, 0.01, 0, 5), hint=_LR_ERRORS),
        ],
        hidden=_lr_hidden,
        groups={"rates": 1, "errors": 1},
        mistakes=[
            Mistake(
                _per_epoch,
                "the decay was applied once per epoch; Keras 2 applied it after every batch.",
                "the step counter counts the batches of all earlier epochs.",
            ),
            Mistake(
                _end_of_epoch,
                "these are the rates at the END of each epoch; the first epoch starts at step 0 "
                "with the full learning rate.",
            ),
            Mistake(_linear, "that is a linear decay; Keras 2's decay divides by (1 + decay * t)."),
            Mistake(
                _exponential,
                "that is an exponential decay; Keras 2's decay divides by (1 + decay * t).",
            ),
        ],
        hint=_LR_HINT,
    ),
    Exercise(
        "split_files",
        points=3,
        reference=split_files,
        judge=judge.Custom("lab16.file_split"),
        public=_split_public(),
        hidden=_split_hidden,
        groups={"splits": 2, "errors": 1},
        hint=_SPLIT_HINT,
    ),
    Exercise(
        "transfer_model",
        points=3,
        reference=transfer_model,
        judge=judge.Custom("lab16.transfer_head", {"atol": 1e-4, "rtol": 1e-4}),
        public=_model_public(),
        hidden=_model_hidden,
        groups={"layers": 2, "outputs": 1},
        hint="freeze the base and call it in inference mode; then pool, drop out and "
        "classify, as the exercise lists.",
    ),
]
