"""helpers.layer_kinds: a layer's Keras kind, the course's own layers included."""

import keras
import pytest

from helpers.fast_layers import FusedBatchNormalization
from helpers.layer_kinds import keras_kind


@pytest.mark.parametrize(
    "layer, kind",
    [
        (FusedBatchNormalization(), "BatchNormalization"),
        (keras.layers.BatchNormalization(), "BatchNormalization"),
        (keras.layers.Conv2D(2, 3), "Conv2D"),
        (keras.layers.MaxPooling2D(), "MaxPooling2D"),
    ],
)
def test_keras_layers_and_their_stand_ins(layer, kind):
    assert keras_kind(layer) == kind


def test_a_layer_of_ones_own_keeps_its_name():
    class Mine(keras.layers.Layer):
        pass

    class MyConv(keras.layers.Conv2D):
        pass

    assert keras_kind(Mine()) == "Mine"
    assert keras_kind(MyConv(2, 3)) == "Conv2D"  # extends a Keras kind: counts as one
    assert keras_kind(3) == "int"


def test_diagrams_and_feature_maps_treat_the_fused_layer_as_batch_norm():
    from helpers import diagrams, models
    from helpers.explorers import feature_maps

    fused, plain = models.fast_mnist_cnn(), models.fast_mnist_cnn(fused_bn=False)
    def boxes(model):
        return [(b.kind, b.detail, b.shape) for b in diagrams.model_graph(model)]

    assert boxes(fused) == boxes(plain)
    assert any(b.kind.endswith("+BN") or "+BN" in b.detail for b in diagrams.model_graph(fused))
    assert feature_maps.source_filter(fused, "conv2_relu", 5)[0] == "conv2"
