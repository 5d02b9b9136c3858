"""Grade submitted labs: run each notebook in a fresh kernel, then score it with hidden tests.

For each submission (an ``.ipynb`` a learner handed in):

1. an in-memory copy is executed cell by cell in a new ``python3`` kernel, errors allowed, each
   cell interrupted after ``cell_timeout`` seconds and all cells together limited to
   ``timeout`` seconds (cells left when the budget is spent are skipped);
2. in the *same* kernel, one more cell loads the lab's hidden tests from their file
   (``helpers/grading_tests/``) and calls each test on the learner's function, found by name
   among the notebook's globals, each test under its own time limit; it prints the results
   on one line starting with a random marker, which is parsed from that cell's output.

Points come from the hidden-test module loaded here, not from the kernel, so the kernel can
only report pass or fail per question. The submission file is never written; the executed
copy goes to ``OUT_DIR/executed/``. Results go to ``OUT_DIR/gradebook.csv`` and
``OUT_DIR/feedback/<student>.md``.

Limits: grading runs the learner's code with the grader's rights and is not a sandbox. The
hidden tests resist accidental and simple cheating (hard-coded answers, objects equal to
everything, replaced check functions or ``np.allclose``), not code that rewrites Python's
built-ins or inspects the grading cell.
"""

from __future__ import annotations

import ast
import csv
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import grading_tests

__all__ = ["GradingError", "QuestionResult", "SubmissionResult", "grade", "grade_one"]

PER_TEST_SECONDS = 10  # a hidden test calls cheap functions; more means an endless loop


class GradingError(Exception):
    """Grading itself cannot proceed (unknown lab, unusable output folder)."""


@dataclass
class QuestionResult:
    """Points for one question and what the hidden test said."""

    name: str
    points: int
    earned: int = 0
    message: str = "not graded"


@dataclass
class SubmissionResult:
    """The grade of one submission.

    ``status`` is ``"ok"`` when the hidden tests ran, ``"error"`` otherwise (the kernel died,
    the file could not be read …); ``grading_error`` marks failures of the grader rather than
    of the learner's code (an unreadable file).
    """

    student: str
    path: Path
    questions: list[QuestionResult]
    status: str = "ok"
    message: str = ""
    notes: list[str] = field(default_factory=list)
    grading_error: bool = False

    @property
    def total(self) -> int:
        return sum(q.earned for q in self.questions)

    @property
    def max_points(self) -> int:
        return sum(q.points for q in self.questions)


_RUNNER = """\
def __course_grade(path, marker, per_test):
    import importlib.util
    import signal

    spec = importlib.util.spec_from_file_location("_course_hidden_tests", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    class _TestTimeout(BaseException):
        pass

    def _on_alarm(signum, frame):
        raise _TestTimeout()

    namespace = globals()
    results = []
    for name, _points, test in module.QUESTIONS:
        try:
            previous = signal.signal(signal.SIGALRM, _on_alarm)
            signal.setitimer(signal.ITIMER_REAL, per_test)
        except (ValueError, AttributeError, OSError):  # not the main thread, or no SIGALRM
            previous = None
        try:
            if name not in namespace:
                raise module.Failed(f"`{name}` is not defined: did its cell run?")
            test(namespace[name])
            passed, message = True, "passed"
        except _TestTimeout:
            passed, message = False, f"stopped after {per_test} s (an endless loop?)"
        except BaseException as exc:
            try:
                text = str(exc)
                if not isinstance(exc, module.Failed):
                    text = f"{type(exc).__name__}: {text}"
            except BaseException:
                text = "an exception whose message cannot be shown"
            passed, message = False, text
        finally:
            if previous is not None:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
        results.append((name, passed, message[:2000]))
    print(marker + repr(results))


__course_grade(@PATH@, @MARKER@, @PER_TEST@)
del __course_grade
"""


