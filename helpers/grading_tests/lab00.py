"""Hidden tests of lab 00 (sizing a training run): 2 points per exercise.

Self-contained (see ``helpers/grading_tests/__init__.py``): exact type checks, then plain
Python arithmetic and comparisons, on inputs the public checks do not use.
"""

import importlib.util as _ilu
from pathlib import Path as _Path

_spec = _ilu.spec_from_file_location("_hidden_common", _Path(__file__).with_name("_common.py"))
_common = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(_common)  # by path, never through `helpers`: see _common.py
Failed = _common.Failed
_as_int = _common.as_int
_as_float = _common.as_float
_call = _common.call
_expect_value_error = _common.expect_value_error


def _expect_close(got, expected, what):
    value = _as_float(got, what)
    diff = value - expected
    diff = -diff if diff < 0 else diff
    scale = -expected if expected < 0 else expected
    if not diff <= 1e-9 * scale + 1e-15:  # `not <=` also rejects NaN
        raise Failed(f"{what}: expected {expected!r}, got {value!r}")


def test_batches_per_epoch(fn):
    for n, b in [(1_001, 100), (7, 3), (123_457, 256), (0, 8), (99, 1), (3, 1_000)]:
        what = f"batches_per_epoch({n}, {b})"
        got = _as_int(_call(fn, n, b, what=what), what)
        expected = -(-n // b)
        if got != expected:
            raise Failed(f"{what}: expected {expected}, got {got}")
    for bad in [(10, 0), (-3, 5), (10, -1)]:
        _expect_value_error(fn, *bad, what=f"batches_per_epoch{bad}")


def test_epoch_seconds(fn):
    for n, ips in [(1_234, 56.5), (10, 4), (0, 3.0), (70_000, 0.25)]:
        what = f"epoch_seconds({n}, {ips})"
        _expect_close(_call(fn, n, ips, what=what), n / ips, what)
    for bad in (0.0, -1, float("nan"), -float("inf")):
        _expect_value_error(fn, 50, bad, what=f"epoch_seconds(50, {bad})")


def test_tensor_megabytes(fn):
    cases = [((2, 3, 4), 4), ((128, 64, 64, 3), 4), ((5, 0, 7), 8), ((1_000, 1_000), 1),
             ((16, 3, 3, 512), 2)]  # fmt: skip
    for shape, nbytes in cases:
        expected = nbytes
        for d in shape:
            expected *= d
        expected /= 1_000_000
        what = f"tensor_megabytes({shape}, bytes_per_value={nbytes})"
        _expect_close(_call(fn, shape, bytes_per_value=nbytes, what=what), expected, what)
    what = "tensor_megabytes((256, 256, 3))"  # the default: 4 bytes (float32)
    _expect_close(_call(fn, (256, 256, 3), what=what), 256 * 256 * 3 * 4 / 1_000_000, what)
    _expect_value_error(fn, (4, -2, 3), what="tensor_megabytes((4, -2, 3))")


QUESTIONS = [
    ("batches_per_epoch", 2, test_batches_per_epoch),
    ("epoch_seconds", 2, test_epoch_seconds),
    ("tensor_megabytes", 2, test_tensor_megabytes),
]
