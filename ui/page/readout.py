"""Per-position readouts: under every chart whose x axis is a position (t, or the depth T′), a
number box for the position and a card with the value of every plotted series there.

    t = 12 · recovery probability: standard RLHF, μ = 0 (= base) 0.01 · deep, μ = 5, γ = 0.9 0.0524302

(Not ``ui.claims.corollary23``, which writes Corollary 23 with the values substituted.) Everything is read
from the built figure's table (``ui.figures.table``), so the card shows the chart's own numbers
for every figure with no per-figure code: a figure qualifies when its builder says that its x
axis is a position (``Built.positions``), and the card opens beyond the horizon it marks
(``Built.horizon``). The readout is made once per built figure (``ui.catalog`` caches those per
parameter set).

One position for the page state: every position-t readout reads the app parameter ``t``
(``ui.state.params``), so a link's ``t=10`` opens every readout at 10, a tab or page switch keeps it,
and typing a position writes it back to the URL. A chart whose plotted positions do not include
t reads its nearest one and says so; t itself is left alone (a toy chart may end at T_toy < t).
A depth T′ readout (Theorem 22's depth, not a position) keeps one depth of its own per session.
The chart marks the position read with a band (:func:`marked`), drawn on a display copy of the
chart's dict: the cached figure and every exported file stay unmarked.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import streamlit as st

from ui.figures import table as tables
from ui.state import url as state
from ui.text.echo import inert
from ui.text.latex import READOUT_SIG as SIG, readout_number as number

BOX_WIDTH = 128  # px of the position box: room for 4 digits and its - / + buttons


@dataclass(frozen=True)
class Item:
    """One series on the card: one trace, or several drawn as one (sampled paths)."""
    label: str
    traces: tuple[tuple[dict, np.ndarray], ...]  # per trace: {position: index}, y values
    gap: str  # what a missing value reads

    def values(self, t: int) -> list[float]:
        out = []
        for index, y in self.traces:
            i = index.get(t)
            if i is not None and math.isfinite(y[i]):
                out.append(float(y[i]))
        return out

    def text(self, t: int) -> str:
        """Markdown: the label and the value at ``t`` (bold), or why there is none."""
        values = self.values(t)
        if not values:
            return f"{inert(self.label)} {inert(self.gap)}"
        if len(self.traces) == 1:
            return f"{inert(self.label)} **{number(values[0])}**"
        return (f"{inert(self.label)} **{number(min(values))} to {number(max(values))}** "
                f"(mean {number(float(np.mean(values)))} over {len(values)} lines)")


@dataclass(frozen=True)
class Readout:
    label: str  # the position's name: "position t", "depth T′"
    symbol: str  # "t", "T′"
    positions: tuple[int, ...]  # every plotted position, ascending
    default: int  # the first plotted position beyond the horizon, else the first one
    groups: tuple[tuple[str, tuple[Item, ...]], ...]  # (quantity = y-axis title, its series)
    axes: tuple[tuple[str, str], ...] = (("x", "y"),)  # (x axis, y axis) of every panel

    def nearest(self, t: float) -> int:
        """The plotted position closest to ``t`` (the box may hold one that is not plotted)."""
        return min(self.positions, key=lambda p: (abs(p - t), p))

    def lines(self, t: int) -> list[str]:
        """Markdown lines: the position, then per quantity (panel) every series' value there
        (one line in all when the figure has one panel)."""
        lines = [(f"_{inert(q)}_: " if q else "") + " · ".join(item.text(t) for item in items)
                 for q, items in self.groups]
        head = f"**{inert(self.symbol)} = {t}**"
        return [f"{head} · {lines[0]}"] if len(lines) == 1 else [head, *lines]

    def card(self, t: int, *, small: bool = False) -> str:
        """The card's markdown (``small``: in Streamlit's small text)."""
        return "  \n".join(f":small[{line}]" if small else line for line in self.lines(t))


def build(built: tables.Built) -> Readout | None:
    """The readout of ``built``; None when its x axis is not a position (or nothing is plotted)."""
    cols = tables.columns(built)
    if built.positions is None or not cols:
        return None
    try:
        xs = [np.asarray(c.x, dtype=float) for c in cols]
    except (TypeError, ValueError):  # category x
        return None
    every = np.concatenate(xs)
    every = every[np.isfinite(every)]
    if not every.size or not np.all(every == np.round(every)):
        return None
    plotted = tuple(int(p) for p in np.unique(every))
    k = built.horizon
    default = next((p for p in plotted if p > k), plotted[0]) if k is not None else plotted[0]
    groups: dict[str, dict[tuple, list]] = {}  # quantity -> series -> [(column, x)]
    for c, x in zip(cols, xs):
        series = (c.series, c.panel) if c.count > 1 else (c.name, c.panel)
        groups.setdefault(c.quantity, {}).setdefault(series, []).append((c, x))
    indexes: dict[bytes, dict] = {}  # x values -> {position: index}; traces mostly share x

    def index(x: np.ndarray) -> dict:
        if x.tobytes() not in indexes:
            ok = np.isfinite(x)
            indexes[x.tobytes()] = dict(zip(x[ok].astype(np.int64).tolist(),
                                            np.flatnonzero(ok).tolist()))
        return indexes[x.tobytes()]

    card = []
    for quantity, series in groups.items():
        items = []
        for members in series.values():
            c = members[0][0]
            traces = tuple((index(x), m.y) for m, x in members)
            items.append(Item(c.series if len(members) > 1 else c.name, traces, c.gap))
        card.append((quantity, tuple(items)))
    label = built.positions
    axes = tuple(dict.fromkeys(c.panel for c in cols))
    return Readout(label, label.split()[-1], plotted, default, tuple(card), axes)


# Keyed by the built figure itself (hashed by identity, held here): ui.catalog returns the same
# one for the same parameters, so a warm rerun does not index its positions again.
of = functools.lru_cache(maxsize=64)(build)


# The position read, on the chart: a highlighter band one position wide (Okabe-Ito yellow, used by
# no series, unlike the horizon's grey band and the dashed/dotted reference lines), at least
# MARK_MIN of the axis wide so that it stays visible over a thousand positions.
MARK_FILL, MARK_MIN = "rgba(240,228,66,0.55)", 0.012
MARK_NAME = "position-mark"
_DEPTH = "_readout_depth"  # the depth T′ readouts' one depth (not a URL parameter)


def box_key(key: str) -> str:
    """Session-state key of the position box under figure ``key`` (``ui.page.show``'s key)."""
    return f"_readout_{key}"


def _is_t(reading: Readout) -> bool:
    return reading.symbol == "t"


def wanted(reading: Readout) -> int:
    """The position the page asks this readout for: the app's t, or the session's depth T′."""
    if _is_t(reading):
        return int(state.get("t"))
    return int(st.session_state.get(_DEPTH, reading.default))


def position(reading: Readout) -> int:
    """The plotted position read: the wanted one, or the nearest plotted one to it."""
    return reading.nearest(wanted(reading))


def mark_shapes(reading: Readout, t: int) -> list[dict]:
    """The mark at position ``t``: a band over the full height of each panel, centred on t."""
    half = max(0.5, MARK_MIN * (reading.positions[-1] - reading.positions[0] + 1) / 2)
    return [{"type": "rect", "x0": t - half, "x1": t + half, "xref": x, "y0": 0, "y1": 1,
             "yref": f"{y} domain", "fillcolor": MARK_FILL, "line": {"width": 0},
             "layer": "below", "name": MARK_NAME} for x, y in reading.axes]


def marked(chart: dict, reading: Readout, t: int) -> dict:
    """A display copy of the chart's dict (``Built.chart``) with the mark at position ``t`` on
    every panel: one more shape per panel, nothing else copied, so neither the data nor the
    cached figure is changed, and exports (built from the catalog) stay unmarked."""
    layout = chart.get("layout", {})
    lines = mark_shapes(reading, t)
    return {**chart, "layout": {**layout, "shapes": [*(layout.get("shapes") or ()), *lines]}}


def _set(key: str, reading: Readout) -> None:
    value = st.session_state[box_key(key)]
    if value is None:
        return
    if _is_t(reading):
        state.set_value("t", int(value))  # the URL follows (ui.state.url writes it)
    else:
        st.session_state[_DEPTH] = int(value)


def show(reading: Readout, key: str) -> None:
    """The position box and the card (``ui.page.show`` draws them with the chart in one fragment)."""
    name, t = box_key(key), position(reading)
    st.session_state[name] = t  # seeded on every run: another chart, tab or page may have moved t
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    row.number_input(
        reading.label[:1].upper() + reading.label[1:], reading.positions[0],
        reading.positions[-1], step=1, key=name, on_change=_set, args=(key, reading),
        width=BOX_WIDTH,
        help=f"Read every plotted series at this {reading.label.split()[0]} (1-indexed): the "
             "numbers the chart draws (the yellow band), also in the data table below"
             + (". One position t for every chart of the app: it is in the URL." if _is_t(reading)
                else "."))
    card = reading.card(t, small=True)
    asked = wanted(reading)
    if asked != t:
        card += ("  \n:small[_" + inert(f"{reading.symbol} = {asked} is not plotted here: the "
                                         f"nearest plotted {reading.label.split()[0]} is read.")
                 + "_]")
    row.container(border=True, width="stretch").markdown(card)
