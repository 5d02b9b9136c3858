"""Grade handed-in labs; every verdict is computed in the grader's process, not the learner's.

For each submission (an ``.ipynb`` named after the student):

1. The grader draws the hidden cases of every exercise from a fresh random seed (the lab's
   declarations, :mod:`helpers.labs.spec`) and computes the reference outcomes itself.
2. The notebook runs cell by cell in a new kernel (in a sandbox, :mod:`helpers.labs.sandbox`):
   errors allowed, each cell stopped after ``cell_timeout`` s, all cells within ``timeout`` s,
   the output of each cell capped. Then one more cell calls the learner's functions on the
   hidden inputs (:func:`helpers.labs.wire.serve_file`), each call under its own time limit,
   and writes plain-data results, one file per call.
3. The kernel and every process it started are killed. Only then are the results read
   (size-capped, JSON, no pickle), judged against the reference outcomes with the declared
   comparators (:mod:`helpers.labs.judge`), and written: the gradebook row, the feedback file
   and the executed copy, each file replaced atomically as each student finishes.

The learner's code can change only the values it returns; the seed, the expected values and the
points never enter its kernel. The submission file is never written.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_core.utils import run_sync

from . import sandbox, spec, wire
from .judge import verdict

__all__ = ["GradingError", "QuestionResult", "SubmissionResult", "grade", "grade_one",
           "grade_namespace", "lab_limits", "DEFAULT_CALL_SECONDS"]  # fmt: skip

DEFAULT_CALL_SECONDS = 10  # one call of a learner's function; more means an endless loop
DEFAULT_MEMORY_MB = 4096
DEFAULT_OUTPUT_KB = 1024  # per cell, in the executed copy


class GradingError(Exception):
    """Grading itself cannot proceed (unknown lab, unusable output folder)."""


@dataclass
class QuestionResult:
    """Points for one exercise, per case group, and what went wrong."""

    name: str
    points: int
    earned: int = 0
    message: str = "not graded"
    groups: dict[str, tuple[int, int]] = field(default_factory=dict)  # name: (earned, points)


@dataclass
class SubmissionResult:
    """The grade of one submission. ``status`` is ``ok`` or ``error`` (the kernel died, the
    file could not be read …); ``grading_error`` marks failures of grading, not of the learner."""

    student: str
    path: Path
    questions: list[QuestionResult]
    status: str = "ok"
    message: str = ""
    notes: list[str] = field(default_factory=list)
    grading_error: bool = False
    seed: int | None = None

    @property
    def total(self) -> int:
        return sum(q.earned for q in self.questions)

    @property
    def max_points(self) -> int:
        return sum(q.points for q in self.questions)


def lab_limits(module, cell_timeout: int, timeout: int) -> tuple[int, int]:
    """The requested time limits raised to the lab's own minimums (labs that train)."""
    return (max(cell_timeout, int(getattr(module, "CELL_TIMEOUT", 0))),
            max(timeout, int(getattr(module, "TIMEOUT", 0))))  # fmt: skip


def _load(lab: str, tests_dir: Path | None):
    try:
        return spec.load_specs(lab, tests_dir)
    except KeyError:
        where = tests_dir or spec.SPECS_DIR
        known = ", ".join(spec.known_labs(tests_dir)) or "none"
        raise GradingError(
            f"no exercise declarations for lab {lab!r} in {where} (expected "
            f"labNN.py for a lab named NN_…); there are: {known}"
        ) from None


# ----------------------------------------------------------------------------- the kernel


def _capped_client_class():
    from nbclient import NotebookClient

    class CappedClient(NotebookClient):
        """A notebook client that keeps at most ``output_limit`` bytes of output per cell."""

        def __init__(self, *args, output_limit: int, **kwargs):
            super().__init__(*args, **kwargs)
            self._output_limit = output_limit
            self._output_used: dict[int, int] = {}
            self.capped_cells: list[int] = []

        def output(self, outs, msg, display_id, cell_index):
            size = len(json.dumps(msg.get("content", {}), default=str))
            used = self._output_used.get(cell_index, 0) + size
            self._output_used[cell_index] = used
            if used > self._output_limit:
                if cell_index not in self.capped_cells:
                    self.capped_cells.append(cell_index)
                    outs.append(nbformat.v4.new_output(
                        "stream", name="stderr",
                        text=f"[grader: this cell printed more than {self._output_limit:,} "
                             "bytes; the rest of its output was dropped]\n"))  # fmt: skip
                return None
            return super().output(outs, msg, display_id, cell_index)

    return CappedClient


