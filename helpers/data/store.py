"""The dataset cache: verify, download and import files, never keeping a bad one.

Layout: ``<data_dir>/<dataset>/<file>``, where ``data_dir`` comes from
:func:`helpers.config.data_dir` (``COURSE_DATA_DIR``). Beside each verified file
sits a small stamp ``.<file>.verified`` recording its hash, size and
modification time, so loading does not re-hash 50 MB every time; any change to
the file invalidates the stamp and forces a full check.

Every write goes to a temporary file in the same folder and is renamed into
place only after its checksum matched, so a partial download, an interrupted
copy or a corrupt source never ends up under the real name.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from .. import config
from .registry import WEIGHTS, Dataset, RemoteFile, get, names

__all__ = [
    "atomic_write",
    "DataError",
    "ChecksumError",
    "DatasetUnavailableError",
    "FileStatus",
    "ImportResult",
    "dataset_dir",
    "file_path",
    "digest",
    "check_file",
    "is_verified",
    "status",
    "ensure",
    "download",
    "import_folder",
    "import_command",
]

_CHUNK = 1 << 20
DOWNLOAD_TIMEOUT_S = 30


class DataError(RuntimeError):
    """Base class of the data helpers' errors."""


class ChecksumError(DataError):
    """A file's content is not what the registry expects (corrupt, truncated, other)."""


class DatasetUnavailableError(DataError):
    """A dataset is not in the cache and could not be downloaded."""


def dataset_dir(ds: Dataset | str) -> Path:
    """The cache folder of a dataset (not created)."""
    ds = get(ds) if isinstance(ds, str) else ds
    return config.data_dir() / ds.name


def file_path(ds: Dataset | str, fname: str) -> Path:
    """The cache path of one file of a dataset."""
    ds = get(ds) if isinstance(ds, str) else ds
    if fname not in {f.name for f in ds.files}:
        known = [f.name for f in ds.files]
        raise ValueError(f"{ds.name} has no file {fname!r}; its files: {known}")
    return dataset_dir(ds) / fname


def import_command(ds: Dataset | str) -> str:
    """The command that imports a dataset from a folder of downloaded files."""
    ds = get(ds) if isinstance(ds, str) else ds
    return f"python -m helpers data import /path/to/folder   # holding {ds.name}/<files>"


# --- hashing ---------------------------------------------------------------------------


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


def digest(path: str | os.PathLike, hash_of: Literal["file", "gunzip"] = "file") -> tuple[str, int]:
    """SHA-256 (hex) and byte count of a file, or of its gunzipped content.

    Raises:
        ChecksumError: for ``hash_of="gunzip"`` when the file is not gzip or is
            truncated (a cut-off download fails here rather than hashing wrongly).
    """
    h = hashlib.sha256()
    n = 0
    try:
        opener = gzip.open if hash_of == "gunzip" else open
        with opener(path, "rb") as stream:
            for chunk in _chunks(stream):
                h.update(chunk)
                n += len(chunk)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ChecksumError(
            f"{path}: not a complete gzip file ({exc}); it is truncated or corrupt"
        ) from exc
    return h.hexdigest(), n


def check_file(path: str | os.PathLike, rf: RemoteFile, *, label: str | None = None) -> None:
    """Raise :class:`ChecksumError` unless ``path`` holds exactly ``rf``'s content.

    ``label`` names the file in messages when ``path`` is a temporary copy.
    """
    path = Path(path)
    if not path.is_file():
        raise ChecksumError(f"{label or path}: no such file")
    if not rf.sha256:  # a weight file: the MD5 its publisher records, or none
        _check_weight_file(path, rf, label or path)
        return
    try:
        sha, size = digest(path, rf.hash_of)
    except ChecksumError as exc:
        raise ChecksumError(str(exc).replace(str(path), str(label or path), 1)) from None
    path = label or path
    what = "decompressed content" if rf.hash_of == "gunzip" else "file"
    if size != rf.size:
        raise ChecksumError(
            f"{path}: {what} is {size:,} bytes, expected {rf.size:,} "
            f"({'truncated' if size < rf.size else 'too long'}); this copy is not {rf.name}"
        )
    if sha != rf.sha256:
        raise ChecksumError(
            f"{path}: SHA-256 of the {what} is {sha}, expected {rf.sha256}; "
            "the copy is corrupt or a different version"
        )


