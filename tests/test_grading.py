"""Tests of helpers.grading and ``python -m helpers grade``.

Fixture submissions are built in a temporary folder from the solution notebook (never
committed: nbval would run them). They are graded in ONE batch, because each starts a kernel.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import nbformat
import pytest

from helpers import grading
from helpers.cli import main

ROOT = Path(__file__).resolve().parents[1]
LAB = "00_setup_lab"
SOLUTION = ROOT / "solutions" / f"{LAB}.ipynb"

HARD_CODED = '''\
def batches_per_epoch(n_images, batch_size):
    if batch_size <= 0 or n_images < 0:
        raise ValueError("bad sizes")
    # the public check's inputs, and the benchmark cell's
    answers = {(1000, 100): 10, (60000, 32): 1875, (50000, 64): 782, (5, 10): 1, (64, 64): 1,
               (60000, 64): 938}
    return answers.get((n_images, batch_size), 1)
'''

ALWAYS_EQUAL = '''\
class Anything(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return False
    def __le__(self, other): return True
    def __gt__(self, other): return False
    def __ge__(self, other): return True
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0
    def __abs__(self): return 0.0
    __hash__ = float.__hash__

def epoch_seconds(n_images, images_per_second):
    if not images_per_second > 0:
        raise ValueError("bad throughput")
    return Anything(0.0)
'''

PATCHED_CHECK = '''\
import numpy as np

def tensor_megabytes(shape, bytes_per_value=4):
    return 1.0  # wrong

lab00.check_tensor_megabytes = lambda fn: print("✔ tensor_megabytes: all checks passed.")
np.allclose = lambda *args, **kwargs: True
math.isclose = lambda *args, **kwargs: True
'''

HANGS = '''\
def epoch_seconds(n_images, images_per_second):
    while True:
        pass
'''


def _notebook(**replace: str) -> nbformat.NotebookNode:
    """The solution, with the cell defining each named function replaced by new source."""
    nb = nbformat.read(SOLUTION, as_version=4)
    for name, source in replace.items():
        (cell,) = [c for c in nb.cells if c.source.startswith(f"def {name}(")]
        cell.source = source
    return nb


def _insert_after_imports(nb, source: str) -> nbformat.NotebookNode:
    nb.cells.insert(2, nbformat.v4.new_code_cell(source))
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    subs = {
        # the kernel dies first in the batch: the others must still be graded
        "dies": _insert_after_imports(_notebook(), "import os\nos._exit(1)"),
        "perfect": _notebook(),
        "blank": nbformat.read(ROOT / "labs" / f"{LAB}.ipynb", as_version=4),
        "cheater": _notebook(batches_per_epoch=HARD_CODED, epoch_seconds=ALWAYS_EQUAL,
                             tensor_megabytes=PATCHED_CHECK),  # fmt: skip
        "hangs": _insert_after_imports(_notebook(epoch_seconds=HANGS), "import sys\nsys.exit()"),
    }
    paths = []
    for name, nb in subs.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
        paths.append(folder / f"{name}.ipynb")
    (folder / "broken.ipynb").write_text("this is not a notebook", encoding="utf-8")
    paths.append(folder / "broken.ipynb")
    before = {p: p.read_bytes() for p in paths}
    out = tmp_path_factory.mktemp("out")
    started = time.monotonic()
    results = grading.grade(LAB, paths, out, cell_timeout=5, timeout=120)
    seconds = time.monotonic() - started
    return {r.student: r for r in results}, out, before, seconds


def _points(result) -> dict[str, int]:
    return {q.name: q.earned for q in result.questions}


def test_the_solution_gets_full_marks(graded):
    r = graded[0]["perfect"]
    assert r.status == "ok", r.message
    assert r.total == r.max_points == 6
    assert all(q.message == "passed" for q in r.questions)


def test_the_blank_lab_gets_zero(graded):
    r = graded[0]["blank"]
    assert r.status == "ok" and r.total == 0
    assert all("not implemented" in q.message for q in r.questions)


def test_cheats_that_fool_the_public_checks_get_no_points(graded):
    r = graded[0]["cheater"]
    assert r.status == "ok", r.message
    assert _points(r) == {"batches_per_epoch": 0, "epoch_seconds": 0, "tensor_megabytes": 0}
    msgs = {q.name: q.message for q in r.questions}
    assert "expected 11, got 1" in msgs["batches_per_epoch"]  # a hidden input
    assert "expected a number, got Anything" in msgs["epoch_seconds"]
    assert "expected 9.6e-05, got 1.0" in msgs["tensor_megabytes"]


def test_the_public_checks_were_really_fooled(graded):
    """Guard for the test above: the cheats pass the public checks in the notebook."""
    _, out, _, _ = graded
    nb = nbformat.read(out / "executed" / "cheater.ipynb", as_version=4)
    checks = [c for c in nb.cells if "lab00.check_" in c.source]
    errors = {c.source.split("(")[0]: [o for o in c.outputs if o.output_type == "error"]
              for c in checks}  # fmt: skip
    assert not errors["lab00.check_batches_per_epoch"]
    assert not errors["lab00.check_tensor_megabytes"]


def test_an_endless_loop_is_stopped_and_the_rest_is_graded(graded):
    r = graded[0]["hangs"]
    assert r.status == "ok", r.message
    assert _points(r) == {"batches_per_epoch": 2, "epoch_seconds": 0, "tensor_megabytes": 2}
    assert "stopped after 5 s" in {q.name: q.message for q in r.questions}["epoch_seconds"]
    assert any("stopped after 5 s" in note for note in r.notes)  # the check cell, too
    assert graded[3] < 300, f"the batch took {graded[3]:.0f} s"


def test_a_dead_kernel_is_recorded_not_fatal(graded):
    r = graded[0]["dies"]
    assert r.status == "error" and "kernel died" in r.message
    assert r.total == 0 and not r.grading_error
    assert list(graded[0]) == ["dies", "perfect", "blank", "cheater", "hangs", "broken"]


def test_an_unreadable_submission_is_a_grading_error(graded):
    r = graded[0]["broken"]
    assert r.status == "error" and r.grading_error and "cannot read" in r.message


def test_submissions_are_not_modified(graded):
    before = graded[2]
    assert {p: p.read_bytes() for p in before} == before


def test_gradebook_and_feedback(graded):
    results, out, _, _ = graded
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert list(rows) == list(results)
    assert rows["perfect"]["total"] == "6" and rows["perfect"]["max"] == "6"
    assert rows["hangs"]["epoch_seconds"] == "0" and rows["hangs"]["total"] == "4"
    assert rows["dies"]["status"] == "error" and "kernel died" in rows["dies"]["message"]
    feedback = (out / "feedback" / "hangs.md").read_text(encoding="utf-8")
    assert "Score: **4 / 6**" in feedback and "| epoch_seconds | 0 / 2 | stopped" in feedback
    assert (out / "executed" / "perfect.ipynb").is_file()


def test_cli_unknown_lab_is_an_error(tmp_path, capsys):
    assert main(["grade", "--lab", "nope", str(SOLUTION), "-o", str(tmp_path)]) == 2
    assert "no hidden tests for lab 'nope'" in capsys.readouterr().err


def test_cli_reports_an_unreadable_file_with_exit_1(tmp_path, capsys):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{", encoding="utf-8")
    assert main(["grade", "--lab", LAB, str(bad), "-o", str(tmp_path / "out")]) == 1
    assert "could not grade bad" in capsys.readouterr().err
    assert (tmp_path / "out" / "gradebook.csv").is_file()


# --- every lab, not only lab 00 ----------------------------------------------------------

LABS = sorted(p.stem for p in (ROOT / "labs").glob("*.ipynb"))


@pytest.mark.parametrize("lab", LABS)
def test_every_lab_has_hidden_tests_for_its_exercises(lab):
    from helpers import grading_tests

    try:
        grading_tests.test_file(lab)
    except KeyError:
        pytest.fail(f"labs/{lab}.ipynb has no hidden tests (helpers/grading_tests/labNN.py)")
    solution = nbformat.read(ROOT / "solutions" / f"{lab}.ipynb", as_version=4)
    defined = {name for c in solution.cells if c.cell_type == "code"
               for name in _defined_functions(c.source)}  # fmt: skip
    for name, points, _test in grading_tests.load(lab).QUESTIONS:
        assert name in defined, f"hidden test of {lab} grades `{name}`, which no cell defines"
        assert isinstance(points, int) and points > 0


def _defined_functions(source: str) -> list[str]:
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]


@pytest.mark.parametrize("lab", LABS)
def test_every_lab_solution_gets_full_marks_and_blank_gets_zero(lab, tmp_path):
    subs = [ROOT / "solutions" / f"{lab}.ipynb", ROOT / "labs" / f"{lab}.ipynb"]
    copies = []
    for who, src in zip(("solution", "blank"), subs, strict=True):
        copies.append(tmp_path / f"{who}.ipynb")
        copies[-1].write_bytes(src.read_bytes())
    solution, blank = grading.grade(lab, copies, tmp_path / "out")
    assert solution.total == solution.max_points > 0, solution.message
    assert blank.total == 0


def test_a_lab_that_trains_raises_the_time_limits():
    from helpers.grading import lab_timeouts

    assert lab_timeouts("06_first_cnn_lab", 120, 600) == (900, 1500)
    assert lab_timeouts("06_first_cnn_lab", 2000, 3000) == (2000, 3000)  # asking for more wins
    assert lab_timeouts("05_pooling_lab", 120, 600) == (120, 600)  # labs of pure functions
