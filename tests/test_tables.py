"""helpers.tables: Markdown tables that JupyterLab renders."""

import pytest

from helpers import tables


def test_markdown_table_rows_alignment_and_escaping():
    text = tables.markdown_table(
        ["name", "since", "note"],
        [("Keras", 2015, "a | b"), ("ImageNet", 1_281_167, "two\nlines")],
        align="lrc",
    )
    assert text.splitlines() == [
        "| name | since | note |",
        "|:---|---:|:---:|",
        "| Keras | 2,015 | a \\| b |",
        "| ImageNet | 1,281,167 | two lines |",
    ]
    # booleans and floats are shown as they are; default alignment is left
    assert tables.markdown_table(["a", "b"], [(True, 0.5)]).splitlines()[1:] == [
        "|:---|:---|",
        "| True | 0.5 |",
    ]


@pytest.mark.parametrize(
    ("headers", "rows", "align", "message"),
    [
        ([], [], None, "at least one column"),
        (["a", "b"], [(1,)], None, "row 0 has 1 values for 2 columns"),
        (["a", "b"], [], "l", "one of l, r, c per column"),
        (["a"], [], "x", "one of l, r, c per column"),
    ],
)
def test_markdown_table_refuses_bad_input(headers, rows, align, message):
    with pytest.raises(ValueError, match=message):
        tables.markdown_table(headers, rows, align=align)


def test_show_table_prints_outside_ipython(capsys):
    tables.show_table(["a"], [(1,)])
    assert capsys.readouterr().out.splitlines()[0] == "| a |"
