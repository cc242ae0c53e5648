"""Shared by the browser tests and bench/: start Streamlit, launch Debian's chromium, read the DOM.

Facts this relies on (STACK_NOTES.md, Streamlit 1.67): sliders are
``[data-testid="stSlider"] input[type=range]``; ``.stApp`` carries ``data-test-script-state``
(``initial`` -> ``running`` -> ``notRunning``); plotly charts are remounted on every rerun.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

# No network beyond loopback, no GPU, no sandbox (containers): the flags STACK_NOTES.md lists.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}

EXCEPTION = '[data-testid="stException"]'
CHART = ('[data-testid="stPlotlyChart"], [data-live-figure], [data-testid="stVegaLiteChart"], '
         '[data-testid="stArrowVegaLiteChart"]')
SLIDER_INPUT = '[data-testid="stSlider"] input[type="range"]'
TAB = '[data-testid="stTab"]'  # st.tabs is react-aria in 1.67: no baseweb tab-list
WARNING = '[data-testid="stAlertContentWarning"]'
PLACEHOLDER_TEXT = "Coming soon"  # what the unbuilt toy-model pages show (views/2-4)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(script: str = "app.py", log_name: str = "streamlit.log",
                     env: dict[str, str] | None = None):
    """Run ``streamlit run script`` on a free loopback port; yield its base URL and process.
    ``env`` is added to this process's environment for the server.

    The server gets its own process group so that anything it spawns (kaleido's chromium for
    figure export) is stopped with it, by that group's id, and nothing else is touched.
    """
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / log_name, "wb")
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--browser.gatherUsageStats", "false",
           # Files edited while the tests run must not trigger "source changed" reruns mid-test.
           "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        yield base, proc
    finally:
        stop(proc)
        log.close()


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}; see {ARTIFACTS}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        time.sleep(0.2)
    raise RuntimeError(f"{base}/_stcore/health did not answer within {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM the server's process group (its id is the server's pid), SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)


def rss_kib(pid: int) -> int:
    """Resident memory of one process from /proc (psutil is not a dependency)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


# --- DOM ------------------------------------------------------------------------------------

# True once the script has run to the end and every chart on the page is drawn: plotly draws
# after Streamlit's rerun ends, and on a first visit the chart and widget code loads lazily
# (a grey stSkeleton stands in meanwhile, with the script state already 'notRunning').
SETTLED_JS = """() => {
  const app = document.querySelector('.stApp');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]')) return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;  // a lazy chunk still loading
  // A chart not displayed (the page under a lesson's unanswered question) is drawn only once shown.
  for (const c of document.querySelectorAll('[data-testid="stPlotlyChart"], .live-root'))
    if (c.checkVisibility() && !c.querySelector('.js-plotly-plot .main-svg')) return false;
  for (const c of document.querySelectorAll('[data-testid="stVegaLiteChart"]'))  // vega draws later too
    if (c.checkVisibility() && !c.querySelector('svg .role-mark, canvas')) return false;
  return true;
}"""

# What the charts show: plotly's input data, or vega's rendered output.
CHART_SIGNATURE_JS = """() => Array.from(document.querySelectorAll(
    '[data-testid="stPlotlyChart"] .js-plotly-plot, [data-live-figure] .js-plotly-plot, [data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]'))
  .map(el => el.classList.contains('js-plotly-plot')
       ? JSON.stringify(el.data) + JSON.stringify(el.layout && el.layout.shapes)
       : (el.querySelector('canvas') ? el.querySelector('canvas').toDataURL() : el.innerHTML))"""

# The text of everything in the main area except the charts: titles, LaTeX, metrics, captions.
NUMBERS_JS = """() => Array.from(document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stElementContainer"]'))
  .filter(el => !el.querySelector('[data-testid="stPlotlyChart"], [data-testid="stVegaLiteChart"]')
                && !el.querySelector('[data-testid="stElementContainer"]'))
  .map(el => el.innerText).join('\\n')"""


