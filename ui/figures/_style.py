"""Shared look of every figure: the Okabe-Ito palette, one (colour, dash, marker) per series.

Series are told apart by colour AND by dash and marker, so they survive colour-blindness and
greyscale printing. Use ``SERIES[i]`` (or the named roles) with :func:`line_style`; every
figure gets :data:`LAYOUT` from ``_plot.Plot.figure``.
"""

from __future__ import annotations

import math

import numpy as np

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

# Fixed roles, so "deep" looks the same on every page.
BASE = (OKABE_ITO["black"], "dot", "circle-open")
SHALLOW = (OKABE_ITO["vermillion"], "dash", "x")
DEEP = (OKABE_ITO["blue"], "solid", "circle")
BOUND = (OKABE_ITO["orange"], "dashdot", "diamond-open")
EXTRA = (OKABE_ITO["green"], "longdash", "square"), (OKABE_ITO["purple"], "dot", "triangle-up")
SERIES = (DEEP, SHALLOW, BOUND, BASE) + EXTRA

# The name of shapes and labels whose place depends on parameter values a live figure's sliders
# move (ui/live): it hides them while a slider moves, and the server's redraw puts them back.
STALE = "live-stale"

HORIZON_FILL = "rgba(0,0,0,0.06)"  # shading of positions 1..k (inside the harm horizon)


def line_style(style, *, width: float = 2.5, marker_size: int = 7, max_markers: int | None = None,
               shape: str | None = None) -> dict:
    """``line`` and ``marker`` properties of a scatter trace for a series style.

    ``max_markers`` thins the markers of long series (plotly's ``marker.maxdisplayed``);
    ``shape="hv"`` draws steps.
    """
    color, dash, symbol = style
    line = {"color": color, "dash": dash, "width": width}
    marker = {"color": color, "symbol": symbol, "size": marker_size}
    if max_markers:
        marker["maxdisplayed"] = max_markers
    if shape:
        line["shape"] = shape
    return {"line": line, "marker": marker}


# Room at the top of every chart (px): plotly's toolbar (the "modebar") appears there, over the
# top right corner, while the pointer is on the chart. Nothing readable sits in this band.
MODEBAR = 30
# Room under it for labels above a plot (a marked x value, a shaded band's name): ``Plot`` adds it
# when a label is placed there (``Plot.label_above``).
STRIP = 20
LABEL_LINE = 16  # one more line of such labels (``level=1``)

# Every figure's layout before its builder's own settings (``Plot.figure`` merges them).
# The legend sits under the x-axis title (plotly reserves its rows there: ``yref="container"``),
# off the data and away from the toolbar; exported files move it under their title
# (``ui.export.publish``).
LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": MODEBAR, "b": 10},
    "legend": {"orientation": "h", "xref": "container", "x": 0.0, "xanchor": "left",
               "yref": "container", "y": 0.0, "yanchor": "bottom",
               "tracegroupgap": 0},  # legend groups (series drawn in two panels): no extra gap
    "hovermode": "x unified",
    "font": {"size": 13},
    "hoverlabel": {"namelength": -1},
}


def axis_fraction(x: float, lo: float, hi: float, *, log: bool = False) -> float:
    """Where ``x`` lies between the axis ends ``lo`` and ``hi`` (0..1), for label placement."""
    if log:
        x, lo, hi = (math.log10(max(v, 1e-300)) for v in (x, lo, hi))
    return 0.5 if hi == lo else (x - lo) / (hi - lo)


def log_range(*series, pad: float = 0.1) -> list[float] | None:
    """Log-axis range (log10 units) around the positive values of all series, with headroom."""
    y = np.concatenate([np.ravel(np.asarray(s, dtype=float)) for s in series])
    y = y[(y > 0) & np.isfinite(y)]
    if not y.size:
        return None
    lo, hi = np.log10(y.min()), np.log10(y.max())
    span = max(hi - lo, 0.2)
    return [lo - pad * span, hi + pad * span]


