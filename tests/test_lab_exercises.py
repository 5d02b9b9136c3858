"""Every lab's exercise declarations, proved: solutions pass, mutants lose, inputs vary.

For each lab with declarations (``helpers/labs/specs/labNN.py``) there is a case file
``tests/labcases/labNN.py`` with ``SOLUTION`` (name → a correct function written as a learner
would) and ``MUTANTS`` (plausible wrong submissions, :class:`helpers.labs.spec.Mutant`). Grading
here runs in this process (:func:`helpers.labs.grader.grade_namespace`), through the same wire
and judge as a real submission; the kernel side is proved in ``test_grading.py``.

The mutation suite adds, for every exercise whose inputs vary, two cheats: a function that
answers the public check's inputs from a table (and nothing else), and one that answers every
input of another seed's hidden cases (as if the test source listed them). Each mutant must lose
points on each of several seeds; the counts are printed at the end of the run.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import nbformat
import pytest

from helpers.labs import checks, grader, spec, wire
from helpers.labs.checks import CheckFailed

ROOT = Path(__file__).resolve().parents[1]
LABS = spec.known_labs()
SEEDS = (11, 22, 33)
MUTATION_REPORT: dict[str, tuple[int, list[str]]] = {}  # lab: (caught, leaked descriptions)


def _cases(lab: str):
    path = Path(__file__).with_name("labcases") / f"{lab}.py"
    module_spec = importlib.util.spec_from_file_location(f"labcases_{lab}", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def _solution_notebook(lab: str) -> Path:
    (path,) = sorted((ROOT / "solutions").glob(f"{lab.removeprefix('lab')}_*.ipynb"))
    return path


def test_every_lab_has_declarations_and_cases():
    solutions = sorted(p.stem for p in (ROOT / "solutions").glob("*_lab.ipynb"))
    assert [f"lab{s[:2]}" for s in solutions] == LABS
    for lab in LABS:
        assert (Path(__file__).with_name("labcases") / f"{lab}.py").is_file(), lab


@pytest.mark.parametrize("lab", LABS)
def test_check_cells_match_the_declarations(lab):
    """The solution notebook checks exactly the declared exercises, in order."""
    nb = nbformat.read(_solution_notebook(lab), as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    checked = re.findall(r'check\("(\w+)"', source)
    declared = [e.name for e in spec.load_specs(lab).EXERCISES]
    assert checked == declared


@pytest.mark.parametrize("lab", LABS)
def test_solution_passes_public_checks(lab, capsys):
    check = checks.for_lab(lab)
    for name, fn in _cases(lab).SOLUTION.items():
        check(name, fn)
    assert capsys.readouterr().out.count("✔") == len(_cases(lab).SOLUTION)


@pytest.mark.parametrize("lab", LABS)
def test_solution_earns_full_marks_on_hidden_cases(lab):
    module = spec.load_specs(lab)
    solution = _cases(lab).SOLUTION
    assert set(solution) == {e.name for e in module.EXERCISES}
    for seed in SEEDS:
        for q in grader.grade_namespace(module, solution, seed):
            assert q.earned == q.points, f"seed {seed}: {q.message}"


@pytest.mark.parametrize("lab", LABS)
def test_hidden_inputs_change_with_the_seed(lab):
    for ex in spec.load_specs(lab).EXERCISES:
        if ex.fixed_inputs:
            continue
        a = [json.dumps(c.request(ex.name, "x")) for c in ex.hidden_cases(1)]
        b = [json.dumps(c.request(ex.name, "x")) for c in ex.hidden_cases(2)]
        assert a != b, f"{ex.name}: hidden inputs do not depend on the seed"
        publics = {json.dumps(c.request(ex.name, "x")) for c in ex.public}
        assert set(a) - publics, f"{ex.name}: every hidden case is a public one"


def _lookup_mutant(table: dict[str, object]):
    """A cheat that answers from ``table`` (encoded args → value) and returns None otherwise."""

    def cheat(*args, **kwargs):
        key = json.dumps([wire.encode(list(args)), wire.encode(kwargs)], sort_keys=True)
        if key in table:
            value = table[key]
            if isinstance(value, Exception):
                raise value
            return value
        return None

    return cheat


def _table(ex: spec.Exercise, cases: list[spec.Case]) -> dict[str, object]:
    table = {}
    for case in cases:
        outcome = spec.reference_outcome(ex, case)
        key = json.dumps(
            [
                wire.encode(list(wire.materialize(case.args))),
                wire.encode(wire.materialize(dict(case.kwargs))),
            ],
            sort_keys=True,
        )
        table[key] = outcome["value"] if outcome.get("ok") else ValueError("cheat")
    return table


@pytest.mark.parametrize("lab", LABS)
def test_mutation_suite(lab):
    module = spec.load_specs(lab)
    mutants = list(_cases(lab).MUTANTS)
    assert len(mutants) >= 5, f"{lab}: at least 5 hand-written mutants"
    for ex in module.EXERCISES:
        if ex.fixed_inputs:
            continue
        mutants.append(spec.Mutant(ex.name, "answers the public check from a table",
                                   _lookup_mutant(_table(ex, list(ex.public)))))  # fmt: skip
        listed = ex.hidden_cases(spec.case_seed(999, ex.name))
        mutants.append(spec.Mutant(ex.name, "answers the inputs of another seed's hidden cases",
                                   _lookup_mutant(_table(ex, listed))))  # fmt: skip
    caught, leaked = 0, []
    for m in mutants:
        lost_everywhere = True
        for seed in SEEDS:
            (q,) = grader.grade_namespace(module, {m.exercise: m.impl}, seed, only=[m.exercise])
            if q.earned >= q.points:
                lost_everywhere = False
                break
            if m.says is not None:
                assert m.says in q.message, f"{m.exercise} ({m.description}): {q.message}"
        if lost_everywhere:
            caught += 1
        else:
            leaked.append(f"{m.exercise}: {m.description}")
    MUTATION_REPORT[lab] = (caught, leaked)
    assert not leaked, f"{lab}: mutants earned full points: {leaked}"


@pytest.mark.parametrize("lab", LABS)
def test_public_check_rejects_every_hand_written_mutant(lab, capsys):
    """A learner hears about each of these bugs before handing in; a declared mistake's own
    message (``says``) appears when the public check names it."""
    check = checks.for_lab(lab)
    for m in _cases(lab).MUTANTS:
        with pytest.raises(CheckFailed) as failure:
            check(m.exercise, m.impl)
        message = str(failure.value)
        assert message.startswith(m.exercise) or m.exercise in message.split(":")[0], message
        assert "Traceback" not in message
