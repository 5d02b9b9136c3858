"""Lab 10 (data augmentation by hand): flip, shift, noise, mixup, TTA, Keras layers.

References are plain NumPy; ``build_augmentation`` builds the Keras 3 layers, judged by their
description (layer classes, factors, fill modes) and by what the pipeline does to a batch with
``training=False`` (nothing) and ``training=True`` (something). Hidden cases draw random shapes,
dtypes, shifts, sigmas, weights and posteriors per submission.
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake, Rng

# ----------------------------------------------------------------------------- references


def hflip(img):
    img = np.asarray(img)
    if img.ndim not in (2, 3):
        raise ValueError("expected one image (H, W) or (H, W, C)")
    return img[:, ::-1].copy()


def shift_image(img, dx, dy, fill=0):
    img = np.asarray(img)
    h, w = img.shape[:2]
    out = np.full_like(img, fill)
    if abs(dx) >= w or abs(dy) >= h:
        return out
    out[max(0, dy) : h - max(0, -dy), max(0, dx) : w - max(0, -dx)] = \
        img[max(0, -dy) : h - max(0, dy), max(0, -dx) : w - max(0, dx)]  # fmt: skip
    return out


def add_gaussian_noise(img, sigma, rng):
    if sigma < 0:
        raise ValueError("sigma must be >= 0")
    img = np.asarray(img, dtype=np.float64)
    return np.clip(img + rng.normal(0.0, sigma, size=img.shape), 0.0, 1.0)


def mixup(x1, y1, x2, y2, lam):
    x1, x2 = np.asarray(x1, dtype=np.float64), np.asarray(x2, dtype=np.float64)
    y1, y2 = np.asarray(y1, dtype=np.float64), np.asarray(y2, dtype=np.float64)
    if not 0 <= lam <= 1:
        raise ValueError("lam must be in [0, 1]")
    if x1.shape != x2.shape or y1.shape != y2.shape:
        raise ValueError("shapes differ")
    return lam * x1 + (1 - lam) * x2, lam * y1 + (1 - lam) * y2


def tta_average(prob_list):
    arrays = [np.asarray(p, dtype=np.float64) for p in prob_list]
    if not arrays or any(a.shape != arrays[0].shape for a in arrays):
        raise ValueError("need one or more arrays of one shape")
    return np.stack(arrays).mean(axis=0)


def build_augmentation():
    import keras

    # Fixed names and seeds: the public store holds the outputs, and must not change per build.
    return keras.Sequential([
        keras.layers.RandomRotation(18 / 360, fill_mode="nearest", seed=1, name="rotation"),
        keras.layers.RandomTranslation(0.1, 0.1, fill_mode="nearest", seed=2, name="translation"),
        keras.layers.RandomZoom(0.2, fill_mode="nearest", seed=3, name="zoom"),
        keras.layers.RandomFlip("horizontal", seed=4, name="flip"),
    ], name="augmentation")  # fmt: skip


# ----------------------------------------------------------------------------- mistakes


def _upside_down(img):
    return np.asarray(img)[::-1].copy()


def _shift_backwards(img, dx, dy, fill=0):
    return shift_image(img, -dx, -dy, fill)


def _shift_swapped(img, dx, dy, fill=0):
    return shift_image(img, dy, dx, fill)


def _shift_zero_fill(img, dx, dy, fill=0):
    return shift_image(img, dx, dy, 0)


def _shift_rolls(img, dx, dy, fill=0):
    return np.roll(np.asarray(img), (dy, dx), axis=(0, 1))


def _noise_unclipped(img, sigma, rng):
    return np.asarray(img, dtype=np.float64) + rng.normal(0.0, sigma, size=np.shape(img))


def _noise_variance(img, sigma, rng):
    return add_gaussian_noise(img, sigma**2, rng)


def _mixup_swapped(x1, y1, x2, y2, lam):
    return mixup(x1, y1, x2, y2, 1 - lam)


def _mixup_label_unmixed(x1, y1, x2, y2, lam):
    x, _ = mixup(x1, y1, x2, y2, lam)
    return x, np.asarray(y1, dtype=np.float64)


def _tta_over_images(prob_list):
    return np.stack([np.asarray(p, dtype=np.float64) for p in prob_list]).mean(axis=1)


def _tta_vote(prob_list):
    probs = np.stack([np.asarray(p, dtype=np.float64) for p in prob_list])
    votes = probs.argmax(axis=2)
    return np.stack([(votes == k).mean(axis=0) for k in range(probs.shape[2])], axis=1)


# ----------------------------------------------------------------------------- cases


def _images():
    rng = np.random.default_rng(10)
    return [np.arange(12).reshape(3, 4), rng.integers(0, 256, size=(5, 7)).astype(np.uint8),
            rng.random((6, 5, 3)).astype(np.float32), rng.random((4, 4, 1))]  # fmt: skip


_DTYPES = ("int64", "uint8", "int32", "float32", "float64")


def _random_image(rng, dtype=None, low=2):
    dtype = dtype or str(rng.choice(_DTYPES))
    h, w = (int(v) for v in rng.integers(low, 9, size=2))
    shape = (h, w) if rng.random() < 0.5 else (h, w, int(rng.choice([1, 2, 3])))
    if dtype.startswith("float"):
        return rng.random(shape).astype(dtype)
    return rng.integers(0, 256, size=shape).astype(dtype)


_HFLIP_ERRORS = "accept only (H, W) or (H, W, C); raise ValueError otherwise."


def _hflip_hidden(rng):
    cases = [Case((_random_image(rng, dtype),), group="values") for dtype in _DTYPES]
    cases.append(Case((rng.integers(-9, 10, size=(1, int(rng.integers(3, 8)))),), group="values"))
    cases += [Case((np.zeros(int(rng.integers(2, 9))),), group="errors", hint=_HFLIP_ERRORS),
              Case((np.zeros((int(rng.integers(1, 4)), 4, 4, 3)),), group="errors",
                   hint=_HFLIP_ERRORS)]  # fmt: skip
    return cases


_SHIFT_HINT = (
    "pixel (r, c) moves to (r + dy, c + dx) when that lies inside the image; every "
    "other pixel is `fill`; a shift as large as the image leaves only `fill`."
)
_SHIFTS = [(2, 1, 0), (-3, 2, 0), (1, -2, 7), (0, 0, 0), (-1, -1, 5), (9, 0, 0), (0, -6, 3)]


def _shift_public():
    row, col = np.array([[1, 2, 3, 4]]), np.array([[1], [2], [3]])
    cases = [Case((row, 2, 0), hint="positive dx moves the content right; the columns that enter "
                  "get `fill`."),
             Case((row, -1, 0), {"fill": 9}, hint="a negative dx moves the content left; use "
                  "`fill` for the new pixels."),
             Case((col, 0, 1), hint="dy moves the content down (rows), dx to the right "
                  "(columns).")]  # fmt: skip
    for img in _images():
        for dx, dy, fill in _SHIFTS:
            fill_v = fill / 10 if img.dtype.kind == "f" else fill
            cases.append(Case((img, dx, dy), {"fill": fill_v}))
    return cases


def _shift_hidden(rng):
    cases = []
    for _ in range(10):
        img = _random_image(rng)
        h, w = img.shape[:2]
        dx, dy = int(rng.integers(-w + 1, w)), int(rng.integers(-h + 1, h))
        fill = (
            float(np.round(rng.random(), 2)) if img.dtype.kind == "f" else int(rng.integers(1, 99))
        )
        cases.append(Case((img, dx, dy), {"fill": fill}, group="shifts"))
    img = _random_image(rng, "int64")
    h, w = img.shape[:2]
    cases += [Case((img, w + int(rng.integers(0, 3)), 0), {"fill": 4}, group="shifts"),
              Case((img, 0, -h - int(rng.integers(0, 3))), {"fill": 4}, group="shifts"),
              Case((img, 0, 0), group="shifts"),
              Case((img, int(rng.integers(1, w)), 0), group="shifts",
                   hint="the default fill is 0.")]  # fmt: skip
    return cases


_NOISE_HINT = ("draw the noise with ONE call of the given rng's normal method (not "
               "np.random), the call the text gives; add it, then clip to [0, 1].")  # fmt: skip
_SIGMA_ERROR = "a standard deviation cannot be negative: raise ValueError."


def _noise_public():
    base = np.random.default_rng(3).random((6, 8))
    cases = [Case((img, sigma, Rng(seed))) for img, sigma, seed in [
        (base, 0.1, 0), (base[:, :, None] * 0.5, 0.3, 1), (np.full((5, 5, 3), 0.9), 0.2, 2),
        (base, 0.0, 3)]]  # fmt: skip
    return cases + [Case((base, -0.1, Rng(0)), hint=_SIGMA_ERROR)]


def _noise_hidden(rng):
    cases = []
    for _ in range(5):
        h, w = (int(v) for v in rng.integers(2, 10, size=2))
        shape = (h, w) if rng.random() < 0.5 else (h, w, int(rng.choice([1, 3])))
        img = rng.random(shape)
        cases.append(Case((img, float(np.round(rng.uniform(0.05, 0.6), 3)),
                           Rng(int(rng.integers(0, 10_000)))), group="values"))  # fmt: skip
    cases.append(Case((rng.random((4, 5)), 0.0, Rng(int(rng.integers(0, 10_000)))),
                      group="values"))  # fmt: skip
    cases.append(Case((rng.random((2, 2)), -float(np.round(rng.uniform(0.01, 2), 3)), Rng(1)),
                      group="errors", hint=_SIGMA_ERROR))  # fmt: skip
    return cases


_MIXUP_HINT = ("blend the images and the labels with the same weights, lam for (x1, y1) and "
               "1 - lam for (x2, y2), in floating point (uint8 would wrap).")  # fmt: skip
_MIXUP_ERRORS = "raise ValueError when lam is outside [0, 1] or the shapes differ."


def _mixup_case(args, group="all", hint=None):
    x1, y1, x2, y2, lam = args
    label = (f"mixup(x1 of shape {x1.shape}, {_class(y1)}, x2 of shape {x2.shape}, "
             f"{_class(y2)}, lam={lam})")  # fmt: skip
    return Case(args, group=group, hint=hint, label=label)


def _class(y):
    return f"class {int(np.argmax(y))} of {len(y)}"


def _mixup_public():
    rng = np.random.default_rng(4)
    eye = np.eye(10)
    cases = [
        (rng.random((28, 28)), eye[7], rng.random((28, 28)), eye[8], 0.7),
        (rng.integers(0, 256, (4, 4, 3)).astype(np.uint8), eye[1],
         rng.integers(0, 256, (4, 4, 3)).astype(np.uint8), eye[1], 0.25),
        (rng.random((3, 3)), eye[0], rng.random((3, 3)), eye[9], 0.0),
        (rng.random((3, 3)), eye[2], rng.random((3, 3)), eye[5], 1.0),
    ]  # fmt: skip
    out = [_mixup_case(c) for c in cases]
    x, y = rng.random((3, 3)), eye[3]
    bad = [(x, y, x, y, 1.5), (x, y, x, y, -0.2), (x, y, rng.random((3, 4)), y, 0.5),
           (x, y, x, np.eye(5)[1], 0.5)]  # fmt: skip
    return out + [_mixup_case(b, hint=_MIXUP_ERRORS) for b in bad]


def _mixup_hidden(rng):
    cases = []
    lams = [float(np.round(rng.uniform(0.05, 0.95), 3)) for _ in range(4)] + [0.0, 1.0]
    for lam in lams:
        k = int(rng.integers(3, 12))
        c1, c2 = rng.choice(k, size=2, replace=False)
        h, w = (int(v) for v in rng.integers(2, 8, size=2))
        shape = (h, w) if rng.random() < 0.5 else (h, w, 3)
        dtype = str(rng.choice(["uint8", "float64", "int64", "float32"]))
        x1, x2 = (rng.integers(0, 256, size=shape).astype(dtype) for _ in range(2))
        cases.append(_mixup_case((x1, np.eye(k)[c1], x2, np.eye(k)[c2], lam), "values"))
    x, y = rng.random((3, 4)), np.eye(5)[int(rng.integers(0, 5))]
    bad = [(x, y, x, y, 1 + float(np.round(rng.uniform(0.01, 2), 3))),
           (x, y, x, y, -float(np.round(rng.uniform(0.01, 2), 3))),
           (x, y, rng.random((4, 3)), y, 0.5), (x, y, x, np.eye(6)[1], 0.5)]  # fmt: skip
    return cases + [_mixup_case(b, "errors", _MIXUP_ERRORS) for b in bad]


_TTA_EMPTY = "an empty list has no average: raise ValueError."
_TTA_SHAPES = "arrays of different shapes cannot be averaged: raise ValueError."
_TTA_HINT = ("average the K arrays element by element (over the copies, the first axis of a "
             "stack); no vote, no argmax.")  # fmt: skip


def _tta_case(probs, group="all", hint=None):
    shapes = sorted({tuple(np.shape(p)) for p in probs})
    shown = " and ".join(str(s) for s in shapes) or "-"
    label = f"tta_average(list of {len(probs)} arrays of shape {shown})" if probs else None
    return Case((probs,), group=group, hint=hint, label=label)


def _tta_public():
    p1 = np.array([[0.9, 0.1, 0.0], [0.2, 0.3, 0.5]])
    p2 = np.array([[0.4, 0.6, 0.0], [0.1, 0.1, 0.8]])
    p3 = np.array([[0.45, 0.55, 0.0], [0.3, 0.4, 0.3]])
    raw = np.random.default_rng(5).random((4, 6, 10))
    many = list(raw / raw.sum(axis=-1, keepdims=True))
    cases = [_tta_case(probs) for probs in ([p1, p2, p3], [p1], many,
                                            [p.astype(np.float32) for p in many[:2]])]  # fmt: skip
    return cases + [
        _tta_case([], hint=_TTA_EMPTY),
        _tta_case([p1, np.ones((3, 3)) / 3], hint=_TTA_SHAPES),
    ]


def _tta_hidden(rng):
    cases = []
    for k in (1, 2, int(rng.integers(3, 7)), int(rng.integers(3, 7))):
        n, c = int(rng.integers(2, 9)), int(rng.integers(2, 8))
        probs = list(rng.dirichlet(np.ones(c), size=(k, n)))
        if rng.random() < 0.3:
            probs = [p.astype(np.float32) for p in probs]
        cases.append(_tta_case(probs, "values"))
    # one confident copy outweighs two hesitant ones: the vote and the mean disagree
    a = float(np.round(rng.uniform(0.51, 0.6), 3))
    cases.append(_tta_case([np.array([[0.95, 0.05]]), np.array([[1 - a, a]]),
                            np.array([[1 - a, a]])], "values"))  # fmt: skip
    n, c = int(rng.integers(2, 6)), int(rng.integers(2, 6))
    cases += [
        _tta_case([], "errors", _TTA_EMPTY),
        _tta_case(
            [rng.dirichlet(np.ones(c), size=n), rng.dirichlet(np.ones(c + 1), size=n)],
            "errors",
            _TTA_SHAPES,
        ),
    ]
    return cases


def _augmentation_case(x, group="all"):
    steps = [{"method": "__call__", "args": [x], "kwargs": {"training": training}}
             for training in (False, True)]  # fmt: skip
    label = f"build_augmentation(), then called on {x.shape} images"
    return Case((), group=group, label=label, then=steps)


def _augmentation_hidden(rng):
    cases = []
    for _ in range(2):
        h, w = (int(v) for v in rng.integers(10, 24, size=2))
        x = rng.random((int(rng.integers(2, 5)), h, w, int(rng.choice([1, 3])))).astype("float32")
        cases.append(_augmentation_case(x))
    return cases


_AUGMENTATION_HINT = ("RandomRotation takes a fraction of a full turn, not degrees; the shift "
                      "and zoom factors are fractions of the image size. Return a "
                      "keras.Sequential of the four layers.")  # fmt: skip

EXERCISES = [
    Exercise(
        "hflip",
        points=2,
        reference=hflip,
        copy=True,
        judge=judge.Array(atol=0.0, kinds="biuf", same_dtype=True),
        public=[Case((img,)) for img in _images()]
        + [Case((np.array([[1, 2, 3]]),))]
        + [Case((bad,), hint=_HFLIP_ERRORS) for bad in (np.zeros(5), np.zeros((2, 4, 4, 3)))],
        hidden=_hflip_hidden,
        groups={"values": 1, "errors": 1},
        hint="reverse the columns (axis 1) and return a new array of the same dtype.",
        mistakes=[
            Mistake(
                _upside_down,
                "the rows were reversed (an upside-down image), not the columns.",
                "a horizontal flip reverses axis 1, the columns.",
            )
        ],
    ),  # fmt: skip
    Exercise(
        "shift_image",
        points=2,
        reference=shift_image,
        judge=judge.Array(atol=1e-7, kinds="biuf", same_dtype=True),
        public=_shift_public(),
        hidden=_shift_hidden,
        groups={"shifts": 2},
        hint=_SHIFT_HINT,
        mistakes=[
            Mistake(
                _shift_backwards,
                "the content moved the wrong way (left or up).",
                "positive dx moves the content to the right, positive dy down.",
            ),
            Mistake(
                _shift_swapped,
                "dx and dy are swapped.",
                "dx moves the columns (right), dy the rows (down).",
            ),
            Mistake(
                _shift_zero_fill,
                "the pixels that enter are 0, not `fill`.",
                "fill the new pixels with the `fill` argument.",
            ),
            Mistake(
                _shift_rolls,
                "the content wrapped around (like np.roll) instead of being filled.",
                "the pixels that leave are lost; the new ones get `fill`.",
            ),
        ],
    ),  # fmt: skip
    Exercise(
        "add_gaussian_noise",
        points=2,
        reference=add_gaussian_noise,
        judge=judge.Array(atol=1e-9, kinds="f"),
        public=_noise_public(),
        hidden=_noise_hidden,
        groups={"values": 1, "errors": 1},
        hint=_NOISE_HINT,
        mistakes=[
            Mistake(
                _noise_unclipped,
                "values above 1 or below 0 remain.",
                "clip the result to [0, 1] (np.clip).",
            ),
            Mistake(
                _noise_variance,
                "the noise has standard deviation sigma² — sigma is "
                "the standard deviation, not the variance.",
                "pass sigma itself as the scale of rng.normal.",
            ),
        ],
    ),  # fmt: skip
    Exercise(
        "mixup",
        points=2,
        reference=mixup,
        judge=judge.Seq(
            [judge.Array(atol=1e-6, kinds="f"), judge.Array(atol=1e-9, kinds="f")],
            names=["the image", "the label"],
        ),
        public=_mixup_public(),
        hidden=_mixup_hidden,
        groups={"values": 1, "errors": 1},
        hint=_MIXUP_HINT,
        mistakes=[
            Mistake(
                _mixup_swapped,
                "the weights are swapped: lam belongs to (x1, y1), 1 - lam to (x2, y2).",
            ),
            Mistake(
                _mixup_label_unmixed,
                "the label was not blended.",
                "the label is blended like the image, with the same lam.",
            ),
        ],
    ),  # fmt: skip
    Exercise(
        "tta_average",
        points=2,
        reference=tta_average,
        judge=judge.Array(atol=1e-6, kinds="f"),
        public=_tta_public(),
        hidden=_tta_hidden,
        groups={"values": 1, "errors": 1},
        hint=_TTA_HINT,
        mistakes=[
            Mistake(
                _tta_over_images,
                "you averaged over the images (axis 1).",
                "average over the copies: the K arrays, element by element.",
            ),
            Mistake(
                _tta_vote,
                "you counted votes of the predicted classes.",
                "average the probabilities themselves: one confident copy can "
                "outweigh two hesitant ones.",
            ),
        ],
    ),  # fmt: skip
    Exercise(
        "build_augmentation",
        points=2,
        reference=build_augmentation,
        judge=judge.Custom("lab10.augmentation"),
        public=[
            _augmentation_case(np.random.default_rng(6).random((4, 16, 16, 3)).astype("float32"))
        ],
        hidden=_augmentation_hidden,
        hint=_AUGMENTATION_HINT,
    ),  # fmt: skip
]
