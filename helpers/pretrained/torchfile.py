"""Read PyTorch's legacy (pre-zip) ``.pth`` files into NumPy arrays, without PyTorch.

A legacy ``torch.save`` file is five pickles in a row followed by raw bytes:

1. a magic number (``0x1950a86a20f9469cfc6c``), 2. a protocol version (``1001``),
3. a dict describing the machine that wrote it (byte order, type sizes),
4. the saved object itself, usually an ``OrderedDict`` of tensors (a *state dict*)
   in which each tensor refers to a *storage* by key (a pickle "persistent id"),
5. the list of storage keys, then for each key: its element count as a
   little-endian 64-bit integer and the raw little-endian element bytes.

Unpickling runs code: ``pickle.load`` on an untrusted file can create any object
and call any function. :class:`RestrictedUnpickler` therefore refuses every global
except the handful this format needs (``collections.OrderedDict``,
``torch._utils._rebuild_tensor_v2`` / ``_rebuild_parameter`` and the ``torch.*Storage``
type markers), and even those are replaced by harmless NumPy-side stand-ins: no
``torch`` module is imported and nothing else can be built. Anything else raises
:class:`UnsafePickleError` naming the refused global.

Example::

    from helpers.pretrained.torchfile import read_state_dict
    weights = read_state_dict("efficientnet-lite0-57934424.pth")   # {name: np.ndarray}
"""

from __future__ import annotations

import collections
import io
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["UnsafePickleError", "TorchFileError", "RestrictedUnpickler", "read_state_dict"]

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001

# torch storage type name -> NumPy dtype (little-endian, as the file header must say).
STORAGE_DTYPES = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}


class TorchFileError(ValueError):
    """The file is not a legacy PyTorch file this reader understands."""


class UnsafePickleError(pickle.UnpicklingError):
    """The pickle asked to build an object the restricted reader does not allow."""


@dataclass(frozen=True)
class _StorageType:
    """Stand-in for ``torch.FloatStorage`` & co.: only records the element type."""

    name: str

    @property
    def dtype(self) -> np.dtype:
        return STORAGE_DTYPES[self.name]


@dataclass(frozen=True)
class _StorageRef:
    key: str
    dtype: np.dtype
    numel: int


@dataclass(frozen=True)
class _TensorRef:
    """A tensor whose storage bytes come later in the file (filled in by :func:`_resolve`)."""

    storage: _StorageRef
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):  # fmt: skip
    if not isinstance(storage, _StorageRef):
        raise UnsafePickleError("_rebuild_tensor_v2 called without a storage reference")
    return _TensorRef(storage, int(storage_offset), tuple(map(int, size)), tuple(map(int, stride)))


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None):
    return data  # an nn.Parameter is its tensor for our purpose


