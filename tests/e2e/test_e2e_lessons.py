"""Lessons and presentation mode in a real browser (issue 17): open a step by its link, answer,
reveal, go on with the button and with the keyboard; ``?present=1`` folds the sidebar away;
``?embed=true`` still shows a page."""

from __future__ import annotations

import pytest

from e2e_util import CHART, EXCEPTION, query, settle
from ui import nav

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
    assert size == "20px", size
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
