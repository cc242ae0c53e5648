"""Figures of robustness (Theorem 22) and prefilling attacks (Corollary 23). Builders return figures.

The toy prefilling-attack simulator's figure (base / standard / deep recovery after L forced
harmful tokens) belongs in a new builder here, e.g. ``attack_simulation(d, *, L)``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ._style import BOUND, DEEP, SERIES, base_layout, line_style, log_range, mark_x


def recoverability_by_depth(d: dict, *, delta: float, k: int, T: int) -> go.Figure:
    """Guaranteed recovery delta(T') for every depth T' > k (top) and the total-KL bound (bottom)."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        row_heights=[0.6, 0.4])
    fig.add_scatter(x=d["depth"], y=d["delta"], name="guaranteed recovery δ at depth T′ (Thm 22)",
                    mode="lines+markers", hovertemplate="%{y:.6g}", row=1, col=1,
                    **line_style(DEEP))
    fig.add_hline(y=delta, line_dash="dash", line_color=BOUND[0], row=1, col=1,
                  annotation_text=f"target δ = {delta:g}", annotation_position="top right")
    fig.add_scatter(x=d["depth"], y=d["kl_bound"], name="total-KL bound, positions k+1…T′",
                    mode="lines+markers", hovertemplate="%{y:.6g} nats", row=2, col=1,
                    **line_style(BOUND))
    fig.update_traces(marker_maxdisplayed=40)
    fig.update_yaxes(title_text="recovery δ", type="log", exponentformat="power", row=1, col=1,
                     range=log_range(d["delta"], [delta]))
    fig.update_yaxes(title_text="KL bound (nats)", row=2, col=1)
    fig.update_xaxes(title_text=f"depth T′ (1-indexed, beyond the horizon: T′ > k = {k})",
                     range=[k + 0.5, T + 0.5], row=2, col=1)
    fig.update_layout(xaxis_hoverformat="d", xaxis2_hoverformat="d")
    return base_layout(fig, height=480)


def attack_length_vs_mu(d: dict, *, mu: float, gamma: float, k: int) -> go.Figure:
    """Minimum prefilling-attack length L* against mu (log axis), one line per gamma."""
    fig = go.Figure()
    never = []
    for i, (g, row) in enumerate(zip(d["gamma"], d["L"])):
        finite = np.isfinite(row)
        if not finite.any():
            never.append(g)
        current = bool(np.isclose(g, gamma))
        style = DEEP if current else SERIES[1 + i % (len(SERIES) - 1)]
        name = f"γ = {g:g}" + (" (current)" if current else "")
        fig.add_scatter(x=d["mu"], y=np.where(finite, row, None), name=name, mode="lines",
                        line_shape="hv", hovertemplate="L* = %{y:d} tokens",
                        **line_style(style, width=3.5 if current else 2))
    if mu > 0:
        mark_x(fig, mu, f"current μ = {mu:g}", log=True)
    fig.add_hline(y=k, line_dash="dot", line_color="grey", annotation_text=f"horizon k = {k}",
                  annotation_position="bottom right")
    if never:
        names = ", ".join(f"{g:g}" for g in never)
        fig.add_annotation(text=f"γ = {names}: no finite attack (L* = ∞)", showarrow=False,
                           xref="paper", yref="paper", x=0.0, y=1.0, xanchor="left")
    fig.update_xaxes(title_text="recovery penalty μ (log scale)", type="log",
                     exponentformat="power")
    fig.update_yaxes(title_text="minimum attack length L* (tokens)", rangemode="tozero")
    fig.update_layout(xaxis_hoverformat=".4g")
    return base_layout(fig, height=400)
