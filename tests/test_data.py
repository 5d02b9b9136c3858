"""Tests of helpers.data: registry, verified cache, download, import, loaders, stand-ins.

The mechanics are tested on small files made here, registered as fake datasets.
Tests marked with the ``real_cache`` fixture read the real datasets from the
cache named by ``COURSE_DATA_DIR`` (CI imports ../shared/datasets there first).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import struct
import tarfile
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from helpers import config, data
from helpers.data import loaders, registry, standins, store
from helpers.data.registry import Dataset, RemoteFile

# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty data cache for this test."""
    d = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA_DIR", str(d))
    return d


@pytest.fixture
def offline(monkeypatch):
    """Every download fails at once, as on a machine without internet."""

    def refuse(url, timeout=None):
        raise urllib.error.URLError("Name or service not known (test: offline)")

    monkeypatch.setattr(store.urllib.request, "urlopen", refuse)


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _idx(arr: np.ndarray) -> bytes:
    arr = np.ascontiguousarray(arr, np.uint8)
    header = b"\x00\x00\x08" + bytes([arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.tobytes()


@pytest.fixture
def toy(monkeypatch):
    """A fake dataset 'toy' of two files (one gzip-hashed), registered for this test.

    Returns (dataset, {file name: bytes as they would be downloaded}).
    """
    content = _idx(np.arange(12, dtype=np.uint8).reshape(3, 4))
    gz = gzip.compress(content, mtime=0)
    plain = b"hello, course\n"
    ds = Dataset(
        name="toy", title="Toy set", description="two tiny files", source="tests",
        homepage="https://example.org/toy",
        files=(
            RemoteFile("a.idx.gz", ("https://a.example/a.idx.gz", "https://b.example/a.idx.gz"),
                       _sha(content), len(content), "gunzip"),
            RemoteFile("b.txt", ("https://a.example/b.txt",), _sha(plain), len(plain)),
        ),
        aliases=("toy-set",),
    )  # fmt: skip
    monkeypatch.setitem(registry.REGISTRY, "toy", ds)
    return ds, {"a.idx.gz": gz, "b.txt": plain}


class FakeResponse(io.BytesIO):
    def __init__(self, payload: bytes):
        super().__init__(payload)
        self.headers = {"Content-Length": str(len(payload))}


def fake_opener(table: dict[str, bytes | Exception]):
    calls = []

    def opener(url, timeout=None):
        calls.append(url)
        v = table.get(url, urllib.error.URLError("unreachable"))
        if isinstance(v, Exception):
            raise v
        return FakeResponse(v)

    opener.calls = calls
    return opener


@pytest.fixture
def real_cache():
    """Skip unless the real MNIST, Fashion-MNIST and photos are in the configured cache."""
    for name in ("mnist", "fashion-mnist", "photos"):
        if any(s.state != "present" for s in data.status(name)):
            pytest.skip(
                f"{name} is not in the cache {config.data_dir()}: run "
                "`python -m helpers data import FOLDER` or `data fetch` first"
            )


# --- registry ------------------------------------------------------------------------------


def test_registry_has_the_course_datasets():
    assert {"mnist", "fashion-mnist", "cifar10", "tf_flowers", "photos"} <= set(data.names())
    for ds in data.REGISTRY.values():
        assert ds.files, ds.name
        for rf in ds.files:
            assert rf.urls and all(u.startswith(("https://", "http://")) for u in rf.urls)
            assert rf.size > 0
    assert data.get("cifar10").standin and data.get("tf_flowers").standin
    assert not data.get("mnist").standin  # MNIST is always obtainable: no stand-in
    # The hash Keras itself checks for CIFAR-10.
    assert data.get("cifar10").files[0].sha256.startswith("6d958be0")


def test_get_accepts_aliases_and_case():
    assert data.get("Fashion_MNIST").name == "fashion-mnist"
    assert data.get(" MNIST ").name == "mnist"


def test_get_unknown_name_lists_known_ones():
    with pytest.raises(data.UnknownDatasetError, match="unknown dataset 'imagenet'.*mnist"):
        data.get("imagenet")
    with pytest.raises(TypeError, match="must be a string"):
        data.get(3)


def test_remote_file_rejects_bad_hash():
    with pytest.raises(ValueError, match="64 lowercase hex"):
        RemoteFile("x", ("https://x",), "abc", 1)
    with pytest.raises(ValueError, match="hash_of"):
        RemoteFile("x", ("https://x",), "a" * 64, 1, "zip")


# --- hashing and verification ---------------------------------------------------------------


def test_digest_of_file_and_of_gzip_content(tmp_path, toy):
    ds, files = toy
    p = tmp_path / "a.idx.gz"
    p.write_bytes(files["a.idx.gz"])
    sha, n = store.digest(p, "gunzip")
    assert (sha, n) == (ds.files[0].sha256, ds.files[0].size)
    assert store.digest(p, "file") == (_sha(files["a.idx.gz"]), len(files["a.idx.gz"]))


def test_check_file_says_truncated(tmp_path, toy):
    ds, files = toy
    p = tmp_path / "b.txt"
    p.write_bytes(files["b.txt"][:-3])
    with pytest.raises(data.ChecksumError, match="truncated"):
        store.check_file(p, ds.files[1])
    p.write_bytes(files["b.txt"].upper())  # same size, other content
    with pytest.raises(data.ChecksumError, match="SHA-256 .* expected"):
        store.check_file(p, ds.files[1])


def test_truncated_gzip_is_reported_not_hashed(tmp_path, toy):
    ds, files = toy
    p = tmp_path / "a.idx.gz"
    p.write_bytes(files["a.idx.gz"][:20])
    with pytest.raises(data.ChecksumError, match="not a complete gzip file"):
        store.check_file(p, ds.files[0])


def test_stamp_is_invalidated_by_any_change(cache, toy):
    ds, files = toy
    dest = store.dataset_dir(ds) / "b.txt"
    dest.parent.mkdir(parents=True)
    dest.write_bytes(files["b.txt"])
    assert store.is_verified(dest, ds.files[1])
    assert (dest.parent / ".b.txt.verified").is_file()
    dest.write_bytes(files["b.txt"].upper())  # same size: only the stamp's mtime can tell
    os.utime(dest, ns=(1, 1))
    assert not store.is_verified(dest, ds.files[1])
    assert not (dest.parent / ".b.txt.verified").exists()


# --- download ----------------------------------------------------------------------------------


def test_download_verifies_and_falls_back_to_the_next_url(cache, toy):
    ds, files = toy
    rf = ds.files[0]
    opener = fake_opener({rf.urls[0]: b"garbage", rf.urls[1]: files["a.idx.gz"]})
    dest = store.dataset_dir(ds) / rf.name
    assert store.download(rf, dest, opener=opener, progress=False) == rf.urls[1]
    assert opener.calls == list(rf.urls)
    assert dest.read_bytes() == files["a.idx.gz"]
    assert not list(dest.parent.glob("*.part"))  # no temporary left behind


def test_failed_download_leaves_nothing_under_the_real_name(cache, toy):
    ds, files = toy
    rf = ds.files[0]
    opener = fake_opener({rf.urls[0]: files["a.idx.gz"][:-5]})  # a cut-off transfer
    dest = store.dataset_dir(ds) / rf.name
    with pytest.raises(data.DatasetUnavailableError) as err:
        store.download(rf, dest, opener=opener, progress=False)
    assert rf.urls[0] in str(err.value) and rf.urls[1] in str(err.value)
    assert not dest.exists()
    assert not list(dest.parent.glob("*"))


def test_ensure_offline_names_dataset_source_and_import_command(cache, toy, offline):
    with pytest.raises(data.DatasetUnavailableError) as err:
        data.ensure("toy")
    msg = str(err.value)
    needed = ["'toy'", "Toy set", "https://example.org/toy", "https://a.example/b.txt",
              "python -m helpers data fetch toy", "python -m helpers data import"]  # fmt: skip
    for text in needed:
        assert text in msg


def test_ensure_replaces_a_corrupt_cached_file(cache, toy, monkeypatch):
    ds, files = toy
    folder = store.dataset_dir(ds)
    folder.mkdir(parents=True)
    (folder / "b.txt").write_bytes(b"corrupted!!!!!")
    (folder / "a.idx.gz").write_bytes(files["a.idx.gz"])
    opener = fake_opener({"https://a.example/b.txt": files["b.txt"]})
    monkeypatch.setattr(store.urllib.request, "urlopen", opener)
    assert data.ensure("toy", progress=False) == folder
    assert (folder / "b.txt").read_bytes() == files["b.txt"]
    assert opener.calls == ["https://a.example/b.txt"]  # the good file was not fetched again


def test_ensure_without_download_reports_corrupt_and_deletes_it(cache, toy):
    ds, files = toy
    folder = store.dataset_dir(ds)
    folder.mkdir(parents=True)
    (folder / "b.txt").write_bytes(b"corrupted!!!!!")
    with pytest.raises(data.DatasetUnavailableError, match="b.txt: corrupt"):
        data.ensure("toy", download_missing=False)
    assert not (folder / "b.txt").exists()


# --- import from a folder -------------------------------------------------------------------


def _bundle(root: Path, files: dict[str, bytes], sub="toy") -> Path:
    (root / sub).mkdir(parents=True, exist_ok=True)
    for name, b in files.items():
        (root / sub / name).write_bytes(b)
    return root


def test_import_folder_then_present(cache, toy, tmp_path):
    _, files = toy
    src = _bundle(tmp_path / "bundle", files)
    res = [r for r in data.import_folder(src, ["toy"])]
    assert [r.state for r in res] == ["imported", "imported"]
    assert all(s.state == "present" for s in data.status("toy"))
    assert [r.state for r in data.import_folder(src, ["toy"])] == ["present", "present"]


def test_import_accepts_alias_folder_and_the_dataset_folder_itself(cache, toy, tmp_path):
    _, files = toy
    src = _bundle(tmp_path / "b1", files, sub="toy-set")
    assert {r.state for r in data.import_folder(src, ["toy"])} == {"imported"}
    assert {r.state for r in data.import_folder(src / "toy-set", ["toy"], force=True)} == {
        "imported"
    }


def test_import_rejects_a_truncated_copy_and_keeps_the_good_one(cache, toy, tmp_path):
    _, files = toy
    good = _bundle(tmp_path / "good", files)
    data.import_folder(good, ["toy"])
    bad = _bundle(tmp_path / "bad", {"a.idx.gz": files["a.idx.gz"][:30], "b.txt": b"x"})
    res = {r.name: r for r in data.import_folder(bad, ["toy"], force=True)}
    assert res["a.idx.gz"].state == "rejected"
    assert str(bad / "toy" / "a.idx.gz") in res["a.idx.gz"].message  # names the source
    assert "truncated" in res["a.idx.gz"].message
    assert res["b.txt"].state == "rejected"
    assert all(s.state == "present" for s in data.status("toy", full=True))


def test_import_missing_folder(cache):
    with pytest.raises(FileNotFoundError, match="no such folder"):
        data.import_folder("/nonexistent/folder")


def test_import_of_unknown_dataset(cache, tmp_path):
    with pytest.raises(data.UnknownDatasetError):
        data.import_folder(tmp_path, ["nope"])


# --- IDX reader ---------------------------------------------------------------------------------


def test_read_idx_roundtrip_and_bad_files(tmp_path):
    arr = np.random.default_rng(0).integers(0, 256, (5, 3, 2), dtype=np.uint8)
    p = tmp_path / "x.idx.gz"
    p.write_bytes(gzip.compress(_idx(arr)))
    out = data.read_idx(p)
    np.testing.assert_array_equal(out, arr)
    out[0, 0, 0] = 7  # writable, unlike np.frombuffer's view
    p.write_bytes(gzip.compress(b"\x01\x02\x08\x01" + b"\x00" * 8))
    with pytest.raises(data.DataError, match="bad magic"):
        data.read_idx(p)
    p.write_bytes(gzip.compress(b"\x00\x00\x0d\x01\x00\x00\x00\x01" + b"\x00" * 4))
    with pytest.raises(data.DataError, match="only unsigned bytes"):
        data.read_idx(p)
    p.write_bytes(gzip.compress(_idx(arr)[:-1]))
    with pytest.raises(data.DataError, match="holds 29"):
        data.read_idx(p)


# --- real datasets (from the configured cache) --------------------------------------------------


def test_mnist_real(real_cache):
    (x, y), (xt, yt) = data.load_mnist()
    assert x.shape == (60000, 28, 28) and x.dtype == np.uint8
    assert y.shape == (60000,) and y.dtype == np.uint8
    assert xt.shape == (10000, 28, 28) and yt.shape == (10000,)
    assert y[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]  # as published
    assert np.bincount(y).tolist()[:3] == [5923, 6742, 5958]
    assert 0 == x.min() and x.max() == 255


def test_fashion_mnist_real(real_cache):
    (x, y), (xt, yt) = data.load_fashion_mnist()
    assert x.shape == (60000, 28, 28) and xt.shape == (10000, 28, 28)
    assert np.bincount(y).tolist() == [6000] * 10 and np.bincount(yt).tolist() == [1000] * 10
    assert len(data.FASHION_MNIST_CLASSES) == 10


def test_photos_real(real_cache):
    assert data.photo_names() == ["dog", "eagle", "giraffe", "horses", "kite", "person", "scream"]
    dog = data.load_photo("dog")
    assert dog.dtype == np.uint8 and dog.ndim == 3 and dog.shape[2] == 3
    assert data.load_photo("dog.jpg", size=(224, 200)).shape == (224, 200, 3)
    assert len(data.load_class_names("coco")) == 80
    assert len(data.load_class_names("voc")) == 20
    assert data.provenance("mnist").kind == "real"


def test_photo_bad_names_and_sizes(real_cache):
    with pytest.raises(ValueError, match="no sample photo 'cat'.*dog"):
        data.load_photo("cat")
    with pytest.raises(ValueError, match=r"\(height, width\)"):
        data.load_photo("dog", size=(0, 10))
    with pytest.raises(ValueError, match="'coco' or 'voc'"):
        data.load_class_names("imagenet")


def test_load_as_tf_dataset(real_cache):
    train, test = data.load("mnist", as_dataset=True, batch_size=128)
    xb, yb = next(iter(test))
    assert tuple(xb.shape) == (128, 28, 28) and tuple(yb.shape) == (128,)
    with pytest.raises(ValueError, match="not an array dataset"):
        data.load("photos")


def test_to_tf_dataset_checks_its_arguments():
    x = np.zeros((10, 2), np.float32)
    assert [tuple(b.shape) for b in data.to_tf_dataset(x, batch_size=4)] == [(4, 2), (4, 2), (2, 2)]
    with pytest.raises(ValueError, match="x has 10 items but y has 9"):
        data.to_tf_dataset(x, np.zeros(9))
    with pytest.raises(ValueError, match="batch_size"):
        data.to_tf_dataset(x, batch_size=0)


# --- stand-ins and datasets that are not offline -------------------------------------------------


def test_cifar10_offline_without_permission_fails_clearly(cache, offline, monkeypatch):
    monkeypatch.setenv("COURSE_ALLOW_STANDIN", "0")
    assert data.provenance("cifar10").kind == "missing"
    with pytest.raises(data.DatasetUnavailableError, match="CIFAR-10.*COURSE_ALLOW_STANDIN=1"):
        data.load_cifar10()


def test_cifar10_offline_standin_is_loud(cache, offline, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_ALLOW_STANDIN", "1")
    assert data.provenance("cifar10").kind == "standin"
    with pytest.warns(data.StandInWarning, match="CIFAR-10"):
        ((x, y), (xt, yt)), prov = data.load_cifar10(with_provenance=True)
    assert "OFFLINE STAND-IN for CIFAR-10" in capsys.readouterr().out
    assert prov.kind == "standin" and "STAND-IN" in str(prov)
    assert x.shape == (5000, 32, 32, 3) and x.dtype == np.uint8 and y.shape == (5000,)
    assert np.bincount(y).tolist() == [500] * 10
    assert len(standins.CIFAR10_LIKE_CLASSES) == 10
    assert not set(standins.CIFAR10_LIKE_CLASSES) & set(data.CIFAR10_CLASSES)


def test_cifar10_like_is_deterministic_and_checked():
    (a, ya), _ = standins.cifar10_like(20, 10, seed=1)
    (b, yb), _ = standins.cifar10_like(20, 10, seed=1)
    (c, _), _ = standins.cifar10_like(20, 10, seed=2)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(a, c)
    with pytest.raises(ValueError, match="n_train"):
        standins.cifar10_like(5, 10)


def _cifar_tar(path: Path, n_per_batch=3):
    """A miniature cifar-10-python.tar.gz with the real archive's layout."""
    rng = np.random.default_rng(0)
    batches = {}
    with tarfile.open(path, "w:gz") as tar:
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            rows = rng.integers(0, 256, (n_per_batch, 3072), dtype=np.uint8)
            labels = rng.integers(0, 10, n_per_batch).tolist()
            batches[name] = (rows, labels)
            blob = pickle.dumps({b"data": rows, b"labels": labels})
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return batches


def test_cifar_archive_reader_keeps_channel_order(tmp_path):
    batches = _cifar_tar(tmp_path / "c.tar.gz")
    (x, y), (xt, yt) = loaders._read_cifar_tar(tmp_path / "c.tar.gz")
    assert x.shape == (15, 32, 32, 3) and xt.shape == (3, 32, 32, 3) and y.shape == (15,)
    rows, labels = batches["data_batch_1"]
    # CIFAR rows store the red plane (1024 bytes), then green, then blue.
    assert x[0, 0, 0].tolist() == [rows[0, 0], rows[0, 1024], rows[0, 2048]]
    assert x[0, 0, 1, 2] == rows[0, 2049]
    assert x[0, 1, 0, 0] == rows[0, 32]
    assert y[:3].tolist() == labels


def _register_flowers(monkeypatch, archive: Path):
    raw = archive.read_bytes()
    fake = Dataset(
        name="tf_flowers", title="TensorFlow flowers", description="", source="tests",
        homepage="https://example.org", standin=True,
        files=(RemoteFile("flower_photos.tgz", ("https://x.example/f.tgz",), _sha(raw), len(raw)),),
    )  # fmt: skip
    monkeypatch.setitem(registry.REGISTRY, "tf_flowers", fake)
    return fake


def test_flowers_archive_is_extracted_once(cache, tmp_path, monkeypatch):
    archive = tmp_path / "flower_photos.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        for cls in data.FLOWER_CLASSES:
            info = tarfile.TarInfo(f"flower_photos/{cls}/1.jpg")
            info.size = 3
            tar.addfile(info, io.BytesIO(b"jpg"))
    _register_flowers(monkeypatch, archive)
    (cache / "tf_flowers").mkdir(parents=True)
    (cache / "tf_flowers" / "flower_photos.tgz").write_bytes(archive.read_bytes())
    out, prov = data.flowers_dir(with_provenance=True)
    assert prov.kind == "real"
    assert sorted(p.name for p in out.iterdir()) == sorted(data.FLOWER_CLASSES)
    (out / "daisy" / "1.jpg").write_bytes(b"changed")
    data.flowers_dir()  # the marker says it is extracted: not overwritten
    assert (out / "daisy" / "1.jpg").read_bytes() == b"changed"


def test_flowers_archive_with_unsafe_path_is_refused(cache, tmp_path, monkeypatch):
    archive = tmp_path / "flower_photos.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("../../escaped.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    _register_flowers(monkeypatch, archive)
    (cache / "tf_flowers").mkdir(parents=True)
    (cache / "tf_flowers" / "flower_photos.tgz").write_bytes(archive.read_bytes())
    with pytest.raises(tarfile.TarError):
        data.flowers_dir()
    assert not (cache.parent / "escaped.txt").exists()


def test_flowers_standin_folder(cache, offline, monkeypatch):
    monkeypatch.setenv("COURSE_ALLOW_STANDIN", "1")
    with pytest.warns(data.StandInWarning):
        out, prov = data.flowers_dir(with_provenance=True)
    assert prov.kind == "standin"
    assert (out / "STANDIN_README.txt").read_text().startswith("SYNTHETIC STAND-IN")
    for cls in data.FLOWER_CLASSES:
        assert len(list((out / cls).glob("*.jpg"))) == 40
    from PIL import Image

    with Image.open(next((out / "roses").glob("*.jpg"))) as im:
        assert im.size == (96, 96) and im.mode == "RGB"


def test_write_flowers_like_checks_arguments(tmp_path):
    with pytest.raises(ValueError, match="per_class"):
        standins.write_flowers_like(tmp_path, per_class=0)
    with pytest.raises(ValueError, match="size"):
        standins.write_flowers_like(tmp_path, size=8)


def test_file_path_and_import_command(cache):
    assert store.file_path("mnist", "t10k-labels-idx1-ubyte.gz") == (
        cache.resolve() / "mnist" / "t10k-labels-idx1-ubyte.gz"
    )
    with pytest.raises(ValueError, match="mnist has no file 'x.gz'; its files"):
        store.file_path("mnist", "x.gz")
    assert store.import_command("cifar10").startswith("python -m helpers data import ")
    assert "cifar10/" in store.import_command(data.get("cifar10"))
