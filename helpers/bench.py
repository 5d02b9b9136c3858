"""Training recipes of chapters 06–08 and the benchmark that measures them.

A :class:`Recipe` names a dataset, a model builder from :mod:`helpers.models` and
the training settings (optimizer, learning rate and schedule, epochs, batch
size). Chapters train with :func:`train` so that the numbers a learner sees and
the numbers ``python -m helpers bench`` reports come from the same code.

:func:`run` trains several recipes one after the other in the same process and
returns one row per model: parameters, training images per second, seconds and
epochs to reach the target test accuracy, final test accuracy. :func:`format_table`
renders the rows as a Markdown table (written to ``benchmarks/results.md`` by the
command line).

How the time to target is measured: after every epoch the model is evaluated on
the test set and the wall-clock training time so far is recorded the first time
the test accuracy reaches the target. The test set is only *watched*, never used
to choose anything: every recipe trains for its fixed number of epochs and its
final accuracy is what the tables report.
"""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field

import numpy as np

from . import config

__all__ = [
    "Recipe",
    "RECIPES",
    "get_recipe",
    "TrainResult",
    "load_data",
    "make_model",
    "train",
    "run",
    "format_table",
    "machine_line",
]


@dataclass(frozen=True)
class Recipe:
    """How to train one model on one dataset; see :data:`RECIPES`."""

    name: str
    dataset: str  # "mnist" or "fashion-mnist"
    model: str  # a key of helpers.models.BUILDERS
    epochs: int
    batch_size: int
    target: float  # test accuracy the chapter promises
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    schedule: str = "constant"  # or "one_cycle"
    pad: int = 0  # zero pixels added around each image (LeNet-5 wants 32×32)
    label_smoothing: float = 0.0
    augment: bool = False  # small random shifts, as a layer active only in training
    model_kwargs: dict = field(default_factory=dict)
    origin: str = "seed"  # "seed": an architecture from the sources; "course": ours
    note: str = ""

    def __post_init__(self):
        if self.dataset not in ("mnist", "fashion-mnist"):
            raise ValueError(f"Recipe {self.name!r}: unknown dataset {self.dataset!r}")
        if self.schedule not in ("constant", "one_cycle"):
            raise ValueError(f"Recipe {self.name!r}: schedule must be 'constant' or 'one_cycle'")
        if self.optimizer not in ("adam", "nadam", "sgd"):
            raise ValueError(f"Recipe {self.name!r}: optimizer must be adam, nadam or sgd")
        if not (isinstance(self.epochs, int) and self.epochs > 0):
            raise ValueError(f"Recipe {self.name!r}: epochs must be a positive whole number")


RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in [
        Recipe(
            "very_simple_cnn",
            "mnist",
            "very_simple_cnn",
            epochs=10,
            batch_size=128,
            target=0.992,
            note="chapter 06: the seeds' one-convolution network",
        ),
        Recipe(
            "seed_mnist_cnn",
            "mnist",
            "seed_mnist_cnn",
            epochs=10,
            batch_size=128,
            target=0.992,
            note="chapter 06: seed 004 §8 (two convolutions, dense 128)",
        ),
        Recipe(
            "lenet5_mnist",
            "mnist",
            "lenet5",
            epochs=10,
            batch_size=128,
            target=0.992,
            pad=2,
            note="chapter 07: LeNet-5, tanh and average pooling",
        ),
        Recipe(
            "fast_mnist",
            "mnist",
            "fast_mnist_cnn",
            epochs=5,
            batch_size=128,
            target=0.993,
            schedule="one_cycle",
            learning_rate=5e-3,
            label_smoothing=0.1,
            origin="course",
            note="chapter 06: the course's CPU-efficient network",
        ),
        Recipe(
            "geron_fashion",
            "fashion-mnist",
            "geron_fashion_cnn",
            epochs=10,
            batch_size=128,
            target=0.92,
            optimizer="nadam",
            note="chapter 08: Géron's Fashion-MNIST CNN (Nadam)",
        ),
        Recipe(
            "lenet5_fashion",
            "fashion-mnist",
            "lenet5",
            epochs=10,
            batch_size=128,
            target=0.92,
            pad=2,
            note="chapter 08: LeNet-5 on Fashion-MNIST",
        ),
        Recipe(
            "fast_fashion",
            "fashion-mnist",
            "fast_fashion_cnn",
            epochs=10,
            batch_size=128,
            target=0.925,
            schedule="one_cycle",
            learning_rate=5e-3,
            label_smoothing=0.1,
            origin="course",
            note="chapter 08: the course's CPU-efficient network",
        ),
    ]
}


def get_recipe(recipe: Recipe | str) -> Recipe:
    """The recipe called ``recipe`` (a :class:`Recipe` is returned as is)."""
    if isinstance(recipe, Recipe):
        return recipe
    try:
        return RECIPES[recipe]
    except KeyError:
        raise ValueError(f"unknown recipe {recipe!r}; choose one of {', '.join(RECIPES)}") from None


