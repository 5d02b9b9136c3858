"""Tests of the grader (helpers.labs.grader) with real kernels: honest work, cheats, tampering,
crashes, hangs, floods, memory hogs and daemons.

Fixture submissions are built in a temporary folder from lab 00's solution (never committed:
nbval would run them) and graded in ONE batch, because each starts a kernel. Every tampering
fixture *passes the public checks in its notebook* or rewrites the grading machinery; none may
earn a point it did not earn honestly.
"""

from __future__ import annotations

import csv
import os
import secrets
import time
from pathlib import Path

import nbformat
import pytest

from helpers.cli import main
from helpers.labs import grader, sandbox, spec

ROOT = Path(__file__).resolve().parents[1]
LAB = "00_setup_lab"
SOLUTION = ROOT / "solutions" / f"{LAB}.ipynb"
FULL = {"batches_per_epoch": 2, "epoch_seconds": 2, "tensor_megabytes": 2}
ZERO = dict.fromkeys(FULL, 0)
MARK = f"course-daemon-{secrets.token_hex(6)}"

HARD_CODED = """\
def batches_per_epoch(n_images, batch_size):
    if batch_size <= 0 or n_images < 0:
        raise ValueError("bad sizes")
    # the public check's inputs, and the benchmark cell's
    answers = {(1000, 100): 10, (60000, 32): 1875, (50000, 64): 782, (5, 10): 1, (64, 64): 1,
               (60000, 64): 938, (0, 8): 0, (99, 1): 99, (3, 1000): 1}
    return answers.get((n_images, batch_size), 1)
"""

ALWAYS_EQUAL = """\
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
"""

# Replaces the checker, numpy's and math's comparisons: every public check "passes".
PATCHED_CHECKS = """\
import numpy as np

def tensor_megabytes(shape, bytes_per_value=4):
    return 1.0  # wrong

check = lambda name, fn: print(f"✔ {name}: all checks passed.")
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
math.isclose = lambda *args, **kwargs: True
"""

# Everything the old in-kernel grader could be fooled by, at once.
TAMPERING = """\
import builtins, importlib.util, json, sys

_print = builtins.print
def _fake_print(*args, **kwargs):  # rewrite any result line to full marks
    _print(*[str(a).replace("False", "True") for a in args], **kwargs)
builtins.print = _fake_print

class _Stdout:
    def __init__(self, inner): self.inner = inner
    def write(self, text): return self.inner.write(text.replace("False", "True"))
    def __getattr__(self, name): return getattr(self.inner, name)
sys.stdout = _Stdout(sys.stdout)

importlib.util.spec_from_file_location = lambda *a, **k: None  # hidden tests "load" as nothing

_dumps = json.dumps
json.dumps = lambda obj, *a, **k: _dumps({"id": "x", "ok": True, "value": 2}
                                         if isinstance(obj, dict) and "id" in obj else obj, *a, **k)

def batches_per_epoch(n_images, batch_size):
    # read an expected value off the call stack, as a test that computes it first would leak it
    frame = sys._getframe(1)
    while frame is not None:
        for name in ("expected", "want", "answer"):
            if name in frame.f_locals:
                return frame.f_locals[name]
        frame = frame.f_back
    return 2

def epoch_seconds(n_images, images_per_second):
    return 2.0

def tensor_megabytes(shape, bytes_per_value=4):
    return 2.0
"""

INPUT_TRANSFORMER = """\
def _skip_grading(lines):
    # rewrite any cell that mentions the grader into one that writes "perfect" results
    text = "".join(lines)
    if "course-grader" in text or "serve_file" in text:
        return ["import glob, json, os\\n",
                "for d in [os.path.join(os.getcwd(), '..', 'exchange')]:\\n",
                "    for i in range(60):\\n",
                "        open(os.path.join(d, f'result-{i}.json'), 'w').write(",
                "json.dumps({'id': 'x', 'ok': True, 'value': 1}))\\n"]
    return lines
get_ipython().input_transformers_post.append(_skip_grading)
"""

