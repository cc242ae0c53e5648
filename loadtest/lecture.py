"""A whole class of seeded students (``loadtest.student``) in one asyncio process.

``run_class(url, students=100, duration_s=300, seed=0)`` starts every student, lets them arrive
over ``arrive_s`` and act until ``duration_s`` after the start, closes every websocket and
returns a :class:`ClassResult`. The client's own CPU share is in the result: one process drives
the class, and if it were near a full core the figures would measure the client, not the server.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from dataclasses import dataclass, field

from loadtest.protocol import check_loopback
from loadtest.student import LINK, MAX_ACTIONS, Record, Student

GRACE_S = 70.0  # after the deadline an action under way may take protocol.RUN_TIMEOUT to end


def percentile(values, q: float) -> float:
    """The q-th percentile (0-100), nearest rank; NaN when there is nothing."""
    xs = sorted(v for v in values if not math.isnan(v))
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, max(0, math.ceil(q / 100 * len(xs)) - 1))]


@dataclass
class ClassResult:
    students: int
    duration_s: float
    records: list[Record] = field(repr=False)
    client_cpu: float = float("nan")  # the client process's CPU seconds per second of the class
    wall_s: float = float("nan")

    @property
    def errors(self) -> list[str]:
        return [e for r in self.records for e in r.errors]

    @property
    def errored(self) -> int:
        """Students who saw at least one error or exception."""
        return sum(1 for r in self.records if r.errors)

    @property
    def lost(self) -> int:
        return sum(1 for r in self.records if r.lost)

    def seconds(self, kind: str = "change", start: float = -math.inf,
                end: float = math.inf) -> list[float]:
        """Send → script_finished of every finished action of ``kind`` begun in [start, end)."""
        return [a.seconds for r in self.records for a in r.actions
                if a.kind == kind and not a.error and not a.dropped and start <= a.at < end]

    @property
    def change_p50(self) -> float:
        return percentile(self.seconds(), 50)

    @property
    def change_p95(self) -> float:
        return percentile(self.seconds(), 95)

    @property
    def change_max(self) -> float:
        return max(self.seconds(), default=float("nan"))

    @property
    def first_views(self) -> list[float]:
        return [r.first_view for r in self.records if not math.isnan(r.first_view)]

    @property
    def counts(self) -> Counter:
        return Counter(a.kind for r in self.records for a in r.actions if not a.error)

    @property
    def reconnects(self):
        return [c for r in self.records for c in r.reconnects]

    def summary(self) -> dict:
        """The figures, for a JSON file."""
        return {
            "students": self.students, "duration_s": self.duration_s, "wall_s": self.wall_s,
            "errored_sessions": self.errored, "lost_sessions": self.lost,
            "errors": self.errors[:20], "error_count": len(self.errors),
            "change_s": {"p50": self.change_p50, "p95": self.change_p95, "max": self.change_max,
                         "n": len(self.seconds())},
            "first_view_s": {"p50": percentile(self.first_views, 50),
                             "p95": percentile(self.first_views, 95), "n": len(self.first_views)},
            "actions": dict(self.counts),
            "reconnects": [{"at": c.at, "seconds": c.seconds, "kept": c.kept,
                            "page_before": c.page_before, "page_after": c.page_after,
                            "query_kept": c.query_kept, "in_lesson": c.in_lesson,
                            "error": c.error} for c in self.reconnects],
            "client_cpu": self.client_cpu,
        }


async def run_class(url: str, students: int, duration_s: float, seed: int = 0, link: str = LINK,
                    arrive_s: float = 60.0, pace: float = 1.0, on_tick=None,
                    max_actions: int = MAX_ACTIONS) -> ClassResult:
    """``students`` students, seeds ``seed``, ``seed + 1``, …; ``on_tick(elapsed_s)`` is called
    about once a second (from the event loop: it must be quick) while the class runs."""
    check_loopback(url)
    class_ = [Student(seed + i, url, link, arrive_s, pace, max_actions) for i in range(students)]
    t0 = time.monotonic()
    deadline = t0 + duration_s
    cpu0 = time.process_time()

    async def ticker():
        while time.monotonic() < deadline:
            await asyncio.sleep(1.0)
            on_tick(time.monotonic() - t0)

    tick = asyncio.create_task(ticker()) if on_tick else None
    try:
        # A student stops by itself at the deadline; the grace bounds one stuck round trip.
        tasks = [asyncio.create_task(s.run(t0, deadline)) for s in class_]
        _, stuck = await asyncio.wait(tasks, timeout=duration_s + GRACE_S)
        for task in stuck:
            task.cancel()
        await asyncio.gather(*stuck, return_exceptions=True)
        for task in tasks:
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()
    finally:
        if tick:
            tick.cancel()
    wall = time.monotonic() - t0
    return ClassResult(students, duration_s, [s.record for s in class_],
                       client_cpu=(time.process_time() - cpu0) / wall, wall_s=wall)
