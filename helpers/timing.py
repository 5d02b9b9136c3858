"""How long will this chapter take *here*? The reference time, scaled by a quick probe.

Each heavy chapter's run time in the default mode was measured on one reference machine
(``benchmarks/chapter_times.py`` records it, together with that machine's throughput on the
probe below, in :mod:`helpers._reference_times`). Machines differ by 4× and more, so the top
cell of such a chapter calls::

    from helpers import timing
    timing.print_expected_time("14")

which prints, for example::

    Measured reference: 4 min 56 s on AMD EPYC, 2 cores (4,200 img/s).
    This machine: 1,050 img/s → expect about 20 min.

The probe is the hardware check's small CNN (:func:`helpers.hardware.benchmark`), three short
runs, the best one counted (a background job slows some runs, never speeds one up). It takes
about 3–5 s; its result is kept in ``<data dir>/timing/throughput.json`` for a day, so the next
chapters do not measure again. In fast mode (``COURSE_FAST=1``) nothing is probed: one short
line gives the reference time. Training time scales with the probe's throughput only roughly
(memory bandwidth, AVX-512 and core counts matter differently for different layers), so the
estimate is a guide to within a factor of about 1.5, not a promise.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import config
from .data import store

__all__ = [
    "LONG_MINUTES",
    "PROBE_STEPS",
    "PROBE_REPEATS",
    "CACHE_HOURS",
    "Reference",
    "Estimate",
    "reference",
    "chapters",
    "probe",
    "machine_name",
    "machine_throughput",
    "estimate",
    "format_duration",
    "format_estimate",
    "print_expected_time",
]

#: A default-mode run longer than this (on the learner's machine) is called long.
LONG_MINUTES = 15
#: Timed training steps in each run of the probe, and how many runs (the best counts).
PROBE_STEPS = 30
PROBE_REPEATS = 3
#: How long a probe result is reused, in hours.
CACHE_HOURS = 24.0


@dataclass(frozen=True)
class Reference:
    """A chapter's measured default-mode time and the measuring machine's probe throughput."""

    chapter: str
    seconds: float
    machine: str
    images_per_second: float
    measured: str
    load_before: float | None = None


@dataclass(frozen=True)
class Estimate:
    """The reference scaled to this machine: ``seconds = ref.seconds × ref img/s ÷ here img/s``."""

    reference: Reference
    images_per_second: float
    seconds: float

    @property
    def long(self) -> bool:
        return self.seconds > LONG_MINUTES * 60


def _table() -> dict:
    from ._reference_times import REFERENCE_TIMES

    return REFERENCE_TIMES


def chapters() -> list[str]:
    """The chapters with a reference time (``"08"``, ``"14"``, …)."""
    return sorted(_table())


def reference(chapter: str | int) -> Reference:
    """The reference of chapter ``"14"`` (or ``14``); a clear error for an unknown one."""
    key = f"{int(chapter):02d}" if str(chapter).isdigit() else str(chapter)
    table = _table()
    if key not in table:
        raise ValueError(
            f"no reference time for chapter {chapter!r}; measured: {', '.join(sorted(table))} "
            "(measure one with benchmarks/chapter_times.py)"
        )
    row = table[key]
    return Reference(
        chapter=key,
        seconds=float(row["seconds"]),
        machine=str(row["machine"]),
        images_per_second=float(row["images_per_second"]),
        measured=str(row["measured"]),
        load_before=row.get("load_before"),
    )


def probe(*, steps: int = PROBE_STEPS, repeats: int = PROBE_REPEATS) -> float:
    """This machine's training throughput (images/s) on the hardware check's small CNN.

    The best of ``repeats`` runs of :func:`helpers.hardware.benchmark` with ``steps`` timed
    steps each (3–5 s in all on two CPU cores, graph tracing included).
    """
    from . import hardware

    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats!r}")
    return max(hardware.benchmark(steps=steps).images_per_second for _ in range(repeats))


def machine_name() -> str:
    """``"AMD EPYC, 2 cores"``: the CPU's name and the cores this process may use."""
    from . import hardware

    cores = hardware._cpu_count()
    model = hardware._cpu_model(hardware._read_text("/proc/cpuinfo"))
    return f"{model}, {cores} core{'s' if cores != 1 else ''}"


