"""Lessons in the app (AppTest): every step's page runs with the step's parameters, every
question's computed answer is accepted (a wrong one is not) and is the number the page shows,
navigation carries the step in the URL, and bad links give a message, never a traceback."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from streamlit.testing.v1 import AppTest

from test_app_pages import APP, open_page, shown_text
from ui.state import nav
from ui.state import params as P
from ui.classroom import answers, lesson_panel, lessons
from ui.text.latex import num, text

SHIPPED, _ = lessons.shipped()
STEPS = [pytest.param(lesson, n, id=f"{lesson.name}-{n}")
         for lesson in SHIPPED.values() for n in range(1, len(lesson.steps) + 1)]
QUESTIONS = [p for p in STEPS if p.values[0].steps[p.values[1] - 1].question is not None]


def open_step(lesson, n: int, extra: dict | None = None) -> AppTest:
    step = lesson.steps[n - 1]
    return open_page(step.page_info.path, {"lesson": lesson.name, "step": str(n), **(extra or {})})


def answer_key(lesson, n: int) -> str:
    return f"_lesson_answer_{lesson.name}_{n}"


def give(at: AppTest, lesson, n: int, value) -> AppTest:
    q = lesson.steps[n - 1].question
    widget = at.radio(key=answer_key(lesson, n)) if q.kind == "choice" else \
        at.number_input(key=answer_key(lesson, n))
    widget.set_value(value).run()
    at.button(key=answer_key(lesson, n) + "_reveal").click().run()
    return at


def hides_page(at: AppTest) -> bool:
    return any("display: none !important" in h.proto.body for h in at.get("html"))


def wrong(q, right):
    if q.kind == "choice":
        return (right + 1) % len(q.choices)
    return right + 10 * max(q.tolerance, q.relative_tolerance * abs(right)) + 1


# --- every step ------------------------------------------------------------------------------

@pytest.mark.parametrize("lesson, n", STEPS)
def test_every_step_runs_its_page_with_its_parameters(lesson, n):
    at = open_step(lesson, n)
    step = lesson.steps[n - 1]
    assert not at.exception, [e.value for e in at.exception]
    ours = [w.value for w in at.warning if "lesson" in w.value or "step" in w.value
            or "link had values" in w.value]
    assert not ours, ours  # (the Evidence page has its own caveat, a warning)
    assert at.title, "the page itself ran"
    shown = shown_text(at)
    assert step.text in shown and f"Lesson · **{lesson.title}** · step {n} of {len(lesson.steps)}" in shown
    assert at.query_params["lesson"] == [lesson.name] or at.query_params["lesson"] == lesson.name
    for name, value in step.values().items():
        assert at.query_params[name] in (P.fmt(value), [P.fmt(value)]), name
    assert hides_page(at) == (step.question is not None)


@pytest.mark.parametrize("lesson, n", QUESTIONS)
def test_the_right_answer_is_accepted_and_reveals_the_page(lesson, n):
    step = lesson.steps[n - 1]
    right = step.question.answer(step.values())
    at = give(open_step(lesson, n), lesson, n, right)
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] and at.success[0].value.startswith("Correct")
    assert not at.error
    assert f"**Why.** {step.why}" in shown_text(at)
    assert not hides_page(at)


@pytest.mark.parametrize("lesson, n", QUESTIONS)
def test_a_wrong_answer_is_rejected_with_the_right_one(lesson, n):
    step = lesson.steps[n - 1]
    q = step.question
    right = q.answer(step.values())
    at = give(open_step(lesson, n), lesson, n, wrong(q, right))
    assert not at.exception, [e.value for e in at.exception]
    assert not at.success and at.error[0].value.startswith("Not quite")
    assert lesson_panel.answer_text(q, right) in at.error[0].value


# The page's own number for a question: (lesson, step) -> how to read it from the page.
def metric(label_start: str):
    return lambda at: next(m.value for m in at.metric if m.label.startswith(label_start))


def latex_after(prefix: str):
    return lambda at: next(e.value for e in at.latex if prefix in e.value)


ON_THE_PAGE = {
    ("attacks", 1): (metric("Attack length L*"), lambda x: f"{text(x)} tokens"),
    ("attacks", 2): (latex_after(r"L^*(2\mu)"), lambda x: rf"L^*(2\mu)={num(x)}"),
    ("deep", 1): (latex_after("r^*_{6}"), lambda x: f"={num(x, 6)}"),
    ("deep", 2): (latex_after(r"\mathrm{KL}^*_{10}"), lambda x: f"={num(x)}"),
    ("deep", 4): (metric("Guaranteed recovery"), text),
    ("shallow", 2): (metric("Exact horizon k"), lambda x: str(int(x))),
    ("shallow", 3): (latex_after(r"\max_{t>4}\|g_t\|"), lambda x: f"={num(x)}"),
}


@pytest.mark.parametrize("key", list(ON_THE_PAGE), ids=[f"{a}-{b}" for a, b in ON_THE_PAGE])
def test_the_answer_is_the_number_the_page_shows(key):
    lesson, n = SHIPPED[key[0]], key[1]
    step = lesson.steps[n - 1]
    read, expected = ON_THE_PAGE[key]
    at = open_step(lesson, n)
    shown = str(read(at))
    quantity = answers.compute(step.question.quantity, step.values())  # a choice's too
    assert expected(quantity) in shown, shown


# --- navigation and the URL --------------------------------------------------------------------

def link(at: AppTest, label_start: str):
    return next(pl.proto for pl in at.get("page_link") if pl.proto.label.startswith(label_start))


def follow(at: AppTest, page_link) -> AppTest:
    """What a click on a page link does: its page, with exactly its query."""
    target = next(p.path for p in nav.PAGES if p.url_path == page_link.page)
    at.query_params.clear()
    at.query_params.update(dict(parse_qsl(page_link.query_string)))
    return at.switch_page(target).run()


def test_next_goes_to_the_next_step_with_its_parameters_and_previous_comes_back():
    lesson = SHIPPED["deep"]
    at = open_step(lesson, 1)
    at.number_input(key="_w_mu_box").set_value(7.0).run()  # the student moves a slider
    assert at.query_params["mu"] in ("7.0", ["7.0"])
    nxt = link(at, "Next")
    assert dict(parse_qsl(nxt.query_string))["step"] == "2"
    at = follow(at, nxt)
    assert not at.exception, [e.value for e in at.exception]
    assert lesson.steps[1].text in shown_text(at)
    for name, value in lesson.steps[1].values().items():
        assert at.query_params[name] in (P.fmt(value), [P.fmt(value)]), name
    at = follow(at, link(at, "Previous"))
    assert lesson.steps[0].text in shown_text(at)
    assert at.query_params["mu"] in ("5.0", ["5.0"])  # the step's value again, not the student's


def test_coming_back_from_another_page_restores_the_steps_tab():
    lesson = SHIPPED["attacks"]  # step 1 is on the Robustness page's second tab
    at = open_step(lesson, 1)
    assert at.query_params["view"] in ("1", ["1"])
    at.switch_page(nav.BY_NAME["glossary"].path).run()
    assert any("You are in the lesson" in t for t in shown_text(at))
    assert not hides_page(at)
    at.switch_page(nav.BY_NAME["robustness"].path).run()
    assert at.query_params["view"] in ("1", ["1"])
    assert lesson.steps[0].text in shown_text(at)


@pytest.mark.parametrize("path", [nav.PAGES[0].path, nav.BY_NAME["glossary"].path])
def test_a_link_to_a_step_opened_on_another_page_goes_to_the_steps_page(path):
    """``/?lesson=deep&step=2`` opens the Overview: the app goes on to the step's page with the
    step's parameters (as the lesson's own links do) instead of a note that the step is elsewhere."""
    lesson = SHIPPED["deep"]
    at = open_page(path, {"lesson": "deep", "step": "2", "present": "1"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and at.title[0].value == "Deep alignment"
    assert lesson.steps[1].text in shown_text(at)
    assert not any("You are in the lesson" in t for t in shown_text(at))
    for name, value in lesson.steps[1].values().items():
        assert at.query_params[name] in (P.fmt(value), [P.fmt(value)]), name
    assert at.query_params["present"] in ("1", ["1"]), "presentation mode travels along"


def test_a_bad_step_in_a_link_to_another_page_is_still_reported_on_the_steps_page():
    at = open_page(nav.PAGES[0].path, {"lesson": "attacks", "step": "99"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.startswith("Evidence")
    assert "showing step" in at.warning[0].value


def test_moving_a_slider_after_reveal_keeps_the_steps_answer_and_says_so():
    lesson = SHIPPED["attacks"]
    at = give(open_step(lesson, 1), lesson, 1, 29)
    at.number_input(key="_w_mu_box").set_value(200.0).run()
    assert at.success[0].value.startswith("Correct")
    assert any("You have moved Recovery penalty μ" in t for t in shown_text(at))
    assert any(pl.proto.label == "Back to this step's values" for pl in at.get("page_link"))


def test_hide_again_hides_the_page():
    lesson = SHIPPED["attacks"]
    at = give(open_step(lesson, 1), lesson, 1, 29)
    assert not hides_page(at)
    at.button(key=answer_key(lesson, 1) + "_hide").click().run()
    assert hides_page(at)


def test_leaving_the_lesson_removes_it_from_the_url():
    at = open_step(SHIPPED["deep"], 2)
    at.button(key="_lesson_leave").click().run()
    assert "lesson" not in at.query_params and "step" not in at.query_params
    assert not any(t.startswith("Lesson · ") for t in shown_text(at))


def test_finishing_the_last_step_opens_the_lessons_page():
    lesson = SHIPPED["shallow"]
    at = open_step(lesson, len(lesson.steps))
    at.button(key="_lesson_finish").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Lessons"
    assert "lesson" not in at.query_params


@pytest.mark.parametrize("name", ["nope", "upload-gone", "../../etc/passwd", "x" * 500, ""])
def test_an_unknown_lesson_gives_a_message_and_closes(name):
    at = open_page(nav.BY_NAME["robustness"].path, {"lesson": name, "step": "2"})
    assert not at.exception, [e.value for e in at.exception]
    if name:
        assert "There is no lesson" in at.warning[0].value
    assert "lesson" not in at.query_params
    assert at.title and at.title[0].value == "Robustness & attacks"  # the page itself still runs


@pytest.mark.parametrize("raw, n", [("abc", 1), ("0", 1), ("99", 5), ("2.5", 1)])
def test_a_bad_step_gives_a_message_and_a_valid_step(raw, n):
    lesson = SHIPPED["attacks"]
    at = open_page(lesson.steps[n - 1].page_info.path, {"lesson": "attacks", "step": raw})
    assert not at.exception, [e.value for e in at.exception]
    assert "showing step" in at.warning[0].value
    assert at.query_params["step"] in (str(n), [str(n)])
    assert lesson.steps[n - 1].text in shown_text(at)


def test_an_uploaded_lesson_works_in_its_session_and_says_it_is_not_shareable():
    source = (lessons.FOLDER / "attacks.toml").read_text(encoding="utf-8")
    lesson, problems = lessons.parse(source, "upload-mine", uploaded=True)
    assert problems == []
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[lesson_panel.UPLOADS] = {"upload-mine": lesson}
    at.query_params.update({"lesson": "upload-mine", "step": "1"})
    at.switch_page(nav.BY_NAME["robustness"].path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("uploaded: this session only, not in a shareable link" in t for t in shown_text(at))
    give(at, lesson, 1, 29)
    assert at.success[0].value.startswith("Correct")


# --- the Lessons page, presentation mode, embedding --------------------------------------------

def test_the_lessons_page_lists_each_lesson_with_start_and_present_links():
    at = open_page(nav.BY_NAME["lessons"].path)
    assert not at.exception and not at.error, [e.value for e in at.error]
    titles = [s.value for s in at.subheader]
    for lesson in SHIPPED.values():
        assert lesson.title in titles
        links = {pl.proto.label: dict(parse_qsl(pl.proto.query_string)) for pl in at.get("page_link")
                 if dict(parse_qsl(pl.proto.query_string)).get("lesson") == lesson.name}
        assert links["Start"]["step"] == "1" and "present" not in links["Start"]
        assert links["Present"]["present"] == "1"
        first = lesson.steps[0].values()
        assert all(links["Start"][k] == P.fmt(v) for k, v in first.items())
    assert at.get("file_uploader")
    assert any("this browser session only" in t for t in shown_text(at))


def test_present_mode_styles_the_page_and_shows_the_keys():
    at = open_step(SHIPPED["deep"], 1, {"present": "1"})
    assert not at.exception, [e.value for e in at.exception]
    assert any("font-size: 20px" in h.proto.body for h in at.get("html"))
    assert any("← / →" in t for t in shown_text(at))
    nxt = dict(parse_qsl(link(at, "Next").query_string))
    assert nxt["present"] == "1", "the next step stays in presentation mode"


def test_without_present_there_is_no_projector_style():
    at = open_step(SHIPPED["deep"], 1)
    assert not any("font-size: 20px" in h.proto.body for h in at.get("html"))


@pytest.mark.parametrize("path", [nav.BY_NAME["deep_alignment"].path, nav.BY_NAME["lessons"].path])
def test_embed_true_still_renders_the_page(path):
    at = open_page(path, {"embed": "true"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.title
    assert at.query_params["embed"] in ("true", ["true"])


def test_exit_presentation_turns_it_off():
    at = open_step(SHIPPED["deep"], 1, {"present": "1"})
    at.button(key="_lesson_present_off").click().run()
    assert "present" not in at.query_params
    assert not any("font-size: 20px" in h.proto.body for h in at.get("html"))


def test_the_lessons_page_serves_the_course_pack_zip(course_pack, monkeypatch):
    """The button's wiring (the pack itself: tests/test_coursepack.py): nothing is built until
    asked, then the zip the builder made is the download."""
    from coursepack import build, download

    where, _ = course_pack
    zipped = where.with_name(where.name + ".zip").read_bytes()
    report = build.Report(where, where, 7_000_000, len(zipped), 45)
    calls = []
    monkeypatch.setattr(build, "zip_bytes", lambda **kw: calls.append(kw) or (zipped, report))
    download._pack.clear()
    at = open_page(nav.BY_NAME["lessons"].path)
    assert not at.get("download_button") and calls == []
    next(b for b in at.button if b.label == "Make the offline course pack").click().run()
    assert not at.exception
    (button,) = [b for b in at.get("download_button") if b.proto.label.startswith("Download the course")]
    assert f"{len(zipped) / 1e6:.1f} MB" in button.proto.label and len(calls) == 1
    download._pack.clear()
