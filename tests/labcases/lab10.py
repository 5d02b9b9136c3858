"""Lab 10 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import keras
import numpy as np

from helpers import augment
from helpers.labs.spec import Mutant


def hflip(img):
    return augment.hflip(img)


def shift_image(img, dx, dy, fill=0):
    img = np.asarray(img)
    if abs(dx) <= img.shape[1] and abs(dy) <= img.shape[0]:
        return augment.shift_image(img, dx, dy, fill_mode="constant", fill_value=fill)
    return np.full_like(img, fill)


def add_gaussian_noise(img, sigma, rng):
    if sigma < 0:
        raise ValueError("negative sigma")
    return augment.add_gaussian_noise(img, sigma, rng)


def mixup(x1, y1, x2, y2, lam):
    x1, x2 = np.asarray(x1, dtype=float), np.asarray(x2, dtype=float)
    y1, y2 = np.asarray(y1, dtype=float), np.asarray(y2, dtype=float)
    if not 0 <= lam <= 1 or x1.shape != x2.shape or y1.shape != y2.shape:
        raise ValueError("bad input")
    return lam * x1 + (1 - lam) * x2, lam * y1 + (1 - lam) * y2


def tta_average(prob_list):
    arrays = [np.asarray(p, dtype=float) for p in prob_list]
    if not arrays or any(a.shape != arrays[0].shape for a in arrays):
        raise ValueError("bad input")
    return np.mean(arrays, axis=0)


def build_augmentation():
    return augment.augmentation_pipeline(flip="horizontal", rotation=0.05, translation=0.1,
                                         zoom=0.2, fill_mode="nearest")  # fmt: skip


SOLUTION = {f.__name__: f for f in (hflip, shift_image, add_gaussian_noise, mixup, tta_average,
                                    build_augmentation)}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def hflip_no_validation(img):
    return np.asarray(img)[:, ::-1].copy()


def shift_rolls(img, dx, dy, fill=0):
    return np.roll(np.asarray(img), (dy, dx), axis=(0, 1))


def shift_in_place(img, dx, dy, fill=0):
    out = shift_image(img, dx, dy, fill)
    img[...] = out
    return out.copy()


def noise_unclipped(img, sigma, rng):
    if sigma < 0:
        raise ValueError
    return np.asarray(img, dtype=float) + rng.normal(0.0, sigma, size=np.shape(img))


def noise_global_rng(img, sigma, rng):
    if sigma < 0:
        raise ValueError
    return np.clip(img + np.random.normal(0.0, sigma, size=np.shape(img)), 0, 1)  # noqa: NPY002


def noise_loc_scale_swapped(img, sigma, rng):
    if sigma < 0:
        raise ValueError
    return np.clip(np.asarray(img, float) + rng.normal(sigma, 1.0, size=np.shape(img)), 0, 1)


def noise_no_check(img, sigma, rng):
    return np.clip(np.asarray(img, float) + rng.normal(0.0, abs(sigma), np.shape(img)), 0, 1)


def mixup_labels_not_mixed(x1, y1, x2, y2, lam):
    x, _ = mixup(x1, y1, x2, y2, lam)
    return x, np.asarray(y1, dtype=float)


def mixup_uint8_wrap(x1, y1, x2, y2, lam):
    _, y = mixup(x1, y1, x2, y2, lam)
    return (lam * np.asarray(x1) + (1 - lam) * np.asarray(x2)).astype(np.asarray(x1).dtype), y


def mixup_no_validation(x1, y1, x2, y2, lam):
    x1, x2, y1, y2 = (np.asarray(a, float) for a in (x1, x2, y1, y2))
    return lam * x1 + (1 - lam) * x2[: len(x1)], lam * y1 + (1 - lam) * y2[: len(y1)]


def tta_majority_vote(probs):
    tta_average(probs)
    votes = np.stack([np.asarray(p).argmax(axis=1) for p in probs])
    n_classes = np.asarray(probs[0]).shape[1]
    counts = np.stack([(votes == k).sum(axis=0) for k in range(n_classes)], axis=1)
    return counts / len(probs)


def tta_no_validation(probs):
    return np.stack(probs).mean(axis=0) if probs else np.zeros((0,))


L = keras.layers


def build_degrees():
    return keras.Sequential([L.RandomRotation(18, fill_mode="nearest"),
                             L.RandomTranslation(0.1, 0.1, fill_mode="nearest"),
                             L.RandomZoom(0.2, fill_mode="nearest"),
                             L.RandomFlip("horizontal")])  # fmt: skip


def _pipeline(**changes):
    settings = {"flip": "horizontal", "rotation": 0.05, "translation": 0.1, "zoom": 0.2,
                "fill_mode": "nearest", **changes}  # fmt: skip
    return lambda: augment.augmentation_pipeline(**settings)


def build_with_rescaling():
    model = build_augmentation()
    model.add(L.Rescaling(1 / 255))
    return model


def build_zoom_in_only():
    return keras.Sequential([L.RandomRotation(0.05, fill_mode="nearest"),
                             L.RandomTranslation(0.1, 0.1, fill_mode="nearest"),
                             L.RandomZoom((-0.2, 0.0), fill_mode="nearest"),
                             L.RandomFlip("horizontal")])  # fmt: skip


def build_functional():
    inputs = keras.Input((None, None, 3))
    return keras.Model(inputs, build_augmentation()(inputs))


MUTANTS = [
    Mutant(
        "hflip",
        "reverses the rows",
        lambda img: np.asarray(img)[::-1].copy(),
        says="rows were reversed",
    ),
    Mutant("hflip", "returns a view", lambda img: np.asarray(img)[:, ::-1], says="shares memory"),
    Mutant(
        "hflip", "float result", lambda img: np.fliplr(np.asarray(img)).astype(float), says="dtype"
    ),
    Mutant("hflip", "no ValueError", hflip_no_validation, says="raise ValueError"),
    Mutant("hflip", "transposes", lambda img: np.swapaxes(np.asarray(img), 0, 1).copy()),
    Mutant(
        "shift_image",
        "moves the wrong way",
        lambda img, dx, dy, fill=0: shift_image(img, -dx, -dy, fill),
        says="wrong way",
    ),
    Mutant(
        "shift_image",
        "swaps dx and dy",
        lambda img, dx, dy, fill=0: shift_image(img, dy, dx, fill),
        says="swapped",
    ),
    Mutant("shift_image", "np.roll wraps around", shift_rolls, says="wrapped around"),
    Mutant(
        "shift_image",
        "ignores fill",
        lambda img, dx, dy, fill=0: shift_image(img, dx, dy, 0),
        says="not `fill`",
    ),
    Mutant(
        "shift_image",
        "float result",
        lambda img, dx, dy, fill=0: shift_image(img, dx, dy, fill).astype(np.float64),
        says="dtype",
    ),
    Mutant(
        "shift_image",
        "off by one",
        lambda img, dx, dy, fill=0: shift_image(img, dx + int(np.sign(dx)), dy, fill),
    ),
    Mutant("shift_image", "changes its input", shift_in_place, says="changed its input"),
    Mutant("add_gaussian_noise", "no clipping", noise_unclipped, says="above 1 or below 0"),
    Mutant(
        "add_gaussian_noise",
        "sigma as the variance",
        lambda img, sigma, rng: add_gaussian_noise(img, sigma**2, rng),
        says="not the variance",
    ),
    Mutant("add_gaussian_noise", "global np.random", noise_global_rng, says="the given rng"),
    Mutant(
        "add_gaussian_noise", "normal(sigma, 1): loc and scale swapped", noise_loc_scale_swapped
    ),
    Mutant(
        "add_gaussian_noise", "no ValueError", noise_no_check, says="instead of raising ValueError"
    ),
    Mutant(
        "mixup",
        "swapped weights",
        lambda x1, y1, x2, y2, lam: mixup(x1, y1, x2, y2, 1 - lam),
        says="swapped",
    ),
    Mutant("mixup", "label not blended", mixup_labels_not_mixed, says="not blended"),
    Mutant("mixup", "uint8 arithmetic", mixup_uint8_wrap, says="float"),
    Mutant("mixup", "returns a list", lambda *a: list(mixup(*a)), says="tuple"),
    Mutant("mixup", "no validation", mixup_no_validation, says="ValueError"),
    Mutant(
        "tta_average",
        "averages over the images",
        lambda probs: np.stack(probs).mean(axis=1),
        says="averaged over the images",
    ),
    Mutant("tta_average", "majority vote", tta_majority_vote, says="votes"),
    Mutant(
        "tta_average",
        "max instead of mean",
        lambda probs: np.stack(probs).max(axis=0).astype(float),
    ),
    Mutant("tta_average", "no validation", tta_no_validation, says="ValueError"),
    Mutant("build_augmentation", "rotation in degrees", build_degrees, says="not degrees"),
    Mutant("build_augmentation", "rotation 0.1 (36°)", _pipeline(rotation=0.1), says="turns"),
    Mutant(
        "build_augmentation",
        "default fill mode",
        _pipeline(fill_mode="reflect"),
        says="fill_mode='reflect'",
    ),
    Mutant(
        "build_augmentation",
        "flips both ways",
        _pipeline(flip="horizontal_and_vertical"),
        says="flips only",
    ),
    Mutant("build_augmentation", "no zoom", _pipeline(zoom=0.0), says="exactly 1 RandomZoom"),
    Mutant(
        "build_augmentation",
        "translation 0.2",
        _pipeline(translation=0.2),
        says="RandomTranslation height range",
    ),
    Mutant("build_augmentation", "zooms in only", build_zoom_in_only, says="RandomZoom"),
    Mutant(
        "build_augmentation",
        "an extra Rescaling layer",
        build_with_rescaling,
        says="unexpected layers",
    ),
    Mutant("build_augmentation", "a list of layers", lambda: list(build_augmentation().layers)),
    Mutant("build_augmentation", "a functional model", build_functional, says="keras.Sequential"),
]
