"""The app on a phone (390×844, touch): every page and tab fits the screen's width (formulas and
tables scroll inside their own box), every tab's name is whole, the title takes at most two lines,
a live figure's plot comes before its sliders and every slider is a finger's size (44 px, WCAG
2.5.5); a lesson step (predict, reveal, next) and presentation mode work there too.

One browser context for the module: a new one per page would cost a start-up each.
"""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from e2e_util import TAB, page_url, settle
from ui.state import nav

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
TARGET = 44  # px: WCAG 2.5.5's touch target, Apple's and Material's minimum too
PANEL = ".st-key-lesson_panel"

# Everything on the screen that a phone gets wrong, as readable lines (empty: all fine).
# - the page is wider than the screen (the document or the main area scrolls sideways);
# - a piece of the main area reaches past the screen's edge, unless it sits in a box that scrolls
#   sideways (a formula, a table) or is plotly's own drawing (clipped to the chart by design);
# - a tab's name is cut: outside the screen, outside its tab list, or its text overflows the tab;
# - a display formula wider than its box that does not scroll;
# - a live figure whose sliders come before the plot, a live slider or value box under 44 px tall;
# - a Streamlit slider whose thumb cannot be hit 20 px above or below its centre;
# - the page's title on more than two lines.
PHONE_JS = """([target]) => {
  const W = window.innerWidth, out = [];
  const main = document.querySelector('[data-testid="stMain"]');
  const doc = document.documentElement;
  if (doc.scrollWidth > W + 1) out.push(`the document is ${doc.scrollWidth} px wide`);
  if (main.scrollWidth > main.clientWidth + 1) out.push(`the main area scrolls sideways to ${main.scrollWidth} px`);
  const name = e => (e.innerText || e.textContent || e.tagName).trim().replace(/\\s+/g, ' ').slice(0, 50);
  const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const inScroller = e => { for (let a = e.parentElement; a && a !== main; a = a.parentElement)
                              if (scrolls(a)) return true; return false; };
  const shown = e => e.checkVisibility({visibilityProperty: true});
  const reported = new Set();
  for (const e of main.querySelectorAll('*')) {
    // plotly's drawing, the tab list (below), what only a screen reader gets (KaTeX's MathML, a
    // Streamlit slider's input: clipped to nothing)
    if (e.closest('.js-plotly-plot, [role="tablist"], .katex-mathml, [data-testid="stSlider"] input')
        || !shown(e)) continue;
    const r = e.getBoundingClientRect();
    if (!r.width || (r.right <= W + 1 && r.left >= -1) || inScroller(e)) continue;
    if ([...reported].some(p => p.contains(e))) continue;
    reported.add(e);
    out.push(`${e.tagName.toLowerCase()}.${[...e.classList].slice(0, 2).join('.')} "${name(e)}" spans ${Math.round(r.left)}..${Math.round(r.right)} px`);
  }
  for (const t of main.querySelectorAll('[data-testid="stTab"]')) {
    if (!shown(t)) continue;  // a lesson's page, hidden until Reveal
    const r = t.getBoundingClientRect(), list = t.closest('[role="tablist"]').getBoundingClientRect();
    const text = t.querySelector('p') || t;
    if (r.left < -1 || r.right > W + 1) out.push(`tab "${name(t)}" at ${Math.round(r.left)}..${Math.round(r.right)} px, off the screen`);
    else if (r.left < list.left - 1 || r.right > list.right + 1) out.push(`tab "${name(t)}" clipped by its tab list`);
    if (text.scrollWidth > text.clientWidth + 1) out.push(`tab "${name(t)}": its name is cut`);
    if (r.height < target - 0.5) out.push(`tab "${name(t)}" is ${Math.round(r.height)} px tall`);
  }
  for (const k of main.querySelectorAll('.katex-display')) {
    if (shown(k) && k.scrollWidth > k.clientWidth + 1 && !scrolls(k))
      out.push(`formula "${name(k)}" is ${k.scrollWidth - k.clientWidth} px wider than its box and does not scroll`);
  }
  for (const f of main.querySelectorAll('[data-live-figure]')) {
    const plot = f.querySelector('.live-plot'), controls = f.querySelector('.live-controls');
    if (plot && controls && plot.getBoundingClientRect().top > controls.getBoundingClientRect().top)
      out.push(`live figure ${f.dataset.liveFigure}: the sliders come before the plot`);
    for (const e of f.querySelectorAll('input')) {
      if (!shown(e)) continue;  // a lesson's page, hidden until Reveal
      const h = e.getBoundingClientRect().height;
      if (h < target - 0.5) out.push(`live ${e.type === 'range' ? 'slider' : 'value box'} ${e.name} is ${Math.round(h)} px tall`);
    }
  }
  const h1 = main.querySelector('h1');
  if (h1 && shown(h1)) {
    const s = getComputedStyle(h1);
    const lines = (h1.getBoundingClientRect().height - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom))
                  / parseFloat(s.lineHeight);
    if (lines > 2.2) out.push(`the title "${name(h1)}" takes ${Math.round(lines)} lines`);
  }
  // Last: this scrolls each slider into view (elementFromPoint sees only the screen). The track
  // takes a press anywhere on it and drags the thumb from there (react-aria's useSlider).
  for (const input of document.querySelectorAll('[data-testid="stSlider"] input[type="range"]')) {
    const thumb = input.parentElement.parentElement, track = thumb.parentElement;
    if (!shown(track) || track.getBoundingClientRect().right <= 0) continue;  // a folded sidebar
    thumb.scrollIntoView({block: 'center', inline: 'nearest'});
    // a thumb at either end of its track is half past it: the track's last pixel then
    const r = thumb.getBoundingClientRect(), t = track.getBoundingClientRect();
    const x = Math.min(Math.max((r.left + r.right) / 2, t.left + 1), t.right - 1), y = (r.top + r.bottom) / 2;
    const miss = [-(target / 2 - 2), target / 2 - 2].map(dy => [dy, document.elementFromPoint(x, y + dy)])
      .filter(([, hit]) => !hit || !track.contains(hit));
    if (miss.length) out.push(`slider "${input.getAttribute('aria-label')}": its thumb is missed `
      + miss.map(([dy, hit]) => `${Math.round(dy)} px from its centre (${hit ? hit.tagName + ' "' + name(hit) + '"' : 'nothing'})`).join(', '));
  }
  return out;
}"""


