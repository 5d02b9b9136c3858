"""Tests of helpers.checks.lab05: solutions pass, typical mistakes fail with a useful message."""

import numpy as np
import pytest

from helpers import conv
from helpers.checks import CheckFailed, lab05
from helpers.grading_tests import lab05 as hidden


def good_size(n, size, stride, padding="valid"):
    if size <= 0 or stride <= 0 or padding not in ("valid", "same"):
        raise ValueError("bad arguments")
    if padding == "same":
        return -(-n // stride)
    if size > n:
        raise ValueError("window too large")
    return (n - size) // stride + 1


def good_max(x, size=2, stride=None):
    return conv.pool2d(x, size, stride=stride, mode="max")


def good_avg(x, size=2, stride=None):
    return conv.pool2d(x, size, stride=stride, mode="avg")


def good_fraction(shape, size=2, stride=None):
    stride = size if stride is None else stride
    h, w, _ = shape
    return 1 - good_size(h, size, stride) * good_size(w, size, stride) / (h * w)


def good_gap(x):
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError("need (H, W, C)")
    return conv.global_pool2d(x, "avg")


def good_depth(x, k):
    x = np.asarray(x)
    if x.ndim != 3 or k <= 0 or x.shape[2] % k:
        raise ValueError("bad k")
    return x.reshape(*x.shape[:2], -1, k).max(axis=-1)


GOOD = {
    "pool_output_size": (lab05.check_pool_output_size, good_size),
    "max_pool2d": (lab05.check_max_pool2d, good_max),
    "avg_pool2d": (lab05.check_avg_pool2d, good_avg),
    "fraction_dropped": (lab05.check_fraction_dropped, good_fraction),
    "global_average_pool": (lab05.check_global_average_pool, good_gap),
    "depthwise_max_pool": (lab05.check_depthwise_max_pool, good_depth),
}


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return 0

    __rsub__ = __sub__
    __hash__ = object.__hash__


class EqualArray(np.ndarray):
    """An ndarray subclass that claims to equal everything."""

    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)


def test_solutions_pass(capsys):
    for check, fn in GOOD.values():
        assert "passed" in check(fn)
    assert capsys.readouterr().out.count("✔") == len(GOOD)


def test_hidden_tests_accept_the_solutions():
    tests = {name: test for name, _, test in hidden.QUESTIONS}
    assert set(tests) == set(GOOD)
    for name, (_, fn) in GOOD.items():
        tests[name](fn)


@pytest.mark.parametrize("name", list(GOOD))
def test_blank_exercise_fails_as_not_implemented(name):
    def not_done(*args, **kwargs):
        raise NotImplementedError

    with pytest.raises(CheckFailed, match="not implemented yet"):
        GOOD[name][0](not_done)


@pytest.mark.parametrize("name", list(GOOD))
def test_always_equal_object_fails(name):
    check = GOOD[name][0]
    with pytest.raises(CheckFailed, match="AlwaysEqual"):
        check(lambda *args, **kwargs: AlwaysEqual())
    with pytest.raises(hidden.Failed):
        dict((n, t) for n, _, t in hidden.QUESTIONS)[name](lambda *a, **k: AlwaysEqual())


def test_array_subclass_is_refused():
    def sneaky(x, size=2, stride=None):
        return np.zeros((2, 2)).view(EqualArray)

    with pytest.raises(CheckFailed, match="expected a NumPy array"):
        lab05.check_max_pool2d(sneaky)


