"""Tables for notebooks: rows of values as a Markdown table that JupyterLab renders.

A printed, space-padded table wraps in the middle of words as soon as its lines are wider than
the notebook; a rendered table wraps inside its cells instead. :func:`markdown_table` builds the
Markdown text (testable, printable); :func:`show_table` displays it in a notebook.

Example::

    from helpers import tables
    tables.show_table(["framework", "since"], [("Keras", 2015), ("JAX", 2018)], align="lr")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["markdown_table", "show_table"]

_ALIGN = {"l": ":---", "r": "---:", "c": ":---:"}


def _cell(value: Any) -> str:
    """One cell's text: thousands separators for whole numbers, '|' escaped, no line breaks."""
    if isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:,}"
    else:
        text = str(value)
    return " ".join(text.split()).replace("|", "\\|")


def markdown_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, align: str | None = None
) -> str:
    """A Markdown (GitHub-flavoured) table of ``rows`` under ``headers``.

    Args:
        headers: the column titles.
        rows: one sequence of values per row, as many values as headers. Whole numbers get
            thousands separators; everything else is shown with ``str``.
        align: one letter per column, ``l`` (left), ``r`` (right) or ``c`` (centre); all left
            when omitted.

    Raises:
        ValueError: no columns, a row of the wrong length, or a bad ``align``.
    """
    headers = [str(h) for h in headers]
    if not headers:
        raise ValueError("markdown_table(): give at least one column header")
    align = align or "l" * len(headers)
    if len(align) != len(headers) or set(align) - set(_ALIGN):
        raise ValueError(
            f"markdown_table(): align needs one of l, r, c per column ({len(headers)}), "
            f"got {align!r}"
        )
    lines = [
        "| " + " | ".join(_cell(h) for h in headers) + " |",
        "|" + "|".join(_ALIGN[a] for a in align) + "|",
    ]
    for i, row in enumerate(rows):
        row = list(row)
        if len(row) != len(headers):
            raise ValueError(
                f"markdown_table(): row {i} has {len(row)} values for {len(headers)} columns"
            )
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)


def show_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, align: str | None = None
) -> None:
    """Display :func:`markdown_table` in a notebook (outside IPython: print it)."""
    text = markdown_table(headers, rows, align=align)
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # plain Python
        print(text)
        return
    if get_ipython() is None:
        print(text)
    else:
        display(Markdown(text))
