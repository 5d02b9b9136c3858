"""Tests of helpers.interpret on small models whose right answers are known in advance."""

import keras
import matplotlib
import numpy as np
import pytest

from helpers import interpret

matplotlib.use("Agg")
RNG = np.random.default_rng(14)


def linear_model(shape=(4, 4, 2), classes=3, softmax=True, seed=0):
    """Flatten → Dense: the score of class c is w_c · x + b_c."""
    model = keras.Sequential([keras.Input(shape), keras.layers.Flatten(name="flat"),
                              keras.layers.Dense(classes, activation="softmax" if softmax else None,
                                                 name="out")])  # fmt: skip
    w = np.random.default_rng(seed).normal(size=(int(np.prod(shape)), classes))
    model.get_layer("out").set_weights([w, np.zeros(classes)])
    return model, w


def gap_model(weights):
    """Image (8×8×1) → 2 maps A = [ReLU(x), ReLU(−x)] (a 1×1 conv) → GAP → Dense(weights)."""
    k = len(weights[0])
    model = keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(2, 1, activation="relu", name="maps"),
        keras.layers.GlobalAveragePooling2D(name="gap"),
        keras.layers.Dense(k, activation="softmax", name="out"),
    ])  # fmt: skip
    model.get_layer("maps").set_weights([np.array([1.0, -1.0]).reshape(1, 1, 1, 2), np.zeros(2)])
    model.get_layer("out").set_weights([np.array(weights, dtype=float), np.zeros(k)])
    return model


def blob_image(r, c):
    x = np.zeros((8, 8, 1))
    x[r, c] = 1.0
    x[max(r - 1, 0) : r + 2, max(c - 1, 0) : c + 2] += 0.5
    return x


def test_layer_helpers_and_clear_errors():
    model = gap_model([[1.0, 0.0], [0.0, 1.0]])
    assert interpret.layer_names(model) == ["maps", "gap", "out"]
    assert interpret.spatial_layer_names(model) == ["maps"]
    assert interpret.get_layer(model, "gap").name == "gap"
    with pytest.raises(ValueError, match=r"no layer 'conv9'.*\['maps', 'gap', 'out'\]"):
        interpret.get_layer(model, "conv9")
    with pytest.raises(TypeError, match="Keras model"):
        interpret.layer_names("not a model")
    acts = interpret.intermediate_activations(model, np.stack([blob_image(2, 3)] * 3),
                                              ["maps", "gap"])  # fmt: skip
    assert acts["maps"].shape == (3, 8, 8, 2) and acts["gap"].shape == (3, 2)
    np.testing.assert_allclose(acts["maps"][0, ..., 0], blob_image(2, 3)[..., 0], atol=1e-6)


def test_class_scores_are_logits_not_probabilities():
    model, w = linear_model()
    x = RNG.normal(size=(5, 4, 4, 2))
    np.testing.assert_allclose(interpret.class_scores(model, x), x.reshape(5, -1) @ w,
                               rtol=1e-4, atol=1e-4)  # fmt: skip


@pytest.mark.parametrize("softmax", [True, False])
def test_saliency_of_a_linear_model_is_abs_weights(softmax):
    model, w = linear_model(softmax=softmax)
    image = RNG.normal(size=(4, 4, 2))
    for c in range(3):
        sal = interpret.saliency_map(model, image, c)
        expected = np.abs(w[:, c]).reshape(4, 4, 2).max(axis=-1)
        assert sal.shape == (4, 4)
        np.testing.assert_allclose(sal, expected, rtol=1e-4, atol=1e-6)
    predicted = int(np.argmax(image.reshape(-1) @ w))
    np.testing.assert_allclose(interpret.saliency_map(model, image),
                               interpret.saliency_map(model, image, predicted))  # fmt: skip
    with pytest.raises(ValueError, match="3 classes"):
        interpret.saliency_map(model, image, 3)
    with pytest.raises(ValueError, match="one image"):
        interpret.saliency_map(model, np.stack([image, image]))
    with pytest.raises(ValueError, match="shape"):
        interpret.saliency_map(model, np.zeros((5, 5, 2)))


def test_grad_cam_peaks_where_the_evidence_is():
    # class 0 counts bright pixels (map 0), class 1 counts dark ones (map 1)
    model = gap_model([[2.0, 0.0], [0.0, 2.0]])
    image = blob_image(5, 2)
    heat = interpret.grad_cam(model, image, class_index=0)
    assert heat.shape == (8, 8) and heat.min() >= 0 and heat.max() == pytest.approx(1.0)
    assert np.unravel_index(heat.argmax(), heat.shape) == (5, 2)
    np.testing.assert_allclose(heat, image[..., 0] / image.max(), atol=1e-6)
    # nothing in the image speaks for class 1 (no negative pixels): an all-zero map
    assert np.all(interpret.grad_cam(model, image, class_index=1) == 0)
    # the default class is the predicted one (class 0 here), the default layer the last 4-D one
    np.testing.assert_allclose(interpret.grad_cam(model, image), heat)


