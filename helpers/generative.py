"""Generative vision: DeepDream, neural style transfer and GANs (chapter 20).

Losses (differentiable TensorFlow ops; NumPy arrays are accepted and give ``tf.Tensor`` back):

- :func:`gram_matrix` — ``G = Fᵀ F / (H·W)`` of a feature map ``F`` reshaped to
  ``(H·W, C)``: the channels' co-activations averaged over the positions. One map
  ``(H, W, C)`` gives ``(C, C)``, a batch ``(N, H, W, C)`` gives ``(N, C, C)``. Dividing by the
  number of positions makes layers of different sizes comparable (Gatys et al. divide the
  squared difference by ``4·C²·(H·W)²`` instead; the two differ by a constant per layer).
- :func:`content_loss` — mean squared difference of two feature maps.
- :func:`style_layer_loss` — mean squared difference of two Gram matrices (one layer);
  :func:`style_loss` — their weighted sum over layers (weights default to ``1 / layers``).
- :func:`total_variation_loss` — mean absolute difference of vertical neighbours plus that of
  horizontal neighbours: small for smooth images, large for noisy ones.
- :func:`discriminator_loss`, :func:`generator_loss` (non-saturating, the one used in practice)
  and :func:`minimax_generator_loss` (the ``log(1 − D(G(z)))`` of the original minimax game),
  all **from logits** with ``softplus`` so that large logits neither overflow nor give
  ``log(0)``. With ``D = σ(l)``: ``−log D = softplus(−l)`` and ``−log(1 − D) = softplus(l)``.

Optimising images with a pretrained network:

- :func:`feature_extractor` — a Keras model: an RGB batch in ``[0, 1]`` in, a dict
  ``{layer name: feature map}`` out, with the family's preprocessing built in
  (``"efficientnet_lite0"``: ``(255·x − 127) / 128``; ``"vgg19"``: BGR minus the ImageNet mean).
  :data:`LITE0_LAYERS` names the layers the chapter uses.
- :func:`deepdream` — gradient *ascent* on the mean squared activations of chosen layers,
  with random jitter and octaves (the image processed from small to full size).
- :func:`style_transfer` — gradient *descent* (Adam) on ``α·content + β·style + tv·TV``,
  starting from the content image; returns the image, snapshots and the loss history.

GANs on MNIST (images in ``[−1, 1]``, shape ``(28, 28, 1)``):

- :func:`seed_gan_generator` (839,937 weights) and :func:`seed_gan_discriminator` (212,865):
  the seed's models (004 §24.3) rebuilt channels-last; the discriminator returns a logit.
- :func:`cpu_dcgan` — a smaller DCGAN (transposed convolutions, batch normalization) that
  learns digits in minutes on two cores.
- :func:`make_gan_step` (one tf.function step: D then G), :func:`train_gan` (epochs, per-epoch
  sample grids from fixed noise, the loss history), :func:`sample_grid` (tile samples).

Diagrams drawn by code: :func:`draw_deepdream_diagram`, :func:`draw_style_transfer_diagram`,
:func:`draw_gan_diagram`.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "LITE0_LAYERS",
    "gram_matrix",
    "content_loss",
    "style_layer_loss",
    "style_loss",
    "balanced_style_weights",
    "total_variation_loss",
    "discriminator_loss",
    "generator_loss",
    "minimax_generator_loss",
    "feature_extractor",
    "to_unit_image",
    "DreamResult",
    "deepdream",
    "StyleResult",
    "style_transfer",
    "seed_gan_generator",
    "seed_gan_discriminator",
    "SEED_GENERATOR_PARAMS",
    "SEED_DISCRIMINATOR_PARAMS",
    "cpu_dcgan",
    "make_gan_step",
    "GanHistory",
    "train_gan",
    "sample_grid",
    "judge_samples",
    "classifier_score",
    "draw_deepdream_diagram",
    "draw_style_transfer_diagram",
    "draw_gan_diagram",
]

SEED_GENERATOR_PARAMS = 839_937
SEED_DISCRIMINATOR_PARAMS = 212_865

#: Layers of EfficientNet-Lite0 (:mod:`helpers.pretrained.efficientnet_lite`) used by chapter 20.
#: Style: five ReLU6 outputs from the stem to stage 6 (112², 112², 56², 28², 14² for a 224
#: input: the expansions read each stage's input), the role of VGG's ``block1_conv1 …
#: block5_conv1``; content: a mid-depth block's output;
#: dream: two expansion activations of the middle stages (textures and parts).
LITE0_LAYERS = {
    "style": [
        "stem_activation",
        "block2a_expand_activation",
        "block3a_expand_activation",
        "block4a_expand_activation",
        "block6a_expand_activation",
    ],
    "content": ["block4c_add"],
    "dream": ["block3b_expand_activation", "block4a_expand_activation"],
}

#: The same roles in VGG19 (Gatys et al. 2015): conv1_1 … conv5_1 for style, conv4_2 for content.
VGG19_LAYERS = {
    "style": ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"],
    "content": ["block4_conv2"],
    "dream": ["block4_conv3", "block5_conv1"],
}


# --------------------------------------------------------------------------- losses


def _tensor(x: Any, what: str):
    import tensorflow as tf

    t = tf.convert_to_tensor(x)
    if not t.dtype.is_floating:
        t = tf.cast(t, tf.float32)
    if t.shape.rank is None:
        raise ValueError(f"{what}: the rank must be known")
    return t


def gram_matrix(features: Any):
    """The Gram matrix ``Fᵀ F / (H·W)`` of a feature map (see the module docstring).

    Args:
        features: ``(H, W, C)`` (one map → ``(C, C)``) or ``(N, H, W, C)`` (→ ``(N, C, C)``).

    Entry ``(i, j)`` is the average over positions of channel i's activation times channel j's:
    large when the two features fire together, whatever the place. The diagonal holds each
    channel's mean square. Where things are is averaged away; which features co-occur stays.
    """
    import tensorflow as tf

    f = _tensor(features, "gram_matrix")
    if f.shape.rank == 3:
        f = f[None]
        single = True
    elif f.shape.rank == 4:
        single = False
    else:
        raise ValueError(
            f"gram_matrix: expected a feature map (H, W, C) or a batch (N, H, W, C), "
            f"got shape {tuple(f.shape)}"
        )
    shape = tf.shape(f)
    positions = tf.cast(shape[1] * shape[2], f.dtype)
    g = tf.einsum("nhwi,nhwj->nij", f, f) / positions
    return g[0] if single else g


def _same_shape(a, b, caller: str) -> None:
    if a.shape.is_fully_defined() and b.shape.is_fully_defined() and a.shape != b.shape:
        raise ValueError(
            f"{caller}: the two inputs must have the same shape, got {tuple(a.shape)} "
            f"and {tuple(b.shape)}"
        )


def content_loss(generated: Any, target: Any):
    """Mean squared difference of two feature maps of the same shape (a scalar)."""
    import tensorflow as tf

    g, t = _tensor(generated, "content_loss"), _tensor(target, "content_loss")
    _same_shape(g, t, "content_loss")
    return tf.reduce_mean(tf.square(g - tf.cast(t, g.dtype)))


def style_layer_loss(generated_features: Any, target_gram: Any):
    """One layer's style loss: mean squared difference of ``gram_matrix(generated_features)``
    and ``target_gram`` (the style image's Gram matrix at that layer)."""
    import tensorflow as tf

    g = gram_matrix(generated_features)
    t = _tensor(target_gram, "style_layer_loss")
    _same_shape(g, t, "style_layer_loss (Gram matrices)")
    return tf.reduce_mean(tf.square(g - tf.cast(t, g.dtype)))


def style_loss(
    generated_features: Sequence[Any],
    target_grams: Sequence[Any],
    weights: Sequence[float] | None = None,
):
    """The style loss over several layers: ``Σ_l w_l · style_layer_loss(F_l, G_l)``.

    Args:
        generated_features: the generated image's feature maps, one per style layer.
        target_grams: the style image's Gram matrices, in the same order.
        weights: one weight per layer; default ``1 / (number of layers)`` each.
    """
    feats, grams = list(generated_features), list(target_grams)
    if not feats or len(feats) != len(grams):
        raise ValueError(
            f"style_loss: need one Gram matrix per feature map, got {len(feats)} maps and "
            f"{len(grams)} Gram matrices"
        )
    if weights is None:
        weights = [1.0 / len(feats)] * len(feats)
    if len(weights) != len(feats):
        raise ValueError(f"style_loss: {len(weights)} weights for {len(feats)} layers")
    total = 0.0
    for f, g, w in zip(feats, grams, weights, strict=True):
        total = total + float(w) * style_layer_loss(f, g)
    return total


def balanced_style_weights(target_grams: Sequence[Any]) -> list[float]:
    """Per-layer style weights ``1 / (L · mean(G_l²))``: each layer's loss is measured relative
    to the size of its own Gram matrix, so that layers whose features are large (often the
    early ones) do not drown the others. Raises for an all-zero Gram matrix."""
    grams = [np.asarray(g, dtype=np.float64) for g in target_grams]
    if not grams:
        raise ValueError("balanced_style_weights: no Gram matrices")
    sizes = [float(np.mean(g**2)) for g in grams]
    if min(sizes) <= 0:
        raise ValueError("balanced_style_weights: a Gram matrix is all zeros")
    return [1.0 / (len(grams) * m) for m in sizes]


def total_variation_loss(images: Any):
    """``mean |x[i+1, j] − x[i, j]| + mean |x[i, j+1] − x[i, j]|`` over an image
    ``(H, W, C)`` or a batch ``(N, H, W, C)`` (a scalar)."""
    import tensorflow as tf

    x = _tensor(images, "total_variation_loss")
    if x.shape.rank == 3:
        x = x[None]
    if x.shape.rank != 4:
        raise ValueError(
            f"total_variation_loss: expected (H, W, C) or (N, H, W, C), got {tuple(x.shape)}"
        )
    dy = tf.reduce_mean(tf.abs(x[:, 1:] - x[:, :-1]))
    dx = tf.reduce_mean(tf.abs(x[:, :, 1:] - x[:, :, :-1]))
    return dy + dx


def discriminator_loss(real_logits: Any, fake_logits: Any, real_label: float = 1.0):
    """The discriminator's binary cross-entropy, from logits (a scalar).

    ``mean(−log D(x)) + mean(−log(1 − D(G(z))))`` with ``D = σ(logit)``, computed as
    ``softplus(−l)`` and ``softplus(l)``. ``real_label < 1`` is one-sided label smoothing
    (real images get the target ``real_label``: ``softplus(l) − real_label·l``).
    """
    import tensorflow as tf

    real = _tensor(real_logits, "discriminator_loss")
    fake = _tensor(fake_logits, "discriminator_loss")
    if not 0.0 < real_label <= 1.0:
        raise ValueError(f"real_label must be in (0, 1], got {real_label}")
    real_term = tf.reduce_mean(tf.nn.softplus(real) - real_label * real)
    return real_term + tf.reduce_mean(tf.nn.softplus(fake))


def generator_loss(fake_logits: Any):
    """The non-saturating generator loss ``mean(−log D(G(z))) = mean(softplus(−l))``.

    Its gradient is large when D confidently rejects the fakes (early in training), which is
    when the generator most needs a signal; see :func:`minimax_generator_loss`.
    """
    import tensorflow as tf

    return tf.reduce_mean(tf.nn.softplus(-_tensor(fake_logits, "generator_loss")))


def minimax_generator_loss(fake_logits: Any):
    """The generator's side of the original minimax game: ``mean(log(1 − D(G(z))))``
    ``= mean(−softplus(l))``, to be *minimised*. It saturates: when D rejects the fakes
    (``l ≪ 0``) its gradient ``−σ(l)`` is nearly zero."""
    import tensorflow as tf

    return -tf.reduce_mean(tf.nn.softplus(_tensor(fake_logits, "minimax_generator_loss")))


# --------------------------------------------------------------------------- images


_PREPROCESS = ("efficientnet_lite0", "vgg19", "none")


def _make_preprocess_layer(family: str):
    import keras

    if family not in _PREPROCESS:
        raise ValueError(f"family must be one of {_PREPROCESS}, got {family!r}")

    class Preprocess(keras.layers.Layer):
        """RGB in [0, 1] → what the family's network expects."""

        def call(self, x):
            if family == "efficientnet_lite0":
                return (x * 255.0 - 127.0) / 128.0
            if family == "vgg19":
                mean_bgr = keras.ops.convert_to_tensor([103.939, 116.779, 123.68])
                return keras.ops.flip(x, axis=-1) * 255.0 - mean_bgr
            return x

    return Preprocess(name=f"preprocess_{family}")


def feature_extractor(backbone, layer_names: Sequence[str], *, family: str = "efficientnet_lite0"):
    """A model: RGB images in ``[0, 1]`` ``(N, H, W, 3)`` → ``{name: feature map}``.

    Args:
        backbone: a functional Keras model (e.g. ``efficientnet_lite0(include_top=False,
            input_shape=(None, None, 3))``); it is frozen (``trainable = False``).
        layer_names: layers whose outputs are wanted (duplicates are kept once).
        family: the backbone's preprocessing, built into the model (``"efficientnet_lite0"``,
            ``"vgg19"`` or ``"none"``).
    """
    import keras

    names = list(dict.fromkeys(layer_names))
    if not names:
        raise ValueError("feature_extractor: give at least one layer name")
    known = {layer.name for layer in backbone.layers}
    missing = [n for n in names if n not in known]
    if missing:
        sample = ", ".join(sorted(n for n in known if n.endswith(("activation", "add")))[:8])
        raise ValueError(f"feature_extractor: no layer {missing[0]!r} in {backbone.name}; "
                         f"layers look like: {sample}, …")  # fmt: skip
    backbone.trainable = False
    inner = keras.Model(backbone.inputs, {n: backbone.get_layer(n).output for n in names})
    inputs = keras.Input(shape=(None, None, 3), name="image01")
    outputs = inner(_make_preprocess_layer(family)(inputs), training=False)
    model = keras.Model(inputs, outputs, name=f"features_{len(names)}_layers")
    model.feature_layers = tuple(names)
    return model


def to_unit_image(image: Any) -> np.ndarray:
    """An RGB image as float32 in ``[0, 1]``: uint8 (0–255) is divided by 255, floats kept."""
    x = np.asarray(image)
    if x.ndim != 3 or x.shape[-1] != 3:
        raise ValueError(f"expected an RGB image (H, W, 3), got shape {x.shape}")
    if x.dtype == np.uint8:
        return x.astype(np.float32) / 255.0
    x = x.astype(np.float32)
    if not np.isfinite(x).all() or x.min() < 0 or x.max() > 1:
        raise ValueError("a float image must hold finite values in [0, 1]")
    return x


def _resize(x, size):
    import tensorflow as tf

    return tf.image.resize(x, size, method="bilinear")


@dataclass
class DreamResult:
    """What :func:`deepdream` returns: the image in [0, 1], one snapshot after each octave,
    and the objective (mean squared activation, summed over layers) before every step."""

    image: np.ndarray
    snapshots: list[np.ndarray]
    objective: np.ndarray
    octave_sizes: list[tuple[int, int]]


def deepdream(
    image: Any,
    model,
    layers: Sequence[str],
    *,
    steps: int = 20,
    step_size: float = 0.01,
    octaves: int = 3,
    octave_scale: float = 1.4,
    jitter: int = 16,
    seed: int = 0,
    family: str = "efficientnet_lite0",
) -> DreamResult:
    """DeepDream: change an image so that chosen layers respond *more* (gradient ascent).

    For each octave, from the smallest (``size / octave_scale**(octaves − 1)``) to the full
    size: ``steps`` times, roll the image by a random shift of up to ``jitter`` pixels, take the
    gradient of ``Σ_layers mean(activation²)`` with respect to the image, normalise it by its
    mean absolute value, step ``step_size`` uphill, roll back and clip to [0, 1]. Before moving
    to the next size, the detail that the shrinking lost is added back.

    Args:
        image: RGB ``(H, W, 3)``, uint8 or float in [0, 1].
        model: a backbone (its layers named in ``layers``) or a :func:`feature_extractor`.
    """
    import tensorflow as tf

    if steps < 1 or octaves < 1 or step_size <= 0 or octave_scale <= 1 or jitter < 0:
        raise ValueError("need steps ≥ 1, octaves ≥ 1, step_size > 0, octave_scale > 1, "
                         "jitter ≥ 0")  # fmt: skip
    base = to_unit_image(image)
    names = list(layers)
    if set(names) <= set(getattr(model, "feature_layers", ())):
        extractor = model  # already a feature_extractor
    else:
        extractor = feature_extractor(model, names, family=family)
    rng = np.random.default_rng(seed)
    h, w = base.shape[:2]
    sizes = [
        (max(8, round(h / octave_scale**k)), max(8, round(w / octave_scale**k)))
        for k in range(octaves - 1, -1, -1)
    ]

    @tf.function(reduce_retracing=True, autograph=False)
    def ascent(x, shift):
        rolled = tf.roll(x, shift, axis=[1, 2])
        with tf.GradientTape() as tape:
            tape.watch(rolled)
            feats = extractor(rolled, training=False)
            value = tf.add_n([tf.reduce_mean(tf.square(feats[n])) for n in names])
        g = tape.gradient(value, rolled)
        g = g / (tf.reduce_mean(tf.abs(g)) + 1e-8)
        return tf.roll(g, -shift, axis=[1, 2]), value

    original = tf.constant(base[None])
    x = _resize(original, sizes[0])
    snapshots, trace = [], []
    for k, size in enumerate(sizes):
        if k > 0:
            prev = sizes[k - 1]
            lost = _resize(original, size) - _resize(_resize(original, prev), size)
            x = _resize(x, size) + lost
        for _ in range(steps):
            shift = rng.integers(-jitter, jitter + 1, size=2) if jitter else np.zeros(2, int)
            g, value = ascent(x, tf.constant(shift, tf.int32))
            trace.append(float(value))
            x = tf.clip_by_value(x + step_size * g, 0.0, 1.0)
        snapshots.append(x.numpy()[0])
    return DreamResult(x.numpy()[0], snapshots, np.array(trace), sizes)


@dataclass
class StyleResult:
    """What :func:`style_transfer` returns: the image in [0, 1], ``{step: image}`` snapshots
    (step 0 is the start) and per-step losses (``total``, ``content``, ``style``, ``tv``; the
    unweighted parts), plus the seconds it took."""

    image: np.ndarray
    snapshots: dict[int, np.ndarray]
    history: dict[str, np.ndarray]
    seconds: float = 0.0
    weights: dict[str, float] = field(default_factory=dict)


def style_transfer(
    content: Any,
    style: Any,
    extractor,
    *,
    content_layers: Sequence[str],
    style_layers: Sequence[str],
    style_weights: Sequence[float] | str | None = None,
    alpha: float = 1.0,
    beta: float = 1.0,
    tv_weight: float = 0.0,
    steps: int = 100,
    lr: float = 0.02,
    snapshot_every: int = 25,
    init: str = "content",
    seed: int = 0,
) -> StyleResult:
    """Neural style transfer (Gatys et al. 2015) by Adam on the pixels.

    Minimises ``α·content_loss + β·style_loss + tv_weight·total_variation_loss`` where the
    content loss compares the features of ``content_layers`` with the content image's and the
    style loss compares the Gram matrices of ``style_layers`` with the style image's (the style
    image may have another size: Gram matrices are ``C × C`` whatever the size).

    Args:
        content, style: RGB images, uint8 or float in [0, 1].
        extractor: a :func:`feature_extractor` that returns every named layer.
        style_weights: one weight per style layer; ``None``: ``1 / layers`` each;
            ``"balanced"``: :func:`balanced_style_weights` of the style image's Gram matrices
            (each layer's loss divided by its Gram's mean square, so no layer dominates).
        init: ``"content"`` (start from the content image, the usual choice) or ``"noise"``
            (start from noise, as in the paper).
    """
    import keras
    import tensorflow as tf

    if steps < 1 or lr <= 0 or snapshot_every < 1:
        raise ValueError("need steps ≥ 1, lr > 0 and snapshot_every ≥ 1")
    if init not in ("content", "noise"):
        raise ValueError(f"init must be 'content' or 'noise', got {init!r}")
    c_img, s_img = to_unit_image(content), to_unit_image(style)
    c_names, s_names = list(content_layers), list(style_layers)
    c_feats = extractor(c_img[None], training=False)
    s_feats = extractor(s_img[None], training=False)
    for n in c_names + s_names:
        if n not in c_feats:
            raise ValueError(f"style_transfer: the extractor does not return layer {n!r}")
    c_targets = [tf.constant(c_feats[n]) for n in c_names]
    s_targets = [gram_matrix(s_feats[n]) for n in s_names]
    if isinstance(style_weights, str):
        if style_weights != "balanced":
            raise ValueError(f"style_weights must be a list, None or 'balanced', got "
                             f"{style_weights!r}")  # fmt: skip
        style_weights = balanced_style_weights(s_targets)
    if init == "content":
        start = c_img
    else:
        start = np.random.default_rng(seed).uniform(0, 1, c_img.shape).astype(np.float32)
    x = tf.Variable(start[None])
    opt = keras.optimizers.Adam(learning_rate=lr, beta_1=0.9, beta_2=0.999, epsilon=1e-8)

    def losses():
        feats = extractor(x, training=False)
        pairs = zip(c_names, c_targets, strict=True)
        lc = tf.add_n([content_loss(feats[n], t) for n, t in pairs]) / len(c_names)
        ls = style_loss([feats[n] for n in s_names], s_targets, style_weights)
        ltv = total_variation_loss(x)
        return alpha * lc + beta * ls + tv_weight * ltv, lc, ls, ltv

    @tf.function(autograph=False)
    def step():
        with tf.GradientTape() as tape:
            total, lc, ls, ltv = losses()
        opt.apply_gradients([(tape.gradient(total, x), x)])
        x.assign(tf.clip_by_value(x, 0.0, 1.0))
        return total, lc, ls, ltv

    t0 = time.perf_counter()
    snapshots = {0: start.copy()}
    hist = {"total": [], "content": [], "style": [], "tv": []}
    for i in range(1, steps + 1):
        for key, v in zip(hist, step(), strict=True):
            hist[key].append(float(v))
        if i % snapshot_every == 0 or i == steps:
            snapshots[i] = x.numpy()[0].copy()
    weights = {"alpha": alpha, "beta": beta, "tv_weight": tv_weight}
    return StyleResult(x.numpy()[0].copy(), snapshots, {k: np.array(v) for k, v in hist.items()},
                       time.perf_counter() - t0, weights)  # fmt: skip


# --------------------------------------------------------------------------- GANs


def seed_gan_generator(latent_dim: int = 100):
    """The seed's MNIST generator, channels-last: 839,937 weights for ``latent_dim=100``.

    Dense(7·7·128) → LeakyReLU(0.2) → Reshape(7, 7, 128) → UpSampling 14² → Conv 5×5, 64 →
    LeakyReLU → UpSampling 28² → Conv 5×5, 1, tanh (images in [−1, 1]).
    """
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,), name="noise"),
            layers.Dense(7 * 7 * 128, name="dense"),
            layers.LeakyReLU(0.2, name="leaky1"),
            layers.Reshape((7, 7, 128), name="reshape"),
            layers.UpSampling2D(name="up1"),
            layers.Conv2D(64, 5, padding="same", name="conv1"),
            layers.LeakyReLU(0.2, name="leaky2"),
            layers.UpSampling2D(name="up2"),
            layers.Conv2D(1, 5, padding="same", activation="tanh", name="conv2"),
        ],
        name="seed_generator",
    )


