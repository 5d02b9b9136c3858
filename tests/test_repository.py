"""Repository-wide rules: lint clean, and the Binder environment agrees with pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is not installed: pip install -e '.[test]'"
    proc = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _canonical(req: str) -> tuple[str, str, frozenset]:
    r = Requirement(req)
    return r.name.lower().replace("_", "-"), str(r.specifier), frozenset(r.extras)


def test_binder_requirements_match_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_canonical(r) for r in project["dependencies"]}
    lines = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    binder = {_canonical(ln) for ln in (ln.split("#")[0].strip() for ln in lines) if ln}
    assert binder == wanted, (
        "binder/requirements.txt and pyproject.toml disagree:\n"
        f"  only in binder: {sorted(binder - wanted)}\n"
        f"  only in pyproject: {sorted(wanted - binder)}"
    )
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post, "postBuild must install the helpers package"
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    version = runtime.removeprefix("python-")
    assert project["requires-python"] in (">=3.11,<3.13",) and version in ("3.11", "3.12")


def test_readme_binder_badge_points_at_the_repository():
    readme = (ROOT / "README.md").read_text()
    repo_url = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
    slug = repo_url.removeprefix("https://github.com/")
    assert f"https://mybinder.org/v2/gh/{slug}/HEAD?urlpath=lab/tree/course/index.ipynb" in readme
    assert f"pip install -q git+{repo_url}" in readme  # the Colab instructions


def _readme_command(marker: str) -> str:
    readme = (ROOT / "README.md").read_text()
    block = readme.split(f"<!-- {marker} -->", 1)[1].split(f"<!-- /{marker} -->", 1)[0]
    lines = [ln for ln in block.strip().splitlines() if not ln.startswith("```")]
    assert len(lines) == 1, f"the README's {marker} must be one line"
    return lines[0]


def test_readme_test_command_runs_pytest_in_a_fresh_venv():
    cmd = _readme_command("test-command")
    assert cmd.startswith("python3 -m venv .venv && ") and '".[test]"' in cmd
    assert cmd.endswith("python -m pytest")


def test_readme_open_command_serves_the_course_index(tmp_path):
    """Start JupyterLab exactly as the README says (minus the install) and ask it for files."""
    import json
    import os
    import socket
    import time
    import urllib.error
    import urllib.request

    cmd = _readme_command("open-command")
    jupyter_part = cmd.split("&&")[-1].split()
    assert jupyter_part[0] == ".venv/bin/jupyter" and jupyter_part[1] == "lab", cmd
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    jupyter = Path(sys.executable).parent / "jupyter"
    args = [str(jupyter), *jupyter_part[1:], "--no-browser", f"--port={port}",
            "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=test"]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path), "HOME": str(tmp_path)}
    server = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}/api/contents"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/course/index.ipynb?token=test&content=0") as r:
                    assert json.load(r)["path"] == "course/index.ipynb"
                break
            except urllib.error.HTTPError as exc:  # the server answers, but not with the file
                raise AssertionError(f"course/index.ipynb is not served: {exc}") from exc
            except OSError:  # not listening yet
                assert server.poll() is None, f"JupyterLab exited: {server.stderr.read()}"
                assert time.monotonic() < deadline, "JupyterLab did not answer within 120 s"
                time.sleep(1)
        # The index links to labs/ and solutions/: they must be inside the served folder.
        with urllib.request.urlopen(f"{base}/labs?token=test") as r:
            assert any(item["name"].endswith(".ipynb") for item in json.load(r)["content"])
        # The notebooks' MyST twins (what contributors edit) are hidden from the learner's
        # file browser, which would otherwise show every chapter twice.
        for folder in ("course", "labs", "solutions"):
            with urllib.request.urlopen(f"{base}/{folder}?token=test") as r:
                names = [item["name"] for item in json.load(r)["content"]]
            assert names and not [n for n in names if n.endswith(".md")], (folder, names)
    finally:
        server.terminate()
        server.wait(timeout=30)
