"""A phone's first screen shows a page's point: at 390×844 (touch) every page opens with its title,
one sentence and its main figure, the rest of its introduction after its figures
(``ui.page.layout.intro``); on a laptop the introduction stays where it is written, above them.
"""

from __future__ import annotations

import re

import pytest

from e2e_util import CHART, page_url, settle
from ui.state import nav

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}

# A page's point where it is not a chart: the first lesson card, the first derivation's heading,
# the glossary's table.
POINT = {"lessons": '[data-testid="stMain"] h3',
         "derivations": '[data-testid="stMain"] [data-testid="stTabPanel"] h4',
         "glossary": '[data-testid="stMain"] table'}
# Of a chart, this much at least is on the first screen (all of it when it is shorter).
SHOWN_PX = 300

SCREEN_JS = """(point) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const box = e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; };
  const h1 = main.querySelector('h1');
  const fig = main.querySelector(point);
  const more = main.querySelector('.st-key-page_more');
  const top = fig ? fig.getBoundingClientRect().top : Infinity;
  // the prose between the title and the point (not a widget's label, not inside a figure)
  const prose = [...main.querySelectorAll('[data-testid="stMarkdown"], [data-testid="stCaptionContainer"], [data-testid="stAlert"]')]
    .filter(e => !e.closest('[data-testid="stWidgetLabel"], [data-live-figure], .st-key-page_more'))
    .filter(e => { const r = e.getBoundingClientRect(); return r.height > 0 && r.top >= h1.getBoundingClientRect().bottom - 1 && r.bottom <= top + 1; })
    .map(e => e.innerText.trim()).filter(Boolean);
  return {h1: h1 && box(h1), fig: fig && box(fig), more: more && box(more), prose,
          height: window.innerHeight};
}"""


def sentences(text: str) -> int:
    text = re.sub(r"\b(et al|e\.g|i\.e|[A-Z])\.", "", text)  # abbreviations and initials
    return len(re.findall(r"[.!?](?=\s|$)", text))


def measure(page, server, index: int) -> dict:
    info = nav.PAGES[index]
    page.goto(page_url(server, info, default=index == 0))
    settle(page)
    return page.evaluate(SCREEN_JS, POINT.get(info.url_path, CHART))


@pytest.mark.parametrize("index", [pytest.param(i, id=p.url_path) for i, p in enumerate(nav.PAGES)])
def test_a_phone_first_screen_holds_title_sentence_and_figure(phone, server, index):
    info = nav.PAGES[index]
    m = measure(phone, server, index)
    where = f"{info.title} at 390×844"
    assert m["h1"] and 0 <= m["h1"]["top"] and m["h1"]["bottom"] <= m["height"], f"{where}: title {m['h1']}"
    assert m["fig"], f"{where}: no main figure"
    fig = m["fig"]
    shown = min(fig["bottom"], m["height"]) - max(fig["top"], 0)
    assert shown >= min(SHOWN_PX, fig["bottom"] - fig["top"]) - 1, (
        f"{where}: {shown:.0f} px of the main figure (top {fig['top']:.0f}) on the first screen")
    text = " ".join(m["prose"])
    assert len(m["prose"]) <= 1 and sentences(text) <= 1, f"{where}: before the figure: {m['prose']}"
    if m["more"]:
        assert m["more"]["top"] >= fig["bottom"] - 1, f"{where}: the introduction's rest is above the figure"


def test_a_laptop_keeps_the_introduction_above_the_figures(browser, server):
    """The phone's order is CSS on a narrow screen only: on a laptop the rest of the introduction
    is where it is written, between the lead sentence and the figure."""
    ctx = browser.new_context(viewport=LAPTOP)
    try:
        page = ctx.new_page()
        index = next(i for i, p in enumerate(nav.PAGES) if p.url_path == "harm_horizon")
        m = measure(page, server, index)
        assert m["more"] and m["fig"], m
        assert m["h1"]["bottom"] <= m["more"]["top"] and m["more"]["bottom"] <= m["fig"]["top"] + 1, m
    finally:
        ctx.close()


def test_the_glossary_on_a_phone_shows_every_column_without_scrolling(phone, server):
    """Four columns do not fit 390 px: each symbol is a block there, every cell on the screen,
    each after the symbol labelled with its column's name."""
    index = next(i for i, p in enumerate(nav.PAGES) if p.url_path == "glossary")
    measure(phone, server, index)
    cells = phone.evaluate("""() => {
      const table = document.querySelector('[data-testid="stMain"] table');
      const cells = [...table.querySelectorAll('tbody td')];
      return {wide: table.scrollWidth - table.clientWidth, n: cells.length,
              off: cells.filter(td => { const r = td.getBoundingClientRect();
                                        return r.left < 0 || r.right > window.innerWidth + 0.5; }).length,
              labels: [2, 3, 4].map(i => getComputedStyle(table.querySelector(`tbody td:nth-child(${i})`),
                                                           '::before').content)};
    }""")
    assert cells["n"] > 40 and cells["off"] == 0 and cells["wide"] <= 0, cells
    assert cells["labels"] == ['"Meaning here: "', '"The paper\'s name: "', '"Where: "'], cells
