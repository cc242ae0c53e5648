"""Page 4 figures: the standard optimum's KL_t against (eta^2/2) I_t, its eta sweep, and the
shared-parameter variant of Appendix A."""

from __future__ import annotations

import numpy as np

from ._plot import Plot, mark_x, shade_horizon
from ._style import BOUND, DEEP, SHALLOW, axis_fraction, line_style, log_axis, log_range
from .table import BY_POSITION, Built
from .toy_common import EXACT, padded_max, position_axis

NATS = EXACT + " nats"


def build_kl_vs_information(d: dict, *, eta: float) -> Built:
    """KL_t of the exact optimum beside the Theorem 14 leading term (eta^2/2) I_t."""
    t, k = d["t"], d["k"]
    p = Plot()
    p.scatter(t, d["approx"], name=f"(η²/2)·Iₜ, η = {eta:g} (Thm 14 leading term)",
              mode="lines+markers", hovertemplate=NATS, **line_style(BOUND, max_markers=60))
    p.scatter(t, d["kl"], name="KLₜ of the exact optimum π*", mode="lines+markers",
              hovertemplate=NATS, **line_style(DEEP, max_markers=60))
    shade_horizon(p, min(k, len(t)))
    position_axis(p, len(t))
    p.yaxis(title="KLₜ (nats)", range=[0, padded_max(d["kl"], d["approx"])],
            tickformat=".2~g")  # no SI "μ" ticks
    return p.built(height=380, positions=BY_POSITION)


def build_kl_vs_eta(d: dict, *, eta: float) -> Built:
    """Total KL against eta (log-log): the exact optimum follows (eta^2/2) Var H for small eta."""
    p = Plot()
    keep = d["approx"] > 0  # a constant H has zero KL everywhere: nothing to draw on a log axis
    p.scatter(d["eta"][keep], d["approx"][keep], name="(η²/2)·Var H", mode="lines",
              hovertemplate=NATS, **line_style(BOUND))
    keep = d["kl"] > 0
    p.scatter(d["eta"][keep], d["kl"][keep], name="Σₜ KLₜ of π* (exact)",
              mode="lines+markers", hovertemplate=NATS, **line_style(DEEP))
    etas = np.asarray(d["eta"], dtype=float)
    mark_x(p, eta, f"η = {eta:g}", log=True,
           at=axis_fraction(eta, etas.min(), etas.max(), log=True))
    p.xaxis(title="harm weight η = λ/β (log scale)", hoverformat=".4g",
            **log_axis(log_range(etas, pad=0.02)))
    p.yaxis(title="total KL (nats, log scale)", **log_axis(log_range(d["approx"], d["kl"])))
    return p.built(height=340)


def build_shared_variant(tab: dict, shared: dict) -> Built:
    """After training: KL_t (top) and the harm effect of each position's change (bottom),
    per-position ("tabular") vs shared parameters (Appendix A, Proposition 26)."""
    T, k = len(tab["t"]), tab["k"]
    p = Plot(rows=2, vertical_spacing=0.1)
    runs = (("per-position parameters", tab, DEEP), ("shared parameters (App. A)", shared, SHALLOW))
    for name, run, style in runs:
        p.scatter(run["t"], run["kl"][-1], name=name, legendgroup=name, mode="lines+markers",
                  hovertemplate=NATS, row=1, **line_style(style, max_markers=60))
        p.scatter(run["t"], run["effect"][-1], name=name, legendgroup=name, showlegend=False,
                  mode="lines+markers", hovertemplate=EXACT, row=2,
                  **line_style(style, max_markers=60))
    if k < T:  # point at the incidental KL: small next to the early KL, easy to miss
        p.note("incidental KL (shared)", x=k + 1, xref="x", y=shared["kl"][-1][k], yref="y",
               showarrow=True, ax=30, ay=-40, size=11, arrowcolor="grey")
    shade_horizon(p, min(k, T), row=1)
    shade_horizon(p, min(k, T), row=2, label=False)  # named once, above the top row
    p.yaxis(tickformat=".2~g")  # no SI "μ" ticks
    p.yaxis(row=1, title="KLₜ (nats)", range=[0, padded_max(tab["kl"][-1], shared["kl"][-1])])
    low = float(np.min([tab["effect"][-1].min(), shared["effect"][-1].min(), 0.0]))
    p.yaxis(row=2, title="change in E[H] from t",
            range=[low * 1.1 if low < 0 else -1.0, 0.1 * abs(low) if low < 0 else 1.0])
    position_axis(p, T)
    return p.built(height=480, positions=BY_POSITION)
