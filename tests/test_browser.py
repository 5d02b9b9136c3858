"""The course as a learner meets it: JupyterLab in a real browser (Playwright + Chromium).

What it checks, on a temporary copy of ``course/``, ``labs/`` and ``solutions/`` (the
repository's notebooks are never opened, so nothing can be saved into them):

* the course index renders, every notebook it links to exists, and clicking a chapter, a lab
  and a solution link opens that notebook in JupyterLab;
* chapter 03, run with *Run > Run All Cells* in fast mode, runs every cell with no error output
  and no red (stderr) box;
* the convolution explorer of chapter 03 reacts: moving the stride slider with the keyboard
  and choosing another kernel change the explanation text and the picture;
* in a blank lab, the first check cell shows the short friendly "✘ … not implemented yet"
  message (no traceback);
* JupyterLab and every kernel are stopped afterwards, pass or fail.

It needs Playwright (the ``test`` extra) and a system Chromium (Debian: ``apt-get install
chromium``; or ``$COURSE_CHROMIUM``); without them it is skipped with the reason. Playwright never
downloads a browser here. On failure a screenshot of the page is saved to a temporary folder
named in the error. Select it with ``pytest -k browser``; it takes one to two minutes.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import urllib.parse
from pathlib import Path

import browser_support as bs
import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVED = ("course", "labs", "solutions")
CHAPTER = "course/03_convolution.ipynb"
BLANK_LAB = "labs/00_setup_lab.ipynb"
TIMEOUT_MS = 180_000  # the machine may be busy: wait generously for each condition

try:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
except ImportError:  # the tests that need it skip, saying why (bs.skip_reason)
    expect = sync_playwright = None
ORIGINALS: dict[str, bytes] = {}  # the served notebooks' bytes when copied


# --- fixtures -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Path:
    """A temporary copy of the notebooks that JupyterLab serves."""
    reason = bs.skip_reason()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("served")
    for folder in SERVED:
        ignore = shutil.ignore_patterns(".ipynb_checkpoints", "*.md")
        shutil.copytree(ROOT / folder, root / folder, ignore=ignore)
    ORIGINALS.update({str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*.ipynb")})
    return root


@pytest.fixture(scope="module")
def server(served, tmp_path_factory):
    """JupyterLab on a free port; the kernels run the course in fast mode. Always stopped."""
    from helpers import config

    env = {
        "COURSE_FAST": "1",
        "COURSE_DATA_DIR": str(config.data_dir()),  # $HOME is a temporary folder below
        "COURSE_ALLOW_STANDIN": os.environ.get("COURSE_ALLOW_STANDIN", "1"),
        # The kernels see what a learner's kernel sees: conftest.py's quieting is not theirs,
        # and ipykernel forwards C-level stderr (TensorFlow's logs) only outside pytest.
        "MPLBACKEND": None,
        "TF_CPP_MIN_LOG_LEVEL": None,
        "PYTEST_CURRENT_TEST": None,
    }
    lab = bs.JupyterLab(served, tmp_path_factory.mktemp("jupyter-home"), env=env)
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()
        left = lab.kernel_processes()
        assert not left, f"kernels still running after the test: {[p.pid for p in left]}"


@pytest.fixture(scope="module")
def browser(server):

    chromium, _ = bs.find_chromium()
    args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=args)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def screenshot_on_failure(page, name: str):
    """On an exception, save a full-page screenshot to a new temporary folder and add its
    path to the error."""
    try:
        yield page
    except BaseException as exc:
        shot = Path(tempfile.mkdtemp(prefix="course-browser-test-")) / f"{name}.png"
        with contextlib.suppress(Exception):
            page.screenshot(path=str(shot), full_page=True, timeout=30_000)
            exc.add_note(f"screenshot of the page: {shot}")
        raise


@contextlib.contextmanager
def open_page(browser, name: str):
    """A new browser page, closed afterwards, with a screenshot on failure."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    try:
        with screenshot_on_failure(page, name):
            yield page
    finally:
        page.close()


def open_notebook(page, server, path: str, workspace: str) -> None:
    """Open ``path`` in JupyterLab (its own workspace) and wait for its kernel to be idle."""
    page.goto(server.url(path, workspace))
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell")
    wait_for_idle_kernel(page, server, path)


def wait_for_idle_kernel(page, server, path: str) -> None:
    for _ in range(TIMEOUT_MS // 500):
        sessions = [s for s in server.api("GET", "/api/sessions") if s["path"] == path]
        if sessions and sessions[0]["kernel"]["execution_state"] == "idle":
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"the kernel of {path} did not become idle")


