"""A browser whose server went away keeps its page and, on the next key press, sends every widget
value it holds to a new session (another replica, or the same one restarted). That first key
press must count: the new session reads the URL and then the input, not the URL over the input."""

from __future__ import annotations

import asyncio
import random
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import pytest

from loadtest.protocol import Session, nudged

pytestmark = pytest.mark.e2e


def _run(coro):
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
        return pool.submit(asyncio.run, asyncio.wait_for(coro, 120)).result()


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

    control, state, run = _run(_first_press_in_a_new_session(server, "deep_alignment",
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

    control, state, run = _run(_first_press_in_a_new_session(server, "deep_alignment",
                                                             "k=7&view=1", pick))
    assert state.string_value != control.element.labels[1]
    query = parse_qs(run.query_string)
    assert query["view"] == [str(control.element.labels.index(state.string_value))]
    assert query["k"] == ["7"] and not run.exceptions
