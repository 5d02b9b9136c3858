"""Tests for helpers.timing: the arithmetic, the wording, the probe's cache, the table's origin.

No real probe runs here: the throughput is injected.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from helpers import timing

ROOT = Path(__file__).resolve().parents[1]
TABLE = {
    "17": {"seconds": 296.3, "machine": "AMD EPYC, 2 cores", "images_per_second": 4000.0,
           "measured": "2026-12-04 06:58", "load_before": 0.48},
    "15": {"seconds": 52.2, "machine": "AMD EPYC, 2 cores", "images_per_second": 4000.0,
           "measured": "2026-12-04 07:42", "load_before": 0.47},
}  # fmt: skip


@pytest.fixture(autouse=True)
def fake_table(monkeypatch, tmp_path):
    monkeypatch.setattr(timing, "_table", lambda: TABLE)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COURSE_FAST", "0")


def never():
    raise AssertionError("the probe must not run here")


def test_estimate_scales_by_the_throughput_ratio():
    est = timing.estimate("17", 1000.0)
    assert est.seconds == pytest.approx(296.3 * 4)
    assert est.long and not timing.estimate(17, 4000.0).long
    assert timing.estimate("15", 8000.0).seconds == pytest.approx(26.1)
    with pytest.raises(ValueError, match="positive"):
        timing.estimate("17", 0)
    with pytest.raises(ValueError, match="no reference time for chapter '99'.*15, 17"):
        timing.reference("99")
    assert timing.chapters() == ["15", "17"]


def test_the_printed_lines():
    text = timing.format_estimate(timing.estimate("17", 1000.0))
    first, second = text.splitlines()
    assert first == "Measured reference: 4 min 56 s on AMD EPYC, 2 cores (4,000 img/s)."
    assert second.startswith("This machine: 1,000 img/s → expect about 20 min. That is over 15")
    short = timing.format_estimate(timing.estimate("17", 4100.0), from_cache=True)
    assert short.splitlines()[1] == (
        "This machine: 4,100 img/s (probed within the last day) → expect about 5 min."
    )
    assert "expect about 30 s." in timing.format_estimate(timing.estimate("15", 7000.0))
    assert timing.format_duration(52.2) == "52 s" and timing.format_duration(3600) == "60 min 00 s"


def test_fast_mode_prints_one_line_and_does_not_probe(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_FAST", "1")
    assert timing.print_expected_time("17", probe_fn=never) is None
    out = capsys.readouterr().out.strip()
    assert out == "Default mode: 4 min 56 s on AMD EPYC, 2 cores; not probed in fast mode."


def test_a_chapter_without_a_reference_says_so_without_probing(capsys):
    timing.print_expected_time("42", probe_fn=never)
    assert capsys.readouterr().out.strip() == (
        "Chapter 42: no measured reference time yet (benchmarks/chapter_times.py measures one)."
    )


def test_the_probe_result_is_cached_for_a_day(capsys):
    calls = []

    def probe():
        calls.append(1)
        return 2000.0

    timing.print_expected_time("17", probe_fn=probe)
    assert "2,000 img/s → expect about 10 min." in capsys.readouterr().out
    timing.print_expected_time("17", probe_fn=never)  # the cached result
    assert "(probed within the last day)" in capsys.readouterr().out
    assert calls == [1]
    cached = json.loads((Path(timing.config.data_dir()) / "timing/throughput.json").read_text())
    assert cached["machine"] == timing.machine_name()
    later = cached["time"] + timing.CACHE_HOURS * 3600 + 1
    assert timing.machine_throughput(probe_fn=lambda: 500.0, now=later) == (500.0, False)


def test_another_machine_or_a_damaged_cache_probes_again(tmp_path):
    path = tmp_path / "timing" / "throughput.json"
    timing.machine_throughput(probe_fn=lambda: 1000.0)
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "machine": "another CPU, 64 cores"}))
    assert timing.machine_throughput(probe_fn=lambda: 1500.0) == (1500.0, False)
    path.write_text("{not json")
    assert timing.machine_throughput(probe_fn=lambda: 1200.0) == (1200.0, False)
    with pytest.raises(ValueError, match="positive"):
        timing.machine_throughput(probe_fn=lambda: 0.0, now=0.0)
    with pytest.raises(ValueError, match="repeats"):
        timing.probe(repeats=0)


def _chapter_times_script():
    path = ROOT / "benchmarks" / "chapter_times.py"
    spec = importlib.util.spec_from_file_location("chapter_times", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def test_the_packaged_table_matches_benchmarks_chapter_times():
    script = _chapter_times_script()
    results = json.loads((ROOT / "benchmarks/chapter_times.json").read_text())
    expected = script.render_reference_module(script.reference_table(results))
    assert (ROOT / "helpers/_reference_times.py").read_text() == expected, (
        "helpers/_reference_times.py is out of date: run "
        ".venv/bin/python benchmarks/chapter_times.py --write-reference"
    )
    from helpers._reference_times import REFERENCE_TIMES

    assert REFERENCE_TIMES, "no chapter has a reference time"
    for chapter, row in REFERENCE_TIMES.items():
        assert row["seconds"] > 0 and row["images_per_second"] > 0, chapter


def test_the_measuring_runner_keeps_outputs_and_stops_at_the_first_error(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# a chapter"),
        nbformat.v4.new_code_cell("import os, ipywidgets as w\nprint(os.getcwd())"),
        nbformat.v4.new_code_cell("out = w.Output()\nwith out:\n    print('in the widget')\nout"),
        nbformat.v4.new_code_cell("1 / 0"),
        nbformat.v4.new_code_cell("print('never')"),
    ]
    error = _chapter_times_script().execute_notebook(nb, tmp_path, timeout=60)
    assert error is not None and error.startswith("ZeroDivisionError"), error
    assert nb.cells[1].outputs[0]["text"].strip() == str(tmp_path)  # runs in the notebook's folder
    assert any(o["output_type"] == "execute_result" for o in nb.cells[2].outputs)  # the widget
    assert nb.cells[3].outputs[-1]["output_type"] == "error"
    assert "outputs" not in nb.cells[4] or nb.cells[4].outputs == []  # not run after the error
