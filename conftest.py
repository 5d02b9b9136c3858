"""Test-session settings shared by the unit tests and the notebook runs (nbval).

The test suite is defined to run in fast mode with labelled stand-ins allowed, so
that the README's single test command passes on any machine. An explicit value in
the environment wins (``COURSE_FAST=0 pytest course/`` runs notebooks in full).
Notebook kernels started by nbval inherit these variables.
"""

import os

os.environ.setdefault("COURSE_FAST", "1")
os.environ.setdefault("COURSE_ALLOW_STANDIN", "1")
# Headless plotting in the test process; notebook kernels pick their own backend.
os.environ.setdefault("MPLBACKEND", "Agg")
# TensorFlow's C++ start-up chatter (oneDNN notices, CUDA probes) is noise here.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


# --- run time of each notebook -----------------------------------------------------------
# nbval reports one test per cell; CI wants one line per notebook, so add the cells up.
_notebook_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _notebook_seconds[path] = _notebook_seconds.get(path, 0.0) + report.duration
    elif "test_blank_lab_fails" in report.nodeid and "[" in report.nodeid:
        lab = report.nodeid.split("[", 1)[1].rstrip("]")
        key = f"{lab} (blank lab)"
        _notebook_seconds[key] = _notebook_seconds.get(key, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    import sys

    report = getattr(sys.modules.get("test_lab_exercises"), "MUTATION_REPORT", None)
    if report:
        terminalreporter.section("mutation suite")
        for lab, (caught, leaked) in sorted(report.items()):
            terminalreporter.write_line(f"{lab}: {caught} caught, {len(leaked)} leaked")
        caught = sum(c for c, _ in report.values())
        leaked = sum(len(x) for _, x in report.values())
        terminalreporter.write_line(f"all labs: {caught} caught, {leaked} leaked")
    if not _notebook_seconds:
        return
    terminalreporter.section("notebook run times")
    for path, seconds in sorted(_notebook_seconds.items()):
        terminalreporter.write_line(f"{seconds:8.1f} s  {path}")
    total = sum(_notebook_seconds.values())
    terminalreporter.write_line(f"{total:8.1f} s  all notebooks")
