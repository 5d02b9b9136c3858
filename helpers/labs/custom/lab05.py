"""Lab 05 comparators: averages must come back as floats.

They judge, they hold no answers (shipped to students).
"""

from __future__ import annotations

import numpy as np

from helpers.labs.judge import Array


def float_means(got, expected, atol=1e-9, rtol=1e-6):
    """A float array close to ``expected``; an integer array of the right shape is explained."""
    if (type(got) is np.ndarray and got.shape == np.shape(expected)
            and got.dtype.kind in "iub"):  # fmt: skip
        return (f"the result has integer dtype {got.dtype}: a mean of integers is not always an "
                "integer (the example's bottom-left mean is 3.5); create the output array with "
                "a float dtype")  # fmt: skip
    return Array(atol=atol, rtol=rtol, kinds="f").compare(got, expected)
