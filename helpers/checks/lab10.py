"""Checks of lab 10 (data augmentation): flip, shift, noise, mixup, TTA, Keras layers."""

from __future__ import annotations

import numpy as np

from . import call, expect_array, expect_raises, fail, passed

__all__ = [
    "check_hflip", "check_shift_image", "check_add_gaussian_noise", "check_mixup",
    "check_tta_average", "check_build_augmentation",
]  # fmt: skip


def _images():
    rng = np.random.default_rng(10)
    return [
        np.arange(12).reshape(3, 4),
        rng.integers(0, 256, size=(5, 7)).astype(np.uint8),
        rng.random((6, 5, 3)).astype(np.float32),
        rng.random((4, 4, 1)),
    ]


def check_hflip(fn) -> str:
    """Exercise 1: ``hflip(img)`` mirrors one image left ↔ right."""
    ex = "hflip"
    hint = "reverse the columns (axis 1): img[:, ::-1], then .copy()."
    for img in _images():
        before = img.copy()
        got = call(fn, img, exercise=ex)
        what = f"{ex}(image of shape {img.shape}, {img.dtype})"
        if type(got) is np.ndarray and got.shape == img.shape and img.shape[0] > 1:
            if np.array_equal(got, img[::-1]) and not np.array_equal(img, img[::-1]):
                fail(f"{what}: the rows were reversed (an upside-down image), not the columns.",
                     "a horizontal flip reverses axis 1, the columns.")  # fmt: skip
        expect_array(got, img[:, ::-1], what=what, hint=hint)
        if got.dtype != img.dtype:
            fail(f"{what}: the dtype changed to {got.dtype}; keep {img.dtype}.")
        if not np.array_equal(img, before):
            fail(f"{what} changed its input; return a new array instead.")
        if np.shares_memory(got, img):
            fail(f"{what} returned a view of the input: changing one would change the other.",
                 "return img[:, ::-1].copy().")  # fmt: skip
    got = call(fn, np.array([[1, 2, 3]]), exercise=ex)
    expect_array(got, [[3, 2, 1]], what=f"{ex}([[1, 2, 3]])", hint=hint)
    for bad in (np.zeros(5), np.zeros((2, 4, 4, 3))):
        hint = "accept only (H, W) or (H, W, C); raise ValueError otherwise."
        expect_raises(fn, bad, exercise=ex, hint=hint)
    return passed(ex)


def _shift_ref(img, dx, dy, fill):
    h, w = img.shape[:2]
    out = np.full_like(img, fill)
    for r in range(h):
        for c in range(w):
            if 0 <= r + dy < h and 0 <= c + dx < w:
                out[r + dy, c + dx] = img[r, c]
    return out


def check_shift_image(fn) -> str:
    """Exercise 2: ``shift_image(img, dx, dy, fill=0)`` with a constant fill."""
    ex = "shift_image"
    row = np.array([[1, 2, 3, 4]])
    got = call(fn, row, 2, 0, exercise=ex)
    if type(got) is np.ndarray and got.shape == (1, 4) and got.tolist() == [[3, 4, 0, 0]]:
        fail(f"{ex}([[1, 2, 3, 4]], 2, 0) gave [[3, 4, 0, 0]]: the content moved left.",
             "positive dx moves the content to the right: out[r, c + dx] = img[r, c].")  # fmt: skip
    expect_array(
        got,
        [[0, 0, 1, 2]],
        what=f"{ex}([[1, 2, 3, 4]], 2, 0)",
        hint="positive dx moves the content right; the columns that enter get `fill`.",
    )
    got = call(fn, row, -1, 0, exercise=ex, fill=9)
    expect_array(
        got,
        [[2, 3, 4, 9]],
        what=f"{ex}([[1, 2, 3, 4]], -1, 0, fill=9)",
        hint="a negative dx moves the content left; use `fill` for the new pixels.",
    )
    col = np.array([[1], [2], [3]])
    got = call(fn, col, 0, 1, exercise=ex)
    expect_array(
        got,
        [[0], [1], [2]],
        what=f"{ex}([[1], [2], [3]], 0, 1)",
        hint="dy moves the content down (rows), dx to the right (columns).",
    )
    cases = [(2, 1, 0), (-3, 2, 0), (1, -2, 7), (0, 0, 0), (-1, -1, 5), (9, 0, 0), (0, -6, 3)]
    for img in _images():
        for dx, dy, fill in cases:
            before = img.copy()
            fill_v = fill / 10 if img.dtype.kind == "f" else fill
            what = f"{ex}(image of shape {img.shape}, {dx}, {dy}, fill={fill_v})"
            got = call(fn, img, dx, dy, exercise=ex, fill=fill_v)
            expect_array(got, _shift_ref(img, dx, dy, fill_v), what=what, atol=1e-7,
                         hint="out[r + dy, c + dx] = img[r, c] wherever that is inside the "
                              "image; everything else is `fill`; a shift larger than the "
                              "image leaves only `fill`.")  # fmt: skip
            if got.dtype != img.dtype:
                fail(f"{what}: the dtype changed to {got.dtype}; keep {img.dtype} "
                     "(np.full_like(img, fill) does).")  # fmt: skip
            if not np.array_equal(img, before):
                fail(f"{what} changed its input image; work on a new array.")
    return passed(ex)


