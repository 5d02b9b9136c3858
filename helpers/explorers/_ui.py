"""What every explorer of :mod:`helpers.explorers` shares: layout, messages, drawing.

* :func:`control_row` puts controls in a row that **wraps** onto the next line when the
  notebook is narrow, instead of squeezing them; :func:`style` and :func:`layout` give each
  control a readable description and a minimum width.
* :class:`Explorer` is the base class: a subclass builds its widgets, then implements
  :meth:`Explorer.compute` (settings in, result out: the pure function of its module) and
  :meth:`Explorer.figures` (result in, matplotlib figures out). :meth:`Explorer.update`
  calls both; a ``ValueError``/``TypeError`` — e.g. from a text field holding ``"abc"`` —
  becomes a message in the widget (``⚠ …``), never a traceback.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from typing import Any

__all__ = ["STYLE", "style", "layout", "control_row", "Explorer"]

#: Descriptions keep their natural width, so "learning rate" is never cut to "learn…".
STYLE = {"description_width": "initial"}


def style() -> dict[str, str]:
    """A fresh ``style`` dict for a control (descriptions at their natural width)."""
    return dict(STYLE)


def layout(min_width: str = "220px", **kwargs):
    """An ``ipywidgets.Layout`` with a minimum width (controls are never squeezed below it)."""
    import ipywidgets as w

    return w.Layout(min_width=min_width, margin="2px 12px 2px 0", **kwargs)


def control_row(widgets: Sequence[Any]):
    """An ``HBox`` whose children wrap onto the next line when there is no room."""
    import ipywidgets as w

    return w.HBox(list(widgets), layout=w.Layout(flex_flow="row wrap", align_items="center",
                                                 width="100%"))  # fmt: skip


class Explorer:
    """Base class of the explorers: ``widget`` to display, ``result``/``message`` to test.

    Attributes:
        text: an ``HTML`` widget with the explanation, or the error message.
        plot: an ``Output`` widget the figures are drawn into.
        widget: the whole user interface (displaying the explorer shows it).
        result: what :meth:`compute` returned last, or ``None`` when the settings are invalid.
        message: the last explanation (``describe(result)``) or error (starts with ``⚠``).
        draw: ``False`` skips the figures (for tests).
    """

    draw: bool = True
    result: Any = None
    message: str = ""

    def _build(self, rows: Sequence[Sequence[Any]], watched: Sequence[Any]) -> None:
        """Lay out ``rows`` of controls above the text and the plot; watch ``watched``."""
        import ipywidgets as w

        self.text = w.HTML(layout=w.Layout(width="100%"))
        self.plot = w.Output(layout=w.Layout(width="100%"))
        self.widget = w.VBox([*(control_row(r) for r in rows), self.text, self.plot],
                             layout=w.Layout(width="100%"))  # fmt: skip
        for widget in watched:
            widget.observe(self._changed, names="value")

    # -- to implement -------------------------------------------------------------------
    def compute(self) -> Any:  # pragma: no cover - abstract
        """Read the widgets and call the module's pure function; raise ValueError if invalid."""
        raise NotImplementedError

    def describe(self, result: Any) -> str:
        """The explanation shown under the controls (plain text)."""
        return getattr(result, "text", str(result))

    def figures(self, result: Any) -> list:  # pragma: no cover - abstract
        """The matplotlib figures to show for ``result`` (``result`` may be ``None``)."""
        return []

    def sync(self) -> None:
        """Enable/disable controls that depend on others (called before each update)."""

    # -- machinery ----------------------------------------------------------------------
    def _changed(self, _change=None) -> None:
        self.update()

    def update(self) -> None:
        """Recompute with the current settings; refresh the text and (if ``draw``) the figures."""
        self.sync()
        try:
            self.result = self.compute()
            self.message = self.describe(self.result)
            colour = "inherit"
        except (ValueError, TypeError) as exc:
            self.result, self.message, colour = None, f"⚠ {exc}", "#b00020"
        # pre-wrap: long lines wrap at spaces (never inside a word) in a narrow notebook.
        self.text.value = (f'<pre style="white-space: pre-wrap; word-break: normal; '
                           f'overflow-wrap: break-word; color: {colour}; margin: 4px 0">'
                           f"{html.escape(self.message)}</pre>")  # fmt: skip
        if self.draw:
            self._redraw()

    def _redraw(self) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import Image, display

        if self.result is None:  # invalid settings: no stale figures under the message
            self.plot.clear_output()
            return
        self.plot.clear_output(wait=True)  # the old figures stay until the new ones arrive
        # Each figure is rendered to PNG at once and closed before anything is displayed, so
        # that drawing or closing one figure can never touch another one still to be shown.
        pngs = []
        for fig in self.figures(self.result):
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", bbox_inches="tight")
            plt.close(fig)
            pngs.append(Image(data=buffer.getvalue(), format="png"))
        with self.plot:
            for png in pngs:
                display(png)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
