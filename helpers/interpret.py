"""What a trained CNN has learnt: activations, saliency, Grad-CAM, activation maximization,
and the geometry of its feature space (nearest neighbours, 1-NN accuracy, t-SNE).

Gradient methods use the **class score before the softmax** (the logit): when the model's last
layer is a ``Dense(..., activation="softmax")`` or an ``Activation("softmax")`` layer, the score
of class ``c`` is computed from that layer's input without the softmax. (The softmax
probability of one class also depends on every other class's score, which muddles its
gradient.) Models must be Keras functional or ``Sequential`` models built on an ``Input``, so
that inner layers' outputs can be reached by name.

Map:

- layers: :func:`layer_names`, :func:`spatial_layer_names`, :func:`get_layer`,
  :func:`activation_model`, :func:`intermediate_activations`;
- gradients: :func:`class_scores`, :func:`saliency_map`, :func:`grad_cam_parts` /
  :func:`grad_cam` (heat map at the layer's resolution), :func:`upsample`, :func:`overlay`,
  :func:`activation_maximization`;
- feature space: :func:`penultimate_features`, :func:`pairwise_distances`,
  :func:`nearest_neighbours`, :func:`one_nn_predict`, :func:`one_nn_accuracy`,
  :func:`tsne`, :func:`neighbour_agreement`;
- a picture of the idea: :func:`grad_cam_diagram`.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "layer_names",
    "spatial_layer_names",
    "get_layer",
    "activation_model",
    "intermediate_activations",
    "class_scores",
    "saliency_map",
    "GradCam",
    "grad_cam_parts",
    "grad_cam",
    "upsample",
    "overlay",
    "activation_maximization",
    "penultimate_features",
    "METRICS",
    "pairwise_distances",
    "nearest_neighbours",
    "one_nn_predict",
    "one_nn_accuracy",
    "tsne",
    "neighbour_agreement",
    "grad_cam_diagram",
]

METRICS = ("cosine", "euclidean", "l1")

# --------------------------------------------------------------------------- layers


def _check_model(model: Any, caller: str) -> None:
    if not hasattr(model, "layers") or not hasattr(model, "inputs"):
        raise TypeError(f"{caller}() needs a Keras model, got {type(model).__name__}")
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise ValueError(
            f"{caller}(): the model has no defined input; build it on keras.Input(shape) "
            "(a functional model, or a Sequential model whose first item is keras.Input)"
        )


def _inputs(model):
    """The model's input tensor (the list when there are several), to build sub-models on."""
    return model.inputs[0] if len(model.inputs) == 1 else model.inputs


def layer_names(model) -> list[str]:
    """The names of the model's layers, in order."""
    _check_model(model, "layer_names")
    return [layer.name for layer in model.layers]


def _output_rank(layer) -> int | None:
    try:
        return len(layer.output.shape)
    except (AttributeError, ValueError):
        return None


def spatial_layer_names(model) -> list[str]:
    """Names of the layers whose output has spatial axes ``(batch, H, W, C)``, in order.

    These are the layers Grad-CAM can use; the last one is its default.
    """
    _check_model(model, "spatial_layer_names")
    return [
        layer.name
        for layer in model.layers
        if _output_rank(layer) == 4 and type(layer).__name__ != "InputLayer"
    ]


def get_layer(model, name: str):
    """The layer called ``name``; an unknown name gets an error that lists the layers there are."""
    _check_model(model, "get_layer")
    if not isinstance(name, str):
        raise TypeError(f"a layer name must be a string, got {name!r}")
    for layer in model.layers:
        if layer.name == name:
            return layer
    raise ValueError(f"the model has no layer {name!r}; its layers are: {layer_names(model)}")


def activation_model(model, names: str | Sequence[str]):
    """A Keras model from the model's input to the outputs of the named layers (a list, in the
    order given; one name gives a one-output model)."""
    import keras

    single = isinstance(names, str)
    names = [names] if single else list(names)
    if not names:
        raise ValueError("activation_model() needs at least one layer name")
    outputs = [get_layer(model, n).output for n in names]
    return keras.Model(_inputs(model), outputs[0] if single else outputs, name="activations")


