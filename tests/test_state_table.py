"""The parameter table owns every URL key and every relation (ui/state).

A relation declared once (``Param.upper``, such as k <= T) is what a link is validated against,
where a value is clamped and where the parameter's widget ends; the URL is read by one parser
(``ui.state.link.read``), once per run, the pins with it.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.state import link, nav, params as P, pins as PN

ROOT = Path(__file__).resolve().parents[1]
BOUNDED = [p for p in P.PARAMS.values() if p.upper is not None]
# One link that breaks every relation of the table: each bound low, each bounded value above it.
LOW = {"T": 30, "T_toy": 6, "p_recover": 0.5}
HIGH = {"k": 90, "t": 40, "k_toy": 9, "L": 9, "m_toy": 9, "p_harm": 0.8}
QUERY = {name: P.fmt(value) for name, value in {**LOW, **HIGH}.items()}


def corrected(p: P.Param, values: dict):
    """What the table says ``p`` becomes after that link: its bound, unless it does not clamp."""
    return p.upper.limit(values) if p.upper.clamp else HIGH[p.name]


def test_the_link_breaks_every_relation_the_table_declares():
    assert {p.name for p in BOUNDED} == set(HIGH), "a new relation: add it to HIGH"
    assert {p.upper.of for p in BOUNDED} == set(LOW)
    values = {**P.defaults(), **LOW, **HIGH}
    assert all(values[p.name] > p.upper.limit(values) for p in BOUNDED)
    assert all(P.widget_hi(p.name, values) < p.hi for p in BOUNDED if p.upper.widget)


def test_a_relation_is_what_a_link_and_a_pin_are_corrected_by():
    values, warnings = link.parse_raw(QUERY, "link")
    for p in BOUNDED:
        assert values[p.name] == corrected(p, values), p.name
        said = [w for w in warnings if w.startswith(f"`{p.name}=") and p.upper.why in w]
        assert bool(said) == p.upper.clamp, (p.name, warnings)
    assert P.position_in_depth(values) == values["T"] < values["t"]
    pin, messages = PN.parse("a~T:10,k:20")
    assert pin.values["k"] == 10 and any("exceeds the depth T" in m for m in messages)


def _controls():
    import streamlit as st

    from ui.page import widgets
    from ui.state import params as P, url as state

    state.sync()
    for p in P.PARAMS.values():
        if p.upper is not None:
            widgets.control(p.name, st.container())


def test_a_relation_is_where_the_widget_ends_and_what_the_url_keeps():
    at = AppTest.from_function(_controls, default_timeout=60)
    at.query_params.update(QUERY)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    values = at.session_state["_params"]
    for p in BOUNDED:
        hi = p.upper.limit(values) if p.upper.widget else p.hi
        slider, box = at.slider(key=f"_w_{p.name}_slider"), at.number_input(key=f"_w_{p.name}_box")
        assert slider.max == box.max == hi, p.name
        assert values[p.name] == corrected(p, values), p.name
        assert box.value == min(values[p.name], hi), p.name
        url = at.query_params[p.name]
        assert (url if isinstance(url, str) else url[-1]) == P.fmt(values[p.name]), p.name


def test_the_url_is_parsed_once_per_run(monkeypatch):
    calls = collections.Counter()
    for module, name in ((link, "read"), (PN, "parse_all")):
        original = getattr(module, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    v = P.defaults()
    pinned = [PN.format_pin(PN.make("deeper", {**v, "gamma": 0.99})),
              PN.format_pin(PN.make("shallow", {**v, "mu": 0.0}))]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"pin": pinned, "lesson": "deep", "step": "1", "present": "1"})
    at.switch_page(nav.BY_NAME["deep_alignment"].path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert calls == {"read": 1, "parse_all": 1}, "the link, pins and all, is parsed once"
    calls.clear()
    at.slider(key="_w_gamma_slider").set_value(0.95).run()
    assert calls == {"read": 1}, "a rerun parses only what changed in the URL: nothing"
    assert len(at.session_state["_params_pins"]) == 2 and at.query_params["present"] in ("1", ["1"])


def test_only_the_url_module_reads_the_address_bar():
    readers = [path.relative_to(ROOT).as_posix()
               for path in [ROOT / "app.py", *ROOT.glob("ui/**/*.py"), *ROOT.glob("views/*.py")]
               if re.search(r"\bst\.query_params\b", path.read_text(encoding="utf-8"))]
    assert readers == ["ui/state/url.py"]


def test_every_key_of_the_table_is_read_and_no_other():
    keys = [*P.PARAMS, *P.TEXT, *P.RESERVED]
    reading = link.read({**{key: "1" for key in keys}, "bogus": "1"})
    assert [w for w in reading.warnings if "Unknown" in w] == [
        "Unknown parameter `bogus` in the link was ignored."]
    assert set(reading.values) == set(P.PARAMS) and set(reading.text) == set(P.TEXT)
    assert reading.pins == () and reading.pin_warnings  # "1" is no pin
