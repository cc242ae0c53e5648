"""A figure's data as a table: made once when the figure is built, read by every reader.

A builder finishes with ``Plot.built`` (``ui.figures._plot``): a :class:`Built`, the plotly figure
with its :class:`Table` (one :class:`Column` per drawn trace: name, panel, axis titles, x, y and
what a gap means), whether its x axis is a position a readout reads (``positions``) and the
horizon it marks. The page's readout and data table, the alt text (:func:`describe`), the CSV
(:func:`frame`, :func:`to_csv`), the linked views and the live payload all read that table, so
they show the numbers the chart draws and nobody reads them back out of the plotly figure.
``frame``/``to_csv`` are the long format of exported files (one row per point); ``wide`` is the
page's table (one row per x value, one column per series). Convention for builders: when an
axis shows relabelled ticks (``ticktext``, e.g. 1 - γ on a log axis labelled in γ), a trace's
1-D ``customdata`` holds the labelled value, and tables use that.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go

COLUMNS = ["series", "x_axis", "x", "y_axis", "y"]
# What a readout calls the x axis of a figure whose x values are positions (``Built.positions``).
BY_POSITION, BY_DEPTH = "position t", "depth T′"
NOT_DRAWN = "not drawn"


def _axis(layout: dict, ref: str) -> dict | None:
    """Layout axis of a trace reference ('x', 'x2', 'y', ...)."""
    return layout.get(ref[0] + "axis" + ref[1:])


def _text(axis: dict) -> str:
    title = axis.get("title") or {}
    return (title.get("text") if isinstance(title, dict) else title) or ""


def _title(layout: dict, ref: str) -> str:
    """Axis title; for subplots that share a title with their row (y) or column (x), that one."""
    axis = _axis(layout, ref)
    if axis is None:
        return ""
    if _text(axis):
        return _text(axis)
    letter, domain = ref[0], tuple(axis.get("domain") or (0, 1))
    for key, other in layout.items():
        if (key.startswith(letter + "axis") and _text(other)
                and tuple(other.get("domain") or (0, 1)) == domain):
            return _text(other)
    return ""


def _numbers(values) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiub":  # fast path, same floats
        return values.astype(float)
    return pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(float)


def _refs(trace: dict) -> tuple[str, str]:
    return trace.get("xaxis") or "x", trace.get("yaxis") or "y"


def _x(layout: dict, trace: dict, n: int) -> list:
    axis = _axis(layout, _refs(trace)[0])
    custom = trace.get("customdata")
    if axis is not None and axis.get("ticktext") is not None and custom is not None \
            and np.ndim(custom) == 1:
        return list(custom)
    return list(trace["x"]) if trace.get("x") is not None else list(range(n))


def _kind(trace: dict) -> str:
    if trace.get("type") == "bar":
        return "bars"
    return "line" if "lines" in (trace.get("mode") or "lines") else "points"


@dataclass(frozen=True)
class Column:
    """One drawn series (one trace) as the readers read it."""
    series: str  # the trace's legend name
    name: str  # unique in the figure: the series name, numbered (#i) or with its subplot's title
    numbered: str  # the series name, numbered (#i) in its panel: the long format's name
    quantity: str  # the panel's y-axis title, shortened ("recovery probability")
    x_title: str  # the panel's x-axis title
    y_title: str  # the panel's y-axis title as drawn
    panel: tuple[str, str]  # (x axis, y axis) references of its subplot
    x: list
    y: np.ndarray  # floats, NaN where nothing is drawn
    kind: str  # "line", "points" or "bars"
    reason: str | None  # the builder's words for a gap (the trace's ``meta.gap``), if any
    count: int  # traces with this name in this panel (sampled paths: more than 1)
    trace: int  # its trace's index in the figure
    header: str = ""  # table header: the name, with "[quantity]" where that adds something

    @property
    def gap(self) -> str:
        """What a missing value reads: the builder's reason, else "not drawn"."""
        return self.reason or NOT_DRAWN


