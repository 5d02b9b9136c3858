"""Tests of helpers.classic_detection: windows, pyramids, HOG + SVM, Haar, MTCNN, FCN conversion."""

import numpy as np
import pytest
import skimage.data
from skimage.feature import hog

from helpers import boxes as bx
from helpers import classic_detection as cd

RNG = np.random.default_rng(18)
#: The astronaut's face, drawn by hand (xyxy): forehead to chin, ear to ear.
FACE = np.array([178.0, 66.0, 270.0, 170.0])


# ------------------------------------------------------------------------ pyramid, windows
def test_pyramid_shapes_and_levels():
    assert cd.pyramid_shapes((100, 80), scale=2, min_size=20) == [(100, 80), (50, 40), (25, 20)]
    assert cd.pyramid_shapes((100, 80), scale=2, min_size=20, max_levels=2) == [(100, 80), (50, 40)]
    img = RNG.integers(0, 256, size=(90, 120, 3)).astype(np.uint8)
    levels = cd.image_pyramid(img, scale=1.5, min_size=(20, 30))
    assert [lv.shape for lv in levels] == cd.pyramid_shapes(img.shape, 1.5, (20, 30))
    assert levels[0].image is img and levels[0].factor == 1.0
    assert levels[2].factor == pytest.approx(2.25) and levels[2].image.dtype == np.uint8
    assert levels[1].image.shape == (60, 80, 3)
    flat = cd.image_pyramid(np.full((64, 64), 0.25), scale=2, min_size=16)
    assert all(np.allclose(lv.image, 0.25) for lv in flat)  # averaging keeps a flat image flat
    for kwargs, msg in [
        ({"scale": 1.0}, "scale"),
        ({"min_size": 0}, "positive"),
        ({"min_size": 200}, "smaller than min_size"),
        ({"max_levels": 0}, "max_levels"),
    ]:
        with pytest.raises(ValueError, match=msg):
            cd.pyramid_shapes((100, 100), **{"scale": 1.25, "min_size": 10, **kwargs})


