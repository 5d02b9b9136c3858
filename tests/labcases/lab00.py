"""Lab 00 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import math

from helpers.labs.spec import Mutant


def batches_per_epoch(n_images, batch_size):
    if batch_size <= 0 or n_images < 0:
        raise ValueError("bad sizes")
    return math.ceil(n_images / batch_size)


def epoch_seconds(n_images, images_per_second):
    if not images_per_second > 0:
        raise ValueError("throughput must be positive")
    return n_images / images_per_second


def tensor_megabytes(shape, bytes_per_value=4):
    if min(shape, default=0) < 0:
        raise ValueError("negative dimension")
    return math.prod(shape) * bytes_per_value / 1e6


SOLUTION = {f.__name__: f for f in (batches_per_epoch, epoch_seconds, tensor_megabytes)}


def floor_batches(n_images, batch_size):
    if batch_size <= 0 or n_images < 0:
        raise ValueError("bad sizes")
    return n_images // batch_size


def float_batches(n_images, batch_size):
    if batch_size <= 0 or n_images < 0:
        raise ValueError("bad sizes")
    return n_images / batch_size


def batches_without_errors(n_images, batch_size):
    return -(-n_images // batch_size) if batch_size > 0 else 0


def seconds_accepts_nan(n_images, images_per_second):
    if images_per_second <= 0:
        raise ValueError("throughput must be positive")
    return n_images / images_per_second


def seconds_inverted(n_images, images_per_second):
    if not images_per_second > 0:
        raise ValueError("throughput must be positive")
    return images_per_second / n_images if n_images else 0.0


def mebibytes(shape, bytes_per_value=4):
    if min(shape, default=0) < 0:
        raise ValueError("negative dimension")
    return math.prod(shape) * bytes_per_value / 2**20


def ignores_bytes(shape, bytes_per_value=4):
    if min(shape, default=0) < 0:
        raise ValueError("negative dimension")
    return math.prod(shape) * 4 / 1e6


MUTANTS = [
    Mutant("batches_per_epoch", "rounds down", floor_batches, says="not counted"),
    Mutant("batches_per_epoch", "returns a float", float_batches, says="whole number"),
    Mutant(
        "batches_per_epoch",
        "no ValueError",
        batches_without_errors,
        says="instead of raising ValueError",
    ),
    Mutant("epoch_seconds", "lets NaN through", seconds_accepts_nan),
    Mutant("epoch_seconds", "speed / work", seconds_inverted),
    Mutant("tensor_megabytes", "mebibytes", mebibytes, says="mebibytes"),
    Mutant("tensor_megabytes", "ignores bytes_per_value", ignores_bytes),
]
