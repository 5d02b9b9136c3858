"""Tests of helpers.checks: right answers pass, and every kind of wrong answer fails clearly."""

import math

import numpy as np
import pytest

from helpers.checks import (
    CheckFailed,
    call,
    expect_array,
    expect_close,
    expect_int,
    expect_raises,
    lab00,
)


class AlwaysEqual:
    """The classic cheat: equal to everything."""

    def __eq__(self, other):
        return True

    def __int__(self):
        return 10

    def __float__(self):
        return 10.0


def good_batches(n, b):
    if b <= 0 or n < 0:
        raise ValueError("bad sizes")
    return math.ceil(n / b)


def good_seconds(n, ips):
    if not ips > 0:
        raise ValueError("throughput must be positive")
    return n / ips


def good_megabytes(shape, bytes_per_value=4):
    if any(d < 0 for d in shape):
        raise ValueError("negative size")
    return math.prod(shape) * bytes_per_value / 1e6


def not_done(*args, **kwargs):
    raise NotImplementedError("exercise")


def test_solutions_pass(capsys):
    assert "passed" in lab00.check_batches_per_epoch(good_batches)
    assert "passed" in lab00.check_epoch_seconds(good_seconds)
    assert "passed" in lab00.check_tensor_megabytes(good_megabytes)
    assert capsys.readouterr().out.count("✔") == 3


ALL_CHECKS = [
    lab00.check_batches_per_epoch, lab00.check_epoch_seconds, lab00.check_tensor_megabytes,
]  # fmt: skip


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_blank_exercise_fails_as_not_implemented(check):
    with pytest.raises(CheckFailed, match="not implemented yet"):
        check(not_done)


def test_floor_instead_of_ceil_is_explained():
    def floor_batches(n, b):
        if b <= 0 or n < 0:
            raise ValueError
        return n // b

    expected = r"(?s)batches_per_epoch\(50000, 64\): expected 782, got 781.*round up"
    with pytest.raises(CheckFailed, match=expected):
        lab00.check_batches_per_epoch(floor_batches)


def test_float_where_int_is_expected():
    def float_batches(n, b):
        if b <= 0 or n < 0:
            raise ValueError
        return float(math.ceil(n / b))

    with pytest.raises(CheckFailed, match="expected a whole number"):
        lab00.check_batches_per_epoch(float_batches)


def test_always_equal_object_cannot_pass():
    with pytest.raises(CheckFailed, match="AlwaysEqual"):
        lab00.check_batches_per_epoch(lambda n, b: AlwaysEqual())
    with pytest.raises(CheckFailed, match="expected a number"):
        lab00.check_epoch_seconds(lambda n, ips: AlwaysEqual())


def test_missing_validation_fails():
    with pytest.raises(CheckFailed, match="returned instead of raising ValueError"):
        lab00.check_batches_per_epoch(lambda n, b: math.ceil(n / b) if b > 0 else 0)

    def nan_slips_through(n, ips):
        if ips <= 0:  # False for NaN: the NaN goes on to the division
            raise ValueError("throughput must be positive")
        return n / ips

    with pytest.raises(CheckFailed, match=r"epoch_seconds\(100, nan\) returned instead"):
        lab00.check_epoch_seconds(nan_slips_through)


def test_wrong_units_in_megabytes():
    with pytest.raises(CheckFailed, match="expected 188.16, got 179.443"):
        lab00.check_tensor_megabytes(lambda s, bytes_per_value=4: math.prod(s) * bytes_per_value / 2**20)  # noqa: E501


def test_core_helpers():
    with pytest.raises(CheckFailed, match="expected a function"):
        call(3, exercise="x")
    with pytest.raises(CheckFailed, match=r"calling it with \(1\) raised ZeroDivisionError"):
        call(lambda a: a / 0, 1, exercise="x")
    expect_int(np.int64(3), 3, what="x")
    with pytest.raises(CheckFailed, match="whole number"):
        expect_int(True, 1, what="x")
    expect_close(np.float32(0.1), 0.1, what="x", rel=1e-6)
    with pytest.raises(CheckFailed, match="expected 1, got inf"):
        expect_close(math.inf, 1.0, what="x")
    with pytest.raises(CheckFailed, match="raised TypeError; raise ValueError"):
        expect_raises(lambda: 1 + "a", exercise="x", hint="h")


