"""Digit canvases: exact boxes and masks, reproducibility, overlap control, VOC XML."""

import numpy as np
import pytest

from helpers import boxes, canvases


@pytest.fixture(scope="module")
def digits():
    # Synthetic "digits" keep the test independent of the data cache: a filled square per class
    # drawn at a class-dependent place inside a 28×28 tile.
    rng = np.random.default_rng(0)
    x = np.zeros((40, 28, 28), np.uint8)
    y = np.arange(40) % 4
    for i, c in enumerate(y):
        top = 4 + int(c) * 3
        x[i, top : top + 10, 6 : 6 + 8 + int(rng.integers(0, 6))] = 255
    return x, y


def test_shapes_types_and_reproducibility(digits):
    x, y = digits
    a = canvases.make_canvases(x, y, 30, size=64, objects=(1, 3), seed=3, clutter=1)
    b = canvases.make_canvases(x, y, 30, size=64, objects=(1, 3), seed=3, clutter=1)
    assert len(a) == 30 and a.images.shape == (30, 64, 64) and a.images.dtype == np.float32
    assert a.masks.dtype == np.int16 and a.num_classes == 4
    assert 0 <= a.images.min() and a.images.max() <= 1
    np.testing.assert_array_equal(a.images, b.images)
    for ba, bb in zip(a.boxes, b.boxes, strict=True):
        np.testing.assert_array_equal(ba, bb)
    counts = [len(lab) for lab in a.labels]
    assert min(counts) >= 1 and max(counts) <= 3
    c = canvases.make_canvases(x, y, 30, size=64, objects=(1, 3), seed=4, clutter=1)
    assert not np.array_equal(a.images, c.images)


def test_boxes_are_tight_around_the_object_pixels(digits):
    x, y = digits
    cv = canvases.make_canvases(x, y, 25, size=64, objects=(1, 3), seed=1)
    for i in range(len(cv)):
        for j, (box, lab) in enumerate(zip(cv.boxes[i], cv.labels[i], strict=True)):
            ys, xs = np.nonzero(cv.instances[i] == j + 1)
            np.testing.assert_array_equal(box, [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
            assert np.all(cv.masks[i][cv.instances[i] == j + 1] == lab + 1)
            assert np.all(cv.images[i][ys, xs] >= canvases.OBJECT_THRESHOLD)
        # Without clutter every bright pixel belongs to some object.
        assert np.all((cv.masks[i] > 0) == (cv.images[i] >= canvases.OBJECT_THRESHOLD))


def test_no_overlap_by_default_and_limited_overlap_on_request(digits):
    x, y = digits
    cv = canvases.make_canvases(x, y, 40, size=64, objects=(2, 4), seed=2)
    for b in cv.boxes:
        m = boxes.iou_matrix(b, b)
        assert (m[~np.eye(len(b), dtype=bool)] == 0).all()
    cv = canvases.make_canvases(x, y, 40, size=48, objects=(3, 4), max_iou=0.3, seed=2)
    worst = max((boxes.iou_matrix(b, b) - np.eye(len(b))).max() for b in cv.boxes)
    assert 0 < worst <= 0.3


def test_clutter_is_background_and_has_no_box(digits):
    x, y = digits
    cv = canvases.make_canvases(x, y, 20, size=64, objects=(0, 0), clutter=3, seed=0)
    assert all(len(b) == 0 for b in cv.boxes)
    assert cv.images.max() > 0.5 and cv.masks.max() == 0


def test_subset_and_ground_truths(digits):
    x, y = digits
    cv = canvases.make_canvases(x, y, 10, size=64, seed=0)
    sub = cv.subset([2, 5])
    assert len(sub) == 2 and sub.size == 64
    np.testing.assert_array_equal(sub.images[1], cv.images[5])
    gts = sub.ground_truths()
    np.testing.assert_array_equal(gts[0]["boxes"], cv.boxes[2])
    np.testing.assert_array_equal(gts[0]["labels"], cv.labels[2])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"size": 20}, "do not fit"),
        ({"objects": (3, 1)}, "objects must be"),
        ({"scale": (0, 1)}, "scale must be"),
        ({"max_iou": 2}, "max_iou"),
        ({"size": 40, "objects": (9, 9)}, "could not place"),
    ],
)
def test_impossible_requests_are_refused(digits, kwargs, message):
    x, y = digits
    with pytest.raises(ValueError, match=message):
        canvases.make_canvases(x, y, 5, **kwargs)


def test_bad_source_images_are_refused():
    with pytest.raises(ValueError, match="grey digits"):
        canvases.make_canvases(np.zeros((3, 28, 20)), [0, 1, 2], 2)
    with pytest.raises(ValueError, match="3 images and 2 labels"):
        canvases.make_canvases(np.zeros((3, 28, 28)), [0, 1], 2)


def test_voc_round_trip(tmp_path, digits):
    x, y = digits
    cv = canvases.make_canvases(x, y, 3, size=64, objects=(2, 3), seed=5)
    names = [f"digit_{c}" for c in cv.labels[0]]
    path = canvases.write_voc(tmp_path / "0.xml", "0.png", (64, 64, 1), cv.boxes[0], names)
    text = path.read_text()
    x0, y0, x1, y1 = cv.boxes[0][0].astype(int)
    # VOC counts from 1 and includes the last pixel.
    assert f"<xmin>{x0 + 1}</xmin>" in text and f"<xmax>{x1}</xmax>" in text
    back = canvases.read_voc(path)
    assert back["filename"] == "0.png" and back["size"] == (64, 64, 1) and back["names"] == names
    np.testing.assert_array_equal(back["boxes"], cv.boxes[0])


def test_voc_errors(tmp_path):
    with pytest.raises(ValueError, match="whole pixels"):
        canvases.write_voc(tmp_path / "a.xml", "a.png", (9, 9, 1), [[0.5, 0, 3, 3]], ["x"])
    with pytest.raises(ValueError, match="1 boxes but 2 names"):
        canvases.write_voc(tmp_path / "a.xml", "a.png", (9, 9, 1), [[0, 0, 3, 3]], ["x", "y"])
    (tmp_path / "bad.xml").write_text("<annotation><size><width>3</width></size>")
    with pytest.raises(ValueError, match="not a valid VOC XML"):
        canvases.read_voc(tmp_path / "bad.xml")
    (tmp_path / "nosize.xml").write_text("<annotation></annotation>")
    with pytest.raises(ValueError, match="<size> missing"):
        canvases.read_voc(tmp_path / "nosize.xml")
