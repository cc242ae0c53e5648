"""Page 2 figures: sampled martingale paths h_t and the harm information I_t by position."""

from __future__ import annotations

import numpy as np

from ._plot import Plot
from ._style import BASE, BOUND, DEEP, SHALLOW, line_style, log_axis, log_range
from .table import BY_POSITION, Built
from .toy_common import EXACT, horizon_line, padded_max, position_axis, wants_log


def build_martingale_paths(d: dict) -> Built:
    """Sampled paths of h_t = E[H | x_1..x_t] under the base model, t = 0..T (h_T = H)."""
    paths = d["paths"]
    T = paths.shape[1] - 1
    x = np.arange(T + 1)
    p = Plot()
    for i, path in enumerate(paths):
        p.scatter(x, path, mode="lines", opacity=0.45,
                  line={"color": DEEP[0], "width": 1.5, "shape": "hv"}, legendgroup="paths",
                  name=f"sampled paths hₜ ({len(paths)})", showlegend=i == 0,
                  hovertemplate=f"path {i + 1}: h = %{{y:.8g}}<extra>t = %{{x}}</extra>")
    p.hline(d["expected_harm"], color=BASE[0], dash="dot",
            label=f"h₀ = E[H] = {d['expected_harm']:.4g}", label_at="bottom right")
    if 0 < d["k"] < T:
        horizon_line(p, d["k"], f"exact horizon k = {d['k']}", T=T)
    position_axis(p, T, start=-0.3,
                  title="position t (1-indexed; t = 0: the empty prefix)")
    p.yaxis(title="hₜ = E[H | x₁…xₜ]")
    p.update(hovermode="closest")
    return p.built(height=360, positions=BY_POSITION)


def build_information(d: dict) -> Built:
    """I_t by position (top) and its running sum against Var H (bottom, Corollary 7)."""
    t, info, k, k_num = d["t"], d["info"], d["k"], d["k_num"]
    T = len(t)
    p = Plot(rows=2, vertical_spacing=0.1, row_heights=[0.6, 0.4])
    p.bar(t, info, name="harm information Iₜ = E[Δₜ²]", marker={"color": DEEP[0]},
          hovertemplate=EXACT, row=1)
    p.scatter(t, np.cumsum(info), name="running sum Σₛ≤ₜ Iₛ", mode="lines+markers",
              hovertemplate=EXACT, row=2, **line_style(SHALLOW, max_markers=60))
    variance = d["variance"] if d["variance"] is not None else d["info_sum"]
    p.hline(variance, color=BOUND[0], dash="dot", row=2, label=f"Var H = {variance:.6g}",
            label_at="bottom right")
    if k == k_num:
        if 0 < k < T:  # k = 0: H is constant, there is nothing to mark
            horizon_line(p, k, f"horizon k = {k} (exact = numerical)", T=T)
    else:  # two lines, two label lines: the labels cannot meet
        if k < T:
            horizon_line(p, k, f"exact horizon k = {k}", T=T)
        horizon_line(p, k_num, f"numerical horizon {k_num} (Iₜ ≤ 1e-12·Var H after)", T=T,
                     dash="dot", level=1)
    if wants_log(info):
        p.yaxis(row=1, **log_axis(log_range(info)))
    else:
        p.yaxis(row=1, range=[0, padded_max(info)], tickformat=".2~g")
    p.yaxis(row=1, title="Iₜ")
    p.yaxis(row=2, title="Σ Iₛ, s ≤ t", range=[0, padded_max(np.cumsum(info), variance)])
    position_axis(p, T)
    p.update(bargap=0.15)
    return p.built(height=440, positions=BY_POSITION)
