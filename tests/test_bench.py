"""helpers.bench: recipes, training with the timer, the table, the command line."""

import json

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


def test_train_measures_and_reports(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    data = bench.load_data("fast_mnist", fast_train=256, fast_test=128)
    result = bench.train("fast_mnist", data=data, epochs=2, verbose=0)
    assert result.epochs == 2 and len(result.epoch_seconds) == 2
    assert result.train_images == 256
    assert result.params == models.count_params(models.fast_mnist_cnn())
    assert result.images_per_second == pytest.approx(512 / sum(result.epoch_seconds))
    assert result.test_accuracy == result.test_accuracies[-1]
    row = result.row()
    assert row["recipe"] == "fast_mnist" and row["origin"] == "course"
    if result.epochs_to_target is None:
        assert row["seconds_to_target"] is None


def test_label_smoothing_recipe_trains_on_one_hot_labels(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    recipe = bench.replace("fast_mnist", label_smoothing=0.1, augment=True)
    data = bench.load_data(recipe, fast_train=64, fast_test=32)
    result = bench.train(recipe, data=data, epochs=1, verbose=0)
    assert 0 <= result.test_accuracy <= 1
    assert result.model.layers[0].name == "shift"


ROWS = [
    {
        "recipe": "a",
        "dataset": "mnist",
        "origin": "seed",
        "params": 1234567,
        "epochs": 3,
        "images_per_second": 1500.4,
        "target": 0.992,
        "seconds_to_target": None,
        "epochs_to_target": None,
        "train_seconds": 120.0,
        "test_accuracy": 0.9876,
        "planned_epochs": 3,
    },
    {
        "recipe": "b",
        "dataset": "mnist",
        "origin": "course",
        "params": 94634,
        "epochs": 4,
        "images_per_second": 3000.0,
        "target": 0.993,
        "seconds_to_target": 61.2,
        "epochs_to_target": 3,
        "train_seconds": 80.0,
        "test_accuracy": 0.9934,
        "planned_epochs": 4,
    },
]


def test_format_table():
    table = bench.format_table(ROWS, machine="Test CPU", fast=False)
    lines = table.splitlines()
    assert lines[0] == "Measured on: Test CPU."
    assert (
        "| a | mnist | seed | 1,234,567 | 1,500 | 99.2% | not reached | 3 | 120 s | 98.76% |"
        in lines
    )
    assert (
        "| b | mnist | course | 94,634 | 3,000 | 99.3% | 61 s (epoch 3) | 4 | 80 s | 99.34% |"
        in lines
    )
    assert "NOT the course's results" in bench.format_table(ROWS, fast=True)


def test_cli_lists_recipes(capsys):
    assert main(["bench", "--list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in bench.RECIPES)


def test_cli_unknown_recipe_fails_before_training(capsys, tmp_path):
    assert main(["bench", "nope", "-o", str(tmp_path / "r.md")]) == 2
    assert "unknown recipe 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "r.md").exists()


def test_cli_runs_and_writes_the_table(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("COURSE_FAST", "1")
    out = tmp_path / "bench" / "results.md"
    assert main(["bench", "lenet5_mnist", "--epochs", "1", "-o", str(out)]) == 0
    table = out.read_text()
    assert "FAST MODE" in table and "| lenet5_mnist | mnist | seed | 61,706 |" in table
    saved = json.loads(out.with_suffix(".json").read_text())
    assert saved["fast"] is True and saved["rows"][0]["params"] == 61706
    assert "Measured on:" in table and saved["machine"] in table


def test_a_budget_stops_seed_networks_only(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    rows = bench.run(["lenet5_mnist"], epochs=2, budget_seconds=1e-6, verbose=0, log=lambda s: None)
    assert rows[0]["epochs"] == 1 and rows[0]["planned_epochs"] == 2
    assert rows[0]["stopped_by_budget"] is True
    table = bench.format_table(rows, fast=False)
    assert "| 1 of 2 (time budget) |" in table and "*time budget*" in table
    course = bench.run(["fast_mnist"], epochs=2, budget_seconds=1e-6, verbose=0, log=lambda s: None)
    assert course[0]["epochs"] == 2 and course[0]["stopped_by_budget"] is False


def test_short_runs_let_batch_norm_statistics_settle():
    def momenta(model):
        return {
            layer.momentum for layer in model.layers if "BatchNormalization" in type(layer).__name__
        }

    assert momenta(bench.make_model("fast_mnist", steps_per_epoch=16, epochs=1)) == {0.9}
    assert momenta(bench.make_model("fast_mnist", steps_per_epoch=469, epochs=4)) == {0.99}
