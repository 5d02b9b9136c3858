"""Tests of helpers.handcrafted: feature values on hand-made masks, HOG lengths, the split, the
scorecard, and what the figures draw."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import classic_detection as cdet
from helpers import handcrafted as hc

RNG = np.random.default_rng(22)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def square(side=6, size=16, at=(2, 3)):
    mask = np.zeros((size, size), bool)
    mask[at[0] : at[0] + side, at[1] : at[1] + side] = True
    return mask


def named(values, names=hc.SHAPE_NAMES):
    assert len(values) == len(names)
    return dict(zip(names, values, strict=True))


# ----------------------------------------------------------------------------- shape features
@pytest.mark.parametrize("side", [3, 6, 10])
def test_filled_square_area_perimeter_and_box(side):
    f = named(hc.shape_features(square(side)))
    assert f["area"] == side * side
    assert f["perimeter"] == 4 * (side - 1)  # scikit-image walks the centres of border pixels
    assert f["extent"] == f["solidity"] == 1.0
    assert f["bbox_height"] == f["bbox_width"] == side and f["aspect"] == 1.0
    assert f["eccentricity"] == pytest.approx(0.0, abs=1e-9)  # a square's ellipse is a circle
    assert f["pieces"] == 1 and f["holes"] == 0


def test_rectangle_ring_and_two_pieces():
    rect = np.zeros((20, 20), bool)
    rect[5:9, 2:18] = True  # 4 × 16
    f = named(hc.shape_features(rect))
    assert f["area"] == 64 and f["aspect"] == 0.25 and f["eccentricity"] > 0.9
    assert f["major_axis"] > f["minor_axis"]
    ring = square(8, 14)
    ring[4:8, 5:9] = False  # a 4 × 4 hole
    f = named(hc.shape_features(ring))
    assert f["holes"] == 1 and f["area"] == 64 - 16 and f["solidity"] < 1
    two = square(3, 16, (1, 1)) | square(3, 16, (10, 10))
    f = named(hc.shape_features(two))
    assert f["pieces"] == 2 and f["area"] == 18
    assert f["extent"] == pytest.approx(18 / 144)  # one box around both pieces


def test_hu_moments_are_rotation_invariant_and_triangle_extent():
    tri = np.tri(12, 12, dtype=bool)  # lower triangle incl. diagonal: 78 pixels
    f = named(hc.shape_features(tri))
    assert f["area"] == 78 and f["extent"] == pytest.approx(78 / 144)
    hu = hc.shape_features(tri)[-7:]
    hu_rot = hc.shape_features(np.rot90(tri))[-7:]
    np.testing.assert_allclose(hu, hu_rot, atol=1e-6)
    assert hu[-1] == 0.0  # the skew invariant of a mirror-symmetric shape is 0 (not log noise)
    blob = RNG.random((15, 15)) > 0.4
    hu, hu_rot = hc.shape_features(blob)[-7:], hc.shape_features(np.rot90(blob))[-7:]
    np.testing.assert_allclose(hu, hu_rot, atol=1e-6)


def test_grey_image_is_thresholded_and_empty_mask_gives_zeros():
    img = np.zeros((16, 16), np.uint8)
    img[2:8, 3:9] = 200
    np.testing.assert_array_equal(hc.foreground_mask(img), square())
    np.testing.assert_array_equal(hc.shape_features(img), hc.shape_features(square()))
    np.testing.assert_array_equal(hc.foreground_mask(img, threshold=0.9), np.zeros((16, 16), bool))
    assert not hc.foreground_mask(np.full((5, 5), 0.3)).any()  # flat: no object
    assert np.all(hc.shape_features(np.zeros((8, 8))) == 0)


# ----------------------------------------------------------------------------- intensity
def test_intensity_features_by_hand():
    img = np.zeros((10, 10))
    img[:5] = 1.0  # half black, half white
    f = named(hc.intensity_features(img, bins=4), hc.intensity_names(4))
    assert f["mean"] == 0.5 and f["std"] == 0.5
    assert f["p10"] == 0.0 and f["p90"] == 1.0
    assert f["fg_mean"] == 1.0 and f["fg_std"] == 0.0
    assert [f[f"hist{i}"] for i in range(4)] == [0.5, 0.0, 0.0, 0.5]
    u8 = (img * 255).astype(np.uint8)
    np.testing.assert_allclose(hc.intensity_features(u8, 4), hc.intensity_features(img, 4))
    hist = hc.intensity_features(RNG.random((9, 7)), bins=10)[-10:]
    assert hist.sum() == pytest.approx(1.0) and (hist >= 0).all()


# ----------------------------------------------------------------------------- HOG and table
@pytest.mark.parametrize("cell,block,bins", [(7, 2, 9), (4, 2, 9), (4, 3, 6), (14, 1, 12)])
def test_hog_length_matches_the_formula(cell, block, bins):
    x = RNG.integers(0, 256, size=(3, 28, 28)).astype(np.uint8)
    feats = hc.hog_block(x, cell=cell, bins=bins, block=block)
    assert feats.shape == (3, cdet.hog_length(28, 28, cell, bins, block))
    assert len(hc.hog_names(28, 28, cell, bins, block)) == feats.shape[1]
    cells = 28 // cell
    assert feats.shape[1] == (cells - block + 1) ** 2 * block**2 * bins


def test_feature_table_stacks_named_blocks_in_order():
    x = RNG.integers(0, 256, size=(4, 28, 28)).astype(np.uint8)
    x[:, 8:20, 10:18] = 255
    table = hc.feature_table(x)
    assert table.shape == (4, 324 + len(hc.SHAPE_NAMES) + len(hc.intensity_names()))
    assert list(table.blocks) == ["hog", "shape", "intensity"] and table.names[0] == "hog0"
    np.testing.assert_array_equal(table.kind("shape")[1], hc.shape_features(x[1]))
    np.testing.assert_array_equal(table.kind("hog"), hc.hog_block(x))
    two = hc.feature_table(x[..., None], ("intensity", "shape"), hist_bins=3)
    assert two.names[:2] == ["mean", "std"] and two.shape[1] == 9 + 3 + 21
    np.testing.assert_array_equal(two.kind("intensity")[:, :9], table.kind("intensity")[:, :9])
    assert "hog 324" in repr(table)
    with pytest.raises(KeyError, match="no 'hog'"):
        two.kind("hog")


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: hc.feature_table(np.zeros((2, 28, 28)), ("hog", "colour")), "kinds"),
        (lambda: hc.feature_table(np.zeros((2, 28, 28)), ("hog", "hog")), "kinds"),
        (lambda: hc.feature_table(np.zeros((28, 28))), "batch"),
        (lambda: hc.hog_block(np.zeros((2, 10, 10)), cell=8), "block"),
        (lambda: hc.shape_features(np.zeros((2, 8, 8))), "one grey image"),
        (lambda: hc.shape_features(np.full((4, 4), np.nan)), "NaN"),
        (lambda: hc.shape_features(-np.ones((4, 4))), "negative"),
        (lambda: hc.foreground_mask(np.ones((4, 4)), threshold=1.5), "threshold"),
        (lambda: hc.intensity_features(np.ones((4, 4)), bins=0), "bins"),
        (lambda: hc.stratified_indices(np.array([0, 0, 1]), 2), "class 1 has 1"),
        (lambda: hc.stratified_indices(np.zeros((2, 2)), 1), "1-D"),
    ],
)
def test_bad_input_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ----------------------------------------------------------------------------- split
def test_stratified_indices_are_balanced_and_disjoint():
    y = np.repeat(np.arange(4), [50, 40, 30, 60])
    train, val = hc.stratified_indices(y, (20, 10), seed=3)
    assert len(set(train) & set(val)) == 0
    assert np.bincount(y[train]).tolist() == [20] * 4 and np.bincount(y[val]).tolist() == [10] * 4
    assert np.all(np.diff(train) > 0)
    again = hc.stratified_indices(y, (20, 10), seed=3)
    np.testing.assert_array_equal(again[0], train)
    one = hc.stratified_indices(y, 5, seed=3)
    assert isinstance(one, np.ndarray) and len(one) == 20


# ----------------------------------------------------------------------------- scorecard
def _contenders():
    cm = np.array([[8, 2], [1, 9]])
    return [
        hc.Contender("HOG + SVM", 0.85, cm, 12.0, 0.4, 120_000),
        hc.Contender("CNN", 0.9, cm, 60.0, 0.2, 93_322),
        hc.Contender("EfficientNet-Lite0 + logistic", 0.88, cm, 80.0, 6.0, 3_425_834),
    ]


def test_comparison_table_and_plots():
    table = hc.comparison_table(_contenders())
    lines = table.splitlines()
    assert len(lines) == 5 and "**0.900**" in lines[3] and "3.43 M" in lines[4]
    assert "93 k" in lines[3] and "| 12.0 |" in lines[2]
    fig = hc.plot_comparison(_contenders(), title="t")
    assert len(fig.axes) == 3 and fig.axes[1].get_xscale() == "log"
    bars = [p for p in fig.axes[0].patches]
    assert [b.get_width() for b in bars] == [0.85, 0.9, 0.88]
    assert fig.axes[0].get_xlim()[0] == 0  # accuracy bars start at 0, not at a cut axis
    fig = hc.plot_confusions(_contenders(), ["a", "b"])
    # two matrices per row: three contenders fill a 2×2 grid, the fourth panel left empty
    assert len(fig.axes) == 4 and "accuracy 0.900" in fig.axes[1].get_title()
    assert [ax.axison for ax in fig.axes] == [True, True, True, False]
    assert all(ax.get_ylabel() == "true" for ax in fig.axes[:3])
    with pytest.raises(ValueError, match="class names"):
        hc.plot_confusions(_contenders(), ["a"])
    with pytest.raises(ValueError, match="Contender"):
        hc.comparison_table([])
    with pytest.raises(ValueError, match="square"):
        hc.Contender("x", 0.5, np.zeros((2, 3)), 1, 1, 1)
    with pytest.raises(ValueError, match="accuracy"):
        hc.Contender("x", 1.5, np.zeros((2, 2)), 1, 1, 1)


def test_agreement_groups():
    y = np.array([0, 1, 2, 0, 1, 2])
    preds = {"a": np.array([0, 1, 2, 1, 1, 0]), "b": np.array([0, 1, 0, 0, 0, 0]),
             "c": np.array([0, 0, 2, 0, 1, 1])}  # fmt: skip
    g = hc.agreement_groups(y, preds)
    assert g["all right"].tolist() == [0] and g["all wrong"].tolist() == [5]
    assert g["only b right"].tolist() == [] and g["only a wrong"].tolist() == [3]
    assert g["only c wrong"].tolist() == [1] and g["only b wrong"].tolist() == [2, 4]
    two = hc.agreement_groups(y, {"a": preds["a"], "b": preds["b"]})
    assert two["only a right"].tolist() == [2, 4] and "only a wrong" not in two
    with pytest.raises(ValueError, match="predictions for"):
        hc.agreement_groups(y, {"a": y[:3]})


def test_sklearn_parameter_count():
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    x, y = RNG.normal(size=(60, 5)), np.repeat([0, 1, 2], 20)
    lin = make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y)
    assert hc.sklearn_parameter_count(lin) == 2 * 5 + 3 * 5 + 3
    svc = SVC().fit(x, y)
    n_sv = len(svc.support_vectors_)
    assert hc.sklearn_parameter_count(svc) == n_sv * 5 + 2 * n_sv + 3
    forest = RandomForestClassifier(3, random_state=0).fit(x, y)
    counts = []
    for tree in forest.estimators_:
        leaves = int(np.sum(tree.tree_.children_left == -1))
        counts.append(2 * (tree.tree_.node_count - leaves) + 3 * leaves)
    assert hc.sklearn_parameter_count(forest) == sum(counts)
    with pytest.raises(TypeError, match="fit it first"):
        hc.sklearn_parameter_count(LogisticRegression())


def test_ms_per_image_and_timed():
    calls = []
    ms = hc.ms_per_image(lambda batch: calls.append(len(batch)), np.zeros((10, 2)), repeats=2)
    assert calls == [10, 10, 10] and ms >= 0  # one warm-up, two timed
    out, seconds = hc.timed(lambda: 42)
    assert out == 42 and seconds >= 0
    with pytest.raises(ValueError, match="empty"):
        hc.ms_per_image(len, np.zeros((0, 2)))


# ----------------------------------------------------------------------------- figures
def test_draw_pipelines_has_both_rows():
    fig = hc.draw_pipelines()
    gids = {p.get_gid() for p in fig.axes[0].patches if p.get_gid()}
    for row in ("hand", "learned"):
        assert {f"{row}:{s}" for s in ("image", "extract", "vector", "classifier", "class")} <= gids
    words = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "HOG" in words and "LEARNED" in words


def test_plot_shape_features_draws_box_hull_and_ellipse():
    img = np.zeros((2, 20, 20), np.uint8)
    img[0, 4:14, 5:10] = 255
    img[1][np.tri(20, 20, dtype=bool)] = 180
    fig = hc.plot_shape_features(img, titles=["bar", "triangle"])
    ax = fig.axes[0]
    gids = [p.get_gid() for p in ax.patches] + [ln.get_gid() for ln in ax.lines]
    assert {"bbox", "ellipse", "outline", "hull"} <= set(gids)
    (box,) = [p for p in ax.patches if p.get_gid() == "bbox"]
    assert (box.get_width(), box.get_height()) == (5, 10)
    assert fig.axes[1].get_title() == "triangle"
