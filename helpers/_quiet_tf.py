"""Keep TensorFlow's C++ start-up lines out of a learner's notebook.

TensorFlow 2.21 writes notices to the process's stderr (file descriptor 2) while it is imported
and when it first looks for GPUs: absl's "All log messages before absl::InitializeLog() is
called…", oneDNN and CUDA-probe lines, "failed call to cuInit" on CPU machines. They are written
before ``TF_CPP_MIN_LOG_LEVEL`` takes effect, and Jupyter shows them as red error boxes.

:func:`install` adds an import hook: the first ``import tensorflow`` (also through ``import
keras``) runs with descriptor 2 pointed at ``/dev/null``, and so does TensorFlow's first device
query, made right after. Python's own errors are unaffected (they go through ``sys.stderr``, and
an import error propagates after descriptor 2 is restored). Setting ``TF_CPP_MIN_LOG_LEVEL`` to
0 or 1 keeps every line.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import os
import sys

__all__ = ["install", "silenced_stderr", "wanted"]


def wanted() -> bool:
    """Whether the start-up lines should be hidden (``TF_CPP_MIN_LOG_LEVEL`` ≥ 2, the course's
    default)."""
    try:
        return int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")) >= 2
    except ValueError:
        return True


@contextlib.contextmanager
def silenced_stderr():
    """Point file descriptor 2 at /dev/null inside the block (C and C++ writes included)."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to silence
        yield
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


class _QuietImport(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` with the normal machinery and wraps its loading."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path[:] = [f for f in sys.meta_path if f is not self]  # once only
        spec = importlib.util.find_spec(name)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module") or not wanted():
            return spec
        run = loader.exec_module

        def exec_module(module):
            with silenced_stderr():
                run(module)
                with contextlib.suppress(Exception):  # the first device query probes CUDA
                    module.config.list_physical_devices()

        loader.exec_module = exec_module
        return spec


def install() -> None:
    """Hide TensorFlow's start-up lines if it has not been imported yet (see the module doc)."""
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietImport) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietImport())