def test_grad_cam_matches_the_formula():
    w = np.array([[1.5, -0.5, 0.2], [-1.0, 0.7, 0.3]])  # 2 maps × 3 classes
    model = gap_model(w)
    image = RNG.normal(size=(8, 8, 1))
    maps = np.stack([np.maximum(image[..., 0], 0), np.maximum(-image[..., 0], 0)], axis=-1)
    for c in range(3):
        parts = interpret.grad_cam_parts(model, image, c, "maps")
        # through GAP, every position gets the gradient w[k, c] / 64
        np.testing.assert_allclose(parts.grads, np.broadcast_to(w[:, c] / 64, (8, 8, 2)),
                                   rtol=1e-5, atol=1e-8)  # fmt: skip
        np.testing.assert_allclose(parts.weights, w[:, c] / 64, rtol=1e-5)
        raw = np.maximum(maps @ (w[:, c] / 64), 0)
        np.testing.assert_allclose(parts.raw, raw, rtol=1e-4, atol=1e-8)
        np.testing.assert_allclose(parts.heatmap, raw / raw.max(), rtol=1e-4, atol=1e-6)
        assert parts.class_index == c and parts.layer == "maps"
        assert parts.score == pytest.approx(float(maps.mean(axis=(0, 1)) @ w[:, c]), rel=1e-4)


def test_grad_cam_resolution_and_layer_errors():
    model = keras.Sequential([
        keras.Input((16, 16, 3)),
        keras.layers.Conv2D(4, 3, padding="same", name="c1"),
        keras.layers.MaxPooling2D(2, name="p1"),
        keras.layers.Conv2D(6, 3, padding="same", activation="relu", name="c2"),
        keras.layers.GlobalAveragePooling2D(name="gap"),
        keras.layers.Dense(5, activation="softmax", name="out"),
    ])  # fmt: skip
    image = RNG.uniform(size=(16, 16, 3))
    assert interpret.grad_cam(model, image, 0, "c1").shape == (16, 16)
    assert interpret.grad_cam(model, image, 0, "p1").shape == (8, 8)
    assert interpret.grad_cam_parts(model, image, 2).layer == "c2"
    with pytest.raises(ValueError, match=r"'gap'.*no spatial axes.*\['c1', 'p1', 'c2'\]"):
        interpret.grad_cam(model, image, 0, "gap")
    with pytest.raises(ValueError, match="no layer 'conv5'"):
        interpret.grad_cam(model, image, 0, "conv5")
    dense_only, _ = linear_model()
    with pytest.raises(ValueError, match="no spatial axes|has none"):
        interpret.grad_cam(dense_only, np.zeros((4, 4, 2)))


def test_upsample_and_overlay():
    heat = np.array([[0.0, 1.0], [0.5, 0.25]])
    big = interpret.upsample(heat, (8, 6))
    assert big.shape == (8, 6) and big.min() >= 0 and big.max() <= 1
    assert big[0, -1] == pytest.approx(1.0) and big[0, 0] == pytest.approx(0.0)
    img = RNG.integers(0, 256, size=(8, 6)).astype(np.uint8)
    out = interpret.overlay(img, heat, alpha=0.0)
    assert out.shape == (8, 6, 3) and out.min() >= 0 and out.max() <= 1
    np.testing.assert_allclose(out[..., 0], (img - img.min()) / (img.max() - img.min()))
    full = interpret.overlay(img, heat, alpha=1.0)
    assert full[0, -1, 0] > 0.4 and full[0, 0, 2] > 0.4  # jet: hot = red, cold = blue
    with pytest.raises(ValueError, match="alpha"):
        interpret.overlay(img, heat, alpha=2)
    with pytest.raises(ValueError, match="2-D"):
        interpret.upsample(np.zeros((2, 2, 2)), (4, 4))


def test_activation_maximization_finds_the_known_optimum():
    # a linear unit w · x with x in [0, 1] is largest at x = 1 where w > 0 and 0 where w < 0
    model = keras.Sequential([keras.Input((5, 5, 1)), keras.layers.Flatten(name="flat"),
                              keras.layers.Dense(2, name="unit")])  # fmt: skip
    w = RNG.normal(size=(25, 2))
    model.get_layer("unit").set_weights([w, np.zeros(2)])
    image, trace = interpret.activation_maximization(model, "unit", 1, steps=40, lr=0.1)
    assert image.shape == (5, 5, 1) and trace.shape == (41,)
    np.testing.assert_array_equal(image[..., 0] > 0.5, w[:, 1].reshape(5, 5) > 0)
    assert trace[-1] == pytest.approx(np.maximum(w[:, 1], 0).sum(), rel=1e-3)
    assert np.all(np.diff(trace) >= -1e-6)


