"""Tests of helpers.pretrained: the restricted PyTorch reader, EfficientNet-Lite0 and its
weights (checked against NumPy convolutions and on real photos), the inference helpers
and the Keras-application weight files (downloads faked: no network)."""

import collections
import hashlib
import io
import os
import pickle
import sys
import types
import urllib.error

import keras
import numpy as np
import pytest

from helpers import conv, pretrained
from helpers.data import Dataset, RemoteFile, import_folder, load_photo, registry, store
from helpers.pretrained import applications, efficientnet_lite, torchfile

# --- a tiny legacy torch.save file, written without torch -------------------------------


class _Storage:
    def __init__(self, key, array):
        self.key, self.array = key, np.ascontiguousarray(array, np.float32).ravel()


class _Tensor:
    def __init__(self, storage, offset, shape, stride):
        self.args = (storage, offset, shape, stride)

    def __reduce__(self):
        storage, offset, shape, stride = self.args
        return (_FAKE_TORCH["rebuild"], (storage, offset, shape, stride, False,
                                         collections.OrderedDict()))  # fmt: skip


_FAKE_TORCH = {}


@pytest.fixture
def fake_torch(monkeypatch):
    """Modules named torch / torch._utils so that pickle can *write* the legacy format."""
    torch_mod, utils = types.ModuleType("torch"), types.ModuleType("torch._utils")

    class FloatStorage:
        pass

    def _rebuild_tensor_v2(*args):
        raise AssertionError("never called when writing")

    FloatStorage.__module__, FloatStorage.__qualname__ = "torch", "FloatStorage"
    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    torch_mod.FloatStorage, utils._rebuild_tensor_v2 = FloatStorage, _rebuild_tensor_v2
    monkeypatch.setitem(sys.modules, "torch", torch_mod)
    monkeypatch.setitem(sys.modules, "torch._utils", utils)
    _FAKE_TORCH.update(rebuild=_rebuild_tensor_v2, storage=FloatStorage)
    return FloatStorage


def legacy_bytes(obj, storages, *, main_pickle: bytes | None = None) -> bytes:
    class P(pickle.Pickler):
        def persistent_id(self, o):
            if isinstance(o, _Storage):
                return ("storage", _FAKE_TORCH["storage"], o.key, "cpu", o.array.size, None)
            return None

    out = io.BytesIO()
    for header in (torchfile.MAGIC_NUMBER, torchfile.PROTOCOL_VERSION,
                   {"protocol_version": 1001, "little_endian": True}):  # fmt: skip
        pickle.dump(header, out, protocol=2)
    if main_pickle is None:
        P(out, protocol=2).dump(obj)
    else:
        out.write(main_pickle)
    pickle.dump([s.key for s in storages], out, protocol=2)
    for s in storages:
        out.write(int(s.array.size).to_bytes(8, "little"))
        out.write(s.array.astype("<f4").tobytes())
    return out.getvalue()


def test_reader_rebuilds_tensors_with_offsets_and_strides(fake_torch):
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    s1, s2 = _Storage("k1", a), _Storage("k2", np.array([7.0, 8.0, 9.0]))
    state = collections.OrderedDict(
        w=_Tensor(s1, 0, (2, 3, 4), (12, 4, 1)),
        wt=_Tensor(s1, 0, (4, 3, 2), (1, 4, 12)),  # a transposed view of the same storage
        tail=_Tensor(s2, 1, (2,), (1,)),
    )
    got = torchfile.read_state_dict(legacy_bytes(state, [s1, s2]))
    assert list(got) == ["w", "wt", "tail"]
    np.testing.assert_array_equal(got["w"], a)
    np.testing.assert_array_equal(got["wt"], a.transpose(2, 1, 0))
    np.testing.assert_array_equal(got["tail"], [8.0, 9.0])
    assert got["w"].dtype == np.float32 and got["w"].flags.writeable


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_reader_refuses_a_pickle_that_builds_another_object(fake_torch):
    data = legacy_bytes(None, [], main_pickle=pickle.dumps({"x": _Evil()}, protocol=2))
    with pytest.raises(torchfile.UnsafePickleError, match=r"refusing to build .*system"):
        torchfile.read_state_dict(data)
    # even in the header pickles, and for harmless-looking globals
    with pytest.raises(torchfile.UnsafePickleError, match="builtins.print"):
        torchfile.RestrictedUnpickler(io.BytesIO(pickle.dumps(print))).load()