def seed_gan_discriminator():
    """The seed's MNIST discriminator, channels-last: 212,865 weights.

    Conv 5×5/2, 64 → LeakyReLU(0.2) → Dropout(0.3) → Conv 5×5/2, 128 → LeakyReLU → Dropout →
    Flatten (6,272) → Dense(1). It returns a **logit** (the seed's sigmoid is in the loss here).
    """
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1), name="image"),
            layers.Conv2D(64, 5, strides=2, padding="same", name="conv1"),
            layers.LeakyReLU(0.2, name="leaky1"),
            layers.Dropout(0.3, name="drop1"),
            layers.Conv2D(128, 5, strides=2, padding="same", name="conv2"),
            layers.LeakyReLU(0.2, name="leaky2"),
            layers.Dropout(0.3, name="drop2"),
            layers.Flatten(name="flatten"),
            layers.Dense(1, name="logit"),
        ],
        name="seed_discriminator",
    )


def cpu_dcgan(latent_dim: int = 64, width: int = 32):
    """A small DCGAN for 28×28×1 images: ``(generator, discriminator)``.

    Generator: Dense(7·7·2w, no bias) → BN → LeakyReLU → Reshape → ConvTranspose 4×4/2, w →
    BN → LeakyReLU → ConvTranspose 4×4/2, 1, tanh. Discriminator: Conv 4×4/2, w → LeakyReLU →
    Conv 4×4/2, 2w → LeakyReLU → Dropout(0.3) → Flatten → Dense(1) logit. ``width=32`` is
    about 5× smaller than the seed's pair and runs an MNIST epoch in seconds.
    """
    import keras
    from keras import layers

    if latent_dim < 1 or width < 1:
        raise ValueError("latent_dim and width must be positive")
    generator = keras.Sequential(
        [
            keras.Input(shape=(latent_dim,), name="noise"),
            layers.Dense(7 * 7 * 2 * width, use_bias=False, name="dense"),
            layers.BatchNormalization(name="bn1"),
            layers.LeakyReLU(0.2, name="leaky1"),
            layers.Reshape((7, 7, 2 * width), name="reshape"),
            layers.Conv2DTranspose(
                width, 4, strides=2, padding="same", use_bias=False, name="up1"
            ),  # fmt: skip
            layers.BatchNormalization(name="bn2"),
            layers.LeakyReLU(0.2, name="leaky2"),
            layers.Conv2DTranspose(
                1, 4, strides=2, padding="same", activation="tanh", name="up2"
            ),  # fmt: skip
        ],
        name="cpu_generator",
    )
    discriminator = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1), name="image"),
            layers.Conv2D(width, 4, strides=2, padding="same", name="conv1"),
            layers.LeakyReLU(0.2, name="leaky1"),
            layers.Conv2D(2 * width, 4, strides=2, padding="same", name="conv2"),
            layers.LeakyReLU(0.2, name="leaky2"),
            layers.Dropout(0.3, name="drop"),
            layers.Flatten(name="flatten"),
            layers.Dense(1, name="logit"),
        ],
        name="cpu_discriminator",
    )
    return generator, discriminator


