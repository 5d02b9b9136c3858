"""Tests of helpers.segmentation and helpers.pretrained.selfie_segmentation."""

import keras
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import segmentation as seg  # noqa: E402

# A 4×4 pair of masks computed by hand. Classes: 0 background, 1, 2; class 3 is absent.
TRUE = np.array([[0, 0, 1, 1],
                 [0, 1, 1, 1],
                 [0, 0, 2, 2],
                 [0, 0, 2, 2]])  # fmt: skip
PRED = np.array([[0, 1, 1, 1],
                 [0, 0, 1, 1],
                 [0, 0, 2, 0],
                 [0, 2, 2, 2]])  # fmt: skip
# class 0: true 7, predicted 7, both 5 → IoU 5/9, Dice 10/14
# class 1: true 5, predicted 5, both 4 → IoU 4/6, Dice 8/10
# class 2: true 4, predicted 4, both 3 → IoU 3/5, Dice 6/8


def test_counts_by_hand():
    tp, fp, fn = seg.confusion_counts(TRUE, PRED, 4)
    assert tp.tolist() == [5, 4, 3, 0]
    assert fp.tolist() == [2, 1, 1, 0]
    assert fn.tolist() == [2, 1, 1, 0]


def test_iou_and_dice_by_hand_with_an_absent_class():
    iou = seg.iou_per_class(TRUE, PRED, 4)
    dice = seg.dice_per_class(TRUE, PRED, 4)
    np.testing.assert_allclose(iou[:3], [5 / 9, 4 / 6, 3 / 5])
    np.testing.assert_allclose(dice[:3], [10 / 14, 8 / 10, 6 / 8])
    assert np.isnan(iou[3]) and np.isnan(dice[3])  # absent from both: undefined, not 0 or 1
    np.testing.assert_allclose(dice[:3], 2 * iou[:3] / (1 + iou[:3]))
    assert seg.mean_iou(TRUE, PRED, 4) == pytest.approx((5 / 9 + 4 / 6 + 3 / 5) / 3)
    assert seg.mean_iou(TRUE, PRED, 4, classes=[1, 2, 3]) == pytest.approx((4 / 6 + 3 / 5) / 2)
    assert np.isnan(seg.mean_iou(TRUE, PRED, 4, classes=[3]))
    assert seg.pixel_accuracy(TRUE, PRED) == pytest.approx(12 / 16)


def test_missed_class_scores_zero_not_nan():
    iou = seg.iou_per_class([[1, 1], [0, 0]], [[0, 0], [0, 0]], 2)
    assert iou.tolist() == [0.5, 0.0]
    # and a class only predicted (a false alarm) also scores 0
    assert seg.dice_per_class([[0, 0]], [[0, 1]], 2).tolist() == [2 / 3, 0.0]


def test_perfect_and_boolean_masks():
    m = np.random.default_rng(0).integers(0, 5, size=(3, 8, 8))
    assert np.all(seg.iou_per_class(m, m, 5) == 1.0)
    b = np.array([[True, False], [True, True]])
    assert seg.iou_per_class(b, b, 2).tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("y_true", "y_pred", "k", "match"),
    [
        (np.zeros((4, 4), int), np.zeros((4, 5), int), 2, "same shape"),
        (np.zeros((2, 4, 4), int), np.zeros((2, 4, 4, 3)), 3, "argmax"),
        (np.zeros((2, 4, 4, 1), int), np.zeros((2, 4, 4), int), 3, r"y_true\[\.\.\., 0\]"),
        (np.zeros((4, 4)), np.zeros((4, 4), int), 2, "integer class labels"),
        (np.full((2, 2), 3), np.zeros((2, 2), int), 3, "outside 0..2"),
        (np.full((2, 2), -1), np.zeros((2, 2), int), 3, "outside"),
        (np.zeros((0,), int), np.zeros((0,), int), 2, "empty"),
        (np.zeros((2, 2), int), np.zeros((2, 2), int), 0, "at least 1"),
    ],
)
def test_bad_input_gets_a_clear_error(y_true, y_pred, k, match):
    with pytest.raises(ValueError, match=match):
        seg.iou_per_class(y_true, y_pred, k)


def test_bad_num_classes_type_and_classes():
    with pytest.raises(TypeError, match="whole number"):
        seg.dice_per_class(TRUE, PRED, 4.0)
    with pytest.raises(ValueError, match="indices"):
        seg.mean_iou(TRUE, PRED, 4, classes=[4])
    with pytest.raises(ValueError, match="same shape"):
        seg.pixel_accuracy(TRUE, PRED[:2])


def test_report_lists_every_class_and_the_means():
    text = seg.segmentation_report(TRUE, PRED, 4, ["bg", "a", "b", "c"])
    assert "0.556" in text and "0.667" in text and "0.600" in text and "nan" in text
    assert "mean (1..)" in text
    with pytest.raises(ValueError, match="class names"):
        seg.segmentation_report(TRUE, PRED, 4, ["bg"])


