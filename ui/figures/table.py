"""A figure's data as a table (CSV, the page's data view) and as words (alt text).

Both read the traces of the finished figure (a ``go.Figure`` or its plain JSON dict), so they
always match what is drawn. ``frame``/``to_csv`` are the long format of exported files (one row
per point); ``wide`` is the page's table (one row per x value, one column per series), and
``columns`` the per-series view both it and ``ui.page.readout`` read. Convention
for builders: when an axis shows relabelled ticks (``ticktext``, e.g. 1 - γ on a log axis
labelled in γ), a trace's 1-D ``customdata`` holds the labelled value, and tables use that.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go

COLUMNS = ["series", "x_axis", "x", "y_axis", "y"]


def _plain(fig) -> dict:
    """The figure as plain dicts: reading them is ~50x faster than graph-object access. (Not
    ``fig.to_dict()``: it encodes numpy arrays as base64.)"""
    if isinstance(fig, dict):
        return fig
    return {"data": [t.to_plotly_json() for t in fig.data], "layout": fig.layout.to_plotly_json()}


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


def _series(spec: dict):
    """(trace, name, x values, y floats) of every trace that has y values."""
    for i, trace in enumerate(spec["data"]):
        if trace.get("y") is None or len(trace["y"]) == 0:
            continue
        y = _numbers(trace["y"])
        yield trace, trace.get("name") or f"series {i + 1}", _x(spec["layout"], trace, len(y)), y


def _numbered(spec: dict):
    """Like ``_series``, but traces sharing one name and panel (e.g. sampled paths) get ' #i'."""
    rows = list(_series(spec))
    counts: dict[tuple, int] = {}
    for trace, name, _, _ in rows:
        counts[(name, *_refs(trace))] = counts.get((name, *_refs(trace)), 0) + 1
    seen: dict[tuple, int] = {}
    for trace, name, x, y in rows:
        key = (name, *_refs(trace))
        seen[key] = seen.get(key, 0) + 1
        yield trace, (f"{name} #{seen[key]}" if counts[key] > 1 else name), x, y


def frame(fig) -> pd.DataFrame:
    """One row per plotted point: series name, axis titles, x and y (tidy, for CSV and tables)."""
    spec = _plain(fig)
    layout = spec["layout"]
    parts = [pd.DataFrame({"series": name, "x_axis": _title(layout, _refs(trace)[0]), "x": x,
                           "y_axis": _title(layout, _refs(trace)[1]), "y": y})
             for trace, name, x, y in _numbered(spec)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def to_csv(fig) -> str:
    """CSV with full float precision (17 digits round-trip), empty cells where nothing is drawn."""
    return frame(fig).to_csv(index=False, float_format="%.17g", lineterminator="\n")


# --- the page's table: one row per x value, one column per series ------------------------------

MAX_WIDE = 24  # more series than this: the long format reads better than a very wide table
NOT_DRAWN = "not drawn"


@dataclass(frozen=True)
class Column:
    """One plotted series (one trace), as a table column and a readout line read it."""
    series: str  # the trace's legend name
    name: str  # unique in the figure: the series name, numbered (#i) or with its subplot's title
    quantity: str  # the panel's y-axis title, shortened ("recovery probability")
    x_title: str  # the panel's x-axis title
    panel: tuple[str, str]  # (x axis, y axis) references of its subplot
    x: list
    y: np.ndarray  # floats, NaN where nothing is drawn
    gap: str  # what a missing value means (a builder may say why in the trace's ``meta.gap``)
    count: int  # traces with this name in this panel (sampled paths: more than 1)
    header: str = ""  # table header: the name, with "[quantity]" where that adds something


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


def columns(fig) -> list[Column]:
    """Every plotted series with its panel's quantity, in drawing order, with unique names."""
    spec = _plain(fig)
    layout = spec["layout"]
    rows = list(_series(spec))
    counts = Counter((name, *_refs(trace)) for trace, name, _, _ in rows)
    seen: Counter = Counter()
    out = []
    for trace, name, x, y in rows:
        panel = _refs(trace)
        seen[(name, *panel)] += 1
        n = counts[(name, *panel)]
        meta = trace.get("meta")
        gap = meta.get("gap") if isinstance(meta, dict) else None
        out.append(Column(name, f"{name} #{seen[(name, *panel)]}" if n > 1 else name,
                          _quantity(_title(layout, panel[1])), _title(layout, panel[0]), panel,
                          x, y, gap or NOT_DRAWN, n))
    # The same series and quantity in two subplots (e.g. one line per run in each column of a
    # grid): name the subplot, by its column's title.
    twice = Counter((c.name, c.quantity) for c in out)
    out = [replace(c, name=f"{c.name}, {_column_title(layout, c.panel[0]) or 'panel ' + c.panel[1]}")
           if twice[(c.name, c.quantity)] > 1 else c for c in out]
    several = len({c.quantity for c in out}) > 1
    return [replace(c, header=_header(c, several)) for c in out]


