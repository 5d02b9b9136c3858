"""Tests of helpers.checks.lab06 and its hidden tests: solutions pass, mistakes fail clearly."""

import keras
import numpy as np
import pytest

from helpers import data, models
from helpers.checks import CheckFailed, lab06
from helpers.grading_tests import lab06 as hidden


def good_float_images(x):
    return x[..., None].astype("float32") / 255.0


def good_one_hot(y, n):
    y = np.asarray(y).astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= n):
        raise ValueError("label out of range")
    return keras.utils.to_categorical(y, n).astype("float32")


def good_dense(inputs, units):
    n = inputs if isinstance(inputs, int) else int(np.prod(inputs))
    return n * units + units


def good_macs(h, w, k, c_in, c_out):
    return h * w * k * k * c_in * c_out


def good_simple():
    return models.very_simple_cnn()


GOOD = {
    "to_float_images": (lab06.check_to_float_images, good_float_images),
    "one_hot": (lab06.check_one_hot, good_one_hot),
    "count_dense_params": (lab06.check_count_dense_params, good_dense),
    "conv_macs": (lab06.check_conv_macs, good_macs),
    "build_very_simple_cnn": (lab06.check_build_very_simple_cnn, good_simple),
}


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return 0

    __rsub__ = __sub__
    __hash__ = object.__hash__


def test_solutions_pass(capsys):
    for check, fn in GOOD.values():
        assert "passed" in check(fn)
    assert capsys.readouterr().out.count("✔") == len(GOOD)


def test_hidden_tests_accept_the_solutions():
    tests = {name: test for name, _, test in hidden.QUESTIONS}
    assert set(tests) == set(GOOD) | {"mnist_submission"}
    for name, (_, fn) in GOOD.items():
        tests[name](fn)


def test_hidden_constants_agree_with_the_public_check():
    assert hidden.DEFAULT_TARGET == lab06.DEFAULT_TARGET
    assert hidden.FAST_TARGET == lab06.FAST_TARGET
    assert hidden.FAST_TEST == lab06.FAST_TEST


@pytest.mark.parametrize("name", list(GOOD))
def test_blank_exercise_fails_as_not_implemented(name):
    def not_done(*args, **kwargs):
        raise NotImplementedError

    with pytest.raises(CheckFailed, match="not implemented yet"):
        GOOD[name][0](not_done)
    with pytest.raises(hidden.Failed, match="not implemented"):
        dict((n, t) for n, _, t in hidden.QUESTIONS)[name](not_done)


@pytest.mark.parametrize("name", list(GOOD))
def test_always_equal_object_fails(name):
    with pytest.raises(CheckFailed):
        GOOD[name][0](lambda *args, **kwargs: AlwaysEqual())
    with pytest.raises(hidden.Failed):
        dict((n, t) for n, _, t in hidden.QUESTIONS)[name](lambda *a, **k: AlwaysEqual())


def test_float_image_mistakes():
    with pytest.raises(CheckFailed, match=r"expected shape \(5, 28, 28, 1\), got \(5, 28, 28\)"):
        lab06.check_to_float_images(lambda x: x.astype("float32") / 255)
    with pytest.raises(CheckFailed, match="(?s)wrong values.*divide by 255"):
        lab06.check_to_float_images(lambda x: x[..., None].astype("float32"))
    with pytest.raises(CheckFailed, match="expected dtype float32, got float64"):
        lab06.check_to_float_images(lambda x: x[..., None] / 255.0)
    with pytest.raises(hidden.Failed, match="expected float32"):
        hidden.test_to_float_images(lambda x: x[..., None] / 255.0)


def test_one_hot_mistakes():
    def no_check(y, n):
        out = np.zeros((len(y), n), dtype="float32")
        out[np.arange(len(y)), np.clip(y, 0, n - 1)] = 1
        return out

    with pytest.raises(CheckFailed, match="returned instead of raising ValueError"):
        lab06.check_one_hot(no_check)
    with pytest.raises(hidden.Failed, match="ValueError"):
        hidden.test_one_hot(no_check)

    def transposed(y, n):
        return np.ascontiguousarray(good_one_hot(y, n).T)

    with pytest.raises(CheckFailed, match=r"wrong values; at index \(0, 7\)"):
        lab06.check_one_hot(transposed)
    with pytest.raises(CheckFailed, match="expected a NumPy array"):
        lab06.check_one_hot(lambda y, n: good_one_hot(y, n).tolist())


def test_count_mistakes():
    with pytest.raises(CheckFailed, match=r"\(43264, 10\): expected 432650, got 432640.*"):
        lab06.check_count_dense_params(lambda inputs, units: int(np.prod(inputs)) * units)
    with pytest.raises(hidden.Failed, match="expected 100480, got 100352"):
        hidden.test_count_dense_params(lambda inputs, units: int(np.prod(inputs)) * units)
    with pytest.raises(CheckFailed, match="expected 389376, got 129792"):
        lab06.check_conv_macs(lambda h, w, k, c_in, c_out: h * w * k * c_in * c_out)
    with pytest.raises(CheckFailed, match="expected a whole number"):
        lab06.check_conv_macs(lambda h, w, k, c_in, c_out: float(good_macs(h, w, k, c_in, c_out)))


