"""Charts a student can read: no piece of text in a chart overlaps another.

In every plotly chart of every page and tab (ui/state/nav.py, tabs as the page draws them) in a
1920 x 1080 window, and in the exported SVG of every figure in ui.catalog at the default
parameters: legend entries, annotations, titles, tick labels (subplot axes too), slider and
button labels and the plotly toolbar (which Streamlit shows over the top right corner while the
pointer is on the chart) do not intersect by more than 1 px, and none is cut off at the chart's
edge. Measured in one ``page.evaluate`` per state (``e2e_util.CHART_TEXT_JS``). The same check in
a 1280 x 800 window is part of the walk in test_e2e_reading.py, which visits every page and tab
at that size anyway.

A failure names the page, tab, window size, chart and the two texts, and leaves a screenshot
``test-artifacts/chart-text-<size>-<page>-<tab>-<chart>.png`` (or ``chart-text-svg-<name>.png``).
"""

from __future__ import annotations

import os

import pytest

from e2e_util import EXCEPTION, TAB, chart_text_problems, page_url, report_text_problems, settle
from ui import catalog
from ui.state import nav
from ui.state import params as P

pytestmark = pytest.mark.e2e

SIZES = {"1920x1080": {"width": 1920, "height": 1080}}  # 1280 x 800: test_e2e_reading.py


@pytest.mark.parametrize("size", SIZES)
def test_chart_text_does_not_overlap_on_any_page_or_tab(browser, server, artifacts, size):
    ctx = browser.new_context(viewport=SIZES[size])
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    problems, charts_seen = [], 0
    try:
        for index, info in enumerate(nav.PAGES):
            page.goto(page_url(server, info, default=index == 0))
            settle(page)
            tabs = page.locator(TAB)
            for t in range(max(tabs.count(), 1)):
                label = "(no tabs)"
                if tabs.count():
                    label = tabs.nth(t).inner_text().strip()
                    tabs.nth(t).click()
                    settle(page)
                shown = page.locator(EXCEPTION)
                assert shown.count() == 0, \
                    f"{info.title}, tab {label!r}: exception\n{shown.first.inner_text()}"
                charts = chart_text_problems(page)
                charts_seen += len(charts)
                assert all(c["count"] > 0 for c in charts), (f"{info.title}, tab {label!r}: a "
                                                              "chart without text: have plotly's "
                                                              "class names changed?")
                problems += report_text_problems(page, artifacts, f"chart-text-{size}-{info.url_path}-{t}",
                                    f"{size}, {info.title}, tab {label!r}", charts, ".js-plotly-plot")
    finally:
        ctx.close()
    # every plotly figure (a linked view is Vega-Lite: tests/e2e/test_e2e_linked.py reads it)
    plotly = sum(spec.linked is None for spec in catalog.FIGURES.values())
    assert charts_seen >= plotly, f"only {charts_seen} charts found"
    assert not problems, "text in charts overlaps or is cut off:\n" + "\n".join(problems)


def test_exported_svg_text_does_not_overlap(browser, artifacts):
    """Each figure of ui.catalog at the defaults, rendered by the export path (kaleido), opened
    as an SVG document in the browser and measured like the charts on the page."""
    from ui.export import bundle, renderer

    if (why := renderer.problem()) is not None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true: {why}")
        pytest.skip(why)
    values = P.defaults()
    out = artifacts / "svg"
    out.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1000, "height": 1200})
    problems = []
    try:
        for name in catalog.FIGURES:
            path = out / f"{name}.svg"
            path.write_bytes(bundle.figure_file(name, values, "svg"))
            page.goto(path.as_uri())
            charts = chart_text_problems(page, ":root")
            assert len(charts) == 1 and charts[0]["count"] > 0, f"{name}.svg: no text measured"
            problems += report_text_problems(page, artifacts, f"chart-text-svg-{name}", f"{name}.svg", charts,
                                ":root")
    finally:
        page.close()
    assert not problems, "text in exported SVGs overlaps or is cut off:\n" + "\n".join(problems)
