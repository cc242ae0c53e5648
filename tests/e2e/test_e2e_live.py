"""Live figures in a real browser: drag redraws without a rerun, release reaches the
URL, the sidebar and the other figures, the keyboard works, the numbers are theory's, plotly.js
comes once over HTTP, a release costs little on the websocket, and the HTML export works offline.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import theory
from e2e_util import LIVE, ROOT, live_drag, live_release, page_url, query, settle
from ui.state import nav, params as P
from ui.live import specs

pytestmark = pytest.mark.e2e

DEEP = nav.BY_NAME["deep_alignment"]


def _open(new_page, server, info, query_string="", **kwargs):
    page = new_page(**kwargs)
    page.goto(page_url(server, info, default=False) + query_string, timeout=60_000)
    settle(page, timeout=60_000)
    return page


def _figure_y(page, figure: str) -> list:
    return page.evaluate(f"""() => document.querySelector('{LIVE.format(figure)} .js-plotly-plot')
                             .data.map(t => Array.from(t.y))""")


def _frames_sent(page) -> list:
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    return sent


def test_dom_contract_on_every_live_figure(new_page, server):
    for figure, spec in specs.LIVE.items():
        catalog_spec = __import__("ui.catalog", fromlist=["FIGURES"]).FIGURES[figure]
        info = nav.BY_NAME[catalog_spec.page]
        page = _open(new_page, server, info, f"?view={catalog_spec.view}")
        root = page.locator(LIVE.format(figure))
        # A live figure mounts after the rerun that settle() waits for; under load, seconds after.
        with contextlib.suppress(PlaywrightTimeout):
            root.locator(".js-plotly-plot .main-svg .trace").first.wait_for(timeout=30_000)
        assert root.count() == 1, figure
        assert root.locator(".js-plotly-plot").count() == 1, figure
        assert root.locator(".js-plotly-plot .main-svg .trace").count() >= 1, figure
        for name in spec.sliders:
            p = P.PARAMS[name]
            slider = root.locator(f'input[type="range"][name="{name}"]')
            assert slider.count() == 1, (figure, name)
            label = slider.get_attribute("aria-label")
            assert label and "$" not in label and "\\" not in label, label
            assert label.split(",")[0] in p.label, (label, p.label)
            if p.scale == "log":
                value = float(slider.get_attribute("data-value"))
                assert value == P.defaults()[name]
                assert slider.get_attribute("aria-valuetext") == f"{label.split(',')[0]} = {value:g}"


def test_drag_redraws_from_theory_without_a_rerun(new_page, server):
    page = _open(new_page, server, DEEP, "?view=0")
    sent = _frames_sent(page)
    page.reload()
    settle(page)
    sent.clear()
    stops = specs.slider("mu")["stops"]
    v = P.defaults()
    before = _figure_y(page, "recovery_by_position")
    for mu in (20.0, 50.0, 0.0, 1.2e5):
        live_drag(page, "recovery_by_position", "mu", stops.index(mu))
        page.wait_for_timeout(50)
        shallow, deep = _figure_y(page, "recovery_by_position")
        t = np.arange(v["k"] + 1, v["T"] + 1)
        want = theory.recovery_probability(v["p_base"], mu, v["beta"], v["gamma"], t)
        np.testing.assert_allclose(np.array(deep, dtype=float), want, rtol=1e-9)
        np.testing.assert_allclose(np.array(shallow, dtype=float), v["p_base"], rtol=1e-12)
    assert _figure_y(page, "recovery_by_position") != before
    page.wait_for_timeout(300)
    assert sent == [], "a drag must not talk to the server"
    assert query(page)["mu"] == P.fmt(v["mu"]), "nothing is released yet"


def test_release_updates_url_sidebar_and_other_numbers(new_page, server):
    page = _open(new_page, server, DEEP, "?view=0")
    stops = specs.slider("mu")["stops"]
    live_drag(page, "recovery_by_position", "mu", stops.index(40.0))
    live_release(page, "recovery_by_position", "mu")
    page.wait_for_function("() => new URL(location.href).searchParams.get('mu') === '40.0'")
    settle(page)
    # the sidebar's exact box and the formulas beside the chart follow
    box = page.get_by_role("spinbutton", name=f"{P.PARAMS['mu'].label}: exact value")
    assert float(box.input_value()) == 40.0
    assert "\\mu=40" in page.evaluate("""() => Array.from(document.querySelectorAll(
        '.katex annotation')).map(a => a.textContent).join(' ')""")
    slider = page.locator(LIVE.format("recovery_by_position") + ' input[name="mu"]')
    assert slider.get_attribute("data-value") == "40"
    # and the sidebar changes the live slider back
    box.fill("3")
    box.press("Enter")
    page.wait_for_function("() => new URL(location.href).searchParams.get('mu') === '3.0'")
    settle(page)
    assert slider.get_attribute("data-value") == "3"
    assert slider.get_attribute("aria-valuetext") == "μ = 3"


def test_keyboard_moves_a_live_slider_and_redraws(new_page, server):
    page = _open(new_page, server, DEEP, "?view=1")
    root = page.locator(LIVE.format("kl_by_position"))
    redraws = int(root.get_attribute("data-redraws"))
    before = _figure_y(page, "kl_by_position")
    slider = root.locator('input[name="gamma"]')
    slider.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => new URL(location.href).searchParams.get('gamma') === '0.89'")
    settle(page)
    assert int(root.get_attribute("data-redraws")) > redraws
    after = _figure_y(page, "kl_by_position")
    assert after != before
    v = {**P.defaults(), "gamma": 0.89}
    t = np.arange(v["k"] + 1, v["T"] + 1)
    want = theory.recovery_kl(v["p_base"], v["mu"], v["beta"], 0.89, t)
    np.testing.assert_allclose(np.array(after[1], dtype=float), want, rtol=1e-9)


def test_attack_length_follows_delta_and_infinity_is_a_gap(new_page, server):
    robustness = nav.BY_NAME["robustness"]
    page = _open(new_page, server, robustness, "?view=1")
    figure = "attack_length_vs_mu"
    live_drag(page, figure, "delta", 0.95)
    page.wait_for_timeout(50)
    ys = _figure_y(page, figure)
    v = P.defaults()
    mus = specs.data.mu_grid()
    xs = page.evaluate(f"() => Array.from(document.querySelector('{LIVE.format(figure)} .js-plotly-plot').data[0].x)")
    np.testing.assert_allclose(xs, mus, rtol=1e-14)  # runtime.js's logspace is numpy's
    gammas = specs.attack_gammas(v["gamma"])
    for g, y in zip(gammas, ys):
        want = theory.min_attack_length(0.95, v["p_base"], mus, v["beta"], g, v["k"])
        got = np.array([math.inf if u is None else u for u in y], dtype=float)
        # L* is a whole number, floor(tau): equal in both, except where tau lies within a few
        # roundings of an integer and the browser's and numpy's tau may fall either side of it.
        tau = np.asarray(theory.attack_threshold(0.95, v["p_base"], mus, v["beta"], g), dtype=float)
        with np.errstate(invalid="ignore"):
            on_edge = np.abs(tau - np.round(tau)) <= 8 * np.finfo(float).eps * np.abs(tau)
        np.testing.assert_array_equal(got[~on_edge], want[~on_edge])
        assert np.all(np.abs(got[on_edge] - want[on_edge]) <= 1), (g, tau[on_edge])


def test_plotly_js_comes_once_and_a_release_is_small(new_page, server):
    page = new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    received = []
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: received.append(len(payload))))
    page.goto(page_url(server, DEEP, default=False) + "?view=0", timeout=60_000)
    settle(page, timeout=60_000)
    plotly_js = [u for u in requests if "/app/static/plotly" in u]
    assert len(plotly_js) == 1, plotly_js
    received.clear()
    stops = specs.slider("mu")["stops"]
    live_drag(page, "recovery_by_position", "mu", stops.index(8.0))
    live_release(page, "recovery_by_position", "mu")
    page.wait_for_function("() => new URL(location.href).searchParams.get('mu') === '8.0'")
    settle(page)
    assert sum(received) < 50_000, f"{sum(received)} bytes received for one release"
    assert len([u for u in requests if "/app/static/" in u]) == 2, "plotly.js and the bundle, once"


def test_html_export_opens_offline_and_its_sliders_work(browser, tmp_path):
    from ui.live import export

    path = tmp_path / "recovery_by_position.html"
    path.write_text(export.page("recovery_by_position", P.defaults()), encoding="utf-8")
    ctx = browser.new_context(offline=True)
    try:
        page = ctx.new_page()
        failed = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_selector(LIVE.format("recovery_by_position") + " .js-plotly-plot .main-svg")
        assert failed == []
        stops = specs.slider("mu")["stops"]
        live_drag(page, "recovery_by_position", "mu", stops.index(100.0))
        live_release(page, "recovery_by_position", "mu")  # no server: nothing happens, no error
        v = P.defaults()
        t = np.arange(v["k"] + 1, v["T"] + 1)
        want = theory.recovery_probability(v["p_base"], 100.0, v["beta"], v["gamma"], t)
        got = np.array(_figure_y(page, "recovery_by_position")[1], dtype=float)
        np.testing.assert_allclose(got, want, rtol=1e-9)
    finally:
        ctx.close()