def check_add_gaussian_noise(fn) -> str:
    """Exercise 3: ``add_gaussian_noise(img, sigma, rng)``, clipped to [0, 1]."""
    ex = "add_gaussian_noise"
    base = np.random.default_rng(3).random((6, 8))
    for img, sigma, seed in [(base, 0.1, 0), (base[:, :, None] * 0.5, 0.3, 1),
                             (np.full((5, 5, 3), 0.9), 0.2, 2), (base, 0.0, 3)]:  # fmt: skip
        before = img.copy()
        what = f"{ex}(image of shape {img.shape}, sigma={sigma}, rng=default_rng({seed}))"
        got = call(fn, img, sigma, np.random.default_rng(seed), exercise=ex)
        noise = np.random.default_rng(seed).normal(0.0, sigma, size=img.shape)
        if type(got) is np.ndarray and got.shape == img.shape and sigma > 0:
            g = np.asarray(got, dtype=np.float64)
            if np.abs(g - (img + noise)).max() < 1e-9 and (img + noise).max() > 1:
                fail(f"{what}: values above 1 or below 0 remain.", "clip with np.clip(..., 0, 1).")
            noise_sq = np.random.default_rng(seed).normal(0.0, sigma**2, size=img.shape)
            if np.abs(g - np.clip(img + noise_sq, 0, 1)).max() < 1e-9:
                fail(
                    f"{what}: the noise has standard deviation sigma² — sigma is the standard "
                    "deviation, not the variance.",
                    "rng.normal(0.0, sigma, size=img.shape).",
                )
        hint = ("draw the noise with ONE call rng.normal(0.0, sigma, size=img.shape) "
                "from the given rng (not np.random), add it, clip to [0, 1].")  # fmt: skip
        expect_array(got, np.clip(img + noise, 0, 1), what=what, atol=1e-9, dtype_kind="f",
                     hint=hint)  # fmt: skip
        if not np.array_equal(img, before):
            fail(f"{what} changed its input image; return a new array.")
    expect_raises(fn, base, -0.1, np.random.default_rng(0), exercise=ex,
                  hint="a standard deviation cannot be negative: raise ValueError.")  # fmt: skip
    return passed(ex)