def test_call_describes_arrays_briefly_in_messages():
    big = np.zeros((50, 60))

    def crashes(a, k):
        raise ValueError("boom")

    expected = r"\(<ndarray of shape \(50, 60\), float64>, k=3\)"
    with pytest.raises(CheckFailed, match=expected) as err:
        call(crashes, big, k=3, exercise="x")
    assert len(str(err.value)) < 300


EXPECTED = np.array([[0.0, 1.5], [-2.25, 3.0]])


def test_expect_array_accepts_the_right_answer():
    expect_array(EXPECTED.copy(), EXPECTED, what="f(x)", dtype_kind="f")
    expect_array(EXPECTED + 1e-10, EXPECTED, what="f(x)", atol=1e-9, dtype_kind="f")
    expect_array(EXPECTED * (1 + 1e-7), EXPECTED, what="f(x)", rtol=1e-6)  # relative to max |e|
    expect_array(np.array([1, 2], dtype=np.uint8), [1, 2], what="f(x)", dtype_kind="u")
    expect_array(np.zeros((0, 3)), np.zeros((0, 3)), what="f(x)", dtype_kind="f")


@pytest.mark.parametrize(
    ("got", "message"),
    [
        (EXPECTED.tolist(), r"expected a NumPy array \(np.ndarray\), got list"),
        (AlwaysEqual(), "got AlwaysEqual"),
        (np.array([AlwaysEqual()] * 4, dtype=object).reshape(2, 2), "got dtype object"),
        (EXPECTED.T.copy().reshape(4, 1), r"expected shape \(2, 2\), got \(4, 1\)"),
        (EXPECTED.astype(np.int64), "expected a float dtype, got dtype int64"),
        (np.where(EXPECTED == 3.0, np.nan, EXPECTED), "NaN or infinite"),
        (np.full((2, 2), np.inf), "NaN or infinite"),
        (EXPECTED + np.array([[0, 0], [1e-6, 0]]), r"at index \(1, 0\) expected -2.25"),
    ],
)
def test_expect_array_rejects_wrong_answers(got, message):
    with pytest.raises(CheckFailed, match=message):
        expect_array(got, EXPECTED, what="f(x)", atol=1e-9, dtype_kind="f", hint="a hint")


def test_expect_array_rejects_a_subclass_and_shows_the_hint():
    class Sneaky(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, dtype=bool)

    with pytest.raises(CheckFailed, match="(?s)got Sneaky.*Hint: a hint"):
        expect_array(EXPECTED.view(Sneaky), EXPECTED, what="f(x)", hint="a hint")


def test_expect_array_does_not_trust_a_patched_allclose(monkeypatch):
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "isclose", lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool))
    monkeypatch.setattr(np, "array_equal", lambda *a, **k: True)
    with pytest.raises(CheckFailed, match="wrong values"):
        expect_array(EXPECTED + 1.0, EXPECTED, what="f(x)", atol=1e-9)


def test_expect_array_tolerances():
    off = EXPECTED + np.array([[0, 0], [0, 2e-6]])
    with pytest.raises(CheckFailed, match="largest difference 2e-06"):
        expect_array(off, EXPECTED, what="f(x)")  # exact by default
    expect_array(off, EXPECTED, what="f(x)", atol=3e-6)
    expect_array(off, EXPECTED, what="f(x)", rtol=1e-6)  # 1e-6 * max |e| = 3e-6
    with pytest.raises(CheckFailed, match="wrong values"):
        expect_array(off, EXPECTED, what="f(x)", rtol=5e-7)
    with pytest.raises(CheckFailed, match="expected dtype kind 'iu', got dtype float64"):
        expect_array(np.array([1.0, 2.0]), [1, 2], what="f(x)", dtype_kind="iu")
    with pytest.raises(CheckFailed, match="dtype kind 'biuf'"):
        expect_array(np.array([1 + 2j]), [1], what="f(x)")  # complex: not a real kind