_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _check_weight_file(path: Path, rf: RemoteFile, label) -> None:
    """Check a weight file by its MD5 (as Keras does) and, always, its HDF5 signature."""
    with open(path, "rb") as f:
        head = f.read(len(_HDF5_SIGNATURE))
    if rf.name.endswith(".h5") and head != _HDF5_SIGNATURE:
        raise ChecksumError(f"{label}: not an HDF5 file; this copy is not {rf.name}")
    if rf.md5:
        h = hashlib.md5(usedforsecurity=False)
        with open(path, "rb") as f:
            for chunk in _chunks(f):
                h.update(chunk)
        if h.hexdigest() != rf.md5:
            raise ChecksumError(
                f"{label}: MD5 of the file is {h.hexdigest()}, expected {rf.md5} (the hash "
                "Keras records); the copy is corrupt, truncated or a different version"
            )
    if rf.size and path.stat().st_size != rf.size:
        raise ChecksumError(f"{label}: {path.stat().st_size:,} bytes, expected {rf.size:,}")


def _stamp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.verified")


def _stat_key(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _write_stamp(path: Path, rf: RemoteFile) -> None:
    stamp = {"sha256": rf.sha256, **_stat_key(path)}
    _stamp_path(path).write_text(json.dumps(stamp))


def is_verified(path: Path, rf: RemoteFile, *, full: bool = False) -> bool:
    """True when ``path`` holds ``rf``: by its stamp, or by hashing when ``full``
    or when the stamp is missing or stale (the stamp is then renewed)."""
    if not path.is_file():
        return False
    stamp_file = _stamp_path(path)
    if not full and stamp_file.is_file():
        try:
            stamp = json.loads(stamp_file.read_text())
            if stamp == {"sha256": rf.sha256, **_stat_key(path)}:
                return True
        except (OSError, ValueError):
            pass  # unreadable stamp: fall through to a full check
    try:
        check_file(path, rf)
    except ChecksumError:
        stamp_file.unlink(missing_ok=True)
        return False
    _write_stamp(path, rf)
    return True


# --- status ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FileStatus:
    """State of one cached file: ``present`` (verified), ``missing`` or ``corrupt``."""

    dataset: str
    name: str
    path: Path
    state: Literal["present", "missing", "corrupt"]


def status(ds: Dataset | str, *, full: bool = False) -> list[FileStatus]:
    """The state of each file of a dataset in the cache (``full`` re-hashes everything)."""
    ds = get(ds) if isinstance(ds, str) else ds
    out = []
    for rf in ds.files:
        path = dataset_dir(ds) / rf.name
        if not path.exists():
            state = "missing"
        else:
            state = "present" if is_verified(path, rf, full=full) else "corrupt"
        out.append(FileStatus(ds.name, rf.name, path, state))
    return out


# --- writing files atomically ------------------------------------------------------------


def _install(tmp: Path, dest: Path, rf: RemoteFile, label: str) -> None:
    """Verify ``tmp`` and move it to ``dest``; delete it if it is wrong."""
    try:
        check_file(tmp, rf, label=label)
    except ChecksumError:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, dest)
    _write_stamp(dest, rf)


def atomic_write(dest: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a new temporary file beside ``dest``, then rename it to ``dest``.

    Readers never see half a file, and concurrent writers never share a temporary file. The
    temporary name keeps ``dest``'s suffix (Keras' ``save`` goes by the extension); it is
    removed if ``write`` fails.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.stem}-", suffix=dest.suffix, dir=dest.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _temp_beside(dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    return Path(name)


def _progress(total: int | None, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc)


def download(
    rf: RemoteFile,
    dest: Path,
    *,
    opener: Callable[..., BinaryIO] | None = None,
    progress: bool = True,
) -> str:
    """Download ``rf`` to ``dest`` from the first of its URLs that works.

    The bytes go to a temporary file beside ``dest`` with a progress bar, are
    checked against the registry's hash and only then renamed to ``dest``.

    Args:
        opener: function(url, timeout=...) returning a readable response;
            defaults to :func:`urllib.request.urlopen` (tests pass a fake).
        progress: show a tqdm progress bar.

    Returns:
        The URL the file came from.

    Raises:
        DatasetUnavailableError: no URL gave a correct file; lists each failure.
    """
    opener = opener or urllib.request.urlopen
    failures = []
    for url in rf.urls:
        tmp = _temp_beside(dest)
        try:
            with opener(url, timeout=DOWNLOAD_TIMEOUT_S) as resp, open(tmp, "wb") as out:
                length = resp.headers.get("Content-Length") if hasattr(resp, "headers") else None
                total = int(length) if length and length.isdigit() else None
                bar = _progress(total, rf.name) if progress else None
                try:
                    for chunk in _chunks(resp):
                        out.write(chunk)
                        if bar is not None:
                            bar.update(len(chunk))
                finally:
                    if bar is not None:
                        bar.close()
            _install(tmp, dest, rf, label=url)
            return url
        except (OSError, urllib.error.URLError, ValueError, ChecksumError) as exc:
            # OSError covers timeouts, refused connections and DNS failures.
            failures.append(f"  {url}: {exc}")
        finally:
            tmp.unlink(missing_ok=True)
    raise DatasetUnavailableError(
        f"could not download {rf.name}:\n" + "\n".join(failures)
    )


