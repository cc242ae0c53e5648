"""URL <-> session state: every parameter of ``ui.state.params`` lives in the URL on every page.

The canonical values live in one plain dict, ``st.session_state["_params"]``, never under a
widget's key, so they survive a page switch (Streamlit drops the state of widgets that are not on
the new page). Widgets (``ui.page.widgets``) only display that dict and write to it through
:func:`set_value`.

``app.py`` calls :func:`sync` on every run, before ``st.navigation``. It adopts a URL value only
when it differs from what this session last wrote there; so

* a fresh visit or a pasted link adopts every key in the URL (missing keys keep their defaults),
* a preset link (``st.page_link`` with ``query_params``) adopts the values it carries,
* a page switch, which empties the browser's query string (STACK_NOTES.md), adopts nothing:
  the state stays and is written back at once, so the address bar again shows every parameter.

The URL is read once per run, by :func:`sync`, and only its keys this session did not write are
parsed (``ui.state.link.read``, by the parameter table); everything else reads the session:
:func:`values`, the classroom's :func:`text` and :func:`flag`, and the parsed :func:`pins`.
Bad URL values never raise: :mod:`ui.state.params` corrects them and :func:`show_warnings` says how.
"""

from __future__ import annotations

import streamlit as st

from . import link, params as P, pins as PN

_VALUES = "_params"  # canonical values: {name: value}
_WRITTEN = "_params_written"  # {name: raw string} last written to the URL by this session
_WARNINGS = "_params_warnings"  # messages about corrected URL values
_PAGE = "_params_page"  # url path of the page shown by the last run
_RESERVED = set(P.RESERVED)  # Streamlit's own URL keys: from_dict keeps them
# The classroom's keys (``params.TEXT``): no numbers of the theory, held as the URL's text (cut
# to the table's caps) beside the parameters, so they survive a page switch the same way.
EXTRA_KEYS = tuple(P.TEXT)  # the name the export tests compare ``link.OTHER_URL_KEYS`` with
_TEXT = "_params_text"  # {key: [raw strings]}
_TEXT_WRITTEN = "_params_text_written"
_PINS = "_params_pins"  # the pins, parsed when the URL's pin values arrive
_PIN_WARNINGS = "_params_pin_warnings"  # their problems, until ui.classroom.compare shows them
_FIRST_RUN = "_params_first_run"  # whether this run is the session's first (see first_run)
_LINKED = "_params_linked"  # the parameter names the session's first URL carried
MAX_UNKNOWN = 10  # unknown keys named one by one in the warning; the rest are counted


def _init() -> None:
    if _VALUES not in st.session_state:
        st.session_state[_VALUES] = P.defaults()
        st.session_state[_WRITTEN] = {}
        st.session_state[_WARNINGS] = []
        st.session_state[_TEXT] = {}
        st.session_state[_TEXT_WRITTEN] = {}
        st.session_state[_PINS] = ()
        st.session_state[_PIN_WARNINGS] = []


def _new(key: str, given: list[str]) -> bool:
    """Whether the URL's ``given`` values of ``key`` are not what this session wrote there."""
    if key in P.TEXT:
        return st.session_state[_TEXT_WRITTEN].get(key) != link.clip(given)
    return key not in P.PARAMS or [st.session_state[_WRITTEN].get(key)] != given


def sync() -> None:
    """Adopt externally changed URL values, validate, and write every parameter back to the URL.

    The one read of the URL in a run: only the keys this session did not write are parsed.
    """
    st.session_state[_FIRST_RUN] = _VALUES not in st.session_state
    _init()
    url = st.query_params
    given = {key: url.get_all(key) for key in url.keys() if key not in _RESERVED}
    if st.session_state[_FIRST_RUN]:
        st.session_state[_LINKED] = frozenset(given).intersection(P.PARAMS)
    reading = link.read({k: raw for k, raw in given.items() if _new(k, raw)},
                        max_unknown=MAX_UNKNOWN)
    values, more = P.constrain({**st.session_state[_VALUES], **reading.values})
    if reading.text:
        st.session_state[_TEXT] = {**st.session_state[_TEXT], **reading.text}
    if reading.pins is not None:
        st.session_state[_PINS] = reading.pins
        st.session_state[_PIN_WARNINGS] = reading.pin_warnings
    if reading.warnings or more:
        st.session_state[_WARNINGS] = reading.warnings + more
    st.session_state[_VALUES] = values
    _write_url(values, given)


def _write_url(values: dict, current: dict | None = None) -> None:
    """Make the browser's URL hold exactly the parameters (one message, table order).

    ``current``: the URL's keys as :func:`sync` read them this run (else they are read here).
    """
    desired = {name: P.fmt(value) for name, value in values.items()}
    extra = {k: list(v) for k, v in st.session_state.get(_TEXT, {}).items() if v}
    if current is None:
        current = {k: st.query_params.get_all(k) for k in st.query_params.keys()
                   if k not in _RESERVED}
    # Compare with what we last sent too: after a link to the current page the server already
    # holds the new query string but the browser's address bar still shows the old one.
    wanted = {**extra, **{k: [v] for k, v in desired.items()}}
    if (current != wanted or st.session_state[_WRITTEN] != desired
            or st.session_state.get(_TEXT_WRITTEN) != extra):
        st.query_params.from_dict({**extra, **desired})  # keeps Streamlit's embed keys
    st.session_state[_WRITTEN] = desired
    st.session_state[_TEXT_WRITTEN] = extra


