"""An interactive convolution explorer: pick an image, a kernel, padding, stride and dilation.

Two layers, so that the logic can be tested without a browser:

* :func:`explore` is a pure function: image + settings in, filtered image and an
  explanation of the output size out. Everything the widget shows comes from it.
* :func:`conv_explorer` wraps it in an ipywidgets user interface. Its widgets are
  attributes of the returned :class:`ConvExplorer`, so a test (or a curious learner)
  can set values from code and read :attr:`ConvExplorer.result` and
  :attr:`ConvExplorer.text`.

The kernels are the classic hand-designed filters of chapter 03; :func:`parse_kernel`
reads a custom one typed as text (``"0 -1 0; -1 5 -1; 0 -1 0"``). The arithmetic is
:func:`helpers.conv.conv2d` (cross-correlation, as in CNN libraries).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from . import conv

__all__ = [
    "KERNELS",
    "kernel_names",
    "get_kernel",
    "parse_kernel",
    "parse_padding",
    "to_grayscale",
    "explore",
    "display_for",
    "ConvExplorer",
    "conv_explorer",
]

#: The named 3×3 kernels of the explorer (float64, read-only).
KERNELS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "sobel x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "sobel y": np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]]),
    "gaussian": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,
    "laplacian": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
    "box blur": np.ones((3, 3)) / 9,
}
KERNELS = {name: k.astype(np.float64) for name, k in KERNELS.items()}
for _k in KERNELS.values():
    _k.setflags(write=False)

_CUSTOM = "custom"


def kernel_names() -> list[str]:
    """The names :func:`get_kernel` knows, in display order (``"custom"`` is not one)."""
    return list(KERNELS)


def get_kernel(name: str) -> np.ndarray:
    """A writable float64 copy of the named kernel (case-insensitive, ``_`` = space).

    Raises:
        ValueError: for an unknown name (the message lists the known ones).
    """
    if not isinstance(name, str):
        raise TypeError(f"a kernel name must be a string, got {name!r}")
    key = name.strip().lower().replace("_", " ")
    if key not in KERNELS:
        raise ValueError(f"unknown kernel {name!r}; choose one of {kernel_names()}")
    return KERNELS[key].copy()


def _number(token: str) -> float:
    try:
        return float(Fraction(token))  # accepts "2", "-0.5", "1/16"
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{token!r} is not a number (write e.g. 2, -0.5 or 1/16)") from None


def parse_kernel(text: str) -> np.ndarray:
    """Read a kernel typed as text: rows separated by ``;`` or new lines, numbers by spaces
    or commas. Fractions such as ``1/16`` are allowed.

    Example:
        >>> parse_kernel("0 -1 0; -1 5 -1; 0 -1 0").shape
        (3, 3)

    Raises:
        ValueError: empty text, something that is not a number, rows of different lengths.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_kernel() takes a string, got {type(text).__name__}")
    rows = [r for r in text.replace("\n", ";").split(";") if r.strip()]
    if not rows:
        raise ValueError("the kernel is empty: type rows such as '1 2 1; 2 4 2; 1 2 1'")
    values = [[_number(t) for t in r.replace(",", " ").split()] for r in rows]
    lengths = {len(r) for r in values}
    if len(lengths) != 1:
        raise ValueError(
            f"the kernel's rows have different lengths {[len(r) for r in values]}; "
            "every row needs the same number of entries"
        )
    return np.array(values, dtype=np.float64)


def parse_padding(padding: Any) -> str | int:
    """``"valid"``, ``"same"`` or a non-negative int; also accepts a digit string ``"2"``.

    Raises:
        ValueError: anything else (negative numbers, other words).
    """
    if isinstance(padding, str):
        word = padding.strip().lower()
        if word in ("valid", "same"):
            return word
        if word.isdigit():
            return int(word)
    elif isinstance(padding, int | np.integer) and not isinstance(padding, bool) and padding >= 0:
        return int(padding)
    raise ValueError(f"padding must be 'valid', 'same' or a non-negative int, got {padding!r}")


def to_grayscale(image: Any) -> np.ndarray:
    """A float64 ``(H, W)`` image: RGB is mixed with the ITU-R 601 weights 0.299, 0.587, 0.114
    (the values keep the input's scale, e.g. 0–255); ``(H, W)`` and ``(H, W, 1)`` are copied.
    """
    arr = np.asarray(image)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"the image must hold real numbers, got dtype {arr.dtype}")
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim == 3 and arr.shape[-1] == 3:
        return arr.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    if arr.ndim == 2:
        return arr.astype(np.float64)
    raise ValueError(f"expected an (H, W), (H, W, 1) or (H, W, 3) image, got shape {arr.shape}")