def _run(model, x: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Call a (sub-)model on ``x`` batch by batch (inference mode); a list of its outputs.

    A direct call, not ``predict``: sub-models are built on the fly, and ``predict`` would
    compile (and warn about re-tracing) a new function for each of them.
    """
    import keras

    if batch_size < 1:
        raise ValueError(f"batch_size must be ≥ 1, got {batch_size}")
    parts = []
    for start in range(0, len(x), batch_size):
        out = model(x[start : start + batch_size], training=False)
        out = list(out) if isinstance(out, list | tuple) else [out]
        parts.append([np.asarray(keras.ops.convert_to_numpy(o)) for o in out])
    return [np.concatenate(p, axis=0) for p in zip(*parts, strict=True)]


def intermediate_activations(model, x, names: Sequence[str], *, batch_size: int = 256):
    """``{layer name: its output for the images x}`` as NumPy arrays (x is a batch)."""
    names = [names] if isinstance(names, str) else list(names)
    x = _as_batch(model, x, "intermediate_activations")
    outs = _run(activation_model(model, names), x, batch_size)
    return dict(zip(names, outs, strict=True))


# --------------------------------------------------------------------------- scores and gradients


def _softmax_head(model):
    """``(kind, layer)``: how to get class scores before the softmax, if there is one."""
    last = model.layers[-1]
    act = getattr(last, "activation", None)
    if getattr(act, "__name__", "") == "softmax":
        if type(last).__name__ == "Activation":
            return "identity", last
        if type(last).__name__ == "Dense":
            return "dense", last
        raise ValueError(
            f"the last layer {last.name!r} ({type(last).__name__}) has a softmax that cannot be "
            "removed; end the model with Dense(..., activation='softmax') or Activation('softmax')"
        )
    return "apply", last


def _head_scores(kind: str, last, h):
    """Class scores from the input ``h`` of the last layer (no softmax)."""
    import keras

    if kind == "identity":
        return h
    if kind == "dense":
        z = keras.ops.matmul(h, last.kernel)
        return z + last.bias if last.use_bias else z
    return last(h, training=False)


_GRAD_MODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _grad_model(model, layer_name: str | None):
    """A model from the input to ``[layer output, input of the last layer]`` (cached)."""
    import keras

    key = layer_name or ""
    try:
        cache = _GRAD_MODELS.setdefault(model, {})
    except TypeError:  # not weak-referenceable: no cache
        cache = {}
    if key not in cache:
        head = model.layers[-1].input
        outputs = [get_layer(model, layer_name).output, head] if layer_name else [head]
        cache[key] = keras.Model(_inputs(model), outputs, name="grad_model")
    return cache[key]


def _as_batch(model, x, caller: str) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype.kind not in "iuf":
        raise TypeError(f"{caller}(): the images must hold numbers, got dtype {x.dtype}")
    want = tuple(model.inputs[0].shape[1:])
    if x.ndim == len(want) + 1:
        pass
    elif x.ndim == len(want):
        x = x[None]
    elif x.ndim == len(want) - 1 and want[-1] == 1:  # (H, W) for a one-channel model
        x = x[None, ..., None]
    else:
        raise ValueError(f"{caller}(): the model takes images of shape {want}, got {x.shape}")
    for got, w in zip(x.shape[1:], want, strict=True):
        if w is not None and got != w:
            raise ValueError(f"{caller}(): the model takes images of shape {want}, got {x.shape}")
    return x.astype("float32")


def _single(model, image, caller: str) -> np.ndarray:
    x = _as_batch(model, image, caller)
    if len(x) != 1:
        raise ValueError(f"{caller}() explains one image; got a batch of {len(x)}")
    return x


def _class_index(scores: np.ndarray, class_index: int | None, caller: str) -> int:
    n = scores.shape[-1]
    if class_index is None:
        return int(np.argmax(scores))
    if isinstance(class_index, bool) or not isinstance(class_index, int | np.integer):
        raise TypeError(f"{caller}(): class_index must be an int or None, got {class_index!r}")
    if not 0 <= class_index < n:
        raise ValueError(f"{caller}(): class_index={class_index} but the model has {n} classes")
    return int(class_index)


def class_scores(model, x, *, batch_size: int = 256) -> np.ndarray:
    """Class scores before the softmax (logits), ``(N, classes)``, for a batch of images."""
    import keras

    _check_model(model, "class_scores")
    x = _as_batch(model, x, "class_scores")
    kind, last = _softmax_head(model)
    h = _run(_grad_model(model, None), x, batch_size)[0]
    return np.asarray(keras.ops.convert_to_numpy(_head_scores(kind, last, h)))


def saliency_map(model, image, class_index: int | None = None) -> np.ndarray:
    """``|∂ score_c / ∂ pixel|``, the largest over the colour channels: an ``(H, W)`` array.

    ``class_index`` None explains the predicted class. The score is the logit (see the module
    docstring), so for a linear model the map is ``max_channels |w_c|`` whatever the image.
    """
    import tensorflow as tf

    _check_model(model, "saliency_map")
    x = tf.convert_to_tensor(_single(model, image, "saliency_map"))
    kind, last = _softmax_head(model)
    gm = _grad_model(model, None)
    with tf.GradientTape() as tape:
        tape.watch(x)
        h = gm(x, training=False)
        h = h[0] if isinstance(h, list | tuple) else h
        scores = _head_scores(kind, last, h)
        c = _class_index(scores.numpy()[0], class_index, "saliency_map")
        score = scores[0, c]
    grad = tape.gradient(score, x).numpy()[0]
    return np.abs(grad).max(axis=-1)


@dataclass
class GradCam:
    """Every piece of one Grad-CAM computation (what :func:`grad_cam_parts` returns).

    Attributes:
        layer: the layer whose feature maps are used.
        class_index: the explained class; ``score`` its logit.
        maps: the feature maps ``A``, ``(h, w, K)``.
        grads: ``∂ score / ∂ A``, ``(h, w, K)``.
        weights: ``α_k`` = the spatial mean of ``grads``, ``(K,)``.
        raw: ``ReLU(Σ_k α_k A^k)``, ``(h, w)``, before normalisation.
        heatmap: ``raw / raw.max()`` in [0, 1] (all zeros when ``raw`` is all zero).
    """

    layer: str
    class_index: int
    score: float
    maps: np.ndarray
    grads: np.ndarray
    weights: np.ndarray
    raw: np.ndarray
    heatmap: np.ndarray


def _default_cam_layer(model) -> str:
    names = spatial_layer_names(model)
    if not names:
        raise ValueError(
            "Grad-CAM needs a layer with spatial axes (batch, H, W, C) and this model has none; "
            f"its layers are: {layer_names(model)}"
        )
    return names[-1]


def grad_cam_parts(model, image, class_index: int | None = None, layer: str | None = None):
    """Grad-CAM, keeping the pieces: see :class:`GradCam` and :func:`grad_cam`."""
    import tensorflow as tf

    _check_model(model, "grad_cam")
    layer = _default_cam_layer(model) if layer is None else layer
    target = get_layer(model, layer)
    if _output_rank(target) != 4:
        raise ValueError(
            f"layer {layer!r} has output shape {tuple(target.output.shape)}: no spatial axes, "
            "so there is no map to draw; Grad-CAM needs a layer with output (batch, H, W, C), "
            f"e.g. one of {spatial_layer_names(model)}"
        )
    x = tf.convert_to_tensor(_single(model, image, "grad_cam"))
    kind, last = _softmax_head(model)
    gm = _grad_model(model, layer)
    with tf.GradientTape() as tape:
        maps, h = gm(x, training=False)
        scores = _head_scores(kind, last, h)
        c = _class_index(scores.numpy()[0], class_index, "grad_cam")
        score = scores[0, c]
    grads = tape.gradient(score, maps)
    if grads is None:
        raise ValueError(f"the class score does not depend on layer {layer!r}")
    maps, grads = maps.numpy()[0].astype(np.float64), grads.numpy()[0].astype(np.float64)
    weights = grads.mean(axis=(0, 1))
    raw = np.maximum(np.tensordot(maps, weights, axes=([2], [0])), 0.0)
    top = raw.max()
    heat = raw / top if top > 0 else np.zeros_like(raw)
    return GradCam(layer, c, float(score), maps, grads, weights, raw, heat)


def grad_cam(model, image, class_index: int | None = None, layer: str | None = None):
    """The Grad-CAM heat map of one image: ``(h, w)`` in [0, 1] at ``layer``'s resolution.

    ``α_k`` = spatial mean of ``∂ score_c / ∂ A^k``; map = ``ReLU(Σ_k α_k A^k)`` divided by its
    maximum (all zeros when nothing speaks for the class). ``class_index`` None explains the
    predicted class; ``layer`` None uses the last layer with spatial axes. Enlarge the map
    with :func:`upsample` or draw it over the image with :func:`overlay`.
    """
    return grad_cam_parts(model, image, class_index, layer).heatmap


def upsample(heatmap, size: tuple[int, int]) -> np.ndarray:
    """A 2-D map resized (bilinear) to ``size = (H, W)``, as float64."""
    import tensorflow as tf

    h = np.asarray(heatmap, dtype=np.float32)
    if h.ndim != 2:
        raise ValueError(f"upsample() takes a 2-D map, got shape {h.shape}")
    size = tuple(int(s) for s in size)
    if len(size) != 2 or min(size) < 1:
        raise ValueError(f"size must be (H, W) with positive entries, got {size}")
    out = tf.image.resize(h[None, ..., None], size, method="bilinear").numpy()[0, ..., 0]
    return out.astype(np.float64)


def overlay(image, heatmap, *, alpha: float = 0.45, cmap: str = "jet") -> np.ndarray:
    """The image (grey or RGB, any range) with the heat map drawn over it in colour.

    The heat map (values in [0, 1], any resolution) is enlarged to the image's size. Returns an
    ``(H, W, 3)`` float RGB image in [0, 1]: ``(1 − alpha)·image + alpha·colour(heat)``.
    """
    import matplotlib

    img = np.asarray(image, dtype=np.float64)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=-1)
    if img.ndim != 3 or img.shape[-1] != 3:
        raise ValueError(
            f"overlay() takes an (H, W), (H, W, 1) or (H, W, 3) image, got {img.shape}"
        )
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    lo, hi = img.min(), img.max()
    img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
    heat = np.clip(upsample(heatmap, img.shape[:2]), 0.0, 1.0)
    colour = matplotlib.colormaps[cmap](heat)[..., :3]
    return (1 - alpha) * img + alpha * colour


def activation_maximization(
    model,
    layer: str,
    index: int,
    *,
    steps: int = 60,
    lr: float = 0.1,
    value_range: tuple[float, float] = (0.0, 1.0),
    start=None,
    seed: int = 0,
):
    """An input that makes one filter (or unit) of ``layer`` respond strongly: gradient ascent.

    Starts from mid-grey with a little noise (or from ``start``), then repeats ``steps`` times:
    gradient of the objective with respect to the image, scaled to unit RMS, a step of ``lr``,
    values clipped to ``value_range``. The objective is the mean of channel ``index`` over the
    map for a layer with spatial axes, unit ``index`` for a dense layer; for the model's final
    softmax layer it is the class score before the softmax.

    Returns:
        ``(image, trace)``: the image ``(H, W, C)`` and the objective before each step and after
        the last, ``(steps + 1,)``.
    """
    import tensorflow as tf

    _check_model(model, "activation_maximization")
    target = get_layer(model, layer)
    rank = _output_rank(target)
    n = int(target.output.shape[-1])
    if isinstance(index, bool) or not isinstance(index, int | np.integer) or not 0 <= index < n:
        raise ValueError(f"index must be an int in 0..{n - 1} for layer {layer!r}, got {index!r}")
    if steps < 1 or lr <= 0:
        raise ValueError(f"steps must be ≥ 1 and lr > 0, got steps={steps}, lr={lr}")
    lo, hi = (float(v) for v in value_range)
    shape = tuple(model.inputs[0].shape[1:])
    if start is None:
        rng = np.random.default_rng(seed)
        x0 = (lo + hi) / 2 + 0.05 * (hi - lo) * rng.standard_normal(shape)
    else:
        x0 = _single(model, start, "activation_maximization")[0]
    x = tf.Variable(np.clip(x0, lo, hi)[None].astype("float32"))
    is_head = target is model.layers[-1]
    if is_head:
        kind, last = _softmax_head(model)
        gm = _grad_model(model, None)
    else:
        gm = activation_model(model, layer)

    def objective():
        out = gm(x, training=False)
        if is_head:
            out = _head_scores(kind, last, out[0] if isinstance(out, list | tuple) else out)
        return tf.reduce_mean(out[0, ..., index]) if rank == 4 else out[0, index]

    trace = []
    for _ in range(steps):
        with tf.GradientTape() as tape:
            value = objective()
        g = tape.gradient(value, x)
        trace.append(float(value))
        g = g / (tf.sqrt(tf.reduce_mean(tf.square(g))) + 1e-8)
        x.assign(tf.clip_by_value(x + lr * g, lo, hi))
    trace.append(float(objective()))
    return x.numpy()[0].astype(np.float64), np.array(trace)


# --------------------------------------------------------------------------- feature space


def penultimate_features(model, x, *, layer: str | None = None, batch_size: int = 256):
    """The features the classifier sees: the input of the model's last layer, ``(N, D)``.

    ``layer`` names another layer to read instead; its output is flattened per image.
    """
    import keras

    _check_model(model, "penultimate_features")
    x = _as_batch(model, x, "penultimate_features")
    out = model.layers[-1].input if layer is None else get_layer(model, layer).output
    fen = keras.Model(_inputs(model), out, name="feature_extractor")
    feats = _run(fen, x, batch_size)[0]
    return feats.reshape(len(feats), -1)


def _features_2d(a, what: str) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{what} must hold numbers, got dtype {a.dtype}")
    if a.ndim != 2 or 0 in a.shape:
        raise ValueError(f"{what} must be a non-empty 2-D array (items, features), got {a.shape}")
    return a.astype(np.float64)


def pairwise_distances(queries, features, metric: str = "cosine") -> np.ndarray:
    """Distances ``(n_queries, n_features)``: cosine (1 − cosine similarity), euclidean or l1."""
    q = _features_2d(queries, "queries")
    f = _features_2d(features, "features")
    if q.shape[1] != f.shape[1]:
        raise ValueError(f"queries have {q.shape[1]} features but the bank has {f.shape[1]}")
    if metric == "cosine":
        qn = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
        fn = f / np.maximum(np.linalg.norm(f, axis=1, keepdims=True), 1e-12)
        return 1.0 - qn @ fn.T
    if metric == "euclidean":
        sq = (q**2).sum(1)[:, None] - 2 * q @ f.T + (f**2).sum(1)[None]
        return np.sqrt(np.maximum(sq, 0.0))
    if metric == "l1":
        from scipy.spatial.distance import cdist

        return cdist(q, f, metric="cityblock")
    raise ValueError(f"unknown metric {metric!r}; choose one of {METRICS}")


def nearest_neighbours(features, query, k: int = 5, *, metric: str = "cosine"):
    """The ``k`` rows of ``features`` closest to ``query``, closest first.

    ``query`` is one vector ``(D,)`` or several ``(Q, D)``. Returns ``(indices, distances)``,
    each ``(k,)`` or ``(Q, k)``. Ties keep the lower index first.
    """
    one = np.asarray(query).ndim == 1
    q = np.asarray(query)[None] if one else query
    n = np.asarray(features).shape[0] if np.asarray(features).ndim == 2 else 0
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= max(n, 1):
        raise ValueError(f"k must be an int from 1 to the number of rows ({n}), got {k!r}")
    d = pairwise_distances(q, features, metric)
    idx = np.argsort(d, axis=1, kind="stable")[:, :k]
    dist = np.take_along_axis(d, idx, axis=1)
    return (idx[0], dist[0]) if one else (idx, dist)


def one_nn_predict(train_features, train_labels, query_features, *, metric: str = "cosine",
                   chunk: int = 1024) -> np.ndarray:  # fmt: skip
    """The label of each query's nearest training row (1-nearest-neighbour classification)."""
    train_labels = np.asarray(train_labels)
    if len(train_labels) != len(np.asarray(train_features)):
        raise ValueError("train_features and train_labels have different lengths")
    q = _features_2d(query_features, "query_features")
    out = np.empty(len(q), dtype=train_labels.dtype)
    for start in range(0, len(q), chunk):
        d = pairwise_distances(q[start : start + chunk], train_features, metric)
        out[start : start + chunk] = train_labels[np.argmin(d, axis=1)]
    return out


def one_nn_accuracy(train_features, train_labels, query_features, query_labels, *,
                    metric: str = "cosine") -> float:  # fmt: skip
    """The fraction of queries whose nearest training row has the query's label."""
    pred = one_nn_predict(train_features, train_labels, query_features, metric=metric)
    query_labels = np.asarray(query_labels)
    if len(query_labels) != len(pred):
        raise ValueError("query_features and query_labels have different lengths")
    return float(np.mean(pred == query_labels))


def tsne(
    features,
    *,
    perplexity: float = 30.0,
    seed: int = 0,
    pca_dims: int | None = 50,
    max_iter: int = 1000,
):
    """A 2-D t-SNE map of ``features`` (scikit-learn), ``(N, 2)``.

    Features with more than ``pca_dims`` columns are first reduced with PCA (the usual speed-up;
    ``None`` skips it). ``perplexity`` must be smaller than the number of points; ``max_iter``
    (at least 250) is the number of optimisation steps.
    """
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    f = _features_2d(features, "features")
    if not 1 <= perplexity < len(f):
        raise ValueError(f"perplexity must be in [1, {len(f)}) for {len(f)} points")
    if pca_dims is not None and f.shape[1] > pca_dims and len(f) > pca_dims:
        f = PCA(pca_dims, random_state=seed).fit_transform(f)
    model = TSNE(2, perplexity=perplexity, init="pca", learning_rate="auto", random_state=seed,
                 max_iter=max_iter)  # fmt: skip
    return model.fit_transform(f)


def neighbour_agreement(points, labels) -> float:
    """The fraction of points whose nearest *other* point (euclidean) has the same label:
    1-NN accuracy, leave-one-out; how well a map keeps the classes apart."""
    p = _features_2d(points, "points")
    labels = np.asarray(labels)
    if len(labels) != len(p) or len(p) < 2:
        raise ValueError("points and labels need the same length (at least 2)")
    d = pairwise_distances(p, p, "euclidean")
    np.fill_diagonal(d, np.inf)
    return float(np.mean(labels[np.argmin(d, axis=1)] == labels))


# --------------------------------------------------------------------------- diagram


def _box(ax, xy, text, *, w=1.6, h=0.8, color="#dbe9f6"):
    from matplotlib.patches import FancyBboxPatch

    x, y = xy
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.05",
                                fc=color, ec="#345", lw=1.2))  # fmt: skip
    ax.text(x, y, text, ha="center", va="center", fontsize=9)


