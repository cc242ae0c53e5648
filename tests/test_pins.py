"""Pinned parameter sets: the URL form round-trips, junk never raises, at most three
are kept, and the figures and the live payload carry them (ui/state/pins.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ui import catalog
from ui.state import params as P
from ui.state import pins as PN
from ui.figures.recovery import PIN_STYLES
from ui.live import specs


def _value(name: str):
    """A valid value of closed-form parameter ``name`` (any float in range, or any int)."""
    p = P.PARAMS[name]
    if p.kind is int:
        return st.integers(int(p.lo), int(p.hi))
    return st.floats(p.lo, p.hi, allow_nan=False, allow_infinity=False)


VALUES = st.fixed_dictionaries({n: _value(n) for n in PN.NAMES}).map(
    lambda v: P.constrain({**P.defaults(), **v})[0])
# names with what could break the format: separators, quotes, unicode, odd spaces
NAMES = st.text(st.sampled_from(list("ab Z~:,;'\"`=&?#%+/\\ γμδ€中✓😀\t\u00a0\u200b<>$")) | st.characters(),
                max_size=60)


@settings(max_examples=300, deadline=None)
@given(NAMES, VALUES)
def test_format_then_parse_gives_the_pin_back(name, values):
    pin = PN.make(name, values)
    back, messages = PN.parse(PN.format_pin(pin))
    assert messages == []
    assert back.items == pin.items  # every number exactly (repr round-trips floats)
    assert back.name == pin.name or (pin.name == "" and back.name == "Pin")
    assert PN.format_pin(back) == PN.format_pin(pin) or pin.name == ""


@settings(max_examples=300, deadline=None)
@given(NAMES)
def test_a_name_is_one_printable_line_of_at_most_40_characters(name):
    clean = PN.sanitise(name)
    assert len(clean) <= PN.MAX_NAME and clean == clean.strip()
    assert clean.isprintable() and not set(clean) & set("<>$\n\t")
    assert PN.sanitise(clean) == clean  # idempotent: the URL keeps it as it is


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=80) | st.sampled_from(
    ["~", "a~", "~mu", "~mu:", "~mu:x", "~mu:nan", "~mu:inf", "~mu:1,mu:2", "~nu:1", "x~T:5,k:9",
     "~mu:-3", "~gamma:1e400", "~T:2.5"]), max_size=6))
def test_junk_never_raises_and_what_is_kept_is_valid(raws):
    found, messages = PN.parse_all(raws)
    assert len(found) <= PN.MAX_PINS
    assert all(isinstance(m, str) and m for m in messages)
    for pin in found:
        values = pin.values
        assert list(values) == list(PN.NAMES)
        for n, x in values.items():
            assert P.parse(n, x) == (x, None), (n, x)  # in range, right type
        assert values["k"] <= values["T"]  # t may lie beyond T: the readouts' position


@pytest.mark.parametrize("raw, kept, says", [
    ("no separator", False, "no `~`"),
    ("a~mu:5,zeta:1", False, "not a parameter"),
    ("a~mu:five", False, "not a number"),
    ("a~mu:5,mu:6", False, "repeats"),
    ("a~mu", False, "not `key:value`"),
    ("a~mu:-1", True, "below the minimum"),  # corrected like a bad link value, kept
    ("a~T:10,k:20", True, "exceeds the depth T"),
])
def test_each_problem_has_a_message(raw, kept, says):
    pin, messages = PN.parse(raw)
    assert (pin is not None) == kept
    assert any(says in m for m in messages), messages


def test_missing_keys_take_their_defaults_silently():
    pin, messages = PN.parse("hand-made~mu:20")
    assert messages == [] and pin.values == {**{n: P.defaults()[n] for n in PN.NAMES}, "mu": 20.0}


def test_more_than_three_pins_keep_the_first_three():
    raws = [PN.format_pin(PN.make(f"p{i}", {**P.defaults(), "mu": float(i)})) for i in range(5)]
    found, messages = PN.parse_all(raws)
    assert [p.name for p in found] == ["p0", "p1", "p2"]
    assert any("only the first 3" in m for m in messages)


def test_empty_names_get_a_number():
    found, _ = PN.parse_all(["~mu:1", "junk", "  ~mu:2"])
    assert [p.name for p in found] == ["Pin 1", "Pin 2"]


def test_default_names_say_what_differs_and_are_unique():
    v = P.defaults()
    assert PN.default_name(v) == "defaults"
    assert PN.default_name({**v, "mu": 20.0, "gamma": 0.99}) == "μ = 20, γ = 0.99"
    assert PN.default_name(v, ["defaults"]) == "defaults (2)"
    long = {**v, "mu": 123456.0, "gamma": 0.123, "p_base": 1.5e-7, "beta": 0.0123, "delta": 0.77}
    assert len(PN.default_name(long)) <= PN.MAX_NAME


def test_difference_table_lists_exactly_the_differing_parameters():
    v = P.defaults()
    pins = (PN.make("A", {**v, "mu": 20.0}), PN.make("B", {**v, "T": 80}))
    rows = PN.differences(v, pins)
    assert [r["set"] for r in rows] == ["current settings", "A", "B"]
    assert all(set(r) == {"set", "μ", "T"} for r in rows)
    assert [r["μ"] for r in rows] == ["5", "20", "5"] and [r["T"] for r in rows] == ["50", "50", "80"]
    assert PN.differences(v, (PN.make("same", v),)) == [{"set": "current settings"}, {"set": "same"}]


# --- the figures -------------------------------------------------------------------------

MAIN = ["recovery_by_position", "kl_by_position", "recoverability_by_depth", "attack_length_vs_mu"]


def _pinned_values():
    v = P.defaults()
    pins = (PN.make("deeper γ", {**v, "gamma": 0.99}), PN.make("weak p", {**v, "p_base": 1e-4, "T": 80}))
    return v, pins


@pytest.mark.parametrize("name", MAIN)
def test_main_figures_draw_each_pin_in_its_own_style_after_the_current_traces(name):
    v, pins = _pinned_values()
    plain = catalog.build(name, v).fig
    fig = catalog.build(name, {**v, "pin": pins}).fig
    n = len(plain.data)
    assert [t.name for t in fig.data[:n]] == [t.name for t in plain.data]  # current set unchanged
    extra = fig.data[n:]
    assert {t.meta["pin"] for t in extra} == {0, 1}
    shown = [t for t in extra if t.showlegend is not False]
    assert [t.name for t in shown] == ["deeper γ", "weak p"]
    current = {(t.line.color, t.line.dash) for t in plain.data}
    for t in extra:
        assert (t.line.color, t.line.dash, t.marker.symbol) == PIN_STYLES[t.meta["pin"]]
        assert (t.line.color, t.line.dash) not in current
    fig.__class__(fig.to_dict())  # plotly validates every property


def test_pinned_curves_are_the_pinned_sets_own_numbers():
    import theory

    v, pins = _pinned_values()
    fig = catalog.build("recovery_by_position", {**v, "pin": pins}).fig
    weak = next(t for t in fig.data if t.name == "weak p")
    t = np.arange(v["k"] + 1, 81)
    np.testing.assert_array_equal(weak.x, t)
    np.testing.assert_allclose(weak.y, theory.recovery_probability(1e-4, v["mu"], v["beta"], v["gamma"], t))
    assert fig.layout.xaxis.range[1] == 80.5  # the deeper pin is in view


def test_a_pin_that_draws_nothing_on_a_log_axis_says_so():
    v = P.defaults()
    fig = catalog.build("kl_by_position", {**v, "pin": (PN.make("shallow", {**v, "mu": 0.0}),)}).fig
    assert fig.layout.yaxis.type == "log" and fig.data[-1].name == "shallow (KL 0: off the log axis)"


@pytest.mark.parametrize("name", MAIN)
def test_live_payload_sends_the_pins_fixed_and_rescales_with_them(name):
    v, pins = _pinned_values()
    data = specs.payload(name, {**v, "pin": pins})
    fig = catalog.build(name, {**v, "pin": pins}).fig
    n = len(specs.LIVE[name].series(v))
    assert all("fn" in s for s in data["series"][:n])
    for s, trace in zip(data["series"][n:], fig.data[n:]):
        assert set(s) == {"fixed"}
        want = [None if y is None or not math.isfinite(y) else y for y in trace.y]
        assert s["fixed"]["y"] == want and len(s["fixed"]["x"]) == len(want)
    on_an_axis = {i for a in data["axes"] for i in a["traces"]}
    assert set(range(n, len(fig.data))) <= on_an_axis  # the y range keeps the pins in view
    json.dumps(data, allow_nan=False)


def test_downloads_carry_the_pins():
    """``bundle.figure_file`` (downloads, zip) reads the pins from the values."""
    from ui.export import bundle

    v, pins = _pinned_values()
    csv = bundle.figure_file("recovery_by_position", {**v, "pin": pins}, "csv").decode()
    assert "deeper γ" in csv and "weak p" in csv


# The layout rules of tests/test_figure_layout.py, on figures with extreme pins.
EXTREME_PINS = {"shallow": {"mu": 0.0}, "no recovery": {"p_base": 0.0},
                "deep end": {"mu": 1e6, "beta": 0.01, "gamma": 1.0, "T": 1000, "k": 0},
                "short": {"T": 3, "k": 2, "t": 3}, "weak": {"p_base": 1e-12, "delta": 0.99}}
CURRENT = {"defaults": {}, "shallow": {"mu": 0.0}, "p = 0": {"p_base": 0.0}, "k = 0": {"k": 0}}


def _pin_figures():
    for point, overrides in CURRENT.items():
        v = P.constrain({**P.defaults(), **overrides})[0]
        names = list(EXTREME_PINS)
        for group in (names[:3], names[3:]):
            pins = tuple(PN.make(n, P.constrain({**v, **EXTREME_PINS[n]})[0]) for n in group)
            for name in MAIN:
                yield pytest.param(name, catalog.build(name, {**v, "pin": pins}).fig,
                                   id=f"{point}-{'+'.join(group)}-{name}")


@pytest.mark.parametrize("name,fig", list(_pin_figures()))
def test_pinned_figures_keep_the_layout_rules(name, fig):
    fig.__class__(fig.to_dict())  # valid plotly
    for trace in fig.data:
        if trace.showlegend is False or not isinstance(trace.meta, dict) or "pin" not in trace.meta:
            continue
        y = np.array([np.nan if v is None else v for v in trace.y], dtype=float)
        ref = trace.yaxis or "y"
        drawable = np.isfinite(y) & ((y > 0) if fig.layout[f"yaxis{ref[1:]}"].type == "log" else True)
        assert drawable.any() or trace.name.endswith(("off the log axis)", "at every μ)")), \
            f"{trace.name!r} draws nothing, silently"
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0
    by_axis: dict[str, list] = {}  # values spanning decades are on a log axis
    for trace in fig.data:
        by_axis.setdefault(trace.yaxis or "y", []).append(
            np.array([np.nan if v is None else v for v in trace.y], dtype=float))
    for ref, ys in by_axis.items():
        y = np.concatenate(ys)
        y = y[np.isfinite(y)]
        if fig.layout[f"yaxis{ref[1:]}"].type != "log" and y.size and (y > 0).all():
            assert y.max() / y.min() <= 1e2, f"{ref} spans {y.min():.3g}..{y.max():.3g} linearly"
