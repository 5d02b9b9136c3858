"""Tests of helpers.labs and ``python -m helpers labs``: building labs from solutions, and
handing a learner a copy that is never overwritten."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from helpers import labs
from helpers.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A copy of labs/, solutions/ and pyproject.toml (the jupytext settings) to build in."""
    for folder in ("labs", "solutions"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    monkeypatch.setenv("COURSE_REPO_ROOT", str(tmp_path))
    return tmp_path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_committed_labs_are_in_sync_with_solutions(capsys):
    report = labs.build(ROOT, check=True)
    assert report.in_sync, f"run `python -m helpers labs build`: {report}"
    assert main(["labs", "build", "--check"]) == 0
    assert "in sync" in capsys.readouterr().out


def test_check_detects_a_changed_solution_and_build_fixes_it(repo, capsys):
    sol = repo / "solutions" / "00_setup_lab.ipynb"
    nb = nbformat.read(sol, as_version=4)
    nb.cells[0].source += "\n\nOne more sentence."
    nbformat.write(nb, sol)
    before = _snapshot(repo / "labs")

    assert main(["labs", "build", "--check"]) == 1
    out = capsys.readouterr().out
    assert "out of date: labs/00_setup_lab.ipynb" in out and "labs/00_setup_lab.md" in out
    assert _snapshot(repo / "labs") == before, "--check must write nothing"

    assert main(["labs", "build"]) == 0
    built = _snapshot(repo / "labs")
    assert built != before
    assert "One more sentence." in nbformat.read(repo / "labs" / sol.name, 4).cells[0].source
    assert labs.build(repo, check=True).in_sync
    assert labs.build(repo).written == [] and _snapshot(repo / "labs") == built  # byte-stable


def test_check_reports_missing_and_orphaned_labs(repo, capsys):
    (repo / "labs" / "00_setup_lab.md").unlink()
    shutil.copy(repo / "labs" / "00_setup_lab.ipynb", repo / "labs" / "99_old_lab.ipynb")
    report = labs.build(repo, check=True)
    assert report.missing == ["labs/00_setup_lab.md"]
    assert report.orphaned == ["labs/99_old_lab.ipynb"]
    assert main(["labs", "build", "--check"]) == 1
    assert "orphaned: labs/99_old_lab.ipynb" in capsys.readouterr().out


SYNTHETIC = """\
class Model:
    def forward(self, x):
        y = x + 1
        ### BEGIN SOLUTION
        ### HINT: return twice y
        return 2 * y
        ### END SOLUTION

def loose():
    ### BEGIN SOLUTION
    return 1
    ### END SOLUTION"""


def test_blank_source_keeps_indentation_and_uses_hints():
    source, n = labs.blank_source(SYNTHETIC, first_exercise=4)
    assert n == 2
    assert source == (
        "class Model:\n"
        "    def forward(self, x):\n"
        "        y = x + 1\n"
        "        # YOUR CODE HERE: return twice y\n"
        '        raise NotImplementedError("Exercise 4: write forward")\n'
        "\n"
        "def loose():\n"
        f"    # YOUR CODE HERE: {labs.GENERIC_HINT}\n"
        '    raise NotImplementedError("Exercise 5: write loose")'
    )
    assert labs.blank_source("x = 1\n", first_exercise=1) == ("x = 1\n", 0)


def test_make_lab_numbers_exercises_clears_outputs_and_keeps_ids_and_prose():
    sol = nbformat.v4.new_notebook()
    sol.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell(
            "def a():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"
        ),
        nbformat.v4.new_code_cell("print(a())", execution_count=3,
                                  outputs=[nbformat.v4.new_output("stream", text="1\n")]),
        nbformat.v4.new_code_cell("### BEGIN SOLUTION\nb = 2\n### END SOLUTION"),
    ]  # fmt: skip
    lab = labs.make_lab(sol, name="synthetic")
    assert [c.id for c in lab.cells] == [c.id for c in sol.cells]
    assert lab.cells[0].source == "# Title" and lab.cells[2].source == "print(a())"
    assert lab.cells[2].outputs == [] and lab.cells[2].execution_count is None
    assert 'NotImplementedError("Exercise 1: write a")' in lab.cells[1].source
    assert lab.cells[3].source.endswith('raise NotImplementedError("Exercise 2")')
    assert "return 1" in sol.cells[1].source, "the solution itself is not modified"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "without '### END SOLUTION'"),
        ("x = 1\n### END SOLUTION\n", "without a '### BEGIN SOLUTION'"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "nested"),
        ("### HINT: stray\nx = 1\n", "outside a solution block"),
    ],
)
def test_malformed_markers_name_the_notebook_and_cell(source, problem):
    sol = nbformat.v4.new_notebook()
    sol.cells = [nbformat.v4.new_code_cell("import math"), nbformat.v4.new_code_cell(source)]
    with pytest.raises(labs.LabBuildError, match="broken.ipynb, cell 1, line") as exc:
        labs.make_lab(sol, name="broken.ipynb")
    assert problem in str(exc.value)


