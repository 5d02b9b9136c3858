"""helpers.models: the seeds' architectures have the parameter counts the chapters teach."""

import pytest

from helpers import layer_math, models


def conv(k, c_in, c_out):
    return (k * k * c_in + 1) * c_out


def dense(n_in, n_out):
    return (n_in + 1) * n_out


@pytest.mark.parametrize(
    ("name", "kwargs", "expected"),
    [
        ("very_simple_cnn", {}, {"conv1": conv(3, 1, 64), "output": dense(26 * 26 * 64, 10)}),
        (
            "very_simple_cnn",
            {"pool": True},
            {"conv1": conv(3, 1, 64), "output": dense(13 * 13 * 64, 10)},
        ),
        (
            "seed_mnist_cnn",
            {},
            {
                "conv1": conv(3, 1, 32),
                "conv2": conv(3, 32, 64),
                "dense1": dense(12 * 12 * 64, 128),
                "output": dense(128, 10),
            },
        ),
        (
            "lenet5",
            {},
            {
                "c1": conv(5, 1, 6),
                "c3": conv(5, 6, 16),
                "c5": conv(5, 16, 120),
                "f6": dense(120, 84),
                "output": dense(84, 10),
            },
        ),
        ("lenet_mlp", {}, {"hidden": dense(32 * 32, 84), "output": dense(84, 10)}),
    ],
)
def test_layer_counts_follow_the_formulas(name, kwargs, expected):
    assert models.layer_params(models.build(name, **kwargs)) == expected


def test_the_numbers_the_curriculum_quotes():
    assert models.count_params(models.very_simple_cnn()) == 433_290
    assert models.count_params(models.seed_mnist_cnn()) == 1_199_882
    assert models.count_params(models.lenet5()) == 61_706
    assert models.count_params(models.lenet_mlp()) == 86_950
    assert models.layer_params(models.lenet5(input_shape=(32, 32, 3)))["c1"] == 456
    assert models.count_params(models.geron_fashion_cnn()) == 1_413_834


def test_geron_layers_follow_the_formulas():
    got = models.layer_params(models.geron_fashion_cnn())
    assert got == {
        "conv1": conv(7, 1, 64),
        "conv2": conv(3, 64, 128),
        "conv3": conv(3, 128, 128),
        "conv4": conv(3, 128, 256),
        "conv5": conv(3, 256, 256),
        "dense1": dense(3 * 3 * 256, 128),
        "dense2": dense(128, 64),
        "output": dense(64, 10),
    }


@pytest.mark.parametrize("name", sorted(models.BUILDERS))
def test_every_builder_maps_images_to_class_probabilities(name):
    import numpy as np

    side = 32 if name.startswith("lenet") else 28
    model = models.build(name, input_shape=(side, side, 1), num_classes=7)
    assert model.output_shape == (None, 7)
    probs = np.asarray(model(np.zeros((2, side, side, 1), "float32")))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_fast_networks_are_smaller_than_the_seeds():
    assert models.count_params(models.fast_mnist_cnn()) < models.count_params(
        models.very_simple_cnn()
    )
    assert models.count_params(models.fast_fashion_cnn()) < models.count_params(
        models.geron_fashion_cnn()
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: models.build("resnet"), "unknown model 'resnet'"),
        (lambda: models.lenet5(input_shape=(32, 32)), "input_shape must be"),
        (lambda: models.very_simple_cnn(num_classes=1), "num_classes"),
        (lambda: models.count_params("not a model"), "needs a Keras model"),
        (lambda: models.layer_params(3), "needs a Keras model"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


@pytest.mark.parametrize("build", [models.fast_mnist_cnn, models.fast_fashion_cnn])
def test_fast_networks_use_the_fused_batch_norm_unless_told_not_to(build):
    from helpers.fast_layers import FusedBatchNormalization

    fused, plain = build(), build(fused_bn=False)
    kinds = [type(layer) for layer in fused.layers if "_bn" in layer.name]
    assert kinds and all(kind is FusedBatchNormalization for kind in kinds)
    assert not any(isinstance(layer, FusedBatchNormalization) for layer in plain.layers)
    assert models.layer_params(fused) == models.layer_params(plain)  # the same weights


def _run(code: str, text: str) -> list[str]:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", code], input=text, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


def test_from_json_knows_the_course_layers_in_a_fresh_kernel():
    # A lab's check hands fast_fashion_cnn over as JSON to a learner's kernel that has not
    # imported helpers.fast_layers (chapter 08's lab failed that way): the learner's side
    # (takes_model) and the grader's side (lab 08's reference) must both rebuild it.
    text = models.fast_fashion_cnn().to_json()
    learner = _run(
        "import sys\n"
        "from helpers.labs.custom.models import takes_model\n"
        "assert 'helpers.fast_layers' not in sys.modules, 'imported too early to test this'\n"
        "kinds = takes_model(lambda m: [type(x).__name__ for x in m.layers])(sys.stdin.read())\n"
        "print(kinds.count('FusedBatchNormalization'))\n",
        text,
    )
    assert learner[-1] == "5"
    grader = _run(
        "import sys\nfrom helpers.labs.specs import lab08\n"
        "print(lab08.model_macs(sys.stdin.read()))\n",
        text,
    )
    assert int(grader[-1]) == sum(layer_math.layer_macs(models.fast_fashion_cnn()).values())
    with pytest.raises(TypeError, match="to_json"):
        models.from_json(models.fast_fashion_cnn())