_ALLOWED = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    **{("torch", name): _StorageType(name) for name in STORAGE_DTYPES},
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that can only rebuild tensors (as references) and ordered dicts.

    ``find_class`` returns harmless stand-ins for the few globals of the legacy
    PyTorch format and raises :class:`UnsafePickleError` for anything else;
    ``persistent_load`` accepts only ``("storage", type, key, location, numel, view)``.
    """

    def __init__(self, file, *, allow_tensors: bool = True):
        super().__init__(file)
        self._allow_tensors = allow_tensors

    def find_class(self, module: str, name: str):
        if self._allow_tensors and (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        raise UnsafePickleError(
            f"refusing to build {module}.{name}: this reader only rebuilds tensors from a "
            "PyTorch state dict, and a pickle that creates other objects may run arbitrary code"
        )

    def persistent_load(self, pid):
        if not self._allow_tensors:
            raise UnsafePickleError("unexpected persistent id in a header pickle")
        if (
            not isinstance(pid, tuple)
            or len(pid) != 6
            or pid[0] != "storage"
            or not isinstance(pid[1], _StorageType)
        ):
            raise UnsafePickleError(f"unsupported persistent id {pid!r:.80}")
        _, stype, key, _location, numel, view = pid
        if view is not None:
            raise TorchFileError("storage views are not supported by this reader")
        return _StorageRef(str(key), stype.dtype, int(numel))


def _load_plain(f):
    return RestrictedUnpickler(f, allow_tensors=False).load()


def _resolve(obj, arrays: dict[str, np.ndarray]):
    """Replace every :class:`_TensorRef` in ``obj`` (dicts, lists, tuples) by an array."""
    if isinstance(obj, _TensorRef):
        base = arrays[obj.storage.key]
        itemsize = base.dtype.itemsize
        span = sum((n - 1) * s for n, s in zip(obj.shape, obj.stride, strict=True))
        needed = obj.offset + span + 1
        if obj.shape and min(obj.shape) > 0 and needed > base.size:
            raise TorchFileError(f"tensor of shape {obj.shape} runs past its storage")
        view = np.lib.stride_tricks.as_strided(
            base[obj.offset :],
            shape=obj.shape,
            strides=tuple(s * itemsize for s in obj.stride),
            writeable=False,
        )
        return np.array(view)  # a contiguous copy
    if isinstance(obj, dict):
        return type(obj)((k, _resolve(v, arrays)) for k, v in obj.items())
    if isinstance(obj, list | tuple):
        return type(obj)(_resolve(v, arrays) for v in obj)
    return obj


def read_state_dict(source: str | os.PathLike | bytes) -> dict[str, np.ndarray]:
    """Read a legacy ``torch.save`` file (path or bytes) into ``{name: np.ndarray}``.

    Raises:
        UnsafePickleError: the pickle tries to build anything but tensors and dicts.
        TorchFileError: wrong magic number, version, byte order or truncated data.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    f = io.BytesIO(data)
    try:
        magic = _load_plain(f)
    except UnsafePickleError:
        raise
    except Exception as exc:
        raise TorchFileError(f"not a legacy PyTorch file ({exc})") from None
    if magic != MAGIC_NUMBER:
        raise TorchFileError(
            "not a legacy PyTorch file (wrong magic number); zip-based .pt files "
            "(PyTorch >= 1.6) are not supported by this reader"
        )
    version = _load_plain(f)
    if version != PROTOCOL_VERSION:
        raise TorchFileError(f"unsupported legacy protocol version {version!r}")
    sys_info = _load_plain(f)
    if not isinstance(sys_info, dict) or not sys_info.get("little_endian", False):
        raise TorchFileError("only little-endian files are supported")
    obj = RestrictedUnpickler(f).load()
    keys = _load_plain(f)
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise TorchFileError("malformed storage key list")

    refs: dict[str, _StorageRef] = {}

    def collect(o):
        if isinstance(o, _TensorRef):
            refs[o.storage.key] = o.storage
        elif isinstance(o, dict):
            for v in o.values():
                collect(v)
        elif isinstance(o, list | tuple):
            for v in o:
                collect(v)

    collect(obj)
    arrays: dict[str, np.ndarray] = {}
    for key in keys:
        if key not in refs:
            raise TorchFileError(f"storage {key!r} is not used by any tensor")
        ref = refs[key]
        header = f.read(8)
        if len(header) != 8:
            raise TorchFileError(f"file truncated before storage {key!r}")
        numel = int.from_bytes(header, "little", signed=True)
        if numel != ref.numel:
            raise TorchFileError(f"storage {key!r}: {numel} elements, expected {ref.numel}")
        nbytes = numel * ref.dtype.itemsize
        raw = f.read(nbytes)
        if len(raw) != nbytes:
            raise TorchFileError(f"file truncated inside storage {key!r}")
        arrays[key] = np.frombuffer(raw, dtype=ref.dtype)
    missing = set(refs) - set(arrays)
    if missing:
        raise TorchFileError(f"storages missing from the file: {sorted(missing)[:3]}")
    return _resolve(obj, arrays)