def test_activation_maximization_of_a_conv_filter_and_a_softmax_class():
    model = gap_model([[1.0, -1.0], [-1.0, 1.0]])
    # map 1 = ReLU(-x): the best image is as dark as allowed everywhere (start below 0:
    # where ReLU(-x) is 0 its gradient is 0 too, and gradient ascent cannot move those pixels)
    image, trace = interpret.activation_maximization(model, "maps", 1, steps=30,
                                                     value_range=(-1, 1),
                                                     start=np.full((8, 8, 1), -0.1))  # fmt: skip
    assert np.allclose(image, -1) and trace[-1] == pytest.approx(1.0, rel=1e-4)
    image, trace = interpret.activation_maximization(model, "out", 0, steps=30,
                                                     value_range=(-1, 1))  # fmt: skip
    assert np.allclose(image, 1) and trace[-1] == pytest.approx(1.0, rel=1e-4)  # logit, not prob
    with pytest.raises(ValueError, match="index must be"):
        interpret.activation_maximization(model, "maps", 2)


def test_penultimate_features():
    model = gap_model([[1.0, 0.0], [0.0, 1.0]])
    x = RNG.normal(size=(7, 8, 8, 1))
    f = interpret.penultimate_features(model, x)
    expected = np.stack(
        [np.maximum(x, 0).mean(axis=(1, 2, 3)), np.maximum(-x, 0).mean(axis=(1, 2, 3))], 1
    )
    np.testing.assert_allclose(f, expected, rtol=1e-4, atol=1e-6)
    assert interpret.penultimate_features(model, x, layer="maps").shape == (7, 128)


def test_distances_and_nearest_neighbours():
    bank = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0], [-1.0, 0.1]])
    q = np.array([2.0, 0.1])
    idx, dist = interpret.nearest_neighbours(bank, q, k=2, metric="cosine")
    assert idx.tolist() == [0, 2] and dist[0] < dist[1]
    idx, _ = interpret.nearest_neighbours(bank, q, k=4, metric="euclidean")
    assert idx.tolist() == [0, 1, 2, 3] or idx[0] == 0
    d = interpret.pairwise_distances(q[None], bank, "euclidean")[0]
    np.testing.assert_allclose(d, np.linalg.norm(bank - q, axis=1))
    d1 = interpret.pairwise_distances(q[None], bank, "l1")[0]
    np.testing.assert_allclose(d1, np.abs(bank - q).sum(1))
    many, _ = interpret.nearest_neighbours(bank, bank, k=1, metric="l1")
    assert many.shape == (4, 1) and many[:, 0].tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="k must be"):
        interpret.nearest_neighbours(bank, q, k=5)
    with pytest.raises(ValueError, match="unknown metric"):
        interpret.pairwise_distances(bank, bank, "cosine similarity")
    with pytest.raises(ValueError, match="features"):
        interpret.pairwise_distances(bank, np.zeros((3, 3)))


def test_one_nn_accuracy_and_neighbour_agreement():
    centres = np.array([[5.0, 0.0], [0.0, 5.0], [-5.0, -5.0]])
    y_train = np.repeat(np.arange(3), 20)
    x_train = centres[y_train] + RNG.normal(size=(60, 2))
    y_test = np.array([0, 1, 2, 0, 1, 2])
    x_test = centres[y_test] + 0.1
    assert interpret.one_nn_accuracy(x_train, y_train, x_test, y_test, metric="euclidean") == 1.0
    assert interpret.one_nn_accuracy(x_train, y_train, x_test, (y_test + 1) % 3) == 0.0
    pred = interpret.one_nn_predict(x_train, y_train, x_test, metric="l1", chunk=4)
    assert pred.tolist() == y_test.tolist()
    assert interpret.neighbour_agreement(x_train, y_train) == 1.0
    shuffled = RNG.permutation(y_train)
    assert interpret.neighbour_agreement(x_train, shuffled) < 0.8


def test_tsne_wrapper():
    y = np.repeat(np.arange(3), 15)
    x = np.eye(3)[y] * 10 + RNG.normal(size=(45, 3)) * 0.5
    x = np.concatenate([x, RNG.normal(size=(45, 60)) * 0.1], axis=1)  # 63 features → PCA first
    emb = interpret.tsne(x, perplexity=10, seed=0, pca_dims=10, max_iter=400)
    assert emb.shape == (45, 2)
    assert interpret.neighbour_agreement(emb, y) > 0.95
    with pytest.raises(ValueError, match="perplexity"):
        interpret.tsne(x[:5], perplexity=10)


def test_grad_cam_diagram_draws():
    import matplotlib.pyplot as plt

    fig = interpret.grad_cam_diagram()
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "α_k" in texts and "ReLU" in texts
    plt.close(fig)
