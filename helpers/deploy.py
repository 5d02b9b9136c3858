"""Deployment: save a trained Keras model, export it, convert it to TensorFlow Lite, and measure.

Chapter 23 takes one trained course model along the whole path a deployed model travels::

    model (Keras) ──save_keras──▶ model.keras          (Keras: weights + architecture + optimizer)
                  ──export_savedmodel──▶ saved_model/  (TensorFlow graph for serving)
                  ──to_tflite──▶ .tflite bytes         (float32, "dynamic" or "int8" quantized)
                  ──TFLiteModel──▶ predictions on a CPU, a phone, a board

and then compares the formats in one table (:func:`compare`): file size, test accuracy,
single-image CPU latency (:func:`latency_ms`, the median of many timed calls) and agreement with
the float Keras model. Example::

    from helpers import deploy
    deploy.save_keras(model, "out/model.keras")
    int8 = deploy.to_tflite(model, quantize="int8", representative=x_train[:200])
    runner = deploy.TFLiteModel(int8)
    probs = runner.predict(x_test)                  # int8 in, scale/zero point handled
    rows = deploy.compare({"TFLite int8": (runner.predict, len(int8))}, x_test, y_test)
    print(deploy.format_rows(rows))

Quantization is *affine*: a real value ``x`` is stored as ``q = round(x / scale) + zero_point``
clipped to int8's −128…127, and read back as ``(q − zero_point) · scale`` (:func:`quantize`,
:func:`dequantize`). ``"dynamic"`` stores the weights in int8 and computes in float; ``"int8"``
(full-integer post-training quantization) also quantizes the activations, with ranges measured on
a *representative dataset* of training images, so that inputs and outputs are int8 too.

``tf.lite`` prints deprecation notices in TensorFlow 2.21 (LiteRT, the ``ai_edge_litert``
package, is its successor): conversions and interpreters here run with those notices silenced,
and the interpreter is LiteRT's when it is installed (the lookup of
:mod:`helpers.pretrained.selfie_segmentation`).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._quiet_tf import silenced_stderr

__all__ = [
    "QUANTIZE_MODES",
    "quiet",
    "save_keras",
    "export_savedmodel",
    "to_tflite",
    "write_bytes",
    "quantize",
    "dequantize",
    "TFLiteModel",
    "keras_runner",
    "savedmodel_runner",
    "file_size",
    "latency_ms",
    "compare",
    "format_rows",
    "RECIPE_ACTIONS",
    "diagnose",
    "draw_pipeline",
    "draw_recipe",
]

#: The ``quantize=`` choices of :func:`to_tflite`.
QUANTIZE_MODES = (None, "dynamic", "int8")

_INT8 = (-128, 127)


@contextlib.contextmanager
def quiet():
    """No TensorFlow chatter inside the block: Python warnings, ``print()`` (``Saved artifact
    at…``), the ``tensorflow`` logger (``INFO: Assets written…``, deprecation notices) and C++
    lines on stderr. Errors still propagate."""
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
            silenced_stderr(),
        ):
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _check_model(model: Any, caller: str) -> None:
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"{caller}(): expected a Keras model, got {type(model).__name__}")
    if not model.built:
        raise ValueError(f"{caller}(): the model is not built yet; call it on data or give it "
                         "an Input first")  # fmt: skip


# ----------------------------------------------------------------------------- saving


def save_keras(model: Any, path: str | os.PathLike) -> Path:
    """Save ``model`` as a native Keras file (``.keras``: architecture, weights, optimizer).

    The parent folder is created. Returns the path. ``keras.models.load_model(path)`` reads it.
    """
    _check_model(model, "save_keras")
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"save_keras(): the file name must end in .keras, got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    return path


def export_savedmodel(model: Any, directory: str | os.PathLike) -> Path:
    """Export ``model``'s inference function as a TensorFlow SavedModel folder.

    Uses ``model.export`` (Keras 3): the folder holds a graph with one ``serve`` endpoint and
    the weights, no Python code; TF Serving, the TFLite converter and ``tf.saved_model.load``
    read it. Returns the folder.
    """
    _check_model(model, "export_savedmodel")
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"export_savedmodel(): {directory} exists and is not empty")
    directory.parent.mkdir(parents=True, exist_ok=True)
    with quiet():
        model.export(str(directory), verbose=False)
    return directory


def _representative(samples: Any, caller: str) -> Callable[[], Iterable[list[np.ndarray]]]:
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"{caller}(): the representative data must be a non-empty batch of "
                         f"inputs (N, ...), got shape {x.shape}")  # fmt: skip

    def gen():
        for i in range(len(x)):
            yield [x[i : i + 1]]

    return gen


def to_tflite(
    model: Any,
    *,
    quantize: str | None = None,
    representative: Any = None,
) -> bytes:
    """Convert a Keras model (or a SavedModel folder) to a TensorFlow Lite flatbuffer.

    ``quantize``:

    - ``None``: float32 weights and computation;
    - ``"dynamic"``: weights stored as int8 (about 4× smaller), activations in float;
    - ``"int8"``: full-integer post-training quantization: weights *and* activations in int8,
      inputs and outputs int8 too. Needs ``representative``: a batch of typical inputs (take
      them from the TRAINING set), which the converter runs to measure each tensor's range.

    Returns the ``.tflite`` file's bytes (write them with :func:`write_bytes`).
    """
    import tensorflow as tf

    if quantize not in QUANTIZE_MODES:
        raise ValueError(f"to_tflite(): quantize must be one of {QUANTIZE_MODES}, got "
                         f"{quantize!r}")  # fmt: skip
    if quantize == "int8" and representative is None:
        raise ValueError("to_tflite(quantize='int8') needs representative= (a batch of "
                         "training inputs) to calibrate the activation ranges")  # fmt: skip
    if isinstance(model, str | os.PathLike):
        folder = Path(model)
        if not (folder / "saved_model.pb").is_file():
            raise FileNotFoundError(f"to_tflite(): {folder} is not a SavedModel folder")
        converter = tf.lite.TFLiteConverter.from_saved_model(str(folder))
    else:
        _check_model(model, "to_tflite")
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if quantize is not None:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantize == "int8":
        converter.representative_dataset = _representative(representative, "to_tflite")
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    with quiet():
        return bytes(converter.convert())


def write_bytes(content: bytes, path: str | os.PathLike) -> Path:
    """Write ``content`` (e.g. :func:`to_tflite`'s result) to ``path``; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


# ----------------------------------------------------------------------------- quantization


def _scale_zp(scale: float, zero_point: int) -> tuple[float, int]:
    scale = float(scale)
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"the scale must be a positive number, got {scale!r}")
    if int(zero_point) != zero_point or not _INT8[0] <= zero_point <= _INT8[1]:
        raise ValueError(f"the zero point must be an int8 value (-128…127), got {zero_point!r}")
    return scale, int(zero_point)


