"""The activation-function explorer (chapters 02 and 11): f, its derivative f′, and where
the gradient vanishes.

* :data:`ACTIVATIONS` maps a name to ``(f, f′)``, both plain NumPy with the parameters
  ``alpha`` (leaky ReLU's negative slope) and ``elu_alpha``; ``tests/test_explorers_activations.py``
  checks f against ``keras.activations`` and f′ against TensorFlow's automatic differentiation.
* :func:`activation_curves` is the pure function: names, input range and parameters in, an
  :class:`ActivationCurves` out (x, f(x), f′(x), the vanishing-gradient regions and a text).
* :func:`evaluate_at` reads ``"-3, 0, 2"`` typed in the explorer and tabulates f and f′ there.
* :func:`activation_explorer` is the ipywidgets user interface.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ._ui import Explorer, layout, style

__all__ = ["ACTIVATIONS", "SELU_ALPHA", "SELU_LAMBDA", "activation_names", "ActivationCurves",
           "activation_curves", "parse_points", "evaluate_at", "ActivationExplorer",
           "activation_explorer"]  # fmt: skip

SELU_ALPHA = 1.6732632423543772
SELU_LAMBDA = 1.0507009873554805


def _sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))  # = 1 / (1 + e^-x), without overflow


def _elu(x, a):
    return np.where(x > 0, x, a * np.expm1(np.minimum(x, 0)))


def _elu_grad(x, a):
    return np.where(x > 0, 1.0, a * np.exp(np.minimum(x, 0)))


_erf = np.vectorize(math.erf, otypes=[np.float64])  # NumPy has no erf; SciPy is not needed


def erf(x):
    """The error function, elementwise (for GELU)."""
    return _erf(np.asarray(x, dtype=np.float64))


def _phi(x):  # standard normal density
    return np.exp(-0.5 * x**2) / np.sqrt(2 * np.pi)


Fn = Callable[..., np.ndarray]
#: name → (f(x, alpha, elu_alpha), f′(x, alpha, elu_alpha)); keys in display order.
ACTIVATIONS: dict[str, tuple[Fn, Fn]] = {
    "sigmoid": (lambda x, a, e: _sigmoid(x), lambda x, a, e: _sigmoid(x) * (1 - _sigmoid(x))),
    "tanh": (lambda x, a, e: np.tanh(x), lambda x, a, e: 1 - np.tanh(x) ** 2),
    "ReLU": (lambda x, a, e: np.maximum(x, 0.0), lambda x, a, e: (x > 0).astype(float)),
    "leaky ReLU": (lambda x, a, e: np.where(x > 0, x, a * x),
                   lambda x, a, e: np.where(x > 0, 1.0, a)),
    "ELU": (lambda x, a, e: _elu(x, e), lambda x, a, e: _elu_grad(x, e)),
    "SELU": (lambda x, a, e: SELU_LAMBDA * _elu(x, SELU_ALPHA),
             lambda x, a, e: SELU_LAMBDA * _elu_grad(x, SELU_ALPHA)),
    "ReLU6": (lambda x, a, e: np.clip(x, 0.0, 6.0),
              lambda x, a, e: ((x > 0) & (x < 6)).astype(float)),
    "softplus": (lambda x, a, e: np.logaddexp(0.0, x), lambda x, a, e: _sigmoid(x)),
    "swish (SiLU)": (lambda x, a, e: x * _sigmoid(x),
                     lambda x, a, e: _sigmoid(x) * (1 + x * (1 - _sigmoid(x)))),
    "GELU": (lambda x, a, e: 0.5 * x * (1 + erf(x / np.sqrt(2))),
             lambda x, a, e: 0.5 * (1 + erf(x / np.sqrt(2))) + x * _phi(x)),
}  # fmt: skip


def activation_names() -> list[str]:
    """The names :func:`activation_curves` knows, in display order."""
    return list(ACTIVATIONS)


def _key(name: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"an activation name must be a string, got {name!r}")
    wanted = name.strip().lower().replace("_", " ")
    for key in ACTIVATIONS:
        if key.lower() == wanted or key.lower().split(" (")[0] == wanted:
            return key
    raise ValueError(f"unknown activation {name!r}; choose from {activation_names()}")


def _runs(mask: np.ndarray, x: np.ndarray) -> list[tuple[float, float]]:
    """The x-intervals where ``mask`` is True (consecutive samples merged)."""
    runs, start = [], None
    for i, m in enumerate(mask):
        if m and start is None:
            start = i
        if start is not None and (not m or i == len(mask) - 1):
            end = i if m else i - 1
            runs.append((float(x[start]), float(x[end])))
            start = None
    return runs


@dataclass
class ActivationCurves:
    """What :func:`activation_curves` computes.

    Attributes:
        x: the input points; f, grad: ``{name: values}`` of f and f′ on ``x``.
        vanishing: ``{name: [(x0, x1), ...]}`` intervals where ``|f′| < tol``.
        fraction: ``{name: share of the range where |f′| < tol}``.
        tol, alpha, elu_alpha: the settings; text: a few lines per function.
    """

    x: np.ndarray
    f: dict[str, np.ndarray]
    grad: dict[str, np.ndarray]
    vanishing: dict[str, list[tuple[float, float]]]
    fraction: dict[str, float]
    tol: float
    alpha: float
    elu_alpha: float
    text: str


def activation_curves(names: Sequence[str], x_range=(-6.0, 6.0), *, alpha: float = 0.2,
                      elu_alpha: float = 1.0, tol: float = 0.01,
                      points: int = 1201) -> ActivationCurves:  # fmt: skip
    """f and f′ of the chosen activations on ``x_range``, and where ``|f′| < tol``.

    Args:
        names: activation names (see :func:`activation_names`; case-insensitive).
        x_range: ``(low, high)`` with ``low < high``.
        alpha: leaky ReLU's slope for x < 0 (``keras.activations.leaky_relu``'s
            ``negative_slope``); elu_alpha: ELU's α (its limit for x → −∞ is −α).
        tol: a gradient with ``|f′| < tol`` counts as vanishing.

    Raises:
        ValueError: no or unknown names, an empty range, negative parameters.
    """
    if isinstance(names, str):
        names = [names]
    keys = [_key(n) for n in names]
    if not keys:
        raise ValueError("choose at least one activation function")
    lo, hi = (float(v) for v in x_range)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"the input range must be (low, high) with low < high, got {x_range!r}")
    for value, what in ((alpha, "alpha"), (elu_alpha, "elu_alpha"), (tol, "tol")):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{what} must be a non-negative number, got {value!r}")
    x = np.linspace(lo, hi, int(points))
    f, grad, vanishing, fraction, lines = {}, {}, {}, {}, []
    for key in dict.fromkeys(keys):
        fn, dfn = ACTIVATIONS[key]
        f[key] = np.asarray(fn(x, alpha, elu_alpha), dtype=np.float64)
        grad[key] = np.asarray(dfn(x, alpha, elu_alpha), dtype=np.float64)
        small = np.abs(grad[key]) < tol
        vanishing[key] = _runs(small, x)
        fraction[key] = float(small.mean())
        zero = float((grad[key] == 0).mean())
        where = ", ".join(f"[{a:.2f}, {b:.2f}]" for a, b in vanishing[key]) or "nowhere"
        g0 = float(dfn(np.array([0.0]), alpha, elu_alpha)[0])
        # Two short lines per function, so that a narrow notebook does not wrap them.
        lines.append(
            f"{key:<13} f from {f[key].min():.3g} to {f[key].max():.3g}; "
            f"max |f′| = {np.abs(grad[key]).max():.3g}, f′(0) = {g0:.3g}\n{'':<13} "
            f"|f′| < {tol:g} on {fraction[key]:.0%} of the range: {where}"
            + (f"; exactly 0 on {zero:.0%}" if zero else "")
        )
    text = (f"x from {lo:g} to {hi:g}; leaky ReLU α = {alpha:g}, ELU α = {elu_alpha:g}\n"
            + "\n".join(lines))  # fmt: skip
    return ActivationCurves(x, f, grad, vanishing, fraction, tol, alpha, elu_alpha, text)


def parse_points(text: str) -> np.ndarray:
    """Numbers typed as text (``"-3, 0, 2.5"`` or ``"1/2 4"``) as a float64 array (≤ 12).

    Raises:
        ValueError: empty text, something that is not a number, more than 12 numbers.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_points() takes a string, got {type(text).__name__}")
    tokens = text.replace(",", " ").replace(";", " ").split()
    if not tokens:
        raise ValueError("type one or more numbers, e.g. -3, 0, 2")
    if len(tokens) > 12:
        raise ValueError(f"at most 12 numbers, got {len(tokens)}")
    values = []
    for t in tokens:
        try:
            values.append(float(Fraction(t)))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{t!r} is not a number (write e.g. -3, 0.5 or 1/2)") from None
    return np.array(values)


