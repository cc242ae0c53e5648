"""One position for the page state, in a real browser at 1280×800: a link's t opens the readout
there, a tab and a page switch keep it, typing a position writes it to the URL, and the chart
marks it (a live figure, drawn by the browser, and a server figure alike)."""

from __future__ import annotations

import pytest

from e2e_util import EXCEPTION, query, settle
from ui.state import nav
from ui.page import readout as position_readout

pytestmark = pytest.mark.e2e

VIEW = {"width": 1280, "height": 800}
# The x of every position mark on every chart, as plotly drew it (gd.layout: after the live
# figure's runtime.js or Streamlit's plotly_chart rendered it).
MARKS_JS = """name => [...document.querySelectorAll('.js-plotly-plot')].flatMap(gd =>
  ((gd.layout && gd.layout.shapes) || []).filter(s => s.name === name)
    .map(s => (s.x0 + s.x1) / 2))"""


def box(page):
    return page.get_by_role("spinbutton", name="Position t", exact=True)


def read(page) -> tuple[str, str | None, list[float]]:
    """(the box's value, the URL's t, the marks' x) once the page has settled."""
    settle(page)
    page.wait_for_function(f"() => ({MARKS_JS})('{position_readout.MARK_NAME}').length > 0")
    return (box(page).input_value(), query(page).get("t"),
            page.evaluate(MARKS_JS, position_readout.MARK_NAME))


def test_one_position_across_tabs_pages_and_the_url(new_page, server, artifacts):
    page = new_page()
    page.set_viewport_size(VIEW)
    page.goto(f"{server}/{nav.BY_NAME['deep_alignment'].url_path}?t=10", timeout=60_000)
    settle(page, timeout=60_000)
    assert read(page) == ("10", "10", [10])  # the live recovery figure marks it
    page.screenshot(path=str(artifacts / "readout_deep_t10.png"))

    page.get_by_role("tab", name="KL cost").click()
    assert read(page) == ("10", "10", [10])  # another tab: the same t, nothing to retype

    page.get_by_role("link", name="Harm horizon").first.click()
    assert read(page) == ("10", "10", [10])  # another page, a server-drawn toy figure

    box(page).fill("7")
    box(page).press("Enter")
    page.wait_for_function("() => new URL(location.href).searchParams.get('t') === '7'")
    assert read(page) == ("7", "7", [7])  # the URL follows, the mark moves
    page.screenshot(path=str(artifacts / "readout_horizon_t7.png"))

    page.get_by_role("link", name="Deep alignment").first.click()
    assert read(page) == ("7", "7", [7])
    assert page.locator(EXCEPTION).count() == 0
