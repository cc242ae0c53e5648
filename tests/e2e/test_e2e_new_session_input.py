"""A browser whose server went away keeps its page and, on the next key press, sends every widget
value it holds to a new session (another replica, or the same one restarted). That first key
press must count: the new session reads the URL and then the input, not the URL over the input."""

from __future__ import annotations

import random
from urllib.parse import parse_qs

import pytest

from e2e_util import run_async
from loadtest.protocol import Session, nudged

pytestmark = pytest.mark.e2e




async def _first_press_in_a_new_session(server, page, query, pick):
    async with Session(server) as before:
        run = await before.open(page, query)
        control = pick(run.controls)
        held, shown = dict(before._states), before.query
    async with Session(server) as after:  # the browser after its websocket came back
        await after.connect(page, shown)
        after.page, after.query, after._states = page, shown, held
        state = nudged(control, random.Random(1))
        return control, state, await after.change(control, state)


@pytest.mark.parametrize("twin", ["slider", "number_input"])
def test_the_first_change_after_a_reconnect_is_kept(server, twin):
    def pick(controls):
        return next(c for c in controls if c.kind == twin and c.label.startswith("Harm horizon k"))

    control, state, run = run_async(_first_press_in_a_new_session(server, "deep_alignment",
                                                             "k=7&T=50", pick))
    sent = (state.double_array_value.data[0] if twin == "slider"
            else state.int_value or state.double_value)
    query = parse_qs(run.query_string)
    assert query["k"] == [str(int(sent))] != ["7"], control.label
    assert query["T"] == ["50"]
    assert not run.exceptions


def test_the_first_tab_switch_after_a_reconnect_is_kept(server):
    def pick(controls):
        return next(c for c in controls if c.kind == "tab_container")

    control, state, run = run_async(_first_press_in_a_new_session(server, "deep_alignment",
                                                             "k=7&view=1", pick))
    assert state.string_value != control.element.labels[1]
    query = parse_qs(run.query_string)
    assert query["view"] == [str(control.element.labels.index(state.string_value))]
    assert query["k"] == ["7"] and not run.exceptions


def _reopen_in_a_new_session(server, page, query, then):
    async def go():
        async with Session(server) as first:
            run = await first.open(page, query)
            run = await then(first, run)
            where, shown = first.page, first.query
        async with Session(server) as again:  # what the address bar shows, in a new session
            run = await again.open(where, shown)
            assert again.page == where, (again.page, where)  # not sent to the step's page
            return where, shown, run
    return run_async(go())


def test_a_lesson_student_s_own_values_survive_a_new_session(server):
    async def move_k(s, run):
        k = next(c for c in run.controls if c.kind == "number_input"
                 and c.label == "Harm horizon k: exact value")
        return await s.change(k, nudged(k, random.Random(0)))

    where, shown, run = _reopen_in_a_new_session(server, "", "lesson=deep&step=1", move_k)
    assert where == "deep_alignment" and parse_qs(shown)["k"] != ["5"]  # moved off the step's 5
    assert parse_qs(run.query_string) == parse_qs(shown)
    assert not run.exceptions and not run.page_not_found


def test_a_lesson_student_on_another_page_stays_there_in_a_new_session(server):
    async def wander(s, run):
        return await s.switch("glossary")

    where, shown, run = _reopen_in_a_new_session(server, "", "lesson=deep&step=1", wander)
    assert where == "glossary" and "lesson=deep" in shown
    assert parse_qs(run.query_string) == parse_qs(shown)
    assert not run.exceptions and not run.page_not_found


def test_a_tab_click_sent_with_a_page_switch_raises_nothing(server):
    # A fast click on a tab and then on another page: the browser may send the old page's tab
    # value along with the switch, and its callback runs where that tab container is gone.
    async def go():
        async with Session(server) as s:
            run = await s.open("deep_alignment")
            tabs = next(c for c in run.controls if c.kind == "tab_container")
            s._states[tabs.id] = nudged(tabs, random.Random(0))
            s.page, s.page_hash = "methods", ""
            return await s._run()

    run = run_async(go())
    assert run.status == "FINISHED_SUCCESSFULLY" and not run.exceptions, run.exceptions
