"""Lab 09 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import keras
import numpy as np
from keras import layers

from helpers import ensemble
from helpers.labs.spec import Mutant


def overfitting_gap(history):
    h = getattr(history, "history", history)
    if "val_accuracy" not in h:
        raise ValueError("no validation accuracy")
    return h["accuracy"][-1] - h["val_accuracy"][-1]


def _rises(values):
    return sum(1 for a, b in zip(values[:-1], values[1:], strict=True) if b > a)


def remedy(history):
    h = getattr(history, "history", history)
    if any(key not in h for key in ("loss", "accuracy", "val_accuracy")) or len(h["loss"]) < 4:
        raise ValueError("need loss, accuracy and val_accuracy over at least 4 epochs")
    if _rises(h["loss"]) >= (len(h["loss"]) - 1) / 2:
        return "lower learning rate"
    if overfitting_gap(h) > 0.10:
        return "regularise"
    if h["val_accuracy"][-1] - h["val_accuracy"][-4] >= 0.01:
        return "train longer"
    return "more capacity"


def conv_params(k, c_in, c_out):  # not an exercise: the mutants' standard count
    return k * k * c_in * c_out + c_out


def separable_params(k, c_in, c_out, depth_multiplier=1):
    mid = c_in * depth_multiplier
    return k * k * mid + mid * c_out + c_out


def build_baseline_cnn(input_shape=(32, 32, 3), num_classes=10):
    """The seed's spelling: separate Activation layers."""
    return keras.Sequential(
        [
            keras.Input(input_shape),
            layers.Conv2D(32, (3, 3), padding="same"),
            layers.Activation("relu"),
            layers.Conv2D(32, (3, 3)),
            layers.Activation("relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, (3, 3), padding="same"),
            layers.Activation("relu"),
            layers.Conv2D(64, (3, 3)),
            layers.Activation("relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dense(512),
            layers.Activation("relu"),
            layers.Dense(num_classes),
            layers.Activation("softmax"),
        ]
    )


def ensemble_predict(prob_list):
    return ensemble.ensemble_predict(prob_list)


def per_class_accuracy(y_true, y_pred, n):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError("lengths differ")
    cm = np.zeros((n, n))
    np.add.at(cm, (y_true, y_pred), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return cm.diagonal() / cm.sum(axis=1)


SOLUTION = {
    f.__name__: f
    for f in (overfitting_gap, remedy, separable_params, build_baseline_cnn,
              ensemble_predict, per_class_accuracy)
}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def gap_best_epochs(history):
    h = getattr(history, "history", history)
    return max(h["accuracy"]) - max(h["val_accuracy"])


def gap_no_validation_check(history):
    h = getattr(history, "history", history)
    return h["accuracy"][-1] - h.get("val_accuracy", [0])[-1]


def gap_first_epoch(history):
    h = getattr(history, "history", history)
    if "val_accuracy" not in h:
        raise ValueError("no validation accuracy")
    return h["accuracy"][0] - h["val_accuracy"][0]


def _remedy_with(
    history,
    *,
    loss="loss",
    gap=0.10,
    trend=3,
    trend_key="val_accuracy",
    gap_first=False,
    best=False,
    loss_rule="rises",
):
    """``remedy`` with one of its readings changed (the mutants below)."""
    h = getattr(history, "history", history)
    if any(key not in h for key in ("loss", "accuracy", "val_accuracy")) or len(h["loss"]) < 4:
        raise ValueError("need loss, accuracy and val_accuracy over at least 4 epochs")
    losses = h.get(loss, h["loss"])
    unstable = (_rises(losses) >= (len(losses) - 1) / 2 if loss_rule == "rises"
                else losses[-1] > losses[0])  # fmt: skip
    if best:
        big_gap = max(h["accuracy"]) - max(h["val_accuracy"]) > gap
    else:
        big_gap = h["accuracy"][-1] - h["val_accuracy"][-1] > gap
    if gap_first and big_gap:
        return "regularise"
    if unstable:
        return "lower learning rate"
    if big_gap:
        return "regularise"
    if h[trend_key][-1] - h[trend_key][-1 - trend] >= 0.01:
        return "train longer"
    return "more capacity"


def separable_as_standard(k, c_in, c_out, depth_multiplier=1):
    return conv_params(k, c_in, c_out)


def separable_no_multiplier(k, c_in, c_out, depth_multiplier=1):
    return separable_params(k, c_in, c_out)


def separable_depthwise_bias(k, c_in, c_out, depth_multiplier=1):
    return separable_params(k, c_in, c_out, depth_multiplier) + c_in * depth_multiplier


def cnn_all_same(input_shape=(32, 32, 3), num_classes=10):
    return keras.Sequential(
        [
            keras.Input(input_shape),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(512, activation="relu"),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )


def cnn_no_softmax(input_shape=(32, 32, 3), num_classes=10):
    model = build_baseline_cnn(input_shape, num_classes)
    return keras.Sequential([keras.Input(input_shape), *model.layers[:-1]])


def cnn_fixed_classes(input_shape=(32, 32, 3), num_classes=10):
    return build_baseline_cnn(input_shape, 10)


def cnn_with_dropout(input_shape=(32, 32, 3), num_classes=10):
    model = build_baseline_cnn(input_shape, num_classes)
    return keras.Sequential(
        [keras.Input(input_shape), *model.layers[:-3], layers.Dropout(0.5), *model.layers[-3:]]
    )


def cnn_not_built(input_shape=(32, 32, 3), num_classes=10):
    return keras.Sequential([layers.Conv2D(32, 3, padding="same", activation="relu")])


def cnn_fixed_input(input_shape=(32, 32, 3), num_classes=10):
    return build_baseline_cnn((32, 32, 3), num_classes)


def cnn_relu_then_softmax(input_shape=(32, 32, 3), num_classes=10):
    """A ReLU output layer followed by a softmax Activation: the folded summary shows both."""
    model = build_baseline_cnn(input_shape, num_classes)
    return keras.Sequential(
        [
            keras.Input(input_shape),
            *model.layers[:-2],
            layers.Dense(num_classes, activation="relu"),
            layers.Activation("softmax"),
        ]
    )


def cnn_tanh(input_shape=(32, 32, 3), num_classes=10):
    return keras.Sequential(
        [
            keras.Input(input_shape),
            layers.Conv2D(32, 3, padding="same", activation="tanh"),
            layers.Conv2D(32, 3, activation="tanh"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, padding="same", activation="tanh"),
            layers.Conv2D(64, 3, activation="tanh"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(512, activation="tanh"),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )


def ensemble_first_model(prob_list):
    if not prob_list:
        raise ValueError("empty")
    return np.asarray(prob_list[0]).argmax(axis=1)


def ensemble_in_place(prob_list):
    if not prob_list:
        raise ValueError("empty")
    total = prob_list[0]
    for p in prob_list[1:]:
        total += p  # changes the first array
    return total.argmax(axis=1)


def ensemble_no_checks(prob_list):
    return np.mean(np.stack(prob_list), axis=0).argmax(axis=1) if prob_list else np.array([])


def ensemble_wrong_axis(prob_list):
    if not prob_list:
        raise ValueError("empty")
    return ensemble.average_probabilities(prob_list).argmax(axis=0)


def per_class_zeros_for_missing(y_true, y_pred, n):
    return np.nan_to_num(per_class_accuracy(y_true, y_pred, n))


def per_class_overall(y_true, y_pred, n):
    acc = np.mean(np.asarray(y_true) == np.asarray(y_pred))
    return np.full(n, acc)


def per_class_no_length_check(y_true, y_pred, n):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    m = min(len(y_true), len(y_pred))
    return per_class_accuracy(y_true[:m], y_pred[:m], n)


MUTANTS = [
    Mutant(
        "overfitting_gap", "sign flipped", lambda h: -overfitting_gap(h), says="sign is flipped"
    ),
    Mutant("overfitting_gap", "best epochs", gap_best_epochs, says="best epochs"),
    Mutant(
        "overfitting_gap",
        "no ValueError",
        gap_no_validation_check,
        says="instead of raising ValueError",
    ),  # fmt: skip
    Mutant("overfitting_gap", "first epoch", gap_first_epoch),
    Mutant(
        "overfitting_gap",
        "takes only the dict",
        lambda h: float(h["accuracy"][-1] - h["val_accuracy"][-1]),
        says="raised TypeError",
    ),
    Mutant(
        "overfitting_gap",
        "returns a string",
        lambda h: f"{overfitting_gap(h):.2f}",
        says="expected a number",
    ),  # fmt: skip
    Mutant(
        "remedy",
        "counts the rises of the validation loss",
        lambda h: _remedy_with(h, loss="val_loss"),
        says="validation loss",
    ),
    Mutant(
        "remedy",
        "checks the gap before the loss",
        lambda h: _remedy_with(h, gap_first=True),
        says="unstable run",
    ),
    Mutant("remedy", "gap of the best epochs", lambda h: _remedy_with(h, best=True)),
    Mutant(
        "remedy", "trend of the training accuracy", lambda h: _remedy_with(h, trend_key="accuracy")
    ),
    Mutant("remedy", "trend over the last epoch only", lambda h: _remedy_with(h, trend=1)),
    Mutant("remedy", "a gap limit of 0.05", lambda h: _remedy_with(h, gap=0.05)),
    Mutant("remedy", "unstable = ends above its start", lambda h: _remedy_with(h, loss_rule="end")),
    Mutant("remedy", "always regularise", lambda h: "regularise"),
    Mutant(
        "remedy",
        "no ValueError on a short history",
        lambda h: _remedy_with({k: (v * 4)[:4] for k, v in getattr(h, "history", h).items()}),
    ),
    Mutant("separable_params", "standard count", separable_as_standard, says="standard Conv2D"),
    Mutant(
        "separable_params",
        "ignores depth_multiplier",
        separable_no_multiplier,
        says="depth_multiplier was ignored",
    ),  # fmt: skip
    Mutant("separable_params", "depthwise bias", separable_depthwise_bias, says="no bias"),
    Mutant(
        "build_baseline_cnn",
        "all 'same' padding",
        cnn_all_same,
        says="layer 2 (Conv2D): expected output shape",
    ),  # fmt: skip
    Mutant("build_baseline_cnn", "no softmax", cnn_no_softmax, says="softmax"),
    Mutant("build_baseline_cnn", "ignores num_classes", cnn_fixed_classes, says="output shape"),
    Mutant("build_baseline_cnn", "dropout added", cnn_with_dropout, says="the layers"),
    Mutant("build_baseline_cnn", "not built", cnn_not_built, says="not built"),
    Mutant(
        "build_baseline_cnn",
        "returns a string",
        lambda **kw: "a model",
        says="expected a Keras model",
    ),  # fmt: skip
    Mutant("build_baseline_cnn", "ignores input_shape", cnn_fixed_input),
    Mutant("build_baseline_cnn", "tanh activations", cnn_tanh, says="expected 'relu'"),
    Mutant(
        "build_baseline_cnn",
        "ReLU output then softmax",
        cnn_relu_then_softmax,
        says="'relu+softmax'",
    ),  # fmt: skip
    Mutant("ensemble_predict", "majority vote", ensemble.majority_vote, says="majority vote"),
    Mutant(
        "ensemble_predict",
        "returns the average",
        ensemble.average_probabilities,
        says="expected shape",
    ),  # fmt: skip
    Mutant("ensemble_predict", "first model only", ensemble_first_model),
    Mutant("ensemble_predict", "changes its input", ensemble_in_place, says="changed its input"),
    Mutant(
        "ensemble_predict",
        "no ValueError",
        ensemble_no_checks,
        says="instead of raising ValueError",
    ),  # fmt: skip
    Mutant("ensemble_predict", "argmax over the images", ensemble_wrong_axis),
    Mutant("per_class_accuracy", "precision", lambda t, p, n: per_class_accuracy(p, t, n)),
    Mutant(
        "per_class_accuracy", "0 instead of NaN", per_class_zeros_for_missing, says="NaN expected"
    ),  # fmt: skip
    Mutant(
        "per_class_accuracy",
        "a list",
        lambda t, p, n: per_class_accuracy(t, p, n).tolist(),
        says="expected a NumPy array",
    ),  # fmt: skip
    Mutant("per_class_accuracy", "overall accuracy", per_class_overall),
    Mutant(
        "per_class_accuracy",
        "no length check",
        per_class_no_length_check,
        says="instead of raising ValueError",
    ),  # fmt: skip
]
