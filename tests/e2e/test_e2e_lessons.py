"""Lessons and presentation mode in a real browser: open a step by its link, answer,
reveal, go on with the button and with the keyboard; ``?present=1`` folds the sidebar away;
``?embed=true`` still shows a page."""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from e2e_util import CHART, EXCEPTION, FORMULA_OVERFLOW_JS, query, settle
from ui.state import nav

pytestmark = pytest.mark.e2e

PANEL = ".st-key-lesson_panel"


def wait_for_step(page, step: str) -> None:
    page.wait_for_function("s => new URLSearchParams(location.search).get('step') === s",
                           arg=step, timeout=15_000)
    settle(page)


def no_exception(page) -> None:
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()


def page_title_visible(page, title: str) -> bool:
    heading = page.locator("[data-testid='stMain'] h1", has_text=title)
    return heading.count() > 0 and heading.first.is_visible()


def test_a_step_link_answer_reveal_and_next(new_page, server, artifacts):
    page = new_page()
    page.goto(f"{server}/robustness?lesson=attacks&step=1")
    settle(page)
    no_exception(page)
    panel = page.locator(PANEL)
    assert panel.get_by_text("How long must a prefill be?").is_visible()
    assert query(page)["mu"] == "100.0" and query(page)["view"] == "1", "the step's parameters"
    assert not page_title_visible(page, "Robustness & attacks"), "the page waits for Reveal"
    page.screenshot(path=artifacts / "lesson-before-reveal.png")

    panel.locator("input[type='number']").fill("29")
    panel.locator("input[type='number']").press("Enter")
    settle(page)
    panel.get_by_role("button", name="Check and reveal").click()
    settle(page)
    assert panel.get_by_text("Correct: 29 tokens.").is_visible()
    assert page_title_visible(page, "Robustness & attacks")
    chart = page.locator(CHART).first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200, f"chart not laid out after reveal: {box}"
    page.screenshot(path=artifacts / "lesson-after-reveal.png")

    page.locator(".st-key-lesson_next a").click()
    wait_for_step(page, "2")
    no_exception(page)
    assert query(page)["lesson"] == "attacks"
    assert page.locator(PANEL).get_by_text("Double the penalty").is_visible()
    assert not page_title_visible(page, "Robustness & attacks"), "a new question hides the page again"


def test_a_wrong_choice_shows_the_right_one(new_page, server):
    page = new_page()
    page.goto(f"{server}/robustness?lesson=attacks&step=3")
    settle(page)
    panel = page.locator(PANEL)
    panel.get_by_text("0.55", exact=True).click()
    settle(page)
    panel.get_by_role("button", name="Check and reveal").click()
    settle(page)
    assert panel.get_by_text("Not quite: the answer is “0.85”").is_visible()


def test_present_mode_folds_the_sidebar_and_the_keys_move_between_steps(new_page, server, artifacts):
    page = new_page()
    page.goto(f"{server}/deep_alignment?lesson=deep&step=1&present=1")
    settle(page)
    no_exception(page)
    assert page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "true"
    size = page.evaluate("() => getComputedStyle(document.documentElement).fontSize")
    assert float(size.removesuffix("px")) >= 18, size  # 20 px from 1600 px wide, 18 px below
    page.screenshot(path=artifacts / "lesson-present.png")

    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press("ArrowRight")
    wait_for_step(page, "2")
    assert query(page)["mu"] == "1000000.0" and query(page)["view"] == "2"
    assert query(page)["present"] == "1"
    page.keyboard.press("PageDown")
    wait_for_step(page, "3")
    page.keyboard.press("PageUp")
    wait_for_step(page, "2")
    page.keyboard.press("ArrowLeft")
    wait_for_step(page, "1")
    no_exception(page)
    assert page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "true"


def test_arrow_keys_in_the_answer_box_do_not_change_the_step(new_page, server):
    page = new_page()
    page.goto(f"{server}/deep_alignment?lesson=deep&step=1&present=1")
    settle(page)
    box = page.locator(PANEL).locator("input[type='number']")
    box.fill("0.5")
    box.press("ArrowLeft")
    page.wait_for_timeout(1000)
    assert query(page)["step"] == "1"