def _arrow(ax, start, end, text="", *, color="#345", style="-|>", offset=(0.0, 0.18)):
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": style, "color": color, "lw": 1.4})  # fmt: skip
    if text:
        mx, my = (start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1]
        ax.text(mx, my, text, ha="center", va="bottom", fontsize=8, color=color)


def grad_cam_diagram():
    """A data-flow picture of Grad-CAM: forward pass (black) and gradients (red)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 3.6))
    ax.set_xlim(0, 11.2)
    ax.set_ylim(0, 3.6)
    ax.axis("off")
    top, low = 2.7, 0.9
    _box(ax, (0.9, top), "image x\nH×W×3", color="#eeeeee")
    _box(ax, (3.0, top), "conv layers", w=1.4)
    _box(ax, (5.2, top), "feature maps\nA^k  (h×w×K)", w=1.8, color="#fde9c9")
    _box(ax, (7.4, top), "rest of the\nnetwork", w=1.5)
    _box(ax, (9.8, top), "class score y_c\n(before softmax)", w=2.0, color="#d7f0d7")
    _arrow(ax, (1.7, top), (2.3, top))
    _arrow(ax, (3.7, top), (4.3, top))
    _arrow(ax, (6.1, top), (6.65, top))
    _arrow(ax, (8.15, top), (8.8, top))
    red = "#c0392b"
    _box(ax, (7.4, low), "∂y_c/∂A^k\n(h×w×K)", w=1.6, color="#f6d5d1")
    _box(ax, (5.2, low), "α_k = mean over\nh×w of ∂y_c/∂A^k", w=2.0, color="#f6d5d1")
    _box(ax, (2.5, low), "ReLU(Σ_k α_k A^k)\n÷ max → heat map\nh×w in [0, 1]", w=2.4, h=1.0,
         color="#fff3b0")  # fmt: skip
    _arrow(ax, (9.8, top - 0.45), (8.2, low + 0.2), "back-propagate", color=red, offset=(0.5, 0))
    _arrow(ax, (6.6, low), (6.2, low), color=red)
    _arrow(ax, (4.2, low), (3.7, low), color=red)
    _arrow(ax, (5.2, top - 0.45), (3.2, low + 0.5), "maps A^k", offset=(-0.4, 0.0))
    ax.set_title("Grad-CAM: which places of the last feature maps raise the class score?",
                 fontsize=11)  # fmt: skip
    fig.tight_layout()
    return fig
