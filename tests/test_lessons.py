"""Lesson files: the shipped lessons load and their computed answers are right; a
malformed file gives one readable message per problem and never an exception."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import theory
from ui.state import params as P
from ui.classroom import answers, lessons

SHIPPED, BROKEN = lessons.shipped()
QUESTIONS = [pytest.param(lesson, n, id=f"{lesson.name}-{n}")
             for lesson in SHIPPED.values() for n, step in enumerate(lesson.steps, 1)
             if step.question is not None]

GOOD = '''
title = "A small lesson"
[[steps]]
page = "robustness"
params = "mu=100&gamma=0.9&p_base=0.01&delta=0.5&k=5&view=1"
text = "Corollary 23."
why = "Because."
[steps.question]
kind = "number"
prompt = "L*?"
answer = "attack_length"
tolerance = 0
'''


def parse(text: str):
    return lessons.parse(text, "test")


def problems_of(text: str) -> list[str]:
    lesson, problems = parse(text)
    assert lesson is None, "expected the file to be rejected"
    assert problems and all(isinstance(p, str) and p for p in problems)
    return problems


# --- the shipped lessons -----------------------------------------------------------------------

def test_the_three_lessons_ship_and_load():
    assert BROKEN == {}
    assert list(SHIPPED) == ["shallow", "deep", "attacks"]
    titles = [lesson.title for lesson in SHIPPED.values()]
    assert titles == ["Why alignment is shallow", "Making alignment deep", "Attacks"]


@pytest.mark.parametrize("lesson", SHIPPED.values(), ids=list(SHIPPED))
def test_each_lesson_has_three_to_six_steps_and_two_questions(lesson):
    assert 3 <= len(lesson.steps) <= 6
    assert sum(s.question is not None for s in lesson.steps) >= 2
    assert all(s.text and s.title for s in lesson.steps)
    assert all(s.why for s in lesson.steps if s.question)


@pytest.mark.parametrize("lesson", SHIPPED.values(), ids=list(SHIPPED))
def test_a_star_between_letters_is_escaped_so_markdown_draws_it(lesson):
    """``r*ₜ`` or ``KL*ₜ`` unescaped opens Markdown emphasis: the rest of the sentence came out in
    italics (``KLₜ = aₜ·rₜ``, the stars gone). Texts and explanations are Markdown."""
    for n, step in enumerate(lesson.steps, 1):
        for field in ("text", "why"):
            found = re.findall(r"\w\*\w", (getattr(step, field) or "").replace("\\*", ""))
            assert not found, f"step {n} {field}: write \\\\* for a star between letters: {found}"


def test_both_kinds_of_question_and_both_kinds_of_answer_are_used():
    qs = [s.question for lesson in SHIPPED.values() for s in lesson.steps if s.question]
    assert {q.kind for q in qs} == {"choice", "number"}
    assert all(q.quantity is not None for q in qs), "shipped answers are computed, never stale"


def test_the_lessons_cover_what_the_issue_asks():
    pages = {name: [s.page for s in lesson.steps] for name, lesson in SHIPPED.items()}
    assert pages["shallow"][:3] == ["harm_horizon", "harm_horizon", "gradients"]
    assert "shallow_equilibrium" in pages["shallow"]
    assert pages["deep"][0] == "deep_alignment" and "robustness" in pages["deep"]
    assert "robustness" in pages["attacks"] and "evidence" in pages["attacks"]


@pytest.mark.parametrize("lesson, n", QUESTIONS)
def test_every_computed_answer_is_accepted_and_a_wrong_one_rejected(lesson, n):
    step = lesson.steps[n - 1]
    q, values = step.question, step.values()
    right = q.answer(values)
    if q.kind == "choice":
        assert 0 <= right < len(q.choices)
        assert q.accepts(right, values)
        for other in set(range(len(q.choices))) - {right}:
            assert not q.accepts(other, values)
        assert not q.accepts(None, values)
    else:
        assert math.isfinite(right)
        tol = max(q.tolerance, q.relative_tolerance * abs(right))
        assert q.accepts(right, values)
        assert q.accepts(right + 0.99 * tol, values) and q.accepts(right - 0.99 * tol, values)
        assert not q.accepts(right + 1.01 * tol + 1e-6, values)
        assert not q.accepts(right - 2 * tol - 1, values)
        assert not q.accepts(None, values)


def test_computed_answers_equal_theory():
    """Spot checks against the closed forms, independent of the app's cached helpers."""
    def question(lesson, n):
        step = SHIPPED[lesson].steps[n - 1]
        return step.question.answer(step.values()), step.values()

    x, v = question("deep", 1)  # Theorem 20 at t = k + 1
    assert x == pytest.approx(theory.recovery_probability(v["p_base"], v["mu"], v["beta"],
                                                          v["gamma"], v["k"] + 1), rel=1e-12)
    assert x == pytest.approx(0.125877, abs=1e-6)
    x, v = question("deep", 2)  # KL* tends to log(1/p) as the shift grows
    assert x == pytest.approx(math.log(1 / v["p_base"]), rel=1e-6)
    x, v = question("attacks", 1)  # Corollary 23
    assert x == theory.min_attack_length(v["delta"], v["p_base"], v["mu"], v["beta"], v["gamma"],
                                         v["k"]) == 29
    x, v = question("shallow", 2)  # q = 0: the first token decides (Theorem 9)
    assert x == 1
    x, v = question("shallow", 3)  # Theorem 10
    assert x == 0


