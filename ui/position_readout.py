"""Per-position readouts: under every chart whose x axis is a position (t, or the depth T′), a
number box for the position and a card with the value of every plotted series there.

    t = 12 · recovery probability: standard RLHF, μ = 0 (= base) 0.01 · deep, μ = 5, γ = 0.9 0.0524302

(Not ``ui.corollary23``, which writes Corollary 23 with the values substituted.) Everything is read
from the finished, cached figure through ``ui.export.tables.columns``, so the card shows the
chart's own numbers for every figure with no per-figure code: a figure qualifies when its
x-axis title starts with "position t" or "depth" (or its ``FigureSpec.positions`` says so).
The readout is built once per figure object (``ui.catalog`` caches figures per parameter set);
moving the position reruns only the readout, an ``st.fragment``.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import numpy as np
import streamlit as st

from .echo import inert  # series names include the pins' names: user text
from .export import tables
from .figures._style import HORIZON_FILL

PREFIXES = ("position t", "depth")  # x-axis titles of position-indexed figures
SIG = 6  # significant digits on the card (the charts' hover shows 6-8)
BOX_WIDTH = 128  # px of the position box: room for 4 digits and its - / + buttons
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def number(x: float) -> str:
    """``x`` with ``SIG`` significant digits, powers of ten written out: 0.0524302, 1.5×10⁻¹²."""
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    if 1e-4 <= abs(x) < 1e6:
        out = f"{x:.{SIG}g}"
    else:
        mantissa, exponent = f"{x:.{SIG - 1}e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        out = f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    return out.replace("-", "−", 1) if out.startswith("-") else out


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


def _horizon(layout: dict) -> int | None:
    """The harm horizon k as the figure marks it: the grey band over positions 1..k
    (``_style.shade_horizon``) or a dashed vertical line at k + 1/2 (``toy_common.horizon_line``)."""
    shapes = layout.get("shapes") or ()
    for s in shapes:
        if s.get("type") == "rect" and s.get("fillcolor") == HORIZON_FILL and s.get("x0") == 0.5:
            return round(float(s["x1"]) - 0.5)
    for s in shapes:
        if (s.get("type") == "line" and s.get("x0") == s.get("x1")
                and str(s.get("yref", "")).endswith("domain")
                and (s.get("line") or {}).get("dash") == "dash"):
            k = float(s["x0"]) - 0.5
            if k.is_integer():
                return int(k)
    return None


def build(fig, positions: bool | None = None) -> Readout | None:
    """The readout of ``fig``; None when its x axis is not a position (or nothing is plotted).
    ``positions``: the figure's declaration (``FigureSpec.positions``), None to read its x title."""
    spec = tables._plain(fig)  # read once: plain dicts
    cols = tables.columns(spec)
    if not cols:
        return None
    title = cols[0].x_title
    if not (positions if positions is not None else title.lower().startswith(PREFIXES)):
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
    k = _horizon(spec["layout"])
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
    short = tables._short(title) or "position"
    return Readout(short, short.split()[-1], plotted, default, tuple(card))


_BUILT: dict[int, tuple] = {}  # id(figure) -> (weak reference, readout); as ui.show's alt text


def of(fig, positions: bool | None = None) -> Readout | None:
    """``build(fig)``, once per figure object (figures are cached per parameter set)."""
    entry = _BUILT.get(id(fig))
    if entry is None or entry[0]() is not fig:
        if len(_BUILT) > 512:
            _BUILT.clear()
        entry = _BUILT[id(fig)] = (weakref.ref(fig), build(fig, positions))
    return entry[1]


_TOUCHED = "_readout_touched_"  # + key: the user chose a position (else follow the default)


def box_key(key: str) -> str:
    """Session-state key of the position box under figure ``key`` (``ui.show``'s key)."""
    return f"_readout_{key}"


def _touch(key: str) -> None:
    st.session_state[_TOUCHED + key] = True


@st.fragment
def show(reading: Readout, key: str) -> None:
    """The position box and the card; a fragment, so moving the position reruns only this."""
    state, name = st.session_state, box_key(key)
    current = state.get(name)
    if current is None or not state.get(_TOUCHED + key):
        state[name] = reading.default  # untouched: follow the default as the parameters move
        state[_TOUCHED + key] = False
    elif current not in reading.positions:
        state[name] = reading.nearest(current)  # e.g. T was lowered below it
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    t = row.number_input(
        reading.label[:1].upper() + reading.label[1:], reading.positions[0],
        reading.positions[-1], step=1, key=name, on_change=_touch, args=(key,), width=BOX_WIDTH,
        help=f"Read every plotted series at this {reading.label.split()[0]} (1-indexed): the "
             "numbers the chart draws, also in the data table below.")
    row.container(border=True, width="stretch").markdown(reading.card(reading.nearest(t), small=True))
