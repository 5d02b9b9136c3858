"""Tests of helpers.generative: losses against hand-computed NumPy values, stability for large
logits, the seed's GAN weight counts, bad inputs, and one step of DeepDream / style transfer /
GAN training on tiny random models (no pretrained weights, no network)."""

import keras
import matplotlib
import numpy as np
import pytest

from helpers import generative as gen

matplotlib.use("Agg")


def _np(x):
    return np.asarray(x, dtype=np.float64)


# ----------------------------------------------------------------------------- Gram matrix


def test_gram_of_a_tiny_map_by_hand():
    # 2x2 positions, 2 channels: channel 0 = [1, 2, 3, 4], channel 1 = [0, 1, 0, 1]
    f = np.zeros((2, 2, 2), np.float32)
    f[..., 0] = [[1, 2], [3, 4]]
    f[..., 1] = [[0, 1], [0, 1]]
    g = _np(gen.gram_matrix(f))
    # (1² + 2² + 3² + 4²) / 4 = 7.5; (2 + 4) / 4 = 1.5; (1 + 1) / 4 = 0.5
    np.testing.assert_allclose(g, [[7.5, 1.5], [1.5, 0.5]], rtol=1e-6)


def test_gram_batch_matches_single_and_is_symmetric():
    rng = np.random.default_rng(0)
    f = rng.standard_normal((3, 5, 4, 6)).astype(np.float32)
    g = _np(gen.gram_matrix(f))
    assert g.shape == (3, 6, 6)
    for i in range(3):
        flat = f[i].reshape(-1, 6).astype(np.float64)
        np.testing.assert_allclose(g[i], flat.T @ flat / 20, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(_np(gen.gram_matrix(f[i])), g[i], rtol=1e-6)
    np.testing.assert_allclose(g, np.transpose(g, (0, 2, 1)), atol=1e-6)


def test_gram_ignores_where_features_are():
    rng = np.random.default_rng(1)
    f = rng.random((4, 4, 3)).astype(np.float32)
    shuffled = f.reshape(16, 3)[rng.permutation(16)].reshape(4, 4, 3)
    np.testing.assert_allclose(_np(gen.gram_matrix(f)), _np(gen.gram_matrix(shuffled)), rtol=1e-5)


@pytest.mark.parametrize("shape", [(5,), (4, 4), (1, 2, 3, 4, 5)])
def test_gram_rejects_bad_ranks(shape):
    with pytest.raises(ValueError, match="gram_matrix"):
        gen.gram_matrix(np.zeros(shape, np.float32))


# ----------------------------------------------------------------------------- style losses


def test_content_loss_is_mean_squared_difference():
    a = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    b = np.array([[1.0, 0.0], [0.0, 4.0]], np.float32)
    assert float(gen.content_loss(a, b)) == pytest.approx((4 + 9) / 4)
    with pytest.raises(ValueError, match="same shape"):
        gen.content_loss(a, b[:1])


def test_style_losses_by_hand():
    rng = np.random.default_rng(2)
    f1, f2 = rng.random((3, 3, 2)), rng.random((2, 2, 4))
    t1, t2 = rng.random((2, 2)), rng.random((4, 4))

    def gram(f):
        flat = f.reshape(-1, f.shape[-1])
        return flat.T @ flat / len(flat)

    l1 = np.mean((gram(f1) - t1) ** 2)
    l2 = np.mean((gram(f2) - t2) ** 2)
    assert float(gen.style_layer_loss(f1, t1)) == pytest.approx(l1, rel=1e-5)
    assert float(gen.style_loss([f1, f2], [t1, t2])) == pytest.approx((l1 + l2) / 2, rel=1e-5)
    assert float(gen.style_loss([f1, f2], [t1, t2], [2.0, 0.5])) == pytest.approx(
        2 * l1 + 0.5 * l2, rel=1e-5
    )
    # a feature map has zero style loss against its own Gram matrix
    assert float(gen.style_layer_loss(f1, gram(f1))) == pytest.approx(0.0, abs=1e-10)


def test_style_loss_errors():
    f = np.ones((2, 2, 3), np.float32)
    with pytest.raises(ValueError, match="one Gram matrix per feature map"):
        gen.style_loss([f, f], [np.eye(3)])
    with pytest.raises(ValueError, match="weights"):
        gen.style_loss([f], [np.eye(3)], [1.0, 2.0])
    with pytest.raises(ValueError, match="same shape"):
        gen.style_layer_loss(f, np.eye(4))


def test_total_variation_by_hand():
    x = np.zeros((2, 3, 1), np.float32)
    x[..., 0] = [[0, 1, 3], [2, 2, 2]]
    # vertical |2-0|, |2-1|, |2-3| → mean 4/3; horizontal 1, 2, 0, 0 → mean 3/4
    assert float(gen.total_variation_loss(x)) == pytest.approx(4 / 3 + 3 / 4, rel=1e-6)
    assert float(gen.total_variation_loss(np.full((1, 5, 5, 3), 0.7))) == 0.0
    with pytest.raises(ValueError, match="total_variation_loss"):
        gen.total_variation_loss(np.zeros((4, 4)))


# ----------------------------------------------------------------------------- GAN losses


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_gan_losses_match_the_formulas():
    real = np.array([2.0, -1.0, 0.5])
    fake = np.array([-3.0, 0.0, 1.0, -0.2])
    d = -np.mean(np.log(_sigmoid(real))) - np.mean(np.log(1 - _sigmoid(fake)))
    g = -np.mean(np.log(_sigmoid(fake)))
    mm = np.mean(np.log(1 - _sigmoid(fake)))
    assert float(gen.discriminator_loss(real, fake)) == pytest.approx(d, rel=1e-6)
    assert float(gen.generator_loss(fake)) == pytest.approx(g, rel=1e-6)
    assert float(gen.minimax_generator_loss(fake)) == pytest.approx(mm, rel=1e-6)
    smooth = -np.mean(0.9 * np.log(_sigmoid(real)) + 0.1 * np.log(1 - _sigmoid(real)))
    smooth += -np.mean(np.log(1 - _sigmoid(fake)))
    assert float(gen.discriminator_loss(real, fake, real_label=0.9)) == pytest.approx(smooth)
    with pytest.raises(ValueError, match="real_label"):
        gen.discriminator_loss(real, fake, real_label=0.0)


def test_gan_losses_are_stable_for_large_logits():
    big = np.array([500.0, -500.0, 1e4, -1e4], np.float32)
    for value in (
        gen.discriminator_loss(big, big),
        gen.generator_loss(big),
        gen.minimax_generator_loss(big),
    ):
        assert np.isfinite(float(value))
    # D sure and right: loss ≈ 0; G completely fooled: loss ≈ 0; G rejected at −500: loss 500
    assert float(gen.discriminator_loss([1e4], [-1e4])) == pytest.approx(0.0, abs=1e-6)
    assert float(gen.generator_loss([-500.0])) == pytest.approx(500.0)


def test_the_minimax_generator_loss_saturates():
    import tensorflow as tf

    logit = tf.constant([-8.0])  # D confidently rejects the fake
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(logit)
        mm = gen.minimax_generator_loss(logit)
        ns = gen.generator_loss(logit)
    assert abs(float(tape.gradient(mm, logit)[0])) < 1e-3
    assert abs(float(tape.gradient(ns, logit)[0])) > 0.99


# ----------------------------------------------------------------------------- GAN models


def test_seed_gan_counts():
    g, d = gen.seed_gan_generator(), gen.seed_gan_discriminator()
    assert g.count_params() == gen.SEED_GENERATOR_PARAMS == 839_937
    assert d.count_params() == gen.SEED_DISCRIMINATOR_PARAMS == 212_865
    assert [layer.count_params() for layer in g.layers if layer.count_params()] == [
        633_472, 204_864, 1_601,
    ]  # fmt: skip
    assert [layer.count_params() for layer in d.layers if layer.count_params()] == [
        1_664, 204_928, 6_273,
    ]  # fmt: skip
    assert g.output_shape == (None, 28, 28, 1)
    assert d.output_shape == (None, 1)


def test_cpu_dcgan_shapes_and_one_training_epoch():
    g, d = gen.cpu_dcgan(latent_dim=8, width=4)
    assert g.output_shape == (None, 28, 28, 1) and d.output_shape == (None, 1)
    assert g.count_params() < gen.SEED_GENERATOR_PARAMS
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (64, 28, 28, 1)).astype(np.float32)
    seen = []
    # without XLA: compiling takes longer than this tiny epoch (the chapter runs the XLA path)
    hist = gen.train_gan(g, d, images, epochs=1, batch_size=32, jit_compile=False,
                         on_epoch_end=lambda e, m, grid: seen.append((e, grid.shape)))  # fmt: skip
    assert set(hist.metrics) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(np.isfinite(v[0]) for v in hist.metrics.values())
    assert len(hist.grids) == 1 and seen == [(1, hist.grids[0].shape)]
    assert hist.grids[0].shape == (4 * 29 - 1, 8 * 29 - 1)
    with pytest.raises(ValueError, match="scaled to"):
        gen.train_gan(g, d, images * 255, epochs=1)
    with pytest.raises(ValueError, match="cpu_dcgan|positive"):
        gen.cpu_dcgan(latent_dim=0)


