"""Pretrained ImageNet models: EfficientNet-Lite0 offline, the Keras families online.

Quick use::

    from helpers import pretrained
    model = pretrained.efficientnet_lite0()               # ImageNet weights, no internet
    pretrained.predict(model, ["dog", "eagle"])           # top-5 table and the images
    x = pretrained.preprocess(pretrained.load_image("dog"))
    pretrained.decode(model.predict(x, verbose=0), top=3)

    resnet = pretrained.keras_application("ResNet50")     # downloads once (or import)
    pretrained.predict(resnet, "dog", family="ResNet50")

Modules: :mod:`.torchfile` (restricted reader of legacy PyTorch files),
:mod:`.efficientnet_lite` (the network and its weight conversion),
:mod:`.inference` (load, crop, preprocess, decode, predict),
:mod:`.applications` (Keras families: weight files, cited accuracies, timing).
"""

from .applications import (
    APPLICATIONS,
    WeightsUnavailableError,
    application_names,
    depth,
    keras_application,
    time_model,
    weights_file,
)
from .efficientnet_lite import (
    LAST_CONV,
    PretrainedWeightsError,
    build_efficientnet_lite0,
    efficientnet_lite0,
)
from .inference import (
    center_crop,
    decode,
    family_mode,
    imagenet_class_names,
    load_image,
    predict,
    preprocess,
    top_k_table,
)
from .torchfile import UnsafePickleError, read_state_dict

__all__ = [
    "APPLICATIONS", "LAST_CONV", "PretrainedWeightsError", "UnsafePickleError",
    "WeightsUnavailableError", "application_names", "build_efficientnet_lite0", "center_crop",
    "decode", "depth", "efficientnet_lite0", "family_mode", "imagenet_class_names",
    "keras_application", "load_image", "predict", "preprocess", "read_state_dict",
    "time_model", "top_k_table", "weights_file",
]  # fmt: skip
