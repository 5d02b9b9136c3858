"""Hidden tests of the labs, used by :mod:`helpers.grading` and never shown in a notebook.

One module per lab, registered in :data:`LAB_TESTS`. A module defines ``QUESTIONS``, a list
of ``(function_name, points, test)``, and an exception class ``Failed``; ``test(fn)`` returns
when the learner's function is right and raises otherwise. The module is loaded *from its
file* inside the learner's kernel, so it must be self-contained: it imports nothing from
``helpers`` and uses no library function (``math.isclose``, ``np.allclose`` …) that the
learner's notebook could have replaced. Hidden inputs differ from the public checks'.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

__all__ = ["LAB_TESTS", "test_file", "load"]

#: lab name (file stem in labs/) → file of its hidden tests, in this folder
LAB_TESTS = {"00_setup_lab": "lab00.py"}


def test_file(lab: str) -> Path:
    """Path of the hidden tests of ``lab``; ``KeyError`` if the lab has none."""
    return Path(__file__).with_name(LAB_TESTS[lab])


def load(lab: str) -> ModuleType:
    """Load the hidden tests of ``lab`` fresh from their file (not from ``sys.modules``)."""
    path = test_file(lab)
    spec = importlib.util.spec_from_file_location(f"_hidden_tests_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
