"""Methods lab figures: the deepening methods side by side on the toy model, the
fine-tuning attack against Qi's token-wise constraint, the recovery penalty fitted to
augmentation, and Bach's base-favored tokens. Data from ``ui.data.methods``."""

from __future__ import annotations

import numpy as np

from ._plot import Plot, shade_horizon
from ._style import BASE, BOUND, DEEP, EXTRA, OKABE_ITO, SHALLOW, line_style, log_axis, log_range
from .table import BY_POSITION, Built
from .toy_common import EXACT, padded_max, position_axis

STYLES = {"standard": SHALLOW, "deep": DEEP, "augmentation": EXTRA[0], "completion": EXTRA[1]}
EXACT_OPTIMUM = (DEEP[0], "dashdot", "circle-open")  # the deep run's colour, its target's dash
NATS = EXACT + " nats"
PREFIX = "prefilled harmful tokens L"


def _line(p: Plot, x, y, name: str, style, *, row: int = 1, col: int = 1, legend: bool = True,
          **props) -> None:
    p.scatter(x, y, name=name, legendgroup=name, showlegend=legend, mode="lines+markers",
              row=row, col=col, **line_style(style, max_markers=40), **props)


def build_by_position(d: dict, names: dict) -> Built:
    """KL_t (top, log) and on-policy recovery (bottom) of every method on one set of axes, with
    Theorem 20's r* beyond the horizon (where one base recovery probability applies)."""
    T, k, t = d["T"], d["k"], d["t"]
    p = Plot(rows=2, vertical_spacing=0.1)
    for key, run in d["runs"].items():
        on = run["kl"] > 1e-12  # a zero is off a log axis: the page says where KL_t is 0
        _line(p, t[on], run["kl"][on], names[key], STYLES[key], row=1, hovertemplate=NATS)
        _line(p, t, run["recovery"], names[key], STYLES[key], row=2, legend=False,
              hovertemplate=EXACT)
    if d["r_star"] is not None and k < T:
        _line(p, t[k:], d["r_star"][k:], "Theorem 20: r*, t > k", BOUND, row=2,
              hovertemplate=EXACT)
    shade_horizon(p, min(k, T), row=1)
    shade_horizon(p, min(k, T), row=2, label=False)
    position_axis(p, T)
    p.yaxis(row=1, title="KLₜ to the base (nats, log)",
            **log_axis(log_range(*[r["kl"] for r in d["runs"].values()])))
    p.yaxis(row=2, title="π(R | x<t), on-policy", range=[0, 1.02])
    return p.built(height=560, positions=BY_POSITION)


def build_prefill(d: dict, names: dict) -> Built:
    """Recovery after L prefilled harmful tokens (Corollary 23's attack), every method."""
    T = d["T"]
    p = Plot()
    for key, run in d["runs"].items():
        _line(p, d["L"], run["prefill"], names[key], STYLES[key], hovertemplate=EXACT)
    # Where the trained penalty is heading: its exact optimum (a backward pass, no training).
    _line(p, d["L"], d["deep_exact"]["prefill"], "recovery penalty, exact optimum", EXACT_OPTIMUM,
          hovertemplate=EXACT)
    _line(p, d["L"], d["prefill_base"], "base model", BASE, hovertemplate=EXACT)
    p.xaxis(title=PREFIX, range=[-0.5, T + 0.5], hoverformat="d")
    p.yaxis(title="P(a recovery token after L)", range=[0, 1.02])
    return p.built(height=460)


def build_training(d: dict, names: dict) -> Built:
    """Expected harm (top) and total KL (bottom, the capability cost) against the step."""
    p = Plot(rows=2, vertical_spacing=0.1)
    for key, run in d["runs"].items():
        _line(p, run["steps"], run["harm"], names[key], STYLES[key], row=1, hovertemplate=EXACT)
        on = run["total_kl"] > 1e-12
        _line(p, run["steps"][on], run["total_kl"][on], names[key], STYLES[key], row=2,
              legend=False, hovertemplate=NATS)
    p.xaxis(row=2, title="training step")
    p.yaxis(row=1, title="E[H]", range=[0, padded_max(*[r["harm"] for r in d["runs"].values()])])
    p.yaxis(row=2, title="total KL (nats, log)",
            **log_axis(log_range(*[r["total_kl"] for r in d["runs"].values()])))
    return p.built(height=460)


FINETUNE = {"plain": ("plain fine-tuning", SHALLOW), "schedule": ("token-wise constraint, your βₜ", DEEP),
            "uniform": ("token-wise constraint, β₂…₅ at every t", EXTRA[0])}


def build_finetune(f: dict) -> Built:
    """Qi's fine-tuning attack: expected harm against the attack step under each loss."""
    p = Plot()
    for key, run in f["runs"].items():
        name, style = FINETUNE[key]
        _line(p, run["steps"], run["harm"], name, style, hovertemplate=EXACT)
    p.xaxis(title="fine-tuning step")
    top = max(1.0, max(r["harm"].max() for r in f["runs"].values()))
    p.yaxis(title="E[H] during the attack", range=[0, 1.02 * top])
    return p.built(height=460)


