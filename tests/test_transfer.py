"""helpers.transfer: freezing, unfreezing, heads, cached features, folder splits, Keras 2 decay."""

import keras
import numpy as np
import pytest
from keras import layers
from PIL import Image

from helpers import schedules, transfer


def small_base():
    """A tiny CNN base: conv-BN-ReLU, pool, conv-BN-ReLU (8 layers, BN weights included)."""
    return keras.Sequential(
        [
            keras.Input((12, 12, 3)),
            layers.Conv2D(4, 3, use_bias=False, name="c1"),
            layers.BatchNormalization(name="bn1"),
            layers.ReLU(name="r1"),
            layers.MaxPooling2D(2, name="p1"),
            layers.Conv2D(6, 3, name="c2"),
            layers.BatchNormalization(name="bn2"),
            layers.ReLU(name="r2"),
        ],
        name="small_base",
    )


C1, BN1, C2, BN2 = 3 * 3 * 3 * 4, 4 * 4, 3 * 3 * 4 * 6 + 6, 4 * 6


def test_freeze_and_counts():
    base = small_base()
    assert transfer.count_trainable(base) == (C1 + BN1 // 2 + C2 + BN2 // 2, BN1 // 2 + BN2 // 2)
    assert transfer.freeze(base) is base
    assert transfer.count_trainable(base) == (0, C1 + BN1 + C2 + BN2)


def test_unfreeze_top_keeps_batchnorm_frozen_by_default():
    base = small_base()
    names = transfer.unfreeze_top(base, 3)  # c2, bn2, r2
    assert names == ["c2"]
    assert transfer.count_trainable(base) == (C2, C1 + BN1 + BN2)
    names = transfer.unfreeze_top(base, 3, keep_batchnorm_frozen=False)
    assert names == ["c2", "bn2"]
    assert transfer.count_trainable(base)[0] == C2 + BN2 // 2  # moving mean/var never train


def test_unfreeze_top_zero_and_all_and_after_freeze():
    base = small_base()
    transfer.freeze(base)
    assert transfer.unfreeze_top(base, 0) == []
    assert transfer.count_trainable(base)[0] == 0
    assert transfer.unfreeze_top(base, len(base.layers), keep_batchnorm_frozen=False) == [
        "c1", "bn1", "c2", "bn2",
    ]  # fmt: skip
    assert transfer.count_trainable(base)[0] == C1 + C2 + (BN1 + BN2) // 2


@pytest.mark.parametrize("n", [-1, 8, 2.5, True, "3"])
def test_unfreeze_top_rejects_bad_n(n):
    with pytest.raises(ValueError, match="unfreeze_top"):
        transfer.unfreeze_top(small_base(), n)


def test_type_errors():
    with pytest.raises(TypeError, match="Keras model"):
        transfer.freeze("not a model")
    with pytest.raises(TypeError, match="Keras model"):
        transfer.trainable_summary(np.zeros(3))


def test_trainable_summary_rows_and_table():
    base = small_base()
    transfer.unfreeze_top(base, 3)
    rows = {r.name: r for r in transfer.trainable_summary(base)}
    assert (rows["c2"].trainable, rows["c2"].non_trainable) == (C2, 0)
    assert (rows["bn2"].trainable, rows["bn2"].non_trainable) == (0, BN2)
    assert rows["p1"].total == 0 and rows["bn1"].kind == "BatchNormalization"
    text = transfer.format_trainable_summary(base)
    assert "p1" not in text and "total" in text and f"{C2:,}" in text
    states = dict((n, s) for n, s, _ in transfer.layer_states(base))
    assert states == {"c1": "frozen", "bn1": "frozen", "r1": "no weights", "p1": "no weights",
                      "c2": "trainable", "bn2": "frozen", "r2": "no weights"}  # fmt: skip


def test_plot_trainable_draws_one_box_per_layer():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    base = small_base()
    transfer.unfreeze_top(base, 3, keep_batchnorm_frozen=False)
    ax = transfer.plot_trainable(base, label_every=1)
    assert len(ax.patches) == len(base.layers)
    assert "trainable" in ax.get_title()
    plt.close("all")


def test_add_head_structure_and_outputs():
    base = transfer.freeze(small_base())
    model = transfer.add_head(base, 5, dropout=0.3)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["InputLayer", "Sequential", "GlobalAveragePooling2D", "Dropout", "Dense"]
    assert transfer.count_trainable(model)[0] == 6 * 5 + 5
    y = keras.ops.convert_to_numpy(
        model(np.random.default_rng(0).random((2, 12, 12, 3)).astype("float32"))
    )
    assert y.shape == (2, 5) and np.allclose(y.sum(axis=1), 1, atol=1e-5)
    no_drop = transfer.add_head(base, 2, dropout=0, pooling="max")
    assert [type(la).__name__ for la in no_drop.layers][2:] == ["GlobalMaxPooling2D", "Dense"]


@pytest.mark.parametrize(
    "kwargs", [{"num_classes": 1}, {"num_classes": 3, "dropout": 1.0}, {"num_classes": 3,
                                                                          "pooling": "flat"}]
)  # fmt: skip
def test_add_head_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match="add_head"):
        transfer.add_head(small_base(), **kwargs)


