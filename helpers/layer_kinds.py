"""What kind of Keras layer a layer is, for code that treats layers by kind.

Diagrams fold batch norms into the convolution before them, the feature-map explorer follows a
map back through per-channel layers, receptive-field arithmetic looks for strided layers: all of
them ask a layer's kind. :func:`keras_kind` answers with the Keras class the layer is or extends,
so that a course layer such as :class:`helpers.fast_layers.FusedBatchNormalization` counts as the
``BatchNormalization`` it stands in for. (No Keras import here: it reads the class hierarchy.)
"""

from __future__ import annotations

__all__ = ["keras_kind"]

_GENERIC = {"Layer", "Operation", "KerasSaveable", "Model", "Functional"}


def keras_kind(layer) -> str:
    """The name of the Keras layer class ``layer`` is or extends.

    ``"BatchNormalization"`` for a ``FusedBatchNormalization`` as for Keras's own layer;
    ``"Conv2D"`` for a ``keras.layers.Conv2D``. A layer of one's own that extends only Keras's
    generic ``Layer`` (or is no Keras layer at all) gives its own class name.
    """
    for cls in type(layer).__mro__:
        if cls.__module__.split(".")[0] == "keras":
            return type(layer).__name__ if cls.__name__ in _GENERIC else cls.__name__
    return type(layer).__name__
