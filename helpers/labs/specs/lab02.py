"""Lab 02 (neural-network essentials): forward pass, error, back-propagation by hand, SGD step,
precision/recall/F1, parameter counts.

Hidden cases are drawn per submission: random layer sizes, weights, learning rates and counts,
with the edge cases (a square network, where a transposed matrix has the right shape; P = R = 0;
NaN learning rates; shapes of equal size but different layout) always in.
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

# The worked example of chapter 02.
X = np.array([0.4, 0.25])
T = np.array([0.1, 0.9])
W1 = np.array([[0.2, 0.35], [0.15, 0.5]])
B1 = np.array([0.7, 0.7])
W2 = np.array([[0.6, 0.05], [0.5, 0.3]])
B2 = np.array([0.6, 0.6])


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ----------------------------------------------------------------------------- references


def forward(x, W1, b1, W2, b2):
    hidden = _sigmoid(W1 @ x + b1)
    return hidden, _sigmoid(W2 @ hidden + b2)


def squared_error(targets, outputs):
    t, o = np.asarray(targets, dtype=float), np.asarray(outputs, dtype=float)
    if t.shape != o.shape:
        raise ValueError("targets and outputs differ in shape")
    return 0.5 * (t - o) ** 2


def grad_output_weights(hidden, outputs, targets):
    delta = (outputs - targets) * outputs * (1 - outputs)
    return np.outer(delta, hidden)


def grad_hidden_weights(x, hidden, outputs, targets, W2):
    delta = (outputs - targets) * outputs * (1 - outputs)
    return np.outer((W2.T @ delta) * hidden * (1 - hidden), x)


def sgd_update(weights, grads, lr):
    if not lr > 0:
        raise ValueError("the learning rate must be positive")
    weights, grads = np.asarray(weights, dtype=float), np.asarray(grads, dtype=float)
    if weights.shape != grads.shape:
        raise ValueError("weights and gradients differ in shape")
    return weights - lr * grads


def precision_recall_f1(tp, fp, fn):
    if min(tp, fp, fn) < 0 or tp + fp == 0 or tp + fn == 0:
        raise ValueError("negative counts, or an undefined ratio")
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    if precision + recall == 0:
        return precision, recall, 0.0
    return precision, recall, 2 * precision * recall / (precision + recall)


def count_parameters(layer_sizes):
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError("need at least an input and an output size")
    if any(isinstance(s, bool) or not isinstance(s, int) or s <= 0 for s in sizes):
        raise ValueError("sizes must be positive integers")
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


# ----------------------------------------------------------------------------- mistakes


def _linear_hidden(x, W1, b1, W2, b2):
    net = W1 @ x + b1
    return net, _sigmoid(W2 @ net + b2)


def _linear_everywhere(x, W1, b1, W2, b2):
    net = W1 @ x + b1
    return net, W2 @ net + b2


def _transposed_weights(x, W1, b1, W2, b2):
    return forward(x, W1.T, b1, W2.T, b2)


def _summed_error(targets, outputs):
    return np.array(squared_error(targets, outputs).sum())


def _no_half(targets, outputs):
    return 2 * squared_error(targets, outputs)


def _flipped_output_sign(hidden, outputs, targets):
    return -grad_output_weights(hidden, outputs, targets)


def _transposed_output(hidden, outputs, targets):
    return grad_output_weights(hidden, outputs, targets).T


def _no_output_slope(hidden, outputs, targets):
    return np.outer(outputs - targets, hidden)


def _transposed_hidden(x, hidden, outputs, targets, W2):
    return grad_hidden_weights(x, hidden, outputs, targets, W2).T


def _no_hidden_slope(x, hidden, outputs, targets, W2):
    delta = (outputs - targets) * outputs * (1 - outputs)
    return np.outer(W2.T @ delta, x)


def _untransposed_w2(x, hidden, outputs, targets, W2):
    return grad_hidden_weights(x, hidden, outputs, targets, W2.T)


def _flipped_hidden_sign(x, hidden, outputs, targets, W2):
    return -grad_hidden_weights(x, hidden, outputs, targets, W2)


def _along_gradient(weights, grads, lr):
    return sgd_update(weights, -np.asarray(grads, dtype=float), lr)


def _swapped_fp_fn(tp, fp, fn):
    return precision_recall_f1(tp, fn, fp)


def _arithmetic_mean(tp, fp, fn):
    precision, recall, _ = precision_recall_f1(tp, fp, fn)
    return precision, recall, (precision + recall) / 2


def _no_biases(layer_sizes):
    sizes = list(layer_sizes)
    return count_parameters(sizes) - sum(sizes[1:])


def _input_biases(layer_sizes):
    return count_parameters(layer_sizes) + list(layer_sizes)[0]


# ----------------------------------------------------------------------------- cases


def _random_net(seed, n_in, n_hidden, n_out, rng=None):
    """x, t, W1, b1, W2, b2 of a random network (the public checks' networks use ``seed``)."""
    r = rng if rng is not None else np.random.default_rng(seed)
    return (r.normal(size=n_in), r.uniform(0.05, 0.95, size=n_out),
            r.normal(size=(n_hidden, n_in)), r.normal(size=n_hidden),
            r.normal(size=(n_out, n_hidden)), r.normal(size=n_out))  # fmt: skip


EXAMPLE = (X, T, W1, B1, W2, B2)


def _sizes(rng):
    """Random layer sizes; the first network is square, where a transposed matrix fits."""
    k = int(rng.integers(2, 5))
    yield k, k, k
    for _ in range(3):
        yield tuple(int(v) for v in rng.integers(1, 7, size=3))


def _name(net):
    x, t, w1 = net[0], net[1], net[2]
    return f"a {len(x)}-{len(w1)}-{len(t)} network"


def _forward_case(label, net, **kw):
    x, _t, w1, b1, w2, b2 = net
    return Case((x, w1, b1, w2, b2), label=f"forward on {label}", **kw)


def _forward_hidden(rng):
    cases = []
    for sizes in _sizes(rng):
        net = _random_net(None, *sizes, rng=rng)
        cases.append(_forward_case(_name(net), net))
    net = list(_random_net(None, 3, 2, 2, rng=rng))
    net[2] = net[2] * 8  # large net inputs: the sigmoid saturates near 0 and 1
    return cases + [_forward_case("a 3-2-2 network with large weights", tuple(net))]


def _output_grad_case(label, net):
    x, t, w1, b1, w2, b2 = net
    h, o = forward(x, w1, b1, w2, b2)
    return Case((h, o, t), label=f"grad_output_weights on {label}")


def _hidden_grad_case(label, net):
    x, t, w1, b1, w2, b2 = net
    h, o = forward(x, w1, b1, w2, b2)
    return Case((x, h, o, t, w2), label=f"grad_hidden_weights on {label}")


def _output_grad_hidden(rng):
    nets = [_random_net(None, *sizes, rng=rng) for sizes in _sizes(rng)]
    return [_output_grad_case(_name(net), net) for net in nets]


def _hidden_grad_hidden(rng):
    nets = [_random_net(None, *sizes, rng=rng) for sizes in _sizes(rng)]
    return [_hidden_grad_case(_name(net), net) for net in nets]


_SQ_HINT = "each entry is half the squared error of one output; keep one value per output."
_SHAPES_DIFFER = "compare the two shapes and raise ValueError when they differ."
_SAME_SIZE = "same number of values, different shapes: raise ValueError too."


def _squared_hidden(rng):
    cases = []
    for shape in [(int(rng.integers(1, 8)),), (int(rng.integers(1, 8)),),
                  tuple(int(v) for v in rng.integers(1, 4, size=2))]:  # fmt: skip
        cases.append(Case((rng.uniform(0, 1, size=shape), rng.uniform(0, 1, size=shape)),
                          group="values"))  # fmt: skip
    n = int(rng.integers(2, 6))
    cases.append(Case((rng.integers(-3, 4, size=n), rng.normal(size=n) * 3), group="values",
                      hint="integer targets are fine: the result is still float."))  # fmt: skip
    a, b = (int(v) for v in rng.integers(2, 4, size=2))
    n = int(rng.integers(1, 6))
    cases += [
        Case(
            (np.zeros(n), np.zeros(n + int(rng.integers(1, 3)))),
            group="errors",
            hint=_SHAPES_DIFFER,
        ),
        Case((np.zeros(a * b), np.zeros((a, b))), group="errors", hint=_SAME_SIZE),
    ]
    return cases


_SGD_HINT = "step against the gradient, by the gradient scaled with the learning rate."
_LR_HINT = "a learning rate must be a positive number; `not lr > 0` also catches NaN."


def _sgd_hidden(rng):
    cases = []
    for _ in range(3):
        shape = tuple(int(v) for v in rng.integers(1, 6, size=int(rng.integers(1, 3))))
        lr = float(rng.choice([1e-3, 0.01, 0.1, 0.5, 2.0])) * float(rng.uniform(0.5, 1.5))
        cases.append(Case((rng.normal(size=shape), rng.normal(size=shape), lr), group="values"))
    shape = tuple(int(v) for v in rng.integers(1, 5, size=2))
    cases.append(Case((rng.normal(size=shape), rng.normal(size=shape), int(rng.integers(1, 4))),
                      group="values", hint="an int learning rate is fine."))  # fmt: skip
    w, g = rng.normal(size=3), rng.normal(size=3)
    for bad in (0.0, -float(rng.uniform(0.01, 2)), float("nan"), -float("inf")):
        cases.append(Case((w, g, bad), group="errors", hint=_LR_HINT))
    a = int(rng.integers(2, 5))
    b = a + int(rng.integers(1, 3))  # same size, different shapes
    cases.append(
        Case(
            (rng.normal(size=(a, b)), rng.normal(size=(b, a)), 0.1),
            group="errors",
            hint="raise ValueError when weights and gradients differ in shape.",
        )
    )
    return cases


_PRF_HINT = ("precision: the share of the predicted positives that are right; recall: the "
             "share of the real positives found; F1: their harmonic mean (0 when both are "
             "0); do not round.")  # fmt: skip
_COUNTS_HINT = "negative counts, or tp+fp = 0 or tp+fn = 0, make no sense: raise ValueError."


def _prf_hidden(rng):
    cases = []
    for _ in range(5):
        tp, fp, fn = (int(v) for v in rng.integers(0, 200, size=3))
        tp = tp or 1
        cases.append(Case((tp, fp, fn), group="values"))
    cases += [Case((0, int(rng.integers(1, 9)), int(rng.integers(1, 9))), group="values",
                   hint="with tp = 0, precision and recall are 0, and F1 is 0 too."),
              Case((int(rng.integers(1, 50)), 0, 0), group="values")]  # fmt: skip
    k = int(rng.integers(1, 9))
    cases += [Case(bad, group="errors", hint=_COUNTS_HINT)
              for bad in [(0, 0, k), (0, k, 0), (0, 0, 0), (k, -int(rng.integers(1, 5)), k),
                          (-k, k + 2, k), (k, k, -1)]]  # fmt: skip
    return cases


_PARAMS_HINT = "each layer after the input: a weight per connection, a bias per unit; add up."
_SIZES_HINT = "at least two sizes, each a positive int; otherwise raise ValueError."


def _params_hidden(rng):
    cases = []
    for _ in range(4):
        depth = int(rng.integers(2, 6))
        sizes = [int(v) for v in rng.integers(1, 1000, size=depth)]
        cases.append(Case((sizes if rng.random() < 0.7 else tuple(sizes),), group="values"))
    cases.append(Case(([1] * int(rng.integers(2, 6)),), group="values"))
    k = int(rng.integers(1, 20))
    cases += [Case((bad,), group="errors", hint=_SIZES_HINT)
              for bad in [[k], [k, 0], [k, -int(rng.integers(1, 5)), 1], [k, float(k)], [0, k],
                          [k, k, 1.5]]]  # fmt: skip
    return cases


def _grad_judge():
    return judge.Array(atol=1e-9, kinds="f")


EXERCISES = [
    Exercise(
        "forward",
        points=2,
        reference=forward,
        judge=judge.Seq(
            [judge.Array(atol=1e-9, kinds="f"), judge.Array(atol=1e-9, kinds="f")],
            names=["hidden", "outputs"],
        ),
        public=[
            _forward_case("the chapter's example", EXAMPLE),
            _forward_case("a 3-4-2 network", _random_net(1, 3, 4, 2)),
            _forward_case("a 2-3-1 network", _random_net(2, 2, 3, 1)),
        ],
        hidden=_forward_hidden,
        hint="each layer: matrix times vector, plus the bias, through the sigmoid; return "
        "the tuple (hidden, outputs); row j of a weight matrix holds the weights into "
        "neuron j.",
        mistakes=[
            Mistake(
                _linear_hidden,
                "the hidden values are the net inputs, without the activation.",
                "apply the sigmoid to the hidden layer's net inputs too.",
            ),
            Mistake(
                _linear_everywhere,
                "your values are the net inputs, without the activation.",
                "apply the sigmoid in both layers.",
            ),
            Mistake(
                _transposed_weights,
                "you multiplied x @ W, which uses the transposed weights.",
                "row j of a weight matrix holds the weights into neuron j: the matrix comes "
                "first in the product.",
            ),
        ],
    ),
    Exercise(
        "squared_error",
        points=2,
        reference=squared_error,
        judge=judge.Custom("lab02.per_output", params={"atol": 1e-12}),
        public=[
            Case(
                (T, forward(X, W1, B1, W2, B2)[1]),
                label="squared_error(the chapter's targets and outputs)",
            ),
            Case((np.array([1.0, 0.0, 0.5]), np.array([0.2, 0.3, 0.5]))),
            Case((np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 2.0], [5.0, 4.5]]))),
            Case((np.array([0.1, 0.9]), np.array([0.5, 0.5, 0.5])), hint=_SHAPES_DIFFER),
            Case((np.zeros(4), np.zeros((2, 2))), hint=_SAME_SIZE),
        ],
        hidden=_squared_hidden,
        groups={"values": 1, "errors": 1},
        hint=_SQ_HINT,
        mistakes=[
            Mistake(
                _summed_error,
                "you summed the errors into one number.",
                "keep one value per output (no sum).",
            ),
            Mistake(_no_half, "the factor 0.5 is missing.", _SQ_HINT),
        ],
    ),
    Exercise(
        "grad_output_weights",
        points=3,
        reference=grad_output_weights,
        judge=_grad_judge(),
        public=[
            _output_grad_case("the chapter's example", EXAMPLE),
            _output_grad_case("a 3-4-2 network", _random_net(3, 3, 4, 2)),
        ],
        hidden=_output_grad_hidden,
        hint="output k's error signal is its error times the sigmoid's slope at o_k; entry "
        "[k, i] pairs it with hidden value i, so the matrix is outputs × hidden (an outer "
        "product).",
        mistakes=[
            Mistake(
                _flipped_output_sign,
                "the sign is flipped.",
                "dE/do = o - t (not t - o): the error grows when o moves away from t.",
            ),
            Mistake(
                _transposed_output,
                "the matrix is transposed: expected outputs × hidden.",
                "row k belongs to output k.",
            ),
            Mistake(
                _no_output_slope,
                "the factor o(1 - o) is missing.",
                "the sigmoid's slope o * (1 - o) is the middle link of the chain.",
            ),
        ],
    ),
    Exercise(
        "grad_hidden_weights",
        points=3,
        reference=grad_hidden_weights,
        judge=_grad_judge(),
        public=[
            _hidden_grad_case("the chapter's example", EXAMPLE),
            _hidden_grad_case("a 3-4-2 network", _random_net(4, 3, 4, 2)),
            _hidden_grad_case("a 2-3-1 network", _random_net(5, 2, 3, 1)),
        ],
        hidden=_hidden_grad_hidden,
        hint="hidden neuron i collects the output error signals through the weights it "
        "feeds, times the sigmoid's slope at h_i; entry [i, j] pairs that with input j "
        "(hidden × inputs).",
        mistakes=[
            Mistake(
                _transposed_hidden,
                "the matrix is transposed: expected hidden × inputs.",
                "row i belongs to hidden neuron i.",
            ),
            Mistake(
                _no_hidden_slope,
                "the factor h(1 - h) of the hidden sigmoid is missing.",
                "multiply the back-propagated sum by hidden * (1 - hidden).",
            ),
            Mistake(
                _untransposed_w2,
                "you summed over the wrong index of W2 (W2 instead of its transpose).",
                "hidden neuron i collects the output signals through the "
                "weights it feeds: column i of W2, not row i.",
            ),
            Mistake(_flipped_hidden_sign, "the sign is flipped.", "dE/do = o - t (not t - o)."),
        ],
    ),
    Exercise(
        "sgd_update",
        points=2,
        reference=sgd_update,
        judge=judge.Array(atol=1e-12, kinds="f"),
        public=[
            Case(
                (W2, grad_output_weights(*forward(X, W1, B1, W2, B2), T), 0.5),
                label="sgd_update(W2 of the example, its gradient, 0.5)",
            ),
            Case(
                (W1, grad_hidden_weights(X, *forward(X, W1, B1, W2, B2), T, W2), 0.5),
                label="sgd_update(W1 of the example, its gradient, 0.5)",
            ),
            Case((np.array([1.0, -2.0, 3.0]), np.array([10.0, 0.0, -5.0]), 0.1)),
        ]
        + [
            Case(
                (W2, grad_output_weights(*forward(X, W1, B1, W2, B2), T), bad),
                hint=_LR_HINT,
                label=f"sgd_update(W2 of the example, its gradient, {bad!r})",
            )
            for bad in (0.0, -0.1, float("nan"))
        ]
        + [
            Case(
                (W2, np.zeros(3), 0.5),
                label="sgd_update(W2 of the example, np.zeros(3), 0.5)",
                hint="raise ValueError when weights and gradients differ in shape.",
            ),
            Case(
                (np.ones((2, 3)), np.ones((3, 2)), 0.1),
                hint="same number of values, different shapes: raise ValueError too.",
            ),
        ],
        hidden=_sgd_hidden,
        groups={"values": 1, "errors": 1},
        hint=_SGD_HINT,
        mistakes=[
            Mistake(
                _along_gradient,
                "you stepped along the gradient.",
                "subtract the scaled gradient: we step against it.",
            )
        ],
    ),
    Exercise(
        "precision_recall_f1",
        points=2,
        reference=precision_recall_f1,
        judge=judge.Seq(
            [judge.Float(rel=1e-9, abs=1e-12)] * 3, names=["precision", "recall", "F1"]
        ),
        public=[Case(args) for args in [(4, 2, 6), (90, 10, 210), (10, 0, 0), (0, 3, 5), (1, 1, 3)]]
        + [Case(bad, hint=_COUNTS_HINT) for bad in [(0, 0, 5), (0, 4, 0), (3, -1, 2), (-1, 2, 2)]],
        hidden=_prf_hidden,
        groups={"values": 1, "errors": 1},
        hint=_PRF_HINT,
        mistakes=[
            Mistake(
                _swapped_fp_fn,
                "you swapped the false positives and false negatives.",
                "precision divides by tp + fp (what was predicted positive), recall by "
                "tp + fn (what is actually positive).",
            ),
            Mistake(
                _arithmetic_mean,
                "F1 is the harmonic mean, not the average.",
                "F1 is the harmonic mean of P and R.",
            ),
        ],
    ),
    Exercise(
        "count_parameters",
        points=2,
        reference=count_parameters,
        judge=judge.Int(),
        public=[Case((sizes,)) for sizes in [[2, 2, 2], [784, 128, 10], [3, 1], (10, 20, 30, 40)]]
        + [Case((bad,), hint=_SIZES_HINT) for bad in [[5], [], [3, 0, 2], [2, -1], [2, 1.5]]],
        hidden=_params_hidden,
        groups={"values": 1, "errors": 1},
        hint=_PARAMS_HINT,
        mistakes=[
            Mistake(
                _no_biases,
                "you forgot the biases.",
                "every neuron after the input layer has one bias.",
            ),
            Mistake(
                _input_biases,
                "you counted biases for the input layer too.",
                "the input layer has no weights and no biases.",
            ),
        ],
    ),
]
