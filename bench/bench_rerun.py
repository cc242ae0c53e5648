"""Server time of a new session and of a rerun, per page, spoken over Streamlit's websocket.

    .venv/bin/python bench/bench_rerun.py [--repeats 15] [--only methods,evidence] [--compare REF]

Starts ``streamlit run app.py`` on a free loopback port and drives it with ``loadtest.protocol``
(no browser: the client costs ~1 ms a run, so what is timed is the server). For every page of
``ui.state.nav``:

- **open**: a new session (new websocket) opening the page with the lecturer's typical link,
  once with the defaults (no query) and once with a few parameters (:data:`LINK`); the first
  open of each link is unmeasured (it fills the caches, as the first student does), the next
  ``--repeats`` are measured;
- **slider**: one session moves a whole-page slider (or number box) one step, ``--repeats``
  times (back and forth, as a student tries neighbouring values);
- **tab**: the same session switches to another tab, ``--repeats`` times.

One more session stays open all along, as in a lecture hall (Streamlit drops its compiled page
scripts whenever no session is left).

For each: wall time from request to ``script_finished`` (median, p95), the server's CPU per run
(utime + stime of the server process from ``/proc/<pid>/stat`` around the batch, divided by the
batch's runs: wall time on a shared 2-core machine is noisy, CPU time much less), and the
median bytes the run sent. Last, 20 new sessions opening Deep alignment at once: the wall time
until the last one finished and the server's CPU for all 20.

``--compare REF`` first runs the same measurement on git revision REF (checked out into a
temporary worktree, served by the same Python), then on the working tree, and prints both
tables and the ratio after / before. Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from e2e_util import ARTIFACTS, free_port, stop, wait_healthy  # noqa: E402
from loadtest.procstat import cpu_seconds  # noqa: E402
from loadtest.protocol import Session, nudged  # noqa: E402
from ui.state import nav  # noqa: E402

LINK = "beta=0.5&mu=10&gamma=0.95"  # a lecturer's link: a few parameters, the rest defaults
AT_ONCE = 20
AT_ONCE_PAGE = "deep_alignment"



def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20, method="inclusive")[-1] if len(xs) > 1 else xs[0]


@contextlib.contextmanager
def server(root: Path):
    """``streamlit run app.py`` from ``root`` on a free loopback port; yields (base url, pid)."""
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "bench_rerun.log", "ab")
    # PYTHONPATH first: the venv's editable install points at this worktree, not at ``root``.
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        yield base, proc.pid
    finally:
        stop(proc)
        log.close()


class Batch:
    """Runs of one kind: wall seconds and bytes of each, and the server's CPU over all of them."""

    def __init__(self, pid: int):
        self.pid, self.seconds, self.bytes, self.cpu = pid, [], [], 0.0

    @contextlib.asynccontextmanager
    async def timing(self):
        start = cpu_seconds(self.pid)
        yield
        self.cpu += cpu_seconds(self.pid) - start

    def add(self, run) -> None:
        if run.exceptions:
            raise RuntimeError(f"exception on the page: {run.exceptions[0]}")
        self.seconds.append(run.seconds)
        self.bytes.append(run.bytes)

    def row(self) -> dict:
        n = len(self.seconds)
        return {"n": n, "median": statistics.median(self.seconds) * 1e3,
                "p95": p95(self.seconds) * 1e3, "cpu": self.cpu / n * 1e3,
                "kB": statistics.median(self.bytes) / 1e3}


def whole_page_control(run):
    """The control a rerun changes: a slider outside any fragment (a parameter of the page),
    else a number box, else any slider or number box; None when the page has none. A
    select_slider (a log-scale parameter: its element has options) is left to its number box."""
    ranked = sorted((c for c in run.controls if c.kind == "number_input"
                     or c.kind == "slider" and not c.element.options),
                    key=lambda c: (c.fragment_id != "", c.kind != "slider"))
    return ranked[0] if ranked else None


async def measure_page(base: str, pid: int, page: str, repeats: int, rng) -> dict:
    rows = {}
    for what, query in (("open", ""), ("open+link", LINK)):
        async with Session(base) as s:  # unmeasured: the first student fills the caches
            await s.open(page, query)
        batch = Batch(pid)
        for _ in range(repeats):
            async with Session(base) as s:
                async with batch.timing():
                    batch.add(await s.open(page, query))
        rows[what] = batch.row()
    async with Session(base) as s:
        run = await s.open(page, "")
        control = whole_page_control(run)
        if control is not None:
            batch = Batch(pid)
            for _ in range(repeats):
                control = next(c for c in s.controls.values() if c.label == control.label
                               and c.kind == control.kind)
                async with batch.timing():
                    batch.add(await s.change(control, nudged(control, rng)))
            rows[f"slider ({control.label})"] = batch.row()
        tabs = [c for c in s.controls.values() if c.kind == "tab_container"]
        if tabs:
            batch = Batch(pid)
            for _ in range(repeats):
                tab = next(c for c in s.controls.values() if c.kind == "tab_container")
                async with batch.timing():
                    batch.add(await s.change(tab, nudged(tab, rng)))
            rows["tab"] = batch.row()
    return rows


