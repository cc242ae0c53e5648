"""Pieces shared by the toy-model figures (pages 2-4 and the attack panel).

Each ``toy_*`` module defines builders ``build_<name>``; ``ui.catalog`` calls and caches them.
"""

from __future__ import annotations

import numpy as np

from ._plot import Plot

POSITION = "position t (1-indexed)"
EXACT = "%{y:.8g}"  # hover: enough digits to read the exact value


def position_axis(p: Plot, T: int, *, start: float = 0.5, title: str = POSITION,
                  row: int | None = None, col: int | None = None) -> None:
    """Positions start..T on the x axis, titled on ``row`` (default: the bottom row)."""
    p.xaxis(range=[start, T + 0.5], hoverformat="d", col=col)
    p.xaxis(title=title, row=row or p.rows, col=col)


def horizon_line(p: Plot, k: int, label: str, *, T: int, dash: str = "dash",
                 level: int = 0) -> None:
    """A vertical line between positions k and k+1 (after it the harm cannot change), on every
    subplot, labelled once above the plot (off the data): right of the line in the left half of
    positions 1..T, left of it in the right half. ``level`` 1: one label line higher."""
    p.vline(k + 0.5, dash=dash, width=1.5)
    if dash == "dash":  # the exact horizon (a numerical one is dotted)
        p.mark_horizon(k)
    right = (k + 0.5) / (T + 1) <= 0.5
    p.label_above(label.strip(), x=k + 0.5, xanchor="left" if right else "right",
                  color="#444", level=level)


def padded_max(*series, pad: float = 1.08) -> float:
    """Upper end of a linear axis that shows every value (and never 0, a degenerate range)."""
    values = np.concatenate([np.ravel(np.asarray(s, dtype=float)) for s in series])
    values = values[np.isfinite(values)]
    top = float(values.max()) if values.size else 0.0
    return top * pad if top > 0 else 1.0


def wants_log(values, decades: float = 3.0) -> bool:
    """Log axis when every value is positive and they span more than ``decades``."""
    y = np.asarray(values, dtype=float)
    # a difference of logs: the ratio overflows when the smallest value is subnormal (I_t at T = 2000)
    return bool(y.size and (y > 0).all() and np.log10(y.max()) - np.log10(y.min()) > decades)
