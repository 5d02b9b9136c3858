"""``python -m helpers``: the course's command line.

Commands::

    python -m helpers doctor [--no-benchmark]   versions, CPU/GPU, data cache, fast mode
    python -m helpers data list                 every dataset and whether it is cached
    python -m helpers data fetch NAME…|all      download (verified) into the cache
    python -m helpers data import FOLDER        copy verified files from a folder
    python -m helpers data verify [NAME…]       re-hash every cached file
    python -m helpers labs build [--check]      labs/ and public checks from solutions/ and
                                                the declarations (check: write nothing)
    python -m helpers labs list                 the labs
    python -m helpers labs start NAME [--dest DIR]  copy a lab into my-work/ (never overwrites)
    python -m helpers labs release DIR          the student edition (no solutions, no hidden tests)
    python -m helpers grade --lab NAME SUBMISSION.ipynb… -o OUT_DIR [--tests DIR] [--seed N]
                                                grade submissions with hidden inputs
    python -m helpers bench [--seeds N] [--budget-minutes M] [RECIPE…] [--list]
                                                train chapters 06–08's models, N seeds each;
                                                benchmarks/results.md (mean ± sd) and .json

Exit status: 0 on success, 1 when something asked for is missing or rejected,
2 for a usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import config

__all__ = ["main", "build_parser"]


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def _dataset_state(name: str, *, full: bool = False) -> str:
    from .data import get, status

    states = [s.state for s in status(name, full=full)]
    n, ok = len(states), states.count("present")
    if ok == n:
        return "present, verified"
    if "corrupt" in states:
        return f"CORRUPT ({states.count('corrupt')} of {n} files fail their checksum)"
    if ok:
        return f"partial ({ok} of {n} files)"
    if get(name).standin and config.allow_standin():
        return "missing (stand-in allowed)"
    return "missing"


def cmd_data_list(args) -> int:
    from .data import REGISTRY

    print(f"Data cache: {config.data_dir()}  (set COURSE_DATA_DIR to move it)\n")
    width = max(len(n) for n in REGISTRY)
    print(f"{'name':<{width}}  {'state':<28}  {'size':>9}  title")
    for name, ds in REGISTRY.items():
        state = _dataset_state(name)
        print(f"{name:<{width}}  {state:<28}  {_human(ds.download_size):>9}  {ds.title}")
    print("\nFetch one with `python -m helpers data fetch NAME`; offline, "
          "`python -m helpers data import FOLDER`.")  # fmt: skip
    return 0


def cmd_data_fetch(args) -> int:
    from .data import DatasetUnavailableError, ensure, get, names

    wanted = names() if args.names == ["all"] else [get(n).name for n in args.names]
    failed = []
    for name in wanted:
        try:
            folder = ensure(name)
            print(f"{name}: present and verified in {folder}")
        except DatasetUnavailableError as exc:
            print(f"{name}: NOT AVAILABLE\n{exc}\n", file=sys.stderr)
            failed.append(name)
    return 1 if failed else 0


_WORDS = {"imported": "imported", "present": "already cached", "rejected": "rejected",
          "missing": "missing"}  # fmt: skip


def cmd_data_import(args) -> int:
    from .data import import_folder

    try:
        results = import_folder(args.folder, args.only or None, force=args.force)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Importing from {args.folder} into {config.data_dir()}")
    by_dataset: dict[str, list] = {}
    for r in results:
        by_dataset.setdefault(r.dataset, []).append(r)
    for name, rs in by_dataset.items():
        counts = {s: sum(r.state == s for r in rs) for s in ("imported", "present", "rejected")}
        if counts["imported"] + counts["present"] == len(rs):
            summary = "ok: " + ", ".join(
                f"{n} {_WORDS[s]}" for s, n in counts.items() if n and s != "rejected"
            )
        elif not any(r.source for r in rs):
            summary = "not in this folder" + (" (partly cached)" if counts["present"] else "")
        else:
            summary = "INCOMPLETE: " + ", ".join(
                f"{sum(r.state == s for r in rs)} {_WORDS[s]}"
                for s in ("imported", "present", "rejected", "missing")
                if any(r.state == s for r in rs)
            )
        print(f"  {name:<14} {summary}")
        for r in rs:
            if r.state == "rejected":
                print(f"    rejected {r.name}: {r.message}")
    rejected = [r for r in results if r.state == "rejected"]
    found = [r for r in results if r.source is not None]
    if not found:
        print(
            f"error: no dataset files found in {args.folder}. Expected one folder per dataset "
            "(mnist/, fashion-mnist/, photos/, cifar10/, tf_flowers/) holding the files "
            "listed by `python -m helpers data list`.",
            file=sys.stderr,
        )
        return 1
    if rejected:
        print(f"{len(rejected)} file(s) rejected: their checksums do not match; "
              "the cache was not changed for them.", file=sys.stderr)  # fmt: skip
        return 1
    return 0


def cmd_data_verify(args) -> int:
    from .data import REGISTRY, get

    wanted = [get(n).name for n in args.names] if args.names else list(REGISTRY)
    bad = 0
    for name in wanted:
        state = _dataset_state(name, full=True)
        print(f"{name}: {state}")
        bad += state.startswith("CORRUPT")
        if args.names and not state.startswith("present"):
            bad += 1  # a dataset asked for by name must be there
    return 1 if bad else 0


def cmd_doctor(args) -> int:
    from . import hardware
    from .data import REGISTRY

    report = hardware.collect()
    bench = None if args.no_benchmark else hardware.benchmark()
    print(hardware.format_report(report, bench))
    print()
    print(f"Data cache: {config.data_dir()}")
    for name in REGISTRY:
        print(f"  {name:<14} {_dataset_state(name)}")
    print()
    print(f"Fast mode (COURSE_FAST): {'ON' if config.is_fast() else 'off'}  — "
          f"{config.mode_banner()}")  # fmt: skip
    print(f"Offline stand-ins (COURSE_ALLOW_STANDIN): "
          f"{'allowed' if config.allow_standin() else 'not allowed'}")  # fmt: skip
    return 0


def cmd_labs_build(args) -> int:
    from . import labs

    try:
        report = labs.build(check=args.check, only=args.lab)
    except labs.LabBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in report.orphaned:
        print(f"orphaned: {path} has no solution in solutions/ (delete it or add the solution)")
    if args.check:
        for path in report.differ:
            print(f"out of date: {path}")
        for path in report.missing:
            print(f"missing: {path}")
        if report.in_sync:
            print("labs are in sync with solutions")
            return 0
        print("run: python -m helpers labs build", file=sys.stderr)
        return 1
    for path in report.written:
        print(f"wrote {path}")
    if not report.written:
        print("labs already up to date")
    return 1 if report.orphaned else 0


def cmd_labs_list(args) -> int:
    from . import labs

    for name in labs.available_labs():
        print(name)
    return 0


def cmd_labs_start(args) -> int:
    from . import labs

    try:
        target = labs.start(args.name, dest=args.dest)
    except (LookupError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Your copy: {target}\nOpen it in JupyterLab, fill in the blanks and run the checks.")
    return 0


def cmd_grade(args) -> int:
    from .labs import grader, sandbox

    print(f"protection: {sandbox.protection_summary()}")
    try:
        results = grader.grade(
            args.lab, args.submissions, args.out, cell_timeout=args.cell_timeout,
            timeout=args.timeout, tests_dir=args.tests, seed=args.seed,
            hide_inputs=args.hide_inputs, memory_mb=args.memory_mb, output_kb=args.output_kb,
            progress=print,
        )  # fmt: skip
    except grader.GradingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    bad = [r for r in results if r.grading_error]
    for r in bad:
        print(f"error: could not grade {r.student}: {r.message}", file=sys.stderr)
    print(f"gradebook: {args.out}/gradebook.csv; feedback: {args.out}/feedback/")
    return 1 if bad else 0


def cmd_labs_release(args) -> int:
    from .labs import release

    try:
        report = release.release(args.dest)
    except (FileExistsError, release.ReleaseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report)
    return 0


def cmd_bench(args) -> int:
    import json

    from . import bench

    if args.list:
        for r in bench.RECIPES.values():
            print(f"{r.name:<16} {r.dataset:<14} {r.epochs:>2} epochs  {r.note}")
        return 0
    names = args.models or list(bench.RECIPES)
    for name in names:
        bench.get_recipe(name)  # unknown names fail before any training starts
    print(config.mode_banner())
    machine = bench.machine_line()
    print(f"Machine: {machine}")
    budget = None if args.budget_minutes is None else 60 * args.budget_minutes
    seeds = list(range(args.seeds))
    rows = bench.run(names, seeds=seeds, epochs=args.epochs, budget_seconds=budget)
    table = bench.format_table(rows, machine=machine)
    print()
    print(table)
    record = {
        "protocol": bench.PROTOCOL,
        "machine": machine,
        "fast": config.is_fast(),
        "seeds": seeds,
        "rows": rows,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table, encoding="utf-8")
    args.output.with_suffix(".json").write_text(
        json.dumps(record, indent=2) + "\n", encoding="utf-8"
    )
    print(f"written: {args.output} and {args.output.with_suffix('.json')}")
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    p = argparse.ArgumentParser(
        prog="python -m helpers",
        description="Deep Computer Vision course: environment, datasets, labs, grading, benchmark.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("doctor", help="versions, hardware, GPU use, data cache, fast mode")
    d.add_argument("--no-benchmark", action="store_true", help="skip the throughput benchmark")
    d.set_defaults(func=cmd_doctor)

    data = sub.add_parser("data", help="list, fetch, import and verify datasets")
    dsub = data.add_subparsers(dest="data_command", required=True)
    dl = dsub.add_parser("list", help="every dataset and its state in the cache")
    dl.set_defaults(func=cmd_data_list)
    df = dsub.add_parser("fetch", help="download datasets (checksum-verified)")
    df.add_argument("names", nargs="+", metavar="NAME", help="dataset names, or 'all'")
    df.set_defaults(func=cmd_data_fetch)
    di = dsub.add_parser("import", help="import datasets from a local folder")
    di.add_argument("folder", help="folder with one sub-folder per dataset")
    di.add_argument("--only", nargs="+", metavar="NAME", help="import only these datasets")
    di.add_argument("--force", action="store_true", help="replace files already cached")
    di.set_defaults(func=cmd_data_import)
    dv = dsub.add_parser("verify", help="re-hash cached files")
    dv.add_argument("names", nargs="*", metavar="NAME", help="datasets (default: all)")
    dv.set_defaults(func=cmd_data_verify)

    labs = sub.add_parser("labs", help="build labs from solutions; start a lab")
    lsub = labs.add_subparsers(dest="labs_command", required=True)
    lb = lsub.add_parser("build", help="write labs/ from solutions/")
    lb.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if labs/ is out of date")  # fmt: skip
    lb.add_argument("--lab", default=None, metavar="NN",
                    help="only this lab (its number, e.g. 03)")  # fmt: skip
    lb.set_defaults(func=cmd_labs_build)
    ll = lsub.add_parser("list", help="the available labs")
    ll.set_defaults(func=cmd_labs_list)
    ls = lsub.add_parser("start", help="copy a lab into your own folder (never overwrites)")
    ls.add_argument("name", help="lab name, e.g. 00_setup_lab")
    ls.add_argument("--dest", type=Path, default=None,
                    help="folder for your copy (default: my-work/ in the repository)")  # fmt: skip
    ls.set_defaults(func=cmd_labs_start)
    lr = lsub.add_parser("release", help="write the student edition: no solutions, no hidden tests")
    lr.add_argument("dest", type=Path, help="new folder for the student edition")
    lr.set_defaults(func=cmd_labs_release)

    g = sub.add_parser(
        "grade", help="grade submitted labs with hidden tests (verdicts outside the kernel)"
    )
    g.add_argument("--lab", required=True, help="lab name, e.g. 00_setup_lab")
    g.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION.ipynb")
    g.add_argument("-o", "--out", required=True, type=Path, metavar="OUT_DIR",
                   help="folder for gradebook.csv, feedback/ and executed/")  # fmt: skip
    g.add_argument("--cell-timeout", type=int, default=120, metavar="S",
                   help="seconds a cell may run before it is stopped (default 120)")  # fmt: skip
    g.add_argument("--timeout", type=int, default=600, metavar="S",
                   help="seconds for all cells of one submission (default 600)")  # fmt: skip
    g.add_argument("--tests", type=Path, default=None, metavar="DIR",
                   help="grade with the exercise declarations in DIR (labNN.py) instead of "
                        "the shipped ones")  # fmt: skip
    g.add_argument("--seed", type=int, default=None,
                   help="fix the hidden inputs (default: a new random seed per submission, "
                        "recorded in the gradebook)")  # fmt: skip
    g.add_argument(
        "--hide-inputs",
        action="store_true",
        help="feedback names hidden cases by number instead of showing their inputs",
    )
    g.add_argument("--memory-mb", type=int, default=4096, metavar="MB",
                   help="memory cap of each submission's kernel (default 4096)")  # fmt: skip
    g.add_argument("--output-kb", type=int, default=1024, metavar="KB",
                   help="output kept per cell in the executed copy (default 1024)")  # fmt: skip
    g.set_defaults(func=cmd_grade)

    b = sub.add_parser("bench", help="train the chapters' models and tabulate speed and accuracy")
    b.add_argument("models", nargs="*", metavar="RECIPE", help="recipes to run (default: all)")
    b.add_argument("--list", action="store_true", help="list the recipes and exit")
    b.add_argument("--seeds", type=_positive_int, default=3, metavar="N",
                   help="train each recipe with seeds 0 … N-1 and report mean ± sd "
                        "(default 3)")  # fmt: skip
    b.add_argument("--epochs", type=int, default=None, metavar="N",
                   help="override every recipe's epochs (default: the recipe's own)")  # fmt: skip
    b.add_argument("--budget-minutes", type=float, default=None, metavar="M",
                   help="stop each seed network after the epoch that passes M minutes")  # fmt: skip
    b.add_argument("-o", "--output", type=Path, default=Path("benchmarks/results.md"),
                   help="Markdown table to write; a .json twin is written beside it")  # fmt: skip
    b.set_defaults(func=cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    from .data import UnknownDatasetError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UnknownDatasetError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