def _hidden_questions(lab: str) -> tuple[Path, list[tuple[str, int]]]:
    try:
        path = grading_tests.test_file(lab)
    except KeyError:
        known = ", ".join(grading_tests.known_labs()) or "none"
        raise GradingError(
            f"no hidden tests for lab {lab!r} (expected helpers/grading_tests/labNN.py for a "
            f"lab named NN_…); hidden tests exist for: {known}"
        ) from None
    module = grading_tests.load(lab)
    return path, [(name, int(points)) for name, points, _test in module.QUESTIONS]


def lab_timeouts(lab: str, cell_timeout: int, timeout: int) -> tuple[int, int]:
    """The time limits for ``lab``: the requested ones, raised to the lab's own minimums.

    A lab whose exercises train a network (lab 06 trains MNIST to a threshold) declares
    ``CELL_TIMEOUT`` and ``TIMEOUT`` in its hidden-test module, so that a default-mode run
    is not cut off by limits meant for labs of pure functions.
    """
    module = grading_tests.load(lab)
    return (max(cell_timeout, int(getattr(module, "CELL_TIMEOUT", 0))),
            max(timeout, int(getattr(module, "TIMEOUT", 0))))  # fmt: skip


def _parse_results(cell, marker: str) -> dict[str, tuple[bool, str]] | None:
    """The per-question results printed by the grading cell, or None if there are none."""
    lines = [
        line[len(marker) :]
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stdout"
        for line in out.get("text", "").splitlines()
        if line.startswith(marker)
    ]
    if len(lines) != 1:
        return None
    try:
        raw = ast.literal_eval(lines[0])
        return {str(name): (passed is True, str(msg)) for name, passed, msg in raw}
    except (ValueError, SyntaxError, TypeError):
        return None


