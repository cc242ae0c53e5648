"""Charts a student can read, checked on the figures themselves (no browser): what a
legend lists is drawn, values spanning decades sit on a log axis, the legend stays off the data
and away from plotly's toolbar, and the attack-length chart shows every γ it names.
tests/e2e/test_e2e_charts.py measures the drawn text in a browser."""

from __future__ import annotations

import numpy as np
import pytest

from ui import catalog
from ui.state import params as P
from ui.figures._style import MODEBAR, STRIP

POINTS = {"defaults": {}, **P.PRESETS, "k = 0": {"k": 0}, "gamma = 1": {"gamma": 1.0},
          "delta <= p_min": {"delta": 0.05, "p_base": 0.1}, "p_min = 0": {"p_base": 0.0},
          "large beta": {"beta": 1e4}, "mu at the top": {"mu": 1e6}}


def _values(overrides: dict) -> dict:
    values, _ = P.constrain({**P.defaults(), **overrides})
    return values


def _figures():
    for point, overrides in POINTS.items():
        values = _values(overrides)
        for name in catalog.FIGURES:
            try:
                yield pytest.param(name, catalog.build(name, values).fig, id=f"{point}-{name}")
            except ValueError:  # parameters the model cannot do: the page says so instead
                continue


FIGURES = list(_figures())


def _y(trace) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in trace.y], dtype=float)


def _axis(fig, trace, letter: str):
    ref = (getattr(trace, f"{letter}axis") or letter)
    return fig.layout[f"{letter}axis{ref[1:]}"]


@pytest.mark.parametrize("name,fig", FIGURES)
def test_legend_lists_only_what_is_drawn(name, fig):
    """A legend entry whose series has no point the axis can show is a promise the chart breaks."""
    for trace in fig.data:
        if trace.showlegend is False or trace.y is None:
            continue
        y = _y(trace)
        drawable = np.isfinite(y)
        if _axis(fig, trace, "y").type == "log":
            drawable &= y > 0
        # a series drawn only as a marked step (γ = 1: L* = 0 under a log axis, then ∞)
        marked = any(a.text.startswith(f"{trace.name.split(' (')[0]}: L* = ∞")
                     for a in fig.layout.annotations)
        assert drawable.any() or marked, f"{name}: legend lists {trace.name!r}, which draws nothing"


CLOSED_FORM = [f for f in FIGURES
               if catalog.FIGURES[f.values[0]].page in ("deep_alignment", "robustness")
               and f.values[0] not in ("exact_vs_per_prefix", "toy_attack")]


@pytest.mark.parametrize("name,fig", CLOSED_FORM)
def test_values_spanning_decades_are_on_a_log_axis(name, fig):
    """Positive values over more than two decades on a linear axis flatten all but the largest
    (the closed-form figures; a toy figure's near-zero values beyond the horizon are its point,
    and a linear axis shows them as zero)."""
    by_axis: dict[str, list] = {}
    for trace in fig.data:
        if trace.y is not None and trace.type == "scatter":
            by_axis.setdefault(trace.yaxis or "y", []).append(_y(trace))
    for ref, ys in by_axis.items():
        y = np.concatenate(ys)
        y = y[np.isfinite(y)]
        axis = fig.layout[f"yaxis{ref[1:]}"]
        if axis.type == "log" or not y.size or (y <= 0).any():
            continue  # zeros (nothing beyond the horizon) or signs: a linear axis is right
        assert y.max() / y.min() <= 1e2, f"{name}: {ref} spans {y.min():.3g}..{y.max():.3g} linearly"


@pytest.mark.parametrize("name,fig", FIGURES)
def test_legend_is_off_the_data_and_out_of_the_toolbar_band(name, fig):
    legend = fig.layout.legend
    assert legend.yref == "container" and legend.y == 0 and legend.yanchor == "bottom", \
        f"{name}: legend not under the plot"
    assert fig.layout.margin.t >= MODEBAR, f"{name}: no room for plotly's toolbar at the top"
    above = [a for a in fig.layout.annotations
             if a.yref in ("paper", "y domain") and a.y == 1 and a.yanchor == "bottom"]
    if above:
        assert fig.layout.margin.t >= MODEBAR + STRIP, \
            f"{name}: labels above the plot in the toolbar's band"


def _attack(**overrides):
    return catalog.build("attack_length_vs_mu", _values(overrides)).fig


def test_attack_length_uses_a_log_axis_in_tokens_with_the_horizon_visible():
    fig = _attack()
    axis = fig.layout.yaxis
    assert axis.type == "log"
    assert list(axis.ticktext) == [f"{v:g}" for v in axis.tickvals]  # plain token counts
    k = P.defaults()["k"]
    assert axis.range[0] < np.log10(k) < axis.range[1], "the horizon line is off the axis"
    line = next(s for s in fig.layout.shapes if s.type == "line" and s.y0 == s.y1 == k)
    label = next(a for a in fig.layout.annotations if a.text.startswith("horizon k"))
    assert label.y == pytest.approx(np.log10(k))
    assert label.yanchor == "top"  # under the line: no L* is below k, so no line is there
    assert line.yref == "y"


def test_attack_length_draws_gamma_one_where_finite_and_marks_infinity_beyond():
    fig = _attack(gamma=0.9, mu=5.0, beta=1.0, p_base=0.01, delta=0.5)
    one = next(t for t in fig.data if t.name.startswith("γ = 1"))
    y = _y(one)
    assert np.isfinite(y).any() and not np.isfinite(y[-1]) and one.showlegend is not False
    first_inf = one.x[int(np.flatnonzero(~np.isfinite(y))[0])]
    rise = [s for s in fig.layout.shapes if s.type == "line" and s.x0 == s.x1 == first_inf]
    assert rise and rise[0].y1 > rise[0].y0, "no step up to ∞ where γ = 1 becomes infinite"
    assert any("∞ beyond" in a.text for a in fig.layout.annotations)


def test_attack_length_keeps_gammas_without_a_finite_attack_out_of_the_legend():
    fig = _attack(delta=0.05, p_base=0.1)  # δ ≤ p_min: no γ ever has a finite attack
    assert all(t.showlegend is False for t in fig.data)
    assert any("no finite attack" in a.text for a in fig.layout.annotations)
    fig = _attack(beta=0.01, delta=0.02, p_base=0.019)  # μ/β ≥ ℓ at every μ: γ = 1 never
    one = next(t for t in fig.data if t.name.startswith("γ = 1"))
    assert one.showlegend is False
    assert any(a.text.startswith("γ = 1: no finite attack") for a in fig.layout.annotations)
