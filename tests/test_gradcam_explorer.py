"""Tests of helpers.gradcam_explorer: the pure core and the ipywidgets explorer (no browser)."""

import keras
import matplotlib
import numpy as np
import pytest

from helpers import gradcam_explorer as gx
from helpers import interpret

matplotlib.use("Agg")
NAMES = ["bright", "dark", "flat"]


def two_map_model():
    """Image (8×8×1) → maps [ReLU(x), ReLU(−x)] → pool → GAP → Dense(3): class 0 = bright."""
    model = keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(2, 1, activation="relu", name="maps"),
        keras.layers.AveragePooling2D(2, name="pooled"),
        keras.layers.GlobalAveragePooling2D(name="gap"),
        keras.layers.Dense(3, activation="softmax", name="out"),
    ])  # fmt: skip
    model.get_layer("maps").set_weights([np.array([1.0, -1.0]).reshape(1, 1, 1, 2), np.zeros(2)])
    w = np.array([[40.0, -40.0, 0.0], [-40.0, 40.0, 0.0]])
    model.get_layer("out").set_weights([w, np.zeros(3)])
    return model


def blob(r, c, sign=1.0):
    x = np.zeros((8, 8))
    x[r, c] = sign
    return x


MODEL = two_map_model()
IMAGES = {"bright dot": blob(2, 5), "dark dot": blob(6, 1, -1.0)}


def test_top_classes_options_and_labels():
    probs = np.array([0.1, 0.5, 0.05, 0.3, 0.05])
    assert gx.top_classes(probs, 3) == [1, 3, 0]
    assert gx.top_classes(probs, 5)[-2:] == [2, 4]  # ties: lower index first
    names = ["a", "b", "c", "d", "e"]
    opts = gx.class_options(probs, names, top=2)
    assert opts[:2] == ["b (#1)", "d (#3)"] and len(opts) == 5 and opts[2:] == [
        "a (#0)", "c (#2)", "e (#4)"]  # fmt: skip
    with pytest.raises(ValueError):
        gx.top_classes(probs, 6)


def test_parse_class():
    names = ["German Shepherd Dog", "goldfish", "great white shark", "Great Dane"]
    assert gx.parse_class("goldfish (#1)", names) == 1
    assert gx.parse_class(" 2 ", names) == 2 and gx.parse_class(np.int64(3), names) == 3
    assert gx.parse_class("great dane", names) == 3
    assert gx.parse_class("shepherd", names) == 0  # a part that only one name has
    with pytest.raises(ValueError, match="matches 2 classes"):
        gx.parse_class("great", names)
    with pytest.raises(ValueError, match="did you mean 'goldfish'"):
        gx.parse_class("goldfsh", names)
    with pytest.raises(ValueError, match="out of range"):
        gx.parse_class(4, names)
    with pytest.raises(ValueError, match="type a class"):
        gx.parse_class("  ", names)
    with pytest.raises(TypeError):
        gx.parse_class(1.5, names)


def test_compute_frame_is_grad_cam():
    image = IMAGES["bright dot"]
    frame = gx.compute_frame(MODEL, image, None, "maps", class_names=NAMES)
    assert frame.class_index == 0 and frame.class_name == "bright" and frame.rank == 1
    np.testing.assert_allclose(frame.heatmap, interpret.grad_cam(MODEL, image, 0, "maps"))
    assert np.unravel_index(frame.heatmap.argmax(), (8, 8)) == (2, 5)
    assert frame.overlay.shape == (8, 8, 3)
    assert "bright (#0)" in frame.text and "rank 1" in frame.text and "(8×8×2)" in frame.text
    assert "peak at row 2, column 5 of 8×8" in frame.text
    # another layer: the map has that layer's resolution
    pooled = gx.compute_frame(MODEL, image, "bright", "pooled", class_names=NAMES)
    assert pooled.heatmap.shape == (4, 4) and np.unravel_index(pooled.heatmap.argmax(), (4, 4)) == (
        1, 2)  # fmt: skip
    # a class without evidence in the image: an all-zero map, and the text says so
    dark = gx.compute_frame(MODEL, image, "dark (#1)", "maps", class_names=NAMES)
    assert dark.rank == 3 and not dark.heatmap.any() and "all zero" in dark.text
    # preprocessing is applied before the model (here: negate the image)
    flipped = gx.compute_frame(MODEL, image, None, "maps", preprocess=lambda im: -im,
                               class_names=NAMES)  # fmt: skip
    assert flipped.class_name == "dark"
    with pytest.raises(ValueError, match="no spatial axes"):
        gx.compute_frame(MODEL, image, 0, "gap")
    with pytest.raises(ValueError, match="2 class names"):
        gx.compute_frame(MODEL, image, 0, class_names=NAMES[:2])


def test_explorer_widgets_drive_the_core():
    ui = gx.gradcam_explorer(MODEL, IMAGES, class_names=NAMES, draw=False)
    assert ui.image.value == "bright dot" and ui.layer.value == "pooled"
    assert list(ui.layer.options) == ["maps", "pooled"]
    assert ui.klass.value == "bright (#0)" and ui.klass.options[0] == "bright (#0)"
    assert ui.frame.class_index == 0 and ui.frame.heatmap.shape == (4, 4)
    ui.layer.value = "maps"
    assert ui.frame.heatmap.shape == (8, 8) and "peak at row 2, column 5" in ui.message
    ui.image.value = "dark dot"  # the class box follows the new image's top class
    assert ui.klass.value == "dark (#1)" and ui.frame.class_name == "dark"
    assert np.unravel_index(ui.frame.heatmap.argmax(), (8, 8)) == (6, 1)
    ui.klass.value = "flat"  # any class may be typed
    assert ui.frame.class_index == 2
    ui.klass.value = "no such class"
    assert ui.frame is None and ui.message.startswith("⚠") and "no class called" in ui.text.value
    for box in (ui.widget, ui.image, ui.klass, ui.layer, ui.plot):
        assert box.layout.width == "100%"


def test_explorer_draws_and_rejects_bad_settings():
    ui = gx.gradcam_explorer(MODEL, IMAGES, class_names=NAMES, layers=["maps"])
    assert ui.layer.options == ("maps",) and ui.frame.heatmap.shape == (8, 8)
    assert "application/vnd.jupyter.widget-view+json" in ui._repr_mimebundle_()
    with pytest.raises(ValueError, match="spatial axes"):
        gx.gradcam_explorer(MODEL, IMAGES, layers=["gap"])
    with pytest.raises(ValueError, match="non-empty"):
        gx.gradcam_explorer(MODEL, {})
