"""Figures of robustness (Theorem 22) and prefilling attacks (Corollary 23). Builders return figures.

The toy prefilling-attack simulator's figure (base / standard / deep recovery after L forced
harmful tokens) belongs in a new builder here, e.g. ``attack_simulation(d, *, L)``.
"""

from __future__ import annotations

import numpy as np

from ._plot import Plot, mark_x
from ._style import (
    BOUND,
    DEEP,
    SERIES,
    STALE,
    axis_fraction,
    line_style,
    log_axis,
    log_range,
    log_ticks,
)
from .recovery import draw_pins, last_position
from .table import BY_DEPTH, Built


def recoverability_by_depth(d: dict, *, delta: float, k: int, T: int, pins=()) -> Built:
    """Guaranteed recovery r_min(T') for every depth T' > k (top) and the total-KL bound (bottom).

    ``pins``: pinned sets ``(name, depth, r_min, KL bound)``, drawn over them in both panels
    (one legend entry each)."""
    p = Plot(rows=2, row_heights=[0.6, 0.4])
    for row, y, name, hover, style in (
            (1, d["delta"], "guaranteed recovery r_min(T′) (Thm 22)", "%{y:.6g}", DEEP),
            (2, d["kl_bound"], "total-KL bound, positions k+1…T′", "%{y:.6g} nats", BOUND)):
        p.scatter(d["depth"], y, name=name, mode="lines+markers", hovertemplate=hover, row=row,
                  **line_style(style, max_markers=40))
    # The label on the side of the line the curve is not on at the right end (it falls with T′).
    above = len(d["delta"]) == 0 or delta >= d["delta"][-1]
    log_y = bool((np.asarray(d["delta"]) > 0).any())  # p_min = 0: r_min = 0, a line at 0
    draw_pins(p, [(n, x, top) for n, x, top, _ in pins], log=log_y, max_markers=40,
              empty="r_min 0: off the log axis")
    draw_pins(p, [(n, x, kl) for n, x, _, kl in pins], row=2, legend=False, max_markers=40,
              hover="%{y:.6g} nats")
    p.hline(delta, color=BOUND[0], dash="dash", row=1, label=f"target δ = {delta:g}", log=log_y,
            label_at="top right" if above else "bottom right")
    if log_y:
        p.yaxis(row=1, title="recovery probability",
                **log_axis(log_range(d["delta"], [delta], *(y for _, _, y, _ in pins), pad=0.15)))
    else:
        p.yaxis(row=1, title="recovery probability", range=[-0.03, 1.03])
    p.yaxis(row=2, title="KL bound (nats)")
    p.xaxis(hoverformat="d")
    first = min([k] + [int(x[0]) - 1 for _, x, _, _ in pins if len(x)])  # a pin's k may be lower
    p.xaxis(row=2, title=f"depth T′ (1-indexed, beyond the horizon k = {k})",
            range=[first + 0.5, last_position(T, pins) + 0.5])
    return p.built(height=480, positions=BY_DEPTH)


