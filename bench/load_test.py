"""20 browser users for 60 s on loopback: errors, exceptions, server memory, latency.

    .venv/bin/python bench/load_test.py [--users 20] [--seconds 60] [--think 5 15]

Starts ``streamlit run app.py`` on a free 127.0.0.1 port and one headless chromium with
``--users`` contexts (separate sessions). Each user, with its own seeded random choices, opens a
random page and then keeps switching pages (sidebar navigation) and tabs, clicking preset links
and pressing arrow keys on sliders, reading the result for ``--think`` seconds between actions
as a student does. The 60 s start once every user has opened the app (a class opening a shared
link over ~30 s: its load times are printed too); everything stops by itself.

The browsers run on the same machine as the server. Each action costs the browser ~0.5 s of
CPU (a first visit ~4 s), the server ~0.1 s, so on 2 cores 20 users reading 5-15 s between
actions keep the machine below saturation; with less reading time the browsers starve each
other and the figures measure the load generator (the output says when the machine was
saturated).

Prints: actions done, errors (failed or timed-out actions, uncaught JS errors, tracebacks in the
server log) and exception elements on the pages, both expected to be 0; CPU of the server and
the machine; the server's resident memory over time; slider key press -> charts redrawn, p95
under load as a ratio to the same measurement by a single user just before (idle).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from e2e_util import (ARM_JS, ARTIFACTS, CHROMIUM_ARGS, EXCEPTION, PRESS_MS_JS,  # noqa: E402
                      SETTLED_JS, SLIDER_INPUT, SLIDERS_JS, TAB, VIEWPORT, chromium_path,
                      page_url, parse_sliders, rss_kib, streamlit_server)
from ui.state import nav

TIMEOUT_MS = 30_000  # per browser step; 20 tabs on 2 cores are slow, but a user gives up too
FIRST_LOAD_MS = 90_000  # the first visit of 20 users at once: a classroom opening the link
STAGGER_S = 1.5  # users arrive over 30 s, as a class opening a shared link does
GRACE_S = 45  # after the deadline, users get this long to finish their last action
THINK_S = (5.0, 15.0)  # a user reads the result, and the theorem beside it, before acting again
IDLE_PRESSES = 20  # slider presses by one user alone: the idle latency
SATURATED = 0.9  # machine CPU share above which the browsers starve (the figures then say so)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (fields 14, 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    hz = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - idle) / hz, sum(ticks) / hz


class Stats:
    def __init__(self):
        self.actions = 0
        self.errors: list[str] = []
        self.timeouts = 0  # errors that were a step taking over TIMEOUT_MS
        self.exceptions: list[str] = []
        self.latencies: list[float] = []
        self.slowest: list[tuple[float, str]] = []  # (ms, "page: parameter"), for the printout


async def settle(page):
    await page.wait_for_function(SETTLED_JS, timeout=TIMEOUT_MS)
    await page.wait_for_timeout(250)
    await page.wait_for_function(SETTLED_JS, timeout=TIMEOUT_MS)


# What a press that got no answer left behind: where the focus is, the key event, the app state.
PRESS_STATE_JS = """() => ({focus: document.activeElement && (document.activeElement.getAttribute('aria-label')
                             || document.activeElement.tagName),
  keydown: window.__keyDown !== null,
  script: document.querySelector('.stApp').dataset.testScriptState,
  connection: !!document.querySelector('[data-testid="stConnectionStatus"]')})"""


async def press_slider(page, rng, stats):
    sliders = parse_sliders(await page.locator(SLIDER_INPUT).evaluate_all(SLIDERS_JS))
    sliders = [s for s in sliders if s["room"] or s["room_left"]]
    if not sliders:
        return
    s = rng.choice(sliders)
    key = "ArrowRight" if s["room"] and (not s["room_left"] or rng.random() < 0.5) else "ArrowLeft"
    has_chart = await page.locator(".js-plotly-plot").count() > 0
    await page.locator(SLIDER_INPUT).nth(s["nth"]).focus()
    await page.evaluate(ARM_JS)
    await page.keyboard.press(key)
    # Done when a chart was redrawn or the rerun ended without one (a value the toy model
    # cannot do shows a warning instead of the chart; a clamped value changes nothing).
    try:
        await page.wait_for_function("window.__lastDraw !== null || window.__runEnd !== null",
                                     timeout=TIMEOUT_MS)
    except Exception as e:  # noqa: BLE001 - say what the page was doing, then count it
        seen = await page.evaluate(PRESS_STATE_JS)
        raise type(e)(f"no rerun after {key} on {s['name']}: {seen}") from e
    await settle(page)
    drawn = await page.evaluate("window.__lastDraw !== null")
    if has_chart and drawn:
        ms = (await page.evaluate(PRESS_MS_JS))[0]
        stats.latencies.append(ms)
        where = f"{urlsplit(page.url).path} {s['name']}"  # page and parameter
        stats.slowest = sorted(stats.slowest + [(ms, where)])[-5:]


async def switch_page(page, rng, base):
    i = rng.randrange(len(nav.PAGES))
    href = page_url(base, nav.PAGES[i], default=i == 0)
    await page.locator(f'[data-testid="stSidebarNavLink"][href="{href}"]').click()
    await settle(page)


PRESETS = '[data-testid="stSidebar"] [data-testid="stPageLink"] a'


async def click_one(page, rng, selector: str):
    """Click one of the elements ``selector`` finds, at random (a preset link, a tab)."""
    found = page.locator(selector)
    n = await found.count()
    if n:
        await found.nth(rng.randrange(n)).click()
        await settle(page)


class Clock:
    """The interaction phase starts when every user has opened the app (or given up)."""

    def __init__(self, users: int, seconds: float):
        self.waiting, self.seconds = users, seconds
        self.started = asyncio.Event()
        self.deadline = math.inf
        self.first_loads: list[float] = []

    def arrived(self):
        self.waiting -= 1
        if self.waiting == 0:
            self.deadline = time.monotonic() + self.seconds
            self.started.set()


async def user(i, browser, base, clock, stats, think=THINK_S,
               actions=("slider",) * 4 + ("page", "preset", "tab")):
    rng = random.Random(i)
    await asyncio.sleep(max(i, 0) * STAGGER_S)
    ctx = await browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(TIMEOUT_MS)
    page = await ctx.new_page()
    page.on("pageerror", lambda e: stats.errors.append(f"user {i}: uncaught JS error: {e}"))
    try:
        start = rng.randrange(len(nav.PAGES))
        t0 = time.monotonic()
        try:
            await page.goto(page_url(base, nav.PAGES[start], default=start == 0),
                            timeout=FIRST_LOAD_MS)
            await page.wait_for_function(SETTLED_JS, timeout=FIRST_LOAD_MS)
            clock.first_loads.append(time.monotonic() - t0)
        finally:
            clock.arrived()
        await clock.started.wait()
        # Users who all arrived wait for the last one; their first actions must not be one burst.
        await asyncio.sleep(rng.uniform(0, think[1]))
        while time.monotonic() < clock.deadline:
            action = rng.choice(actions)
            try:
                if action == "slider":
                    await press_slider(page, rng, stats)
                elif action == "page":
                    await switch_page(page, rng, base)
                elif action == "tab":
                    await click_one(page, rng, TAB)
                else:
                    await click_one(page, rng, PRESETS)
                stats.actions += 1
                await asyncio.sleep(rng.uniform(*think))
            except Exception as e:  # noqa: BLE001 - every failure is counted and printed
                stats.timeouts += type(e).__name__ == "TimeoutError"
                stats.errors.append(f"user {i}: {action} on {page.url.split('?')[0]}: "
                                    f"{type(e).__name__}: {str(e).splitlines()[0]}")
            shown = page.locator(EXCEPTION)
            if await shown.count():
                text = (await shown.first.inner_text()).strip().splitlines()
                stats.exceptions.append(f"user {i} on {page.url.split('?')[0]}: {text[0][:200]}")
                await page.goto(page_url(base, nav.PAGES[0], default=True))  # start over
                await settle(page)
    except Exception as e:  # noqa: BLE001
        stats.errors.append(f"user {i}: could not start: {type(e).__name__}: {e}")
    finally:
        await ctx.close()


async def idle_reference(browser, base, stats, presses=IDLE_PRESSES):
    """One user alone presses sliders on random pages (a new page every 5 presses), reading 1 s
    between presses, until ``presses`` presses redrew a chart: the latency without load."""
    rng = random.Random(-1)
    ctx = await browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(TIMEOUT_MS)
    try:
        page = await ctx.new_page()
        await page.goto(f"{base}/", timeout=FIRST_LOAD_MS)
        await settle(page)
        for attempt in range(4 * presses):
            if len(stats.latencies) >= presses:
                break
            if attempt % 5 == 0:
                await switch_page(page, rng, base)
            await press_slider(page, rng, stats)
            stats.actions += 1
            await asyncio.sleep(1.0)
    except Exception as e:  # noqa: BLE001 - printed with the results
        stats.errors.append(f"idle user: {type(e).__name__}: {str(e).splitlines()[0]}")
    finally:
        await ctx.close()


async def sample_memory(pid, clock, samples):
    await clock.started.wait()
    while time.monotonic() < clock.deadline:
        samples.append((time.monotonic(), rss_kib(pid)))
        await asyncio.sleep(2)


def p95(xs):
    return statistics.quantiles(xs, n=20, method="inclusive")[-1] if len(xs) >= 2 else float("nan")


async def bounded(coros, seconds: float, stats: Stats) -> None:
    """Run the users; cancel (and count as errors) any still busy GRACE_S after the deadline."""
    tasks = [asyncio.ensure_future(c) for c in coros]
    _, pending = await asyncio.wait(tasks, timeout=FIRST_LOAD_MS / 1000 + seconds + GRACE_S)
    for task in pending:
        task.cancel()
        stats.errors.append(f"a user was still busy {GRACE_S} s after the end and was stopped")
    await asyncio.gather(*pending, return_exceptions=True)


async def run(users: int, seconds: float, think: tuple[float, float], idle_presses: int) -> None:
    from playwright.async_api import async_playwright

    with streamlit_server("app.py", "load-test.log") as (base, proc):
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            idle = Stats()
            await idle_reference(browser, base, idle, idle_presses)
            rss0 = rss_kib(proc.pid)
            load, memory, clock = Stats(), [], Clock(users, seconds)
            tasks = [user(i, browser, base, clock, load, think) for i in range(users)]
            arrival0 = machine_cpu()
            start = asyncio.ensure_future(clock.started.wait())
            run_all = asyncio.ensure_future(
                bounded(tasks + [sample_memory(proc.pid, clock, memory)], seconds, load))
            await asyncio.wait([start, run_all], return_when=asyncio.FIRST_COMPLETED)
            t0, server_cpu0, machine0 = time.monotonic(), cpu_seconds(proc.pid), machine_cpu()
            arrival = (machine0[0] - arrival0[0]) / (machine0[1] - arrival0[1])
            await run_all
            elapsed = time.monotonic() - t0
            server_cpu = cpu_seconds(proc.pid) - server_cpu0
            busy, total = (a - b for a, b in zip(machine_cpu(), machine0))
            await browser.close()
        await asyncio.sleep(5)  # sessions closed: what memory does the server keep?
        rss_after = rss_kib(proc.pid)
    tracebacks = (ARTIFACTS / "load-test.log").read_text(errors="replace").count("Traceback")

    if clock.first_loads:
        print(f"first visit, {len(clock.first_loads)} users arriving {STAGGER_S} s apart: page "
              f"settled after median {statistics.median(clock.first_loads):.1f} s, "
              f"max {max(clock.first_loads):.1f} s (machine CPU {arrival * os.cpu_count():.2f} of "
              f"{os.cpu_count()}: a first visit costs the browser ~4 s of CPU)")
    print(f"{users} users reading {think[0]:g}-{think[1]:g} s between actions, then "
          f"{elapsed:.0f} s of interaction, {load.actions} actions "
          f"({load.actions / elapsed:.1f}/s), {len(load.latencies)} timed slider presses")
    print(f"errors: {len(load.errors)} ({load.timeouts} steps over {TIMEOUT_MS // 1000} s)   exception elements: {len(load.exceptions)}   "
          f"tracebacks in server log: {tracebacks}   (all expected 0)")
    for line in (load.errors + load.exceptions)[:15]:
        print("  " + line)
    print(f"idle reference (one user alone): {len(idle.latencies)} timed slider presses, "
          f"{len(idle.errors) + len(idle.exceptions)} errors and exceptions")
    for line in idle.errors[:3]:
        print("  " + line)
    cores = os.cpu_count()
    print(f"CPU during the load: server {server_cpu / elapsed:.2f} cores, whole machine "
          f"{busy / total * cores:.2f} of {cores} (the rest is mostly the {users} browser tabs)")
    if busy / total > SATURATED:
        print("  the machine was saturated: the browsers starved each other, so the latencies "
              "and any timeouts measure the load generator; read longer (--think) or use "
              "fewer --users")
    mb = [kib / 1024 for _, kib in memory]
    third = max(1, len(mb) // 3)
    print(f"server RSS (MiB): before load {rss0 / 1024:.0f}; during load min {min(mb):.0f} "
          f"max {max(mb):.0f}; first third median {statistics.median(mb[:third]):.0f}, "
          f"last third median {statistics.median(mb[-third:]):.0f}; "
          f"5 s after the users left {rss_after / 1024:.0f}")
    print("  samples every 2 s: " + " ".join(f"{x:.0f}" for x in mb))
    for label, xs in (("idle", idle.latencies), ("under load", load.latencies)):
        if xs:
            print(f"key press -> charts redrawn, {label}: median {statistics.median(xs):.0f} ms, "
                  f"p95 {p95(xs):.0f} ms (n={len(xs)})")
    print("  slowest under load: " + "; ".join(f"{ms:.0f} ms {where}" for ms, where in load.slowest[::-1]))
    if len(idle.latencies) > 1 and len(load.latencies) > 1:
        print(f"p95 under load / idle p95: {p95(load.latencies) / p95(idle.latencies):.1f}")
    else:
        print("p95 ratio: not enough timed slider presses")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--think", type=float, nargs=2, default=THINK_S, metavar=("MIN", "MAX"),
                    help="seconds a user reads between actions (uniform in [MIN, MAX])")
    ap.add_argument("--idle-presses", type=int, default=IDLE_PRESSES,
                    help="timed slider presses of the single user before the load")
    args = ap.parse_args()
    if chromium_path() is None:
        sys.exit("no chromium on PATH (bash scripts/ensure_chromium.sh)")
    asyncio.run(run(args.users, args.seconds, tuple(args.think), args.idle_presses))


if __name__ == "__main__":
    main()
