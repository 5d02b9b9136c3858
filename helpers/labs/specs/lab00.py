"""Lab 00 (sizing a training run): steps per epoch, seconds per epoch, tensor memory."""

import math

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

# ----------------------------------------------------------------------------- references


def batches_per_epoch(n_images, batch_size):
    if batch_size <= 0 or n_images < 0:
        raise ValueError("batch_size must be positive and n_images not negative")
    return -(-n_images // batch_size)


def epoch_seconds(n_images, images_per_second):
    if not images_per_second > 0:
        raise ValueError("images_per_second must be positive")
    return n_images / images_per_second


def tensor_megabytes(shape, bytes_per_value=4):
    if any(d < 0 for d in shape):
        raise ValueError("dimensions cannot be negative")
    return math.prod(shape) * bytes_per_value / 1_000_000


# ----------------------------------------------------------------------------- mistakes


def _floor_batches(n_images, batch_size):
    return batches_per_epoch(n_images, batch_size) - (n_images % batch_size > 0)


def _mebibytes(shape, bytes_per_value=4):
    return tensor_megabytes(shape, bytes_per_value) * 1_000_000 / 2**20


# ----------------------------------------------------------------------------- cases


def _batches_hidden(rng):
    cases = [Case((0, 8), group="sizes"), Case((99, 1), group="sizes"),
             Case((3, 1_000), group="sizes")]  # fmt: skip
    for _ in range(6):
        b = int(rng.integers(2, 513))
        n = int(rng.integers(1, 200_000))
        cases.append(Case((n, b), group="sizes"))
    cases.append(Case((int(rng.integers(1, 50)) * 64, 64), group="sizes"))  # an exact multiple
    cases += [Case((10, 0), group="errors"), Case((int(rng.integers(1, 99)), -1), group="errors"),
              Case((-int(rng.integers(1, 99)), 5), group="errors")]  # fmt: skip
    return cases


def _seconds_hidden(rng):
    cases = [Case((0, 3.0), group="values")]
    for _ in range(5):
        cases.append(Case((int(rng.integers(1, 100_000)), float(rng.uniform(0.1, 5_000))),
                          group="values"))  # fmt: skip
    cases.append(Case((int(rng.integers(1, 1_000)), int(rng.integers(1, 50))), group="values"))
    cases += [
        Case((50, bad), group="errors")
        for bad in (0.0, -float(rng.uniform(1, 9)), float("nan"), -float("inf"))
    ]
    return cases


def _megabytes_hidden(rng):
    cases = [Case(((5, 0, 7), 8), group="values")]
    for _ in range(5):
        rank = int(rng.integers(1, 5))
        shape = tuple(int(d) for d in rng.integers(1, 300, size=rank))
        cases.append(Case((shape,), {"bytes_per_value": int(rng.choice([1, 2, 4, 8]))},
                          group="values"))  # fmt: skip
    shape = tuple(int(d) for d in rng.integers(1, 64, size=3))
    cases.append(Case((shape,), group="values", hint="the default is 4 bytes (float32)."))
    cases.append(Case(((4, -int(rng.integers(1, 9)), 3),), group="errors"))
    return cases


EXERCISES = [
    Exercise(
        "batches_per_epoch",
        points=2,
        reference=batches_per_epoch,
        judge=judge.Int(),
        public=[
            Case((1_000, 100)),
            Case((60_000, 32)),
            Case((50_000, 64)),
            Case((5, 10)),
            Case((64, 64)),
            Case((100, 0)),
            Case((100, -5)),
            Case((-1, 10)),
        ],
        hidden=_batches_hidden,
        groups={"sizes": 1, "errors": 1},
        mistakes=[
            Mistake(
                _floor_batches, "the last, smaller batch was not counted.", "round up, not down."
            )
        ],
        hint="the last, smaller batch still counts: round up; a batch size must be positive and "
        "the number of images not negative.",
    ),  # fmt: skip
    Exercise(
        "epoch_seconds",
        points=2,
        reference=epoch_seconds,
        judge=judge.Float(rel=1e-9),
        public=[
            Case((60_000, 1_500.0)),
            Case((50_000, 123.4)),
            Case((1, 1e6)),
            Case((100, 0)),
            Case((100, -10.0)),
            Case((100, math.nan)),
        ],
        hidden=_seconds_hidden,
        groups={"values": 1, "errors": 1},
        hint="time = work / speed; a throughput must be a positive number (NaN is not).",
    ),  # fmt: skip
    Exercise(
        "tensor_megabytes",
        points=2,
        reference=tensor_megabytes,
        judge=judge.Float(rel=1e-9, abs=1e-15),
        public=[
            Case(((60_000, 28, 28, 1),), {"bytes_per_value": 4}),
            Case(((100, 150, 100, 200),), {"bytes_per_value": 4}),
            Case(((32, 224, 224, 3),), {"bytes_per_value": 2}),
            Case(((10,),), {"bytes_per_value": 1}),
            Case(((3, -1),)),
        ],
        hidden=_megabytes_hidden,
        groups={"values": 1, "errors": 1},
        mistakes=[
            Mistake(
                _mebibytes, "you computed mebibytes (2**20 bytes).", "1 MB here is 1,000,000 bytes."
            )
        ],
        hint="multiply all dimensions, times bytes per value, divided by 1,000,000; sizes "
        "cannot be negative.",
    ),  # fmt: skip
]
