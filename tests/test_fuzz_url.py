"""Fuzz corpus: hostile links (AppTest). Nothing from a URL becomes Markdown.

Streamlit renders messages, captions, labels and tooltips as Markdown. A link is user text: each
case below puts into it something that would be live Markdown (a link after a blank line, a
backtick that closes a code span, ``$…$``, ``:red[…]``, a bare URL, a bidirectional override) or
that is only too much (2,000 characters, 999 keys, 15 pins), and checks the Markdown source of
every element on the page: what the link carried is shown inside code spans only (or escaped,
``ui.text.echo``), on one line, cut short, and the page still runs. One cheap page (the overview) for
what every page does alike; each classroom key on a page that shows it.
"""

from __future__ import annotations

import math
import re

import pytest
from streamlit.testing.v1 import AppTest

from test_app_pages import APP
from ui.state import nav
from ui.classroom import lessons
from ui.state import pins as PN
from ui.state import params as P

HOST = "evil.example"
LINK = f"[Click here](http://{HOST})"
EVIL = f"1\n\n{LINK}"  # the blank line ends a paragraph, and any code span around the value
LONG = "q" * 2000
# Markdown that would be live if it reached the page outside a code span, unescaped:
LIVE = (f"](http://{HOST}", ":red[x]", "$x$", "*bold*", "\u202e")
# A bare URL or address, which GFM links even when its characters are backslash-escaped.
BARE = re.compile(r"(?:https?://|www\.|@)" + re.escape(HOST), re.IGNORECASE)
OVERVIEW = nav.BY_NAME["overview"].path
LESSON = lessons.shipped()[0]["deep"]
STEP_PAGE = LESSON.steps[0].page_info.path  # step 1's page: the lesson panel is drawn there
PIN = PN.format_pin(PN.make("p", P.defaults()))

# Fields of an element's message that Streamlit renders as Markdown (plotly's spec, a text box's
# value and a table's cells are plain text).
MARKDOWN_FIELDS = {"body", "label", "help", "caption", "placeholder"}


def markdown_sources(at: AppTest) -> list[str]:
    """The Markdown source of every element on the page (main area and sidebar)."""
    out = []

    def strings(message):
        for field, value in message.ListFields():
            if field.type == field.TYPE_MESSAGE:
                for item in ([value] if hasattr(value, "ListFields") else value):  # or repeated
                    strings(item)
            elif field.name in MARKDOWN_FIELDS and isinstance(value, str) and value:
                out.append(value)

    def walk(node):
        if getattr(node, "proto", None) is not None:
            strings(node.proto)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def outside_code_spans(source: str) -> str:
    """The source without its one-line code spans (inside one, nothing is Markdown)."""
    return re.sub(r"`[^`\n]*`", " ", source)


