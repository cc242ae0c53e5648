"""The simulated student (loadtest/student.py): its plan comes from its seed alone, and every
loop it runs is bounded in count and in time. Against a stand-in server that answers every run
at once, so that only the student's own bounds can stop it."""

from __future__ import annotations

import asyncio
import time
from http import HTTPStatus

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.server import serve

from loadtest import student
from loadtest.lecture import percentile, run_class


def test_the_same_seed_gives_the_same_plan_and_another_seed_another():
    assert student.plan(7) == student.plan(7)
    assert student.plan(7) != student.plan(8)


def test_a_plan_keeps_to_the_class_rhythm():
    plans = [student.plan(seed, arrive_s=60, pace=0.5, max_actions=40) for seed in range(200)]
    assert all(0 <= p.arrive_s <= 60 for p in plans)
    reads = [s.read_s for p in plans for s in p.steps]
    assert 5 <= min(reads) and max(reads) <= 15  # 10-30 s, halved
    assert all(len(p.steps) == 40 for p in plans)
    kinds = [s.kind for p in plans for s in p.steps]
    share = kinds.count("change") / len(kinds)
    assert share == pytest.approx(student.KINDS["change"], abs=0.03)
    assert {"tab", "page", "lesson"} <= set(kinds)
    assert max(p.arrive_s for p in plans) > 50 and min(p.arrive_s for p in plans) < 10  # spread


def test_the_link_splits_into_page_and_query():
    assert student.split_link("deep_alignment?k=5&T=50") == ("deep_alignment", "k=5&T=50")
    assert student.split_link("/overview?k=5") == ("", "k=5")  # the default page is "" on the wire
    assert student.split_link("lessons") == ("lessons", "")


@pytest.fixture
def instant_server():
    """A websocket that finishes every run at once and draws one slider: no Streamlit."""
    slider = ForwardMsg()
    el = slider.delta.new_element.slider
    el.id, el.label, el.min, el.max, el.step = "s1", "k", 0, 100, 1
    el.default.append(50)
    slider.metadata.delta_path.extend([0, 0])
    done = ForwardMsg()
    done.script_finished = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
    runs = []

    async def handler(ws):
        async for _ in ws:
            runs.append(time.monotonic())
            await ws.send(slider.SerializeToString())
            await ws.send(done.SerializeToString())

    def html(connection, request):  # the page's HTML a browser fetches first
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return connection.respond(HTTPStatus.OK, "<html></html>")
        return None

    async def start():
        return await serve(handler, "127.0.0.1", 0, process_request=html)

    return start, runs


def _with_server(instant_server, body):
    start, runs = instant_server

    async def go():
        server = await start()
        port = server.sockets[0].getsockname()[1]
        try:
            return await asyncio.wait_for(body(f"http://127.0.0.1:{port}"), 30)
        finally:
            server.close()
            await server.wait_closed()

    return asyncio.run(go()), runs


def test_a_student_stops_after_its_last_action(instant_server):
    async def body(url):
        s = student.Student(3, url, link="harm_horizon?k=5", arrive_s=0, pace=1e-4, max_actions=5)
        return await s.run(time.monotonic(), time.monotonic() + 60)

    record, runs = _with_server(instant_server, body)
    assert record.finished and not record.errors
    assert len(runs) <= 1 + 5 and len(record.actions) == len(runs)  # the open and ≤ 5 actions


def test_a_student_stops_at_the_deadline(instant_server):
    async def body(url):
        t0 = time.monotonic()
        s = student.Student(4, url, arrive_s=0, pace=0.002, max_actions=10_000)
        record = await s.run(t0, t0 + 2.0)
        return record, time.monotonic() - t0

    (record, took), _ = _with_server(instant_server, body)
    assert record.finished and 2.0 <= took < 3.0
    assert 10 < len(record.actions) < 10_000  # it acted, and the deadline stopped it


def test_a_class_stops_by_itself_and_counts_what_it_did(instant_server):
    async def body(url):
        return await run_class(url, students=5, duration_s=3, seed=0, arrive_s=1, pace=0.01)

    result, _ = _with_server(instant_server, body)
    assert result.wall_s < 4 and result.lost == 0 and result.errored == 0
    assert result.counts["open"] == 5 and result.counts["change"] > 5
    assert result.change_p95 < 1.0 and result.client_cpu < 1.0


def test_a_student_with_no_server_is_lost_at_once():
    async def body():
        t0 = time.monotonic()
        s = student.Student(0, "http://127.0.0.1:9", arrive_s=0)  # the discard port: closed
        return await s.run(t0, t0 + 30), time.monotonic() - t0

    record, took = asyncio.run(body())
    assert record.lost and record.first_view_error and took < 5


def test_percentile_is_nearest_rank():
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95) == 10
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50) == 5
    assert percentile([], 50) != percentile([], 50)  # NaN
