"""Log axes that can be read: every log axis of every catalog figure has at least three labelled
ticks inside its range, at the defaults, the presets and corners of the parameter table (γ = 0.67
left the recovery chart with 10⁻² alone), and ``_style.log_ticks`` keeps that promise over any
range. tests/e2e/test_e2e_log_ticks.py counts the labels of an exported SVG and checks
ui/live/runtime.js's copy of the rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ui import catalog
from ui.state import params as P
from ui.figures._style import MIN_TICKS, log_ticks

CORNERS = {"defaults": {}, **P.PRESETS, "gamma = 0.67": {"gamma": 0.67},
           "gamma = 1": {"gamma": 1.0}, "gamma = 0": {"gamma": 0.0}, "k = 0": {"k": 0},
           "T = 1": {"T": 1, "k": 0, "t": 1}, "p_min = 0": {"p_base": 0.0},
           "p_base at the top": {"p_base": 0.9}, "p_base tiny": {"p_base": 1e-12},
           "large beta": {"beta": 1e6}, "mu at the top": {"mu": 1e6}, "mu = 0": {"mu": 0.0},
           "delta <= p_min": {"delta": 0.05, "p_base": 0.1},
           "toy T = 1": {"T_toy": 1, "k_toy": 1}, "toy k = 0": {"k_toy": 0},
           "toy threshold": {"toy_model": 1}, "toy gradual": {"toy_model": 2},
           "toy fade 1": {"toy_model": 2, "fade": 1.0}, "toy decay": {"decay": 0.5},
           "toy p_R tiny": {"p_recover": 1e-12}, "toy p_C = 0": {"p_harm": 0.0},
           "eta small": {"eta": 0.001}, "eta large": {"eta": 100.0}}


def _figures():
    for point, overrides in CORNERS.items():
        values, _ = P.constrain({**P.defaults(), **overrides})
        for name in catalog.FIGURES:
            try:
                fig = catalog.build(name, values).fig
            except ValueError:  # the page says why instead of drawing
                continue
            yield pytest.param(name, fig, id=f"{point}-{name}")


def _extent(fig, key: str) -> tuple[float, float] | None:
    """The log10 extent of the positive data on axis ``key`` (what plotly's autorange shows)."""
    letter, ref = key[0], key[0] + key[5:]
    values = []
    for trace in fig.data:
        if (getattr(trace, f"{letter}axis") or letter) == ref and getattr(trace, letter) is not None:
            v = np.array([np.nan if x is None else x for x in getattr(trace, letter)], dtype=float)
            values.append(v[np.isfinite(v) & (v > 0)])
    v = np.concatenate(values) if values else np.array([])
    return (math.log10(v.min()), math.log10(v.max())) if v.size else None


@pytest.mark.parametrize("name,fig", list(_figures()))
def test_every_log_axis_has_three_labelled_ticks_in_range(name, fig):
    layout = fig.to_dict()["layout"]
    for key, axis in layout.items():
        if key[1:5] != "axis" or not isinstance(axis, dict) or axis.get("type") != "log":
            continue
        if axis.get("showticklabels") is False:  # a shared axis: the bottom panel labels it
            continue
        rng = axis.get("range") or _extent(fig, key)
        if rng is None:
            continue  # nothing positive to show
        lo, hi = sorted(rng)
        assert axis.get("tickvals") is not None, (
            f"{name}: {key} leaves its ticks to plotly (one label can be all it draws)")
        inside = [v for v in axis["tickvals"] if lo - 1e-9 <= math.log10(v) <= hi + 1e-9]
        assert len(inside) >= MIN_TICKS, f"{name}: {key} on {lo:.3g}..{hi:.3g} labels {inside}"
        assert len(axis["ticktext"]) == len(axis["tickvals"])


@settings(max_examples=400, deadline=None)
@given(lo=st.floats(-300, 299), span=st.floats(1e-6, 600))
def test_log_ticks_label_three_distinct_values_inside_any_range(lo, span):
    hi = min(lo + span, 300.0)  # float's range
    vals, texts = log_ticks(lo, hi)
    assert len(vals) >= MIN_TICKS
    assert len(vals) <= 12, texts  # more than a short panel can hold apart
    assert all(lo - 1e-9 <= math.log10(v) <= hi + 1e-9 for v in vals)
    assert vals == sorted(vals) and len(set(texts)) == len(texts), texts
    for v, text in zip(vals, texts):  # the label reads back as the value it stands at
        assert math.isclose(_number(text), v, rel_tol=1e-3), (text, v)


def _number(text: str) -> float:
    """A tick label as a number: 0.002, 5000, 2×10⁻⁵, 10⁻⁵, 10³."""
    superscripts = "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"
    mantissa, times, power = text.rpartition("×")
    if not times:
        mantissa = "1"
    if power.startswith("10") and power[2:] and all(c in superscripts for c in power[2:]):
        exponent = int(power[2:].translate(str.maketrans(superscripts, "-0123456789")))
        return float(mantissa) * 10.0 ** exponent
    return float(mantissa) * float(power)


@pytest.mark.parametrize("lo,hi,labels", [
    (-2.02, -1.79, ["0.010", "0.012", "0.014", "0.016"]),  # γ = 0.67: was 10⁻² alone
    (-2.11, -0.79, ["0.01", "0.02", "0.05", "0.1"]),
    (2.18, 5.63, ["10³", "10⁴", "10⁵"]),
    (-6.12, -4.73, ["10⁻⁶", "2×10⁻⁶", "5×10⁻⁶", "10⁻⁵"]),
    (-1.68, 2.47, ["10⁻¹", "1", "10", "10²"]),
])
def test_log_ticks_read_as_a_person_writes_them(lo, hi, labels):
    assert log_ticks(lo, hi)[1] == labels