def test_sample_grid():
    grid = gen.sample_grid(-np.ones((3, 2, 2, 1)), ncols=2)
    assert grid.shape == (5, 5)
    assert grid[0, 0] == 0.0 and grid[0, 2] == 0.5 and grid[3, 3] == 0.5
    with pytest.raises(ValueError):
        gen.sample_grid(np.zeros((2, 2)))


# ----------------------------------------------------------------------------- image optimisation


def _tiny_backbone():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(None, None, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="c1")(inputs)
    x = keras.layers.Conv2D(6, 3, strides=2, padding="same", activation="relu", name="c2")(x)
    return keras.Model(inputs, x, name="tiny")


def test_feature_extractor_returns_named_maps_and_checks_names():
    ext = gen.feature_extractor(_tiny_backbone(), ["c1", "c2", "c1"], family="none")
    out = ext(np.zeros((1, 8, 8, 3), np.float32))
    assert set(out) == {"c1", "c2"}
    assert tuple(out["c2"].shape) == (1, 4, 4, 6)
    with pytest.raises(ValueError, match="no layer 'nope'"):
        gen.feature_extractor(_tiny_backbone(), ["nope"])
    with pytest.raises(ValueError, match="family"):
        gen.feature_extractor(_tiny_backbone(), ["c1"], family="resnet")