def evaluate_at(names: Sequence[str], points: Any, *, alpha: float = 0.2,
                elu_alpha: float = 1.0) -> str:  # fmt: skip
    """A small table of f(x) and f′(x) for each activation at ``points`` (text or numbers)."""
    xs = parse_points(points) if isinstance(points, str) else np.atleast_1d(
        np.asarray(points, dtype=np.float64))  # fmt: skip
    keys = [_key(n) for n in ([names] if isinstance(names, str) else names)]
    head = f"{'x':>13} " + " ".join(f"{v:>9.3g}" for v in xs)
    rows = [head]
    for key in dict.fromkeys(keys):
        fn, dfn = ACTIVATIONS[key]
        rows.append(f"{key[:11] + ' f':>13} " + " ".join(f"{v:>9.4g}" for v in
                                                       fn(xs, alpha, elu_alpha)))  # fmt: skip
        rows.append(f"{'f′':>13} " + " ".join(f"{v:>9.4g}" for v in dfn(xs, alpha, elu_alpha)))
    return "\n".join(rows)


class ActivationExplorer(Explorer):
    """The widgets of :func:`activation_explorer` and the last :class:`ActivationCurves`.

    Attributes:
        functions: a multiple selection of activations; x_range: a range slider;
        alpha: leaky ReLU's negative slope; elu_alpha: ELU's α; tol: the vanishing threshold;
        points: a text field "evaluate at x =" (its table is appended to :attr:`message`).
    """

    def __init__(self, selected: Sequence[str] = ("sigmoid", "tanh", "ReLU", "leaky ReLU", "ELU"),
                 *, draw: bool = True):  # fmt: skip
        import ipywidgets as w

        self.draw = draw
        chosen = tuple(dict.fromkeys(_key(n) for n in selected))
        self.functions = w.SelectMultiple(options=activation_names(), value=chosen,
                                          rows=len(ACTIVATIONS),
                                          description="functions (ctrl/⇧-click)", style=style(),
                                          layout=layout("300px"))  # fmt: skip

        # The sliders share one description width, so that their tracks line up and keep a
        # usable length (a long description no longer squeezes its track).
        def common() -> dict:
            return {"style": {"description_width": "190px"}, "layout": layout("430px")}

        self.x_range = w.FloatRangeSlider(value=(-6.0, 6.0), min=-20.0, max=20.0, step=0.5,
                                          description="input range x", readout_format=".1f",
                                          **common())  # fmt: skip
        self.alpha = w.FloatSlider(value=0.2, min=0.0, max=0.5, step=0.01,
                                   description="leaky ReLU α (x < 0)",
                                   **common())  # fmt: skip
        self.elu_alpha = w.FloatSlider(value=1.0, min=0.1, max=3.0, step=0.1,
                                       description="ELU α", **common())  # fmt: skip
        self.tol = w.FloatLogSlider(value=0.01, base=10, min=-4, max=-0.5, step=0.25,
                                    description="vanishing if |f′| <", **common())  # fmt: skip
        self.points = w.Text(value="-3, 0, 2", description="evaluate at x =",
                             continuous_update=False, **common())  # fmt: skip
        sliders = [self.x_range, self.alpha, self.elu_alpha, self.tol, self.points]
        self._build([[self.functions, w.VBox(sliders)]],
                    [self.functions, *sliders])  # fmt: skip
        self.update()

    def settings(self) -> dict[str, Any]:
        """The current settings, as arguments of :func:`activation_curves`."""
        return {"names": list(self.functions.value), "x_range": tuple(self.x_range.value),
                "alpha": self.alpha.value, "elu_alpha": self.elu_alpha.value,
                "tol": self.tol.value}  # fmt: skip

    def compute(self) -> ActivationCurves:
        return activation_curves(**self.settings())

    def describe(self, result: ActivationCurves) -> str:
        table = evaluate_at(list(result.f), self.points.value, alpha=result.alpha,
                            elu_alpha=result.elu_alpha)  # fmt: skip
        return f"{result.text}\n\n{table}"

    def figures(self, result: ActivationCurves) -> list:
        import matplotlib.pyplot as plt

        n = len(result.f)
        fig = plt.figure(figsize=(9, 3.6 + 0.18 * n))
        grid = fig.add_gridspec(2, 2, height_ratios=[4, 0.35 * n + 0.4], hspace=0.35)
        ax_f, ax_g = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
        ax_v = fig.add_subplot(grid[1, :], sharex=ax_f)
        colours = plt.get_cmap("tab10")
        for i, name in enumerate(result.f):
            c = colours(i % 10)
            ax_f.plot(result.x, result.f[name], color=c, label=name)
            ax_g.plot(result.x, result.grad[name], color=c, label=name)
            for a, b in result.vanishing[name]:
                ax_v.plot([a, b], [i, i], color=c, lw=6, solid_capstyle="butt")
        for ax, title in ((ax_f, "f(x)"), (ax_g, "f′(x): the gradient it passes back")):
            ax.axhline(0, color="black", lw=0.7)
            ax.axvline(0, color="black", lw=0.7)
            ax.grid(alpha=0.3)
            ax.set_title(title, fontsize=10)
        ax_g.axhspan(-result.tol, result.tol, color="grey", alpha=0.25)
        ax_f.legend(fontsize=8, loc="upper left")
        ax_v.set_yticks(range(n), list(result.f), fontsize=8)
        ax_v.set_ylim(n - 0.5, -0.5)
        ax_v.set_title(f"where the gradient vanishes (|f′| < {result.tol:.2g})", fontsize=10)
        ax_v.set_xlim(result.x[0], result.x[-1])
        ax_v.grid(axis="x", alpha=0.3)
        return [fig]


def activation_explorer(selected: Sequence[str] = ("sigmoid", "tanh", "ReLU", "leaky ReLU", "ELU"),
                        *, draw: bool = True) -> ActivationExplorer:  # fmt: skip
    """Build the activation explorer with ``selected`` functions ticked (display it)."""
    return ActivationExplorer(selected, draw=draw)
