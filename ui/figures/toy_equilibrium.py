"""Page 4 figures: the standard optimum's KL_t against (eta^2/2) I_t, its eta sweep, and the
shared-parameter variant of Appendix A."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ._style import BOUND, DEEP, SHALLOW, base_layout, line_style, shade_horizon
from .toy_common import EXACT, cached, padded_max, position_axis

NATS = EXACT + " nats"


def build_kl_vs_information(d: dict, *, eta: float) -> go.Figure:
    """KL_t of the exact optimum beside the Theorem 14 / Corollary 15 prediction (eta^2/2) I_t."""
    t, k = d["t"], d["k"]
    fig = go.Figure()
    fig.add_scatter(x=t, y=d["approx"], name=f"(η²/2)·Iₜ, η = {eta:g} (Thm 14, small η)",
                    mode="lines+markers", hovertemplate=NATS, **line_style(BOUND))
    fig.add_scatter(x=t, y=d["kl"], name="KLₜ of the exact optimum π*", mode="lines+markers",
                    hovertemplate=NATS, **line_style(DEEP))
    fig.update_traces(marker_maxdisplayed=60)
    shade_horizon(fig, min(k, len(t)))
    position_axis(fig, len(t))
    fig.update_yaxes(title_text="KLₜ (nats)", range=[0, padded_max(d["kl"], d["approx"])])
    fig.update_layout(xaxis_hoverformat="d", yaxis_tickformat=".2~g")  # no SI "μ" ticks
    return base_layout(fig, height=380)


def build_kl_vs_eta(d: dict, *, eta: float) -> go.Figure:
    """Total KL against eta (log-log): the exact optimum follows (eta^2/2) Var H for small eta."""
    fig = go.Figure()
    keep = d["approx"] > 0  # a constant H has zero KL everywhere: nothing to draw on a log axis
    fig.add_scatter(x=d["eta"][keep], y=d["approx"][keep], name="(η²/2)·Var H", mode="lines",
                    hovertemplate=NATS, **line_style(BOUND))
    keep = d["kl"] > 0
    fig.add_scatter(x=d["eta"][keep], y=d["kl"][keep], name="Σₜ KLₜ of π* (exact)",
                    mode="lines+markers", hovertemplate=NATS, **line_style(DEEP))
    fig.add_vline(x=eta, line_dash="dot", line_color="grey", annotation_text=f"η = {eta:g}")
    fig.update_xaxes(title_text="harm weight η = λ/β (log scale)", type="log",
                     exponentformat="power")
    fig.update_yaxes(title_text="total KL (nats, log scale)", type="log", exponentformat="power")
    fig.update_layout(xaxis_hoverformat=".4g")
    return base_layout(fig, height=340)


def build_shared_variant(tab: dict, shared: dict) -> go.Figure:
    """After training: KL_t (top) and the harm effect of each position's change (bottom),
    per-position ("tabular") vs shared parameters (Appendix A, Proposition 26)."""
    T, k = len(tab["t"]), tab["k"]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1)
    runs = (("per-position parameters", tab, DEEP), ("shared parameters (App. A)", shared, SHALLOW))
    for name, run, style in runs:
        fig.add_scatter(x=run["t"], y=run["kl"][-1], name=name, legendgroup=name,
                        mode="lines+markers", hovertemplate=NATS, row=1, col=1,
                        **line_style(style))
        fig.add_scatter(x=run["t"], y=run["effect"][-1], name=name, legendgroup=name,
                        showlegend=False, mode="lines+markers", hovertemplate=EXACT, row=2, col=1,
                        **line_style(style))
    fig.update_traces(marker_maxdisplayed=60)
    if k < T:  # point at the incidental KL: small next to the early KL, easy to miss
        fig.add_annotation(x=k + 1, y=shared["kl"][-1][k], row=1, col=1, ax=30, ay=-40,
                           text="incidental KL (shared)", font={"size": 11}, arrowcolor="grey")
    shade_horizon(fig, min(k, T), row=1, col=1)
    shade_horizon(fig, min(k, T), row=2, col=1)
    fig.update_yaxes(title_text="KLₜ (nats)", row=1, col=1,
                     range=[0, padded_max(tab["kl"][-1], shared["kl"][-1])])
    low = float(np.min([tab["effect"][-1].min(), shared["effect"][-1].min(), 0.0]))
    fig.update_yaxes(title_text="change in E[H] from t", row=2, col=1,
                     range=[low * 1.1 if low < 0 else -1.0, 0.1 * abs(low) if low < 0 else 1.0])
    position_axis(fig, T, row=2, col=1)
    fig.update_yaxes(tickformat=".2~g")  # no SI "μ" ticks
    fig.update_layout(xaxis_hoverformat="d", xaxis2_hoverformat="d")
    return base_layout(fig, height=480)


kl_vs_information = cached(build_kl_vs_information)
kl_vs_eta = cached(build_kl_vs_eta)
shared_variant = cached(build_shared_variant)
