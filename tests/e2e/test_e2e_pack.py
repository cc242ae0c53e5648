"""The course pack in Chromium, opened from file:// with every request outside its folder
aborted: no console error and no request leaving the folder on any page; every question reveals
theory's answer; every live figure's slider redraws from theory and its formulas follow to 1e-9;
presentation mode moves between steps with ← / →."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from coursepack import formulas, steps
from e2e_util import LIVE, live_drag, live_release
from test_live_math import RTOL, reference
from ui.classroom import lessons
from ui.live import specs
from ui.state import params as P
from ui.text.latex import text

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def pack(course_pack):
    where, code = course_pack
    assert code == 0
    return where


@pytest.fixture(scope="module")
def offline(browser, pack):
    """A context that serves only the pack's own files: anything else is aborted and recorded."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    inside = pack.as_uri() + "/"
    ctx.outside = []

    def route(r):
        if r.request.url.startswith(inside):
            r.continue_()
        else:
            ctx.outside.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    yield ctx
    ctx.close()


def _open(ctx, pack, rel: str):
    page = ctx.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("requestfailed", lambda r: page.errors.append(f"failed: {r.url}"))
    page.goto(f"{pack.as_uri()}/{rel}")
    page.wait_for_function("() => document.documentElement.dataset.ready === '1'", timeout=20_000)
    return page


def _steps():
    good, _ = lessons.shipped()
    return [(lesson, n, step) for lesson in good.values() for n, step in enumerate(lesson.steps, 1)]


# Controls and images a screen reader cannot name, or names with raw TeX: none on any page.
UNNAMED_JS = """() => [
  ...Array.from(document.querySelectorAll('img')).filter(i => !i.alt.trim()).map(i => 'img ' + i.src),
  ...Array.from(document.querySelectorAll('input, button, select')).filter(el => {
    const name = (el.labels && el.labels.length ? el.labels[0].innerText : '')
      + (el.getAttribute('aria-label') || '') + (el.tagName === 'BUTTON' ? el.innerText : '');
    return !name.trim() || /[$\\\\]/.test(name);
  }).map(el => el.outerHTML.slice(0, 80)),
]"""


def test_every_page_loads_offline_without_an_error(offline, pack):
    for path in sorted(pack.rglob("*.html")):
        page = _open(offline, pack, path.relative_to(pack).as_posix())
        assert page.errors == [], (path.name, page.errors)
        assert page.locator("mjx-merror, [data-mjx-error]").count() == 0, path.name  # TeX typeset
        assert page.evaluate(UNNAMED_JS) == [], path.name
        page.close()
    assert offline.outside == []


def test_every_question_reveals_theorys_answer(offline, pack):
    for lesson, n, step in _steps():
        if step.question is None:
            continue
        q, values = step.question, step.values()
        right = q.answer(values)
        page = _open(offline, pack, steps.filename(lesson, n))
        figures = page.locator("section[data-until-reveal]").first
        assert not figures.is_visible(), "the figure waits for the prediction"
        page.click("button.reveal")
        shown = page.locator(".result").inner_text()
        assert figures.is_visible()
        if q.kind == "choice":
            assert shown == f"The answer: “{q.choices[right]}”.", shown
        else:
            number = shown.removeprefix("The answer: ").removesuffix(".").removesuffix(q.unit).strip()
            assert number == text(right, 4)  # theory's number, to the digits shown
            assert float(number) == pytest.approx(right, rel=5e-4, abs=1e-12)
        page.click("button.again")
        _answer(page, q, right)  # the right answer is accepted ...
        assert page.locator(".result").inner_text().startswith("Correct"), (lesson.name, n)
        page.click("button.again")
        _answer(page, q, right, wrong=True)  # ... and a wrong one is not
        assert page.locator(".result").inner_text().startswith("Not quite"), (lesson.name, n)
        assert page.errors == []
        page.close()


def _answer(page, q, right, wrong: bool = False) -> None:
    if q.kind == "choice":
        page.check(f'input[type=radio][value="{(right + 1) % len(q.choices) if wrong else right}"]')
    else:
        off = 10 * max(q.tolerance, q.relative_tolerance * abs(right), 1e-6)
        page.fill("input[type=number]", repr(right + off if wrong else right))
    page.click("button.reveal")


