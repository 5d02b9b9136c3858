"""Lab 11's own comparator: a list of Keras callbacks, judged by description.

``callbacks(got, expected, settings)`` receives the decoded lists (each callback a
:class:`~helpers.labs.wire.Described`: class name and simple attributes) and compares, callback
by callback, the class and the attributes named in ``settings``. File paths are compared
relative to the folder: the learner's function and the reference each get their own temporary
folder, so only the folder's name and the file name must agree (an absolute path stays absolute;
a relative one must be equal). No answer is written here: the values come from ``expected``.
"""

from __future__ import annotations

import math
from pathlib import PurePath

import numpy as np

from helpers.labs.wire import Described

_PATHS = ("filepath", "filename")


def _name(value) -> str:
    return value.type if isinstance(value, Described) else type(value).__name__


def _same_setting(value, wanted) -> bool:
    """Exact for bools, strings and None; close for numbers (no object claiming equality)."""
    if wanted is None or isinstance(wanted, bool | str):
        return type(value) is type(wanted) and value == wanted
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return False
    return math.isclose(float(value), float(wanted), rel_tol=1e-9, abs_tol=1e-15)


def _same_path(value, wanted) -> bool:
    if type(value) is not str or type(wanted) is not str:
        return False
    got, want = PurePath(value), PurePath(wanted)
    if got.is_absolute() != want.is_absolute():
        return False
    if not want.is_absolute():
        return got == want
    return got.parts[-2:] == want.parts[-2:]  # <folder name>/<file name>


def _shown(path) -> str:
    p = PurePath(str(path))
    return str(PurePath(*p.parts[-2:])) if p.is_absolute() else str(p)


def callbacks(got, expected, settings):
    """The callbacks in order, with the settings named in ``settings`` (class: attributes)."""
    if type(got) is not list:
        return f"expected a list of callbacks, got {_name(got)}"
    if len(got) != len(expected):
        order = ", ".join(_name(e) for e in expected)
        return f"expected {len(expected)} callbacks, got {len(got)} ({order}, in this order)"
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        if not isinstance(g, Described) or g.type != e.type:
            return (f"item {i} should be keras.callbacks.{e.type}, got {_name(g)} (keep the "
                    "order of the exercise)")  # fmt: skip
    folders, wanted_folders = set(), set()
    for g, e in zip(got, expected, strict=True):
        for attr in settings.get(e.type, []):
            value, wanted = g.attrs.get(attr), e.attrs.get(attr)
            if attr in _PATHS:
                if not _same_path(value, wanted):
                    return (f"{e.type} writes to {value!r}, expected <folder>/"
                            f"{PurePath(str(wanted)).name} (here {_shown(wanted)!r})")  # fmt: skip
                folders.add(PurePath(value).parent)
                wanted_folders.add(PurePath(wanted).parent)
            elif not _same_setting(value, wanted):
                return (f"{e.type}.{attr} is {value!r}, expected {wanted!r} (pass {attr}= to "
                        f"keras.callbacks.{e.type})")  # fmt: skip
    if len(folders) > len(wanted_folders):
        return "the files of the callbacks are in different folders; both go inside `folder`"
    return None
