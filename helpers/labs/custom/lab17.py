"""Lab 17 comparators: the two-headed localizer model.

They judge, they hold no answers (shipped to students): what the model should be is read from
the expected model's description, never written here.
"""

from __future__ import annotations

import numpy as np

from helpers.labs.custom import models
from helpers.labs.judge import Array

HEADS = ("class", "box")

_HINTS = {
    "kinds": "the trunk is Conv2D, MaxPooling2D, Conv2D, MaxPooling2D, Flatten, Dense; then the "
    "'class' and 'box' heads",
    "shapes": "padding='same' in both convolutions, 2x2 pooling",
    "params": "16 then 32 filters of 3x3, Dense(64) before the heads",
    "activations": "ReLU in the convolutions and the hidden Dense layer; softmax in 'class', "
    "sigmoid in 'box'",
}


def _heads(rows):
    return {r.name: r for r in rows if r.name in HEADS}


def localizer_summary(got, expected):
    """The learner's layers against the expected ones: the trunk, then two named heads."""
    problem = models.not_a_model(got, "return keras.Model(inputs, {'class': ..., 'box': ...})")
    if problem:
        return problem
    problem = models.input_problem(got, expected, "start with keras.Input(input_shape)")
    if problem:
        return problem
    rows = models.layer_rows(got.attrs)
    if isinstance(rows, str):
        return rows
    want = models.layer_rows(expected.attrs)
    outputs = got.attrs.get("outputs") or []
    if len(outputs) != 2:
        return (
            f"the model has {len(outputs)} output(s); a localizer has two: the class "
            "probabilities and the 4 box numbers"
        )
    heads, want_heads = _heads(rows), _heads(want)
    missing = [h for h in HEADS if h not in heads]
    if missing:
        return (
            f"no layer named {missing[0]!r}: name the two output layers 'class' and 'box' "
            "(name=...) so that losses, weights and targets can refer to them"
        )
    for name in HEADS:
        g, e = heads[name], want_heads[name]
        if g.output_shape != e.output_shape:
            return (
                f"the {name!r} head outputs shape {g.output_shape}, expected "
                f"{e.output_shape}"
                + (
                    "; the box is 4 numbers (cx, cy, w, h)"
                    if name == "box"
                    else "; one probability per class"
                )
            )
        if g.activation != e.activation:
            why = (
                "probabilities that sum to 1"
                if e.activation == "softmax"
                else "4 numbers in (0, 1), like the normalised targets"
            )
            return (
                f"the {name!r} head's activation is {g.activation!r}, expected "
                f"{e.activation!r}: {why}"
            )
    return models.first_difference(rows, want, hints=_HINTS)


def _outputs(value):
    if type(value) is dict:
        return value
    return None


def localizer(got, expected, atol=1e-4, rtol=1e-4):
    """The model by its layers; with probes, also by what its two heads compute."""
    if type(expected) is not tuple:
        return localizer_summary(got, expected)
    if type(got) is not tuple or len(got) != len(expected):
        return f"expected the model and {len(expected) - 1} probe results, got {models.kind(got)}"
    problem = localizer_summary(got[0], expected[0])
    if problem:
        return problem
    out, want = _outputs(got[-1]), expected[-1]
    if out is None or set(out) != set(HEADS):
        shown = sorted(out) if out is not None else models.kind(got[-1])
        return (
            f"predict() returned {shown}; expected a dict with the keys 'class' and 'box' "
            "(give keras.Model a dict of outputs)"
        )
    for name in HEADS:
        judge = Array(atol=atol, rtol=rtol, kinds="f")
        problem = judge.compare(out[name], np.asarray(want[name]))
        if problem:
            return (
                f"with the same weights, the {name!r} head computes other outputs: {problem} "
                "(check the layers' order, activations and padding)"
            )
    return None
