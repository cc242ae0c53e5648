"""Pin and compare in the app (AppTest): a comparison link draws its pinned sets in the
main figure with the difference table under it, the pins survive a page switch, and the Compare
controls write the URL. The browser side is tests/e2e/test_e2e_pins.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.state import nav, params as P
from ui.state import pins as PN
from ui.figures.recovery import PIN_STYLES

APP = str(Path(__file__).resolve().parents[1] / "app.py")
V = P.defaults()
DEEPER = PN.format_pin(PN.make("Deep, γ = 0.99 ~ \"uniform\"", {**V, "gamma": 0.99}))
SHALLOW = PN.format_pin(PN.make("shallow: μ = 0", {**V, "mu": 0.0, "T": 60}))
# page, open tab, figure name -> the main figures of the closed-form pages
MAIN = [("overview", 0, "recovery_by_position"), ("deep_alignment", 0, "recovery_by_position"),
        ("deep_alignment", 1, "kl_by_position"), ("robustness", 0, "recoverability_by_depth"),
        ("robustness", 1, "attack_length_vs_mu")]


def open_page(page: str, query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.switch_page(nav.BY_NAME[page].path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def url_pins(at: AppTest) -> list[str]:
    raw = at.query_params.get("pin", [])
    return [raw] if isinstance(raw, str) else list(raw)


def traces(at: AppTest) -> list[dict]:
    charts = at.get("plotly_chart")
    assert charts, "no chart"
    return json.loads(charts[0].proto.spec)["data"]


@pytest.mark.parametrize("page, view, figure", MAIN)
def test_a_comparison_link_draws_the_pins_and_their_differences(page, view, figure):
    at = open_page(page, {"pin": [DEEPER, SHALLOW], "view": str(view)})
    data = traces(at)
    pinned = [t for t in data if isinstance(t.get("meta"), dict) and "pin" in t["meta"]]
    named = [t["name"] for t in pinned if t.get("showlegend") is not False]
    assert named[0] == "Deep, γ = 0.99 ~ \"uniform\""
    assert named[1].startswith("shallow: μ = 0")  # (KL 0 … off the log axis) on the KL figure
    dashes = {t["meta"]["pin"]: t["line"]["dash"] for t in pinned}
    assert dashes == {0: PIN_STYLES[0][1], 1: PIN_STYLES[1][1]}
    current = {t["line"]["dash"] for t in data if t not in pinned}
    assert not current & set(dashes.values()), "a pin looks like a current series"
    table = at.dataframe[0].value
    assert list(table.columns) == ["set", "μ", "γ", "T"]  # exactly the differing parameters
    assert list(table["set"]) == ["current settings", *named[:1], "shallow: μ = 0"]
    assert list(table["T"]) == ["50", "50", "60"]
    assert url_pins(at) == [DEEPER, SHALLOW]
    assert not at.warning


def test_pins_survive_a_page_switch():
    at = open_page("overview", {"pin": [DEEPER, SHALLOW]})
    for page in ("harm_horizon", "robustness", "deep_alignment"):
        at.switch_page(nav.BY_NAME[page].path).run()
        assert not at.exception
        assert url_pins(at) == [DEEPER, SHALLOW], page
    assert sum("pin" in (t.get("meta") or {}) for t in traces(at)) == 2


def test_pin_rename_remove_and_clear_update_the_url():
    at = open_page("deep_alignment", {})
    assert url_pins(at) == [] and not at.dataframe
    at.sidebar.button(key="_pin_add").click().run()
    assert url_pins(at) == [PN.format_pin(PN.make("defaults", V))]
    assert at.sidebar.button(key="_pin_add").disabled  # these settings are pinned already
    at.sidebar.slider(key="_w_gamma_slider").set_value(0.95).run()
    at.sidebar.button(key="_pin_add").click().run()
    assert [PN.parse(r)[0].name for r in url_pins(at)] == ["defaults", "γ = 0.95"]
    at.sidebar.text_input(key="_pin_name_0").input("  the <b>paper's</b> $default$ ").run()
    first = PN.parse(url_pins(at)[0])[0]
    assert first.name == "the bpaper's/b default" and first.values == PN.make("", V).values
    legend = [t["name"] for t in traces(at) if "pin" in (t.get("meta") or {})]
    assert legend == ["the bpaper's/b default", "γ = 0.95"]
    at.sidebar.button(key="_pin_remove_0").click().run()
    assert [PN.parse(r)[0].name for r in url_pins(at)] == ["γ = 0.95"]
    assert at.sidebar.text_input(key="_pin_name_0").value == "γ = 0.95"  # the row moved up
    at.sidebar.button(key="_pin_clear").click().run()
    assert url_pins(at) == [] and not at.dataframe


def test_pinning_stops_at_three():
    at = open_page("robustness", {})
    for mu in (1.0, 2.0, 3.0):
        at.sidebar.number_input(key="_w_mu_box").set_value(mu).run()
        at.sidebar.button(key="_pin_add").click().run()
    assert len(url_pins(at)) == 3
    at.sidebar.number_input(key="_w_mu_box").set_value(4.0).run()
    assert at.sidebar.button(key="_pin_add").disabled


def test_a_bad_pin_is_reported_once_and_dropped_from_the_url():
    four = [PN.format_pin(PN.make(f"p{i}", {**V, "mu": float(i + 1)})) for i in range(4)]
    at = open_page("overview", {"pin": ["nonsense", four[0], "x~mu:many", *four[1:]]})
    text = " ".join(w.value for w in at.warning)
    assert "`nonsense` has no `~`" in text and "not a number" in text and "only the first 3" in text
    assert url_pins(at) == four[:3]
    at.sidebar.number_input(key="_w_mu_box").set_value(7.0).run()  # any next run
    assert not at.warning, "reported once"
    assert url_pins(at) == four[:3]
