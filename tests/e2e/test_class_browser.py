"""The simulated student against a real browser: the same actions, the same server-side work.

A chromium tab opens a link, moves one slider five times with the arrow key and opens another
tab of the figure; the protocol-level student (loadtest.protocol) does the same. The browser's
server-side part of an action is the time from the websocket frame that carries its
``rerun_script`` to the frame that carries ``script_finished``, both stamped by chromium's
network layer (DevTools' ``Network.webSocketFrameSent`` / ``Received``), so neither drawing nor
Playwright's event dispatch is in it. The slider presses are timed (medians of five); the tab
is checked for landing on the same view (one run is too few to time on a shared machine).

Margins. (1) The browser's own request frames, replayed by the protocol client (each right
after the protocol student's own press, so both meet the same moment of a shared machine), take
the same time as the protocol student's requests: median ratio in [1/2, 2] (same request, same
warm caches; what is left is the jitter of a machine other jobs share: single reruns of
~150 ms were seen at 130-1000 ms with the load average at 7 on 2 cores). (2) The
browser's own figure is longer: on a 2-core machine chromium draws every delta as it arrives and
takes a core from the server while it runs (measured 1.5-3x here, 250-700 ms against 130-220 ms;
replayed without the browser, its frames take the protocol's time). That drawing does not shrink
when the server gets faster (a rerun's server time fell to ~30 ms with no garbage collection
per run, the browser's figure stayed ~100-300 ms), so the bound is absolute as well as relative:
protocol / 2 ≤ browser ≤ 2 × protocol + 0.4 s. The simulated student's figures are the server's
time for browsers on machines of their own. Both clients see no exception.
"""

from __future__ import annotations

import base64
import statistics
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from e2e_util import EXCEPTION, SLIDER_INPUT, TAB, settle, run_async
from loadtest.protocol import Session

pytestmark = pytest.mark.e2e

LINK = ("deep_alignment", "k=5&T=50")
SLIDER = "Harm horizon k"
PRESSES = 5
SAME = (1 / 2, 2)  # replayed browser frames / protocol student
BROWSER = (1 / 2, 2.0, 0.4)  # browser's own figure against the protocol student's: p/2 .. 2p + 0.4 s




async def protocol_student(base: str, reruns: list[bytes] | None = None):
    """Open the link, move the slider PRESSES steps up, open the figure's second tab. With
    ``reruns`` (the browser's frames), a second session sends the browser's press after each of
    this student's own, so that both meet the same moment of a shared machine."""
    async with Session(base) as s, Session(base) as twin:
        run = await s.open(*LINK)
        if reruns:
            await twin.open(*LINK)
        exceptions = list(run.exceptions)
        slider_s, replayed = [], []
        for i in range(PRESSES):
            slider = next(c for c in run.controls if c.kind == "slider" and c.label == SLIDER)
            now = slider.element.value if slider.element.set_value else slider.element.default
            state = WidgetState(id=slider.id)
            state.double_array_value.data.append(now[0] + slider.element.step)
            run = await s.change(slider, state)
            slider_s.append(run.seconds)
            exceptions += run.exceptions
            if reruns:
                start = time.perf_counter()
                await twin.websocket.send(reruns[1 + i])
                replayed.append((await twin._until_finished(start, keep_controls=False)).seconds)
        tabs = next(c for c in run.controls if c.kind == "tab_container")
        state = WidgetState(id=tabs.id, string_value=tabs.element.labels[1])
        run = await s.change(tabs, state)
        view = parse_qs(run.query_string)["view"]
        return slider_s, view, exceptions + list(run.exceptions), replayed


def browser_student(new_page, base: str) -> tuple[list[float], list[float], list[str]]:
    page = new_page()
    frames: list[tuple[str, float, bytes]] = []  # (sent | received, chromium's clock, payload)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")

    def keep(direction):
        def on(event):
            r = event["response"]
            if r.get("opcode") == 2:  # binary: Streamlit's protobuf messages
                frames.append((direction, event["timestamp"], base64.b64decode(r["payloadData"])))
        return on

    cdp.on("Network.webSocketFrameSent", keep("sent"))
    cdp.on("Network.webSocketFrameReceived", keep("received"))
    page.goto(f"{base}/{LINK[0]}?{LINK[1]}", timeout=60_000)
    settle(page, timeout=60_000)
    slider = page.locator(SLIDER_INPUT).and_(page.locator(f'[aria-label="{SLIDER}"]'))
    def finished() -> int:
        return sum(d == "received" and _is_finished(p) for d, _, p in frames)

    def act(do) -> None:
        # under load a rerun can start after settle() already saw an idle page: wait for it
        before = finished()
        do()
        for _ in range(600):
            if finished() > before:
                break
            page.wait_for_timeout(50)  # Playwright delivers the DevTools events while it waits
        settle(page)

    for _ in range(PRESSES):
        act(lambda: (slider.focus(), page.keyboard.press("ArrowRight")))
    act(lambda: page.locator(TAB).nth(1).click())
    dom_exceptions = page.locator(EXCEPTION).count()
    view = parse_qs(urlsplit(page.url).query)["view"]

    runs, exceptions, start = [], [], None
    for direction, ts, payload in frames:
        if direction == "sent":
            msg = BackMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "rerun_script":
                start = ts
            continue
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        if msg.WhichOneof("type") == "delta" and msg.delta.new_element.WhichOneof("type") == "exception":
            exceptions.append(msg.delta.new_element.exception.message)
        if msg.WhichOneof("type") == "script_finished" and start is not None:
            runs.append(ts - start)
            start = None
    assert len(runs) == 1 + PRESSES + 1, runs  # the open, each press, the tab: one run each
    reruns = [p for d, _, p in frames if d == "sent" and _is_rerun(p)]
    return runs[1:1 + PRESSES], view, exceptions + ["DOM"] * dom_exceptions, reruns


def _is_finished(payload: bytes) -> bool:
    msg = ForwardMsg()
    msg.ParseFromString(payload)
    return msg.WhichOneof("type") == "script_finished"


def _is_rerun(payload: bytes) -> bool:
    msg = BackMsg()
    msg.ParseFromString(payload)
    return msg.WhichOneof("type") == "rerun_script"


def test_the_protocol_student_asks_what_a_browser_asks_and_the_server_takes_as_long(new_page, server):
    run_async(protocol_student(server))  # the same values once, so both sides meet warm caches
    b_slider, b_tab, b_exc, reruns = browser_student(new_page, server)
    p_slider, p_tab, p_exc, replayed = run_async(protocol_student(server, reruns))
    assert b_exc == [] and p_exc == []
    p = statistics.median(p_slider)
    figures = {"browser": b_slider, "protocol": p_slider, "replayed": replayed}
    assert SAME[0] <= statistics.median(replayed) / p <= SAME[1], figures
    assert BROWSER[0] * p <= statistics.median(b_slider) <= BROWSER[1] * p + BROWSER[2], figures
    # the tab: one run each, on the same view (single runs are too few to time on a shared
    # machine: 0.1-0.4 s for the same frame, seen here)
    assert b_tab[0] == p_tab[0]
