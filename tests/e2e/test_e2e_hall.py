"""The lecture hall running (deploy/hall.py): nginx in front of two Streamlit replicas, the
affinity cookie, a websocket session through nginx, a replica killed under real browsers, and
nothing left running after the hall stops.

The deployment files themselves (Dockerfile, manifests, nginx -t) are tests/test_deploy.py.
"""

from __future__ import annotations

import os
import re
import secrets
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from e2e_util import (ARTIFACTS, EXCEPTION, SLIDER_INPUT, VIEWPORT, numbers, query, settle,
                      run_async, sidebar_sliders)

from deploy.hall import Hall, find_nginx
from loadtest.protocol import Session

pytestmark = pytest.mark.e2e

COOKIE = "sd_replica"
FAILOVER_SECONDS = 10.0




def _get(url: str, cookie: str | None = None, **headers):
    if cookie:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
        return r.status, r.headers, r.read()


def _upstream_port(hall: Hall, cookie: str) -> int:
    """The replica nginx picks for this cookie (the X-Upstream header of the reply)."""
    _, headers, _ = _get(hall.url + "/_stcore/health", cookie)
    return int(headers["X-Upstream"].rsplit(":", 1)[1])


def _index(hall: Hall, port: int) -> int:
    return next(r.index for r in hall.replicas if r.port == port)


def _stream_upstreams(hall: Hall, cookie: str) -> list[str]:
    """Where nginx sent the websockets of this cookie (logged when each one closes)."""
    log = (hall.log_dir / "access.log").read_text()
    return re.findall(rf'"GET /_stcore/stream [^"]*" 101 .*upstream=(\S+) affinity={cookie} ', log)


