"""Loaders: verified cache files in, NumPy arrays (or ``tf.data`` pipelines) out.

Shapes and dtypes (labels are 1-D everywhere, unlike Keras' CIFAR-10 loader
which returns labels of shape (N, 1)):

=============== ============================ ===================== ==========
dataset         x_train / x_test             y_train / y_test      classes
=============== ============================ ===================== ==========
mnist           uint8 (60000|10000, 28, 28)  uint8 (60000|10000,)  10 digits
fashion-mnist   uint8 (60000|10000, 28, 28)  uint8 (60000|10000,)  10 clothes
cifar10         uint8 (50000|10000, 32, 32, 3) uint8 (N,)          10 objects
=============== ============================ ===================== ==========

``tf_flowers`` is a folder of JPEGs, one sub-folder per class
(:func:`flowers_dir`), made for ``keras.utils.image_dataset_from_directory``.
The sample photos load as uint8 RGB arrays (:func:`load_photo`).
"""

from __future__ import annotations

import gzip
import pickle
import struct
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import config
from . import standins
from .registry import get
from .store import DataError, DatasetUnavailableError, dataset_dir, ensure, status

__all__ = [
    "MNIST_CLASSES",
    "FASHION_MNIST_CLASSES",
    "CIFAR10_CLASSES",
    "FLOWER_CLASSES",
    "Provenance",
    "read_idx",
    "load_mnist",
    "load_fashion_mnist",
    "load_cifar10",
    "flowers_dir",
    "photo_names",
    "photo_path",
    "load_photo",
    "load_class_names",
    "provenance",
    "to_tf_dataset",
    "load",
]

MNIST_CLASSES = tuple(str(d) for d in range(10))
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip
FLOWER_CLASSES = ("daisy", "dandelion", "roses", "sunflowers", "tulips")


@dataclass(frozen=True)
class Provenance:
    """Where a dataset's data comes from for this run.

    ``kind`` is ``"real"`` (verified files in the cache), ``"standin"`` (labelled
    synthetic data, CI only) or ``"missing"``.
    """

    name: str
    kind: str
    path: Path | None
    note: str

    def __str__(self) -> str:
        return self.note


def provenance(name: str) -> Provenance:
    """Say, without loading or downloading anything, what the loader of ``name`` would use."""
    ds = get(name)
    where = dataset_dir(ds)
    if all(s.state == "present" for s in status(ds)):
        return Provenance(ds.name, "real", where, f"{ds.title}: real data, verified, in {where}")
    if ds.standin and config.allow_standin():
        return Provenance(
            ds.name, "standin", None,
            f"{ds.title}: not in the cache; if it cannot be downloaded, a SYNTHETIC OFFLINE "
            "STAND-IN will be used (COURSE_ALLOW_STANDIN=1)",
        )  # fmt: skip
    return Provenance(
        ds.name, "missing", None,
        f"{ds.title}: not in the cache {where}; it will be downloaded on first use",
    )  # fmt: skip


# --- IDX (MNIST, Fashion-MNIST) ------------------------------------------------------------