def attack_length_vs_mu(d: dict, *, mu: float, gamma: float, k: int, pins=()) -> Built:
    """Minimum prefilling-attack length L* against mu, one line per gamma, both axes logarithmic.

    L* spans decades (single digits for γ = 0.5, hundreds for γ = 0.99 at the same μ), so the y
    axis is logarithmic, labelled in plain token counts. L* ≥ k: the horizon line is the floor
    every line starts on, labelled under it where no line can be. Where a line turns infinite
    (γ = 1 once μ/β ≥ ℓ) it rises to the top and is marked "∞ beyond"; a γ with no finite L*
    at all is not in the legend and is named above the plot. With k = 0, L* = 0 (no prefix needed)
    lies below a log axis: plotly draws those stretches under its bottom edge, and a note says so.
    ``pins``: pinned sets ``(name, L* on the same μ grid)``, one line each at the pin's own γ.
    """
    mus = np.asarray(d["mu"], dtype=float)
    rows = np.asarray(d["L"], dtype=float)
    pinned = np.asarray([row for _, row in pins], dtype=float).reshape(-1, mus.size)
    everything = np.concatenate([rows, pinned])  # the y axis shows the pins' lines too
    finite_values = everything[np.isfinite(everything)]
    positive = finite_values[finite_values > 0]
    log_y = bool(positive.size)
    if log_y:
        lo, hi = np.log10(positive.min()), np.log10(positive.max())
        span = max(hi - lo, 1.0)
        y_range = [float(lo - 0.16 * span), float(hi + 0.1 * span)]
        top = 10 ** y_range[1]
    else:  # nothing finite, or every L* = 0
        top = max(k, 1.0) * 1.1
        y_range = [-0.04 * top, top]  # 0 a little above the x axis' labels
    p = Plot()
    never = []
    for i, (g, row) in enumerate(zip(d["gamma"], rows)):
        finite = np.isfinite(row)
        current = bool(np.isclose(g, gamma))
        style = DEEP if current else SERIES[1 + i % (len(SERIES) - 1)]
        name = f"γ = {g:g}" + (" (current)" if current else "")
        p.scatter(mus, np.where(finite, row, None), name=name, mode="lines",
                  showlegend=bool(finite.any()), hovertemplate="L* = %{y:d} tokens",
                  meta={"gap": "not drawn: no finite prefix suffices there, L* = ∞"},
                  **line_style(style, width=3.5 if current else 2, shape="hv"))
        if not finite.any():
            never.append(g)
        elif not finite[-1]:  # finite, then infinite from the first μ on the grid past ℓβ
            j = int(np.flatnonzero(finite)[-1]) + 1
            # L* = 0 lies under a log axis: the step then rises from the axis' bottom edge
            y = row[j - 1] if row[j - 1] > 0 or not log_y else 10 ** y_range[0]
            _infinite_beyond(p, mus[j - 1], mus[j], y, top, style, f"γ = {g:g}",
                             right_half=axis_fraction(mus[j], mus[0], mus[-1], log=True) > 0.5)
    draw_pins(p, [(name, mus, np.where(np.isfinite(row), row, None)) for name, row in pins],
              log=log_y, hover="L* = %{y:d} tokens", shape="hv", max_markers=12,
              empty="L* = ∞ or 0 at every μ")
    if mus[0] <= mu <= mus[-1] and mu > 0:
        mark_x(p, mu, f"current μ = {mu:g}", log=True,
               at=axis_fraction(mu, mus[0], mus[-1], log=True))
    if k >= 1:  # under the line: no L* is below k, so no line is there
        p.hline(k, color="grey", dash="dot", label=f"horizon k = {k}", label_at="bottom right",
                log=log_y)
    zeros = log_y and bool((finite_values == 0).any())
    if zeros:  # above the plot (on it, lines rise through any place it could go)
        p.label_above("L* = 0 (no prefix needed) lies below the axis", x=1.0, xref="paper",
                      xanchor="right", level=1, color="#444", name=STALE)
    if len(never) == len(rows):  # an empty plot: say why in the middle of it
        p.note("no finite attack for any γ here (L* = ∞)", xref="paper", yref="paper", x=0.5,
               y=0.5, size=12, color="#444", name=STALE)
    elif never:  # above the plot, over the current μ's label: not on a line
        names = ", ".join(f"{g:g}" for g in never)
        p.label_above(f"γ = {names}: no finite attack (L* = ∞ for every μ)", x=0.0,
                      xref="paper", level=2 if zeros else 1, color="#444", name=STALE)
    p.xaxis(title="recovery penalty μ (log scale)", hoverformat=".4g",
            **log_axis([float(np.log10(mus[0])), float(np.log10(mus[-1]))]))  # the grid's ends
    # The unified hover takes each line's nearest point within hoverdistance px: with plotly's
    # 20 px, γ = 1 would still read "L* = k" well past the μ where it became ∞ (the points are
    # 1-2 px apart).
    p.update(hoverdistance=2)
    if log_y:
        # no tick in the bottom 5 %: its label would meet the x axis' first label
        ticks, labels = log_ticks(y_range[0] + 0.05 * (y_range[1] - y_range[0]), y_range[1],
                                  counts=True)
        p.yaxis(title="minimum attack length L* in tokens (log scale)", type="log", range=y_range,
                tickvals=ticks, ticktext=labels)
    else:
        p.yaxis(title="minimum attack length L* (tokens)", range=y_range)
    # each pin's legend entry may take a row under the plot: keep the plot (and so its long
    # y-axis title) as tall as without them
    return p.built(height=400 + 20 * len(pins))


def _infinite_beyond(p: Plot, x_last: float, x_inf: float, y: float, top: float, style,
                     name: str, *, right_half: bool) -> None:
    """The step of a line that turns infinite between grid points x_last and x_inf: on at its
    last finite value to x_inf, then up to the top of the plot, labelled at the top."""
    color, dash, _ = style
    line = {"color": color, "dash": dash, "width": 2}
    # name: where these go depends on δ, p_min and β; a live figure hides them while they move
    p.layout["shapes"].append({"type": "line", "x0": x_last, "x1": x_inf, "y0": y, "y1": y,
                               "xref": "x", "yref": "y", "line": line, "name": STALE})
    p.layout["shapes"].append({"type": "line", "x0": x_inf, "x1": x_inf, "y0": y, "y1": top,
                               "xref": "x", "yref": "y", "line": line, "name": STALE})
    p.note(f"{name}: L* = ∞ beyond ", x=np.log10(x_inf), xref="x", y=1, yref="y domain",
           xanchor="right" if right_half else "left", yanchor="top", size=12, color=color,
           xshift=-4 if right_half else 4, name=STALE)