@pytest.mark.parametrize(
    "shape,window,step",
    [((64, 64), 32, 8), ((50, 70), (20, 10), (5, 7)), ((33, 33), 33, 4), ((40, 41, 3), 8, 8)],
)
def test_sliding_windows_match_the_formula(shape, window, step):
    img = RNG.random(shape)
    w = cd.sliding_windows(img, window, step)
    assert len(w) == cd.window_count(shape, window, step) == w.grid[0] * w.grid[1]
    wh, ww = (window, window) if np.ndim(window) == 0 else window
    sy, sx = (step, step) if np.ndim(step) == 0 else step
    assert w.grid == ((shape[0] - wh) // sy + 1, (shape[1] - ww) // sx + 1)
    for k in (0, len(w) // 2, len(w) - 1):  # each crop is the image under its box
        x0, y0, x1, y1 = w.boxes[k].astype(int)
        np.testing.assert_array_equal(w.crops[k], img[y0:y1, x0:x1])
    assert w.boxes[:, 2].max() <= shape[1] and w.boxes[:, 3].max() <= shape[0]


def test_window_counts():
    assert cd.window_count((512, 512), 32, 8) == 61 * 61 == 3721
    assert cd.window_count((20, 20), 32, 8) == 0
    total = sum(
        len(cd.sliding_windows(lv.image, 32, 8))
        for lv in cd.image_pyramid(np.zeros((120, 90)), 1.25, 32)
    )
    assert cd.pyramid_window_count((120, 90), 32, 8, 1.25) == total
    with pytest.raises(ValueError, match="larger than the image"):
        cd.sliding_windows(np.zeros((10, 10)), 12, 1)
    with pytest.raises(ValueError, match="positive whole"):
        cd.window_count((10, 10), 3, 0)


# ------------------------------------------------------------------------------------ HOG
def test_hog_length_and_features():
    assert cd.hog_length(64, 128) == 7 * 15 * 4 * 9 == 3780
    assert cd.hog_length(32) == 324 and cd.hog_length(48) == 900
    with pytest.raises(ValueError, match="block"):
        cd.hog_length(8)
    crops = RNG.random((5, 25, 25))
    f = cd.hog_features(crops, size=32)
    assert f.shape == (5, 324) and np.all(f >= 0)
    same = cd.hog_features(RNG.random((32, 32)) * 0 + crops[0][:1, :1], size=32)  # flat crop
    assert same.shape == (1, 324) and np.allclose(same, 0)
    direct = hog(
        crops[0],
        orientations=9,
        pixels_per_cell=(8, 8),
        cells_per_block=(2, 2),
        block_norm="L2-Hys",
    )
    np.testing.assert_allclose(cd.hog_features(crops[:1], size=None)[0], direct)
    rgb = (RNG.random((2, 32, 32, 3)) * 255).astype(np.uint8)
    assert cd.hog_features(rgb).shape == (2, 324)
    with pytest.raises(ValueError, match="crops"):
        cd.hog_features(np.zeros(5))


def test_hog_grid_slices_match_cut_out_windows():
    """The detector slices one HOG of the whole level; that is the HOG of the cut-out window
    except where a block touches the window's border pixels (which see no neighbours in the
    crop): with 4×4 cells, the centre block (cells 1–2, pixels 8–23) is identical."""
    gray = cd.to_gray(skimage.data.astronaut())[100:228, 100:228]
    model = cd.FaceSVM(svm=None, size=32)
    feats, boxes = next(cd._window_features(gray, model, step=8, scale=10.0))
    assert feats.shape == (cd.window_count(gray.shape, 32, 8), 324)
    for k in (0, 40, len(boxes) - 1):
        x0, y0, x1, y1 = boxes[k].astype(int)
        crop = cd.hog_features(gray[y0:y1, x0:x1], size=None)[0]
        assert np.corrcoef(crop, feats[k])[0, 1] > 0.75
        np.testing.assert_allclose(crop.reshape(3, 3, -1)[1, 1], feats[k].reshape(3, 3, -1)[1, 1])


# ---------------------------------------------------------------------- the face detector
def test_face_training_data():
    crops, labels, source = cd.face_training_data(30, seed=1)
    assert crops.shape == (330, 25, 25) and labels.sum() == 200
    np.testing.assert_array_equal(crops[-100:], crops[:100, :, ::-1])  # mirrored faces
    assert set(source[labels == 1]) == set(range(100)) and len(set(source)) == 230
    assert 0 <= crops.min() and crops.max() <= 1
    with pytest.raises(ValueError, match="n_random"):
        cd.face_training_data(-1)


@pytest.fixture(scope="module")
def face_svm():
    return cd.train_face_svm(n_random=400, hard_negative_rounds=1, seed=0)


def test_train_face_svm(face_svm):
    assert face_svm.val_accuracy > 0.85 and face_svm.val_face_recall > 0.8
    assert face_svm.n_train["faces"] == 150 and 0 < face_svm.n_train["hard negatives"] <= 500
    assert face_svm.weights.shape == (324,)
    with pytest.raises(ValueError, match="val_fraction"):
        cd.train_face_svm(val_fraction=1.0)


def test_detect_faces_hog(face_svm):
    img = skimage.data.astronaut()
    det = cd.detect_faces_hog(img, face_svm, score_threshold=0.0, nms_iou=0.3)
    assert det.method == "hog+svm" and det.windows == cd.pyramid_window_count(img.shape, 32, 8)
    assert np.all(np.diff(det.scores) <= 0) and np.all(det.scores >= 0)
    assert bx.iou_matrix(det.boxes, det.boxes)[np.triu_indices(len(det), 1)].max() <= 0.3
    assert bx.iou(det.boxes[:5], FACE).max() > 0.5  # the face is among the best five
    boxes, scores = cd.score_windows(img, face_svm, step=4, max_levels=1)
    assert len(boxes) == len(scores) == cd.window_count((512, 512), 32, 4)  # half-cell steps
    with pytest.raises(ValueError, match="divides"):
        cd.detect_faces_hog(img, face_svm, step=3)


def test_detect_faces_haar(monkeypatch):
    img = skimage.data.astronaut()
    det = cd.detect_faces_haar(img)
    assert det.method == "haar" and len(det) >= 1 and det.landmarks is None
    assert bx.iou(det.boxes[0], FACE) > 0.6
    gray = cd.detect_faces_haar(cd.to_gray(img))
    np.testing.assert_allclose(gray.boxes, det.boxes, atol=2)
    assert len(cd.detect_faces_haar(np.zeros((100, 100), np.uint8))) == 0
    import cv2

    monkeypatch.delattr(cv2, "CascadeClassifier")
    monkeypatch.setattr(cd, "_CASCADES", {})
    with pytest.raises(RuntimeError, match="opencv-contrib"):
        cd.detect_faces_haar(img)


def test_detect_faces_mtcnn(capfd):
    img = skimage.data.astronaut()
    det = cd.detect_faces_mtcnn(img)
    assert det.method == "mtcnn" and len(det) == 1 and det.scores[0] > 0.95
    assert bx.iou(det.boxes[0], FACE) > 0.6
    (le, re, nose, ml, mr) = det.landmarks[0]
    assert (
        le[0] < nose[0] < re[0] and nose[1] < ml[1]
    )  # eyes either side of the nose, above the mouth
    assert all(bx.iou(np.r_[p, p + 1], det.boxes[0]) >= 0 for p in det.landmarks[0])
    x0, y0, x1, y1 = det.boxes[0]
    assert np.all((det.landmarks[0] >= [x0, y0]) & (det.landmarks[0] <= [x1, y1]))
    again = cd.detect_faces_mtcnn(img.astype(np.float32) / 255)  # floats in [0, 1] work too
    np.testing.assert_allclose(again.boxes, det.boxes, atol=2)
    out, err = capfd.readouterr()
    assert out == "" and "WARNING" not in err


def test_time_per_image():
    calls = []
    t = cd.time_per_image(calls.append, "img", repeats=3)
    assert len(calls) == 4 and t >= 0
    with pytest.raises(ValueError, match="repeats"):
        cd.time_per_image(calls.append, "img", repeats=0)


# --------------------------------------------------------------- fully convolutional networks
def _classifier(padding="valid", extra=()):
    import keras

    keras.utils.set_random_seed(3)
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(4, 3, activation="relu", padding=padding),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(6, 3, padding=padding),
            keras.layers.BatchNormalization(),
            keras.layers.Activation("relu"),
            keras.layers.MaxPooling2D(2),
            *extra,
            keras.layers.Flatten(),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(5, activation="softmax"),
        ]
    )