def load_data(recipe: Recipe | str, *, fast_train: int = 2000, fast_test: int = 1000):
    """``(x_train, y_train, x_test, y_test)`` ready for the recipe's model.

    Images are float32 in [0, 1] with a channel axis (padded if the recipe says
    so); labels are integer class indices. In fast mode only the first
    ``fast_train`` / ``fast_test`` images are kept.
    """
    from .data import load_fashion_mnist, load_mnist
    from .training import prepare_images

    r = get_recipe(recipe)
    (x_train, y_train), (x_test, y_test) = (
        load_mnist() if r.dataset == "mnist" else load_fashion_mnist()
    )
    x_train, y_train = config.subset(x_train, y_train, fast=fast_train)
    x_test, y_test = config.subset(x_test, y_test, fast=fast_test)
    return (
        prepare_images(x_train, pad=r.pad),
        y_train.astype("int64"),
        prepare_images(x_test, pad=r.pad),
        y_test.astype("int64"),
    )


def make_model(recipe: Recipe | str, *, steps_per_epoch: int, epochs: int | None = None):
    """Build and compile the recipe's model (optimizer and schedule included)."""
    import keras

    from . import models
    from .training import compile_classifier, one_cycle

    r = get_recipe(recipe)
    epochs = r.epochs if epochs is None else epochs
    side = 28 + 2 * r.pad
    kwargs = dict(r.model_kwargs)
    if (
        steps_per_epoch * epochs < 500
        and "bn_momentum" in inspect.signature(models.BUILDERS[r.model]).parameters
    ):
        # Batch norm's running averages (momentum 0.99) need some 500 steps to forget their
        # start values; a shorter run (fast mode) would be evaluated with them: near chance.
        kwargs.setdefault("bn_momentum", 0.9)
    model = models.build(r.model, input_shape=(side, side, 1), **kwargs)
    if r.augment:
        # Shifts of up to 2 pixels: digits and clothes stay what they are when moved a little.
        model = keras.Sequential(
            [
                keras.Input((side, side, 1)),
                keras.layers.RandomTranslation(0.08, 0.08, fill_mode="constant", name="shift"),
                *model.layers,
            ],
            name=model.name,
        )
    lr = r.learning_rate
    if r.schedule == "one_cycle":
        lr = one_cycle(r.learning_rate, max(2, steps_per_epoch * epochs))
    optimizer = {
        "adam": lambda: keras.optimizers.Adam(lr),
        "nadam": lambda: keras.optimizers.Nadam(lr),
        "sgd": lambda: keras.optimizers.SGD(lr, momentum=0.9, nesterov=True),
    }[r.optimizer]()
    if r.label_smoothing:
        model.compile(
            optimizer=optimizer,
            loss=keras.losses.CategoricalCrossentropy(label_smoothing=r.label_smoothing),
            metrics=["accuracy"],
        )
    else:
        compile_classifier(model, optimizer)
    return model


@dataclass
class TrainResult:
    """What :func:`train` returns; ``row()`` is the benchmark's table row."""

    recipe: Recipe
    model: object
    history: object
    params: int
    epochs: int  # epochs run
    planned_epochs: int
    train_images: int
    train_seconds: float
    images_per_second: float
    test_accuracy: float
    seconds_to_target: float | None
    epochs_to_target: int | None
    epoch_seconds: list = field(default_factory=list)
    test_accuracies: list = field(default_factory=list)
    stopped_by_budget: bool = False

    def row(self) -> dict:
        return {
            "recipe": self.recipe.name,
            "dataset": self.recipe.dataset,
            "origin": self.recipe.origin,
            "params": self.params,
            "epochs": self.epochs,
            "planned_epochs": self.planned_epochs,
            "images_per_second": round(self.images_per_second, 1),
            "target": self.recipe.target,
            "seconds_to_target": None
            if self.seconds_to_target is None
            else round(self.seconds_to_target, 1),
            "epochs_to_target": self.epochs_to_target,
            "train_seconds": round(self.train_seconds, 1),
            "test_accuracy": round(self.test_accuracy, 4),
            "stopped_by_budget": self.stopped_by_budget,
        }