def build_finetune_positions(f: dict) -> Built:
    """The βₜ schedule with the positions where a harmful response still decides the harm
    (top), and how far each loss raised log π(C | harmful prefix) (bottom)."""
    T, t = f["T"], f["t"]
    p = Plot(rows=2, vertical_spacing=0.1)
    _line(p, t, f["betas"], "βₜ of your schedule", BOUND, row=1, hovertemplate="β = %{y:.3g}",
          line_shape="hv")
    if f["open"].any():
        p.scatter(t[f["open"]], f["betas"][f["open"]], name="harm still open there", row=1,
                  mode="markers", hovertemplate="β = %{y:.3g} (harm open)",
                  marker={"color": OKABE_ITO["black"], "symbol": "star", "size": 13})
    for key, run in f["runs"].items():
        name, style = FINETUNE[key]
        _line(p, t, run["shift"], name, style, row=2, hovertemplate=NATS)
    shade_horizon(p, min(f["k"], T), row=1)
    shade_horizon(p, min(f["k"], T), row=2, label=False)
    position_axis(p, T)
    p.yaxis(row=1, title="βₜ (log)",
            **log_axis(log_range(f["betas"], [f["uniform"]], pad=0.3)))
    p.yaxis(row=2, title="rise of log π(C) (nats)")
    return p.built(height=460, positions=BY_POSITION)


def build_penalty_fit(g: dict) -> Built:
    """Recovery augmentation against the recovery penalty fitted to it: recovery after L
    prefilled harmful tokens, and where each spends its KL."""
    T, t = g["T"], g["t"]
    p = Plot(cols=2, horizontal_spacing=0.1,
             titles=("recovery after L harmful tokens", "KLₜ to the base"))
    fitted = f"recovery penalty, fitted μ = {g['mu']:.3g}, γ = {g['gamma']:.3g}"
    p.scatter(g["L"], g["augmented"], name="recovery augmentation (Qi), trained", mode="markers",
              col=1, legendgroup="aug", hovertemplate=EXACT,
              marker={"color": EXTRA[0][0], "symbol": "square", "size": 10})
    _line(p, g["L"], g["fitted"], fitted, DEEP, col=1, hovertemplate=EXACT)
    _line(p, g["L"], g["standard"], "standard optimum", SHALLOW, col=1, hovertemplate=EXACT)
    _line(p, t, g["kl_augmented"], "recovery augmentation (Qi), trained", EXTRA[0], col=2,
          legend=False, hovertemplate=NATS)
    _line(p, t, g["kl_fitted"], fitted, DEEP, col=2, legend=False, hovertemplate=NATS)
    p.xaxis(col=1, title=PREFIX, range=[-0.5, T + 0.5], hoverformat="d")
    p.yaxis(col=1, title="P(a recovery token after L)", range=[0, 1.02])
    shade_horizon(p, min(g["k"], T), col=2, label=False)
    position_axis(p, T, col=2)
    p.yaxis(col=2, title="KLₜ (nats)", range=[0, padded_max(g["kl_augmented"], g["kl_fitted"])])
    return p.built(height=400)


def build_base_favored(d: dict) -> Built:
    """Bach's detection on the harmful path: log π_base − log π per token for the standard-
    aligned model (positive = base-favored, the flagged ones marked) and for the hybrid teacher."""
    T, t = d["T"], d["t"]
    p = Plot(cols=2, horizontal_spacing=0.1,
             titles=("log π_base − log π_aligned", "log π_base − log π_teacher"))
    colors = (DEEP, SHALLOW, BASE)
    for v, token in enumerate(d["tokens"]):
        style = colors[v % len(colors)]
        name = f"token {token}"
        _line(p, t, d["log_ratio"][:, v], name, style, col=1, hovertemplate=NATS)
        if d["teacher_ratio"] is not None:
            _line(p, t, d["teacher_ratio"][:, v], name, style, col=2, legend=False,
                  hovertemplate=NATS)
    flagged = np.argwhere(d["favored"])
    if flagged.size:
        p.scatter(t[flagged[:, 0]], d["log_ratio"][flagged[:, 0], flagged[:, 1]],
                  name="base-favored (penalised)", mode="markers", col=1,
                  hovertemplate="base-favored: %{y:.4g} nats",
                  marker={"color": OKABE_ITO["black"], "symbol": "star", "size": 13})
    for col in (1, 2):
        shade_horizon(p, min(d["k"], T), col=col, label=False)
        position_axis(p, T, col=col)
        p.hline(0.0, color="grey", width=1, col=col)
    p.yaxis(title="nats")
    return p.built(height=380, positions=BY_POSITION)
