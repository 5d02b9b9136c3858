"""Everything about labs: building them, their exercises, their checks, and grading them.

Map of the sub-package:

- :mod:`~helpers.labs.notebooks`: write ``labs/`` from ``solutions/`` (blanks and hints), hand a
  learner a copy (``labs start``), and write the public-check store.
- :mod:`~helpers.labs.spec`: exercises as data (:class:`~helpers.labs.spec.Exercise`): the
  reference implementation, public cases, hidden-case generators, comparator, mistakes, points.
- :mod:`~helpers.labs.specs`: the declarations of the shipped labs, one ``labNN.py`` each, and
  ``_common.py``, arithmetic several declarations share (grader only: not in the student edition).
- :mod:`~helpers.labs.judge`: comparators and verdicts, shared by checks and grader.
- :mod:`~helpers.labs.custom`: comparators particular to one lab (``labNN.py``), and
  :mod:`~helpers.labs.custom.models`, what every lab that judges a Keras model shares.
- :mod:`~helpers.labs.checks`: the in-notebook checks, ``for_lab("03")("output_size", fn)``.
- :mod:`~helpers.labs.wire`: the plain-data channel to the learner's kernel, and the code the
  grader runs there.
- :mod:`~helpers.labs.grader`: grading a folder of submissions, verdicts outside the kernel.
- :mod:`~helpers.labs.sandbox`: the grading kernel's sandbox, memory cap and process sweep.
- :mod:`~helpers.labs.release`: the student edition (no solutions, no declarations).
"""

from .notebooks import (
    BEGIN,
    END,
    GENERIC_HINT,
    HINT,
    BuildReport,
    LabBuildError,
    available_labs,
    blank_source,
    build,
    make_lab,
    render,
    repo_root,
    start,
)

__all__ = [
    "BEGIN", "END", "HINT", "GENERIC_HINT", "LabBuildError", "repo_root", "blank_source",
    "make_lab", "render", "build", "BuildReport", "available_labs", "start",
]  # fmt: skip
