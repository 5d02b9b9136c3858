"""Lab 16 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import keras
import numpy as np
from keras import layers

from helpers.labs.spec import Mutant


def count_trainable(layers, n_top, keep_bn_frozen=True):
    if type(n_top) is not int or n_top < 0 or n_top > len(layers):
        raise ValueError("n_top out of range")
    trainable = 0
    for kind, w in layers[len(layers) - n_top :]:
        if kind != "bn":
            trainable += w
        elif not keep_bn_frozen:
            trainable += w // 2
    return trainable, sum(w for _, w in layers) - trainable


def epoch_start_lrs(lr, decay, steps_per_epoch, epochs):
    if lr <= 0 or decay < 0 or steps_per_epoch < 1 or epochs < 1:
        raise ValueError("bad arguments")
    return np.array([lr / (1 + decay * e * steps_per_epoch) for e in range(epochs)])


def split_files(files, val_frac, test_frac, seed=0):
    if min(val_frac, test_frac) <= 0 or val_frac + test_frac >= 1:
        raise ValueError("fractions")
    classes = sorted({f.split("/")[-2] for f in files})
    rng = np.random.default_rng(seed)
    train, valid, test = [], [], []
    for c in classes:
        mine = [f for f in files if f.split("/")[-2] == c]
        rng.shuffle(mine)
        n_te, n_va = round(len(mine) * test_frac), round(len(mine) * val_frac)
        if min(n_te, n_va, len(mine) - n_te - n_va) < 1:
            raise ValueError("too few")
        test += mine[:n_te]
        valid += mine[n_te : n_te + n_va]
        train += mine[n_te + n_va :]
    return train, valid, test


def make_base(input_shape):
    return keras.Sequential(
        [
            keras.Input(input_shape),
            layers.Conv2D(8, 3),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.MaxPooling2D(),
            layers.Conv2D(16, 3, activation="relu"),
        ]
    )


def _model(
    input_shape, num_classes, dropout=0.2, *, freeze=True, pool="gap", drop=True, act="softmax"
):
    base = make_base(input_shape)
    base.trainable = not freeze
    inputs = keras.Input(input_shape)
    x = base(inputs, training=False)
    x = layers.GlobalAveragePooling2D()(x) if pool == "gap" else layers.Flatten()(x)
    if drop:
        x = layers.Dropout(dropout)(x)
    return keras.Model(inputs, layers.Dense(num_classes, activation=act)(x))


def transfer_model(input_shape, num_classes, dropout=0.2):
    return _model(input_shape, num_classes, dropout)


SOLUTION = {f.__name__: f for f in (count_trainable, epoch_start_lrs, split_files, transfer_model)}


# ----------------------------------------------------------------------------- mutants


def count_bn_whole(layers, n_top, keep_bn_frozen=True):
    t, nt = count_trainable(layers, n_top, keep_bn_frozen)
    if not keep_bn_frozen:
        extra = sum(w // 2 for k, w in layers[len(layers) - n_top :] if k == "bn")
        t, nt = t + extra, nt - extra
    return t, nt


def count_first_n(layers, n_top, keep_bn_frozen=True):
    return count_trainable(layers[::-1], n_top, keep_bn_frozen)


def count_ignores_keep(layers, n_top, keep_bn_frozen=True):
    return count_trainable(layers, n_top, False)


def count_no_checks(layers, n_top, keep_bn_frozen=True):
    return count_trainable(layers, min(max(n_top, 0), len(layers)), keep_bn_frozen)


def count_as_list(layers, n_top, keep_bn_frozen=True):
    return list(count_trainable(layers, n_top, keep_bn_frozen))


def count_off_by_one(layers, n_top, keep_bn_frozen=True):
    t, nt = count_trainable(layers, n_top, keep_bn_frozen)
    if 0 < n_top < len(layers):
        t2, nt2 = count_trainable(layers, n_top + 1, keep_bn_frozen)
        return t2, nt2
    return t, nt


def lrs_per_epoch(lr, decay, steps_per_epoch, epochs):
    return epoch_start_lrs(lr, decay, 1, epochs)


def lrs_end_of_epoch(lr, decay, steps_per_epoch, epochs):
    epoch_start_lrs(lr, decay, steps_per_epoch, epochs)
    return np.array([lr / (1 + decay * (e + 1) * steps_per_epoch) for e in range(epochs)])


def lrs_exponential(lr, decay, steps_per_epoch, epochs):
    epoch_start_lrs(lr, decay, steps_per_epoch, epochs)
    return np.array([lr * (1 - decay) ** (e * steps_per_epoch) for e in range(epochs)])


def lrs_float32(lr, decay, steps_per_epoch, epochs):
    return epoch_start_lrs(lr, decay, steps_per_epoch, epochs).astype(np.float32)


def split_not_stratified(files, val_frac, test_frac, seed=0):
    split_files(files, val_frac, test_frac, seed)
    mine = list(files)
    np.random.default_rng(seed).shuffle(mine)
    n_te, n_va = round(len(mine) * test_frac), round(len(mine) * val_frac)
    return mine[n_te + n_va :], mine[n_te : n_te + n_va], mine[:n_te]


def split_not_shuffled(files, val_frac, test_frac, seed=0):
    split_files(files, val_frac, test_frac, seed)
    classes = sorted({f.split("/")[-2] for f in files})
    train, valid, test = [], [], []
    for c in classes:
        mine = sorted(f for f in files if f.split("/")[-2] == c)
        n_te, n_va = round(len(mine) * test_frac), round(len(mine) * val_frac)
        test += mine[:n_te]
        valid += mine[n_te : n_te + n_va]
        train += mine[n_te + n_va :]
    return train, valid, test


def split_overlapping(files, val_frac, test_frac, seed=0):
    train, valid, test = split_files(files, val_frac, test_frac, seed)
    return train + test, valid, test  # the test files are also trained on


def split_floor(files, val_frac, test_frac, seed=0):
    split_files(files, val_frac, test_frac, seed)
    classes = sorted({f.split("/")[-2] for f in files})
    rng = np.random.default_rng(seed)
    train, valid, test = [], [], []
    for c in classes:
        mine = [f for f in files if f.split("/")[-2] == c]
        rng.shuffle(mine)
        n_te, n_va = int(len(mine) * test_frac), int(len(mine) * val_frac)
        test += mine[:n_te]
        valid += mine[n_te : n_te + n_va]
        train += mine[n_te + n_va :]
    return train, valid, test


def split_no_errors(files, val_frac, test_frac, seed=0):
    try:
        return split_files(files, val_frac, test_frac, seed)
    except ValueError:
        return list(files), [], []


MUTANTS = [
    Mutant(
        "count_trainable",
        "BN counted whole when unfrozen",
        count_bn_whole,
        says="moving mean and variance",
    ),
    Mutant("count_trainable", "unfreezes the first layers", count_first_n, says="LAST"),
    Mutant("count_trainable", "ignores keep_bn_frozen", count_ignores_keep),
    Mutant(
        "count_trainable", "no ValueError", count_no_checks, says="instead of raising ValueError"
    ),
    Mutant("count_trainable", "returns a list", count_as_list),
    Mutant("count_trainable", "one layer too many", count_off_by_one),
    Mutant("epoch_start_lrs", "decay per epoch", lrs_per_epoch, says="once per epoch"),
    Mutant("epoch_start_lrs", "end of each epoch", lrs_end_of_epoch, says="END of each epoch"),
    Mutant("epoch_start_lrs", "exponential decay", lrs_exponential, says="exponential"),
    Mutant("epoch_start_lrs", "float32", lrs_float32),
    Mutant("split_files", "not stratified", split_not_stratified),
    Mutant("split_files", "not shuffled", split_not_shuffled, says="not shuffled"),
    Mutant("split_files", "test files also in training", split_overlapping, says="two splits"),
    Mutant("split_files", "rounds down", split_floor),
    Mutant("split_files", "no ValueError", split_no_errors, says="instead of raising ValueError"),
    Mutant(
        "transfer_model",
        "base not frozen",
        lambda s, n, dropout=0.2: _model(s, n, dropout, freeze=False),
        says="freeze the base",
    ),
    Mutant(
        "transfer_model",
        "Flatten instead of GAP",
        lambda s, n, dropout=0.2: _model(s, n, dropout, pool="flat"),
        says="flattens",
    ),
    Mutant(
        "transfer_model",
        "no dropout",
        lambda s, n, dropout=0.2: _model(s, n, dropout, drop=False),
        says="no Dropout",
    ),
    Mutant(
        "transfer_model",
        "fixed dropout rate",
        lambda s, n, dropout=0.2: _model(s, n, 0.5),
        says="dropout rate",
    ),
    Mutant(
        "transfer_model",
        "sigmoid output",
        lambda s, n, dropout=0.2: _model(s, n, dropout, act="sigmoid"),
        says="softmax",
    ),
    Mutant("transfer_model", "returns the base", lambda s, n, dropout=0.2: make_base(s)),
]
