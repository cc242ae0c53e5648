"""ui/state/params.py: parsing never raises, always yields a valid value, and round-trips the URL."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.state import params as P
from ui.state.stops import log_options, slider_stops

NAMES = sorted(P.PARAMS)


def valid(name: str, value) -> bool:
    p = P.PARAMS[name]
    return isinstance(value, p.kind) and p.lo <= value <= p.hi and math.isfinite(value)


@given(st.sampled_from(NAMES), st.text(max_size=30))
def test_any_text_gives_a_valid_value(name, raw):
    value, warning = P.parse(name, raw)
    assert valid(name, value)
    assert warning is None or name in warning


@given(st.sampled_from(NAMES), st.floats(allow_nan=True, allow_infinity=True))
def test_any_float_gives_the_nearest_valid_value(name, x):
    p = P.PARAMS[name]
    value, warning = P.parse(name, repr(x))
    assert valid(name, value)
    if math.isnan(x):
        assert value == p.default and "not a number" in warning
    elif x < p.lo:
        assert value == p.kind(p.lo) and "below the minimum" in warning
    elif x > p.hi:
        assert value == p.kind(p.hi) and "above the maximum" in warning
    elif p.kind is float:
        assert value == x and warning is None
    else:
        assert abs(value - x) <= 0.5 and (warning is None) == (value == x)


@given(st.data())
def test_url_text_round_trips(data):
    name = data.draw(st.sampled_from(NAMES))
    p = P.PARAMS[name]
    if p.kind is int:
        value = data.draw(st.integers(int(p.lo), int(p.hi)))
    else:
        value = data.draw(st.floats(p.lo, p.hi))
    assert P.parse(name, P.fmt(value)) == (value, None)


@pytest.mark.parametrize("raw", [None])
def test_missing_key_is_the_default_silently(raw):
    for name, p in P.PARAMS.items():
        assert P.parse(name, raw) == (p.default, None)


def test_examples_from_the_issue():
    assert P.parse("beta", "abc") == (1.0, "`beta=abc` is not a number; using the default 1.0.")
    assert P.parse("gamma", "5") == (1.0, "`gamma=5` is above the maximum 1.0; using 1.0.")
    value, warning = P.parse("p_base", "-1")
    assert value == 0.0 and "below the minimum" in warning
    assert P.parse("T", "3.7")[0] == 4 and "whole number" in P.parse("T", "3.7")[1]
    assert P.parse("mu", ["1", "2"]) == (2.0, None)  # a repeated key: the last one wins
    assert "'" in P.parse("mu", "`x`")[1]  # backticks from the URL cannot break the markdown


@given(st.integers(1, 1000), st.integers(0, 2000), st.integers(1, 2000), st.floats(0, 1), st.floats(0, 1))
def test_constrain_enforces_the_relations(T, k, t, p_recover, p_harm):
    values = P.defaults() | {"T": T, "k": min(k, 200), "t": t,
                             "p_recover": max(p_recover, 1e-12), "p_harm": p_harm}
    fixed, warnings = P.constrain(values)
    assert fixed["k"] <= fixed["T"] and fixed["t"] == values["t"]  # t may lie beyond T
    assert P.position_in_depth(fixed) == min(fixed["t"], fixed["T"])
    assert fixed["p_recover"] + fixed["p_harm"] <= 1.0 + 1e-15
    assert fixed["k_toy"] <= fixed["T_toy"] and fixed["L"] <= fixed["T_toy"]
    assert bool(warnings) == (fixed != values)
    assert all(valid(name, fixed[name]) for name in NAMES)


def test_defaults_and_presets_are_valid():
    defaults, warnings = P.parse_all({})
    assert defaults == P.defaults() and warnings == []
    for overrides in P.PRESETS.values():
        fixed, warnings = P.constrain(P.defaults() | overrides)
        assert warnings == [] and all(fixed[k] == v for k, v in overrides.items())


@pytest.mark.parametrize("name", [n for n in NAMES if P.PARAMS[n].scale == "log"])
def test_log_options_cover_the_range_in_order(name):
    p = P.PARAMS[name]
    options = slider_stops(p)
    assert options[0] == p.lo and options[-1] == p.hi
    assert options == sorted(set(options))
    positive = [o for o in options if o > 0]
    assert positive[0] == (p.log_min if p.lo == 0 else p.lo)
    ratios = [b / a for a, b in zip(positive, positive[1:])]
    assert max(ratios) <= 2.0 + 1e-12  # no gap wider than a factor 2 (1-2-3-5 steps)


def test_p_base_can_be_exactly_zero():
    """Remark 8 (p = 0: no finite μ creates recovery) needs p_base = 0 on the slider and in links."""
    assert P.parse("p_base", "0") == (0.0, None)
    assert slider_stops(P.PARAMS["p_base"])[:2] == [0.0, 1e-12]


@pytest.mark.parametrize("name", NAMES)
def test_labels_are_plain_unicode(name):
    """Screen readers read a control's label aloud: "Recovery penalty μ", not "$\\mu$"."""
    label = P.PARAMS[name].label
    assert label and "$" not in label and "\\" not in label


# The solve-for panel answers "μ needed" with values like 148, 891 (the defaults) or
# 1340; a link or a click carrying them must keep them, not clamp them to an old maximum.
@pytest.mark.parametrize(("name", "raw"), [("mu", "0"), ("mu", "148"), ("mu", "1340"),
                                           ("mu", "1e5"), ("mu", "1e6"), ("beta", "0.01"),
                                           ("beta", "1e6")])
def test_large_mu_and_beta_are_valid_exactly(name, raw):
    assert P.parse(name, raw) == (float(raw), None)


def test_mu_needed_at_the_defaults_is_a_valid_mu():
    import theory

    v = P.defaults()
    need = float(theory.required_penalty(v["delta"], v["p_base"], v["beta"], v["gamma"], v["T"]))
    assert need > 100  # beyond the old maximum: the case the issue is about
    assert P.parse("mu", P.fmt(need)) == (need, None)


def test_mu_slider_is_log_from_zero_to_a_million():
    """μ spans eight decades; its log slider still reaches μ = 0 (standard RLHF) exactly."""
    stops = slider_stops(P.PARAMS["mu"])
    assert stops[0] == 0.0 and stops[1] == 0.01 and stops[-1] == 1e6
    assert P.PARAMS["mu"].default in stops
    assert slider_stops(P.PARAMS["beta"])[-1] >= 1e6


def test_attack_chart_grid_covers_every_mu():
    from ui.data import closed as data

    grid, mu = data.mu_grid(), P.PARAMS["mu"]
    assert grid[0] <= mu.log_min and grid[-1] >= mu.hi
    assert np.all(np.diff(np.log10(grid)) <= 0.025 + 1e-12)  # still 40 points per decade