def test_answers_module_knows_every_quantity_a_lesson_uses():
    used = {s.question.quantity for lesson in SHIPPED.values() for s in lesson.steps if s.question}
    assert used <= set(answers.QUANTITIES)


@pytest.mark.parametrize("name", list(answers.QUANTITIES))
def test_every_quantity_computes_at_the_defaults_or_says_why(name):
    values = P.defaults()
    try:
        x = answers.compute(name, values)
    except ValueError as err:
        assert str(err)
    else:
        assert not math.isnan(x)


def test_accepts_handles_infinity_and_tolerances():
    assert answers.accepts(math.inf, math.inf, 0)
    assert not answers.accepts(1e300, math.inf, 1.0)
    assert answers.accepts(10.4, 10, 0.5) and not answers.accepts(10.6, 10, 0.5)
    assert answers.accepts(101, 100, 0, relative=0.01) and not answers.accepts(102, 100, 0, 0.01)
    assert not answers.accepts(math.nan, 1, 1) and not answers.accepts(True, 1, 0)


def test_a_step_applies_defaults_beneath_its_parameters():
    step = SHIPPED["attacks"].steps[0]
    values = step.values()
    assert values["mu"] == 100.0 and values["view"] == 1
    assert values["T_toy"] == P.defaults()["T_toy"]


# --- a good file and its variants ------------------------------------------------------------

def test_a_good_file_parses():
    lesson, problems = parse(GOOD)
    assert problems == [] and lesson is not None
    q = lesson.steps[0].question
    assert (q.kind, q.quantity, q.answer(lesson.steps[0].values())) == ("number", "attack_length", 29)


def test_a_stated_answer_works_for_both_kinds():
    number = GOOD.replace('answer = "attack_length"', "answer = 3.5").replace("tolerance = 0", "tolerance = 0.1")
    lesson, problems = parse(number)
    assert problems == []
    q, v = lesson.steps[0].question, lesson.steps[0].values()
    assert q.quantity is None and q.accepts(3.55, v) and not q.accepts(3.7, v)
    choice = GOOD.split("[steps.question]")[0] + '''[steps.question]
kind = "choice"
prompt = "Which?"
choices = ["yes", "no"]
answer = "no"
'''
    lesson, problems = parse(choice)
    assert problems == []
    q, v = lesson.steps[0].question, lesson.steps[0].values()
    assert q.answer(v) == 1 and q.accepts(1, v) and not q.accepts(0, v)


def test_a_bom_and_bytes_are_fine():
    lesson, problems = lessons.parse(("\ufeff" + GOOD).encode("utf-8"), "test")
    assert problems == [] and lesson is not None


# --- malformed files: a message each, no exception -----------------------------------------------