def test_very_simple_cnn_mistakes():
    with pytest.raises(CheckFailed, match=r"(?s)does not match.*Differences.*layer 2"):
        lab06.check_build_very_simple_cnn(lambda: models.very_simple_cnn(pool=True))
    with pytest.raises(hidden.Failed, match="expected"):
        hidden.test_build_very_simple_cnn(lambda: models.very_simple_cnn(pool=True))

    def same_padding():
        return keras.Sequential([
            keras.Input((28, 28, 1)), keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
            keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax"),
        ])  # fmt: skip

    with pytest.raises(CheckFailed, match=r"\(28, 28, 64\)"):
        lab06.check_build_very_simple_cnn(same_padding)

    def no_softmax():
        return keras.Sequential([
            keras.Input((28, 28, 1)), keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.Flatten(), keras.layers.Dense(10),
        ])  # fmt: skip

    with pytest.raises(CheckFailed, match="softmax"):
        lab06.check_build_very_simple_cnn(no_softmax)
    with pytest.raises(hidden.Failed, match="softmax"):
        hidden.test_build_very_simple_cnn(no_softmax)
    with pytest.raises(CheckFailed, match="expected a Keras model"):
        lab06.check_build_very_simple_cnn(lambda: "a model")


# --- exercise 6: the threshold check and the hidden test, without training ------------------


def _coded_data(n_train=40, n_test=60):
    """Images whose first row holds the label (pixel (0, label) is 1): easy to read exactly."""
    rng = np.random.default_rng(0)

    def make(n):
        y = rng.integers(0, 10, size=n)
        x = rng.uniform(0, 0.01, size=(n, 28, 28, 1)).astype("float32")
        x[np.arange(n), 0, y, 0] = 1.0
        return x, y

    return (*make(n_train), *make(n_test))


def _reader():
    """A Flatten → Dense softmax model that reads the label off the first row."""
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])  # fmt: skip
    w = np.zeros((784, 10), dtype="float32")
    w[np.arange(10), np.arange(10)] = 50.0
    model.layers[-1].set_weights([w, np.zeros(10, dtype="float32")])
    return model


def test_mnist_check_passes_and_returns_the_outputs(capsys):
    dataset = _coded_data()
    model, probs = lab06.check_mnist_model(_reader, lambda m, x, y: m, data=dataset)
    assert isinstance(model, keras.Model) and probs.shape == (60, 10)
    assert "test accuracy on 60 digits: 100.00%" in capsys.readouterr().out


def test_mnist_check_failures():
    dataset = _coded_data()

    def untrained():
        model = _reader()
        model.layers[-1].set_weights([np.zeros((784, 10), "float32"), np.zeros(10, "float32")])
        return model

    with pytest.raises(CheckFailed, match="(?s)below the target.*Hint"):
        lab06.check_mnist_model(untrained, lambda m, x, y: m, data=dataset)
    with pytest.raises(CheckFailed, match="return the trained Keras model"):
        lab06.check_mnist_model(_reader, lambda m, x, y: None, data=dataset)
    with pytest.raises(CheckFailed, match="build_mnist_model: not implemented"):
        lab06.check_mnist_model(lambda: (_ for _ in ()).throw(NotImplementedError),
                                lambda m, x, y: m, data=dataset)  # fmt: skip
    with pytest.raises(CheckFailed, match="expected a Keras model"):
        lab06.check_mnist_model(lambda: None, lambda m, x, y: m, data=dataset)


class Oracle:
    """A 'model' that knows the first 1,000 MNIST test digits (to test the hidden test)."""

    def __init__(self, shift=0):
        (_, _), (x, y) = data.load_mnist()
        self.table = {x[i].tobytes(): int(y[i]) for i in range(1000)}
        self.shift = shift

    def predict(self, images, verbose=0):
        out = np.zeros((len(images), 10), dtype="float32")
        for i, img in enumerate(images):
            key = np.rint(img[..., 0] * 255).astype(np.uint8).tobytes()
            out[i, (self.table[key] + self.shift) % 10] = 1.0
        return out


@pytest.fixture
def fast_labels(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    (_, _), (_, y) = data.load_mnist()
    return y[:1000].astype(np.int64)


def test_hidden_mnist_accepts_a_good_submission(fast_labels):
    probs = keras.utils.to_categorical(fast_labels, 10).astype("float32")
    hidden.test_mnist_submission(lambda: (Oracle(), probs))


def test_hidden_mnist_rejects_bad_submissions(fast_labels, monkeypatch):
    probs = keras.utils.to_categorical(fast_labels, 10).astype("float32")
    with pytest.raises(hidden.Failed, match="below the target"):
        hidden.test_mnist_submission(lambda: (Oracle(), np.roll(probs, 1, axis=1)))
    with pytest.raises(hidden.Failed, match="predicts other classes"):
        hidden.test_mnist_submission(lambda: (Oracle(shift=1), probs))
    with pytest.raises(hidden.Failed, match="expected a numpy.ndarray"):
        hidden.test_mnist_submission(lambda: (Oracle(), probs.tolist()))
    with pytest.raises(hidden.Failed, match=r"expected shape \(1000, 10\)"):
        hidden.test_mnist_submission(lambda: (Oracle(), probs[:500]))
    with pytest.raises(hidden.Failed, match="softmax"):
        hidden.test_mnist_submission(lambda: (Oracle(), probs * 3))
    with pytest.raises(hidden.Failed, match="must return"):
        hidden.test_mnist_submission(lambda: probs)
    with pytest.raises(hidden.Failed, match="NameError"):
        hidden.test_mnist_submission(lambda: (undefined_model, probs))  # noqa: F821
    monkeypatch.setenv("COURSE_FAST", "0")  # default mode wants all 10,000 test digits
    with pytest.raises(hidden.Failed, match=r"expected shape \(10000, 10\)"):
        hidden.test_mnist_submission(lambda: (Oracle(), probs))
