"""Tests of helpers.explorers.pooling: the pure function, the grid parser and the widgets."""

import numpy as np
import pytest

from helpers import conv
from helpers.explorers import pooling

SEED_GRID = [[2, 3, 1, 9], [4, 7, 3, 5], [8, 2, 2, 2], [1, 3, 4, 5]]
RNG = np.random.default_rng(5)
PHOTO = RNG.integers(0, 256, size=(30, 41, 3)).astype(np.uint8)


def test_parse_grid():
    g = pooling.parse_grid("1 2\n3, 4; 1/2 -1")
    assert g.tolist() == [[1, 2], [3, 4], [0.5, -1]]
    for bad, msg in [("", "empty"), ("1 2; 3", "different lengths"), ("1 x", "not a number"),
                     (";".join(["1 " * 13] * 2), "at most 12")]:  # fmt: skip
        with pytest.raises(ValueError, match=msg):
            pooling.parse_grid(bad)
    with pytest.raises(TypeError):
        pooling.parse_grid([[1]])


def test_seed_example_and_winners():
    r = pooling.pool(SEED_GRID, 2)
    assert r.output.tolist() == [[7, 9], [8, 5]]
    assert r.winners.tolist() == [[[1, 1], [0, 3]], [[2, 0], [3, 3]]]
    assert r.counts.sum() == 4 and r.covered.all()
    assert "input 4×4 → output 2×2" in r.text and "4 of 16" in r.text and "(25%)" in r.text
    avg = pooling.pool(SEED_GRID, 2, mode="avg")
    assert avg.output.tolist() == [[4, 4.5], [3.5, 3.25]] and avg.winners is None
    assert (avg.counts == 1).all()


@pytest.mark.parametrize("size,stride,padding", [(2, 2, "valid"), (3, 2, "valid"), (3, 1, "same"),
                                                 (2, 3, "valid"), (4, 3, "same")])  # fmt: skip
def test_winners_give_the_max_and_sizes_match(size, stride, padding):
    x = RNG.integers(0, 100, size=(7, 9)).astype(float)
    r = pooling.pool(x, size, stride, padding, "max")
    np.testing.assert_array_equal(r.output, conv.pool2d(x, size, stride=stride, padding=padding))
    rows, cols = r.winners[..., 0], r.winners[..., 1]
    np.testing.assert_array_equal(x[rows, cols], r.output)  # each winner holds its output value
    assert r.counts.sum() == r.output.size
    ho = conv.output_size(7, size, padding=padding, stride=stride)
    assert (
        r.output.shape[0] == ho
        and conv.explain_output_size(7, size, padding=padding, stride=stride) in r.text
    )


def test_dropped_cells_and_overlap():
    r = pooling.pool(np.arange(25.0).reshape(5, 5), 2, 2, "valid", "avg")
    assert not r.covered[4].any() and not r.covered[:, 4].any() and r.covered[:4, :4].all()
    assert "9 input cell(s) lie in no window" in r.text
    assert "overlap" in pooling.pool(np.ones((6, 6)), 3, 2).text
    assert "gaps" in pooling.pool(np.ones((6, 6)), 2, 3).text


def test_image_channels_and_bad_settings():
    r = pooling.pool(PHOTO, 2)
    assert r.output.shape == (15, 20, 3) and r.winners is None
    np.testing.assert_array_equal(r.output, conv.pool2d(PHOTO, 2))
    for kwargs, msg in [({"size": 0}, "positive"), ({"padding": "full"}, "padding"),
                        ({"mode": "sum"}, "mode"), ({"size": 5}, "larger")]:  # fmt: skip
        with pytest.raises(ValueError, match=msg):
            pooling.pool(SEED_GRID, **kwargs)


def test_widget_updates_and_reports_errors():
    ui = pooling.pooling_explorer({"photo": PHOTO}, draw=False)
    assert ui.result.grid.output.shape == (3, 3) and ui.result.image.output.shape == (15, 20, 3)
    assert ui.stride.disabled and "stride 2" in ui.message
    ui.size.value = 3  # stride follows the window while "stride = window" is ticked
    assert ui.stride.value == 3 and ui.result.grid.output.shape == (2, 2)
    ui.same_stride.value = False
    assert not ui.stride.disabled
    ui.stride.value = 1
    assert ui.result.grid.output.shape == (4, 4) and "overlap" in ui.message
    ui.mode.value = "avg"
    assert ui.result.grid.winners is None
    ui.padding.value = "same"
    assert ui.result.grid.output.shape == (6, 6) and ui.result.image.output.shape == (30, 41, 3)
    ui.grid.value = "1 2; 3"  # invalid text: a message in the widget, no exception
    assert ui.result is None and ui.message.startswith("⚠") and "different lengths" in ui.message
    assert "⚠" in ui.text.value
    ui.grid.value = "2 3 1 9; 4 7 3 5; 8 2 2 2; 1 3 4 5"
    ui.mode.value = "max"
    ui.same_stride.value = True
    ui.size.value = 2
    ui.padding.value = "valid"
    assert ui.result.grid.output.tolist() == [[7, 9], [8, 5]] and ui.result is not None


def test_widget_draws():
    ui = pooling.pooling_explorer({"photo": PHOTO, "gray": PHOTO[..., 0]})
    ui.image.value = "gray"
    assert ui.result.image.output.shape == (15, 20)
    assert len(ui.figures(ui.result)) == 2
    assert "application/vnd.jupyter.widget-view+json" in ui._repr_mimebundle_()
    assert ui.widget.children[0].layout.flex_flow == "row wrap"
    with pytest.raises(ValueError, match="non-empty"):
        pooling.pooling_explorer({})
