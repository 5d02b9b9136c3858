"""Lab 10's own comparator: a pipeline of Keras preprocessing layers, judged by description.

``augmentation(got, expected)`` receives ``(model, output with training=False, output with
training=True)`` for the learner and for the reference. It compares the layer classes, their
ranges (read from the layers' configs) and fill modes with the expected pipeline's, then checks
that inference leaves the images alone and training changes them. No answer is written here:
every expected value comes from ``expected``.
"""

from __future__ import annotations

import numpy as np

from helpers.labs.judge import Array
from helpers.labs.wire import Described

_RANGES = {"RandomRotation": [("factor", "factor")],
           "RandomTranslation": [("height_factor", "height"), ("width_factor", "width")],
           "RandomZoom": [("height_factor", "height"), ("width_factor", "width")]}  # fmt: skip


def _range(value, fallback=None):
    """(lower, upper) of a Keras factor: a number f means (-f, f); None means ``fallback``."""
    if value is None:
        return fallback
    if isinstance(value, list | tuple) and len(value) == 2:
        try:
            return (float(value[0]), float(value[1]))
        except (TypeError, ValueError):
            return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (-abs(float(value)), abs(float(value)))
    return None


def _layers(model) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for layer in model.attrs.get("layers") or []:
        if isinstance(layer, dict):
            found.setdefault(str(layer.get("class")), []).append(layer.get("config") or {})
    return found


def _ranges(name: str, config: dict) -> dict[str, tuple | None]:
    out: dict[str, tuple | None] = {}
    for key, label in _RANGES.get(name, []):
        fallback = out.get("height") if name == "RandomZoom" and label == "width" else None
        out[label] = _range(config.get(key), fallback)
    return out


def _show(r) -> str:
    return "missing" if r is None else f"({r[0]:g}, {r[1]:g})"


def _close(a, b, tol) -> bool:
    if a is None or b is None or len(a) != len(b):
        return False
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def _describe_layers(got, expected, tol) -> str | None:
    if not isinstance(got, Described) or got.type != "keras.Model" or \
            got.attrs.get("class") != expected.attrs.get("class"):  # fmt: skip
        kind = (
            got.attrs.get("class", got.type) if isinstance(got, Described) else type(got).__name__
        )
        return (
            f"expected a keras.{expected.attrs.get('class')}, got {kind}; return "
            "keras.Sequential([...layers...])"
        )
    want, have = _layers(expected), _layers(got)
    for name in want:
        if len(have.get(name, [])) != len(want[name]):
            return (f"expected exactly {len(want[name])} {name} layer, found "
                    f"{len(have.get(name, []))}; the Sequential should hold these layers: "
                    f"{', '.join(want)}")  # fmt: skip
    extra = sorted(set(have) - set(want))
    if extra:
        return (f"unexpected layers {extra}; the generator does only these transforms: "
                f"{', '.join(want)}")  # fmt: skip
    for name, configs in want.items():
        g, e = have[name][0], configs[0]
        mine, theirs = _ranges(name, g), _ranges(name, e)
        for label, r in theirs.items():
            got_r = mine.get(label)
            if _close(got_r, r, tol):
                continue
            if name == "RandomRotation":
                if got_r is not None and max(abs(v) for v in got_r) > 1:
                    return (
                        f"RandomRotation factor {_show(got_r)} looks like degrees; it takes a "
                        "fraction of a full turn (degrees / 360)"
                    )
                return (f"RandomRotation allows {_show(got_r)} turns; expected {_show(r)}, i.e. "
                        f"±{max(abs(v) for v in r) * 360:g}° (a factor is a fraction of a full "
                        "turn, 360°)")  # fmt: skip
            what = f"{label} range" if len(theirs) > 1 else "range"
            return (f"{name} {what} is {_show(got_r)}; expected {_show(r)} (a fraction of the "
                    "image size)")  # fmt: skip
        for key in ("mode", "fill_mode"):
            if key in e and g.get(key) != e[key]:
                if key == "mode":
                    return (
                        f"RandomFlip mode is {g.get(key)!r}; expected {e[key]!r} (the "
                        "generator flips only that way)"
                    )
                return (
                    f"{name} has fill_mode={g.get(key)!r}; the generator used {e[key]!r} "
                    "(Keras 3's default is 'reflect': pass fill_mode to each geometric layer)"
                )
    return None


def augmentation(got, expected, tol=1e-9):
    """``(model, output with training=False, output with training=True)`` as expected."""
    if type(got) is not tuple or len(got) != len(expected):
        return f"expected a model and {len(expected) - 1} outputs, got {type(got).__name__}"
    problem = _describe_layers(got[0], expected[0], tol)
    if problem:
        return problem
    if len(got) < 3:
        return None
    problem = Array(atol=0.0, kinds="f").compare(got[1], expected[1])
    if problem:
        return (
            f"called with training=False it changed the images ({problem}); augmentation "
            "layers must pass images through unchanged at inference"
        )
    trained = got[2]
    if type(trained) is not np.ndarray or trained.shape != np.shape(got[1]) or \
            np.array_equal(trained, got[1]):  # fmt: skip
        return "called with training=True it did not change the images"
    return None
