"""A plotly figure written as plain dicts: the builders' drawing surface.

Building through plotly's graph objects (``go.Figure().add_scatter``, ``make_subplots``,
``add_vrect``) validates every property on every call: 30-300 ms per figure, most of a key
press's time. Builders here write the figure as the plain JSON plotly.js reads and wrap it once,
unvalidated, in a ``go.Figure`` (~1 ms), so callers keep the usual object API. The tests
validate every catalog figure with plotly (``go.Figure(fig.to_dict())``): a misspelt property
fails there, not silently in the browser.

    p = Plot(rows=2, row_heights=[0.6, 0.4])
    p.scatter(t, y, name="deep", row=1, **line_style(DEEP))
    p.yaxis(row=1, title="recovery", type="log")
    return p.built(height=440, positions=BY_POSITION)

A builder returns ``p.built(...)``: the plotly figure with its table (``table.Built``), read
from the traces written here; ``p.figure(...)`` is the plotly figure alone.

Subplots are stacked on shared x axes (one column per run), numbered like ``make_subplots``.
"""

from __future__ import annotations

import copy
import functools
import math

import plotly.graph_objects as go
import plotly.io as pio

from ._style import HORIZON_FILL, LABEL_LINE, LAYOUT, MODEBAR, STRIP
from .table import Built, Table

# The parts of plotly's "plotly_white" template our figures use. The whole template (~400 nested
# dicts, mostly for trace types we never draw) was most of the cost of every to_dict() copy.
_TEMPLATE_LAYOUT = ("annotationdefaults", "autotypenumbers", "colorway", "font", "hoverlabel",
                    "hovermode", "paper_bgcolor", "plot_bgcolor", "shapedefaults", "title",
                    "xaxis", "yaxis")


@functools.cache
def _template() -> dict:
    full = pio.templates["plotly_white"].to_plotly_json()
    return {"data": {kind: full["data"][kind] for kind in ("bar", "scatter")},
            "layout": {key: full["layout"][key] for key in _TEMPLATE_LAYOUT}}


def merge(dst: dict, src: dict) -> dict:
    """Recursively update ``dst`` with ``src`` (nested dicts merge, everything else replaces)."""
    for key, value in src.items():
        if isinstance(value, dict) and isinstance(dst.get(key), dict):
            merge(dst[key], value)
        else:
            dst[key] = value
    return dst


def _domains(n: int, spacing: float, weights=None) -> list[list[float]]:
    """Domains of n stacked (or side-by-side) cells, first cell at the top (or left)."""
    weights = list(weights or [1.0] * n)
    usable = 1.0 - spacing * (n - 1)
    sizes = [usable * w / sum(weights) for w in weights]
    out, end = [], 1.0
    for size in sizes:
        out.append([max(end - size, 0.0), end])
        end -= size + spacing
    return out


