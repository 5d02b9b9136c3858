"""NumPy reference implementations of convolution and pooling, for teaching.

These functions compute exactly what ``tf.nn.conv2d``, ``keras.layers.Conv2D``,
``MaxPooling2D`` and friends compute, in plain NumPy you can read. They are
checked against TensorFlow and Keras in ``tests/test_conv.py``. They are meant
for understanding and for checking small examples by hand, not for training.

Contents
--------
Sizes
    :func:`output_size`, :func:`padding_amounts`, :func:`explain_output_size`.
Padding
    :func:`pad2d`.
Convolution
    :func:`conv2d` (what CNN libraries call convolution: cross-correlation),
    :func:`correlate2d` (the same thing, under its mathematical name) and
    :func:`convolve2d` (true convolution: the kernel is flipped).
Pooling
    :func:`pool2d` (max / average) and :func:`global_pool2d`.
Step by step
    :func:`conv2d_steps` yields one :class:`ConvStep` per output position;
    :func:`receptive_field` gives the input rows and columns an output sees.

Layout conventions (TensorFlow's)
---------------------------------
Images are *channels-last*:

* ``(H, W)``: one single-channel image;
* ``(H, W, C)``: one image with ``C`` channels (a ``(N, H, W)`` stack of
  grayscale images must be given as ``(N, H, W, 1)``, since the two cannot be
  told apart);
* ``(N, H, W, C)``: a batch of ``N`` images (NHWC).

Kernels:

* ``(fh, fw)``: one 2-D filter. Only for a 2-D ``(H, W)`` input; for any input
  with a channel axis, even ``C == 1``, use the 4-D layout below, so that the
  output shape is never a guess;
* ``(fh, fw, C_in, C_out)``: ``C_out`` filters, each spanning all ``C_in``
  input channels. This is TensorFlow's HWIO layout, the one
  ``keras.layers.Conv2D`` stores as its kernel. (PyTorch stores
  ``(C_out, C_in, fh, fw)``; convert with ``w.transpose(2, 3, 1, 0)``.)

The output keeps the input's "rank style": ``(H, W)`` with ``(fh, fw)`` gives
``(H', W')``; ``(H, W)`` with ``(fh, fw, 1, F)`` gives ``(H', W', F)``;
``(H, W, C)`` gives ``(H', W', F)``; ``(N, H, W, C)`` gives ``(N, H', W', F)``.

Numbers
-------
Inputs may have any real numeric dtype (integers, ``uint8`` images, float16,
float32, float64). They are converted to float64 before any arithmetic, so
``uint8`` pixels cannot overflow, and every result is **float64**, also for
float32 inputs (expect differences of about 1e-6 against TensorFlow's float32
results). Boolean and complex arrays are refused. NaN and infinity are allowed
and propagate as in any arithmetic. Bad arguments raise ``ValueError`` or
``TypeError`` with a message naming the argument; nothing is silently guessed.

Sizes along one axis
--------------------
With input size ``n``, filter size ``f``, dilation ``d``, stride ``s`` and
padding ``p_before``/``p_after``, the effective filter size is
``f_eff = d * (f - 1) + 1`` and::

    out = floor((n + p_before + p_after - f_eff) / s) + 1
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "output_size",
    "padding_amounts",
    "explain_output_size",
    "pad2d",
    "conv2d",
    "correlate2d",
    "convolve2d",
    "pool2d",
    "global_pool2d",
    "ConvStep",
    "conv2d_steps",
    "receptive_field",
]

_PADDING_WORDS = ("valid", "same", "full")
_POOL_MODES = {"max": "max", "avg": "avg", "average": "avg"}
_AXIS_NAMES = ("rows", "columns")


# --------------------------------------------------------------------------
# Argument checking
# --------------------------------------------------------------------------


def _is_int(value) -> bool:
    # bool is a subclass of int, but stride=True is a bug, not a stride of 1.
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _check_int(value, name: str, *, minimum: int) -> int:
    """Return ``value`` as an int, or raise naming ``name``."""
    if not _is_int(value):
        raise TypeError(
            f"{name} must be a whole number (int), got {value!r} of type {type(value).__name__}"
        )
    if value < minimum:
        kind = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{name} must be a {kind} whole number (>= {minimum}), got {value}")
    return int(value)


def _is_pair(value) -> bool:
    return isinstance(value, tuple | list) and len(value) == 2


def _pair(value, name: str, *, minimum: int = 1) -> tuple[int, int]:
    """An int (used for both spatial axes) or a pair ``(rows, cols)`` of ints."""
    if _is_int(value):
        v = _check_int(value, name, minimum=minimum)
        return v, v
    if _is_pair(value):
        return (
            _check_int(value[0], f"{name}[0]", minimum=minimum),
            _check_int(value[1], f"{name}[1]", minimum=minimum),
        )
    raise TypeError(f"{name} must be an int or a pair (rows, cols) of ints, got {value!r}")


def _as_real_array(a, name: str) -> np.ndarray:
    """``np.asarray(a)``, refusing anything that is not a non-empty real numeric array."""
    try:
        arr = np.asarray(a)
    except (ValueError, TypeError) as exc:  # e.g. ragged nested lists
        raise ValueError(f"{name} could not be turned into a NumPy array: {exc}") from None
    kind = arr.dtype.kind
    if kind == "b":
        raise TypeError(
            f"{name} has dtype bool; convert it to numbers first, e.g. {name}.astype(float)"
        )
    if kind == "c":
        raise TypeError(
            f"{name} has complex dtype {arr.dtype}; only real numbers are supported "
            f"(use {name}.real if the imaginary part is meaningless)"
        )
    if kind not in "iuf":
        raise TypeError(
            f"{name} must hold real numbers (int or float dtype), got dtype {arr.dtype}"
        )
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); every axis needs at least 1 entry")
    return arr


def _padding_word(padding: str, name: str = "padding") -> str:
    word = padding.lower()  # TensorFlow spells them "VALID" / "SAME"
    if word not in _PADDING_WORDS:
        raise ValueError(
            f"{name}={padding!r} is not understood: use 'valid', 'same', 'full', "
            "a non-negative int, or explicit amounts"
        )
    return word


def _padding_1d(padding) -> str | tuple[int, int]:
    """Normalise a one-axis padding: a word, or (before, after)."""
    if isinstance(padding, str):
        return _padding_word(padding)
    if _is_int(padding):
        p = _check_int(padding, "padding", minimum=0)
        return p, p
    if _is_pair(padding):
        return (
            _check_int(padding[0], "padding[0] (before)", minimum=0),
            _check_int(padding[1], "padding[1] (after)", minimum=0),
        )
    raise TypeError(
        "padding must be 'valid', 'same', 'full', a non-negative int or a pair "
        f"(before, after), got {padding!r}"
    )


def _explicit_padding_2d(padding) -> tuple[tuple[int, int], tuple[int, int]]:
    """int p, (ph, pw) or ((top, bottom), (left, right)) -> ((top, bottom), (left, right))."""
    expected = "an int, a pair (ph, pw) or ((top, bottom), (left, right))"
    if _is_int(padding):
        p = _check_int(padding, "padding", minimum=0)
        return (p, p), (p, p)
    if _is_pair(padding):
        if all(_is_int(v) for v in padding):
            ph = _check_int(padding[0], "padding[0] (rows)", minimum=0)
            pw = _check_int(padding[1], "padding[1] (columns)", minimum=0)
            return (ph, ph), (pw, pw)
        if all(_is_pair(v) for v in padding):
            (t, b), (left, r) = padding
            return (
                (
                    _check_int(t, "padding[0][0] (top)", minimum=0),
                    _check_int(b, "padding[0][1] (bottom)", minimum=0),
                ),
                (
                    _check_int(left, "padding[1][0] (left)", minimum=0),
                    _check_int(r, "padding[1][1] (right)", minimum=0),
                ),
            )
    raise TypeError(f"padding must be {expected}, got {padding!r}")


def _resolve_1d(
    n: int,
    f: int,
    padding: str | tuple[int, int],
    stride: int,
    dilation: int,
    *,
    what: str = "filter",
    axis: str = "",
) -> tuple[int, int, int]:
    """The worker behind the size functions: (before, after, out) along one axis.

    Arguments are already validated; ``padding`` is a word or (before, after).
    """
    f_eff = dilation * (f - 1) + 1
    if padding == "valid":
        before = after = 0
    elif padding == "full":
        before = after = f_eff - 1
    elif padding == "same":
        # TensorFlow: the output size depends only on n and the stride; the
        # padding is whatever makes that work, the odd pixel going after.
        out = -(-n // stride)  # ceil(n / stride) in integers
        total = max((out - 1) * stride + f_eff - n, 0)
        before = total // 2
        after = total - before
    else:
        before, after = padding
    out = (n + before + after - f_eff) // stride + 1
    if out < 1:
        on = f" along {axis}" if axis else ""
        size = (
            f"size {f_eff}" if dilation == 1 else f"effective size {dilation}*({f}-1)+1 = {f_eff}"
        )
        raise ValueError(
            f"the {what} ({size}{on}) is larger than the padded input "
            f"({n} + {before} + {after} = {n + before + after}{on}): "
            f"floor(({n} + {before} + {after} - {f_eff}) / {stride}) + 1 = {out} < 1. "
            f"Use a smaller {what}, less dilation, or more padding (e.g. padding='same')."
        )
    return before, after, out


def _check_1d_args(n, f, stride, dilation):
    return (
        _check_int(n, "n (input size)", minimum=1),
        _check_int(f, "f (filter size)", minimum=1),
        _check_int(stride, "stride", minimum=1),
        _check_int(dilation, "dilation", minimum=1),
    )


# --------------------------------------------------------------------------
# Sizes
# --------------------------------------------------------------------------


def output_size(n: int, f: int, *, padding="valid", stride: int = 1, dilation: int = 1) -> int:
    """Size of one spatial dimension of a convolution or pooling output.

    Args:
        n: input size along the axis (rows or columns).
        f: filter (or pooling window) size along the axis.
        padding: ``"valid"`` (no padding), ``"same"`` (TensorFlow's rule: the
            output has ``ceil(n / stride)`` entries), ``"full"`` (``f_eff - 1``
            on both sides, so every overlap of filter and input counts), a
            non-negative int ``p`` (``p`` on both sides) or a pair
            ``(before, after)``.
        stride: step between neighbouring windows (positive int).
        dilation: spacing between filter taps (positive int); the filter
            covers ``f_eff = dilation * (f - 1) + 1`` input positions.

    Returns:
        ``floor((n + p_before + p_after - f_eff) / stride) + 1``.

    Raises:
        ValueError: if the output would be empty, i.e. the (effective) filter
            is larger than the padded input.

    Example:
        >>> output_size(32, 5)
        28
        >>> output_size(13, 6, stride=5), output_size(13, 6, stride=5, padding="same")
        (2, 3)
    """
    n, f, stride, dilation = _check_1d_args(n, f, stride, dilation)
    return _resolve_1d(n, f, _padding_1d(padding), stride, dilation)[2]


def padding_amounts(
    n: int, f: int, *, padding, stride: int = 1, dilation: int = 1
) -> tuple[int, int]:
    """The padding ``(before, after)`` actually used along one axis.

    Same arguments as :func:`output_size`. For ``"same"`` this follows
    TensorFlow: ``total = max((out - 1) * stride + f_eff - n, 0)``,
    ``before = total // 2`` and ``after = total - before``, so an odd extra
    pixel goes after (bottom / right).

    Example:
        >>> padding_amounts(13, 6, padding="same", stride=5)
        (1, 2)
    """
    n, f, stride, dilation = _check_1d_args(n, f, stride, dilation)
    before, after, _ = _resolve_1d(n, f, _padding_1d(padding), stride, dilation)
    return before, after


def explain_output_size(
    n: int, f: int, *, padding="valid", stride: int = 1, dilation: int = 1
) -> str:
    """The output-size formula with the numbers filled in, for teaching.

    Same arguments as :func:`output_size`.

    Example:
        >>> explain_output_size(13, 6, stride=5)
        'floor((13 + 0 + 0 - 6) / 5) + 1 = 2'
        >>> print(explain_output_size(13, 6, stride=5, padding="same"))
        'same' padding: out = ceil(13 / 5) = 3, padded 1 before and 2 after; \
