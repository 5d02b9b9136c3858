"""Tests of helpers.checks.lab10: solutions pass, typical mistakes fail with a useful message."""

import keras
import numpy as np
import pytest

from helpers import augment
from helpers.checks import CheckFailed, lab10
from helpers.grading_tests import lab10 as hidden


def good_hflip(img):
    return augment.hflip(img)


def good_shift(img, dx, dy, fill=0):
    img = np.asarray(img)
    return (
        augment.shift_image(img, dx, dy, fill_mode="constant", fill_value=fill)
        if (abs(dx) <= img.shape[1] and abs(dy) <= img.shape[0])
        else np.full_like(img, fill)
    )


def good_noise(img, sigma, rng):
    if sigma < 0:
        raise ValueError("negative sigma")
    return augment.add_gaussian_noise(img, sigma, rng)


def good_mixup(x1, y1, x2, y2, lam):
    x1, x2 = np.asarray(x1, dtype=float), np.asarray(x2, dtype=float)
    y1, y2 = np.asarray(y1, dtype=float), np.asarray(y2, dtype=float)
    if not 0 <= lam <= 1 or x1.shape != x2.shape or y1.shape != y2.shape:
        raise ValueError("bad input")
    return lam * x1 + (1 - lam) * x2, lam * y1 + (1 - lam) * y2


def good_tta(prob_list):
    arrays = [np.asarray(p, dtype=float) for p in prob_list]
    if not arrays or any(a.shape != arrays[0].shape for a in arrays):
        raise ValueError("bad input")
    return np.mean(arrays, axis=0)


def good_build():
    return augment.augmentation_pipeline(
        flip="horizontal", rotation=0.05, translation=0.1, zoom=0.2, fill_mode="nearest"
    )


GOOD = {
    "hflip": (lab10.check_hflip, good_hflip),
    "shift_image": (lab10.check_shift_image, good_shift),
    "add_gaussian_noise": (lab10.check_add_gaussian_noise, good_noise),
    "mixup": (lab10.check_mixup, good_mixup),
    "tta_average": (lab10.check_tta_average, good_tta),
    "build_augmentation": (lab10.check_build_augmentation, good_build),
}
HIDDEN = {name: test for name, _, test in hidden.QUESTIONS}


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


def test_solutions_pass(capsys):
    for check, fn in GOOD.values():
        assert "passed" in check(fn)
    assert capsys.readouterr().out.count("✔") == len(GOOD)


def test_hidden_tests_accept_the_solutions():
    assert set(HIDDEN) == set(GOOD)
    assert sum(points for _, points, _ in hidden.QUESTIONS) == 12
    for name, (_, fn) in GOOD.items():
        HIDDEN[name](fn)


@pytest.mark.parametrize("name", list(GOOD))
def test_blank_exercise_fails(name):
    def not_done(*args, **kwargs):
        raise NotImplementedError

    with pytest.raises(CheckFailed, match="not implemented yet"):
        GOOD[name][0](not_done)
    with pytest.raises(hidden.Failed, match="not implemented"):
        HIDDEN[name](not_done)


@pytest.mark.parametrize("name", list(GOOD))
def test_always_equal_object_fails(name):
    with pytest.raises(CheckFailed):
        GOOD[name][0](lambda *a, **k: AlwaysEqual())
    with pytest.raises(hidden.Failed):
        HIDDEN[name](lambda *a, **k: AlwaysEqual())


def both_fail(name, fn, match):
    with pytest.raises(CheckFailed, match=match):
        GOOD[name][0](fn)
    with pytest.raises(hidden.Failed):
        HIDDEN[name](fn)


def test_hflip_mistakes():
    both_fail("hflip", lambda img: np.asarray(img)[::-1].copy(), "rows were reversed")
    both_fail("hflip", lambda img: np.asarray(img)[:, ::-1], "view of the input")
    both_fail("hflip", lambda img: np.fliplr(np.asarray(img)).astype(float), "dtype")

    def no_validation(img):
        return np.asarray(img)[:, ::-1].copy()

    with pytest.raises(CheckFailed, match="raised IndexError; raise ValueError"):
        lab10.check_hflip(no_validation)


def test_shift_mistakes():
    both_fail("shift_image", lambda img, dx, dy, fill=0: good_shift(img, -dx, -dy, fill),
              "moved left")  # fmt: skip
    both_fail("shift_image", lambda img, dx, dy, fill=0: good_shift(img, dy, dx, fill),
              "wrong values")  # fmt: skip

    def rolls(img, dx, dy, fill=0):  # np.roll wraps around instead of filling
        return np.roll(np.asarray(img), (dy, dx), axis=(0, 1))

    both_fail("shift_image", rolls, "wrong values")

    def ignores_fill(img, dx, dy, fill=0):
        return good_shift(img, dx, dy, 0)

    both_fail("shift_image", ignores_fill, "fill=9")

    def float_out(img, dx, dy, fill=0):
        return good_shift(img, dx, dy, fill).astype(np.float64)

    both_fail("shift_image", float_out, "dtype changed")


