"""Tests of helpers.explorers.optimizers: the NumPy updates against keras.optimizers, paths,
divergence, and the widgets."""

import keras
import numpy as np
import pytest

from helpers.explorers import optimizers as opt

KERAS = {
    "SGD": lambda lr, mu: keras.optimizers.SGD(learning_rate=lr),
    "momentum": lambda lr, mu: keras.optimizers.SGD(learning_rate=lr, momentum=mu),
    "Nesterov": lambda lr, mu: keras.optimizers.SGD(learning_rate=lr, momentum=mu, nesterov=True),
    "RMSprop": lambda lr, mu: keras.optimizers.RMSprop(learning_rate=lr),
    "Adam": lambda lr, mu: keras.optimizers.Adam(learning_rate=lr),
    "Adagrad": lambda lr, mu: keras.optimizers.Adagrad(learning_rate=lr),
}


def keras_path(surface, name, lr, mu, steps):
    s = opt.SURFACES[surface]
    var = keras.Variable(np.array(s.start), dtype="float64")
    optimizer = KERAS[name](lr, mu)
    points = [np.array(s.start)]
    for _ in range(steps):
        g = s.grad(*var.numpy())
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g, dtype="float64"), var)])
        points.append(var.numpy().copy())
    return np.array(points)


@pytest.mark.parametrize("name", list(opt.OPTIMIZERS))
def test_updates_match_keras(name):
    assert set(KERAS) == set(opt.OPTIMIZERS)
    # Keras keeps the learning rate (and some hyper-parameters, e.g. Adam's β's) as float32:
    # 2**-10 is exact there, and the float64 paths agree to about float32 precision.
    ours = opt.optimizer_path("Rosenbrock", name, lr=2**-10, momentum=0.75, steps=5)
    theirs = keras_path("Rosenbrock", name, 2**-10, 0.75, 5)
    assert ours.diverged_at is None
    np.testing.assert_allclose(ours.points[1], theirs[1], rtol=1e-7, atol=1e-10)  # one step
    np.testing.assert_allclose(ours.points, theirs, rtol=1e-6, atol=1e-9)  # and five


def test_bowl_divergence_threshold_and_text():
    # On 0.5·(x² + 20y²), plain SGD multiplies y by (1 − 20·lr): stable iff lr < 2/20 = 0.1.
    ok = opt.optimizer_path("elongated bowl", "SGD", lr=0.09, steps=200)
    bad = opt.optimizer_path("elongated bowl", "SGD", lr=0.11, steps=200)
    assert ok.diverged_at is None and ok.losses[-1] < 1e-6 and "from the nearest minimum" in ok.text
    assert bad.diverged_at is not None and "DIVERGED" in bad.text
    assert len(bad.points) == bad.diverged_at + 1 and np.abs(bad.points[-1]).max() > 500
    pts = opt.optimizer_path("elongated bowl", "SGD", lr=0.04, steps=3).points
    np.testing.assert_allclose(pts[:, 0], -4.5 * 0.96 ** np.arange(4))  # x ← (1 − lr)·x
    np.testing.assert_allclose(pts[:, 1], 1.5 * 0.2 ** np.arange(4))  # y ← (1 − 20·lr)·y


def test_compare_start_and_bad_settings():
    paths = opt.compare_paths("Himmelblau", ["sgd", "ADAM"], lr=0.01, steps=50, start=(1, 1))
    assert list(paths) == ["SGD", "Adam"]
    assert all(p.points[0].tolist() == [1, 1] and len(p.points) == 51 for p in paths.values())
    for kwargs, msg in [({"lr": 0}, "learning rate"), ({"momentum": 1.0}, "momentum"),
                        ({"steps": 0}, "steps"), ({"start": (1,)}, "two finite")]:  # fmt: skip
        with pytest.raises(ValueError, match=msg):
            opt.optimizer_path("Rosenbrock", "SGD", **kwargs)
    with pytest.raises(ValueError, match="unknown optimizer"):
        opt.optimizer_path("Rosenbrock", "LBFGS")
    with pytest.raises(ValueError, match="unknown surface"):
        opt.optimizer_path("moon", "SGD")
    assert opt.parse_point(" (-1.5, 2) ") == (-1.5, 2.0)
    for bad in ("", "1", "1 2 3", "a, b"):
        with pytest.raises(ValueError):
            opt.parse_point(bad)


def test_widget_updates_and_reports_errors():
    ui = opt.optimizer_explorer(draw=False)
    assert list(ui.result.paths) == ["SGD", "momentum", "Adam"]
    assert all(len(p.points) == 101 for p in ui.result.paths.values())
    ui.optimizers.value = ("SGD",)
    ui.lr.value = 0.12
    assert ui.result.paths["SGD"].diverged_at is not None and "DIVERGED" in ui.message
    ui.lr.value = 0.05
    assert ui.result.paths["SGD"].diverged_at is None
    ui.optimizers.value = ("momentum",)
    ui.momentum.value = 0.5
    assert ui.result.paths["momentum"].momentum == 0.5 and "μ=0.5" in ui.message
    ui.steps.value = 20
    assert len(ui.result.paths["momentum"].points) == 21
    ui.start.value = "1, two"  # invalid text: a message, no exception
    assert ui.result is None and ui.message.startswith("⚠") and "two numbers" in ui.message
    ui.start.value = "1, 1"
    assert ui.result.paths["momentum"].points[0].tolist() == [1, 1]
    ui.surface.value = "Rosenbrock"
    assert ui.result.surface.name == "Rosenbrock" and "(1, 1)" in ui.message
    ui.optimizers.value = ()
    assert ui.result is None and "at least one" in ui.message


def test_widget_draws_diverging_paths():
    ui = opt.optimizer_explorer(optimizers=("SGD", "Nesterov"), lr=0.2)
    assert all(p.diverged_at for p in ui.result.paths.values())
    fig = ui.figures(ui.result)[0]
    assert len(fig.axes) >= 2 and "diverged" in " ".join(
        t.get_text() for t in fig.axes[0].get_legend().get_texts()
    )
    assert "application/vnd.jupyter.widget-view+json" in ui._repr_mimebundle_()
