"""Figures of deep alignment beyond the horizon (Theorems 19, 20). Builders return figures.

Each builder takes the dict made by the matching ``ui.data`` function plus the parameter values
it states in its labels; it never computes math and never draws.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ._style import (
    BASE, BOUND, DEEP, SHALLOW, base_layout, line_style, log_range, mark_x, shade_horizon,
)

POSITION_AXIS = "position t (1-indexed; penalty weight μγᵗ)"


def _position_axis(fig: go.Figure, T: int, **where) -> None:
    fig.update_xaxes(title_text=POSITION_AXIS, range=[0.5, T + 0.5], **where)


def _log_or_linear(values) -> str:
    positive = np.asarray(values, dtype=float)
    return "log" if positive.size and (positive > 0).all() else "linear"


def recovery_by_position(d: dict, *, mu: float, gamma: float, k: int, T: int,
                         mark_t: int | None = None, height: int = 380) -> go.Figure:
    """Recovery probability after a harmful prefix, deep (mu) vs shallow (mu = 0), t = k+1..T."""
    fig = go.Figure()
    fig.add_scatter(x=d["t"], y=d["shallow"], name="standard RLHF, μ = 0 (= base)",
                    mode="lines+markers", hovertemplate="%{y:.6g}", **line_style(SHALLOW))
    fig.add_scatter(x=d["t"], y=d["deep"], name=f"deep, μ = {mu:g}, γ = {gamma:g}",
                    mode="lines+markers", hovertemplate="%{y:.6g}", **line_style(DEEP))
    fig.update_traces(marker_maxdisplayed=40)
    shade_horizon(fig, k)
    if mark_t is not None and k < mark_t <= T:
        mark_x(fig, mark_t, f"t = {mark_t}")
    _position_axis(fig, T)
    fig.update_yaxes(title_text="recovery probability at position t", type="log",
                     exponentformat="power", range=log_range(d["shallow"], d["deep"]))
    fig.update_layout(hovermode="x unified", xaxis_hoverformat="d")
    return base_layout(fig, height=height)


def kl_by_position(d: dict, *, k: int, T: int) -> go.Figure:
    """KL cost of the recovery shift at each position beyond the horizon, with its cap."""
    fig = go.Figure()
    fig.add_scatter(x=d["t"], y=d["kl_cap"], name="cap min(μγᵗ/β, log 1/p) (Thm 22)",
                    mode="lines+markers", hovertemplate="%{y:.6g} nats", **line_style(BOUND))
    fig.add_scatter(x=d["t"], y=d["kl"], name="KL*ₜ (Thm 20, exact)", mode="lines+markers",
                    hovertemplate="%{y:.6g} nats", **line_style(DEEP))
    fig.update_traces(marker_maxdisplayed=40)
    shade_horizon(fig, k)
    _position_axis(fig, T)
    fig.update_yaxes(title_text="KL cost at position t (nats)", type=_log_or_linear(d["kl"]),
                     exponentformat="power")
    fig.update_layout(xaxis_hoverformat="d")
    return base_layout(fig)


def gibbs_bars(d: dict, *, t: int) -> go.Figure:
    """Next-token distribution over a small vocabulary at position t: base vs deep optimum."""
    labels = [f"{name} (R)" if r else name for name, r in zip(d["tokens"], d["is_recovery"])]
    fig = go.Figure()
    fig.add_bar(x=labels, y=d["base_probs"], name="base π_base", marker_color=BASE[0],
                marker_pattern_shape="", hovertemplate="%{y:.6g}")
    fig.add_bar(x=labels, y=d["deep_probs"], name=f"deep q* at t = {t}", marker_color=DEEP[0],
                marker_pattern_shape="/", hovertemplate="%{y:.6g}")
    fig.update_yaxes(title_text="probability (log scale)", type="log", exponentformat="power",
                     range=log_range(d["base_probs"], d["deep_probs"], pad=0.15))
    fig.update_xaxes(title_text="next token (R = recovery token)")
    fig.update_layout(barmode="group")
    return base_layout(fig, height=340)


def tradeoff_vs_gamma(d: dict, *, gamma: float, k: int, T: int) -> go.Figure:
    """Depth vs capability as gamma -> 1: recovery at depth T (top) and the KL it costs (bottom).

    The x axis is 1 - gamma on a reversed log scale, labelled in gamma, so 0.9, 0.99, 0.999 are
    evenly spaced and gamma grows to the right.
    """
    x = 1.0 - d["gamma"]
    custom = d["gamma"]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    fig.add_scatter(x=x, y=d["delta_T"], customdata=custom, row=1, col=1,
                    name=f"recovery at depth T = {T} (Thm 22)", **line_style(DEEP),
                    hovertemplate="γ = %{customdata:.5g}: δ = %{y:.6g}<extra></extra>")
    fig.add_scatter(x=x, y=d["kl_total"], customdata=custom, row=2, col=1,
                    name=f"total KL, t = {k + 1}…{T} (exact)", **line_style(SHALLOW),
                    hovertemplate="γ = %{customdata:.5g}: KL = %{y:.6g} nats<extra></extra>")
    fig.add_scatter(x=x, y=d["kl_bound"], customdata=custom, row=2, col=1,
                    name="total-KL bound (Thm 22)", **line_style(BOUND),
                    hovertemplate="γ = %{customdata:.5g}: bound = %{y:.6g} nats<extra></extra>")
    fig.update_traces(mode="lines")
    if gamma < 1.0:
        mark_x(fig, 1.0 - gamma, f"current γ = {gamma:g}", log=True, xref="x2")
    ticks = [0.0, 0.5, 0.9, 0.99, 0.999, 0.9999]
    fig.update_xaxes(type="log", autorange="reversed", tickvals=[1.0 - g for g in ticks],
                     ticktext=[f"{g:g}" for g in ticks])
    fig.update_yaxes(title_text="recovery δ", type="log", exponentformat="power", row=1, col=1,
                     range=log_range(d["delta_T"]))
    fig.update_yaxes(title_text="KL (nats)", row=2, col=1)
    fig.update_xaxes(title_text="discount γ (penalty weight μγᵗ; log scale in 1 − γ)", row=2, col=1)
    fig.update_layout(hovermode="closest")
    return base_layout(fig, height=460)