@dataclass(frozen=True)
class Table:
    """A figure's data, tidy: one :class:`Column` per drawn trace (one with y values), in
    drawing order, with names unique in the figure."""
    columns: tuple[Column, ...]

    @classmethod
    def of(cls, data: list[dict], layout: dict) -> Table:
        """The table of a figure written as plotly JSON: its traces and its finished layout
        (``Plot.built`` reads its own, before plotly wraps them)."""
        rows = [(i, trace, trace.get("name") or f"series {i + 1}", _numbers(trace["y"]))
                for i, trace in enumerate(data) if trace.get("y") is not None and len(trace["y"])]
        counts = Counter((name, *_refs(trace)) for _, trace, name, _ in rows)
        seen: Counter = Counter()
        out = []
        for i, trace, name, y in rows:
            panel = _refs(trace)
            seen[(name, *panel)] += 1
            n = counts[(name, *panel)]
            numbered = f"{name} #{seen[(name, *panel)]}" if n > 1 else name
            meta = trace.get("meta")
            reason = meta.get("gap") if isinstance(meta, dict) else None
            y_title = _title(layout, panel[1])
            out.append(Column(name, numbered, numbered, _quantity(y_title),
                              _title(layout, panel[0]), y_title, panel, _x(layout, trace, len(y)),
                              y, _kind(trace), reason, n, i))
        # The same series and quantity in two subplots (e.g. one line per run in each column of
        # a grid): name the subplot, by its column's title.
        twice = Counter((c.name, c.quantity) for c in out)
        out = [replace(c, name=f"{c.name}, "
                               f"{_column_title(layout, c.panel[0]) or 'panel ' + c.panel[1]}")
               if twice[(c.name, c.quantity)] > 1 else c for c in out]
        several = len({c.quantity for c in out}) > 1
        return cls(tuple(replace(c, header=_header(c, several)) for c in out))


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity (ui.page.readout caches by it)
class Built:
    """A finished figure: the plotly figure and its table, as one builder made them."""
    fig: go.Figure  # shared by every session (ui.catalog caches it): never mutate it
    table: Table
    positions: str | None = None  # BY_POSITION or BY_DEPTH: a readout reads every series there
    horizon: int | None = None  # the harm horizon k the figure marks (the readout opens at k+1)

    @functools.cached_property
    def chart(self) -> dict:
        """The figure as the dict st.plotly_chart sends, made once: ``to_dict`` is a deep copy
        (tens of ms for the animated training figure, its frames included)."""
        return self.fig.to_dict()


def _table(source: Table | Built) -> Table:
    return source.table if isinstance(source, Built) else source


def columns(source: Table | Built) -> list[Column]:
    """Every drawn series with its panel's quantity, in drawing order, with unique names."""
    return list(_table(source).columns)