def _figure(page, name: str) -> list:
    return page.evaluate(f"""() => document.querySelector('{LIVE.format(name)} .js-plotly-plot')
                             .data.map(t => [Array.from(t.x), Array.from(t.y)])""")


def _call(fn: str, args: list, params: dict, x) -> np.ndarray:
    """The numeric core's value of generated function ``fn`` with the spec's arguments."""
    from ui.live import jsmath

    values = [np.asarray(x if a == "$x" else params[a] if isinstance(a, str) else a, dtype=float)
              for a in args]
    return reference(fn, dict(zip(jsmath.arguments(fn), np.broadcast_arrays(*values))))


def _check_theory(page, name: str, want: dict) -> None:
    """The figure's curves and the formulas' numbers against the numeric core at ``want``: the
    pack's values with the sliders' moves (computed here, not read back from the page)."""
    state = page.evaluate(f"() => document.querySelector('{LIVE.format(name)}').__live.params")
    assert {k: state[k] for k in want if k in state} == {k: want[k] for k in want if k in state}
    x_spec = specs.LIVE[name].x
    series = page.evaluate(f"() => document.querySelector('{LIVE.format(name)}').__live.data.series")
    for s, (x, y) in zip(series, _figure(page, name)):
        if "fixed" in s:
            continue
        if "from" in x_spec:
            assert x == list(range(want["k"] + 1, want["T"] + 1))
        got = np.array([np.inf if v is None else v for v in y], dtype=float)
        expected = _call(s["fn"], s["args"], want, x)
        finite = np.isfinite(expected)
        assert np.array_equal(np.isfinite(got), finite) or not finite.all()
        np.testing.assert_allclose(got[finite], expected[finite], rtol=RTOL)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    box = page.locator(f'.formulas[data-figure="{name}"]')
    got = [float(v) for v in json.loads(box.get_attribute("data-values"))]
    at = {**want, "k1": want["k"] + 1}
    for (fn, args), value in zip(formulas.FORMULAS[name]["values"], got, strict=True):
        expected = float(_call(fn, list(args), at, 0.0))
        assert value == expected or value == pytest.approx(expected, rel=RTOL, abs=0), (name, fn)
    tex = " ".join(box.locator(".formula").evaluate_all("els => els.map(e => e.dataset.tex)"))
    assert "@" not in tex and "undefined" not in tex, tex


def test_every_live_figure_redraws_from_theory_and_its_formulas_follow(offline, pack):
    for name, spec in specs.LIVE.items():
        page = _open(offline, pack, f"figures/{name}.html")
        root = page.locator(LIVE.format(name))
        want = P.defaults()  # the session's pack is made at the defaults
        _check_theory(page, name, want)
        before = _figure(page, name)
        for slider in spec.sliders:
            redraws = int(root.get_attribute("data-redraws"))
            s = specs.slider(slider)
            # a third of the way, on the slider's own grid (a range input snaps to its step)
            position = (len(s["stops"]) // 3 if "stops" in s else
                        round(s["min"] + round((s["max"] - s["min"]) / 3 / s["step"]) * s["step"], 10))
            live_drag(page, name, slider, position)
            live_release(page, name, slider)
            page.wait_for_function(f"() => +document.querySelector('{LIVE.format(name)}')"
                                   f".dataset.redraws > {redraws}")
            want[slider] = s["stops"][position] if "stops" in s else position
            _check_theory(page, name, want)
        assert _figure(page, name) != before, name
        assert page.errors == [], page.errors
        page.close()


def test_presentation_mode_moves_with_the_arrow_keys(offline, pack):
    page = _open(offline, pack, "lessons/deep-1.html?present=1")
    assert page.evaluate("() => document.body.classList.contains('present')")
    page.keyboard.press("ArrowRight")
    page.wait_for_url(re.compile(r"deep-2\.html\?present=1$"))
    page.wait_for_function("() => document.documentElement.dataset.ready === '1'")
    assert page.evaluate("() => document.body.classList.contains('present')")
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(r"deep-1\.html\?present=1$"))
    page.close()
    plain = _open(offline, pack, "lessons/deep-1.html")
    plain.keyboard.press("ArrowRight")  # outside presentation mode the keys scroll, as usual
    plain.wait_for_timeout(200)
    assert plain.url.endswith("deep-1.html")
    plain.close()