def quantize(x: Any, scale: float, zero_point: int) -> np.ndarray:
    """Real values → int8 codes: ``clip(round(x / scale) + zero_point, −128, 127)``."""
    scale, zero_point = _scale_zp(scale, zero_point)
    q = np.round(np.asarray(x, dtype=np.float64) / scale) + zero_point
    return np.clip(q, *_INT8).astype(np.int8)


def dequantize(q: Any, scale: float, zero_point: int) -> np.ndarray:
    """int8 codes → real values: ``(q − zero_point) · scale`` (float32), computed without
    int8 overflow."""
    scale, zero_point = _scale_zp(scale, zero_point)
    return ((np.asarray(q, dtype=np.int32) - zero_point) * scale).astype(np.float32)


# ----------------------------------------------------------------------------- running


def _interpreter_class():
    from .pretrained.selfie_segmentation import _interpreter_class as lookup

    return lookup()


class TFLiteModel:
    """Run a ``.tflite`` model (bytes or a file) like a Keras model: float images in,
    float probabilities out.

    Quantized inputs and outputs are handled here: float inputs are quantized with the input
    tensor's scale and zero point, int8 outputs dequantized with the output's. The batch size
    follows the input (the interpreter is resized when it changes; keep it fixed when timing).

    Attributes: ``input_dtype``, ``output_dtype`` (NumPy dtypes of the model's own tensors),
    ``input_quantization``/``output_quantization`` (``(scale, zero_point)``, ``(0.0, 0)`` for
    float tensors), ``size`` (bytes of the flatbuffer).
    """

    def __init__(self, model: bytes | str | os.PathLike, *, num_threads: int | None = None):
        if isinstance(model, bytes | bytearray):
            content = bytes(model)
        else:
            path = Path(model)
            if not path.is_file():
                raise FileNotFoundError(f"TFLiteModel: no such file {path}")
            content = path.read_bytes()
        if not content:
            raise ValueError("TFLiteModel: the model is empty")
        self.size = len(content)
        cls = _interpreter_class()
        with quiet():
            self._interp = cls(model_content=content, num_threads=num_threads)
            self._interp.allocate_tensors()
        self._in = self._interp.get_input_details()[0]
        self._out = self._interp.get_output_details()[0]
        self.input_dtype = np.dtype(self._in["dtype"])
        self.output_dtype = np.dtype(self._out["dtype"])
        self.input_quantization = tuple(self._in["quantization"])
        self.output_quantization = tuple(self._out["quantization"])
        self.input_shape = tuple(int(d) for d in self._in["shape"])
        self._batch = self.input_shape[0]

    def tensor_dtypes(self) -> list[np.dtype]:
        """The dtypes of every tensor in the model (weights, activations, inputs, outputs)."""
        return [np.dtype(t["dtype"]) for t in self._interp.get_tensor_details()]

    def _prepare(self, x: np.ndarray) -> np.ndarray:
        if self.input_dtype == np.float32:
            return x.astype(np.float32)
        scale, zp = self.input_quantization
        info = np.iinfo(self.input_dtype)
        q = np.round(x / scale) + zp
        return np.clip(q, info.min, info.max).astype(self.input_dtype)

    def _run(self, x: np.ndarray) -> np.ndarray:
        n = len(x)
        if n != self._batch:
            with quiet():
                self._interp.resize_tensor_input(self._in["index"], [n, *self.input_shape[1:]])
                self._interp.allocate_tensors()
            self._batch = n
        self._interp.set_tensor(self._in["index"], self._prepare(x))
        self._interp.invoke()
        out = np.array(self._interp.get_tensor(self._out["index"]))
        if self.output_dtype != np.float32:
            scale, zp = self.output_quantization
            out = (out.astype(np.float32) - zp) * scale
        return out

    def predict(self, x: Any, batch_size: int = 256) -> np.ndarray:
        """Outputs (float32) for a batch ``x`` shaped like the model's input, in chunks."""
        x = np.asarray(x, dtype=np.float32)
        if x.shape[1:] != self.input_shape[1:]:
            raise ValueError(f"TFLiteModel.predict(): inputs of shape (N, "
                             f"{', '.join(map(str, self.input_shape[1:]))}) expected, got "
                             f"{x.shape}")  # fmt: skip
        if len(x) <= batch_size:
            return self._run(x)
        # Equal chunks, so that the interpreter is resized at most twice.
        parts = [self._run(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]
        return np.concatenate(parts)

    __call__ = predict


def keras_runner(model: Any, batch_size: int = 512) -> Callable[[np.ndarray], np.ndarray]:
    """A function batch → probabilities running ``model`` as one compiled TensorFlow graph
    (``tf.function``), in chunks of ``batch_size``.

    Calling a Keras model eagerly, or ``model.predict``, adds milliseconds of Python overhead
    per call, which would swamp the latency of a single image; a served model runs a graph.
    """
    import tensorflow as tf

    _check_model(model, "keras_runner")
    spec = tf.TensorSpec((None, *model.inputs[0].shape[1:]), tf.float32)
    graph = tf.function(lambda b: model(b, training=False), input_signature=[spec])

    def run(x):
        x = np.asarray(x, dtype=np.float32)
        return np.concatenate([np.asarray(graph(tf.constant(x[i : i + batch_size])))
                               for i in range(0, len(x), batch_size)])  # fmt: skip

    return run


def savedmodel_runner(directory: str | os.PathLike, batch_size: int = 512):
    """A function batch → outputs calling a SavedModel's ``serve`` endpoint (as TF Serving
    would), loaded with ``tf.saved_model.load`` (no Keras needed)."""
    import tensorflow as tf

    with quiet():
        loaded = tf.saved_model.load(str(directory))
    if not hasattr(loaded, "serve"):
        raise ValueError(f"savedmodel_runner(): {directory} has no 'serve' endpoint "
                         "(export it with model.export)")  # fmt: skip
    serve = loaded.serve

    def run(x):
        x = np.asarray(x, dtype=np.float32)
        return np.concatenate([np.asarray(serve(tf.constant(x[i : i + batch_size])))
                               for i in range(0, len(x), batch_size)])  # fmt: skip

    run.loaded = loaded  # keep the graph alive as long as the function
    return run


# ----------------------------------------------------------------------------- measuring


def file_size(path: str | os.PathLike | bytes) -> int:
    """Bytes of a file, of every file under a folder (a SavedModel), or of a bytes object."""
    if isinstance(path, bytes | bytearray):
        return len(path)
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    raise FileNotFoundError(f"file_size(): no such file or folder {path}")


def latency_ms(fn: Callable[[Any], Any], x: Any, repeats: int = 50, warmup: int = 5) -> float:
    """Median wall time of ``fn(x)`` in milliseconds, after ``warmup`` untimed calls
    (at least one).

    For single-image CPU latency pass one image with its batch axis (``x[:1]``). The median
    ignores the odd slow call (another process, garbage collection) that a mean would not.
    """
    for name, value, low in (("repeats", repeats, 1), ("warmup", warmup, 0)):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ValueError(f"latency_ms(): {name} must be a whole number ≥ {low}, got {value!r}")
    from .classic_detection import time_per_image  # the median timer of chapter 18

    for _ in range(max(warmup - 1, 0)):  # time_per_image makes one warm-up call itself
        fn(x)
    return 1000.0 * time_per_image(fn, x, repeats=repeats)


def compare(
    models: Mapping[str, tuple[Callable[[np.ndarray], np.ndarray], int | str | os.PathLike]],
    x: Any,
    y: Any,
    *,
    reference: str | None = None,
    repeats: int = 50,
    warmup: int = 5,
) -> list[dict]:
    """One row per model: format, size (KB), accuracy, single-image latency (ms), agreement.

    ``models`` maps a name to ``(predict, size)``: ``predict`` takes a batch and returns class
    scores; ``size`` is bytes or a path (:func:`file_size`). Accuracy is measured on ``(x, y)``;
    latency on ``x[:1]`` (:func:`latency_ms`); ``agreement`` is the fraction of ``x`` on which
    the model predicts the same class as ``reference`` (default: the first model).
    """
    if not models:
        raise ValueError("compare(): no models given")
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y).reshape(-1)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"compare(): {len(x)} inputs but {len(y)} labels")
    reference = reference or next(iter(models))
    if reference not in models:
        raise KeyError(f"compare(): reference {reference!r} is not one of {list(models)}")
    predictions = {}
    rows = []
    for name, (predict, size) in models.items():
        pred = np.asarray(predict(x)).argmax(axis=-1)
        predictions[name] = pred
        rows.append(
            {
                "format": name,
                "size_kb": (size if isinstance(size, int) else file_size(size)) / 1024,
                "accuracy": float(np.mean(pred == y)),
                "latency_ms": latency_ms(predict, x[:1], repeats=repeats, warmup=warmup),
            }
        )
    for row in rows:
        row["agreement"] = float(np.mean(predictions[row["format"]] == predictions[reference]))
    return rows


