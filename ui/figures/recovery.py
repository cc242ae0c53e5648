"""Figures of deep alignment beyond the horizon (Theorems 19, 20). Builders return figures.

Each builder takes the dict made by the matching ``ui.data.closed`` function plus the parameter values
it states in its labels; it never computes math and never draws.
"""

from __future__ import annotations

import numpy as np

from ._plot import Plot, mark_x, shade_horizon
from ._style import (
    BASE,
    BOUND,
    DEEP,
    OKABE_ITO,
    SHALLOW,
    axis_fraction,
    line_style,
    log_axis,
    log_range,
)
from .table import BY_POSITION, Built

POSITION_AXIS = "position t (1-indexed; penalty weight μγᵗ)"

# Pinned parameter sets (ui.state.pins), drawn over the current set's curves: Okabe-Ito
# colours the current set's series in these figures do not use (sky blue, reddish purple, bluish
# green) and dash patterns no other series has, so a pin is told apart in greyscale too.
PIN_STYLES = ((OKABE_ITO["sky_blue"], "longdashdot", "triangle-down"),
              (OKABE_ITO["purple"], "8px,3px,2px,3px,2px,3px", "star"),
              (OKABE_ITO["green"], "12px,3px,12px,3px,2px,3px", "hexagon"))


def draw_pins(p: Plot, pins, *, row: int = 1, hover: str = "%{y:.6g}", log: bool = False,
              legend: bool = True, empty: str = "nothing to draw here", **style) -> None:
    """One trace per pinned set ``(name, x, y)``, after the current set's traces (a live figure
    sends them precomputed and keeps them still while its sliders move). ``log``: the y axis is
    logarithmic, so a pin with no positive value draws nothing and its legend name says why."""
    for i, (name, x, y) in enumerate(pins):
        ys = np.array([np.nan if v is None else v for v in y], dtype=float)
        drawn = np.isfinite(ys) & (ys > 0 if log else True)
        label = name if drawn.any() else f"{name} ({empty})"
        p.scatter(x, y, name=label, mode="lines+markers", hovertemplate=hover, row=row,
                  legendgroup=f"pin{i}", showlegend=legend, meta={"pin": i},
                  **line_style(PIN_STYLES[i % len(PIN_STYLES)], width=2, **style))


def last_position(T: int, pins) -> int:
    """The last position on the axis: the current depth T, or a pin's deeper one (a pin is
    ``(name, x, ...)``)."""
    return max([T] + [int(pin[1][-1]) for pin in pins if len(pin[1])])


def _log_or_linear(values) -> str:
    positive = np.asarray(values, dtype=float)
    return "log" if positive.size and (positive > 0).all() else "linear"


def _series(p: Plot, x, y, name: str, style, hover: str, **props) -> None:
    p.scatter(x, y, name=name, mode="lines+markers", hovertemplate=hover, **props,
              **line_style(style, max_markers=40))


def recovery_by_position(d: dict, *, mu: float, gamma: float, k: int, T: int,
                         mark_t: int | None = None, height: int = 380, pins=()) -> Built:
    """Recovery probability after a harmful prefix, deep (mu) vs shallow (mu = 0), t = k+1..T.

    ``pins``: pinned sets ``(name, t, deep recovery)``, drawn over them."""
    p = Plot()
    _series(p, d["t"], d["shallow"], "standard RLHF, μ = 0 (= base)", SHALLOW, "%{y:.6g}")
    _series(p, d["t"], d["deep"], f"deep, μ = {mu:g}, γ = {gamma:g}", DEEP, "%{y:.6g}")
    # The axis is logarithmic while the current set recovers at all (p > 0), around every curve.
    rng = log_range(d["shallow"], d["deep"]) and log_range(d["shallow"], d["deep"],
                                                           *(y for _, _, y in pins))
    draw_pins(p, pins, log=rng is not None, max_markers=40, empty="recovery 0: off the log axis")
    shade_horizon(p, k)
    end = last_position(T, pins)
    if mark_t is not None and k < mark_t <= T:
        mark_x(p, mark_t, f"t = {mark_t}", at=axis_fraction(mark_t, 0.5, end + 0.5))
    p.xaxis(title=POSITION_AXIS, range=[0.5, end + 0.5], hoverformat="d")
    if rng is None:  # p_base = 0: no recovery at all (Remark 8), a line at 0 on a linear axis
        p.yaxis(title="recovery probability at position t", range=[-0.03, 1.03])
    else:
        p.yaxis(title="recovery probability at position t", **log_axis(rng))
    return p.built(height=height, positions=BY_POSITION)