BAD = {
    "not TOML": ("title = \n[[steps]", "not valid TOML"),
    "missing title": (GOOD.replace('title = "A small lesson"', ""), "`title` is missing"),
    "title not text": (GOOD.replace('title = "A small lesson"', "title = 3"), "must be text"),
    "no steps": ('title = "x"', "no steps"),
    "unknown page": (GOOD.replace('page = "robustness"', 'page = "nowhere"'), "is not a page"),
    "lessons page": (GOOD.replace('page = "robustness"', 'page = "lessons"'), "is not a page"),
    "unknown parameter": (GOOD.replace("mu=100", "muu=100"), "`muu` in `params` is not a parameter"),
    "junk value": (GOOD.replace("mu=100", "mu=lots"), "is not a number"),
    "out of range": (GOOD.replace("gamma=0.9", "gamma=7"), "above the maximum"),
    "k above T": (GOOD.replace("k=5", "k=80"), "exceeds the depth T"),
    "repeated parameter": (GOOD.replace("mu=100", "mu=100&mu=5"), "appears twice"),
    "params not text": (GOOD.replace('params = "mu=100&gamma=0.9&p_base=0.01&delta=0.5&k=5&view=1"',
                                     "params = 5"), "must be a URL query"),
    "bad kind": (GOOD.replace('kind = "number"', 'kind = "essay"'), "`kind` must be"),
    "unknown quantity": (GOOD.replace('"attack_length"', '"attack_lenght"'), "not a quantity"),
    "negative tolerance": (GOOD.replace("tolerance = 0", "tolerance = -1"), "must be a number ≥ 0"),
    "no why": (GOOD.replace('why = "Because."', ""), "needs a `why`"),
    "unknown key": (GOOD.replace('text = "Corollary 23."', 'text = "x"\ntexte = "y"'), "unknown key `texte`"),
    "empty text": (GOOD.replace('text = "Corollary 23."', 'text = "  "'), "`text` is empty"),
    "step not a table": ('title = "x"\nsteps = [1, 2]', "must be a table"),
    "question not a table": (GOOD.split("[steps.question]")[0].replace('why = "Because."', 'why = "b"\nquestion = 3'),
                             "must be a table"),
    "answer not finite": (GOOD.replace('"attack_length"', "inf"), "finite number"),
    "a non-whole answer, tolerance 0": (GOOD.replace('"attack_length"', '"kl_at_t"'), "not a whole number"),
    "an infinite computed answer": (GOOD.replace("gamma=0.9", "gamma=1"), "cannot type"),
    "a computed answer that cannot be computed": (GOOD.replace('"attack_length"', '"recovery_first"')
                                                  .replace("k=5", "k=50&T=50"), "cannot be computed"),
    "choice answer not a choice": (GOOD.split("[steps.question]")[0] + '[steps.question]\nkind = "choice"\n'
                                   'prompt = "?"\nchoices = ["a", "b"]\nanswer = "c"\n', "not one of the choices"),
    "one choice": (GOOD.split("[steps.question]")[0] + '[steps.question]\nkind = "choice"\n'
                   'prompt = "?"\nchoices = ["a"]\nanswer = "a"\n', "list of 2 to"),
    "duplicate choices": (GOOD.split("[steps.question]")[0] + '[steps.question]\nkind = "choice"\n'
                          'prompt = "?"\nchoices = ["a", "a"]\nanswer = "a"\n', "same text"),
    "values of the wrong length": (GOOD.split("[steps.question]")[0] + '[steps.question]\nkind = "choice"\n'
                                   'prompt = "?"\nchoices = ["a", "b"]\nanswer = "attack_length"\n'
                                   'values = [29]\n', "has 1 numbers for 2 choices"),
    "computed choice matching none": (GOOD.split("[steps.question]")[0] + '[steps.question]\nkind = "choice"\n'
                                      'prompt = "?"\nchoices = ["a", "b"]\nanswer = "attack_length"\n'
                                      'values = [3, 4]\n', "matches 0 of the choices"),
    "computed choice matching two": (GOOD.split("[steps.question]")[0] + '[steps.question]\nkind = "choice"\n'
                                     'prompt = "?"\nchoices = ["a", "b"]\nanswer = "attack_length"\n'
                                     'values = [29, 30]\ntolerance = 2\n', "matches 2 of the choices"),
    "values but a number answer": (GOOD.split("[steps.question]")[0] + '[steps.question]\nkind = "choice"\n'
                                   'prompt = "?"\nchoices = ["a", "b"]\nanswer = 1\nvalues = [1, 2]\n',
                                   "must name a quantity"),
    "too many steps": ('title = "x"\n' + "[[steps]]\npage = \"overview\"\ntext = \"t\"\n" * 21, "at most 20"),
    "huge file": ('title = "x"\n# ' + "x" * 70_000, "limit"),
}


