"""Lab 02 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import numpy as np

from helpers.labs.spec import Mutant


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward(x, W1, b1, W2, b2):
    h = sigmoid(W1 @ x + b1)
    return h, sigmoid(W2 @ h + b2)


def squared_error(t, o):
    t, o = np.asarray(t, dtype=float), np.asarray(o, dtype=float)
    if t.shape != o.shape:
        raise ValueError("shapes differ")
    return 0.5 * (t - o) ** 2


def grad_output_weights(h, o, t):
    return np.outer((o - t) * o * (1 - o), h)


def grad_hidden_weights(x, h, o, t, W2):
    d = (o - t) * o * (1 - o)
    return np.outer((W2.T @ d) * h * (1 - h), x)


def sgd_update(w, g, lr):
    if not lr > 0:
        raise ValueError("lr")
    w, g = np.asarray(w, dtype=float), np.asarray(g, dtype=float)
    if w.shape != g.shape:
        raise ValueError("shape")
    return w - lr * g


def precision_recall_f1(tp, fp, fn):
    if min(tp, fp, fn) < 0 or tp + fp == 0 or tp + fn == 0:
        raise ValueError("bad counts")
    p, r = tp / (tp + fp), tp / (tp + fn)
    return p, r, (0.0 if p + r == 0 else 2 * p * r / (p + r))


def count_parameters(sizes):
    sizes = list(sizes)
    if len(sizes) < 2 or any(
        isinstance(s, bool) or not isinstance(s, int) or s <= 0 for s in sizes
    ):
        raise ValueError("bad sizes")
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


SOLUTION = {f.__name__: f for f in (forward, squared_error, grad_output_weights,
                                    grad_hidden_weights, sgd_update, precision_recall_f1,
                                    count_parameters)}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def forward_no_hidden_activation(x, W1, b1, W2, b2):
    net = W1 @ x + b1
    return net, sigmoid(W2 @ net + b2)


def forward_x_times_w(x, W1, b1, W2, b2):
    h = sigmoid(x @ W1 + b1)
    return h, sigmoid(h @ W2 + b2)


def forward_relu_hidden(x, W1, b1, W2, b2):
    h = np.maximum(0.0, W1 @ x + b1)
    return h, sigmoid(W2 @ h + b2)


def squared_error_sum(t, o):
    return np.array(0.5 * np.sum((np.asarray(t) - np.asarray(o)) ** 2))


def squared_error_truncates(t, o):
    return 0.5 * (np.asarray(t) - np.asarray(o)[: len(t)]) ** 2


def squared_error_size_only(t, o):
    t, o = np.asarray(t, dtype=float), np.asarray(o, dtype=float)
    if t.size != o.size:
        raise ValueError("sizes differ")
    return 0.5 * (t - o.reshape(t.shape)) ** 2


def hidden_grad_w2_untransposed(x, h, o, t, W2):
    d = (o - t) * o * (1 - o)
    return np.outer((W2 @ d) * h * (1 - h), x)


def sgd_in_place(w, g, lr):
    if not lr > 0 or np.shape(w) != np.shape(g):
        raise ValueError
    w -= lr * g
    return w


def sgd_nan_slips(w, g, lr):
    if lr <= 0:
        raise ValueError
    return sgd_update(w, g, lr) if lr == lr else w - lr * g


def sgd_size_only(w, g, lr):
    if not lr > 0:
        raise ValueError
    w, g = np.asarray(w, dtype=float), np.asarray(g, dtype=float)
    if w.size != g.size:
        raise ValueError
    return w - lr * g.reshape(w.shape)


def prf_crashes_on_zero(tp, fp, fn):
    if min(tp, fp, fn) < 0 or tp + fp == 0 or tp + fn == 0:
        raise ValueError
    p, r = tp / (tp + fp), tp / (tp + fn)
    return p, r, 2 * p * r / (p + r)


def prf_without_validation(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (0.0 if p + r == 0 else 2 * p * r / (p + r))


def prf_rounded(tp, fp, fn):
    return tuple(round(v, 2) for v in precision_recall_f1(tp, fp, fn))


def params_accepts_floats(sizes):
    sizes = list(sizes)
    if len(sizes) < 2 or min(sizes) <= 0:
        raise ValueError
    return int(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True)))


MUTANTS = [
    Mutant(
        "forward",
        "no activation on the hidden layer",
        forward_no_hidden_activation,
        says="without the activation",
    ),
    Mutant("forward", "x @ W instead of W @ x", forward_x_times_w, says="x @ W"),
    Mutant(
        "forward", "returns the outputs only", lambda *a: forward(*a)[1], says="expected a tuple"
    ),
    Mutant(
        "forward",
        "returns lists",
        lambda *a: tuple(v.tolist() for v in forward(*a)),
        says="NumPy array",
    ),
    Mutant("forward", "returns a list", lambda *a: list(forward(*a)), says="expected a tuple"),
    Mutant("forward", "ReLU in the hidden layer", forward_relu_hidden),
    Mutant("squared_error", "sums the errors", squared_error_sum, says="summed the errors"),
    Mutant(
        "squared_error",
        "returns a float sum",
        lambda t, o: float(squared_error(t, o).sum()),
        says="single number",
    ),
    Mutant(
        "squared_error",
        "forgets the 0.5",
        lambda t, o: (np.asarray(t) - np.asarray(o)) ** 2,
        says="factor 0.5",
    ),
    Mutant(
        "squared_error",
        "no shape check",
        squared_error_truncates,
        says="instead of raising ValueError",
    ),
    Mutant(
        "squared_error",
        "compares sizes, not shapes",
        squared_error_size_only,
        says="instead of raising ValueError",
    ),
    Mutant(
        "grad_output_weights",
        "sign flipped",
        lambda h, o, t: -grad_output_weights(h, o, t),
        says="sign is flipped",
    ),
    Mutant(
        "grad_output_weights",
        "no sigmoid slope",
        lambda h, o, t: np.outer(o - t, h),
        says="o(1 - o) is missing",
    ),
    Mutant(
        "grad_output_weights",
        "transposed",
        lambda h, o, t: grad_output_weights(h, o, t).T,
        says="transposed",
    ),
    Mutant(
        "grad_output_weights",
        "int dtype",
        lambda *a: (grad_output_weights(*a) * 1e6).astype(int),
        says="float dtype",
    ),
    Mutant(
        "grad_output_weights",
        "slope of the hidden layer",
        lambda h, o, t: np.outer((o - t) * h.mean() * (1 - h.mean()), h),
    ),
    Mutant(
        "grad_hidden_weights",
        "no hidden slope",
        lambda x, h, o, t, W2: np.outer(W2.T @ ((o - t) * o * (1 - o)), x),
        says="h(1 - h) of the hidden sigmoid is missing",
    ),
    Mutant(
        "grad_hidden_weights", "transposed", lambda *a: grad_hidden_weights(*a).T, says="transposed"
    ),
    Mutant("grad_hidden_weights", "W2 not transposed", hidden_grad_w2_untransposed),
    Mutant(
        "grad_hidden_weights",
        "sign flipped",
        lambda *a: -grad_hidden_weights(*a),
        says="sign is flipped",
    ),
    Mutant(
        "grad_hidden_weights",
        "outer with the hidden values",
        lambda x, h, o, t, W2: (
            np.outer((W2.T @ ((o - t) * o * (1 - o))) * h * (1 - h), h)
            if len(h) == len(x)
            else grad_hidden_weights(x, h, o, t, W2) * 1.01
        ),
    ),
    Mutant("sgd_update", "changes the weights in place", sgd_in_place, says="changed its input"),
    Mutant(
        "sgd_update",
        "steps along the gradient",
        lambda w, g, lr: sgd_update(w, -g, lr),
        says="along the gradient",
    ),
    Mutant("sgd_update", "lets NaN through", sgd_nan_slips, says="nan"),
    Mutant(
        "sgd_update",
        "compares sizes, not shapes",
        sgd_size_only,
        says="instead of raising ValueError",
    ),
    Mutant(
        "sgd_update",
        "ignores the learning rate",
        lambda w, g, lr: sgd_update(w, g, 1.0) if lr > 0 else sgd_update(w, g, lr),
    ),
    Mutant(
        "precision_recall_f1",
        "F1 constant",
        lambda tp, fp, fn: (*precision_recall_f1(tp, fp, fn)[:2], 0.4),
        says="F1",
    ),
    Mutant(
        "precision_recall_f1",
        "fp and fn swapped",
        lambda tp, fp, fn: precision_recall_f1(tp, fn, fp),
        says="swapped",
    ),
    Mutant(
        "precision_recall_f1",
        "returns a list",
        lambda tp, fp, fn: list(precision_recall_f1(tp, fp, fn)),
        says="tuple of 3",
    ),
    Mutant(
        "precision_recall_f1",
        "F1 crashes when P + R = 0",
        prf_crashes_on_zero,
        says="ZeroDivisionError",
    ),
    Mutant(
        "precision_recall_f1",
        "no validation",
        prf_without_validation,
        says="instead of raising ValueError",
    ),
    Mutant("precision_recall_f1", "rounds", prf_rounded),
    Mutant(
        "precision_recall_f1",
        "arithmetic mean for F1",
        lambda tp, fp, fn: (
            *precision_recall_f1(tp, fp, fn)[:2],
            sum(precision_recall_f1(tp, fp, fn)[:2]) / 2,
        ),
        says="harmonic mean",
    ),
    Mutant(
        "count_parameters",
        "forgets the biases",
        lambda s: count_parameters(s) - sum(list(s)[1:]),
        says="forgot the biases",
    ),
    Mutant(
        "count_parameters",
        "returns a float",
        lambda s: float(count_parameters(s)),
        says="whole number",
    ),
    Mutant(
        "count_parameters",
        "no validation",
        lambda s: sum(a * b + b for a, b in zip(s[:-1], s[1:], strict=True)),
        says="instead of raising ValueError",
    ),
    Mutant(
        "count_parameters",
        "accepts float sizes",
        params_accepts_floats,
        says="instead of raising ValueError",
    ),
    Mutant(
        "count_parameters",
        "biases of the input layer too",
        lambda s: count_parameters(s) + list(s)[0],
        says="input layer",
    ),
]