def make_gan_step(
    generator,
    discriminator,
    g_optimizer,
    d_optimizer,
    *,
    real_label: float = 1.0,
    jit_compile: bool = True,
):
    """One GAN training step as a ``tf.function``: ``step(real_batch, noise) → dict``.

    1. The discriminator sees a real batch and ``G(noise)``; its weights take one step down
       :func:`discriminator_loss`. 2. The generator takes one step down :func:`generator_loss`
       of D's verdict on fresh fakes (only G's weights move). Returns both losses and the mean
       probabilities ``D(x)`` and ``D(G(z))``.

    The step is compiled with XLA (``jit_compile=True``): it avoids a TensorFlow graph-rewrite
    ("remapper") bug that prints an error for the gradient of Conv2D + LeakyReLU, and the first
    call pays a few seconds of compilation (``jit_compile=False`` skips it, for tiny runs).
    """
    import tensorflow as tf

    @tf.function(autograph=False, jit_compile=jit_compile)
    def step(real, noise):
        with tf.GradientTape() as d_tape:
            fake = generator(noise, training=True)
            real_logits = discriminator(real, training=True)
            fake_logits = discriminator(fake, training=True)
            d_loss = discriminator_loss(real_logits, fake_logits, real_label)
        d_vars = discriminator.trainable_variables
        d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars, strict=True))
        with tf.GradientTape() as g_tape:
            fake_logits = discriminator(generator(noise, training=True), training=True)
            g_loss = generator_loss(fake_logits)
        g_vars = generator.trainable_variables
        g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, g_vars), g_vars, strict=True))
        return {
            "d_loss": d_loss,
            "g_loss": g_loss,
            "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
            "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits)),
        }

    return step


