"""helpers.training: image preparation, the epoch timer and the one-cycle schedule."""

import keras
import numpy as np
import pytest

from helpers import training


def test_prepare_images_scales_adds_channel_and_pads():
    x = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    out = training.prepare_images(x)
    assert out.shape == (1, 2, 2, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out[0, :, :, 0], [[0, 1], [0.2, 0.4]], rtol=1e-6)
    padded = training.prepare_images(x, pad=2)
    assert padded.shape == (1, 6, 6, 1)
    assert padded[0, 2, 3, 0] == 1.0 and padded[0, :2].sum() == 0


def test_prepare_images_keeps_colour_channels():
    assert training.prepare_images(np.zeros((3, 4, 4, 3), np.uint8)).shape == (3, 4, 4, 3)


@pytest.mark.parametrize(
    ("x", "kwargs", "message"),
    [
        (np.zeros((4, 4), np.uint8), {}, "shaped"),
        (np.zeros((1, 4, 4), np.float32), {}, "uint8"),
        (np.zeros((1, 4, 4), np.uint8), {"pad": -1}, "pad"),
    ],
)
def test_prepare_images_refuses_bad_input(x, kwargs, message):
    with pytest.raises(ValueError, match=message):
        training.prepare_images(x, **kwargs)


def test_one_cycle_warms_up_peaks_and_anneals():
    sched = training.one_cycle(0.1, 100, warmup_fraction=0.2, start_div=10, final_div=100)
    lr = [float(sched(s)) for s in range(101)]
    assert lr[0] == pytest.approx(0.01)
    assert lr[20] == pytest.approx(0.1)
    assert max(lr) == pytest.approx(0.1)
    assert lr[100] == pytest.approx(0.001, rel=1e-4)
    assert all(a <= b + 1e-9 for a, b in zip(lr[:20], lr[1:21], strict=True))
    assert all(a >= b - 1e-9 for a, b in zip(lr[20:-1], lr[21:], strict=True))
    assert sched.get_config()["total_steps"] == 100


@pytest.mark.parametrize(
    ("args", "message"),
    [((0, 10), "max_lr"), ((0.1, 1), "total_steps"), ((0.1, 10, 1.5), "warmup_fraction")],
)
def test_one_cycle_refuses_bad_settings(args, message):
    with pytest.raises(ValueError, match=message):
        training.one_cycle(*args[:2], **({"warmup_fraction": args[2]} if len(args) > 2 else {}))


def _tiny_problem():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    return training.compile_classifier(model, keras.optimizers.Adam(0.1)), x, y


def test_epoch_timer_records_epochs_and_the_time_to_target():
    model, x, y = _tiny_problem()
    timer = training.EpochTimer(target=0.5, samples=len(x))
    model.fit(x, y, epochs=3, validation_data=(x, y), callbacks=[timer], verbose=0)
    assert len(timer.epoch_seconds) == 3 and all(s > 0 for s in timer.epoch_seconds)
    assert timer.reached_at_epoch is not None and 1 <= timer.reached_at_epoch <= 3
    assert timer.seconds_to_target == pytest.approx(
        sum(timer.epoch_seconds[: timer.reached_at_epoch])
    )
    assert timer.images_per_second == pytest.approx(64 * 3 / timer.total_seconds)


def test_epoch_timer_can_stop_training_at_the_target():
    model, x, y = _tiny_problem()
    timer = training.EpochTimer(target=0.01, stop_at_target=True)
    model.fit(x, y, epochs=5, validation_data=(x, y), callbacks=[timer], verbose=0)
    assert len(timer.epoch_seconds) == 1 and timer.reached_at_epoch == 1


def test_epoch_timer_says_when_the_metric_is_missing():
    model, x, y = _tiny_problem()
    with pytest.raises(KeyError, match="val_accuracy"):
        model.fit(x, y, epochs=1, callbacks=[training.EpochTimer(target=0.5)], verbose=0)
    with pytest.raises(ValueError, match="fraction"):
        training.EpochTimer(target=99)


def test_epoch_timer_stops_at_the_time_budget():
    model, x, y = _tiny_problem()
    timer = training.EpochTimer(budget_seconds=1e-6)
    model.fit(x, y, epochs=4, callbacks=[timer], verbose=0)
    assert timer.stopped_by_budget and len(timer.epoch_seconds) == 1
    with pytest.raises(ValueError, match="budget_seconds"):
        training.EpochTimer(budget_seconds=0)