class Plot:
    """One figure under construction: ``rows`` x ``cols`` subplots, x shared within a column."""

    def __init__(self, rows: int = 1, cols: int = 1, *, row_heights=None,
                 vertical_spacing: float = 0.08, horizontal_spacing: float = 0.1,
                 titles: tuple[str, ...] = ()):
        self.rows, self.cols = rows, cols
        self.data: list[dict] = []
        self.layout: dict = {"shapes": [], "annotations": []}
        self._strip = 0  # rows of labels above the top row: the figure makes room for them
        self.horizon: int | None = None  # the harm horizon the figure marks (mark_horizon)
        ys = _domains(rows, vertical_spacing, row_heights)
        xs = [[1.0 - b, 1.0 - a] for a, b in _domains(cols, horizontal_spacing)]  # left first
        for r in range(1, rows + 1):
            for c in range(1, cols + 1):
                n = self._n(r, c)
                x = {"anchor": self._ref("y", n), "domain": xs[c - 1]}
                if r < rows:  # shared x: follow the bottom axis of the column, show no labels
                    x |= {"matches": self._ref("x", self._n(rows, c)), "showticklabels": False}
                self.layout[self._key("x", n)] = x
                self.layout[self._key("y", n)] = {"anchor": self._ref("x", n), "domain": ys[r - 1]}
        for c, text in enumerate(titles, start=1):
            self.layout["annotations"].append({
                "text": text, "x": sum(xs[c - 1]) / 2, "xref": "paper", "y": 1.0, "yref": "paper",
                "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 14}})
            self._strip = max(self._strip, 1)

    def _n(self, row: int, col: int) -> int:
        return (row - 1) * self.cols + col

    @staticmethod
    def _ref(letter: str, n: int) -> str:
        return letter if n == 1 else f"{letter}{n}"

    def xref(self, row: int = 1, col: int = 1) -> str:
        """The x axis reference (``"x"``, ``"x2"``, ...) of a subplot, for annotations."""
        return self._ref("x", self._n(row, col))

    def _key(self, letter: str, n: int) -> str:
        return f"{letter}axis" if n == 1 else f"{letter}axis{n}"

    def _cells(self, row, col):
        rows = range(1, self.rows + 1) if row is None else [row]
        cols = range(1, self.cols + 1) if col is None else [col]
        return [self._n(r, c) for r in rows for c in cols]

    # -- traces --------------------------------------------------------------------------
    def add(self, trace: dict, *, row: int = 1, col: int = 1) -> dict:
        n = self._n(row, col)
        if n > 1:
            trace = {**trace, "xaxis": self._ref("x", n), "yaxis": self._ref("y", n)}
        self.data.append(trace)
        return trace

    def scatter(self, x, y, *, row: int = 1, col: int = 1, **props) -> dict:
        return self.add({"type": "scatter", "x": x, "y": y, **props}, row=row, col=col)

    def bar(self, x, y, *, row: int = 1, col: int = 1, **props) -> dict:
        return self.add({"type": "bar", "x": x, "y": y, **props}, row=row, col=col)

    # -- axes and layout -----------------------------------------------------------------
    def xaxis(self, *, row: int | None = None, col: int | None = None,
              title: str | dict | None = None,
              **props) -> None:
        """Update the x axes of the given row/column (None: every one)."""
        self._axes("x", row, col, title, props)

    def yaxis(self, *, row: int | None = None, col: int | None = None,
              title: str | dict | None = None,
              **props) -> None:
        self._axes("y", row, col, title, props)

    def _axes(self, letter, row, col, title, props) -> None:
        if title is not None:  # a string, or plotly's title dict (text, standoff, font)
            props = {**props, "title": title if isinstance(title, dict) else {"text": title}}
        for n in self._cells(row, col):
            merge(self.layout[self._key(letter, n)], props)

    def update(self, **props) -> None:
        merge(self.layout, props)

    def mark_horizon(self, k: int) -> None:
        """Say that the figure marks the harm horizon k (the first one marked counts): a readout
        of it opens at the first position beyond."""
        if self.horizon is None:
            self.horizon = k

    # -- lines, bands, notes -------------------------------------------------------------
    def vrect(self, x0: float, x1: float, *, fillcolor: str, row: int = 1, col: int = 1,
              label: str | None = None, label_at: str = "above") -> None:
        """A band over x0..x1 spanning the subplot's height, optionally labelled: above the
        subplot (``"above"``, clear of the data) or inside the band (``"top left"``,
        ``"bottom left"``: only where the band holds no data)."""
        n = self._n(row, col)
        xref, yref = self._ref("x", n), self._ref("y", n) + " domain"
        self.layout["shapes"].append({"type": "rect", "x0": x0, "x1": x1, "xref": xref,
                                      "y0": 0, "y1": 1, "yref": yref, "fillcolor": fillcolor,
                                      "line": {"width": 0}, "layer": "below"})
        if label and label_at == "above":
            self.label_above(label, x=x0, row=row, col=col, color="#444")
        elif label:
            top = label_at.startswith("top")
            self.note(label, x=x0, xref=xref, y=1 if top else 0, yref=yref, xanchor="left",
                      yanchor="top" if top else "bottom", size=11)

    def label_above(self, text: str, *, x: float, row: int = 1, col: int = 1,
                    xanchor: str = "left", size: int = 11, color: str = "grey",
                    level: int = 0, xref: str | None = None, **props) -> None:
        """A label just above a subplot at data x (log10 units on a log axis): in the strip over
        the top row (the figure makes room for it) or in the gap over a lower row. ``level`` 1
        puts it one line higher, for two labels that could meet. ``xref="paper"``: x is a
        fraction of the width (plotly hides a label anchored outside its axis' range)."""
        n = self._n(row, col)
        self.note(text, x=x, xref=xref or self._ref("x", n), y=1,
                  yref=self._ref("y", n) + " domain",
                  xanchor=xanchor, yanchor="bottom", size=size, color=color,
                  yshift=LABEL_LINE * level, **props)
        if row == 1:
            self._strip = max(self._strip, level + 1)

    def hline(self, y: float, *, color: str, dash: str = "solid", width: float = 2,
              row: int = 1, col: int = 1, label: str | None = None,
              label_at: str = "top right", log: bool = False) -> None:
        """A horizontal line across the subplot, optionally labelled at its right end.

        ``log``: the y axis is logarithmic (a label's y is then in log10 units, a line's is not).
        """
        n = self._n(row, col)
        xref, yref = self._ref("x", n) + " domain", self._ref("y", n)
        self.layout["shapes"].append({"type": "line", "x0": 0, "x1": 1, "xref": xref, "y0": y,
                                      "y1": y, "yref": yref,
                                      "line": {"color": color, "dash": dash, "width": width}})
        if label:  # a few px off the line, clear of the markers of a series lying on it
            top = label_at.startswith("top")
            self.note(label, x=1, xref=xref, y=math.log10(y) if log else y, yref=yref,
                      xanchor="right", yanchor="bottom" if top else "top", yshift=3 if top else -3)

    def vline(self, x: float, *, color: str = "grey", dash: str = "solid", width: float = 2,
              row: int | None = None, col: int | None = None) -> None:
        """A vertical line at x over the full height of the given subplots (None: all)."""
        for n in self._cells(row, col):
            self.layout["shapes"].append({
                "type": "line", "x0": x, "x1": x, "xref": self._ref("x", n), "y0": 0, "y1": 1,
                "yref": self._ref("y", n) + " domain",
                "line": {"color": color, "dash": dash, "width": width}})

    def note(self, text: str, *, size: int | None = None, color: str | None = None,
             **props) -> None:
        """An annotation (no arrow unless ``showarrow=True`` is given)."""
        note = {"text": text, "showarrow": False, **props}
        if size or color:
            note["font"] = {k: v for k, v in (("size", size), ("color", color)) if v}
        self.layout["annotations"].append(note)

    # -- result --------------------------------------------------------------------------
    def _spec(self, height: int, frames: list[dict] | None) -> dict:
        """The finished figure as plotly JSON, in the app's style (``_style.LAYOUT``; builder
        settings win)."""
        layout = merge(merge({"template": _template(), "height": height}, copy.deepcopy(LAYOUT)),
                       self.layout)
        if self._strip:  # labels above the top row: under the toolbar's band, not in it
            room = MODEBAR + STRIP + LABEL_LINE * (self._strip - 1)
            layout["margin"]["t"] = max(layout["margin"].get("t", 0), room)
        spec = {"data": self.data, "layout": layout}
        if frames:
            spec["frames"] = frames
        return spec

    def figure(self, *, height: int = 380, frames: list[dict] | None = None) -> go.Figure:
        """The finished plotly figure."""
        return go.Figure(self._spec(height, frames), _validate=False)

    def built(self, *, height: int = 380, frames: list[dict] | None = None,
              positions: str | None = None) -> Built:
        """The finished figure with its table, read from the traces as written here.
        ``positions``: the x axis is a position (``table.BY_POSITION``, ``table.BY_DEPTH``), so
        a readout under the chart reads every series at one."""
        spec = self._spec(height, frames)
        table = Table.of(spec["data"], spec["layout"])
        return Built(go.Figure(spec, _validate=False), table, positions, self.horizon)


def shade_horizon(p: Plot, k: int, *, row: int = 1, col: int = 1, label: bool = True) -> None:
    """Grey band over positions 1..k, where harm still moves and Theorem 20 does not apply.

    Its name sits above the plot (not over the data inside the band); ``label=False`` for the
    other panels of a figure that names it once.
    """
    if k >= 1:
        p.vrect(0.5, k + 0.5, fillcolor=HORIZON_FILL, row=row, col=col,
                label=f"inside horizon (t ≤ {k})" if label else None)
        p.mark_horizon(k)


def mark_x(p: Plot, x: float, label: str, *, log: bool = False, row: int | None = None,
           at: float = 0.0) -> None:
    """Dotted vertical line at ``x`` (on every subplot, or on ``row``) labelled above the plot.

    ``at``: where ``x`` lies along the axis (0 = left end, 1 = right end); past the middle the
    label goes left of the line, so it never runs off the chart. On a log axis an annotation
    takes log10 coordinates while a shape takes data coordinates.
    """
    p.vline(x, dash="dot", row=row)
    p.label_above(label, x=math.log10(x) if log else x, row=1, col=1,
                  xanchor="right" if at > 0.5 else "left")
