"""Tests of helpers.checks: right answers pass, and every kind of wrong answer fails clearly."""

import math

import numpy as np
import pytest

from helpers.checks import CheckFailed, call, expect_close, expect_int, expect_raises, lab00


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