def problems(page) -> list[str]:
    return page.evaluate(PHONE_JS, [TARGET])


def revealed(page) -> list[str]:
    """problems() once a page shown by Reveal has taken the screen's width: its charts were drawn
    hidden (700 px wide) and Streamlit resizes them a moment after they are shown."""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function("""() => document.querySelector('[data-testid="stMain"]').scrollWidth
                                        <= window.innerWidth""", timeout=5_000)
    return problems(page)


@pytest.mark.parametrize("index", [pytest.param(i, id=p.url_path) for i, p in enumerate(nav.PAGES)])
def test_every_page_and_tab_fits_a_phone(phone, server, index):
    info, page = nav.PAGES[index], phone
    page.goto(page_url(server, info, default=index == 0))
    settle(page)
    tabs = page.locator(f'[data-testid="stMain"] {TAB}')
    found = []
    for j in range(max(tabs.count(), 1)):
        if j:
            tabs.nth(j).tap()
            settle(page)
            assert tabs.nth(j).get_attribute("aria-selected") == "true", f"tab {j + 1} did not open"
        found += [f"{info.title}, tab {j + 1}: {p}" for p in problems(page)]
    assert not found, "\n".join(found)


def test_the_selected_tab_is_marked_and_arrow_keys_move(phone, server):
    """A wrapped tab list: the selected tab looks selected (not only by the moving bar, which
    is positioned for one row), and the arrow keys still go from tab to tab."""
    page = phone
    page.goto(f"{server}/{nav.BY_NAME['deep_alignment'].url_path}")
    settle(page)
    tabs = page.locator(f'[data-testid="stMain"] {TAB}')
    assert tabs.count() >= 3
    # Not by its text's colour alone (WCAG 1.4.1): a bar under it, a border or a background; the
    # bar where the tab is, in whichever row of the wrapped list.
    marks = tabs.evaluate_all("""ts => ts.map(t => {
        const s = getComputedStyle(t), bar = t.querySelector('.react-aria-SelectionIndicator');
        const r = t.getBoundingClientRect(), b = bar && bar.getBoundingClientRect();
        const barShown = !!bar && getComputedStyle(bar).backgroundColor !== 'rgba(0, 0, 0, 0)'
          && b.height >= 2 && b.left >= r.left - 1 && b.right <= r.right + 1
          && b.top >= r.top - 1 && b.bottom <= r.bottom + 1;
        return [t.getAttribute('aria-selected'), [barShown, s.borderBottomWidth,
                s.borderBottomColor, s.backgroundColor].join(' ')]; })""")
    chosen = {style for selected, style in marks if selected == "true"}
    others = {style for selected, style in marks if selected != "true"}
    assert len(chosen) == 1 and not chosen & others, f"the selected tab is not marked apart: {marks}"
    tabs.first.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.dataset.key") == "1"


