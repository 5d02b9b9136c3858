"""Datasets: a registry with checksums, a verified cache, loaders and offline stand-ins.

Quick use::

    from helpers import data
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    img = data.load_photo("dog")
    print(data.provenance("cifar10"))

From the command line: ``python -m helpers data list | fetch NAME | import FOLDER | verify``.
See :mod:`helpers.data.registry`, :mod:`helpers.data.store`,
:mod:`helpers.data.loaders` and :mod:`helpers.data.standins`.
"""

from .loaders import (
    CIFAR10_CLASSES,
    FASHION_MNIST_CLASSES,
    FLOWER_CLASSES,
    MNIST_CLASSES,
    Provenance,
    flowers_dir,
    load,
    load_cifar10,
    load_class_names,
    load_fashion_mnist,
    load_mnist,
    load_photo,
    photo_names,
    photo_path,
    provenance,
    read_idx,
    to_tf_dataset,
)
from .registry import REGISTRY, Dataset, RemoteFile, UnknownDatasetError, get, names
from .standins import StandInWarning
from .store import (
    ChecksumError,
    DataError,
    DatasetUnavailableError,
    ImportResult,
    dataset_dir,
    ensure,
    import_folder,
    status,
)

__all__ = [
    "CIFAR10_CLASSES", "FASHION_MNIST_CLASSES", "FLOWER_CLASSES", "MNIST_CLASSES",
    "REGISTRY", "ChecksumError", "DataError", "Dataset", "DatasetUnavailableError",
    "ImportResult", "Provenance", "RemoteFile", "StandInWarning", "UnknownDatasetError",
    "dataset_dir", "ensure", "flowers_dir", "get", "import_folder", "load", "load_cifar10",
    "load_class_names", "load_fashion_mnist", "load_mnist", "load_photo", "names",
    "photo_names", "photo_path", "provenance", "read_idx", "status", "to_tf_dataset",
]  # fmt: skip
