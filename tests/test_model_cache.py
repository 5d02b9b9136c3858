"""Tests for helpers.model_cache: save, reuse, invalidate, survive damage."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from helpers import model_cache, training

SETTINGS = {"recipe": "tiny", "train_images": 100, "epochs": 2, "seed": 1}


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COURSE_FAST", "0")
    monkeypatch.delenv("COURSE_RETRAIN", raising=False)
    return tmp_path


def tiny(seed: int = 0, compiled: bool = False):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d"),
                              keras.layers.BatchNormalization(name="bn")])  # fmt: skip
    if compiled:  # a custom schedule object in the optimizer, as the course's recipes have
        model.compile(keras.optimizers.Adam(training.one_cycle(1e-2, 10)), loss="mse")
        model.fit(np.ones((8, 4)), np.zeros((8, 3)), epochs=1, verbose=0)
    return model


class Trainer:
    """A train_fn that counts its calls."""

    def __init__(self, seed=0, compiled=False):
        self.calls, self.seed, self.compiled = 0, seed, compiled

    def __call__(self):
        self.calls += 1
        return tiny(self.seed, self.compiled), {"accuracy": 0.5}


def test_round_trip_reuses_the_same_weights(capsys):
    train = Trainer(compiled=True)
    first, info = model_cache.cached_or_train("tiny", SETTINGS, train, chapter="08")
    assert train.calls == 1 and info["reused"] is False and info["metrics"] == {"accuracy": 0.5}
    out = capsys.readouterr().out
    assert "trained 'tiny' (no cached copy)" in out and "saved for later chapters" in out
    second, info2 = model_cache.cached_or_train("tiny", SETTINGS, train, chapter="14")
    assert train.calls == 1 and info2["reused"] is True
    assert info2["chapter"] == "08" and info2["metrics"] == {"accuracy": 0.5}
    line = capsys.readouterr().out.strip()
    assert line.startswith("reused chapter 08's model 'tiny' (100 training images, 2 epochs; saved")
    assert "\n" not in line
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # batch-norm statistics included
    x = np.random.default_rng(0).random((5, 4)).astype("float32")
    np.testing.assert_allclose(first.predict(x, verbose=0), second.predict(x, verbose=0))


def test_a_changed_setting_is_another_model():
    train = Trainer()
    model_cache.cached_or_train("tiny", SETTINGS, train)
    for change in ({"epochs": 3}, {"train_images": 99}, {"seed": 2}, {"extra": True}):
        assert model_cache.load("tiny", {**SETTINGS, **change}) is None
    model_cache.cached_or_train("tiny", {**SETTINGS, "epochs": 3}, train)
    assert train.calls == 2
    assert model_cache.fingerprint("tiny", SETTINGS) != model_cache.fingerprint("other", SETTINGS)
    # The order of the keys does not matter.
    shuffled = dict(reversed(list(SETTINGS.items())))
    assert model_cache.fingerprint("tiny", shuffled) == model_cache.fingerprint("tiny", SETTINGS)


def test_fast_mode_models_are_never_reused_in_default_mode(monkeypatch):
    train = Trainer()
    monkeypatch.setenv("COURSE_FAST", "1")
    model_cache.cached_or_train("tiny", SETTINGS, train)
    assert model_cache.load("tiny", SETTINGS) is not None
    monkeypatch.setenv("COURSE_FAST", "0")
    assert model_cache.load("tiny", SETTINGS) is None
    model_cache.cached_or_train("tiny", SETTINGS, train)
    assert train.calls == 2
    fast = model_cache.fingerprint("tiny", SETTINGS, fast=True)
    assert fast != model_cache.fingerprint("tiny", SETTINGS, fast=False)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "delete_model", "bad_sidecar"])
def test_a_damaged_cache_retrains_with_one_line(damage, capsys):
    train = Trainer()
    model_cache.cached_or_train("tiny", SETTINGS, train)
    path = model_cache.model_path("tiny", SETTINGS)
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "garbage":
        path.write_bytes(b"not a model")
    elif damage == "delete_model":
        path.unlink()
    else:
        path.with_suffix(".json").write_text("{")
    capsys.readouterr()
    model, info = model_cache.cached_or_train("tiny", SETTINGS, train)
    out = capsys.readouterr().out.strip().splitlines()
    assert train.calls == 2 and info["reused"] is False
    assert len(out) == 2 and "could not be read" in out[0] and "training it again" in out[0]
    assert "Traceback" not in "\n".join(out)
    assert model_cache.load("tiny", SETTINGS) is not None  # repaired by the new save


def test_retrain_env_forces_training(monkeypatch, capsys):
    train = Trainer()
    model_cache.cached_or_train("tiny", SETTINGS, train)
    monkeypatch.setenv("COURSE_RETRAIN", "1")
    assert model_cache.retrain_forced()
    model_cache.cached_or_train("tiny", SETTINGS, train)
    assert train.calls == 2 and "COURSE_RETRAIN=1" in capsys.readouterr().out


def test_prefer_finds_an_earlier_chapters_longer_run():
    longer = {**SETTINGS, "epochs": 10}
    model_cache.cached_or_train("tiny", longer, Trainer(seed=3), chapter="08")
    train = Trainer()
    model, info = model_cache.cached_or_train("tiny", SETTINGS, train, prefer=[longer])
    assert train.calls == 0 and info["settings"]["epochs"] == 10 and info["chapter"] == "08"
    # Without the longer run in the cache, the chapter trains its own and saves it.
    model_cache.model_path("tiny", longer).unlink()
    model_cache.cached_or_train("tiny", SETTINGS, train, prefer=[longer])
    assert train.calls == 1 and model_cache.load("tiny", SETTINGS) is not None


def test_train_fn_may_return_only_a_model_and_the_sidecar_says_what_it_is(cache):
    model, info = model_cache.cached_or_train("tiny", SETTINGS, lambda: tiny(), chapter="12")
    assert info["metrics"] == {}
    side = json.loads(model_cache.model_path("tiny", SETTINGS).with_suffix(".json").read_text())
    assert side["chapter"] == "12" and side["mode"] == "default" and side["settings"] == SETTINGS
    assert side["train_seconds"] >= 0 and side["versions"]["keras"] == keras.__version__[0]
    assert model_cache.cache_dir() == cache / "models"
    assert not [p for p in model_cache.cache_dir().iterdir() if p.name.startswith(".")]


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="name"):
        model_cache.fingerprint("../evil", SETTINGS)
    with pytest.raises(TypeError, match="JSON"):
        model_cache.fingerprint("tiny", {"x": object()})
    with pytest.raises(TypeError, match="dict"):
        model_cache.fingerprint("tiny", [1, 2])


def test_describe_formats_what_it_knows():
    assert model_cache.describe({"settings": {"train_images": 60_000, "epochs": 1}}) == (
        "60,000 training images, 1 epoch"
    )
    assert model_cache.describe({"settings": {}}) == ""


def test_recipe_settings_cover_what_determines_the_weights():
    from helpers import bench

    recipe = bench.get_recipe("fast_fashion")
    s = model_cache.recipe_settings(recipe, train_images=60_000, epochs=10)
    assert s["train_images"] == 60_000 and s["epochs"] == 10 and s["seed"] == 42
    assert s["recipe"]["learning_rate"] == recipe.learning_rate and "note" not in s["recipe"]
    same = model_cache.recipe_settings(bench.replace(recipe, note="reworded"), train_images=60_000,
                                       epochs=10)  # fmt: skip
    assert model_cache.fingerprint("f", s) == model_cache.fingerprint("f", same)
    other = model_cache.recipe_settings(bench.replace(recipe, batch_size=32), train_images=60_000,
                                        epochs=10)  # fmt: skip
    assert model_cache.fingerprint("f", s) != model_cache.fingerprint("f", other)
    with pytest.raises(TypeError, match="Recipe"):
        model_cache.recipe_settings({"lr": 1}, train_images=1, epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        model_cache.recipe_settings(recipe, train_images=1, epochs=-1)


def test_a_model_with_the_course_layers_loads_in_a_new_process(cache):
    # A later chapter's kernel may load the model before anything imported helpers.models:
    # the cache itself must make the course's layers known to Keras.
    import subprocess
    import sys

    from helpers import models

    model = models.fast_mnist_cnn(width=4)
    model_cache.save("fused", SETTINGS, model, chapter="08")
    code = (
        "from helpers import model_cache\n"
        f"model, info = model_cache.load('fused', {SETTINGS!r})\n"
        "print(type(model.get_layer('conv1_bn')).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "FusedBatchNormalization"
