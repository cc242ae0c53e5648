"""Figures of robustness (Theorem 22) and prefilling attacks (Corollary 23). Builders return figures.

The toy prefilling-attack simulator's figure (base / standard / deep recovery after L forced
harmful tokens) belongs in a new builder here, e.g. ``attack_simulation(d, *, L)``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ._plot import Plot
from ._style import BOUND, DEEP, SERIES, line_style, log_range, mark_x


def recoverability_by_depth(d: dict, *, delta: float, k: int, T: int) -> go.Figure:
    """Guaranteed recovery r_min(T') for every depth T' > k (top) and the total-KL bound (bottom)."""
    p = Plot(rows=2, row_heights=[0.6, 0.4])
    for row, y, name, hover, style in (
            (1, d["delta"], "guaranteed recovery r_min(T′) (Thm 22)", "%{y:.6g}", DEEP),
            (2, d["kl_bound"], "total-KL bound, positions k+1…T′", "%{y:.6g} nats", BOUND)):
        p.scatter(d["depth"], y, name=name, mode="lines+markers", hovertemplate=hover, row=row,
                  **line_style(style, max_markers=40))
    p.hline(delta, color=BOUND[0], dash="dash", row=1, label=f"target δ = {delta:g}", log=True)
    p.yaxis(row=1, title="recovery probability", type="log", exponentformat="power",
            range=log_range(d["delta"], [delta]))
    p.yaxis(row=2, title="KL bound (nats)")
    p.xaxis(hoverformat="d")
    p.xaxis(row=2, title=f"depth T′ (1-indexed, beyond the horizon: T′ > k = {k})",
            range=[k + 0.5, T + 0.5])
    return p.figure(height=480)


def attack_length_vs_mu(d: dict, *, mu: float, gamma: float, k: int) -> go.Figure:
    """Minimum prefilling-attack length L* against mu (log axis), one line per gamma."""
    p = Plot()
    never = []
    for i, (g, row) in enumerate(zip(d["gamma"], d["L"])):
        finite = np.isfinite(row)
        if not finite.any():
            never.append(g)
        current = bool(np.isclose(g, gamma))
        style = DEEP if current else SERIES[1 + i % (len(SERIES) - 1)]
        name = f"γ = {g:g}" + (" (current)" if current else "")
        p.scatter(d["mu"], np.where(finite, row, None), name=name, mode="lines",
                  hovertemplate="L* = %{y:d} tokens",
                  meta={"gap": "not drawn: there no finite prefix suffices, L* = ∞"},
                  **line_style(style, width=3.5 if current else 2, shape="hv"))
    if mu > 0:
        mark_x(p, mu, f"current μ = {mu:g}", log=True)
    p.hline(k, color="grey", dash="dot", label=f"horizon k = {k}", label_at="bottom right")
    if never:
        names = ", ".join(f"{g:g}" for g in never)
        p.note(f"γ = {names}: no finite attack (L* = ∞)", xref="paper", yref="paper", x=0.0,
               y=1.0, xanchor="left")
    p.xaxis(title="recovery penalty μ (log scale)", type="log", exponentformat="power",
            hoverformat=".4g")
    p.yaxis(title="minimum attack length L* (tokens)", rangemode="tozero")
    return p.figure(height=400)
