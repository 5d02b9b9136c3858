"""Lab 02 comparators (they ship to students: judging logic only, no answers)."""

import numpy as np

from helpers.labs import judge


def per_output(got, expected, atol=1e-12):
    """An array of one value per output; a single number (a sum) is named as such."""
    expected = np.asarray(expected)
    single = isinstance(got, int | float | np.integer | np.floating) or (
        type(got) is np.ndarray and got.ndim == 0
    )
    if single and not isinstance(got, bool) and expected.ndim > 0:
        return (f"expected one value per output (an array of shape {expected.shape}), got a "
                "single number")  # fmt: skip
    return judge.Array(atol=atol, kinds="f").compare(got, expected)
