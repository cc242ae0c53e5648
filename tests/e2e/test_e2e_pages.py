"""Every page in a real browser: it renders, its chart is drawn, its downloads are valid files,
bad links are survived. Pages come from ui/state/nav.py, parameters from ui/state/params.py."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from e2e_util import (CHART, EXCEPTION, PLACEHOLDER_TEXT, ROOT, VIEWPORT, WARNING,
                      page_url, query, settle, streamlit_server)
from file_checks import CHECKS, button_format
from ui.state import nav
from ui.state import params as P

pytestmark = pytest.mark.e2e

PAGES = [pytest.param(i, id=info.url_path) for i, info in enumerate(nav.PAGES)]


def draws_figures(info) -> bool:
    """Whether the page's source draws figures at all (the derivations page shows only LaTeX):
    calls into ``ui.figures`` or a chart, not the word "figures" in its text."""
    return bool(re.search(r"\bfigures\.|import figures|show_figure|_chart\(",
                          (ROOT / info.path).read_text()))


def assert_no_exception(page):
    shown = page.locator(EXCEPTION)
    assert shown.count() == 0, f"exception on {page.url}:\n{shown.first.inner_text()}"


@pytest.fixture(scope="module", params=PAGES)
def opened(request, browser, server):
    """Each page at its defaults, loaded once for the render and the download tests."""
    index = request.param
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.goto(page_url(server, nav.PAGES[index], default=index == 0))
    settle(page)
    yield nav.PAGES[index], page
    ctx.close()


def test_page_renders(opened, artifacts):
    info, page = opened
    page.screenshot(path=artifacts / f"page-{info.url_path}.png", full_page=True)
    assert_no_exception(page)
    if draws_figures(info):
        charts = page.locator(CHART)
        assert charts.count() > 0, "no chart element"
        box = charts.first.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, f"chart not laid out: {box}"
        assert page.locator(".js-plotly-plot .main-svg .trace, .vega-embed").count() > 0
    elif page.get_by_text(PLACEHOLDER_TEXT).count() > 0:
        pytest.skip(f"{info.path} is still a placeholder: loads without exception, no chart yet")
    else:
        assert page.locator("[data-testid='stMain'] .katex").count() > 0, "no figure and no LaTeX"


IMAGES = ("svg", "pdf", "png")  # rendered by the same code for every figure: one per page
NOT_IMAGES = tuple(f for f in CHECKS if f not in IMAGES)


def test_downloads_are_valid_files(opened, artifacts):
    """The first download button of each format on the page (found by its label: SVG, PNG,
    PDF, CSV, JSON, .tex) gives a file that parses as that format. Image formats take turns
    from page to page (each costs a server-side render), so all three are covered across the
    app while each page still exports its own figure."""
    info, page = opened
    image = IMAGES[nav.PAGES.index(info) % len(IMAGES)]
    # Figure downloads sit in a collapsed "Data table and downloads" expander under each chart;
    # opening it reruns the page, which only then builds the table and the buttons.
    buttons = page.locator('[data-testid="stDownloadButton"] button')
    for summary in page.locator('[data-testid="stExpander"] summary').all():
        if "download" in summary.inner_text().lower():
            summary.click()
            settle(page)
            buttons.first.wait_for(state="visible", timeout=30_000)
            break
    if buttons.count() == 0:
        pytest.skip(f"{info.title}: no download button on this page yet")
    seen = {}
    for button in buttons.all():
        fmt = button_format(button.inner_text())
        if fmt and fmt not in seen and button.is_visible() and fmt in (image,) + NOT_IMAGES:
            seen[fmt] = button
    assert seen, f"download buttons with unknown labels: {buttons.all_inner_texts()}"
    out = artifacts / "downloads"
    out.mkdir(exist_ok=True)
    for fmt, button in seen.items():
        assert button.is_enabled(), f"{fmt.upper()} download is disabled on {info.title}"
        download = _download(page, button)
        assert download.failure() is None, download.failure()
        assert download.suggested_filename.lower().endswith("." + fmt), download.suggested_filename
        path = out / f"{info.url_path}-{download.suggested_filename}"
        download.save_as(path)
        data = path.read_bytes()
        assert data, f"empty {fmt} download"
        CHECKS[fmt](data)
    assert_no_exception(page)


def _download(page, button):
    """Click ``button`` and return its download. One retry: on the 2-core CI machine, with the
    whole browser suite running, a server-side render once took over 60 s (it passed alone and
    in two later full runs); a download that never comes still fails."""
    for attempt in (1, 2):
        try:
            with page.expect_download(timeout=60_000) as dl:
                button.click()
            return dl.value
        except PlaywrightTimeout:
            if attempt == 2:
                raise


JUNK = {"beta": "abc", "gamma": "5", "p_base": "-1"}  # not a number, above, below the range


@pytest.mark.parametrize("index", PAGES)
def test_junk_parameters_warn_and_are_corrected(server, new_page, index):
    info = nav.PAGES[index]
    page = new_page()
    junk = "&".join(f"{k}={v}" for k, v in JUNK.items())
    page.goto(page_url(server, info, default=index == 0) + "?" + junk)
    settle(page)
    assert_no_exception(page)
    warnings = " ".join(page.locator(WARNING).all_inner_texts())
    for name in JUNK:
        assert name in warnings, f"no warning about {name}; warnings shown: {warnings!r}"
    expected, _ = P.parse_all(JUNK)
    url = query(page)
    for name in JUNK:
        assert url.get(name) == P.fmt(expected[name]), f"URL keeps {name}={url.get(name)}"


def test_first_visit_to_a_deep_link_goes_through_the_router(browser):
    """The first visitor after a (re)start who opens a shared link to a page other than the
    default must get app.py's router (URL sync, page titles), not the bare page file that
    a legacy pages/ folder would make Streamlit serve. Needs a server nobody has visited yet."""
    info = nav.PAGES[1]
    name = next(iter(P.PARAMS))
    raw = P.fmt(P.PARAMS[name].hi)
    with streamlit_server("app.py", log_name="streamlit-first-visit.log") as (base, _):
        ctx = browser.new_context(viewport=VIEWPORT)
        try:
            page = ctx.new_page()
            page.goto(f"{base}/{info.url_path}?{name}={raw}", timeout=60_000)
            settle(page, timeout=60_000)
            assert_no_exception(page)
            links = page.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()
            titles = [p.title for p in nav.PAGES]
            assert len(links) == len(titles) and all(t in s for t, s in zip(titles, links)), links
            expected, _ = P.parse_all({name: raw})
            assert query(page) == {k: P.fmt(v) for k, v in expected.items()}
        finally:
            ctx.close()


def test_controls_have_plain_accessible_names(opened):
    """A screen reader reads each control's name; raw LaTeX ("$\\mu$") is noise."""
    info, page = opened
    names = page.evaluate("""() => [...document.querySelectorAll(
        'input, [role=slider], [role=radio], [role=tab], button, select, textarea')]
        .map(e => e.getAttribute('aria-label') || (e.labels && e.labels[0] ? e.labels[0].innerText : '') || '')""")
    labels = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stWidgetLabel"]')]
        .map(e => e.innerText)""")
    bad = [n for n in names + labels if "$" in n or "\\" in n]
    assert not bad, f"{info.title}: controls named in LaTeX: {bad}"
    if page.locator("[data-testid='stSlider'], [data-testid='stNumberInput']").count():
        assert labels, "no widget labels found: has the selector changed?"


def test_the_zip_shows_progress_and_cancel_stops_it(server, new_page):
    """Preparing every figure is the one long request: it shows its progress, and Cancel (any
    click starts a new run, which stops this one at its next progress update) leaves no zip."""
    page = new_page()
    page.goto(page_url(server, nav.BY_NAME["deep_alignment"], default=False))
    settle(page)
    page.get_by_role("button", name="Prepare all figures (zip)").click()
    cancel = page.get_by_role("button", name="Cancel")
    cancel.wait_for()
    page.get_by_text(re.compile(r"^Rendered ")).first.wait_for()  # the progress bar's text
    cancel.click()
    settle(page)
    assert page.get_by_role("button", name="Prepare all figures (zip)").count() == 1
    assert page.get_by_role("button", name="Download all figures (zip)").count() == 0
    assert cancel.count() == 0
    assert_no_exception(page)


def test_nothing_is_fetched_from_outside_the_server(server, new_page):
    """No CDN, no font or icon service: every request of a page goes to the app's own server
    (a ":material/…" page icon made the browser fetch its favicon from fonts.gstatic.com)."""
    page = new_page()
    outside = []
    page.on("request", lambda r: None if r.url.startswith((server, "data:", "blob:"))
            else outside.append(r.url))
    for info in nav.PAGES:
        page.goto(page_url(server, info, default=info is nav.PAGES[0]))
        settle(page)
    assert not outside, sorted(set(outside))
