"""Where a submission's kernel runs: its own session, capped memory, and nothing left behind.

- **Launcher** (``python -m helpers.labs.sandbox --memory-mb N -- CMD …``): caps the address
  space of the kernel (``RLIMIT_AS``; a learner's ``MemoryError`` is then just their error),
  gives it a private home folder, and execs the kernel.
- **bubblewrap** (Debian's ``bubblewrap``; used when ``bwrap`` works here, unless
  ``COURSE_GRADER_NO_BWRAP=1``): the kernel sees the
  machine read-only, its own ``/tmp``, a writable work folder, and neither the grader's output
  folder nor the reference implementations; ``--unshare-pid --die-with-parent`` means every
  process it starts, double-forked daemons included, dies with it.
- **Sweep** (always, with or without bubblewrap): the grader becomes a *child subreaper*, so
  orphans of the kernel are re-parented to it rather than to init; after each submission it
  kills every new descendant and every process carrying the submission's token, and checks that
  none survives before any result is written.
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["bwrap_available", "kernel_argv", "ProcessSweeper", "protection_summary", "main"]

TOKEN_VARIABLE = "COURSE_GRADE_TOKEN"
_PR_SET_CHILD_SUBREAPER = 36


@functools.lru_cache(maxsize=1)
def bwrap_available() -> bool:
    """Whether bubblewrap is installed and can make a PID namespace on this machine."""
    if os.environ.get("COURSE_GRADER_NO_BWRAP") == "1":
        return False
    path = shutil.which("bwrap")
    if not path:
        return False
    try:
        probe = subprocess.run(
            [path, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid",
             "--die-with-parent", "true"],
            capture_output=True, timeout=20,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def protection_summary() -> str:
    """One line saying which protection the grader uses on this machine (for the CLI/README)."""
    if bwrap_available():
        return ("bubblewrap sandbox: read-only machine, private /tmp and PID namespace; "
                "memory cap; process sweep")  # fmt: skip
    return ("no bubblewrap here (install Debian's `bubblewrap` for a sandbox): own session, "
            "memory cap and process sweep only")  # fmt: skip


def kernel_argv(
    *,
    work: Path,
    memory_mb: int,
    hide: list[Path] = (),
    read_only: list[Path] = (),
    sandbox: bool | None = None,
) -> list[str]:
    """The command that starts a grading kernel (with ``{connection_file}`` for Jupyter).

    ``work`` is the only writable folder (the kernel's current folder, home and Jupyter
    connection file live there);
    ``hide`` are folders the kernel must not see (replaced by empty ones); ``read_only`` are
    folders under ``/tmp`` it must still read (the data cache in tests).
    """
    launcher = [sys.executable, "-m", "helpers.labs.sandbox", "--memory-mb", str(memory_mb),
                "--home", str(work / "home")]  # fmt: skip
    kernel = ["--", sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    if not (bwrap_available() if sandbox is None else sandbox):
        return launcher + kernel
    launcher.append("--no-parent-poll")
    argv = [shutil.which("bwrap") or "bwrap", "--ro-bind", "/", "/", "--dev", "/dev",
            "--proc", "/proc", "--tmpfs", "/tmp"]  # fmt: skip
    for folder in read_only:
        if Path(folder).exists():
            argv += ["--ro-bind", str(folder), str(folder)]
    for folder in hide:
        if Path(folder).exists():
            argv += ["--tmpfs", str(folder)]
    argv += ["--bind", str(work), str(work), "--chdir", str(work / "cwd"), "--unshare-pid",
             "--die-with-parent", "--new-session"]  # fmt: skip
    return argv + launcher + kernel


def main(argv: list[str] | None = None) -> None:
    """The launcher: cap memory, set a private home, then become the kernel."""
    parser = argparse.ArgumentParser(prog="python -m helpers.labs.sandbox")
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--home", required=True)
    parser.add_argument(
        "--no-parent-poll",
        action="store_true",
        help="in a PID namespace the kernel's parent is pid 1: do not take that "
        "for a dead parent (bubblewrap ends the kernel with the grader)",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    limit = args.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    home = Path(args.home)
    home.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        HOME=str(home),
        MPLCONFIGDIR=str(home / ".matplotlib"),
        KERAS_HOME=str(home / ".keras"),
        IPYTHONDIR=str(home / ".ipython"),
    )
    if args.no_parent_poll:
        os.environ.pop("JPY_PARENT_PID", None)
    os.execv(command[0], command)


# ----------------------------------------------------------------------------- sweeping


def _set_subreaper(on: bool) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1 if on else 0, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _processes() -> dict[int, int]:
    """pid → parent pid of every process visible in /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            table[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return table


def _has_token(pid: int, token: str) -> bool:
    try:
        return f"{TOKEN_VARIABLE}={token}".encode() in Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


class ProcessSweeper:
    """Kill whatever a submission left running; see the module docstring.

    Use one per submission: create it before the kernel starts (it notes the grader's current
    children), then call :meth:`sweep` after the kernel was shut down. On macOS and other systems
    without /proc it only relies on the kernel's own process group.
    """

    def __init__(self, token: str):
        self.token = token
        self.me = os.getpid()
        self.linux = Path("/proc/self/stat").exists()
        self.subreaper = _set_subreaper(True)
        self.before = self._descendants() if self.linux else set()

    def _descendants(self) -> set[int]:
        table = _processes()
        children: dict[int, list[int]] = {}
        for pid, ppid in table.items():
            children.setdefault(ppid, []).append(pid)
        found, todo = set(), [self.me]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    def _targets(self) -> set[int]:
        new = self._descendants() - self.before
        tokened = {pid for pid in _processes() if pid != self.me and _has_token(pid, self.token)}
        return {pid for pid in new | tokened if not _is_zombie(pid)}

    def sweep(self, seconds: float = 10.0, grace: float = 2.0) -> tuple[int, list[int]]:
        """Kill leftovers until none remain; return (how many were killed, survivors).

        The kernel's own processes (and bubblewrap's) need a moment to exit after shutdown;
        what is still there after ``grace`` seconds was left running by the notebook.
        """
        if not self.linux:
            return 0, []
        settle = time.monotonic() + grace
        while self._targets() and time.monotonic() < settle:
            time.sleep(0.05)
        killed: set[int] = set()
        deadline = time.monotonic() + seconds
        while True:
            targets = self._targets()
            for pid in targets:
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed.add(pid)
                except (ProcessLookupError, PermissionError):
                    pass
            for pid in list(killed):  # reap the orphans that were re-parented to us
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
            if not targets or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        survivors = sorted(self._targets())
        self._reap()
        return len(killed), survivors

    def _reap(self) -> None:
        """Collect the submission's exited children, so that a long batch leaves no zombies."""
        for pid, ppid in _processes().items():
            if ppid == self.me and pid not in self.before and _is_zombie(pid):
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass

    def close(self) -> None:
        if self.subreaper:
            _set_subreaper(False)
            self.subreaper = False


if __name__ == "__main__":
    main()
