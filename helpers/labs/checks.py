"""In-notebook checks of the labs, derived from the exercise declarations.

In a lab::

    from helpers.labs.checks import for_lab
    check = for_lab("03_convolution_lab")
    ...
    check("output_size", output_size)

``check`` calls the learner's function on the public cases stored in
``helpers/labs/public/labNN.json`` (written by ``python -m helpers labs build`` from the
declarations), judges each result as the grader would, and prints one ✔ line, or raises
:class:`CheckFailed` with a short message and a hint: the first case that went wrong. The store
holds inputs and expected outcomes only, never a reference implementation, so the student
edition ships it as it is.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from . import spec, wire
from .judge import from_json, verdict

__all__ = ["CheckFailed", "Checker", "for_lab", "fail", "passed"]


class CheckFailed(AssertionError):
    """A lab check found a problem; the message says what and how to fix it.

    In Jupyter it is shown as its message alone (no traceback through the checking code):
    IPython calls ``_render_traceback_`` for exceptions that have one.
    """

    def _render_traceback_(self) -> list[str]:
        red, reset = "\x1b[31m", "\x1b[0m"
        lines = str(self).splitlines() or ["check failed"]
        return [f"{red}✘ {lines[0]}{reset}", *lines[1:]]


def fail(message: str, hint: str | None = None):
    """Raise :class:`CheckFailed` with a message and an optional hint."""
    raise CheckFailed(message + (f"\nHint: {hint}" if hint else ""))


def passed(exercise: str) -> None:
    """Print the one-line success message of an exercise."""
    print(f"✔ {exercise}: all checks passed.")


@lru_cache(maxsize=32)
def _store(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


class Checker:
    """The public checks of one lab; call it as ``check(name, function)``."""

    def __init__(self, lab: str, store: dict):
        self.lab = lab
        self.exercises = store["exercises"]

    def __call__(self, name: str, fn) -> None:
        if name not in self.exercises:
            raise KeyError(f"lab {self.lab} has no exercise {name!r}; it has "
                           f"{', '.join(self.exercises)}")  # fmt: skip
        if not callable(fn):
            fail(f"{name}: expected a function, got {type(fn).__name__}.")
        entry = self.exercises[name]
        judge = from_json(entry["judge"])
        for case in entry["cases"]:
            raw = wire.call_one({name: fn}, case["request"])
            outcome = spec.decode_outcome(json.loads(json.dumps(raw)))
            mistakes = [(spec.decode_outcome(m["outcome"]), m["message"], m.get("hint"))
                        for m in case["mistakes"]]  # fmt: skip
            message = verdict(
                what=case["what"],
                outcome=outcome,
                expected=spec.decode_outcome(case["expected"]),
                judge=judge,
                hint=case.get("hint") or entry.get("hint"),
                mistakes=mistakes,
                pure=entry.get("pure", True),
                copy=entry.get("copy", False),
                no_warnings=entry.get("no_warnings"),
            )
            if message is not None:
                raise CheckFailed(message)
        passed(name)


def for_lab(lab: str) -> Checker:
    """The checker of ``lab`` (``"03_convolution_lab"``, ``"03"``…) from its public store."""
    path = spec.PUBLIC_DIR / f"lab{spec.lab_number(lab)}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no public checks for lab {lab!r} ({path}); run "
                                "`python -m helpers labs build`")  # fmt: skip
    return Checker(lab, _store(str(path)))