# Tick labels of a log axis (issue "Answers in one look"): at least MIN_TICKS inside its range,
# whatever it spans, so an axis can be read on screen and in exported files alike. plotly's own
# choice (``dtick``) can leave one label, e.g. 10⁻² alone on a range of 0.0095..0.016.
# ui/live/runtime.js's logTicks is the same rule for the axes a live figure rescales.
MIN_TICKS, MAX_TICKS = 3, 8
MANTISSAS = ((1, 2, 5), (1, 2, 3, 5), (1, 2, 3, 4, 5, 6, 7, 8, 9))
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _exponent(v: float) -> int:
    return math.floor(math.log10(v) + 1e-9)  # 1e-5 is a power of ten, whatever log10 rounds to


def _label(v: float, n: int, plain: bool) -> str:
    """``v``, a multiple of 10ⁿ, with the digits that tell it from its neighbours: positional
    (0.002, 5000) or m×10ᵉ (2×10⁻⁵, 10⁻⁵); 1 and 10 as themselves."""
    e = _exponent(v)
    if plain:
        return f"{v:.{max(0, -n)}f}"
    mantissa = f"{v / 10.0 ** e:.{max(0, e - n)}f}"
    power = {0: "1", 1: "10"}.get(e, f"10{str(e).translate(_SUPERSCRIPT)}")
    if mantissa == "1":
        return power
    return mantissa if e == 0 else f"{mantissa}×{power}"


def log_ticks(lo: float, hi: float, *, counts: bool = False) -> tuple[list[float], list[str]]:
    """Tick values (data units) and labels of a log axis whose range is ``lo``..``hi`` in log10
    units: powers of ten (every 1, 2, 5, 10, … decades, at most MAX_TICKS); over fewer decades
    1-2-5, then 1-2-3-5, then every digit of each decade; under that a linear 1-2-5 step. The
    first of these with at least MIN_TICKS inside the range. ``counts``: labels as plain numbers
    (tokens: 5, 10, 1000; from 1 to 10⁹), never 10ⁿ."""
    if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
        return [], []
    first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    for step in (1, 2, 5, 10, 20, 50, 100):
        exps = [e for e in range(first, last + 1) if e % step == 0]
        if len(exps) <= MAX_TICKS:
            break
    if len(exps) >= MIN_TICKS:
        return [10.0 ** e for e in exps], [_label(10.0 ** e, e, counts) for e in exps]
    a, b = 10.0 ** lo, 10.0 ** hi
    plain = counts or (1e-3 <= a and b < 1e4)
    for mantissas in MANTISSAS:
        ticks = [(m * 10.0 ** e, e) for e in range(math.floor(lo), math.floor(hi) + 1)
                 for m in mantissas if lo - 1e-9 <= math.log10(m) + e <= hi + 1e-9]
        if len(ticks) >= MIN_TICKS:
            return [v for v, _ in ticks], [_label(v, n, plain) for v, n in ticks]
    n = _exponent(b - a)  # a linear step: the largest of 5, 2, 1 × 10ⁿ with MIN_TICKS inside
    while True:
        for m in (5, 2, 1):
            step = m * 10.0 ** n
            ks = range(math.ceil(a / step - 1e-9), math.floor(b / step + 1e-9) + 1)
            if len(ks) >= MIN_TICKS:
                return [k * step for k in ks], [_label(k * step, n, plain) for k in ks]
        n -= 1


def log_axis(rng: list[float] | None = None) -> dict:
    """Properties of a log axis that reads cleanly: with a range (log10 units), its ticks and
    labels from :func:`log_ticks` (at least three inside it; plotly's own choice can leave one).
    """
    props = {"type": "log", "exponentformat": "power"}
    if rng is not None:
        lo, hi = sorted((float(rng[0]), float(rng[1])))
        props["range"] = [float(rng[0]), float(rng[1])]
        props["tickvals"], props["ticktext"] = log_ticks(lo, hi)
    return props
