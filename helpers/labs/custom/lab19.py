"""Comparators of lab 19 (semantic segmentation): specific messages, no answers."""

from __future__ import annotations

import numpy as np

from ..judge import Array, brief


def per_class(got, expected, atol=1e-9):
    """A float array with one score per class, NaN exactly where the class is absent from both
    masks (undefined 0 / 0), and the right values elsewhere."""
    expected = np.asarray(expected, dtype=np.float64)
    if type(got) is not np.ndarray:
        return f"expected a NumPy array with one score per class, got {brief(got)}"
    if got.shape != expected.shape:
        return f"expected shape {expected.shape} (one score per class), got {got.shape}"
    if got.dtype.kind != "f":
        return f"expected a float dtype (scores are fractions; NaN needs floats), got {got.dtype}"
    g = got.astype(np.float64)
    want_nan, got_nan = np.isnan(expected), np.isnan(g)
    missing = np.flatnonzero(want_nan & ~got_nan)
    if missing.size:
        c = int(missing[0])
        return (f"class {c} is in neither mask, so its score is 0/0: return NaN for it "
                f"(got {g[c]:.6g}), so that it can be left out of a mean")  # fmt: skip
    extra = np.flatnonzero(got_nan & ~want_nan)
    if extra.size:
        c = int(extra[0])
        return (f"class {c} is present in at least one mask: its score is defined "
                f"(expected {expected[c]:.6g}), got NaN")  # fmt: skip
    keep = ~want_nan
    problem = Array(atol=atol, kinds="f").compare(g[keep], expected[keep])
    if problem:
        classes = np.flatnonzero(keep)
        err = np.abs(g[keep] - expected[keep])
        c = int(classes[int(err.argmax())])
        return f"wrong score for class {c}: expected {expected[c]:.6g}, got {g[c]:.6g}"
    return None