# ----------------------------------------------------------------------------- Keras metrics


def _probs(labels, k):
    return keras.ops.convert_to_numpy(keras.ops.one_hot(labels, k)).astype("float32") * 0.9 + 0.01


def test_keras_iou_metric_matches_numpy_on_softmax_outputs():
    yt, yp = TRUE[None], PRED[None]
    m = seg.iou_metric(4)
    m.update_state(yt, _probs(yp, 4))
    assert float(m.result()) == pytest.approx(seg.mean_iou(TRUE, PRED, 4), abs=1e-6)
    objects = seg.iou_metric(4, classes=range(1, 4), name="objects")
    objects.update_state(yt, _probs(yp, 4))
    assert float(objects.result()) == pytest.approx((4 / 6 + 3 / 5) / 2, abs=1e-6)
    with pytest.raises(ValueError, match="indices"):
        seg.iou_metric(4, classes=[0, 9])


def test_dice_metric_matches_numpy_and_accumulates_over_batches():
    rng = np.random.default_rng(1)
    yt = rng.integers(0, 5, size=(6, 8, 8))
    yp = np.where(rng.random((6, 8, 8)) < 0.7, yt, rng.integers(0, 5, size=(6, 8, 8)))
    m = seg.Dice(5)
    m.update_state(yt[:3], _probs(yp[:3], 5))
    m.update_state(yt[3:, ..., None], _probs(yp[3:], 5))  # (B, H, W, 1) labels too
    expected = np.nanmean(seg.dice_per_class(yt, yp, 5))
    assert float(m.result()) == pytest.approx(expected, abs=1e-6)
    m.reset_state()
    assert float(m.result()) == 0.0
    sparse = seg.Dice(4, classes=[1, 2, 3], sparse_y_pred=True)
    sparse.update_state(TRUE[None], PRED[None])
    assert float(sparse.result()) == pytest.approx((8 / 10 + 6 / 8) / 2, abs=1e-6)
    with pytest.raises(ValueError, match="indices"):
        seg.Dice(3, classes=[3])


def test_metrics_work_in_compile_and_fit():
    model = seg.build_fcn((16, 16, 1), 3, widths=(4, 4))
    metrics = [seg.iou_metric(3, range(1, 3), name="obj_iou"), seg.Dice(3)]
    model.compile("adam", "sparse_categorical_crossentropy", metrics=metrics)
    x = np.random.default_rng(2).random((4, 16, 16, 1)).astype("float32")
    y = (x[..., 0] * 3).astype("int64").clip(0, 2)
    hist = model.fit(x, y, epochs=1, verbose=0)
    assert {"obj_iou", "dice"} <= set(hist.history)


# ----------------------------------------------------------------------------- sizes and models


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("output_padding", [None, 0, 1])
def test_transposed_output_size_matches_keras(padding, output_padding):
    for n in (1, 2, 3, 5, 8):
        for k in (1, 2, 3, 4, 5):
            for s in (1, 2, 3):
                if output_padding is not None and output_padding >= s:
                    continue
                layer = keras.layers.Conv2DTranspose(1, k, strides=s, padding=padding,
                                                     output_padding=output_padding)  # fmt: skip
                want = layer.compute_output_shape((1, n, n, 1))[1]
                assert seg.transposed_output_size(n, k, s, padding, output_padding) == want


def test_transposed_output_size_runs_like_keras_on_the_chapter_example():
    x = np.arange(1.0, 5.0, dtype="float32").reshape(1, 2, 2, 1)
    for padding, want in (("valid", 5), ("same", 4)):
        out = keras.layers.Conv2DTranspose(1, 3, strides=2, padding=padding)(x)
        assert out.shape[1] == want == seg.transposed_output_size(2, 3, 2, padding)


@pytest.mark.parametrize(
    ("args", "match"),
    [((0, 3, 2), "n must"), ((2, 3, 0), "stride"), ((2, 3, 2, "full"), "padding"),
     ((2, 3, 2, "same", 2), "smaller than the stride"), ((2.5, 3, 2), "n must")],
)  # fmt: skip
def test_transposed_output_size_refuses_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        seg.transposed_output_size(*args)


def _unet_count(c_in, k, widths, bottleneck, bn):
    """The U-Net's weight count by formula (3×3 convs, BN 4 per channel, 2×2 up-convs)."""

    def pair(a, b):
        convs = 9 * a * b + 9 * b * b + (0 if bn else 2 * b)
        return convs + (8 * b if bn else 0)

    total, c = 0, c_in
    for w in widths:
        total += pair(c, w)
        c = w
    total += pair(c, bottleneck)
    c = bottleneck
    for w in widths[::-1]:
        total += 4 * c * w + w  # the 2×2 transposed convolution (with bias)
        total += pair(2 * w, w)  # after concatenating the skip
        c = w
    return total + c * k + k


