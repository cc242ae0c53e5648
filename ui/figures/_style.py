"""Shared look of every figure: the Okabe-Ito palette, one (colour, dash, marker) per series.

Series are told apart by colour AND by dash and marker, so they survive colour-blindness and
greyscale printing. Use ``SERIES[i]`` (or the named roles) with :func:`line_style`; every
figure gets :data:`LAYOUT` from ``_plot.Plot.figure``.
"""

from __future__ import annotations

import math

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ._plot import Plot

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


def shade_horizon(p: Plot, k: int, *, row: int = 1, col: int = 1, label: bool = True) -> None:
    """Grey band over positions 1..k, where harm still moves and Theorem 20 does not apply.

    Its name sits above the plot (not over the data inside the band); ``label=False`` for the
    other panels of a figure that names it once.
    """
    if k >= 1:
        p.vrect(0.5, k + 0.5, fillcolor=HORIZON_FILL, row=row, col=col,
                label=f"inside horizon (t ≤ {k})" if label else None)


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


def log_axis(rng: list[float] | None = None) -> dict:
    """Properties of a log axis that reads cleanly: powers of ten as 10ⁿ; over about a decade
    labels at 1, 2 and 5 only (plotly's default labels every digit there, and they collide),
    up to six decades every power of ten and no digits between (they collide in a short panel).
    """
    props = {"type": "log", "exponentformat": "power"}
    if rng is not None:
        props["range"] = [float(rng[0]), float(rng[1])]
        span = rng[1] - rng[0]
        if span <= 1.3:
            props["dtick"] = "D2"
        elif span <= 6:
            props["dtick"] = 1
    return props


def count_ticks(lo: float, hi: float) -> list[float]:
    """Ticks 1, 2, 5, 10, 20, 50, … between ``lo`` and ``hi`` for a log axis of counts (tokens),
    labelled as plain numbers; over many decades only 1, 10, 100, …."""
    steps = (1, 2, 5) if hi / max(lo, 1e-300) < 1e4 else (1,)
    ticks = [m * 10 ** e for e in range(int(math.floor(math.log10(max(lo, 1e-300)))),
                                        int(math.ceil(math.log10(hi))) + 1) for m in steps]
    return [t for t in ticks if lo <= t <= hi]
