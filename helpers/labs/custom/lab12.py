"""Comparators of lab 12 (evaluating classifiers): specific messages, no answers."""

from __future__ import annotations

import numpy as np

from ..judge import Array, Int, brief


def precision_recall(got, expected, atol=1e-6):
    """Two float arrays ``(precision, recall)`` (a tuple or a list), without NaN."""
    if type(got) not in (tuple, list) or len(got) != 2:
        return f"expected two arrays (precision, recall), got {type(got).__name__} {brief(got)}"
    for name, g, e in zip(("precision", "recall"), got, expected, strict=True):
        if type(g) is np.ndarray and g.dtype.kind == "f" and np.isnan(g).any():
            return (f"{name} contains NaN: an undefined fraction (a denominator of 0) must "
                    "give 0.0, without dividing by zero")  # fmt: skip
        problem = Array(atol=atol, kinds="f").compare(g, e)
        if problem:
            return f"{name}: {problem}"
    return None


def counts(got, expected, names=("tp", "fp", "fn", "tn")):
    """A tuple (or list) of whole numbers, named item by item in messages."""
    if type(got) not in (tuple, list) or len(got) != len(expected):
        return (f"expected a tuple of {len(expected)} ints ({', '.join(names)}), got "
                f"{type(got).__name__} {brief(got)}")  # fmt: skip
    for name, g, e in zip(names, got, expected, strict=True):
        problem = Int().compare(g, e)
        if problem:
            return f"{name}: {problem}"
    return None


def pairs(got, expected):
    """A list of ``(true, predicted, count)`` tuples of whole numbers."""
    if type(got) is not list:
        return (f"expected a list of (true, predicted, count) tuples, got "
                f"{type(got).__name__} {brief(got)}")  # fmt: skip
    if len(got) != len(expected):
        return (f"expected {len(expected)} pairs, got {len(got)} (never list the diagonal or "
                "cells with a count of 0)")  # fmt: skip
    for pos, (g, e) in enumerate(zip(got, expected, strict=True)):
        if type(g) is not tuple or len(g) != 3:
            return f"item {pos} should be a tuple (true, predicted, count), got {brief(g)}"
        for label, gv, ev in zip(("true", "predicted", "count"), g, e, strict=True):
            if Int().compare(gv, ev):
                return f"item {pos} ({label}): expected {e}, got {brief(g)}"
    return None


def indices(got, expected):
    """An integer array of indices (not a boolean mask)."""
    if type(got) is np.ndarray and got.dtype.kind == "b":
        return "you returned a boolean mask; return the indices where it is True"
    return Array(atol=0.0, kinds="iu").compare(got, expected)
