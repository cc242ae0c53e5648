"""What a reader sees in a 1280 x 800 window (a common laptop or projector), on every page, every
tab and with every expander open. One walk checks it all, since loading a page is what costs:

- every formula is drawn: KaTeX shows no error and draws nothing in its error red;
- no formula is wider than its column (KaTeX does not wrap; the rest would be cut off);
- no metric's label or value is cut off (an ellipsis hides digits and signs);
- no text in a chart overlaps other text or is cut off at the chart's edge (the same
  check at 1920 x 1080 and on exported SVGs is in test_e2e_charts.py).

KaTeX does not fail on an unknown macro (``\\lek``): it draws it in red (#cc0000) and carries on,
so the check reads computed colours as well as looking for ``.katex-error``. Each page + tab
leaves ``test-artifacts/katex-<page>-<tab index>.png`` for a human look; each KaTeX failure leaves
``katex-fail-<page>-<tab index>-<n>.png`` with the formula outlined, each chart with overlapping
text ``chart-text-1280x800-<page>-<tab>-<chart>.png``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from e2e_util import (EXCEPTION, FORMULA_OVERFLOW_JS, METRICS_CUT_JS, ROOT, TAB, chart_text_problems,
                      katex_errors, page_url, report_text_problems, settle)
from ui import catalog
from ui.state import nav

pytestmark = pytest.mark.e2e

PAGES = [pytest.param(i, id=info.url_path) for i, info in enumerate(nav.PAGES)]
NARROW = {"width": 1280, "height": 800}
EXPANDER = '[data-testid="stMain"] [data-testid="stExpander"]'

# The expanders in the main area a reader could open now: [index among EXPANDER, label].
CLOSED_EXPANDERS_JS = """sel => Array.from(document.querySelectorAll(sel))
  .map((x, i) => [i, x])
  .filter(([i, x]) => x.checkVisibility() && !x.querySelector('details').open)
  .map(([i, x]) => [i, (x.querySelector('summary [data-testid="stMarkdownContainer"]')
                        || x.querySelector('summary')).innerText.trim()])"""

MAX_EXPANDERS = 12  # per tab; a guard against an expander that will not stay open


def _has_tabs(info) -> bool:
    src = (ROOT / info.path).read_text()
    return "layout.views(" in src or "st.tabs(" in src


@pytest.fixture(scope="module")
def window(browser):
    """One browser page for every app page: each is still a fresh load (and a fresh Streamlit
    session) by its URL, but the app's scripts come from the context's cache, which halves the
    time a load takes compared with a new context per page."""
    ctx = browser.new_context(viewport=NARROW)  # no downloads: no download button is clicked
    ctx.set_default_timeout(30_000)
    yield ctx.new_page()
    ctx.close()


@pytest.mark.parametrize("index", PAGES)
def test_a_reader_sees_every_formula_number_and_label(window, server, artifacts, index):
    """Each tab of the page, and each expander in it once opened: no formula failed. In each tab
    (its expanders closed, as a reader first sees it): no formula wider than its column, no
    metric cut off, no chart text overlapping or cut off."""
    info = nav.PAGES[index]
    page = window
    failures: dict[tuple, dict] = {}  # (tab, tex, red, message) -> the first time it was seen
    exceptions: list[str] = []  # an exception hides what comes after it: reported too
    cut: list[str] = []  # metric labels or values wider than their box
    wide: list[str] = []  # formulas wider than their column
    overlaps: list[str] = []  # chart text that overlaps or is cut off
    charts_seen = 0

    def collect(tab_index: int, where: str, opened: str | None) -> None:
        if page.locator(EXCEPTION).count():
            text = page.locator(EXCEPTION).first.inner_text().strip().splitlines()
            shown = f"- {info.title} › {where}: exception {text[0] if text else ''}"
            if shown not in exceptions:
                exceptions.append(shown)
        for rec in katex_errors(page):
            seen = (tab_index, rec["tex"], tuple(rec["red"]), rec["message"])
            if seen in failures:
                continue
            shot = artifacts / f"katex-fail-{info.url_path}-{tab_index}-{len(failures) + 1}.png"
            el = page.locator(f'[data-katex-failed="{rec["mark"]}"]')
            el.scroll_into_view_if_needed()
            el.evaluate("e => e.style.outline = '3px solid magenta'")
            page.screenshot(path=shot)
            el.evaluate("e => e.style.outline = ''")
            failures[seen] = dict(rec, where=where, opened=opened, shot=shot.name)

    page.goto(page_url(server, info, default=index == 0))
    settle(page)
    tabs = page.locator(TAB)
    n_tabs = tabs.count()
    if _has_tabs(info):
        assert n_tabs >= 2, f"{info.title}: the page's tabs were not found: selector changed?"
    for i in range(max(n_tabs, 1)):
        where = "(no tabs)"
        if n_tabs:
            where = f'tab {i + 1}/{n_tabs} "{tabs.nth(i).inner_text().strip()}"'
            tabs.nth(i).click()  # a layout.views tab reruns the page; st.tabs does not
            page.wait_for_function(
                "([sel, i]) => document.querySelectorAll(sel)[i]"
                ".getAttribute('aria-selected') === 'true'", arg=[TAB, i])
            settle(page)
        # A live figure mounts after the rerun settles (under load, once after the charts were
        # read): wait for this tab's plotly figures; their count is asserted at the end.
        want = sum(spec.page == info.url_path and spec.view == i and spec.linked is None
                   for spec in catalog.FIGURES.values())
        if want:
            try:
                page.wait_for_function("n => document.querySelectorAll('.js-plotly-plot').length"
                                       " >= n", arg=want, timeout=30_000)
            except PlaywrightTimeout:
                pass
        page.screenshot(path=artifacts / f"katex-{info.url_path}-{i}.png")
        collect(i, where, None)
        # No metric's label or value cut off (an ellipsis hides digits and signs).
        cut += [f"- {info.title} › {where}: metric text cut off: {text!r}"
                for text in page.evaluate(METRICS_CUT_JS) if text]
        wide += [f"- {info.title} › {where}: formula {past} px wider than its column: {tex!r}"
                 for past, tex in page.evaluate(FORMULA_OVERFLOW_JS)]
        charts = chart_text_problems(page)
        charts_seen += len(charts)
        assert all(c["count"] > 0 for c in charts), (f"{info.title}, {where}: a chart without "
                                                      "text: have plotly's class names changed?")
        overlaps += report_text_problems(page, artifacts, f"chart-text-1280x800-{info.url_path}-{i}",
                                         f"1280x800, {info.title}, {where}", charts, ".js-plotly-plot")
        # Open each expander of this tab in turn (opening one reruns the page); never click
        # anything inside them, so no download is triggered.
        tried: set[str] = set()
        for _ in range(MAX_EXPANDERS):
            closed = [(j, label) for j, label in page.evaluate(CLOSED_EXPANDERS_JS, EXPANDER)
                      if label not in tried]
            if not closed:
                break
            j, label = closed[0]
            tried.add(label)
            page.locator(EXPANDER).nth(j).locator("summary").click()
            settle(page)
            collect(i, where, label)

    # Every plotly figure the catalog places on this page is drawn in one of its tabs (a linked
    # view is Vega-Lite, read by tests/e2e/test_e2e_linked.py).
    assert charts_seen >= sum(spec.page == info.url_path and spec.linked is None
                              for spec in catalog.FIGURES.values()), \
        f"{info.title}: only {charts_seen} charts found"
    assert not cut, "\n".join(cut)
    assert not wide, "formulas wider than their column (cut off):\n" + "\n".join(wide)
    assert not overlaps, "text in charts overlaps or is cut off:\n" + "\n".join(overlaps)
    if failures or exceptions:
        lines = []
        for f in failures.values():
            inside = f'in expander "{f["expander"]}"' if f["expander"] else "not in an expander"
            after = f' (seen after opening expander "{f["opened"]}")' if f["opened"] else ""
            what = (f"KaTeX parse error {f['message']!r}" if f["kind"] == "error"
                    else f"drawn in KaTeX's error red: {f['red']}")
            lines.append(f"- {info.title} › {f['where']} › {inside}{after}: {what}\n"
                         f"    TeX: {f['tex']}\n    screenshot: test-artifacts/{f['shot']}")
        pytest.fail(f"{info.title}: KaTeX failed on {len(failures)} formula(s)"
                    + (f", {len(exceptions)} exception(s) shown" if exceptions else "") + ":\n"
                    + "\n".join(lines + exceptions), pytrace=False)
