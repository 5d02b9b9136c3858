"""The student edition: what a class receives, without anything that answers the labs.

``python -m helpers labs release DIR`` copies the course (``course/``, ``labs/``, ``helpers/``,
``binder/``, the README, ``pyproject.toml``, the licence) into a new folder DIR, leaving out:

- ``solutions/`` (the filled-in labs);
- ``helpers/labs/specs/`` (the exercise declarations: reference implementations, hidden-case
  generators and mistakes);
- the repository's tests, CI and benchmarks (they need the solutions).

The labs' in-notebook checks keep working there: they read the stored expected outcomes in
``helpers/labs/public/``. Grading stays on the instructor's machine, which has the declarations
(or a private folder of them, ``grade --tests DIR``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .notebooks import repo_root

__all__ = ["ReleaseError", "release", "INCLUDED", "EXCLUDED"]

INCLUDED = ["course", "labs", "helpers", "binder", "README.md", "pyproject.toml", "LICENSE",
            ".gitignore"]  # fmt: skip
EXCLUDED = ["helpers/labs/specs"]
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")

NOTE = """\
# Student edition

This folder is the student edition of the course: chapters, labs and helpers, without the
solutions and without the grader's exercise declarations. The checks in the labs work as usual.
Your instructor grades your handed-in lab with hidden inputs drawn at grading time.
"""


class ReleaseError(Exception):
    """The student edition cannot be written (e.g. the repository is incomplete)."""


def release(dest: Path, root: Path | None = None) -> str:
    """Write the student edition into ``dest`` (which must not exist); return a summary."""
    root = Path(root) if root is not None else repo_root()
    dest = Path(dest)
    if dest.exists():
        raise FileExistsError(f"{dest} already exists; name a new folder for the student edition")
    if not (root / "helpers" / "labs" / "public").is_dir():
        raise ReleaseError(f"{root} has no public checks (helpers/labs/public); run "
                           "`python -m helpers labs build` first")  # fmt: skip
    dest.mkdir(parents=True)
    copied = []
    for name in INCLUDED:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=_IGNORE)
        elif source.is_file():
            shutil.copy2(source, dest / name)
        else:
            continue
        copied.append(name)
    for name in EXCLUDED:
        shutil.rmtree(dest / name, ignore_errors=True)
    (dest / "helpers" / "labs" / "specs").mkdir()
    (dest / "helpers" / "labs" / "specs" / "__init__.py").write_text(
        '"""Empty in the student edition: the declarations stay with the instructor."""\n',
        encoding="utf-8")  # fmt: skip
    pyproject = dest / "pyproject.toml"
    if pyproject.is_file():  # the test paths of the full repository do not exist here
        text = pyproject.read_text(encoding="utf-8")
        pyproject.write_text(
            text.replace('testpaths = ["tests", "course", "solutions"]', 'testpaths = ["course"]'),
            encoding="utf-8",
        )
    (dest / "STUDENT_EDITION.md").write_text(NOTE, encoding="utf-8")
    return (f"student edition written to {dest}: {', '.join(copied)}; left out: solutions/, "
            f"{', '.join(EXCLUDED)}, tests/")  # fmt: skip
