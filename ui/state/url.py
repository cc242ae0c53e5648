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

Bad URL values never raise: :mod:`ui.state.params` corrects them and :func:`show_warnings` says how.
"""

from __future__ import annotations

import streamlit as st

from ui.text.echo import quote

from . import params as P

_VALUES = "_params"  # canonical values: {name: value}
_WRITTEN = "_params_written"  # {name: raw string} last written to the URL by this session
_WARNINGS = "_params_warnings"  # messages about corrected URL values
_PAGE = "_params_page"  # url path of the page shown by the last run
_RESERVED = {"embed", "embed_options"}  # Streamlit's own URL keys: from_dict keeps them
# Classroom keys: not parameters of the theory, so not in ui.state.params; their owners
# (ui.classroom) validate them. They ride in the URL beside the parameters and survive a page
# switch the same way (held in the session, written back).
EXTRA_KEYS = ("lesson", "step", "present", "pin")
_EXTRA = "_params_extra"  # {key: [raw strings]} of the classroom keys
_EXTRA_WRITTEN = "_params_extra_written"
_EXTRA_COUNT = "_params_extra_count"  # {key: how many values the link gave} (before the cap)
# A link is user text: read at most this many values of a classroom key (pins keep 3 anyway),
# each at most EXTRA_CHARS characters, so a hostile link costs little.
MAX_EXTRA, EXTRA_CHARS = 10, 2000
MAX_UNKNOWN = 10  # unknown keys named one by one in the warning; the rest are counted


def _init() -> None:
    if _VALUES not in st.session_state:
        st.session_state[_VALUES] = P.defaults()
        st.session_state[_WRITTEN] = {}
        st.session_state[_WARNINGS] = []
        st.session_state[_EXTRA] = {}
        st.session_state[_EXTRA_WRITTEN] = {}
        st.session_state[_EXTRA_COUNT] = {}


def sync() -> None:
    """Adopt externally changed URL values, validate, and write every parameter back to the URL."""
    _init()
    values = dict(st.session_state[_VALUES])
    written = st.session_state[_WRITTEN]
    warnings, unknown = [], []
    url = st.query_params
    for key in url.keys():
        if key in _RESERVED:
            continue
        if key in EXTRA_KEYS:
            given = url.get_all(key)
            raw = [str(x)[:EXTRA_CHARS] for x in given[:MAX_EXTRA]]
            if st.session_state[_EXTRA_WRITTEN].get(key) != raw:
                st.session_state[_EXTRA] = {**st.session_state[_EXTRA], key: raw}
                st.session_state[_EXTRA_COUNT] = {**st.session_state[_EXTRA_COUNT],
                                                  key: len(given)}
                if len(given) > MAX_EXTRA:
                    warnings.append(f"The link gives {quote(key)} {len(given)} times; only the "
                                    f"first {MAX_EXTRA} are read.")
            continue
        if key not in P.PARAMS:
            unknown.append(key)
            continue
        raw = url.get_all(key)
        if [written.get(key)] == raw:
            continue  # this session wrote it: nothing new
        values[key], warning = P.parse(key, raw)
        if warning:
            warnings.append(warning)
    warnings += [f"Unknown parameter {quote(key)} in the link was ignored."
                 for key in unknown[:MAX_UNKNOWN]]
    if len(unknown) > MAX_UNKNOWN:
        warnings.append(f"… and {len(unknown) - MAX_UNKNOWN} more unknown parameters were ignored.")
    values, more = P.constrain(values)
    if warnings or more:
        st.session_state[_WARNINGS] = warnings + more
    st.session_state[_VALUES] = values
    _write_url(values)


def _write_url(values: dict) -> None:
    """Make the browser's URL hold exactly the parameters (one message, table order)."""
    desired = {name: P.fmt(value) for name, value in values.items()}
    extra = {k: list(v) for k, v in st.session_state.get(_EXTRA, {}).items() if v}
    current = {k: st.query_params.get_all(k) for k in st.query_params.keys() if k not in _RESERVED}
    # Compare with what we last sent too: after a link to the current page the server already
    # holds the new query string but the browser's address bar still shows the old one.
    wanted = {**extra, **{k: [v] for k, v in desired.items()}}
    if (current != wanted or st.session_state[_WRITTEN] != desired
            or st.session_state.get(_EXTRA_WRITTEN) != extra):
        st.query_params.from_dict({**extra, **desired})  # keeps Streamlit's embed keys
    st.session_state[_WRITTEN] = desired
    st.session_state[_EXTRA_WRITTEN] = extra


def enter_page(path: str) -> None:
    """Open a page switched to at its first tab: its ``view`` means nothing on another page.

    A fresh visit (a pasted link) keeps the link's view; app.py calls this after ``sync``.
    """
    last = st.session_state.get(_PAGE)
    st.session_state[_PAGE] = path
    if last is not None and last != path and st.session_state[_VALUES]["view"] != 0:
        st.session_state[_VALUES] = {**st.session_state[_VALUES], "view": 0}
        _write_url(st.session_state[_VALUES])


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


def extra(key: str) -> list[str]:
    """The raw URL values of a classroom key (:data:`EXTRA_KEYS`), ``[]`` when absent. Raw user
    text: the caller validates it."""
    assert key in EXTRA_KEYS, key
    _init()
    return list(st.session_state[_EXTRA].get(key, []))


def extra_count(key: str) -> int:
    """How many values of a classroom key the link gave: more than :func:`extra` holds when it
    gave more than :data:`MAX_EXTRA` (so a message can count them right)."""
    assert key in EXTRA_KEYS, key
    _init()
    return max(st.session_state.get(_EXTRA_COUNT, {}).get(key, 0), len(extra(key)))


def set_extra(key: str, raw: list[str] | str | None) -> None:
    """Set (or with ``None``/``[]`` remove) a classroom key and mirror it in the URL."""
    assert key in EXTRA_KEYS, key
    _init()
    items = [] if raw is None else [raw] if isinstance(raw, str) else [str(x) for x in raw]
    extras = {k: v for k, v in st.session_state[_EXTRA].items() if k != key}
    if items:
        extras[key] = items
    st.session_state[_EXTRA] = extras
    st.session_state[_EXTRA_COUNT] = {**st.session_state[_EXTRA_COUNT], key: len(items)}
    _write_url(st.session_state[_VALUES])


def show_warnings() -> None:
    """Show what was wrong with the link (until the user changes a parameter)."""
    messages = st.session_state.get(_WARNINGS, [])
    if messages:
        items = "\n".join(f"- {m}" for m in messages)
        st.warning(f"**This link had values the app cannot use; it corrected them:**\n{items}",
                   icon="⚠️")
