"""Key press on a slider -> charts redrawn in the browser, against Streamlit's own floor.

    .venv/bin/python bench/bench_latency.py [--presses 25] [--loads 3] [--warmup 3]

Starts three servers on free loopback ports in one run: the explorer (app.py),
bench/trivial_app.py (one slider, one chart: the issue's floor) and bench/frame_app.py (the
explorer's page frame, navigation, presets, twin controls, tabs, formulas, around one chart and
no theory: Streamlit's floor for this layout). For both floors and every page of the
explorer that has a chart and a sidebar slider it presses ArrowRight on a slider ``--presses``
times (after ``--warmup`` unmeasured presses, 3 by default) and times, on the page's own clock,
keydown -> the last chart the rerun redraws. It also times navigation -> first chart drawn for a
new visitor (``--loads`` fresh browser contexts per page, the one the presses are timed in among
them). The heaviest page is the one with the slowest median.

Prints figures only (targets: ratio heaviest/trivial <= 1.3, p95 < 250 ms, first chart < 3 s);
it asserts nothing about time. Needs chromium on PATH and the playwright package.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from e2e_util import (ARM_JS, CHART, CHROMIUM_ARGS, FIRST_CHART_INIT, PRESS_MS_JS,  # noqa: E402
                      SLIDER_INPUT, VIEWPORT, chromium_path, page_url, settle, sidebar_sliders,
                      streamlit_server)
from ui.state import nav

WARMUP = 3  # first presses on a page pay one-off costs (lazy JS, empty caches)


def p95(xs):
    return statistics.quantiles(xs, n=20, method="inclusive")[-1]


def first_chart_ms(browser, url: str, loads: int) -> list[float]:
    times = []
    for _ in range(loads):
        ctx = browser.new_context(viewport=VIEWPORT)
        page = ctx.new_page()
        page.add_init_script(FIRST_CHART_INIT)
        page.goto(url)
        page.wait_for_function("window.__firstChart !== null", timeout=60_000)
        times.append(page.evaluate("window.__firstChart"))
        ctx.close()
    return times


def press_ms(browser, url: str, presses: int, slider=None, warmup: int = WARMUP):
    """``(parameter, draw ms, rerun-end ms, first chart ms)`` for ``presses`` ArrowRight presses
    on the first sidebar slider with room for them (or on slider index ``slider``); None if the
    page has no such slider or no chart. Rerun end: the script state went back to notRunning,
    before plotly has drawn; the difference to the draw time is spent in the browser. The visit
    is a fresh context, so its first chart counts as one of the page's first-chart loads."""
    ctx = browser.new_context(viewport=VIEWPORT)
    try:
        page = ctx.new_page()
        page.add_init_script(FIRST_CHART_INIT)
        page.goto(url)
        settle(page, timeout=60_000)
        first = page.evaluate("window.__firstChart")
        if slider is None:
            roomy = [s for s in sidebar_sliders(page) if s["room"] >= presses + warmup]
            if not roomy or not page.locator(CHART).count():
                return None
            slider, name = roomy[0]["nth"], roomy[0]["name"]
        else:
            name = page.locator(SLIDER_INPUT).nth(slider).get_attribute("aria-label")
        page.locator(SLIDER_INPUT).nth(slider).focus()
        times = []
        for i in range(presses + warmup):
            page.evaluate(ARM_JS)
            page.keyboard.press("ArrowRight")
            page.wait_for_function("window.__lastDraw !== null", timeout=30_000)
            settle(page)  # the whole rerun is over: no later chart can still be redrawn
            if i >= warmup:
                times.append(page.evaluate(PRESS_MS_JS))
        draws = [d for d, _ in times]
        runs = [r for _, r in times if r is not None]
        return name, draws, runs, first
    finally:
        ctx.close()