def open_page(path: str, query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.switch_page(path).run()
    return at


def assert_inert(source: str) -> None:
    """What the link carried is in ``source`` (Markdown) only where it is inert: inside one-line
    code spans, or backslash-escaped, and never a long run of it."""
    text = outside_code_spans(source)
    # An escaped character is no syntax (ui.text.echo.inert), but GFM finds bare URLs in the text
    # after escapes are resolved: check both readings.
    assert not any(m in re.sub(r"\\.", "\0", text) for m in LIVE), source[:300]
    assert not BARE.search(re.sub(r"\\(.)", r"\1", text)), source[:300]
    assert not re.search(r"(.)\1{59}", source), "a long value is echoed in full"
    for span in re.findall(r"`([^`]*)`", source):
        assert "\n" not in span, source[:300]  # a code span on one line: nothing closes it


def check(at: AppTest) -> list[str]:
    """The page ran, no Markdown on it is live from the link, and its messages are short."""
    assert not at.exception, [e.value for e in at.exception]
    sources = markdown_sources(at)
    assert sources, "nothing rendered"
    for source in sources:
        assert_inert(source)
    for alert in [*at.warning, *at.error, *at.info]:
        assert len(alert.value) < 2500 and alert.value.count("\n") <= 15, alert.value[:300]
    return [a.value for a in at.warning]


# --- the link's parameters and unknown keys, on the overview -----------------------------------

PARAM_CASES = {
    "newline and link in a value": {"mu": EVIL},
    "newline and link in an unknown key": {EVIL: "1"},
    "backticks close the code span": {"mu": f"`{LINK}`", "gamma": f"``\n{LINK}\n``"},
    "LaTeX": {"mu": "$x$", "beta": f"$\\href{{http://{HOST}}}{{x}}$"},
    "Streamlit colour and emphasis": {"mu": ":red[x] *bold*", ":red[x]": "1"},
    "bare URL and www": {"mu": f"http://{HOST}", f"www.{HOST}": "1"},
    "bidirectional override": {"mu": f"\u202e{LINK}"},
    "repeated key, the last one bad": {"mu": ["2", EVIL]},
    "2,000-character value": {"mu": LONG},
    "2,000-character key": {LONG: "1"},
}


@pytest.mark.parametrize("query", PARAM_CASES.values(), ids=PARAM_CASES.keys())
def test_a_hostile_link_value_is_shown_inert(query):
    warnings = check(open_page(OVERVIEW, query))
    assert any("link had values" in w for w in warnings), warnings  # and it is reported


def test_999_unknown_keys_give_a_short_list():
    warnings = check(open_page(OVERVIEW, {f"junk{i}": "1" for i in range(999)}))
    [text] = [w for w in warnings if "link had values" in w]
    assert text.count("Unknown parameter") == 10
    assert "989 more unknown parameters" in text


MINUS_ZERO = re.compile(r"(?<![\w.])[-−]0(?:\.0*)?(?![\w.])")  # -0, -0.0, −0 (not -0.5, x-0)


@pytest.mark.parametrize("raw", ["-0", "-0.0", "-1e-400"])  # the last underflows to -0.0
def test_minus_zero_is_shown_as_zero(raw):
    at = open_page(OVERVIEW, {"gamma": raw, "p_base": raw, "view": raw})
    check(at)
    shown = markdown_sources(at) + [m.value for m in at.metric]
    assert not [s for s in shown if MINUS_ZERO.search(s)]
    assert at.query_params["gamma"] in ("0.0", ["0.0"])
    assert math.copysign(1.0, at.number_input(key="_w_gamma_box").value) == 1.0


# --- the classroom keys, each on a page that shows it ------------------------------------------

PIN_CASES = {
    "no separator, newline and link": [EVIL],
    "a bad value": [f"p~mu:{EVIL}"],
    "a link as the name": [f"{LINK} :red[x]~mu:5"],  # a valid pin: its name is in the legend and caption
    "a bare URL as the name": [f"http://{HOST} *bold*~mu:5"],
    "2,000 characters": [LONG + "~mu:5", "p~" + LONG],
}


@pytest.mark.parametrize("raws", PIN_CASES.values(), ids=PIN_CASES.keys())
def test_a_hostile_pin_is_shown_inert(raws):
    check(open_page(OVERVIEW, {"pin": raws}))


def test_fifteen_pins_are_counted_right():
    warnings = check(open_page(OVERVIEW, {"pin": [PIN] * 15}))
    text = " ".join(warnings)
    assert "pins 15 parameter sets" in text and "only the first 3" in text
    assert "only the first 10 are read" in text  # what ui.state.url reads of a link, said


@pytest.mark.parametrize("name", [EVIL, LONG, f"`{LINK}`"], ids=["link", "long", "backticks"])
def test_a_hostile_lesson_name_is_shown_inert(name):
    warnings = check(open_page(OVERVIEW, {"lesson": name}))
    assert any("There is no lesson" in w for w in warnings)


@pytest.mark.parametrize("step", [EVIL, "9" * 2000], ids=["link", "2000 digits"])
def test_a_hostile_step_is_shown_inert(step):
    warnings = check(open_page(STEP_PAGE, {"lesson": LESSON.name, "step": step}))
    assert any("showing step" in w for w in warnings)


def test_a_hostile_present_value_is_ignored():
    check(open_page(STEP_PAGE, {"lesson": LESSON.name, "step": "1", "present": EVIL}))
