"""helpers.bench: recipes, the validation split, training, seeds, the table, the command line."""

import json

import keras
import numpy as np
import pytest

from helpers import bench, models
from helpers.cli import main


def test_every_recipe_names_a_real_model_and_dataset():
    for r in bench.RECIPES.values():
        assert r.model in models.BUILDERS
        assert r.dataset in ("mnist", "fashion-mnist")
        assert 0 < r.target < 1
    # Each chapter's fast network is compared with the seeds' networks of its dataset.
    for dataset in ("mnist", "fashion-mnist"):
        origins = {r.origin for r in bench.RECIPES.values() if r.dataset == dataset}
        assert origins == {"seed", "course"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"dataset": "cifar10"}, "unknown dataset"),
        ({"schedule": "cosine"}, "schedule"),
        ({"optimizer": "lion"}, "optimizer"),
        ({"epochs": 0}, "epochs"),
    ],
)
def test_bad_recipes_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        bench.replace("fast_mnist", **changes)


def test_unknown_recipe_lists_the_known_ones():
    with pytest.raises(ValueError, match="fast_mnist"):
        bench.get_recipe("resnet")


def test_load_data_shapes_and_padding(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    x, y, xt, yt = bench.load_data("lenet5_mnist", fast_train=50, fast_test=20)
    assert x.shape == (50, 32, 32, 1) and xt.shape == (20, 32, 32, 1)
    assert x.dtype.name == "float32" and 0 <= x.min() and x.max() <= 1
    assert y.shape == (50,) and yt.shape == (20,)


# --- the validation split -----------------------------------------------------------------


def test_validation_size_is_one_image_in_twelve():
    assert bench.validation_size(60_000) == 5_000
    assert bench.validation_size(2_000) == 167
    assert bench.validation_size(2) == 1
    with pytest.raises(ValueError):
        bench.validation_size(1)


def test_split_is_disjoint_complete_stratified_and_of_the_stated_size():
    rng = np.random.default_rng(5)
    y = np.repeat([0, 1, 2], [600, 300, 100])  # unbalanced classes, sorted
    rng.shuffle(y)
    ids = np.arange(len(y))  # each "image" is its own index
    x_fit, y_fit, x_val, y_val = bench.split_validation(ids, y, 100, seed=3)
    assert len(x_val) == 100 and len(x_fit) == 900
    assert not set(x_fit) & set(x_val), "a validation image is also fitted on"
    assert sorted([*x_fit, *x_val]) == ids.tolist()
    assert np.array_equal(y[x_fit], y_fit) and np.array_equal(y[x_val], y_val)
    assert np.bincount(y_val).tolist() == [60, 30, 10]  # each class its share
    assert (np.diff(x_fit) > 0).all() and (np.diff(x_val) > 0).all()  # order kept
    again = bench.split_validation(ids, y, 100, seed=3)[2]
    other = bench.split_validation(ids, y, 100, seed=4)[2]
    assert np.array_equal(again, x_val) and not np.array_equal(other, x_val)
    # Default size: one in twelve; sizes that leave nothing to fit on are refused.
    assert len(bench.split_validation(ids, y)[2]) == 83
    for bad in (0, 1000, 2.5):
        with pytest.raises(ValueError, match="size"):
            bench.split_validation(ids, y, bad)
    with pytest.raises(ValueError, match="labels"):
        bench.split_validation(ids, np.eye(3)[y])


def test_load_split_carves_validation_from_training_images(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    split = bench.load_split("fast_mnist", fast_train=240, fast_test=30)
    assert isinstance(split, bench.Split)
    assert [len(a) for a in split] == [220, 220, 20, 20, 30, 30]
    x_train, _, x_test, _ = bench.load_data("fast_mnist", fast_train=240, fast_test=30)
    assert np.array_equal(split.x_test, x_test)
    pixels = {a.tobytes() for a in x_train}
    assert all(a.tobytes() in pixels for a in split.x_val), "validation is not from training"


# --- training: fit on train, validate per epoch, test once ----------------------------------


def test_train_validates_per_epoch_and_evaluates_the_test_set_once(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    split = bench.load_split("fast_mnist", fast_train=256, fast_test=72)
    fits, outside_fit = [], []
    real_fit, real_evaluate = keras.Model.fit, keras.Model.evaluate
    inside = []

    def spy_fit(self, x=None, y=None, **kwargs):
        fits.append((x, kwargs.get("validation_data")))
        inside.append(True)
        try:
            return real_fit(self, x, y, **kwargs)
        finally:
            inside.pop()

    def spy_evaluate(self, x=None, y=None, **kwargs):
        if not inside:  # fit's own validation passes also call evaluate
            outside_fit.append(x)
        return real_evaluate(self, x, y, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", spy_fit)
    monkeypatch.setattr(keras.Model, "evaluate", spy_evaluate)
    result = bench.train("fast_mnist", data=split, epochs=2, verbose=0, seed=1)

    ((x_fit, validation),) = fits
    assert x_fit is split.x_train
    assert validation[0] is split.x_val and validation[0] is not split.x_test
    assert len(outside_fit) == 1 and outside_fit[0] is split.x_test
    assert result.epochs == 2 and len(result.epoch_seconds) == 2
    assert len(result.val_accuracies) == 2 and result.val_accuracy == result.val_accuracies[-1]
    assert not hasattr(result, "test_accuracies")
    assert (result.train_images, result.validation_images, result.test_images) == (235, 21, 72)
    assert result.params == models.count_params(models.fast_mnist_cnn())
    assert result.images_per_second == pytest.approx(2 * 235 / sum(result.epoch_seconds))
    assert 0 <= result.test_accuracy <= 1 and result.seed == 1
    row = result.row()
    assert row["recipe"] == "fast_mnist" and row["origin"] == "course" and row["seed"] == 1
    assert "seconds_to_val_target" in row and "seconds_to_target" not in row
    if result.epochs_to_val_target is None:
        assert row["seconds_to_val_target"] is None


def test_train_refuses_the_old_four_part_data():
    with pytest.raises(TypeError, match="Split"):
        bench.train("fast_mnist", data=(1, 2, 3, 4))


def test_label_smoothing_recipe_without_a_test_set(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    recipe = bench.replace("fast_mnist", label_smoothing=0.1, augment=True)
    x, y, _, _ = bench.load_data(recipe, fast_train=64, fast_test=8)
    split = bench.Split(*bench.split_validation(x, y), None, None)
    result = bench.train(recipe, data=split, epochs=1, verbose=0, budget_seconds=1e-6)
    assert result.test_accuracy is None and result.test_images == 0
    assert result.stopped_by_budget is False  # the budget ran out in the last epoch: no cut
    assert 0 <= result.val_accuracy <= 1
    assert result.model.layers[0].name == "shift"


# --- aggregation over seeds and the table ---------------------------------------------------


def run_row(recipe, seed, test, seconds, speed, to_target=None, epochs=3, **extra):
    return {
        "recipe": recipe,
        "dataset": "mnist",
        "origin": "course" if recipe == "b" else "seed",
        "params": 94634 if recipe == "b" else 1234567,
        "seed": seed,
        "epochs": epochs,
        "planned_epochs": 3,
        "train_images": 55_000,
        "validation_images": 5_000,
        "test_images": 10_000,
        "images_per_second": speed,
        "target": 0.993 if recipe == "b" else 0.992,
        "seconds_to_val_target": to_target,
        "epochs_to_val_target": None if to_target is None else 3,
        "train_seconds": seconds,
        "val_accuracy": test + 0.001,
        "test_accuracy": test,
        "stopped_by_budget": epochs < 3,
        **extra,
    }


def test_mean_and_sample_standard_deviation():
    mean, sd = bench.mean_sd([0.990, 0.992, 0.994])
    assert mean == pytest.approx(0.992) and sd == pytest.approx(0.002)
    mean, sd = bench.mean_sd([10, 12, 17])  # deviations -3, -1, 4: 26 / (3 - 1) = 13
    assert mean == pytest.approx(13) and sd == pytest.approx(13**0.5)
    assert bench.mean_sd([5.0]) == (5.0, None)  # one seed: the spread is unknown, not 0
    with pytest.raises(ValueError):
        bench.mean_sd([])


def test_aggregate_keeps_every_seed_and_summarises():
    runs = [
        run_row("b", 0, 0.9930, 80.0, 3000.0, to_target=60.0),
        run_row("b", 1, 0.9940, 82.0, 2900.0, to_target=70.0),
        run_row("b", 2, 0.9920, 84.0, 2800.0),
    ]
    row = bench.aggregate(runs)
    assert row["n_seeds"] == 3 and row["seeds"] == [0, 1, 2] and row["runs"] == runs
    assert row["test_accuracy"] == pytest.approx(0.993) and row["test_accuracy_sd"] == 0.001
    assert row["train_seconds"] == 82.0 and row["train_seconds_sd"] == 2.0
    assert row["images_per_second"] == 2900.0 and row["images_per_second_sd"] == 100.0
    assert row["seconds_to_val_target"] == 65.0 and row["val_target_reached"] == 2
    assert row["validation_images"] == 5_000 and row["epochs"] == row["epochs_max"] == 3
    one = bench.aggregate(runs[:1])
    assert one["n_seeds"] == 1 and one["test_accuracy_sd"] is None
    with pytest.raises(ValueError, match="one recipe"):
        bench.aggregate([runs[0], run_row("a", 1, 0.98, 100.0, 1500.0)])


ROWS = [
    bench.aggregate(
        [
            run_row("a", 0, 0.9876, 119.0, 1500.4, epochs=2),
            run_row("a", 1, 0.9878, 121.0, 1400.0),
        ]
    ),
    bench.aggregate(
        [
            run_row("b", 0, 0.9930, 80.0, 3000.0, to_target=60.0),
            run_row("b", 1, 0.9940, 82.0, 2900.0, to_target=70.0),
            run_row("b", 2, 0.9920, 84.0, 2800.0),
        ]
    ),
    bench.aggregate([run_row("b", 0, 0.9934, 80.0, 3000.0, to_target=61.2)]),
]


def test_format_table_shows_mean_sd_and_the_number_of_seeds():
    table = bench.format_table(ROWS, machine="Test CPU", fast=False)
    lines = table.splitlines()
    assert lines[0] == "Measured on: Test CPU."
    assert "| Epochs | Train time | Images/s | Validation target |" in lines[2]
    assert (
        "| a | mnist | seed | 1,234,567 | 2–3 of 3 (time budget) | 120 ± 1 s | 1,450 ± 71 "
        "| 99.2% | not reached | 98.77 ± 0.01% (2 seeds) |" in lines
    )
    assert (
        "| b | mnist | course | 94,634 | 3 | 82 ± 2 s | 2,900 ± 100 | 99.3% | 65 s (2/3) "
        "| 99.30 ± 0.10% (3 seeds) |" in lines
    )
    assert "| 3 | 80 s | 3,000 | 99.3% | 61 s (1/1) | 99.34% (1 seed) |" in lines[6]
    assert "sample standard deviation" in table and "evaluated once" in table
    assert "*time budget*" in table
    assert "NOT the course's results" in bench.format_table(ROWS, fast=True)


def test_format_row_for_runs_aggregates_and_old_results():
    line = bench.format_row(ROWS[1])
    assert "2,900 ± 100 img/s" in line and "test 99.30 ± 0.10%" in line and "3 seeds" in line
    assert "validation 99.3% after 65 s (2 of 3 seeds)" in line
    assert "seed 0" in bench.format_row(ROWS[1]["runs"][0])
    old = {  # a row of results.json from the old protocol: no validation numbers
        "recipe": "fast_mnist", "params": 94634, "epochs": 5, "planned_epochs": 5,
        "images_per_second": 3295.6, "target": 0.993, "seconds_to_target": 91.0,
        "epochs_to_target": 5, "train_seconds": 91.0, "test_accuracy": 0.9936,
        "stopped_by_budget": False,
    }  # fmt: skip
    assert bench.format_row(old) == (
        "fast_mnist: 94,634 params, 3,296 img/s, test 99.36% after 5 epochs (91 s)"
    )


# --- the command line -----------------------------------------------------------------------


def test_cli_lists_recipes(capsys):
    assert main(["bench", "--list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in bench.RECIPES)


def test_cli_unknown_recipe_fails_before_training(capsys, tmp_path):
    assert main(["bench", "nope", "-o", str(tmp_path / "r.md")]) == 2
    assert "unknown recipe 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "r.md").exists()


@pytest.mark.parametrize("bad", ["0", "-1", "two"])
def test_cli_refuses_a_seed_count_below_one(bad, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["bench", "--seeds", bad, "fast_mnist"])
    assert exit_info.value.code == 2
    assert "--seeds" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "seeds"), [([], [0, 1, 2]), (["--seeds", "1"], [0])])
def test_cli_passes_the_seeds_to_the_benchmark(argv, seeds, monkeypatch, tmp_path):
    calls = []

    def fake_run(names, *, seeds, epochs, budget_seconds):
        calls.append(seeds)
        return [bench.aggregate([run_row("b", s, 0.99, 80.0, 3000.0) for s in seeds])]

    monkeypatch.setattr(bench, "run", fake_run)
    out = tmp_path / "results.md"
    assert main(["bench", "fast_mnist", *argv, "-o", str(out)]) == 0
    assert calls == [seeds]
    saved = json.loads(out.with_suffix(".json").read_text())
    assert saved["seeds"] == seeds and saved["protocol"] == bench.PROTOCOL
    assert f"({len(seeds)} seed" in out.read_text()


def test_cli_runs_and_writes_the_table(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("COURSE_FAST", "1")
    out = tmp_path / "bench" / "results.md"
    assert main(["bench", "lenet5_mnist", "--seeds", "2", "--epochs", "1", "-o", str(out)]) == 0
    table = out.read_text()
    assert "FAST MODE" in table and "| lenet5_mnist | mnist | seed | 61,706 | 1 |" in table
    assert "(2 seeds) |" in table
    saved = json.loads(out.with_suffix(".json").read_text())
    row = saved["rows"][0]
    assert saved["fast"] is True and row["params"] == 61706 and row["n_seeds"] == 2
    assert [r["seed"] for r in row["runs"]] == [0, 1] and saved["seeds"] == [0, 1]
    assert row["validation_images"] == 167 and row["train_images"] == 1833
    assert "Measured on:" in table and saved["machine"] in table


def test_a_budget_stops_seed_networks_only(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    quiet = {"verbose": 0, "log": lambda s: None, "seeds": (0,)}
    rows = bench.run(["lenet5_mnist"], epochs=2, budget_seconds=1e-6, **quiet)
    assert rows[0]["epochs"] == 1 and rows[0]["planned_epochs"] == 2
    assert rows[0]["stopped_by_budget"] is True
    table = bench.format_table(rows, fast=False)
    assert "| 1 of 2 (time budget) |" in table and "*time budget*" in table
    course = bench.run(["fast_mnist"], epochs=2, budget_seconds=1e-6, **quiet)
    assert course[0]["epochs"] == 2 and course[0]["stopped_by_budget"] is False


def test_short_runs_let_batch_norm_statistics_settle():
    def momenta(model):
        return {
            layer.momentum for layer in model.layers if "BatchNormalization" in type(layer).__name__
        }

    assert momenta(bench.make_model("fast_mnist", steps_per_epoch=16, epochs=1)) == {0.5}
    assert momenta(bench.make_model("fast_mnist", steps_per_epoch=469, epochs=4)) == {0.99}
    assert bench.short_run_bn_momentum(499) == 0.5
    assert bench.short_run_bn_momentum(500) == 0.99
    assert bench.short_run_bn_momentum(782, default=0.9) == 0.9
