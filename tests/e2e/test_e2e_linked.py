"""Linked views (ui/figures/linked.py) in a real browser at 1280 x 800: pointing at a position
in one panel marks the same position in the other, with that panel's value there, drawn by
Vega in the browser (no message to the server, no rerun) from the bundled Vega (no request
leaves the machine for it).

Read from Vega's SVG: each panel is a ``g.concat_<i>_group``; its marks are named in
``ui.figures.linked`` (``<panel>_label``, ``<panel>_rule``); positions are found from the
panel's own x-axis tick labels, so the pointer goes where a reader would put it.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import theory
from e2e_util import settle

pytestmark = pytest.mark.e2e

CHART = '[data-testid="stVegaLiteChart"]'
PANELS = ("information", "sum")  # top: Iₜ, bottom: its running sum (vconcat order)

# Per panel: its plot box, where each x tick label sits, the selection's label and rule.
READ_JS = """([chart, names]) => names.map((name, i) => {
  const g = document.querySelector(`${chart} svg g.concat_${i}_group`);
  const axis = Array.from(g.querySelectorAll('g.role-axis'))
    .find(a => (a.getAttribute('aria-label') || '').startsWith('X-axis'));
  const ticks = {};
  axis.querySelectorAll('.role-axis-label text').forEach(t => {
    const r = t.getBoundingClientRect(); ticks[t.textContent] = r.x + r.width / 2; });
  const grid = g.querySelector('.role-axis-grid').getBoundingClientRect();
  const label = g.querySelector(`[class*="${name}_label"]`);
  const rule = g.querySelector(`[class*="${name}_rule"] line, [class*="${name}_rule"] path`);
  const r = rule ? rule.getBoundingClientRect() : null;
  return {box: {top: grid.top, bottom: grid.bottom}, ticks,
          label: label ? label.textContent : '', rule: r ? r.x + r.width / 2 : null};
})"""


def _read(page, panels=PANELS) -> list[dict]:
    return page.evaluate(READ_JS, [CHART, list(panels)])


def _point_at(page, panel: int, t: int, panels=PANELS) -> None:
    """Move the pointer over position ``t`` of panel ``panel``, half-way up its plot."""
    state = _read(page, panels)[panel]
    page.mouse.move(state["ticks"][str(t)], (state["box"]["top"] + state["box"]["bottom"]) / 2)


def _wait_label(page, panel: int, t: int, panels=PANELS) -> None:
    page.wait_for_function(
        "([chart, name, i, t]) => (document.querySelector(`${chart} svg g.concat_${i}_group "
        "[class*='${name}_label']`) || {}).textContent?.startsWith(`t = ${t} `)",
        arg=[CHART, panels[panel], panel, t], timeout=5_000)


def _value(label: str) -> float:
    """``t = 8 · Σₛ≤ₜ Iₛ = 0.249956`` -> 0.249956."""
    return float(label.rsplit("= ", 1)[1])


def test_pointing_at_a_position_in_one_panel_marks_it_in_the_other(browser, server, artifacts):
    info = theory.refuse_or_comply(T=12, k=4, p_recover=0.1, p_harm=0.2).harm_information()
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    outside, sent = [], []
    page.on("request", lambda r: None if r.url.startswith((server, "data:", "blob:"))
            else outside.append(r.url))
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
    try:
        page.goto(f"{server}/harm_horizon?view=1&t=5")
        settle(page)
        page.locator(CHART).scroll_into_view_if_needed()
        top, bottom = _read(page)
        # The selection starts where the readout does: the link's t (here the first beyond k = 4).
        assert top["label"] == "t = 5 · Iₜ = 0", top
        assert bottom["label"].startswith("t = 5 · Σₛ≤ₜ Iₛ = "), bottom
        before = len(sent)

        _point_at(page, 0, 8)  # top panel, beyond the horizon
        _wait_label(page, 1, 8)
        top, bottom = _read(page)
        assert top["label"] == "t = 8 · Iₜ = 0"
        assert _value(bottom["label"]) == pytest.approx(info[:8].sum(), rel=1e-5)
        assert bottom["rule"] == pytest.approx(bottom["ticks"]["8"], abs=1.5)  # the rule is at t = 8
        assert top["rule"] == pytest.approx(top["ticks"]["8"], abs=1.5)
        page.screenshot(path=artifacts / "linked-harm_information-t8.png")

        _point_at(page, 1, 2)  # bottom panel, inside the horizon
        _wait_label(page, 0, 2)
        top, bottom = _read(page)
        assert _value(top["label"]) == pytest.approx(info[1], rel=1e-5)
        assert _value(bottom["label"]) == pytest.approx(info[:2].sum(), rel=1e-5)
        assert top["rule"] == pytest.approx(top["ticks"]["2"], abs=1.5)

        page.mouse.move(5, 5)  # the pointer leaves the chart: the mark stays (a projector's pointer wanders)
        page.wait_for_timeout(300)
        assert _read(page)[0]["label"].startswith("t = 2 ")
        assert len(sent) == before, "pointing at the chart sent a message to the server (a rerun)"
    finally:
        ctx.close()
    # Streamlit's own sidebar icon (":material/layers:") comes from fonts.gstatic.com; nothing
    # for the chart may leave the machine (Vega is bundled with Streamlit).
    assert not [u for u in outside if not u.startswith("https://fonts.gstatic.com/")], outside


SHARED_PANELS = ("kl", "effect")  # Shallow equilibrium's shared parameters: KLₜ, change in E[H]
SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def _values(label: str) -> dict[str, float]:
    """``t = 8 · per-position: 0 · shared: −4.4616×10⁻¹⁸`` -> {"per-position": 0, "shared": …}."""
    out = {}
    for name, text in re.findall(r"([\w-]+): (\S+)", label):
        mantissa, _, exponent = text.replace("−", "-").partition("×10")
        out[name] = float(mantissa) * 10 ** int(exponent.translate(SUPERSCRIPT) or 0)
    return out


def test_pointing_at_kl_marks_the_change_in_harm_at_the_same_t(browser, server, artifacts):
    from ui import catalog
    from ui.state import params
    from ui.figures import table as tables

    kl_tab, effect_tab, kl_shared, effect_shared = (
        c.y for c in tables.columns(catalog.build("shared_variant", params.defaults())))
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(60_000)  # the page trains both runs on its first visit
    page = ctx.new_page()
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
    try:
        page.goto(f"{server}/shallow_equilibrium?view=2&t=5")
        settle(page)
        page.locator(CHART).scroll_into_view_if_needed()
        page.screenshot(path=artifacts / "linked-shared_variant.png")
        top, bottom = _read(page, SHARED_PANELS)
        assert top["label"].startswith("t = 5 · ") and bottom["label"].startswith("t = 5 · ")
        before = len(sent)

        _point_at(page, 0, 3, SHARED_PANELS)  # top panel, inside the horizon
        _wait_label(page, 1, 3, SHARED_PANELS)
        top, bottom = _read(page, SHARED_PANELS)
        assert _values(top["label"]) == {"per-position": pytest.approx(kl_tab[2], rel=1e-5),
                                         "shared": pytest.approx(kl_shared[2], rel=1e-5)}
        assert _values(bottom["label"]) == {"per-position": pytest.approx(effect_tab[2], rel=1e-5),
                                            "shared": pytest.approx(effect_shared[2], rel=1e-5)}
        assert bottom["rule"] == pytest.approx(bottom["ticks"]["3"], abs=1.5)  # the rule is at t = 3
        assert top["rule"] == pytest.approx(top["ticks"]["3"], abs=1.5)
        page.screenshot(path=artifacts / "linked-shared_variant-t3.png")

        _point_at(page, 0, 8, SHARED_PANELS)  # beyond the horizon: shared parameters moved it
        _wait_label(page, 1, 8, SHARED_PANELS)
        assert _values(_read(page, SHARED_PANELS)[0]["label"])["shared"] == pytest.approx(
            kl_shared[7], rel=1e-5)
        assert len(sent) == before, "pointing at the chart sent a message to the server (a rerun)"
    finally:
        ctx.close()
