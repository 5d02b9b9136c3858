"""Tests of helpers.augment: NumPy transforms, the Keras pipeline, mixup and TTA."""

import keras
import numpy as np
import pytest

from helpers import augment


def test_hflip():
    img = np.arange(24).reshape(2, 4, 3)
    out = augment.hflip(img)
    assert np.array_equal(out, img[:, ::-1]) and not np.shares_memory(out, img)
    assert np.array_equal(augment.hflip(out), img)
    with pytest.raises(ValueError, match="one image"):
        augment.hflip(np.zeros((1, 2, 2, 1)))


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("constant", [0, 0, 1, 2]), ("nearest", [1, 1, 1, 2]), ("reflect", [2, 1, 1, 2]),
     ("wrap", [3, 4, 1, 2])],
)  # fmt: skip
def test_shift_fill_modes(mode, expected):
    assert augment.shift_image(np.array([[1, 2, 3, 4]]), 2, 0, fill_mode=mode).tolist() == [
        expected
    ]


def test_shift_directions_and_values():
    img = np.arange(1, 10).reshape(3, 3)
    assert augment.shift_image(img, 0, 1).tolist() == [[0, 0, 0], [1, 2, 3], [4, 5, 6]]
    assert augment.shift_image(img, -1, 0, fill_value=9).tolist() == [
        [2, 3, 9],
        [5, 6, 9],
        [8, 9, 9],
    ]
    assert augment.shift_image(img, 0, 0).tolist() == img.tolist()
    colour = np.random.default_rng(0).random((5, 6, 3))
    out = augment.shift_image(colour, 2, -1)
    assert out.shape == colour.shape and np.array_equal(out[:-1, 2:], colour[1:, :-2])


@pytest.mark.parametrize("mode", list(augment.FILL_MODES))
def test_shift_matches_keras_random_translation(mode):
    x = np.random.default_rng(1).random((10, 20, 2)).astype("float32")
    layer = keras.layers.RandomTranslation((0.2, 0.2), (-0.1, -0.1), fill_mode=mode,
                                           interpolation="nearest")  # fmt: skip
    by_keras = keras.ops.convert_to_numpy(layer(x[None], training=True))[0]
    assert np.array_equal(by_keras, augment.shift_image(x, -2, 2, fill_mode=mode))


def test_shift_validation():
    img = np.zeros((4, 4))
    with pytest.raises(ValueError, match="fill_mode"):
        augment.shift_image(img, 1, 1, fill_mode="mirror")
    with pytest.raises(ValueError, match="whole number"):
        augment.shift_image(img, 1.5, 0)
    with pytest.raises(ValueError, match="larger than the image"):
        augment.shift_image(img, 5, 0)


def test_gaussian_noise():
    img = np.full((50, 50), 0.5)
    out = augment.add_gaussian_noise(img, 0.1, np.random.default_rng(0))
    expected = np.clip(0.5 + np.random.default_rng(0).normal(0, 0.1, (50, 50)), 0, 1)
    assert np.array_equal(out, expected) and img.max() == 0.5
    wide = augment.add_gaussian_noise(img, 2.0, np.random.default_rng(0))
    assert wide.min() == 0 and wide.max() == 1
    assert augment.add_gaussian_noise(img, 2.0, np.random.default_rng(0), clip=None).max() > 1
    with pytest.raises(ValueError, match="sigma"):
        augment.add_gaussian_noise(img, -1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="Generator"):
        augment.add_gaussian_noise(img, 0.1, 0)


def test_augmentation_pipeline_layers_and_inference():
    pipe = augment.augmentation_pipeline(flip="horizontal", rotation=0.1, translation=0.1,
                                         zoom=0.1, shear=0.1, contrast=0.2, brightness=0.1,
                                         fill_mode="constant", seed=0)  # fmt: skip
    names = [type(layer).__name__ for layer in pipe.layers]
    assert names == ["RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom",
                     "RandomShear", "RandomContrast", "RandomBrightness"]  # fmt: skip
    assert all(layer.fill_mode == "constant" for layer in pipe.layers[1:5])
    x = np.random.default_rng(0).random((2, 16, 16, 3)).astype("float32")
    assert np.array_equal(keras.ops.convert_to_numpy(pipe(x, training=False)), x)
    assert not np.array_equal(keras.ops.convert_to_numpy(pipe(x, training=True)), x)
    assert [type(la).__name__ for la in augment.augmentation_pipeline(zoom=0.2).layers] == [
        "RandomZoom"
    ]


@pytest.mark.parametrize(
    "kwargs", [{"flip": "diagonal"}, {"rotation": 2.0}, {"zoom": -0.1}, {"fill_mode": "edge"},
               {"translation": True}],
)  # fmt: skip
def test_augmentation_pipeline_validation(kwargs):
    with pytest.raises(ValueError):
        augment.augmentation_pipeline(**kwargs)


def test_mixup_blends_exactly():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (16, 5, 5, 1)).astype(np.uint8)
    y = np.eye(4)[rng.integers(0, 4, 16)]
    out = augment.mixup(x, y, alpha=0.4, rng=np.random.default_rng(1))
    assert out.x.dtype == np.float32 and out.x.shape == x.shape and out.y.shape == y.shape
    lam = out.lam[:, None, None, None]
    assert np.abs(out.x - (lam * x + (1 - lam) * x[out.partner])).max() < 1e-3
    assert np.allclose(out.y, out.lam[:, None] * y + (1 - out.lam[:, None]) * y[out.partner])
    assert np.allclose(out.y.sum(axis=1), 1)
    assert sorted(out.partner.tolist()) == list(range(16))


def test_mixup_validation():
    x, y = np.zeros((4, 3, 3)), np.eye(3)[[0, 1, 2, 0]]
    with pytest.raises(ValueError, match="sum to 1"):
        augment.mixup(x, y * 2, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="shapes"):
        augment.mixup(x[:3], y, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="alpha"):
        augment.mixup(x, y, alpha=0, rng=np.random.default_rng(0))


class Scale:
    """A fake model: 'predicts' softmax of the per-image pixel sums times a class vector."""

    def predict(self, x, batch_size=None, verbose=0):
        s = np.asarray(x).reshape(len(x), -1).sum(axis=1, keepdims=True)
        logits = s * np.array([[1.0, -1.0, 0.5]])
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def test_tta_predict_averages_posteriors():
    x = np.random.default_rng(0).random((6, 4, 4, 1)) - 0.5
    transforms = [lambda b: b, lambda b: b[:, :, ::-1], lambda b: 0.5 * b]
    model = Scale()
    mean, stacked = augment.tta_predict(model, x, transforms, return_all=True)
    assert stacked.shape == (3, 6, 3)
    expected = np.mean([model.predict(t(x)) for t in transforms], axis=0)
    assert np.allclose(mean, expected) and np.allclose(mean.sum(axis=1), 1)
    assert np.allclose(augment.tta_predict(model, x, transforms[:1]), model.predict(x))


def test_tta_predict_validation():
    x = np.zeros((2, 4, 4, 1))
    with pytest.raises(ValueError, match="at least one"):
        augment.tta_predict(Scale(), x, [])
    with pytest.raises(ValueError, match="function"):
        augment.tta_predict(Scale(), x, [1])
    with pytest.raises(ValueError, match="shape"):
        augment.tta_predict(Scale(), x, [lambda b: b[:, :2]])
