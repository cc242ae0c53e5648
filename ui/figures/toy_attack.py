"""Page 6 panel figure: recovery after a prefilling attack of L harmful tokens on the toy model."""

from __future__ import annotations

import plotly.graph_objects as go

from ._style import BASE, DEEP, SHALLOW, base_layout, line_style
from .toy_common import EXACT, cached, horizon_line, position_axis, wants_log


def build_attack_recovery(d: dict, *, L: int, mu: float, gamma: float) -> go.Figure:
    """P(recovery token at t | x_1..x_L forced harmful), t = L+1..T: base, standard, deep optima."""
    T, k = d["T"], d["k"]
    fig = go.Figure()
    series = (("base model", "base", BASE), ("standard RLHF optimum (μ = 0)", "standard", SHALLOW),
              (f"deep optimum (μ = {mu:g}, γ = {gamma:g})", "deep", DEEP))
    for name, key, style in series:
        fig.add_scatter(x=d["t"], y=d[key], name=name, mode="lines+markers", hovertemplate=EXACT,
                        **line_style(style))
    fig.update_traces(marker_maxdisplayed=60)
    if 0 < k < T:
        horizon_line(fig, k, f" horizon k = {k}", position="right")
    if L >= 1:
        fig.add_vrect(x0=0.5, x1=L + 0.5, fillcolor="rgba(213,94,0,0.08)", line_width=0,
                      layer="below", annotation_text=f"prefilled: {L} harmful tokens",
                      annotation_position="bottom left", annotation_font_size=11)
    position_axis(fig, T)
    title = "P(recovery token at t | prefill)"
    if wants_log([*d["base"], *d["standard"], *d["deep"]], decades=2):
        fig.update_yaxes(title_text=title + " (log)", type="log", exponentformat="power")
    else:
        fig.update_yaxes(title_text=title, range=[0, 1.02])
    fig.update_layout(xaxis_hoverformat="d")
    return base_layout(fig, height=380)


attack_recovery = cached(build_attack_recovery)