def test_reader_rejects_other_files(tmp_path, fake_torch):
    with pytest.raises(torchfile.TorchFileError, match="magic"):
        torchfile.read_state_dict(pickle.dumps(123))
    s = _Storage("k", np.ones(4))
    data = legacy_bytes({"w": _Tensor(s, 0, (4,), (1,))}, [s])
    with pytest.raises(torchfile.TorchFileError, match="truncated"):
        torchfile.read_state_dict(data[:-3])


def test_reader_on_the_real_file():
    state = torchfile.read_state_dict(efficientnet_lite.torch_weights_path())
    assert state["_conv_stem.weight"].shape == (32, 3, 3, 3)
    floats = sum(v.size for k, v in state.items() if not k.endswith("num_batches_tracked"))
    assert floats == 4_694_024


def test_wrong_sha256_is_refused(monkeypatch):
    monkeypatch.setattr(efficientnet_lite, "WEIGHTS_SHA256", "0" * 64)
    with pytest.raises(pretrained.PretrainedWeightsError, match="SHA-256"):
        efficientnet_lite.torch_weights_path()


# --- the network ------------------------------------------------------------------------


def test_architecture_names_shapes_and_parameter_count():
    model = pretrained.build_efficientnet_lite0()
    assert model.count_params() == 4_694_024
    assert model.output_shape == (None, 1000)
    assert model.get_layer(pretrained.LAST_CONV).output.shape[1:] == (7, 7, 1280)
    blocks = {ly.name.split("_")[0] for ly in model.layers if ly.name.startswith("block")}
    assert len(blocks) == 16 and "block7a" in blocks
    for name in ("stem_conv", "block1a_dwconv", "block2b_add", "top_conv", "predictions"):
        model.get_layer(name)
    head = pretrained.build_efficientnet_lite0(include_top=False)
    assert head.output_shape == (None, 7, 7, 1280)
    for pooling in ("avg", "max"):
        m = pretrained.build_efficientnet_lite0(False, pooling, input_shape=(None, None, 3))
        assert m.output_shape == (None, 1280)
    with pytest.raises(ValueError, match="pooling"):
        pretrained.build_efficientnet_lite0(True, "avg")
    with pytest.raises(ValueError, match="pooling"):
        pretrained.build_efficientnet_lite0(False, "mean")


def test_conversion_runs_once_then_the_cache_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    first = efficientnet_lite.keras_weights()
    assert efficientnet_lite.cache_path().is_file()
    assert efficientnet_lite.cache_path().is_relative_to(tmp_path)

    def no_reading(*args, **kwargs):
        raise AssertionError("the .pth file was read again")

    monkeypatch.setattr(torchfile, "read_state_dict", no_reading)
    again = efficientnet_lite.keras_weights()
    assert again.keys() == first.keys()
    for k in first:
        for a, b in zip(first[k], again[k], strict=True):
            np.testing.assert_array_equal(a, b)
    # a damaged cache is converted again, not trusted
    efficientnet_lite.cache_path().write_bytes(b"garbage")
    monkeypatch.undo()
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert efficientnet_lite.keras_weights().keys() == first.keys()


@pytest.fixture(scope="module")
def lite0():
    return pretrained.efficientnet_lite0()


def _bn(x, gamma, beta, mean, var):
    return gamma * (x - mean) / np.sqrt(var + efficientnet_lite.BN_EPSILON) + beta