def read_idx(path: str | Path) -> np.ndarray:
    """Read a (gzip-compressed) IDX file of unsigned bytes into a writable uint8 array.

    The IDX header is two zero bytes, a type code (0x08 = unsigned byte), the
    number of dimensions, then each dimension as a big-endian 32-bit integer.

    Raises:
        DataError: the header or the length of the data is wrong.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[:2] != b"\x00\x00":
        raise DataError(f"{path}: not an IDX file (bad magic number)")
    if raw[2] != 0x08:
        raise DataError(f"{path}: IDX type 0x{raw[2]:02x}; only unsigned bytes (0x08) are read")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise DataError(f"{path}: IDX header is cut short")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    expected = int(np.prod(dims))
    if len(raw) - header != expected:
        raise DataError(
            f"{path}: header announces {dims} = {expected:,} bytes of data, "
            f"the file holds {len(raw) - header:,}"
        )
    return np.frombuffer(raw, np.uint8, offset=header).reshape(dims).copy()


def _load_idx_dataset(name: str):
    folder = ensure(name)
    parts = []
    for split in ("train", "t10k"):
        x = read_idx(folder / f"{split}-images-idx3-ubyte.gz")
        y = read_idx(folder / f"{split}-labels-idx1-ubyte.gz")
        if len(x) != len(y):
            raise DataError(f"{name}/{split}: {len(x)} images but {len(y)} labels")
        parts.append((x, y))
    return tuple(parts)


def load_mnist():
    """MNIST as ``((x_train, y_train), (x_test, y_test))``; uint8, see the module table.

    Downloads on first use; offline, import the files first
    (``python -m helpers data import FOLDER``).
    """
    return _load_idx_dataset("mnist")


def load_fashion_mnist():
    """Fashion-MNIST as ``((x_train, y_train), (x_test, y_test))``; uint8.

    Class names are in :data:`FASHION_MNIST_CLASSES`.
    """
    return _load_idx_dataset("fashion-mnist")


# --- datasets with an offline stand-in ------------------------------------------------------


def _real_or_standin(name: str) -> Path | None:
    """The verified dataset folder, or None when a stand-in must be used (announced)."""
    ds = get(name)
    try:
        return ensure(ds)
    except DatasetUnavailableError as exc:
        if not config.allow_standin():
            raise DatasetUnavailableError(
                f"{exc}\n(Only CI and the test suite may replace {ds.title} by a labelled "
                "synthetic stand-in, with COURSE_ALLOW_STANDIN=1.)"
            ) from None
        standins.announce(ds.title, "it is not in the cache and could not be downloaded")
        return None


def load_cifar10(*, with_provenance: bool = False):
    """CIFAR-10 as ``((x_train, y_train), (x_test, y_test))``; uint8, labels 1-D.

    Read straight from the verified ``cifar-10-python.tar.gz`` (no extraction).
    When it cannot be had and ``COURSE_ALLOW_STANDIN=1``, returns a smaller,
    loudly announced synthetic stand-in (5,000 / 1,000 images) instead; its
    classes are drawn patterns named in ``standins.CIFAR10_LIKE_CLASSES``.

    Args:
        with_provenance: also return a :class:`Provenance` saying which it was,
            as ``(data, provenance)``.
    """
    folder = _real_or_standin("cifar10")
    if folder is None:
        data = standins.cifar10_like()
        prov = Provenance("cifar10", "standin", None, "CIFAR-10: SYNTHETIC OFFLINE STAND-IN")
    else:
        data = _read_cifar_tar(folder / "cifar-10-python.tar.gz")
        prov = Provenance("cifar10", "real", folder, f"CIFAR-10: real data, verified, in {folder}")
    return (data, prov) if with_provenance else data


def _read_cifar_tar(path: Path):
    def batch(tar: tarfile.TarFile, member: str):
        f = tar.extractfile(f"cifar-10-batches-py/{member}")
        if f is None:
            raise DataError(f"{path}: {member} is missing from the archive")
        # The archive's checksum was verified, so unpickling it is safe.
        d = pickle.load(f, encoding="bytes")
        x = np.asarray(d[b"data"], np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return x, np.asarray(d[b"labels"], np.uint8)

    with tarfile.open(path, "r:gz") as tar:
        train = [batch(tar, f"data_batch_{i}") for i in range(1, 6)]
        x_test, y_test = batch(tar, "test_batch")
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    return (np.ascontiguousarray(x_train), y_train), (np.ascontiguousarray(x_test), y_test)


def flowers_dir(*, with_provenance: bool = False) -> Path:
    """The folder of tf_flowers photos: ``flower_photos/<class>/*.jpg`` (5 classes).

    Extracts the verified archive once (safely: no paths outside the cache).
    With ``COURSE_ALLOW_STANDIN=1`` and no way to get it, returns a folder of
    synthetic stand-in JPEGs (200 images) instead, announced loudly.
    """
    folder = _real_or_standin("tf_flowers")
    if folder is None:
        root = config.data_dir() / "standins" / "tf_flowers"
        out = root / "flower_photos"
        if not (out / "STANDIN_README.txt").is_file():
            out = standins.write_flowers_like(root)
        prov = Provenance("tf_flowers", "standin", out, "tf_flowers: SYNTHETIC OFFLINE STAND-IN")
    else:
        out = folder / "flower_photos"
        marker = folder / ".extracted"
        archive = folder / "flower_photos.tgz"
        if not marker.is_file() or marker.read_text() != get("tf_flowers").files[0].sha256:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(folder, filter="data")  # "data" refuses unsafe paths
            marker.write_text(get("tf_flowers").files[0].sha256)
        prov = Provenance("tf_flowers", "real", out, f"tf_flowers: real photos in {out}")
    return (out, prov) if with_provenance else out


# --- sample photos ---------------------------------------------------------------------------


def photo_names() -> list[str]:
    """Names of the sample photos (without ``.jpg``): dog, eagle, giraffe, …"""
    return [f.name[:-4] for f in get("photos").files if f.name.endswith(".jpg")]


def photo_path(name: str) -> Path:
    """Cache path of a sample photo (``"dog"`` or ``"dog.jpg"``), verified first."""
    stem = name[:-4] if name.endswith(".jpg") else name
    if stem not in photo_names():
        raise ValueError(f"no sample photo {name!r}; the photos are: {', '.join(photo_names())}")
    return ensure("photos") / f"{stem}.jpg"


def load_photo(name: str, size: tuple[int, int] | None = None) -> np.ndarray:
    """A sample photo as a uint8 RGB array of shape (height, width, 3).

    Args:
        size: optional ``(height, width)`` to resize to (bilinear).
    """
    from PIL import Image

    with Image.open(photo_path(name)) as im:
        im = im.convert("RGB")
        if size is not None:
            if (
                len(size) != 2
                or not all(isinstance(s, int | np.integer) and s > 0 for s in size)
            ):
                raise ValueError(f"size must be (height, width) in positive pixels, got {size!r}")
            im = im.resize((int(size[1]), int(size[0])), Image.Resampling.BILINEAR)
        return np.asarray(im, dtype=np.uint8).copy()


def load_class_names(which: str) -> list[str]:
    """Class names of the detection label maps shipped with the photos: ``coco`` or ``voc``."""
    if which not in ("coco", "voc"):
        raise ValueError(f"which must be 'coco' or 'voc', got {which!r}")
    text = (ensure("photos") / f"{which}.names").read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


# --- tf.data ---------------------------------------------------------------------------------


def to_tf_dataset(x, y=None, *, batch_size: int = 32, shuffle: bool = False, seed: int = 0):
    """Wrap arrays in a batched, prefetching ``tf.data.Dataset``.

    Shuffling (for training sets) uses a buffer as large as the data and a
    fixed seed, reshuffling each epoch.
    """
    import tensorflow as tf

    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive whole number, got {batch_size!r}")
    if y is not None and len(x) != len(y):
        raise ValueError(f"x has {len(x)} items but y has {len(y)}")
    ds = tf.data.Dataset.from_tensor_slices(x if y is None else (x, y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


_ARRAY_LOADERS = {"mnist": load_mnist, "fashion-mnist": load_fashion_mnist, "cifar10": load_cifar10}


def load(name: str, *, as_dataset: bool = False, batch_size: int = 32, seed: int = 0):
    """Load an array dataset by registry name (``mnist``, ``fashion-mnist``, ``cifar10``).

    Returns ``((x_train, y_train), (x_test, y_test))``, or with ``as_dataset``
    a pair ``(train_ds, test_ds)`` of ``tf.data`` pipelines (training set shuffled).
    """
    key = get(name).name
    if key not in _ARRAY_LOADERS:
        raise ValueError(
            f"{key} is not an array dataset; use flowers_dir() for tf_flowers and "
            "load_photo() for photos"
        )
    (x_tr, y_tr), (x_te, y_te) = _ARRAY_LOADERS[key]()
    if not as_dataset:
        return (x_tr, y_tr), (x_te, y_te)
    return (
        to_tf_dataset(x_tr, y_tr, batch_size=batch_size, shuffle=True, seed=seed),
        to_tf_dataset(x_te, y_te, batch_size=batch_size),
    )
