"""The sidebar's slider and its number box never disagree, and nothing covers an answer.

"Use this value" sets μ to the exact μ needed (891.60… at the defaults, not a stop of the log
slider): the slider's bubble must then read that value, not the nearest stop (it read 1000 beside
a box holding 891.60…), and no tooltip may sit over the number the page just answered.
"""

from __future__ import annotations

import pytest

from e2e_util import EXCEPTION, page_url, query, settle
from ui.state import nav, params as P
from ui.page import widgets

pytestmark = pytest.mark.e2e

ROBUSTNESS = nav.BY_NAME["robustness"]


def _sidebar_control(page, name: str):
    """The bubble above parameter ``name``'s sidebar slider and its number box."""
    label = P.PARAMS[name].label
    slider = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').filter(
        has=page.get_by_text(label, exact=True))
    bubble = slider.locator('[data-testid="stSliderThumbValue"]')
    box = page.get_by_role("spinbutton", name=f"{label}: exact value")
    return slider, bubble, box


def _covered(page, locator) -> list:
    """The points of ``locator``'s box (centre and corners, 3 px inside) where the topmost
    element is not part of it: something drawn over it."""
    return locator.evaluate("""el => {
        const r = el.getBoundingClientRect(), out = [];
        for (const [x, y] of [[(r.left + r.right) / 2, (r.top + r.bottom) / 2],
                              [r.left + 3, r.top + 3], [r.right - 3, r.top + 3],
                              [r.left + 3, r.bottom - 3], [r.right - 3, r.bottom - 3]]) {
          const top = document.elementFromPoint(x, y);
          if (!top || !el.contains(top)) out.push([Math.round(x), Math.round(y),
                                                   top ? top.outerHTML.slice(0, 120) : null]);
        }
        return out;
    }""")


def _wait_for(page, key: str, unlike: str) -> None:
    page.wait_for_function("([k, old]) => new URLSearchParams(location.search).get(k) !== old",
                           arg=[key, unlike], timeout=15_000)
    settle(page)


def test_use_this_value_slider_and_box_agree_and_nothing_covers_the_answer(new_page, server):
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 800})  # a laptop, the lecturer's screen
    page.goto(page_url(server, ROBUSTNESS, default=False), timeout=60_000)
    settle(page, timeout=60_000)
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="μ needed")
    answer = metric.locator('[data-testid="stMetricValue"]')
    before = query(page)["mu"]
    button = page.get_by_role("button", name="Use this value")
    button.hover()
    button.click()
    _wait_for(page, "mu", before)
    mu = float(query(page)["mu"])
    assert mu not in widgets.slider_stops(P.PARAMS["mu"]), "the case at issue: between two stops"

    slider, bubble, box = _sidebar_control(page, "mu")
    slider.scroll_into_view_if_needed()
    assert float(box.input_value()) == mu
    assert float(bubble.inner_text()) == mu, (bubble.inner_text(), box.input_value())

    # The pointer is still on the button: whatever shows on hover has had time to appear.
    button.hover()
    page.wait_for_timeout(1_500)
    answer.scroll_into_view_if_needed()
    assert _covered(page, answer) == []
    assert page.locator('[data-testid="stTooltipContent"]').count() == 0
    assert page.locator(EXCEPTION).count() == 0

    # One stop up from the exact value is the next stop above it (the exact value is a stop of
    # its own while it is the current value; the keyboard is not stuck on it).
    # The URL is read before the key: read after it, a fast rerun has already changed it and
    # the wait would be for a second change that never comes (it timed out so in CI once).
    exact = query(page)["mu"]
    slider.locator('input[type="range"]').focus()
    page.keyboard.press("ArrowRight")
    _wait_for(page, "mu", exact)
    above = min(s for s in widgets.slider_stops(P.PARAMS["mu"]) if s > mu)
    assert float(query(page)["mu"]) == above
    assert float(bubble.inner_text()) == float(box.input_value()) == above


@pytest.mark.parametrize(("name", "typed"), [("gamma", "0.875"), ("p_base", "0.0137")])
def test_a_typed_value_is_what_the_slider_shows(new_page, server, name, typed):
    """A linear slider (step 0.01) and a log slider both show a value typed into the box that
    is not on their grid, instead of a rounding of it (0.88) or the nearest stop (0.01)."""
    page = new_page()
    page.goto(page_url(server, ROBUSTNESS, default=False), timeout=60_000)
    settle(page, timeout=60_000)
    _slider, bubble, box = _sidebar_control(page, name)
    before = query(page)[name]
    box.fill(typed)
    box.press("Enter")
    _wait_for(page, name, before)
    assert float(query(page)[name]) == float(typed)
    assert float(box.input_value()) == float(typed)
    assert float(bubble.inner_text()) == float(typed), bubble.inner_text()
