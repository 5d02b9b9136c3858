"""Lab 09 comparators (the baseline CNN, per-class accuracies) and one notebook helper.

They judge, they hold no answers (shipped to students): the baseline's layers are read from
the expected model's description.
"""

from __future__ import annotations

import numpy as np

from helpers.labs.custom import models
from helpers.labs.judge import Array

# ----------------------------------------------------------------------------- the baseline

_HINTS = {
    "kinds": "Activation layers are folded into the layer before them: 2 × [Conv2D, Conv2D, "
    "MaxPooling2D], then Flatten, Dense(512), Dense(classes)",
    "shapes": "the first convolution of each block uses padding='same', the second "
    "padding='valid' (the default); pooling is 2×2",
    "params": "3×3 kernels; 32, 32, 64, 64 filters; Dense(512); all with biases",
    "activations": "activation='relu' on hidden layers and 'softmax' on the output, or an "
    "Activation layer right after",
}


def baseline_summary(got, expected):
    """The layers of ``got`` (a described Keras model) against the expected model's."""
    problem = models.not_a_model(
        got, "return the model you built (e.g. a keras.Sequential)"
    ) or models.input_problem(
        got, expected, "start the Sequential model with keras.Input(shape=input_shape)"
    )
    if problem:
        return problem
    return models.first_difference(
        models.layer_rows(got.attrs, fold_activations=True),
        models.layer_rows(expected.attrs, fold_activations=True),
        hints=_HINTS,
    )


_OUTPUTS = "with the same weights as the baseline, its outputs differ: {problem}"


def baseline_model(got, expected, atol=1e-4, rtol=1e-4):
    """The baseline judged by its layers; with probes, also by what it computes."""
    return models.probed(got, expected, baseline_summary, atol=atol, rtol=rtol, what=_OUTPUTS)


# ----------------------------------------------------------------------------- per class


def class_accuracies(got, expected, atol=1e-9):
    """A float array of shape (n,), NaN exactly where ``expected`` is, close elsewhere."""
    expected = np.asarray(expected)
    n = expected.shape[0]
    if type(got) is not np.ndarray:
        return f"expected a NumPy array, got {models.kind(got)}"
    if got.shape != expected.shape or got.dtype.kind != "f":
        return f"expected a float array of shape ({n},), got {got.dtype} {got.shape}"
    missing = np.isnan(expected)
    if not np.array_equal(np.isnan(got), missing):
        return (f"NaN expected exactly for the classes without samples "
                f"{np.flatnonzero(missing).tolist()}, got NaN at "
                f"{np.flatnonzero(np.isnan(got)).tolist()}")  # fmt: skip
    return Array(atol=atol, kinds="f").compare(got[~missing], expected[~missing])