def test_fcn_equals_the_classifier_on_every_window():
    model = _classifier()
    bn = model.layers[3]  # give BatchNormalization non-trivial statistics
    bn.set_weights([w + RNG.random(w.shape).astype("float32") for w in bn.get_weights()])
    fcn = cd.to_fully_convolutional(model)
    window, stride = cd.fcn_geometry(model)
    assert window == (28, 28) and stride == (4, 4)
    assert all(type(layer).__name__ != "Dense" for layer in fcn.layers)
    x = RNG.random((2, 28, 28, 1)).astype("float32")
    out = np.asarray(fcn(x))
    assert out.shape == (2, 1, 1, 5)
    np.testing.assert_allclose(out[:, 0, 0], np.asarray(model(x)), atol=1e-5)
    big = RNG.random((1, 44, 52, 1)).astype("float32")
    grid = np.asarray(fcn(big))[0]
    assert grid.shape == (5, 7, 5) == ((44 - 28) // 4 + 1, (52 - 28) // 4 + 1, 5)
    boxes = cd.grid_boxes(grid.shape[:2], window, stride)
    crops = np.stack([big[0, int(y0) : int(y1), int(x0) : int(x1)] for x0, y0, x1, y1 in boxes])
    np.testing.assert_allclose(grid.reshape(-1, 5), np.asarray(model(crops)), atol=1e-5)


def test_fcn_errors_and_functional_models():
    import keras

    inp = keras.Input((28, 28, 1))
    h = keras.layers.Conv2D(3, 5)(inp)
    out = keras.layers.Dense(4)(keras.layers.Flatten()(h))
    fcn = cd.to_fully_convolutional(keras.Model(inp, out))
    assert fcn(np.zeros((1, 60, 40, 1), "float32")).shape == (1, 33, 13, 4)
    gap = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(3, 3),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(2),
        ]
    )
    with pytest.raises(ValueError, match="GlobalAveragePooling2D"):
        cd.to_fully_convolutional(gap)
    conv_only = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(3, 3)])
    with pytest.raises(ValueError, match="already fully convolutional"):
        cd.to_fully_convolutional(conv_only)
    with pytest.raises(TypeError):
        cd.to_fully_convolutional("model")


