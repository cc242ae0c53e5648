"""A slider moved by keyboard: the chart, the numbers and the URL follow, and the URL is the state.

The page and the slider are found at run time (the first page with a chart and a sidebar
slider; its first sidebar slider not at its maximum), so renaming pages or parameters does not break this.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from e2e_util import (CHART, EXCEPTION, SLIDER_INPUT, chart_signature, numbers, page_url, query,
                      settle, sidebar_sliders)
from ui.state import nav

pytestmark = pytest.mark.e2e


@dataclass
class Moved:
    page: object
    index: int  # into nav.PAGES
    name: str  # the parameter the slider controls
    slider: int  # nth SLIDER_INPUT on the page
    before: dict  # chart signature, numbers, url query, slider text, before the key press
    after: dict


def snapshot(page, slider: int) -> dict:
    return {"charts": chart_signature(page), "numbers": numbers(page), "url": query(page),
            "slider": page.locator(SLIDER_INPUT).nth(slider).get_attribute("aria-valuetext")}


def move_a_slider(new_page, server) -> Moved:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = new_page()
    for index, info in enumerate(nav.PAGES):
        page.goto(page_url(server, info, default=index == 0))
        settle(page)
        movable = [s for s in sidebar_sliders(page) if s["room"] > 0]
        if movable and page.locator(CHART).count():
            break
    else:
        pytest.fail("no page has both a chart and a sidebar slider")
    slider, name = movable[0]["nth"], movable[0]["name"]
    before = snapshot(page, slider)
    search = urlsplit(page.url).query and "?" + urlsplit(page.url).query  # read before the key
    page.locator(SLIDER_INPUT).nth(slider).focus()
    page.keyboard.press("ArrowRight")
    # The rerun writes the URL part-way through; settle() then waits for its end and the redraw.
    # No URL change within 10 s is left for the assertions to report.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function("old => window.location.search !== old",
                               arg=search, timeout=10_000)
    settle(page)
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()
    return Moved(page, index, name, slider, before, snapshot(page, slider))


def test_keyboard_moves_slider_chart_numbers_and_url(new_page, server):
    m = move_a_slider(new_page, server)
    assert m.after["slider"] != m.before["slider"], "ArrowRight did not move the slider"
    assert m.after["charts"] != m.before["charts"], f"moving {m.name} left every chart unchanged"
    assert m.after["numbers"] != m.before["numbers"], f"moving {m.name} changed no number"
    new, old = m.after["url"].get(m.name), m.before["url"].get(m.name)
    assert new is not None and new != old, f"URL {m.name}: {old!r} -> {new!r}"
    assert float(new) == pytest.approx(float(m.after["slider"])), "URL and slider disagree"
    assert {k: v for k, v in m.after["url"].items() if k != m.name} == \
        {k: v for k, v in m.before["url"].items() if k != m.name}, "other parameters changed"


def test_url_restores_the_view_in_a_fresh_context(new_page, server):
    m = move_a_slider(new_page, server)
    fresh = new_page()  # a new context: no cookies, no Streamlit session
    fresh.goto(m.page.url)
    settle(fresh)
    again = snapshot(fresh, m.slider)
    assert again["url"] == m.after["url"]
    assert again["slider"] == m.after["slider"]
    assert again["numbers"] == m.after["numbers"]
    assert again["charts"] == m.after["charts"]


def test_switching_pages_and_back_keeps_the_values(new_page, server):
    m = move_a_slider(new_page, server)
    page = m.page
    other = (m.index + 1) % len(nav.PAGES)
    for target in (other, m.index):
        href = page_url(server, nav.PAGES[target], default=target == 0)
        page.locator(f'[data-testid="stSidebarNavLink"][href="{href}"]').click()
        page.wait_for_url(lambda url, h=href: urlsplit(url).path == urlsplit(h).path)
        settle(page)
        assert query(page).get(m.name) == m.after["url"][m.name], \
            f"after switching to {nav.PAGES[target].title} the URL lost {m.name}"
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()
    back = snapshot(page, m.slider)
    assert back["slider"] == m.after["slider"]
    assert back["numbers"] == m.after["numbers"]
    assert back["charts"] == m.after["charts"]
    assert back["url"] == m.after["url"]


def wait_for_mu(page, unlike: str) -> None:
    page.wait_for_function("old => new URLSearchParams(location.search).get('mu') !== old",
                           arg=unlike, timeout=10_000)
    settle(page)


def test_large_mu_is_kept_and_use_this_value_sets_mu_needed(new_page, server):
    """μ's range reaches the app's own answers. A link with μ = 1340 (a "μ needed" the
    Robustness page gives) is kept without a warning; "Use this value" sets μ to the μ needed
    shown; the number box keeps a typed value exactly."""
    from e2e_util import WARNING

    page = new_page()
    page.goto(page_url(server, nav.BY_NAME["robustness"], default=False) + "?mu=1340")
    settle(page)
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()
    assert page.locator(WARNING).count() == 0, page.locator(WARNING).all_inner_texts()
    assert query(page)["mu"] == "1340.0"

    needed = page.locator('[data-testid="stMetric"]').filter(has_text="μ needed")
    shown = float(needed.locator('[data-testid="stMetricValue"]').inner_text())
    page.get_by_role("button", name="Use this value").click()
    wait_for_mu(page, "1340.0")
    assert float(query(page)["mu"]) == pytest.approx(shown, rel=5e-4)  # 4 digits shown
    assert page.locator(WARNING).count() == 0

    box = page.get_by_label("Recovery penalty μ: exact value")
    for typed in ("1340", "100000"):
        before = query(page)["mu"]
        box.fill(typed)
        box.press("Enter")
        wait_for_mu(page, before)
        assert query(page)["mu"] == repr(float(typed))
        assert box.input_value() == typed
    assert page.locator(EXCEPTION).count() == 0
