"""Exercises as data: one declaration per exercise, from which both checks are derived.

A lab's declarations live in a module ``labNN.py`` (``helpers/labs/specs/`` for the shipped
labs, or an instructor's folder given to ``grade --tests``). The module defines ``EXERCISES``,
a list of :class:`Exercise`, and may set ``CELL_TIMEOUT``/``TIMEOUT`` (seconds, for labs that
train) and ``CALL_SECONDS`` (the limit of one call; default 10)::

    EXERCISES = [
        Exercise(
            "output_size", points=2, reference=output_size, judge=judge.Int(),
            public=[Case((13, 6), {"padding": "valid", "stride": 5})],
            hidden=lambda rng: [Case((int(rng.integers(5, 40)), 3)) for _ in range(8)],
            mistakes=[Mistake(forgot_stride, "you ignored the stride.", "divide by s")],
            hint="out = (n + 2p - f) // s + 1",
        ),
    ]

- ``reference``: the grader's implementation. Expected outcomes are what it returns (or the
  error it raises: then the learner's function must raise the same type) on each case.
- ``public``: fixed cases of the in-notebook check. ``labs build`` stores them with the
  reference's outcomes in ``helpers/labs/public/labNN.json``, so the check needs no reference.
- ``hidden(rng)``: the grader's cases, drawn afresh per submission from a seed the grader
  chooses; include fixed edge cases there too.
- ``groups``: points per case group (partial credit); the default is one group of ``points``.
- ``mistakes``: known wrong implementations with their feedback; a wrong answer equal to a
  mistake's output gets that message.
- ``pure`` (default True): the function must not change its inputs; ``copy``: its result must not
  share memory with an input.
- ``no_warnings``: a call that emits a ``RuntimeWarning`` (e.g. NumPy dividing by zero) fails
  with this explanation, even when its values are right.
- ``fixed_inputs``: why the hidden inputs do not vary (e.g. "the model's architecture is the
  answer"); otherwise the tests require that they change with the seed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from . import judge as judges
from . import wire

__all__ = [
    "Case", "Mistake", "Mutant", "Exercise", "Rng", "TempDir", "History", "SPECS_DIR", "PUBLIC_DIR",
    "lab_number",
    "load_specs", "spec_path", "known_labs", "reference_outcome", "public_store",
    "case_seed",
]  # fmt: skip

Rng, TempDir, History = wire.Rng, wire.TempDir, wire.History
SPECS_DIR = Path(__file__).with_name("specs")
PUBLIC_DIR = Path(__file__).with_name("public")
_LAB_NAME = re.compile(r"(\d\d)(?:_\w+)?")


@dataclass
class Case:
    """One call: ``fn(*args, **kwargs)``, optionally followed by ``then`` probe steps.

    ``then`` calls a method on the result (``{"method": "predict", "args": [x], "on": [0]}``:
    on item 0 of a returned tuple), so that models can be judged by what they compute.
    ``label`` replaces the automatic description of the call in messages.
    """

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    group: str = "all"
    hint: str | None = None
    label: str | None = None
    then: list = field(default_factory=list)

    def what(self, name: str) -> str:
        return self.label or judges.describe_args(name, tuple(self.args), dict(self.kwargs))

    def request(self, name: str, case_id: str) -> dict:
        """The call as the kernel receives it."""
        return {"id": case_id, "function": name, "args": wire.encode(list(self.args)),
                "kwargs": wire.encode(dict(self.kwargs)),
                "then": [{"method": s.get("method"), "on": list(s.get("on", [])),
                          "args": wire.encode(list(s.get("args", []))),
                          "kwargs": wire.encode(dict(s.get("kwargs", {})))}
                         for s in self.then]}  # fmt: skip


@dataclass
class Mistake:
    """A known wrong implementation and what to tell the learner whose answer equals its."""

    impl: Callable
    message: str
    hint: str | None = None


@dataclass
class Mutant:
    """A plausible wrong submission of one exercise, for the mutation suite (tests/labcases/).

    ``says``: a phrase the feedback must contain (the specific message of a declared mistake).
    """

    exercise: str
    description: str
    impl: Callable
    says: str | None = None


@dataclass
class Exercise:
    """One exercise of a lab: the learner writes a function called ``name``."""

    name: str
    points: int
    reference: Callable
    judge: judges.Judge
    public: Sequence[Case] = ()
    hidden: Callable[[Any], list[Case]] | None = None
    groups: dict[str, int] | None = None
    mistakes: Sequence[Mistake] = ()
    hint: str | None = None
    pure: bool = True
    copy: bool = False
    fixed_inputs: str | None = None
    no_warnings: str | None = None

    def __post_init__(self):
        if self.groups is None:
            self.groups = {"all": self.points}
        if sum(self.groups.values()) != self.points:
            raise ValueError(f"{self.name}: group points {self.groups} do not add up to "
                             f"{self.points}")  # fmt: skip

    def hidden_cases(self, seed: int) -> list[Case]:
        """The grader's cases for ``seed`` (drawn by ``hidden``; the public ones if none)."""
        import numpy as np

        cases = list(self.hidden(np.random.default_rng(seed))) if self.hidden else []
        if not cases:
            raise ValueError(f"{self.name}: no hidden cases")
        unknown = {c.group for c in cases} - set(self.groups)
        if unknown:
            raise ValueError(f"{self.name}: cases in undeclared groups {sorted(unknown)}")
        return cases