def settle(page, timeout: float = 30_000) -> None:
    """Wait until the app is idle and drawn, twice over 250 ms (a rerun can follow a rerun)."""
    page.wait_for_function(SETTLED_JS, timeout=timeout)
    page.wait_for_timeout(250)
    page.wait_for_function(SETTLED_JS, timeout=timeout)


def chart_signature(page) -> list[str]:
    return page.evaluate(CHART_SIGNATURE_JS)


def numbers(page) -> str:
    return page.evaluate(NUMBERS_JS)


def query(page) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(page.url).query, keep_blank_values=True))


def page_url(base: str, info, default: bool) -> str:
    """The address of a ``ui.state.nav.PageInfo``: the default page lives at the root."""
    return f"{base}/" if default else f"{base}/{info.url_path}"


# Every slider: [aria-label, value, min, max, step, in the sidebar?] (value is an index for
# select_sliders, such as the log-scale ones).
SLIDERS_JS = """els => els.map(e => [e.getAttribute('aria-label'), +e.value, +e.min, +e.max,
                                     +e.step || 1, !!e.closest('[data-testid="stSidebar"]')])"""


def parse_sliders(attrs: list) -> list[dict]:
    """Sidebar sliders bound to a ``ui.state.params`` parameter: its name, the slider's index among
    all SLIDER_INPUTs on the page, and how many ArrowRight / ArrowLeft presses it can take."""
    from ui.state.params import PARAMS

    by_label = {p.label: p.name for p in PARAMS.values()}
    return [{"name": by_label[label], "nth": nth, "room": round((hi - value) / step),
             "room_left": round((value - lo) / step)}
            for nth, (label, value, lo, hi, step, in_sidebar) in enumerate(attrs)
            if in_sidebar and label in by_label]


def sidebar_sliders(page) -> list[dict]:
    return parse_sliders(page.locator(SLIDER_INPUT).evaluate_all(SLIDERS_JS))


# Key press -> every chart the rerun remounts is drawn again. arm() before the press; after the
# rerun, read window.__lastDraw - window.__keyDown (ms, both on the page's own clock).
ARM_JS = """() => {
  const old = new Set(document.querySelectorAll('.js-plotly-plot'));
  const counted = new WeakSet();
  window.__keyDown = null; window.__lastDraw = null; window.__runEnd = null;
  const app = document.querySelector('.stApp');
  document.addEventListener('keydown', () => { window.__keyDown = performance.now(); },
                            {capture: true, once: true});
  if (window.__drawObserver) window.__drawObserver.disconnect();
  window.__drawObserver = new MutationObserver(() => {
    for (const g of document.querySelectorAll('.js-plotly-plot'))
      if (!old.has(g) && !counted.has(g) && g.querySelector('.main-svg .trace')) {
        counted.add(g); window.__lastDraw = performance.now();
      }
  });
  window.__drawObserver.observe(document.body, {subtree: true, childList: true});
  // A live figure (ui/live) keeps its chart and redraws it in place: its data-redraws counts.
  if (window.__liveObserver) window.__liveObserver.disconnect();
  window.__liveObserver = new MutationObserver(() => { window.__lastDraw = performance.now(); });
  window.__liveObserver.observe(document.body, {subtree: true, attributes: true,
                                                attributeFilter: ['data-redraws']});
  // When the script run ends (rerun finished on the server, deltas applied): splits the time
  // into Streamlit rerun vs. chart drawing.
  let ran = false;
  if (window.__runObserver) window.__runObserver.disconnect();
  window.__runObserver = new MutationObserver(() => {
    const s = app.dataset.testScriptState;
    if (s === 'running') ran = true;
    else if (ran && s === 'notRunning' && window.__runEnd === null) window.__runEnd = performance.now();
  });
  window.__runObserver.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
PRESS_MS_JS = """() => window.__keyDown === null ? null :
  [window.__lastDraw - window.__keyDown, window.__runEnd === null ? null : window.__runEnd - window.__keyDown]"""

# Navigation start (time origin) -> the first plotly trace drawn; install with add_init_script.
FIRST_CHART_INIT = """
  window.__firstChart = null;
  new MutationObserver((_, obs) => {
    if (document.querySelector('.js-plotly-plot .main-svg .trace')) {
      window.__firstChart = performance.now(); obs.disconnect();
    }
  }).observe(document, {subtree: true, childList: true});
