"""Judging one call: compare what the learner's function gave with the reference's outcome.

The same code judges the public checks in the notebook (against stored expected outcomes) and
the hidden tests in the grader (against outcomes the grader computed itself). Comparators work
on *decoded wire values* (:mod:`helpers.labs.wire`): real NumPy arrays and Python numbers, and
:class:`~helpers.labs.wire.Described` objects for models and other objects. Comparisons check
exact types first, so an object that claims to equal everything has no way in. This module
holds no answers: it is shipped to students.

A comparator returns ``None`` when the value is right, else a short phrase saying what is wrong
("expected 3, got 2"). :func:`verdict` turns a whole outcome into a message with the call, the
phrase and a hint, and recognises declared mistakes ("you flipped the kernel").
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .wire import Described

__all__ = [
    "Judge", "Exact", "Int", "Float", "Array", "Seq", "Custom", "from_json", "verdict",
    "describe_args", "brief",
]  # fmt: skip


def brief(value: Any) -> str:
    """A short description of an argument or result for messages: arrays by shape and dtype."""
    if type(value) is np.ndarray:
        if value.size <= 12 and value.ndim <= 2:
            return f"np.array({value.tolist()}, dtype={value.dtype})"
        return f"<array of shape {value.shape}, {value.dtype}>"
    if isinstance(value, Described):
        return f"<{value.type}>"
    if type(value) is list and len(value) > 6:
        return f"<list of {len(value)} items>"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def describe_args(name: str, args: tuple, kwargs: dict) -> str:
    """``name(arg, …, key=value)`` with each argument briefly described."""
    shown = [brief(a) for a in args] + [f"{k}={brief(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(shown)})"


class Judge:
    """Base class of comparators: ``compare(got, expected) -> None | str``."""

    kind = "judge"

    def compare(self, got: Any, expected: Any) -> str | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_json(self) -> dict:
        return {"kind": self.kind, **{k: v for k, v in vars(self).items()}}


def _type_name(value: Any) -> str:
    return value.type if isinstance(value, Described) else type(value).__name__


@dataclass
class Exact(Judge):
    """Equal, with the same types all the way down (lists, tuples, dicts, str, int, bool…).

    Floats inside are compared within ``rel`` (relative) so that 0.1 + 0.2 equals 0.3.
    """

    rel: float = 1e-9
    kind = "exact"

    def compare(self, got, expected):
        return _exact(got, expected, self.rel, "")


def _exact(got, expected, rel, where):
    at = f" at {where}" if where else ""
    if isinstance(expected, np.ndarray):
        return Array(atol=0.0, rtol=rel, kinds=expected.dtype.kind).compare(got, expected)
    if type(expected) is float or isinstance(expected, np.floating):
        if isinstance(got, bool) or not isinstance(got, int | float | np.integer | np.floating):
            return f"expected a number{at}, got {_type_name(got)} {brief(got)}"
        g, e = float(got), float(expected)
        if math.isnan(e) and math.isnan(g):
            return None
        if not (math.isfinite(g) and math.isclose(g, e, rel_tol=rel, abs_tol=1e-12)):
            return f"expected {e:.6g}{at}, got {g:.6g}"
        return None
    if isinstance(expected, np.integer) and not isinstance(expected, bool):
        expected = int(expected)
    if type(expected) is int:
        if isinstance(got, bool) or not isinstance(got, int | np.integer):
            return f"expected a whole number (int){at}, got {_type_name(got)} {brief(got)}"
        return None if int(got) == expected else f"expected {expected}{at}, got {int(got)}"
    if type(got) is not type(expected):
        return (f"expected a {type(expected).__name__}{at}, got {_type_name(got)} "
                f"{brief(got)}")  # fmt: skip
    if type(expected) in (list, tuple):
        if len(got) != len(expected):
            return (f"expected {len(expected)} items{at}, got {len(got)}: "
                    f"expected {brief(expected)}, got {brief(got)}")  # fmt: skip
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            problem = _exact(g, e, rel, f"{where}[{i}]")
            if problem:
                return problem
        return None
    if type(expected) is dict:
        if set(got) != set(expected):
            return (
                f"expected the keys {sorted(map(str, expected))}{at}, got {sorted(map(str, got))}"
            )
        for k in expected:
            problem = _exact(got[k], expected[k], rel, f"{where}[{k!r}]")
            if problem:
                return problem
        return None
    if isinstance(expected, Described):
        return None if got == expected else f"expected {expected.attrs}{at}, got {got.attrs}"
    return None if got == expected else f"expected {brief(expected)}{at}, got {brief(got)}"


@dataclass
class Int(Judge):
    """A Python or NumPy integer (not a bool, not a float) equal to the expected one."""

    kind = "int"

    def compare(self, got, expected):
        if isinstance(got, bool) or not isinstance(got, int | np.integer):
            return f"expected a whole number (int), got {_type_name(got)} {brief(got)}"
        return None if int(got) == int(expected) else f"expected {int(expected)}, got {int(got)}"


@dataclass
class Float(Judge):
    """A real number (int, float or NumPy scalar; not a bool) within ``rel`` of the expected."""

    rel: float = 1e-6
    abs: float = 1e-12
    kind = "float"

    def compare(self, got, expected):
        if isinstance(got, bool) or not isinstance(got, int | float | np.integer | np.floating):
            return f"expected a number, got {_type_name(got)} {brief(got)}"
        g, e = float(got), float(expected)
        if not math.isfinite(g) or not math.isclose(g, e, rel_tol=self.rel, abs_tol=self.abs):
            return f"expected {e:.6g}, got {g:.6g}"
        return None


_KIND_WORDS = {"f": "a float dtype", "u": "an unsigned integer dtype such as uint8",
               "iu": "an integer dtype", "b": "a boolean dtype"}  # fmt: skip


@dataclass
class Array(Judge):
    """Exactly an ``np.ndarray`` of the expected shape, dtype kind and values.

    ``kinds``: allowed ``dtype.kind`` letters (None: any real kind). ``same_dtype``: the dtype
    must equal the expected array's. Values: ``max |got − expected| <= atol + rtol·max|expected|``,
    NaN and infinity rejected.
    """

    atol: float = 1e-9
    rtol: float = 0.0
    kinds: str | None = None
    same_dtype: bool = False
    kind = "array"

    def compare(self, got, expected):
        expected = np.asarray(expected)
        kinds = "biuf" if self.kinds is None else self.kinds
        if type(got) is not np.ndarray:
            return f"expected a NumPy array (np.ndarray), got {_type_name(got)}"
        if got.shape != expected.shape:
            return f"expected shape {expected.shape}, got {got.shape}"
        if got.dtype.kind not in kinds:
            return (
                f"expected {_KIND_WORDS.get(kinds, f'dtype kind {kinds!r}')}, got dtype {got.dtype}"
            )
        if self.same_dtype and got.dtype != expected.dtype:
            return f"expected dtype {expected.dtype}, got {got.dtype}"
        if got.size == 0:
            return None
        g = got.astype(np.float64)
        e = expected.astype(np.float64)
        if not np.isfinite(g).all():
            return "the result contains NaN or infinite values"
        err = np.abs(g - e)
        tol = self.atol + self.rtol * float(np.abs(e).max())
        gap = float(err.max())
        if not gap <= tol:
            idx = np.unravel_index(int(err.argmax()), e.shape)
            where = tuple(int(i) for i in idx)
            return (f"wrong values; at index {where} expected {e[idx]:.6g}, got {g[idx]:.6g} "
                    f"(largest difference {gap:.3g})")  # fmt: skip
        return None


@dataclass
class Seq(Judge):
    """A tuple (or list, ``of="list"``) whose items are judged one by one by ``items``."""

    items: list = field(default_factory=list)
    of: str = "tuple"
    names: list | None = None
    kind = "seq"

    def compare(self, got, expected):
        want = tuple if self.of == "tuple" else list
        if type(got) is not want or len(got) != len(self.items):
            return (f"expected a {want.__name__} of {len(self.items)} items, got "
                    f"{_type_name(got)}" + (f" of {len(got)}" if isinstance(got, tuple | list)
                                            else ""))  # fmt: skip
        for i, (judge, g, e) in enumerate(zip(self.items, got, expected, strict=True)):
            problem = judge.compare(g, e)
            if problem:
                name = self.names[i] if self.names else f"item {i}"
                return f"{name}: {problem}"
        return None

    def to_json(self):
        return {"kind": self.kind, "items": [j.to_json() for j in self.items], "of": self.of,
                "names": self.names}  # fmt: skip


@dataclass
class Custom(Judge):
    """A lab's own comparator: ``name`` is ``"labNN.function"`` in :mod:`helpers.labs.custom`.

    The function is called as ``fn(got, expected, **params)`` and returns None or a phrase.
    """

    name: str = ""
    params: dict = field(default_factory=dict)
    kind = "custom"

    def compare(self, got, expected):
        module, _, function = self.name.partition(".")
        fn = getattr(importlib.import_module(f"helpers.labs.custom.{module}"), function)
        return fn(got, expected, **self.params)


def from_json(data: dict) -> Judge:
    """The comparator a stored ``to_json()`` describes."""
    data = dict(data)
    kind = data.pop("kind")
    if kind == "seq":
        return Seq([from_json(j) for j in data["items"]], data.get("of", "tuple"),
                   data.get("names"))  # fmt: skip
    classes = {"exact": Exact, "int": Int, "float": Float, "array": Array, "custom": Custom}
    return classes[kind](**data)


# ----------------------------------------------------------------------------- verdicts


def _value_of(outcome: dict):
    """The judged value of a decoded outcome: the result, or (result, probe results…)."""
    if outcome.get("probes"):
        return (outcome["value"], *[p.get("value") for p in outcome["probes"]])
    return outcome["value"]


def _error_text(error: dict) -> str:
    return f"{error.get('type', 'an error')}: {error.get('message', '')}".rstrip(": ")


def verdict(
    *,
    what: str,
    outcome: dict,
    expected: dict,
    judge: Judge,
    hint: str | None = None,
    mistakes: list[tuple[dict, str, str | None]] = (),
    pure: bool = True,
    copy: bool = False,
    seconds: float | None = None,
    no_warnings: str | None = None,
) -> str | None:
    """None when the learner's ``outcome`` is right, else the message to show.

    ``outcome`` and ``expected`` are decoded call outcomes (see :func:`wire.call_one`);
    ``expected`` is the reference's (an error outcome means the call must raise that error
    type). ``mistakes`` are ``(outcome of a known wrong implementation, message, hint)``: a
    wrong answer equal to one of them gets that message instead of a generic one.
    ``no_warnings``: when given, a call that made NumPy (or Python) emit a ``RuntimeWarning``
    fails with this explanation, even if its values are right.
    """

    def fail(text, h=hint):
        return f"{what}: {text}" + (f"\nHint: {h}" if h else "")

    if outcome.get("missing"):
        return f"{what}: the function is not defined: did its cell run?"
    if outcome.get("timeout"):
        limit = f" after {seconds:g} s" if seconds else ""
        return f"{what}: stopped{limit} (an endless loop, or far too slow)."
    for flag, text in (("too_large", "the result is too large to send"),
                       ("unsendable", "the result could not be encoded")):  # fmt: skip
        if outcome.get(flag):
            return fail(text)
    error = outcome.get("error")
    wanted_error = None if expected.get("ok") else (expected.get("error") or {}).get("type")
    if not outcome.get("ok"):
        error = error or {}
        if error.get("not_implemented"):
            return (
                f"{what}: not implemented yet.\nHint: replace the `raise NotImplementedError` line."
            )
        if wanted_error and wanted_error in (error.get("mro") or [error.get("type")]):
            return None
        if wanted_error:
            return fail(f"raised {error.get('type')}; raise {wanted_error}.")
        return fail(f"raised {_error_text(error)}")
    if wanted_error:
        return fail(f"returned {brief(outcome.get('value'))} instead of raising {wanted_error}.")
    for i, probe in enumerate(outcome.get("probes") or []):
        if not probe.get("ok"):
            return fail(f"using the result (step {i + 1}) raised {_error_text(probe['error'])}")
    if pure and outcome.get("mutated"):
        return fail(
            "your function changed its input; work on a copy.",
            "write the result into a new array instead of changing the one passed in.",
        )
    if copy and outcome.get("aliases"):
        return fail(
            "the result shares memory with the input (a view); return a new array.",
            "add .copy(): a view changes when the original changes.",
        )
    runtime = [w for w in outcome.get("warnings") or [] if w.startswith("RuntimeWarning: ")]
    if no_warnings and runtime:
        said = runtime[0].removeprefix("RuntimeWarning: ")
        return fail(f"NumPy warned '{said}'. {no_warnings}")
    got = _value_of(outcome)
    problem = judge.compare(got, _value_of(expected))
    if problem is None:
        return None
    for mistake, message, mistake_hint in mistakes:
        if mistake.get("ok") and judge.compare(got, _value_of(mistake)) is None:
            return fail(message, mistake_hint or hint)
    return fail(problem + ".")
