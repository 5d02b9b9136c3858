"""Checks of lab 00 (setup): sizing a training run from measured throughput."""

from __future__ import annotations

import math

from . import call, expect_close, expect_int, expect_raises, passed

__all__ = ["check_batches_per_epoch", "check_epoch_seconds", "check_tensor_megabytes"]


def check_batches_per_epoch(fn) -> str:
    """Exercise 1: ``batches_per_epoch(n_images, batch_size)`` = ceil(n / batch)."""
    ex = "batches_per_epoch"
    cases = [(1_000, 100, 10), (60_000, 32, 1_875), (50_000, 64, 782), (5, 10, 1), (64, 64, 1)]
    for n, b, expected in cases:
        expect_int(
            call(fn, n, b, exercise=ex), expected, what=f"{ex}({n}, {b})",
            hint="the last, smaller batch still counts: round up (math.ceil or -(-n // b)).",
        )  # fmt: skip
    for bad in [(100, 0), (100, -5), (-1, 10)]:
        expect_raises(
            fn, *bad, exercise=ex,
            hint="a batch size must be positive and the number of images not negative.",
        )  # fmt: skip
    return passed(ex)


def check_epoch_seconds(fn) -> str:
    """Exercise 2: ``epoch_seconds(n_images, images_per_second)`` = n / throughput."""
    ex = "epoch_seconds"
    for n, ips in [(60_000, 1_500.0), (50_000, 123.4), (1, 1e6)]:
        expect_close(
            call(fn, n, ips, exercise=ex), n / ips, what=f"{ex}({n}, {ips})",
            hint="time = work / speed: images divided by images per second.",
        )  # fmt: skip
    for bad in (0, -10.0, math.nan):
        expect_raises(fn, 100, bad, exercise=ex, hint="a throughput must be a positive number.")
    return passed(ex)


def check_tensor_megabytes(fn) -> str:
    """Exercise 3: ``tensor_megabytes(shape, bytes_per_value=4)`` in MB (10**6 bytes)."""
    ex = "tensor_megabytes"
    cases = [
        ((60_000, 28, 28, 1), 4, 188.16),  # MNIST training images as float32
        ((100, 150, 100, 200), 4, 1_200.0),  # 200 feature maps of 150x100, batch of 100
        ((32, 224, 224, 3), 2, 9.633792),  # a float16 batch of ImageNet-sized images
        ((10,), 1, 1e-5),
    ]
    for shape, nbytes, expected in cases:
        expect_close(
            call(fn, shape, bytes_per_value=nbytes, exercise=ex), expected,
            what=f"{ex}({shape}, bytes_per_value={nbytes})",
            hint="multiply all dimensions, times bytes per value, divided by 1,000,000.",
        )  # fmt: skip
    expect_raises(fn, (3, -1), exercise=ex, hint="sizes cannot be negative.")
    return passed(ex)