def _kernel_from(kernel: Any) -> tuple[str, np.ndarray]:
    if isinstance(kernel, str):
        try:
            return kernel.strip().lower(), get_kernel(kernel)
        except ValueError:
            if any(ch.isdigit() for ch in kernel):  # looks like typed numbers
                return _CUSTOM, parse_kernel(kernel)
            raise
    arr = np.asarray(kernel)
    if arr.ndim != 2 or arr.dtype.kind not in "iuf" or arr.size == 0:
        raise ValueError(f"a kernel must be a non-empty 2-D array of numbers, got {arr.shape}")
    return _CUSTOM, arr.astype(np.float64)


def explore(image, kernel="sharpen", padding="valid", stride=1, dilation=1):
    """Filter ``image`` and explain the size of the result.

    Args:
        image: ``(H, W)`` grayscale or ``(H, W, 3)`` RGB (converted with :func:`to_grayscale`).
        kernel: a name from :func:`kernel_names`, a kernel typed as text (see
            :func:`parse_kernel`) or a 2-D array.
        padding: ``"valid"``, ``"same"`` or a non-negative int (see :func:`parse_padding`).
        stride, dilation: positive ints.

    Returns:
        ``(output, text)``: the float64 ``(H', W')`` result of :func:`helpers.conv.conv2d`
        and a few lines with the kernel and the output-size formula for rows and columns.

    Raises:
        ValueError / TypeError: bad settings, e.g. a kernel larger than the padded image.
    """
    gray = to_grayscale(image)
    name, w = _kernel_from(kernel)
    pad = parse_padding(padding)
    out = conv.conv2d(gray, w, stride=stride, padding=pad, dilation=dilation)
    (h, wd), (fh, fw) = gray.shape, w.shape
    kernel_text = np.array2string(w, precision=4, suppress_small=True)
    lines = [
        f"kernel {name!r} ({fh}×{fw}):",
        *("  " + line for line in kernel_text.splitlines()),
        f"padding={pad!r}, stride={stride}, dilation={dilation}",
        # One clause per line keeps the text narrow enough for the notebook's width.
        "rows:    " + conv.explain_output_size(h, fh, padding=pad, stride=stride,
                                               dilation=dilation).replace("; ", ";\n         "),
        "columns: " + conv.explain_output_size(wd, fw, padding=pad, stride=stride,
                                               dilation=dilation).replace("; ", ";\n         "),
        f"input {h}×{wd} → output {out.shape[0]}×{out.shape[1]}",
    ]  # fmt: skip
    return out, "\n".join(lines)


def display_for(kernel, output, image) -> tuple[np.ndarray, bool]:
    """How to show a filter's output so that it looks like what the filter does.

    A kernel whose weights sum to 0 (Sobel, Laplacian, most hand-made edge detectors) answers
    "how much does the image change here, and which way": its output is signed, best shown on a
    diverging colour map centred at 0 — returns ``(output, True)``. Any other kernel (identity,
    sharpen, blurs) makes a *picture*: its output is clipped to the input's own range and shown
    in grey like the input, so a sharpened photo looks like a sharper photo — returns
    ``(clipped, False)`` (uint8 for a 0..255 input, so both share the fixed 0..255 scale).
    """
    k = np.asarray(kernel, dtype=np.float64)
    out = np.asarray(output, dtype=np.float64)
    if abs(k.sum()) < 1e-9 * max(1.0, np.abs(k).sum()):
        return out, True
    img = np.asarray(image, dtype=np.float64)
    if img.max() > 1.0:  # a 0..255 picture: back to uint8 so it is shown on the same fixed scale
        return np.clip(np.rint(out), 0, 255).astype(np.uint8), False
    return np.clip(out, 0.0, 1.0), False


