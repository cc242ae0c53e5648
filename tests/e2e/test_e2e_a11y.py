"""Accessibility in a real browser: axe-core (the engine behind Lighthouse's accessibility audit)
finds no serious or critical violation on any page, tab or expander at a laptop's and a phone's
size; and a whole lesson can be walked with the keyboard alone, every stop showing a focus ring
(axe-core checks its lesson card on the way).

axe-core is the pinned npm package of scripts/axe-core.toml, put into the venv by
scripts/fetch_axe.py (``make test`` runs it; this module runs it too) and injected from that
file: nothing comes from a CDN.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from e2e_util import ROOT, TAB, page_url, query, settle
from ui.state import nav

pytestmark = pytest.mark.e2e

SIZES = ({"width": 1280, "height": 800}, {"width": 390, "height": 844})
FAILING = ("serious", "critical")  # moderate and minor ones are listed, not failed

# Every collapsed expander in the main area and the sidebar (opening one may rerun the page).
CLOSED_EXPANDER = '[data-testid="stExpander"] details:not([open]) > summary'

AXE_RUN_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary.replace(/\\s+/g, ' '))}));
}"""


@pytest.fixture(scope="module")
def axe_script():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "fetch_axe.py")],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.fail(f"scripts/fetch_axe.py could not install axe-core:\n{done.stderr}", pytrace=False)
    return done.stdout.strip()


def axe(page, script: str) -> list[dict]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=script)
    return page.evaluate(AXE_RUN_JS)


def open_expanders(page) -> None:
    """Open every expander; they are clicked together and the reruns they cause settle once."""
    closed = page.locator(CLOSED_EXPANDER)
    for _ in range(3):  # an expander drawn by another one's rerun is opened in the next round
        if not closed.count():
            return
        page.evaluate("sel => document.querySelectorAll(sel).forEach(s => s.click())", CLOSED_EXPANDER)
        settle(page)
    assert not closed.count(), f"{page.url}: expanders do not stay open"


# Two animation frames: the resized layout is drawn, and the page's own scripts have answered it
# (ui.page.layout gives an overflowing formula its tabindex in the frame after a change).
FRAMES_JS = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


@pytest.fixture(scope="module")
def tab(browser):
    """One browser tab for the module's pages (a fresh context per page would cost a start-up)."""
    ctx = browser.new_context(viewport=SIZES[0])
    ctx.set_default_timeout(30_000)
    yield ctx.new_page()
    ctx.close()


@pytest.fixture(scope="module")
def report(artifacts):
    """Every violation this process found, in test-artifacts/axe-violations[-<xdist worker>].txt."""
    lines = []
    yield lines
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    (artifacts / f"axe-violations{'-' + worker if worker else ''}.txt").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("index", [pytest.param(i, id=p.url_path) for i, p in enumerate(nav.PAGES)])
def test_no_serious_violations_on_any_tab_or_expander(tab, server, axe_script, report, index):
    """The page, each of its tabs in turn with every expander open, checked at 1280×800 and
    again at 390×844 (the same state resized: the phone layout of what the laptop showed).
    Moderate and minor violations are printed (``-s``, or ``-rP``), serious ones fail."""
    info, page = nav.PAGES[index], tab
    page.set_viewport_size(SIZES[0])
    page.goto(page_url(server, info, default=index == 0))
    settle(page)
    tabs = page.locator(f'[data-testid="stMain"] {TAB}')
    failures, listed = [], []
    for j in range(max(tabs.count(), 1)):
        if j:
            page.set_viewport_size(SIZES[0])
            tabs.nth(j).click()
            settle(page)
        open_expanders(page)
        for size in SIZES:
            page.set_viewport_size(size)
            page.evaluate(FRAMES_JS)
            where = f"{info.title}, tab {j + 1}, {size['width']}×{size['height']}"
            for v in axe(page, axe_script):
                line = "\n    ".join([f"{where}: {v['impact']} {v['id']} ({v['help']})", *v["nodes"]])
                (failures if v["impact"] in FAILING else listed).append(line)
    report.extend(failures + listed)
    print(f"{info.title}: {len(failures)} serious or critical, {len(listed)} moderate or minor",
          *listed, sep="\n")
    assert not failures, "\n".join(failures)


# --- keyboard only ------------------------------------------------------------------------