def test_the_sidebar_sliders_take_a_finger(phone, server):
    page = phone
    page.goto(f"{server}/{nav.BY_NAME['harm_horizon'].url_path}")
    settle(page)
    page.locator('[data-testid="stExpandSidebarButton"]').tap()
    page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').first.wait_for()
    page.wait_for_timeout(400)  # the sidebar slides in
    assert page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').count() >= 2
    found = [p for p in problems(page) if p.startswith("slider")]
    page.locator('[data-testid="stSidebarCollapseButton"] button').tap()  # as the next test expects
    assert not found, "\n".join(found)


def _target(page, locator, what: str) -> None:
    """``locator`` can be reached (scrolled into view, inside the screen) and is 44 px tall."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box, f"{what} is not laid out"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, f"{what} off the screen: {box}"
    assert box["height"] >= TARGET - 0.5, f"{what} is {box['height']:.0f} px tall"


def test_a_lesson_on_a_phone(phone, server):
    """Lessons page -> Start -> a step with a question: answer, Reveal, Next; each stage fits."""
    page = phone
    page.goto(f"{server}/{nav.BY_NAME['lessons'].url_path}")
    settle(page)
    start = page.locator('[data-testid="stMain"] a[href*="lesson=attacks"]:not([href*="present"])').first
    _target(page, start, "the lesson's Start link")
    start.tap()
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '1'")
    settle(page)
    panel = page.locator(PANEL)
    assert not problems(page), problems(page)
    box = panel.locator("input[type='number']")
    _target(page, box, "the answer box")
    box.fill("29")
    box.press("Enter")
    settle(page)
    reveal = panel.get_by_role("button", name="Check and reveal")
    _target(page, reveal, "Check and reveal")
    reveal.tap()
    settle(page)
    assert panel.get_by_text("Correct: 29 tokens.").is_visible()
    found = revealed(page)
    assert not found, "\n".join(found)
    nxt = page.locator(".st-key-lesson_next a")
    _target(page, nxt, "Next")
    nxt.tap()
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '2'")
    settle(page)
    assert not problems(page), problems(page)


def test_presentation_mode_on_a_phone(phone, server):
    """``?present=1`` on a step: nothing overflows, the card is not docked over the page (it
    stacks above it), and Reveal / Next are within reach."""
    page = phone
    page.goto(f"{server}/robustness?lesson=attacks&step=3&present=1")
    settle(page)
    assert not problems(page), problems(page)
    panel = page.locator(PANEL)
    for option in panel.locator('[data-testid="stRadioOption"]').all():
        _target(page, option, f"the choice {option.inner_text()!r}")
    panel.get_by_text("0.85", exact=True).tap()
    settle(page)
    reveal = panel.get_by_role("button", name="Check and reveal")
    _target(page, reveal, "Check and reveal")
    reveal.tap()
    settle(page)
    assert panel.get_by_text("Correct").first.is_visible()
    found = revealed(page)
    assert not found, "\n".join(found)
    assert page.evaluate(f"() => getComputedStyle(document.querySelector('{PANEL}')).position") != "fixed"
    _target(page, page.locator(".st-key-lesson_next a").filter(visible=True).first, "Next")
    page.goto(f"{server}/{nav.BY_NAME['deep_alignment'].url_path}?present=1")
    settle(page)
    found = problems(page)
    assert not found, "\n".join(found)
