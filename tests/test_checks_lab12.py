"""Tests of helpers.checks.lab12: solutions pass, typical mistakes fail with a useful message."""

import numpy as np
import pytest

from helpers import metrics
from helpers.checks import CheckFailed, lab12
from helpers.grading_tests import lab12 as hidden


def good_cm(y_true, y_pred, n):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError("lengths differ")
    if min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= n:
        raise ValueError("label out of range")
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def good_pr(cm):
    m = metrics.per_class_metrics(cm)
    return m.precision, m.recall


def good_f1(p, r):
    p, r = np.asarray(p, dtype=float), np.asarray(r, dtype=float)
    out = np.zeros(p.shape)
    np.divide(2 * p * r, p + r, out=out, where=(p + r) > 0)
    return out


def good_acc(cm):
    return metrics.accuracy_from_cm(cm)


def good_counts(cm, c):
    cm = np.asarray(cm)
    tp = int(cm[c, c])
    fp, fn = int(cm[:, c].sum()) - tp, int(cm[c].sum()) - tp
    return tp, fp, fn, int(cm.sum()) - tp - fp - fn


def good_confused(cm, k):
    if not isinstance(k, int) or isinstance(k, bool):
        raise ValueError("k")
    return metrics.most_confused_pairs(cm, k)


def good_wrong(y_true, y_pred):
    return metrics.misclassified_indices(y_true, y_pred)


GOOD = {
    "confusion_matrix_np": (lab12.check_confusion_matrix_np, good_cm),
    "precision_recall_from_cm": (lab12.check_precision_recall_from_cm, good_pr),
    "f1": (lab12.check_f1, good_f1),
    "accuracy_from_cm": (lab12.check_accuracy_from_cm, good_acc),
    "class_counts": (lab12.check_class_counts, good_counts),
    "most_confused": (lab12.check_most_confused, good_confused),
    "misclassified": (lab12.check_misclassified, good_wrong),
}
HIDDEN = {name: test for name, _, test in hidden.QUESTIONS}


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return 0

    __rsub__ = __sub__
    __hash__ = object.__hash__


def check_and_hidden_fail(name, fn, match):
    with pytest.raises(CheckFailed, match=match):
        GOOD[name][0](fn)
    with pytest.raises(hidden.Failed):
        HIDDEN[name](fn)


def test_solutions_pass(capsys):
    for check, fn in GOOD.values():
        assert "passed" in check(fn)
    assert capsys.readouterr().out.count("✔") == len(GOOD)


def test_hidden_tests_accept_the_solutions():
    assert set(HIDDEN) == set(GOOD)
    assert sum(points for _, points, _ in hidden.QUESTIONS) == 14
    for name, (_, fn) in GOOD.items():
        HIDDEN[name](fn)


@pytest.mark.parametrize("name", list(GOOD))
def test_blank_exercise_fails_as_not_implemented(name):
    def not_done(*args, **kwargs):
        raise NotImplementedError

    with pytest.raises(CheckFailed, match="not implemented yet"):
        GOOD[name][0](not_done)
    with pytest.raises(hidden.Failed, match="not implemented"):
        HIDDEN[name](not_done)


@pytest.mark.parametrize("name", list(GOOD))
def test_always_equal_object_fails(name):
    check_and_hidden_fail(name, lambda *args, **kwargs: AlwaysEqual(), "AlwaysEqual")


def test_confusion_matrix_mistakes():
    check_and_hidden_fail("confusion_matrix_np", lambda t, p, n: good_cm(p, t, n), "transposed")

    def infers_n(t, p, n):
        return good_cm(t, p, int(max(np.max(t), np.max(p))) + 1)

    check_and_hidden_fail("confusion_matrix_np", infers_n, r"expected shape \(4, 4\)")

    def no_validation(t, p, n):
        t, p = np.asarray(t)[: len(p)], np.asarray(p)[: len(t)]
        cm = np.zeros((n, n), dtype=np.int64)
        for a, b in zip(t, p, strict=True):
            cm[a % n, b % n] += 1
        return cm

    check_and_hidden_fail("confusion_matrix_np", no_validation, "returned instead of raising")
    check_and_hidden_fail("confusion_matrix_np", lambda t, p, n: good_cm(t, p, n).astype(float),
                          "float")  # fmt: skip