def row(label: str, xs: list[float], runs: list[float]) -> str:
    return (f"{label:<34} {statistics.median(xs):8.0f} {p95(xs):8.0f} {max(xs):8.0f} {len(xs):4d}"
            f" {statistics.median(runs) if runs else float('nan'):10.0f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--presses", type=int, default=25, help="measured presses per page (>= 20)")
    ap.add_argument("--loads", type=int, default=3,
                    help="fresh visits per page for first chart (>= 1; the timed visit is one)")
    ap.add_argument("--warmup", type=int, default=WARMUP,
                    help=f"unmeasured presses first on each page (default {WARMUP}; 0 for a smoke run)")
    args = ap.parse_args()
    if args.loads < 1 or args.presses < 2 or args.warmup < 0:
        ap.error("--loads >= 1, --presses >= 2 (a p95 needs two), --warmup >= 0")
    path = chromium_path()
    if path is None:
        sys.exit("no chromium on PATH (bash scripts/ensure_chromium.sh)")
    from playwright.sync_api import sync_playwright

    with (sync_playwright() as pw,
          streamlit_server("app.py", "bench-app.log") as (app, _),
          streamlit_server("bench/trivial_app.py", "bench-trivial.log") as (trivial, _),
          streamlit_server("bench/frame_app.py", "bench-frame.log") as (frame, _)):
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        for url in (app + "/", trivial + "/", frame + "/"):  # imports happen once, unmeasured
            first_chart_ms(browser, url, 1)
        # The floor in two halves, before and after the app's pages, so drift averages out.
        half = args.presses // 2
        _, floor, floor_runs, first = press_ms(browser, trivial + "/", half, slider=0,
                                               warmup=args.warmup)
        floor_first = [first] + first_chart_ms(browser, trivial + "/", args.loads - 1)
        pages = {}
        for i, info in enumerate(nav.PAGES):
            url = page_url(app, info, default=i == 0)
            measured = press_ms(browser, url, args.presses, warmup=args.warmup)
            if measured:
                name, draws, runs, first = measured
                first = [first] + first_chart_ms(browser, url, args.loads - 1)
                measured = name, draws, runs
            pages[info.title] = (first if measured else None, measured)
        _, layout, layout_runs, _ = press_ms(browser, frame + "/", args.presses, slider=0,
                                             warmup=args.warmup)
        _, more, more_runs, first = press_ms(browser, trivial + "/", args.presses - half, slider=0,
                                             warmup=args.warmup)
        floor, floor_runs = floor + more, floor_runs + more_runs
        floor_first += [first] + first_chart_ms(browser, trivial + "/", args.loads - 1)
        browser.close()

    print("key press -> charts redrawn (ms)      median      p95      max    n  rerun end")
    print(row("trivial one-slider app (floor)", floor, floor_runs))
    print(row("page frame, one chart, no theory", layout, layout_runs))
    measured = {t: m for t, (_, m) in pages.items() if m}
    for title, (name, xs, runs) in measured.items():
        print(row(f"{title} [{name}]", xs, runs))
    for title, (first, m) in pages.items():
        if not m:
            print(f"{title:<34} (no chart with a sidebar slider: not measured)")
    if not measured:
        print("no page of the app has a chart and a sidebar slider")
        return
    heaviest = max(measured, key=lambda t: statistics.median(measured[t][1]))
    heavy = measured[heaviest][1]
    ratio = statistics.median(heavy) / statistics.median(floor)
    print(f"\nheaviest page: {heaviest}")
    print(f"median ratio heaviest / trivial: {ratio:.2f}  (target <= 1.3)")
    print(f"p95 heaviest: {p95(heavy):.0f} ms  (target < 250 ms)")
    print(f"median ratio heaviest / page frame: {statistics.median(heavy) / statistics.median(layout):.2f}"
          "  (what the page adds to Streamlit drawing this layout)")
    print("\nnavigation -> first chart drawn, new visitor (ms)   median      max    n")
    print(f"{'trivial one-slider app':<48} {statistics.median(floor_first):8.0f} "
          f"{max(floor_first):8.0f} {len(floor_first):4d}")
    for title, (first, _) in pages.items():
        if first:
            print(f"{title:<48} {statistics.median(first):8.0f} {max(first):8.0f} {len(first):4d}")
    worst = max((max(f) for f, _ in pages.values() if f), default=float("nan"))
    print(f"slowest first chart: {worst / 1000:.2f} s  (target < 3 s)")


if __name__ == "__main__":
    main()
