"""In-notebook checks for the labs: specific feedback, never just "fail".

Each lab has a module here (``helpers.checks.lab00`` …) with one ``check_*``
function per exercise. A check calls the learner's code on several inputs,
compares in plain Python after strict type checks (so an object that claims to
equal everything cannot pass), and either prints one line of success or raises
:class:`CheckFailed`, an ``AssertionError`` whose message says what was wrong
and gives a hint.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NoReturn

__all__ = [
    "CheckFailed", "fail", "passed", "call", "expect_int", "expect_close", "expect_raises",
]  # fmt: skip


class CheckFailed(AssertionError):
    """A lab check found a problem; the message says what and how to fix it."""


def fail(message: str, hint: str | None = None) -> NoReturn:
    """Raise :class:`CheckFailed` with a message and an optional hint."""
    raise CheckFailed(message + (f"\nHint: {hint}" if hint else ""))


def passed(exercise: str) -> str:
    """Print and return the one-line success message of an exercise."""
    line = f"✔ {exercise}: all checks passed."
    print(line)
    return line


def _brief(value: Any) -> str:
    """A short description of an argument for messages: arrays by shape and dtype."""
    shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
    if shape is not None and dtype is not None and len(shape) > 0:
        return f"<{type(value).__name__} of shape {tuple(shape)}, {dtype}>"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def call(fn: Callable, *args, exercise: str, **kwargs) -> Any:
    """Call the learner's function; turn 'not written yet' and crashes into clear failures."""
    if not callable(fn):
        fail(f"{exercise}: expected a function, got {type(fn).__name__}.")
    shown = ", ".join([_brief(a) for a in args] + [f"{k}={_brief(v)}" for k, v in kwargs.items()])
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        fail(f"{exercise}: not implemented yet.", "replace the `raise NotImplementedError` line.")
    except CheckFailed:
        raise
    except Exception as exc:  # the learner's bug: report it as feedback, not as a crash
        fail(f"{exercise}: calling it with ({shown}) raised {type(exc).__name__}: {exc}")


def expect_int(got: Any, expected: int, *, what: str, hint: str | None = None) -> None:
    """``got`` must be a Python or NumPy integer equal to ``expected``."""
    import numpy as np

    if isinstance(got, bool) or not isinstance(got, int | np.integer):
        fail(f"{what}: expected a whole number (int), got {type(got).__name__} {got!r}.", hint)
    if int(got) != expected:
        fail(f"{what}: expected {expected}, got {int(got)}.", hint)


def expect_close(
    got: Any, expected: float, *, what: str, rel: float = 1e-6, hint: str | None = None
) -> None:
    """``got`` must be a real number within relative tolerance ``rel`` of ``expected``."""
    import numpy as np

    if isinstance(got, bool) or not isinstance(got, int | float | np.integer | np.floating):
        fail(f"{what}: expected a number, got {type(got).__name__} {got!r}.", hint)
    value = float(got)
    if not math.isfinite(value) or not math.isclose(value, expected, rel_tol=rel, abs_tol=1e-12):
        fail(f"{what}: expected {expected:.6g}, got {value:.6g}.", hint)


def expect_raises(
    fn: Callable, *args, error: type[Exception] = ValueError, exercise: str, hint: str
) -> None:
    """Calling ``fn(*args)`` must raise ``error`` (bad input gets a clear error)."""
    shown = ", ".join(repr(a) for a in args)
    try:
        fn(*args)
    except error:
        return
    except NotImplementedError:
        fail(f"{exercise}: not implemented yet.")
    except Exception as exc:
        fail(f"{exercise}({shown}) raised {type(exc).__name__}; raise {error.__name__}.", hint)
    fail(f"{exercise}({shown}) returned instead of raising {error.__name__}.", hint)
