"""Keep trained models between chapters: train once, reuse in later chapters.

A chapter that trains a network saves it under the data cache; a later chapter that needs the
*same* network (same recipe, data, epochs, seed, versions and mode) loads it instead of spending
minutes training it again. Example::

    from helpers import model_cache
    settings = {"recipe": "fast_fashion", "train_images": 60_000, "epochs": 10, "seed": 42}
    model, info = model_cache.cached_or_train("fast_fashion", settings, train_fn, chapter="08")

``train_fn()`` returns the trained model, or ``(model, metrics)`` with a dict of numbers to
keep beside it. :func:`cached_or_train` prints one line saying what happened, for example
``reused chapter 08's model 'fast_fashion' (60,000 training images, 10 epochs; saved
2026-12-04 11:50, training took 9 min 12 s)``.

Where and what
    ``<data dir>/models/<name>-<fingerprint>.keras`` (the model) and a ``.json`` sidecar beside
    it (name, settings, metrics, chapter, when it was saved, how long training took).
    ``<data dir>`` is :func:`helpers.config.data_dir` (``COURSE_DATA_DIR``).
The fingerprint
    A hash of the name, the settings (any JSON-able dict: recipe fields, training-set size,
    epochs, seed …), the Keras and TensorFlow major versions and the mode: a model trained in
    fast mode (``COURSE_FAST=1``) is never reused in the default mode, nor the other way round.
    Change anything that determines the weights and the old file is simply not found.
``COURSE_RETRAIN=1``
    Ignore the cache and train again (the new model replaces the cached one).
Damaged files
    A missing, truncated or unreadable file is reported in one line and the model is trained
    again; the cache never raises a traceback at a learner. Writes go to a temporary file that
    is renamed into place, so an interrupted save leaves no half-written model behind.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from . import config
from .data import store

__all__ = [
    "RETRAIN_ENV",
    "FORMAT_VERSION",
    "retrain_forced",
    "cache_dir",
    "fingerprint",
    "model_path",
    "save",
    "load",
    "cached_or_train",
    "describe",
    "recipe_settings",
]

RETRAIN_ENV = "COURSE_RETRAIN"
#: Bumped when the layout of the files changes; old files are then not found.
FORMAT_VERSION = 1


def retrain_forced() -> bool:
    """True when ``COURSE_RETRAIN=1``: every :func:`cached_or_train` trains again."""
    return config._env_flag(RETRAIN_ENV)


def cache_dir() -> Path:
    """``<data dir>/models`` (not created here)."""
    return config.data_dir() / "models"


def _versions() -> dict[str, str]:
    """Major versions of Keras and TensorFlow: a model saved by another major may not load."""
    import keras
    import tensorflow as tf

    return {"keras": keras.__version__.split(".")[0], "tensorflow": tf.__version__.split(".")[0]}


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name or not all(c.isalnum() or c in "-_" for c in name):
        raise ValueError(
            f"a cached model's name must be letters, digits, '-' or '_' (it becomes a file "
            f"name), got {name!r}"
        )
    return name


def _canonical(settings: Mapping[str, Any]) -> str:
    if not isinstance(settings, Mapping):
        raise TypeError(f"settings must be a dict, got {type(settings).__name__}")
    try:
        return json.dumps(dict(settings), sort_keys=True, separators=(",", ":"))
    except TypeError as exc:
        raise TypeError(
            f"settings must hold only numbers, strings, lists and dicts (JSON): {exc}"
        ) from None


def fingerprint(name: str, settings: Mapping[str, Any], *, fast: bool | None = None) -> str:
    """12 hex digits that change whenever anything that determines the model changes.

    Covers ``name``, ``settings``, the mode (``fast`` defaults to :func:`config.is_fast`),
    the Keras/TensorFlow major versions and :data:`FORMAT_VERSION`.
    """
    fast = config.is_fast() if fast is None else bool(fast)
    key = {
        "name": _check_name(name),
        "settings": json.loads(_canonical(settings)),
        "mode": "fast" if fast else "default",
        "versions": _versions(),
        "format": FORMAT_VERSION,
    }
    return hashlib.sha256(_canonical(key).encode()).hexdigest()[:12]


def model_path(name: str, settings: Mapping[str, Any]) -> Path:
    """Where the model for ``name`` + ``settings`` (in the current mode) is kept."""
    return cache_dir() / f"{name}-{fingerprint(name, settings)}.keras"


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def save(
    name: str,
    settings: Mapping[str, Any],
    model,
    *,
    metrics: Mapping[str, float] | None = None,
    train_seconds: float | None = None,
    chapter: str | None = None,
) -> Path:
    """Save ``model`` (without its optimizer) and its sidecar; return the model's path.

    ``metrics`` are numbers worth showing later (accuracies); ``chapter`` is who trained it.
    """
    path = model_path(name, settings)
    info = {
        "name": name,
        "fingerprint": fingerprint(name, settings),
        "settings": json.loads(_canonical(settings)),
        "mode": "fast" if config.is_fast() else "default",
        "versions": _versions(),
        "metrics": {k: float(v) for k, v in (metrics or {}).items()},
        "train_seconds": None if train_seconds is None else round(float(train_seconds), 1),
        "chapter": chapter,
        "saved": time.strftime("%Y-%m-%d %H:%M", time.localtime()),
    }
    store.atomic_write(path, _without_optimizer(model).save)
    sidecar = json.dumps(info, indent=1) + "\n"
    store.atomic_write(_sidecar(path), lambda tmp: tmp.write_text(sidecar))
    return path


def _without_optimizer(model):
    """An uncompiled copy with the same weights (batch-norm statistics included).

    A learning-rate schedule in the optimizer is a custom object that a later chapter could
    not rebuild, and nobody resumes training from the cache: architecture and weights suffice.
    """
    if getattr(model, "optimizer", None) is None:
        return model
    copy = type(model).from_config(model.get_config())  # clone_model would keep the optimizer
    copy.set_weights(model.get_weights())
    return copy


def load(name: str, settings: Mapping[str, Any]) -> tuple[Any, dict] | None:
    """``(model, info)`` from the cache, or ``None`` if there is none (or it is damaged).

    A damaged file is reported in one printed line, never raised. The model is loaded
    uncompiled: ready for ``predict``, gradients and feature extraction.
    """
    path = model_path(name, settings)
    side = _sidecar(path)
    if not path.is_file() and not side.is_file():
        return None
    try:
        info = json.loads(side.read_text())
        if info.get("fingerprint") != fingerprint(name, settings):
            raise ValueError("its description belongs to another model")
        import keras

        from . import (
            _quiet_tf,  # noqa: F401  (keeps TensorFlow's start-up chatter out)
            fast_layers,  # noqa: F401  (registers the course's layers for loading)
        )

        model = keras.models.load_model(path, compile=False)
    except Exception as exc:  # any damage means "not usable": train again
        reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        print(f"the cached model {path.name} could not be read ({reason}); training it again")
        return None
    info["path"] = str(path)
    return model, info


def recipe_settings(recipe, *, train_images: int, epochs: int, seed: int = 42) -> dict:
    """The settings of a model trained by ``helpers.bench.train``: every field of the recipe,
    the number of training images, the epochs actually run and the seed.

    Chapters that train or reuse a recipe's model build their settings with this one function,
    so that the same training gives the same fingerprint wherever it happens.
    """
    import dataclasses

    if not dataclasses.is_dataclass(recipe):
        raise TypeError(f"recipe must be a helpers.bench.Recipe, got {type(recipe).__name__}")
    for what, value in (("train_images", train_images), ("epochs", epochs), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{what} must be a whole number >= 0, got {value!r}")
    fields = {k: v for k, v in dataclasses.asdict(recipe).items() if k not in ("note", "target")}
    return {"recipe": fields, "train_images": train_images, "epochs": epochs, "seed": seed}


def _minutes(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"


def describe(info: Mapping[str, Any]) -> str:
    """``"60,000 training images, 10 epochs"`` from the settings that say so, else ``""``."""
    s = info.get("settings", {})
    parts = []
    if isinstance(s.get("train_images"), int):
        parts.append(f"{s['train_images']:,} training images")
    if isinstance(s.get("epochs"), int):
        parts.append(f"{s['epochs']} epoch{'s' if s['epochs'] != 1 else ''}")
    return ", ".join(parts)


def _reused_line(name: str, info: Mapping[str, Any]) -> str:
    who = f"chapter {info['chapter']}'s" if info.get("chapter") else "the cached"
    what = describe(info)
    details = [what] if what else []
    when = f"saved {info.get('saved', '?')}"
    if info.get("train_seconds") is not None:
        when += f", training took {_minutes(info['train_seconds'])}"
    details.append(when)
    return f"reused {who} model {name!r} ({'; '.join(details)})"


def cached_or_train(
    name: str,
    settings: Mapping[str, Any],
    train_fn: Callable[[], Any],
    *,
    chapter: str | None = None,
    prefer: Iterable[Mapping[str, Any]] = (),
) -> tuple[Any, dict]:
    """The cached model for ``name`` + ``settings``, or train it with ``train_fn`` and save it.

    ``prefer`` lists other settings of the same ``name`` (say, a longer training run of an
    earlier chapter) to look for first. Returns ``(model, info)``: ``info["reused"]`` says
    whether it came from the cache, ``info["metrics"]`` holds what ``train_fn`` returned
    beside the model (or what the saving chapter stored), ``info["train_seconds"]`` how long
    training took. Prints one line either way. With ``COURSE_RETRAIN=1`` it always trains.
    """
    _check_name(name)
    retrain = retrain_forced()
    if not retrain:
        for candidate in (*prefer, settings):
            found = load(name, candidate)
            if found is not None:
                model, info = found
                print(_reused_line(name, info))
                return model, {**info, "reused": True}
    start = time.perf_counter()
    result = train_fn()
    seconds = time.perf_counter() - start
    model, metrics = result if isinstance(result, tuple) else (result, {})
    why = f"{RETRAIN_ENV}=1" if retrain else "no cached copy"
    try:
        path = save(name, settings, model, metrics=metrics, train_seconds=seconds,
                    chapter=chapter)  # fmt: skip
        note = f"saved for later chapters ({path.parent})"
    except Exception as exc:  # a full disk or read-only cache must not stop the chapter
        path, note = None, f"could not save it ({type(exc).__name__}: {exc})"
    print(f"trained {name!r} ({why}) in {_minutes(seconds)}; {note}")
    info = {
        "name": name,
        "settings": json.loads(_canonical(settings)),
        "metrics": dict(metrics),
        "train_seconds": seconds,
        "chapter": chapter,
        "reused": False,
        "path": None if path is None else str(path),
    }
    return model, info
