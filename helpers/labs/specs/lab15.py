"""Lab 15 (using pretrained models): centre crop, family preprocessing, top-k decoding,
the output shape of a headless network and the parameters of an MBConv block.

All five exercises are pure NumPy / arithmetic, so they grade in well under a second and the
hidden cases (random image shapes, crops, families, ties) are cheap to draw per submission.
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

CAFFE_MEAN_BGR = np.array([103.939, 116.779, 123.68])
MODES = ("caffe", "tf", "lite")

# ----------------------------------------------------------------------------- references


def center_crop(image, crop):
    image = np.asarray(image)
    if image.ndim not in (2, 3) or not 0 < crop <= 1:
        raise ValueError("one image (H, W[, C]) and 0 < crop <= 1")
    h, w = image.shape[:2]
    side = max(1, round(min(h, w) * crop))
    top, left = (h - side) // 2, (w - side) // 2
    return image[top : top + side, left : left + side]


def preprocess_family(images, mode):
    x = np.asarray(images, dtype=np.float32)
    if mode == "caffe":
        return (x[..., ::-1] - CAFFE_MEAN_BGR).astype(np.float32)
    if mode == "tf":
        return x / np.float32(127.5) - np.float32(1.0)
    if mode == "lite":
        return (x - np.float32(127.0)) / np.float32(128.0)
    raise ValueError(f"unknown mode {mode!r}")


def top_k(probs, k):
    p = np.asarray(probs)
    if p.ndim != 1 or not 1 <= k <= p.size:
        raise ValueError("a 1-D probability vector and 1 <= k <= its length")
    return np.argsort(-p, kind="stable")[:k]


def headless_output_shape(height, width, pooling=None, channels=1280, reduction=32):
    if height < 1 or width < 1:
        raise ValueError("sizes must be positive")
    if pooling is None:
        return (-(-height // reduction), -(-width // reduction), channels)
    if pooling in ("avg", "max"):
        return (channels,)
    raise ValueError(f"unknown pooling {pooling!r}")


def mbconv_params(c_in, c_out, expansion, kernel):
    if min(c_in, c_out, expansion, kernel) < 1:
        raise ValueError("all sizes must be positive")
    mid = c_in * expansion
    total = 0
    if expansion != 1:
        total += c_in * mid + 4 * mid  # 1x1 expand conv (no bias) + batch norm
    total += kernel * kernel * mid + 4 * mid  # depthwise conv + batch norm
    total += mid * c_out + 4 * c_out  # 1x1 project conv + batch norm
    return total


# ----------------------------------------------------------------------------- mistakes


def _top_left_crop(image, crop):
    image = np.asarray(image)
    side = max(1, round(min(image.shape[:2]) * crop))
    return image[:side, :side]


def _longer_side_crop(image, crop):
    image = np.asarray(image)
    h, w = image.shape[:2]
    side = max(1, round(min(h, w) * crop))
    top, left = -(-(h - side) // 2), -(-(w - side) // 2)
    return image[top : top + side, left : left + side]


def _caffe_rgb(images, mode):
    if mode == "caffe":
        return (np.asarray(images, np.float32) - CAFFE_MEAN_BGR[::-1]).astype(np.float32)
    return preprocess_family(images, mode)


def _caffe_no_flip(images, mode):
    if mode == "caffe":
        return (np.asarray(images, np.float32) - CAFFE_MEAN_BGR).astype(np.float32)
    return preprocess_family(images, mode)


def _tf_unit(images, mode):
    if mode == "tf":
        return np.asarray(images, np.float32) / np.float32(255.0)
    return preprocess_family(images, mode)


def _ascending(probs, k):
    return np.argsort(np.asarray(probs), kind="stable")[::-1][:k]


def _floor_shape(height, width, pooling=None, channels=1280, reduction=32):
    if pooling is None:
        return (height // reduction, width // reduction, channels)
    return headless_output_shape(height, width, pooling, channels, reduction)


def _no_bn(c_in, c_out, expansion, kernel):
    mid = c_in * expansion
    return (c_in * mid if expansion != 1 else 0) + kernel * kernel * mid + mid * c_out


def _trainable_bn(c_in, c_out, expansion, kernel):
    mid = c_in * expansion
    return (mbconv_params(c_in, c_out, expansion, kernel) - 2 * mid * (1 + (expansion != 1))
            - 2 * c_out)  # fmt: skip


def _full_depthwise(c_in, c_out, expansion, kernel):
    mid = c_in * expansion
    return mbconv_params(c_in, c_out, expansion, kernel) + kernel * kernel * mid * (mid - 1)


# ----------------------------------------------------------------------------- cases

_CROP_HINT = ("the side is the crop fraction of the shorter side, rounded; centre the square "
              "(margins rounded down); slice rows and columns, keep the channels.")  # fmt: skip
_CROP_ERRORS = "raise ValueError for crop <= 0 or crop > 1, or when the input is not one image."


def _crop_hidden(rng):
    cases = []
    for _ in range(5):
        h, w = (int(v) for v in rng.integers(5, 40, size=2))
        shape = (h, w, 3) if rng.random() < 0.7 else (h, w)
        crop = float(rng.choice([1.0, 0.875, 0.5, float(np.round(rng.uniform(0.3, 1), 3))]))
        cases.append(Case((rng.integers(0, 256, size=shape).astype(np.uint8), crop),
                          group="crop"))  # fmt: skip
    cases.append(Case((rng.normal(size=(7, 12, 3)), 0.875), group="crop"))  # odd margins
    cases += [Case((np.zeros((8, 8, 3)), 0.0), group="errors", hint=_CROP_ERRORS),
              Case((np.zeros((8, 8, 3)), 1.5), group="errors", hint=_CROP_ERRORS)]  # fmt: skip
    return cases


_PRE_HINT = ("caffe: RGB to BGR, then subtract the BGR channel means of the text; tf: scale "
             "to [-1, 1]; lite: centre at 127 and divide by 128. Return float32.")  # fmt: skip


def _pre_hidden(rng):
    cases = []
    for mode in [*MODES, *(str(rng.choice(MODES)) for _ in range(3))]:
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 6)), int(rng.integers(1, 6)), 3)
        cases.append(Case((rng.integers(0, 256, size=shape).astype(np.uint8), mode)))
    cases.append(Case((np.zeros((2, 2, 3), np.uint8), "torch"), hint="unknown modes: ValueError."))
    return cases


_TOPK_HINT = ("sort the indices by decreasing probability with a STABLE sort (ties keep the lower "
              "index first) and keep k; raise ValueError unless 1 <= k <= len(probs).")  # fmt: skip


def _topk_hidden(rng):
    cases = []
    for _ in range(4):
        n = int(rng.integers(5, 1001))
        p = rng.dirichlet(np.ones(n))
        cases.append(Case((p, int(rng.integers(1, min(n, 10) + 1))), group="order"))
    tied = np.round(rng.dirichlet(np.ones(12)), 1)
    cases.append(Case((tied, 6), group="order", hint="ties: the lower index first."))
    n = int(rng.integers(3, 20))
    cases += [Case((np.full(n, 1 / n), n + int(rng.integers(1, 5))), group="errors",
                   hint=_TOPK_HINT),
              Case((np.full(n, 1 / n), 0), group="errors", hint=_TOPK_HINT)]  # fmt: skip
    return cases


_SHAPE_HINT = ("five stride-2 steps divide the size by 32, rounding UP ('same' padding); with "
               "'avg' or 'max' pooling only the channels remain.")  # fmt: skip


def _shape_hidden(rng):
    cases = []
    for _ in range(5):
        h, w = (int(v) for v in rng.integers(33, 700, size=2))
        pooling = [None, "avg", "max"][int(rng.integers(0, 3))]
        cases.append(Case((h, w), {"pooling": pooling}, group="shapes"))
    cases.append(Case((int(rng.integers(2, 20)) * 32 + 1, 224), group="shapes"))
    cases.append(Case((int(rng.integers(40, 300)), int(rng.integers(40, 300))),
                      {"pooling": None, "channels": 2048}, group="shapes"))  # fmt: skip
    cases.append(Case((224, 224), {"pooling": "sum"}, group="errors",
                      hint="unknown pooling: raise ValueError."))  # fmt: skip
    return cases


_MB_HINT = ("three convolutions without biases: a 1x1 expansion (only if expansion != 1), a "
            "k x k depthwise one, a 1x1 projection; each followed by a batch norm with 4 "
            "numbers per channel (gamma, beta, moving mean, moving variance).")  # fmt: skip


def _mb_hidden(rng):
    cases = [Case((int(rng.integers(8, 200)), int(rng.integers(8, 200)), int(rng.choice([3, 4, 6])),
                   int(rng.choice([3, 5, 7])))) for _ in range(4)]  # fmt: skip
    cases.append(
        Case(
            (int(rng.integers(8, 64)), int(rng.integers(8, 64)), 1, 3),
            hint="with expansion 1 there is no expand convolution (and no its BN).",
        )
    )
    return cases


EXERCISES = [
    Exercise(
        "center_crop",
        points=2,
        reference=center_crop,
        judge=judge.Array(atol=0.0, same_dtype=True),
        public=[
            Case((np.arange(48).reshape(6, 8), 1.0), label="center_crop(a 6x8 image, 1.0)"),
            Case((np.arange(5 * 9 * 3, dtype=np.uint8).reshape(5, 9, 3), 1.0)),
            Case(
                (
                    np.random.default_rng(15).integers(0, 256, (256, 320, 3)).astype(np.uint8),
                    224 / 256,
                )
            ),  # fmt: skip
            Case((np.random.default_rng(16).normal(size=(11, 7, 3)), 0.5)),
            Case((np.zeros((8, 8, 3)), 0.0), hint=_CROP_ERRORS),
        ],
        hidden=_crop_hidden,
        groups={"crop": 1, "errors": 1},
        hint=_CROP_HINT,
        mistakes=[
            Mistake(
                _top_left_crop,
                "you kept the top-left corner, not the centre.",
                "centre the square: equal margins, rounded down.",
            ),  # fmt: skip
            Mistake(
                _longer_side_crop,
                "an odd margin was rounded up: the crop is one pixel off.",
                "use // (round down) for the top and left margins.",
            ),  # fmt: skip
        ],
    ),
    Exercise(
        "preprocess_family",
        points=2,
        reference=preprocess_family,
        judge=judge.Array(atol=1e-3, kinds="f"),
        public=[
            Case(
                (np.array([[[255, 0, 0]]], np.uint8), "caffe"),
                label="preprocess_family(one red pixel, 'caffe')",
            ),  # fmt: skip
            Case(
                (np.array([[[255, 0, 0]]], np.uint8), "tf"),
                label="preprocess_family(one red pixel, 'tf')",
            ),  # fmt: skip
            Case(
                (np.array([[[255, 0, 127]]], np.uint8), "lite"),
                label="preprocess_family(one pixel (255, 0, 127), 'lite')",
            ),  # fmt: skip
            *(
                Case(
                    (
                        np.random.default_rng(20 + i)
                        .integers(0, 256, (2, 4, 4, 3))
                        .astype(np.uint8),
                        mode,
                    )
                )
                for i, mode in enumerate(MODES)
            ),  # fmt: skip
            Case((np.zeros((2, 2, 3), np.uint8), "torch"), hint="unknown modes: ValueError."),
        ],
        hidden=_pre_hidden,
        hint=_PRE_HINT,
        mistakes=[
            Mistake(
                _caffe_no_flip,
                "in 'caffe' mode the channels were not reversed to BGR.",
                "reverse the channel axis (RGB to BGR) before subtracting the BGR mean.",
            ),
            Mistake(
                _caffe_rgb,
                "in 'caffe' mode the mean was subtracted in RGB order, "
                "without reversing the channels.",
                "reverse the channels to BGR first.",
            ),
            Mistake(
                _tf_unit,
                "'tf' mode gave [0, 1], not [-1, 1].",
                "scale to [-1, 1]: 0 becomes -1 and 255 becomes 1.",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "top_k",
        points=2,
        reference=top_k,
        judge=judge.Array(atol=0.0, kinds="iu"),
        public=[
            Case((np.array([0.1, 0.5, 0.05, 0.3, 0.05]), 3)),
            Case((np.array([0.2, 0.4, 0.2, 0.2]), 4), hint="ties: the lower index first."),
            Case((np.random.default_rng(15).dirichlet(np.ones(1000)), 5)),
            Case((np.array([0.5, 0.5]), 3), hint=_TOPK_HINT),
            Case((np.array([0.5, 0.5]), 0), hint=_TOPK_HINT),
        ],
        hidden=_topk_hidden,
        groups={"order": 1, "errors": 1},
        hint=_TOPK_HINT,
        mistakes=[
            Mistake(
                _ascending,
                "ties came out with the higher index first.",
                "sort -probs with kind='stable' instead of reversing an ascending sort.",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "headless_output_shape",
        points=2,
        reference=headless_output_shape,
        judge=judge.Exact(),
        public=[
            Case((224, 224), {"pooling": None}),
            Case((224, 224), {"pooling": "avg"}),
            Case((300, 200), {"pooling": "max"}),
            Case((240, 320), {"pooling": None}),
            Case((250, 250), {"pooling": None}, hint=_SHAPE_HINT),
            Case((299, 299), {"pooling": None, "channels": 2048}),
            Case((224, 224), {"pooling": "sum"}, hint="unknown pooling: raise ValueError."),
        ],
        hidden=_shape_hidden,
        groups={"shapes": 1, "errors": 1},
        hint=_SHAPE_HINT,
        mistakes=[
            Mistake(
                _floor_shape,
                "you rounded the feature-map size down.",
                "'same' padding keeps a partial window: round UP (ceil).",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "mbconv_params",
        points=2,
        reference=mbconv_params,
        judge=judge.Int(),
        public=[
            Case((32, 16, 1, 3), label="mbconv_params(block1a: 32 -> 16, expansion 1, 3x3)"),
            Case((16, 24, 6, 3), label="mbconv_params(block2a: 16 -> 24, expansion 6, 3x3)"),
            Case((112, 192, 6, 5), label="mbconv_params(block6a: 112 -> 192, expansion 6, 5x5)"),
            Case((320, 320, 4, 7)),
        ],
        hidden=_mb_hidden,
        hint=_MB_HINT,
        mistakes=[
            Mistake(_no_bn, "the batch normalisations were not counted.", _MB_HINT),
            Mistake(
                _trainable_bn,
                "each batch norm was counted with 2 numbers per channel.",
                "Keras' count_params includes the moving mean and variance: 4 per channel.",
            ),
            Mistake(
                _full_depthwise,
                "the depthwise conv was counted as a full convolution.",
                "a depthwise conv has ONE k x k filter per channel: k*k*mid weights.",
            ),
        ],  # fmt: skip
    ),
]
