"""Tests of helpers.deploy (export, TFLite conversion and running, measuring) and
helpers.tb_logs (reading TensorBoard scalars back). One tiny model is trained once per module."""

import keras
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import concept_diagrams, deploy, tb_logs  # noqa: E402


def _data(n=400, seed=0):
    """Two-class 12×12 images: a bright blob on the left or on the right."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.uniform(0, 0.3, size=(n, 12, 12, 1)).astype(np.float32)
    for i, label in enumerate(y):
        c = 2 + 6 * int(label) + int(rng.integers(0, 2))
        x[i, 4:8, c : c + 3, 0] += 0.7
    return x, y


@pytest.fixture(scope="module")
def trained():
    keras.utils.set_random_seed(0)
    x, y = _data()
    model = keras.Sequential([
        keras.Input((12, 12, 1)),
        keras.layers.Conv2D(8, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(2, activation="softmax"),
    ])  # fmt: skip
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    return model, x, y


@pytest.fixture(scope="module")
def converted(trained):
    model, x, _ = trained
    return {
        None: deploy.to_tflite(model),
        "dynamic": deploy.to_tflite(model, quantize="dynamic"),
        "int8": deploy.to_tflite(model, quantize="int8", representative=x[:100]),
    }


def test_quantize_and_dequantize_by_hand():
    q = deploy.quantize([0.0, 0.5, 1.0, -1.0, 100.0], scale=0.01, zero_point=-28)
    assert q.dtype == np.int8
    assert q.tolist() == [-28, 22, 72, -128, 127]  # -1.0 → -128 and 100 → 127: clipped
    back = deploy.dequantize(q, 0.01, -28)
    assert back.dtype == np.float32
    np.testing.assert_allclose(back[:3], [0.0, 0.5, 1.0], atol=1e-6)
    # q − zero_point must not wrap around in int8: 127 − (−128) = 255
    assert deploy.dequantize(np.array([127], np.int8), 1.0, -128)[0] == 255.0
    with pytest.raises(ValueError, match="scale"):
        deploy.quantize([1.0], 0.0, 0)
    with pytest.raises(ValueError, match="zero point"):
        deploy.quantize([1.0], 0.1, 300)


def test_save_and_export(trained, tmp_path):
    model, x, _ = trained
    path = deploy.save_keras(model, tmp_path / "sub" / "m.keras")
    assert path.is_file() and deploy.file_size(path) == path.stat().st_size
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again.predict(x[:8], verbose=0), model.predict(x[:8], verbose=0),
                               atol=1e-6)  # fmt: skip
    folder = deploy.export_savedmodel(model, tmp_path / "sm")
    assert (folder / "saved_model.pb").is_file()
    assert deploy.file_size(folder) > deploy.file_size(folder / "saved_model.pb")
    run = deploy.savedmodel_runner(folder)
    np.testing.assert_allclose(run(x[:8]), model.predict(x[:8], verbose=0), atol=1e-5)
    with pytest.raises(FileExistsError):
        deploy.export_savedmodel(model, folder)
    with pytest.raises(ValueError, match=".keras"):
        deploy.save_keras(model, tmp_path / "m.h5")
    # The converter also reads the SavedModel folder.
    assert deploy.TFLiteModel(deploy.to_tflite(folder)).predict(x[:4]).shape == (4, 2)


def test_tflite_float_matches_keras(trained, converted):
    model, x, _ = trained
    runner = deploy.TFLiteModel(converted[None])
    assert runner.input_dtype == np.float32 and runner.output_dtype == np.float32
    np.testing.assert_allclose(runner.predict(x), deploy.keras_runner(model)(x), atol=1e-5)
    assert runner(x[:1]).shape == (1, 2)  # batch size changes are handled
    with pytest.raises(ValueError, match="inputs of shape"):
        runner.predict(np.zeros((2, 10, 10, 1)))


def test_int8_model_is_integer_and_agrees(trained, converted):
    model, x, y = trained
    runner = deploy.TFLiteModel(converted["int8"])
    assert runner.input_dtype == np.int8 and runner.output_dtype == np.int8
    scale, zero_point = runner.input_quantization
    assert scale > 0 and -128 <= zero_point <= 127
    assert np.dtype(np.int8) in runner.tensor_dtypes()
    assert np.dtype(np.float32) not in runner.tensor_dtypes()  # full-integer: no float tensors
    probs = runner.predict(x)
    assert probs.dtype == np.float32 and probs.min() >= 0 and probs.max() <= 1.0 + 1e-6
    agree = np.mean(probs.argmax(1) == deploy.keras_runner(model)(x).argmax(1))
    assert agree >= 0.95, agree
    with pytest.raises(ValueError, match="representative"):
        deploy.to_tflite(model, quantize="int8")
    with pytest.raises(ValueError, match="quantize"):
        deploy.to_tflite(model, quantize="int4")


def test_sizes_are_ordered(converted, trained, tmp_path):
    model, _, _ = trained
    keras_size = deploy.file_size(deploy.save_keras(model, tmp_path / "m.keras"))
    sizes = {k: deploy.file_size(v) for k, v in converted.items()}
    assert sizes["int8"] < sizes[None] and sizes["dynamic"] < sizes[None] < keras_size
    path = deploy.write_bytes(converted["int8"], tmp_path / "q.tflite")
    assert deploy.file_size(path) == sizes["int8"] == deploy.TFLiteModel(path).size
    with pytest.raises(FileNotFoundError):
        deploy.file_size(tmp_path / "missing")


def test_latency_and_compare(trained, converted):
    model, x, y = trained
    calls = []
    ms = deploy.latency_ms(lambda b: calls.append(len(b)), x[:1], repeats=7, warmup=2)
    assert ms >= 0 and calls == [1] * 9  # 2 warm-up calls + 7 timed
    with pytest.raises(ValueError, match="repeats"):
        deploy.latency_ms(len, x, repeats=0)
    rows = deploy.compare(
        {
            "keras": (deploy.keras_runner(model), 1000),
            "float": (deploy.TFLiteModel(converted[None]).predict, len(converted[None])),
            "int8": (deploy.TFLiteModel(converted["int8"]).predict, converted["int8"]),
        },
        x, y, repeats=5, warmup=1,
    )  # fmt: skip
    assert [r["format"] for r in rows] == ["keras", "float", "int8"]
    assert rows[0]["agreement"] == 1.0 and rows[0]["size_kb"] == pytest.approx(1000 / 1024)
    assert rows[1]["agreement"] == 1.0 and rows[2]["agreement"] >= 0.95
    assert abs(rows[2]["accuracy"] - rows[0]["accuracy"]) <= 0.05
    assert all(r["latency_ms"] > 0 for r in rows)
    text = deploy.format_rows(rows)
    assert "size (KB)" in text and "int8" in text and len(text.splitlines()) == 5
    with pytest.raises(KeyError):
        deploy.compare({"a": (deploy.keras_runner(model), 1)}, x, y, reference="b")


def test_diagnose_rules():
    assert deploy.diagnose(0.99, 0.95, target=0.9, num_classes=10) == "export"
    assert deploy.diagnose(0.12, 0.11, target=0.9, num_classes=10) == "debug"
    assert deploy.diagnose(0.80, 0.78, target=0.9, num_classes=10) == "add capacity"
    assert deploy.diagnose(0.99, 0.80, target=0.9, num_classes=10) == "regularise"
    assert deploy.diagnose(0.92, 0.89, target=0.9, num_classes=10) == "tune"
    with pytest.raises(ValueError):
        deploy.diagnose(99, 80, target=0.9, num_classes=10)


def test_diagrams():
    fig = deploy.draw_pipeline()
    gids = concept_diagrams.artists_by_gid(fig)
    assert {"box:keras", "box:savedmodel", "box:converter", "box:tflite", "box:device"} <= set(gids)
    assert "arrow:representative" in gids
    plt.close(fig)
    fig = deploy.draw_recipe([("data", "look"), ("base", "baseline"), ("x", "export")],
                             {"base": "val 90 %"})  # fmt: skip
    gids = concept_diagrams.artists_by_gid(fig)
    assert {"box:data", "box:base", "box:x", "result:base"} <= set(gids)
    assert gids["result:base"].get_text() == "val 90 %"
    plt.close(fig)


# ----------------------------------------------------------------------------- tb_logs


def test_tb_reader_gets_back_written_values(tmp_path):
    tb_logs.write_scalars(tmp_path / "run", "loss", [0.9, 0.5, 0.25])
    steps, values = tb_logs.scalars(tmp_path / "run", "loss")
    assert steps.tolist() == [0, 1, 2]
    np.testing.assert_allclose(values, [0.9, 0.5, 0.25], rtol=1e-6)
    with pytest.raises(KeyError, match="loss"):
        tb_logs.scalars(tmp_path / "run", "accuracy")
    with pytest.raises(FileNotFoundError):
        tb_logs.records(tmp_path / "nowhere")


def test_tb_restart_keeps_latest_record(tmp_path):
    tb_logs.write_scalars(tmp_path, "acc", [0.1, 0.2, 0.3])
    tb_logs.write_scalars(tmp_path, "acc", [0.7], steps=[2])  # a restart logs step 2 again
    steps, values = tb_logs.scalars(tmp_path, "acc")
    assert steps.tolist() == [0, 1, 2]
    np.testing.assert_allclose(values, [0.1, 0.2, 0.7], rtol=1e-6)


def test_tb_reader_reads_keras_callback_logs(trained, tmp_path):
    model, x, y = trained
    history = model.fit(x, y, epochs=2, batch_size=64, validation_split=0.25, verbose=0,
                        callbacks=[keras.callbacks.TensorBoard(str(tmp_path))])  # fmt: skip
    found = tb_logs.tags(tmp_path)
    assert {"train", "validation"} <= set(found)
    assert "epoch_loss" in found["train"] and "epoch_accuracy" in found["validation"]
    steps, values = tb_logs.scalars(tmp_path / "validation", "epoch_accuracy")
    assert steps.tolist() == [0, 1]
    np.testing.assert_allclose(values, history.history["val_accuracy"], rtol=1e-5)
