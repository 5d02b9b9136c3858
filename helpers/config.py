"""Course-wide settings read from the environment, and reproducible seeding.

Every notebook and helper reads the course's switches through this module, so
that one environment variable changes the behaviour of the whole course:

``COURSE_FAST``
    ``1`` turns on *fast mode*: notebooks shrink data and epochs so that the
    whole course runs in CI in minutes. Results in fast mode are not meant to
    be read; the default mode (unset or ``0``) is what a learner runs.
``COURSE_DATA_DIR``
    Where datasets are cached. Default: ``$XDG_CACHE_HOME/deep-cv-course``,
    that is ``~/.cache/deep-cv-course`` on most systems.
``COURSE_ALLOW_STANDIN``
    ``1`` lets loaders return a clearly labelled synthetic stand-in for a
    dataset that cannot be had offline (CIFAR-10, tf_flowers). Only CI and the
    test suite set it; a learner never gets a stand-in silently.

Example, in a notebook::

    from helpers import config
    config.seed_everything(42)
    EPOCHS = config.pick(default=12, fast=1)
    x_train, y_train = config.subset(x_train, y_train, fast=2_000)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar

import numpy as np

__all__ = [
    "FAST_ENV",
    "DATA_DIR_ENV",
    "ALLOW_STANDIN_ENV",
    "is_fast",
    "allow_standin",
    "data_dir",
    "pick",
    "subset",
    "seed_everything",
    "mode_banner",
]

FAST_ENV = "COURSE_FAST"
DATA_DIR_ENV = "COURSE_DATA_DIR"
ALLOW_STANDIN_ENV = "COURSE_ALLOW_STANDIN"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}

T = TypeVar("T")


def _env_flag(name: str) -> bool:
    """Read a yes/no environment variable; reject anything ambiguous."""
    raw = os.environ.get(name, "")
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"{name}={raw!r} is not understood: use 1 (on) or 0 (off), "
        f"or leave {name} unset for the default (off)."
    )


def is_fast() -> bool:
    """True when fast mode is on (``COURSE_FAST=1``).

    Read on every call, so a notebook or test that changes the variable sees
    the new value at once.
    """
    return _env_flag(FAST_ENV)


def allow_standin() -> bool:
    """True when labelled offline stand-ins may replace missing datasets."""
    return _env_flag(ALLOW_STANDIN_ENV)


def data_dir() -> Path:
    """The dataset cache directory (created on first use by the data helpers).

    ``COURSE_DATA_DIR`` wins; otherwise ``$XDG_CACHE_HOME/deep-cv-course``
    with ``XDG_CACHE_HOME`` defaulting to ``~/.cache``.
    """
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    cache_home = os.environ.get("XDG_CACHE_HOME", "").strip() or (Path.home() / ".cache")
    return (Path(cache_home).expanduser() / "deep-cv-course").resolve()


def pick(default: T, fast: T) -> T:
    """Return ``fast`` in fast mode and ``default`` otherwise.

    The one way notebooks choose sizes that depend on the mode, e.g.
    ``EPOCHS = config.pick(default=12, fast=1)``.
    """
    return fast if is_fast() else default


def subset(*arrays, fast: int, default: int | None = None):
    """Keep the first ``fast`` items of each array in fast mode.

    In the default mode the arrays are returned whole, or cut to ``default``
    items when that is given. All arrays must have the same length (they are
    usually images and their labels). Returns a tuple when several arrays are
    given and the array itself when one is.
    """
    if not arrays:
        raise ValueError("subset() needs at least one array")
    n = len(arrays[0])
    for i, a in enumerate(arrays[1:], start=1):
        if len(a) != n:
            raise ValueError(
                f"subset(): array 0 has {n} items but array {i} has {len(a)}; "
                "images and labels must have the same length"
            )
    limit = pick(default=default, fast=fast)
    if limit is not None:
        if not isinstance(limit, int | np.integer) or isinstance(limit, bool) or limit <= 0:
            raise ValueError(f"subset(): the size must be a positive whole number, got {limit!r}")
        arrays = tuple(a[:limit] for a in arrays)
    return arrays[0] if len(arrays) == 1 else tuple(arrays)


def seed_everything(seed: int = 42, *, deterministic_ops: bool = False) -> None:
    """Seed Python, NumPy, TensorFlow and Keras in one call.

    It returns nothing, so that a notebook cell ending with it shows no stray value.

    ``deterministic_ops=True`` also asks TensorFlow for deterministic kernels
    (bit-identical reruns, somewhat slower). Without it, results agree to a
    few decimals between runs, which is what the course's checks rely on.
    ``PYTHONHASHSEED`` is set for child processes only; the running
    interpreter's hash seed cannot change after start-up.
    """
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be a whole number from 0 to 2**32 - 1, got {seed!r}")
    seed = int(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    import keras  # imported here: importing helpers.config must stay cheap

    # One call seeds Python's `random`, NumPy's global generator and the backend (TensorFlow).
    keras.utils.set_random_seed(seed)
    if deterministic_ops:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def mode_banner() -> str:
    """One line saying which mode this run is in, for the top of every notebook."""
    if is_fast():
        return (
            "FAST MODE (COURSE_FAST=1): data and epochs are shrunk for testing; "
            "numbers below are NOT the course's results."
        )
    return "Default mode: full data and epochs, the results the course describes."
