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
    "CheckFailed", "fail", "passed", "call", "expect_int", "expect_close", "expect_array",
    "expect_raises",
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


_KIND_WORDS = {"f": "a float dtype", "u": "an unsigned integer dtype such as uint8"}


def expect_array(
    got: Any,
    expected: Any,
    *,
    what: str,
    atol: float = 0.0,
    rtol: float = 0.0,
    dtype_kind: str | None = None,
    hint: str | None = None,
) -> None:
    """Strict array comparison: exact type, shape, dtype kind, then explicit arithmetic.

    ``got`` must be exactly an ``np.ndarray`` (not a list, not a subclass) of ``expected``'s
    shape whose ``dtype.kind`` is one of the letters of ``dtype_kind`` ("f" float,
    "u" unsigned, "iu" …; ``None`` accepts any real kind, "biuf"). Its values are then
    compared on float64 copies, without ``np.allclose``: none may be NaN or infinite, and
    ``max |got - expected| <= atol + rtol * max |expected|``. The failure message names the
    index of the largest difference.
    """
    import numpy as np

    expected = np.asarray(expected)
    kinds = "biuf" if dtype_kind is None else dtype_kind
    if type(got) is not np.ndarray:
        fail(f"{what}: expected a NumPy array (np.ndarray), got {type(got).__name__}.", hint)
    if got.shape != expected.shape:
        fail(f"{what}: expected shape {expected.shape}, got {got.shape}.", hint)
    if got.dtype.kind not in kinds:
        wanted = _KIND_WORDS.get(kinds, f"dtype kind {kinds!r}")
        fail(f"{what}: expected {wanted}, got dtype {got.dtype}.", hint)
    if got.size == 0:
        return
    g = np.array(got, dtype=np.float64, copy=True)
    e = np.array(expected, dtype=np.float64, copy=True)
    if not np.isfinite(g).all():
        fail(f"{what}: the result contains NaN or infinite values.", hint)
    err = np.abs(g - e)
    gap = float(err.max())
    tol = atol + rtol * float(np.abs(e).max()) if rtol else atol
    if not gap <= tol:  # `not <=` also rejects a NaN tolerance or gap
        idx = np.unravel_index(int(err.argmax()), e.shape)
        fail(f"{what}: wrong values; at index {tuple(int(i) for i in idx)} expected "
             f"{e[idx]:.6g}, got {g[idx]:.6g} (largest difference {gap:.6g}).", hint)


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