def test_add_head_on_a_vector_base_adds_no_pooling():
    base = keras.Sequential([keras.Input((8,)), layers.Dense(4)])
    model = transfer.add_head(base, 3)
    assert [type(la).__name__ for la in model.layers][2:] == ["Dropout", "Dense"]


def test_extract_features_array_and_dataset_agree():
    import tensorflow as tf

    base = keras.Sequential([small_base(), layers.GlobalAveragePooling2D()])
    x = np.random.default_rng(0).random((10, 12, 12, 3)).astype("float32")
    y = np.arange(10)
    f = transfer.extract_features(base, x, batch_size=4)
    assert f.shape == (10, 6) and f.dtype == np.float32
    f2, labels = transfer.extract_features(
        base, tf.data.Dataset.from_tensor_slices((x, y)).batch(3)
    )
    np.testing.assert_allclose(f, f2, atol=1e-5)
    np.testing.assert_array_equal(labels, y)
    with pytest.raises(TypeError, match="tf.data"):
        transfer.extract_features(base, [1, 2, 3])
    with pytest.raises(ValueError, match="batch_size"):
        transfer.extract_features(base, x, batch_size=0)


def write_folder(root, counts, size=(10, 14)):
    rng = np.random.default_rng(1)
    for name, n in counts.items():
        (root / name).mkdir(parents=True)
        for i in range(n):
            img = rng.integers(0, 256, (*size, 3), dtype=np.uint8)
            Image.fromarray(img).save(root / name / f"{i:03d}.png")
    (root / "notes.txt").write_text("not an image")
    return root


def test_image_folder_datasets_splits_once_and_stays_fixed(tmp_path):
    folder = write_folder(tmp_path / "imgs", {"a": 12, "b": 8})
    splits = transfer.image_folder_datasets(folder, (8, 8), val_split=0.2, test_split=0.1,
                                            seed=3, batch_size=4)  # fmt: skip
    assert splits.class_names == ["a", "b"]
    assert splits.sizes == {"train": 14, "valid": 4, "test": 2}
    assert "2 classes" in str(splits)

    def images(ds):
        return np.concatenate([x.numpy() for x, _ in ds])

    for name in ("train", "valid", "test"):
        x = images(getattr(splits, name))
        assert x.shape == (splits.sizes[name], 8, 8, 3) and x.dtype == np.float32
    v1, v2 = images(splits.valid), images(splits.valid)
    np.testing.assert_array_equal(v1, v2)  # validation images do not change between epochs
    rows = {tuple(r.ravel()[:12]) for part in ("train", "valid", "test")
            for r in images(getattr(splits, part))}  # fmt: skip
    assert len(rows) == 20  # every image exactly once
    again = transfer.image_folder_datasets(folder, (8, 8), val_split=0.2, test_split=0.1, seed=3)
    np.testing.assert_array_equal(images(again.test), images(splits.test))


