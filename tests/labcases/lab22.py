"""Lab 22 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import numpy as np

from helpers.labs.spec import Mutant


def hog_length(height, width, cell=8, bins=9, block=2):
    cells_h, cells_w = height // cell, width // cell
    if min(cells_h, cells_w) < block:
        raise ValueError("the window is too small for one block")
    return (cells_h - block + 1) * (cells_w - block + 1) * block**2 * bins


def shape_numbers(mask):
    mask = np.asarray(mask).astype(bool)
    if mask.ndim != 2 or mask.sum() == 0:
        raise ValueError("empty mask")
    rows, cols = np.nonzero(mask)
    box = (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)
    padded = np.pad(mask, 1)
    inner = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    border = int((mask & ~inner).sum())
    return int(mask.sum()), float(mask.sum() / box), border


def intensity_histogram(image, bins):
    image = np.asarray(image)
    counts, _ = np.histogram(image, bins=bins, range=(0, 256))
    return counts / image.size


def choose_on_validation(runs):
    if len(runs) == 0:
        raise ValueError("no runs")
    best = runs[0]
    for run in runs[1:]:
        if run["val"] > best["val"]:
            best = run
    return best["setting"]


def pick_for_budget(rows, max_ms):
    best = None
    for row in rows:
        if row["ms_per_image"] > max_ms:
            continue
        if (
            best is None
            or row["accuracy"] > best["accuracy"]
            or (row["accuracy"] == best["accuracy"] and row["ms_per_image"] < best["ms_per_image"])
        ):
            best = row
    return None if best is None else best["name"]


SOLUTION = {f.__name__: f for f in (hog_length, shape_numbers, intensity_histogram,
                                    choose_on_validation, pick_for_budget)}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def hog_no_overlap(height, width, cell=8, bins=9, block=2):
    return (height // cell // block) * (width // cell // block) * block**2 * bins


def hog_cells_only(height, width, cell=8, bins=9, block=2):
    return (height // cell) * (width // cell) * bins


def hog_block_not_squared(height, width, cell=8, bins=9, block=2):
    return hog_length(height, width, cell, bins, block) // block


def hog_round_up(height, width, cell=8, bins=9, block=2):
    ch, cw = int(np.ceil(height / cell)), int(np.ceil(width / cell))
    return (ch - block + 1) * (cw - block + 1) * block**2 * bins


def hog_float(height, width, cell=8, bins=9, block=2):
    return float(hog_length(height, width, cell, bins, block))


def hog_no_error(height, width, cell=8, bins=9, block=2):
    ch, cw = height // cell, width // cell
    return max(ch - block + 1, 0) * max(cw - block + 1, 0) * block**2 * bins


def extent_off_by_one(mask):
    mask = np.asarray(mask).astype(bool)
    rows, cols = np.nonzero(mask)
    area, _, border = shape_numbers(mask)
    box = max((rows.max() - rows.min()) * (cols.max() - cols.min()), 1)
    return area, area / box, border


def border_edge_ignored(mask):
    mask = np.asarray(mask).astype(bool)
    padded = np.pad(mask, 1, mode="edge")
    inner = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    area, extent, _ = shape_numbers(mask)
    return area, extent, int((mask & ~inner).sum())


def border_eight_neighbours(mask):
    mask = np.asarray(mask).astype(bool)
    p = np.pad(mask, 1)
    h, w = mask.shape
    inner = np.ones_like(mask)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            inner &= p[1 + dr : 1 + dr + h, 1 + dc : 1 + dc + w]
    area, extent, _ = shape_numbers(mask)
    return area, extent, int((mask & ~inner).sum())


def shape_perimeter_of_box(mask):
    area, extent, _ = shape_numbers(mask)
    rows, cols = np.nonzero(np.asarray(mask))
    return area, extent, int(2 * (np.ptp(rows) + 1) + 2 * (np.ptp(cols) + 1))


def shape_empty_zeros(mask):
    if not np.asarray(mask).any():
        return 0, 0.0, 0
    return shape_numbers(mask)


def hist_counts(image, bins):
    return np.histogram(np.asarray(image), bins=bins, range=(0, 256))[0].astype(float)


def hist_default_range(image, bins):
    image = np.asarray(image)
    return np.histogram(image, bins=bins)[0] / image.size


def hist_range_255(image, bins):
    image = np.asarray(image)
    return np.histogram(image, bins=bins, range=(0, 255))[0] / image.size


def hist_uint8(image, bins):
    image = np.asarray(image)
    index = (image * bins / 256).astype(int)  # image * bins stays uint8 and wraps
    return np.bincount(index.ravel(), minlength=bins)[:bins] / image.size


def choose_by_test(runs):
    return max(runs, key=lambda r: r["test"])["setting"]


def choose_by_train(runs):
    return max(runs, key=lambda r: r["train"])["setting"]


def choose_last_on_tie(runs):
    best = runs[0]
    for run in runs[1:]:
        if run["val"] >= best["val"]:
            best = run
    return best["setting"]


def choose_mean_val_test(runs):
    return max(runs, key=lambda r: r["val"] + r["test"])["setting"]


def budget_ignored(rows, max_ms):
    return max(rows, key=lambda r: r["accuracy"])["name"]


def budget_strict(rows, max_ms):
    return pick_for_budget(rows, max_ms - 1e-9)


def budget_fastest(rows, max_ms):
    fits = [r for r in rows if r["ms_per_image"] <= max_ms]
    return min(fits, key=lambda r: r["ms_per_image"])["name"] if fits else None


def budget_empty_string(rows, max_ms):
    return pick_for_budget(rows, max_ms) or ""


def budget_first_on_tie(rows, max_ms):
    fits = [r for r in rows if r["ms_per_image"] <= max_ms]
    return max(fits, key=lambda r: r["accuracy"])["name"] if fits else None


MUTANTS = [
    Mutant("hog_length", "blocks do not overlap", hog_no_overlap, says="do not overlap"),
    Mutant("hog_length", "one histogram per cell", hog_cells_only, says="one histogram per cell"),
    Mutant("hog_length", "block cells not squared", hog_block_not_squared,
           says="cells per block"),
    Mutant("hog_length", "partial cells counted", hog_round_up, says="partial cell"),
    Mutant("hog_length", "returns a float", hog_float, says="whole number"),
    Mutant("hog_length", "0 instead of an error", hog_no_error),
    Mutant("shape_numbers", "box one pixel short", extent_off_by_one, says="one pixel short"),
    Mutant("shape_numbers", "image edge is not background", border_edge_ignored,
           says="image's edge"),
    Mutant("shape_numbers", "8 neighbours", border_eight_neighbours, says="diagonal"),
    Mutant("shape_numbers", "box perimeter", shape_perimeter_of_box),
    Mutant("shape_numbers", "zeros for an empty mask", shape_empty_zeros),
    Mutant("intensity_histogram", "counts", hist_counts, says="returned counts"),
    Mutant("intensity_histogram", "the image's own range", hist_default_range,
           says="own darkest to brightest"),
    Mutant("intensity_histogram", "range 0-255", hist_range_255, says="0 to 255"),
    Mutant("intensity_histogram", "uint8 overflow", hist_uint8, says="wrapped around"),
    Mutant("choose_on_validation", "chooses on test", choose_by_test, says="test split"),
    Mutant("choose_on_validation", "chooses on train", choose_by_train, says="training split"),
    Mutant("choose_on_validation", "last on a tie", choose_last_on_tie, says="last one listed"),
    Mutant("choose_on_validation", "validation + test", choose_mean_val_test),
    Mutant("pick_for_budget", "ignores the budget", budget_ignored, says="ignored the budget"),
    Mutant("pick_for_budget", "strict budget", budget_strict, says="exactly on the budget"),
    Mutant("pick_for_budget", "fastest", budget_fastest, says="fastest"),
    Mutant("pick_for_budget", "'' for nothing", budget_empty_string),
    Mutant("pick_for_budget", "first on a tie", budget_first_on_tie),
]  # fmt: skip
