"""Lab 19 (semantic segmentation): IoU and Dice per class, the background trap, transposed
convolution sizes, and the weights of a U-Net down block.

Hidden cases are drawn per submission: random masks of random shapes and class counts (with a
class absent from both masks, a class only in the truth, a class only predicted), random
transposed-convolution settings (always with a kernel smaller than the stride, where the usual
``(n − 1)·s + k`` is wrong for Keras' 'valid'), random block widths. Invalid inputs (masks of
different shapes, an unknown padding) are always in.
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake
from helpers.labs.specs._common import conv_params

# ----------------------------------------------------------------------------- references


def _counts(y_true, y_pred, num_classes):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    if t.shape != p.shape:
        raise ValueError("the masks have different shapes")
    t, p = t.ravel().astype(np.int64), p.ravel().astype(np.int64)
    tp = np.array([np.sum((t == c) & (p == c)) for c in range(num_classes)], dtype=np.float64)
    n_true = np.array([np.sum(t == c) for c in range(num_classes)], dtype=np.float64)
    n_pred = np.array([np.sum(p == c) for c in range(num_classes)], dtype=np.float64)
    return tp, n_true, n_pred


def _divide(num, den):
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def iou_per_class(y_true, y_pred, num_classes):
    tp, n_true, n_pred = _counts(y_true, y_pred, num_classes)
    return _divide(tp, n_true + n_pred - tp)


def dice_per_class(y_true, y_pred, num_classes):
    tp, n_true, n_pred = _counts(y_true, y_pred, num_classes)
    return _divide(2 * tp, n_true + n_pred)


def all_background_scores(y_true, num_classes):
    y_true = np.asarray(y_true)
    lazy = np.zeros_like(y_true)
    accuracy = float(np.mean(y_true == 0))
    return accuracy, float(np.nanmean(iou_per_class(y_true, lazy, num_classes)))


def transposed_output_size(n, kernel, stride, padding):
    if padding == "same":
        return int(n * stride)
    if padding == "valid":
        return int(n * stride + max(kernel - stride, 0))
    raise ValueError("padding must be 'valid' or 'same'")


def down_block_weights(c_in, c_out, batch_norm=True):
    bias = not batch_norm
    convs = conv_params(3, 3, c_in, c_out, bias) + conv_params(3, 3, c_out, c_out, bias)
    return int(convs + (2 * 4 * c_out if batch_norm else 0))


# ----------------------------------------------------------------------------- mistakes


def _iou_recall(y_true, y_pred, num_classes):
    tp, n_true, _ = _counts(y_true, y_pred, num_classes)
    return _divide(tp, n_true)


def _iou_precision(y_true, y_pred, num_classes):
    tp, _, n_pred = _counts(y_true, y_pred, num_classes)
    return _divide(tp, n_pred)


def _iou_sum_union(y_true, y_pred, num_classes):
    tp, n_true, n_pred = _counts(y_true, y_pred, num_classes)
    return _divide(tp, n_true + n_pred)


def _dice_is_iou(y_true, y_pred, num_classes):
    return iou_per_class(y_true, y_pred, num_classes)


def _dice_double_iou(y_true, y_pred, num_classes):
    return 2 * iou_per_class(y_true, y_pred, num_classes)


def _lazy_zero_for_absent(y_true, num_classes):
    acc, _ = all_background_scores(y_true, num_classes)
    iou = np.nan_to_num(iou_per_class(y_true, np.zeros_like(np.asarray(y_true)), num_classes))
    return acc, float(iou.mean())


def _lazy_objects_only(y_true, num_classes):
    acc, _ = all_background_scores(y_true, num_classes)
    iou = iou_per_class(y_true, np.zeros_like(np.asarray(y_true)), num_classes)[1:]
    return acc, float(np.nanmean(iou)) if not np.isnan(iou).all() else 0.0


def _conv_size(n, kernel, stride, padding):
    if padding == "same":
        return -(-n // stride)
    return (n - kernel) // stride + 1


def _overhang_always(n, kernel, stride, padding):
    if padding == "same":
        return int(n * stride)
    return int((n - 1) * stride + kernel)


def _valid_is_same(n, kernel, stride, padding):
    return int(n * stride)


def _bn_trainable_only(c_in, c_out, batch_norm=True):
    return down_block_weights(c_in, c_out, batch_norm) - (4 * c_out if batch_norm else 0)


def _bias_with_bn(c_in, c_out, batch_norm=True):
    return down_block_weights(c_in, c_out, batch_norm) + (2 * c_out if batch_norm else 0)


def _second_conv_from_input(c_in, c_out, batch_norm=True):
    return down_block_weights(c_in, c_out, batch_norm) - 9 * c_out * c_out + 9 * c_in * c_out


# ----------------------------------------------------------------------------- cases

_NAN_HINT = ("a class in neither mask has 0 / 0: leave its entry NaN (start from an array full "
             "of NaN and divide only where the denominator is positive).")  # fmt: skip
_SHAPE_HINT = "masks of different shapes cannot be compared: raise ValueError."

# A 4×4 pair from the chapter (classes 0, 1, 2; class 3 absent from both).
TRUE = np.array([[0, 0, 1, 1], [0, 1, 1, 1], [0, 0, 2, 2], [0, 0, 2, 2]])
PRED = np.array([[0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 2, 0], [0, 2, 2, 2]])


def _mask_pair(rng, k, shape, p_right=0.7):
    t = rng.integers(0, k, size=shape)
    p = np.where(rng.random(shape) < p_right, t, rng.integers(0, k, size=shape))
    return t, p


def _masks_public():
    rng = np.random.default_rng(19)
    t1, p1 = _mask_pair(rng, 3, (6, 6))
    t2, p2 = _mask_pair(rng, 5, (2, 5, 5))
    # class 2 only in the truth (missed), class 3 only predicted (false alarm), 4 absent
    t3 = np.array([[0, 0, 2, 2], [1, 1, 0, 0]])
    p3 = np.array([[0, 3, 0, 0], [1, 0, 0, 0]])
    return [
        Case((TRUE, PRED, 4), hint=_NAN_HINT),
        Case((t1, p1, 3)),
        Case((t2, p2, 5)),
        Case((t3, p3, 5), hint="a class missed or only predicted scores 0; only 0/0 is NaN."),
        Case((TRUE, TRUE, 4)),
        Case((TRUE, PRED[:3], 4), hint=_SHAPE_HINT),
    ]


def _masks_hidden(rng):
    cases = []
    for _ in range(5):
        k = int(rng.integers(2, 8))
        shape = tuple(int(v) for v in rng.integers(2, 9, size=int(rng.choice([2, 3]))))
        t, p = _mask_pair(rng, k - 1, shape, float(rng.uniform(0.3, 0.95)))  # class k-1 absent
        cases.append(Case((t, p, k), group="scores"))
    t, p = _mask_pair(rng, 4, (5, 5))
    t[t == 2] = 0  # class 2 only predicted
    p[p == 3] = 1  # class 3 only in the truth
    cases.append(Case((t, p, 5), group="scores"))
    cases.append(Case((t, t.copy(), 5), group="scores"))
    cases.append(Case((t, p[:, :4], 5), group="errors", hint=_SHAPE_HINT))
    return cases


def _lazy_hidden(rng):
    cases = []
    for _ in range(5):
        k = int(rng.integers(3, 12))
        h, w = (int(v) for v in rng.integers(4, 20, size=2))
        present = rng.choice(np.arange(1, k), size=int(rng.integers(1, k - 1)), replace=False)
        y = np.where(rng.random((h, w)) < rng.uniform(0.6, 0.98),
                     0, rng.choice(present, size=(h, w)))  # fmt: skip
        cases.append(Case((y, k)))
    return cases


def _tconv_hidden(rng):
    cases = []
    for _ in range(8):
        s = int(rng.integers(1, 5))
        cases.append(Case((int(rng.integers(1, 40)), int(rng.integers(1, 8)), s,
                           str(rng.choice(["valid", "same"])))))  # fmt: skip
    s = int(rng.integers(3, 6))
    small = "when the kernel is smaller than the stride, Keras still gives n·s."
    cases.append(Case((int(rng.integers(2, 20)), int(rng.integers(1, s)), s, "valid"), hint=small))
    cases.append(Case((int(rng.integers(2, 20)), int(rng.integers(3, 6)), 2, "valid")))
    cases.append(Case((int(rng.integers(2, 20)), 3, 2, "same")))
    unknown = "only 'valid' and 'same' are asked for: raise ValueError otherwise."
    cases.append(Case((5, 3, 2, "full"), group="errors", hint=unknown))
    return cases


def _block_hidden(rng):
    cases = []
    for _ in range(6):
        c_in = int(rng.choice([1, 3, 8, 16, 32, 64, 128, 256]))
        c_out = int(rng.choice([4, 8, 16, 32, 64, 128, 512]))
        cases.append(Case((c_in, c_out), {"batch_norm": bool(rng.random() < 0.6)}))
    cases.append(Case((int(rng.integers(1, 9)), int(rng.integers(2, 40))), {"batch_norm": False}))
    cases.append(Case((int(rng.integers(1, 9)), int(rng.integers(2, 40))), {"batch_norm": True}))
    return cases


_SCORE_MISTAKES = [
    Mistake(_iou_recall, "you divided by the true pixels only (that is recall, not IoU).",
            "IoU divides by the union: true + predicted − both."),
    Mistake(_iou_precision, "you divided by the predicted pixels only (that is precision; the "
            "seed's slide has this formula, and it is wrong).",
            "IoU divides by the union: true + predicted − both."),
    Mistake(_iou_sum_union, "you divided by true + predicted without removing the overlap.",
            "the union counts the shared pixels once: |A| + |B| − |A ∩ B|."),
]  # fmt: skip

EXERCISES = [
    Exercise(
        "iou_per_class",
        points=3,
        reference=iou_per_class,
        judge=judge.Custom("lab19.per_class", params={"atol": 1e-9}),
        public=_masks_public(),
        hidden=_masks_hidden,
        groups={"scores": 2, "errors": 1},
        hint="per class c: both = pixels where truth AND prediction are c; IoU = both / union.",
        mistakes=_SCORE_MISTAKES,
        no_warnings=_NAN_HINT,
    ),
    Exercise(
        "dice_per_class",
        points=2,
        reference=dice_per_class,
        judge=judge.Custom("lab19.per_class", params={"atol": 1e-9}),
        public=_masks_public(),
        hidden=_masks_hidden,
        groups={"scores": 1, "errors": 1},
        hint="Dice = 2 · both / (true pixels + predicted pixels), per class.",
        mistakes=[
            Mistake(
                _dice_is_iou,
                "you returned the IoU.",
                "Dice counts the overlap twice on top and both areas whole below.",
            ),
            Mistake(
                _dice_double_iou,
                "you doubled the IoU.",
                "2·IoU can exceed 1; Dice = 2·both / (|A| + |B|) (= 2·IoU / (1 + IoU)).",
            ),
        ],  # fmt: skip
        no_warnings=_NAN_HINT,
    ),
    Exercise(
        "all_background_scores",
        points=2,
        reference=all_background_scores,
        judge=judge.Seq(
            [judge.Float(rel=1e-9, abs=1e-12), judge.Float(rel=1e-9, abs=1e-12)],
            names=["pixel accuracy", "mean IoU"],
        ),  # fmt: skip
        public=[
            Case((TRUE, 4), label="all_background_scores(the 4x4 truth, 4)"),
            Case((np.pad(np.array([[3, 3], [3, 1]]), 4), 5)),
            Case((np.where(np.eye(10, dtype=bool), 7, 0), 11)),
        ],
        hidden=_lazy_hidden,
        hint="predict zeros everywhere; accuracy = share of background pixels; average the "
        "per-class IoU over the classes that are defined (np.nanmean).",
        mistakes=[
            Mistake(
                _lazy_zero_for_absent,
                "you counted classes absent from both masks as 0.",
                "an undefined (NaN) class is left out of the mean.",
            ),
            Mistake(
                _lazy_objects_only,
                "you left the background out of the mean IoU.",
                "here the mean runs over every defined class, background included.",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "transposed_output_size",
        points=2,
        reference=transposed_output_size,
        judge=judge.Int(),
        public=[
            Case(
                (2, 3, 2, "valid"),
                label="transposed_output_size(2, 3, 2, 'valid') (the 2x2 example)",
            ),
            Case((2, 3, 2, "same")),
            Case((4, 2, 2, "valid"), hint="the U-Net's 2x2 up-convolution doubles the size."),
            Case((7, 4, 1, "valid")),
            Case(
                (3, 1, 3, "valid"),
                hint="when the kernel is smaller than the stride, Keras still gives n·s.",
            ),
            Case((8, 16, 8, "same")),
            Case((2, 3, 2, "causal"), hint="only 'valid' and 'same': raise ValueError otherwise."),
        ],  # fmt: skip
        hidden=_tconv_hidden,
        groups={"all": 1, "errors": 1},
        hint="each input pixel paints a kernel-sized patch, placed stride pixels apart.",
        mistakes=[
            Mistake(
                _conv_size,
                "you used the formula of an ordinary convolution (it shrinks).",
                "a transposed convolution goes the other way: sizes grow with the stride.",
            ),
            Mistake(
                _overhang_always,
                "you used (n − 1)·s + k for 'valid' in every case.",
                "Keras never returns less than n·s: the overhang is max(k − s, 0).",
            ),
            Mistake(
                _valid_is_same,
                "you gave 'valid' the size of 'same'.",
                "'valid' keeps the kernel's overhang beyond n·s.",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "down_block_weights",
        points=2,
        reference=down_block_weights,
        judge=judge.Int(),
        public=[
            Case((1, 64), label="down_block_weights(1, 64) (the first block of the U-Net)"),
            Case((64, 128)),
            Case((256, 512)),
            Case((1, 64), {"batch_norm": False}),
            Case((3, 16), {"batch_norm": False}),
        ],
        hidden=_block_hidden,
        hint="a k×k convolution has k·k·c_in weights per filter; batch norm keeps 4 numbers per "
        "channel; pooling and dropout have none.",
        mistakes=[
            Mistake(
                _bn_trainable_only,
                "you counted 2 numbers per channel for batch norm.",
                "the moving mean and variance are weights too (not trainable): 4 per channel.",
            ),
            Mistake(
                _bias_with_bn,
                "you kept the convolutions' biases although batch norm follows.",
                "with batch_norm=True the convolutions have no bias (beta replaces it).",
            ),
            Mistake(
                _second_conv_from_input,
                "your second convolution reads c_in channels.",
                "the second convolution reads the first one's c_out channels.",
            ),
        ],  # fmt: skip
    ),
]