def _numeric(values) -> bool:
    return all(isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in values)


def wide(fig) -> pd.DataFrame | None:
    """The plotted data with one row per x value and one column per series (header: series
    name [quantity]), x first: the page's data table. None when the series do not share their x
    values (or are many lines of one series, like sampled paths): then ``frame`` is the table."""
    cols = columns(fig)
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


def _many(name: str, group: list) -> str:
    """Several traces drawn as one series (e.g. sampled paths): how many, where they end."""
    ends = [y[np.isfinite(y)][-1] for _, _, y in group if np.isfinite(y).any()]
    text = f"{name}: {len(group)} lines"
    if ends:
        text += f" ending between {_num(min(ends))} and {_num(max(ends))}"
    return text


def _one(trace: dict, x: list, y: np.ndarray, *, name: str, x_name: str) -> str:
    bars = trace.get("type") == "bar"
    kind = "bars" if bars else "line" if "lines" in (trace.get("mode") or "lines") else "points"
    ok = np.isfinite(y)
    if not ok.any():
        return f"{name} ({kind}): nothing drawn (no finite values)"
    if bars and len(y) <= 12:
        return f"{name} (bars): " + ", ".join(f"{a} {_num(b)}" for a, b, k in zip(x, y, ok) if k)
    if bars:
        top = int(np.nanargmax(np.where(ok, y, -np.inf)))
        return (f"{name} ({len(y)} bars, {x_name} = {_num(x[0])} to {_num(x[-1])}): largest "
                f"{_num(y[top])} at {x_name} = {_num(x[top])}, {int((y[ok] == 0).sum())} are zero")
    first, last = np.flatnonzero(ok)[[0, -1]]
    text = (f"{name} ({kind}) from {_num(y[first])} at {x_name} = {_num(x[first])} "
            f"to {_num(y[last])} at {x_name} = {_num(x[last])}")
    lo, hi = y[ok].min(), y[ok].max()
    if lo < min(y[first], y[last]) or hi > max(y[first], y[last]):
        text += f", between {_num(lo)} and {_num(hi)}"
    if not ok.all():
        # A builder may say what a gap means (plotly's free `meta` field), e.g. L* = ∞.
        gap = (trace.get("meta") or {}).get("gap", "undefined, not drawn")
        text += f" ({int((~ok).sum())} of {len(y)} points {gap})"
    return text


def describe(fig) -> str:
    """Alt text from the data: per panel, its axes; per series, where it starts and ends.

    >>> f = go.Figure(go.Scatter(x=[1, 2, 3], y=[0.5, 0.25, 0.125], name="deep", mode="lines"))
    >>> _ = f.update_layout(xaxis_title="position t", yaxis_title="recovery")
    >>> describe(f)
    'Recovery against position t: deep (line) from 0.5 at position t = 1 to 0.125 at position t = 3.'
    """
    spec = _plain(fig)
    panels: dict[tuple, dict[str, list]] = {}  # panel -> series name -> its traces
    for trace, name, x, y in _series(spec):
        (xr, yr), layout = _refs(trace), spec["layout"]
        x_title, y_title = _title(layout, xr) or "x", _title(layout, yr) or "y"
        panel = panels.setdefault((xr, yr), {"titles": (y_title, x_title)})
        panel.setdefault(name, []).append((trace, x, y))
    sentences = []
    for series in panels.values():
        y_t, x_t = series.pop("titles")
        parts = [_one(*group[0], name=name, x_name=_short(x_t)) if len(group) == 1
                 else _many(name, group) for name, group in series.items()]
        # A symbol keeps its case (χ², γ, π); a word starts the sentence with a capital.
        head = y_t if y_t[:1].isascii() is False else f"{y_t[:1].upper()}{y_t[1:]}"
        sentences.append(f"{head} against {x_t}: " + "; ".join(parts) + ".")
    return " ".join(sentences)