def _cache_file() -> Path:
    return config.data_dir() / "timing" / "throughput.json"


def machine_throughput(
    *, probe_fn: Callable[[], float] | None = None, now: float | None = None
) -> tuple[float, bool]:
    """``(images_per_second, from_cache)`` for this machine.

    A result measured on the same machine less than :data:`CACHE_HOURS` ago is reused;
    otherwise ``probe_fn`` (default :func:`probe`) runs and its result is stored. An unreadable
    cache file is ignored; a cache that cannot be written only costs a probe next time.
    """
    now = time.time() if now is None else now
    path, machine = _cache_file(), machine_name()
    try:
        cached = json.loads(path.read_text())
        fresh = 0 <= now - float(cached["time"]) < CACHE_HOURS * 3600
        if fresh and cached["machine"] == machine and float(cached["images_per_second"]) > 0:
            return float(cached["images_per_second"]), True
    except (OSError, ValueError, KeyError, TypeError):
        pass
    ips = float((probe_fn or probe)())
    if not ips > 0:
        raise ValueError(f"the probe measured {ips!r} images/s; expected a positive number")
    try:
        record = {"images_per_second": round(ips, 1), "time": now, "machine": machine}
        store.atomic_write(path, lambda tmp: tmp.write_text(json.dumps(record)))
    except OSError:
        pass
    return ips, False


def estimate(chapter: str | int, images_per_second: float) -> Estimate:
    """The chapter's reference time scaled by the reference's throughput over this one's."""
    if not images_per_second > 0:
        raise ValueError(f"images_per_second must be positive, got {images_per_second!r}")
    ref = reference(chapter)
    seconds = ref.seconds * ref.images_per_second / images_per_second
    return Estimate(ref, float(images_per_second), seconds)


def format_duration(seconds: float) -> str:
    """``"4 min 56 s"`` (exact, for measurements)."""
    m, s = divmod(round(seconds), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"


def _about(seconds: float) -> str:
    """``"about 20 min"`` (rounded, for estimates)."""
    if seconds < 90:
        return f"about {max(10, round(seconds / 10) * 10)} s"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60)} min"
    return f"about {seconds / 3600:.1f} hours"


def format_estimate(est: Estimate, *, from_cache: bool = False) -> str:
    """The two lines a chapter prints (see the module's docstring)."""
    ref = est.reference
    lines = [
        f"Measured reference: {format_duration(ref.seconds)} on {ref.machine} "
        f"({ref.images_per_second:,.0f} img/s).",
        f"This machine: {est.images_per_second:,.0f} img/s"
        f"{' (probed within the last day)' if from_cache else ''} → expect "
        f"{_about(est.seconds)}.",
    ]
    if est.long:
        lines[-1] += (
            f" That is over {LONG_MINUTES} min: start it now and read on while it runs, "
            "or use a faster machine."
        )
    return "\n".join(lines)


def print_expected_time(chapter: str | int, *, probe_fn: Callable[[], float] | None = None) -> None:
    """Print the chapter's expected default-mode time on this machine (see the module).

    In fast mode: one line with the reference time, no probe. A chapter without a measured
    reference gets one line saying so, and no probe. Returns nothing, so that a notebook cell
    ending with it shows no stray value.
    """
    try:
        ref = reference(chapter)
    except ValueError:
        print(f"Chapter {chapter}: no measured reference time yet "
              "(benchmarks/chapter_times.py measures one).")  # fmt: skip
        return
    if config.is_fast():
        print(f"Default mode: {format_duration(ref.seconds)} on {ref.machine}; "
              "not probed in fast mode.")  # fmt: skip
        return
    ips, from_cache = machine_throughput(probe_fn=probe_fn)
    print(format_estimate(estimate(chapter, ips), from_cache=from_cache))
