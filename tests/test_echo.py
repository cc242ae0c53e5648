"""ui.text.echo: user text repeated in a message is one short, unbreakable code span; and every message
that repeats a link's, a pin's, a lesson file's or an upload's text uses it (the fuzz corpus in
pages is tests/test_fuzz_url.py)."""

from __future__ import annotations

import json
import math
import re
import unicodedata

import pytest
from hypothesis import given, strategies as st

from test_fuzz_url import EVIL, HOST, LINK, assert_inert
from ui.text import echo, latex
from evidence import upload as evidence_upload
from ui.state import params as P
from ui.classroom import lessons
from ui.state import pins as PN
from ui.figures import table as tables

NASTY = [EVIL, f"`{LINK}`", "$x$ :red[x] *bold*", f"http://{HOST}", "\u202e" + LINK, "q" * 2000,
         "a\r\nb\u2028c\u2029d\x00e\x1bf\u200bg", "   ", "", None, 3.5, b"bytes", ["a", "b"]]


@pytest.mark.parametrize("raw", NASTY)
def test_quote_is_one_closed_code_span(raw):
    q = echo.quote(raw)
    assert q == "(empty)" or (q.startswith("`") and q.endswith("`") and q.count("`") == 2)
    assert "\n" not in q and len(q) <= echo.LIMIT + 2
    assert not any(unicodedata.category(c).startswith("C") for c in q)  # no control, no bidi
    assert_inert(q)


def test_the_cut_is_at_the_limit_and_marked():
    assert echo.plain("x" * 40) == "x" * 40  # exactly the limit: nothing cut
    assert echo.plain("x" * 41) == "x" * 39 + "…"
    assert len(echo.plain("x" * 41)) == 40
    assert echo.plain("ab" + " " * 500 + "cd", limit=10) == "ab…"  # spaces count before the cut
    assert echo.quote("x" * 10**6).endswith("…`")  # a megabyte is not walked (4 × limit at most)


def test_line_breaks_and_invisible_characters_become_one_space():
    assert echo.plain("a\r\n\r\nb\tc\u2028d\u202ee\u200bf") == "a b c d e f"
    assert echo.plain("  a  ") == "a"
    assert echo.quote(" \n\t ") == "(empty)"
    assert echo.quote("a`b``c") == "`a'b''c`"  # no backtick of its own: the span cannot close
    assert echo.quote(12) == "`12`" and echo.quote(None) == "`None`"


@given(st.text(max_size=300), st.integers(min_value=2, max_value=200))
def test_quote_property(raw, limit):
    q = echo.quote(raw, limit)
    assert q == "(empty)" or (q.count("`") == 2 and len(q) <= limit + 2)
    assert "\n" not in q and echo.plain(raw, limit) in q


@given(st.text(max_size=300))
def test_inert_shows_exactly_its_characters(raw):
    out = echo.inert(raw)
    assert "\n" not in out
    # Every ASCII punctuation character is escaped: none is left once the escapes are taken
    # out; resolved (and without the word joiners) they give back the line itself.
    assert not re.search(r"[!-/:-@\[-`{-~]", re.sub(r"\\.", "", out))
    assert re.sub(r"\\(.)", r"\1", out).replace("\u2060", "") == echo._line(raw)


@pytest.mark.parametrize("raw", [f"http://{HOST}", f"HTTPS://{HOST}", f"www.{HOST}",
                                 f"WWW.{HOST}", f"a@{HOST}", f"see {LINK} :red[x] $x$ *bold*"])
def test_inert_leaves_no_live_link(raw):
    assert_inert(echo.inert(raw))


# --- the messages that repeat user text ----------------------------------------------------------

def _messages() -> list[str]:
    out = []
    for raw in (EVIL, f"`{LINK}`", "q" * 2000):
        out += [P.parse("mu", raw)[1], P.parse("T", [raw])[1]]
        out += PN.parse_all([raw, f"{raw}~mu:5", f"p~mu:{raw}", f"p~{raw}:1"])[1]
        out += [lessons.step_number([raw], lessons.shipped()[0]["deep"])[1]]
        text = json.dumps(raw)  # a TOML basic string (the same escapes as JSON)
        toml = (f'title = "t"\n{text} = 1\n[[steps]]\npage = {text}\ntext = "x"\n'
                f'params = {json.dumps("mu=" + raw)}\n[steps.question]\nkind = {text}\n')
        out += lessons.parse(toml, "x")[1]  # an unknown key, a bad page, params, kind
        out += lessons.parse(f"title = {text}\n[[", raw)[1]  # bad TOML, a bad name
        out += evidence_upload.parse(f"t,kl,{raw}\n1,2,3\n".encode(), name=raw)[1]
        out += evidence_upload.parse(f"t,kl\n1,{raw}\n2,1\n".encode(), name=raw)[1]
        out += evidence_upload.parse(b"", name=raw)[1]  # the file name in the message
    return [m for m in out if m]


def test_every_message_keeps_user_text_inert():
    messages = _messages()
    assert len(messages) > 20
    for m in messages:
        assert_inert(m)
        assert len(m) < 1500, m[:200]


# --- -0 --------------------------------------------------------------------------------------------

def test_minus_zero_is_read_and_shown_as_zero():
    for raw in ("-0", "-0.0", "-1e-400", -0.0):
        value, warning = P.parse("gamma", raw)
        assert value == 0 and math.copysign(1.0, value) == 1.0 and warning is None
    assert P.fmt(-0.0) == "0.0"
    assert latex.text(-0.0) == "0" and latex.num(-0.0) == "0"
    assert tables._num(-0.0) == "0"
    assert latex.text(-0.5) == "-0.5"  # a real negative number keeps its sign