def train(
    recipe: Recipe | str,
    *,
    data=None,
    epochs: int | None = None,
    budget_seconds: float | None = None,
    verbose: int = 2,
    seed: int = 42,
) -> TrainResult:
    """Train the recipe's model, watching test accuracy after every epoch.

    ``data`` is ``(x_train, y_train, x_test, y_test)`` as :func:`load_data`
    returns it (loaded when omitted). ``epochs`` overrides the recipe's (fast
    mode uses 1 unless given). ``budget_seconds`` stops training after the
    first epoch that ends past it (for the slow seed networks in the
    benchmark; a one-cycle schedule cut short never reaches its low final
    rate, so budgets suit constant-rate recipes). Seeds everything with
    ``seed`` first.
    """
    import keras

    from .training import EpochTimer

    r = get_recipe(recipe)
    config.seed_everything(seed)
    x_train, y_train, x_test, y_test = load_data(r) if data is None else data
    if epochs is None:
        epochs = config.pick(default=r.epochs, fast=1)
    steps = int(np.ceil(len(x_train) / r.batch_size))
    model = make_model(r, steps_per_epoch=steps, epochs=epochs)
    if r.label_smoothing:
        y_fit, y_val = (keras.utils.to_categorical(y, 10) for y in (y_train, y_test))
    else:
        y_fit, y_val = y_train, y_test
    timer = EpochTimer(
        monitor="val_accuracy", target=r.target, samples=len(x_train), budget_seconds=budget_seconds
    )
    history = model.fit(
        x_train,
        y_fit,
        batch_size=r.batch_size,
        epochs=epochs,
        validation_data=(x_test, y_val),
        callbacks=[timer],
        verbose=verbose,
    )
    test_acc = float(history.history["val_accuracy"][-1])
    train_seconds = timer.total_seconds
    return TrainResult(
        recipe=r,
        model=model,
        history=history,
        params=int(model.count_params()),
        epochs=len(timer.epoch_seconds),
        planned_epochs=epochs,
        train_images=len(x_train),
        train_seconds=train_seconds,
        images_per_second=len(x_train) * len(timer.epoch_seconds) / train_seconds,
        test_accuracy=test_acc,
        seconds_to_target=timer.seconds_to_target,
        epochs_to_target=timer.reached_at_epoch,
        epoch_seconds=list(timer.epoch_seconds),
        test_accuracies=[float(a) for a in history.history["val_accuracy"]],
        stopped_by_budget=timer.stopped_by_budget,
    )


def run(
    names=None,
    *,
    epochs: int | None = None,
    budget_seconds: float | None = None,
    verbose: int = 2,
    log=print,
) -> list[dict]:
    """Train the named recipes (all by default) one after the other; return table rows.

    ``budget_seconds`` applies to recipes from the seeds only: the course's own
    recipes always run their planned epochs (their schedules depend on it).
    """
    names = list(RECIPES) if names is None else list(names)
    rows = []
    for name in names:
        r = get_recipe(name)
        log(f"--- {r.name}: {r.note}")
        budget = budget_seconds if r.origin == "seed" else None
        result = train(r, epochs=epochs, budget_seconds=budget, verbose=verbose)
        rows.append(result.row())
        log(f"    {format_row(rows[-1])}")
    return rows


def format_row(row: dict) -> str:
    to_target = (
        "not reached"
        if row["seconds_to_target"] is None
        else f"{row['seconds_to_target']:.0f} s ({row['epochs_to_target']} ep)"
    )
    return (
        f"{row['recipe']}: {row['params']:,} params, {row['images_per_second']:.0f} img/s, "
        f"target {row['target']:.1%} {to_target}, test {row['test_accuracy']:.2%} "
        f"after {_epochs(row)} epochs ({row['train_seconds']:.0f} s)"
    )


def _epochs(row: dict) -> str:
    if row.get("stopped_by_budget"):
        return f"{row['epochs']} of {row['planned_epochs']} (time budget)"
    return str(row["epochs"])


def machine_line() -> str:
    """One line describing this machine and software, for the table's caption."""
    from .hardware import collect

    r = collect()
    gpu = ", ".join(g.name for g in r.gpus) if r.gpu_in_use else "no GPU"
    bf16 = "bf16" if r.cpu_supports_bf16 else "no bf16"
    return (
        f"{r.cpu_model} ({r.cpu_count} cores, {bf16}), {gpu}; TensorFlow {r.tensorflow_version}, "
        f"Keras {r.keras_version}, Python {r.python_version}"
    )


def format_table(rows: list[dict], *, machine: str | None = None, fast: bool | None = None) -> str:
    """Markdown table of :func:`run`'s rows, with the machine and mode as a caption."""
    fast = config.is_fast() if fast is None else fast
    lines = []
    if fast:
        lines.append("**FAST MODE: tiny data, few epochs. These are NOT the course's results.**\n")
    if machine:
        lines.append(f"Measured on: {machine}.\n")
    lines.append(
        "| Model | Data | From | Parameters | Images/s | Target | Time to target "
        "| Epochs | Train time | Test accuracy |"
    )
    lines.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        to_target = (
            "not reached"
            if row["seconds_to_target"] is None
            else f"{row['seconds_to_target']:.0f} s (epoch {row['epochs_to_target']})"
        )
        lines.append(
            f"| {row['recipe']} | {row['dataset']} | {row['origin']} | {row['params']:,} "
            f"| {row['images_per_second']:,.0f} | {row['target']:.1%} | {to_target} "
            f"| {_epochs(row)} | {row['train_seconds']:.0f} s | {row['test_accuracy']:.2%} |"
        )
    if any(row.get("stopped_by_budget") for row in rows):
        lines.append(
            "\n*time budget*: a slow network from the seeds was stopped after the first epoch "
            "that ended past the time budget; its accuracy is the one it had then."
        )
    return "\n".join(lines) + "\n"


def replace(recipe: Recipe | str, **changes) -> Recipe:
    """A copy of a recipe with some fields changed (for experiments in the chapters)."""
    return dataclasses.replace(get_recipe(recipe), **changes)