def test_full_unet_parameter_counts():
    full = seg.build_unet((64, 64, 1), 11)
    assert full.count_params() == 31_048_907 == _unet_count(1, 11, (64, 128, 256, 512), 1024, True)
    original = seg.build_unet((64, 64, 1), 2, batch_norm=False)
    assert original.count_params() == 31_030_658 == _unet_count(1, 2, seg.UNET_WIDTHS, 1024, False)


def test_cpu_unet_shapes_skips_and_dropout():
    model = seg.build_unet((64, 64, 1), 11, width_multiplier=0.25, dropout=0.1)
    assert model.output_shape == (None, 64, 64, 11)
    assert seg.unet_widths(width_multiplier=0.25) == ((16, 32, 64, 128), 256)
    assert model.count_params() == _unet_count(1, 11, (16, 32, 64, 128), 256, True)
    # up block i joins down block i's skip: 16 channels from the skip + 16 from below, …
    assert model.get_layer("up1_concat").output.shape == (None, 64, 64, 32)
    assert model.get_layer("up4_concat").output.shape == (None, 8, 8, 256)
    assert model.get_layer("bottleneck_conv2").output.shape == (None, 4, 4, 256)
    assert sum(isinstance(x, keras.layers.Dropout) for x in model.layers) == 9
    assert sum(isinstance(x, keras.layers.BatchNormalization) for x in model.layers) == 18


def test_unet_and_fcn_refuse_bad_shapes():
    with pytest.raises(ValueError, match="divisible by 16"):
        seg.build_unet((60, 64, 1), 3, width_multiplier=0.1)
    with pytest.raises(ValueError, match="dropout"):
        seg.build_unet((32, 32, 1), 3, width_multiplier=0.1, dropout=[0.1, 0.2])
    with pytest.raises(ValueError, match="height, width, channels"):
        seg.build_fcn((32, 32), 3)
    with pytest.raises(ValueError, match="width_multiplier"):
        seg.unet_widths(width_multiplier=0)


def test_fcn_output_is_full_size():
    model = seg.build_fcn((32, 32, 1), 4, widths=(4, 8, 8))
    assert model.output_shape == (None, 32, 32, 4)
    assert model.get_layer("scores").output.shape == (None, 4, 4, 4)


# ----------------------------------------------------------------------------- overlay


def test_overlay_mask_draws_and_checks_shapes():
    fig, ax = plt.subplots()
    img = np.random.default_rng(3).random((8, 8))
    mask = np.zeros((8, 8), np.int16)
    mask[2:4, 2:4] = 3
    seg.overlay_mask(ax, img, mask, [str(c) for c in range(5)], alpha=0.5)
    assert len(ax.images) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["3"]
    with pytest.raises(ValueError, match="does not match"):
        seg.overlay_mask(ax, img, mask[:4])
    with pytest.raises(ValueError, match="integer class labels"):
        seg.overlay_mask(ax, img, mask.astype(float))
    with pytest.raises(ValueError, match="alpha"):
        seg.overlay_mask(ax, img, mask, alpha=2)
    with pytest.raises(ValueError, match="class names"):
        seg.overlay_mask(ax, img, mask, ["bg", "one"])
    seg.overlay_mask(ax, (img[..., None] * 255).repeat(3, -1).astype(np.uint8), mask)
    plt.close(fig)
    assert seg.class_colours(11).shape == (11, 3) and seg.class_colours(11)[0].tolist() == [0, 0, 0]


# ----------------------------------------------------------------------------- selfie model


@pytest.fixture
def selfie():
    from helpers.pretrained import selfie_segmentation

    if not selfie_segmentation.available():
        pytest.skip(
            "the selfie-segmentation model is not in the cache (offline): run "
            "`python -m helpers data fetch selfie-segmentation` once with internet access"
        )
    return selfie_segmentation


def test_selfie_model_finds_the_astronaut(selfie):
    import skimage.data

    img = skimage.data.astronaut()
    prob = selfie.person_probability(img)
    assert prob.shape == img.shape[:2] and prob.dtype == np.float32
    assert 0.0 <= prob.min() and prob.max() <= 1.0
    person = prob > 0.5
    assert 0.3 < person.mean() < 0.8
    assert person[300:400, 200:300].mean() > 0.9  # her chest and the suit
    assert person[:60, :60].mean() < 0.1  # the top-left corner is background


def test_selfie_model_refuses_bad_images(selfie):
    with pytest.raises(ValueError, match="RGB"):
        selfie.person_probability(np.zeros((8, 8)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        selfie.person_probability(np.full((8, 8, 3), 5.0))


def test_selfie_model_unavailable_offline_says_how_to_get_it(tmp_path, monkeypatch):
    from helpers.pretrained import selfie_segmentation

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert not selfie_segmentation.available()
    with pytest.raises(selfie_segmentation.SelfieModelUnavailableError, match="data fetch"):
        selfie_segmentation.model_path(download=False)