class ConvExplorer:
    """The widgets of :func:`conv_explorer` and the last result they produced.

    Attributes:
        image, kernel, custom, padding, padding_amount, stride, dilation: the input widgets.
        text: an ``HTML`` widget with the formula (or the error message).
        plot: an ``Output`` widget with the input and output pictures.
        widget: the whole user interface (display it, or the explorer itself).
        result: the last output array, or ``None`` when the settings are invalid.
        message: the last explanation or error, as plain text.
    """

    def __init__(self, images: Mapping[str, Any], *, draw: bool = True, size: float = 3.5):
        import ipywidgets as w

        if not isinstance(images, Mapping) or not images:
            raise ValueError("conv_explorer() needs a non-empty {name: image} mapping")
        self.images = {str(k): to_grayscale(v) for k, v in images.items()}
        self.draw, self.size = draw, size
        self.result: np.ndarray | None = None
        self.message = ""
        style = {"description_width": "80px"}
        self.image = w.Dropdown(options=list(self.images), description="image", style=style)
        self.kernel = w.Dropdown(options=[*kernel_names(), _CUSTOM], value="sharpen",
                                 description="kernel", style=style)  # fmt: skip
        self.custom = w.Text(value="0 -1 0; -1 5 -1; 0 -1 0", description="custom 3×3",
                             style=style, disabled=True)  # fmt: skip
        self.padding = w.Dropdown(options=["valid", "same", "int"], description="padding",
                                  style=style)  # fmt: skip
        self.padding_amount = w.IntSlider(value=1, min=0, max=5, description="p",
                                          style=style, disabled=True)  # fmt: skip
        self.stride = w.IntSlider(value=1, min=1, max=6, description="stride", style=style)
        self.dilation = w.IntSlider(value=1, min=1, max=5, description="dilation", style=style)
        # The formula text grows with the settings (padding='same' adds a line of arithmetic);
        # the controls keep their width and the text wraps below them on a narrow notebook.
        self.text = w.HTML(layout=w.Layout(flex="1 1 320px", overflow="auto"))
        self.plot = w.Output()
        controls = w.VBox([self.image, self.kernel, self.custom, self.padding,
                           self.padding_amount, self.stride, self.dilation],
                          layout=w.Layout(flex="0 0 auto", min_width="320px"))  # fmt: skip
        row = w.HBox([controls, self.text], layout=w.Layout(flex_flow="row wrap", width="100%"))
        self.widget = w.VBox([row, self.plot])
        for widget in (self.image, self.kernel, self.custom, self.padding,
                       self.padding_amount, self.stride, self.dilation):  # fmt: skip
            widget.observe(self._changed, names="value")
        self.update()

    def settings(self) -> dict[str, Any]:
        """The current settings, as keyword arguments of :func:`explore`."""
        kernel = self.custom.value if self.kernel.value == _CUSTOM else self.kernel.value
        padding = self.padding_amount.value if self.padding.value == "int" else self.padding.value
        return {"kernel": kernel, "padding": padding, "stride": self.stride.value,
                "dilation": self.dilation.value}  # fmt: skip

    def _changed(self, _change=None) -> None:
        self.custom.disabled = self.kernel.value != _CUSTOM
        self.padding_amount.disabled = self.padding.value != "int"
        self.update()

    def update(self) -> None:
        """Recompute with the current settings and refresh the text and the pictures."""
        import html

        image = self.images[self.image.value]
        try:
            self.result, self.message = explore(image, **self.settings())
        except (ValueError, TypeError) as exc:
            self.result, self.message = None, f"⚠ {exc}"
        self.text.value = f"<pre>{html.escape(self.message)}</pre>"
        if self.draw:
            self._redraw(image)

    def _redraw(self, image: np.ndarray) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import display

        from .viz import compare_images

        self.plot.clear_output(wait=True)
        panels = {f"input {self.image.value}": image}
        signed = False
        if self.result is not None:
            _, kernel = _kernel_from(self.settings()["kernel"])
            shown, signed = display_for(kernel, self.result, image)
            label = "signed: blue < 0 < red" if signed else "clipped to the input's range"
            panels[f"output ({self.kernel.value})\n{label}"] = shown
        with self.plot:
            # Signed panels get the diverging map; pictures stay grey on the input's scale.
            fig = compare_images(panels, size=self.size, signed="auto" if signed else False)
            display(fig)
            plt.close(fig)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def conv_explorer(images: Mapping[str, Any], *, draw: bool = True) -> ConvExplorer:
    """Build the interactive explorer for ``{name: image}`` (display the returned object).

    Changing any control calls :func:`explore` again; the formula for rows and columns and
    the pictures follow. ``draw=False`` skips the pictures (for tests).
    """
    return ConvExplorer(images, draw=draw)