def test_same_padding_converts_but_only_the_centre_matches():
    model = _classifier("same")
    fcn = cd.to_fully_convolutional(model)
    x = RNG.random((1, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(np.asarray(fcn(x))[0, 0, 0], np.asarray(model(x))[0], atol=1e-5)


def test_grid_detections_and_square_boxes():
    grid = np.zeros((2, 3, 4))
    grid[..., 3] = 0.9  # class 3 = background everywhere …
    grid[1, 2] = [0.1, 0.7, 0.1, 0.1]  # … except one cell, sure of class 1
    det = cd.grid_to_detections(grid, 28, 4, background=3, min_score=0.5)
    assert det["labels"].tolist() == [1] and det["scores"].tolist() == [0.7]
    np.testing.assert_array_equal(det["boxes"], [[8, 4, 36, 32]])
    assert len(cd.grid_to_detections(grid, 28, 4)["boxes"]) == 6
    with pytest.raises(ValueError, match="background"):
        cd.grid_to_detections(grid, 28, 4, background=4)
    sq = cd.square_boxes([[10, 10, 20, 30]], 28)
    np.testing.assert_array_equal(sq, [[1, 6, 29, 34]])
    np.testing.assert_array_equal(
        cd.grid_boxes((1, 2), (3, 4), (5, 6)), [[0, 0, 4, 3], [6, 0, 10, 3]]
    )


def test_window_training_set():
    imgs = np.zeros((2, 64, 64), np.float32)
    boxes_ = [np.array([[10.0, 12.0, 30.0, 36.0]]), np.zeros((0, 4))]
    labels_ = [np.array([7]), np.zeros(0, int)]
    x, y = cd.window_training_set(
        imgs, boxes_, labels_, negatives_per_image=3, near_per_object=2, jitter=0, seed=0
    )
    assert x.shape == (len(y), 28, 28) and y.tolist() == [7] + [10] * (len(y) - 1)
    assert (y == 10).sum() == 3 + 3 + 2  # random ones on both images, near ones for the digit
    imgs[0, 12:36, 10:30] = 1.0  # the digit: the positive crop is centred on it
    x, _ = cd.window_training_set(imgs, boxes_, labels_, jitter=0, seed=0)
    assert x[0].sum() == 20 * 24 and x[0][2:26, 4:24].all()
    with pytest.raises(ValueError, match="larger than"):
        cd.window_training_set(imgs[:, :20, :20], boxes_, labels_)
    with pytest.raises(ValueError, match="one boxes"):
        cd.window_training_set(imgs, boxes_[:1], labels_)
