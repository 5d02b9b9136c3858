"""Tests for helpers.concept_diagrams: what is drawn (neurons, edges, labels, sizes), not only
that a figure comes back."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch

from helpers import concept_diagrams as cd
from helpers.explorers import optimizers as opt


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def ends(arrow):
    """Start and end point (data coordinates) of a FancyArrowPatch."""
    return np.array(arrow._posA_posB[0]), np.array(arrow._posA_posB[1])


def patches(fig, kind):
    return [p for ax in fig.axes for p in ax.patches if isinstance(p, kind)]


# --------------------------------------------------------------------------- toy network


def test_toy_network_forward_has_six_neurons_twelve_arrows_and_weight_labels():
    fig = cd.draw_toy_network()
    assert isinstance(fig, Figure)
    circles = patches(fig, Circle)
    assert len(circles) == 6
    names = ("i1", "i2", "H1", "H2", "o1", "o2")
    assert {c.get_gid() for c in circles} == {f"neuron:{n}" for n in names}
    arrows = patches(fig, FancyArrowPatch)
    assert len(arrows) == 8 + 4  # eight weights, b1 → H1, H2 and b2 → o1, o2
    t = texts(fig)
    for name, value in cd.TOY_WEIGHTS.items():
        assert f"{name} = {value:g}" in t, name
    assert "i1 = 0.4" in t and "i2 = 0.25" in t
    assert not any("δ" in s for s in t)  # no gradients in the forward picture


def test_toy_network_edges_connect_the_chapter_02_neurons():
    fig = cd.draw_toy_network()
    found = cd.artists_by_gid(fig)
    centre = {g[7:]: np.array(a.center) for g, a in found.items() if g.startswith("neuron:")}
    for name, (src, dst) in cd.TOY_EDGES.items():
        start, end = ends(found[f"edge:{name}"])
        # the arrow starts on src's rim and ends on dst's rim: it points forward
        assert np.linalg.norm(start - centre[src]) < 0.5, name
        assert np.linalg.norm(end - centre[dst]) < 0.5, name
        assert end[0] > start[0], name
    assert cd.TOY_EDGES["w5"] == ("H1", "o1") and cd.TOY_EDGES["w7"] == ("H1", "o2")
    assert cd.TOY_EDGES["w1"] == ("i1", "H1")


def test_toy_network_backward_draws_deltas_flowing_back():
    fig = cd.draw_toy_network(show="backward", values={"d_o1": 0.138499})
    found = cd.artists_by_gid(fig, "back:")
    assert set(found) == {"back:E-o1", "back:E-o2", "back:o1-H1", "back:o1-H2",
                          "back:o2-H1", "back:o2-H2"}  # fmt: skip
    for gid in ("back:o1-H1", "back:o2-H2"):
        start, end = ends(found[gid])
        assert end[0] < start[0], gid  # points backwards (right to left)
    t = " ".join(texts(fig))
    assert "δH1 = (δo1·w5 + δo2·w7)·H1(1 − H1)" in t
    assert "δo1 = (o1 − t1)·o1(1 − o1) = 0.138499" in t
    assert "∂E/∂w5 = δo1·H1" in t
    assert len(patches(fig, Circle)) == 6


def test_toy_network_custom_weights_and_errors():
    fig = cd.draw_toy_network(weights={"w5": 0.556737})
    assert "w5 = 0.556737" in texts(fig)
    with pytest.raises(ValueError, match="show"):
        cd.draw_toy_network(show="sideways")
    with pytest.raises(ValueError, match="unknown weight"):
        cd.draw_toy_network(weights={"w9": 1.0})
    with pytest.raises(ValueError, match="finite"):
        cd.draw_toy_network(weights={"w1": float("nan")})


# --------------------------------------------------------------------------- feature maps


def test_feature_map_stack_receptive_fields_have_the_right_size():
    fig = cd.draw_feature_map_stack(size=10, kernel=3, n_filters=4, kernel2=3, n_filters2=3)
    found = cd.artists_by_gid(fig)
    rf1, rf2 = found["rf:1"], found["rf:2"]
    assert (rf1.get_width(), rf1.get_height()) == (3, 3)
    assert (rf2.get_width(), rf2.get_height()) == (5, 5)  # 3 + 3 − 1: fields grow
    # the small field sits inside the large one, at its top-left corner
    assert rf1.get_x() == rf2.get_x()
    assert rf1.get_y() + rf1.get_height() == rf2.get_y() + rf2.get_height()
    maps1 = [g for g in found if g.startswith("map1:")]
    maps2 = [g for g in found if g.startswith("map2:")]
    assert len(maps1) == 4 and len(maps2) == 3  # one map per filter
    assert found["map1:0"].get_width() == 8 and found["map2:0"].get_width() == 6
    assert found["window:2"].get_width() == 3
    assert found["neuron:1"].get_width() == 1 and found["neuron:2"].get_width() == 1
    t = " ".join(texts(fig))
    assert "input 10×10" in t and "4 feature maps 8×8" in t and "3 maps 6×6" in t
    assert "3×3 input pixels" in t and "5×5 input pixels" in t


def test_feature_map_stack_other_sizes_and_errors():
    fig = cd.draw_feature_map_stack(size=12, kernel=5, n_filters=2, kernel2=3, position=(0, 0))
    found = cd.artists_by_gid(fig, "rf:")
    assert found["rf:1"].get_width() == 5 and found["rf:2"].get_width() == 7
    with pytest.raises(ValueError, match="no output"):
        cd.draw_feature_map_stack(size=4, kernel=3, kernel2=3)
    with pytest.raises(ValueError, match="outside"):
        cd.draw_feature_map_stack(size=10, position=(6, 0))
    with pytest.raises(ValueError, match="kernel"):
        cd.draw_feature_map_stack(kernel=0)


# --------------------------------------------------------------------------- split, fitting


def test_data_split_bar_widths_are_the_fractions():
    fig = cd.draw_data_split((0.6, 0.2, 0.2), n=50_000)
    found = cd.artists_by_gid(fig, "split:")
    widths = {g: a.get_width() for g, a in found.items()}
    assert widths == pytest.approx({"split:training": 0.6, "split:validation": 0.2,
                                    "split:test": 0.2})  # fmt: skip
    lefts = [found[f"split:{n}"].get_x() for n in ("training", "validation", "test")]
    assert lefts == pytest.approx([0.0, 0.6, 0.8])
    t = " ".join(texts(fig))
    assert "(30,000)" in t and "(10,000)" in t and "fit the weights" in t
    for bad in ((0.5, 0.5), (0.7, 0.2, 0.2), (1.0, 0.0, 0.0)):
        with pytest.raises(ValueError):
            cd.draw_data_split(bad)


def test_fitting_regimes_three_fits_and_a_u_shaped_validation_curve():
    fig = cd.draw_fitting_regimes(degrees=(1, 3, 9))
    found = cd.artists_by_gid(fig)
    assert {"fit:1", "fit:3", "fit:9"} <= set(found)
    train = found["curve:train"].get_ydata()
    val = found["curve:validation"].get_ydata()
    assert np.all(np.diff(train) < 0)  # training error only falls with capacity
    i = int(np.argmin(val))
    assert 0 < i < len(val) - 1  # validation error falls, then rises
    best = found["best"].get_xdata()[0]
    assert best == pytest.approx(found["curve:validation"].get_xdata()[i])
    titles = [ax.get_title() for ax in fig.axes]
    assert any("under-fitting" in s for s in titles) and any("over-fitting" in s for s in titles)
    # the over-fitting curve passes (almost) through the training points: its training error
    # is far below the under-fitting line's
    x = fig.axes[0].lines[2].get_xdata()
    y = fig.axes[0].lines[2].get_ydata()
    grid = found["fit:1"].get_xdata()

    def train_err(gid):
        return np.mean((np.interp(x, grid, found[gid].get_ydata()) - y) ** 2)

    assert train_err("fit:9") < 0.2 * train_err("fit:1")
    with pytest.raises(ValueError):
        cd.draw_fitting_regimes(degrees=(3, 1, 9))
    with pytest.raises(ValueError):
        cd.draw_fitting_regimes(degrees=(1, 3, 12), n_points=12)


# --------------------------------------------------------------------------- optimizer paths


def test_optimizer_paths_are_the_explorers_paths():
    fig = cd.draw_optimizer_paths("elongated bowl", ("SGD", "momentum", "Adam"), lr=0.03, steps=50)
    found = cd.artists_by_gid(fig, "path:")
    assert set(found) == {"path:SGD", "path:momentum", "path:Adam"}
    expected = opt.compare_paths("elongated bowl", ["SGD", "momentum", "Adam"], lr=0.03, steps=50)
    for name, p in expected.items():
        line = found[f"path:{name}"]
        assert np.allclose(line.get_xdata(), p.points[:, 0])
        assert np.allclose(line.get_ydata(), p.points[:, 1])
    assert "minimum" in cd.artists_by_gid(fig, "minimum")
    fig = cd.draw_optimizer_paths("elongated bowl", ("SGD",), lr=0.11, steps=200)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert any("diverged" in s for s in labels)


# --------------------------------------------------------------------------- batch-norm passes


def test_batchnorm_passes_one_box_per_operation_and_counts():
    variants = {
        "Keras": {"forward": ["Mean", "SquaredDifference", "Mean", "Mul", "AddV2"],
                  "backward": ["Sum", "Mul", "RealDiv"]},
        "fused": {"forward": ["FusedBatchNormV3"], "backward": ["FusedBatchNormGradV3"]},
    }  # fmt: skip
    fig = cd.draw_batchnorm_passes(variants, input_shape=(128, 28, 28, 32))
    boxes = cd.artists_by_gid(fig, "pass:")
    assert sorted(g for g in boxes if g.startswith("pass:Keras:forward")) == [
        f"pass:Keras:forward:{i}" for i in range(5)
    ]
    assert len([g for g in boxes if g.startswith("pass:Keras:backward")]) == 3
    assert set(boxes) >= {"pass:fused:forward:0", "pass:fused:backward:0"}
    assert len(boxes) == 10
    # boxes of one row do not overlap and run left to right
    xs = [boxes[f"pass:Keras:forward:{i}"].get_x() for i in range(5)]
    width = boxes["pass:Keras:forward:0"].get_width()
    assert all(b - a > width for a, b in zip(xs, xs[1:], strict=False))
    counts = cd.artists_by_gid(fig, "count:")
    assert "= 8 passes" in counts["count:Keras"].get_text()
    assert "= 2 passes" in counts["count:fused"].get_text()
    t = " ".join(texts(fig))
    assert "(x−μ)²" in t and "12.8 MB" in t  # 128·28·28·32 floats of 4 bytes


def test_batchnorm_passes_errors_and_unknown_ops():
    fig = cd.draw_batchnorm_passes({"one": {"forward": ["Conv2D"], "backward": []}})
    assert "Conv2D" in texts(fig)  # an op without a symbol keeps its type name
    assert "= 1 pass" in cd.artists_by_gid(fig, "count:")["count:one"].get_text()
    ok = {"forward": ["Mean"], "backward": []}
    for bad in ({}, {str(i): ok for i in range(5)}, {"x": {"forward": [], "backward": []}},
                {"x": {"forward": ["Mean"]}}):  # fmt: skip
        with pytest.raises(ValueError):
            cd.draw_batchnorm_passes(bad)
    with pytest.raises(ValueError, match="four positive"):
        cd.draw_batchnorm_passes({"x": ok}, input_shape=(28, 28, 32))