_COLUMNS = {
    "format": ("format", "{}"),
    "size_kb": ("size (KB)", "{:,.1f}"),
    "accuracy": ("test acc.", "{:.2%}"),
    "latency_ms": ("latency (ms)", "{:.3f}"),
    "agreement": ("agreement", "{:.2%}"),
}


def format_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """A plain-text table of ``rows`` (dicts), first column left-aligned, numbers right.

    Known columns (those of :func:`compare`) get headers and number formats; other columns are
    shown with their key as header and ``str()`` of the value.
    """
    if not rows:
        return "(no rows)"
    columns = list(columns or rows[0].keys())
    heads = [_COLUMNS.get(c, (c, "{}"))[0] for c in columns]
    cells = [[_COLUMNS.get(c, (c, "{}"))[1].format(r[c]) if r.get(c) is not None else "–"
              for c in columns] for r in rows]  # fmt: skip
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(heads)]

    def line(values):
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                         for i, (v, w) in enumerate(zip(values, widths, strict=True)))  # fmt: skip

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(heads), sep, *(line(c) for c in cells)])


# ----------------------------------------------------------------------------- the recipe

#: What :func:`diagnose` may answer, in the order it checks them.
RECIPE_ACTIONS = ("export", "debug", "add capacity", "regularise", "tune")


