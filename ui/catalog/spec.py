"""What the app knows about one figure: how to build it from the parameter values, and how to
describe it (title for files, alt text, the parameters it depends on)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ui.figures.table import Built


@dataclass(frozen=True)
class FigureSpec:
    name: str  # file stem and widget key
    page: str  # ui.state.nav name of the page that shows it (used in its share URL)
    heading: str  # plain-words title (file metadata, data-table label)
    title: str  # LaTeX title of exported files: one $…$ string, words in \text{}
    summary: str  # what the chart shows, in one sentence: the start of its alt text
    params: tuple[str, ...] | Callable[[dict], tuple[str, ...]]  # what it depends on (caption)
    # values -> the figure and its table (whether a readout reads it at one position is the
    # builder's ``Built.positions``); ValueError if the model cannot do them
    build: Callable[[dict], Built]
    view: int = 0  # the tab of ``page`` that shows it (ui.page.layout.views), for its share link
    # published data: the source, one $…$ LaTeX line under the parameters in exported files
    source_tex: str = ""
    # (values, the built figure) -> a Vega-Lite dict whose panels share a selection on t
    # (ui.figures.linked): the page shows it instead of the plotly figure, whose table still
    # feeds the readout, the data table, the alt text and every exported file
    linked: Callable[[dict, Built, int | None], dict] | None = None  # (values, built, start t)

    def link_values(self, values: dict) -> dict:
        """``values`` with the tab that shows this figure open: what its share link carries."""
        return {**values, "view": self.view}

    def param_names(self, values: dict) -> tuple[str, ...]:
        return self.params(values) if callable(self.params) else self.params
