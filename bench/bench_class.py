"""A simulated class through nginx to the replicas: errors, latency, CPU, memory, failover.

    .venv/bin/python bench/bench_class.py [--minutes 5] [--sizes 50 100 200] [--json out.json]
    .venv/bin/python bench/bench_class.py --quick      # a small version (~3 min), what CI runs

Starts ``deploy.hall.Hall`` (nginx + ``--replicas`` Streamlit replicas, default one per core) on
loopback and runs seeded protocol-level students (``loadtest.student``: arrive over the first
``--arrive`` s, read 10-30 s, move a parameter, switch tab or page, follow a lesson step) for
``--minutes`` per class size. Then the same 100-student load through one replica, in the same
run. During the 100-student class one replica is killed: the students it served must come back
through nginx to another replica within 10 s with their page and query, and the restarted
replica must serve new students again. Last, three hostile clients (``loadtest.hostile``), each
measured as the other students' p95 while it runs, as a ratio to the same class without it.

Prints, per class: sessions with an error or exception and sessions lost (target 0), widget
change → rerun finished p50/p95 (target p95 ≤ 1 s), first view p50/p95, CPU (cores) and peak
resident memory per replica, memory per session, memory after the class left as a ratio to idle
(the live heap, target ≤ 1.10: sessions are released; and the resident size), the client's own
CPU, and tracebacks in the replicas' logs. Streamlit keeps a disconnected session for
``server.disconnectedSessionTTL`` (120 s by default) so a dropped tab can come back to it; the
bench sets it to ``--session-ttl``. A replica with no browser connected for
``--release-minutes`` drops those sessions and empties its per-parameter caches
(``ui.page.heap``); "idle" and "after" are read once it has. Figures are ratios and counts; it
asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from loadtest import hostile, procstat  # noqa: E402
from loadtest.lecture import ClassResult, percentile, run_class  # noqa: E402
from loadtest.protocol import Session  # noqa: E402
from loadtest.student import LINK, split_link  # noqa: E402
from ui.state import nav  # noqa: E402

RECONNECT_TARGET_S = 10.0
P95_TARGET_S = 1.0
MEMORY_TARGET = 1.10  # after / idle
FAILOVER_SIZE = 100


def server_metrics(port: int) -> dict:
    """From a replica's ``/_stcore/metrics``: open sessions, session-state entries over all
    sessions (Streamlit's cheap stat counts keys) and bytes in ``st.cache_data``."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/metrics", timeout=10) as r:
        text = r.read().decode()
    out = {"active_sessions": 0.0, "session_state": 0.0, "cache_data_bytes": 0.0,
           "python_heap_blocks": 0.0, "heap_releases": 0.0}
    for line in text.splitlines():
        if line.split(" ")[0] in ("active_sessions", "python_heap_blocks", "heap_releases"):
            out[line.split()[0]] = float(line.split()[1])
        elif line.startswith("cache_memory_bytes{"):
            if 'cache_type="st_session_state"' in line:
                out["session_state"] += float(line.split()[-1])
            elif 'cache_type="st_cache_data"' in line:
                out["cache_data_bytes"] += float(line.split()[-1])
    return out


def hall_metrics(hall) -> dict:
    return {f"replica{r.index}": server_metrics(r.port) for r in hall.replicas}


def tracebacks(log_dir: Path) -> int:
    return sum(p.read_text(errors="replace").count("Traceback (most recent call last)")
               for p in log_dir.rglob("*.log"))


async def visit(url: str, link: str = LINK) -> None:
    """The link, then every page once with its query: what a class imports, trains and fits
    once per process (the toy models, the evidence fits) is in "idle", not "per session"."""
    page, query = split_link(link)
    async with Session(url) as s:
        await s.open(page, query)
        for info in nav.PAGES[1:]:
            await s.switch(info.url_path)


def warm(hall, link: str) -> None:
    """A visit to each replica directly: idle means imported, cached and warm."""
    for r in hall.replicas:
        asyncio.run(visit(f"http://127.0.0.1:{r.port}", link))


def released(hall, before: dict, timeout: float) -> dict:
    """Wait until each replica has emptied its caches again since ``before`` (its metrics),
    ``ui.page.heap``'s release once no browser is connected; its metrics then. A replica
    restarted since (a new process, counting from 0) waits for its own first release."""
    deadline = time.monotonic() + timeout
    while True:
        now = hall_metrics(hall)
        if all(now[n]["heap_releases"] > before.get(n, {}).get("heap_releases", -1) or
               now[n]["heap_releases"] < before.get(n, {}).get("heap_releases", 0)
               for n in now) or time.monotonic() > deadline:
            time.sleep(6.0)  # Streamlit's cache-size figures trail the caches by a few seconds
            return hall_metrics(hall)
        time.sleep(1.0)


def replica_pids(hall):
    return lambda: {f"replica{r.index}": r.pid for r in hall.replicas}


def rss_now(hall) -> dict[str, int]:
    return {f"replica{r.index}": procstat.rss_kib(r.pid) for r in hall.replicas}


class Class:
    """One class on a hall, with everything measured around it."""

    def __init__(self, hall, log_dir: Path, students: int, seconds: float, args, kill=False):
        self.hall, self.log_dir, self.students, self.seconds = hall, log_dir, students, seconds
        self.args, self.kill = args, kill
        self.failover: dict = {}

    def run(self) -> dict:
        hall, args = self.hall, self.args
        # idle: a replica that has served every page once (one restarted after a kill too) and
        # has then given back what that used, with nobody connected
        warm(hall, args.link)
        metrics0 = released(hall, hall_metrics(hall), args.release_minutes * 60 + 60)
        idle = rss_now(hall)
        logs0 = tracebacks(self.log_dir)
        victim = {}

        def on_tick(elapsed: float) -> None:
            if self.kill and not victim and elapsed >= self.seconds / 2:
                by_port = {r.index: procstat.connections_to(r.port) for r in hall.replicas}
                i = max(by_port, key=by_port.get)
                victim.update(index=i, served=by_port[i], at=elapsed, old_pid=hall.replicas[i].pid)
                hall.kill(i)

        with procstat.Sampler(replica_pids(hall), interval=1.0) as sampler:
            t0 = time.monotonic()
            result: ClassResult = asyncio.run(run_class(
                hall.url, self.students, self.seconds, seed=args.seed, link=args.link,
                arrive_s=args.arrive, pace=args.pace, on_tick=on_tick))
            t1 = time.monotonic()
        out = result.summary()
        names = sorted(idle)
        peak = {n: sampler.peak_rss(n) for n in names}
        out["replicas"] = len(names)
        out["cpu_cores"] = {n: sampler.cpu_share(n, t0 + args.arrive, t1) for n in names}
        out["idle_rss_kib"], out["peak_rss_kib"] = idle, peak
        per_replica = self.students / len(names)
        out["kib_per_session"] = sum(peak[n] - idle[n] for n in names) / len(names) / per_replica
        if victim:
            out["failover"] = self.check_failover(result, victim)
        # The class has left: each replica drops its sessions and empties its caches once no
        # browser has been connected for --release-minutes (the session TTL is shorter).
        metrics1 = released(hall, hall_metrics(hall), args.release_minutes * 60 + 60)
        after = rss_now(hall)
        out["after_rss_kib"] = after
        out["metrics_idle"], out["metrics_after"] = metrics0, metrics1
        kept = [n for n in names if not (victim and n == f"replica{victim['index']}")]
        out["after_over_idle"] = {n: after[n] / idle[n] for n in kept}
        out["heap_after_over_idle"] = {n: metrics1[n]["python_heap_blocks"] /
                                       metrics0[n]["python_heap_blocks"] for n in kept}
        out["tracebacks"] = tracebacks(self.log_dir) - logs0
        return out

    def check_failover(self, result: ClassResult, victim: dict) -> dict:
        """The students whose websocket dropped at the kill: back within 10 s, same page and
        query; the restarted replica then takes new students (its connections counted)."""
        hall, i = self.hall, victim["index"]
        at = victim["at"]
        dropped = [c for c in result.reconnects if at - 1 <= c.at <= at + 15]
        self.hall.wait_healthy(60)
        # new students with fresh cookies: nginx's hash spreads them, the restarted one included
        newcomers = max(8, 4 * len(hall.replicas))

        async def hold():
            sessions = [Session(hall.url) for _ in range(newcomers)]
            page, query = split_link(self.args.link)
            try:
                for s in sessions:
                    await s.open(page, query)
                return procstat.connections_to(hall.replicas[i].port)
            finally:
                for s in sessions:
                    await s.close()

        back = asyncio.run(hold())
        return {
            "replica": i, "killed_at_s": round(at, 1), "its_connections": victim["served"],
            "reconnected": len(dropped), "within_10s": sum(c.seconds <= RECONNECT_TARGET_S
                                                           for c in dropped),
            "state_kept": sum(c.kept for c in dropped),
            "state_lost": [{"page_before": c.page_before, "page_after": c.page_after,
                            "query_kept": c.query_kept, "in_lesson": c.in_lesson,
                            "error": c.error} for c in dropped if not c.kept],
            "in_lesson": sum(c.in_lesson for c in dropped),
            "reconnect_s_max": max((c.seconds for c in dropped), default=float("nan")),
            "exceptions": sum(len(c.exceptions) for c in dropped),
            "restarted_pid_new": hall.replicas[i].pid != victim["old_pid"],
            "newcomers": newcomers, "newcomers_on_restarted": back,
        }


def hostile_runs(hall, args) -> dict:
    """A class without and with each hostile client, same seeds; p95 of the others' changes
    during the hostile's window (the same window in the run without)."""
    students, arrive = args.hostile_students, min(args.arrive, 20.0)
    window = args.hostile_s
    start = arrive + 5  # everyone is in
    seconds = start + window + 10

    def one(action=None) -> tuple[ClassResult, dict]:
        info: dict = {}

        async def go():
            async def later():
                await asyncio.sleep(start)
                t = time.monotonic()
                info["result"] = await action()
                info["seconds"] = time.monotonic() - t
            task = asyncio.create_task(later()) if action else None
            result = await run_class(hall.url, students, seconds, seed=args.seed + 1000,
                                     link=args.link, arrive_s=arrive, pace=args.hostile_pace)
            if task:
                await task
            return result

        return asyncio.run(go()), info

    page, query = split_link(args.link)
    base, _ = one()
    cases = {
        "unclean disconnects": lambda: hostile.unclean_disconnects(
            hall.url, count=int(window), every_s=1.0, page=page, query=query),
        f"burst of {args.burst} connections in 5 s": lambda: hostile.burst(
            hall.url, count=args.burst, within_s=5.0, page=page, query=query),
        "slow consumer": lambda: hostile.slow_consumer(hall.url, hold_s=window),
    }
    out = {"students": students, "window_s": window,
           "baseline_p95": percentile(base.seconds("change", start, start + window), 95),
           "baseline_errors": base.errored}
    for name, action in cases.items():
        time.sleep(args.session_ttl + 5)  # the last run's sessions gone
        result, info = one(action)
        p95 = percentile(result.seconds("change", start, start + window), 95)
        details = info.get("result")
        if isinstance(details, dict) and "open_s" in details:
            opened = details.pop("open_s")
            details = {**details, "open_p95": round(percentile(opened, 95), 3)}
        out[name] = {"p95": p95, "ratio": p95 / out["baseline_p95"], "errors": result.errored,
                     "lost": result.lost, "hostile": details,
                     "hostile_s": info.get("seconds", float("nan")),
                     "n": len(result.seconds("change", start, start + window))}
    return out


def fmt_ms(x: float) -> str:
    return "   n/a" if math.isnan(x) else f"{x * 1e3:6.0f}"


def print_class(label: str, r: dict) -> None:
    c, f = r["change_s"], r["first_view_s"]
    cores = r["cpu_cores"].values()
    peak, idle = r["peak_rss_kib"], r["idle_rss_kib"]
    after = r["after_over_idle"].values()
    p95_ok = "ok" if c["p95"] <= P95_TARGET_S else "OVER"
    print(f"{label:28s} errored {r['errored_sessions']:3d}  lost {r['lost_sessions']:3d}  "
          f"change p50/p95 {fmt_ms(c['p50'])}/{fmt_ms(c['p95'])} ms ({c['n']} changes, {p95_ok})  "
          f"first view p50/p95 {fmt_ms(f['p50'])}/{fmt_ms(f['p95'])} ms")
    print(f"{'':28s} CPU per replica {max(cores):.2f} cores max, {sum(cores):.2f} total; "
          f"peak RSS per replica {max(peak.values()) / 1024:.0f} MiB (idle "
          f"{max(idle.values()) / 1024:.0f}); {r['kib_per_session'] / 1024:.2f} MiB per session; "
          f"client CPU {r['client_cpu']:.2f} cores; tracebacks {r['tracebacks']}")
    heap = r["heap_after_over_idle"].values()
    print(f"{'':28s} after the class left: live heap / idle {max(heap, default=float('nan')):.3f} "
          f"({'ok' if max(heap, default=9) <= MEMORY_TARGET else 'OVER'}: sessions released); "
          f"resident / idle {max(after, default=float('nan')):.2f} (pages the allocator keeps)")
    m0, m1 = r["metrics_idle"].values(), r["metrics_after"].values()
    print(f"{'':28s} after the class: {sum(m['active_sessions'] for m in m1):.0f} open sessions, "
          f"{sum(m['session_state'] for m in m1):.0f} "
          f"session-state keys (idle {sum(m['session_state'] for m in m0):.0f}), st.cache_data "
          f"{sum(m['cache_data_bytes'] for m in m1) / 1024:.0f} kB (idle "
          f"{sum(m['cache_data_bytes'] for m in m0) / 1024:.0f} kB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=5.0, help="per class size")
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200])
    ap.add_argument("--replicas", type=int, default=os.cpu_count())
    ap.add_argument("--arrive", type=float, default=60.0, help="students arrive within this")
    ap.add_argument("--pace", type=float, default=1.0, help="scales the 10-30 s reading")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--link", default=LINK, help="the lecturer's link: page?query")
    ap.add_argument("--session-ttl", type=int, default=30,
                    help="server.disconnectedSessionTTL for the replicas (s)")
    ap.add_argument("--release-minutes", type=float, default=1.0,
                    help="SHALLOWDEEP_RELEASE_MINUTES for the replicas: longer than the TTL")
    ap.add_argument("--hostile-students", type=int, default=30)
    ap.add_argument("--hostile-s", type=float, default=30.0)
    ap.add_argument("--hostile-pace", type=float, default=0.3)
    ap.add_argument("--burst", type=int, default=200)
    ap.add_argument("--json", type=Path, help="write every figure here")
    ap.add_argument("--quick", action="store_true", help="a small version, for CI")
    args = ap.parse_args()
    # The hall's replicas and nginx run in sessions of their own: a plain SIGTERM would end this
    # process without stopping them. As an exception, it unwinds through Hall's exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.minutes, args.sizes, args.arrive, args.pace = 0.75, [8], 5.0, 0.1
        args.session_ttl, args.hostile_students, args.hostile_s, args.burst = 5, 6, 8.0, 20
        args.release_minutes = 0.15
    from deploy.hall import Hall

    seconds = args.minutes * 60
    failover_size = FAILOVER_SIZE if FAILOVER_SIZE in args.sizes else args.sizes[len(args.sizes) // 2]
    if args.release_minutes * 60 <= args.session_ttl:
        ap.error("--release-minutes must be longer than --session-ttl: a release frees the "
                 "sessions past their time")
    env = {"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(args.session_ttl),
           "SHALLOWDEEP_RELEASE_MINUTES": str(args.release_minutes)}
    results: dict = {"args": {k: str(v) for k, v in vars(args).items()}, "classes": {}}
    print(f"simulated class through nginx, {args.replicas} replicas on {os.cpu_count()} cores; "
          f"{args.minutes:g} min a class, arriving within {args.arrive:g} s, reading "
          f"{10 * args.pace:g}-{30 * args.pace:g} s; session TTL {args.session_ttl} s")
    with tempfile.TemporaryDirectory(prefix="bench-class-") as tmp:
        logs = Path(tmp) / "n"
        logs.mkdir()
        with Hall(replicas=args.replicas, env=env, log_dir=logs) as hall:
            hall.wait_healthy(120)
            warm(hall, args.link)
            for size in args.sizes:
                label = f"{size} students, {args.replicas} replicas"
                r = Class(hall, logs, size, seconds, args, kill=size == failover_size).run()
                results["classes"][label] = r
                print_class(label, r)
                if "failover" in r:
                    f = r["failover"]
                    print(f"{'':28s} killed replica {f['replica']} at {f['killed_at_s']:.0f} s "
                          f"({f['its_connections']} connections): {f['reconnected']} students "
                          f"reconnected, {f['within_10s']} within 10 s (max "
                          f"{f['reconnect_s_max']:.1f} s), {f['state_kept']} with page and query "
                          f"kept ({f['in_lesson']} in a lesson), {f['exceptions']} exceptions; "
                          f"restarted replica serves {f['newcomers_on_restarted']} of "
                          f"{f['newcomers']} newcomers")
            h = hostile_runs(hall, args)
            results["hostile"] = h
            print(f"hostile clients, {h['students']} students, {h['window_s']:g} s each: "
                  f"others' change p95 without {fmt_ms(h['baseline_p95'])} ms")
            for name, v in h.items():
                if isinstance(v, dict):
                    print(f"  {name:34s} p95 {fmt_ms(v['p95'])} ms = {v['ratio']:.2f}x without  "
                          f"errored {v['errors']}  lost {v['lost']}  ({v['hostile']})")
        logs1 = Path(tmp) / "one"
        logs1.mkdir()
        with Hall(replicas=1, env=env, log_dir=logs1) as hall:
            hall.wait_healthy(120)
            warm(hall, args.link)
            label = f"{failover_size} students, 1 replica"
            r = Class(hall, logs1, failover_size, seconds, args).run()
            results["classes"][label] = r
            print_class(label, r)
        n_label = f"{failover_size} students, {args.replicas} replicas"
        one, many = results["classes"][label], results["classes"][n_label]
        print(f"1 replica / {args.replicas} replicas, {failover_size} students: change p95 "
              f"{one['change_s']['p95'] / many['change_s']['p95']:.2f}x, first view p95 "
              f"{one['first_view_s']['p95'] / many['first_view_s']['p95']:.2f}x")
        largest = [s for s in args.sizes if results["classes"][f"{s} students, {args.replicas} "
                   "replicas"]["change_s"]["p95"] <= P95_TARGET_S]
        print(f"largest class with change p95 ≤ {P95_TARGET_S:g} s: "
              f"{max(largest) if largest else 'none'} of {args.sizes}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
