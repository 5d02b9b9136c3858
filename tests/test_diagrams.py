"""Tests for helpers.diagrams: the boxes and arrows drawn, not only that a figure comes back."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from keras import layers
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from helpers import architectures as A
from helpers import diagrams


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def boxes(fig):
    return [p for ax in fig.axes for p in ax.patches if isinstance(p, FancyBboxPatch)]


def red_arrows(fig):
    red = "#c0392b"
    return [
        p for ax in fig.axes for p in ax.patches
        if isinstance(p, FancyArrowPatch) and matplotlib.colors.same_color(p.get_edgecolor(), red)
    ]  # fmt: skip


def test_layer_label():
    conv = layers.Conv2D(64, 3, strides=2, activation="relu")
    assert diagrams.layer_label(conv) == ("Conv2D", "3×3, 64 /2 relu")
    assert diagrams.layer_label(layers.MaxPooling2D(2)) == ("MaxPool", "2×2 /2")
    assert diagrams.layer_label(layers.Dense(10, activation="softmax")) == ("Dense", "10 softmax")
    assert diagrams.layer_label(layers.Dropout(0.5)) == ("Dropout", "0.5")


def test_sequential_model_boxes_and_folding():
    model = A.little_vgg()
    graph = diagrams.model_graph(model)
    kinds = [b.kind for b in graph]
    assert kinds[0] == "Input" and kinds.count("Conv2D") == 6 and "BN" not in kinds
    assert graph[1].detail == "3×3, 64 +BN +ReLU" and graph[1].shape == "32×32×64"
    full = diagrams.model_graph(model, fold=False)
    assert [b.kind for b in full].count("BN") == 8
    fig = diagrams.draw_model(model, title="LittleVGG", show_params=True)
    assert isinstance(fig, Figure)
    assert len(boxes(fig)) == len(graph)
    assert any("1,049,856" in t for t in texts(fig))  # fc1 1,048,832 + its BN 1,024
    assert fig.axes[0].get_title() == "LittleVGG"


def test_residual_unit_has_a_red_shortcut():
    fig = diagrams.draw_model(A.block_model(A.residual_unit, (8, 8, 16), 16))
    assert len(red_arrows(fig)) == 1
    graph = diagrams.model_graph(A.block_model(A.residual_unit, (8, 8, 16), 16))
    add = next(b for b in graph if b.kind == "Add")
    assert len(add.parents) == 2


def test_inception_branches_side_by_side():
    model = A.block_model(A.inception_module, (28, 28, 192))
    graph = diagrams.model_graph(model)
    concat = next(b for b in graph if b.kind == "Concat")
    assert len(concat.parents) == 4
    fig = diagrams.draw_model(model)
    assert not red_arrows(fig)
    assert any(t.startswith("Concat") and "28×28×256" in t for t in texts(fig))


def test_long_model_wraps_into_columns():
    model = A.vgg16((32, 32, 3), 10)
    fig = diagrams.draw_model(model, max_rows=8)
    assert len(boxes(fig)) == len(diagrams.model_graph(model))
    assert fig.get_size_inches()[0] > 2 * 2.0


def test_draw_blocks_branches_and_skips():
    fig = diagrams.draw_blocks(
        ["Input", ("Conv2D", "3×3, 64"), ["a", ["b", "c"]], ("Add", ""), "out"],
        skips=[(0, 3)],
        title="t",
    )
    assert len(boxes(fig)) == 7
    assert len(red_arrows(fig)) == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda: diagrams.draw_blocks([]),
        lambda: diagrams.draw_blocks(["a", "b"], skips=[(0, 1)]),
        lambda: diagrams.draw_blocks(["a", []]),
        lambda: diagrams.draw_blocks([{"detail": "x"}]),
        lambda: diagrams.draw_model(A.little_vgg(), max_rows=1),
    ],
)
def test_bad_input_is_refused(call):
    with pytest.raises(ValueError):
        call()


def test_not_a_model():
    with pytest.raises(TypeError):
        diagrams.draw_model("vgg")
