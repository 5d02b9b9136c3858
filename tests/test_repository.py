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