def test_output_size_mistakes():
    def no_plus_one(n, size, stride, padding="valid"):
        good_size(n, size, stride, padding)
        return (n - size) // stride

    expected = r"(?s)pool_output_size\(28, 2, 2\): expected 14, got 13.*Hint"
    with pytest.raises(CheckFailed, match=expected):
        lab05.check_pool_output_size(no_plus_one)

    def same_like_valid(n, size, stride, padding="valid"):
        return good_size(n, size, stride, "valid") if padding in ("valid", "same") else good_size(n, size, stride, padding)  # noqa: E501

    with pytest.raises(CheckFailed, match=r"padding='same'\): expected 14, got 13"):
        lab05.check_pool_output_size(same_like_valid)

    def accepts_anything(n, size, stride, padding="valid"):
        if padding == "same":
            return -(-n // max(stride, 1))
        return max(1, (n - size) // max(stride, 1) + 1)

    with pytest.raises(CheckFailed, match="returned instead of raising ValueError"):
        lab05.check_pool_output_size(accepts_anything)


def test_max_pool_mistakes():
    def ignores_stride(x, size=2, stride=None):
        return conv.pool2d(x, size, mode="max")

    with pytest.raises(CheckFailed, match=r"stride=2\): expected shape \(3, 4\), got \(2, 3\)"):
        lab05.check_max_pool2d(ignores_stride)

    def starts_at_zero(x, size=2, stride=None):
        return np.maximum(conv.pool2d(x, size, stride=stride, mode="max"), 0)

    with pytest.raises(CheckFailed, match="(?s)expected.*Hint"):
        lab05.check_max_pool2d(starts_at_zero)

    def returns_list(x, size=2, stride=None):
        return conv.pool2d(x, size, stride=stride).tolist()

    with pytest.raises(CheckFailed, match="expected a NumPy array"):
        lab05.check_max_pool2d(returns_list)

    def mutates(x, size=2, stride=None):
        out = conv.pool2d(x, size, stride=stride)
        x[...] = 0
        return out

    with pytest.raises(CheckFailed, match="changed its input"):
        lab05.check_max_pool2d(mutates)


def test_avg_pool_integer_output_is_explained():
    def int_mean(x, size=2, stride=None):
        return conv.pool2d(x, size, stride=stride, mode="avg").astype(np.int64)

    with pytest.raises(CheckFailed, match="integer dtype.*3.5"):
        lab05.check_avg_pool2d(int_mean)

    with pytest.raises(CheckFailed, match="expected"):
        lab05.check_avg_pool2d(good_max)  # max instead of mean


def test_fraction_mistakes():
    with pytest.raises(CheckFailed, match=r"expected 0.75, got 0.25"):
        lab05.check_fraction_dropped(lambda shape, size=2, stride=None: 1 - good_fraction(shape))
    with pytest.raises(CheckFailed, match="expected a float"):
        lab05.check_fraction_dropped(lambda shape, size=2, stride=None: "75 %")

    def ignores_stride(shape, size=2, stride=None):
        return 1 - 1 / size**2

    with pytest.raises(CheckFailed, match="stride=1"):
        lab05.check_fraction_dropped(ignores_stride)


def test_gap_mistakes():
    with pytest.raises(CheckFailed, match=r"expected shape \(1,\), got \(\)"):
        lab05.check_global_average_pool(lambda x: np.asarray(np.mean(x)))

    def over_channels(x):
        x = np.asarray(x, dtype=float)
        if x.ndim != 3:
            raise ValueError
        return x.mean(axis=-1)

    with pytest.raises(CheckFailed, match="expected shape"):
        lab05.check_global_average_pool(over_channels)

    def no_validation(x):
        return np.asarray(x, dtype=float).mean(axis=(0, 1))

    with pytest.raises(CheckFailed, match="returned instead of raising ValueError|raised"):
        lab05.check_global_average_pool(no_validation)


def test_depthwise_mistakes():
    def strided_groups(x, k):
        x = np.asarray(x)
        if k <= 0 or x.shape[2] % k:
            raise ValueError
        return x.reshape(*x.shape[:2], k, -1).max(axis=2)  # channels g, g+C/k, ... : wrong grouping

    with pytest.raises(CheckFailed, match="consecutive"):
        lab05.check_depthwise_max_pool(strided_groups)

    def spatial_pool(x, k):
        return conv.pool2d(x, k, stride=1)

    with pytest.raises(CheckFailed, match="depthwise_max_pool"):
        lab05.check_depthwise_max_pool(spatial_pool)