def check_mixup(fn) -> str:
    """Exercise 4: ``mixup(x1, y1, x2, y2, lam)`` → ``(x, y)``."""
    ex = "mixup"
    rng = np.random.default_rng(4)
    eye = np.eye(10)
    cases = [
        (rng.random((28, 28)), eye[7], rng.random((28, 28)), eye[8], 0.7),
        (rng.integers(0, 256, (4, 4, 3)).astype(np.uint8), eye[1],
         rng.integers(0, 256, (4, 4, 3)).astype(np.uint8), eye[1], 0.25),
        (rng.random((3, 3)), eye[0], rng.random((3, 3)), eye[9], 0.0),
        (rng.random((3, 3)), eye[2], rng.random((3, 3)), eye[5], 1.0),
    ]  # fmt: skip
    for x1, y1, x2, y2, lam in cases:
        what = (
            f"{ex}(x1 of shape {x1.shape}, class {y1.argmax()}, x2, class {y2.argmax()}, lam={lam})"
        )
        got = call(fn, x1, y1, x2, y2, lam, exercise=ex)
        if not isinstance(got, tuple) or len(got) != 2:
            fail(f"{what}: expected a tuple (x, y), got {type(got).__name__}.",
                 "return x_mixed, y_mixed")  # fmt: skip
        x_exp = lam * x1.astype(np.float64) + (1 - lam) * x2.astype(np.float64)
        y_exp = lam * y1 + (1 - lam) * y2
        if (
            type(got[1]) is np.ndarray
            and got[1].shape == y1.shape
            and 0 < lam < 1
            and (
                np.abs(np.asarray(got[1], dtype=float) - ((1 - lam) * y1 + lam * y2)).max() < 1e-9
                and y1.argmax() != y2.argmax()
            )
        ):
            fail(f"{what}: the label weights are swapped: lam belongs to y1, 1 - lam to y2.")
        expect_array(
            got[0],
            x_exp,
            what=f"{what}, the image",
            atol=1e-6,
            dtype_kind="f",
            hint="x = lam * x1 + (1 - lam) * x2, in floating point (uint8 would wrap).",
        )
        expect_array(
            got[1],
            y_exp,
            what=f"{what}, the label",
            atol=1e-9,
            dtype_kind="f",
            hint="y = lam * y1 + (1 - lam) * y2: the label is blended like the image.",
        )
        if abs(float(np.sum(got[1])) - 1) > 1e-9:
            fail(f"{what}: the label does not sum to 1.")
    x, y = rng.random((3, 3)), eye[3]
    bad_args = [(x, y, x, y, 1.5), (x, y, x, y, -0.2), (x, y, rng.random((3, 4)), y, 0.5),
                (x, y, x, np.eye(5)[1], 0.5)]  # fmt: skip
    for bad in bad_args:
        expect_raises(
            fn,
            *bad,
            exercise=ex,
            hint="raise ValueError when lam is outside [0, 1] or the shapes differ.",
        )
    return passed(ex)


def check_tta_average(fn) -> str:
    """Exercise 5: ``tta_average(prob_list)``, the mean of K posterior arrays."""
    ex = "tta_average"
    # Image 0: majority vote says class 1 (two hesitant copies); the mean says class 0.
    p1 = np.array([[0.9, 0.1, 0.0], [0.2, 0.3, 0.5]])
    p2 = np.array([[0.4, 0.6, 0.0], [0.1, 0.1, 0.8]])
    p3 = np.array([[0.45, 0.55, 0.0], [0.3, 0.4, 0.3]])
    rng = np.random.default_rng(5)
    raw = rng.random((4, 6, 10))
    many = list(raw / raw.sum(axis=-1, keepdims=True))
    for probs in ([p1, p2, p3], [p1], many, [p.astype(np.float32) for p in many[:2]]):
        what = f"{ex}(list of {len(probs)} arrays of shape {probs[0].shape})"
        got = call(fn, list(probs), exercise=ex)
        expected = np.mean(np.stack([np.asarray(p, dtype=np.float64) for p in probs]), axis=0)
        if type(got) is np.ndarray and got.shape == (len(probs), probs[0].shape[1]) != \
                expected.shape:  # fmt: skip
            fail(f"{what}: got shape {got.shape}: you averaged over the images (axis 1).",
                 "average over the copies: np.stack(prob_list).mean(axis=0).")  # fmt: skip
        expect_array(got, expected, what=what, atol=1e-6, dtype_kind="f",
                     hint="average the K arrays element by element: "
                          "np.stack(prob_list).mean(axis=0); no vote, no argmax.")  # fmt: skip
    expect_raises(fn, [], exercise=ex, hint="an empty list has no average: raise ValueError.")
    expect_raises(
        fn,
        [p1, np.ones((3, 3)) / 3],
        exercise=ex,
        hint="arrays of different shapes cannot be averaged: raise ValueError.",
    )
    return passed(ex)


def _layer_summary(model):
    """{layer type name: layer} for a Sequential; fail on anything unexpected."""
    import keras

    if not isinstance(model, keras.Sequential):
        fail(f"build_augmentation: expected a keras.Sequential, got {type(model).__name__}.",
             "return keras.Sequential([...layers...]).")  # fmt: skip
    found = {}
    for layer in model.layers:
        found.setdefault(type(layer).__name__, []).append(layer)
    return found


