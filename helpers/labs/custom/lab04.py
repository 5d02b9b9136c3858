"""Lab 04 comparators: a ``range`` judged by its repr, byte counts, the outputs of a neuron.

They judge, they hold no answers (shipped to students).
"""

from __future__ import annotations

import numpy as np

from helpers.labs.judge import Array, Int, brief
from helpers.labs.wire import Described


def range_value(got, expected):
    """``got``/``expected`` are ``(result, repr(result))``: the result must be that range."""
    value, text = got
    _, wanted = expected
    if not (isinstance(value, Described) and value.type == "range"):
        kind = value.type if isinstance(value, Described) else type(value).__name__
        return (f"expected a range, got {kind} {brief(value)}; return a range object, not a "
                "list or a tuple")  # fmt: skip
    if text != wanted:
        return f"expected {wanted}, got {text}"
    return None


def byte_count(got, expected):
    """A whole number of bytes (an int, not a float) equal to ``expected``."""
    if type(got) is float:
        if expected and abs(got * 1e6 - expected) <= 1e-6 * abs(expected):
            return f"expected {expected} bytes, got {got!r}: bytes, not megabytes"
        return (f"expected a whole number of bytes (int), got float {got!r}; bytes, not "
                "megabytes, and no true division")  # fmt: skip
    return Int().compare(got, expected)


def feature_maps(got, expected, atol=1e-6, rtol=1e-6):
    """A float array of shape ``(C_out,)`` close to ``expected``, with advice per problem."""
    problem = Array(atol=atol, rtol=rtol, kinds="f").compare(got, expected)
    if problem is None:
        return None
    if type(got) is not np.ndarray:
        return (f"{problem}; return the outputs of all feature maps at (i, j) as an array of "
                "shape (C_out,)")  # fmt: skip
    if got.shape != np.shape(expected):
        return (f"{problem}; one value per filter (feature map): shape (C_out,), not one "
                "number or a map")  # fmt: skip
    if got.dtype.kind != "f":
        return f"{problem}; start from a float64 copy of b"
    return problem