"""


# --- KaTeX failures -------------------------------------------------------------------------

# Every visible formula KaTeX could not draw: a ``.katex-error`` (a parse error: KaTeX shows the
# source, the message in its title) or a ``.katex`` with something drawn in KaTeX's error red
# (#cc0000 = rgb(204, 0, 0): an unknown macro such as ``\lek`` is drawn that way, no error).
# One record per formula: kind, its TeX source, the red text, the error message, the label of
# the expander it sits in (or null), and a ``data-katex-failed`` mark to find it again.
KATEX_ERRORS_JS = """() => {
  const RED = 'rgb(204, 0, 0)';
  const expander = el => {
    const x = el.closest('[data-testid="stExpander"]');
    if (!x) return null;
    const s = x.querySelector('summary [data-testid="stMarkdownContainer"]') || x.querySelector('summary');
    return s ? s.innerText.trim() : '';
  };
  document.querySelectorAll('[data-katex-failed]').forEach(e => e.removeAttribute('data-katex-failed'));
  const out = [];
  const add = (el, rec) => {
    rec.mark = String(out.length + 1);
    el.setAttribute('data-katex-failed', rec.mark);
    rec.expander = expander(el);
    out.push(rec);
  };
  for (const e of document.querySelectorAll('.katex-error')) {
    if (!e.checkVisibility()) continue;
    add(e, {kind: 'error', tex: e.textContent, red: [], message: e.getAttribute('title') || ''});
  }
  for (const k of document.querySelectorAll('.katex')) {
    if (k.closest('.katex-error') || !k.checkVisibility()) continue;
    const red = new Set();
    for (const e of k.querySelectorAll('*'))
      if (getComputedStyle(e).color === RED) red.add(e);
    if (!red.size) continue;
    // The outermost red elements' text: what the reader sees in red.
    const texts = [...new Set([...red].filter(e => !red.has(e.parentElement))
                                      .map(e => e.textContent.trim()).filter(t => t))];
    const ann = k.querySelector('.katex-mathml annotation[encoding="application/x-tex"]');
    add(k.closest('.katex-display') || k,
        {kind: 'red', tex: ann ? ann.textContent : k.innerText, red: texts, message: ''});
  }
  return out;
}"""


def katex_errors(page) -> list[dict]:
    """The visible formulas KaTeX failed on (see KATEX_ERRORS_JS), in one evaluate."""
    return page.evaluate(KATEX_ERRORS_JS)

# Metric labels and values wider than their box (Streamlit cuts them with an ellipsis).
METRICS_CUT_JS = """() => [...document.querySelectorAll(
    '[data-testid="stMetricValue"], [data-testid="stMetricLabel"], '
    + '[data-testid="stMetricValue"] *, [data-testid="stMetricLabel"] *')]
  .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""


