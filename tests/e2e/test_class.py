"""A small simulated class through the hall (nginx + 2 replicas), one replica killed mid-class.

Six seeded students (loadtest.student) read 1-3 s between actions for 40 s. Halfway, the replica
with the most open websockets is killed. Every student it served must reconnect through nginx
to the other replica within 10 s, with no exception, on the page they had and, outside a lesson,
with the query (the parameters) they had; nobody errs or is lost; and once the supervisor has
restarted the replica, new students land on it again.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from deploy.hall import Hall, find_nginx
from loadtest import procstat
from loadtest.lecture import run_class
from loadtest.protocol import Session

pytestmark = pytest.mark.e2e

STUDENTS, SECONDS = 6, 40.0
LINK = "deep_alignment?k=5&T=50"


def _run(coro, timeout: float = 180):
    with ThreadPoolExecutor(1) as pool:  # Playwright's loop may hold this thread
        return pool.submit(asyncio.run, asyncio.wait_for(coro, timeout)).result()


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    try:
        find_nginx()
    except FileNotFoundError as err:
        pytest.skip(str(err))
    with Hall(replicas=2, log_dir=tmp_path_factory.mktemp("hall")) as h:
        h.wait_healthy(120)
        yield h


def test_a_replica_killed_mid_class_loses_no_student(hall):
    victim: dict = {}

    def on_tick(elapsed: float) -> None:
        if not victim and elapsed >= SECONDS / 2:
            by_port = {r.index: procstat.connections_to(r.port) for r in hall.replicas}
            i = max(by_port, key=by_port.get)
            victim.update(index=i, at=elapsed, served=by_port[i], pid=hall.replicas[i].pid)
            hall.kill(i)

    result = _run(run_class(hall.url, STUDENTS, SECONDS, seed=11, link=LINK, arrive_s=5,
                            pace=0.1, on_tick=on_tick))
    assert victim and victim["served"] >= 1
    assert result.errored == 0 and result.lost == 0, result.errors
    dropped = [c for c in result.reconnects if abs(c.at - victim["at"]) < 15]
    assert len(dropped) == victim["served"], (victim, result.reconnects)
    for c in dropped:
        assert not c.error and not c.exceptions and c.seconds <= 10.0, c
        assert c.page_after == c.page_before, c
        assert c.query_kept, c  # in a lesson too: the whole view is in the URL

    hall.wait_healthy(60)
    assert hall.replicas[victim["index"]].pid != victim["pid"]

    async def newcomers():
        sessions = [Session(hall.url) for _ in range(10)]  # fresh cookies: nginx spreads them
        try:
            for s in sessions:
                await s.open("deep_alignment", "k=5&T=50")
            return procstat.connections_to(hall.replicas[victim["index"]].port)
        finally:
            for s in sessions:
                await s.close()

    assert _run(newcomers()) >= 1  # the restarted replica serves again
