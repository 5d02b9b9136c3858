"""Labs: build them from the solutions, and hand learners a personal copy.

A lab is its solution notebook with every block between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` replaced by a stub::

    def batches_per_epoch(n_images, batch_size):
        ### BEGIN SOLUTION
        ### HINT: return the number of batches (an int)
        return -(-n_images // batch_size)
        ### END SOLUTION

becomes::

    def batches_per_epoch(n_images, batch_size):
        # YOUR CODE HERE: return the number of batches (an int)
        raise NotImplementedError("Exercise 1: write batches_per_epoch")

The optional ``### HINT:`` line right after ``BEGIN SOLUTION`` gives the comment of the stub;
without it the comment is generic. Exercises are numbered in notebook order. Outputs are
cleared and cell ids copied from the solution, so building twice gives identical bytes; the
MyST twin is written with the repository's jupytext settings.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

__all__ = [
    "BEGIN", "END", "HINT", "GENERIC_HINT", "LabBuildError", "repo_root", "blank_source",
    "make_lab", "render", "build", "BuildReport", "available_labs", "start",
]  # fmt: skip

BEGIN, END, HINT = "### BEGIN SOLUTION", "### END SOLUTION", "### HINT:"
GENERIC_HINT = "fill in this part"
_DEF = re.compile(r"^(\s*)(?:async\s+)?def\s+(\w+)\s*\(")


class LabBuildError(ValueError):
    """A solution notebook cannot be turned into a lab (e.g. unbalanced markers)."""


def repo_root() -> Path:
    """The repository root: ``COURSE_REPO_ROOT`` if set (tests), else the folder above helpers/."""
    override = os.environ.get("COURSE_REPO_ROOT")
    return Path(override) if override else Path(__file__).resolve().parents[2]


def _enclosing_function(lines: list[str], index: int, indent: str) -> str | None:
    """Name of the ``def`` the marker at ``lines[index]`` sits in, if any."""
    for line in reversed(lines[:index]):
        m = _DEF.match(line)
        if m and len(m.group(1)) < len(indent):
            return m.group(2)
    return None


def blank_source(source: str, *, first_exercise: int = 1, where: str = "cell") -> tuple[str, int]:
    """Replace the solution blocks of one cell's source by stubs.

    Returns the new source and the number of blocks replaced. ``first_exercise`` numbers
    the first block; ``where`` names the cell in error messages.
    """
    lines = source.split("\n")
    out: list[str] = []
    n = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(END):
            raise LabBuildError(f"{where}, line {i + 1}: {END!r} without a {BEGIN!r} before it")
        if not stripped.startswith(BEGIN):
            if stripped.startswith(HINT):
                raise LabBuildError(f"{where}, line {i + 1}: {HINT!r} outside a solution block")
            out.append(line)
            i += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        start = i
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(END):
            if lines[j].strip().startswith(BEGIN):
                raise LabBuildError(
                    f"{where}, line {j + 1}: nested {BEGIN!r} (the block opened on line "
                    f"{start + 1} is not closed)"
                )
            j += 1
        if j == len(lines):
            raise LabBuildError(f"{where}, line {start + 1}: {BEGIN!r} without {END!r}")
        hint = GENERIC_HINT
        if start + 1 < j and lines[start + 1].strip().startswith(HINT):
            hint = lines[start + 1].strip()[len(HINT) :].strip() or GENERIC_HINT
        number = first_exercise + n
        name = _enclosing_function(lines, start, indent)
        message = f"Exercise {number}: write {name}" if name else f"Exercise {number}"
        out.append(f"{indent}# YOUR CODE HERE: {hint}")
        out.append(f'{indent}raise NotImplementedError("{message}")')
        n += 1
        i = j + 1
    return "\n".join(out), n


def make_lab(solution: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The lab notebook of a solution notebook (the solution is not modified)."""
    lab = copy.deepcopy(solution)
    exercise = 1
    for index, cell in enumerate(lab.cells):
        if cell.cell_type == "code":
            cell.source, n = blank_source(
                cell.source, first_exercise=exercise, where=f"{name}, cell {index}"
            )
            exercise += n
            cell.outputs = []
            cell.execution_count = None
        elif BEGIN in cell.source or END in cell.source:
            raise LabBuildError(f"{name}, cell {index}: solution markers in a markdown cell")
    return lab


def render(nb: nbformat.NotebookNode, folder: Path) -> tuple[str, str]:
    """The exact text of ``nb`` as .ipynb and as its MyST twin (jupytext config of ``folder``)."""
    import jupytext
    from jupytext.config import load_jupytext_config

    ipynb = nbformat.writes(nb) + "\n"  # what nbformat.write puts on disk
    md = jupytext.writes(copy.deepcopy(nb), fmt="md:myst", config=load_jupytext_config(folder))
    return ipynb, md


