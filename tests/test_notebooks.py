"""Repository rules for the notebooks: text twins in sync, no committed outputs, index and
README complete, labs derived from their solutions, and blank labs failing where they should.

The notebooks themselves are executed by nbval (``pytest course solutions``)."""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("course", "labs", "solutions")
NOTEBOOKS = sorted(p for f in FOLDERS for p in (ROOT / f).glob("*.ipynb"))
TEXT_TWINS = sorted(p for f in FOLDERS for p in (ROOT / f).glob("*.md"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
LABS = sorted((ROOT / "labs").glob("*.ipynb"))
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


def cells(nb) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def test_there_are_notebooks():
    assert (ROOT / "course" / "00_setup.ipynb") in NOTEBOOKS
    assert (ROOT / "course" / "index.ipynb") in NOTEBOOKS
    assert SOLUTIONS and LABS


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=rel)
def test_notebook_and_text_twin_are_in_sync(nb_path):
    twin = nb_path.with_suffix(".md")
    assert twin.is_file(), f"{rel(nb_path)} has no MyST twin; run: jupytext --sync {rel(nb_path)}"
    a, b = jupytext.read(nb_path), jupytext.read(twin)
    assert cells(a) == cells(b), (
        f"{rel(nb_path)} and {rel(twin)} differ; edit one and run: jupytext --sync {rel(twin)}"
    )


@pytest.mark.parametrize("md_path", TEXT_TWINS, ids=rel)
def test_every_text_twin_has_a_notebook(md_path):
    assert md_path.with_suffix(".ipynb").is_file(), f"run: jupytext --sync {rel(md_path)}"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=rel)
def test_notebooks_are_committed_without_outputs(nb_path):
    nb = nbformat.read(nb_path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]  # fmt: skip
    assert not dirty, (
        f"{rel(nb_path)} has outputs in cells {dirty}; notebooks are committed clean: run "
        f"jupyter nbconvert --clear-output --inplace {rel(nb_path)}"
    )


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=rel)
def test_markdown_renders_in_jupyterlab(nb_path):
    # JupyterLab shows MyST directives (```{admonition} …) as raw code blocks: a learner saw
    # every chapter's answers that way. Collapsible blocks are HTML <details> instead.
    nb = nbformat.read(nb_path, as_version=4)
    fence = re.compile(r"^\s*(```|~~~)\{", re.M)
    directives = [i for i, c in enumerate(nb.cells)
                  if c.cell_type == "markdown" and fence.search(c.source)]  # fmt: skip
    assert not directives, (
        f"{rel(nb_path)}: MyST directives in markdown cells {directives}; JupyterLab does not "
        "render them (use <details><summary>…</summary> for a collapsible block)"
    )


CHAPTERS = sorted(p for p in (ROOT / "course").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("nb_path", CHAPTERS, ids=rel)
def test_chapter_questions_come_with_collapsed_answers(nb_path):
    text = "\n".join(c.source for c in nbformat.read(nb_path, as_version=4).cells
                     if c.cell_type == "markdown")  # fmt: skip
    questions = re.search(r"^## .*(Check your understanding|Questions)", text, re.M | re.I)
    assert questions, f"{rel(nb_path)} has no questions section"
    after = text[questions.end() :]
    block = re.search(r"<details><summary>Answers</summary>\n\n(.*?)\n</details>", after, re.S)
    assert block, f"{rel(nb_path)}: the questions have no <details><summary>Answers</summary> block"
    asked = re.findall(r"^(\d+)\. ", after[: block.start()], re.M)
    answered = re.findall(r"^(\d+)\. ", block.group(1), re.M)
    assert asked and answered == asked, f"{rel(nb_path)}: questions {asked}, answers {answered}"


def _links(markdown: str) -> list[str]:
    return [m for m in re.findall(r"\]\(([^)\s]+)\)", markdown) if not m.startswith("http")]


def test_index_links_resolve_and_cover_every_notebook():
    index = ROOT / "course" / "index.md"
    links = _links(index.read_text(encoding="utf-8"))
    targets = {(index.parent / link).resolve() for link in links}
    broken = [link for link in links if not (index.parent / link).resolve().is_file()]
    assert not broken, f"course/index.md links to missing files: {broken}"
    unlisted = [rel(p) for p in NOTEBOOKS if p.name != "index.ipynb" and p not in targets]
    assert not unlisted, f"course/index.md does not link: {unlisted}"


def test_readme_chapter_table_lists_every_chapter():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = set(_links(readme))
    broken = [link for link in links if not (ROOT / link.split("#")[0]).exists()]
    assert not broken, f"README.md links to missing files: {broken}"
    for p in NOTEBOOKS:
        if p.name != "index.ipynb":
            assert rel(p) in links, f"README.md's chapter table does not link {rel(p)}"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=rel)
def test_lab_is_its_solution_with_blanks(solution):
    """The committed lab is exactly what ``python -m helpers labs build`` makes of its solution."""
    from helpers.labs import make_lab, render

    fix = "run: python -m helpers labs build"
    lab = ROOT / "labs" / solution.name
    assert lab.is_file(), f"{rel(solution)} has no lab {rel(lab)}; {fix}"
    sol_nb = nbformat.read(solution, 4)
    ipynb, md = render(make_lab(sol_nb, name=rel(solution)), lab.parent)
    for path, text in ((lab, ipynb), (lab.with_suffix(".md"), md)):
        assert path.read_text(encoding="utf-8") == text, (
            f"{rel(path)} is not the lab built from {rel(solution)}; {fix}"
        )
    lab_nb = nbformat.read(lab, 4)
    assert all(BEGIN not in c.source and "END SOLUTION" not in c.source for c in lab_nb.cells)
    n_blocks = sum(c.source.count(BEGIN) for c in sol_nb.cells if c.cell_type == "code")
    assert n_blocks >= 3, f"{rel(solution)} has {n_blocks} exercises; a lab has 3 to 8"
    stubs = sum(c.source.count("raise NotImplementedError(") for c in lab_nb.cells)
    assert stubs == n_blocks


@pytest.mark.parametrize("lab", LABS, ids=rel)
def test_blank_lab_fails_every_check_and_nothing_else(lab):
    """Run the blank lab: check cells must fail, every other cell must run."""
    from nbclient import NotebookClient

    nb = nbformat.read(lab, as_version=4)
    NotebookClient(nb, timeout=600, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(lab.parent)}}).execute()  # fmt: skip
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if re.search(r'^check\("\w+"', cell.source, re.MULTILINE):
            assert errors, f"{rel(lab)} cell {i}: a check passed on a blank exercise"
            assert errors[0].ename == "CheckFailed", f"cell {i}: {errors[0].ename}"
            assert "not implemented yet" in errors[0].evalue, errors[0].evalue
        else:
            assert not errors, f"{rel(lab)} cell {i} failed: {errors[0].ename}: {errors[0].evalue}"