def frame(source: Table | Built) -> pd.DataFrame:
    """One row per plotted point: series name, axis titles, x and y (tidy, for CSV and tables)."""
    parts = [pd.DataFrame({"series": c.numbered, "x_axis": c.x_title, "x": c.x,
                           "y_axis": c.y_title, "y": c.y}) for c in columns(source)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def to_csv(source: Table | Built) -> str:
    """CSV with full float precision (17 digits round-trip), empty cells where nothing is drawn."""
    return frame(source).to_csv(index=False, float_format="%.17g", lineterminator="\n")


# --- the page's table: one row per x value, one column per series ------------------------------

MAX_WIDE = 24  # more series than this: the long format reads better than a very wide table


_UNIT = re.compile(r"\s\([^()]+\)$")  # "KLₜ (nats)", "L* (tokens)": a unit at the title's end


def _header(c: Column, several: bool) -> str:
    """The name, with the quantity in brackets when the name lacks it and it tells the panels
    of the figure apart (``several``) or carries a unit: "KL*ₜ (Thm 20, exact) [KL cost (nats)]"."""
    q = c.quantity
    if q and q.lower() not in c.name.lower() and (several or _UNIT.search(q)):
        return f"{c.name} [{q}]"
    return c.name


def _quantity(title: str) -> str:
    """A y-axis title as a column's quantity: what a table indexed by position already says
    ("at position t") and how the axis is scaled ("(log)") left out."""
    for tail in (" (log scale)", " (log)"):
        title = title.removesuffix(tail)
    return title.replace(" at position t", "").replace(", log scale", "")


def _column_title(layout: dict, xref: str) -> str:
    """The title over a subplot's column (``Plot(titles=...)``: a paper annotation at its centre)."""
    axis = _axis(layout, xref) or {}
    middle = sum(axis.get("domain") or (0, 1)) / 2
    for note in layout.get("annotations") or ():
        if (note.get("xref") == "paper" and note.get("yref") == "paper"
                and isinstance(note.get("x"), int | float) and abs(note["x"] - middle) < 1e-6):
            return str(note.get("text") or "")
    return ""


def _numeric(values) -> bool:
    return all(isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in values)


def wide(source: Table | Built) -> pd.DataFrame | None:
    """The plotted data with one row per x value and one column per series (header: series
    name [quantity]), x first: the page's data table. None when the series do not share their x
    values (or are many lines of one series, like sampled paths): then ``frame`` is the table."""
    cols = columns(source)
    if (not cols or len(cols) > MAX_WIDE or any(c.count > 1 for c in cols)
            or len({c.x_title for c in cols}) > 1):
        return None
    try:
        parts = [pd.Series(c.y, index=pd.Index(c.x), name=c.header) for c in cols]
    except TypeError:  # unhashable x values
        return None
    if any(not s.index.is_unique for s in parts):
        return None
    union = set().union(*(set(s.index) for s in parts))
    if sum(len(s) for s in parts) < 0.5 * len(union) * len(parts):  # mostly empty cells
        return None
    table = pd.concat(parts, axis=1, sort=_numeric(union))
    table.index.name = _short(cols[0].x_title) or "x"
    return table.reset_index()


def _num(x) -> str:
    # z: -0.0 reads "0", not "-0"
    return f"{float(x):z.3g}" if isinstance(x, int | float | np.number) else str(x)


def _short(title: str) -> str:
    """'position t (1-indexed; …)' -> 'position t'."""
    return title.split(" (")[0] or title


def _many(name: str, group: list[Column]) -> str:
    """Several traces drawn as one series (e.g. sampled paths): how many, where they end."""
    ends = [c.y[np.isfinite(c.y)][-1] for c in group if np.isfinite(c.y).any()]
    text = f"{name}: {len(group)} lines"
    if ends:
        text += f" ending between {_num(min(ends))} and {_num(max(ends))}"
    return text


def _one(c: Column, *, x_name: str) -> str:
    name, kind, x, y = c.series, c.kind, c.x, c.y
    ok = np.isfinite(y)
    if not ok.any():
        return f"{name} ({kind}): nothing drawn (no finite values)"
    if kind == "bars" and len(y) <= 12:
        return f"{name} (bars): " + ", ".join(f"{a} {_num(b)}" for a, b, k in zip(x, y, ok) if k)
    if kind == "bars":
        top = int(np.nanargmax(np.where(ok, y, -np.inf)))
        return (f"{name} ({len(y)} bars, {x_name} = {_num(x[0])} to {_num(x[-1])}): largest "
                f"{_num(y[top])} at {x_name} = {_num(x[top])}, {int((y[ok] == 0).sum())} are zero")
    first, last = np.flatnonzero(ok)[[0, -1]]
    text = (f"{name} ({kind}) from {_num(y[first])} at {x_name} = {_num(x[first])} "
            f"to {_num(y[last])} at {x_name} = {_num(x[last])}")
    lo, hi = y[ok].min(), y[ok].max()
    if lo < min(y[first], y[last]) or hi > max(y[first], y[last]):
        text += f", between {_num(lo)} and {_num(hi)}"
    if not ok.all():  # a builder may say what a gap means (the trace's meta.gap), e.g. L* = ∞
        text += f" ({int((~ok).sum())} of {len(y)} points {'undefined, not drawn' if c.reason is None else c.reason})"
    return text


def describe(source: Table | Built) -> str:
    """Alt text from the data: per panel, its axes; per series, where it starts and ends.

    >>> t = Table.of([{"type": "scatter", "x": [1, 2, 3], "y": [0.5, 0.25, 0.125], "name": "deep",
    ...                "mode": "lines"}], {"xaxis": {"title": {"text": "position t"}},
    ...                                    "yaxis": {"title": {"text": "recovery"}}})
    >>> describe(t)
    'Recovery against position t: deep (line) from 0.5 at position t = 1 to 0.125 at position t = 3.'
    """
    panels: dict[tuple, dict[str, list[Column]]] = {}  # panel -> series name -> its traces
    for c in columns(source):
        panels.setdefault(c.panel, {}).setdefault(c.series, []).append(c)
    sentences = []
    for series in panels.values():
        first = next(iter(series.values()))[0]
        y_t, x_t = first.y_title or "y", first.x_title or "x"
        parts = [_one(group[0], x_name=_short(x_t)) if len(group) == 1 else _many(name, group)
                 for name, group in series.items()]
        # A symbol keeps its case (χ², γ, π); a word starts the sentence with a capital.
        head = y_t if y_t[:1].isascii() is False else f"{y_t[:1].upper()}{y_t[1:]}"
        sentences.append(f"{head} against {x_t}: " + "; ".join(parts) + ".")
    return " ".join(sentences)