async def at_once(base: str, pid: int, page: str, n: int) -> tuple[float, float]:
    """``n`` new sessions opening ``page`` together: (wall s until the last finished, CPU s)."""
    sessions = [Session(base) for _ in range(n)]
    for s in sessions:
        await s.connect(page, "")
    start_cpu, start = cpu_seconds(pid), time.perf_counter()
    runs = await asyncio.gather(*(s.open(page, "") for s in sessions))
    wall, cpu = time.perf_counter() - start, cpu_seconds(pid) - start_cpu
    for s in sessions:
        await s.close()
    if any(r.exceptions for r in runs):
        raise RuntimeError("exception on the page")
    return wall, cpu


async def measure(root: Path, pages: list[str], repeats: int, seed: int) -> dict:
    rng = random.Random(seed)
    with server(root) as (base, pid):
        first_start = time.perf_counter()
        # Open all along, as in a lecture: Streamlit empties its cache of compiled page scripts
        # whenever the last session closes, which one-after-another sessions would hit each time.
        resident = Session(base)
        await resident.open("", "")
        out = {"first": time.perf_counter() - first_start, "pages": {}}
        for page in pages:
            out["pages"][page] = await measure_page(base, pid, page, repeats, rng)
            print(f"  measured {page}", file=sys.stderr, flush=True)
        async with Session(base) as s:  # warm the page before the burst
            await s.open(AT_ONCE_PAGE, "")
        out["at_once"] = await at_once(base, pid, AT_ONCE_PAGE, AT_ONCE)
        await resident.close()
    return out


def table(result: dict, title: str) -> str:
    lines = [f"## {title}",
             f"first page of a fresh server: {result['first'] * 1e3:.0f} ms (wall)", "",
             "| page | run | n | median ms | p95 ms | server CPU ms/run | kB/run |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for page, rows in result["pages"].items():
        for what, r in rows.items():
            lines.append(f"| {page} | {what} | {r['n']} | {r['median']:.0f} | {r['p95']:.0f} | "
                         f"{r['cpu']:.0f} | {r['kB']:.1f} |")
    wall, cpu = result["at_once"]
    lines += ["", f"{AT_ONCE} new sessions at once on {AT_ONCE_PAGE}: {wall:.2f} s wall, "
                  f"{cpu:.2f} s server CPU ({cpu / AT_ONCE * 1e3:.0f} ms each)"]
    return "\n".join(lines)


def comparison(before: dict, after: dict) -> str:
    lines = ["## after / before (server CPU ms per run; median wall ms)",
             "| page | run | CPU before | CPU after | CPU ratio | wall before | wall after | "
             "kB before | kB after |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for page, rows in after["pages"].items():
        old_rows = before["pages"].get(page, {})
        for what, r in rows.items():
            # a slider row is named by its label, which may differ: match on the kind of run
            o = old_rows.get(what) or next((v for k, v in old_rows.items()
                                            if k.split(" ")[0] == what.split(" ")[0]), None)
            if o is None:
                continue
            ratio = r["cpu"] / o["cpu"] if o["cpu"] else float("nan")
            lines.append(f"| {page} | {what} | {o['cpu']:.0f} | {r['cpu']:.0f} | {ratio:.2f} | "
                         f"{o['median']:.0f} | {r['median']:.0f} | {o['kB']:.1f} | {r['kB']:.1f} |")
    (bw, bc), (aw, ac) = before["at_once"], after["at_once"]
    lines.append(f"\n{AT_ONCE} at once: {bw:.2f} s → {aw:.2f} s wall, "
                 f"{bc:.2f} s → {ac:.2f} s server CPU")
    return "\n".join(lines)


@contextlib.contextmanager
def checkout(ref: str):
    """``ref`` in a temporary detached worktree, removed afterwards."""
    where = Path(tempfile.mkdtemp(prefix="bench-rerun-"))
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(where), ref],
                   cwd=ROOT, check=True)
    try:
        yield where
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(where)], cwd=ROOT, check=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--only", default="", help="comma-separated url paths (default: every page)")
    ap.add_argument("--compare", metavar="REF", help="measure REF first, then the working tree")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    pages = args.only.split(",") if args.only else [p.url_path for p in nav.PAGES]
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start; "
          f"{args.repeats} runs per row after one unmeasured")
    if args.compare:
        with checkout(args.compare) as where:
            before = asyncio.run(measure(where, pages, args.repeats, args.seed))
        print(table(before, f"before: {args.compare}"), "\n", flush=True)
    after = asyncio.run(measure(ROOT, pages, args.repeats, args.seed))
    print(table(after, "working tree"))
    if args.compare:
        print("\n" + comparison(before, after))
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
