"""Log axes that can be read, where they are drawn: the labels an exported SVG draws on its log
axis (γ = 0.67 drew 10⁻² alone), the live figures' own axes in Chromium before and during a drag,
and ui/live/runtime.js's logTicks against ui/figures/_style.py's log_ticks (same values, same
labels) over random ranges and the corners of the rule."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from e2e_util import LIVE, live_drag, page_url, settle
from ui.state import nav, params as P
from ui.export import bundle, renderer
from ui.figures._style import MIN_TICKS, log_ticks
from ui.live import assets, specs

pytestmark = pytest.mark.e2e

SVG = "{http://www.w3.org/2000/svg}"


def test_exported_svg_labels_three_ticks_on_its_log_axis_at_gamma_067():
    if renderer.problem():
        pytest.fail(f"the export renderer is needed: {renderer.problem()}")
    values, _ = P.constrain({**P.defaults(), "gamma": 0.67})
    svg = dict(bundle.figure_files("recovery_by_position", values, ("svg",)))["svg"]
    root = ET.fromstring(svg)
    ticks = [g for g in root.iter(f"{SVG}g") if g.get("class") == "ytick"]
    labels = ["".join(t.itertext()).strip() for g in ticks for t in g.iter(f"{SVG}text")]
    labels = [text for text in labels if text]
    assert len(labels) >= MIN_TICKS, f"the exported y axis labels only {labels}"
    # plotly draws no tick outside the axis' range: each label counted stands on the axis


_TICKS = """(ranges) => ranges.map(([lo, hi, counts]) => logTicks(lo, hi, counts))"""


@pytest.fixture(scope="module")
def page(browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=assets.script())
    yield page
    ctx.close()


def test_runtime_log_ticks_match_python(page):
    rng = np.random.default_rng(7)
    lo = rng.uniform(-300, 290, 3000)
    span = 10.0 ** rng.uniform(-5, 2.7, lo.size)
    ranges = [(float(a), float(min(a + s, 300.0)), bool(c))
              for a, s, c in zip(lo, span, rng.random(lo.size) < 0.2)]
    # counts: tokens, from 1 to 10⁹ (positional labels of larger numbers are no use)
    ranges = [(a, b, counts and 0 <= a and b <= 9) for a, b, counts in ranges]
    ranges += [(-2.02, -1.79, False), (-2.02, -1.98, False), (0.539, 0.799, True),
               (-5.0, -3.0, False), (-1e-6, 1e-6, False), (3.5, 3.6, True), (-300.0, 300.0, False)]
    got = page.evaluate(_TICKS, [list(r) for r in ranges])
    for (a, b, counts), (vals, texts) in zip(ranges, got):
        want_vals, want_texts = log_ticks(a, b, counts=counts)
        assert texts == want_texts, (a, b, counts)
        np.testing.assert_allclose(np.asarray(vals, dtype=float), want_vals, rtol=1e-12)


def _drawn_y_labels(page, figure: str) -> list[str]:
    """The y tick labels the live figure draws (plotly draws none outside the axis' range)."""
    return page.evaluate("""(sel) => Array.from(document.querySelectorAll(sel + ' .js-plotly-plot g.ytick text'))
        .map((t) => t.textContent.trim()).filter((text) => text)""", LIVE.format(figure))


def test_live_recovery_axis_keeps_three_labels_on_load_and_under_a_drag(new_page, server):
    page = new_page()
    page.goto(page_url(server, nav.BY_NAME["deep_alignment"], default=False)
              + "?view=0&gamma=0.67", timeout=60_000)
    settle(page, timeout=60_000)
    page.wait_for_selector(LIVE.format("recovery_by_position") + " .ytick text", timeout=30_000)
    labels = _drawn_y_labels(page, "recovery_by_position")
    assert len(labels) >= MIN_TICKS, labels
    stops = specs.slider("mu")["stops"]
    for mu in (1.2, 2.0, 50.0):  # the log range changes under the hand
        live_drag(page, "recovery_by_position", "mu", stops.index(mu))
        page.wait_for_timeout(150)
        labels = _drawn_y_labels(page, "recovery_by_position")
        assert len(labels) >= MIN_TICKS, (mu, labels)