def run_all_cells(page) -> None:
    """Run > Run All Cells from the menu bar, then wait until no cell is queued or running."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-item", has_text=re.compile(r"^Run All Cells")).click()
    page.wait_for_function(
        """() => {
            const p = [...document.querySelectorAll(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
                .map(e => e.textContent);
            return p.length > 0 && p.some(t => /\\d/.test(t)) && !p.some(t => t.includes('*'));
        }"""
    )


def code_cells(page) -> list[dict]:
    """Each code cell of the current notebook: source, execution count and outputs, read from
    JupyterLab's notebook model (``window.jupyterapp``)."""
    return page.evaluate(
        """() => {
            const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
            const found = [];
            for (let i = 0; i < cells.length; i++) {
                const cell = cells.get(i).toJSON();
                if (cell.cell_type !== 'code') continue;
                found.push({index: i, source: [].concat(cell.source).join(''),
                            count: cell.execution_count, outputs: cell.outputs});
            }
            return found;
        }"""
    )


def stderr_boxes(page) -> list[str]:
    """The texts of the red boxes (stderr and error outputs) the learner sees."""
    return page.locator(
        ".jp-NotebookPanel:not(.lm-mod-hidden) "
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
    ).all_inner_texts()


def error_summary(cells: list[dict]) -> list[str]:
    """One line per error output: cell index, exception name and message."""
    errors = [(c["index"], o) for c in cells for o in c["outputs"] if o["output_type"] == "error"]
    return [f"cell {i}: {o.get('ename')}: {o.get('evalue')}" for i, o in errors]


# --- the index ------------------------------------------------------------------------------
@pytest.mark.timeout(600)
def test_index_renders_and_its_links_open(server, browser, served):
    with open_page(browser, "index") as page:
        open_notebook(page, server, "course/index.ipynb", "index")
        title = page.locator(".jp-RenderedMarkdown h1").first
        assert "Deep Computer Vision" in title.inner_text()
        rows = page.locator(".jp-RenderedMarkdown table tbody tr")
        assert rows.count() >= 13, "the chapter table is not rendered"

        # JupyterLab points a link to a notebook at /files/PATH and opens it on a click.
        hrefs = page.locator(".jp-RenderedMarkdown a").evaluate_all("els => els.map(e => e.href)")
        paths = [urllib.parse.unquote(urllib.parse.urlsplit(h).path) for h in hrefs]
        targets = {p.split("/files/", 1)[1] for p in paths if "/files/" in p}
        assert {CHAPTER, BLANK_LAB} <= targets, sorted(targets)
        missing = sorted(t for t in targets if not (served / t).is_file())
        assert not missing, f"the index links to notebooks that do not exist: {missing}"

        # Clicking a link opens the notebook in a new JupyterLab tab.
        index_tab = page.locator(".lm-TabBar-tab", has_text="index.ipynb")
        row00 = rows.filter(has_text="Setup and hardware check")
        row03 = rows.filter(has_text="Convolution from scratch")
        clicks = [
            (row03.get_by_role("link", name="Convolution from scratch"), "03_convolution.ipynb"),
            (row00.get_by_role("link", name="lab"), "00_setup_lab.ipynb"),
            (row03.get_by_role("link", name="solution"), "03_convolution_lab.ipynb"),
        ]
        headings = ["03 · Convolution from scratch", "Lab 00", "Lab 03"]
        for (link, tab), heading in zip(clicks, headings, strict=True):
            index_tab.click()
            link.click()
            current = '.lm-TabBar-tab.lm-mod-current[data-type="document-title"]'
            expect(page.locator(current)).to_have_text(re.compile(re.escape(tab)))
            shown = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown h1"
            expect(page.locator(shown).first).to_contain_text(heading)
        # Stop the kernels these tabs started; the next tests start their own.
        for session in server.api("GET", "/api/sessions"):
            server.api("DELETE", f"/api/sessions/{session['id']}")


# --- chapter 03 --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chapter03(server, browser):
    """Chapter 03 opened and run with Run All Cells; the page stays open for the widget test."""
    with open_page(browser, "chapter03") as page:
        open_notebook(page, server, CHAPTER, "chapter03")
        run_all_cells(page)
        yield page


@pytest.mark.timeout(600)
def test_chapter03_runs_all_cells_without_errors(chapter03):
    page = chapter03
    with screenshot_on_failure(page, "chapter03-run-all"):
        cells = code_cells(page)
        assert not error_summary(cells), error_summary(cells)
        not_run = [c["index"] for c in cells if c["count"] is None]
        assert not not_run, f"cells that did not run: {not_run}"
        texts = page.locator(".jp-RenderedText").all_inner_texts()
        assert not [t for t in texts if "Traceback" in t]


@pytest.mark.timeout(300)
def test_chapter03_shows_no_red_stderr_boxes(chapter03):
    """TensorFlow's C++ start-up lines included (helpers._quiet_tf keeps them out)."""
    boxes = stderr_boxes(chapter03)
    with screenshot_on_failure(chapter03, "chapter03-stderr"):
        assert not boxes, f"red stderr boxes in chapter 03: {boxes}"


@pytest.mark.timeout(300)
def test_explorer_stride_and_kernel_update_text_and_picture(chapter03):
    page = chapter03
    with screenshot_on_failure(page, "explorer"):
        label = page.locator(".widget-label", has_text=re.compile(r"^stride$"))
        stride = page.locator(".widget-slider").filter(has=label)
        stride.wait_for()
        ui = page.locator(".jp-OutputArea-output").filter(has=stride)
        # The widgets re-render their content on each change: always go through locators.
        text = ui.locator(".widget-html-content pre")
        picture = ui.locator(".widget-output img")
        expect(text).to_contain_text("stride=1")
        expect(text).to_contain_text("input 128×128 → output 126×126")
        before = picture.get_attribute("src")

        stride.locator(".noUi-handle").focus()
        page.keyboard.press("ArrowRight")
        expect(text).to_contain_text("stride=2")
        expect(text).to_contain_text("input 128×128 → output 63×63")
        expect(stride.locator(".widget-readout")).to_have_text("2")
        expect(picture).not_to_have_attribute("src", before)
        before = picture.get_attribute("src")

        label = page.locator(".widget-label", has_text=re.compile(r"^kernel$"))
        page.locator(".widget-dropdown").filter(has=label).locator("select").select_option(
            "sobel x"
        )
        expect(text).to_contain_text("kernel 'sobel x'")
        expect(text).to_contain_text("stride=2")
        expect(picture).not_to_have_attribute("src", before)
        assert picture.get_attribute("src").startswith("data:image/png")


# --- a blank lab ---------------------------------------------------------------------------------
@pytest.mark.timeout(300)
def test_blank_lab_check_shows_the_friendly_message(server, browser):
    with open_page(browser, "blank-lab") as page:
        open_notebook(page, server, BLANK_LAB, "blank-lab")
        run_all_cells(page)
        cells = code_cells(page)
        failed = [c for c in cells if any(o["output_type"] == "error" for o in c["outputs"])]
        assert len(failed) == 1, error_summary(cells)
        assert failed[0]["source"].startswith('check("batches_per_epoch"'), failed[0]["source"]
        boxes = [b for b in stderr_boxes(page) if "✘" in b]
        assert len(boxes) == 1, stderr_boxes(page)
        assert boxes[0].lstrip().startswith("✘"), boxes[0]
        assert "not implemented yet" in boxes[0], boxes[0]
        assert "Traceback" not in boxes[0] and "File " not in boxes[0], boxes[0]
        # Run All stops at the failed check: the cells after it did not run.
        after = [c for c in cells if c["index"] > failed[0]["index"]]
        assert after and all(c["count"] is None for c in after)


# --- the served copy, and the skip ------------------------------------------------------------
def test_served_notebooks_were_not_saved(served, server):
    """Nothing in the test saved a notebook (autosave is off; the repository is never served)."""
    changed = [p for p, data in ORIGINALS.items() if (served / p).read_bytes() != data]
    assert ORIGINALS and not changed, f"notebooks saved during the test: {changed}"


def test_without_chromium_the_reason_names_it(monkeypatch):
    monkeypatch.setenv(bs.CHROMIUM_ENV, "/nonexistent/chromium")
    path, reason = bs.find_chromium()
    assert path is None and bs.CHROMIUM_ENV in reason and "/nonexistent/chromium" in reason
    assert bs.skip_reason() in (reason, "Playwright is not installed: pip install -e '.[test]'")
    monkeypatch.delenv(bs.CHROMIUM_ENV)
    monkeypatch.setenv("PATH", "/nonexistent")
    path, reason = bs.find_chromium()
    assert path is None and "apt-get install chromium" in reason