@dataclass
class GanHistory:
    """Per-epoch means of the step outputs, the sample grid after each epoch (fixed noise),
    and each epoch's seconds."""

    metrics: dict[str, list[float]]
    grids: list[np.ndarray]
    seconds: list[float]


def sample_grid(images: Any, ncols: int = 8) -> np.ndarray:
    """Tile ``(N, H, W, 1)`` or ``(N, H, W)`` images in [−1, 1] into one ``[0, 1]`` picture
    (rows of ``ncols``, a 1-pixel grey gap)."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3 or len(x) == 0:
        raise ValueError(f"expected a batch of grey images (N, H, W[, 1]), got {x.shape}")
    x = np.clip((x + 1) / 2, 0, 1)
    n, h, w = x.shape
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    out = np.full((nrows * (h + 1) - 1, ncols * (w + 1) - 1), 0.5, np.float32)
    for i in range(n):
        r, c = divmod(i, ncols)
        out[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = x[i]
    return out


def train_gan(
    generator,
    discriminator,
    images: np.ndarray,
    *,
    epochs: int = 5,
    batch_size: int = 128,
    lr: float = 2e-4,
    beta_1: float = 0.5,
    real_label: float = 1.0,
    fixed_noise: np.ndarray | None = None,
    seed: int = 0,
    on_epoch_end: Callable[[int, dict[str, float], np.ndarray], None] | None = None,
    jit_compile: bool = True,
) -> GanHistory:
    """Train a GAN with Adam (the DCGAN paper's ``lr=2e-4, β₁=0.5``).

    Args:
        images: real images ``(N, 28, 28, 1)`` scaled to [−1, 1].
        fixed_noise: the noise whose samples are drawn after every epoch (default: 32 vectors
            from ``seed``), so that the grids show the *same* fakes improving.
        on_epoch_end: called as ``f(epoch, means, grid)`` (e.g. to print a line).
        jit_compile: compile the step with XLA (see :func:`make_gan_step`).
    """
    import keras
    import tensorflow as tf

    x = np.asarray(images, dtype=np.float32)
    if x.ndim != 4 or x.min() < -1.0001 or x.max() > 1.0001:
        raise ValueError("images must be a batch (N, H, W, C) scaled to [-1, 1]")
    latent_dim = int(generator.inputs[0].shape[-1])
    rng = np.random.default_rng(seed)
    if fixed_noise is None:
        fixed_noise = rng.standard_normal((32, latent_dim)).astype(np.float32)
    g_opt = keras.optimizers.Adam(lr, beta_1=beta_1)
    d_opt = keras.optimizers.Adam(lr, beta_1=beta_1)
    step = make_gan_step(
        generator, discriminator, g_opt, d_opt, real_label=real_label, jit_compile=jit_compile
    )
    history = GanHistory({"d_loss": [], "g_loss": [], "d_real": [], "d_fake": []}, [], [])
    n_batches = len(x) // batch_size
    if n_batches < 1:
        raise ValueError(f"need at least one batch of {batch_size} images, got {len(x)}")
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        order = rng.permutation(len(x))
        sums = dict.fromkeys(history.metrics, 0.0)
        for b in range(n_batches):
            real = tf.constant(x[order[b * batch_size : (b + 1) * batch_size]])
            noise = tf.constant(rng.standard_normal((batch_size, latent_dim)).astype(np.float32))
            out = step(real, noise)
            for k in sums:
                sums[k] += float(out[k])
        means = {k: v / n_batches for k, v in sums.items()}
        for k, v in means.items():
            history.metrics[k].append(v)
        grid = sample_grid(generator(fixed_noise, training=False))
        history.grids.append(grid)
        history.seconds.append(time.perf_counter() - t0)
        if on_epoch_end is not None:
            on_epoch_end(epoch, means, grid)
    return history


def judge_samples(classifier, images: Any, *, threshold: float = 0.9) -> dict[str, Any]:
    """Make "recognisable digits" measurable: classify generated images ``(N, 28, 28, 1)`` in
    [−1, 1] with a trained MNIST ``classifier`` (softmax over 10 classes, inputs in [0, 1]).

    Returns ``confident`` (share of samples whose top probability is ≥ ``threshold``),
    ``counts`` (how many confident samples each digit got), ``coverage`` (digits with at least
    one confident sample), ``score`` (:func:`classifier_score` of the outputs: quality and
    variety in one number, 1 to 10) and ``probs`` (the classifier's output).
    """
    x = np.asarray(images, dtype=np.float32)
    if x.ndim != 4 or len(x) == 0:
        raise ValueError(f"expected a batch (N, H, W, 1), got shape {x.shape}")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    probs = np.asarray(classifier.predict((x + 1) / 2, verbose=0))
    sure = probs.max(axis=1) >= threshold
    counts = np.bincount(probs.argmax(axis=1)[sure], minlength=probs.shape[1])
    return {"confident": float(sure.mean()), "counts": counts,
            "coverage": int(np.sum(counts > 0)), "score": classifier_score(probs),
            "probs": probs}  # fmt: skip


def classifier_score(probs: Any) -> float:
    """The Inception Score's formula with any classifier: ``exp(mean_i KL(p(y|x_i) ‖ p(y)))``.

    ``probs`` is ``(N, K)``, each row a probability vector; ``p(y)`` is their mean. The score is
    high only when each sample gets a confident answer *and* the answers spread over the
    classes: K for confident, perfectly balanced samples, 1 when every sample gets the same
    answer (however confident) or every answer is unsure in the same way.
    """
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or len(p) == 0 or p.shape[1] < 2:
        raise ValueError(f"expected probabilities of shape (N, K) with K >= 2, got {p.shape}")
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError("each row of probs must be a probability vector (>= 0, summing to 1)")
    eps = 1e-12
    marginal = p.mean(axis=0)
    kl = np.sum(p * (np.log(p + eps) - np.log(marginal + eps)), axis=1)
    return float(np.exp(kl.mean()))


# --------------------------------------------------------------------------- diagrams


def _canvas(figsize, xlim, ylim):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.axis("off")
    return fig, ax


def draw_deepdream_diagram():
    """The DeepDream loop: image → network → activation norm → gradient → image (uphill),
    inside the octave loop (small → full size)."""
    from .interpret import _arrow, _box

    fig, ax = _canvas((11, 3.6), (0, 11.5), (0.1, 3.4))
    _box(ax, (1.2, 2.0), "image x\n(start: a photo)", w=1.9, color="#fde9c9")
    _box(ax, (4.0, 2.0), "pretrained CNN\n(frozen)", w=1.9)
    _box(ax, (6.9, 2.0), "chosen layers'\nactivations A", w=1.9)
    _box(ax, (9.8, 2.0), "objective\nΣ mean(A²)", w=1.9, color="#e3f1dc")
    _arrow(ax, (2.2, 2.0), (3.0, 2.0), "jitter")
    _arrow(ax, (5.0, 2.0), (5.9, 2.0))
    _arrow(ax, (7.9, 2.0), (8.8, 2.0))
    # The gradient returns to the image below the boxes (a negative bend keeps it off them).
    ax.annotate("", xy=(1.2, 1.5), xytext=(9.8, 1.5),
                arrowprops={"arrowstyle": "-|>", "color": "#c0392b", "lw": 1.6,
                            "connectionstyle": "arc3,rad=-0.2"})  # fmt: skip
    ax.text(5.5, 0.45, "gradient ∂objective/∂x, normalised:  x ← x + step · g  (ascent: make "
            "the layers fire MORE)", ha="center", va="top", fontsize=9,
            color="#c0392b")  # fmt: skip
    ax.text(5.5, 3.15, "repeat for each octave: small image → upscale, add back lost detail → "
            "full size", ha="center", fontsize=9, color="#345")  # fmt: skip
    return fig


def draw_style_transfer_diagram(style_layers: Sequence[str] = ("s1", "s2", "s3", "s4", "s5"),
                                content_layer: str = "c"):  # fmt: skip
    """Style transfer's losses on the feature pyramid: three images through the same frozen
    network; Gram matrices of several layers for style, one deep layer for content."""
    from matplotlib.patches import Rectangle

    from .interpret import _arrow, _box

    n = len(style_layers)
    fig, ax = _canvas((11.5, 5.0), (0, 12.2), (-0.5, 4.8))
    _box(ax, (1.0, 4.0), "content\nimage", w=1.5, color="#dbe9f6")
    _box(ax, (1.0, 2.4), "generated\nimage x", w=1.5, color="#fde9c9")
    _box(ax, (1.0, 0.8), "style image\n(The Scream)", w=1.5, color="#f6d5d5")
    for k in range(n):  # the pyramid: maps shrink, channels grow
        h = 3.6 * (0.8**k)
        x0 = 2.6 + 1.0 * k
        ax.add_patch(Rectangle((x0, 2.4 - h / 2), 0.35 + 0.08 * k, h, fc="#c9d6e8", ec="#345"))
        ax.text(x0 + 0.2 + 0.04 * k, 2.4 - h / 2 - 0.08, f"s{k + 1}", ha="center", va="top",
                fontsize=9)  # fmt: skip
    ax.text(4.6, 4.55, "one frozen CNN, run on all three images", ha="center", fontsize=9)
    _box(ax, (9.9, 3.9), "content loss\nmean (F_x − F_c)² at c", w=3.6, color="#dbe9f6")
    _box(ax, (9.9, 1.9), "style loss\nΣ_l w_l · mean (Gram_x − Gram_s)²\nGram = Fᵀ F / (H·W)",
         w=3.6, h=1.1, color="#f6d5d5")  # fmt: skip
    _arrow(ax, (7.4, 3.0), (8.0, 3.7))
    _arrow(ax, (7.4, 2.2), (8.0, 2.0))
    names = textwrap.fill(", ".join(f"s{k + 1} = {n}" for k, n in enumerate(style_layers)), 100)
    ax.text(0.2, -0.1, f"style layers: {names}\ncontent layer: c = {content_layer}",
            ha="left", va="top", fontsize=8, color="#345")  # fmt: skip
    ax.text(9.9, 0.75, "total = α·content + β·style + tv·TV(x)\n→ gradient step on the PIXELS "
            "of x (weights stay fixed)", ha="center", fontsize=9, color="#c0392b")  # fmt: skip
    return fig


def draw_gan_diagram():
    """noise z → generator → fake image → discriminator ← real image; D's verdict feeds two
    losses: D learns to tell them apart, G learns to fool D."""
    from .interpret import _arrow, _box

    fig, ax = _canvas((11, 4.0), (0, 11.5), (-0.35, 3.3))
    _box(ax, (0.9, 2.6), "noise z\n~ N(0, I)", w=1.4, color="#eeeeee")
    _box(ax, (3.1, 2.6), "generator G", w=1.7, color="#fde9c9")
    _box(ax, (5.4, 2.6), "fake G(z)", w=1.5, color="#fde9c9")
    _box(ax, (5.4, 0.9), "real x\n(MNIST)", w=1.5, color="#dbe9f6")
    _box(ax, (7.8, 1.75), "discriminator D\n→ logit", w=1.9, color="#e3f1dc")
    _box(ax, (10.3, 2.6), "D loss: real→1,\nfake→0", w=1.9, h=0.9, color="#e3f1dc")
    _box(ax, (10.3, 0.9), "G loss: fake→1\n(−log D(G(z)))", w=1.9, h=0.9, color="#fde9c9")
    _arrow(ax, (1.6, 2.6), (2.25, 2.6))
    _arrow(ax, (3.95, 2.6), (4.65, 2.6))
    _arrow(ax, (6.15, 2.5), (6.85, 1.95))
    _arrow(ax, (6.15, 1.0), (6.85, 1.55))
    _arrow(ax, (8.75, 1.95), (9.35, 2.5))
    _arrow(ax, (8.75, 1.55), (9.35, 1.0))
    # The generator's gradient: down from G's loss, back under every box, up into G.
    red = {"color": "#c0392b", "lw": 1.3, "ls": "--"}
    ax.plot([10.3, 10.3, 3.1], [0.42, 0.12, 0.12], **red)
    ax.annotate("", xy=(3.1, 2.15), xytext=(3.1, 0.12),
                arrowprops={"arrowstyle": "-|>", **red})  # fmt: skip
    ax.text(6.7, 0.05, "G's gradient flows back through D (D frozen in that step)", ha="center",
            va="top", fontsize=9, color="#c0392b")  # fmt: skip
    return fig
