"""Pin and compare in a real browser: a comparison link draws its pinned sets in the
live figure, a drag moves the current curve and leaves the pins still, a release keeps the pins in
the URL, reloading the link reproduces the figure, and the sidebar's Compare controls reach the
address bar (odd names included)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import numpy as np
import pytest

import theory
from e2e_util import (LIVE, chart_text_problems, describe_text_problems, live_drag,
                      live_release, page_url, settle)
from ui.state import nav, params as P
from ui.state import pins as PN
from ui.live import specs

pytestmark = pytest.mark.e2e

V = P.defaults()
DEEPER = PN.make("Deep, γ = 0.99", {**V, "gamma": 0.99})
ODD = PN.make('odd ~ "name": a, b & c + 1 #2 ✓', {**V, "mu": 40.0, "p_base": 1e-3, "T": 60})


def _url_pins(page) -> list[str]:
    return parse_qs(urlsplit(page.url).query).get("pin", [])


def _open(new_page, server, page_name: str, query: list[tuple[str, str]]):
    page = new_page()
    page.goto(page_url(server, nav.BY_NAME[page_name], default=False) + "?" + urlencode(query),
              timeout=60_000)
    settle(page, timeout=60_000)
    return page


def _traces(page, figure: str) -> list[dict]:
    """The live figure's traces as plotly holds them: name, pin index (or None), x, y."""
    page.wait_for_selector(LIVE.format(figure) + " .js-plotly-plot .main-svg")
    return page.evaluate(f"""() => document.querySelector('{LIVE.format(figure)} .js-plotly-plot')
        .data.map(t => ({{name: t.name, pin: t.meta && t.meta.pin !== undefined ? t.meta.pin : null,
                          x: Array.from(t.x), y: Array.from(t.y)}}))""")


def _check_pins_are_drawn(page) -> None:
    traces = _traces(page, "recovery_by_position")
    pinned = [t for t in traces if t["pin"] is not None]
    assert [t["name"] for t in pinned] == [DEEPER.name, ODD.name]
    for trace, pin in zip(pinned, (DEEPER, ODD)):
        w = pin.values
        t = np.arange(w["k"] + 1, w["T"] + 1)
        np.testing.assert_array_equal(trace["x"], t)
        np.testing.assert_allclose(trace["y"], theory.recovery_probability(
            w["p_base"], w["mu"], w["beta"], w["gamma"], t), rtol=1e-12)


def test_a_comparison_link_draws_still_pins_and_reproduces_on_reload(new_page, server):
    query = [("pin", PN.format_pin(DEEPER)), ("pin", PN.format_pin(ODD)), ("view", "0")]
    page = _open(new_page, server, "deep_alignment", query)
    assert _url_pins(page) == [PN.format_pin(DEEPER), PN.format_pin(ODD)]
    _check_pins_are_drawn(page)
    before = _traces(page, "recovery_by_position")
    stops = specs.slider("mu")["stops"]
    live_drag(page, "recovery_by_position", "mu", stops.index(50.0))
    page.wait_for_timeout(100)
    during = _traces(page, "recovery_by_position")
    assert during[1]["y"] != before[1]["y"], "the current deep curve follows the slider"
    t = np.arange(V["k"] + 1, V["T"] + 1)
    np.testing.assert_allclose(during[1]["y"], theory.recovery_probability(
        V["p_base"], 50.0, V["beta"], V["gamma"], t), rtol=1e-9)
    assert [d for d in during if d["pin"] is not None] == [b for b in before if b["pin"] is not None]
    live_release(page, "recovery_by_position", "mu")
    page.wait_for_function("() => new URL(location.href).searchParams.get('mu') === '50.0'")
    settle(page)
    assert _url_pins(page) == [PN.format_pin(DEEPER), PN.format_pin(ODD)]
    _check_pins_are_drawn(page)
    link = page.url
    page.reload()
    settle(page)
    assert page.url == link
    _check_pins_are_drawn(page)
    assert _traces(page, "recovery_by_position")[1]["y"] == during[1]["y"]  # μ = 50 again
    # the difference table (a canvas grid: its cells are checked in tests/test_app_pins.py)
    assert page.get_by_text("How the pinned sets differ from the current settings").is_visible()
    assert page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').is_visible()


@pytest.mark.parametrize("page_name, view, figure", [
    ("overview", 0, "recovery_by_position"), ("deep_alignment", 1, "kl_by_position"),
    ("robustness", 0, "recoverability_by_depth"), ("robustness", 1, "attack_length_vs_mu")])
def test_every_main_figure_shows_the_pins_with_readable_text(new_page, server, page_name, view, figure):
    query = [("pin", PN.format_pin(DEEPER)), ("pin", PN.format_pin(ODD)), ("view", str(view))]
    page = new_page()
    info = nav.BY_NAME[page_name]
    page.goto(page_url(server, info, default=page_name == "overview") + "?" + urlencode(query),
              timeout=60_000)
    settle(page, timeout=60_000)
    names = [t["name"] for t in _traces(page, figure) if t["pin"] is not None]
    assert DEEPER.name in names and ODD.name in names
    legend = page.locator(LIVE.format(figure) + " .legendtext").all_text_contents()
    assert DEEPER.name in legend and ODD.name in legend
    for chart in chart_text_problems(page, LIVE.format(figure) + " .js-plotly-plot"):
        assert not chart["overlaps"] and not chart["outside"], describe_text_problems(chart)


def test_sidebar_pin_rename_remove_reach_the_address_bar(new_page, server):
    page = _open(new_page, server, "robustness", [("view", "0")])
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("button", name="Pin current settings").click()
    page.wait_for_function("() => new URL(location.href).searchParams.getAll('pin').length === 1")
    settle(page)
    box = sidebar.get_by_role("textbox", name="Name of pinned set 1")
    box.fill('odd ~ "name": a, b & c + 1 #2 ✓')
    box.press("Enter")
    page.wait_for_function("() => new URL(location.href).searchParams.get('pin').startsWith('odd')")
    settle(page)
    assert PN.parse(_url_pins(page)[0]) == (PN.make(ODD.name, V), [])
    names = [t["name"] for t in _traces(page, "recoverability_by_depth") if t["pin"] is not None]
    assert names == [ODD.name, ODD.name]  # both panels, one legend entry
    sidebar.get_by_role("button", name="Remove", exact=True).first.click()
    page.wait_for_function("() => !new URL(location.href).searchParams.has('pin')")
    settle(page)
    assert all(t["pin"] is None for t in _traces(page, "recoverability_by_depth"))