@dataclass
class BuildReport:
    """What ``build`` did, or in check mode would do: paths relative to the repository."""

    written: list[str]
    differ: list[str]
    missing: list[str]
    orphaned: list[str]

    @property
    def in_sync(self) -> bool:
        return not (self.differ or self.missing or self.orphaned)


def build(root: Path | None = None, *, check: bool = False, only: str | None = None) -> BuildReport:
    """Build ``labs/`` and the public-check stores under ``root``; with ``check``, write nothing.

    ``only`` (a lab number such as ``"03"``) limits the build to that lab. Raises
    :class:`LabBuildError` naming the notebook and cell of a malformed solution.
    """
    root = Path(root) if root is not None else repo_root()
    sol_dir, lab_dir = root / "solutions", root / "labs"
    solutions = sorted(sol_dir.glob(f"{only}_*.ipynb" if only else "*.ipynb"))
    if not solutions:
        raise LabBuildError(f"no solution notebooks in {sol_dir}")
    report = BuildReport([], [], [], [])
    expected: set[str] = set()
    for sol in solutions:
        lab_nb = make_lab(nbformat.read(sol, as_version=4), name=f"solutions/{sol.name}")
        ipynb, md = render(lab_nb, lab_dir)
        for path, text in ((lab_dir / sol.name, ipynb), (lab_dir / f"{sol.stem}.md", md)):
            expected.add(path.name)
            shown = str(path.relative_to(root))
            current = path.read_text(encoding="utf-8") if path.is_file() else None
            if current == text:
                continue
            (report.missing if current is None else report.differ).append(shown)
            if not check:
                lab_dir.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8", newline="\n")
                report.written.append(shown)
    for path in sorted([*lab_dir.glob("*.ipynb"), *lab_dir.glob("*.md")]):
        if path.name not in expected and not only:
            report.orphaned.append(str(path.relative_to(root)))
    _build_public(root, report, check=check, only=only)
    return report


def public_text(module) -> str:
    """The exact text of a lab's public-check store (see :mod:`helpers.labs.checks`)."""
    import json

    from .spec import public_store

    return json.dumps(public_store(module), indent=1, ensure_ascii=False) + "\n"


def _build_public(root: Path, report: BuildReport, *, check: bool, only: str | None) -> None:
    """Write ``helpers/labs/public/labNN.json`` from the declarations in ``specs/``."""
    from .spec import load_specs

    specs = root / "helpers" / "labs" / "specs"
    public = root / "helpers" / "labs" / "public"
    if not specs.is_dir():  # a student edition, or a bare copy of labs/ and solutions/
        return
    expected = set()
    for path in sorted(specs.glob(f"lab{only}.py" if only else "lab[0-9][0-9].py")):
        if "keras" in sys.modules:  # Keras numbers layer names per session: start afresh
            sys.modules["keras"].backend.clear_session()
        text = public_text(load_specs(path.stem, specs))
        target = public / f"{path.stem}.json"
        expected.add(target.name)
        shown = str(target.relative_to(root))
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            continue
        (report.missing if current is None else report.differ).append(shown)
        if not check:
            public.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
            report.written.append(shown)
    for target in sorted(public.glob("*.json")):
        if target.name not in expected and not only:
            report.orphaned.append(str(target.relative_to(root)))


def available_labs(root: Path | None = None) -> list[str]:
    """Names of the labs (file stems in ``labs/``)."""
    root = Path(root) if root is not None else repo_root()
    return sorted(p.stem for p in (root / "labs").glob("*.ipynb"))


def start(name: str, dest: Path | None = None, root: Path | None = None) -> Path:
    """Copy lab ``name`` into ``dest`` (default ``my-work/``) and return the copy's path.

    Raises ``LookupError`` for an unknown lab and ``FileExistsError`` if the copy exists:
    a learner's work is never overwritten.
    """
    root = Path(root) if root is not None else repo_root()
    stem = name[: -len(".ipynb")] if name.endswith(".ipynb") else name
    source = root / "labs" / f"{stem}.ipynb"
    if not source.is_file():
        labs = ", ".join(available_labs(root)) or "none"
        raise LookupError(f"no lab named {name!r}; available labs: {labs}")
    dest = Path(dest) if dest is not None else root / "my-work"
    target = dest / source.name
    if target.exists():
        raise FileExistsError(
            f"{target} already exists: your copy of {stem} is there. It was not overwritten; "
            "to start afresh, rename or delete it first."
        )
    dest.mkdir(parents=True, exist_ok=True)
    data = source.read_bytes()
    with open(target, "xb") as f:  # "x": fail rather than overwrite, even in a race
        f.write(data)
    return target
