"""Shared look of every figure: the Okabe-Ito palette, one (colour, dash, marker) per series.

Series are told apart by colour AND by dash and marker, so they survive colour-blindness and
greyscale printing. Use ``SERIES[i]`` (or the named roles) with :func:`line_style`; start every
figure with :func:`base_layout`.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

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


def line_style(style, *, width: float = 2.5, marker_size: int = 7) -> dict:
    """``line`` and ``marker`` keyword arguments of ``go.Scatter`` for a series style."""
    color, dash, symbol = style
    return {
        "line": {"color": color, "dash": dash, "width": width},
        "marker": {"color": color, "symbol": symbol, "size": marker_size},
    }


def base_layout(fig: go.Figure, *, title: str | None = None, height: int = 380) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        title={"text": title, "x": 0.0, "xanchor": "left"} if title else None,
        height=height,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1.0},
        hovermode="x unified",
        font={"size": 13},
        hoverlabel={"namelength": -1},
    )
    return fig


def shade_horizon(fig: go.Figure, k: int, **where) -> None:
    """Grey band over positions 1..k, where harm still moves and Theorem 20 does not apply."""
    if k >= 1:
        fig.add_vrect(x0=0.5, x1=k + 0.5, fillcolor=HORIZON_FILL, line_width=0, layer="below",
                      annotation_text=f"inside horizon (t ≤ {k})", annotation_position="top left",
                      annotation_font_size=11, **where)


def mark_x(fig: go.Figure, x: float, label: str, *, log: bool = False, xref: str = "x") -> None:
    """Dotted vertical line at ``x`` labelled at the top of the plot.

    (``add_vline(annotation_text=...)`` misplaces the label on a log axis: annotations there
    take log10 coordinates while shapes take data coordinates.)
    """
    fig.add_vline(x=x, line_dash="dot", line_color="grey")
    fig.add_annotation(x=math.log10(x) if log else x, xref=xref, y=1.0, yref="paper",
                       text=label, showarrow=False, xanchor="left", yanchor="bottom",
                       font={"size": 11, "color": "grey"})


def log_range(*series, pad: float = 0.1) -> list[float] | None:
    """Log-axis range (log10 units) around the positive values of all series, with headroom."""
    y = np.concatenate([np.ravel(np.asarray(s, dtype=float)) for s in series])
    y = y[y > 0]
    if not y.size:
        return None
    lo, hi = np.log10(y.min()), np.log10(y.max())
    span = max(hi - lo, 0.2)
    return [lo - pad * span, hi + pad * span]