# Formulas wider than their column are cut off at the column's edge (KaTeX does not wrap): the
# formula's ink (a Range over its contents) must end within its column (or the main block).
# KaTeX's content routinely pokes 1-2 px past its box; beyond 4 px a glyph is lost.
FORMULA_OVERFLOW_JS = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] .katex-display'))
  .map(e => {
    const ink = document.createRange();
    ink.selectNodeContents(e.querySelector('.katex-html') || e);
    const room = (e.closest('[data-testid="stColumn"]')
                  || e.closest('[data-testid="stMainBlockContainer"]')).getBoundingClientRect();
    const tex = e.querySelector('annotation');
    return [Math.round(ink.getBoundingClientRect().right - room.right),
            tex ? tex.textContent : e.innerText];
  })
  .filter(([past]) => past > 4)"""


# --- Text in plotly charts (charts a student can read) ---------------------------

# Every piece of text in each plotly chart (``.js-plotly-plot`` on a page; the ``svg`` root of an
# exported file) that could collide: legend entries, annotations, the figure and axis titles
# (subplot axes x2, y2, … too), tick labels, slider and button labels, and the toolbar (modebar,
# measured whenever it is laid out: Streamlit shows it while the pointer is on the chart). Each
# as the quadrilateral it covers on screen (rotated tick labels stay rotated), so the test is
# exact: two pieces overlap when they intersect by more than ``tol`` px in every direction
# (separating axes). Also each piece that reaches past the chart's own edge (cut off there).
# Returns one record per chart: {index, name, count, overlaps: [[a, b, px]], outside: [a]}, each
# piece as {kind, text}; charts with a problem get ``data-text-problem=<index>`` for a screenshot.
CHART_TEXT_JS = r"""([rootSelector, tol]) => {
  const shown = el => el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  const quad = el => {
    if (el instanceof SVGGraphicsElement && el.getScreenCTM()) {
      const b = el.getBBox(), m = el.getScreenCTM();
      return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
        .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
    }
    const r = el.getBoundingClientRect();
    return [[r.left, r.top], [r.right, r.top], [r.right, r.bottom], [r.left, r.bottom]];
  };
  const depth = (p, q) => {  // how far two convex quads overlap (<= 0: apart)
    let least = Infinity;
    for (const poly of [p, q]) for (let i = 0; i < 4; i++) {
      const [x1, y1] = poly[i], [x2, y2] = poly[(i + 1) % 4];
      const len = Math.hypot(x2 - x1, y2 - y1);
      if (len < 1e-9) continue;
      const ax = -(y2 - y1) / len, ay = (x2 - x1) / len;
      const proj = poly2 => poly2.map(([x, y]) => x * ax + y * ay);
      const a = proj(p), b = proj(q);
      least = Math.min(least, Math.min(Math.max(...a), Math.max(...b)) - Math.max(Math.min(...a), Math.min(...b)));
    }
    return least;
  };
  const roots = [...document.querySelectorAll(rootSelector)].filter(r => r.checkVisibility());
  return roots.map((root, index) => {
    const items = [];
    const add = (kind, el, text) => {
      text = (text || '').replace(/[\s\u200b]+/g, ' ').trim();
      const math = el.querySelector && el.querySelector('[data-mml-node], .gtitle-math, [class*="math"]');
      if ((!text && !math) || el.closest('.hoverlayer') || !shown(el)) return;
      const b = el.getBBox ? el.getBBox() : el.getBoundingClientRect();
      if (b.width < 0.5 || b.height < 0.5) return;
      items.push({kind, text: text || '(formula)', quad: quad(el)});
    };
    const mathText = el => { const m = el.querySelector('[data-unformatted]');
                             return m ? m.getAttribute('data-unformatted') : el.textContent; };
    root.querySelectorAll('.legendtext, .legendtitletext').forEach(e => add('legend entry', e, e.textContent));
    root.querySelectorAll('.annotation').forEach(a => {
      const t = a.querySelector('.annotation-text-math-group') || a.querySelector('.annotation-text');
      if (t) add('annotation', t, mathText(a));
    });
    root.querySelectorAll('.infolayer > g[class^="g-"][class$="title"]').forEach(g =>
      add(g.classList[0] === 'g-gtitle' ? 'title' : 'axis title', g, mathText(g)));
    root.querySelectorAll('[class$="axislayer-above"] text').forEach(e => add('tick label', e, e.textContent));
    root.querySelectorAll('.slider-container text, .updatemenu-container text').forEach(e => add('control label', e, e.textContent));
    const bar = root.querySelector('.modebar');
    if (bar && bar.checkVisibility() && bar.getBoundingClientRect().width > 0)
      items.push({kind: 'toolbar', text: 'plotly toolbar (modebar, shown on hover)', quad: quad(bar)});
    const rb = root.getBoundingClientRect();
    const overlaps = [], outside = [];
    const plain = it => ({kind: it.kind, text: it.text});
    items.forEach((it, i) => {
      if (it.kind !== 'toolbar' && it.quad.some(([x, y]) => x < rb.left - tol || x > rb.right + tol
                                                            || y < rb.top - tol || y > rb.bottom + tol))
        outside.push(plain(it));
      for (let j = i + 1; j < items.length; j++) {
        const d = depth(it.quad, items[j].quad);
        if (d > tol) overlaps.push([plain(it), plain(items[j]), Math.round(d * 10) / 10]);
      }
    });
    root.removeAttribute('data-text-problem');
    if (overlaps.length || outside.length) root.setAttribute('data-text-problem', String(index));
    const title = items.find(it => it.kind === 'axis title' || it.kind === 'title');
    return {index, name: title ? title.text : `chart ${index + 1}`, count: items.length,
            overlaps, outside};
  });
}"""


def chart_text_problems(page, root_selector: str = ".js-plotly-plot", tol: float = 1.0) -> list[dict]:
    """CHART_TEXT_JS on the page, in one evaluate: a record for every chart (those with no
    problem have empty ``overlaps`` and ``outside``)."""
    return page.evaluate(CHART_TEXT_JS, [root_selector, tol])


def describe_text_problems(chart: dict) -> list[str]:
    """One readable line per overlap / cut-off piece of a CHART_TEXT_JS record."""
    lines = [f"{a['kind']} {a['text']!r} overlaps {b['kind']} {b['text']!r} by {px} px"
             for a, b, px in chart["overlaps"]]
    return lines + [f"{a['kind']} {a['text']!r} is cut off at the chart's edge" for a in chart["outside"]]


def report_text_problems(page, artifacts, stem: str, where: str, charts: list[dict],
                         root: str) -> list[str]:
    """describe_text_problems for every chart with a problem, each with a screenshot of that
    chart (``<stem>-<chart index>.png`` in ``artifacts``) named in its line."""
    lines = []
    for chart in charts:
        problems = describe_text_problems(chart)
        if not problems:
            continue
        shot = artifacts / f"{stem}-{chart['index']}.png"
        page.locator(f'{root}[data-text-problem="{chart["index"]}"]').first.screenshot(path=shot)
        lines += [f"{where}, chart {chart['index'] + 1} ({chart['name']}): {p} [{shot.name}]"
                  for p in problems]
    return lines


# --- live figures (ui/live) -------------------------------------------------------------------
LIVE = '[data-live-figure="{}"]'


def _live_input(page, figure: str, name: str) -> None:
    """Wait until the live figure has drawn its slider ``name``: the component mounts after the
    page's rerun settles, later still on a loaded machine (seen once under pytest-xdist)."""
    page.wait_for_selector(f'{LIVE.format(figure)} input[name="{name}"]', state="attached",
                           timeout=30_000)


def live_drag(page, figure: str, name: str, position) -> None:
    """What a drag on a live figure's slider does: move the input and fire `input` (no
    `change`: nothing is released)."""
    _live_input(page, figure, name)
    page.evaluate("""([sel, name, position]) => {
        const input = document.querySelector(sel + ' input[name="' + name + '"]');
        input.value = position;
        input.dispatchEvent(new Event('input', {bubbles: true}));
    }""", [LIVE.format(figure), name, position])


def live_release(page, figure: str, name: str) -> None:
    """Release a live figure's slider (`change`): the value goes to the server."""
    _live_input(page, figure, name)
    page.evaluate("""([sel, name]) => document.querySelector(sel + ' input[name="' + name + '"]')
                     .dispatchEvent(new Event('change', {bubbles: true}))""", [LIVE.format(figure), name])


def run_async(coro, timeout: float = 120):
    """Run a websocket client's coroutine to its end, from a test that also drives Playwright.

    Playwright's sync API keeps an event loop running in the test's thread, where asyncio.run
    refuses to start; the coroutine gets a thread (and a loop) of its own.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coro, timeout)).result()
