"""20 browser users at once for 60 s on loopback: errors, exceptions, server memory, latency (issue 6).

    .venv/bin/python bench/load_test.py [--users 20] [--seconds 60]

Starts ``streamlit run app.py`` on a free 127.0.0.1 port and one headless chromium with
``--users`` contexts (separate sessions). Each user, with its own seeded random choices, opens a
random page and then keeps switching pages (sidebar navigation), clicking preset links and
pressing arrow keys on sliders until the time is up; everything stops by itself.

Prints: actions done, errors (failed or timed-out actions, uncaught JS errors, tracebacks in the
server log) and exception elements on the pages, both expected to be 0; the server's resident
memory over time; slider key press -> charts redrawn, p95 under load as a ratio to the same
measurement by a single user just before (idle). On 2 cores the 20 browser tabs share the CPU
with the server, so the ratio includes the browser's own slowdown.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from e2e_util import (ARM_JS, ARTIFACTS, CHROMIUM_ARGS, EXCEPTION, PRESS_MS_JS,  # noqa: E402
                      SETTLED_JS, SLIDER_INPUT, SLIDERS_JS, VIEWPORT, chromium_path, page_url,
                      parse_sliders, rss_kib, streamlit_server)
from ui import nav  # noqa: E402

TIMEOUT_MS = 30_000  # per browser step; 20 tabs on 2 cores are slow, but a user gives up too
FIRST_LOAD_MS = 90_000  # the first visit of 20 users at once: a classroom opening the link
STAGGER_S = 0.5  # users arrive over 10 s, as a class opening a shared link does
GRACE_S = 45  # after the deadline, users get this long to finish their last action


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


async def settle(page):
    await page.wait_for_function(SETTLED_JS, timeout=TIMEOUT_MS)
    await page.wait_for_timeout(250)
    await page.wait_for_function(SETTLED_JS, timeout=TIMEOUT_MS)


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
    if has_chart:
        await page.wait_for_function("window.__lastDraw !== null", timeout=TIMEOUT_MS)
    await settle(page)
    if has_chart:
        stats.latencies.append((await page.evaluate(PRESS_MS_JS))[0])


async def switch_page(page, rng, base):
    i = rng.randrange(len(nav.PAGES))
    href = page_url(base, nav.PAGES[i], default=i == 0)
    await page.locator(f'[data-testid="stSidebarNavLink"][href="{href}"]').click()
    await settle(page)


async def click_preset(page, rng):
    links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"] a')
    n = await links.count()
    if n:
        await links.nth(rng.randrange(n)).click()
        await settle(page)


async def user(i, browser, base, deadline, stats, actions=("slider",) * 4 + ("page", "preset")):
    rng = random.Random(i)
    await asyncio.sleep(max(i, 0) * STAGGER_S)
    ctx = await browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(TIMEOUT_MS)
    page = await ctx.new_page()
    page.on("pageerror", lambda e: stats.errors.append(f"user {i}: uncaught JS error: {e}"))
    try:
        start = rng.randrange(len(nav.PAGES))
        await page.goto(page_url(base, nav.PAGES[start], default=start == 0), timeout=FIRST_LOAD_MS)
        await page.wait_for_function(SETTLED_JS, timeout=FIRST_LOAD_MS)
        while time.monotonic() < deadline:
            action = rng.choice(actions)
            try:
                if action == "slider":
                    await press_slider(page, rng, stats)
                elif action == "page":
                    await switch_page(page, rng, base)
                else:
                    await click_preset(page, rng)
                stats.actions += 1
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


async def sample_memory(pid, deadline, samples):
    while time.monotonic() < deadline:
        samples.append((time.monotonic(), rss_kib(pid)))
        await asyncio.sleep(2)


def p95(xs):
    return statistics.quantiles(xs, n=20, method="inclusive")[-1] if len(xs) >= 2 else float("nan")


async def bounded(coros, seconds: float, stats: Stats) -> None:
    """Run the users; cancel (and count as errors) any still busy GRACE_S after the deadline."""
    tasks = [asyncio.ensure_future(c) for c in coros]
    _, pending = await asyncio.wait(tasks, timeout=seconds + GRACE_S)
    for task in pending:
        task.cancel()
        stats.errors.append(f"a user was still busy {GRACE_S} s after the end and was stopped")
    await asyncio.gather(*pending, return_exceptions=True)


async def run(users: int, seconds: float) -> None:
    from playwright.async_api import async_playwright

    with streamlit_server("app.py", "load-test.log") as (base, proc):
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            idle = Stats()  # one user alone, same mix of actions: the reference latency
            await bounded([user(-1, browser, base, time.monotonic() + 20, idle)], 20, idle)
            rss0 = rss_kib(proc.pid)
            load, memory = Stats(), []
            deadline = time.monotonic() + seconds
            t0, server_cpu0, machine0 = time.monotonic(), cpu_seconds(proc.pid), machine_cpu()
            tasks = [user(i, browser, base, deadline, load) for i in range(users)]
            await bounded(tasks + [sample_memory(proc.pid, deadline, memory)], seconds, load)
            elapsed = time.monotonic() - t0
            server_cpu = cpu_seconds(proc.pid) - server_cpu0
            busy, total = (a - b for a, b in zip(machine_cpu(), machine0))
            await browser.close()
        await asyncio.sleep(5)  # sessions closed: what memory does the server keep?
        rss_after = rss_kib(proc.pid)
    tracebacks = (ARTIFACTS / "load-test.log").read_text(errors="replace").count("Traceback")

    print(f"{users} users, {elapsed:.0f} s, {load.actions} actions "
          f"({load.actions / elapsed:.1f}/s), {len(load.latencies)} timed slider presses")
    print(f"errors: {len(load.errors)} ({load.timeouts} steps over {TIMEOUT_MS // 1000} s)   exception elements: {len(load.exceptions)}   "
          f"tracebacks in server log: {tracebacks}   (all expected 0)")
    for line in (load.errors + load.exceptions)[:15]:
        print("  " + line)
    print(f"idle (one user, 20 s): {idle.actions} actions, "
          f"{len(idle.errors) + len(idle.exceptions)} errors and exceptions")
    cores = os.cpu_count()
    print(f"CPU during the load: server {server_cpu / elapsed:.2f} cores, whole machine "
          f"{busy / total * cores:.2f} of {cores} (the rest is mostly the 20 browser tabs)")
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
    if len(idle.latencies) > 1 and len(load.latencies) > 1:
        print(f"p95 under load / idle p95: {p95(load.latencies) / p95(idle.latencies):.1f}")
    else:
        print("p95 ratio: not enough timed slider presses")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args()
    if chromium_path() is None:
        sys.exit("no chromium on PATH (bash scripts/ensure_chromium.sh)")
    asyncio.run(run(args.users, args.seconds))


if __name__ == "__main__":
    main()