def test_precision_recall_mistakes():
    check_and_hidden_fail("precision_recall_from_cm", lambda cm: good_pr(cm)[::-1], "swapped")

    def nan_for_empty(cm):
        cm = np.asarray(cm, dtype=float)
        with np.errstate(all="ignore"):
            return np.diag(cm) / cm.sum(axis=0), np.diag(cm) / cm.sum(axis=1)

    check_and_hidden_fail("precision_recall_from_cm", nan_for_empty, "NaN")

    def warns(cm):
        cm = np.asarray(cm, dtype=float)
        return (np.nan_to_num(np.diag(cm) / cm.sum(axis=0)),
                np.nan_to_num(np.diag(cm) / cm.sum(axis=1)))  # fmt: skip

    with pytest.raises(CheckFailed, match="NumPy warned"):
        lab12.check_precision_recall_from_cm(warns)

    def one_array(cm):
        return np.stack(good_pr(cm))

    check_and_hidden_fail("precision_recall_from_cm", one_array, "two arrays")


def test_f1_mistakes():
    check_and_hidden_fail("f1", lambda p, r: (np.asarray(p) + np.asarray(r)) / 2, "arithmetic")

    def nan_at_zero(p, r):
        with np.errstate(all="ignore"):
            return 2 * p * r / (p + r)

    check_and_hidden_fail("f1", nan_at_zero, "NaN")


def test_accuracy_mistakes():
    def mean_recall(cm):
        return float(good_pr(cm)[1].mean())

    check_and_hidden_fail("accuracy_from_cm", mean_recall, "expected")

    def no_check(cm):
        cm = np.asarray(cm)
        return float(np.trace(cm) / max(cm.sum(), 1))

    with pytest.raises(CheckFailed, match="ValueError"):
        lab12.check_accuracy_from_cm(no_check)
    with pytest.raises(hidden.Failed, match="ValueError"):
        HIDDEN["accuracy_from_cm"](no_check)


def test_class_counts_mistakes():
    def swapped(cm, c):
        tp, fp, fn, tn = good_counts(cm, c)
        return tp, fn, fp, tn

    check_and_hidden_fail("class_counts", swapped, "swapped")

    def tn_forgets_tp(cm, c):
        tp, fp, fn, tn = good_counts(cm, c)
        return tp, fp, fn, tn + tp

    check_and_hidden_fail("class_counts", tn_forgets_tp, "tn")


def test_most_confused_mistakes():
    def with_diagonal(cm, k):
        cm = np.asarray(cm)
        cells = sorted(((int(cm[i, j]), i, j) for i in range(len(cm)) for j in range(len(cm))),
                       key=lambda t: (-t[0], t[1], t[2]))  # fmt: skip
        return [(i, j, n) for n, i, j in cells[:k]]

    check_and_hidden_fail("most_confused", with_diagonal, "expected")

    def swapped(cm, k):
        return [(j, i, n) for i, j, n in good_confused(cm, k)]

    check_and_hidden_fail("most_confused", swapped, "swapped")

    def keeps_zeros(cm, k):
        cm = np.asarray(cm)
        off = [(int(cm[i, j]), i, j) for i in range(len(cm)) for j in range(len(cm)) if i != j]
        off.sort(key=lambda t: (-t[0], t[1], t[2]))
        return [(i, j, n) for n, i, j in off[:k]]

    check_and_hidden_fail("most_confused", keeps_zeros, "zero cells")

    def ties_reversed(cm, k):
        cm = np.asarray(cm)
        off = [(int(cm[i, j]), i, j) for i in range(len(cm)) for j in range(len(cm))
               if i != j and cm[i, j]]  # fmt: skip
        off.sort(key=lambda t: (-t[0], -t[1], -t[2]))
        return [(i, j, n) for n, i, j in off[:k]]

    check_and_hidden_fail("most_confused", ties_reversed, "expected")
    check_and_hidden_fail("most_confused", lambda cm, k: [list(t) for t in good_confused(cm, k)],
                          "tuple")  # fmt: skip


def test_misclassified_mistakes():
    check_and_hidden_fail("misclassified", lambda t, p: np.asarray(t) != np.asarray(p), "mask")
    check_and_hidden_fail("misclassified", lambda t, p: good_wrong(t, p).tolist(), "NumPy array")

    def correct_ones(t, p):
        return np.flatnonzero(np.asarray(t) == np.asarray(p))

    check_and_hidden_fail("misclassified", correct_ones, "expected")
