"""Pieces shared by the toy-model figures (pages 2-4 and the attack panel).

Each ``toy_*`` module defines plain builders ``build_<name>`` (used by tests) and exports cached
twins ``<name>`` for the pages: building a plotly figure costs ~30 ms, too slow for a 50 ms warm
rerun. As in ``ui.figures``, a cached figure is shared: callers must not mutate it (build a new
one with the ``build_`` function instead).
"""

from __future__ import annotations

import functools

import numpy as np
import plotly.graph_objects as go
import streamlit as st



class _Frozen(go.Figure):
    """A figure whose ``to_dict`` is computed once. Plotly deep-copies the whole figure on every
    ``to_dict``, which ``st.plotly_chart`` calls on every rerun: ~25 ms for the animated training
    figure (its frames), half the 50 ms budget. Only for cached figures, which nobody mutates."""

    def to_dict(self):
        if "_frozen" not in self.__dict__:
            self._frozen = super().to_dict()
        return self._frozen


def cached(builder):
    """The cached twin of a figure builder (``st.cache_resource``: same object every time)."""

    @functools.wraps(builder)
    def frozen(*args, **kwargs):
        return _Frozen(builder(*args, **kwargs))

    return st.cache_resource(max_entries=64, show_spinner=False)(frozen)


POSITION = "position t (1-indexed)"
EXACT = "%{y:.8g}"  # hover: enough digits to read the exact value


def position_axis(fig: go.Figure, T: int, *, start: float = 0.5, title: str = POSITION,
                  **where) -> None:
    fig.update_xaxes(title_text=title, range=[start, T + 0.5], **where)


def horizon_line(fig: go.Figure, k: int, label: str, *, dash: str = "dash",
                 position: str = "left") -> None:
    """A vertical line between positions k and k+1 (after it the harm cannot change), on every
    subplot, labelled once at the top. ``position``: which side of the line the label sits."""
    fig.add_vline(x=k + 0.5, line_dash=dash, line_color="grey", line_width=1.5)
    fig.add_annotation(x=k + 0.5, xref="x", y=1.0, yref="paper", text=label, showarrow=False,
                       xanchor="right" if position == "left" else "left", yanchor="top",
                       font={"size": 11, "color": "#444"}, bgcolor="rgba(255,255,255,0.8)")


def padded_max(*series, pad: float = 1.08) -> float:
    """Upper end of a linear axis that shows every value (and never 0, a degenerate range)."""
    values = np.concatenate([np.ravel(np.asarray(s, dtype=float)) for s in series])
    values = values[np.isfinite(values)]
    top = float(values.max()) if values.size else 0.0
    return top * pad if top > 0 else 1.0


def wants_log(values, decades: float = 3.0) -> bool:
    """Log axis when every value is positive and they span more than ``decades``."""
    y = np.asarray(values, dtype=float)
    return bool(y.size and (y > 0).all() and np.log10(y.max() / y.min()) > decades)