@pytest.mark.parametrize("text, phrase", BAD.values(), ids=list(BAD))
def test_a_malformed_file_gets_a_message(text, phrase):
    problems = problems_of(text)
    assert any(phrase in p for p in problems), problems


def test_every_problem_is_reported_not_only_the_first():
    text = GOOD.replace('page = "robustness"', 'page = "nowhere"').replace("mu=100", "muu=1")
    problems = problems_of(text)
    assert any("not a page" in p for p in problems) and any("muu" in p for p in problems)
    assert all(p.startswith("Step 1") for p in problems)


def test_huge_and_binary_uploads_are_refused_with_a_message():
    assert "at most" in lessons.parse(b"x" * (lessons.MAX_BYTES + 1), "t")[1][0]
    assert "UTF-8" in lessons.parse(b"\xff\xfe\x00bad", "t")[1][0]


def test_many_problems_are_capped():
    text = 'title = "x"\n' + "[[steps]]\npage = \"no\"\nparams = \"a=1&b=2\"\n" * 20
    problems = problems_of(text)
    assert len(problems) == lessons.MAX_PROBLEMS + 1 and problems[-1].startswith("…")


def test_deep_nesting_is_a_message_not_a_crash():
    problems = problems_of("x = " + "[" * 5000 + "]" * 5000)
    assert problems


def test_user_text_in_messages_cannot_break_markdown():
    problems = problems_of(GOOD.replace('page = "robustness"', 'page = "`**evil**`' + "x" * 100 + '"'))
    assert not any("`**evil" in p for p in problems)
    assert any("…" in p for p in problems)


@given(st.text(max_size=2000))
def test_any_text_never_raises(text):
    lesson, problems = lessons.parse(text, "fuzz")
    assert (lesson is None) == bool(problems)


@given(st.binary(max_size=2000))
def test_any_bytes_never_raise(data):
    lesson, problems = lessons.parse(data, "fuzz")
    assert (lesson is None) == bool(problems)


_PIECES = ['title = "T"', "[[steps]]", 'page = "robustness"', 'page = "x"', 'params = "mu=5"',
           'params = "mu=-1&k=9999"', 'text = "t"', 'why = "w"', "[steps.question]",
           'kind = "number"', 'kind = "choice"', 'answer = "attack_length"', "answer = 2",
           'answer = "a"', 'choices = ["a", "b"]', "values = [5, inf]", "tolerance = 0.5",
           "tolerance = nan", 'prompt = "p"', "relative_tolerance = 1e308", "order = 2",
           'formula = "\\\\frac"', "steps = 3", "question = []"]


@given(st.lists(st.sampled_from(_PIECES), max_size=25))
def test_any_arrangement_of_lesson_lines_never_raises(lines):
    lesson, problems = lessons.parse("\n".join(lines), "fuzz")
    assert (lesson is None) == bool(problems)
    if lesson is not None:
        for step in lesson.steps:
            if step.question is not None:
                step.question.accepts(1.0, step.values())  # never raises either


# --- the URL's step, and upload names ---------------------------------------------------------

@pytest.mark.parametrize("raw, n, warned", [([], 1, False), (["2"], 2, False), (["abc"], 1, True),
                                             (["0"], 1, True), (["99"], 5, True), (["-3"], 1, True),
                                             (["9" * 5000], 1, True), (["1", "3"], 3, False)])
def test_the_urls_step_falls_back_with_a_message(raw, n, warned):
    got, message = lessons.step_number(raw, SHIPPED["attacks"])
    assert got == n
    assert (message is not None) == warned


@pytest.mark.parametrize("filename, name", [("my lesson.toml", "upload-my-lesson"),
                                            ("../../etc/passwd", "upload-passwd"),
                                            ("ÄÖÜ.toml", "upload-lesson"), ("", "upload-lesson")])
def test_upload_names_fit_the_url(filename, name):
    assert lessons.upload_name(filename) == name
    assert lessons.NAME.match(lessons.upload_name(filename))
