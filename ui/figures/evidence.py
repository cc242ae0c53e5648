"""Figures of the Evidence page: published measurements of real models beside the theory's fits.

Builders take the dicts of ``ui.data.evidence`` (published points with their uncertainty, and
the fits of ``theory.evidence`` / ``theory.evidence_attack``). Published points are markers with
error bars; every fitted curve is a line whose name contains "fit".
"""

from __future__ import annotations

import numpy as np

from ._plot import Plot
from ._style import OKABE_ITO, log_axis, log_range
from .table import Built

# One colour per published model (pair), the same on every Evidence figure.
MODEL_COLORS = (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["green"], OKABE_ITO["purple"],
                OKABE_ITO["orange"], OKABE_ITO["black"])
FIT_DASH = {"geometric": "solid", "power law": "dot", "deep optimum": "dashdot",
            "standard optimum": "solid", "base model": "dash"}
MARKERS = ("circle", "square", "diamond", "triangle-up", "star", "hexagon")  # each has an -open form


def _points(p: Plot, x, y, err, name: str, i: int, *, row: int = 1, hover: str, **props) -> None:
    p.scatter(x, y, name=name, mode="markers", row=row, hovertemplate=hover,
              error_y={"type": "data", "array": list(map(float, err)), "visible": True,
                       "color": MODEL_COLORS[i % len(MODEL_COLORS)], "thickness": 1.2, "width": 3},
              marker={"color": MODEL_COLORS[i % len(MODEL_COLORS)], "symbol": MARKERS[i % len(MARKERS)],
                      "size": 7}, **props)


def _fit_line(p: Plot, x, y, name: str, i: int, kind: str, *, row: int = 1, hover: str, **props):
    """A fitted curve: its model's colour and (open) marker, its kind's dash, so that two fits
    differ by more than colour (greyscale print, colour-blind readers)."""
    color = MODEL_COLORS[i % len(MODEL_COLORS)]
    p.scatter(x, y, name=name, mode="lines+markers", row=row, hovertemplate=hover,
              line={"color": color, "dash": FIT_DASH.get(kind, "solid"), "width": 2},
              marker={"color": color, "symbol": MARKERS[i % len(MARKERS)] + "-open", "size": 6,
                      "maxdisplayed": 12}, **props)


def kl_evidence(d: dict) -> Built:
    """Per-token KL(aligned ‖ base) by position, published (markers, ± read-off uncertainty),
    with the theory's fitted profiles (lines, top) and the residuals in units of σ (bottom)."""
    p = Plot(rows=2, row_heights=[0.68, 0.32])
    fine = np.linspace(1.0, float(d["t_max"]), 200)
    for i, s in enumerate(d["series"]):
        _points(p, s["t"], s["kl"], s["sigma"], s["name"], i, legendgroup=s["name"],
                hover="%{y:.3g} nats (± %{error_y.array:.2g}, read from figure)")
        for fit in s["fits"]:
            name = f"{fit['label']} fit: {s['short']}"
            _fit_line(p, fine, fit["curve"](fine), name, i, fit["kind"], legendgroup=s["name"],
                      hover="%{y:.3g} nats")
            _fit_line(p, s["t"], fit["residuals"], name + " (residual)", i, fit["kind"], row=2,
                      legendgroup=s["name"], showlegend=False, hover="%{y:.2f} σ")
    top = [s["kl"] for s in d["series"]]
    p.yaxis(row=1, title="KL at position t (nats, log)", **log_axis(log_range(*top, pad=0.15)))
    p.yaxis(row=2, title="residual (σ)", zeroline=True, zerolinecolor="#888")
    p.xaxis(row=2, title="response position t (1-indexed)", range=[0.5, d["t_max"] + 0.5], dtick=2)
    p.xaxis(hoverformat="d")
    return p.built(height=560)


def attack_evidence(d: dict) -> Built:
    """Prefilling-attack success against the number of prefilled harmful tokens L, published
    (markers ± uncertainty) with the toy model's fitted curves (lines)."""
    p = Plot()
    for i, s in enumerate(d["series"]):
        _points(p, s["k"], s["asr"], s["sigma"], s["name"], i, legendgroup=s["name"],
                hover="%{y:.3g} % (± %{error_y.array:.2g})")
    for fit in d["fits"]:
        i = fit["color"]
        _fit_line(p, fit["k"], fit["asr"], fit["name"], i, fit["kind"], hover="%{y:.3g} %",
                  legendgroup=d["series"][i]["name"])
    p.xaxis(title="harmful tokens prefilled L", dtick=1, range=[-0.5, d["k_max"] + 0.5])
    p.yaxis(title="attack success (%)", range=[-3, 103])
    p.update(hovermode="closest")
    return p.built(height=440)


