"""Lab 09 (CIFAR-10, measuring and fighting overfitting): the overfitting gap, a diagnosis of
training curves (which remedy?), the weights of a separable convolution, the baseline CNN, an
ensemble, per-class accuracy.

The baseline CNN is judged by its description (layers, output shapes, weights, activations:
``helpers/labs/custom/lab09.py``) on full-size inputs, and by what it computes with weights
drawn here, on small inputs (its dense layer holds over a million weights on 32x32 images,
too many to send). Nothing trains.

``overfitting_gap`` gets both the history dict and a real ``History`` (a ``wire.History``
placeholder becomes one in the learner's kernel), as ``model.fit`` returns it.

``remedy`` reads a history and names one of :data:`REMEDIES` by four rules stated in the
notebook; the hidden histories are drawn per submission for every rule (:func:`run_history`),
with the traps of each rule (a rising validation loss, a best epoch that is not the last, a
last-epoch dip, a zig-zag that still ends lower than it started).
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, History, Mistake
from helpers.labs.specs import _common

# ----------------------------------------------------------------------------- references


def overfitting_gap(history):
    h = getattr(history, "history", history)
    if "val_accuracy" not in h or "accuracy" not in h:
        raise ValueError("the history needs 'accuracy' and 'val_accuracy'")
    return float(h["accuracy"][-1] - h["val_accuracy"][-1])


REMEDIES = ("lower learning rate", "regularise", "train longer", "more capacity")
GAP_LIMIT = 0.10  # rule 2: a larger last-epoch gap is overfitting
STILL_RISING = 0.01  # rule 3: validation accuracy gained at least this over the last 3 epochs


def _history_dict(history):
    h = getattr(history, "history", history)
    missing = [k for k in ("loss", "accuracy", "val_accuracy") if k not in h]
    if missing:
        raise ValueError(f"the history needs {missing}")
    if len(h["loss"]) < 4:
        raise ValueError("at least 4 epochs are needed to read a trend")
    return h


def _loss_rises(losses):
    return sum(b > a for a, b in zip(losses[:-1], losses[1:], strict=True))


def remedy(history):
    h = _history_dict(history)
    if 2 * _loss_rises(h["loss"]) >= len(h["loss"]) - 1:
        return "lower learning rate"
    if h["accuracy"][-1] - h["val_accuracy"][-1] > GAP_LIMIT:
        return "regularise"
    if h["val_accuracy"][-1] - h["val_accuracy"][-4] >= STILL_RISING:
        return "train longer"
    return "more capacity"


def _conv_params(k, c_in, c_out):
    return _common.conv_params(k, k, c_in, c_out)


def separable_params(k, c_in, c_out, depth_multiplier=1):
    mid = c_in * depth_multiplier  # depthwise: one k×k kernel per channel made, no bias
    return _common.conv_params(k, k, 1, mid, bias=False) + _common.conv_params(1, 1, mid, c_out)


def build_baseline_cnn(input_shape=(32, 32, 3), num_classes=10):
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(512, activation="relu"),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )


def ensemble_predict(prob_list):
    if len(prob_list) == 0:
        raise ValueError("no models to ensemble")
    if any(np.shape(p) != np.shape(prob_list[0]) for p in prob_list):
        raise ValueError("all probability arrays must have the same shape")
    return np.mean(np.stack(prob_list), axis=0).argmax(axis=1)


def per_class_accuracy(y_true, y_pred, n):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError("y_true and y_pred differ in length")
    out = np.full(n, np.nan)
    for c in range(n):
        mask = y_true == c
        if mask.any():
            out[c] = np.mean(y_pred[mask] == c)
    return out


# ----------------------------------------------------------------------------- mistakes


def _gap_flipped(history):
    return -overfitting_gap(history)


def _gap_best_epochs(history):
    h = getattr(history, "history", history)
    return float(max(h["accuracy"]) - max(h["val_accuracy"]))


def _remedy_gap_first(history):
    h = _history_dict(history)
    if h["accuracy"][-1] - h["val_accuracy"][-1] > GAP_LIMIT:
        return "regularise"
    return remedy(history)


def _remedy_val_loss(history):
    h = dict(_history_dict(history))
    return remedy({**h, "loss": h.get("val_loss", h["loss"])})


def _remedy_best_epochs(history):
    h = _history_dict(history)
    if 2 * _loss_rises(h["loss"]) >= len(h["loss"]) - 1:
        return "lower learning rate"
    if max(h["accuracy"]) - max(h["val_accuracy"]) > GAP_LIMIT:
        return "regularise"
    return remedy({**h, "accuracy": h["val_accuracy"]})


def _remedy_trend_of(history, key="val_accuracy", back=3):
    """``remedy`` with rule 3 read on ``key`` over ``back`` epochs (mistakes below)."""
    h = _history_dict(history)
    verdict = remedy(history)
    if verdict not in ("train longer", "more capacity"):
        return verdict
    rising = h[key][-1] - h[key][-1 - back] >= STILL_RISING
    return "train longer" if rising else "more capacity"


def _remedy_training_trend(history):
    return _remedy_trend_of(history, key="accuracy")


def _remedy_last_step(history):
    return _remedy_trend_of(history, back=1)


def _separable_as_standard(k, c_in, c_out, depth_multiplier=1):
    return _conv_params(k, c_in, c_out)


def _separable_no_multiplier(k, c_in, c_out, depth_multiplier=1):
    return separable_params(k, c_in, c_out)


def _separable_depthwise_bias(k, c_in, c_out, depth_multiplier=1):
    return separable_params(k, c_in, c_out, depth_multiplier) + c_in * depth_multiplier


def _majority_vote(prob_list):
    from helpers import ensemble

    return ensemble.majority_vote(prob_list)


def _precision(y_true, y_pred, n):
    return per_class_accuracy(y_pred, y_true, n)


# ----------------------------------------------------------------------------- cases

_GAP_HINT = ("the last training accuracy minus the last validation accuracy (the last epoch, "
             "not the best one); a History keeps its dict in .history.")  # fmt: skip
_NO_VALIDATION = "without 'val_accuracy' (a model fit without validation data) raise ValueError."
SEED_HISTORY = {"accuracy": [0.40, 0.62, 0.81, 0.90], "val_accuracy": [0.42, 0.50, 0.56, 0.55]}


_HISTORY_OBJECT = ("model.fit returns a History object, which keeps the dict in its .history "
                   "attribute; getattr with a default accepts both kinds.")  # fmt: skip


def _history(rng, epochs, keys=("accuracy", "val_accuracy")):
    h = {}
    for key in keys:
        h[key] = [float(round(v, 4)) for v in rng.uniform(0.05, 0.99, size=epochs)]
    return h


def _gap_hidden(rng):
    cases = []
    for epochs in (int(rng.integers(2, 6)), int(rng.integers(6, 30)), 1):
        cases.append(Case((_history(rng, epochs),), group="gaps"))
    extra = _history(
        rng, int(rng.integers(3, 12)), ("loss", "accuracy", "val_loss", "val_accuracy")
    )
    cases.append(Case((extra,), group="gaps"))
    # The best epoch is not the last, and validation beats training at the end (negative gap).
    acc = [float(round(v, 3)) for v in rng.uniform(0.3, 0.6, size=4)]
    acc[1] = 0.9
    val = [round(a + 0.05, 3) for a in acc]
    val[1] = 0.5
    cases.append(Case(({"accuracy": acc, "val_accuracy": val},), group="gaps"))
    cases.append(Case((History(_history(rng, int(rng.integers(2, 9)))),), group="gaps",
                      hint=_HISTORY_OBJECT))  # fmt: skip
    cases.append(Case(({"accuracy": acc, "loss": [1.0] * 4},), group="errors", hint=_NO_VALIDATION))
    return cases


def _rounded(values):
    return [float(round(float(v), 4)) for v in values]


def run_history(rng, kind, epochs=None, trap=None):
    """A history of ``epochs`` epochs (drawn if None) that the rules diagnose as ``kind``.

    ``trap`` picks a variant that catches one wrong reading: "gap" (an unstable run with a large
    gap), "peak" (validation peaked mid-run: the best epochs hide the gap), "dip" (validation
    still rising over three epochs but down at the last one), "creep" (training accuracy still
    creeps up while validation is flat), "near" (a gap just under the limit), "climb" (a loss that
    climbs instead of zig-zagging).
    """
    n = int(epochs or rng.integers(6, 16))
    t = np.linspace(0.0, 1.0, n)
    u = rng.uniform
    if kind == "lower learning rate":
        if trap == "climb":
            loss = u(0.8, 1.5) * (1 + u(0.5, 2.0) * t) + u(0, 0.01, n) * t
        else:  # a zig-zag that drifts down: it may still end below its start
            loss = u(1.2, 2.2) - u(0.1, 0.4) * t + u(0.15, 0.35) * (-1.0) ** (np.arange(n) + 1)
        acc = u(0.12, 0.35, n)
        val = u(0.10, 0.33, n)
        if trap == "gap":
            acc = u(0.45, 0.65, n)
            val[-1] = acc[-1] - u(0.15, 0.3)
        val_loss = loss + u(0.0, 0.2, n)
    elif kind == "regularise":
        a0, a_end = u(0.3, 0.45), u(0.85, 0.99)
        acc = a0 + (a_end - a0) * (1 - np.exp(-4 * t)) / (1 - np.exp(-4))
        gap = u(0.15, 0.35)
        v_end = a_end - gap
        if trap == "peak":  # the best validation epoch is mid-run, close to training
            peak = a_end - u(0.04, 0.08)
            val = v_end + (peak - v_end) * np.exp(-(((t - 0.5) / 0.2) ** 2))
            val = np.minimum(val, acc - 0.005)
            val[-1] = v_end
        else:
            val = a0 + (v_end - a0) * (1 - np.exp(-6 * t)) / (1 - np.exp(-6))
        loss = u(1.2, 2.0) * np.exp(-2.5 * t) + 0.05
        val_loss = u(1.2, 1.6) - u(0.5, 0.7) * t + u(1.4, 2.0) * t**2
    elif kind == "train longer":
        a0, a_end = u(0.2, 0.3), u(0.6, 0.85)
        acc = a0 + (a_end - a0) * t
        gap = u(0.06, 0.09) if trap == "near" else u(0.0, 0.05)
        val = acc - gap * t
        if trap == "dip":
            val[-1] = val[-2] - u(0.002, 0.006)
            acc[-1] = val[-1] + gap
        loss = u(1.5, 2.2) - u(0.5, 1.0) * t
        val_loss = loss + u(0.0, 0.1) * t
    elif kind == "more capacity":
        level = u(0.35, 0.7)
        acc = level - (level - u(0.15, 0.3)) * np.exp(-10 * t)
        if trap == "creep":
            acc = acc + u(0.006, 0.01) * np.arange(n) - u(0.006, 0.01) * (n - 1)
        gap = {"near": u(0.06, 0.075), "creep": u(0.0, 0.03)}.get(trap, u(0.0, 0.05))
        val = acc - gap
        val[-3:] = val[-4] + u(-0.008, 0.004, 3)
        loss = u(1.2, 1.8) - u(0.05, 0.2) * (1 - np.exp(-10 * t)) - 0.001 * t
        val_loss = loss + u(0.0, 0.05)
    else:
        raise ValueError(f"unknown kind {kind!r}")
    h = {"loss": _rounded(loss), "accuracy": _rounded(acc), "val_loss": _rounded(val_loss),
         "val_accuracy": _rounded(val)}  # fmt: skip
    assert remedy(h) == kind, (kind, trap, h)
    return h


_REMEDY_HINT = ("apply the four rules in their order: the training loss's rises first, then "
                "the last-epoch gap, then the validation trend over the last three "
                "epochs.")  # fmt: skip
_REMEDY_ERRORS = ("without 'loss', 'accuracy' or 'val_accuracy', or with fewer than 4 epochs, "
                  "raise ValueError.")  # fmt: skip
_TRAPS = {"lower learning rate": (None, "gap", "climb"), "regularise": (None, "peak"),
          "train longer": (None, "dip", "near"),
          "more capacity": (None, "creep", "near")}  # fmt: skip


def _remedy_public():
    rng = np.random.default_rng(909)
    cases = []
    for kind, traps in _TRAPS.items():
        for trap in traps:
            epochs = 9 if trap is None else None  # an odd count: the zig-zag ends below its start
            h = run_history(rng, kind, epochs, trap)
            what = f"a run that needs '{kind}'" + (f" ({trap})" if trap else "")
            cases.append(Case((h,), label=f"remedy({what})"))
    cases[0] = Case((History(cases[0].args[0]),), label="remedy(a History, as fit returns it)")
    short = run_history(rng, "train longer", 6)
    cases += [
        Case(({k: v[:3] for k, v in short.items()},), hint=_REMEDY_ERRORS),
        Case(({"loss": short["loss"], "accuracy": short["accuracy"]},), hint=_REMEDY_ERRORS),
    ]
    return cases


def _remedy_hidden(rng):
    cases = []
    for kind, traps in _TRAPS.items():
        for trap in traps:
            cases.append(Case((run_history(rng, kind, None, trap),), group="diagnoses",
                              label=f"remedy(another run that needs '{kind}')"))  # fmt: skip
    order = rng.permutation(len(cases))
    cases = [cases[i] for i in order]
    cases.append(Case((History(run_history(rng, "regularise")),), group="diagnoses",
                      label="remedy(a History of an overfitting run)"))  # fmt: skip
    h = run_history(rng, "more capacity", int(rng.integers(6, 12)))
    n = int(rng.integers(1, 4))
    cases += [
        Case(({k: v[:n] for k, v in h.items()},), group="errors", hint=_REMEDY_ERRORS),
        Case(({k: v for k, v in h.items() if k != "val_accuracy"},), group="errors",
             hint=_REMEDY_ERRORS),
    ]  # fmt: skip
    return cases


_SEPARABLE_HINT = ("count the two steps apart: a k×k kernel for each channel the depthwise "
                   "step makes (no bias), then a 1×1 convolution to c_out channels, with "
                   "biases.")  # fmt: skip


def _separable_hidden(rng):
    cases = [Case((3, int(rng.integers(16, 257)), int(rng.integers(16, 257))))]
    for _ in range(6):
        args = (int(rng.integers(1, 8)), int(rng.integers(2, 257)), int(rng.integers(1, 257)))
        if rng.random() < 0.3:
            cases.append(Case(args))
        else:
            cases.append(Case(args, {"depth_multiplier": int(rng.integers(1, 5))}))
    cases.append(Case((int(rng.integers(2, 8)), int(rng.integers(2, 65)), int(rng.integers(1, 65))),
                      {"depth_multiplier": int(rng.integers(2, 5))}))  # fmt: skip
    return cases


def _after_blocks(h, w):
    for _ in range(2):  # same, valid, 2x2 pool
        h, w = (h - 2) // 2, (w - 2) // 2
    return h, w


def baseline_weights(rng, input_shape, num_classes):
    """Weights in the order of the baseline's get_weights(): Glorot-uniform-like kernels and
    small non-zero biases, drawn from ``rng``."""
    h, w = _after_blocks(input_shape[0], input_shape[1])
    shapes = [
        ((3, 3, input_shape[2], 32), 32),
        ((3, 3, 32, 32), 32),
        ((3, 3, 32, 64), 64),
        ((3, 3, 64, 64), 64),
        ((h * w * 64, 512), 512),
        ((512, num_classes), num_classes),
    ]
    weights = _common.glorot_weights(rng, shapes)
    weights[-1][::2] -= 1.0  # some clearly negative logits: a ReLU before the softmax shows
    return weights


def _probe_case(rng, input_shape, num_classes, images=3, group="outputs"):
    kwargs = {"input_shape": tuple(input_shape), "num_classes": int(num_classes)}
    x = rng.uniform(0, 1, size=(images, *input_shape)).astype(np.float32)
    probes = [{"method": "set_weights", "args": [baseline_weights(rng, input_shape, num_classes)]},
              {"method": "__call__", "args": [x]}]  # fmt: skip
    label = (f"build_baseline_cnn(input_shape={tuple(input_shape)}, num_classes={num_classes}) "
             "with weights set, on random images")  # fmt: skip
    return Case((), kwargs, group=group, then=probes, label=label)


def _baseline_public():
    return [Case(()), Case((), {"num_classes": 5}),
            _probe_case(np.random.default_rng(4), (12, 12, 3), 4, images=2)]  # fmt: skip


def _baseline_hidden(rng):
    cases = [Case((), group="layers")]
    for _ in range(2):
        shape = (*(int(v) for v in rng.integers(20, 49, size=2)), int(rng.integers(1, 5)))
        cases.append(Case((), {"input_shape": shape, "num_classes": int(rng.integers(2, 21))},
                          group="layers"))  # fmt: skip
    for _ in range(2):
        shape = (*(int(v) for v in rng.integers(10, 16, size=2)), int(rng.integers(1, 4)))
        cases.append(_probe_case(rng, shape, int(rng.integers(3, 13))))
    return cases


_ENSEMBLE_HINT = "average the arrays element-wise first, then take the argmax over the classes."
P1 = np.array([[0.6, 0.4, 0.0], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]])
P2 = np.array([[0.2, 0.8, 0.0], [0.3, 0.3, 0.4], [0.1, 0.6, 0.3]])
P3 = np.array([[0.55, 0.45, 0.0], [0.0, 0.9, 0.1], [0.5, 0.1, 0.4]])
_MANY_RNG = np.random.default_rng(9)
MANY = [_MANY_RNG.dirichlet(np.ones(10), size=40) for _ in range(5)]


def _probabilities(rng, models, images, classes, dtype=np.float64):
    """``models`` arrays whose average has a clear winner in every row (no near ties)."""
    while True:
        probs = [rng.dirichlet(np.ones(classes), size=images) for _ in range(models)]
        top2 = np.sort(np.mean(probs, axis=0), axis=1)[:, -2:]
        if (top2[:, 1] - top2[:, 0]).min() > 1e-3:
            return [p.astype(dtype) for p in probs]


def _ensemble_hidden(rng):
    cases = [Case(([P1 + 0.0, P2 + 0.0, P3 + 0.0],), group="ensembles",
                  label="ensemble_predict(three models where two of three vote for another "
                        "class than the average)")]  # fmt: skip
    for models in (1, int(rng.integers(2, 4)), int(rng.integers(4, 8))):
        images, classes = int(rng.integers(1, 60)), int(rng.integers(2, 12))
        cases.append(Case((_probabilities(rng, models, images, classes),), group="ensembles"))
    votes = _probabilities(rng, 3, 30, 4, np.float32)
    cases.append(Case((votes,), group="ensembles"))
    n = int(rng.integers(2, 20))
    same = "all arrays must have the same shape (same images, same classes)."
    cases += [
        Case(([],), group="errors", hint="an empty list has nothing to average."),
        Case(([np.full((n, 3), 1 / 3), np.full((n + 1, 3), 1 / 3)],), group="errors", hint=same),
        Case(([np.full((n, 3), 1 / 3), np.full((n, 4), 1 / 4)],), group="errors", hint=same),
    ]
    return cases


_PER_CLASS_HINT = ("for each class c: among the samples whose TRUE label is c, the fraction "
                   "predicted c; np.nan when no sample is of class c.")  # fmt: skip
_PC_RNG = np.random.default_rng(90)
_Y = _PC_RNG.integers(0, 10, 200)
_NOISY = np.where(_PC_RNG.random(200) < 0.7, _Y, _PC_RNG.integers(0, 10, 200))


def _per_class_hidden(rng):
    cases = []
    for _ in range(3):
        n = int(rng.integers(2, 12))
        size = int(rng.integers(5, 300))
        y = rng.integers(0, n, size)
        y[y == int(rng.integers(0, n))] = 0  # often a class without samples
        pred = np.where(rng.random(size) < 0.6, y, rng.integers(0, n, size))
        cases.append(Case((y, pred, n), group="accuracies"))
    n = int(rng.integers(3, 8))
    y = np.array([0, 0, 0, 1, 1, n - 1])  # precision differs from recall; classes 2.. empty
    cases.append(Case((y, np.array([0, 1, 1, 1, 0, n - 1]), n), group="accuracies"))
    cases.append(Case((np.arange(n), np.arange(n), n + 2), group="accuracies"))
    size = int(rng.integers(3, 40))
    cases.append(Case((rng.integers(0, 3, size), rng.integers(0, 3, size - 1), 3), group="errors",
                      hint="y_true and y_pred must have the same length."))  # fmt: skip
    return cases


EXERCISES = [
    Exercise(
        "overfitting_gap",
        points=2,
        reference=overfitting_gap,
        judge=judge.Float(rel=1e-9, abs=1e-12),
        public=[
            Case((SEED_HISTORY,), label="overfitting_gap(the seed's LeNet-5 history as a dict)"),
            Case(
                (
                    {
                        "accuracy": [0.3, 0.95, 0.7],
                        "val_accuracy": [0.2, 0.9, 0.6],
                        "loss": [2, 1, 1.5],
                    },
                ),
                label="overfitting_gap(a history whose best epoch is not the last)",
            ),
            Case(
                ({"accuracy": [0.5, 0.61], "val_accuracy": [0.55, 0.66]},),
                label="overfitting_gap(a history where validation beats training)",
            ),
            Case(
                ({"accuracy": [0.875], "val_accuracy": [0.5]},),
                label="overfitting_gap(a one-epoch history)",
            ),
            Case(({"accuracy": [0.9], "loss": [0.3]},), hint=_NO_VALIDATION),
            Case(
                (History(SEED_HISTORY),),
                label="overfitting_gap(a History, as model.fit returns it)",
                hint=_HISTORY_OBJECT,
            ),
        ],
        hidden=_gap_hidden,
        groups={"gaps": 1, "errors": 1},
        hint=_GAP_HINT,
        mistakes=[
            Mistake(
                _gap_flipped,
                "the sign is flipped.",
                "the gap is training accuracy MINUS validation accuracy.",
            ),
            Mistake(
                _gap_best_epochs,
                "you used the best epochs.",
                "take the values of the last epoch, not the best one.",
            ),
        ],
    ),  # fmt: skip
    Exercise(
        "remedy",
        points=3,
        reference=remedy,
        judge=judge.Exact(),
        public=_remedy_public(),
        hidden=_remedy_hidden,
        groups={"diagnoses": 2, "errors": 1},
        hint=_REMEDY_HINT,
        mistakes=[
            Mistake(
                _remedy_val_loss,
                "you counted the rises of the validation loss: a validation loss that climbs "
                "while the training loss falls is overfitting, not a too-large step.",
                "rule 1 reads the training loss ('loss'), which only the optimiser drives.",
            ),
            Mistake(
                _remedy_gap_first,
                "an unstable run was called overfitting: its gap means little while the "
                "optimiser overshoots.",
                "check the training loss (rule 1) before the gap (rule 2).",
            ),
            Mistake(
                _remedy_best_epochs,
                "you compared the best epochs: validation peaked mid-run, and the gap that "
                "counts is the one at the end.",
                "rule 2 takes the last epoch's accuracies, not the best ones.",
            ),
            Mistake(
                _remedy_training_trend,
                "you read the trend of the training accuracy: it can creep up while the model "
                "learns nothing that generalises.",
                "rule 3 reads the validation accuracy over the last three epochs.",
            ),
            Mistake(
                _remedy_last_step,
                "you read the trend from the last epoch only: one noisy step down hides a "
                "three-epoch rise.",
                "rule 3 compares the last validation accuracy with the one three epochs earlier.",
            ),
        ],
    ),  # fmt: skip
    Exercise(
        "separable_params",
        points=2,
        reference=separable_params,
        judge=judge.Int(),
        public=[
            Case(a, kw)
            for a, kw in [
                ((3, 32, 64), {}),
                ((3, 3, 32), {}),
                ((3, 64, 64), {}),
                ((5, 16, 8), {}),
                ((3, 32, 64), {"depth_multiplier": 2}),
                ((3, 8, 4), {"depth_multiplier": 3}),
            ]
        ],
        hidden=_separable_hidden,
        hint=_SEPARABLE_HINT,
        mistakes=[
            Mistake(
                _separable_as_standard,
                "that is the count of a standard Conv2D.",
                "a separable convolution filters each channel alone, then mixes them 1×1.",
            ),
            Mistake(
                _separable_no_multiplier,
                "depth_multiplier was ignored.",
                "the depthwise step makes c_in·depth_multiplier channels.",
            ),
            Mistake(
                _separable_depthwise_bias,
                "the depthwise step has no bias in Keras.",
                "only the pointwise 1×1 step has biases: c_out of them.",
            ),
        ],
    ),  # fmt: skip
    Exercise(
        "build_baseline_cnn",
        points=3,
        reference=build_baseline_cnn,
        judge=judge.Custom("lab09.baseline_model", {"atol": 1e-4, "rtol": 1e-4}),
        public=_baseline_public(),
        hidden=_baseline_hidden,
        groups={"layers": 2, "outputs": 1},
        hint="follow the table row by row (padding, activations, pooling); the check prints "
        "the first layer that differs.",
    ),  # fmt: skip
    Exercise(
        "ensemble_predict",
        points=2,
        reference=ensemble_predict,
        judge=judge.Array(atol=0.0, kinds="iu"),
        public=[
            Case(
                ([P1, P2, P3],),
                label="ensemble_predict(three models: on sample 0 two of "
                "three vote class 0, the average says 1)",
            ),
            Case(([P1],), label="ensemble_predict(a single model)"),
            Case(([P1, P2],), label="ensemble_predict(two models)"),
            Case((MANY,), label="ensemble_predict(five models, 40 images, 10 classes)"),
            Case(([],), hint="an empty list has nothing to average."),
            Case(
                ([P1, P2[:2]],),
                hint="all arrays must have the same shape (same images, same classes).",
            ),
        ],
        hidden=_ensemble_hidden,
        groups={"ensembles": 1, "errors": 1},
        hint=_ENSEMBLE_HINT,
        mistakes=[
            Mistake(
                _majority_vote,
                "that is a majority vote.",
                "average the probabilities, do not count the votes.",
            )
        ],
    ),  # fmt: skip
    Exercise(
        "per_class_accuracy",
        points=2,
        reference=per_class_accuracy,
        judge=judge.Custom("lab09.class_accuracies"),
        public=[
            Case(
                (np.array([0, 0, 1, 1, 2, 2]), np.array([0, 1, 1, 1, 0, 0]), 3),
                label="per_class_accuracy(a small example, n=3)",
            ),
            Case(
                (np.array([0, 1, 1, 1]), np.array([1, 1, 0, 1]), 2),
                label="per_class_accuracy(a two-class example, n=2)",
            ),
            Case(
                (np.array([0, 2, 2]), np.array([0, 2, 1]), 4),
                label="per_class_accuracy(classes 1 and 3 have no samples, n=4)",
            ),
            Case((_Y, _NOISY, 10), label="per_class_accuracy(200 samples, 10 classes, n=10)"),
            Case(
                (np.array([0, 1]), np.array([0]), 2),
                hint="y_true and y_pred must have the same length.",
            ),
        ],
        hidden=_per_class_hidden,
        groups={"accuracies": 1, "errors": 1},
        hint=_PER_CLASS_HINT,
        mistakes=[
            Mistake(
                _precision,
                "that is the precision of each class (per predicted class).",
                "divide by the number of samples whose TRUE label is c.",
            )
        ],
    ),  # fmt: skip
]