# The focused element: a name for it, and whether a focus ring is drawn. The ring is an outline or
# a box-shadow on the element, or on one of its two nearest visible ancestors (a radio's input is
# visually hidden, 1×1 px inside a clipped span: its option's label draws the ring).
FOCUSED_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  // A data table (glide-data-grid, a canvas) keeps the focus while Tab moves its cell cursor, a
  // ring it draws around the cell, out of reach of CSS; Tab leaves it after the last column.
  const grid = e.matches('canvas[data-testid="data-grid-canvas"]');
  const tiny = x => { const r = x.getBoundingClientRect(); return r.width <= 2 || r.height <= 2; };
  let at = e;
  while (at.parentElement && (tiny(at) || tiny(at.parentElement))) at = at.parentElement;
  const ringed = x => {
    const s = getComputedStyle(x);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || s.boxShadow !== 'none';
  };
  const ring = [at, at.parentElement, at.parentElement && at.parentElement.parentElement]
    .some(x => x && ringed(x));
  const name = (e.getAttribute('aria-label') || e.innerText || e.value || '').trim()
    .replace(/\\s+/g, ' ').slice(0, 60);
  return {name: `${e.tagName.toLowerCase()} ${e.getAttribute('role') || e.type || ''} "${name}"`,
          ring: ring || grid, grid, id: (e.__stop = e.__stop || Math.random())};
}"""


def tab_to(page, selector: str, limit: int = 80) -> list[str]:
    """Press Tab until the focus is on ``selector`` (within the lesson panel or the page); every
    stop on the way must be a new element with a focus ring. Returns the stops."""
    stops, last = [], None
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = page.evaluate(FOCUSED_JS)
        if now is None:  # past the last stop (or from an element a rerun removed): wraps to the top
            assert stops[-1:] != ["(nowhere)"], f"Tab leaves the focus nowhere after {stops[-4:]}"
            stops.append("(nowhere)")
            last = None
            continue
        assert now["id"] != last or now["grid"], f"Tab did not move on from {now['name']}"
        assert now["ring"], f"no visible focus ring on {now['name']} (after {stops[-3:]})"
        stops.append(now["name"])
        last = now["id"]
        if page.evaluate("sel => document.activeElement.matches(sel)", selector):
            return stops
    raise AssertionError(f"{selector} not reached in {limit} Tab presses: {stops}")


PANEL = ".st-key-lesson_panel"
# The lesson "Why alignment is shallow" (lessons/shallow.toml): step -> how to answer its question.
ANSWERS = {2: ("number", "1"), 3: ("number", "0"), 4: ("choice", 0), 5: ("choice", 1)}


def wait_for_step(page, step: str) -> None:
    page.wait_for_function("s => new URLSearchParams(location.search).get('step') === s",
                           arg=step, timeout=15_000)
    settle(page)


def serious(page, script: str) -> list[str]:
    return [f"{v['impact']} {v['id']}: {v['nodes']}" for v in axe(page, script) if v["impact"] in FAILING]


def test_a_whole_lesson_with_the_keyboard_alone(new_page, server, axe_script):
    """Lessons page -> Start -> every step: answer (typed, or a choice picked with the arrow
    keys), reveal, next; on one revealed page also a tab (arrow keys), an expander and a download;
    Finish. Only page.keyboard: every Tab stop on the way has a focus ring. The lesson card is
    checked by axe-core too, with a choice question open and with an answer revealed."""
    page = new_page()
    page.goto(f"{server}/{nav.BY_NAME['lessons'].url_path}")
    settle(page)
    tab_to(page, '[data-testid="stMain"] a[href*="lesson=shallow"]:not([href*="present"])')
    page.keyboard.press("Enter")
    wait_for_step(page, "1")
    for n in range(1, 6):
        if n in ANSWERS:
            kind, answer = ANSWERS[n]
            if kind == "number":
                tab_to(page, f'{PANEL} input[type="number"]')
                page.keyboard.type(answer)
                page.keyboard.press("Enter")  # Streamlit takes a typed number on Enter
                settle(page)
            else:
                if n == 4:
                    assert not serious(page, axe_script), "the lesson card with a choice question"
                tab_to(page, f'{PANEL} input[type="radio"]')  # the group's first choice
                page.keyboard.press("Space")
                for _ in range(answer):
                    page.keyboard.press("ArrowDown")
                settle(page)
            stops = tab_to(page, f".st-key-_lesson_answer_shallow_{n}_reveal button")
            assert "Check and reveal" in stops[-1], f"step {n}: the answer was not taken"
            page.keyboard.press("Space")
            settle(page)
            assert page.locator(PANEL).get_by_text("Correct:").is_visible(), f"step {n}: not answered"
        if n == 2:  # the revealed page, by keyboard too
            assert not serious(page, axe_script), "the lesson card with its answer revealed"
            tab_to(page, '[data-testid="stMain"] [role="tab"][aria-selected="true"]')
            page.keyboard.press("ArrowLeft")  # view 1 -> 0, selected as the focus moves
            page.wait_for_function("() => new URLSearchParams(location.search).get('view') === '0'")
            settle(page)
            tab_to(page, '[data-testid="stMain"] [data-testid="stExpander"] summary')
            page.keyboard.press("Enter")
            settle(page)
            tab_to(page, '[data-testid="stMain"] [data-testid="stDownloadButton"] button')
            with page.expect_download() as download:
                page.keyboard.press("Enter")
            assert download.value.failure() is None
        if n < 5:
            tab_to(page, ".st-key-lesson_next a")
            page.keyboard.press("Enter")
            wait_for_step(page, str(n + 1))
    tab_to(page, ".st-key-_lesson_finish button")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{nav.BY_NAME['lessons'].url_path}**")
    settle(page)
    assert "lesson" not in query(page), "Finish closes the lesson"
