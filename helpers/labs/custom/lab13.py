"""Lab 13 comparator: a residual unit built in Keras (judged by its layers, then its outputs).

It judges, it holds no answers (shipped to students): what the unit should be is read from
the expected model's description, never written here.
"""

from __future__ import annotations

from helpers.labs.custom import models

_HINTS = {
    "kinds": "main path 3×3 conv → BN → ReLU → 3×3 conv → BN, then the shortcut (a 1×1 conv → BN "
    "only when the shape changes), Add()([main, shortcut]), ReLU",
    "shapes": "padding='same' in every convolution; the stride goes into the FIRST 3×3 "
    "convolution and into the 1×1 projection",
    "params": "use_bias=False in the convolutions (batch normalization shifts instead)",
    "activations": "ReLU after the first batch normalization and after the addition, nowhere "
    "else (the second BN goes straight into the addition)",
}


def _count(rows, kind):
    return sum(r.kind == kind for r in rows)


def unit_summary(got, expected):
    """The layers of ``got`` (a described Keras model) against the expected unit's."""
    problem = models.not_a_model(
        got, "return keras.Model(inputs, outputs)"
    ) or models.input_problem(got, expected, "start with inputs = keras.Input(input_shape)")
    if problem:
        return problem
    rows = models.layer_rows(got.attrs, fold_activations=True)
    if isinstance(rows, str):
        return rows
    want = models.layer_rows(expected.attrs, fold_activations=True)
    if not any(r.kind == "Add" for r in rows):
        return ("your unit has no Add layer: without adding the shortcut to the main path it is "
                "a plain block, not a residual unit (layers.Add()([main, shortcut]))")  # fmt: skip
    got_convs, want_convs = _count(rows, "Conv2D"), _count(want, "Conv2D")
    if got_convs < want_convs:
        return ("the input's shape changes in this unit (another stride or another number of "
                "channels), so it cannot be added as it is: the shortcut needs a projection, a "
                "1×1 convolution with the same stride, then batch normalization")  # fmt: skip
    if got_convs > want_convs:
        return ("here the unit keeps the shape (stride 1, as many filters as input channels): "
                "the shortcut is the input itself, no projection")  # fmt: skip

    def key(r):
        return (r.kind, r.params, r.output_shape, r.activation)

    if [key(r) for r in rows] != [key(e) for e in want] and sorted(map(key, rows), key=str) == (
        sorted(map(key, want), key=str)
    ):
        return ("your unit has the right layers, but Keras lists them in another order: build "
                "the main path first and add it first, layers.Add()([main, shortcut]), so that "
                "the weights come in the order main path, then shortcut")  # fmt: skip
    if any(r.kind == "Conv2D" and r.params != e.params and r.params == e.params + e.output_shape[-1]
           for r, e in zip(rows, want, strict=False)):  # fmt: skip
        return "a convolution has biases: " + _HINTS["params"]
    return models.first_difference(rows, want, hints=_HINTS)


def residual_model(got, expected, atol=1e-4, rtol=1e-4):
    """A unit judged by its layers; with probes ``(model, set_weights(...), model(x))``, also by
    what it computes with the weights of the case."""
    return models.probed(
        got,
        expected,
        unit_summary,
        atol=atol,
        rtol=rtol,
        what="with the same weights, its outputs on random images differ: {problem} (the stride "
        "in the first 3×3 convolution and in the projection; BN after each convolution; ReLU "
        "after the first BN and after the addition only; Add()([main, shortcut]) so that the "
        "weights are in the order main path, then shortcut)",
    )
