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


# Every figure's layout before its builder's own settings (``Plot.figure`` merges them).
LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 20, "b": 10},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1.0},
    "hovermode": "x unified",
    "font": {"size": 13},
    "hoverlabel": {"namelength": -1},
}


def shade_horizon(p: Plot, k: int, *, row: int = 1, col: int = 1) -> None:
    """Grey band over positions 1..k, where harm still moves and Theorem 20 does not apply."""
    if k >= 1:
        p.vrect(0.5, k + 0.5, fillcolor=HORIZON_FILL, row=row, col=col,
                label=f"inside horizon (t ≤ {k})")


def mark_x(p: Plot, x: float, label: str, *, log: bool = False, row: int | None = None) -> None:
    """Dotted vertical line at ``x`` (on every subplot, or on ``row``) labelled at the top.

    On a log axis an annotation takes log10 coordinates while a shape takes data coordinates.
    """
    p.vline(x, dash="dot", row=row)
    p.note(label, x=math.log10(x) if log else x, xref=p.xref(row or p.rows),
           y=1.0, yref="paper", xanchor="left", yanchor="bottom", size=11, color="grey")


def log_range(*series, pad: float = 0.1) -> list[float] | None:
    """Log-axis range (log10 units) around the positive values of all series, with headroom."""
    y = np.concatenate([np.ravel(np.asarray(s, dtype=float)) for s in series])
    y = y[y > 0]
    if not y.size:
        return None
    lo, hi = np.log10(y.min()), np.log10(y.max())
    span = max(hi - lo, 0.2)
    return [lo - pad * span, hi + pad * span]