def test_build_error_is_reported_by_the_cli(repo, capsys):
    sol = repo / "solutions" / "00_setup_lab.ipynb"
    sol.write_text(sol.read_text().replace("### END SOLUTION", "", 1))
    assert main(["labs", "build"]) == 1
    assert "solutions/00_setup_lab.ipynb, cell" in capsys.readouterr().err


def test_start_copies_a_lab_and_never_overwrites(tmp_path, capsys):
    dest = tmp_path / "mine"
    assert main(["labs", "start", "00_setup_lab", "--dest", str(dest)]) == 0
    copy = dest / "00_setup_lab.ipynb"
    assert copy.read_bytes() == (ROOT / "labs" / "00_setup_lab.ipynb").read_bytes()
    copy.write_text("my work", encoding="utf-8")

    assert main(["labs", "start", "00_setup_lab.ipynb", "--dest", str(dest)]) == 1
    err = capsys.readouterr().err
    assert str(copy) in err and "not overwritten" in err
    assert copy.read_text(encoding="utf-8") == "my work"


def test_start_unknown_lab_lists_the_labs(tmp_path, capsys):
    assert main(["labs", "start", "nope", "--dest", str(tmp_path)]) == 1
    assert "00_setup_lab" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_start_defaults_to_my_work_under_the_repository_root(repo):
    assert labs.start("00_setup_lab") == repo / "my-work" / "00_setup_lab.ipynb"
    assert (repo / "my-work" / "00_setup_lab.ipynb").is_file()


def test_list_shows_the_labs(capsys):
    assert main(["labs", "list"]) == 0
    assert capsys.readouterr().out.split() == labs.available_labs(ROOT)
    assert "00_setup_lab" in labs.available_labs(ROOT)


def test_release_writes_a_student_edition_without_answers(tmp_path):
    """The student edition has the labs and working checks, but no solutions or declarations."""
    import subprocess
    import sys

    from helpers.labs import release

    dest = tmp_path / "class"
    summary = release.release(dest, ROOT)
    assert "left out: solutions/" in summary
    assert not (dest / "solutions").exists() and not (dest / "tests").exists()
    assert (dest / "labs" / "03_convolution_lab.ipynb").is_file()
    assert sorted(p.name for p in (dest / "helpers" / "labs" / "specs").iterdir()) == [
        "__init__.py"
    ]
    text = "\n".join(p.read_text(encoding="utf-8") for p in (dest / "helpers").rglob("*.py"))
    assert "def _true_convolution" not in text and "def _rounded_size" not in text
    # The checks work there, from the stored outcomes, and still catch a wrong answer.
    code = (
        "from helpers.labs.checks import for_lab, CheckFailed\n"
        "check = for_lab('00')\n"
        "check('tensor_megabytes', lambda s, bytes_per_value=4: "
        "__import__('math').prod(s) * bytes_per_value / 1e6 if min(s) >= 0 else 1 / 0)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=dest,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(dest), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert "ZeroDivisionError" not in run.stdout
    assert run.returncode != 0 and "raise ValueError" in run.stderr  # the bad-input case
    with pytest.raises(FileExistsError):
        release.release(dest, ROOT)
    assert main(["labs", "release", str(tmp_path / "again")]) == 0
