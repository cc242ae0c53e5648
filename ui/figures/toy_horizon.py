"""Page 2 figures: sampled martingale paths h_t and the harm information I_t by position."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ._style import BASE, BOUND, DEEP, SHALLOW, base_layout, line_style
from .toy_common import EXACT, cached, horizon_line, padded_max, position_axis, wants_log


def build_martingale_paths(d: dict) -> go.Figure:
    """Sampled paths of h_t = E[H | x_1..x_t] under the base model, t = 0..T (h_T = H)."""
    paths = d["paths"]
    T = paths.shape[1] - 1
    x = np.arange(T + 1)
    fig = go.Figure()
    for i, path in enumerate(paths):
        fig.add_scatter(x=x, y=path, mode="lines", line_shape="hv", opacity=0.45,
                        line={"color": DEEP[0], "width": 1.5}, legendgroup="paths",
                        name=f"sampled paths hₜ ({len(paths)})", showlegend=i == 0,
                        hovertemplate=f"path {i + 1}: h = %{{y:.8g}}<extra>t = %{{x}}</extra>")
    fig.add_hline(y=d["expected_harm"], line_dash="dot", line_color=BASE[0],
                  annotation_text=f"h₀ = E[H] = {d['expected_harm']:.4g}",
                  annotation_position="bottom right")
    if 0 < d["k"] < T:
        horizon_line(fig, d["k"], f" exact horizon k = {d['k']}", position="right")
    position_axis(fig, T, start=-0.3,
                  title="position t (1-indexed; t = 0 is the empty prefix, h₀ = E[H], h_T = H)")
    fig.update_yaxes(title_text="hₜ = E[H | x₁…xₜ]")
    fig = base_layout(fig, height=360)
    fig.update_layout(hovermode="closest")
    return fig


def build_information(d: dict) -> go.Figure:
    """I_t by position (top) and its running sum against Var H (bottom, Corollary 7)."""
    t, info, k, k_num = d["t"], d["info"], d["k"], d["k_num"]
    T = len(t)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
                        row_heights=[0.6, 0.4])
    fig.add_bar(x=t, y=info, name="harm information Iₜ = E[Δₜ²]", marker_color=DEEP[0],
                hovertemplate=EXACT, row=1, col=1)
    fig.add_scatter(x=t, y=np.cumsum(info), name="running sum Σₛ≤ₜ Iₛ", mode="lines+markers",
                    hovertemplate=EXACT, row=2, col=1, **line_style(SHALLOW))
    variance = d["variance"] if d["variance"] is not None else d["info_sum"]
    fig.add_hline(y=variance, line_dash="dot", line_color=BOUND[0], row=2, col=1,
                  annotation_text=f"Var H = {variance:.6g}", annotation_position="bottom right")
    fig.update_traces(marker_maxdisplayed=60, selector={"type": "scatter"})
    if k == k_num:
        if 0 < k < T:  # k = 0: H is constant, there is nothing to mark
            horizon_line(fig, k, f" horizon k = {k} (exact = numerical)", position="right")
    else:
        if k < T:
            horizon_line(fig, k, f" exact horizon k = {k}", position="right")
        horizon_line(fig, k_num, f"numerical horizon {k_num} (Iₜ ≤ 1e-12·Var H after) ",
                     dash="dot", position="left")
    if wants_log(info):
        fig.update_yaxes(type="log", exponentformat="power", row=1, col=1)
    else:
        fig.update_yaxes(range=[0, padded_max(info)], tickformat=".2~g", row=1, col=1)
    fig.update_yaxes(title_text="Iₜ", row=1, col=1)
    fig.update_yaxes(title_text="Σ Iₛ, s ≤ t", range=[0, padded_max(np.cumsum(info), variance)],
                     row=2, col=1)
    position_axis(fig, T, row=2, col=1)
    fig.update_layout(xaxis_hoverformat="d", xaxis2_hoverformat="d", bargap=0.15)
    return base_layout(fig, height=440)


martingale_paths = cached(build_martingale_paths)
information = cached(build_information)