def test_the_lessons_page_starts_a_lesson(new_page, server):
    page = new_page()
    page.goto(f"{server}/{nav.BY_NAME['lessons'].url_path}")
    settle(page)
    no_exception(page)
    page.get_by_role("link", name="Start").first.click()
    wait_for_step(page, "1")
    assert query(page)["lesson"] == "shallow"
    assert page.locator(PANEL).get_by_text("Harm is decided early").is_visible()


def test_embed_true_shows_a_page(new_page, server):
    page = new_page()
    page.goto(f"{server}/deep_alignment?embed=true")
    settle(page)
    no_exception(page)
    assert "streamlit-embedded" in page.locator(".stApp").get_attribute("class")
    assert page_title_visible(page, "Deep alignment")
    assert page.locator(CHART).count() > 0
    assert query(page)["embed"] == "true"


def test_a_lecturer_uploads_a_broken_and_then_a_good_lesson(new_page, server, tmp_path):
    from e2e_util import ROOT

    broken = tmp_path / "broken.toml"
    broken.write_text('title = "Broken"\n[[steps]]\npage = "nowhere"\ntext = "x"\n', encoding="utf-8")
    good = tmp_path / "My Lesson.toml"
    good.write_text((ROOT / "lessons" / "deep.toml").read_text(encoding="utf-8"), encoding="utf-8")
    page = new_page()
    page.goto(f"{server}/{nav.BY_NAME['lessons'].url_path}")
    settle(page)
    upload = page.locator("[data-testid='stFileUploader'] input[type='file']")
    upload.set_input_files(str(broken))
    page.get_by_text("cannot be used as a lesson").wait_for()
    settle(page)
    assert page.get_by_text("is not a page").is_visible()
    no_exception(page)
    upload.set_input_files(str(good))
    page.get_by_text("It is kept in this session").wait_for()
    settle(page)
    page.get_by_role("link", name="Start").last.click()
    wait_for_step(page, "1")
    assert query(page)["lesson"] == "upload-my-lesson"
    assert page.locator(PANEL).get_by_text("this session only").is_visible()


# --- presentation mode on a projector: the step's figure and heading in one look --------------

PROJECTORS = [pytest.param({"width": 1280, "height": 800}, id="1280x800"),
              pytest.param({"width": 1920, "height": 1080}, id="1920x1080")]

# Where things are on screen: the step's figure (the first visible chart of the main area), the
# column it sits in, the lesson card, the step's heading, and how far the main area is scrolled.
LAYOUT_JS = """(chart) => {
  const box = e => { const r = e.getBoundingClientRect();
                     return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const fig = [...document.querySelectorAll(chart)].find(e => e.checkVisibility());
  const plot = fig && fig.querySelector('.main-svg');
  const column = fig && (fig.closest('[data-testid="stColumn"]') || fig);
  return {figure: fig && box(fig), plot: plot && box(plot), column: column && box(column),
          card: box(document.querySelector('.st-key-lesson_panel')),
          heading: box(document.querySelector('.st-key-lesson_panel h3')),
          scroll: document.querySelector('[data-testid="stMain"]').scrollTop,
          view: {width: innerWidth, height: innerHeight}};
}"""


def reveal(page) -> None:
    page.locator(PANEL).get_by_role("button", name="Reveal").click()
    settle(page)


