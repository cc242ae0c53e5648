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


def _recording(browser):
    """A 1280×800 page (60 s timeouts: its first visit trains both runs) and the list of the
    frames it sends to the server (none may leave while the chart is pointed at)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(60_000)
    page = ctx.new_page()
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
    return ctx, page, sent


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
    ctx, page, sent = _recording(browser)
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


# Gradients › Training: four panels (standard | deep × gradient norm, KLₜ) and a step slider
TRAINING_PANELS = ("grad0", "grad1", "kl0", "kl1")
STEP_INPUT = f'{CHART} input[type="range"][name="step"]'

# Per panel: the selection's label, the x of its rule, where each x tick label of its run's axis
# sits (each row holds both runs: a row's X axes are told apart by their labels' place) and the
# plots' top and bottom (of the row's first Y axis); and the column titles, which name the
# recorded step drawn.
TRAINING_JS = """chart => {
  const panels = {};
  [0, 1].forEach(row => {
    const g = document.querySelector(`${chart} svg g.concat_${row}_group`);
    const labelled = kind => Array.from(g.querySelectorAll('g.role-axis'))
      .filter(a => (a.getAttribute('aria-label') || '').startsWith(kind));
    const axes = labelled('X-axis')  // the left run's first
      .map(a => ({a, x: a.querySelector('.role-axis-label text').getBoundingClientRect().x}))
      .sort((p, q) => p.x - q.x);
    const box = labelled('Y-axis')[0].getBoundingClientRect();  // the plots' height
    ['0', '1'].forEach((half, h) => {
      const name = ['grad', 'kl'][row] + half;
      const ticks = {};
      axes[h].a.querySelectorAll('.role-axis-label text').forEach(t => {
        const r = t.getBoundingClientRect(); ticks[t.textContent] = r.x + r.width / 2; });
      const label = g.querySelector(`[class*="${name}_label"] text`);
      const rule = g.querySelector(`[class*="${name}_rule"] line, [class*="${name}_rule"] path`);
      const r = rule ? rule.getBoundingClientRect() : null;
      panels[name] = {ticks, top: box.top, bottom: box.bottom,
                      label: label ? label.textContent : '', rule: r ? r.x + r.width / 2 : null};
    });
  });
  const titles = Array.from(document.querySelectorAll(`${chart} svg [class*="_title"] text`))
    .map(t => t.textContent);
  return {panels, titles};
}"""


def _training(page) -> dict:
    return page.evaluate(TRAINING_JS, CHART)


def _x_of(ticks: dict, t: float) -> float:
    """The x of position ``t`` on an axis, from two of its tick labels (not every t has one)."""
    ordered = sorted((int(k), x) for k, x in ticks.items())
    (a, xa), (b, xb) = ordered[0], ordered[-1]
    return xa + (t - a) * (xb - xa) / (b - a)


def _number(label: str) -> float:
    """``t = 3 · 7.90207×10⁻⁶`` -> 7.90207e-06."""
    mantissa, _, exponent = label.rsplit("· ", 1)[1].replace("−", "-").partition("×10")
    return float(mantissa) * 10 ** int(exponent.translate(SUPERSCRIPT) or 0)


def test_training_panels_share_the_position_and_the_step_moves_without_a_rerun(browser, server,
                                                                               artifacts):
    from ui import catalog
    from ui.state import params

    fig = catalog.build("training", params.defaults()).fig
    # per recorded step, per panel (grad0, grad1, kl0, kl1): the plotly frames' traces 0, 2, 1, 3
    frames = [[np.asarray(f.data[i].y, dtype=float) for i in (0, 2, 1, 3)] for f in fig.frames]
    ctx, page, sent = _recording(browser)
    try:
        page.goto(f"{server}/gradients?view=1&t=5")
        settle(page, timeout=60_000)
        page.locator(CHART).scroll_into_view_if_needed()
        drawn = _training(page)
        # the last recorded step, as plotly's slider starts; the selection at the readout's t
        assert drawn["titles"] == ["standard (μ = 0) · step 200", "deep (μ = 5) · step 200"]
        assert all(p["label"].startswith("t = 5 · ") for p in drawn["panels"].values()), drawn
        before = len(sent)

        # the top-left panel (standard, gradient norm) at t = 3: every panel marks t = 3
        top_left = drawn["panels"]["grad0"]
        page.mouse.move(_x_of(top_left["ticks"], 3), (top_left["top"] + top_left["bottom"]) / 2)
        page.wait_for_function("chart => (document.querySelector(`${chart} svg "
                               "[class*='kl1_label'] text`) || {}).textContent?.startsWith('t = 3 ')",
                               arg=CHART, timeout=5_000)
        drawn = _training(page)
        for i, name in enumerate(TRAINING_PANELS):
            panel = drawn["panels"][name]
            assert panel["label"].startswith("t = 3 · "), (name, panel)
            assert _number(panel["label"]) == pytest.approx(frames[-1][i][2], rel=1e-5, abs=1e-300)
            assert panel["rule"] == pytest.approx(_x_of(panel["ticks"], 3), abs=1.5), name
        page.screenshot(path=artifacts / "linked-training-t3.png")

        # the step slider, in the browser: Home is step 0 (the base model: no KL yet)
        page.locator(STEP_INPUT).focus()
        page.keyboard.press("Home")
        page.wait_for_function("chart => Array.from(document.querySelectorAll(`${chart} svg "
                               "[class*='_title'] text`)).every(t => t.textContent.endsWith('step 0'))",
                               arg=CHART, timeout=5_000)
        drawn = _training(page)
        for i, name in enumerate(TRAINING_PANELS):
            assert _number(drawn["panels"][name]["label"]) == pytest.approx(
                frames[0][i][2], rel=1e-5, abs=1e-300), name
        assert drawn["panels"]["kl1"]["label"] == "t = 3 · 0"  # training has not moved yet
        page.keyboard.press("ArrowRight")  # one stop: the next recorded step
        page.wait_for_function("chart => Array.from(document.querySelectorAll(`${chart} svg "
                               "[class*='_title'] text`)).every(t => t.textContent.endsWith('step 5'))",
                               arg=CHART, timeout=5_000)
        assert _number(_training(page)["panels"]["kl1"]["label"]) == pytest.approx(
            frames[1][3][2], rel=1e-5)
        page.screenshot(path=artifacts / "linked-training-step5.png")
        assert page.evaluate("() => document.querySelector('.stApp').dataset.testScriptState") \
            == "notRunning"
        assert len(sent) == before, "pointing or sliding sent a message to the server (a rerun)"
    finally:
        ctx.close()


# The vega-embed element's drawn box against its Streamlit column, in px
FIT_JS = """chart => { const c = document.querySelector(chart);
  const col = c.closest('[data-testid="stColumn"]').getBoundingClientRect();
  const drawn = c.querySelector('svg, canvas').getBoundingClientRect();
  return {column: [col.left, col.right], drawn: [drawn.left, drawn.right]}; }"""


@pytest.mark.parametrize("path", ["harm_horizon?view=1", "shallow_equilibrium?view=2",
                                  "gradients?view=1"])
def test_each_linked_chart_is_drawn_within_its_column(browser, server, path):
    # Vega-Lite sizes a concatenation's views to the container without their axes: the y axes
    # are drawn inside the views (ui.figures.linked.AXIS), else the chart runs ~70 px under the
    # text beside it. 2 px: the pointer's Voronoi cells (the view's size, stroked 0.35 px) round
    # Vega's bounds out a pixel on each side.
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(60_000)  # a first visit trains the runs
    try:
        page = ctx.new_page()
        page.goto(f"{server}/{path}")
        settle(page, timeout=60_000)
        box = page.evaluate(FIT_JS, CHART)
    finally:
        ctx.close()
    (left, right), (drawn_left, drawn_right) = box["column"], box["drawn"]
    assert drawn_left >= left and drawn_right <= right + 2, box