def case_seed(seed: int, exercise: str) -> int:
    """A per-exercise seed from the submission's seed (independent streams per exercise)."""
    digest = hashlib.sha256(f"{seed}:{exercise}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def reference_outcome(exercise: Exercise, case: Case, impl: Callable | None = None) -> dict:
    """Run the reference (or ``impl``) on ``case`` through the wire, as the kernel would.

    The outcome is encoded and decoded exactly like the learner's, so both are judged alike.
    """
    import json

    fn = impl or exercise.reference
    raw = wire.call_one({exercise.name: fn}, case.request(exercise.name, "ref"), seconds=0)
    return decode_outcome(json.loads(json.dumps(raw)))


def decode_outcome(raw: dict) -> dict:
    """A call outcome from the wire with its values decoded; ValueError if malformed."""
    if type(raw) is not dict:
        raise ValueError("an outcome must be a JSON object")
    out = {
        k: raw[k]
        for k in (
            "id",
            "ok",
            "missing",
            "timeout",
            "mutated",
            "aliases",
            "too_large",
            "unsendable",
            "error",
            "seconds",
        )
        if k in raw
    }
    warned = raw.get("warnings")
    if warned is not None:
        if type(warned) is not list or not all(type(w) is str for w in warned):
            raise ValueError("an outcome's warnings must be a list of strings")
        out["warnings"] = [w[:300] for w in warned[:5]]
    if "error" in out and type(out["error"]) is not dict:
        raise ValueError("malformed error")
    if raw.get("ok"):
        out["value"] = wire.decode(raw.get("value"))
        probes = []
        for p in raw.get("probes", []) or []:
            if type(p) is not dict:
                raise ValueError("malformed probe")
            probes.append(
                {
                    "ok": bool(p.get("ok")),
                    "error": p.get("error"),
                    "value": wire.decode(p.get("value")) if p.get("ok") else None,
                }
            )
        out["probes"] = probes
    return out


# ----------------------------------------------------------------------------- loading


def lab_number(lab: str) -> str:
    """``"03"`` for ``"03_convolution_lab"``, ``"03"`` or ``"lab03"``; ValueError otherwise."""
    m = _LAB_NAME.fullmatch(lab.removeprefix("lab"))
    if not m:
        raise ValueError(f"not a lab name: {lab!r} (expected e.g. 03_convolution_lab)")
    return m.group(1)


def spec_path(lab: str, tests_dir: Path | None = None) -> Path:
    """The declarations of ``lab``; ``KeyError`` when there are none."""
    folder = Path(tests_dir) if tests_dir is not None else SPECS_DIR
    try:
        path = folder / f"lab{lab_number(lab)}.py"
    except ValueError:
        raise KeyError(lab) from None
    if not path.is_file():
        raise KeyError(lab)
    return path


def known_labs(tests_dir: Path | None = None) -> list[str]:
    folder = Path(tests_dir) if tests_dir is not None else SPECS_DIR
    return sorted(p.stem for p in folder.glob("lab[0-9][0-9].py"))


def load_specs(lab: str, tests_dir: Path | None = None) -> ModuleType:
    """The declarations module of ``lab`` (from ``tests_dir`` if given), loaded fresh."""
    path = spec_path(lab, tests_dir)
    name = f"_course_specs_{path.stem}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling-free helpers look modules up
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    names = [e.name for e in module.EXERCISES]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: exercise names repeat: {names}")
    return module


# ----------------------------------------------------------------------------- public store


def _outcome_json(outcome: dict) -> dict:
    """A decoded outcome back in wire form, for the public store."""
    out = {k: v for k, v in outcome.items()
           if k not in ("value", "probes", "seconds", "id", "warnings")}  # fmt: skip
    if outcome.get("ok"):
        out["value"] = wire.encode(outcome["value"])
        out["probes"] = [
            {"ok": p["ok"], "error": p.get("error"), "value": wire.encode(p.get("value"))}
            for p in outcome["probes"]
        ]
    return out


def public_store(module: ModuleType) -> dict:
    """The public checks of a declarations module as JSON data: cases, expected outcomes,
    mistakes' outcomes, comparators and hints. No reference implementation is stored."""
    exercises = {}
    for ex in module.EXERCISES:
        cases = []
        for case in ex.public:
            expected = reference_outcome(ex, case)
            if not expected.get("ok") and not expected.get("error"):
                raise ValueError(f"{ex.name}: the reference failed on a public case: {expected}")
            mistakes = []
            for m in ex.mistakes:
                outcome = reference_outcome(ex, case, m.impl)
                if outcome.get("ok"):
                    mistakes.append({"outcome": _outcome_json(outcome), "message": m.message,
                                     "hint": m.hint})  # fmt: skip
            cases.append({"request": case.request(ex.name, "public"),
                          "what": case.what(ex.name), "hint": case.hint,
                          "expected": _outcome_json(expected), "mistakes": mistakes})  # fmt: skip
        exercises[ex.name] = {"points": ex.points, "judge": ex.judge.to_json(), "hint": ex.hint,
                              "pure": ex.pure, "copy": ex.copy, "cases": cases}  # fmt: skip
        if ex.no_warnings:
            exercises[ex.name]["no_warnings"] = ex.no_warnings
    return {"format": 1, "exercises": exercises}
