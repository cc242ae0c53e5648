"""Accessibility in a real browser: axe-core (the engine behind Lighthouse's accessibility audit)
finds no serious or critical violation on any page, tab or expander at a laptop's and a phone's
size; and a whole lesson can be walked with the keyboard alone, every stop showing a focus ring.

axe-core is the pinned npm package of scripts/axe-core.toml, put into the venv by
scripts/fetch_axe.py (``make test`` runs it; this module runs it too) and injected from that
file: nothing comes from a CDN.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from e2e_util import ROOT, TAB, settle, page_url
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
    """Every violation found in the module, written to test-artifacts/axe-violations.txt."""
    lines = []
    yield lines
    (artifacts / "axe-violations.txt").write_text("\n".join(lines) + "\n")


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
