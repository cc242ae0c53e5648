"""Presentation mode (``?present=1``, issue 17): for a projector in a lecture hall.

The sidebar starts collapsed, type and plot lines are larger, a lesson step's text is large, and
the keyboard moves through a lesson's steps (← → and PageUp / PageDown, which presentation clickers
send). ``present`` is a ``ui.state.EXTRA_KEYS`` key, so it survives page switches and is in the URL.
Streamlit's own ``?embed=true`` (one page inside a course site) is independent of this and still
works: ``ui.state`` leaves the embed keys alone.
"""

from __future__ import annotations

import streamlit as st

from .. import state

ON = {"1", "true", "yes", "on"}

# Everything scales with the root font size (Streamlit sizes its text in rem); plotly draws its
# text in px, so its labels stay as laid out and only its lines get thicker.
_CSS = """<style>
html { font-size: 20px; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding-top: 4rem; }
[data-testid="stMain"] .js-plotly-plot .scatterlayer .js-line,
[data-testid="stMain"] .js-plotly-plot .legendlines path { stroke-width: 4px !important; }
.st-key-lesson_panel [data-testid="stMarkdownContainer"] p,
.st-key-lesson_panel [data-testid="stMarkdownContainer"] li { font-size: 1.3rem; line-height: 1.5; }
.st-key-lesson_panel h3 { font-size: 2rem; }
</style>"""

# The keys: a tiny listener that clicks the lesson panel's previous / next link (real links, so
# the step, the page and the parameters change exactly as with a mouse click). Keys typed into a
# field or pressed on a slider or a radio button keep their usual meaning.
_KEYS_JS = """
export default function ({ data }) {
  const prev = window.__lessonKeys;
  if (prev) document.removeEventListener("keydown", prev);
  const onKey = (event) => {
    const next = { ArrowRight: "next", PageDown: "next", ArrowLeft: "prev", PageUp: "prev" }[event.key];
    const t = event.target;
    if (!next || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (t && t.closest && t.closest("input, textarea, select, [contenteditable], [role=slider], [role=radio], [role=tab]")) return;
    const link = document.querySelector(`.st-key-${data.prefix}_${next} a`);
    if (link) { event.preventDefault(); link.click(); }
  };
  window.__lessonKeys = onKey;
  document.addEventListener("keydown", onKey);
  return () => {
    document.removeEventListener("keydown", onKey);
    if (window.__lessonKeys === onKey) window.__lessonKeys = null;
  };
}
"""

_KEYS = st.components.v2.component("shallow_deep_lesson_keys", js=_KEYS_JS, isolate_styles=False)


def on() -> bool:
    """Whether presentation mode is on. Read from the URL too: app.py asks before ``state.sync``
    has adopted the URL (for ``st.set_page_config``), and a fresh visit has only the URL."""
    raw = st.query_params.get_all("present") or state.extra("present")
    return bool(raw) and raw[-1].strip().lower() in ON


def sidebar_state():
    """``initial_sidebar_state`` for ``st.set_page_config``: collapsed on a projector."""
    return "collapsed" if on() else 380


def style() -> None:
    """Projector CSS when presentation mode is on (a style-only ``st.html`` takes no space)."""
    if on():
        st.html(_CSS)


def keys(prefix: str) -> None:
    """Mount the keyboard listener that clicks ``.st-key-<prefix>_prev`` / ``_next`` links.

    Only in a browser session: AppTest has no browser to run it (as ``ui.live.component``).
    """
    try:
        in_browser = bool(st.context.headers)
    except Exception:  # noqa: BLE001 - no session context at all
        in_browser = False
    if in_browser:
        # Hidden (it draws nothing); display: none also removes the gap a block would take.
        st.html(f"<style>.st-key-{prefix}_keys {{ display: none; }}</style>")
        with st.container(key=f"{prefix}_keys"):
            _KEYS(key=f"{prefix}_keys_js", data={"prefix": prefix})


def toggle_query(enable: bool) -> dict:
    """The ``present`` entry for a link's query parameters."""
    return {"present": "1"} if enable else {}