def test_first_layers_agree_with_numpy_convolutions(lite0):
    """stem conv -> BN -> ReLU6 -> depthwise 3x3 -> BN -> ReLU6 -> 1x1 project -> BN, by hand."""
    x = pretrained.preprocess(pretrained.load_image("dog", size=48))
    small = pretrained.efficientnet_lite0(include_top=False, input_shape=(48, 48, 3))
    names = ["stem_activation", "block1a_activation", "block1a_project_bn"]
    probe = keras.Model(small.inputs, [small.get_layer(n).output for n in names])
    got = [np.asarray(t)[0] for t in probe(x)]
    w = {n: small.get_layer(n).get_weights() for n in
         ("stem_conv", "stem_bn", "block1a_dwconv", "block1a_bn", "block1a_project_conv",
          "block1a_project_bn")}  # fmt: skip
    stem = np.clip(_bn(conv.conv2d(x[0], w["stem_conv"][0], stride=2, padding="same"),
                       *w["stem_bn"]), 0, 6)  # fmt: skip
    np.testing.assert_allclose(got[0], stem, atol=1e-4)
    k = w["block1a_dwconv"][0]  # (3, 3, 32, 1): one filter per channel
    dw = np.stack([conv.conv2d(stem[..., c], k[:, :, c, 0], padding="same")
                   for c in range(stem.shape[-1])], axis=-1)  # fmt: skip
    act = np.clip(_bn(dw, *w["block1a_bn"]), 0, 6)
    np.testing.assert_allclose(got[1], act, atol=1e-4)
    proj = _bn(conv.conv2d(act, w["block1a_project_conv"][0]), *w["block1a_project_bn"])
    np.testing.assert_allclose(got[2], proj, atol=1e-4)
    # the head: global average pool of the last activation, then the dense softmax
    x = pretrained.preprocess(pretrained.load_image("dog"))
    head = keras.Model(lite0.inputs, [lite0.get_layer(pretrained.LAST_CONV).output, lite0.output])
    feat, probs = (np.asarray(t)[0] for t in head(x))
    wd, bd = lite0.get_layer("predictions").get_weights()
    logits = feat.mean(axis=(0, 1)) @ wd + bd
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_allclose(probs, expected, atol=1e-5)


def test_top1_on_real_photos(lite0):
    from skimage.data import chelsea

    images = [pretrained.load_image("dog"), load_photo("eagle", size=(224, 224)),
              pretrained.load_image(chelsea())]  # fmt: skip
    probs = lite0.predict(pretrained.preprocess(np.stack(images)), verbose=0)
    top1 = [rows[0] for rows in pretrained.decode(probs, top=1)]
    assert [i for i, _, _ in top1] == [235, 22, 282], top1  # German Shepherd, bald eagle, tiger cat
    assert top1[0][1] == "German Shepherd Dog" and top1[1][1] == "bald eagle"
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_headless_pretrained_model_shares_the_weights(lite0):
    head = pretrained.efficientnet_lite0(include_top=False, pooling="avg")
    assert head.output_shape == (None, 1280)
    np.testing.assert_array_equal(head.get_layer("top_conv").get_weights()[0],
                                  lite0.get_layer("top_conv").get_weights()[0])  # fmt: skip


# --- inference helpers ------------------------------------------------------------------


def test_class_names():
    names = pretrained.imagenet_class_names()
    assert len(names) == 1000 and names[22] == "bald eagle" and names[0] == "tench"
    names.append("x")  # a copy: the cached list is unchanged
    assert len(pretrained.imagenet_class_names()) == 1000


def test_load_image_crops_the_centre_then_resizes(tmp_path):
    img = np.zeros((100, 200, 3), np.uint8)
    img[:, 50:150] = 255  # the central square is white, the sides black
    out = pretrained.load_image(img, size=32, crop=1.0)
    assert out.shape == (32, 32, 3) and out.dtype == np.uint8 and out.min() == 255
    assert pretrained.center_crop(img, 0.5).shape == (50, 50, 3)
    grey = pretrained.load_image(np.full((40, 30), 0.5), size=8)  # float in [0, 1], grayscale
    assert grey.shape == (8, 8, 3) and np.all(grey == 128)
    from PIL import Image

    Image.fromarray(img).save(tmp_path / "x.png")
    assert pretrained.load_image(tmp_path / "x.png", size=16).shape == (16, 16, 3)
    assert pretrained.load_image("dog").shape == (224, 224, 3)
    with pytest.raises(FileNotFoundError, match="sample photo"):
        pretrained.load_image("no_such_photo")
    with pytest.raises(ValueError, match="crop"):
        pretrained.center_crop(img, 0)


