"""The shared model-judging functions of the labs (``helpers/labs/custom/models.py``) and the
shared arithmetic of the declarations (``helpers/labs/specs/_common.py``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers.labs import spec, wire
from helpers.labs.custom import models
from helpers.labs.custom.models import Row
from helpers.labs.specs import _common
from helpers.labs.wire import Described


def _layer(cls, shape, params=0, activation=None, name=None, **config):
    return {"class": cls, "name": name or cls.lower(), "params": params,
            "output_shape": None if shape is None else [None, *shape],
            "activation": activation, "weight_shapes": [], "config": config}  # fmt: skip


def _model(*layers, inputs=((8, 8, 1),)):
    attrs = {"class": "Sequential", "layers": list(layers),
             "inputs": None if inputs is None else [[None, *s] for s in inputs],
             "params": sum(layer["params"] for layer in layers)}  # fmt: skip
    return Described("keras.Model", attrs)


def _cnn(act="relu", filters=4, last="softmax"):
    return _model(
        _layer("Conv2D", (6, 6, filters), 10 * filters, act),
        _layer("Flatten", (36 * filters,)),
        _layer("Dense", (3,), 36 * filters * 3 + 3, last),
    )


# ----------------------------------------------------------------------------- kinds and inputs


def test_kind_and_is_model():
    assert models.kind(_cnn()) == "keras.Model" and models.kind("x") == "str"
    assert models.kind(Described("EarlyStopping", {})) == "EarlyStopping"
    assert models.is_model(_cnn())
    assert not models.is_model(Described("Sequential", {})) and not models.is_model(None)


def test_not_a_model_names_what_came_and_gives_the_advice():
    assert models.not_a_model(_cnn(), "return it") is None
    text = models.not_a_model("a model", "return keras.Sequential([...])")
    assert text == "expected a Keras model, got str 'a model'; return keras.Sequential([...])"
    assert "got NoneType" in models.not_a_model(None, "return it")


def test_input_problem():
    want = _cnn()
    assert models.input_problem(_cnn(), want, "advice") is None
    other = _model(inputs=((8, 8, 3),))
    assert models.input_problem(other, want, "use the argument") == (
        "the model's input shape is (8, 8, 3), expected (8, 8, 1); use the argument"
    )
    missing = models.input_problem(_model(inputs=None), want, "advice", missing="add an Input")
    assert "no defined input (it is not built); add an Input" in missing
    assert models.input_problem(_model(inputs=()), want, "advice").endswith("; advice")
    two = models.input_problem(_model(inputs=((8, 8, 1), (2,))), want, "advice")
    assert "[(8, 8, 1), (2,)]" in two


# ----------------------------------------------------------------------------- rows


def test_layer_rows_drop_the_batch_axis_and_skip_input_layers():
    attrs = _model(_layer("InputLayer", (8, 8, 1)), _layer("Conv2D", (6, 6, 4), 40, "relu",
                                                          name="c1")).attrs  # fmt: skip
    assert models.layer_rows(attrs) == [Row("Conv2D", "c1", (6, 6, 4), 40, "relu")]
    assert models.layer_rows(attrs, skip=())[0].kind == "InputLayer"
    assert models.layer_rows({}) == []


def test_folded_activation_layers_equal_activation_arguments():
    separate = _model(
        _layer("Conv2D", (6, 6, 4), 40, "linear"),
        _layer("Activation", (6, 6, 4), 0, "relu"),
        _layer("Flatten", (144,)),
        _layer("Dense", (3,), 435, "linear"),
        _layer("Softmax", (3,)),
    )
    inline = _model(_layer("Conv2D", (6, 6, 4), 40, "relu"), _layer("Flatten", (144,)),
                    _layer("Dense", (3,), 435, "softmax"))  # fmt: skip
    folded = models.layer_rows(separate.attrs, fold_activations=True)
    assert [r.activation for r in folded] == ["relu", None, "softmax"]
    assert models.first_difference(folded, models.layer_rows(inline.attrs)) is None
    assert len(models.layer_rows(separate.attrs)) == 5  # not folded unless asked


def test_folding_keeps_both_activations_and_refuses_a_leading_one():
    both = _model(_layer("Dense", (3,), 12, "relu"), _layer("ReLU", (3,)),
                  _layer("Activation", (3,), 0, "softmax"))  # fmt: skip
    (row,) = models.layer_rows(both.attrs, fold_activations=True)
    assert row.activation == "relu+relu+softmax"
    first = _model(_layer("ReLU", (8, 8, 1)), _layer("Flatten", (64,)))
    assert "starts with a ReLU layer" in models.layer_rows(first.attrs, fold_activations=True)


def test_a_layer_without_output_shape_means_not_built():
    text = models.layer_rows(_model(_layer("Conv2D", None, 0, "relu", name="c")).attrs)
    assert isinstance(text, str) and "'c' has no output shape" in text and "not built" in text


def test_show_rows_is_aligned_and_totals_the_weights():
    rows = [Row("Conv2D", "a", (26, 26, 64), 640, "relu"), Row("Flatten", "b", (43264,), 0, None),
            Row("Dense", "c", (10,), 432650, "softmax")]  # fmt: skip
    lines = models.show_rows(rows).splitlines()
    assert len(lines) == 5 and lines[-1] == "    total: 433,290 weights"
    header, *body = lines[:-1]
    for word in ("layer", "output shape"):
        column = header.index(word)
        assert all(line[column - 1] == " " and line[column] != " " for line in body)
    assert body[2].split() == ["3", "Dense", "(10,)", "432,650", "softmax"]
    assert models.show_rows([]).splitlines()[-1] == "    total: 0 weights"


# ----------------------------------------------------------------------------- first_difference


def _rows(model):
    return models.layer_rows(model.attrs)


def test_equal_rows_have_no_difference_whatever_the_names():
    renamed = _cnn()
    for layer in renamed.attrs["layers"]:
        layer["name"] += "_7"
    assert models.first_difference(_rows(renamed), _rows(_cnn())) is None


def test_kinds_come_first_then_shapes_then_weights_then_activations():
    hints = {a: f"<{a}>" for a in models.ASPECTS}
    extra = _model(*_cnn().attrs["layers"], _layer("Dropout", (3,)))
    text = models.first_difference(_rows(extra), _rows(_cnn()), hints=hints, tables=False)
    assert text == "the layers differ: expected 3 layers, got 4; <kinds>"
    swapped = _model(_layer("Conv2D", (6, 6, 4), 40, "relu"), _layer("Flatten", (144,)),
                     _layer("Conv2D", (3,), 435, "softmax"))  # fmt: skip
    text = models.first_difference(_rows(swapped), _rows(_cnn()), hints=hints, tables=False)
    assert text == "the layers differ at layer 3: Conv2D, expected Dense; <kinds>"
    # 8 filters and tanh: the shape is reported, not the weights or the activation
    text = models.first_difference(_rows(_cnn("tanh", 8)), _rows(_cnn()), hints=hints,
                                   tables=False)  # fmt: skip
    assert text == "layer 1 (Conv2D): expected output shape (6, 6, 4), got (6, 6, 8); <shapes>"
    heavier = _cnn()
    heavier.attrs["layers"][0]["params"] = 36
    text = models.first_difference(_rows(heavier), _rows(_cnn("tanh")), hints=hints, tables=False)
    assert text == "layer 1 (Conv2D): expected 40 weights, got 36; <params>"
    text = models.first_difference(_rows(_cnn("tanh")), _rows(_cnn()), hints=hints, tables=False)
    assert text == "layer 1 (Conv2D) has the activation 'tanh', expected 'relu'; <activations>"


def test_a_missing_softmax_at_the_end_has_its_own_message():
    for last in ("linear", "sigmoid"):
        text = models.first_difference(_rows(_cnn(last=last)), _rows(_cnn()), tables=False)
        assert text.startswith(f"the last layer's activation is {last!r}, expected 'softmax'")
        assert "needs a softmax" in text
    text = models.first_difference(_rows(_cnn(last="relu+softmax")), _rows(_cnn()), tables=False)
    assert text == "layer 3 (Dense) has the activation 'relu+softmax', expected 'softmax'"


def test_intro_tables_and_unreadable_rows():
    text = models.first_difference(_rows(_cnn("tanh")), _rows(_cnn()), intro="yours differs")
    first, *rest = text.splitlines()
    assert first.startswith("yours differs: layer 1 (Conv2D)")
    assert rest[0] == "  expected:" and "  yours:" in rest and "tanh" in rest[-4]
    assert models.first_difference("the model is not built", _rows(_cnn())) == (
        "the model is not built"
    )


# ----------------------------------------------------------------------------- probed


def _summary(got, expected):
    return models.not_a_model(got, "return a model") or models.first_difference(
        _rows(got), _rows(expected), tables=False
    )


_PROBS = np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], dtype=np.float32)


def _case(model, outputs):
    return (model, None, outputs)


def test_probed_without_probes_is_the_summary():
    assert models.probed(_cnn(), _cnn(), _summary, atol=1e-4) is None
    assert "'tanh'" in models.probed(_cnn("tanh"), _cnn(), _summary, atol=1e-4)


def test_probed_judges_the_model_then_the_outputs():
    want = _case(_cnn(), _PROBS)
    assert models.probed(_case(_cnn(), _PROBS + 1e-6), want, _summary, atol=1e-4) is None
    assert "'tanh'" in models.probed(_case(_cnn("tanh"), _PROBS), want, _summary, atol=1e-4)
    assert models.probed(_cnn(), want, _summary, atol=1e-4) == (
        "expected the model and 2 probe results, got keras.Model"
    )
    wrong = models.probed(_case(_cnn(), _PROBS[:1]), want, _summary, atol=1e-4)
    assert wrong == "the model's outputs have shape (1, 3), expected (2, 3)"
    nan = _PROBS.copy()
    nan[0, 0] = np.nan
    assert "not finite" in models.probed(_case(_cnn(), nan), want, _summary, atol=1e-4)
    assert "shape list" in models.probed(_case(_cnn(), _PROBS.tolist()), want, _summary, atol=1)


def test_probed_asks_for_a_softmax_only_when_the_expected_outputs_are_probabilities():
    want = _case(_cnn(), _PROBS)
    text = models.probed(_case(_cnn(), _PROBS * 2), want, _summary, atol=1e-4)
    assert text.startswith("the outputs are not 3 probabilities per example summing to 1")
    logits = _case(_cnn(), _PROBS * 2)
    text = models.probed(_case(_cnn(), _PROBS), logits, _summary, atol=1e-4,
                         what="other outputs ({problem}), check the layers")  # fmt: skip
    assert text.startswith("other outputs (wrong values; at index") and text.endswith("layers")


def test_probed_tolerance_and_default_message():
    want = _case(_cnn(), _PROBS)
    shifted = _PROBS + np.array([0.01, -0.01, 0.0], dtype=np.float32)
    text = models.probed(_case(_cnn(), shifted), want, _summary, atol=1e-4)
    assert text.startswith("with the same weights, the model computes other outputs: wrong")
    assert models.probed(_case(_cnn(), shifted), want, _summary, atol=0.02) is None
    assert models.probed(_case(_cnn(), shifted), want, _summary, atol=0, rtol=0.03) is None
    assert models.probed(_case(_cnn(), shifted), want, _summary, atol=1e-4,
                         what="differs").startswith("differs: wrong values")  # fmt: skip


# ----------------------------------------------------------------------------- with Keras


def test_real_models_through_the_wire():
    import keras
    from keras import layers

    def described(model):
        data = json.loads(json.dumps(wire.encode(model)))
        return wire.decode(data)

    inline = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
                               layers.Flatten(),
                               layers.Dense(3, activation="softmax")])  # fmt: skip
    separate = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(4, 3), layers.ReLU(),
                                 layers.Flatten(), layers.Dense(3),
                                 layers.Activation("softmax")])  # fmt: skip
    unbuilt = keras.Sequential([layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(3)])
    a, b, c = described(inline), described(separate), described(unbuilt)
    assert models.input_problem(a, b, "advice") is None
    rows = models.layer_rows(a.attrs)
    assert rows[0] == Row("Conv2D", rows[0].name, (6, 6, 4), 40, "relu")
    folded = models.layer_rows(b.attrs, fold_activations=True)
    assert models.first_difference(folded, rows) is None
    assert "no defined input" in models.input_problem(c, a, "start with keras.Input")
    assert "not built" in models.layer_rows(c.attrs)

    @models.takes_model
    def count(model, extra=0):
        return model.count_params() + extra

    assert count(inline.to_json(), extra=1) == inline.count_params() + 1
    assert count(inline) == inline.count_params()


# ----------------------------------------------------------------------------- _common


def test_common_arithmetic():
    assert _common.conv_params(5, 5, 3, 6) == 456
    assert _common.conv_params(3, 1, 4, 2, bias=False) == 24
    assert _common.dense_params(84, 10) == 850 and _common.dense_params(84, 10, False) == 840
    assert _common.conv_macs(26, 26, 3, 3, 1, 64) == 389_376
    assert _common.conv_macs(4, 4, 3, 1, 2, 5) == 4 * 4 * 3 * 2 * 5
    assert _common.output_size(32, 5) == 28 and _common.output_size(28, 2, 2) == 14
    assert _common.output_size(7, 3, 2, "same") == 4
    with pytest.raises(ValueError, match="does not fit"):
        _common.output_size(4, 5)
    with pytest.raises(ValueError, match="padding"):
        _common.output_size(4, 5, padding="full")


def test_glorot_weights_are_drawn_in_order():
    shapes = [((3, 3, 2, 4), 4), ((36, 5), 5)]
    a = _common.glorot_weights(np.random.default_rng(0), shapes)
    b = _common.glorot_weights(np.random.default_rng(0), shapes)
    assert [w.shape for w in a] == [(3, 3, 2, 4), (4,), (36, 5), (5,)]
    assert all(w.dtype == np.float32 and np.array_equal(w, v) for w, v in zip(a, b, strict=True))
    limit = np.sqrt(6.0 / (3 * 3 * 2 + 3 * 3 * 4))
    assert np.abs(a[0]).max() <= limit
    rng = np.random.default_rng(0)
    rng.uniform(size=3 * 3 * 2 * 4)
    assert np.allclose(a[1], rng.normal(0.0, 0.1, size=4).astype(np.float32))


def test_the_common_module_is_not_a_lab():
    assert "_common" not in spec.known_labs() and "lab04" in spec.known_labs()
    for name in ("_common", "common"):
        with pytest.raises(KeyError):
            spec.load_specs(name)


def test_labs_formulas_agree_with_the_common_ones():
    lab04, lab07, lab09 = (spec.load_specs(n) for n in ("04", "07", "09"))
    assert lab04.conv_params(5, 5, 3, 6) == lab07.conv_params(5, 3, 6) == 456
    assert lab09._conv_params(5, 3, 6) == 456
    assert lab09.separable_params(3, 32, 64) == 3 * 3 * 32 + 32 * 64 + 64
    assert lab09.separable_params(3, 8, 4, depth_multiplier=3) == 9 * 24 + 24 * 4 + 4
    assert lab04.conv_output_shape((28, 28, 1), 8, 3, 2) == (13, 13, 8)
    with pytest.raises(ValueError, match="positive"):
        lab07.conv_output_size(0, 3)
