"""helpers.layer_math: the formulas against Keras' own counts."""

import keras
import pytest

from helpers import layer_math as L


def test_weights_against_keras():
    layer = keras.layers.Conv2D(7, (3, 5))
    layer.build((None, 20, 20, 4))
    assert layer.count_params() == L.conv_params((3, 5), 4, 7) == 3 * 5 * 4 * 7 + 7
    assert L.conv_params(5, 1, 6) == 156 and L.conv_params(3, 64, 64, bias=False) == 36_864
    dense = keras.layers.Dense(84)
    dense.build((None, 120))
    assert dense.count_params() == L.dense_params(120, 84) == 10_164
    import numpy as np

    count = L.dense_params(np.int64(2352), 10)  # sizes from array shapes are fine
    assert count == 23_530 and type(count) is int
    sep = keras.layers.SeparableConv2D(64, 3)
    sep.build((None, 8, 8, 32))
    assert sep.count_params() == L.separable_params(3, 32, 64) == 2_400


def test_output_size_is_the_convolution_rule():
    assert L.output_size(227, 11, 4) == 55 and L.output_size(224, 7, 2, "same") == 112
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'"):
        L.output_size(8, 3, 1, "full")
    with pytest.raises(ValueError):
        L.output_size(4, 5)


def test_layer_macs_reads_the_layers():
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, name="c1"),
            keras.layers.MaxPooling2D(name="pool"),
            keras.layers.Conv2D(8, (3, 1), padding="same", name="c2"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, name="out"),
        ]
    )
    macs = L.layer_macs(model)
    assert macs == {
        "c1": 26 * 26 * 3 * 3 * 1 * 32,
        "c2": 13 * 13 * 3 * 1 * 32 * 8,
        "out": 13 * 13 * 8 * 10,
    }
    assert L.conv_multiplies(26, 26, 3, 1, 32) == macs["c1"]
    with pytest.raises(ValueError, match="built Keras model"):
        L.layer_macs("not a model")


@pytest.mark.parametrize(
    "call",
    [
        lambda: L.conv_params(0, 3, 3),
        lambda: L.conv_params((3, 0), 3, 3),
        lambda: L.conv_params(3, 3.0, 3),
        lambda: L.dense_params(True, 3),
    ],
)
def test_bad_sizes_are_refused(call):
    with pytest.raises(ValueError, match="positive whole number"):
        call()
