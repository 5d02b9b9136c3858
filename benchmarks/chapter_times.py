"""Measure chapters' run times in the learner's default mode and record them.

    .venv/bin/python benchmarks/chapter_times.py course/17_localization.ipynb course/18_*.ipynb

Each notebook runs from top to bottom in a fresh kernel, one after the other, with
``COURSE_FAST`` unset (the default mode a learner runs). The script records the wall time, the
machine (CPU model, cores) and the load average before and after, so that a time measured while
other jobs shared the machine can be told apart; it refuses to start when the 1-minute load is
above ``--max-load`` (default 0.5) unless ``--force``. Results are merged into
``benchmarks/chapter_times.json`` (one entry per notebook, the latest run) and printed as a table;
``--executed DIR`` also keeps the executed notebooks, with the results they printed.
A notebook that fails is recorded as failed with its error, and the script exits non-zero.

Before each notebook the script also measures the machine's throughput with the probe of
``helpers.timing`` (a few seconds) and records it as ``images_per_second``: the chapters scale
their reference time by it to tell a learner what to expect on another machine. The table of
reference times the chapters read, ``helpers/_reference_times.py`` (inside the package, so that
an installed course has it), is regenerated from ``chapter_times.json`` after every run;
``--write-reference`` only regenerates it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "chapter_times.json"
REFERENCE_MODULE = ROOT / "helpers" / "_reference_times.py"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def reference_table(results: dict) -> dict:
    """``{"14": {seconds, machine, images_per_second, measured, load_before}, …}``.

    Only chapters (``course/NN_*.ipynb``) that ran to the end with a recorded throughput.
    """
    table = {}
    for key, entry in sorted(results.items()):
        name = Path(key).name
        if not (key.startswith("course/") and name[:2].isdigit() and entry.get("ok")):
            continue
        if not entry.get("images_per_second"):
            continue
        table[name[:2]] = {
            "seconds": entry["seconds"],
            "machine": entry["machine"],
            "images_per_second": entry["images_per_second"],
            "measured": entry["measured"],
            "load_before": entry["load_before"],
        }
    return table


def render_reference_module(table: dict) -> str:
    """The text of ``helpers/_reference_times.py`` for ``table``."""
    lines = [
        '"""Default-mode run times of the chapters on the reference machine (generated file).',
        "",
        "Written by benchmarks/chapter_times.py from benchmarks/chapter_times.json; do not edit",
        "by hand. ``images_per_second`` is the machine's throughput on helpers.timing's probe,",
        "measured just before the chapter ran. helpers.timing reads this table.",
        '"""',
        "",
        "REFERENCE_TIMES = {",
    ]

    def lit(value) -> str:  # double-quoted strings, as ruff format writes them
        return json.dumps(value) if isinstance(value, str) else repr(value)

    for chapter, row in table.items():
        lines.append(f"    {lit(chapter)}: {{")
        lines += [f"        {lit(k)}: {lit(v)}," for k, v in row.items()]
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_reference_module(results: dict) -> None:
    REFERENCE_MODULE.write_text(render_reference_module(reference_table(results)))


def probe_throughput() -> float | None:
    """helpers.timing's probe (images/s), or None if it cannot run here."""
    sys.path.insert(0, str(ROOT))
    try:
        from helpers import timing

        return round(timing.probe(), 1)
    except Exception as exc:  # the times are still worth recording
        print(f"  (throughput probe failed: {exc})", file=sys.stderr)
        return None


def execute_notebook(nb, cwd: Path, timeout: int) -> str | None:
    """Run the code cells of ``nb`` in order in a fresh kernel, keeping their outputs.

    Returns None, or the error of the first cell that failed (the later cells do not run).
    A plain jupyter_client loop rather than nbclient: nbclient's ``execute_cell`` can wait
    forever after a cell that displays ipywidgets although the kernel has finished
    (jupyter/nbclient#312); that stopped the measurement of chapter 14 after its Grad-CAM
    explorer.
    """
    import nbformat
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(cwd))
    try:
        for cell in nb.cells:
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            outputs: list = []

            def keep(msg, outputs=outputs):
                kind = msg["msg_type"]
                if kind in ("stream", "display_data", "execute_result", "error"):
                    outputs.append(nbformat.v4.output_from_msg(msg))
                elif kind == "clear_output":
                    outputs.clear()

            reply = kc.execute_interactive(cell.source, timeout=timeout, output_hook=keep,
                                           allow_stdin=False)  # fmt: skip
            cell.outputs = outputs
            content = reply["content"]
            if content["status"] != "ok":
                return f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"[:300]
        return None
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def run_notebook(path: Path, timeout: int, executed_dir: Path | None = None) -> dict:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    env_before = os.environ.pop("COURSE_FAST", None)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    error = None
    try:
        error = execute_notebook(nb, path.parent, timeout)
    except Exception as exc:  # record any failure (a cell timeout too), keep measuring the others
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:300]}"
    finally:
        if env_before is not None:
            os.environ["COURSE_FAST"] = env_before
    seconds = time.perf_counter() - started
    if executed_dir is not None:  # keep the outputs: the results a chapter printed
        executed_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, executed_dir / path.name)
    return {
        "seconds": round(seconds, 1),
        "ok": error is None,
        "error": error,
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "measured": time.strftime("%Y-%m-%d %H:%M", time.localtime()),
        "machine": f"{cpu_model()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    parser.add_argument("--max-load", type=float, default=0.5)
    parser.add_argument("--force", action="store_true", help="run even on a busy machine")
    parser.add_argument(
        "--executed",
        type=Path,
        default=None,
        help="folder to write the executed notebooks to (with their outputs)",
    )
    parser.add_argument(
        "--write-reference",
        action="store_true",
        help=f"only regenerate {REFERENCE_MODULE.relative_to(ROOT)} from the recorded times",
    )
    args = parser.parse_args(argv)
    if args.write_reference:
        write_reference_module(json.loads(RESULTS.read_text()))
        print(f"wrote {REFERENCE_MODULE.relative_to(ROOT)}")
        return 0

    if not args.notebooks:
        parser.error("name at least one notebook (or pass --write-reference)")
    missing = [str(p) for p in args.notebooks if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    load = os.getloadavg()[0]
    if load > args.max_load and not args.force:
        print(f"the 1-minute load average is {load:.2f} (> {args.max_load}): the times "
              "would not be an idle machine's; stop other jobs or pass --force",
              file=sys.stderr)  # fmt: skip
        return 2
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    failed = False
    for path in args.notebooks:
        key = path.resolve().relative_to(ROOT).as_posix()
        print(f"running {key} in default mode …", flush=True)
        ips = probe_throughput()
        entry = run_notebook(path.resolve(), args.timeout, args.executed)
        entry["images_per_second"] = ips
        results[key] = entry
        RESULTS.write_text(json.dumps(dict(sorted(results.items())), indent=1) + "\n")
        write_reference_module(results)
        status = "ok" if entry["ok"] else f"FAILED ({entry['error']})"
        print(f"  {entry['seconds']:.0f} s, load {entry['load_before']} → {entry['load_after']}: "
              f"{status}", flush=True)  # fmt: skip
        failed |= not entry["ok"]
    print("\n| notebook | default-mode time | load before → after | measured |")
    print("|---|---:|---|---|")
    for key, e in sorted(results.items()):
        m, s = divmod(round(e["seconds"]), 60)
        shown = f"{m} min {s:02d} s" if m else f"{s} s"
        print(f"| {key} | {shown}{'' if e['ok'] else ' (failed)'} | "
              f"{e['load_before']} → {e['load_after']} | {e['measured']} |")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
