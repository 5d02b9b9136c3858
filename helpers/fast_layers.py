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
"""

from __future__ import annotations

import keras

__all__ = ["FusedBatchNormalization"]


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