def _group_members(pid: int) -> set[int]:
    """``pid`` and every live process whose parent chain leads to it."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        found.add(p)
        todo += [c for c, parent in parents.items() if parent == p and c not in found]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def nginx():
    try:
        return find_nginx()
    except FileNotFoundError as e:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true: {e}", pytrace=False)
        pytest.skip(str(e))


def test_leaving_the_hall_stops_every_process_it_started(nginx):
    with Hall(replicas=1) as hall:
        first, port = hall.replicas[0].pid, hall.replicas[0].port
        started = _group_members(first) | _group_members(hall.nginx_pid)
        hall.kill(0)
        deadline = time.monotonic() + 60
        while hall.replicas[0].pid == first and time.monotonic() < deadline:
            time.sleep(0.1)
        hall.wait_healthy(60)
        assert hall.replicas[0].pid != first and hall.replicas[0].port == port
        started |= _group_members(hall.replicas[0].pid) | _group_members(hall.nginx_pid)
        assert len(_group_members(hall.nginx_pid)) >= 2  # nginx's master and a worker
        run_dir = hall.run_dir
    deadline = time.monotonic() + 5
    while any(map(_alive, started)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [p for p in started if _alive(p)] == []
    assert not run_dir.exists()


@pytest.fixture(scope="module")
def hall(nginx):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with Hall(replicas=2, log_dir=ARTIFACTS / f"hall-{worker}") as h:
        yield h


def test_health_answers_through_nginx_and_static_files_come_from_disk(hall):
    status, headers, body = _get(hall.url + "/_stcore/health")
    assert (status, body) == (200, b"ok")
    assert int(headers["X-Upstream"].rsplit(":", 1)[1]) in {r.port for r in hall.replicas}
    _, _, html = _get(hall.url + "/")
    bundle = re.search(r'src="\.?/?(static/js/[^"]+\.js)"', html.decode()).group(1)
    status, headers, _ = _get(f"{hall.url}/{bundle}", **{"Accept-Encoding": "gzip"})
    assert status == 200 and "X-Upstream" not in headers  # nginx answered, no replica
    assert "immutable" in headers["Cache-Control"] and headers["Content-Encoding"] == "gzip"


def test_nginx_sets_the_affinity_cookie_and_keeps_each_cookie_on_one_replica(hall):
    _, headers, _ = _get(hall.url + "/harm_horizon")
    cookie = headers["Set-Cookie"]
    assert re.fullmatch(rf"{COOKIE}=[0-9a-f]{{32}}; Path=/; HttpOnly; SameSite=Lax", cookie)
    _, headers, _ = _get(hall.url + "/harm_horizon", "known")
    assert "Set-Cookie" not in headers  # a browser that has one keeps it
    cookies = [secrets.token_hex(8) for _ in range(16)]
    picks = {c: {_upstream_port(hall, c) for _ in range(3)} for c in cookies}
    assert all(len(ports) == 1 for ports in picks.values()), picks
    assert set().union(*picks.values()) == {r.port for r in hall.replicas}


def test_a_websocket_session_through_nginx_runs_on_its_cookies_replica(hall):
    async def go():
        async with Session(hall.url) as s:
            run = await s.open("harm_horizon", "k=8")
            return s.cookie, run

    cookie, run = run_async(go())
    assert run.status == "FINISHED_SUCCESSFULLY" and not run.exceptions
    assert "k=8" in run.query_string.split("&")
    key = re.search(rf"{COOKIE}=(\w+)", cookie).group(1)
    deadline = time.monotonic() + 5  # nginx logs the websocket when it has closed
    while not _stream_upstreams(hall, key) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _stream_upstreams(hall, key) == [f"127.0.0.1:{_upstream_port(hall, key)}"]


# --- failover -------------------------------------------------------------------------------

CONNECTION_ERROR_JS = "() => document.body.innerText.includes('Connection error')"
NO_CONNECTION_ERROR_JS = "() => !document.body.innerText.includes('Connection error')"


def _student(browser, hall: Hall, cookie: str, path: str):
    """A browser context with this affinity cookie loading ``path`` (not yet settled); it
    records its websocket events."""
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(30_000)
    ctx.add_cookies([{"name": COOKIE, "value": cookie, "url": hall.url}])
    page = ctx.new_page()
    page.sockets = []  # (event, time)
    page.on("websocket", lambda ws: (page.sockets.append(("open", time.monotonic())),
                                     ws.on("close", lambda _: page.sockets.append(
                                         ("close", time.monotonic())))))
    page.goto(hall.url + path, timeout=60_000)
    return ctx, page


def _state(page) -> dict:
    return {"path": urlsplit(page.url).path, "url": query(page), "numbers": numbers(page)}


# Records the script's state changes, so a rerun that changes nothing in the URL is seen too.
WATCH_RUNS_JS = """() => { window.__runs = []; const app = document.querySelector('.stApp');
  new MutationObserver(() => window.__runs.push(app.dataset.testScriptState))
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }"""
RUN_ENDED_JS = "() => window.__runs.includes('running') && window.__runs.at(-1) === 'notRunning'"


def _press(page, name: str | None, key: str, url_changes: bool = True) -> str:
    """One key on the sidebar slider of parameter ``name`` (None: the first one); back once
    the rerun has ended. Returns the parameter's name."""
    slider = next(s for s in sidebar_sliders(page) if name in (None, s["name"]))
    search = urlsplit(page.url).query
    page.evaluate(WATCH_RUNS_JS)
    page.locator(SLIDER_INPUT).nth(slider["nth"]).focus()
    page.keyboard.press(key)
    if url_changes:
        page.wait_for_function("old => window.location.search.slice(1) !== old", arg=search,
                               timeout=FAILOVER_SECONDS * 1000)
    page.wait_for_function(RUN_ENDED_JS, timeout=FAILOVER_SECONDS * 1000)
    settle(page)
    return slider["name"]