def enter_page(path: str) -> None:
    """Open a page switched to at its first tab: its ``view`` means nothing on another page.

    A fresh visit (a pasted link) keeps the link's view; app.py calls this after ``sync``.
    """
    last = st.session_state.get(_PAGE)
    st.session_state[_PAGE] = path
    if last is not None and last != path and st.session_state[_VALUES]["view"] != 0:
        st.session_state[_VALUES] = {**st.session_state[_VALUES], "view": 0}
        _write_url(st.session_state[_VALUES])


def first_run() -> bool:
    """Whether this run is the session's first.

    Usually a fresh visit, whose widgets hold nothing. But a browser whose server went away (a
    replica killed, a restart) keeps its page, reconnects to a new session and sends, with the
    next key press, every widget value it holds: that press is then in the first run, where no
    ``on_change`` callback fires (the new session has never drawn the widget). Widgets read their
    own value in that run instead of being seeded from the URL (``ui.page.widgets``).
    """
    return st.session_state.get(_FIRST_RUN, False)


def whole_view_linked() -> bool:
    """Whether the link that opened this session held every parameter.

    The app writes every parameter to the address bar, so such a link is what someone saw: a
    shared view, or a browser reconnecting to a new session. It is restored as it is; a
    lesson's link (``?lesson=deep&step=2``) holds at most the step's few.
    """
    return st.session_state.get(_LINKED, frozenset()) >= set(P.PARAMS)


def values() -> dict:
    """A copy of the current (valid) parameter values, ``{name: value}``."""
    _init()
    return dict(st.session_state[_VALUES])


def get(name: str):
    _init()
    return st.session_state[_VALUES][name]


def set_value(name: str, raw) -> None:
    """Set one parameter from a widget (validated, constrained) and mirror it in the URL.

    Writes the URL itself so that it also works inside an ``st.fragment`` rerun, where
    ``app.py`` (and so :func:`sync`) does not run.
    """
    _init()
    vals = dict(st.session_state[_VALUES])
    vals[name], _ = P.parse(name, raw)  # widgets enforce the range already; this is a backstop
    vals, _ = P.constrain(vals)
    st.session_state[_VALUES] = vals
    st.session_state[_WARNINGS] = []  # the user has moved on from the link's problems
    _write_url(vals)


def url_for(overrides: dict | None = None) -> dict[str, str]:
    """Query parameters for the current values with ``overrides`` applied (for links)."""
    vals = values()
    vals.update(overrides or {})
    vals, _ = P.constrain(vals)
    return {name: P.fmt(value) for name, value in vals.items()}


def text(key: str) -> list[str]:
    """The URL values of a classroom key (``params.TEXT``), ``[]`` when absent. Raw user text:
    the caller validates it (a lesson's name and step, which only the classroom knows)."""
    assert key in P.TEXT, key
    _init()
    return list(st.session_state[_TEXT].get(key, []))


def flag(key: str) -> bool:
    """Whether a flag of the classroom (``params.TEXT``, kind ``"flag"``) is on."""
    assert P.TEXT[key].kind == "flag", key
    return P.flag(text(key))


def set_text(key: str, raw: list[str] | str | None) -> None:
    """Set (or with ``None``/``[]`` remove) a classroom key and mirror it in the URL."""
    assert key in P.TEXT and P.TEXT[key].kind != "pins", key  # pins: set_pins
    _set_text(key, [] if raw is None else [raw] if isinstance(raw, str) else [str(x) for x in raw])


def _set_text(key: str, items: list[str]) -> None:
    _init()
    texts = {k: v for k, v in st.session_state[_TEXT].items() if k != key}
    if items:
        texts[key] = items
    st.session_state[_TEXT] = texts
    _write_url(st.session_state[_VALUES])


def pins() -> tuple[PN.Pin, ...]:
    """The pinned sets: the link's valid ones (parsed once, when they arrived) or the session's."""
    _init()
    return st.session_state[_PINS]


def pin_warnings() -> list[str]:
    """What was wrong with the link's pins, once: a second call returns ``[]``."""
    _init()
    return st.session_state.pop(_PIN_WARNINGS, None) or []


def set_pins(found) -> None:
    """Set the pinned sets (none: remove the key) and write them to the URL in canonical form."""
    _init()
    st.session_state[_PINS] = tuple(found)
    st.session_state[_PIN_WARNINGS] = []
    _set_text("pin", [PN.format_pin(p) for p in found])


def show_warnings() -> None:
    """Show what was wrong with the link (until the user changes a parameter)."""
    messages = st.session_state.get(_WARNINGS, [])
    if messages:
        items = "\n".join(f"- {m}" for m in messages)
        st.warning(f"**This link had values the app cannot use; it corrected them:**\n{items}",
                   icon="⚠️")