def test_image_folder_datasets_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        transfer.image_folder_datasets(tmp_path / "missing")
    one = write_folder(tmp_path / "one", {"only": 5})
    with pytest.raises(ValueError, match="at least 2"):
        transfer.image_folder_datasets(one)
    few = write_folder(tmp_path / "few", {"a": 5, "b": 1})
    with pytest.raises(ValueError, match="too few images"):
        transfer.image_folder_datasets(few)
    tiny = write_folder(tmp_path / "tiny", {"a": 2, "b": 2})
    with pytest.raises(ValueError, match="too few for"):
        transfer.image_folder_datasets(tiny)
    with pytest.raises(ValueError, match="no training images"):
        transfer.image_folder_datasets(few, val_split=0.5, test_split=0.5)
    with pytest.raises(ValueError, match="image_size"):
        transfer.image_folder_datasets(few, image_size=(8,))


def test_list_image_folder(tmp_path):
    folder = write_folder(tmp_path / "f", {"x": 2, "y": 3})
    (folder / "empty").mkdir()
    listing = transfer.list_image_folder(folder)
    assert list(listing) == ["x", "y"] and [len(v) for v in listing.values()] == [2, 3]


STEPS = np.array([0, 1, 2, 10, 99, 100, 1000, 12345])


@pytest.mark.parametrize("lr,decay", [(0.2, 0.01), (0.01, 0.001), (0.5, 0.0)])
def test_keras2_decay_is_inverse_time_decay(lr, decay):
    got = schedules.keras_values(transfer.keras2_decay_schedule(lr, decay), STEPS)
    np.testing.assert_allclose(got, lr / (1 + decay * STEPS), rtol=1e-6)
    np.testing.assert_allclose(got, schedules.legacy_decay(STEPS, lr, decay), rtol=1e-6)


def test_keras2_sgd_steps_its_schedule():
    opt = transfer.keras2_sgd(0.2, decay=0.01, momentum=0.9)
    assert float(opt.momentum) == pytest.approx(0.9)
    w = keras.Variable(np.ones(3, "float32"))
    for _ in range(5):
        opt.apply_gradients([(keras.ops.ones(3), w)])
    assert int(opt.iterations) == 5
    assert float(opt.learning_rate) == pytest.approx(0.2 / (1 + 0.01 * 5), rel=1e-6)
    assert float(transfer.keras2_sgd(0.1).learning_rate) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="decay"):
        transfer.keras2_decay_schedule(0.1, -1)
    with pytest.raises(ValueError, match="lr"):
        transfer.keras2_decay_schedule(0, 0.1)


def test_split_at_cuts_where_every_path_passes():
    inp = keras.Input((8, 8, 3))
    a = layers.Conv2D(4, 3, padding="same", name="a")(inp)
    b = layers.Conv2D(4, 3, padding="same", name="b")(a)
    c = layers.Add(name="c")([a, b])
    d = layers.GlobalAveragePooling2D(name="d")(layers.Conv2D(2, 1, name="e")(c))
    model = keras.Model(inp, d, name="toy")
    bottom, top = transfer.split_at(model, "c")
    x = np.random.default_rng(0).random((2, 8, 8, 3)).astype("float32")
    via = transfer.extract_features(top, transfer.extract_features(bottom, x))
    np.testing.assert_allclose(via, transfer.extract_features(model, x), atol=1e-5)
    assert top.count_params() + bottom.count_params() == model.count_params()
    with pytest.raises(ValueError, match="skips over"):
        transfer.split_at(model, "b")  # the residual path from "a" bypasses "b"
    with pytest.raises(ValueError, match="no layer"):
        transfer.split_at(model, "zz")
