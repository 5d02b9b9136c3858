"""helpers.fast_layers: the fused batch norm computes what Keras's batch norm computes."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from helpers.fast_layers import FusedBatchNormalization  # noqa: E402


def _pair(shape=(4, 5, 6, 3), **kwargs):
    """A Keras batch norm and a fused one with the same (non-trivial) weights."""
    rng = np.random.default_rng(0)
    plain = keras.layers.BatchNormalization(**kwargs)
    fused = FusedBatchNormalization(**kwargs)
    plain.build(shape)
    fused.build(shape)
    weights = [rng.normal(1.0, 0.3, w.shape).astype("float32") for w in plain.get_weights()]
    weights = [
        np.abs(w) if v.name == "moving_variance" else w
        for w, v in zip(weights, plain.weights, strict=True)
    ]
    plain.set_weights(weights)
    fused.set_weights(weights)
    x = rng.normal(2.0, 3.0, shape).astype("float32")
    return plain, fused, x


@pytest.mark.parametrize("training", [True, False])
def test_outputs_and_running_statistics_equal_keras(training):
    plain, fused, x = _pair(momentum=0.9)
    np.testing.assert_allclose(fused(x, training=training), plain(x, training=training), atol=1e-5)
    for a, b in zip(fused.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    moved = not np.allclose(fused.moving_mean.numpy(), _pair(momentum=0.9)[1].moving_mean.numpy())
    assert moved == training  # training updates the running averages, inference does not


def test_running_variance_is_the_population_variance_as_in_keras():
    # One batch, momentum 0: the running statistics become the batch's own.
    _, fused, x = _pair(shape=(2, 3, 3, 2), momentum=0.0)
    fused(x, training=True)
    np.testing.assert_allclose(fused.moving_mean, x.mean(axis=(0, 1, 2)), rtol=1e-5)
    np.testing.assert_allclose(fused.moving_variance, x.var(axis=(0, 1, 2)), rtol=1e-4)


def test_gradients_equal_keras():
    plain, fused, x = _pair()
    x = tf.constant(x)
    grads = []
    for layer in (plain, fused):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(layer(x, training=True) ** 3)
        grads.append(tape.gradient(loss, [x, layer.gamma, layer.beta]))
    for a, b in zip(*grads, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("kwargs", [{"center": False}, {"scale": False}])
def test_without_shift_or_scale(kwargs):
    plain, fused, x = _pair(**kwargs)
    np.testing.assert_allclose(fused(x, training=True), plain(x, training=True), atol=1e-5)


def test_frozen_layer_uses_running_statistics():
    plain, fused, x = _pair()
    plain.trainable = fused.trainable = False
    before = fused.moving_mean.numpy().copy()
    np.testing.assert_allclose(fused(x, training=True), plain(x, training=True), atol=1e-5)
    np.testing.assert_array_equal(fused.moving_mean, before)


def test_falls_back_to_keras_where_the_kernel_does_not_apply():
    # 2-D inputs (after a Dense layer) and channels-first axes are Keras's own computation.
    plain, fused, x = _pair(shape=(8, 5))
    np.testing.assert_allclose(fused(x, training=True), plain(x, training=True), atol=1e-5)
    plain, fused, x = _pair(shape=(4, 3, 5, 6), axis=1)
    np.testing.assert_allclose(fused(x, training=True), plain(x, training=True), atol=1e-5)


def test_a_model_with_it_saves_and_loads(tmp_path):
    model = keras.Sequential(
        [keras.Input((6, 6, 2)), keras.layers.Conv2D(4, 3), FusedBatchNormalization(name="bn")]
    )
    x = np.random.default_rng(1).normal(size=(3, 6, 6, 2)).astype("float32")
    model(x, training=True)  # move the running statistics away from their start
    path = tmp_path / "m.keras"
    model.save(path)
    again = keras.models.load_model(path)
    assert type(again.get_layer("bn")) is FusedBatchNormalization
    np.testing.assert_allclose(again(x, training=False), model(x, training=False), atol=1e-6)


def _op_types(layer, x, training):
    fn = tf.function(lambda t: layer(t, training=training))
    return {
        op.type for op in fn.get_concrete_function(tf.TensorSpec(x.shape)).graph.get_operations()
    }


@pytest.mark.parametrize("training", [True, False])
def test_the_fused_kernel_is_what_runs(training):
    plain, fused, x = _pair()
    assert any(t.startswith("FusedBatchNorm") for t in _op_types(fused, x, training))
    assert not any(t.startswith("FusedBatchNorm") for t in _op_types(plain, x, training))


def test_full_size_ops_counts_the_passes_over_the_feature_maps():
    from helpers.fast_layers import full_size_ops

    shape = (4, 6, 6, 3)
    fused = full_size_ops(FusedBatchNormalization(), shape)
    assert fused == {"forward": ["FusedBatchNormV3"], "backward": ["FusedBatchNormGradV3"]}
    plain = full_size_ops(keras.layers.BatchNormalization(), shape)
    # Keras's layer: the batch mean and variance, then normalize, scale and shift, each an op.
    assert plain["forward"].count("Mean") == 2 and len(plain["forward"]) >= 4
    assert len(plain["backward"]) > len(plain["forward"])
    assert not {"FusedBatchNormV3", "FusedBatchNormGradV3", "Identity"} & set(
        plain["forward"] + plain["backward"]
    )
    # A layer that is not a batch norm: a convolution reads x forward, and x and the upstream
    # gradient backward (its kernel gradient and its input gradient).
    conv = full_size_ops(keras.layers.Conv2D(3, 3, padding="same", use_bias=False), shape)
    assert conv["forward"] == ["Conv2D"]
    assert sorted(conv["backward"]) == ["Conv2DBackpropFilter", "Conv2DBackpropInput"]
    for bad in ((4, 6, 6), (4, 6, 6, 0), (4, 6.0, 6, 3), (True, 6, 6, 3)):
        with pytest.raises(ValueError, match="four positive"):
            full_size_ops(FusedBatchNormalization(), bad)