floor((13 + 1 + 2 - 6) / 5) + 1 = 3
    """
    n, f, stride, dilation = _check_1d_args(n, f, stride, dilation)
    pad = _padding_1d(padding)
    before, after, out = _resolve_1d(n, f, pad, stride, dilation)
    f_eff = dilation * (f - 1) + 1
    text = f"floor(({n} + {before} + {after} - {f_eff}) / {stride}) + 1 = {out}"
    if pad == "same":
        text = (
            f"'same' padding: out = ceil({n} / {stride}) = {out}, "
            f"padded {before} before and {after} after; {text}"
        )
    elif pad == "full":
        text = f"'full' padding: f_eff - 1 = {f_eff - 1} on both sides; {text}"
    if dilation > 1:
        text += f"  (effective filter size {dilation}*({f}-1)+1 = {f_eff})"
    return text


# --------------------------------------------------------------------------
# Shapes of images and kernels
# --------------------------------------------------------------------------


def _image(x, name: str = "x") -> np.ndarray:
    arr = _as_real_array(x, name)
    if arr.ndim not in (2, 3, 4):
        raise ValueError(
            f"{name} must be channels-last (H, W), (H, W, C) or (N, H, W, C); "
            f"got a {arr.ndim}-D array of shape {arr.shape}"
        )
    return arr


def _to_nhwc(x: np.ndarray) -> np.ndarray:
    """View any accepted image as a 4-D (N, H, W, C) batch."""
    if x.ndim == 2:
        return x[None, :, :, None]
    if x.ndim == 3:
        return x[None]
    return x


def _prepare_conv(x, w, b):
    """Validate conv2d's arrays; return (x4, w4, bias, restore) all float64.

    ``restore`` turns the (N, H', W', F) result back into the input's rank style.
    """
    x = _image(x, "x")
    w = _as_real_array(w, "w")
    if w.ndim == 3:
        raise ValueError(
            f"w has 3-D shape {w.shape}; kernels are (fh, fw) or (fh, fw, C_in, C_out). "
            "If this is one filter of shape (fh, fw, C_in), add the output axis: w[..., None]"
        )
    if w.ndim not in (2, 4):
        raise ValueError(
            f"w must have shape (fh, fw) or (fh, fw, C_in, C_out) (TensorFlow's HWIO layout); "
            f"got a {w.ndim}-D array of shape {w.shape}"
        )
    if w.ndim == 2:
        if x.ndim != 2:
            raise ValueError(
                f"w has shape {w.shape}, a single 2-D filter, which applies only to a 2-D "
                f"(H, W) image, but x has shape {x.shape} with a channel axis. Use a kernel of "
                f"shape (fh, fw, C_in, C_out) = ({w.shape[0]}, {w.shape[1]}, {x.shape[-1]}, F); "
                "for one channel and one filter that is w[:, :, None, None]"
            )

        def restore(out):
            return out[0, :, :, 0]

        w4 = w[:, :, None, None]
    else:

        def restore(out):
            return out if x.ndim == 4 else out[0]

        w4 = w
    x4 = _to_nhwc(x)
    c_in = x4.shape[-1]
    if w4.shape[2] != c_in:
        where = (
            "x is a single-channel (H, W) image"
            if x.ndim == 2
            else (f"x has {c_in} channels (last axis of shape {x.shape})")
        )
        hint = ""
        if w4.shape[1] == c_in:
            hint = (
                " Is w in PyTorch's (C_out, C_in, fh, fw) layout? "
                "Convert with w.transpose(2, 3, 1, 0)."
            )
        raise ValueError(
            f"channel mismatch: {where} but w has shape {w.shape}, expecting "
            f"C_in = w.shape[2] = {w4.shape[2]} input channels.{hint}"
        )
    c_out = w4.shape[3]
    if b is None:
        bias = np.zeros(c_out)
    else:
        bias = _as_real_array(b, "b").astype(np.float64)
        if bias.ndim == 0:
            bias = np.full(c_out, float(bias))
        elif bias.shape != (c_out,):
            raise ValueError(
                f"b must be a scalar or have shape (C_out,) = ({c_out},), got shape {bias.shape}"
            )
    return x4.astype(np.float64), w4.astype(np.float64), bias, restore


def _conv_geometry(h, w_, fh, fw, stride, padding, dilation):
    """Resolve (strides, dilations, ((top, bottom), (left, right)), (Ho, Wo))."""
    sh, sw = _pair(stride, "stride")
    dh, dw = _pair(dilation, "dilation")
    if isinstance(padding, str):
        pads = (_padding_word(padding),) * 2
    else:
        pads = _explicit_padding_2d(padding)
    (pt, pb, ho) = _resolve_1d(h, fh, pads[0], sh, dh, axis=_AXIS_NAMES[0])
    (pl, pr, wo) = _resolve_1d(w_, fw, pads[1], sw, dw, axis=_AXIS_NAMES[1])
    return (sh, sw), (dh, dw), ((pt, pb), (pl, pr)), (ho, wo)


# --------------------------------------------------------------------------
# Padding
# --------------------------------------------------------------------------


def pad2d(x, padding, value=0) -> np.ndarray:
    """Pad the two spatial axes of an image or batch with a constant.

    Args:
        x: ``(H, W)``, ``(H, W, C)`` or ``(N, H, W, C)``.
        padding: an int ``p`` (all four sides), a pair ``(ph, pw)`` (``ph``
            above and below, ``pw`` left and right) or
            ``((top, bottom), (left, right))``. Non-negative ints.
        value: the constant written into the border (default 0).

    Returns:
        A new array of the same dtype as ``x`` (an integer ``x`` needs an
        integer ``value``), shape ``(H + top + bottom, W + left + right, ...)``.

    Example:
        >>> pad2d([[1, 2], [3, 4]], 1)
        array([[0, 0, 0, 0],
               [0, 1, 2, 0],
               [0, 3, 4, 0],
               [0, 0, 0, 0]])
    """
    x = _image(x, "x")
    (t, b), (left, r) = _explicit_padding_2d(padding)
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"value must be a real number, got {value!r}")
    if x.dtype.kind in "iu" and not float(value).is_integer():
        raise ValueError(
            f"value={value!r} cannot be stored in x's integer dtype {x.dtype}; "
            "convert x to float first, e.g. x.astype(float)"
        )
    widths = [(t, b), (left, r)] + [(0, 0)] * (x.ndim - 2)
    if x.ndim == 4:
        widths = [(0, 0)] + widths[:2] + [(0, 0)]
    return np.pad(x, widths, mode="constant", constant_values=value)


# --------------------------------------------------------------------------
# Convolution
# --------------------------------------------------------------------------


def conv2d(x, w, b=None, *, stride=1, padding="valid", dilation=1) -> np.ndarray:
    """2-D convolution as CNN libraries compute it (cross-correlation, no kernel flip).

    For every output position ``(y, x)`` and filter ``f``::

        out[n, y, x, f] = b[f] + sum over i, j, c of
                          xp[n, y*sh + i*dh, x*sw + j*dw, c] * w[i, j, c, f]

    where ``xp`` is the zero-padded input, ``(sh, sw)`` the stride and
    ``(dh, dw)`` the dilation. This matches ``tf.nn.conv2d`` and
    ``keras.layers.Conv2D``.

    Args:
        x: ``(H, W)``, ``(H, W, C)`` or ``(N, H, W, C)``, channels-last.
        w: ``(fh, fw)`` for a 2-D ``x`` only, or ``(fh, fw, C_in, C_out)``
            (TensorFlow's HWIO layout) with ``C_in`` equal to x's channels
            (1 for a 2-D ``x``).
        b: None (no bias), a scalar, or shape ``(C_out,)``.
        stride: int or ``(sh, sw)``, positive.
        padding: ``"valid"``, ``"same"`` (TensorFlow's: output size
            ``ceil(H / sh)``; an odd extra padding pixel goes bottom/right),
            ``"full"``, an int ``p``, a pair ``(ph, pw)`` or
            ``((top, bottom), (left, right))``. Padding is with zeros.
        dilation: int or ``(dh, dw)``, positive; ``2`` leaves one input pixel
            between filter taps.

    Returns:
        float64 array: ``(H', W')`` for 2-D ``x`` and 2-D ``w``;
        ``(H', W', C_out)`` for ``(H, W)`` or ``(H, W, C)`` input with a 4-D
        ``w``; ``(N, H', W', C_out)`` for a batch. See :func:`output_size`.

    Example:
        >>> edges = conv2d([[0, 0, 9, 9], [0, 0, 9, 9]], [[-1, 1]])
        >>> edges
        array([[0., 9., 0.],
               [0., 9., 0.]])
    """
    x4, w4, bias, restore = _prepare_conv(x, w, b)
    _, h, wd, _ = x4.shape
    fh, fw, _, c_out = w4.shape
    (sh, sw), (dh, dw), pads, (ho, wo) = _conv_geometry(h, wd, fh, fw, stride, padding, dilation)
    xp = np.pad(x4, ((0, 0), pads[0], pads[1], (0, 0)))
    out = np.zeros((x4.shape[0], ho, wo, c_out))
    # Loop over the fh*fw kernel taps only: tap (i, j) sees a shifted, strided
    # view of the input, and mixing the channels is a (C_in x C_out) matrix
    # product. This is the formula above, vectorised over n, y, x, c and f.
    for i in range(fh):
        for j in range(fw):
            top, left = i * dh, j * dw
            patch = xp[:, top : top + (ho - 1) * sh + 1 : sh, left : left + (wo - 1) * sw + 1 : sw]
            out += patch @ w4[i, j]
    out += bias
    return restore(out)


def correlate2d(x, w, b=None, *, stride=1, padding="valid", dilation=1) -> np.ndarray:
    """Cross-correlation: exactly :func:`conv2d`, under its mathematical name.

    What deep-learning libraries call "convolution" is cross-correlation: the
    kernel slides over the input *without* being flipped. See :func:`conv2d`
    for arguments and shapes, and :func:`convolve2d` for true convolution.
    """
    return conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)


def convolve2d(x, w, b=None, *, stride=1, padding="valid", dilation=1) -> np.ndarray:
    """True (mathematical) convolution: :func:`conv2d` with the kernel flipped.

    The kernel is flipped upside down and left to right (the two spatial
    axes; channels are untouched) and then slid over the input as in
    :func:`conv2d`. Convolving an image with a single bright pixel reproduces
    the kernel itself, which is why signal processing prefers this form.

    CNN libraries skip the flip and compute correlation: the filters are
    learned, so a network that needed a flipped filter would simply learn it
    flipped. The flip changes nothing about what can be learned and costs a
    step, so it is left out. It matters only when you bring a kernel from
    outside (an image-processing textbook, SciPy) to a CNN, or the reverse.

    Arguments, shapes and padding are those of :func:`conv2d` ("same" padding
    puts its odd extra pixel bottom/right, as TensorFlow does; SciPy's
    ``mode="same"`` may centre differently for even-sized kernels).
    """
    w = _as_real_array(w, "w")
    if w.ndim >= 2:
        w = w[::-1, ::-1]
    return conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)


# --------------------------------------------------------------------------
# Pooling
# --------------------------------------------------------------------------


def _pool_mode(mode) -> str:
    if isinstance(mode, str) and mode.lower() in _POOL_MODES:
        return _POOL_MODES[mode.lower()]
    raise ValueError(f"mode={mode!r} is not understood: use 'max' or 'avg' (or 'average')")


def pool2d(x, size=2, *, stride=None, padding="valid", mode="max") -> np.ndarray:
    """Max or average pooling over the spatial axes, each channel on its own.

    Matches ``keras.layers.MaxPooling2D`` and ``AveragePooling2D``.

    Args:
        x: ``(H, W)``, ``(H, W, C)`` or ``(N, H, W, C)``.
        size: pooling window, int or ``(ph, pw)``.
        stride: int or ``(sh, sw)``; ``None`` (default) means the window size,
            i.e. non-overlapping windows, as in Keras.
        padding: ``"valid"`` (windows must fit inside the input; leftover
            rows/columns at the bottom/right are dropped) or ``"same"``
            (output ``ceil(H / sh)`` by ``ceil(W / sw)``, padded as in
            :func:`padding_amounts`). Padded cells never count: max ignores
            them, and average divides by the number of real cells in the
            window.
        mode: ``"max"`` or ``"avg"`` / ``"average"``.

    Returns:
        float64 array with the input's rank style: ``(H', W')``,
        ``(H', W', C)`` or ``(N, H', W', C)``. NaN in a window gives NaN.

    Example:
        >>> pool2d([[2, 3, 1, 9], [4, 7, 3, 5], [8, 2, 2, 2], [1, 3, 4, 5]])
        array([[7., 9.],
               [8., 5.]])
    """
    x = _image(x, "x")
    kind = _pool_mode(mode)
    ph, pw = _pair(size, "size")
    sh, sw = (ph, pw) if stride is None else _pair(stride, "stride")
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"padding={padding!r} is not understood: pooling takes 'valid' or 'same'")
    word = padding.lower()
    x4 = _to_nhwc(x).astype(np.float64)
    _, h, wd, _ = x4.shape
    pt, pb, ho = _resolve_1d(h, ph, word, sh, 1, what="pool window", axis="rows")
    pl, pr, wo = _resolve_1d(wd, pw, word, sw, 1, what="pool window", axis="columns")
    widths = ((0, 0), (pt, pb), (pl, pr), (0, 0))

    def windows(a, axes):
        # All (ph, pw) windows, then keep every sh-th row / sw-th column start.
        view = sliding_window_view(a, (ph, pw), axis=axes)
        return view[:, ::sh, ::sw] if a.ndim == 4 else view[::sh, ::sw]

    if kind == "max":
        # -inf padding can never win a max, so padded cells are ignored.
        xp = np.pad(x4, widths, constant_values=-np.inf)
        out = windows(xp, (1, 2)).max(axis=(-2, -1))
    else:
        xp = np.pad(x4, widths)
        sums = windows(xp, (1, 2)).sum(axis=(-2, -1))
        real = np.pad(np.ones((h, wd)), widths[1:3])  # 1 on real cells, 0 on padding
        counts = windows(real, (0, 1)).sum(axis=(-2, -1))
        out = sums / counts[None, :, :, None]
    assert out.shape[1:3] == (ho, wo)  # the window arithmetic agrees with output_size
    if x.ndim == 2:
        return out[0, :, :, 0]
    return out if x.ndim == 4 else out[0]


def global_pool2d(x, mode="avg"):
    """Global average or max pooling: one number per channel (and image).

    Matches ``keras.layers.GlobalAveragePooling2D`` / ``GlobalMaxPooling2D``.

    Args:
        x: ``(H, W, C)`` -> ``(C,)``; ``(N, H, W, C)`` -> ``(N, C)``;
            ``(H, W)`` -> a float64 scalar.
        mode: ``"avg"`` / ``"average"`` (default) or ``"max"``.

    Returns:
        float64 array (or scalar for a 2-D input).
    """
    x = _image(x, "x")
    kind = _pool_mode(mode)
    axes = (1, 2) if x.ndim == 4 else (0, 1)
    xf = x.astype(np.float64)
    return xf.max(axis=axes) if kind == "max" else xf.mean(axis=axes)


# --------------------------------------------------------------------------
# Step by step
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ConvStep:
    """One output position of a 2-D convolution, with everything that made it.

    Attributes:
        row, col: position in the output.
        window: the input patch the filter sees, after dilation sampling
            (same shape as the kernel; padding cells are 0). Read-only.
        products: ``window * w``, element by element. Read-only.
        value: ``products.sum()``, the output value at ``(row, col)``.
        rows, cols: the input rows / columns sampled, in the coordinates of
            the unpadded input (indices < 0 or >= H / W fall on padding). See
            :func:`receptive_field`.
    """

    row: int
    col: int
    window: np.ndarray
    products: np.ndarray
    value: float
    rows: range
    cols: range


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64)  # a copy, so freezing it cannot affect the caller
    a.setflags(write=False)
    return a


def conv2d_steps(x, w, *, stride=1, padding="valid", dilation=1) -> Iterator[ConvStep]:
    """Walk through a 2-D convolution one output position at a time.

    For a 2-D single-channel ``x`` and a 2-D kernel ``w``; arguments as in
    :func:`conv2d` (no bias). Arguments are checked at once, when this is
    called; the steps are then produced lazily, row by row.

    Yields:
        :class:`ConvStep` records in row-major order; their ``value`` fields,
        laid out by ``(row, col)``, equal ``conv2d(x, w, ...)``.

    Example:
        >>> step = next(conv2d_steps([[1, 2, 3], [4, 5, 6]], [[1, 0], [0, -1]]))
        >>> step.window, step.value
        (array([[1., 2.],
               [4., 5.]]), -4.0)
    """
    x = _as_real_array(x, "x")
    w = _as_real_array(w, "w")
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError(
            "conv2d_steps() takes a 2-D (H, W) image and a 2-D (fh, fw) kernel, got "
            f"x of shape {x.shape} and w of shape {w.shape}; pick one channel and one "
            "filter, e.g. x[:, :, 0] and w[:, :, 0, 0]"
        )
    (sh, sw), (dh, dw), pads, (ho, wo) = _conv_geometry(
        x.shape[0], x.shape[1], w.shape[0], w.shape[1], stride, padding, dilation
    )
    xp = np.pad(x.astype(np.float64), pads)
    wf = w.astype(np.float64)
    fh, fw = w.shape

    def steps():
        for r in range(ho):
            for c in range(wo):
                top, left = r * sh, c * sw
                window = xp[
                    top : top + dh * (fh - 1) + 1 : dh, left : left + dw * (fw - 1) + 1 : dw
                ]
                products = window * wf
                rows, cols = receptive_field(
                    r,
                    c,
                    f=(fh, fw),
                    stride=(sh, sw),
                    dilation=(dh, dw),
                    padding_before=(pads[0][0], pads[1][0]),
                )
                yield ConvStep(
                    r, c, _frozen(window), _frozen(products), float(products.sum()), rows, cols
                )

    return steps()


def receptive_field(
    row: int, col: int, *, f, stride=1, dilation=1, padding_before=0
) -> tuple[range, range]:
    """The input rows and columns that output neuron ``(row, col)`` sees.

    In the padded input, neuron ``(i, j)`` sees rows
    ``i*sh, i*sh + dh, ..., i*sh + dh*(fh - 1)`` (for dilation 1: rows
    ``i*sh .. i*sh + fh - 1``), and likewise for columns. Subtracting the
    padding before gives indices in the original input; indices below 0 or
    past the last row/column are padding. (Python's negative indexing would
    wrap around, so do not index an array with them blindly.)

    Args:
        row, col: output position (non-negative ints).
        f: filter size, int or ``(fh, fw)``.
        stride, dilation: int or pair, as in :func:`conv2d`.
        padding_before: top and left padding, int or ``(top, left)``, e.g.
            from :func:`padding_amounts`. 0 (default) gives padded coordinates
            when you pass nothing.

    Returns:
        ``(rows, cols)`` as ``range`` objects with step = dilation.

    Example:
        >>> receptive_field(1, 2, f=3, stride=2)
        (range(2, 5), range(4, 7))
    """
    row = _check_int(row, "row", minimum=0)
    col = _check_int(col, "col", minimum=0)
    fh, fw = _pair(f, "f")
    sh, sw = _pair(stride, "stride")
    dh, dw = _pair(dilation, "dilation")
    pt, pl = _pair(padding_before, "padding_before", minimum=0)
    top = row * sh - pt
    left = col * sw - pl
    return range(top, top + dh * (fh - 1) + 1, dh), range(left, left + dw * (fw - 1) + 1, dw)