def test_preprocessing_is_built_in():
    inputs = keras.Input(shape=(None, None, 3))
    ident = keras.Model(inputs, keras.layers.Identity(name="same")(inputs))
    x = np.full((1, 2, 2, 3), 0.5, np.float32)
    x[..., 0] = 1.0
    lite = _np(gen.feature_extractor(ident, ["same"])(x)["same"])
    np.testing.assert_allclose(lite[0, 0, 0], (np.array([255, 127.5, 127.5]) - 127) / 128)
    vgg = _np(gen.feature_extractor(ident, ["same"], family="vgg19")(x)["same"])
    np.testing.assert_allclose(vgg[0, 0, 0], [127.5 - 103.939, 127.5 - 116.779, 255 - 123.68],
                               rtol=1e-5)  # fmt: skip


def test_deepdream_increases_its_objective():
    rng = np.random.default_rng(3)
    image = rng.integers(80, 176, (24, 24, 3), dtype=np.uint8)  # mid-grey: no clipping
    out = gen.deepdream(image, _tiny_backbone(), ["c2"], steps=4, step_size=0.02, octaves=2,
                        octave_scale=1.5, jitter=0, family="none")  # fmt: skip
    assert out.image.shape == (24, 24, 3) and 0 <= out.image.min() and out.image.max() <= 1
    assert out.octave_sizes == [(16, 16), (24, 24)]
    assert len(out.snapshots) == 2 and len(out.objective) == 8
    assert np.all(np.diff(out.objective[:4]) > 0)  # uphill within the first octave
    assert np.all(np.diff(out.objective[4:]) > 0)
    jittered = gen.deepdream(image, _tiny_backbone(), ["c2"], steps=2, octaves=1, jitter=3,
                             seed=1, family="none")  # fmt: skip
    assert jittered.octave_sizes == [(24, 24)] and len(jittered.objective) == 2
    with pytest.raises(ValueError):
        gen.deepdream(image, _tiny_backbone(), ["c2"], octave_scale=1.0)
    with pytest.raises(ValueError, match="RGB"):
        gen.deepdream(image[..., 0], _tiny_backbone(), ["c2"])


