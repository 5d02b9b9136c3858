"""Layer arithmetic shared by the chapters: weights, multiply-adds and output sizes.

One home for the formulas the course uses again and again (chapters 01, 04, 06–09, 13):

- :func:`conv_params`, :func:`dense_params`, :func:`separable_params`: weights of a layer;
- :func:`conv_multiplies`, :func:`inception_branch_multiplies`, :func:`separable_cost_ratio`,
  :func:`stack_weights`: what a layer costs;
- :func:`output_size`: positions of a window along one axis (a thin, layer-ordered front to
  :func:`helpers.conv.output_size`);
- :func:`layer_macs`: multiply-adds per image of each Conv2D and Dense layer of a built Keras
  model, read off the layers themselves.

All take and return plain Python ints and raise ``ValueError`` on sizes that are not positive
whole numbers.
"""

from __future__ import annotations

import numbers
from typing import Any

from . import conv

__all__ = [
    "conv_params",
    "dense_params",
    "conv_multiplies",
    "separable_params",
    "separable_cost_ratio",
    "inception_branch_multiplies",
    "stack_weights",
    "output_size",
    "layer_macs",
]


def _pos(caller: str, **values: Any) -> None:
    for name, value in values.items():
        # NumPy integers count as whole numbers (sizes often come from array shapes).
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
            raise ValueError(f"{caller}(): {name} must be a positive whole number, got {value!r}")


def _kernel(k, caller: str) -> tuple[int, int]:
    kh, kw = (k, k) if not isinstance(k, tuple | list) else tuple(k)
    _pos(caller, kernel_height=kh, kernel_width=kw)
    return kh, kw


def conv_params(k: int | tuple[int, int], c_in: int, c_out: int, bias: bool = True) -> int:
    """Weights of a convolution with a k×k (or ``(kh, kw)``) kernel: ``kh·kw·c_in`` per filter,
    plus one bias per filter. ``conv_params(5, 1, 6) == 156`` (LeNet-5's C1)."""
    kh, kw = _kernel(k, "conv_params")
    _pos("conv_params", c_in=c_in, c_out=c_out)
    return int(kh * kw * c_in * c_out + (c_out if bias else 0))


def dense_params(n_in: int, n_out: int, bias: bool = True) -> int:
    """Weights of a dense layer: ``n_in·n_out``, plus one bias per unit."""
    _pos("dense_params", n_in=n_in, n_out=n_out)
    return int(n_in * n_out + (n_out if bias else 0))


def conv_multiplies(h_out: int, w_out: int, k: int, c_in: int, c_out: int) -> int:
    """Multiplications of a k×k convolution producing an ``h_out×w_out×c_out`` output.

    Each output value is a sum of ``k·k·c_in`` products: ``h_out·w_out·c_out·k·k·c_in``.
    The Inception example: ``conv_multiplies(28, 28, 5, 192, 32) == 120_422_400``.
    """
    _pos("conv_multiplies", h_out=h_out, w_out=w_out, k=k, c_in=c_in, c_out=c_out)
    return h_out * w_out * c_out * k * k * c_in


def separable_params(k: int, c_in: int, c_out: int, bias: bool = True) -> int:
    """Weights of a depthwise-separable convolution: a k×k depthwise filter per input channel
    (``k·k·c_in``, no bias) then a 1×1 pointwise convolution (``c_in·c_out`` + biases)."""
    _pos("separable_params", k=k, c_in=c_in, c_out=c_out)
    return k * k * c_in + c_in * c_out + (c_out if bias else 0)


def separable_cost_ratio(k: int, c_out: int) -> float:
    """Multiplies of a depthwise-separable convolution over those of a full one (same output):
    ``(k²·c_in + c_in·c_out) / (k²·c_in·c_out) = 1/c_out + 1/k²`` (MobileNet's ratio)."""
    _pos("separable_cost_ratio", k=k, c_out=c_out)
    return 1 / c_out + 1 / (k * k)


def inception_branch_multiplies(
    h: int, w: int, c_in: int, k: int, c_out: int, reduce: int | None = None
) -> int:
    """Multiplies of an Inception branch ('same' padding, stride 1, output ``h×w×c_out``).

    Without ``reduce``: one k×k convolution on the ``c_in`` channels. With ``reduce``: a 1×1
    "bottleneck" to ``reduce`` channels first, then the k×k convolution on those. GoogLeNet's
    5×5 branch: 120,422,400 without, 2,408,448 + 10,035,200 = 12,443,648 with ``reduce=16``.
    """
    if reduce is None:
        return conv_multiplies(h, w, k, c_in, c_out)
    return conv_multiplies(h, w, 1, c_in, reduce) + conv_multiplies(h, w, k, reduce, c_out)


def stack_weights(k: int, n: int = 1) -> int:
    """Weights per (input channel, output channel) pair of ``n`` stacked k×k convolutions:
    ``n·k²``. Three 3×3 layers (27) see as far as one 7×7 layer (49)."""
    _pos("stack_weights", k=k, n=n)
    return n * k * k


def output_size(n: int, k: int, stride: int = 1, padding: str = "valid") -> int:
    """Output positions of a k-wide window with ``stride`` along ``n`` inputs, as Keras layers
    count them: ``"valid"``: ``(n − k) // stride + 1``; ``"same"``: ``ceil(n / stride)``.

    The positional order (n, k, stride, padding) follows a layer's arguments; the computation is
    :func:`helpers.conv.output_size`, which also knows dilation and explicit padding. ValueError
    for other paddings, non-positive sizes or a 'valid' window wider than the input.
    """
    _pos("output_size", n=n, k=k, stride=stride)
    if padding not in ("valid", "same"):
        raise ValueError(f"output_size(): padding must be 'valid' or 'same', got {padding!r}")
    return conv.output_size(n, k, padding=padding, stride=stride)


def layer_macs(model) -> dict[str, int]:
    """``{layer name: multiply-adds per image}`` for the Conv2D and Dense layers of a built model.

    A convolution computes, for each of its ``H_out·W_out`` positions and each of its ``C_out``
    filters, a dot product of ``kh·kw·C_in`` weights with the input patch; a dense layer needs
    ``inputs × units``. The sizes are read from the layers, so the numbers follow the model.
    Other layers (pooling, batch normalization, activations) cost little and are left out.
    """
    import keras

    if not isinstance(model, keras.Model) or not model.built:
        raise ValueError(
            "layer_macs() needs a built Keras model (call it once or give it an Input)"
        )
    out = {}
    for layer in model.layers:
        # Only plain Conv2D: Keras' depthwise, separable and transposed convolutions are other
        # classes, with other formulas.
        if isinstance(layer, keras.layers.Conv2D):
            _, h, w, c_out = layer.output.shape
            kh, kw = layer.kernel_size
            c_in = layer.input.shape[-1] // layer.groups
            out[layer.name] = int(h * w * kh * kw * c_in * c_out)
        elif isinstance(layer, keras.layers.Dense):
            out[layer.name] = int(layer.input.shape[-1] * layer.units)
    return out
