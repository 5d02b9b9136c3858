"""Strict helpers shared by the hidden tests (``labNN.py`` beside this file).

Not a lab: :func:`helpers.grading_tests.known_labs` only sees ``lab[0-9][0-9].py``. Each lab
module loads this file *by path* (``importlib.util.spec_from_file_location``), never through
``helpers`` or ``sys.modules``, because it runs inside the learner's kernel where those could
have been tampered with; every lab gets its own fresh copy. The same rules hold here as in the
labs (see ``helpers/grading_tests/__init__.py``): exact type checks, plain Python arithmetic,
no ``math.isclose`` / ``np.allclose``.

A lab re-exports :class:`Failed` as ``module.Failed`` (the grading runner checks
``isinstance(exc, module.Failed)``), so the helpers here and the lab's own tests raise the
same class.
"""

import sys


class Failed(Exception):
    """The learner's function gave a wrong result; the message says which input."""


NP_INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
NP_FLOATS = ("float16", "float32", "float64")


def np():
    """NumPy, imported lazily (only to build inputs and read results)."""
    import numpy

    return numpy


def exact_type_in(value, names) -> bool:
    # Exact types only: a subclass could override __eq__/__int__/__float__.
    numpy = sys.modules.get("numpy")
    return numpy is not None and any(type(value) is getattr(numpy, n, None) for n in names)


def as_int(got, what):
    """``got`` as a Python int if it is exactly an int or a NumPy integer scalar."""
    if type(got) is int:
        return got
    if exact_type_in(got, NP_INTS):
        return int(got)
    raise Failed(f"{what}: expected an int, got {type(got).__name__}")


def as_float(got, what):
    """``got`` as a Python float if it is exactly an int, a float or a NumPy number scalar."""
    if type(got) is float or type(got) is int:
        return float(got)
    if exact_type_in(got, NP_FLOATS + NP_INTS):
        return float(got)
    raise Failed(f"{what}: expected a number, got {type(got).__name__}")


def call(fn, *args, what, **kwargs):
    """``fn(*args, **kwargs)``; 'not implemented' and crashes become :class:`Failed`."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise Failed(f"{what}: not implemented") from None
    except Exception as exc:
        raise Failed(f"{what} raised {type(exc).__name__}: {exc}") from None


def expect_value_error(fn, *args, what):
    """``fn(*args)`` must raise ValueError."""
    try:
        fn(*args)
    except ValueError:
        return
    except Exception as exc:
        raise Failed(f"{what} raised {type(exc).__name__}, expected ValueError") from None
    raise Failed(f"{what} returned instead of raising ValueError")
