"""Lab 20 (generative vision): the losses behind style transfer and GANs, in NumPy.

Gram matrix of a feature map, the style loss of one layer, total variation, the GAN losses from
logits (numerically stable), and the generator's gradient under the minimax and the
non-saturating loss. Hidden cases are drawn per submission: random feature maps (non-square, so
that a transposed reshape shows), style images of another size than the generated one, random
images, logits that include ±1,000 (where a naive ``log(sigmoid(l))`` overflows).
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

# ----------------------------------------------------------------------------- references


def gram_matrix(features):
    f = np.asarray(features, dtype=np.float64)
    if f.ndim != 3:
        raise ValueError("expected a feature map (H, W, C)")
    flat = f.reshape(-1, f.shape[-1])
    return flat.T @ flat / flat.shape[0]


def style_layer_loss(generated, style):
    g, s = np.asarray(generated), np.asarray(style)
    if g.ndim != 3 or s.ndim != 3 or g.shape[-1] != s.shape[-1]:
        raise ValueError("need two feature maps (H, W, C) with the same number of channels")
    return float(np.mean((gram_matrix(g) - gram_matrix(s)) ** 2))


def total_variation(image):
    x = np.asarray(image, dtype=np.float64)
    return float(np.mean(np.abs(np.diff(x, axis=0))) + np.mean(np.abs(np.diff(x, axis=1))))


def _softplus(z):
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def gan_losses(real_logits, fake_logits):
    d = np.mean(_softplus(-np.asarray(real_logits))) + np.mean(_softplus(fake_logits))
    g = np.mean(_softplus(-np.asarray(fake_logits)))
    return float(d), float(g)


def _sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-_softplus(-z))


def generator_gradients(fake_logits):
    s = _sigmoid(fake_logits)
    return -s, s - 1.0


# ----------------------------------------------------------------------------- mistakes


def _gram_unnormalised(features):
    f = np.asarray(features, dtype=np.float64)
    flat = f.reshape(-1, f.shape[-1])
    return flat.T @ flat


def _gram_by_channels(features):
    f = np.asarray(features, dtype=np.float64)
    flat = f.reshape(-1, f.shape[-1])
    return flat.T @ flat / f.shape[-1]


def _gram_bad_reshape(features):
    f = np.asarray(features, dtype=np.float64)
    flat = f.reshape(f.shape[-1], -1)  # scrambles positions and channels
    return flat @ flat.T / flat.shape[1]


def _style_on_features(generated, style):
    g, s = np.asarray(generated, dtype=np.float64), np.asarray(style, dtype=np.float64)
    if g.shape != s.shape:
        raise ValueError("shapes differ")
    return float(np.mean((g - s) ** 2))


def _style_sum(generated, style):
    return float(np.sum((gram_matrix(generated) - gram_matrix(style)) ** 2))


def _style_abs(generated, style):
    return float(np.mean(np.abs(gram_matrix(generated) - gram_matrix(style))))


def _tv_squared(image):
    x = np.asarray(image, dtype=np.float64)
    return float(np.mean(np.diff(x, axis=0) ** 2) + np.mean(np.diff(x, axis=1) ** 2))


def _tv_one_axis(image):
    x = np.asarray(image, dtype=np.float64)
    return float(np.mean(np.abs(np.diff(x, axis=1))))


def _tv_wraps(image):
    x = np.asarray(image, dtype=np.float64)
    return float(np.mean(np.abs(np.roll(x, 1, axis=0) - x)) +
                 np.mean(np.abs(np.roll(x, 1, axis=1) - x)))  # fmt: skip


def _tv_sum(image):
    x = np.asarray(image, dtype=np.float64)
    return float(np.sum(np.abs(np.diff(x, axis=0))) + np.sum(np.abs(np.diff(x, axis=1))))


def _gan_minimax_g(real_logits, fake_logits):
    d, _ = gan_losses(real_logits, fake_logits)
    return d, float(-np.mean(_softplus(fake_logits)))


def _gan_swapped_labels(real_logits, fake_logits):
    d = np.mean(_softplus(real_logits)) + np.mean(_softplus(-np.asarray(fake_logits)))
    return float(d), float(np.mean(_softplus(fake_logits)))


def _gan_g_fake_is_fake(real_logits, fake_logits):
    d, _ = gan_losses(real_logits, fake_logits)
    return d, float(np.mean(_softplus(fake_logits)))


def _gan_d_real_only(real_logits, fake_logits):
    _, g = gan_losses(real_logits, fake_logits)
    return float(np.mean(_softplus(-np.asarray(real_logits)))), g


def _grads_swapped(fake_logits):
    a, b = generator_gradients(fake_logits)
    return b, a


def _grads_wrong_sign(fake_logits):
    a, b = generator_gradients(fake_logits)
    return -a, -b


# ----------------------------------------------------------------------------- cases

# The chapter's 2×2×2 example: channel 0 = [[1, 2], [3, 4]], channel 1 = [[0, 1], [0, 1]].
TINY = np.stack([np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 1.0], [0.0, 1.0]])], -1)


def _maps_public():
    rng = np.random.default_rng(20)
    return [
        Case((TINY,), label="gram_matrix(the chapter's 2x2x2 map)"),
        Case((rng.random((3, 5, 2)),),
             hint="reshape to (positions, channels) — channels last — before multiplying."),
        Case((rng.standard_normal((4, 4, 3)),)),
        Case((np.ones((2, 6, 1)),)),
        Case((np.ones((4, 3)),), hint="a feature map has three axes (H, W, C): raise ValueError."),
    ]  # fmt: skip


def _maps_hidden(rng):
    cases = []
    for _ in range(6):
        h, w, c = (int(v) for v in rng.integers(2, 9, size=3))
        cases.append(Case((rng.standard_normal((h, w, c + 1)),), group="values"))
    cases.append(Case((rng.random((7, 3, 4)),), group="values"))
    cases.append(Case((rng.random((int(rng.integers(2, 6)), 3)),), group="errors"))
    return cases


def _style_public():
    rng = np.random.default_rng(21)
    same = rng.random((4, 4, 3))
    return [
        Case((same, same), label="style_layer_loss(x, x) (the same map twice)"),
        Case((rng.random((4, 4, 3)), rng.random((4, 4, 3)))),
        Case((rng.random((3, 5, 2)), rng.random((6, 6, 2))),
             hint="the style image may have another size: compare Gram matrices (C x C), "
             "which do not depend on H and W."),
        Case((TINY, TINY[::-1, ::-1]), hint="a Gram matrix does not care where features are."),
        Case((rng.random((4, 4, 3)), rng.random((4, 4, 2))),
             hint="different channel counts cannot be compared: raise ValueError."),
    ]  # fmt: skip


def _style_hidden(rng):
    cases = []
    for _ in range(2):  # same size first
        shape = tuple(int(v) for v in rng.integers(2, 7, size=3))
        cases.append(Case((rng.standard_normal(shape), rng.standard_normal(shape)),
                          group="losses"))  # fmt: skip
    for _ in range(4):
        c = int(rng.integers(1, 6))
        g = rng.standard_normal((int(rng.integers(2, 8)), int(rng.integers(2, 8)), c))
        s = rng.standard_normal((int(rng.integers(2, 8)), int(rng.integers(2, 8)), c))
        cases.append(Case((g, s), group="losses"))
    cases.append(Case((rng.random((3, 4, 5)), rng.random((6, 2, 5))), group="losses"))
    cases.append(Case((rng.random((3, 3, 2)), rng.random((3, 3, 3))), group="errors"))
    return cases


def _tv_public():
    ramp = np.zeros((2, 3))
    ramp[:] = [[0, 1, 3], [2, 2, 2]]
    rng = np.random.default_rng(22)
    return [
        Case((ramp,), label="total_variation([[0, 1, 3], [2, 2, 2]])"),
        Case((np.full((4, 5, 3), 0.7),)),
        Case((rng.random((5, 4, 3)),)),
        Case((np.tile([[0.0, 1.0]], (3, 3)),), hint="stripes: every horizontal neighbour differs"),
    ]


def _tv_hidden(rng):
    cases = []
    for _ in range(6):
        h, w = (int(v) for v in rng.integers(2, 12, size=2))
        shape = (h, w, 3) if rng.random() < 0.6 else (h, w)
        cases.append(Case((rng.random(shape),)))
    cases.append(Case((np.linspace(0, 1, 12).reshape(3, 4),)))
    return cases


_STABLE = ("for large logits, exp overflows and log(0) appears: write −log σ(l) as "
           "softplus(−l) and compute softplus stably (np.logaddexp).")  # fmt: skip


def _gan_public():
    return [
        Case((np.array([2.0, -1.0, 0.5]), np.array([-3.0, 0.0, 1.0, -0.2]))),
        Case((np.array([0.0]), np.array([0.0])), hint="at logit 0, D(x) = 1/2: each term is log 2"),
        Case((np.array([5.0, 4.0]), np.array([-5.0, -6.0]))),
        Case((np.array([1000.0, 800.0]), np.array([-1000.0, 900.0])), hint=_STABLE),
    ]


def _gan_hidden(rng):
    cases = []
    for _ in range(5):
        n, m = (int(v) for v in rng.integers(1, 20, size=2))
        cases.append(Case((rng.normal(1, 2, n), rng.normal(-1, 2, m)), group="losses"))
    big = rng.uniform(200, 2000, 4) * rng.choice([-1, 1], 4)
    cases.append(Case((big, -big[::-1]), group="stable", hint=_STABLE))
    lone_real = np.array([-float(rng.uniform(750, 2000))])
    lone_fake = np.array([float(rng.uniform(500, 900))])
    cases.append(Case((lone_real, lone_fake), group="stable", hint=_STABLE))
    return cases


def _grads_public():
    return [
        Case((np.array([-6.0, 0.0, 3.0]),), label="generator_gradients([-6, 0, 3])"),
        Case((np.array([-20.0, -2.0]),)),
        Case((np.array([800.0, -800.0]),), hint=_STABLE.replace("−log σ(l)", "σ(l)")),
    ]


def _grads_hidden(rng):
    cases = [Case((rng.normal(0, 4, int(rng.integers(2, 12))),)) for _ in range(4)]
    cases.append(Case((np.array([-float(rng.uniform(750, 2000)), 0.5]),)))
    return cases


EXERCISES = [
    Exercise(
        "gram_matrix",
        points=2,
        reference=gram_matrix,
        judge=judge.Array(atol=1e-9, rtol=1e-9, kinds="f"),
        public=_maps_public(),
        hidden=_maps_hidden,
        groups={"values": 1, "errors": 1},
        hint="a (positions × channels) matrix F gives channels × channels through Fᵀ F; then "
        "average over the positions.",
        mistakes=[
            Mistake(
                _gram_unnormalised,
                "you did not divide by the number of positions H·W.",
                "the Gram matrix here is an average over positions, not a sum.",
            ),
            Mistake(
                _gram_by_channels,
                "you divided by the number of channels.",
                "divide by the number of positions, H·W.",
            ),
            Mistake(
                _gram_bad_reshape,
                "you reshaped to (C, H·W) directly; that mixes positions and channels.",
                "reshape to (H·W, C), then transpose if you need (C, H·W).",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "style_layer_loss",
        points=2,
        reference=style_layer_loss,
        judge=judge.Float(rel=1e-7, abs=1e-12),
        public=_style_public(),
        hidden=_style_hidden,
        groups={"losses": 1, "errors": 1},
        hint="compare the two Gram matrices, not the feature maps: mean of the squared "
        "differences.",
        mistakes=[
            Mistake(
                _style_on_features,
                "you compared the feature maps themselves (that is the content loss).",
                "style compares Gram matrices.",
            ),
            Mistake(_style_sum, "you summed the squared differences.", "take their mean."),
            Mistake(_style_abs, "you took absolute differences.", "square the differences."),
        ],  # fmt: skip
    ),
    Exercise(
        "total_variation",
        points=2,
        reference=total_variation,
        judge=judge.Float(rel=1e-7, abs=1e-12),
        public=_tv_public(),
        hidden=_tv_hidden,
        hint="differences between vertical neighbours and between horizontal neighbours "
        "(np.diff along axis 0 and axis 1); the mean of their absolute values, added.",
        mistakes=[
            Mistake(_tv_squared, "you squared the differences.", "use absolute differences."),
            Mistake(
                _tv_one_axis,
                "you used only horizontal neighbours.",
                "add the vertical neighbours' term (axis 0).",
            ),
            Mistake(
                _tv_wraps,
                "your differences wrap around the border (np.roll).",
                "compare only real neighbours: np.diff, not np.roll.",
            ),
            Mistake(_tv_sum, "you summed the differences.", "take the mean of each direction."),
        ],  # fmt: skip
    ),
    Exercise(
        "gan_losses",
        points=3,
        reference=gan_losses,
        judge=judge.Seq(
            [judge.Float(rel=1e-7, abs=1e-9), judge.Float(rel=1e-7, abs=1e-9)],
            names=["discriminator loss", "generator loss"],
        ),  # fmt: skip
        public=_gan_public(),
        hidden=_gan_hidden,
        groups={"losses": 2, "stable": 1},
        hint="−log σ(l) = softplus(−l) and −log(1 − σ(l)) = softplus(l); the generator wants "
        "its fakes called real.",
        mistakes=[
            Mistake(
                _gan_minimax_g,
                "your generator loss is the minimax log(1 − D(G(z))).",
                "the non-saturating loss is −log D(G(z)) = softplus(−l).",
            ),
            Mistake(
                _gan_swapped_labels,
                "you swapped the labels: real should be 1, fake 0.",
                "D's loss is −log D(x) − log(1 − D(G(z))).",
            ),
            Mistake(
                _gan_g_fake_is_fake,
                "your generator loss rewards the fakes for being called fake.",
                "G wants D(G(z)) near 1: −log D(G(z)).",
            ),
            Mistake(
                _gan_d_real_only,
                "your discriminator loss leaves out the fakes.",
                "add the term for the fake logits, softplus(l).",
            ),
        ],  # fmt: skip
        no_warnings=_STABLE,
    ),
    Exercise(
        "generator_gradients",
        points=2,
        reference=generator_gradients,
        judge=judge.Seq(
            [judge.Array(atol=1e-9, kinds="f"), judge.Array(atol=1e-9, kinds="f")],
            names=["minimax gradient", "non-saturating gradient"],
        ),  # fmt: skip
        public=_grads_public(),
        hidden=_grads_hidden,
        hint="differentiate log(1 − σ(l)) and −log σ(l) with respect to l; σ'(l) = σ(l)(1 − σ(l)).",
        mistakes=[
            Mistake(
                _grads_swapped,
                "you returned the two gradients in the wrong order.",
                "first the minimax loss's, then the non-saturating loss's.",
            ),
            Mistake(
                _grads_wrong_sign,
                "your gradients have the wrong sign.",
                "both losses fall when the logit rises: both gradients are negative.",
            ),
        ],  # fmt: skip
        no_warnings=_STABLE,
    ),
]
