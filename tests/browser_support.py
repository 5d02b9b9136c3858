"""Support for the browser test (``tests/test_browser.py``): find Chromium, run JupyterLab.

* :func:`skip_reason` says why the browser test cannot run here (no Playwright, no Chromium),
  or ``None``. Playwright is used with the system's Chromium only; it never downloads a browser.
* :class:`JupyterLab` serves a folder on a free localhost port with a token, in a fresh
  session (its own process group), with its settings, workspaces and runtime files in a
  temporary folder. :meth:`JupyterLab.stop` always stops the server *and* its kernels
  (``jupyter_client`` starts kernels in sessions of their own, so killing the server's process
  group alone would leave them running).
"""

from __future__ import annotations

__all__ = ["find_chromium", "skip_reason", "free_port", "JupyterLab"]

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM_ENV = "COURSE_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser")

# JupyterLab settings for the test: every cell stays in the page (no windowed rendering), no
# autosave (the served copy is never written), no news pop-up over the notebook.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def find_chromium() -> tuple[str | None, str]:
    """``(path, "")`` of a Chromium to drive, or ``(None, reason)``.

    ``$COURSE_CHROMIUM`` wins when set (it must name an executable file); otherwise the first
    of ``chromium`` and ``chromium-browser`` on the ``PATH`` (Debian's ``chromium`` package).
    """
    chosen = os.environ.get(CHROMIUM_ENV, "").strip()
    if chosen:
        path = shutil.which(chosen)
        if path is None:
            return None, (
                f"${CHROMIUM_ENV}={chosen!r} is not an executable file: point it at Chromium "
                "or unset it"
            )
        return path, ""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path, ""
    return None, (
        "no Chromium found: install it (Debian/Ubuntu: apt-get install chromium) "
        f"or set ${CHROMIUM_ENV} to its path"
    )


def skip_reason() -> str | None:
    """Why the browser test cannot run on this machine, or ``None`` when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -e '.[test]'"
    return find_chromium()[1] or None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _own_processes(marker: str) -> list:
    """Live processes whose command line mentions ``marker`` (a unique temporary path)."""
    import psutil

    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            if proc.pid != os.getpid() and any(marker in a for a in proc.info["cmdline"] or ()):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return found


class JupyterLab:
    """A JupyterLab server on ``127.0.0.1`` serving ``root``; use as a context manager.

    Args:
        root: the folder to serve (the test serves a temporary copy of the notebooks).
        home: a temporary folder for ``$HOME``, settings, workspaces and runtime files.
        env: environment variables for the server and its kernels, on top of this process's
            environment; a value of ``None`` removes the variable.
        startup_timeout: seconds to wait for the server to answer.
    """

    token = "browser-test"

    def __init__(
        self,
        root: Path,
        home: Path,
        env: dict[str, str | None] | None = None,
        startup_timeout: float = 120,
    ) -> None:
        self.root, self.home = Path(root), Path(home)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.runtime = self.home / "runtime"
        self.log_path = self.home / "jupyterlab.log"
        self.startup_timeout = startup_timeout
        self.extra_env = dict(env or {})
        self.process: subprocess.Popen | None = None

    # -- life cycle ---------------------------------------------------------------------
    def start(self) -> JupyterLab:
        settings = self.home / "lab-settings"
        for name, values in LAB_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        self.runtime.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "HOME": str(self.home),
            "JUPYTER_RUNTIME_DIR": str(self.runtime),
            "JUPYTER_CONFIG_DIR": str(self.home / "jupyter-config"),
            "JUPYTERLAB_SETTINGS_DIR": str(settings),
            "JUPYTERLAB_WORKSPACES_DIR": str(self.home / "workspaces"),
        }
        for key, value in self.extra_env.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        jupyter = Path(sys.executable).parent / "jupyter"
        args = [
            str(jupyter), "lab", "--no-browser", f"--ServerApp.root_dir={self.root}",
            "--ServerApp.ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            # window.jupyterapp: the test reads cell outputs from the notebook model
            "--LabApp.expose_app_in_browser=True",
            # A safety net should the test process die without stopping the server: idle
            # kernels are culled, and an idle server without kernels exits.
            "--MappingKernelManager.cull_idle_timeout=900",
            "--MappingKernelManager.cull_interval=60",
            "--ServerApp.shutdown_no_activity_timeout=1200",
        ]  # fmt: skip
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--allow-root")
        self._log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(args, cwd=self.root, env=env, stdin=subprocess.DEVNULL,
                                        stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)  # fmt: skip
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                self.api("GET", "/api/status")
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"JupyterLab exited:\n{self.log()}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"JupyterLab did not answer within {self.startup_timeout:.0f} s:\n"
                        f"{self.log()}"
                    ) from None
                time.sleep(0.5)

    def stop(self) -> list[int]:
        """Stop the kernels and the server, politely first; return the PIDs that had to be
        killed after the polite stop (a clean shutdown returns ``[]``)."""
        if self.process is None:
            return []
        try:
            self.api("POST", "/api/shutdown", timeout=30)  # shuts the kernels down, then exits
            self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            pass
        killed: list[int] = []
        if self.process.poll() is None:
            killed.append(self.process.pid)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)  # the server and anything in its session
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=15)
                break
            except subprocess.TimeoutExpired:
                continue
        # Kernels run in sessions of their own; their command lines name our runtime folder.
        for proc in _own_processes(str(self.runtime)):
            killed.append(proc.pid)
            try:
                proc.kill()
                proc.wait(timeout=15)
            except Exception:  # already gone
                pass
        self._log.close()
        self.process = None
        return killed

    def __enter__(self) -> JupyterLab:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- helpers ------------------------------------------------------------------------
    def url(self, path: str, workspace: str | None = None) -> str:
        """The browser URL that opens ``path`` (relative to the served root) in JupyterLab,
        in its own ``workspace`` so that several pages do not share one layout."""
        prefix = f"/lab/workspaces/{workspace}" if workspace else "/lab"
        return f"{self.base}{prefix}/tree/{path}?token={self.token}"

    def api(self, method: str, path: str, timeout: float = 10):
        """Call the server's REST API; return the decoded JSON answer (or ``None``)."""
        headers = {"Authorization": f"token {self.token}"}
        request = urllib.request.Request(f"{self.base}{path}", method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def kernel_processes(self) -> list:
        """The kernel processes of this server that are still alive."""
        return _own_processes(str(self.runtime))

    def log(self, tail: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-tail:]
        except OSError:
            return ""
