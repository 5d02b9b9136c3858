"""Training utilities shared by the chapters and the benchmark.

- :class:`EpochTimer`: a callback that records wall-clock seconds per epoch and
  the time at which a monitored metric first reached a target.
- :func:`one_cycle`: the 1-cycle learning-rate schedule (warm up, then anneal), as
  a ``keras.optimizers.schedules.LearningRateSchedule`` stepped per batch.
- :func:`prepare_images`: uint8 images → float32 in [0, 1] with a channel axis.
- :func:`compile_classifier`: the compile call every chapter repeats.
"""

from __future__ import annotations

import math
import time

import keras
import numpy as np

__all__ = ["EpochTimer", "one_cycle", "prepare_images", "compile_classifier"]


def prepare_images(x, *, pad: int = 0) -> np.ndarray:
    """Scale uint8 images to float32 in [0, 1] and add a channel axis if missing.

    ``(N, 28, 28)`` becomes ``(N, 28, 28, 1)``; ``(N, 32, 32, 3)`` keeps its shape.
    ``pad`` adds that many zero pixels on each side (LeNet-5 wants 32×32 digits).
    """
    x = np.asarray(x)
    if x.ndim not in (3, 4):
        raise ValueError(
            f"prepare_images(): expected a batch of images shaped (N, H, W) or (N, H, W, C), "
            f"got shape {x.shape}"
        )
    if x.dtype != np.uint8:
        raise ValueError(
            f"prepare_images(): expected uint8 pixels 0–255, got {x.dtype}; "
            "scale other data yourself so it is not scaled twice"
        )
    if x.ndim == 3:
        x = x[..., None]
    if not isinstance(pad, int) or pad < 0:
        raise ValueError(f"prepare_images(): pad must be a whole number ≥ 0, got {pad!r}")
    if pad:
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    return x.astype("float32") / 255.0


def compile_classifier(model, optimizer="adam", *, sparse: bool = True, **kwargs):
    """Compile ``model`` for classification with cross-entropy and accuracy; return it.

    ``sparse=True`` expects integer labels (``sparse_categorical_crossentropy``),
    ``sparse=False`` one-hot labels (``categorical_crossentropy``).
    """
    loss = "sparse_categorical_crossentropy" if sparse else "categorical_crossentropy"
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"], **kwargs)
    return model


class EpochTimer(keras.callbacks.Callback):
    """Record seconds per epoch and when ``monitor`` first reached ``target``.

    Only training is timed: the validation pass Keras runs at the end of each
    epoch is left out, so the numbers compare models fairly whatever their
    validation set. After ``fit``: ``epoch_seconds`` (list), ``total_seconds``,
    ``images_per_second`` (training images per second, if ``samples`` was given),
    ``reached_at_epoch`` and ``seconds_to_target`` (``None`` if never reached).
    With ``stop_at_target=True`` training stops as soon as the target is met;
    with ``budget_seconds`` it stops after the first epoch that ends past the
    budget (``stopped_by_budget`` is then true).
    """

    def __init__(
        self,
        monitor: str = "val_accuracy",
        target: float | None = None,
        samples: int | None = None,
        stop_at_target: bool = False,
        budget_seconds: float | None = None,
    ):
        super().__init__()
        if target is not None and not 0 < target <= 1:
            raise ValueError(f"EpochTimer: target is a fraction in (0, 1], got {target!r}")
        self.monitor = monitor
        self.target = target
        self.samples = samples
        self.stop_at_target = stop_at_target
        if budget_seconds is not None and not budget_seconds > 0:
            raise ValueError(f"EpochTimer: budget_seconds must be positive, got {budget_seconds!r}")
        self.budget_seconds = budget_seconds
        self.stopped_by_budget = False
        self.epoch_seconds: list[float] = []
        self.reached_at_epoch: int | None = None
        self.seconds_to_target: float | None = None

    def on_train_begin(self, logs=None):
        self.epoch_seconds = []
        self.reached_at_epoch = None
        self.seconds_to_target = None
        self.stopped_by_budget = False

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        self._train_end = None

    def on_test_begin(self, logs=None):
        # Called by fit() when validation starts (and by evaluate(), outside any epoch).
        if getattr(self, "_start", None) is not None and self._train_end is None:
            self._train_end = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        end = self._train_end if self._train_end is not None else time.perf_counter()
        self.epoch_seconds.append(end - self._start)
        self._start = None
        if self.budget_seconds is not None and self.total_seconds >= self.budget_seconds:
            self.stopped_by_budget = True
            self.model.stop_training = True
        logs = logs or {}
        if self.target is None or self.reached_at_epoch is not None:
            return
        if self.monitor not in logs:
            raise KeyError(
                f"EpochTimer: metric {self.monitor!r} is not in the logs "
                f"({', '.join(sorted(logs)) or 'none'}); pass validation data or "
                "choose another monitor"
            )
        if logs[self.monitor] >= self.target:
            self.reached_at_epoch = epoch + 1
            self.seconds_to_target = self.total_seconds
            if self.stop_at_target:
                self.model.stop_training = True

    @property
    def total_seconds(self) -> float:
        return float(sum(self.epoch_seconds))

    @property
    def images_per_second(self) -> float | None:
        if not self.samples or not self.epoch_seconds:
            return None
        return self.samples * len(self.epoch_seconds) / self.total_seconds


def one_cycle(
    max_lr: float,
    total_steps: int,
    *,
    warmup_fraction: float = 0.25,
    start_div: float = 25.0,
    final_div: float = 1e3,
):
    """1-cycle schedule: linear warm-up to ``max_lr``, then cosine decay to almost 0.

    Starts at ``max_lr / start_div``, peaks after ``warmup_fraction`` of
    ``total_steps`` (batches, not epochs) and ends at ``max_lr / final_div``.
    The large learning rate in the middle explores; the small one at the end settles.
    """
    if not max_lr > 0:
        raise ValueError(f"one_cycle(): max_lr must be positive, got {max_lr!r}")
    if not isinstance(total_steps, int) or total_steps < 2:
        raise ValueError(
            f"one_cycle(): total_steps must be a whole number ≥ 2, got {total_steps!r}"
        )
    if not 0 < warmup_fraction < 1:
        raise ValueError(
            f"one_cycle(): warmup_fraction must be between 0 and 1, got {warmup_fraction!r}"
        )

    class OneCycle(keras.optimizers.schedules.LearningRateSchedule):
        def __init__(self):
            self.max_lr = float(max_lr)
            self.total = total_steps
            self.warm = max(1, int(round(total_steps * warmup_fraction)))
            self.start = self.max_lr / start_div
            self.end = self.max_lr / final_div

        def __call__(self, step):
            from keras import ops

            step = ops.cast(step, "float32")
            up = self.start + (self.max_lr - self.start) * step / self.warm
            progress = ops.clip((step - self.warm) / max(1, self.total - self.warm), 0.0, 1.0)
            down = self.end + (self.max_lr - self.end) * 0.5 * (1 + ops.cos(math.pi * progress))
            return ops.where(step < self.warm, up, down)

        def get_config(self):
            return {
                "max_lr": self.max_lr,
                "total_steps": self.total,
                "warmup_fraction": warmup_fraction,
                "start_div": start_div,
                "final_div": final_div,
            }

    return OneCycle()
