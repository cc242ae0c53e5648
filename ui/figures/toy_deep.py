"""Page 5 toy figure: the exact on-policy deep optimum against the paper's per-prefix form
(Theorem 20 beyond the horizon, Proposition 29 within it), recovery and KL_t per position."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ._style import BOUND, DEEP, EXTRA, HORIZON_FILL, base_layout, line_style
from .toy_common import EXACT, cached, padded_max, position_axis

EXACT_NAME = "exact on-policy optimum"
PER_PREFIX_NAME = "per-prefix form: Theorem 20 beyond k, Prop. 29 within"
GAP_RECOVERY = "Δ recovery (per-prefix − exact)"
GAP_KL = "Δ KLₜ in nats (per-prefix − exact)"


def build_exact_vs_per_prefix(d: dict) -> go.Figure:
    """Recovery probability E[q(R | x<t)] (top), KL_t (middle) and per-prefix minus exact
    (bottom) at each position of the toy model."""
    t, k = d["t"], d["k"]
    T = len(t)
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        row_heights=[0.36, 0.36, 0.28])
    for row, key in ((1, "recovery"), (2, "kl")):
        for name, style, suffix in ((EXACT_NAME, DEEP, "exact"), (PER_PREFIX_NAME, BOUND, "per_prefix")):
            fig.add_scatter(x=t, y=d[f"{key}_{suffix}"], name=name, legendgroup=name,
                            showlegend=row == 1, mode="lines+markers", hovertemplate=EXACT,
                            row=row, col=1, **line_style(style))
    for name, key, style in ((GAP_RECOVERY, "recovery_gap", EXTRA[0]), (GAP_KL, "kl_gap", EXTRA[1])):
        fig.add_scatter(x=t, y=d[key], name=name, mode="lines+markers", hovertemplate=EXACT,
                        row=3, col=1, **line_style(style, width=2, marker_size=6))
    fig.update_traces(marker_maxdisplayed=60)
    fig.add_hline(y=0, line_color="grey", line_width=1, row=3, col=1)
    if k >= 1:
        label = {"annotation_text": f"t ≤ {k}: Prop. 29", "annotation_position": "bottom left",
                 "annotation_font_size": 11}
        for row in (1, 2, 3):  # the grey band on every row, labelled once
            fig.add_vrect(x0=0.5, x1=min(k, T) + 0.5, fillcolor=HORIZON_FILL, line_width=0,
                          layer="below", row=row, col=1, **(label if row == 1 else {}))
    fig.update_yaxes(title_text="recovery P(R at t)", range=[0, 1.02], row=1, col=1)
    fig.update_yaxes(title_text="KLₜ (nats)", row=2, col=1,
                     range=[0, padded_max(d["kl_exact"], d["kl_per_prefix"])])
    gap = np.abs(np.concatenate([d["recovery_gap"], d["kl_gap"]]))
    top = padded_max(gap, pad=1.15) if gap.max() > 1e-9 else 1e-3  # rounding-level gaps: flat at 0
    fig.update_yaxes(title_text="per-prefix − exact", row=3, col=1, range=[-top, top])
    position_axis(fig, T, row=3, col=1)
    fig.update_yaxes(tickformat=".2~g")  # no SI "μ" ticks
    fig.update_layout(xaxis_hoverformat="d", xaxis2_hoverformat="d", xaxis3_hoverformat="d")
    fig = base_layout(fig, height=720)
    # four long legend entries: below the plot, so they do not squeeze the top row
    fig.update_layout(legend={"yanchor": "top", "y": -0.09, "xanchor": "left", "x": 0.0},
                      margin={"b": 10})
    return fig


exact_vs_per_prefix = cached(build_exact_vs_per_prefix)