HANGS_WHEN_CALLED = """\
def epoch_seconds(n_images, images_per_second):
    while True:
        pass
"""

STUBBORN = """\
def epoch_seconds(n_images, images_per_second):
    if n_images in (60_000, 50_000, 1, 100):  # the public check's inputs: answer
        return n_images / images_per_second
    while True:
        try:
            while True:
                pass
        except BaseException:  # swallows the grader's alarm and the interrupt
            pass
"""

DIES_WHEN_CALLED = """\
def epoch_seconds(n_images, images_per_second):
    if n_images in (60_000, 50_000, 1, 100):  # the public check's inputs: answer
        return n_images / images_per_second
    import os
    os._exit(3)  # the grader's inputs end the kernel
"""

FLOOD = 'for _ in range(50):\n    print("x" * 1_000_000)\n'

MEMORY_HOG = "hog = bytearray(64 * 1024**3)  # 64 GB: the memory cap makes this a MemoryError\n"


def _daemon(target: Path) -> str:
    """A cell that double-forks a daemon which keeps trying to rewrite the gradebook."""
    code = (f"import time\nfor _ in range(300):\n    try:\n"
            f"        open({str(target)!r}, 'w').write('student,total\\nhacker,999\\n')\n"
            f"    except OSError:\n        pass\n    time.sleep(0.1)\n")  # fmt: skip
    return (
        "import os, sys\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        os.execv(sys.executable, [sys.executable, '-c', {code!r}, {MARK!r}])\n"
        "    os._exit(0)\n"
    )


def _notebook(**replace: str) -> nbformat.NotebookNode:
    """The solution, with the cell defining each named function replaced by new source."""
    nb = nbformat.read(SOLUTION, as_version=4)
    for name, source in replace.items():
        (cell,) = [c for c in nb.cells if c.source.startswith(f"def {name}(")]
        cell.source = source
    return nb


def _insert(nb, source: str, at: int = 2) -> nbformat.NotebookNode:
    nb.cells.insert(at, nbformat.v4.new_code_cell(source))
    return nb


