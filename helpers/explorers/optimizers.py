"""The optimizer explorer (chapter 11): learning rate, momentum and optimizer on a 2-D loss
surface; the paths drawn over the contours, diverging paths included.

* :data:`SURFACES`: a few classic 2-D losses (:class:`Surface`: f, its gradient, a start,
  the minima and a view box).
* :func:`optimizer_path` is the pure function: a surface, an optimizer and its settings in,
  a :class:`Path` out (every point visited, the losses, where it diverged, a text).
  The updates are the ones of ``keras.optimizers`` (Keras 3) with their default
  hyper-parameters, written in NumPy: SGD, SGD with (Nesterov) momentum, RMSprop (ρ = 0.9),
  Adam (β₁ = 0.9, β₂ = 0.999) and Adagrad; ``tests/test_explorers_optimizers.py`` checks
  them against Keras step by step. See :data:`OPTIMIZERS` for the formulas.
* :func:`optimizer_explorer` is the ipywidgets user interface; the start point is typed as
  ``"x, y"``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._ui import Explorer, layout, style

__all__ = ["Surface", "SURFACES", "OPTIMIZERS", "Path", "optimizer_path", "compare_paths",
           "parse_point", "LR_CHOICES", "OptimizerExplorer", "optimizer_explorer"]  # fmt: skip

EPSILON = 1e-7  # Keras' default epsilon for RMSprop, Adam and Adagrad


@dataclass(frozen=True)
class Surface:
    """A 2-D loss: ``f(x, y)``, its gradient, a start point, the minima and a view box."""

    name: str
    f: Callable[[Any, Any], Any]
    grad: Callable[[float, float], np.ndarray]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    box: tuple[float, float, float, float]  # x0, x1, y0, y1
    note: str = ""


def _bowl_grad(x, y):
    return np.array([x, 20.0 * y])


def _rosen_grad(x, y):
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def _himmel_grad(x, y):
    a, b = x**2 + y - 11, x + y**2 - 7
    return np.array([4 * x * a + 2 * b, 2 * a + 4 * y * b])


SURFACES: dict[str, Surface] = {
    "elongated bowl": Surface(
        "elongated bowl", lambda x, y: 0.5 * (x**2 + 20 * y**2), _bowl_grad, (-4.5, 1.5),
        ((0.0, 0.0),), (-5, 5, -2.5, 2.5),
        "0.5·(x² + 20·y²): curvature 1 along x, 20 along y; plain SGD diverges for lr > 2/20 = 0.1",
    ),
    "Rosenbrock": Surface(
        "Rosenbrock", lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2, _rosen_grad, (-1.5, 2.0),
        ((1.0, 1.0),), (-2, 2, -1, 3),
        "(1 − x)² + 100·(y − x²)²: a curved narrow valley, minimum at (1, 1)",
    ),
    "Himmelblau": Surface(
        "Himmelblau", lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2, _himmel_grad,
        (-0.5, 0.5),
        ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848127)),
        (-5, 5, -5, 5),
        "(x² + y − 11)² + (x + y² − 7)²: four minima; which one a path finds depends on it",
    ),
}  # fmt: skip

#: optimizer name → the update it makes (g = gradient, lr = learning rate, t = step 1, 2, …).
OPTIMIZERS: dict[str, str] = {
    "SGD": "θ ← θ − lr·g",
    "momentum": "m ← μ·m − lr·g;  θ ← θ + m   (keras.optimizers.SGD(momentum=μ))",
    "Nesterov": "m ← μ·m − lr·g;  θ ← θ + μ·m − lr·g   (SGD(momentum=μ, nesterov=True))",
    "RMSprop": "v ← 0.9·v + 0.1·g²;  θ ← θ − lr·g/√(v + ε)",
    "Adam": "m ← m + 0.1·(g − m);  v ← v + 0.001·(g² − v);  "
            "θ ← θ − lr·√(1 − 0.999ᵗ)/(1 − 0.9ᵗ)·m/(√v + ε)",
    "Adagrad": "a ← a + g²  (a starts at 0.1);  θ ← θ − lr·g/√(a + ε)",
}  # fmt: skip


def _surface(surface: str | Surface) -> Surface:
    if isinstance(surface, Surface):
        return surface
    if isinstance(surface, str):
        for key, s in SURFACES.items():
            if key.lower() == surface.strip().lower():
                return s
    raise ValueError(f"unknown surface {surface!r}; choose from {list(SURFACES)}")


def _optimizer(name: str) -> str:
    if isinstance(name, str):
        for key in OPTIMIZERS:
            if key.lower() == name.strip().lower():
                return key
    raise ValueError(f"unknown optimizer {name!r}; choose from {list(OPTIMIZERS)}")


@dataclass
class Path:
    """What :func:`optimizer_path` returns.

    Attributes:
        optimizer, surface: names; lr, momentum: the settings.
        points: ``(k + 1, 2)`` every position from the start (fewer than ``steps + 1`` when the
            path diverged). losses: ``f`` at each point.
        diverged_at: the step at which the path left the surface's box by a factor 100 or
            its loss stopped being finite; ``None`` if it did not.
        text: one line with the result.
    """

    optimizer: str
    surface: str
    lr: float
    momentum: float
    points: np.ndarray
    losses: np.ndarray
    diverged_at: int | None
    text: str = field(default="")


def optimizer_path(surface: str | Surface, optimizer: str = "SGD", *, lr: float = 0.01,
                   momentum: float = 0.9, steps: int = 100,
                   start: Sequence[float] | None = None) -> Path:  # fmt: skip
    """Run ``steps`` updates of ``optimizer`` on ``surface`` from ``start``.

    Args:
        surface: a name from :data:`SURFACES` (or a :class:`Surface`).
        optimizer: a name from :data:`OPTIMIZERS`.
        lr: the learning rate (> 0); momentum: μ for "momentum" and "Nesterov" (0 ≤ μ < 1),
            ignored by the others (they use Keras' defaults).
        steps: number of updates (1 … 5000); start: ``(x, y)``, default the surface's.

    Raises:
        ValueError: unknown names, non-positive lr, momentum outside [0, 1), bad start.
    """
    s, opt = _surface(surface), _optimizer(optimizer)
    if not (isinstance(lr, int | float) and np.isfinite(lr) and lr > 0):
        raise ValueError(f"the learning rate must be a positive number, got {lr!r}")
    if not (isinstance(momentum, int | float) and 0 <= momentum < 1):
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or not 1 <= steps <= 5000:
        raise ValueError(f"steps must be a whole number from 1 to 5000, got {steps!r}")
    theta = np.array(s.start if start is None else start, dtype=np.float64)
    if theta.shape != (2,) or not np.isfinite(theta).all():
        raise ValueError(f"the start must be two finite numbers (x, y), got {start!r}")
    x0, x1, y0, y1 = s.box
    bound = 100 * max(abs(x0), abs(x1), abs(y0), abs(y1))
    m, v = np.zeros(2), np.zeros(2)
    acc = np.full(2, 0.1)  # Adagrad's initial_accumulator_value
    points, diverged = [theta.copy()], None
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, int(steps) + 1):
            g = s.grad(*theta)
            if opt == "SGD":
                theta = theta - lr * g
            elif opt in ("momentum", "Nesterov"):
                m = momentum * m - lr * g
                theta = theta + (momentum * m - lr * g if opt == "Nesterov" else m)
            elif opt == "RMSprop":
                v = 0.9 * v + 0.1 * g**2
                theta = theta - lr * g / np.sqrt(v + EPSILON)
            elif opt == "Adam":
                alpha = lr * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
                m = m + (g - m) * 0.1
                v = v + (g**2 - v) * 0.001
                theta = theta - alpha * m / (np.sqrt(v) + EPSILON)
            else:  # Adagrad
                acc = acc + g**2
                theta = theta - lr * g / np.sqrt(acc + EPSILON)
            points.append(theta.copy())
            if not np.isfinite(theta).all() or np.abs(theta).max() > bound:
                diverged = t
                break
    pts = np.array(points)
    with np.errstate(over="ignore", invalid="ignore"):
        losses = np.array([s.f(px, py) for px, py in pts], dtype=np.float64)
    if diverged is None and not np.isfinite(losses).all():
        diverged = int(np.flatnonzero(~np.isfinite(losses))[0])
    label = f"{opt} (μ={momentum:g})" if opt in ("momentum", "Nesterov") else opt
    if diverged is not None:
        text = f"{label:<17} lr={lr:.3g}: DIVERGED at step {diverged} (|θ| > {bound:g})"
    else:
        nearest = min(np.hypot(*(pts[-1] - np.array(mn))) for mn in s.minima)
        text = (f"{label:<17} lr={lr:.3g}: {len(pts) - 1} steps → "
                f"({pts[-1][0]:.3f}, {pts[-1][1]:.3f}), loss {losses[-1]:.3g}, "
                f"{nearest:.3g} from the nearest minimum")  # fmt: skip
    return Path(opt, s.name, float(lr), float(momentum), pts, losses, diverged, text)


def compare_paths(surface: str | Surface, optimizers: Sequence[str], **kwargs) -> dict[str, Path]:
    """:func:`optimizer_path` for several optimizers with the same settings, by name."""
    if isinstance(optimizers, str):
        optimizers = [optimizers]
    if not optimizers:
        raise ValueError("choose at least one optimizer")
    return {_optimizer(o): optimizer_path(surface, o, **kwargs) for o in optimizers}


def parse_point(text: str) -> tuple[float, float]:
    """``"x, y"`` (or ``"x y"``) as two floats.

    Raises:
        ValueError: not exactly two numbers.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_point() takes a string, got {type(text).__name__}")
    tokens = text.replace(",", " ").replace("(", " ").replace(")", " ").split()
    try:
        values = [float(t) for t in tokens]
    except ValueError:
        raise ValueError(f"the start {text!r} is not two numbers; type e.g. -1.5, 2") from None
    if len(values) != 2 or not all(np.isfinite(values)):
        raise ValueError(f"the start must be two numbers x, y (e.g. -1.5, 2), got {text!r}")
    return values[0], values[1]


#: The learning rates the explorer's slider offers (round values, dense around 0.1).
LR_CHOICES = (0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.08,
              0.09, 0.1, 0.11, 0.12, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0, 2.0, 3.0)  # fmt: skip


def _slider() -> dict:
    """Style and layout shared by the sliders: one description width, tracks aligned."""
    return {"style": {"description_width": "110px"}, "layout": layout("400px")}


@dataclass
class PathsFrame:
    """The explorer's result: one :class:`Path` per chosen optimizer, and a text."""

    surface: Surface
    paths: dict[str, Path]
    text: str


class OptimizerExplorer(Explorer):
    """The widgets of :func:`optimizer_explorer` and the last :class:`PathsFrame`.

    Attributes:
        surface: dropdown; optimizers: multiple selection; lr: slider over :data:`LR_CHOICES`;
        momentum: slider;
        steps: slider; start: text field ``"x, y"`` (empty: the surface's default start).
    """

    def __init__(self, surface: str = "elongated bowl",
                 optimizers: Sequence[str] = ("SGD", "momentum", "Adam"), *, lr: float = 0.05,
                 draw: bool = True):  # fmt: skip
        import ipywidgets as w

        self.draw = draw
        self.surface = w.Dropdown(options=list(SURFACES), value=_surface(surface).name,
                                  description="loss surface", style=style(),
                                  layout=layout())  # fmt: skip
        self.optimizers = w.SelectMultiple(options=list(OPTIMIZERS),
                                           value=tuple(_optimizer(o) for o in optimizers),
                                           rows=len(OPTIMIZERS),
                                           description="optimizers (ctrl/⇧-click)",
                                           style=style(), layout=layout("280px"))  # fmt: skip
        # The learning rate from a list of round values (a log slider would show 0.0501 for
        # 0.05), dense around the bowl's limit 0.1; ``lr`` itself is added if missing.
        choices = sorted({*LR_CHOICES, float(lr)})
        self.lr = w.SelectionSlider(options=[(f"{v:g}", v) for v in choices], value=float(lr),
                                    description="learning rate", **_slider())  # fmt: skip
        self.momentum = w.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01,
                                      description="momentum μ", **_slider())  # fmt: skip
        self.steps = w.IntSlider(value=100, min=5, max=1000, step=5, description="steps",
                                 **_slider())  # fmt: skip
        self.start = w.Text(value="", placeholder="x, y (empty: the default start)",
                            description="start x, y", style=style(), layout=layout("300px"),
                            continuous_update=False)  # fmt: skip
        sliders = w.VBox([self.lr, self.momentum, self.steps])
        self._build([[self.surface, self.start], [self.optimizers, sliders]],
                    [self.surface, self.optimizers, self.lr, self.momentum, self.steps,
                     self.start])  # fmt: skip
        self.update()

    def settings(self) -> dict[str, Any]:
        """The current settings, as arguments of :func:`compare_paths`."""
        start = parse_point(self.start.value) if self.start.value.strip() else None
        return {"surface": self.surface.value, "optimizers": list(self.optimizers.value),
                "lr": self.lr.value, "momentum": self.momentum.value,
                "steps": self.steps.value, "start": start}  # fmt: skip

    def compute(self) -> PathsFrame:
        kw = self.settings()
        s = _surface(kw.pop("surface"))
        paths = compare_paths(s, kw.pop("optimizers"), **kw)
        text = "\n".join([f"{s.name}: {s.note}", *(p.text for p in paths.values())])
        return PathsFrame(s, paths, text)

    def figures(self, result: PathsFrame) -> list:
        import matplotlib.pyplot as plt

        s = result.surface
        x0, x1, y0, y1 = s.box
        gx, gy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
        z = s.f(gx, gy)
        levels = np.geomspace(max(z.min(), 1e-3), z.max(), 16)
        fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(10, 4.2),
                                          gridspec_kw={"width_ratios": [1.3, 1]})  # fmt: skip
        # Light greys for the loss (low = white), so that coloured paths stand out.
        ax.contourf(gx, gy, z, levels=levels, cmap="Greys", norm="log", alpha=0.3,
                    extend="both")  # fmt: skip
        ax.contour(gx, gy, z, levels=levels, colors="grey", linewidths=0.5)
        for mx, my in s.minima:
            ax.plot(mx, my, marker="*", ms=14, color="gold", mec="black", zorder=5)
        colours = plt.get_cmap("tab10")
        for i, (name, p) in enumerate(result.paths.items()):
            c = colours(i)
            label = name + (f" — diverged at step {p.diverged_at}" if p.diverged_at else "")
            ax.plot(p.points[:, 0], p.points[:, 1], "-o", color=c, ms=2.5, lw=1.3, label=label)
            ax_loss.plot(np.arange(len(p.losses)), p.losses, color=c, label=name)
            if p.diverged_at:
                ax_loss.plot(len(p.losses) - 1, p.losses[-1] if np.isfinite(p.losses[-1])
                             else np.nan, "x", color=c, ms=10, mew=2)  # fmt: skip
        ax.plot(*result.paths[next(iter(result.paths))].points[0], "ks", ms=6, label="start")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_title(f"{s.name}: paths over the loss contours", fontsize=10)
        ax.legend(fontsize=7, loc="lower right")
        ax_loss.set_yscale("log")
        ax_loss.set_xlabel("step")
        ax_loss.set_title("loss per step (log scale)", fontsize=10)
        ax_loss.grid(alpha=0.3)
        fig.tight_layout()
        return [fig]


def optimizer_explorer(surface: str = "elongated bowl",
                       optimizers: Sequence[str] = ("SGD", "momentum", "Adam"), *,
                       lr: float = 0.05, draw: bool = True) -> OptimizerExplorer:  # fmt: skip
    """Build the optimizer explorer (display it). ``draw=False`` skips the figures."""
    return OptimizerExplorer(surface, optimizers, lr=lr, draw=draw)