def assert_figure_in_view(page, where: str) -> dict:
    at = page.evaluate(LAYOUT_JS, CHART)
    fig, view = at["figure"], at["view"]
    assert fig, f"{where}: no figure shown"
    assert fig["top"] >= 0 and fig["left"] >= 0, f"{where}: figure starts off screen: {fig}"
    assert fig["bottom"] <= view["height"] and fig["right"] <= view["width"], \
        f"{where}: figure below the fold or cut off at {view}: {fig}"
    assert at["plot"]["right"] <= at["column"]["right"] + 2, \
        f"{where}: the plot is wider than its column (over the text beside it): {at}"
    assert fig["right"] <= at["card"]["left"], f"{where}: the lesson card covers the figure: {at}"
    assert at["heading"]["top"] >= 0 and at["heading"]["bottom"] <= view["height"], \
        f"{where}: the step's heading is off screen: {at['heading']}"
    assert page.evaluate(FORMULA_OVERFLOW_JS) == [], f"{where}: a formula is cut off beside the figure"
    return at


@pytest.mark.parametrize("viewport", PROJECTORS)
def test_present_mode_shows_the_steps_figure_and_heading_without_scrolling(new_page, server,
                                                                           artifacts, viewport):
    """Issue "Answers in one look": on a 1280×800 projector the card filled the screen and the
    figure was below the fold. Deep step 4 has the tallest figure (a live figure, sliders and
    two panels, on the Robustness page, below that page's "solve for" panel)."""
    page = new_page()
    page.set_viewport_size(viewport)
    size = f"{viewport['width']}x{viewport['height']}"
    page.goto(f"{server}/robustness?lesson=deep&step=4&present=1")
    settle(page)
    no_exception(page)
    reveal(page)
    no_exception(page)
    page.screenshot(path=artifacts / f"lesson-present-figure-{size}.png")
    assert_figure_in_view(page, f"deep step 4 at {size}")


@pytest.mark.parametrize("viewport", PROJECTORS)
def test_the_next_step_opens_at_its_top(new_page, server, artifacts, viewport):
    """After → the page kept its scroll: the next step's heading was cut off."""
    page = new_page()
    page.set_viewport_size(viewport)
    size = f"{viewport['width']}x{viewport['height']}"
    page.goto(f"{server}/deep_alignment?lesson=deep&step=1&present=1")
    settle(page)
    reveal(page)
    # Under load the figures below the card mount after the rerun settles: wait until there is
    # something below the fold to scroll to.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function("""() => { const m = document.querySelector("[data-testid='stMain']");
                                          return m && m.scrollHeight > m.clientHeight; }""",
                               timeout=30_000)
    page.locator("[data-testid='stMain']").evaluate("m => m.scrollTo(0, 600)")  # a look further down
    assert page.evaluate(LAYOUT_JS, CHART)["scroll"] > 0, "the page should scroll at all"
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press("ArrowRight")
    wait_for_step(page, "2")
    at = page.evaluate(LAYOUT_JS, CHART)
    assert at["scroll"] == 0, f"step 2 opened scrolled down by {at['scroll']} px"
    heading = page.locator(PANEL).locator("h3", has_text="The price of one position")
    assert heading.is_visible()
    assert 0 <= at["heading"]["top"] < at["view"]["height"] / 2, f"heading not at the top: {at}"
    reveal(page)
    page.screenshot(path=artifacts / f"lesson-present-next-{size}.png")
    assert_figure_in_view(page, f"deep step 2 at {size}")


def test_a_lesson_link_on_the_overview_opens_the_steps_page(new_page, server):
    """``/?lesson=deep&step=2`` showed a note on the Overview; it opens the step's page with its
    parameters in the URL, as the lesson's own links do."""
    page = new_page()
    page.goto(f"{server}/?lesson=deep&step=2")
    page.wait_for_url("**/deep_alignment?**", timeout=15_000)
    settle(page)
    no_exception(page)
    q = query(page)
    assert q["lesson"] == "deep" and q["step"] == "2"
    step = {k: v for k, v in (kv.split("=") for kv in
            "p_base=0.01&mu=1000000&beta=1&gamma=0.9&k=5&T=50&t=10&view=2".split("&"))}
    assert {k: float(q[k]) for k in step} == {k: float(v) for k, v in step.items()}, q
    assert page.locator(PANEL).get_by_text("The price of one position").is_visible()
    assert page.get_by_text("You are in the lesson").count() == 0
