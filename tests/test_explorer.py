"""Tests of helpers.explorer: the pure function, the parsers and the ipywidgets explorer."""

import numpy as np
import pytest

from helpers import conv, explorer

RNG = np.random.default_rng(3)
GRAY = RNG.integers(0, 256, size=(20, 24)).astype(np.uint8)
RGB = RNG.integers(0, 256, size=(20, 24, 3)).astype(np.uint8)


def test_kernel_names_and_get_kernel():
    names = explorer.kernel_names()
    assert {"sharpen", "sobel x", "sobel y", "gaussian", "laplacian"} <= set(names)
    k = explorer.get_kernel("Sobel_X")
    assert k.dtype == np.float64 and k.tolist() == [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    k[0, 0] = 99  # a copy: the table is unchanged
    assert explorer.KERNELS["sobel x"][0, 0] == -1
    assert explorer.get_kernel("gaussian").sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="unknown kernel 'blur me'.*sharpen"):
        explorer.get_kernel("blur me")
    with pytest.raises(TypeError):
        explorer.get_kernel(3)


def test_parse_kernel():
    k = explorer.parse_kernel("1/16 2/16 1/16\n2/16, 4/16, 2/16; 1/16 2/16 1/16")
    np.testing.assert_allclose(k, explorer.KERNELS["gaussian"])
    assert explorer.parse_kernel("1 -2").shape == (1, 2)
    for bad, msg in [("", "empty"), ("1 2; 3", "different lengths"), ("1 x; 2 3", "not a number"),
                     ("1/0", "not a number")]:  # fmt: skip
        with pytest.raises(ValueError, match=msg):
            explorer.parse_kernel(bad)
    with pytest.raises(TypeError):
        explorer.parse_kernel([[1, 2]])


def test_parse_padding():
    assert explorer.parse_padding("VALID") == "valid"
    assert explorer.parse_padding(" same ") == "same"
    assert explorer.parse_padding("2") == 2 and explorer.parse_padding(np.int64(0)) == 0
    for bad in (-1, "full", "-1", True, 1.5, None):
        with pytest.raises(ValueError):
            explorer.parse_padding(bad)


def test_to_grayscale():
    g = explorer.to_grayscale(RGB)
    assert g.shape == (20, 24) and g.dtype == np.float64
    expected = 0.299 * RGB[..., 0] + 0.587 * RGB[..., 1] + 0.114 * RGB[..., 2]
    np.testing.assert_allclose(g, expected)
    assert explorer.to_grayscale(GRAY[..., None]).shape == (20, 24)
    with pytest.raises(ValueError, match="shape"):
        explorer.to_grayscale(np.zeros((4, 4, 2)))
    with pytest.raises(TypeError):
        explorer.to_grayscale(np.zeros((4, 4), dtype=bool))


@pytest.mark.parametrize(
    "kernel,padding,stride,dilation",
    [("sharpen", "valid", 1, 1), ("sobel x", "same", 2, 1), ("gaussian", 2, 3, 1),
     ("laplacian", "valid", 1, 2), ("sobel y", "1", 1, 1)],
)  # fmt: skip
def test_explore_matches_conv2d(kernel, padding, stride, dilation):
    out, text = explorer.explore(GRAY, kernel, padding, stride, dilation)
    pad = explorer.parse_padding(padding)
    expected = conv.conv2d(GRAY, explorer.get_kernel(kernel), stride=stride, padding=pad,
                           dilation=dilation)  # fmt: skip
    np.testing.assert_array_equal(out, expected)
    assert f"output {out.shape[0]}×{out.shape[1]}" in text
    explained = conv.explain_output_size(20, 3, padding=pad, stride=stride, dilation=dilation)
    assert explained.replace("; ", ";\n         ") in text  # one clause per line
    assert f"kernel {kernel!r}" in text


def test_explore_custom_kernels_and_rgb():
    out, text = explorer.explore(RGB, "1 0; 0 -1")
    assert out.shape == (19, 23) and "custom" in text
    out2, _ = explorer.explore(RGB, np.array([[1, 0], [0, -1]]))
    np.testing.assert_array_equal(out, out2)