def _kernel_manager(work: Path, token: str, memory_mb: int, hide: list[Path]):
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    from ..config import data_dir

    specs = work / "kernelspec"
    (specs / "course-grader").mkdir(parents=True, exist_ok=True)
    argv = sandbox.kernel_argv(work=work, memory_mb=memory_mb, hide=hide,
                               read_only=[data_dir()])  # fmt: skip
    # The kernel gets a private home, so the data cache is named explicitly.
    env = {
        sandbox.TOKEN_VARIABLE: token,
        "PYTHONDONTWRITEBYTECODE": "1",
        "COURSE_DATA_DIR": str(data_dir()),
    }
    kernel = {"argv": argv, "display_name": "course grader", "language": "python", "env": env}
    if argv[0] != sys.executable:
        # In bubblewrap the kernel has a session of its own and Jupyter's SIGINT to the outer
        # process group would end bubblewrap: ask the kernel to interrupt itself instead.
        kernel["interrupt_mode"] = "message"
    (specs / "course-grader" / "kernel.json").write_text(json.dumps(kernel))
    ksm = KernelSpecManager(kernel_dirs=[str(specs)])
    # The async manager matters: with a blocking client nbclient's wait for output blocks its
    # event loop, so a kernel that dies is never noticed and the grader hangs.
    km = AsyncKernelManager(kernel_name="course-grader", kernel_spec_manager=ksm)
    km.connection_file = str(work / "connection.json")  # inside the only folder it shares
    return km


_GRADING_CELL = """\
# Grading: call this notebook's functions on the grader's inputs (see helpers.labs.wire).
__course_grader = {{"__name__": "course_grader"}}
exec(compile({source!r}, "<course-grader>", "exec"), __course_grader)
__course_grader["serve_file"]({folder!r}, globals())
del __course_grader
"""


