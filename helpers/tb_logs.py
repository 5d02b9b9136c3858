"""Read TensorBoard logs back in code: the scalars ``keras.callbacks.TensorBoard`` wrote.

TensorBoard's web page is the usual way to look at a log folder (``tensorboard --logdir logs``,
or ``%load_ext tensorboard`` then ``%tensorboard --logdir logs`` in Jupyter), but the numbers are
plain records in ``events.out.tfevents.*`` files, and a test or a notebook can read them
directly. Keras writes one sub-folder per phase (``train/``, ``validation/``) and one scalar per
metric and epoch, tagged ``epoch_loss``, ``epoch_accuracy``…::

    from helpers import tb_logs
    tb_logs.tags("logs/run1")                     # {'train': [...], 'validation': [...]}
    steps, values = tb_logs.scalars("logs/run1/validation", "epoch_accuracy")

Records are read with ``tf.compat.v1.train.summary_iterator``. TensorFlow 2 stores scalars as
tensors (``value.tensor``), TensorFlow 1 as ``simple_value``: both are understood. When a run was
restarted into the same folder, a step logged twice keeps its latest record (by wall time).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .deploy import quiet

__all__ = ["event_files", "records", "tags", "scalars", "write_scalars"]


def event_files(logdir: str | os.PathLike) -> list[Path]:
    """The event files directly inside ``logdir``, oldest first (by name: they start with a
    timestamp)."""
    folder = Path(logdir)
    if not folder.is_dir():
        raise FileNotFoundError(f"no log folder {folder}")
    return sorted(p for p in folder.iterdir() if p.is_file() and ".tfevents." in p.name)


def _scalar(value) -> float | None:
    if value.HasField("simple_value"):
        return float(value.simple_value)
    if value.HasField("tensor"):
        import tensorflow as tf

        array = tf.make_ndarray(value.tensor)
        if array.size == 1 and array.dtype.kind in "fiub":
            return float(array.reshape(-1)[0])
    return None


def records(logdir: str | os.PathLike) -> list[dict]:
    """Every scalar record in ``logdir``'s event files as ``{"wall_time", "step", "tag",
    "value"}`` dicts, in file order. Non-scalar summaries (histograms, images, graphs) are
    skipped."""
    import tensorflow as tf

    out = []
    for path in event_files(logdir):
        with quiet():  # summary_iterator logs a deprecation notice
            events = list(tf.compat.v1.train.summary_iterator(str(path)))
        for event in events:
            if not event.HasField("summary"):
                continue
            for value in event.summary.value:
                number = _scalar(value)
                if number is not None:
                    out.append({"wall_time": float(event.wall_time), "step": int(event.step),
                                "tag": str(value.tag), "value": number})  # fmt: skip
    return out


def tags(logdir: str | os.PathLike) -> dict[str, list[str]]:
    """Scalar tags per sub-folder: ``{"train": ["epoch_accuracy", …], …}``; files directly in
    ``logdir`` are listed under ``"."``."""
    folder = Path(logdir)
    found: dict[str, list[str]] = {}
    for sub in [folder, *sorted(p for p in folder.iterdir() if p.is_dir())]:
        if not event_files(sub):
            continue
        names = sorted({r["tag"] for r in records(sub)})
        if names:
            found["." if sub == folder else sub.name] = names
    return found


def scalars(logdir: str | os.PathLike, tag: str) -> tuple[np.ndarray, np.ndarray]:
    """The ``(steps, values)`` of scalar ``tag`` in ``logdir``, sorted by step.

    Raises ``KeyError`` naming the tags that exist when ``tag`` is not among them.
    """
    by_step: dict[int, tuple[float, float]] = {}
    seen = set()
    for r in records(logdir):
        seen.add(r["tag"])
        if r["tag"] != tag:
            continue
        old = by_step.get(r["step"])
        if old is None or r["wall_time"] >= old[0]:
            by_step[r["step"]] = (r["wall_time"], r["value"])
    if not by_step:
        raise KeyError(f"no scalar {tag!r} in {logdir}; tags found: {sorted(seen) or 'none'}")
    steps = np.array(sorted(by_step), dtype=np.int64)
    values = np.array([by_step[s][1] for s in steps], dtype=np.float64)
    return steps, values


def write_scalars(logdir: str | os.PathLike, tag: str, values, steps=None) -> Path:
    """Write ``values`` as scalar ``tag`` (steps 0, 1, … unless given) with ``tf.summary``, as
    Keras' callback does. For tests and demonstrations; returns ``logdir``."""
    import tensorflow as tf

    values = [float(v) for v in values]
    steps = list(range(len(values))) if steps is None else [int(s) for s in steps]
    if len(steps) != len(values):
        raise ValueError(f"write_scalars(): {len(values)} values but {len(steps)} steps")
    writer = tf.summary.create_file_writer(str(logdir))
    with writer.as_default():
        for step, value in zip(steps, values, strict=True):
            tf.summary.scalar(tag, value, step=step)
    writer.flush()
    writer.close()
    return Path(logdir)