def augmentation_evidence(d: dict) -> Built:
    """Qi et al.'s Table 2 (attack success before and after recovery augmentation, mean ± std
    over 3 runs) beside the toy model's standard and deep optima fitted to it."""
    p = Plot()
    k = d["k"]
    _points(p, k, d["initial"], d["initial_std"], "Llama-2-7B-Chat, initial (Table 2)", 0,
            hover="%{y:.3g} % (± %{error_y.array:.2g})")
    _points(p, k, d["after"], d["after_std"], "after recovery augmentation (Table 2)", 2,
            hover="%{y:.3g} % (± %{error_y.array:.2g})")
    _fit_line(p, d["fine_k"], d["standard"], d["standard_name"], 0, "standard optimum",
              hover="%{y:.3g} %")
    _fit_line(p, d["fine_k"], d["deep"], d["deep_name"], 2, "deep optimum", hover="%{y:.3g} %")
    p.xaxis(title="harmful tokens prefilled L", range=[0, max(k) + 2])
    p.yaxis(title="attack success (%)", range=[-3, 103])
    p.update(hovermode="closest")
    return p.built(height=400)


def own_curve(d: dict) -> Built:
    """A user's own per-position KL curve with the theory's fitted profiles and residuals."""
    p = Plot(rows=2, row_heights=[0.68, 0.32])
    err = d["sigma"] if d["sigma"] is not None else np.zeros(len(d["t"]))
    _points(p, d["t"], d["kl"], err, d["name"], 0, hover="%{y:.4g} nats")
    fine = np.linspace(float(min(d["t"])), float(max(d["t"])), 300)
    for j, fit in enumerate(d["fits"]):
        _fit_line(p, fine, fit["curve"](fine), f"{fit['label']} fit", j + 1, fit["kind"],
                  hover="%{y:.4g} nats")
        _fit_line(p, d["t"], fit["residuals"], f"{fit['label']} fit (residual)", j + 1, fit["kind"],
                  row=2, showlegend=False, hover="%{y:.2f} σ")
    positive = np.asarray(d["kl"], dtype=float)
    if (positive > 0).all():
        p.yaxis(row=1, title="KL at position t (nats, log)", **log_axis(log_range(positive, pad=0.15)))
    else:
        p.yaxis(row=1, title="KL at position t (nats)")
    p.yaxis(row=2, title="residual (σ)", zeroline=True, zerolinecolor="#888")
    p.xaxis(row=2, title="response position t (1-indexed)")
    return p.built(height=520)


def ridge_evidence(d: dict) -> Built:
    """The deep fit to Table 2 along μ: γ re-fitted at each μ (bottom), and the χ² that leaves
    (top, log). A flat stretch at the minimum is a ridge: those (μ, γ) fit the data alike."""
    r = d["ridge"]
    p = Plot(rows=2, row_heights=[0.6, 0.4])
    p.scatter(r.mu, r.chi2, name="χ² with γ re-fitted at each μ", mode="lines+markers",
              hovertemplate="χ² = %{y:.4g}", line={"color": MODEL_COLORS[2], "width": 2},
              marker={"color": MODEL_COLORS[2], "symbol": "diamond", "size": 6})
    p.hline(r.chi2_min + 1.0, color=OKABE_ITO["black"], dash="dot", width=1.5,
            label="minimum + 1", log=True)
    p.scatter(r.mu, r.gamma, name="γ along the ridge", mode="lines+markers", row=2,
              hovertemplate="γ = %{y:.4f}", line={"color": MODEL_COLORS[4], "dash": "dash", "width": 2},
              marker={"color": MODEL_COLORS[4], "symbol": "circle", "size": 5})
    p.yaxis(row=1, title="χ² (log)", **log_axis(log_range(r.chi2, [r.chi2_min + 1.0], pad=0.1)))
    p.yaxis(row=2, title="γ")
    p.xaxis(**log_axis(log_range(r.mu, pad=0.02)))
    p.xaxis(row=2, title="recovery penalty μ (β = 1, log)")
    p.update(hovermode="x unified")
    return p.built(height=460)