def diagnose(
    train_acc: float, val_acc: float, target: float, num_classes: int, gap: float = 0.05
) -> str:
    """The design recipe's next step after a training run, from its accuracies (0–1).

    - ``"export"``: validation accuracy reached the target: test once, then deploy;
    - ``"debug"``: training accuracy is within 5 points of chance (``1 / num_classes``): the
      model learns nothing; suspect the data pipeline, the labels or the learning rate;
    - ``"add capacity"``: training accuracy is below the target: the model underfits;
    - ``"regularise"``: training accuracy is more than ``gap`` above validation: it overfits
      (dropout, batch normalization, augmentation, more data);
    - ``"tune"``: neither: tune the optimizer and learning rate on validation, or try transfer
      learning (the seeds' step 3).
    """
    for name, value in (("train_acc", train_acc), ("val_acc", val_acc), ("target", target)):
        if not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"diagnose(): {name} must be an accuracy between 0 and 1, got "
                             f"{value!r}")  # fmt: skip
    if int(num_classes) < 2:
        raise ValueError(f"diagnose(): num_classes must be at least 2, got {num_classes!r}")
    if val_acc >= target:
        return "export"
    if train_acc <= 1.0 / num_classes + 0.05:
        return "debug"
    if train_acc < target:
        return "add capacity"
    if train_acc - val_acc > gap:
        return "regularise"
    return "tune"


