"""Lab 22 (hand-crafted vs learned features): the length of a HOG descriptor, shape numbers of a
mask, an intensity histogram, choosing a setting on the validation split, and reading a
comparison table under a latency budget.

Hidden cases are drawn per submission: random window sizes, cells, blocks and bins (always one
where cells do not tile the window and one where no block fits); random masks that touch the
image border (the border counts as background), with holes and several pieces; random images
and bin counts that do not divide 256 (where a histogram over 0–255 instead of 0–256 moves pixels
between bins) and values that overflow uint8 arithmetic; run tables whose best test or training
score is not the best validation score, with ties; comparison tables with a contender exactly on
the budget.
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

# ----------------------------------------------------------------------------- references


def hog_length(height, width, cell=8, bins=9, block=2):
    cells_h, cells_w = height // cell, width // cell
    if cells_h < block or cells_w < block:
        raise ValueError("no block fits in the window")
    return int((cells_h - block + 1) * (cells_w - block + 1) * block * block * bins)


def _neighbours_background(mask):
    padded = np.pad(mask, 1, constant_values=False)
    return (~padded[:-2, 1:-1]) | (~padded[2:, 1:-1]) | (~padded[1:-1, :-2]) | (~padded[1:-1, 2:])


def shape_numbers(mask):
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2 or not mask.any():
        raise ValueError("a 2-D mask with at least one object pixel")
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    box = (rows[-1] - rows[0] + 1) * (cols[-1] - cols[0] + 1)
    area = int(mask.sum())
    border = int(np.sum(mask & _neighbours_background(mask)))
    return area, float(area / box), border


def intensity_histogram(image, bins):
    image = np.asarray(image)
    if bins < 1:
        raise ValueError("bins must be at least 1")
    index = image.astype(np.int64) * bins // 256
    return np.bincount(index.ravel(), minlength=bins).astype(np.float64) / image.size


def choose_on_validation(runs):
    if not runs:
        raise ValueError("no runs to choose from")
    best = max(r["val"] for r in runs)
    return next(r["setting"] for r in runs if r["val"] == best)


def pick_for_budget(rows, max_ms):
    fits = [r for r in rows if r["ms_per_image"] <= max_ms]
    if not fits:
        return None
    best = max(r["accuracy"] for r in fits)
    return min((r for r in fits if r["accuracy"] == best), key=lambda r: r["ms_per_image"])["name"]


# ----------------------------------------------------------------------------- mistakes


def _hog_no_overlap(height, width, cell=8, bins=9, block=2):
    ch, cw = height // cell, width // cell
    return int((ch // block) * (cw // block) * block * block * bins)


def _hog_cells_only(height, width, cell=8, bins=9, block=2):
    return int((height // cell) * (width // cell) * bins)


def _hog_block_not_squared(height, width, cell=8, bins=9, block=2):
    ch, cw = height // cell, width // cell
    return int((ch - block + 1) * (cw - block + 1) * block * bins)


def _hog_partial_cells(height, width, cell=8, bins=9, block=2):
    ch, cw = -(-height // cell), -(-width // cell)
    return int((ch - block + 1) * (cw - block + 1) * block * block * bins)


def _extent_no_plus_one(mask):
    mask = np.asarray(mask, dtype=bool)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    area, _, border = shape_numbers(mask)
    box = max((rows[-1] - rows[0]) * (cols[-1] - cols[0]), 1)
    return area, float(area / box), border


def _border_inside_only(mask):
    mask = np.asarray(mask, dtype=bool)
    padded = np.pad(mask, 1, mode="edge")  # the outside copies the edge: no border there
    bg = (~padded[:-2, 1:-1]) | (~padded[2:, 1:-1]) | (~padded[1:-1, :-2]) | (~padded[1:-1, 2:])
    area, extent, _ = shape_numbers(mask)
    return area, extent, int(np.sum(mask & bg))


def _border_eight(mask):
    mask = np.asarray(mask, dtype=bool)
    p = np.pad(mask, 1, constant_values=False)
    h, w = mask.shape
    bg = np.zeros_like(mask)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            bg |= ~p[1 + dr : 1 + dr + h, 1 + dc : 1 + dc + w]
    area, extent, _ = shape_numbers(mask)
    return area, extent, int(np.sum(mask & bg))


def _hist_counts(image, bins):
    return intensity_histogram(image, bins) * np.asarray(image).size


def _hist_data_range(image, bins):
    image = np.asarray(image)
    return np.histogram(image, bins=bins)[0].astype(np.float64) / image.size


def _hist_range_255(image, bins):
    image = np.asarray(image)
    return np.histogram(image, bins=bins, range=(0, 255))[0].astype(np.float64) / image.size


def _hist_uint8_overflow(image, bins):
    image = np.asarray(image)
    index = (image * bins / 256).astype(np.int64) if image.dtype == np.uint8 else None
    if index is None:
        return intensity_histogram(image, bins)
    return np.bincount(index.ravel(), minlength=bins)[:bins].astype(np.float64) / image.size


def _choose_test(runs):
    best = max(r["test"] for r in runs)
    return next(r["setting"] for r in runs if r["test"] == best)


def _choose_train(runs):
    best = max(r["train"] for r in runs)
    return next(r["setting"] for r in runs if r["train"] == best)


def _choose_last_tie(runs):
    best = max(r["val"] for r in runs)
    return [r["setting"] for r in runs if r["val"] == best][-1]


def _budget_ignored(rows, max_ms):
    return pick_for_budget(rows, float("inf"))


def _budget_strict(rows, max_ms):
    return pick_for_budget([r for r in rows if r["ms_per_image"] < max_ms], max_ms)


def _budget_fastest(rows, max_ms):
    fits = [r for r in rows if r["ms_per_image"] <= max_ms]
    return min(fits, key=lambda r: r["ms_per_image"])["name"] if fits else None


# ----------------------------------------------------------------------------- cases

_HOG_ERROR_HINT = "when fewer cells than one block fit along a side, raise ValueError."


def _hog_case(h, w, cell, bins, block, group="lengths", hint=None):
    return Case((h, w), {"cell": cell, "bins": bins, "block": block}, group=group, hint=hint)


def _hog_hidden(rng):
    cases = []
    for _ in range(8):
        cell = int(rng.choice([3, 4, 5, 6, 7, 8, 16]))
        block = int(rng.integers(1, 4))
        h = int(rng.integers(block * cell, 200))
        w = int(rng.integers(block * cell, 200))
        cases.append(_hog_case(h, w, cell, int(rng.choice([6, 8, 9, 12, 18])), block))
    cell = int(rng.integers(5, 9))
    cases.append(
        _hog_case(
            cell * int(rng.integers(3, 9)) + int(rng.integers(1, cell)),
            cell * int(rng.integers(3, 9)) + 1,
            cell,
            9,
            2,
            hint="a partial cell at the edge is not used: round the cells DOWN.",
        )
    )
    cases.append(_hog_case(int(rng.integers(20, 40)), int(rng.integers(20, 40)), 4, 9, 2))
    cases.append(_hog_case(int(rng.integers(8, 16)), 64, 8, 9, 2, group="errors",
                           hint=_HOG_ERROR_HINT))  # fmt: skip
    cases.append(_hog_case(30, int(rng.integers(1, 20)), 10, 9, 2, group="errors",
                           hint=_HOG_ERROR_HINT))  # fmt: skip
    return cases


def _random_mask(rng, shape, p):
    mask = rng.random(shape) < p
    mask[int(rng.integers(0, shape[0])), int(rng.integers(0, shape[1]))] = True
    return mask


def _shape_hidden(rng):
    cases = []
    for _ in range(4):
        shape = tuple(int(v) for v in rng.integers(4, 14, size=2))
        cases.append(Case((_random_mask(rng, shape, float(rng.uniform(0.2, 0.8))),)))
    h, w = (int(v) for v in rng.integers(8, 16, size=2))
    ring = np.zeros((h, w), bool)
    r0, c0 = int(rng.integers(0, 3)), int(rng.integers(0, 3))
    ring[r0 : h - 1, c0:w] = True  # touches the right edge
    ring[r0 + 2 : h - 3, c0 + 2 : w - 2] = False
    cases.append(Case((ring,), hint="pixels on the image's edge touch the outside: background."))
    side = int(rng.integers(2, 7))
    sq = np.zeros((side + 4, side + 5), bool)
    sq[2 : 2 + side, 1 : 1 + side] = True
    cases.append(Case((sq.astype(np.uint8),)))
    cases.append(
        Case(
            (np.zeros((int(rng.integers(2, 6)), 5), bool),),
            group="errors",
            hint="an empty mask has no object to measure: raise ValueError.",
        )
    )
    return cases


def _hist_hidden(rng):
    cases = []
    for bins in (3, 5, 7, int(rng.integers(9, 40))):
        image = rng.integers(1, 255, size=(16, int(rng.integers(16, 25)))).astype(np.uint8)
        # every level 1..254 somewhere: the levels an edge at k·255/bins would misplace
        image.flat[rng.choice(image.size, 254, replace=False)] = np.arange(1, 255)
        cases.append(Case((image, bins)))
    bright = rng.integers(200, 256, size=(6, 7)).astype(np.uint8)
    cases.append(
        Case(
            (bright, int(rng.choice([4, 8, 16]))),
            hint="uint8 arithmetic wraps at 256: convert before multiplying.",
        )
    )
    cases.append(
        Case(
            (rng.integers(100, 140, size=(5, 5)).astype(np.uint8), 6),
            hint="the bins cover 0–255 whatever the image's own range.",
        )
    )
    cases.append(Case((rng.integers(0, 256, size=(4, 9)), int(rng.integers(2, 12)))))
    return cases


def _run(setting, train, val, test):
    return {"setting": setting, "train": train, "val": val, "test": test}


_SETTINGS = [
    "linear SVM C=0.01",
    "linear SVM C=0.1",
    "RBF SVM C=1",
    "RBF SVM C=10",
    "random forest 100",
    "random forest 300",
    "logistic C=0.1",
    "logistic C=1",
]


def _runs_hidden(rng):
    cases = []
    for k in range(5):
        n = int(rng.integers(3 + k % 2, 8))  # a tie needs a fourth run (see below)
        names = list(rng.choice(_SETTINGS, size=n, replace=False))
        val = np.round(rng.uniform(0.6, 0.9, size=n), 3)
        test = np.round(val + rng.uniform(-0.03, 0.03, size=n), 3)
        train = np.round(np.minimum(val + rng.uniform(0.0, 0.2, size=n), 1.0), 3)
        best = int(np.argmax(val))
        others = [i for i in range(n) if i != best]
        test[others[0]] = round(float(test.max()) + 0.01, 3)  # the test split would pick another
        train[best], train[others[-1]] = min(train[best], 0.99), 1.0  # training would, too
        if k % 2:  # a tie on validation: the first one listed wins (not a test/train trap)
            j = others[int(rng.integers(1, len(others) - 1))]
            val[j] = val[best]
        runs = [_run(str(names[i]), float(train[i]), float(val[i]), float(test[i]))
                for i in range(n)]  # fmt: skip
        cases.append(Case((runs,)))
    return cases


def _row(name, acc, ms):
    return {"name": name, "accuracy": acc, "ms_per_image": ms}


def _table_hidden(rng):
    names = ["HOG + SVM", "CNN", "EfficientNet-Lite0 + logistic", "random forest", "MobileNet"]
    cases = []
    for k in range(4):
        n = int(rng.integers(4, 6))
        chosen = [str(s) for s in rng.choice(names, size=n, replace=False)]
        ms = np.sort(rng.choice(np.arange(20, 20_000), size=n, replace=False) / 1000)
        accs = rng.choice(np.arange(700, 960), size=n, replace=False) / 1000
        if k < 2:  # the usual trade-off first: slower is more accurate
            accs = np.sort(accs)
        # at least three fit, and one sits exactly on the budget
        budget = float(ms[int(rng.integers(2, n - 1))])
        order = rng.permutation(n)
        rows = [_row(chosen[i], float(accs[i]), float(ms[i])) for i in order]
        cases.append(Case((rows, budget)))
    rows = [_row("slow", 0.95, 12.0), _row("fast", 0.88, 0.4), _row("medium", 0.88, 0.3)]
    cases.append(Case((rows, float(rng.uniform(0.31, 11.0))),
                      hint="equal accuracies: the faster one."))  # fmt: skip
    cases.append(Case((rows, float(rng.uniform(0.01, 0.29))),
                      hint="when nothing fits the budget, return None."))  # fmt: skip
    return cases


# ----------------------------------------------------------------------------- public cases

RUNS = [
    _run("shape + intensity, RBF SVM C=10", 0.93, 0.742, 0.751),
    _run("all features, logistic C=0.1", 0.95, 0.851, 0.846),
    _run("all features, RBF SVM C=10", 1.0, 0.874, 0.858),
    _run("all features, random forest", 1.0, 0.822, 0.861),
]
TABLE = [
    _row("HOG + shape + intensity, RBF SVM", 0.853, 2.1),
    _row("small CNN + augmentation", 0.874, 0.35),
    _row("EfficientNet-Lite0 features + logistic", 0.861, 9.5),
]

EXERCISES = [
    Exercise(
        "hog_length",
        points=2,
        reference=hog_length,
        judge=judge.Int(),
        public=[
            _hog_case(28, 28, 4, 9, 2),
            _hog_case(28, 28, 7, 9, 2),
            _hog_case(128, 64, 8, 9, 2),
            _hog_case(32, 32, 8, 9, 3),
            _hog_case(30, 45, 8, 6, 1),
            _hog_case(30, 30, 8, 9, 2, hint="a partial cell at the edge is not used."),
            _hog_case(12, 40, 8, 9, 2, hint=_HOG_ERROR_HINT),
        ],
        hidden=_hog_hidden,
        groups={"lengths": 1, "errors": 1},
        hint="count whole cells per side, then block positions (they slide one cell at a time); "
        "each block holds block × block cells of bins numbers.",
        mistakes=[
            Mistake(
                _hog_no_overlap,
                "your blocks do not overlap.",
                "blocks slide by one cell, so neighbouring blocks share cells.",
            ),
            Mistake(
                _hog_cells_only,
                "you counted one histogram per cell (no blocks).",
                "every block repeats its cells' histograms, normalised together.",
            ),
            Mistake(
                _hog_block_not_squared,
                "you counted `block` cells per block.",
                "a block is block × block cells.",
            ),
            Mistake(
                _hog_partial_cells,
                "you counted a partial cell at the edge.",
                "only whole cells are used: round the number of cells down.",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "shape_numbers",
        points=2,
        reference=shape_numbers,
        judge=judge.Seq(
            [judge.Int(), judge.Float(rel=1e-9), judge.Int()],
            names=["area", "extent", "border pixels"],
        ),  # fmt: skip
        public=[
            Case((np.pad(np.ones((6, 6), bool), 2),), label="shape_numbers(a 6x6 square)"),
            Case((np.tri(6, 8, dtype=bool),), label="shape_numbers(a triangle)"),
            Case(
                (np.pad(np.pad(np.zeros((2, 3), bool), 1, constant_values=True), 1),),
                label="shape_numbers(a 4x5 frame around a hole)",
            ),  # fmt: skip
            Case(
                (np.ones((3, 5), np.uint8),),
                hint="pixels on the image's edge touch the outside: background.",
            ),  # fmt: skip
            Case((np.eye(5, dtype=bool),)),
            Case(
                (np.zeros((4, 4), bool),),
                hint="an empty mask has no object to measure: raise ValueError.",
            ),  # fmt: skip
        ],
        hidden=_shape_hidden,
        groups={"all": 1, "errors": 1},
        hint="the bounding box spans the first to the last row (and column) holding an object "
        "pixel, both included; a border pixel has a background pixel above, below, left or right.",
        mistakes=[
            Mistake(
                _extent_no_plus_one,
                "your bounding box is one pixel short in each direction.",
                "a box from row r0 to row r1, both included, is r1 − r0 + 1 rows high.",
            ),
            Mistake(
                _border_inside_only,
                "pixels on the image's edge did not count as border.",
                "outside the image is background.",
            ),
            Mistake(
                _border_eight,
                "you also counted diagonal neighbours.",
                "only the 4 neighbours (up, down, left, right) decide.",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "intensity_histogram",
        points=2,
        reference=intensity_histogram,
        judge=judge.Array(atol=1e-12, kinds="f"),
        public=[
            Case((np.array([[0, 63, 64, 127], [128, 191, 192, 255]], np.uint8), 4)),
            Case((np.arange(256, dtype=np.uint8).reshape(16, 16), 3)),
            Case(
                (np.full((3, 4), 250, np.uint8), 8),
                hint="uint8 arithmetic wraps at 256: convert before multiplying.",
            ),  # fmt: skip
            Case(
                (np.random.default_rng(22).integers(90, 160, size=(10, 12)).astype(np.uint8), 5),
                hint="the bins cover 0–255 whatever the image's own range.",
            ),  # fmt: skip
            Case((np.array([[0, 255]], np.uint8), 1)),
        ],
        hidden=_hist_hidden,
        hint="bin i holds the levels from i·256/bins up to (not including) (i+1)·256/bins; "
        "divide the counts by the number of pixels.",
        mistakes=[
            Mistake(
                _hist_counts,
                "you returned counts.",
                "divide by the number of pixels, so the histogram sums to 1.",
            ),
            Mistake(
                _hist_data_range,
                "your bins span the image's own darkest to brightest level.",
                "fix the range to the 256 grey levels (np.histogram's range argument).",
            ),
            Mistake(
                _hist_range_255,
                "your bins span 0 to 255 instead of the 256 levels 0–255.",
                "the upper edge is 256, so that every bin holds 256/bins levels.",
            ),
            Mistake(
                _hist_uint8_overflow,
                "uint8 arithmetic wrapped around at 256.",
                "convert the image to a wider integer type before multiplying.",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "choose_on_validation",
        points=2,
        reference=choose_on_validation,
        judge=judge.Exact(),
        public=[
            Case((RUNS,), label="choose_on_validation(the chapter's four runs)"),
            Case(
                ([_run("a", 0.9, 0.8, 0.7), _run("b", 0.95, 0.8, 0.9), _run("c", 1.0, 0.7, 0.8)],),
                hint="on a tie, the one listed first.",
            ),  # fmt: skip
            Case(([_run("only", 0.5, 0.5, 0.5)],)),
            Case(([],), hint="nothing to choose from: raise ValueError."),
        ],
        hidden=_runs_hidden,
        hint="the test split is looked at once, after the choice; the training score says how "
        "well a model memorised, not how well it generalises.",
        mistakes=[
            Mistake(
                _choose_test,
                "you chose on the test split.",
                "choose on validation; the test split is for the final, single evaluation.",
            ),
            Mistake(
                _choose_train,
                "you chose on the training split.",
                "training accuracy rewards memorising: choose on validation.",
            ),
            Mistake(
                _choose_last_tie,
                "on a tie you took the last one listed.",
                "on a tie, keep the first one listed.",
            ),
        ],  # fmt: skip
    ),
    Exercise(
        "pick_for_budget",
        points=2,
        reference=pick_for_budget,
        judge=judge.Exact(),
        public=[
            Case((TABLE, 5.0), label="pick_for_budget(the comparison table, 5.0)"),
            Case((TABLE, 100.0)),
            Case((TABLE, 0.35), hint="a contender exactly on the budget fits it."),
            Case((TABLE, 0.1), hint="when nothing fits the budget, return None."),
            Case(
                ([_row("a", 0.9, 1.0), _row("b", 0.9, 0.5), _row("c", 0.8, 0.1)], 2.0),
                hint="equal accuracies: the faster one.",
            ),  # fmt: skip
        ],
        hidden=_table_hidden,
        hint="first keep the rows that fit the budget, then take the most accurate of those.",
        mistakes=[
            Mistake(
                _budget_ignored,
                "you ignored the budget.",
                "keep only contenders whose ms_per_image is within max_ms.",
            ),
            Mistake(
                _budget_strict,
                "a contender exactly on the budget was left out.",
                "'within the budget' includes equality (<=).",
            ),
            Mistake(
                _budget_fastest,
                "you returned the fastest contender.",
                "among those that fit, the most accurate one.",
            ),
        ],  # fmt: skip
    ),
]