def _submissions(folder: Path, out: Path) -> list[Path]:
    subs = {
        "daemon": _insert(_notebook(), _daemon(out / "gradebook.csv")),
        "dies": _insert(_notebook(), "import os\nos._exit(1)\n"),
        "perfect": _notebook(),
        "blank": nbformat.read(ROOT / "labs" / f"{LAB}.ipynb", as_version=4),
        "cheater": _notebook(
            batches_per_epoch=HARD_CODED,
            epoch_seconds=ALWAYS_EQUAL,
            tensor_megabytes=PATCHED_CHECKS,
        ),  # fmt: skip
        "tamperer": _insert(_notebook(), TAMPERING, at=len(_notebook().cells)),
        "transformer": _insert(_notebook(), INPUT_TRANSFORMER, at=len(_notebook().cells)),
        "hangs": _insert(
            _notebook(epoch_seconds=HANGS_WHEN_CALLED), "import time\ntime.sleep(60)\n"
        ),
        "dies_in_call": _notebook(epoch_seconds=DIES_WHEN_CALLED),
        "stubborn": _notebook(epoch_seconds=STUBBORN),
        "flood": _insert(_notebook(), FLOOD),
        "hog": _insert(_notebook(), MEMORY_HOG),
        "empty": nbformat.v4.new_notebook(),
    }
    paths = []
    for name, nb in subs.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
        paths.append(folder / f"{name}.ipynb")
    (folder / "broken.ipynb").write_text("this is not a notebook", encoding="utf-8")
    (folder / "badjson.ipynb").write_text('{"cells": [', encoding="utf-8")
    return paths + [folder / "broken.ipynb", folder / "badjson.ipynb"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("out")
    paths = _submissions(folder, out)
    before = {p: p.read_bytes() for p in paths}
    started = time.monotonic()
    results = grader.grade(LAB, paths, out, cell_timeout=8, timeout=120)
    seconds = time.monotonic() - started
    time.sleep(1.0)  # give a surviving daemon time to strike
    return {r.student: r for r in results}, out, before, seconds


def _points(result) -> dict[str, int]:
    return {q.name: q.earned for q in result.questions}


def test_the_solution_gets_full_marks(graded):
    r = graded[0]["perfect"]
    assert r.status == "ok", r.message
    assert _points(r) == FULL and r.total == r.max_points == 6
    assert all(q.message == "passed" for q in r.questions)


def test_the_blank_lab_gets_zero(graded):
    r = graded[0]["blank"]
    assert r.status == "ok" and _points(r) == ZERO
    assert all("not implemented" in q.message for q in r.questions)


def test_cheats_that_fool_the_public_checks_get_no_points(graded):
    r = graded[0]["cheater"]
    assert r.status == "ok", r.message
    # Only their honest part (raising ValueError on bad input) earns its group's point.
    assert all(q.groups[g][0] == 0 for q in r.questions for g in q.groups if g != "errors")
    assert r.total <= 3
    msgs = {q.name: q.message for q in r.questions}
    assert "expected a number, got Anything" in msgs["epoch_seconds"]
    assert "expected" in msgs["tensor_megabytes"] and "got 1" in msgs["tensor_megabytes"]


def test_the_public_checks_were_really_fooled(graded):
    """Guard for the test above: the cheats pass the public checks in the notebook."""
    nb = nbformat.read(graded[1] / "executed" / "cheater.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.source.startswith("check(")]
    assert len(cells) == 3
    for cell in (cells[0], cells[2]):  # hard-coded table; patched checker
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source


def test_tampering_with_print_importlib_json_and_the_stack_earns_nothing(graded):
    r = graded[0]["tamperer"]
    assert r.status == "ok", r.message
    assert _points(r) == ZERO, [q.message for q in r.questions]


def test_an_input_transformer_that_rewrites_the_grading_cell_earns_nothing(graded):
    r = graded[0]["transformer"]
    assert _points(r) == ZERO, [q.message for q in r.questions]


def test_an_endless_loop_is_stopped_and_the_rest_is_graded(graded):
    r = graded[0]["hangs"]
    assert r.status == "ok", r.message
    assert _points(r) == {"batches_per_epoch": 2, "epoch_seconds": 0, "tensor_megabytes": 2}
    assert "stopped after 10 s" in {q.name: q.message for q in r.questions}["epoch_seconds"]
    assert any("stopped after 8 s" in note for note in r.notes)  # the sleeping cell, too


def test_a_call_that_kills_the_kernel_keeps_the_results_before_it(graded):
    r = graded[0]["dies_in_call"]
    assert r.status == "error" and "kernel died" in r.message
    assert _points(r) == {"batches_per_epoch": 2, "epoch_seconds": 0, "tensor_megabytes": 0}


def test_a_call_that_ignores_alarm_and_interrupt_is_stopped_by_the_watchdog(graded):
    r = graded[0]["stubborn"]
    assert r.status == "error" and "did not return within 10 s" in r.message
    assert _points(r) == {"batches_per_epoch": 2, "epoch_seconds": 0, "tensor_megabytes": 0}


def test_a_dead_kernel_is_recorded_not_fatal(graded):
    r = graded[0]["dies"]
    assert r.status == "error" and "kernel died" in r.message
    assert r.total == 0 and not r.grading_error
    assert list(graded[0])[:3] == ["daemon", "dies", "perfect"]


def test_a_flood_of_output_is_cut_and_graded(graded):
    r = graded[0]["flood"]
    assert r.status == "ok" and _points(r) == FULL
    assert any("printed too much output" in note for note in r.notes)
    executed = graded[1] / "executed" / "flood.ipynb"
    assert executed.stat().st_size < 3 * 1024 * 1024


def test_a_memory_hog_meets_the_cap(graded):
    r = graded[0]["hog"]
    assert r.status == "ok" and _points(r) == FULL
    nb = nbformat.read(graded[1] / "executed" / "hog.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if "bytearray" in c.source]
    assert [o.ename for o in cell.outputs if o.output_type == "error"] == ["MemoryError"]


def test_an_empty_notebook_scores_zero(graded):
    r = graded[0]["empty"]
    assert r.status == "ok" and _points(r) == ZERO
    assert all("not defined" in q.message for q in r.questions)


def test_unreadable_submissions_are_grading_errors(graded):
    for name in ("broken", "badjson"):
        r = graded[0][name]
        assert r.status == "error" and r.grading_error and "cannot read" in r.message


def test_a_daemon_neither_survives_nor_changes_the_gradebook(graded):
    results, out, _, _ = graded
    assert results["daemon"].status == "ok" and _points(results["daemon"]) == FULL
    survivors = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and MARK.encode() in (entry / "cmdline").read_bytes():
                survivors.append(int(entry.name))
        except OSError:
            pass
    assert survivors == []
    text = (out / "gradebook.csv").read_text(encoding="utf-8")
    assert "hacker" not in text and text.startswith("student,batches_per_epoch")


def test_a_batch_leaves_no_zombie_processes(graded):
    me = os.getpid()
    children = [pid for pid, ppid in sandbox._processes().items() if ppid == me]
    zombies = [pid for pid in children if Path(f"/proc/{pid}").exists() and sandbox._is_zombie(pid)]
    assert zombies == []


def test_submissions_are_not_modified(graded):
    before = graded[2]
    assert {p: p.read_bytes() for p in before} == before


def test_gradebook_and_feedback(graded):
    results, out, _, seconds = graded
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert list(rows) == list(results)
    assert rows["perfect"]["total"] == "6" and rows["perfect"]["max"] == "6"
    assert int(rows["perfect"]["seed"]) != int(rows["blank"]["seed"])  # fresh inputs each
    feedback = (out / "feedback" / "blank.md").read_text(encoding="utf-8")
    assert "Score: **0 / 6**" in feedback and "| epoch_seconds | 0 / 2" in feedback
    assert (out / "executed" / "perfect.ipynb").is_file()
    assert seconds < 600, f"the batch took {seconds:.0f} s"


def test_partial_credit_per_case_group(tmp_path):
    """A function right on sizes but never raising keeps the points of the 'sizes' group."""
    module = spec.load_specs(LAB)

    def no_errors(n_images, batch_size):
        return -(-n_images // batch_size) if batch_size > 0 else 0

    (q,) = grader.grade_namespace(module, {"batches_per_epoch": no_errors}, 5,
                                  only=["batches_per_epoch"])  # fmt: skip
    assert (q.earned, q.points) == (1, 2)
    assert q.groups == {"sizes": (1, 1), "errors": (0, 1)}
    assert q.message.startswith("[errors] batches_per_epoch(")


def test_hide_inputs_names_cases_by_number():
    module = spec.load_specs(LAB)
    (q,) = grader.grade_namespace(module, {"epoch_seconds": lambda n, s: 1.0}, 5,
                                  only=["epoch_seconds"], hide_inputs=True)  # fmt: skip
    assert "hidden case 1 (values)" in q.message and "epoch_seconds(" not in q.message


def test_the_same_seed_gives_the_same_cases_and_a_new_one_others():
    module = spec.load_specs(LAB)
    ex = module.EXERCISES[0]
    same = [c.request(ex.name, "x") for c in ex.hidden_cases(spec.case_seed(7, ex.name))]
    again = [c.request(ex.name, "x") for c in ex.hidden_cases(spec.case_seed(7, ex.name))]
    other = [c.request(ex.name, "x") for c in ex.hidden_cases(spec.case_seed(8, ex.name))]
    assert same == again and same != other


def test_instructor_tests_from_a_folder(tmp_path):
    """``--tests DIR``: a private variant of the declarations decides the points."""
    private = tmp_path / "private"
    private.mkdir()
    source = (spec.SPECS_DIR / "lab00.py").read_text(encoding="utf-8")
    source = source.replace("return math.prod(shape) * bytes_per_value / 1_000_000",
                            "return math.prod(shape) * bytes_per_value / 2**20")  # fmt: skip
    (private / "lab00.py").write_text(source, encoding="utf-8")
    sub = tmp_path / "perfect.ipynb"
    sub.write_bytes(SOLUTION.read_bytes())
    out = tmp_path / "out"
    assert main(["grade", "--lab", LAB, str(sub), "-o", str(out), "--tests", str(private),
                 "--seed", "3"]) == 0  # fmt: skip
    rows = list(csv.DictReader(open(out / "gradebook.csv", encoding="utf-8")))
    assert rows[0]["tensor_megabytes"] == "1" and rows[0]["batches_per_epoch"] == "2"
    assert rows[0]["seed"] == "3"


def test_without_bubblewrap_the_sweep_still_kills_a_daemon(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_GRADER_NO_BWRAP", "1")
    sandbox.bwrap_available.cache_clear()
    try:
        out = tmp_path / "out"
        out.mkdir()
        sub = tmp_path / "daemon.ipynb"
        nbformat.write(_insert(_notebook(), _daemon(out / "gradebook.csv")), sub)
        (r,) = grader.grade(LAB, [sub], out, cell_timeout=30, timeout=120)
    finally:
        sandbox.bwrap_available.cache_clear()
    time.sleep(1.0)
    assert _points(r) == FULL
    assert any("killed" in note for note in r.notes), r.notes
    assert "hacker" not in (out / "gradebook.csv").read_text(encoding="utf-8")
    alive = [e.name for e in Path("/proc").iterdir() if e.name.isdigit()
             and MARK.encode() in _read(e / "cmdline")]  # fmt: skip
    assert alive == []


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def test_cli_unknown_lab_is_an_error(tmp_path, capsys):
    assert main(["grade", "--lab", "nope", str(SOLUTION), "-o", str(tmp_path)]) == 2
    assert "no exercise declarations for lab 'nope'" in capsys.readouterr().err


def test_cli_reports_an_unreadable_file_with_exit_1(tmp_path, capsys):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{", encoding="utf-8")
    assert main(["grade", "--lab", LAB, str(bad), "-o", str(tmp_path / "out")]) == 1
    assert "could not grade bad" in capsys.readouterr().err
    assert (tmp_path / "out" / "gradebook.csv").is_file()


def test_a_lab_that_trains_raises_the_time_limits():
    six = spec.load_specs("06")
    assert grader.lab_limits(six, 120, 600) == (900, 1500)
    assert grader.lab_limits(six, 2000, 3000) == (2000, 3000)  # asking for more wins
    assert grader.lab_limits(spec.load_specs("03"), 120, 600) == (120, 600)


def test_the_whole_notebook_timeout_skips_the_remaining_cells(tmp_path):
    nb = _notebook()
    for _ in range(4):
        _insert(nb, "import time\ntime.sleep(3)")
    sub = tmp_path / "slow.ipynb"
    nbformat.write(nb, sub)
    (r,) = grader.grade(LAB, [sub], tmp_path / "out", cell_timeout=30, timeout=8)
    assert any("time limit of 8 s was reached" in note for note in r.notes), r.notes
    assert r.total < r.max_points  # exercises defined after the cut are missing


# --- every lab, not only lab 00 ----------------------------------------------------------

LABS = sorted(p.stem for p in (ROOT / "labs").glob("*.ipynb"))


@pytest.mark.parametrize("lab", LABS)
def test_every_lab_solution_gets_full_marks_and_blank_gets_zero(lab, tmp_path):
    copies = []
    for who, src in (("solution", ROOT / "solutions"), ("blank", ROOT / "labs")):
        copies.append(tmp_path / f"{who}.ipynb")
        copies[-1].write_bytes((src / f"{lab}.ipynb").read_bytes())
    solution, blank = grader.grade(lab, copies, tmp_path / "out")
    assert solution.total == solution.max_points > 0, [q.message for q in solution.questions]
    assert blank.total == 0


def test_protection_summary_says_what_is_active():
    text = sandbox.protection_summary()
    assert ("bubblewrap sandbox" in text) == sandbox.bwrap_available()
    assert os.environ.get("COURSE_GRADER_NO_BWRAP") != "1" or "no bubblewrap" in text