# ----------------------------------------------------------------------------- diagrams

_PIPELINE = [
    ("train", "Keras model\n(trained in Python)", "#1f4e79"),
    ("keras", "model.keras\nmodel.save", "#2e75b6"),
    ("savedmodel", "SavedModel folder\nmodel.export", "#2e75b6"),
    ("converter", "TFLiteConverter\nfloat · dynamic · int8", "#c55a11"),
    ("tflite", ".tflite file\n(flatbuffer)", "#548235"),
    ("device", "Interpreter\n(CPU, phone, board)", "#7030a0"),
]


def _flow_boxes(ax, items, y: float, width: float, gap: float, height: float = 0.9):
    """Boxes left to right with arrows between them; each box gets ``gid='box:<key>'``."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    for k, (key, text, colour) in enumerate(items):
        x = k * (width + gap)
        box = FancyBboxPatch((x, y), width, height, boxstyle="round,pad=0.03", color=colour)
        box.set_gid(f"box:{key}")
        ax.add_patch(box)
        ax.text(x + width / 2, y + height / 2, text, ha="center", va="center", fontsize=9,
                color="white")  # fmt: skip
        if k:
            mid = y + height / 2
            ax.add_patch(FancyArrowPatch((x - gap + 0.03, mid), (x - 0.03, mid), arrowstyle="-|>",
                                         mutation_scale=14, color="#333333"))  # fmt: skip


def draw_pipeline():
    """The deployment path: Keras model → ``.keras`` → SavedModel → converter → ``.tflite`` →
    interpreter on a device, with the representative training data feeding the int8 converter."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    fig, ax = plt.subplots(figsize=(12, 3.0))
    width, gap = 1.75, 0.45
    _flow_boxes(ax, _PIPELINE, 1.0, width, gap)
    cx = 3 * (width + gap) + width / 2
    ax.text(cx, 0.05, "representative TRAINING images\n(int8: calibrate activation ranges)",
            ha="center", va="center", fontsize=8.5, color="#c55a11")  # fmt: skip
    arrow = FancyArrowPatch((cx, 0.35), (cx, 0.97), arrowstyle="-|>", mutation_scale=12,
                            color="#c55a11")  # fmt: skip
    arrow.set_gid("arrow:representative")
    ax.add_patch(arrow)
    ax.text(1 * (width + gap) + width + gap / 2, 2.15,
            "Python + TensorFlow needed", ha="center", fontsize=9, color="#2e75b6")  # fmt: skip
    ax.text(4 * (width + gap) + width + gap / 2, 2.15, "only a small runtime on the device",
            ha="center", fontsize=9, color="#548235")  # fmt: skip
    ax.set_xlim(-0.1, 6 * width + 5 * gap + 0.1)
    ax.set_ylim(-0.3, 2.4)
    ax.axis("off")
    fig.tight_layout()
    return fig


def draw_recipe(steps: Sequence[tuple[str, str]], results: Mapping[str, str] | None = None):
    """The design recipe as a flow of boxes (two rows), each with its measured result below.

    ``steps`` are ``(key, title)`` pairs; ``results`` maps a key to a short text (e.g.
    ``"val 91.2 %"``), shown under its box once measured.
    """
    import matplotlib.pyplot as plt

    if not steps:
        raise ValueError("draw_recipe(): no steps")
    results = dict(results or {})
    per_row = (len(steps) + 1) // 2
    width, gap = 2.2, 0.55
    fig, ax = plt.subplots(figsize=(12, 4.2))
    palette = ["#1f4e79", "#2e75b6", "#548235", "#c55a11", "#7030a0", "#bf9000"]
    rows = [steps[:per_row], steps[per_row:]]
    for r, row in enumerate(rows):
        y = 2.2 - 2.1 * r
        items = [(key, f"{i + 1 + r * per_row}. {title}", palette[(i + r * per_row) % 6])
                 for i, (key, title) in enumerate(row)]  # fmt: skip
        _flow_boxes(ax, items, y, width, gap)
        for i, (key, _) in enumerate(row):
            if key in results:
                text = ax.text(i * (width + gap) + width / 2, y - 0.3, results[key], ha="center",
                               va="center", fontsize=8.5, color="#222222")  # fmt: skip
                text.set_gid(f"result:{key}")
    ax.set_xlim(-0.1, per_row * (width + gap))
    ax.set_ylim(-0.4, 3.3)
    ax.axis("off")
    fig.tight_layout()
    return fig
