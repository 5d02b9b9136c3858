"""Lab 19 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import numpy as np

from helpers.labs.spec import Mutant


def _per_class(y_true, y_pred, num_classes):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError("shapes differ")
    both = np.array([np.sum((y_true == c) & (y_pred == c)) for c in range(num_classes)])
    n_true = np.array([np.sum(y_true == c) for c in range(num_classes)])
    n_pred = np.array([np.sum(y_pred == c) for c in range(num_classes)])
    return both, n_true, n_pred


def iou_per_class(y_true, y_pred, num_classes):
    both, n_true, n_pred = _per_class(y_true, y_pred, num_classes)
    union = n_true + n_pred - both
    out = np.full(num_classes, np.nan)
    np.divide(both, union, out=out, where=union > 0)
    return out


def dice_per_class(y_true, y_pred, num_classes):
    both, n_true, n_pred = _per_class(y_true, y_pred, num_classes)
    total = n_true + n_pred
    out = np.full(num_classes, np.nan)
    np.divide(2 * both, total, out=out, where=total > 0)
    return out


def all_background_scores(y_true, num_classes):
    y_true = np.asarray(y_true)
    lazy = np.zeros_like(y_true)
    mean_iou = float(np.nanmean(iou_per_class(y_true, lazy, num_classes)))
    return float((y_true == lazy).mean()), mean_iou


def transposed_output_size(n, kernel, stride, padding):
    if padding not in ("valid", "same"):
        raise ValueError(padding)
    if padding == "same":
        return n * stride
    return n * stride + max(kernel - stride, 0)


def down_block_weights(c_in, c_out, batch_norm=True):
    if batch_norm:
        return 9 * c_in * c_out + 9 * c_out * c_out + 2 * 4 * c_out
    return 9 * c_in * c_out + c_out + 9 * c_out * c_out + c_out


SOLUTION = {f.__name__: f for f in (iou_per_class, dice_per_class, all_background_scores,
                                    transposed_output_size, down_block_weights)}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def iou_zero_for_absent(y_true, y_pred, num_classes):
    return np.nan_to_num(iou_per_class(y_true, y_pred, num_classes))


def iou_one_for_absent(y_true, y_pred, num_classes):
    return np.nan_to_num(iou_per_class(y_true, y_pred, num_classes), nan=1.0)


def iou_divides_by_zero(y_true, y_pred, num_classes):
    both, n_true, n_pred = _per_class(y_true, y_pred, num_classes)
    return both / (n_true + n_pred - both)


def iou_precision(y_true, y_pred, num_classes):
    both, _, n_pred = _per_class(y_true, y_pred, num_classes)
    out = np.full(num_classes, np.nan)
    np.divide(both, n_pred, out=out, where=n_pred > 0)
    return out


def iou_no_shape_check(y_true, y_pred, num_classes):
    t, p = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    n = min(t.size, p.size)
    return iou_per_class(t[:n], p[:n], num_classes)


def iou_integer_division(y_true, y_pred, num_classes):
    both, n_true, n_pred = _per_class(y_true, y_pred, num_classes)
    union = n_true + n_pred - both
    out = np.full(num_classes, np.nan)
    ok = union > 0
    out[ok] = both[ok] // union[ok]
    return out


def dice_is_iou(y_true, y_pred, num_classes):
    return iou_per_class(y_true, y_pred, num_classes)


def dice_double_iou(y_true, y_pred, num_classes):
    return 2 * iou_per_class(y_true, y_pred, num_classes)


def dice_skips_absent(y_true, y_pred, num_classes):
    d = dice_per_class(y_true, y_pred, num_classes)
    return d[~np.isnan(d)]


def lazy_zero_for_absent(y_true, num_classes):
    acc, _ = all_background_scores(y_true, num_classes)
    lazy = np.zeros_like(np.asarray(y_true))
    return acc, float(np.nan_to_num(iou_per_class(y_true, lazy, num_classes)).mean())


def lazy_objects_only(y_true, num_classes):
    acc, _ = all_background_scores(y_true, num_classes)
    lazy = np.zeros_like(np.asarray(y_true))
    return acc, float(np.nanmean(iou_per_class(y_true, lazy, num_classes)[1:]))


def lazy_swapped(y_true, num_classes):
    a, m = all_background_scores(y_true, num_classes)
    return m, a


def tconv_conv_formula(n, kernel, stride, padding):
    if padding == "same":
        return -(-n // stride)
    return (n - kernel) // stride + 1


def tconv_overhang_always(n, kernel, stride, padding):
    if padding == "same":
        return n * stride
    return (n - 1) * stride + kernel


def tconv_same_as_valid(n, kernel, stride, padding):
    return (n - 1) * stride + kernel


def tconv_no_error(n, kernel, stride, padding):
    if padding == "same":
        return n * stride
    return n * stride + max(kernel - stride, 0)


def block_bn_two(c_in, c_out, batch_norm=True):
    return down_block_weights(c_in, c_out, batch_norm) - (4 * c_out if batch_norm else 0)


def block_bias_with_bn(c_in, c_out, batch_norm=True):
    return down_block_weights(c_in, c_out, batch_norm) + (2 * c_out if batch_norm else 0)


def block_second_from_input(c_in, c_out, batch_norm=True):
    return down_block_weights(c_in, c_out, batch_norm) - 9 * c_out * c_out + 9 * c_in * c_out


def block_one_conv(c_in, c_out, batch_norm=True):
    return 9 * c_in * c_out + (4 * c_out if batch_norm else c_out)


MUTANTS = [
    Mutant("iou_per_class", "0 for a class in neither mask", iou_zero_for_absent,
           says="return NaN for it"),
    Mutant("iou_per_class", "1 for a class in neither mask", iou_one_for_absent,
           says="return NaN for it"),
    Mutant("iou_per_class", "divides by zero (warning)", iou_divides_by_zero),
    Mutant("iou_per_class", "precision instead of IoU", iou_precision, says="precision"),
    Mutant("iou_per_class", "no shape check", iou_no_shape_check),
    Mutant("iou_per_class", "integer division", iou_integer_division),
    Mutant("dice_per_class", "returns the IoU", dice_is_iou, says="returned the IoU"),
    Mutant("dice_per_class", "doubles the IoU", dice_double_iou, says="doubled the IoU"),
    Mutant("dice_per_class", "drops absent classes", dice_skips_absent),
    Mutant("all_background_scores", "absent classes count as 0", lazy_zero_for_absent,
           says="counted classes absent"),
    Mutant("all_background_scores", "background left out", lazy_objects_only,
           says="left the background out"),
    Mutant("all_background_scores", "returns (mean IoU, accuracy)", lazy_swapped),
    Mutant("transposed_output_size", "an ordinary convolution's size", tconv_conv_formula,
           says="ordinary convolution"),
    Mutant("transposed_output_size", "(n-1)s + k for 'valid' always", tconv_overhang_always,
           says="(n − 1)·s + k"),
    Mutant("transposed_output_size", "ignores the padding", tconv_same_as_valid),
    Mutant("transposed_output_size", "accepts any padding word", tconv_no_error),
    Mutant("down_block_weights", "batch norm as 2 per channel", block_bn_two,
           says="2 numbers per channel"),
    Mutant("down_block_weights", "biases kept with batch norm", block_bias_with_bn,
           says="kept the convolutions' biases"),
    Mutant("down_block_weights", "second conv reads c_in", block_second_from_input,
           says="reads c_in channels"),
    Mutant("down_block_weights", "one convolution only", block_one_conv),
]  # fmt: skip
