"""The protocol-level student (loadtest/protocol.py) against the real server: it opens pages,
changes controls and reads what the app sends back the way a browser would."""

from __future__ import annotations

import random
from urllib.parse import parse_qs

import pytest

from e2e_util import run_async
from loadtest.protocol import Session, check_loopback, nudged
from ui.state import nav

pytestmark = pytest.mark.e2e




def test_every_page_opens_without_an_exception(server):
    async def go():
        runs = {}
        for info in nav.PAGES:
            async with Session(server) as s:
                # the default page's url_path is not a page name on the wire: "" is
                runs[info.url_path] = await s.open("" if info is nav.PAGES[0] else info.url_path)
        return runs

    for page, run in run_async(go()).items():
        assert run.status == "FINISHED_SUCCESSFULLY", page
        assert not run.page_not_found and not run.exceptions, (page, run.exceptions)
        assert run.controls, page  # every page has at least a button


def test_a_slider_change_reaches_the_url_and_other_values_stay(server):
    async def go():
        async with Session(server) as s:
            first = await s.open("deep_alignment", "k=5&T=50")
            slider = next(c for c in first.controls if c.kind == "slider" and "horizon k" in c.label)
            state = nudged(slider, random.Random(0))
            second = await s.change(slider, state)
            return first, second, state

    first, second, state = run_async(go())
    before, after = parse_qs(first.query_string), parse_qs(second.query_string)
    assert after["k"] == [str(int(state.double_array_value.data[0]))] != before["k"]
    assert after["T"] == before["T"] == ["50"]
    assert second.status == "FINISHED_SUCCESSFULLY" and not second.exceptions


def test_tab_switches_rerun_the_same_page_with_the_view_in_the_url(server):
    # Two switches in a row: the second needs the rerun to land on this page again (not the
    # default one) and the tab container's new id (it changes with its default tab).
    async def go():
        async with Session(server) as s:
            run = await s.open("deep_alignment")
            views = []
            for label_index in (2, 1):
                tabs = next(c for c in run.controls if c.kind == "tab_container")
                state = nudged(tabs, random.Random(0))
                state.string_value = tabs.element.labels[label_index]
                run = await s.change(tabs, state)
                views.append(parse_qs(run.query_string)["view"])
            return tabs, run, views

    tabs, run, views = run_async(go())
    assert len(tabs.element.labels) >= 3
    assert views == [["2"], ["1"]]
    assert not run.exceptions


def test_a_page_switch_keeps_the_parameters_and_opens_the_first_tab(server):
    async def go():
        async with Session(server) as s:
            await s.open("deep_alignment", "k=7&view=2")
            return await s.switch("methods")

    run = run_async(go())
    query = parse_qs(run.query_string)
    assert query["k"] == ["7"] and query["view"] == ["0"]
    assert run.status == "FINISHED_SUCCESSFULLY" and not run.exceptions and not run.page_not_found


def test_an_unknown_page_is_reported(server):
    async def go():
        async with Session(server) as s:
            return await s.open("no_such_page")

    assert run_async(go()).page_not_found


@pytest.mark.parametrize("url", ["http://10.0.0.1:8501", "http://example.org", "ws://192.168.1.2"])
def test_only_loopback_is_spoken_to(url):
    with pytest.raises(ValueError, match="127.0.0.1 only"):
        check_loopback(url)
    with pytest.raises(ValueError):
        Session(url)