def test_a_killed_replica_s_student_reconnects_elsewhere_and_the_others_do_not_notice(
        hall, browser):
    hall.wait_healthy(60)
    cookies = [secrets.token_hex(8) for _ in range(40)]
    by_port = {}
    for c in cookies:
        by_port.setdefault(_upstream_port(hall, c), []).append(c)
    assert len(by_port) == 2
    (victim_port, on_victim), (other_port, on_other) = sorted(by_port.items(),
                                                              key=lambda kv: -len(kv[1]))
    victim_index = _index(hall, victim_port)
    students = {"victim": (on_victim[0], "/deep_alignment?k=7&T=40"),
                "other": (on_other[0], "/harm_horizon?k=8&T=60")}
    contexts, pages = [], {}
    try:
        for name, (cookie, path) in students.items():
            ctx, pages[name] = _student(browser, hall, cookie, path)
            contexts.append(ctx)
        for page in pages.values():  # the replicas draw them at once
            settle(page, timeout=60_000)
        before = {name: _state(page) for name, page in pages.items()}
        assert before["victim"]["url"]["k"] == "7" and before["victim"]["url"]["T"] == "40"
        assert before["other"]["url"]["k"] == "8" and before["other"]["url"]["T"] == "60"
        old_pid = hall.replicas[victim_index].pid

        victim = pages["victim"]
        killed = time.monotonic()
        hall.kill(victim_index)
        # The browser's websocket closes, the frontend reconnects; nginx finds the dead replica
        # refusing and passes the connection to the live one.
        while len([e for e, _ in victim.sockets if e == "open"]) < 2:
            assert time.monotonic() - killed < FAILOVER_SECONDS, victim.sockets
            victim.wait_for_timeout(50)
        reconnected = victim.sockets[-1][1] - killed
        victim.wait_for_function(NO_CONNECTION_ERROR_JS,
                                 timeout=FAILOVER_SECONDS * 1000)
        assert _state(victim) == before["victim"]
        # The frontend reconnects without a rerun; the next key reruns the page on the other
        # replica in a new session, with the key's change (ui.state.url.first_run).
        _press(victim, "k", "ArrowRight")
        working = time.monotonic() - killed
        after = _state(victim)
        assert after["url"] == {**before["victim"]["url"], "k": "8"}
        assert after["path"] == before["victim"]["path"]
        assert victim.locator(EXCEPTION).count() == 0
        assert not victim.evaluate(CONNECTION_ERROR_JS)
        _press(victim, "k", "ArrowRight")  # and the session there is live
        assert query(victim)["k"] == str(int(after["url"]["k"]) + 1)
        print(f"\nfailover: websocket back {reconnected:.2f} s after the kill, the page rerun on "
              f"the other replica {working:.2f} s after it, with the first key's change")
        assert working < FAILOVER_SECONDS

        other = pages["other"]
        assert [e for e, _ in other.sockets] == ["open"], other.sockets  # never disconnected
        assert _state(other) == before["other"]
        assert not other.evaluate(CONNECTION_ERROR_JS)
        moved = _press(other, None, "ArrowRight")
        assert query(other)[moved] != before["other"]["url"][moved]
        assert other.locator(EXCEPTION).count() == 0
    finally:
        for ctx in contexts:
            ctx.close()

    # The supervisor has started the replica again on its port, and its students' cookie leads
    # there again (the consistent hash), websocket included.
    hall.wait_healthy(60)
    assert hall.replicas[victim_index].pid != old_pid
    assert hall.replicas[victim_index].port == victim_port
    deadline = time.monotonic() + FAILOVER_SECONDS
    while _upstream_port(hall, on_victim[1]) != victim_port:
        assert time.monotonic() < deadline, "nginx sends nothing to the restarted replica"
        time.sleep(0.2)

    async def go():
        async with Session(hall.url, cookie=f"{COOKIE}={on_victim[1]}") as s:
            return await s.open("harm_horizon")

    assert run_async(go()).status == "FINISHED_SUCCESSFULLY"
    deadline = time.monotonic() + 5
    while not _stream_upstreams(hall, on_victim[1]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _stream_upstreams(hall, on_victim[1]) == [f"127.0.0.1:{victim_port}"]