def check_build_augmentation(fn) -> str:
    """Exercise 6: ``build_augmentation()`` = the ImageDataGenerator config in Keras 3 layers."""
    ex = "build_augmentation"
    try:
        model = fn()
    except ValueError as exc:
        if "factor" not in str(exc):
            raise
        fail(f"{ex}: building the layers raised ValueError: {exc}",
             "RandomRotation takes a fraction of a full turn, not degrees: 18° is 18 / 360; "
             "the other factors are fractions of the image size.")  # fmt: skip
    except Exception:
        pass
    model = call(fn, exercise=ex)
    found = _layer_summary(model)
    wanted = ["RandomRotation", "RandomTranslation", "RandomZoom", "RandomFlip"]
    for name in wanted:
        if len(found.get(name, [])) != 1:
            fail(
                f"{ex}: expected exactly one {name} layer, found {len(found.get(name, []))}.",
                f"the Sequential should hold these four layers: {', '.join(wanted)}.",
            )
    extra = sorted(set(found) - set(wanted))
    if extra:
        fail(f"{ex}: unexpected layers {extra}; the generator does only these four transforms.")
    rot = found["RandomRotation"][0]
    lo, hi = rot.factor if isinstance(rot.factor, tuple | list) else (-rot.factor, rot.factor)
    if max(abs(lo), abs(hi)) > 1:
        fail(
            f"{ex}: RandomRotation factor {hi} looks like degrees.",
            "RandomRotation takes a fraction of a full turn: 18° is 18 / 360 = 0.05.",
        )
    if abs(lo + 0.05) > 1e-9 or abs(hi - 0.05) > 1e-9:
        fail(f"{ex}: RandomRotation allows ({lo}, {hi}) turns; ±18° is ±0.05 of a turn.",
             "RandomRotation(18 / 360, fill_mode='nearest').")  # fmt: skip
    tr = found["RandomTranslation"][0]
    got_tr = (tr.height_lower, tr.height_upper, tr.width_lower, tr.width_upper)
    if any(abs(abs(v) - 0.1) > 1e-9 for v in got_tr) or got_tr[0] > 0 or got_tr[2] > 0:
        fail(f"{ex}: RandomTranslation ranges are {got_tr}; expected ±0.1 for height and width.",
             "RandomTranslation(0.1, 0.1, fill_mode='nearest').")  # fmt: skip
    zm = found["RandomZoom"][0]
    wl = zm.height_lower if zm.width_factor is None else zm.width_lower
    wu = zm.height_upper if zm.width_factor is None else zm.width_upper
    if abs(zm.height_lower + 0.2) > 1e-9 or abs(zm.height_upper - 0.2) > 1e-9 or \
            abs(wl + 0.2) > 1e-9 or abs(wu - 0.2) > 1e-9:  # fmt: skip
        fail(f"{ex}: RandomZoom range is ({zm.height_lower}, {zm.height_upper}); expected ±0.2.",
             "RandomZoom(0.2, fill_mode='nearest').")  # fmt: skip
    if found["RandomFlip"][0].mode != "horizontal":
        fail(f"{ex}: RandomFlip mode is {found['RandomFlip'][0].mode!r}; the generator only "
             "flips horizontally.", "RandomFlip('horizontal').")  # fmt: skip
    for name in ("RandomRotation", "RandomTranslation", "RandomZoom"):
        mode = found[name][0].fill_mode
        if mode != "nearest":
            fail(f"{ex}: {name} has fill_mode={mode!r}; the generator used 'nearest'.",
                 "pass fill_mode='nearest' to the three geometric layers (Keras 3's default "
                 "is 'reflect').")  # fmt: skip
    import keras

    x = np.random.default_rng(6).random((4, 16, 16, 3)).astype("float32")
    inference = keras.ops.convert_to_numpy(model(x, training=False))
    expect_array(
        inference,
        x,
        what=f"{ex}() called with training=False",
        atol=0,
        hint="augmentation layers must pass images through unchanged at inference.",
    )
    trained = keras.ops.convert_to_numpy(model(x, training=True))
    if trained.shape != x.shape or np.array_equal(trained, x):
        fail(f"{ex}() called with training=True did not change the images.")
    return passed(ex)
