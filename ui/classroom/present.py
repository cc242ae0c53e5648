"""Presentation mode (``?present=1``): for a projector in a lecture hall.

The sidebar starts collapsed, type and plot lines are larger, a lesson step's text is large, and
the keyboard moves through a lesson's steps (← → and PageUp / PageDown, which presentation clickers
send). ``present`` is a flag of the parameter table (``ui.state.params.TEXT``), so it survives page
switches and is in the URL.
Streamlit's own ``?embed=true`` (one page inside a course site) is independent of this and still
works: ``ui.state.url`` leaves the embed keys alone.

Once a step's page is shown (a step without a question, or after Reveal) the lesson card is docked
at the right edge of the screen and the page's open tab comes first, so the step's figure and the
step's heading are both in view at 1280×800 without scrolling (:func:`dock`).
"""

from __future__ import annotations

import streamlit as st

from ui.state import url as state

# Everything scales with the root font size (Streamlit sizes its text in rem); plotly draws its
# text in px, so its labels stay as laid out and only its lines get thicker.
_CSS = """<style>
html { font-size: 20px; }
@media (max-width: 1599px) { html { font-size: 18px; } }  /* a 1280-pixel projector: room for the figure */
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 4rem 2rem 2rem 2rem; }
[data-testid="stMain"] .js-plotly-plot .scatterlayer .js-line,
[data-testid="stMain"] .js-plotly-plot .legendlines path { stroke-width: 4px !important; }
.st-key-lesson_panel [data-testid="stMarkdownContainer"] p,
.st-key-lesson_panel [data-testid="stMarkdownContainer"] li { font-size: 1.2rem; line-height: 1.45; }
.st-key-lesson_panel h3 { font-size: 1.8rem; padding: 0; }
@media (max-width: 640px) {  /* a phone following the lecture: its own type size and margins */
  html { font-size: 16px; }
  [data-testid="stMainBlockContainer"] { padding: 3.25rem 1rem 2rem 1rem; }
  .st-key-lesson_panel [data-testid="stMarkdownContainer"] p,
  .st-key-lesson_panel [data-testid="stMarkdownContainer"] li { font-size: 1.1rem; }
  .st-key-lesson_panel h3 { font-size: 1.5rem; }
}
</style>"""

# The docked card: a column at the right edge below Streamlit's header (3.75rem), scrolling on its
# own when a step is long; the page keeps the rest of the width. The tallest step figure (a live
# figure with its sliders, about 600 px) then fits under the tab bar on an 800-pixel-high screen,
# which it cannot below a card. In the page, the open tab (and any warning) comes first and the
# page's title is left out (the card names the page); its introduction follows the tab. Below
# 900 px of width (a phone) the card stays where it is.
_DOCK = "min(34rem, max(18rem, 28vw))"
_MAIN = '[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"]'
_DOCK_CSS = f"""<style>
@media (min-width: 900px) {{
[data-testid="stMainBlockContainer"] {{ padding-left: 1.5rem; padding-right: calc({_DOCK} + 2.5rem); }}
.st-key-lesson_panel {{ position: fixed; top: 4rem; right: 1rem; bottom: 1rem; width: {_DOCK};
  overflow-y: auto; z-index: 99; background: #fff; }}  /* the theme's backgroundColor */
{_MAIN} > [data-testid="stTabs"],
{_MAIN} > [data-testid="stElementContainer"]:has([data-testid="stAlert"]) {{ order: -1; }}
{_MAIN} > [data-testid="stElementContainer"]:has(h1) {{ display: none; }}
.st-key-lesson_panel [data-testid="stMarkdownContainer"] p,
.st-key-lesson_panel [data-testid="stMarkdownContainer"] li {{ font-size: 1.05rem; line-height: 1.4; }}
.st-key-lesson_panel h3 {{ font-size: 1.45rem; }}
}}
</style>"""

# The one script of a lesson step. (1) A new step, or the page shown by Reveal, opens at its top:
# Streamlit keeps the main area's scroll across reruns and links to the same page. (2) In
# presentation mode, a tiny key listener clicks the panel's previous / next link (real links, so
# the step, the page and the parameters change exactly as with a mouse click). Keys typed into a
# field or pressed on a slider or a radio button keep their usual meaning.
_STEP_JS = """
export default function ({ data }) {
  if (window.__lessonAt !== data.at) {
    window.__lessonAt = data.at;
    for (const el of document.querySelectorAll(`[data-testid="stMain"], .st-key-${data.prefix}_panel`))
      el.scrollTop = 0;
  }
  const prev = window.__lessonKeys;
  if (prev) document.removeEventListener("keydown", prev);
  window.__lessonKeys = null;
  if (!data.keys) return;
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

_STEP = st.components.v2.component("shallow_deep_lesson_step", js=_STEP_JS, isolate_styles=False)


def on() -> bool:
    """Whether presentation mode is on (app.py reads the URL with ``state.sync`` first)."""
    return state.flag("present")


def sidebar_state():
    """``initial_sidebar_state`` for ``st.set_page_config``: collapsed on a projector."""
    return "collapsed" if on() else 380


def style() -> None:
    """Projector CSS when presentation mode is on (a style-only ``st.html`` takes no space)."""
    if on():
        st.html(_CSS)


def dock() -> None:
    """Dock the lesson card at the right edge, the page's open tab first (presentation mode,
    once the step's page is shown)."""
    st.html(_DOCK_CSS)


def step_script(prefix: str, at: str) -> None:
    """Mount the step's script: scroll to the top when ``at`` (the step, and whether its page is
    shown) changes, and in presentation mode the keys that click ``.st-key-<prefix>_prev`` /
    ``_next`` links. The panel is ``.st-key-<prefix>_panel``.

    Only in a browser session: AppTest has no browser to run it (as ``ui.live.component``).
    """
    try:
        in_browser = bool(st.context.headers)
    except Exception:  # noqa: BLE001 - no session context at all
        in_browser = False
    if in_browser:
        # Hidden (it draws nothing); display: none also removes the gap a block would take.
        st.html(f"<style>.st-key-{prefix}_script {{ display: none; }}</style>")
        with st.container(key=f"{prefix}_script"):
            _STEP(key=f"{prefix}_script_js", data={"prefix": prefix, "at": at, "keys": on()})


def toggle_query(enable: bool) -> dict:
    """The ``present`` entry for a link's query parameters."""
    return {"present": "1"} if enable else {}
