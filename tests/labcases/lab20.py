"""Lab 20 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import numpy as np

from helpers.labs.spec import Mutant


def gram_matrix(features):
    f = np.asarray(features, dtype=float)
    if f.ndim != 3:
        raise ValueError("need (H, W, C)")
    h, w, c = f.shape
    flat = f.reshape(h * w, c)
    return np.einsum("pi,pj->ij", flat, flat) / (h * w)


def style_layer_loss(generated, style):
    if np.shape(generated)[-1] != np.shape(style)[-1]:
        raise ValueError("channels differ")
    diff = gram_matrix(generated) - gram_matrix(style)
    return float((diff**2).mean())


def total_variation(image):
    x = np.asarray(image, dtype=float)
    down = np.abs(x[1:] - x[:-1]).mean()
    right = np.abs(x[:, 1:] - x[:, :-1]).mean()
    return float(down + right)


def _softplus(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z + np.log1p(np.exp(-np.abs(z))), np.log1p(np.exp(-np.abs(z))))


def gan_losses(real_logits, fake_logits):
    d = _softplus(-np.asarray(real_logits)).mean() + _softplus(fake_logits).mean()
    return float(d), float(_softplus(-np.asarray(fake_logits)).mean())


def _sigmoid(z):
    return np.exp(-_softplus(-np.asarray(z, dtype=float)))


def generator_gradients(fake_logits):
    s = _sigmoid(fake_logits)
    return -s, -(1 - s)


SOLUTION = {f.__name__: f for f in (gram_matrix, style_layer_loss, total_variation, gan_losses,
                                    generator_gradients)}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def gram_unnormalised(features):
    f = np.asarray(features, dtype=float)
    flat = f.reshape(-1, f.shape[-1])
    return flat.T @ flat


def gram_by_channels(features):
    f = np.asarray(features, dtype=float)
    flat = f.reshape(-1, f.shape[-1])
    return flat.T @ flat / f.shape[-1]


def gram_bad_reshape(features):
    f = np.asarray(features, dtype=float)
    flat = f.reshape(f.shape[-1], -1)
    return flat @ flat.T / flat.shape[1]


def gram_positions(features):
    f = np.asarray(features, dtype=float)
    flat = f.reshape(-1, f.shape[-1])
    return flat @ flat.T / flat.shape[0]


def gram_no_check(features):
    f = np.asarray(features, dtype=float)
    flat = f.reshape(-1, f.shape[-1])
    return flat.T @ flat / flat.shape[0]


def style_on_features(generated, style):
    g, s = np.asarray(generated, dtype=float), np.asarray(style, dtype=float)
    if g.shape != s.shape:
        raise ValueError("shapes differ")
    return float(np.mean((g - s) ** 2))


def style_sum(generated, style):
    return float(np.sum((gram_matrix(generated) - gram_matrix(style)) ** 2))


def style_abs(generated, style):
    return float(np.mean(np.abs(gram_matrix(generated) - gram_matrix(style))))


def style_root(generated, style):
    return float(np.sqrt(np.mean((gram_matrix(generated) - gram_matrix(style)) ** 2)))


def tv_squared(image):
    x = np.asarray(image, dtype=float)
    return float(np.mean(np.diff(x, axis=0) ** 2) + np.mean(np.diff(x, axis=1) ** 2))


def tv_one_axis(image):
    return float(np.mean(np.abs(np.diff(np.asarray(image, dtype=float), axis=1))))


def tv_wraps(image):
    x = np.asarray(image, dtype=float)
    return float(np.mean(np.abs(np.roll(x, 1, axis=0) - x)) +
                 np.mean(np.abs(np.roll(x, 1, axis=1) - x)))  # fmt: skip


def tv_sum(image):
    x = np.asarray(image, dtype=float)
    return float(np.sum(np.abs(np.diff(x, axis=0))) + np.sum(np.abs(np.diff(x, axis=1))))


def tv_channels(image):
    x = np.asarray(image, dtype=float)
    return total_variation(x) + (float(np.mean(np.abs(np.diff(x, axis=2)))) if x.ndim == 3 else 0)


def gan_minimax(real_logits, fake_logits):
    d, _ = gan_losses(real_logits, fake_logits)
    return d, float(-_softplus(fake_logits).mean())


def gan_swapped(real_logits, fake_logits):
    d = _softplus(real_logits).mean() + _softplus(-np.asarray(fake_logits)).mean()
    return float(d), float(_softplus(fake_logits).mean())


def gan_g_wants_fake(real_logits, fake_logits):
    d, _ = gan_losses(real_logits, fake_logits)
    return d, float(_softplus(fake_logits).mean())


def gan_d_real_only(real_logits, fake_logits):
    _, g = gan_losses(real_logits, fake_logits)
    return float(_softplus(-np.asarray(real_logits)).mean()), g


def gan_naive(real_logits, fake_logits):
    def sig(z):
        return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))

    d = -np.mean(np.log(sig(real_logits))) - np.mean(np.log(1 - sig(fake_logits)))
    return float(d), float(-np.mean(np.log(sig(fake_logits))))


def gan_clipped(real_logits, fake_logits):
    eps = 1e-7

    def sig(z):
        return np.clip(1 / (1 + np.exp(-np.clip(z, -50, 50))), eps, 1 - eps)

    d = -np.mean(np.log(sig(real_logits))) - np.mean(np.log(1 - sig(fake_logits)))
    return float(d), float(-np.mean(np.log(sig(fake_logits))))


def grads_swapped(fake_logits):
    a, b = generator_gradients(fake_logits)
    return b, a


def grads_wrong_sign(fake_logits):
    a, b = generator_gradients(fake_logits)
    return -a, -b


def grads_naive(fake_logits):
    s = 1 / (1 + np.exp(-np.asarray(fake_logits, dtype=float)))
    return -s, s - 1


def grads_of_d(fake_logits):
    s = _sigmoid(fake_logits)
    return -s * (1 - s), s * (1 - s) - 1


MUTANTS = [
    Mutant("gram_matrix", "no division by H·W", gram_unnormalised, says="number of positions"),
    Mutant("gram_matrix", "divided by C", gram_by_channels, says="number of channels"),
    Mutant("gram_matrix", "reshape to (C, H·W) directly", gram_bad_reshape,
           says="mixes positions and channels"),
    Mutant("gram_matrix", "positions × positions", gram_positions),
    Mutant("gram_matrix", "no rank check", gram_no_check),
    Mutant("style_layer_loss", "compares features", style_on_features, says="content loss"),
    Mutant("style_layer_loss", "sum instead of mean", style_sum, says="summed"),
    Mutant("style_layer_loss", "absolute differences", style_abs, says="absolute"),
    Mutant("style_layer_loss", "root mean square", style_root),
    Mutant("total_variation", "squared differences", tv_squared, says="squared"),
    Mutant("total_variation", "horizontal only", tv_one_axis, says="only horizontal"),
    Mutant("total_variation", "wraps around", tv_wraps, says="wrap around"),
    Mutant("total_variation", "sums", tv_sum, says="summed"),
    Mutant("total_variation", "also across channels", tv_channels),
    Mutant("gan_losses", "minimax generator loss", gan_minimax, says="minimax"),
    Mutant("gan_losses", "labels swapped", gan_swapped, says="swapped the labels"),
    Mutant("gan_losses", "G wants fake", gan_g_wants_fake, says="called fake"),
    Mutant("gan_losses", "D ignores fakes", gan_d_real_only, says="leaves out the fakes"),
    Mutant("gan_losses", "naive log(sigmoid)", gan_naive),
    Mutant("gan_losses", "clipped probabilities", gan_clipped),
    Mutant("generator_gradients", "swapped order", grads_swapped, says="wrong order"),
    Mutant("generator_gradients", "wrong sign", grads_wrong_sign, says="wrong sign"),
    Mutant("generator_gradients", "naive sigmoid overflows", grads_naive),
    Mutant("generator_gradients", "extra sigma' factor", grads_of_d),
]  # fmt: skip
