"""Judging Keras models in labs: shared by the labs' comparators (``labNN.py`` here).

A learner's model reaches a comparator as a :class:`~helpers.labs.wire.Described` (``type ==
"keras.Model"``; ``attrs`` from :func:`helpers.labs.wire.describe_model`), and the expected
one is the reference's description. Nothing here knows what any lab's model should be: every
expectation is read from the expected description, and each lab passes its own advice and
hint phrases. Shipped to students: judging logic only, never answers.

The usual comparator of a "build this model" exercise, in a lab's ``custom/labNN.py``::

    from helpers.labs.custom import models

    HINTS = {"kinds": "…", "shapes": "…", "params": "…", "activations": "…"}

    def summary(got, expected):
        problem = models.not_a_model(got, "return keras.Sequential([...])") or \
            models.input_problem(got, expected, "start with keras.Input(input_shape)")
        if problem:
            return problem
        return models.first_difference(models.layer_rows(got.attrs),
                                       models.layer_rows(expected.attrs), hints=HINTS)

    def my_model(got, expected, atol=1e-4, rtol=1e-4):   # judge.Custom("labNN.my_model", …)
        return models.probed(got, expected, summary, atol=atol, rtol=rtol,
                             what="with the same weights, its outputs differ: {problem}")

and in the declarations (``specs/labNN.py``), one case for the layers and one that sets the
reference's weights into the learner's model and calls it (``probed`` judges both)::

    Case(args), Case(args, then=[{"method": "set_weights", "args": [weights]},
                                 {"method": "__call__", "args": [images]}])

API (all return ``None`` when right, else a phrase for the learner, unless said otherwise):

- :func:`kind` ``(value) -> str``: the type name of a decoded value (``"keras.Model"``, ``"str"``).
- :func:`is_model` ``(value) -> bool``: a described Keras model.
- :func:`not_a_model` ``(got, advice)``: "expected a Keras model, got …; <advice>".
- :func:`input_problem` ``(got, expected, advice, *, missing=None)``: no defined input (the
  model was never given ``keras.Input``, so it is not built), or another input shape.
- :func:`layer_rows` ``(attrs, *, fold_activations=False, skip=("InputLayer",))``: the layers
  as :class:`Row` (kind, name, output shape without the batch axis, weights, activation), or a
  phrase when they cannot be read (a layer without an output shape).
- :func:`show_rows` ``(rows) -> str``: an aligned table of rows, with the total of weights.
- :func:`first_difference` ``(rows, want, *, hints, intro=None, tables=True)``: the first
  difference between two layer tables: the layer kinds, then the output shapes, then the
  weights, then the activations (a missing softmax at the end gets its own message).
- :func:`probed` ``(got, expected, summary, *, atol, rtol=0.0, what)``: a case whose value is
  ``(model, set_weights result, model(x) outputs)``: ``summary`` first, then the outputs
  (shape, finite, rows summing to 1 when the expected ones do, values within the tolerance).
- :func:`takes_model` (a decorator for the notebook, not a comparator): lets a learner's
  function receive a model that the checks send as its JSON text (models are not wire inputs).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from ..judge import Array, brief
from ..wire import Described

__all__ = [
    "Row", "ASPECTS", "kind", "is_model", "not_a_model", "input_problem", "layer_rows",
    "show_rows", "first_difference", "probed", "takes_model",
]  # fmt: skip

ASPECTS = ("kinds", "shapes", "params", "activations")  # the keys of first_difference's hints
_FOLDED = {"Activation": None, "ReLU": "relu", "Softmax": "softmax"}  # None: its own activation
_SUM_ATOL = 1e-4  # how far from 1 a row of softmax outputs may sum


class Row(NamedTuple):
    """One layer of a described model. ``output_shape`` has no batch axis; ``params`` counts
    the layer's weights; ``activation`` is the name of its activation function (``"linear"``
    for a Dense or Conv2D without one, None for layers that have none; with folded
    activation layers, ``"relu+softmax"`` for a ReLU layer followed by a softmax)."""

    kind: str
    name: str
    output_shape: tuple | None
    params: int
    activation: str | None


def kind(value: Any) -> str:
    """The type name of a decoded value: a description's ``type``, else the Python type's name."""
    return value.type if isinstance(value, Described) else type(value).__name__


def is_model(value: Any) -> bool:
    """True for a described Keras model (what a ``keras.Model`` becomes on the wire)."""
    return isinstance(value, Described) and value.type == "keras.Model"


def not_a_model(got: Any, advice: str) -> str | None:
    """None for a described Keras model, else "expected a Keras model, got …; ``advice``"."""
    if is_model(got):
        return None
    return f"expected a Keras model, got {kind(got)} {brief(got)}; {advice}"


def _no_batch(shape) -> tuple | None:
    return None if shape is None else tuple(shape[1:])


def input_problem(got: Described, expected: Described, advice: str, *,
                  missing: str | None = None) -> str | None:  # fmt: skip
    """None if ``got`` has one input of the expected shape (batch axis aside), else a phrase.

    A model without a defined input (no ``keras.Input``: Keras has not built it) gets
    "the model has no defined input (it is not built); ``missing`` (default ``advice``)";
    another shape gets "the model's input shape is …, expected …; ``advice``".
    """
    inputs = got.attrs.get("inputs")
    want = expected.attrs.get("inputs")
    if not inputs or inputs[0] is None:
        return f"the model has no defined input (it is not built); {missing or advice}"
    if inputs == want:
        return None
    shown = [_no_batch(s) for s in inputs] if len(inputs) != 1 else _no_batch(inputs[0])
    wanted = [_no_batch(s) for s in want or []] if len(want or []) != 1 else _no_batch(want[0])
    return f"the model's input shape is {shown}, expected {wanted}; {advice}"


def _fold(previous: str | None, activation: str | None) -> str | None:
    if activation is None or activation == "linear":
        return previous
    if previous is None or previous == "linear":
        return activation
    return f"{previous}+{activation}"


def layer_rows(attrs: Mapping, *, fold_activations: bool = False,
               skip: Sequence[str] = ("InputLayer",)) -> list[Row] | str:  # fmt: skip
    """The layers of a described model (``Described.attrs``) as :class:`Row` s.

    ``skip``: layer classes left out. ``fold_activations``: ``Activation``, ``ReLU`` and
    ``Softmax`` layers become the activation of the layer before them (so that
    ``Conv2D(…, activation="relu")`` and ``Conv2D(…)`` + ``Activation("relu")`` give the same
    rows). Returns a phrase instead when a layer has no output shape (the model is not built)
    or the model starts with an activation layer that has nothing to fold into.
    """
    rows: list[Row] = []
    for layer in attrs.get("layers") or []:
        cls = str(layer.get("class"))
        if cls in skip:
            continue
        if fold_activations and cls in _FOLDED:
            if not rows:
                return f"the model starts with a {cls} layer; put it after the layer it acts on"
            act = _FOLDED[cls] or layer.get("activation")
            rows[-1] = rows[-1]._replace(activation=_fold(rows[-1].activation, act))
            continue
        shape = layer.get("output_shape")
        if shape is None:
            return (f"layer {layer.get('name')!r} has no output shape: the model is not built; "
                    "start it with keras.Input(shape=...)")  # fmt: skip
        rows.append(Row(cls, str(layer.get("name", "")), _no_batch(shape),
                        int(layer.get("params") or 0), layer.get("activation")))  # fmt: skip
    return rows


def show_rows(rows: Sequence[Row]) -> str:
    """An aligned table of ``rows`` (number from 1, layer, output shape, weights, activation),
    indented by four spaces, with the total of weights on its last line."""
    cells = [("#", "layer", "output shape", "weights", "activation")]
    cells += [(str(i), r.kind, str(r.output_shape), f"{r.params:,}", r.activation or "")
              for i, r in enumerate(rows, 1)]  # fmt: skip
    widths = [max(len(c[j]) for c in cells) for j in range(5)]
    lines = [f"    {a:>{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d:>{widths[3]}}  {e}"
             .rstrip() for a, b, c, d, e in cells]  # fmt: skip
    lines.append(f"    total: {sum(r.params for r in rows):,} weights")
    return "\n".join(lines)


def _hinted(text: str, hints: Mapping[str, str], aspect: str) -> str:
    hint = hints.get(aspect)
    return f"{text}; {hint}" if hint else text


def first_difference(rows: Sequence[Row] | str, want: Sequence[Row] | str, *,
                     hints: Mapping[str, str] | None = None, intro: str | None = None,
                     tables: bool = True) -> str | None:  # fmt: skip
    """None if the learner's ``rows`` match the expected ``want``, else the first difference.

    Compared in this order, over all layers: the layer kinds (and count), the output shapes,
    the weights, the activations; layer names never count. ``hints`` maps an aspect of
    :data:`ASPECTS` to the lab's phrase, appended after "; ". A last layer without the
    expected softmax gets a message of its own ("the last layer needs a softmax"). ``intro``
    starts the message (e.g. "your model differs from Géron's"); ``tables``: append both
    tables. A ``str`` in place of rows (from :func:`layer_rows`) is returned as the problem.
    """
    if isinstance(rows, str):
        return rows
    if isinstance(want, str):  # pragma: no cover - the reference's model is always built
        raise ValueError(f"the expected model cannot be read: {want}")
    text = _difference(rows, want, hints or {})
    if text is None:
        return None
    if intro:
        text = f"{intro}: {text}"
    if tables:
        text += f"\n  expected:\n{show_rows(want)}\n  yours:\n{show_rows(rows)}"
    return text


def _difference(rows: Sequence[Row], want: Sequence[Row], hints: Mapping[str, str]) -> str | None:
    kinds, want_kinds = [r.kind for r in rows], [r.kind for r in want]
    if kinds != want_kinds:
        pairs = zip(kinds, want_kinds, strict=False)
        i = next((i for i, (a, b) in enumerate(pairs) if a != b), None)
        if i is None:
            text = f"the layers differ: expected {len(want)} layers, got {len(rows)}"
        else:
            text = f"the layers differ at layer {i + 1}: {kinds[i]}, expected {want_kinds[i]}"
        return _hinted(text, hints, "kinds")
    pairs = list(enumerate(zip(rows, want, strict=True), 1))
    for i, (g, e) in pairs:
        if g.output_shape != e.output_shape:
            return _hinted(f"layer {i} ({g.kind}): expected output shape {e.output_shape}, "
                           f"got {g.output_shape}", hints, "shapes")  # fmt: skip
    for i, (g, e) in pairs:
        if g.params != e.params:
            return _hinted(f"layer {i} ({g.kind}): expected {e.params:,} weights, got "
                           f"{g.params:,}", hints, "params")  # fmt: skip
    for i, (g, e) in pairs:
        if g.activation == e.activation:
            continue
        if i == len(pairs) and e.activation == "softmax" and "softmax" not in str(g.activation):
            return (f"the last layer's activation is {g.activation!r}, expected 'softmax': its "
                    "outputs are not probabilities that sum to 1; the last layer needs a "
                    "softmax (activation='softmax')")  # fmt: skip
        return _hinted(f"layer {i} ({g.kind}) has the activation {g.activation!r}, expected "
                       f"{e.activation!r}", hints, "activations")  # fmt: skip
    return None


def probed(got: Any, expected: Any, summary: Callable[[Any, Any], str | None], *,
           atol: float, rtol: float = 0.0,
           what: str = "with the same weights, the model computes other outputs: {problem}",
           ) -> str | None:  # fmt: skip
    """Judge a model case, with or without probes.

    Without probes (``expected`` is a description), this is ``summary(got, expected)``. With
    them, ``got`` and ``expected`` are ``(model, set_weights result, model(x) outputs)``:
    ``summary`` judges the models first; then the outputs must have the expected shape, be
    finite, sum to 1 per row when the expected ones do (else "the last layer needs a
    softmax"), and be within ``atol + rtol·max|expected|``. ``what`` says what differing
    outputs mean in the lab; ``{problem}`` in it stands for the differing values.
    """
    if type(expected) is not tuple:
        return summary(got, expected)
    if type(got) is not tuple or len(got) != len(expected):
        return f"expected the model and {len(expected) - 1} probe results, got {kind(got)}"
    problem = summary(got[0], expected[0])
    if problem:
        return problem
    outputs, wanted = got[-1], np.asarray(expected[-1], dtype=np.float64)
    if type(outputs) is not np.ndarray or outputs.shape != wanted.shape:
        shape = outputs.shape if type(outputs) is np.ndarray else kind(outputs)
        return f"the model's outputs have shape {shape}, expected {wanted.shape}"
    if outputs.dtype.kind != "f" or not np.isfinite(outputs.astype(np.float64)).all():
        return f"the model's outputs are not finite floats (dtype {outputs.dtype})"
    if wanted.size and wanted.min() >= 0 and _sums_to_one(wanted) and not _sums_to_one(outputs):
        return (f"the outputs are not {wanted.shape[-1]} probabilities per example summing to "
                "1; the last layer needs a softmax (activation='softmax')")  # fmt: skip
    problem = Array(atol=atol, rtol=rtol, kinds="f").compare(outputs, wanted)
    if problem is None:
        return None
    return what.replace("{problem}", problem) if "{problem}" in what else f"{what}: {problem}"


def _sums_to_one(values: np.ndarray) -> bool:
    total = np.asarray(values, dtype=np.float64).sum(axis=-1)
    return bool(np.abs(total - 1).max() <= _SUM_ATOL)


def takes_model(fn: Callable) -> Callable:
    """Decorate a learner's function whose first argument is a model: a model given as its
    JSON text (``model.to_json()``), as the checks send it, is rebuilt with
    :func:`helpers.models.from_json` before ``fn`` sees it; a model passes through."""

    @functools.wraps(fn)
    def wrapper(model, *args, **kwargs):
        if isinstance(model, str):
            from helpers.models import from_json  # knows the course's own layers

            model = from_json(model)
        return fn(model, *args, **kwargs)

    return wrapper