def test_noise_mistakes():
    def no_clip(img, sigma, rng):
        if sigma < 0:
            raise ValueError
        return np.asarray(img, dtype=float) + rng.normal(0.0, sigma, size=np.shape(img))

    both_fail("add_gaussian_noise", no_clip, "above 1 or below 0")

    def variance(img, sigma, rng):
        return good_noise(img, sigma**2, rng)

    both_fail("add_gaussian_noise", variance, "not the variance")

    def global_rng(img, sigma, rng):
        if sigma < 0:
            raise ValueError
        return np.clip(img + np.random.normal(0.0, sigma, size=np.shape(img)), 0, 1)  # noqa: NPY002

    both_fail("add_gaussian_noise", global_rng, "from the given rng")

    def no_check(img, sigma, rng):
        return np.clip(np.asarray(img, float) + rng.normal(0.0, abs(sigma), np.shape(img)), 0, 1)

    with pytest.raises(CheckFailed, match="returned instead of raising ValueError"):
        lab10.check_add_gaussian_noise(no_check)


def test_mixup_mistakes():
    both_fail("mixup", lambda x1, y1, x2, y2, lam: good_mixup(x1, y1, x2, y2, 1 - lam),
              "swapped|wrong values")  # fmt: skip

    def labels_not_mixed(x1, y1, x2, y2, lam):
        x, _ = good_mixup(x1, y1, x2, y2, lam)
        return x, np.asarray(y1, dtype=float)

    both_fail("mixup", labels_not_mixed, "the label")

    def uint8_wrap(x1, y1, x2, y2, lam):
        _, y = good_mixup(x1, y1, x2, y2, lam)
        return (lam * np.asarray(x1) + (1 - lam) * np.asarray(x2)).astype(np.asarray(x1).dtype), y

    both_fail("mixup", uint8_wrap, "float")

    def returns_list(x1, y1, x2, y2, lam):
        return list(good_mixup(x1, y1, x2, y2, lam))

    both_fail("mixup", returns_list, "tuple")

    def no_validation(x1, y1, x2, y2, lam):
        x1, x2, y1, y2 = (np.asarray(a, float) for a in (x1, x2, y1, y2))
        return lam * x1 + (1 - lam) * x2[: len(x1)], lam * y1 + (1 - lam) * y2[: len(y1)]

    with pytest.raises(CheckFailed, match="ValueError"):
        lab10.check_mixup(no_validation)


def test_tta_mistakes():
    both_fail("tta_average", lambda probs: np.stack(probs).mean(axis=1), "averaged over the images")

    def majority_vote(probs):
        good_tta(probs)
        votes = np.stack([np.asarray(p).argmax(axis=1) for p in probs])
        n_classes = np.asarray(probs[0]).shape[1]
        counts = np.stack([(votes == k).sum(axis=0) for k in range(n_classes)], axis=1)
        return counts / len(probs)

    both_fail("tta_average", majority_vote, "wrong values")
    both_fail(
        "tta_average", lambda probs: np.stack(probs).max(axis=0).astype(float), "wrong values"
    )

    def no_validation(probs):
        return np.stack(probs).mean(axis=0) if probs else np.zeros((0,))

    with pytest.raises(CheckFailed, match="ValueError"):
        lab10.check_tta_average(no_validation)


def test_build_mistakes():
    L = keras.layers

    def degrees():
        return keras.Sequential([L.RandomRotation(18, fill_mode="nearest"),
                                 L.RandomTranslation(0.1, 0.1, fill_mode="nearest"),
                                 L.RandomZoom(0.2, fill_mode="nearest"),
                                 L.RandomFlip("horizontal")])  # fmt: skip

    both_fail("build_augmentation", degrees, "(?s)raised ValueError.*not degrees: 18° is 18 / 360")

    def ten_percent():  # 36°: a tenth of a turn
        return augment.augmentation_pipeline(flip="horizontal", rotation=0.1, translation=0.1,
                                             zoom=0.2, fill_mode="nearest")  # fmt: skip

    both_fail("build_augmentation", ten_percent, r"\(-0.1, 0.1\) turns")

    def default_fill():
        return augment.augmentation_pipeline(flip="horizontal", rotation=0.05, translation=0.1,
                                             zoom=0.2, fill_mode="reflect")  # fmt: skip

    both_fail("build_augmentation", default_fill, "fill_mode='reflect'")

    def both_flips():
        return augment.augmentation_pipeline(flip="horizontal_and_vertical", rotation=0.05,
                                             translation=0.1, zoom=0.2)  # fmt: skip

    both_fail("build_augmentation", both_flips, "horizontally")

    def missing_zoom():
        return augment.augmentation_pipeline(flip="horizontal", rotation=0.05, translation=0.1)

    both_fail("build_augmentation", missing_zoom, "exactly one RandomZoom")

    def with_rescaling():
        model = good_build()
        model.add(L.Rescaling(1 / 255))
        return model

    both_fail("build_augmentation", with_rescaling, "unexpected layers")

    def a_list():
        return list(good_build().layers)

    both_fail("build_augmentation", a_list, "keras.Sequential")
