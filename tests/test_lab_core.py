"""Unit tests of the grading core: the wire (helpers.labs.wire), the comparators and verdicts
(helpers.labs.judge), the in-notebook checks (helpers.labs.checks), declarations
(helpers.labs.spec) and the sandbox's pieces (helpers.labs.sandbox)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers.labs import judge, sandbox, spec, wire
from helpers.labs.checks import CheckFailed, for_lab


def _roundtrip(value):
    return wire.decode(json.loads(json.dumps(wire.encode(value))))


# --- wire ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    None, True, 3, -2**70, 2.5, "text", [1, [2.0, "x"]], (1, (2, 3)), {"a": 1, 2: (3,)},
    np.arange(6, dtype=np.uint8).reshape(2, 3), np.array([[1.5, -0.25]], dtype=np.float32),
    np.zeros((0, 4)), np.array([True, False]), np.float32(1.25), np.int16(-7),
    np.array([1 + 2j]), Path("/tmp/x/best.keras"),
])  # fmt: skip
def test_plain_values_cross_the_wire_unchanged(value):
    back = _roundtrip(value)
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape
        assert np.array_equal(back, value)
    else:
        assert back == value


def test_non_finite_floats_survive():
    back = _roundtrip([math.inf, -math.inf, math.nan, np.float64(math.nan)])
    assert back[:2] == [math.inf, -math.inf] and math.isnan(back[2]) and math.isnan(back[3])


def test_a_history_placeholder_becomes_a_fresh_keras_history_in_each_call():
    import keras

    placeholder = wire.History({"accuracy": [0.5, 0.7], "val_accuracy": [0.4, 0.6]})
    request = json.loads(json.dumps(wire.encode([placeholder])))
    (back,) = wire.decode(request)
    assert back == placeholder
    made = wire.materialize(back)
    assert isinstance(made, keras.callbacks.History) and made.epoch == [0, 1]
    made.history["accuracy"].append(1.0)  # a call that changes it changes only its own copy
    assert wire.materialize(back).history["accuracy"] == [0.5, 0.7]
    with pytest.raises(ValueError, match="dict"):
        wire.decode({"$": "history", "history": [1, 2]})


def test_objects_arrive_as_descriptions_never_as_objects():
    class Callback:
        def __init__(self):
            self.monitor, self.patience, self.path = "val_loss", 5, Path("run/best.keras")
            self._secret, self.model = 1, object()

    back = _roundtrip(Callback())
    assert isinstance(back, wire.Described) and back.type == "Callback"
    assert back.attrs == {"monitor": "val_loss", "patience": 5, "path": "run/best.keras"}


def test_object_arrays_and_unknown_tags_are_refused():
    assert wire.encode(np.array([object()], dtype=object))["$"] == "object"
    with pytest.raises(ValueError):
        wire.decode({"$": "ndarray", "dtype": "|O", "shape": [1], "b64": ""})
    with pytest.raises(ValueError):
        wire.decode({"$": "pickle", "data": "..."})
    with pytest.raises(ValueError, match="do not match"):
        wire.decode({"$": "ndarray", "dtype": "<f8", "shape": [3], "b64": "AAAA"})


def test_placeholders_are_made_afresh_for_each_call():
    rng_a, rng_b = wire.materialize([wire.Rng(5), wire.Rng(5)])
    assert rng_a is not rng_b and rng_a.random() == rng_b.random()
    folder = wire.materialize(wire.TempDir("run"))
    assert folder.name == "run" and folder.parent.is_dir() and not folder.exists()


def test_a_keras_model_is_described_by_its_layers():
    import keras

    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                              keras.layers.Flatten(), keras.layers.Dense(2)])  # fmt: skip
    back = _roundtrip(model)
    assert back.type == "keras.Model"
    layers = back.attrs["layers"]
    assert [layer["class"] for layer in layers] == ["Conv2D", "Flatten", "Dense"]
    assert layers[0]["output_shape"] == [None, 6, 6, 4] and layers[0]["params"] == 40
    assert layers[0]["activation"] == "relu" and back.attrs["params"] == 40 + 144 * 2 + 2


def test_call_one_records_errors_timeouts_mutations_and_views():
    def changes(x):
        x[0] = 99
        return x.sum()

    def view(x):
        return x[::-1]

    def slow(x):
        while True:
            pass

    x = {"id": "c", "function": "f", "args": wire.encode([np.arange(3.0)])}
    assert wire.call_one({"f": changes}, x)["mutated"] is True
    assert wire.call_one({"f": view}, x)["aliases"] is True
    assert wire.call_one({"f": slow}, x, seconds=0.2)["timeout"] is True
    out = wire.call_one({"f": lambda a: int("x")}, x)
    assert out["ok"] is False and out["error"]["type"] == "ValueError"
    assert "Exception" in out["error"]["mro"]
    assert wire.call_one({}, x)["missing"] is True


def test_serve_file_writes_one_result_per_call(tmp_path):
    calls = [{"id": f"c{i}", "function": "double", "args": wire.encode([i])} for i in range(3)]
    (tmp_path / "request.json").write_text(json.dumps({"calls": calls, "seconds": 5}))
    wire.serve_file(str(tmp_path), {"double": lambda v: 2 * v})
    values = [json.loads((tmp_path / f"result-{i}.json").read_text())["value"] for i in range(3)]
    assert values == [0, 2, 4]


# --- judge -----------------------------------------------------------------------------------


class AlwaysEqual(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__


@pytest.mark.parametrize("comparator,got,expected,problem", [
    (judge.Int(), 3, 3, None), (judge.Int(), np.int64(3), 3, None),
    (judge.Int(), 3.0, 3, "expected a whole number"), (judge.Int(), True, 1, "whole number"),
    (judge.Int(), 4, 3, "expected 3, got 4"),
    (judge.Float(rel=1e-6), 0.30000001, 0.3, None), (judge.Float(), "0.3", 0.3, "a number"),
    (judge.Float(), math.nan, 0.3, "expected 0.3"),
    (judge.Array(kinds="f"), np.ones(2), np.ones(2), None),
    (judge.Array(kinds="f"), [1.0, 1.0], np.ones(2), "np.ndarray"),
    (judge.Array(kinds="f"), np.ones(3), np.ones(2), "expected shape (2,)"),
    (judge.Array(kinds="f"), np.ones(2, int), np.ones(2), "float dtype"),
    (judge.Array(same_dtype=True), np.ones(2, np.int32), np.ones(2, np.int64), "dtype int64"),
    (judge.Array(atol=1e-9), np.array([1.0, 2.5]), np.array([1.0, 2.0]), "at index (1,)"),
    (judge.Array(atol=1e-9), np.array([np.nan]), np.array([1.0]), "NaN"),
    (judge.Exact(), [1, (2, "a")], [1, (2, "a")], None),
    (judge.Exact(), [1, [2, "a"]], [1, (2, "a")], "expected a tuple at [1]"),
    (judge.Exact(), {"a": 1.0}, {"a": 1.0 + 1e-12}, None),
    (judge.Seq([judge.Int(), judge.Float()], names=["n", "x"]), (1, 2.0), (1, 2.5), "x: "),
])  # fmt: skip
def test_comparators(comparator, got, expected, problem):
    result = comparator.compare(got, expected)
    if problem is None:
        assert result is None
    else:
        assert result is not None and problem in result, result


def test_an_always_equal_object_fails_every_comparator():
    """It claims to equal anything; its value (5.0) is what is judged."""
    for comparator, expected in [
        (judge.Int(), 1),
        (judge.Float(), 1.0),
        (judge.Array(), np.ones(1)),
        (judge.Exact(), [1.0, 2]),
    ]:
        got = [AlwaysEqual(5.0), 2] if isinstance(expected, list) else AlwaysEqual(5.0)
        assert comparator.compare(got, expected) is not None


def test_comparators_round_trip_through_json():
    seq = judge.Seq([judge.Array(atol=0.1, kinds="f"), judge.Custom("lab03.x", {"a": 1})])
    assert judge.from_json(json.loads(json.dumps(seq.to_json()))) == seq


def test_verdict_names_a_declared_mistake_and_the_expected_error():
    ok = {"ok": True, "value": 4}
    wrong = {"ok": True, "value": 3}
    common = dict(what="f(7, 2)", judge=judge.Int(), hint="round up")
    assert judge.verdict(outcome=ok, expected=ok, **common) is None
    assert "expected 4, got 3" in judge.verdict(outcome=wrong, expected=ok, **common)
    message = judge.verdict(outcome=wrong, expected=ok, mistakes=[(wrong, "you rounded down.",
                                                                   None)], **common)  # fmt: skip
    assert message == "f(7, 2): you rounded down.\nHint: round up"
    raises = {"ok": False, "error": {"type": "ValueError", "mro": ["ValueError"]}}
    assert "instead of raising ValueError" in judge.verdict(outcome=ok, expected=raises, **common)
    subclass = {"ok": False, "error": {"type": "Bad", "mro": ["Bad", "ValueError"]}}
    assert judge.verdict(outcome=subclass, expected=raises, **common) is None


def test_a_declared_warning_rule_fails_right_values_computed_with_a_warning():
    def divides(a, b):
        return np.nan_to_num(np.asarray(a, float) / np.asarray(b, float))

    call = {"id": "c", "function": "f", "args": wire.encode([[1.0, 0.0], [2.0, 0.0]])}
    raw = wire.call_one({"f": divides}, call)
    outcome = spec.decode_outcome(json.loads(json.dumps(raw)))
    assert any(w.startswith("RuntimeWarning: ") for w in outcome["warnings"])
    expected = {"ok": True, "value": np.array([0.5, 0.0])}
    common = dict(what="f(a, b)", expected=expected, judge=judge.Array())
    assert judge.verdict(outcome=outcome, **common) is None  # warnings allowed by default
    message = judge.verdict(outcome=outcome, no_warnings="Divide only where b > 0.", **common)
    assert "NumPy warned 'invalid value encountered in divide'. Divide only" in message
    with pytest.raises(ValueError, match="warnings"):
        spec.decode_outcome({"ok": True, "warnings": [1]})


# --- checks ----------------------------------------------------------------------------------


def test_a_failed_check_renders_as_its_message_only():
    check = for_lab("00")
    with pytest.raises(CheckFailed) as failure:
        check("batches_per_epoch", lambda n, b: 0)
    lines = failure.value._render_traceback_()
    assert lines[0].startswith("\x1b[31m✘ batches_per_epoch(") and len(lines) == 2
    assert failure.value.__cause__ is None and failure.value.__context__ is None


def test_a_check_of_something_that_is_not_a_function():
    with pytest.raises(CheckFailed, match="expected a function"):
        for_lab("00")("batches_per_epoch", 3)
    with pytest.raises(KeyError, match="no exercise 'nope'"):
        for_lab("00")("nope", print)


def test_the_public_store_holds_no_reference_code():
    text = (spec.PUBLIC_DIR / "lab03.json").read_text(encoding="utf-8")
    assert "def " not in text and "conv.conv2d" not in text


# --- spec ------------------------------------------------------------------------------------


def test_lab_names():
    assert spec.lab_number("03_convolution_lab") == spec.lab_number("lab03") == "03"
    with pytest.raises(ValueError):
        spec.lab_number("convolution")


def test_group_points_must_add_up():
    with pytest.raises(ValueError, match="do not add up"):
        spec.Exercise("f", points=2, reference=abs, judge=judge.Int(), groups={"a": 1})


def test_reference_outcomes_are_computed_through_the_wire():
    ex = spec.Exercise("f", points=1, reference=lambda x: x * 2, judge=judge.Array())
    out = spec.reference_outcome(ex, spec.Case((np.arange(3),)))
    assert out["ok"] and np.array_equal(out["value"], [0, 2, 4])


# --- sandbox ---------------------------------------------------------------------------------


def test_the_launcher_caps_memory(tmp_path):
    code = "bytearray(8 * 1024**3)"
    run = subprocess.run([sys.executable, "-m", "helpers.labs.sandbox", "--memory-mb", "1024",
                          "--home", str(tmp_path / "home"), "--", sys.executable, "-c", code],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode != 0 and "MemoryError" in run.stderr


def test_the_sweeper_kills_an_orphaned_daemon():
    token = "sweep-test"
    sweeper = sandbox.ProcessSweeper(token)
    try:
        code = ("import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\n"
                "os._exit(0)")  # fmt: skip
        env = dict(os.environ, **{sandbox.TOKEN_VARIABLE: token})
        subprocess.run([sys.executable, "-c", code], env=env, timeout=60)
        killed, survivors = sweeper.sweep(grace=0.2)
    finally:
        sweeper.close()
    if not Path("/proc/self/stat").exists():
        pytest.skip("no /proc here")
    assert killed == 1 and survivors == []


def test_kernel_command_with_and_without_bubblewrap(tmp_path):
    plain = sandbox.kernel_argv(work=tmp_path, memory_mb=512, sandbox=False)
    assert plain[1:3] == ["-m", "helpers.labs.sandbox"] and "{connection_file}" in plain
    wrapped = sandbox.kernel_argv(work=tmp_path, memory_mb=512, hide=[tmp_path],
                                  sandbox=True)  # fmt: skip
    assert "--unshare-pid" in wrapped and "--die-with-parent" in wrapped
    assert f"--tmpfs {tmp_path} " in " ".join(wrapped)
