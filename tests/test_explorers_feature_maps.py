"""Tests of helpers.explorers.feature_maps on a small untrained chain model."""

import keras
import numpy as np
import pytest

from helpers import conv
from helpers.explorers import feature_maps as fm

RNG = np.random.default_rng(6)
IMAGES = {"a": RNG.integers(0, 256, (12, 12)).astype(np.uint8),
          "b": RNG.random((12, 12, 1)).astype("float32")}  # fmt: skip


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(6)
    m = keras.Sequential([
        keras.Input((12, 12, 1)),
        keras.layers.Conv2D(4, 3, name="conv1"),
        keras.layers.BatchNormalization(name="bn1"),
        keras.layers.ReLU(name="relu1"),
        keras.layers.MaxPooling2D(2, name="pool1"),
        keras.layers.Conv2D(6, 3, padding="same", activation="relu", name="conv2"),
        keras.layers.Flatten(name="flat"),
        keras.layers.Dense(3, activation="softmax", name="out"),
    ])  # fmt: skip
    return m


def test_layers_and_source_filter(model):
    assert fm.feature_layers(model) == ["conv1", "bn1", "relu1", "pool1", "conv2"]
    conv_name, filt, path = fm.source_filter(model, "pool1", 2)
    assert conv_name == "conv1" and path == ["bn1", "relu1", "pool1"]
    np.testing.assert_array_equal(filt, model.get_layer("conv1").get_weights()[0][:, :, :, 2])
    conv_name, filt, path = fm.source_filter(model, "conv2", 5)
    assert conv_name == "conv2" and filt.shape == (3, 3, 4) and path == []
    assert fm.source_filter(model, "out", 0) == (None, None, [])
    with pytest.raises(ValueError, match="no layer"):
        fm.source_filter(model, "conv9", 0)


def test_maps_match_numpy_convolution(model):
    r = fm.feature_maps(model, "conv1", IMAGES["a"], "3")
    x = IMAGES["a"].astype("float32") / 255
    k, b = model.get_layer("conv1").get_weights()
    expected = conv.conv2d(x[..., None], k, b)
    assert r.maps.shape == (10, 10, 4) and r.channel == 3
    np.testing.assert_allclose(r.maps, expected, atol=1e-5)
    np.testing.assert_array_equal(r.chosen, r.maps[:, :, 3])
    assert r.prediction in (0, 1, 2) and 0 < r.probability <= 1
    assert "layer 'conv1': 4 maps of 10×10" in r.text and "filter #3 of 'conv1'" in r.text
    pooled = fm.feature_maps(model, "pool1", IMAGES["b"], 1)
    assert pooled.maps.shape == (5, 5, 4) and pooled.conv == "conv1" and pooled.maps.min() >= 0
    assert "bn1 → relu1 → pool1" in pooled.text


def test_bad_inputs(model):
    assert fm.parse_map_index(" #2 ", 4) == 2
    for value, msg in [("x", "whole number"), ("4", "does not exist"), (-1, "does not exist"),
                       (1.5, "whole number")]:  # fmt: skip
        with pytest.raises(ValueError, match=msg):
            fm.parse_map_index(value, 4)
    with pytest.raises(ValueError, match="not a layer with feature maps"):
        fm.feature_maps(model, "out", IMAGES["a"])
    with pytest.raises(ValueError, match="takes images of shape"):
        fm.feature_maps(model, "conv1", np.zeros((10, 10)))


def test_widget_updates_and_reports_errors(model):
    ui = fm.feature_map_explorer(model, IMAGES, draw=False)
    assert ui.result.layer == "conv1" and ui.result.channel == 0
    ui.channel.value = "2"
    assert ui.result.channel == 2 and "map #2" in ui.message
    ui.layer.value = "conv2"
    assert ui.result.maps.shape == (5, 5, 6) and ui.result.filter.shape == (3, 3, 4)
    ui.channel.value = "9"  # invalid text: a message, no exception
    assert ui.result is None and ui.message.startswith("⚠") and "6 maps" in ui.message
    ui.channel.value = "abc"
    assert ui.result is None and "whole number" in ui.message
    ui.channel.value = "5"
    ui.image.value = "b"
    expected = fm.feature_maps(model, "conv2", IMAGES["b"], 5)
    np.testing.assert_allclose(ui.result.maps, expected.maps, atol=1e-6)


def test_widget_draws(model):
    ui = fm.feature_map_explorer(model, IMAGES, layer="conv1")
    assert len(ui.figures(ui.result)) == 3  # input + map, filter, all maps
    ui.layer.value = "relu1"
    assert ui.result.conv == "conv1"
    assert "application/vnd.jupyter.widget-view+json" in ui._repr_mimebundle_()
    with pytest.raises(ValueError, match="non-empty"):
        fm.feature_map_explorer(model, {})
