"""Tests for helpers.architectures: the curriculum's counts, Keras' reference models, blocks."""

import keras
import numpy as np
import pytest

from helpers import architectures as A

# --------------------------------------------------------------------------- arithmetic


def test_inception_bottleneck_arithmetic():
    assert A.conv_multiplies(28, 28, 5, 192, 32) == 120_422_400
    assert A.inception_branch_multiplies(28, 28, 192, 5, 32) == 120_422_400
    assert A.conv_multiplies(28, 28, 1, 192, 16) == 2_408_448
    assert A.conv_multiplies(28, 28, 5, 16, 32) == 10_035_200
    assert A.inception_branch_multiplies(28, 28, 192, 5, 32, reduce=16) == 12_443_648


def test_stack_weights_and_separable_ratio():
    assert A.stack_weights(3, 3) == 27 and A.stack_weights(7) == 49
    assert A.separable_params(3, 32, 64) == 9 * 32 + 32 * 64 + 64
    assert A.separable_params(3, 32, 64, bias=False) == 9 * 32 + 32 * 64
    ratio = A.separable_cost_ratio(3, 64)
    full = A.conv_multiplies(10, 10, 3, 32, 64)
    sep = 10 * 10 * 9 * 32 + A.conv_multiplies(10, 10, 1, 32, 64)
    assert ratio == pytest.approx(sep / full)


def test_counts_and_sizes():
    assert A.conv_params(11, 3, 96) == 34_944
    assert A.conv_params(3, 64, 64, bias=False) == 36_864
    assert A.dense_params(25_088, 4096) == 102_764_544
    assert A.output_size(227, 11, 4) == 55
    assert A.output_size(224, 7, 2, "same") == 112
    assert A.output_size(55, 3, 2) == 27


@pytest.mark.parametrize(
    "call",
    [
        lambda: A.conv_params(0, 3, 3),
        lambda: A.conv_params(3, 3.0, 3),
        lambda: A.dense_params(True, 3),
        lambda: A.output_size(4, 5),
        lambda: A.output_size(4, 3, 1, "full"),
        lambda: A.vgg(13),
        lambda: A.little_vgg((32, 32)),
        lambda: A.plain_net(depth=21),
    ],
)
def test_bad_input_is_refused(call):
    with pytest.raises(ValueError):
        call()


# --------------------------------------------------------------------------- models


def _dense_weights(model):
    return sum(lay.count_params() for lay in model.layers if type(lay).__name__ == "Dense")


def test_vgg16_equals_keras_applications():
    ours = A.vgg16()
    assert ours.count_params() == 138_357_544
    assert _dense_weights(ours) == 123_642_856
    # the convolutions, layer by layer, against Keras' own VGG16 and VGG19 (small inputs: fast)
    for depth, app in [(16, keras.applications.VGG16), (19, keras.applications.VGG19)]:
        ref = app(weights=None, include_top=False, input_shape=(32, 32, 3))
        mine = A.vgg(depth, (32, 32, 3), 10)
        convs = [w.shape for w in mine.weights][: len(ref.weights)]
        assert convs == [w.shape for w in ref.weights]
        assert [lay.name for lay in mine.layers][: len(ref.layers) - 1] == [
            lay.name for lay in ref.layers[1:]
        ]


def test_little_vgg_count_and_shape():
    model = A.little_vgg()
    assert model.count_params() == 2_270_804
    assert model.layers[-1].output.shape[1:] == (20,)
    kinds = [type(lay).__name__ for lay in model.layers]
    assert kinds.count("Conv2D") == 6 and kinds.count("Dense") == 3
    assert kinds.count("BatchNormalization") == 8


def test_alexnet_counts():
    model = A.alexnet()
    conv = sum(lay.count_params() for lay in model.layers if type(lay).__name__ == "Conv2D")
    assert conv == 3_747_200
    assert model.count_params() == 62_378_344
    assert model.get_layer("conv1").output.shape[1:] == (55, 55, 96)


def test_resnets_and_mobilenet_match_keras():
    assert A.resnet50().count_params() == 25_636_712
    assert A.mobilenet().count_params() == 4_253_864
    r34 = A.resnet34()
    convs = [lay for lay in r34.layers if type(lay).__name__ == "Conv2D" and "proj" not in lay.name]
    assert len(convs) + 1 == 34


def test_xception_entry_flow_matches_keras():
    ours = A.xception_entry_flow()
    assert ours.output.shape[1:] == (19, 19, 728)
    assert ours.count_params() == 1_113_624


def test_inception_module_shape_and_count():
    model = A.block_model(A.inception_module, (28, 28, 192))
    assert model.output.shape[1:] == (28, 28, 256)
    want = (
        A.conv_params(1, 192, 64)
        + A.conv_params(1, 192, 96) + A.conv_params(3, 96, 128)
        + A.conv_params(1, 192, 16) + A.conv_params(5, 16, 32)
        + A.conv_params(1, 192, 32)
    )  # fmt: skip
    assert model.count_params() == want


def test_residual_unit_identity_and_projection():
    same = A.block_model(A.residual_unit, (8, 8, 16), 16)
    assert not any("proj" in lay.name for lay in same.layers)
    proj = A.block_model(A.residual_unit, (8, 8, 16), 32, 2)
    assert proj.output.shape[1:] == (4, 4, 32)
    assert any(lay.name.endswith("_proj") for lay in proj.layers)
    # with the main path's last BN scaled to zero, an identity unit is ReLU(x)
    same.get_layer("res_conv2_bn").gamma.assign(np.zeros(16, "float32"))
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 16)).astype("float32")
    assert np.allclose(same(x).numpy(), np.maximum(x, 0), atol=1e-5)


def test_bottleneck_and_depthwise_blocks():
    b = A.block_model(A.bottleneck_unit, (8, 8, 64), 16)
    assert b.output.shape[1:] == (8, 8, 64)
    assert not any("proj" in lay.name for lay in b.layers)
    d = A.block_model(A.depthwise_separable_block, (8, 8, 32), 64, 2)
    assert d.output.shape[1:] == (4, 4, 64)
    assert d.count_params() == A.separable_params(3, 32, 64, bias=False) + 4 * 32 + 4 * 64


def test_plain_and_residual_nets_share_their_convolutions():
    plain, res = A.plain_net(depth=20), A.residual_net(depth=20)
    count = lambda m: sum(type(lay).__name__ == "Conv2D" and "proj" not in lay.name  # noqa: E731
                          for lay in m.layers)  # fmt: skip
    assert count(plain) == count(res) == 19
    assert not any(type(lay).__name__ == "Add" for lay in plain.layers)
    assert sum(type(lay).__name__ == "Add" for lay in res.layers) == 9
    assert plain.output.shape[1:] == res.output.shape[1:] == (10,)
