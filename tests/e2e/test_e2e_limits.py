"""The limits a lecturer sets (``ui.state.limits``) on a real server, spoken to by the protocol
student (loadtest/protocol.py): a cap on sessions with its light "class is full" page, and the
idle timeout with its way back."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from e2e_util import ARTIFACTS, CHART, settle, streamlit_server, run_async
from loadtest.protocol import Session
from ui.page import waiting
from ui.state import limits

pytestmark = pytest.mark.e2e

QUERY = "k=7&T=50"
FIGURES = {"plotly_chart", "vega_lite_chart", "bidi_component", "component_instance"}




def _full(run) -> bool:
    return any(waiting.FULL_TITLE in t for t in run.texts)


def test_a_third_student_waits_on_a_light_page_and_gets_in_when_a_place_frees():
    # a bad idle value too: the server starts all the same, with the default and a warning
    with streamlit_server(log_name="streamlit-limits-cap.log",
                          env={limits.MAX_SESSIONS_VAR: "2",
                               limits.IDLE_MINUTES_VAR: "soon"}) as (base, _proc):
        async def go():
            first, second, third = Session(base), Session(base), Session(base)
            runs = [await first.open("deep_alignment", QUERY), await second.open("", QUERY)]
            waited = await third.open("deep_alignment", QUERY)
            still_full = await third.tick()
            kept = await first.switch("methods")  # a student already in is never refused
            await second.close()
            for _ in range(20):  # the place frees as soon as Streamlit sees the socket closed
                entered = await third.tick()
                if entered.status != "FINISHED_FRAGMENT_RUN_SUCCESSFULLY":
                    break  # the try found a place and ran the whole page
                await asyncio.sleep(0.1)
            await first.close()
            await third.close()
            return runs, waited, still_full, kept, entered

        runs, waited, still_full, kept, entered = run_async(go())
        log = (ARTIFACTS / "streamlit-limits-cap.log").read_text()
    for run in runs + [kept]:
        assert FIGURES & set(run.elements) and not _full(run) and not run.exceptions
    assert _full(waited) and not FIGURES & set(waited.elements) and not waited.exceptions
    assert any("all **2** places" in t for t in waited.texts)
    assert waited.bytes < runs[0].bytes / 5  # light: nothing of the page is computed
    assert waited.query_string == QUERY  # the URL is left as the student opened it
    # a try with no place: the fragment alone, nothing else drawn
    assert still_full.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"
    assert still_full.elements == ("markdown",) and "asks again" in still_full.texts[0]
    assert FIGURES & set(entered.elements) and not entered.exceptions
    assert parse_qs(entered.query_string)["k"] == ["7"]
    assert any("Deep alignment" in t for t in entered.texts)  # the page it asked for
    assert "Traceback" not in log
    assert "SHALLOWDEEP_IDLE_MINUTES='soon' is not a number of minutes" in log


@pytest.fixture(scope="module")
def idle_server():
    # 0.05 min = 3 s; the sweep runs every 0.75 s
    with streamlit_server(log_name="streamlit-limits-idle.log",
                          env={limits.IDLE_MINUTES_VAR: "0.05"}) as (base, _proc):
        yield base
    assert "Traceback" not in (ARTIFACTS / "streamlit-limits-idle.log").read_text()


def test_an_idle_session_is_closed_and_a_reconnect_gets_the_same_page_and_query(idle_server):
    async def go():
        async with Session(idle_server) as s:
            before = await s.open("deep_alignment", QUERY)
            start = time.monotonic()
            await asyncio.wait_for(s._ws.wait_closed(), 15)  # closed by the server
            closed_after = time.monotonic() - start
            after = await s.reconnect()
            return before, closed_after, after

    before, closed_after, after = run_async(go())
    assert 3.0 <= closed_after < 8.0
    assert after.query_string == before.query_string and parse_qs(after.query_string)["k"] == ["7"]
    assert FIGURES & set(after.elements) and not after.exceptions and not after.page_not_found


def test_the_full_page_in_a_browser(browser):
    """The page a refused student sees: calm, the reason, no chart; screenshot at 1280 × 800."""
    shots = Path("/tmp/shots-limits")
    shots.mkdir(exist_ok=True)
    with streamlit_server(log_name="streamlit-limits-shot.log",
                          env={limits.MAX_SESSIONS_VAR: "1"}) as (base, _proc):
        inside = browser.new_context(viewport={"width": 1280, "height": 800})
        first = inside.new_page()
        first.goto(f"{base}/glossary", timeout=60_000)  # the one place: taken as its run starts
        # a new server's first run imports everything: under a loaded machine's suite, over 60 s
        first.locator('[data-testid="stMain"] h1').wait_for(timeout=150_000)
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        page = ctx.new_page()
        page.goto(f"{base}/deep_alignment?{QUERY}", timeout=60_000)
        page.get_by_text(waiting.FULL_TITLE).wait_for(timeout=30_000)
        page.wait_for_timeout(500)
        page.screenshot(path=shots / "class-full.png")
        assert page.locator(f'{CHART}, [data-testid="stException"]').count() == 0
        assert page.url == f"{base}/deep_alignment?{QUERY}"
        inside.close()  # the place frees; the waiting tab's next try takes it
        page.locator(CHART).first.wait_for(
            timeout=(limits.RETRY_SECONDS + 15) * 1000)
        assert page.url.startswith(f"{base}/deep_alignment?") and "k=7" in page.url
        ctx.close()


def test_an_idle_tab_shows_the_away_page_and_comes_back_to_its_link(browser, idle_server):
    shots = Path("/tmp/shots-limits")
    shots.mkdir(exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    page.goto(f"{idle_server}/deep_alignment?{QUERY}", timeout=60_000)
    settle(page, timeout=60_000)
    url = page.url
    page.get_by_text(waiting.AWAY_TITLE).wait_for(timeout=20_000)
    page.wait_for_timeout(1500)  # the server closes the session, the browser reconnects
    page.screenshot(path=shots / "away.png")
    assert page.url == url and page.locator(CHART).count() == 0
    page.get_by_role("button", name="Continue where I was").click()
    page.locator(CHART).first.wait_for(timeout=30_000)
    assert page.url == url and page.locator('[data-testid="stException"]').count() == 0
    ctx.close()