def test_style_transfer_decreases_its_loss():
    rng = np.random.default_rng(4)
    content = rng.random((16, 16, 3)).astype(np.float32)
    style = rng.random((20, 20, 3)).astype(np.float32)
    ext = gen.feature_extractor(_tiny_backbone(), ["c1", "c2"], family="none")
    out = gen.style_transfer(content, style, ext, content_layers=["c2"],
                             style_layers=["c1", "c2"], alpha=1.0, beta=10.0, tv_weight=0.1,
                             steps=6, lr=0.01, snapshot_every=3)  # fmt: skip
    assert sorted(out.snapshots) == [0, 3, 6]
    assert out.history["content"][0] == pytest.approx(0.0, abs=1e-9)  # starts at the content
    assert out.history["style"][-1] < out.history["style"][0]
    assert out.history["total"][-1] < out.history["total"][0]
    assert out.image.shape == content.shape and 0 <= out.image.min() <= out.image.max() <= 1
    with pytest.raises(ValueError, match="does not return layer"):
        gen.style_transfer(content, style, ext, content_layers=["c3"], style_layers=["c1"],
                           steps=1)  # fmt: skip
    with pytest.raises(ValueError, match="init"):
        gen.style_transfer(content, style, ext, content_layers=["c2"], style_layers=["c1"],
                           init="zeros")  # fmt: skip


def test_to_unit_image():
    assert gen.to_unit_image(np.full((2, 2, 3), 255, np.uint8)).max() == 1.0
    with pytest.raises(ValueError, match="\\[0, 1\\]"):
        gen.to_unit_image(np.full((2, 2, 3), 2.0))


def test_diagrams_draw():
    import matplotlib.pyplot as plt

    for draw in (gen.draw_deepdream_diagram, gen.draw_style_transfer_diagram,
                 gen.draw_gan_diagram):  # fmt: skip
        fig = draw()
        assert fig.axes and fig.get_size_inches()[0] <= 12
        plt.close(fig)


def test_balanced_style_weights():
    w = gen.balanced_style_weights([np.full((2, 2), 2.0), np.full((3, 3), 0.5)])
    np.testing.assert_allclose(w, [1 / (2 * 4.0), 1 / (2 * 0.25)])
    with pytest.raises(ValueError, match="all zeros"):
        gen.balanced_style_weights([np.zeros((2, 2))])


def test_judge_samples_with_a_fake_classifier():
    class Fixed:
        def predict(self, x, verbose=0):
            assert x.min() >= 0 and x.max() <= 1  # images were mapped to [0, 1]
            p = np.full((len(x), 10), 0.01)
            p[np.arange(len(x)), np.arange(len(x)) % 3] = 0.91
            p[0] = 0.1  # not confident
            return p

    out = gen.judge_samples(Fixed(), -np.ones((6, 28, 28, 1)))
    assert out["confident"] == pytest.approx(5 / 6)
    assert out["counts"].tolist() == [1, 2, 2, 0, 0, 0, 0, 0, 0, 0]
    assert out["coverage"] == 3
    assert out["score"] == pytest.approx(gen.classifier_score(out["probs"]))
    with pytest.raises(ValueError, match="threshold"):
        gen.judge_samples(Fixed(), -np.ones((6, 28, 28, 1)), threshold=1.5)


def test_classifier_score_rewards_confident_and_varied_answers():
    eye = np.eye(10)
    assert gen.classifier_score(np.tile(eye, (3, 1))) == pytest.approx(10.0)  # sure, balanced
    assert gen.classifier_score(np.tile(eye[[4]], (30, 1))) == pytest.approx(1.0)  # one class
    assert gen.classifier_score(np.full((30, 10), 0.1)) == pytest.approx(1.0)  # never sure
    # Two classes, each sample split 0.9 / 0.1: exp(KL) by hand.
    p = np.array([[0.9, 0.1], [0.1, 0.9]])
    kl = 0.9 * np.log(0.9 / 0.5) + 0.1 * np.log(0.1 / 0.5)
    assert gen.classifier_score(p) == pytest.approx(np.exp(kl))
    assert 1.0 < gen.classifier_score(p) < 2.0
    with pytest.raises(ValueError, match="probability vector"):
        gen.classifier_score(np.array([[0.5, 0.6]]))
    with pytest.raises(ValueError, match="shape"):
        gen.classifier_score(np.ones(10) / 10)
