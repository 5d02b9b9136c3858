"""Tests for helpers.viz: the figures' contents, not just that a Figure comes back."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import same_color
from matplotlib.figure import Figure
from sklearn.metrics import confusion_matrix as sk_confusion_matrix

from helpers import viz


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def visible_axes(fig):
    """Axes that show a panel (not hidden spare grid cells, not colorbars)."""
    return [ax for ax in fig.axes if ax.get_visible() and ax.images + ax.lines]


def titles(fig):
    return [ax.get_title() for ax in visible_axes(fig)]


# --------------------------------------------------------------------------- show_images


def test_show_images_gray_batch_data_and_grid():
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, size=(5, 8, 8), dtype=np.uint8)
    fig = viz.show_images(imgs, ncols=4)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 8  # 2 rows x 4 columns
    shown = visible_axes(fig)
    assert len(shown) == 5
    assert sum(ax.get_visible() for ax in fig.axes) == 5  # the 3 spare cells are hidden
    for ax, img in zip(shown, imgs, strict=True):
        im = ax.images[0]
        np.testing.assert_array_equal(im.get_array(), img)
        assert im.get_clim() == (0, 255)  # uint8 on the fixed scale, not stretched
        assert im.get_cmap().name == "gray"


def test_show_images_channel_axis_of_one_is_squeezed():
    imgs = np.arange(2 * 4 * 4, dtype=np.uint8).reshape(2, 4, 4, 1)
    fig = viz.show_images(imgs)
    arrays = [ax.images[0].get_array() for ax in visible_axes(fig)]
    np.testing.assert_array_equal(arrays[1], imgs[1, :, :, 0])


def test_show_images_float_in_unit_range_is_shown_as_is():
    rng = np.random.default_rng(1)
    imgs = rng.uniform(0.2, 0.7, size=(3, 6, 6, 3))
    fig = viz.show_images(imgs)
    for ax, img in zip(visible_axes(fig), imgs, strict=True):
        np.testing.assert_allclose(ax.images[0].get_array(), img)


def test_show_images_other_float_ranges_are_rescaled_per_image():
    rng = np.random.default_rng(2)
    rgb = rng.normal(size=(2, 5, 5, 3)) * 3  # standardised-looking: negative values
    fig = viz.show_images(rgb)
    for ax, img in zip(visible_axes(fig), rgb, strict=True):
        data = np.asarray(ax.images[0].get_array())
        assert data.min() == pytest.approx(0) and data.max() == pytest.approx(1)
        np.testing.assert_allclose(data, (img - img.min()) / (img.max() - img.min()))
    gray = np.linspace(10.0, 200.0, 16).reshape(1, 4, 4)  # float 0..255: own range
    im = visible_axes(viz.show_images(gray))[0].images[0]
    np.testing.assert_array_equal(im.get_array(), gray[0])
    assert im.get_clim() == (10.0, 200.0)


def test_show_images_single_images_and_lists():
    assert len(visible_axes(viz.show_images(np.zeros((7, 9))))) == 1
    fig = viz.show_images(np.zeros((7, 9, 3), dtype=np.uint8))
    assert len(visible_axes(fig)) == 1  # (H, W, 3) is one RGB image, not a batch of 7
    assert visible_axes(fig)[0].images[0].get_array().shape == (7, 9, 3)
    mixed = [np.zeros((4, 4)), np.ones((6, 5, 3), dtype=np.uint8), np.zeros((3, 3, 1))]
    fig = viz.show_images(mixed, title="mixed")
    assert [ax.images[0].get_array().shape for ax in visible_axes(fig)] == [
        (4, 4),
        (6, 5, 3),
        (3, 3),
    ]
    assert fig.get_suptitle() == "mixed"


def test_show_images_labels_with_class_names_and_one_hot():
    imgs = np.zeros((3, 4, 4))
    fig = viz.show_images(imgs, [2, 0, 1], class_names=["cat", "dog", "bird"])
    assert titles(fig) == ["bird", "cat", "dog"]
    one_hot = np.eye(3)[[1, 1, 0]]
    assert titles(viz.show_images(imgs, one_hot)) == ["1", "1", "0"]
    assert titles(viz.show_images(imgs, ["a", "b", "c"])) == ["a", "b", "c"]


def test_show_images_predictions_titles_and_colours():
    imgs = np.zeros((3, 4, 4))
    fig = viz.show_images(
        imgs, [0, 1, 1], predictions=[0, 0, 1], class_names=["cat", "dog"], ncols=3
    )
    axes = visible_axes(fig)
    assert [ax.get_title() for ax in axes] == ["cat (cat)", "cat (dog)", "dog (dog)"]
    colours = [ax.title.get_color() for ax in axes]
    assert same_color(colours[1], "red") and same_color(colours[1], viz.WRONG_COLOR)
    assert same_color(colours[0], viz.CORRECT_COLOR) and same_color(colours[2], "green")


def test_show_images_max_images_says_so_in_title():
    fig = viz.show_images(np.zeros((10, 4, 4)), max_images=4, title="digits")
    assert len(visible_axes(fig)) == 4
    assert fig.get_suptitle() == "digits (first 4 of 10)"


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"images": np.zeros((0, 4, 4))}, ValueError, "empty"),
        ({"images": []}, ValueError, "empty"),
        ({"images": np.zeros(5)}, ValueError, r"shape \(5,\).*expected"),
        ({"images": np.zeros((2, 4, 4, 4))}, ValueError, r"\(N, H, W, 3\)"),
        ({"images": [np.zeros((2, 4, 4))]}, ValueError, r"images\[0\] has shape \(2, 4, 4\)"),
        ({"images": np.full((2, 3, 3), np.nan)}, ValueError, "NaN"),
        ({"images": np.zeros((3, 4, 4)), "labels": [0, 1]}, ValueError, "3 images but 2 labels"),
        (
            {"images": np.zeros((2, 4, 4)), "labels": [0, 1], "predictions": [1]},
            ValueError,
            "2 images but 1 predictions",
        ),
        (
            {"images": np.zeros((2, 4, 4)), "labels": [0, 5], "class_names": ["a", "b"]},
            ValueError,
            "class index 5 but class_names has only 2",
        ),
        (
            {"images": np.zeros((2, 4, 4)), "labels": [0, 1], "class_names": {0: "a", 1: "b"}},
            TypeError,
            "sequence of names",
        ),
        ({"images": np.zeros((2, 4, 4)), "labels": [0.5, 1]}, ValueError, "non-integer"),
        ({"images": np.zeros((2, 4, 4)), "ncols": 0}, ValueError, "ncols"),
    ],
)
def test_show_images_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        viz.show_images(**kwargs)


# --------------------------------------------------------------------------- compare_images


def test_compare_images_titles_order_and_data():
    a = np.arange(12, dtype=np.uint8).reshape(3, 4)
    b = np.ones((3, 4, 3), dtype=np.float32) * 0.5
    fig = viz.compare_images({"original": a, "colour": b}, title="cmp")
    axes = visible_axes(fig)
    assert [t.split("\n")[0] for t in titles(fig)] == ["original", "colour"]
    assert titles(fig)[0] == "original\n(3, 4) uint8"
    np.testing.assert_array_equal(axes[0].images[0].get_array(), a)
    assert fig.get_suptitle() == "cmp"
    fig = viz.compare_images([("x", a), ("y", a)], show_shape=False, ncols=1)
    assert titles(fig) == ["x", "y"]
    positions = [ax.get_position().y0 for ax in visible_axes(fig)]
    assert positions[0] > positions[1]  # one column: stacked vertically


def test_compare_images_signed_auto_uses_centred_diverging_map():
    sobel_out = np.array([[-4.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    positive = np.array([[0.0, 3.0], [5.0, 7.0]])
    fig = viz.compare_images({"sobel": sobel_out, "blur": positive}, colorbar=True)
    signed_im, plain_im = (ax.images[0] for ax in visible_axes(fig))
    assert signed_im.get_cmap().name == viz.DIVERGING_CMAP
    assert signed_im.get_clim() == (-4.0, 4.0)  # symmetric: white is exactly 0
    np.testing.assert_array_equal(signed_im.get_array(), sobel_out)
    assert plain_im.get_cmap().name == "gray"
    assert len(fig.axes) == 4  # two panels + two colorbars
    off = visible_axes(viz.compare_images({"s": sobel_out}, signed=False))[0].images[0]
    assert off.get_cmap().name == "gray" and off.get_clim() == (-4.0, 2.0)


@pytest.mark.parametrize(
    ("images", "kwargs", "exc", "match"),
    [
        ({}, {}, ValueError, "no images"),
        (np.zeros((3, 3)), {}, TypeError, "dict"),
        ({"rgb": np.zeros((3, 3, 3))}, {"signed": True}, ValueError, "RGB"),
        ({"a": np.zeros((3, 3))}, {"signed": "yes"}, ValueError, "signed must be"),
        ({"a": np.zeros((2, 3, 3, 3))}, {}, ValueError, r"'a' has shape \(2, 3, 3, 3\)"),
    ],
)
def test_compare_images_bad_input(images, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        viz.compare_images(images, **kwargs)


# --------------------------------------------------------------------------- plot_history


class FakeHistory:
    def __init__(self, history):
        self.history = history


def test_plot_history_curves_match_input():
    h = {
        "loss": [1.0, 0.6, 0.4],
        "accuracy": [0.5, 0.7, 0.8],
        "val_loss": [1.1, 0.8, 0.7],
        "val_accuracy": [0.4, 0.6, 0.65],
    }
    fig = viz.plot_history(FakeHistory(h), title="run 1")
    axes = visible_axes(fig)
    assert [ax.get_title() for ax in axes] == ["loss", "accuracy"]
    for ax, metric in zip(axes, ["loss", "accuracy"], strict=True):
        train, val = ax.get_lines()
        np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3])
        np.testing.assert_array_equal(train.get_ydata(), h[metric])
        np.testing.assert_array_equal(val.get_ydata(), h[f"val_{metric}"])
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training", "validation"]
        assert ax.get_xlabel() == "epoch"
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert all(float(t).is_integer() for t in ticks)
    assert fig.get_suptitle() == "run 1"


def test_plot_history_learning_rate_panel_is_log_scale():
    h = {"loss": [1.0, 0.5, 0.3], "learning_rate": [1e-3, 1e-4, 1e-5]}
    axes = visible_axes(viz.plot_history(h))
    assert [ax.get_title() for ax in axes] == ["loss", "learning_rate"]
    assert axes[0].get_yscale() == "linear"
    assert axes[1].get_yscale() == "log"
    assert axes[1].get_legend() is None
    np.testing.assert_allclose(axes[1].get_lines()[0].get_ydata(), h["learning_rate"])


def test_plot_history_selected_metric_from_dict():
    h = {"loss": [3.0, 2.0], "val_loss": [4.0, 3.0], "mae": [1.0, 0.9]}
    axes = visible_axes(viz.plot_history(h, metrics="mae"))
    assert len(axes) == 1 and axes[0].get_title() == "mae"
    assert len(axes[0].get_lines()) == 1  # no val_mae recorded


@pytest.mark.parametrize(
    ("history", "kwargs", "exc", "match"),
    [
        ({}, {}, ValueError, "empty"),
        (FakeHistory({}), {}, ValueError, "empty"),
        ({"loss": []}, {}, ValueError, "no epochs"),
        ({"loss": [1.0]}, {"metrics": ["accuracy"]}, ValueError, r"available metrics: \['loss'\]"),
        ({"loss": [1.0, 2.0], "val_loss": [1.0]}, {}, ValueError, "different lengths"),
        ([1.0, 2.0], {}, TypeError, "History"),
    ],
)
def test_plot_history_bad_input(history, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        viz.plot_history(history, **kwargs)


def test_plot_history_with_a_real_keras_history():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4)).astype("float32")
    y = rng.normal(size=(16, 1)).astype("float32")
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=2, batch_size=8, validation_split=0.25, verbose=0)
    fig = viz.plot_history(history)
    by_title = {ax.get_title(): ax for ax in visible_axes(fig)}
    assert {"loss", "mae"} <= set(by_title)
    train, val = by_title["loss"].get_lines()
    np.testing.assert_allclose(train.get_ydata(), history.history["loss"])
    np.testing.assert_allclose(val.get_ydata(), history.history["val_loss"])
    np.testing.assert_array_equal(train.get_xdata(), [1, 2])


# --------------------------------------------------------------------------- confusion matrix

Y_TRUE = [0, 0, 1, 1, 1, 2, 2, 0]
Y_PRED = [0, 1, 1, 1, 2, 2, 0, 0]
# Rows = true class, columns = predicted class, counted by hand.
EXPECTED = np.array([[2, 1, 0], [0, 2, 1], [1, 0, 1]])


def test_confusion_matrix_matches_hand_count():
    cm = viz.confusion_matrix(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(cm, EXPECTED)
    assert cm.dtype.kind == "i"


def test_confusion_matrix_keeps_absent_classes():
    cm = viz.confusion_matrix([0, 1], [0, 0], num_classes=4)
    np.testing.assert_array_equal(cm, [[1, 0, 0, 0], [1, 0, 0, 0], [0] * 4, [0] * 4])


def test_confusion_matrix_from_one_hot_and_probabilities():
    one_hot = np.eye(3)[Y_TRUE]
    probs = np.eye(3)[Y_PRED] * 0.6 + 0.1  # rows like softmax outputs, argmax = Y_PRED
    np.testing.assert_array_equal(viz.confusion_matrix(one_hot, probs), EXPECTED)
    # One-hot width sets the size even when the last class never occurs.
    assert viz.confusion_matrix(np.eye(5)[[0, 1]], [0, 1]).shape == (5, 5)


def cell_texts(ax):
    return {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}


def test_plot_confusion_matrix_counts_annotations_and_labels():
    fig = viz.plot_confusion_matrix(Y_TRUE, Y_PRED, class_names=["cat", "dog", "emu"])
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), EXPECTED)
    texts = cell_texts(ax)
    assert len(texts) == 9
    for (i, j), t in texts.items():
        assert t.get_text() == str(EXPECTED[i, j])
    # The darkest cells (largest counts in "Blues") get white text, the palest black.
    assert same_color(texts[(0, 0)].get_color(), "white")
    assert same_color(texts[(0, 2)].get_color(), "black")
    assert ax.get_xlabel() == "Predicted" and ax.get_ylabel() == "True"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "emu"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog", "emu"]


@pytest.mark.parametrize("normalize", ["true", "pred", "all"])
def test_plot_confusion_matrix_normalized_like_sklearn(normalize):
    fig = viz.plot_confusion_matrix(Y_TRUE, Y_PRED, normalize=normalize, title="norm")
    ax = fig.axes[0]
    expected = sk_confusion_matrix(Y_TRUE, Y_PRED, normalize=normalize)
    np.testing.assert_allclose(ax.images[0].get_array(), expected)
    for (i, j), t in cell_texts(ax).items():
        assert t.get_text() == f"{expected[i, j]:.2f}"
    assert ax.get_title() == "norm"


def test_plot_confusion_matrix_true_rows_hand_checked():
    ax = viz.plot_confusion_matrix(Y_TRUE, Y_PRED, normalize="true").axes[0]
    assert cell_texts(ax)[(0, 0)].get_text() == "0.67"  # 2 of 3 true cats
    assert cell_texts(ax)[(2, 0)].get_text() == "0.50"  # 1 of 2 true emus


@pytest.mark.parametrize(
    ("y_true", "y_pred", "kwargs", "exc", "match"),
    [
        ([0, 1], [0, 1], {"normalize": "rows"}, ValueError, "normalize must be one of"),
        ([0, 1, 1], [0, 1], {}, ValueError, "3 labels but y_pred has 2"),
        ([], [], {}, ValueError, "empty"),
        ([0, 3], [0, 1], {"class_names": ["a", "b"]}, ValueError, r"index 3.*len\(class_names\)"),
        ([0.2, 0.9], [0, 1], {}, ValueError, "threshold"),
        (np.zeros((2, 2, 2)), [0, 1], {}, ValueError, r"shape \(2, 2, 2\)"),
    ],
)
def test_plot_confusion_matrix_bad_input(y_true, y_pred, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        viz.plot_confusion_matrix(y_true, y_pred, **kwargs)


def test_confusion_matrix_rejects_labels_beyond_num_classes():
    with pytest.raises(ValueError, match="num_classes=2"):
        viz.confusion_matrix([0, 2], [0, 1], num_classes=2)


# --------------------------------------------------------------------------- filters and maps


def test_show_filters_rgb_normalised_per_filter():
    rng = np.random.default_rng(3)
    kernel = rng.normal(size=(3, 3, 3, 10))
    fig = viz.show_filters(kernel)
    axes = visible_axes(fig)
    assert len(axes) == 10
    assert [ax.get_title() for ax in axes] == [f"#{i}" for i in range(10)]
    for i, ax in enumerate(axes):
        data = np.asarray(ax.images[0].get_array())
        assert data.shape == (3, 3, 3)
        assert data.min() == pytest.approx(0) and data.max() == pytest.approx(1)
        f = kernel[..., i]
        np.testing.assert_allclose(data, (f - f.min()) / (f.max() - f.min()))


def test_show_filters_caps_panels_and_selects_channel():
    rng = np.random.default_rng(4)
    kernel = rng.normal(size=(5, 5, 3, 100))
    fig = viz.show_filters(kernel, channel=1)
    axes = visible_axes(fig)
    assert len(axes) == min(100, 64)
    assert "(first 64 of 100)" in fig.get_suptitle()
    im = axes[7].images[0]
    np.testing.assert_array_equal(im.get_array(), kernel[:, :, 1, 7])
    assert im.get_cmap().name == viz.DIVERGING_CMAP
    vmin, vmax = im.get_clim()
    assert vmin == -vmax == -np.abs(kernel[:, :, 1, 7]).max()
    assert len(visible_axes(viz.show_filters(kernel, max_filters=5))) == 5


def test_show_filters_single_2d_filter_with_values():
    sobel = np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    fig = viz.show_filters(sobel, annotate=True)
    (ax,) = visible_axes(fig)
    np.testing.assert_array_equal(ax.images[0].get_array(), sobel)
    assert ax.get_title() == "#0"
    assert sorted(t.get_text() for t in ax.texts) == sorted(f"{v:.2g}" for v in sobel.ravel())


@pytest.mark.parametrize(
    ("kernel", "kwargs", "exc", "match"),
    [
        (np.zeros((3, 3, 8)), {}, ValueError, r"shape \(3, 3, 8\).*\(fh, fw, C_in, C_out\)"),
        (np.zeros((3, 3, 1, 4)), {"channel": 1}, ValueError, "channel=1 is out of range"),
        ([np.zeros((3, 3, 1, 4)), np.zeros(4)], {}, TypeError, r"get_weights\(\)\[0\]"),
        (np.zeros((3, 3, 1, 4)), {"max_filters": 0}, ValueError, "max_filters"),
    ],
)
def test_show_filters_bad_input(kernel, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        viz.show_filters(kernel, **kwargs)


def test_show_feature_maps_batch_of_one():
    rng = np.random.default_rng(5)
    maps = rng.random((1, 6, 6, 5)).astype("float32")
    maps[0, :, :, 3] = 0.0  # a "dead" channel
    fig = viz.show_feature_maps(maps, ncols=4, title="conv1")
    axes = visible_axes(fig)
    assert len(axes) == 5 and len(fig.axes) == 8
    for c, ax in enumerate(axes):
        np.testing.assert_array_equal(ax.images[0].get_array(), maps[0, :, :, c])
        assert ax.images[0].get_cmap().name == "viridis"
    assert axes[0].get_title() == "#0"
    assert axes[3].get_title() == "#3 (const 0)"
    assert fig.get_suptitle() == "conv1"
    assert len(visible_axes(viz.show_feature_maps(maps[0], max_maps=2))) == 2


@pytest.mark.parametrize(
    ("maps", "match"),
    [
        (np.zeros((4, 6, 6, 2)), r"batch of 4 samples.*maps\[0\]"),
        (np.zeros(6), r"shape \(6,\)"),
        (np.zeros((6, 6, 0)), "empty"),
    ],
)
def test_show_feature_maps_bad_input(maps, match):
    with pytest.raises(ValueError, match=match):
        viz.show_feature_maps(maps)


# --------------------------------------------------------------------------- plot_functions


def test_plot_functions_default_x_and_values():
    funcs = {"relu": lambda x: np.maximum(x, 0), "tanh": np.tanh, "one": lambda x: 1.0}
    fig = viz.plot_functions(funcs, title="activations")
    axes = visible_axes(fig)
    assert [ax.get_title() for ax in axes] == ["relu", "tanh", "one"]
    expected_x = np.linspace(-5, 5, 201)
    for ax, f in zip(axes, funcs.values(), strict=True):
        curve = ax.get_lines()[0]
        np.testing.assert_allclose(curve.get_xdata(), expected_x)
        np.testing.assert_allclose(curve.get_ydata(), np.broadcast_to(f(expected_x), (201,)))
        assert ax.xaxis.get_gridlines()[0].get_visible()
    # relu and tanh cross zero: both reference lines; the constant 1 only gets the y axis.
    assert len(axes[1].get_lines()) == 3
    assert len(axes[2].get_lines()) == 2
    assert fig.get_suptitle() == "activations"


def test_plot_functions_custom_x_keeps_range():
    x = np.linspace(1, 3, 5)
    (ax,) = visible_axes(viz.plot_functions([("square", np.square)], x=x))
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), x**2)
    assert ax.get_xlim()[0] > 0.5  # no line at x=0 stretching the axes


@pytest.mark.parametrize(
    ("funcs", "kwargs", "exc", "match"),
    [
        ({}, {}, ValueError, "no functions"),
        ({"bad": 3}, {}, TypeError, "not a function"),
        ({"sum": np.sum}, {"x": [[1, 2]]}, ValueError, "1-D array"),
        ({"head": lambda x: x[:3]}, {}, ValueError, r"'head' returned shape \(3,\)"),
        (np.tanh, {}, TypeError, "dict"),
    ],
)
def test_plot_functions_bad_input(funcs, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        viz.plot_functions(funcs, **kwargs)


def test_show_filters_default_titles():
    assert viz.show_filters(np.ones((3, 3))).get_suptitle() == "1 filter 3x3"
    fig = viz.show_filters(np.ones((5, 5, 3, 2)))
    assert fig.get_suptitle() == "2 filters 5x5, RGB"
    fig = viz.show_filters(np.ones((5, 5, 3, 2)), channel=2, title=None)
    assert fig.get_suptitle() == "2 filters 5x5, input channel 2 of 3"


def test_draw_boxes_draws_one_patch_and_caption_per_box():
    fig, ax = plt.subplots()
    ax.imshow(np.zeros((20, 20)))
    viz.draw_boxes(ax, [[1, 2, 5, 6], [8, 8, 12, 15]], labels=[0, 1], scores=[0.9, 0.4],
                   class_names=["cat", "dog"])  # fmt: skip
    assert len(ax.patches) == 2
    assert [t.get_text() for t in ax.texts] == ["cat 0.90", "dog 0.40"]
    # Edges sit on pixel borders: column 1's left edge is at x = 0.5 in imshow coordinates.
    assert ax.patches[0].get_xy() == (0.5, 1.5) and ax.patches[0].get_width() == 4
    viz.draw_boxes(ax, [[5, 5, 2, 2]], fmt="cxcywh")
    assert ax.patches[2].get_xy() == (3.5, 3.5)
    with pytest.raises(ValueError, match="2 boxes but 1 labels"):
        viz.draw_boxes(ax, [[1, 2, 5, 6], [8, 8, 12, 15]], labels=[0])
    plt.close(fig)
