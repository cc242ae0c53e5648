"""Widgets driven by the parameter table: a slider with a number-box twin, presets as links.

Use on a page::

    from ui.page import widgets
    beta = widgets.control("beta")                  # in the sidebar, returns the current value
    widgets.controls(["mu", "gamma"], container)    # several at once, anywhere

Every control writes through ``ui.state.url.set_value``, so the URL and the other pages follow. Call
``control(name)`` at most once per page run (the widget keys derive from the name). A parameter
with ``scale="log"`` gets a log-spaced slider (1-2-3-5 steps per decade, e.g. down to 1e-12);
the number box beside it takes any exact value in range. The slider's bubble always reads the
value the box holds: a value between two stops is a stop of its own while it is current, and a
linear slider prints as many decimals as the value has. ``use_value(name, x)`` is a "Use this
value" button for an answer a page computed (such as the μ needed for a target).
"""

from __future__ import annotations

import dataclasses
import math

import streamlit as st

from ui.state import params as P, url as state
from ui.state.stops import log_options, slider_stops


def _with_value(options: list[float], x: float) -> list[float]:
    """The stops with ``x`` among them, in order: a value between two stops (typed, or an answer
    such as the μ needed) is shown where it lies, never as the nearest stop."""
    return options if x in options else sorted([*options, x])


def _stop_text(x: float) -> str:
    """A stop's label: six digits for the round stops, every digit for an exact value between
    them (891.602692257115, as the box beside it holds it)."""
    short = f"{x:g}"
    return short if float(short) == x else repr(x)


def _decimals(x: float, step: float) -> int:
    """Decimals that print ``x`` exactly (0.875: 3), at least the step's (0.01: 2)."""
    def places(v):
        text = repr(float(v))
        return len(text.partition(".")[2]) if "e" not in text else 0
    return min(max(places(step), places(x)), 12)


def _number_format(p: P.Param) -> str:
    return "%d" if p.kind is int else "%g"


def _on_change(name: str, key: str) -> None:
    state.set_value(name, st.session_state[key])


def control(name: str, container=None, *, slider: bool = True):
    """Render parameter ``name`` (slider + number box) and return its current value.

    ``container`` defaults to the sidebar. ``slider=False`` shows only the number box (for
    parameters like a random seed whose range is too wide to drag through). Where the table
    bounds ``name`` by another parameter (``Param.upper``: k <= T), the range ends at that
    parameter's current value.
    """
    p = P.PARAMS[name]
    hi = P.widget_hi(name, state.values())
    if hi < p.hi:
        p = dataclasses.replace(p, hi=hi, default=min(p.default, hi))
    box = container if container is not None else st.sidebar
    slider = slider and p.lo < p.hi  # e.g. position t when T = 1: one value, nothing to drag
    # Shown within the narrowed range: ``constrain`` keeps k <= T, but the position t may lie
    # beyond the depth T (its bound does not clamp: a toy chart's position), and shows T.
    value = min(state.get(name), p.hi)
    s_key, n_key = f"_w_{name}_slider", f"_w_{name}_box"
    # Seed both twins from the canonical value on every run: the other twin, a preset, a URL or
    # another page may have changed it since they were last drawn. In the session's first run
    # the value goes in as the widgets' default instead, so that a reconnecting browser's
    # key press (sent with that run, see ``state.first_run``) is what they return.
    fresh = state.first_run()
    seed = {"value": value} if fresh else {}
    if not fresh:
        st.session_state[n_key] = value
    if not slider:
        got = box.number_input(p.label, p.lo, p.hi, step=p.step, format=_number_format(p),
                               key=n_key, help=p.help, on_change=_on_change, args=(name, n_key),
                               **seed)
        _adopt(name, value, [got] if fresh else [])
        return value
    left, right = box.columns([5, 3], vertical_alignment="bottom")
    if not fresh:
        st.session_state[s_key] = value
    if p.scale == "log":
        got_slider = left.select_slider(
            p.label, options=_with_value(slider_stops(p), value), format_func=_stop_text,
            key=s_key, help=p.help + " (log scale; the box takes any exact value)",
            on_change=_on_change, args=(name, s_key), **seed)
    else:
        fmt = None if p.kind is int else f"%.{_decimals(value, p.step or 0.01)}f"
        got_slider = left.slider(
            p.label, p.kind(p.lo), p.kind(p.hi), step=p.kind(p.step) if p.step else None,
            format=fmt, key=s_key, help=p.help, on_change=_on_change, args=(name, s_key), **seed)
    got_box = right.number_input(f"{p.label}: exact value", p.kind(p.lo), p.kind(p.hi),
                                 step=p.kind(p.step) if p.step else None,
                                 format=_number_format(p), key=n_key,
                                 label_visibility="collapsed", on_change=_on_change,
                                 args=(name, n_key), **seed)
    _adopt(name, value, [got_slider, got_box] if fresh else [])
    return min(state.get(name), p.hi)


def _adopt(name: str, shown: float, got: list) -> None:
    """A reconnecting browser's key press in a session's first run (``state.first_run``): the
    twin whose value differs from the URL's was changed; take it and run the page again, so
    that what was drawn before this control sees it too."""
    changed = [v for v in got if v != shown]
    if changed:
        state.set_value(name, changed[0])
        st.rerun()


def use_value(name: str, value: float, container=None, *, label: str = "Use this value") -> None:
    """A "Use this value" button that sets parameter ``name`` to ``value``, an answer the page
    computed. When ``value`` is not one ``name`` can take (∞, or outside its range) the button is
    disabled and the reason is shown under it: a silent grey button explains nothing.
    """
    p = P.PARAMS[name]
    box = container if container is not None else st
    value = float(value)
    if value == math.inf:
        reason = "The answer is ∞: no finite value reaches the target."
    elif not p.lo <= value <= p.hi:  # NaN fails this too
        reason = (f"The answer {value:.4g} is outside the range of “{p.label}” "
                  f"({p.lo:g} to {p.hi:g}).")
    else:
        reason = None
    # on_click, not `if st.button(...)`: the callback runs before the rerun draws the controls,
    # so the sidebar and the URL show the new value in that same run. No tooltip: it opens above
    # the button, over the answer the button sits under, just when the pointer is on it.
    box.button(label, key=f"_w_{name}_use", disabled=reason is not None,
               on_click=state.set_value, args=(name, value))
    if reason:
        box.caption(reason)


def controls(names, container=None) -> dict:
    """Render several controls; returns ``{name: value}``."""
    return {name: control(name, container) for name in names}


def settings(label: str, *rows: list[str]) -> None:
    """Number boxes in a collapsed expander, one row per list of names: four sliders in a row
    were cramped. Their values come back through ``ui.state.url`` like any control's."""
    with st.expander(label, expanded=False):
        for names in rows:
            for col, name in zip(st.columns(len(names)), names):
                control(name, col, slider=False)


def preset_links(page: str, container=None) -> None:
    """The named presets of ``ui.state.params.PRESETS`` as links to ``page`` carrying their values.

    They are real links: clicking applies the preset, right-click copies a shareable URL.
    """
    box = container if container is not None else st.sidebar
    current = state.values()
    box.markdown("**Presets**", help="Each preset changes only the parameters it names.")
    for label, overrides in P.PRESETS.items():
        active = all(current[k] == v for k, v in overrides.items())
        box.page_link(page, label=label, query_params=state.url_for(overrides),
                      icon=":material/check_circle:" if active else ":material/tune:")
    box.page_link(page, label="Reset all to defaults", query_params=state.url_for(P.defaults()),
                  icon=":material/restart_alt:")
