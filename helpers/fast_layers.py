"""Layers that compute what Keras's own compute, faster on a CPU.

:class:`FusedBatchNormalization` is ``keras.layers.BatchNormalization`` with TensorFlow's
fused kernel. Keras 3 normalizes a batch with separate operations (mean, variance, subtract,
scale, shift), each a pass over the feature maps; TensorFlow's ``FusedBatchNormV3`` does it
in one kernel, forward and backward (Keras 2 used it; keras-team/keras-core#225). On the
course's CPU networks, where batch norm follows every convolution, it made the training step
1.37× (``fast_mnist_cnn``) and 1.28× (``fast_fashion_cnn``) as fast on the reference machine
(``benchmarks/layer_speed.py``; table in ``benchmarks/README.md``).

The layer has the same weights, the same configuration and the same results as Keras's
layer (the tests compare them): a model built with it trains, saves and loads like any
other. Where the fused kernel does not apply (another backend, inputs that are not 4-D
with channels last, float16/bfloat16 inputs, a mask, batch renormalization or
synchronized statistics) it simply runs Keras's code. Code that treats layers by their kind
asks :func:`helpers.layer_kinds.keras_kind`, which calls this layer a ``BatchNormalization``.

:func:`full_size_ops` lists the operations of one training step that read a whole batch of
feature maps, so a chapter can show the difference (5 + 10 passes against 1 + 1 here) rather
than assert it; :func:`helpers.concept_diagrams.draw_batchnorm_passes` draws the result.
"""

from __future__ import annotations

import keras

__all__ = ["FusedBatchNormalization", "full_size_ops"]


@keras.saving.register_keras_serializable(package="course")
class FusedBatchNormalization(keras.layers.BatchNormalization):
    """``keras.layers.BatchNormalization``, computed with TensorFlow's fused kernel.

    Same arguments, weights and results; see the module's docstring for when it falls
    back to Keras's own computation.
    """

    def _fused_applies(self, inputs, mask) -> bool:
        return (
            keras.backend.backend() == "tensorflow"
            and mask is None
            and not self.renorm
            and not self.synchronized
            and len(inputs.shape) == 4
            and self.axis in (-1, 3)
            and keras.backend.standardize_dtype(inputs.dtype) == "float32"
            and self.compute_dtype == "float32"
        )

    def call(self, inputs, training=None, mask=None):
        if not self._fused_applies(inputs, mask):
            return super().call(inputs, training=training, mask=mask)
        import tensorflow as tf

        channels = inputs.shape[-1]
        gamma = self.gamma if self.scale else tf.ones((channels,), "float32")
        beta = self.beta if self.center else tf.zeros((channels,), "float32")
        if not (training and self.trainable):
            y, _, _ = tf.compat.v1.nn.fused_batch_norm(
                inputs,
                gamma,
                beta,
                mean=self.moving_mean,
                variance=self.moving_variance,
                epsilon=self.epsilon,
                is_training=False,
            )
            return y
        y, mean, variance = tf.compat.v1.nn.fused_batch_norm(
            inputs, gamma, beta, epsilon=self.epsilon, is_training=True
        )
        # The kernel returns the sample variance (n - 1 in the denominator) for the running
        # average; Keras averages the population variance. Convert, to keep Keras's numbers.
        n = tf.cast(tf.size(inputs) // channels, "float32")
        variance = variance * (n - 1.0) / tf.maximum(n, 1.0)
        m = self.momentum
        self.moving_mean.assign(self.moving_mean * m + mean * (1.0 - m))
        self.moving_variance.assign(self.moving_variance * m + variance * (1.0 - m))
        return y


_NOT_A_PASS = frozenset({"Identity", "Shape", "ShapeN", "Size", "Rank"})  # no data read


def full_size_ops(layer, input_shape=(128, 28, 28, 32)) -> dict[str, list[str]]:
    """TensorFlow operations of one training step of ``layer`` that read a full-size tensor.

    Traces the layer's forward pass in training mode and its backward pass (gradients for the
    input and the trainable weights, given an upstream gradient, so no loss function adds
    operations of its own), then keeps the operations with at least one input of the shape
    ``input_shape``: each is a pass over a whole batch of feature maps through memory.
    ``Identity`` (it copies nothing) and the ops that only read a shape (``Shape``, ``ShapeN``,
    ``Size``, ``Rank``) are left out. The graph is TensorFlow's as traced; its
    optimizer may rewrite a few operations when it runs.

    Args:
        layer: a Keras layer, built for ``input_shape`` or not yet built.
        input_shape: (batch, height, width, channels), positive whole numbers.

    Returns:
        ``{"forward": [op types…], "backward": [op types…]}`` in the order they were traced,
        e.g. ``{"forward": ["FusedBatchNormV3"], "backward": ["FusedBatchNormGradV3"]}``.

    Raises:
        ValueError: ``input_shape`` is not four positive whole numbers.
    """
    shape = tuple(input_shape)
    if len(shape) != 4 or not all(
        isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape
    ):
        raise ValueError(f"input_shape must be four positive whole numbers, got {input_shape!r}")
    import tensorflow as tf

    if not layer.built:
        layer.build(shape)

    @tf.function
    def step(x, upstream):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x, training=True)
        grads = tape.gradient(y, [x, *layer.trainable_variables], output_gradients=upstream)
        return y, grads

    spec = tf.TensorSpec(shape, tf.float32)
    concrete = step.get_concrete_function(spec, spec)
    output = concrete.graph.outputs[0]
    forward_ops, stack = set(), [output.op]  # everything the output depends on is forward
    while stack:
        op = stack.pop()
        if op.name not in forward_ops:
            forward_ops.add(op.name)
            stack.extend(t.op for t in op.inputs)
    full = tf.TensorShape(shape)
    found: dict[str, list[str]] = {"forward": [], "backward": []}
    for op in concrete.graph.get_operations():
        if op.type not in _NOT_A_PASS and any(t.shape == full for t in op.inputs):
            found["forward" if op.name in forward_ops else "backward"].append(op.type)
    return found
