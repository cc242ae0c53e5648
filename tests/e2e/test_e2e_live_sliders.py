"""Live figures tell the truth while moving: under a real mouse drag every label shows the value
the curve is drawn at, and a log slider (μ: 82 stops in ~190 px, ~2 px a stop) has a fine control
(arrow keys one stop, the value typed into its box).
"""

from __future__ import annotations

import numpy as np
import pytest

import theory
from e2e_util import LIVE, page_url, query, settle
from ui.state import nav, params as P
from ui.live import specs

pytestmark = pytest.mark.e2e

FIGURE = "recovery_by_position"
ROOT = LIVE.format(FIGURE)

# Every animation frame: each slider's value, its box, and the legend as drawn.
SAMPLER = """sel => {
  const root = document.querySelector(sel);
  window.__samples = [];
  const tick = () => {
    const values = {}, boxes = {};
    for (const input of root.querySelectorAll('input[type="range"]')) {
      values[input.name] = input.dataset.value;
      boxes[input.name] = root.querySelector(`input[name="${input.name}-value"]`)?.value ?? null;
    }
    const legend = [...root.querySelectorAll('.legendtext')].map((e) => e.textContent);
    window.__samples.push({values, boxes, legend});
    window.__sampling = requestAnimationFrame(tick);
  };
  tick();
}"""


def _open(new_page, server, query_string=""):
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(page_url(server, nav.BY_NAME["deep_alignment"], default=False) + "?view=0"
              + query_string, timeout=60_000)
    settle(page, timeout=60_000)
    page.wait_for_selector(f'{ROOT} input[name="mu"]', state="attached")
    page.locator(ROOT).scroll_into_view_if_needed()
    return page


def _drag(page, name: str, fractions) -> None:
    """Press on slider ``name``'s thumb and move the mouse through ``fractions`` of its width."""
    box = page.locator(f'{ROOT} input[name="{name}"]').bounding_box()
    y = box["y"] + box["height"] / 2
    at = lambda f: box["x"] + 8 + f * (box["width"] - 16)  # noqa: E731 - the thumb's centre
    page.mouse.move(at(fractions[0]), y)
    page.mouse.down()
    for f in fractions[1:]:
        page.mouse.move(at(f), y, steps=3)


def test_legend_equals_the_sliders_at_every_frame_of_a_drag(new_page, server):
    page = _open(new_page, server)
    page.evaluate(SAMPLER, ROOT)
    _drag(page, "gamma", np.linspace(0.9, 0.3, 25))
    # a relayout mid-drag (window resized, a scrollbar showing up): plotly redraws the legend
    # from its own trace names, which must be the current ones too
    page.set_viewport_size({"width": 1180, "height": 800})
    page.wait_for_timeout(400)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(400)
    page.mouse.up()
    _drag(page, "mu", np.linspace(0.35, 0.7, 25))
    page.wait_for_timeout(200)
    samples = page.evaluate("() => { cancelAnimationFrame(window.__sampling); return window.__samples; }")
    page.mouse.up()
    gammas = {s["values"]["gamma"] for s in samples}
    mus = {s["values"]["mu"] for s in samples}
    assert len(gammas) >= 10 and len(mus) >= 10, "the drags moved the sliders"
    for s in samples:
        mu, gamma = float(s["values"]["mu"]), float(s["values"]["gamma"])
        assert s["legend"][1] == f"deep, μ = {mu:g}, γ = {gamma:g}", s
        assert s["boxes"] == s["values"], s  # the box beside each slider reads its value
    # and the curve is the one of the values shown
    shallow, deep = page.evaluate(f"() => document.querySelector('{ROOT} .js-plotly-plot').data"
                                  ".map(t => Array.from(t.y))")
    v = P.defaults() | {"mu": mu, "gamma": gamma}
    t = np.arange(v["k"] + 1, v["T"] + 1)
    want = theory.recovery_probability(v["p_base"], mu, v["beta"], gamma, t)
    np.testing.assert_allclose(np.array(deep, dtype=float), want, rtol=1e-9)


def test_a_log_slider_moves_one_stop_per_arrow_key_and_takes_a_typed_value(new_page, server):
    page = _open(new_page, server)
    stops = specs.slider("mu")["stops"]
    slider = page.locator(f'{ROOT} input[name="mu"]')
    box = page.locator(f'{ROOT} input[name="mu-value"]')
    px_per_stop = slider.bounding_box()["width"] / (len(stops) - 1)
    assert px_per_stop < 4, "the case at issue: too narrow to pick a stop with the mouse"

    mu = P.defaults()["mu"]
    for key, step in (("ArrowRight", 1), ("ArrowRight", 1), ("ArrowLeft", -1)):
        slider.focus()
        page.keyboard.press(key)
        want = stops[stops.index(mu) + step]
        page.wait_for_function("w => new URLSearchParams(location.search).get('mu') === w",
                               arg=P.fmt(want))
        settle(page)
        mu = want
        assert float(slider.get_attribute("data-value")) == mu
        assert float(box.input_value()) == mu

    for typed, want in (("7.3", 7.3), ("123.456", 123.456), ("5e9", 1e6), ("-2", 0.0)):
        box.fill(typed)
        box.press("Enter")
        page.wait_for_function("w => new URLSearchParams(location.search).get('mu') === w",
                               arg=P.fmt(want))
        settle(page)
        assert float(box.input_value()) == want, typed
        assert float(slider.get_attribute("data-value")) == want
        legend = page.locator(f"{ROOT} .legendtext").all_text_contents()
        assert legend[1] == f"deep, μ = {want:g}, γ = {P.defaults()['gamma']:g}"
        sidebar = page.get_by_role("spinbutton", name=f"{P.PARAMS['mu'].label}: exact value")
        assert float(sidebar.input_value()) == want
        assert float(query(page)["mu"]) == want
