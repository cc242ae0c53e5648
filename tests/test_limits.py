"""The session gate of ``ui.state.limits`` without a server: who is let in, who stays in, who is
let go for idleness (the real server's side is tests/e2e/test_e2e_limits.py)."""

from __future__ import annotations

import pytest

from ui.state import limits
from ui.state.limits import Gate, Settings


def _gate(cap=None, idle=None):
    return Gate(Settings(cap, idle))


def test_the_cap_refuses_newcomers_only_and_counts_connected_sessions():
    gate, active = _gate(cap=2), {"a", "b", "c"}
    assert [gate.enter(s, 0.0, active.__contains__) for s in "abc"] == ["in", "in", "full"]
    assert gate.enter("a", 1.0, active.__contains__) == "in"  # already in: never refused
    assert not gate.has_room(active.__contains__)
    active.discard("b")  # a tab closed: its place frees at once
    assert gate.has_room(active.__contains__)
    assert gate.enter("c", 2.0, active.__contains__) == "in"
    active.add("b")  # the closed one's reconnect resumes it: still in, over the cap for a while
    assert gate.enter("b", 3.0, active.__contains__) == "in"


def test_a_full_page_holds_no_place():
    gate, active = _gate(cap=1), {"a", "b"}
    gate.enter("a", 0.0, active.__contains__)
    for t in range(5):
        assert gate.enter("b", float(t), active.__contains__) == "full"
    assert gate.live(active.__contains__) == 1


def test_an_idle_session_gets_its_away_page_then_is_closed():
    gate, active = _gate(cap=1, idle=1.0), {"a"}
    gate.enter("a", 0.0, active.__contains__)
    gate.remember("a", "deep_alignment", "k=7")
    assert gate.sweep(59.0, active.__contains__, 120) == ([], [])
    gate.touch("a", 30.0)  # a fragment's run counts
    assert gate.sweep(89.0, active.__contains__, 120) == ([], [])
    assert gate.sweep(91.0, active.__contains__, 120) == ([("a", "deep_alignment", "k=7")], [])
    assert gate.has_room(active.__contains__)  # its place is free already
    assert gate.enter("a", 91.5, active.__contains__) == "away"  # the run the sweep asked for
    assert gate.sweep(92.0, active.__contains__, 120) == ([], ["a"])


def test_back_before_the_close_is_a_newcomer_again():
    gate, active = _gate(cap=1, idle=1.0), {"a", "b"}
    gate.enter("a", 0.0, active.__contains__)
    gate.sweep(61.0, active.__contains__, 120)
    assert gate.enter("a", 61.1, active.__contains__) == "away"
    assert gate.enter("b", 61.2, active.__contains__) == "in"  # the freed place is taken
    assert gate.enter("a", 61.3, active.__contains__) == "full"  # the student's own click
    assert gate.sweep(62.0, active.__contains__, 120) == ([], [])


def test_disconnected_sessions_are_forgotten_after_the_reconnect_window():
    gate, active = _gate(cap=5), {"a"}
    gate.enter("a", 0.0, active.__contains__)
    active.clear()
    gate.sweep(10.0, active.__contains__, 120)
    gate.sweep(100.0, active.__contains__, 120)
    assert "a" in gate.admitted
    gate.sweep(131.0, active.__contains__, 120)
    assert "a" not in gate.admitted


@pytest.mark.parametrize(("env", "expected", "message"), [
    ({limits.MAX_SESSIONS_VAR: "many", limits.IDLE_MINUTES_VAR: "-5"},
     limits.Settings(None, limits.DEFAULT_IDLE_MINUTES), ("MAX_SESSIONS='many'", "IDLE_MINUTES='-5'")),
    ({limits.MAX_SESSIONS_VAR: "0", limits.IDLE_MINUTES_VAR: "nan"},
     limits.Settings(None, limits.DEFAULT_IDLE_MINUTES), ("MAX_SESSIONS='0'", "IDLE_MINUTES='nan'")),
    ({limits.MAX_SESSIONS_VAR: " 40 ", limits.IDLE_MINUTES_VAR: "0"}, limits.Settings(40, None), ()),
    ({limits.IDLE_MINUTES_VAR: "2.5"}, limits.Settings(None, 2.5), ()),
    ({}, limits.Settings(None, limits.DEFAULT_IDLE_MINUTES), ()),
])
def test_settings_bad_values_fall_back_to_the_defaults_with_a_message(env, expected, message):
    got = limits.read(env)
    assert (got.max_sessions, got.idle_minutes) == (expected.max_sessions, expected.idle_minutes)
    assert len(got.problems) == len(message)
    for text, problem in zip(message, got.problems):
        assert text in problem