def kl_by_position(d: dict, *, k: int, T: int, pins=()) -> Built:
    """KL cost of the recovery shift at each position beyond the horizon, with its cap.

    ``pins``: pinned sets ``(name, t, KL*_t)``, drawn over them."""
    p = Plot()
    _series(p, d["t"], d["kl_cap"], "cap min(μγᵗ/β, log 1/p) (Thm 22)", BOUND, "%{y:.6g} nats")
    _series(p, d["t"], d["kl"], "KL*ₜ (Thm 20, exact)", DEEP, "%{y:.6g} nats")
    log = _log_or_linear(d["kl"]) == "log"  # the current set decides, as runtime.js does
    draw_pins(p, pins, log=log, hover="%{y:.6g} nats", max_markers=40,
              empty="KL 0: off the log axis")
    shade_horizon(p, k)
    p.xaxis(title=POSITION_AXIS, range=[0.5, last_position(T, pins) + 0.5], hoverformat="d")
    if log:
        p.yaxis(title="KL cost at position t (nats)",
                **log_axis(log_range(d["kl"], d["kl_cap"], *(y for _, _, y in pins))))
    else:
        p.yaxis(title="KL cost at position t (nats)", exponentformat="power")
    return p.built(positions=BY_POSITION)


def gibbs_bars(d: dict, *, t: int) -> Built:
    """Next-token distribution over a small vocabulary at position t: base vs deep optimum."""
    labels = [f"{name} (R)" if r else name for name, r in zip(d["tokens"], d["is_recovery"])]
    p = Plot()
    p.bar(labels, d["base_probs"], name="base π_base", hovertemplate="%{y:.6g}",
          marker={"color": BASE[0], "pattern": {"shape": ""}})
    p.bar(labels, d["deep_probs"], name=f"deep q* at t = {t}", hovertemplate="%{y:.6g}",
          marker={"color": DEEP[0], "pattern": {"shape": "/"}})
    p.yaxis(title="probability (log scale)",
            **log_axis(log_range(d["base_probs"], d["deep_probs"], pad=0.15)))
    # Upright tick labels, the "(R)" on a second line: slanted labels of a narrow chart collide.
    p.xaxis(title={"text": "next token (R = recovery token)", "standoff": 4}, tickangle=0,
            tickfont={"size": 11}, tickvals=labels,
            ticktext=[f"{name}<br>(R)" if r else name
                      for name, r in zip(d["tokens"], d["is_recovery"])])
    p.update(barmode="group")
    return p.built(height=340)


def tradeoff_vs_gamma(d: dict, *, gamma: float, k: int, T: int) -> Built:
    """Depth vs capability as gamma -> 1: recovery at depth T (top) and the KL it costs (bottom).

    The x axis is 1 - gamma on a reversed log scale, labelled in gamma, so 0.9, 0.99, 0.999 are
    evenly spaced and gamma grows to the right.
    """
    x = 1.0 - d["gamma"]
    custom = d["gamma"]
    p = Plot(rows=2)
    p.scatter(x, d["delta_T"], customdata=custom, row=1, mode="lines",
              name=f"guaranteed recovery r_min(T), T = {T} (Thm 22)", **line_style(DEEP),
              hovertemplate="γ = %{customdata:.5g}: r_min(T) = %{y:.6g}<extra></extra>")
    p.scatter(x, d["kl_total"], customdata=custom, row=2, mode="lines",
              name=f"total KL, t = {k + 1}…{T} (exact)", **line_style(SHALLOW),
              hovertemplate="γ = %{customdata:.5g}: KL = %{y:.6g} nats<extra></extra>")
    p.scatter(x, d["kl_bound"], customdata=custom, row=2, mode="lines",
              name="total-KL bound (Thm 22)", **line_style(BOUND),
              hovertemplate="γ = %{customdata:.5g}: bound = %{y:.6g} nats<extra></extra>")
    if 0.0 < 1.0 - gamma <= x.max() and 1.0 - gamma >= x.min():
        # reversed axis: the fraction from the left end is the one from 1 - γ = max
        mark_x(p, 1.0 - gamma, f"current γ = {gamma:g}", log=True,
               at=axis_fraction(1.0 - gamma, x.max(), x.min(), log=True))
    ticks = [0.5, 0.9, 0.99, 0.999, 0.9999]  # no γ = 0: at the corner, on the y axis' labels
    p.xaxis(type="log", autorange="reversed", tickvals=[1.0 - g for g in ticks],
            ticktext=[f"{g:g}" for g in ticks])
    rng = log_range(d["delta_T"])
    if rng is None:  # p_base = 0: no recovery at any γ (Remark 8), a line at 0
        p.yaxis(row=1, title="recovery probability", range=[-0.03, 1.03])
    else:
        p.yaxis(row=1, title="recovery probability", **log_axis(rng))
    # KL runs from ~0 (γ near 0) to ~10² nats: log, from four decades under its top
    kl_top = max(float(np.nanmax(d["kl_bound"])), float(np.nanmax(d["kl_total"])))
    # μ = 0 or p_base = 0: the exact KL is 0 at every γ, a line at 0 on a linear axis
    if (np.asarray(d["kl_total"]) > 0).any() and (np.asarray(d["kl_bound"]) > 0).any():
        top = np.log10(kl_top)
        p.yaxis(row=2, title="KL in nats (log scale)", **log_axis([top - 4.0, top + 0.15]))
    else:
        p.yaxis(row=2, title="KL (nats)")
    p.xaxis(row=2, title="discount γ (penalty weight μγᵗ; log scale in 1 − γ)")
    p.update(hovermode="closest")
    return p.built(height=460)