def test_preprocess_of_each_family_on_a_known_pixel():
    red = np.zeros((2, 2, 3), np.uint8)
    red[..., 0] = 255
    lite = pretrained.preprocess(red)
    assert lite.shape == (1, 2, 2, 3) and lite.dtype == np.float32
    np.testing.assert_allclose(lite[0, 0, 0], [1.0, -127 / 128, -127 / 128])
    np.testing.assert_allclose(pretrained.preprocess(red, "ResNet50")[0, 0, 0],
                               [-103.939, -116.779, 255 - 123.68], rtol=1e-6)  # fmt: skip
    np.testing.assert_allclose(pretrained.preprocess(red, "vgg16")[0, 0, 0],
                               [-103.939, -116.779, 131.32], rtol=1e-6)  # fmt: skip
    for fam in ("MobileNetV2", "Xception", "InceptionV3"):
        np.testing.assert_allclose(pretrained.preprocess(red, fam)[0, 0, 0], [1, -1, -1])
    batch = np.stack([red, red])
    assert pretrained.preprocess(batch, "tf").shape == (2, 2, 2, 3)
    assert red[0, 0, 0] == 255  # the input is not modified
    with pytest.raises(ValueError, match="unknown model family"):
        pretrained.preprocess(red, "AlexNet")
    with pytest.raises(ValueError, match="RGB"):
        pretrained.preprocess(np.zeros((4, 4)))


@pytest.mark.parametrize("family", ["VGG16", "ResNet50", "MobileNetV2", "Xception", "DenseNet121"])
def test_preprocess_matches_keras(family):
    module = {"VGG16": "vgg16", "ResNet50": "resnet50", "MobileNetV2": "mobilenet_v2",
              "Xception": "xception", "DenseNet121": "densenet"}[family]  # fmt: skip
    x = np.random.default_rng(0).integers(0, 256, (2, 5, 5, 3)).astype(np.float32)
    ref = getattr(keras.applications, module).preprocess_input(x.copy())
    np.testing.assert_allclose(pretrained.preprocess(x, family), ref, rtol=1e-5, atol=1e-5)


def test_decode_orders_and_breaks_ties_by_index():
    p = np.zeros(1000)
    p[[5, 7, 3]] = [0.2, 0.5, 0.2]
    (rows,) = pretrained.decode(p, top=3)
    assert [r[0] for r in rows] == [7, 3, 5]
    assert rows[0][1] == pretrained.imagenet_class_names()[7] and rows[0][2] == 0.5
    assert len(pretrained.decode(np.stack([p, p]), top=2)) == 2
    with pytest.raises(ValueError, match="top"):
        pretrained.decode(p, top=1001)
    with pytest.raises(ValueError, match="1000"):
        pretrained.decode(np.zeros(10))


def test_predict_prints_a_table(lite0, capsys):
    decoded = pretrained.predict(lite0, ["dog"], top=3, show=False)
    assert decoded[0][0][1] == "German Shepherd Dog"
    out = capsys.readouterr().out
    assert "dog" in out and "German Shepherd Dog" in out and "%" in out


# --- Keras applications ---------------------------------------------------------------------