def _execute(nb, cwd: Path, cell_timeout: int, timeout: int, grading_cell, grading_timeout: int):
    """Run the cells of ``nb`` then ``grading_cell`` in one kernel; return notes on trouble."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    client = NotebookClient(
        nb, timeout=cell_timeout, allow_errors=True, kernel_name="python3",
        interrupt_on_timeout=True, iopub_timeout=4,
        # After interrupting, go on at once instead of waiting for a kernel that may ignore
        # the interrupt; the next cell then waits its own turn, bounded by the budget.
        error_on_timeout={"ename": "CellTimeoutError", "evalue": "cell interrupted",
                          "traceback": []},
        resources={"metadata": {"path": str(cwd)}},
    )  # fmt: skip
    notes: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                remaining = deadline - time.monotonic()
                if remaining < 1:
                    notes.append(f"the time limit of {timeout} s was reached: cells from "
                                 f"{index} on were not run")  # fmt: skip
                    break
                client.timeout = max(1, min(cell_timeout, math.ceil(remaining)))
                started = time.monotonic()
                client.execute_cell(cell, index)
                if time.monotonic() - started >= client.timeout:
                    notes.append(f"cell {index} was stopped after {client.timeout} s")
            nb.cells.append(grading_cell)
            client.timeout = grading_timeout
            client.execute_cell(grading_cell, len(nb.cells) - 1)
    except DeadKernelError:
        return notes, "the kernel died (the notebook ended Python, e.g. with os._exit or exit())"
    except CellTimeoutError as exc:
        return notes, f"a cell did not finish: {exc}"
    except Exception as exc:  # kernel start-up or messaging failures: one student, not the batch
        return notes, f"the notebook could not be run: {type(exc).__name__}: {exc}"
    return notes, None


def grade_one(
    lab: str, submission: Path, out_dir: Path, *, cell_timeout: int = 120, timeout: int = 600
) -> SubmissionResult:
    """Grade one submission; write its executed copy to ``out_dir/executed/``."""
    submission = Path(submission)
    tests_path, questions = _hidden_questions(lab)
    result = SubmissionResult(submission.stem, submission,
                              [QuestionResult(n, p) for n, p in questions])  # fmt: skip
    try:
        nb = nbformat.reads(submission.read_text(encoding="utf-8"), as_version=4)
    except Exception as exc:  # unreadable or not a notebook: the grader's problem to report
        result.status, result.grading_error = "error", True
        result.message = f"cannot read {submission}: {type(exc).__name__}: {exc}"
        return result
    marker = f"@@course-grade-{secrets.token_hex(12)}@@"
    per_test = min(PER_TEST_SECONDS, cell_timeout)
    source = (_RUNNER.replace("@PATH@", repr(str(tests_path))).replace("@MARKER@", repr(marker))
              .replace("@PER_TEST@", repr(per_test)))  # fmt: skip
    grading_cell = nbformat.v4.new_code_cell(source)
    grading_cell.metadata["tags"] = ["grading"]
    result.notes, error = _execute(nb, submission.resolve().parent, cell_timeout, timeout,
                                   grading_cell, per_test * len(questions) + 30)  # fmt: skip
    executed = out_dir / "executed" / f"{result.student}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, executed)
    parsed = None if error else _parse_results(grading_cell, marker)
    if parsed is None:
        result.status = "error"
        result.message = error or "the hidden tests printed no result (see the executed copy)"
        for q in result.questions:
            q.message = "not graded: " + result.message
        return result
    for q in result.questions:
        passed, q.message = parsed.get(q.name, (False, "no result from the hidden tests"))
        q.earned = q.points if passed else 0
    return result


def _write_feedback(lab: str, result: SubmissionResult, folder: Path) -> None:
    lines = [f"# Lab {lab}: feedback for {result.student}", "",
             f"Score: **{result.total} / {result.max_points}**", ""]  # fmt: skip
    if result.status != "ok":
        lines += [f"Grading problem: {result.message}", ""]
    lines += [f"- {note}" for note in result.notes] + ([""] if result.notes else [])
    lines += ["| question | points | result |", "|---|---|---|"]
    for q in result.questions:
        text = q.message.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {q.name} | {q.earned} / {q.points} | {text} |")
    (folder / f"{result.student}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def grade(
    lab: str,
    submissions: list[Path],
    out_dir: Path,
    *,
    cell_timeout: int = 120,
    timeout: int = 600,
    progress: Callable[[str], object] | None = None,
) -> list[SubmissionResult]:
    """Grade ``submissions`` of ``lab``; write ``gradebook.csv`` and ``feedback/`` to ``out_dir``.

    Raises :class:`GradingError` for problems of grading itself (unknown lab, two submissions
    with the same file name, an unusable output folder). Problems of a submission (crashes,
    endless loops, a dying kernel) are recorded in its row and the batch goes on.
    """
    _, questions = _hidden_questions(lab)
    submissions = [Path(s) for s in submissions]
    stems = [s.stem for s in submissions]
    duplicates = sorted({s for s in stems if stems.count(s) > 1})
    if duplicates:
        raise GradingError(f"several submissions are named {duplicates}: the student id is "
                           "the file name, so rename them")  # fmt: skip
    out_dir = Path(out_dir)
    try:
        (out_dir / "feedback").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GradingError(f"cannot create output folder {out_dir}: {exc}") from None
    limits = lab_timeouts(lab, cell_timeout, timeout)
    if progress and limits != (cell_timeout, timeout):
        progress(f"{lab} trains a network: time limits raised to {limits[0]} s per cell and "
                 f"{limits[1]} s per submission")  # fmt: skip
    cell_timeout, timeout = limits
    results = []
    for path in submissions:
        result = grade_one(lab, path, out_dir, cell_timeout=cell_timeout, timeout=timeout)
        results.append(result)
        if progress:
            progress(f"{result.student}: {result.total}/{result.max_points} {result.status}"
                     + (f" ({result.message})" if result.message else ""))  # fmt: skip
        _write_feedback(lab, result, out_dir / "feedback")
    with open(out_dir / "gradebook.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", *[n for n, _ in questions], "total", "max", "status",
                         "message"])  # fmt: skip
        for r in results:
            writer.writerow([r.student, *[q.earned for q in r.questions], r.total, r.max_points,
                             r.status, r.message])  # fmt: skip
    return results