class _Watchdog:
    """Kills the kernel when the grading cell makes no progress (a call that ignores both the
    per-call alarm and the interrupt): one more result file is expected every ``seconds``."""

    def __init__(self, km, folder: Path, seconds: float):
        import threading

        self.km, self.folder, self.seconds = km, folder, seconds
        self.fired = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import signal

        seen, last = -1, time.monotonic()
        while not self._stop.wait(0.5):
            count = len(list(self.folder.glob("result-*.json")))
            if count != seen:
                seen, last = count, time.monotonic()
            elif time.monotonic() - last > self.seconds:
                self.fired = True
                try:
                    os.killpg(self.km.provisioner.pgid, signal.SIGKILL)
                except (AttributeError, OSError, TypeError):
                    pass
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _execute(nb, *, km, cell_timeout: int, timeout: int, grading_cell, grading_timeout: int,
             output_limit: int, exchange: Path, call_seconds: float):  # fmt: skip
    """Run the cells of ``nb``, then ``grading_cell``, in one kernel; return (notes, error)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    client = _capped_client_class()(
        nb, km=km, timeout=cell_timeout, allow_errors=True, interrupt_on_timeout=True,
        iopub_timeout=4, output_limit=output_limit, startup_timeout=120,
        # After interrupting, go on at once instead of waiting for a kernel that may ignore
        # the interrupt; the next cell waits its own turn, bounded by the budget.
        error_on_timeout={"ename": "CellTimeoutError", "evalue": "cell interrupted",
                          "traceback": []},
    )  # fmt: skip
    notes: list[str] = []
    deadline = time.monotonic() + timeout
    error = None
    watchdog = None
    try:
        with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
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
            watchdog = _Watchdog(km, exchange, call_seconds + 10)
            with watchdog:
                client.execute_cell(grading_cell, len(nb.cells) - 1)
    except DeadKernelError:
        error = (
            "the kernel died (the notebook ended Python, e.g. with os._exit or exit(), "
            "or ran out of memory)"
        )
    except CellTimeoutError as exc:
        error = f"a cell did not finish: {exc}"
    except Exception as exc:  # start-up or messaging failures: one student, not the batch
        error = f"the notebook could not be run: {type(exc).__name__}: {exc}"
    if watchdog is not None and watchdog.fired:
        error = (f"the grader stopped the kernel: a call did not return within "
                 f"{call_seconds:g} s and ignored the interrupt")  # fmt: skip
    for index in client.capped_cells:
        notes.append(f"cell {index} printed too much output: it was cut at "
                     f"{output_limit:,} bytes")  # fmt: skip
    return notes, error


def _read_outcomes(folder: Path, n: int) -> list[dict | None]:
    """Decoded outcomes of the calls, None where the kernel wrote none (or garbage)."""
    outcomes: list[dict | None] = []
    for i in range(n):
        path = folder / f"result-{i}.json"
        try:
            if path.is_symlink() or not path.is_file():
                outcomes.append(None)
                continue
            if path.stat().st_size > wire.MAX_RESULT_BYTES + 4096:
                outcomes.append({"ok": False, "too_large": True})
                continue
            outcomes.append(spec.decode_outcome(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            outcomes.append({"ok": False, "unsendable": "unreadable result"})
    return outcomes


# ----------------------------------------------------------------------------- judging


@dataclass
class _Planned:
    exercise: spec.Exercise
    cases: list[spec.Case]
    expected: list[dict]
    mistakes: list[list[tuple[dict, str, str | None]]]
    first_call: int


def _plan(module, seed: int, only: list[str] | None = None) -> list[_Planned]:
    plans, index = [], 0
    for ex in module.EXERCISES:
        if only is not None and ex.name not in only:
            continue
        cases = ex.hidden_cases(spec.case_seed(seed, ex.name))
        expected = [spec.reference_outcome(ex, c) for c in cases]
        mistakes = [[(spec.reference_outcome(ex, c, m.impl), m.message, m.hint)
                     for m in ex.mistakes] for c in cases]  # fmt: skip
        plans.append(_Planned(ex, cases, expected, mistakes, index))
        index += len(cases)
    return plans


def _judge(plan: _Planned, outcomes: list[dict | None], *, hide_inputs: bool,
           call_seconds: float, run_note: str) -> QuestionResult:  # fmt: skip
    ex = plan.exercise
    q = QuestionResult(ex.name, ex.points)
    failures: dict[str, str] = {}
    for k, case in enumerate(plan.cases):
        if case.group in failures:
            continue
        outcome = outcomes[plan.first_call + k]
        what = (f"{ex.name}, hidden case {k + 1} ({case.group})" if hide_inputs
                else case.what(ex.name))  # fmt: skip
        if outcome is None:
            failures[case.group] = f"{what}: no result ({run_note})"
            continue
        message = verdict(what=what, outcome=outcome, expected=plan.expected[k],
                          judge=ex.judge, hint=case.hint or ex.hint,
                          mistakes=plan.mistakes[k], pure=ex.pure, copy=ex.copy,
                          seconds=call_seconds, no_warnings=ex.no_warnings)  # fmt: skip
        if message is not None:
            failures[case.group] = message
    for group, points in ex.groups.items():
        q.groups[group] = (0 if group in failures else points, points)
    q.earned = sum(e for e, _ in q.groups.values())
    if not failures:
        q.message = "passed"
    elif len(ex.groups) == 1:
        q.message = next(iter(failures.values()))
    else:
        q.message = " / ".join(f"[{g}] {m}" for g, m in failures.items())
    return q


def grade_namespace(
    module, namespace: dict, seed: int, *, hide_inputs: bool = False, only: list[str] | None = None
) -> list[QuestionResult]:
    """Judge functions of *this* process (``namespace``: name → function) on the hidden cases
    of ``seed``, through the same wire and judge as a real submission. For tests (solutions and
    mutants) and for instructors trying their declarations; never for untrusted code."""
    plans = [p for p in _plan(module, seed, only)]
    calls = [c.request(p.exercise.name, f"c{p.first_call + k}")
             for p in plans for k, c in enumerate(p.cases)]  # fmt: skip
    call_seconds = float(getattr(module, "CALL_SECONDS", DEFAULT_CALL_SECONDS))
    raw = wire.serve(namespace, {"calls": calls, "seconds": call_seconds})
    outcomes = [spec.decode_outcome(json.loads(json.dumps(r))) for r in raw]
    return [_judge(p, outcomes, hide_inputs=hide_inputs, call_seconds=call_seconds,
                   run_note="no outcome") for p in plans]  # fmt: skip


def _harness_source() -> str:
    return Path(wire.__file__).read_text(encoding="utf-8")


def grade_one(
    lab: str,
    submission: Path,
    out_dir: Path,
    *,
    cell_timeout: int = 120,
    timeout: int = 600,
    tests_dir: Path | None = None,
    seed: int | None = None,
    hide_inputs: bool = False,
    memory_mb: int = DEFAULT_MEMORY_MB,
    output_kb: int = DEFAULT_OUTPUT_KB,
    module=None,
) -> SubmissionResult:
    """Grade one submission; write its executed copy to ``out_dir/executed/``."""
    module = module or _load(lab, tests_dir)
    submission = Path(submission)
    seed = secrets.randbits(62) if seed is None else int(seed)
    result = SubmissionResult(submission.stem, submission,
                              [QuestionResult(e.name, e.points) for e in module.EXERCISES],
                              seed=seed)  # fmt: skip
    try:
        nb = nbformat.reads(submission.read_text(encoding="utf-8"), as_version=4)
    except Exception as exc:  # unreadable or not a notebook: the grader's problem to report
        result.status, result.grading_error = "error", True
        result.message = f"cannot read {submission}: {type(exc).__name__}: {exc}"
        return result
    plans = _plan(module, seed)
    calls = [c.request(p.exercise.name, f"c{p.first_call + k}")
             for p in plans for k, c in enumerate(p.cases)]  # fmt: skip
    call_seconds = float(getattr(module, "CALL_SECONDS", DEFAULT_CALL_SECONDS))
    work = Path(tempfile.mkdtemp(prefix="course-grade-"))
    token = secrets.token_hex(16)
    sweeper = sandbox.ProcessSweeper(token)
    try:
        exchange = work / "exchange"
        for sub in (exchange, work / "cwd", work / "home"):
            sub.mkdir(parents=True)
        (exchange / "request.json").write_text(
            json.dumps({"calls": calls, "seconds": call_seconds}), encoding="utf-8"
        )
        cell = nbformat.v4.new_code_cell(
            _GRADING_CELL.format(source=_harness_source(), folder=str(exchange))
        )
        cell.metadata["tags"] = ["grading"]
        hide = [Path(out_dir).resolve(), spec.SPECS_DIR]
        if tests_dir is not None:
            hide.append(Path(tests_dir).resolve())
        km = _kernel_manager(work, token, memory_mb, hide)
        cell_timeout, timeout = lab_limits(module, cell_timeout, timeout)
        result.notes, error = _execute(
            nb, km=km, cell_timeout=cell_timeout, timeout=timeout, grading_cell=cell,
            grading_timeout=int(call_seconds * max(1, len(calls)) + 60),
            output_limit=output_kb * 1024, exchange=exchange, call_seconds=call_seconds,
        )  # fmt: skip
        try:
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)
        except Exception:
            pass
        killed, survivors = sweeper.sweep()
        if killed:
            result.notes.append(f"{killed} process(es) left running by the notebook were killed")
        if survivors:  # never write results while something of the submission still runs
            raise GradingError(f"processes {survivors} of {submission.name} survived the sweep; "
                               "grading stopped before writing its results")  # fmt: skip
        outcomes = _read_outcomes(exchange, len(calls))
    finally:
        sweeper.close()
        shutil.rmtree(work, ignore_errors=True)
    executed = Path(out_dir) / "executed" / f"{result.student}.ipynb"
    _atomic_write(executed, nbformat.writes(nb))
    if error:
        result.status, result.message = "error", error
    run_note = error or "the grading cell stopped before this call"
    result.questions = [_judge(p, outcomes, hide_inputs=hide_inputs, call_seconds=call_seconds,
                               run_note=run_note) for p in plans]  # fmt: skip
    return result


# ----------------------------------------------------------------------------- writing


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def _feedback(lab: str, result: SubmissionResult) -> str:
    lines = [f"# Lab {lab}: feedback for {result.student}", "",
             f"Score: **{result.total} / {result.max_points}**", ""]  # fmt: skip
    if result.status != "ok":
        lines += [f"Grading problem: {result.message}", ""]
    lines += [f"- {note}" for note in result.notes] + ([""] if result.notes else [])
    lines += ["| question | points | result |", "|---|---|---|"]
    for q in result.questions:
        text = q.message.replace("|", "\\|").replace("\n", " ")
        parts = (
            ", ".join(f"{g} {e}/{p}" for g, (e, p) in q.groups.items()) if len(q.groups) > 1 else ""
        )
        points = f"{q.earned} / {q.points}" + (f" ({parts})" if parts else "")
        lines.append(f"| {q.name} | {points} | {text} |")
    return "\n".join(lines) + "\n"


def _gradebook(names: list[str], results: list[SubmissionResult]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", *names, "total", "max", "status", "message", "seed"])
    for r in results:
        earned = {q.name: q.earned for q in r.questions}
        writer.writerow([r.student, *[earned.get(n, 0) for n in names], r.total, r.max_points,
                         r.status, r.message, r.seed if r.seed is not None else ""])  # fmt: skip
    return buffer.getvalue()


def grade(
    lab: str,
    submissions: list[Path],
    out_dir: Path,
    *,
    cell_timeout: int = 120,
    timeout: int = 600,
    tests_dir: Path | None = None,
    seed: int | None = None,
    hide_inputs: bool = False,
    memory_mb: int = DEFAULT_MEMORY_MB,
    output_kb: int = DEFAULT_OUTPUT_KB,
    progress: Callable[[str], object] | None = None,
) -> list[SubmissionResult]:
    """Grade ``submissions`` of ``lab``; write ``gradebook.csv`` and ``feedback/`` to ``out_dir``.

    ``seed`` fixes the hidden inputs (for reproducing a grade; each submission then gets the
    same cases); by default each submission gets its own random seed, recorded in the
    gradebook. Problems of a submission are recorded in its row and the batch goes on; the
    gradebook and feedback files are rewritten from the grader's memory after each student.
    """
    module = _load(lab, tests_dir)
    names = [e.name for e in module.EXERCISES]
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
    limits = lab_limits(module, cell_timeout, timeout)
    if progress and limits != (cell_timeout, timeout):
        progress(f"{lab} trains a network: time limits raised to {limits[0]} s per cell and "
                 f"{limits[1]} s per submission")  # fmt: skip
    results: list[SubmissionResult] = []
    for path in submissions:
        result = grade_one(lab, path, out_dir, cell_timeout=cell_timeout, timeout=timeout,
                           tests_dir=tests_dir, seed=seed, hide_inputs=hide_inputs,
                           memory_mb=memory_mb, output_kb=output_kb, module=module)  # fmt: skip
        results.append(result)
        if progress:
            progress(f"{result.student}: {result.total}/{result.max_points} {result.status}"
                     + (f" ({result.message})" if result.message else ""))  # fmt: skip
        # Everything is written from memory, so nothing a submission wrote there survives.
        for r in results:
            _atomic_write(out_dir / "feedback" / f"{r.student}.md", _feedback(lab, r))
        _atomic_write(out_dir / "gradebook.csv", _gradebook(names, results))
    return results