def test_explore_bad_settings():
    with pytest.raises(ValueError, match="larger than the padded input"):
        explorer.explore(np.ones((4, 4)), "sharpen", "valid", 1, 3)
    with pytest.raises(ValueError, match="unknown kernel"):
        explorer.explore(GRAY, "emboss")
    with pytest.raises(ValueError):
        explorer.explore(GRAY, np.ones((2, 2, 2)))
    with pytest.raises(TypeError):
        explorer.explore(GRAY, "sharpen", stride=1.5)


def test_widget_updates_when_values_change():
    ui = explorer.conv_explorer({"noise": GRAY, "colour": RGB}, draw=False)
    assert ui.result.shape == (18, 22) and "output 18×22" in ui.message  # sharpen, valid
    assert "<pre>" in ui.text.value and "18×22" in ui.text.value
    ui.stride.value = 2
    assert ui.result.shape == (9, 11) and "stride=2" in ui.message
    ui.padding.value = "same"
    assert ui.result.shape == (10, 12)
    ui.padding.value = "int"
    assert not ui.padding_amount.disabled
    ui.padding_amount.value = 3
    assert ui.result.shape == ((20 + 6 - 3) // 2 + 1, (24 + 6 - 3) // 2 + 1)
    ui.kernel.value = "custom"
    assert not ui.custom.disabled
    ui.custom.value = "1 1; 1 1"
    assert ui.result.shape == ((20 + 6 - 2) // 2 + 1, (24 + 6 - 2) // 2 + 1)
    ui.custom.value = "1 1; 1"  # an error is shown, not raised
    assert ui.result is None and ui.message.startswith("⚠") and "different lengths" in ui.message
    ui.kernel.value = "sobel x"
    assert ui.custom.disabled and ui.result is not None
    ui.image.value = "colour"
    np.testing.assert_array_equal(ui.result, explorer.explore(RGB, **ui.settings())[0])


def test_widget_draws_and_displays():
    ui = explorer.conv_explorer({"noise": GRAY})
    ui.dilation.value = 2
    assert ui.result.shape == (16, 20)
    assert "application/vnd.jupyter.widget-view+json" in ui._repr_mimebundle_()
    with pytest.raises(ValueError, match="non-empty"):
        explorer.conv_explorer({})


def test_display_for_edges_is_signed_and_pictures_stay_pictures():
    photo = np.array([[0, 100, 255], [50, 200, 10], [30, 30, 30]], np.uint8)
    out = np.array([[-20.0, 300.4], [127.6, 5.0]])
    shown, signed = explorer.display_for(explorer.get_kernel("sobel x"), out, photo)
    assert signed and shown is not None and shown.min() < 0
    shown, signed = explorer.display_for(explorer.get_kernel("laplacian"), out, photo)
    assert signed
    # Sharpen sums to 1: a picture, clipped to the photo's 0..255 range and kept on that scale.
    shown, signed = explorer.display_for(explorer.get_kernel("sharpen"), out, photo)
    assert not signed and shown.dtype == np.uint8
    np.testing.assert_array_equal(shown, [[0, 255], [128, 5]])
    shown, signed = explorer.display_for(explorer.get_kernel("gaussian"), out / 255, photo / 255)
    assert not signed and shown.max() <= 1 and shown.min() >= 0


def test_sharpen_panel_is_grey_and_sobel_panel_is_diverging(monkeypatch):
    import matplotlib.pyplot as plt

    from helpers import viz

    calls = []

    def recording(panels, **kwargs):
        calls.append((panels, kwargs))
        return plt.figure()

    monkeypatch.setattr(viz, "compare_images", recording)
    ui = explorer.conv_explorer({"noise": GRAY})
    panels, kwargs = calls[-1]
    assert kwargs["signed"] is False  # sharpen: grey, on the input's 0..255 scale
    out = list(panels.values())[1]
    assert out.dtype == np.uint8 and "clipped" in list(panels)[1]
    ui.kernel.value = "sobel x"
    panels, kwargs = calls[-1]
    assert kwargs["signed"] == "auto" and list(panels.values())[1].min() < 0
    assert "blue < 0 < red" in list(panels)[1]
