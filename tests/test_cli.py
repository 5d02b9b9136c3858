"""Tests of the command line ``python -m helpers`` (in-process, plus one real subprocess)."""

import gzip
import hashlib
import subprocess
import sys

import pytest

from helpers.cli import main


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "doctor" in out and "data" in out


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


def test_data_list_on_an_empty_cache(cache, capsys):
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert str(cache) in out
    for name in ("mnist", "fashion-mnist", "cifar10", "tf_flowers", "photos"):
        assert name in out
    assert "present" not in out


def test_unknown_dataset_is_exit_2(cache, capsys):
    assert main(["data", "fetch", "imagenet"]) == 2
    assert "unknown dataset 'imagenet'" in capsys.readouterr().err


def test_fetch_offline_fails_with_instructions(cache, capsys, monkeypatch):
    import urllib.error

    from helpers.data import store

    def refuse(url, timeout=None):
        raise urllib.error.URLError("offline")

    monkeypatch.setattr(store.urllib.request, "urlopen", refuse)
    assert main(["data", "fetch", "cifar10"]) == 1
    err = capsys.readouterr().err
    assert "NOT AVAILABLE" in err and "python -m helpers data import" in err


def test_import_of_an_empty_folder(cache, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["data", "import", str(tmp_path / "empty")]) == 1
    assert "no dataset files found" in capsys.readouterr().err
    assert main(["data", "import", str(tmp_path / "nowhere")]) == 1


def test_import_list_verify_and_truncated_copy(cache, tmp_path, capsys):
    """The whole offline flow on a small, made-up dataset registered for the test."""
    from helpers.data import registry
    from helpers.data.registry import Dataset, RemoteFile

    content = bytes(range(256)) * 4
    fake = Dataset(
        name="mini", title="Mini", description="", source="tests", homepage="https://x.example",
        files=(RemoteFile("m.gz", ("https://x.example/m.gz",),
                          hashlib.sha256(content).hexdigest(), len(content), "gunzip"),),
    )  # fmt: skip
    registry.REGISTRY["mini"] = fake
    try:
        bundle = tmp_path / "bundle" / "mini"
        bundle.mkdir(parents=True)
        (bundle / "m.gz").write_bytes(gzip.compress(content))
        assert main(["data", "import", str(tmp_path / "bundle")]) == 0
        assert "mini           ok: 1 imported" in capsys.readouterr().out
        assert main(["data", "list"]) == 0
        assert "present, verified" in capsys.readouterr().out
        assert main(["data", "verify", "mini"]) == 0
        # A truncated copy is rejected and named; the cached good copy stays.
        (bundle / "m.gz").write_bytes(gzip.compress(content)[:-10])
        assert main(["data", "import", "--force", str(tmp_path / "bundle")]) == 1
        captured = capsys.readouterr()
        assert "rejected m.gz" in captured.out and "truncated" in captured.out
        assert main(["data", "verify", "mini"]) == 0
        # Corrupt the cache itself: verify notices.
        cached = cache / "mini" / "m.gz"
        cached.write_bytes(gzip.compress(content[::-1]))
        assert main(["data", "verify", "mini"]) == 1
        assert "CORRUPT" in capsys.readouterr().out
    finally:
        del registry.REGISTRY["mini"]


def test_doctor_without_benchmark(cache, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    assert main(["doctor", "--no-benchmark"]) == 0
    out = capsys.readouterr().out
    assert "GPU" in out and "Fast mode (COURSE_FAST): ON" in out and str(cache) in out


def test_python_dash_m_helpers_runs(cache):
    """The real entry point, as a learner types it."""
    proc = subprocess.run(
        [sys.executable, "-m", "helpers", "data", "list"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "mnist" in proc.stdout
