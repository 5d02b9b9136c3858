"""Tests of helpers.explorers.augmentation: random draws, digit flips and the widgets."""

import keras  # noqa: F401  (TensorFlow starts at collection, not inside the first test)
import numpy as np
import pytest

from helpers import augment
from helpers.explorers import augmentation as aug

RNG = np.random.default_rng(10)
PHOTO = RNG.integers(0, 256, size=(32, 40, 3)).astype(np.uint8)
DIGITS = RNG.integers(0, 256, size=(20, 28, 28)).astype(np.uint8)
LABELS = np.arange(20) % 10


def test_to_unit_image():
    assert aug.to_unit_image(PHOTO).dtype == np.float32
    np.testing.assert_allclose(aug.to_unit_image(PHOTO), PHOTO / 255, rtol=1e-6)
    assert aug.to_unit_image(DIGITS[0]).shape == (28, 28, 1)
    for bad in (np.zeros((4, 4, 2)), np.full((4, 4), 2.0), np.zeros((0, 3, 3))):
        with pytest.raises(ValueError):
            aug.to_unit_image(bad)


def test_draws_are_random_reproducible_and_in_range():
    r = aug.augment_draws(PHOTO, 5, flip="horizontal", rotation=0.1, zoom=0.2, noise=0.05, seed=3)
    assert r.draws.shape == (5, 32, 40, 3) and r.draws.dtype == np.float32
    assert r.draws.min() >= 0 and r.draws.max() <= 1
    assert r.layers == ["RandomFlip", "RandomRotation", "RandomZoom", "GaussianNoise (NumPy)"]
    assert len({d.tobytes() for d in r.draws}) == 5 and "5 draws, 5 different" in r.text
    again = aug.augment_draws(PHOTO, 5, flip="horizontal", rotation=0.1, zoom=0.2, noise=0.05,
                              seed=3)  # fmt: skip
    np.testing.assert_array_equal(r.draws, again.draws)
    other = aug.augment_draws(PHOTO, 5, flip="horizontal", rotation=0.1, zoom=0.2, noise=0.05,
                              seed=4)  # fmt: skip
    assert not np.array_equal(r.draws, other.draws)


def test_nothing_on_means_copies_and_strength_grows():
    r = aug.augment_draws(PHOTO, 3)
    assert r.layers == [] and "nothing" in r.text
    np.testing.assert_array_equal(r.draws, np.repeat(r.original[None], 3, axis=0))
    weak = aug.augment_draws(PHOTO, 6, noise=0.02, seed=1)
    strong = aug.augment_draws(PHOTO, 6, noise=0.3, seed=1)
    diff = [np.abs(x.draws - x.original).mean() for x in (weak, strong)]
    assert diff[0] < diff[1]


def test_fill_modes_reach_the_layers():
    img = np.zeros((20, 20, 1), "float32")
    img[:, :10] = 1.0  # left half white
    r = aug.augment_draws(img, 4, translation=0.5, fill_mode="constant", seed=2)
    n = aug.augment_draws(img, 4, translation=0.5, fill_mode="wrap", seed=2)
    assert r.settings["fill_mode"] == "constant" and not np.array_equal(r.draws, n.draws)
    assert set(augment.FILL_MODES) == {"constant", "nearest", "reflect", "wrap"}
    with pytest.raises(ValueError, match="fill_mode"):
        aug.augment_draws(img, fill_mode="mirror")


def test_bad_settings():
    for kwargs, msg in [({"rotation": 0.7}, "rotation must be between 0 and 0.5"),
                        ({"noise": -0.1}, "noise"), ({"n": 0}, "n must"),
                        ({"seed": -1}, "seed"), ({"seed": "x1"}, "seed"),
                        ({"flip": "diagonal"}, "flip")]:  # fmt: skip
        with pytest.raises(ValueError, match=msg):
            aug.augment_draws(PHOTO, **kwargs)
    assert aug.parse_seed(" 42 ") == 42


def test_flip_digit():
    six = DIGITS[6]
    flipped, text = aug.flip_digit(six, 6, "half turn (180°)")
    np.testing.assert_array_equal(flipped, np.rot90(six, 2))
    assert "looks like a 9" in text and "label changes" in text
    flipped, text = aug.flip_digit(six[..., None], 8, "horizontal flip")
    np.testing.assert_array_equal(flipped, six[:, ::-1])
    assert "keeps the label" in text
    assert "wrong label" in aug.flip_digit(six, 2, "horizontal flip")[1]
    assert "keeps the label" in aug.flip_digit(six, 3, "vertical flip")[1]
    for args, msg in [((six, 6, "diagonal"), "unknown flip"), ((six, 10), "digit 0–9"),
                      ((np.zeros(5), 1), "(H, W)")]:  # fmt: skip
        with pytest.raises(ValueError, match=msg):
            aug.flip_digit(*args)


def test_widget_updates_and_reports_errors():
    ui = aug.augmentation_explorer({"photo": PHOTO, "digit": DIGITS[0]}, (DIGITS, LABELS),
                                   draw=False)  # fmt: skip
    first = ui.result.draws.draws.copy()
    assert first.shape == (6, 32, 40, 3) and "half turn (180°) of a 6" in ui.message
    ui.rotation.value = 0.3
    assert ui.result.draws.settings["rotation"] == 0.3 and "rotation 0.3" in ui.message
    assert not np.array_equal(ui.result.draws.draws, first)
    ui.n.value = 3
    assert ui.result.draws.draws.shape[0] == 3
    ui.fill_mode.value = "constant"
    assert "fill_mode='constant'" in ui.message
    ui.seed.value = "seven"  # invalid text: a message in the widget, no exception
    assert ui.result is None and ui.message.startswith("⚠") and "seed" in ui.message
    ui.seed.value = "7"
    assert ui.result.draws.settings["seed"] == 7
    ui.image.value = "digit"
    assert ui.result.draws.draws.shape == (3, 28, 28, 1)
    ui.digit.value = 2
    ui.digit_flip.value = "horizontal flip"
    np.testing.assert_array_equal(ui.result.flipped, DIGITS[2][:, ::-1])
    assert "wrong label" in ui.message


def test_widget_draws():
    ui = aug.augmentation_explorer({"photo": PHOTO}, (DIGITS, LABELS))
    assert len(ui.figures(ui.result)) == 2
    assert "application/vnd.jupyter.widget-view+json" in ui._repr_mimebundle_()
    with pytest.raises(ValueError, match="non-empty"):
        aug.augmentation_explorer({})
