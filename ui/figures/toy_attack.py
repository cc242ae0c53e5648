"""Page 6 panel figure: recovery after a prefilling attack of L harmful tokens on the toy model."""

from __future__ import annotations


from ._plot import Plot
from ._style import BASE, DEEP, SHALLOW, line_style, log_axis, log_range
from .table import BY_POSITION, Built
from .toy_common import EXACT, horizon_line, position_axis, wants_log


def build_attack_recovery(d: dict, *, L: int, mu: float, gamma: float) -> Built:
    """P(recovery token at t | x_1..x_L forced harmful), t = L+1..T: base, standard, deep optima."""
    T, k = d["T"], d["k"]
    p = Plot()
    series = (("base model", "base", BASE), ("standard RLHF optimum (μ = 0)", "standard", SHALLOW),
              (f"deep optimum (μ = {mu:g}, γ = {gamma:g})", "deep", DEEP))
    for name, key, style in series:
        p.scatter(d["t"], d[key], name=name, mode="lines+markers", hovertemplate=EXACT,
                  **line_style(style, max_markers=60))
    if 0 < k < T:
        horizon_line(p, k, f"horizon k = {k}", T=T)
    if L >= 1:  # above the horizon's label: both start near the left when k and L are small
        p.vrect(0.5, L + 0.5, fillcolor="rgba(213,94,0,0.08)")
        tokens = "token" if L == 1 else "tokens"
        p.label_above(f"shaded: prefilled, {L} harmful {tokens}", x=0.5, color="#444",
                      level=1 if 0 < k < T else 0)
    position_axis(p, T)
    title = "P(recovery token at t | prefill)"
    if wants_log([*d["base"], *d["standard"], *d["deep"]], decades=2):
        p.yaxis(title=title + " (log)",
                **log_axis(log_range(d["base"], d["standard"], d["deep"])))
    else:
        p.yaxis(title=title, range=[0, 1.02])
    return p.built(height=380, positions=BY_POSITION)
