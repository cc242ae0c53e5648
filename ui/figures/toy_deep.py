"""Page 5 toy figure: the exact on-policy deep optimum against the paper's per-prefix form
(Theorem 20 beyond the horizon, Proposition 29 within it), recovery and KL_t per position.

The gap panel shows Proposition 29 with two choices of h_t: the base model's (first order, gap
O(eta)) and the exact optimum's own continuation (gap O(eta^2)), so that the O(eta) gap is not
taken for a defect of the paper. Beyond the horizon both are Theorem 20 (with decay = 1 they
coincide there). With decay < 1 both also carry Theorem 20's gap (the base continuation depends
on the history), which does not shrink with eta."""

from __future__ import annotations

import numpy as np

from ._plot import Plot
from ._style import BOUND, DEEP, EXTRA, HORIZON_FILL, OKABE_ITO, line_style
from .table import BY_POSITION, Built
from .toy_common import EXACT, padded_max, position_axis

EXACT_NAME = "exact on-policy optimum"
# Short names: six legend entries must fit two rows of an exported file (800 px). The band's
# label says which form holds where; the gap row's title, that they are per-prefix - exact.
PER_PREFIX_NAME = "per-prefix form (base hₜ)"
BASE_H = "base hₜ: O(η)"  # Prop. 29 with the base model's h_t: gap O(eta)
OWN_H = "optimum's hₜ: O(η²)"  # Prop. 29 with the optimum's own h_t: gap O(eta^2)
GAP_RECOVERY = f"recovery gap, {BASE_H}"
GAP_RECOVERY_CONT = f"recovery gap, {OWN_H}"
GAP_KL = f"KLₜ gap, {BASE_H}"
GAP_KL_CONT = f"KLₜ gap, {OWN_H}"
# Colour = quantity (as the top rows' legend reads); the optimum's h_t: solid with open markers,
# so each of the four gap series has its own dash and marker.
_RECOVERY, _KL = EXTRA
_RECOVERY_CONT = (OKABE_ITO["green"], "solid", "square-open")
_KL_CONT = (OKABE_ITO["purple"], "solid", "triangle-up-open")
GAPS = ((GAP_RECOVERY, "recovery_gap", _RECOVERY),
        (GAP_RECOVERY_CONT, "recovery_gap_cont", _RECOVERY_CONT),
        (GAP_KL, "kl_gap", _KL), (GAP_KL_CONT, "kl_gap_cont", _KL_CONT))


def build_exact_vs_per_prefix(d: dict) -> Built:
    """Recovery probability E[q(R | x<t)] (top), KL_t (middle) and per-prefix minus exact
    (bottom, Proposition 29 with the base model's h_t and with the optimum's own) at each
    position of the toy model."""
    t, k = d["t"], d["k"]
    T = len(t)
    p = Plot(rows=3, vertical_spacing=0.06, row_heights=[0.36, 0.36, 0.28])
    for row, key in ((1, "recovery"), (2, "kl")):
        for name, style, suffix in ((EXACT_NAME, DEEP, "exact"), (PER_PREFIX_NAME, BOUND, "per_prefix")):
            p.scatter(t, d[f"{key}_{suffix}"], name=name, legendgroup=name, showlegend=row == 1,
                      mode="lines+markers", hovertemplate=EXACT, row=row,
                      **line_style(style, max_markers=60))
    for name, key, style in GAPS:
        p.scatter(t, d[key], name=name, mode="lines+markers", hovertemplate=EXACT, row=3,
                  **line_style(style, width=2, marker_size=6, max_markers=60))
    p.hline(0, color="grey", width=1, row=3)
    if k >= 1:
        for row in (1, 2, 3):  # the grey band on every row, labelled once
            p.vrect(0.5, min(k, T) + 0.5, fillcolor=HORIZON_FILL, row=row,
                    label=f"t ≤ {k}: Prop. 29; beyond: Theorem 20" if row == 1 else None)
        p.mark_horizon(min(k, T))
    p.yaxis(tickformat=".2~g")  # no SI "μ" ticks
    p.yaxis(row=1, title="recovery P(R at t)", range=[0, 1.02])
    p.yaxis(row=2, title="KLₜ (nats)", range=[0, padded_max(d["kl_exact"], d["kl_per_prefix"])])
    gap = np.abs(np.concatenate([d[key] for _, key, _ in GAPS]))
    top = padded_max(gap, pad=1.15) if gap.max() > 1e-9 else 1e-3  # rounding-level gaps: flat at 0
    p.yaxis(row=3, title="per-prefix − exact (KL in nats)", range=[-top, top])
    position_axis(p, T)
    return p.built(height=720, positions=BY_POSITION)