@pytest.fixture
def cache(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA_DIR", str(d))
    return d


def _refuse(url, timeout=None):
    raise urllib.error.URLError("Name or service not known (test: offline)")


def test_offline_error_names_the_file_and_the_import_command(cache):
    with pytest.raises(pretrained.WeightsUnavailableError) as err:
        pretrained.keras_application("ResNet50", opener=_refuse)
    msg = str(err.value)
    assert "resnet50_weights_tf_dim_ordering_tf_kernels.h5" in msg
    assert "https://storage.googleapis.com/tensorflow/keras-applications/resnet/" in msg
    assert "python -m helpers data import FOLDER" in msg and "data fetch keras-resnet50" in msg
    assert not list(cache.rglob("*.h5"))  # nothing half-downloaded left behind
    with pytest.raises(ValueError, match="unknown Keras application"):
        pretrained.keras_application("AlexNet")


def _fake_weights(monkeypatch, content: bytes, md5: str = ""):
    """Register a fake 'keras-mobilenet' whose no-top file is ``content``."""
    rf = RemoteFile("mobilenet_1_0_224_tf_no_top.h5", ("https://example.org/m.h5",), "", 0,
                    md5=md5)  # fmt: skip
    top = RemoteFile("mobilenet_1_0_224_tf.h5", ("https://example.org/t.h5",), "", 0)
    old = registry.WEIGHTS["keras-mobilenet"]
    ds = Dataset(old.name, old.title, old.description, old.source, old.homepage, (top, rf),
                 aliases=old.aliases)  # fmt: skip
    monkeypatch.setitem(registry.WEIGHTS, "keras-mobilenet", ds)
    return rf


def _opener_for(content: bytes, calls: list):
    def opener(url, timeout=None):
        calls.append(url)
        return io.BytesIO(content)

    return opener


def test_download_is_checked_with_the_md5_keras_records(cache, monkeypatch):
    content = b"\x89HDF\r\n\x1a\n" + b"weights" * 100
    _fake_weights(monkeypatch, content, hashlib.md5(content).hexdigest())
    calls = []
    opener = _opener_for(content, calls)
    path = applications.weights_file("MobileNet", include_top=False, opener=opener, progress=False)
    assert path.read_bytes() == content and calls == ["https://example.org/m.h5"]
    # cached now: no second download
    assert applications.weights_file("MobileNet", include_top=False, opener=_refuse) == path
    # a corrupt download is rejected and not kept
    path.unlink()
    bad = _opener_for(content[:-1] + b"X", [])
    with pytest.raises(pretrained.WeightsUnavailableError, match="MD5"):
        applications.weights_file("MobileNet", include_top=False, opener=bad, progress=False)
    assert not path.exists()


def test_non_hdf5_file_is_refused_even_without_a_recorded_hash(cache, monkeypatch):
    _fake_weights(monkeypatch, b"<html>not found</html>")
    with pytest.raises(pretrained.WeightsUnavailableError, match="HDF5"):
        applications.weights_file("MobileNet", include_top=False, progress=False,
                                  opener=_opener_for(b"<html>not found</html>", []))  # fmt: skip


def test_weight_files_are_imported_from_a_flat_folder(cache, monkeypatch, tmp_path):
    content = b"\x89HDF\r\n\x1a\n" + b"w" * 50
    rf = _fake_weights(monkeypatch, content, hashlib.md5(content).hexdigest())
    folder = tmp_path / "keras_models"
    folder.mkdir()
    (folder / rf.name).write_bytes(content)
    results = import_folder(folder)
    mine = [r for r in results if r.dataset == "keras-mobilenet"]
    assert [(r.name, r.state) for r in mine] == [(rf.name, "imported")]
    # weight files not in the folder are not reported; the datasets still are
    assert {r.dataset for r in results} == set(registry.names()) | {"keras-mobilenet"}
    assert applications.weights_file("MobileNet", include_top=False, download=False).is_file()
    assert store.status("keras-mobilenet")[1].state == "present"


def test_keras_application_loads_the_downloaded_file(cache, monkeypatch, tmp_path):
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    ref = keras.applications.MobileNet(weights=None, include_top=False, alpha=0.25,
                                       input_shape=(32, 32, 3))  # fmt: skip
    src = tmp_path / "w.h5"
    with h5py.File(src, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, ref)
    content = src.read_bytes()
    _fake_weights(monkeypatch, content, hashlib.md5(content).hexdigest())
    real_ctor = keras.applications.MobileNet
    monkeypatch.setattr(keras.applications, "MobileNet",
                        lambda **kw: real_ctor(alpha=0.25, **kw))  # fmt: skip
    model = pretrained.keras_application("MobileNet", include_top=False, pooling="avg",
                                         input_shape=(32, 32, 3),
                                         opener=_opener_for(content, []))  # fmt: skip
    assert model.output_shape == (None, 256)
    for a, b in zip(model.get_weights(), ref.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_cited_accuracies_and_names():
    assert "ResNet50" in pretrained.application_names()
    assert applications.get_info("resnet50").top1 == 74.9
    assert applications.get_info("InceptionV3").input_size == 299
    assert "keras.io" in applications.get_info("VGG16").source
    for info in applications.APPLICATIONS.values():
        assert info.weights_dataset in registry.WEIGHTS
        pretrained.family_mode(info.name)  # every family has a preprocessing


def test_depth_counts_layers_with_weights():
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.ReLU()])
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3),
                              keras.layers.BatchNormalization(), keras.layers.Flatten(),
                              keras.layers.Dense(4), inner])  # fmt: skip
    assert pretrained.depth(model) == 4


def test_time_model():
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3)])
    t = pretrained.time_model(model, batch_size=2, batches=3, warmup=1)
    assert t["batch_size"] == 2 and t["ms_per_batch"] > 0
    assert t["ms_per_image"] == pytest.approx(t["ms_per_batch"] / 2)
    with pytest.raises(ValueError, match="batches"):
        pretrained.time_model(model, batches=0)
    free = keras.Sequential([keras.Input((None, None, 3)), keras.layers.Conv2D(4, 3)])
    with pytest.raises(ValueError, match="fully known"):
        pretrained.time_model(free)
