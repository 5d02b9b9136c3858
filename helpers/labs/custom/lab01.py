"""Lab 01 comparators: a Python float, not an int (it ships to students: no answers here)."""

from helpers.labs import judge
from helpers.labs.wire import Described


def a_float(got, expected, rel=1e-9):
    """``got`` must be a float (Python's, or NumPy's float64) close to ``expected``."""
    if isinstance(got, bool) or not isinstance(got, float):
        kind = got.type if isinstance(got, Described) else type(got).__name__
        return (f"expected a float, got {kind} {judge.brief(got)}; return float(...) of the "
                "number of gigabytes")  # fmt: skip
    return judge.Float(rel=rel).compare(got, expected)