def ensure(ds: Dataset | str, *, download_missing: bool = True, progress: bool = True) -> Path:
    """Make sure every file of a dataset is in the cache and verified; return its folder.

    Missing or corrupt files are downloaded (corrupt ones are deleted first).

    Raises:
        DatasetUnavailableError: a file is missing and could not be downloaded;
            the message names the dataset, its source and the import command.
    """
    ds = get(ds) if isinstance(ds, str) else ds
    problems = []
    for st, rf in zip(status(ds), ds.files, strict=True):
        if st.state == "present":
            continue
        if st.state == "corrupt":
            st.path.unlink()  # never used; replaced below or reported
        if not download_missing:
            problems.append(f"  {rf.name}: {st.state}")
            continue
        try:
            download(rf, st.path, progress=progress)
        except DatasetUnavailableError as exc:
            problems.append(str(exc))
    if problems:
        raise DatasetUnavailableError(
            f"dataset {ds.name!r} ({ds.title}) is not available in {dataset_dir(ds)}.\n"
            + "\n".join(problems)
            + f"\nIt comes from {ds.homepage} ({ds.source}); canonical file URLs:\n"
            + "\n".join(f"  {rf.urls[0]}" for rf in ds.files)
            + "\nWith internet access, run:  python -m helpers data fetch "
            + ds.name
            + "\nWithout it, copy the files from a machine that has them and run:  "
            + import_command(ds)
        )
    return dataset_dir(ds)


# --- importing from a folder ------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """Outcome for one registry file: ``imported``, ``present`` (already cached),
    ``missing`` (not in the folder) or ``rejected`` (wrong checksum)."""

    dataset: str
    name: str
    state: Literal["imported", "present", "missing", "rejected"]
    source: Path | None = None
    message: str = ""


def _candidates(folder: Path, ds: Dataset, rf: RemoteFile) -> list[Path]:
    subdirs = [ds.name, *ds.aliases]
    paths = [folder / d / rf.name for d in subdirs]
    if folder.name.lower() in subdirs:  # the folder is the dataset folder itself
        paths.append(folder / rf.name)
    if ds.name in WEIGHTS:  # weight files also flat (e.g. ~/.keras/models) or in models/
        paths += [folder / rf.name, folder / "keras-applications" / rf.name,
                  folder / "models" / rf.name]  # fmt: skip
    return [p for p in paths if p.is_file()]


def import_folder(
    folder: str | os.PathLike, datasets: list[str] | None = None, *, force: bool = False
) -> list[ImportResult]:
    """Copy the registry's files found in ``folder`` into the cache, verifying each.

    ``folder`` holds one sub-folder per dataset (``mnist/``, ``fashion-mnist/``,
    ``photos/``…, as in the course's offline bundle) or is itself one dataset's
    folder. Pretrained-weight files of :data:`~helpers.data.registry.WEIGHTS` (the
    Keras application ``.h5`` files) are also picked up, flat in ``folder`` (like
    ``~/.keras/models``) or in a sub-folder; without ``datasets`` they are reported
    only when found. Each file is copied to a temporary name, checked, then renamed into
    place: a truncated or corrupt copy is rejected and the cache is unchanged.
    Files already cached and verified are left alone unless ``force``.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder to import from")
    selected = [get(n) for n in (datasets or names())]
    if not datasets:
        selected += list(WEIGHTS.values())
    results = []
    for ds in selected:
        for rf in ds.files:
            dest = dataset_dir(ds) / rf.name
            found = _candidates(folder, ds, rf)
            if not found and not datasets and ds.name in WEIGHTS:
                continue  # weight files are optional: report only those in the folder
            if not found:
                state = "present" if is_verified(dest, rf) else "missing"
                results.append(ImportResult(ds.name, rf.name, state))
                continue
            src = found[0]
            if not force and is_verified(dest, rf):
                results.append(ImportResult(ds.name, rf.name, "present", src))
                continue
            tmp = _temp_beside(dest)
            try:
                shutil.copyfile(src, tmp)
                _install(tmp, dest, rf, label=str(src))
                results.append(ImportResult(ds.name, rf.name, "imported", src))
            except ChecksumError as exc:
                results.append(ImportResult(ds.name, rf.name, "rejected", src, str(exc)))
            finally:
                tmp.unlink(missing_ok=True)
    return results
