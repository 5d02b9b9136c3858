"""Hidden tests of the labs, used by :mod:`helpers.grading` and never shown in a notebook.

One module per lab, named after its number (``lab00.py`` for ``00_setup_lab``). A module
defines ``QUESTIONS``, a list of ``(function_name, points, test)``, and an exception class
``Failed``; ``test(fn)`` returns when the learner's function is right and raises otherwise.
The module is loaded *from its file* inside the learner's kernel, so it must be self-
contained: it imports nothing from ``helpers`` and uses no library function
(``math.isclose``, ``np.allclose`` …) that the learner's notebook could have replaced.
The strict helpers the labs share (``Failed``, exact-type converters, ``_call`` …) live in
``_common.py``, which each lab loads by path from this folder (not a lab: it does not
match ``labNN.py``).
Hidden inputs differ from the public checks'.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

__all__ = ["test_file", "known_labs", "load"]

_LAB_NAME = re.compile(r"(\d\d)_\w+")


def test_file(lab: str) -> Path:
    """Path of the hidden tests of ``lab``; ``KeyError`` if the lab has none.

    By convention the lab ``NN_<topic>_lab`` (file stem in labs/) has its hidden tests in
    ``labNN.py`` beside this file, so adding a lab needs no registry edit.
    """
    m = _LAB_NAME.fullmatch(lab)
    path = Path(__file__).with_name(f"lab{m.group(1)}.py") if m else None
    if path is None or not path.is_file():
        raise KeyError(lab)
    return path


def known_labs() -> list[str]:
    """The ``labNN`` stems that have hidden tests (for messages)."""
    return sorted(p.stem for p in Path(__file__).parent.glob("lab[0-9][0-9].py"))


def load(lab: str) -> ModuleType:
    """Load the hidden tests of ``lab`` fresh from their file (not from ``sys.modules``)."""
    path = test_file(lab)
    spec = importlib.util.spec_from_file_location(f"_hidden_tests_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
