"""Arithmetic shared by several labs' declarations (grader only, like every module here).

Plain formulas without checks of their arguments: each lab's reference keeps its own
validation (the errors it raises and their messages are part of its exercise), then calls
these. Not a lab: :func:`helpers.labs.spec.known_labs` lists only ``labNN.py`` files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["conv_params", "dense_params", "conv_macs", "output_size", "glorot_weights"]


def conv_params(kh: int, kw: int, c_in: int, filters: int, bias: bool = True) -> int:
    """Weights of a Conv2D layer: one kh×kw×c_in kernel per filter, plus one bias per filter."""
    return kh * kw * c_in * filters + (filters if bias else 0)


def dense_params(n_in: int, units: int, bias: bool = True) -> int:
    """Weights of a Dense layer: one weight per input and unit, plus one bias per unit."""
    return n_in * units + (units if bias else 0)


def conv_macs(h_out: int, w_out: int, kh: int, kw: int, c_in: int, c_out: int) -> int:
    """Multiply-accumulates of a Conv2D layer: kh·kw·c_in per output value."""
    return h_out * w_out * kh * kw * c_in * c_out


def output_size(n: int, k: int, stride: int = 1, padding: str = "valid") -> int:
    """Positions of a k-wide window along n inputs: ``(n − k) // stride + 1`` ("valid"), or
    ``ceil(n / stride)`` ("same"). ValueError for another padding or a window wider than n."""
    if padding == "same":
        return -(-n // stride)
    if padding != "valid":
        raise ValueError("padding must be 'valid' or 'same'")
    if k > n:
        raise ValueError("the filter does not fit")
    return (n - k) // stride + 1


def glorot_weights(rng: np.random.Generator, layers: Sequence[tuple[tuple, int]]) -> list:
    """Weights for ``set_weights`` from ``(kernel shape, units)`` per layer, in order: a
    Glorot-uniform kernel then N(0, 0.1) biases per layer, float32, drawn from ``rng``."""
    weights = []
    for kernel, units in layers:
        fan_in = int(np.prod(kernel[:-1]))
        fan_out = int(np.prod(kernel[:-2])) * units
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights.append(rng.uniform(-limit, limit, size=kernel).astype(np.float32))
        weights.append(rng.normal(0.0, 0.1, size=units).astype(np.float32))
    return weights
