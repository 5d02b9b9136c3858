"""Tests of helpers.checks.lab04: right answers pass, typical wrong answers fail clearly."""

import math

import numpy as np
import pytest

from helpers.checks import CheckFailed, lab04
from helpers.grading_tests import lab04 as hidden


class AlwaysEqual:
    """The classic cheat: equal to everything."""

    def __eq__(self, other):
        return True

    def __int__(self):
        return 152

    def __float__(self):
        return 152.0


def receptive_field_rows(i, f, stride=1):
    if i < 0 or f < 1 or stride < 1:
        raise ValueError("bad arguments")
    return range(i * stride, i * stride + f)


def conv_params(fh, fw, in_channels, filters, bias=True):
    if min(fh, fw, in_channels, filters) < 1:
        raise ValueError("sizes must be >= 1")
    return fh * fw * in_channels * filters + (filters if bias else 0)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def conv_output_shape(input_shape, filters, kernel, strides=1, padding="valid"):
    (h, w, _), (fh, fw), (sh, sw) = input_shape, _pair(kernel), _pair(strides)
    if padding == "same":
        return (math.ceil(h / sh), math.ceil(w / sw), filters)
    if padding != "valid" or fh > h or fw > w:
        raise ValueError("bad padding or filter too large")
    return ((h - fh) // sh + 1, (w - fw) // sw + 1, filters)


def feature_map_bytes(shape, dtype_bytes=4):
    if dtype_bytes < 1 or any(d < 0 for d in shape):
        raise ValueError("bad input")
    return math.prod(shape) * dtype_bytes


def dense_vs_conv_params(input_shape, filters, kernel):
    h, w, c = input_shape
    out = h * w * filters
    return (h * w * c * out + out, kernel * kernel * c * filters + filters)


def neuron_output(x, w, b, i, j, stride=1):
    sh, sw = _pair(stride)
    fh, fw = w.shape[:2]
    if i < 0 or j < 0 or i * sh + fh > x.shape[0] or j * sw + fw > x.shape[1]:
        raise ValueError("field outside the input")
    window = np.asarray(x, dtype=np.float64)[i * sh : i * sh + fh, j * sw : j * sw + fw, :]
    return np.einsum("uvc,uvck->k", window, np.asarray(w, dtype=np.float64)) + b


SOLUTIONS = {
    "receptive_field_rows": (lab04.check_receptive_field_rows, receptive_field_rows),
    "conv_params": (lab04.check_conv_params, conv_params),
    "conv_output_shape": (lab04.check_conv_output_shape, conv_output_shape),
    "feature_map_bytes": (lab04.check_feature_map_bytes, feature_map_bytes),
    "dense_vs_conv_params": (lab04.check_dense_vs_conv_params, dense_vs_conv_params),
    "neuron_output": (lab04.check_neuron_output, neuron_output),
}


def not_done(*args, **kwargs):
    raise NotImplementedError("exercise")


def test_solutions_pass_every_check(capsys):
    for check, fn in SOLUTIONS.values():
        assert "passed" in check(fn)
    assert capsys.readouterr().out.count("✔") == len(SOLUTIONS)


def test_solutions_pass_the_hidden_tests():
    names = [name for name, _, _ in hidden.QUESTIONS]
    assert names == list(SOLUTIONS)
    for name, points, test in hidden.QUESTIONS:
        assert points > 0
        test(SOLUTIONS[name][1])


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_blank_exercise_fails_as_not_implemented(name):
    check, _ = SOLUTIONS[name]
    with pytest.raises(CheckFailed, match="not implemented yet"):
        check(not_done)
    with pytest.raises(hidden.Failed, match="not implemented"):
        dict((n, t) for n, _, t in hidden.QUESTIONS)[name](not_done)


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_always_equal_object_fails(name):
    check, _ = SOLUTIONS[name]
    cheat = lambda *args, **kwargs: AlwaysEqual()  # noqa: E731
    with pytest.raises(CheckFailed, match="AlwaysEqual"):
        check(cheat)
    with pytest.raises(hidden.Failed, match="AlwaysEqual"):
        dict((n, t) for n, _, t in hidden.QUESTIONS)[name](cheat)


def test_receptive_field_as_list_or_off_by_one():
    with pytest.raises(CheckFailed, match="expected a range, got list"):
        lab04.check_receptive_field_rows(
            lambda i, f, stride=1: list(receptive_field_rows(i, f, stride))
        )
    with pytest.raises(CheckFailed, match=r"expected range\(6, 11\), got range\(6, 10\)"):
        lab04.check_receptive_field_rows(
            lambda i, f, stride=1: range(i * stride, i * stride + f - 1)
        )
    with pytest.raises(CheckFailed, match="returned instead of raising ValueError"):
        lab04.check_receptive_field_rows(lambda i, f, stride=1: range(i * stride, i * stride + f))


def test_conv_params_without_bias_or_depth():
    with pytest.raises(CheckFailed, match=r"conv_params\(5, 5, 3, 2\): expected 152, got 150"):
        lab04.check_conv_params(lambda fh, fw, c, n, bias=True: conv_params(fh, fw, c, n, False))
    with pytest.raises(
        CheckFailed, match=r"(?s)expected 152, got 52.*Hint: \(fh \* fw \* in_channels\)"
    ):
        lab04.check_conv_params(lambda fh, fw, c, n, bias=True: conv_params(fh, fw, 1, n, bias))
    with pytest.raises(CheckFailed, match="expected a whole number"):
        lab04.check_conv_params(lambda *a, **k: float(conv_params(*a, **k)))


def test_conv_output_shape_mistakes():
    def valid_only(shape, filters, kernel, strides=1, padding="valid"):
        return conv_output_shape(shape, filters, kernel, strides, "valid")

    with pytest.raises(CheckFailed, match=r"(?s)expected 28, got 26.*'same': ceil\(n / s\)"):
        lab04.check_conv_output_shape(valid_only)

    def no_stride(shape, filters, kernel, strides=1, padding="valid"):
        return conv_output_shape(shape, filters, kernel, 1, padding)

    with pytest.raises(CheckFailed, match=r"padding='valid'\)\[0\]: expected 2, got 8"):
        lab04.check_conv_output_shape(no_stride)
    with pytest.raises(CheckFailed, match="expected a tuple, got list"):
        lab04.check_conv_output_shape(lambda *a, **k: list(conv_output_shape(*a, **k)))

    def accepts_anything(shape, filters, kernel, strides=1, padding="valid"):
        return (
            conv_output_shape(
                shape, filters, kernel, strides, "same" if padding == "same" else "valid"
            )
            if padding in ("valid", "same")
            else (1, 1, filters)
        )

    with pytest.raises(CheckFailed, match="(?s)'full'.*returned instead of raising ValueError"):
        lab04.check_conv_output_shape(accepts_anything)


def test_feature_map_bytes_in_megabytes_or_float():
    with pytest.raises(CheckFailed, match=r"(?s)got float 12.0.*Bytes, not megabytes"):
        lab04.check_feature_map_bytes(
            lambda s, dtype_bytes=4: feature_map_bytes(s, dtype_bytes) / 1e6
        )
    with pytest.raises(CheckFailed, match="expected 12000000, got 3000000"):
        lab04.check_feature_map_bytes(lambda s, dtype_bytes=4: math.prod(s))


def test_dense_vs_conv_mistakes():
    with pytest.raises(CheckFailed, match=r"\[0\]: expected 4923520, got 4917248"):
        lab04.check_dense_vs_conv_params(
            lambda s, nf, k: (s[0] * s[1] * s[2] * s[0] * s[1] * nf, k * k * s[2] * nf + nf)
        )
    with pytest.raises(CheckFailed, match=r"expected a tuple of 2 numbers, got 1"):
        lab04.check_dense_vs_conv_params(lambda s, nf, k: (1,))


def test_neuron_output_mistakes():
    with pytest.raises(CheckFailed, match=r"(?s)by hand.*expected 24.5, got 24"):
        lab04.check_neuron_output(
            lambda x, w, b, i, j, stride=1: neuron_output(x, w, b * 0, i, j, stride)
        )

    def ignores_stride(x, w, b, i, j, stride=1):
        return neuron_output(x, w, b, i, j, 1)

    with pytest.raises(CheckFailed, match=r"(?s)stride=\(2, 3\).*check the stride"):
        lab04.check_neuron_output(ignores_stride)

    def stride_swapped(x, w, b, i, j, stride=1):
        sh, sw = _pair(stride)
        return neuron_output(x, w, b, i, j, (sw, sh))

    with pytest.raises(CheckFailed, match=r"stride=\(2, 3\)\) \[random input\] raised ValueError"):
        lab04.check_neuron_output(stride_swapped)
    with pytest.raises(CheckFailed, match="expected shape"):
        lab04.check_neuron_output(
            lambda x, w, b, i, j, stride=1: neuron_output(x, w, b, i, j, stride)[:1]
        )
    with pytest.raises(CheckFailed, match="expected a NumPy array, got list"):
        lab04.check_neuron_output(lambda *a, **k: list(neuron_output(*a, **k)))
    with pytest.raises(CheckFailed, match="expected a float array"):
        lab04.check_neuron_output(lambda *a, **k: neuron_output(*a, **k).astype(np.int64))

    def modifies_input(x, w, b, i, j, stride=1):
        out = neuron_output(x, w, b, i, j, stride)
        x[...] = 0
        return out

    with pytest.raises(CheckFailed, match="changed its input arrays"):
        lab04.check_neuron_output(modifies_input)

    def no_bounds(x, w, b, i, j, stride=1):
        sh, sw = _pair(stride)
        z = np.array(b, dtype=np.float64)
        for u in range(w.shape[0]):
            for v in range(w.shape[1]):
                for c in range(w.shape[2]):
                    z += x[(i * sh + u) % x.shape[0], (j * sw + v) % x.shape[1], c] * w[u, v, c]
        return z

    with pytest.raises(CheckFailed, match="returned instead of raising ValueError"):
        lab04.check_neuron_output(no_bounds)


def test_hidden_tests_reject_typical_wrong_answers():
    tests = {n: t for n, _, t in hidden.QUESTIONS}
    with pytest.raises(hidden.Failed, match="expected a range"):
        tests["receptive_field_rows"](
            lambda i, f, stride=1: tuple(receptive_field_rows(i, f, stride))
        )
    with pytest.raises(hidden.Failed, match="bias=False"):
        tests["conv_params"](lambda fh, fw, c, n, bias=True: conv_params(fh, fw, c, n, True))
    with pytest.raises(hidden.Failed, match="expected an int"):
        tests["feature_map_bytes"](
            lambda s, dtype_bytes=4: float(feature_map_bytes(s, dtype_bytes))
        )
    with pytest.raises(hidden.Failed, match="expected"):
        tests["conv_output_shape"](lambda s, nf, k, strides=1, padding="valid": (s[0], s[1], nf))
    with pytest.raises(hidden.Failed, match="map 0 expected"):
        tests["neuron_output"](
            lambda x, w, b, i, j, stride=1: neuron_output(x, w, b, i, j, stride) + 1
        )
