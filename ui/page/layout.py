"""Pieces every page repeats: the sidebar (presets + controls) and the conventions note.

A page starts with ``values = layout.sidebar("<page name in ui.state.nav>", [param names])``: it returns
every parameter's current value (``{name: value}``) and has app.py draw the preset links and the
controls once the page is done.
"""

from __future__ import annotations

import streamlit as st

from ui.classroom import compare
from ui.state import nav, params as P, url as state

from . import show, widgets

CONVENTIONS = (
    "Conventions: positions are 1-indexed (t = 1, …, T; the prefix before position t is x₁ … xₜ₋₁); "
    "the recovery penalty at position t has weight μγᵗ; KL is in nats; k is the harm horizon "
    "and Theorem 20 holds beyond it (t > k); prefixes are drawn from the model itself "
    "(𝒟_adv = π), so the importance weight of Remark 9 is w = 1. Symbols: see the Glossary."
)

_SIDEBAR = "_sidebar_drawer"  # the page's sidebar, drawn by app.py after the page


# Display formulas at the text's size instead of KaTeX's 1.21em: at that size a formula in the
# text column beside a chart overflowed it (cut off) on a 1280-pixel-wide screen.
# Captions: Streamlit fades them with opacity 0.6, which leaves grey text below WCAG AA's 4.5:1
# (4.37 on white, 4.24 on the sidebar); instead the text colour at 70 % over white, solid
# (6.1:1 on white, 5.6:1 on the sidebar), and code in a caption keeps its own colour.
# Keyboard focus: Streamlit rings its buttons, tabs, sliders and expanders, but a focused link, radio
# option or number box shows only a faint grey background or a 1 px border; those get a ring in
# the primary colour (6:1 on white; !important over Streamlit's own outline: none), the main area
# too (Tab stops on it: it scrolls), and so do a table's toolbar buttons, whose toolbar shows only
# under the mouse unless one of them has the focus.
# A phone (below 640 px, where Streamlit stacks columns): the header and the top padding took
# 110 px and a title three lines; a tab list scrolled sideways and cut names off, so it wraps
# (each tab keeps its own bar under it, drawn by CSS in whichever row it is); formulas and tables
# scroll in their own box, code wraps: nothing reaches past the screen's edge. A finger (a phone,
# or any coarse pointer) gets 44 px targets (WCAG 2.5.5): a slider's track takes a press anywhere
# on its height and drags from there, so its padding is the hit area; buttons, page links,
# number boxes and radio options (a lesson's choices). A page's longer introduction comes after
# its figures there: see intro().
_STYLE = """<style>
[data-testid='stMain'] .katex-display > .katex { font-size: 1em; }
[data-testid='stCaptionContainer'] { opacity: 1; color: #5F6266; }
a:focus-visible, [data-testid='stMain']:focus-visible, .katex-display:focus-visible,
[data-testid='stRadioOption']:has(input:focus-visible),
[data-testid='stCheckbox'] label:has(input:focus-visible),
[data-testid='stNumberInputContainer']:has(input:focus-visible),
[data-testid='stTextInputRootElement']:has(input:focus-visible),
[data-testid='stBaseButton-elementToolbar']:focus-visible {
  outline: 2px solid #0068A3 !important; outline-offset: 2px; }
[data-testid='stElementToolbar']:has(:focus-visible) { opacity: 1 !important; }
[data-testid='stMarkdownContainer'] table:focus-visible { outline: 2px solid #0068A3; outline-offset: 2px; }
@media (max-width: 640px) {
  [data-testid='stHeader'] { height: 2.75rem; min-height: 2.75rem; }
  [data-testid='stMainBlockContainer'] { padding-top: 3.25rem; }
  [data-testid='stMain'] h1 { font-size: 1.875rem; padding: 0.25rem 0 0.75rem 0; }
  [data-testid='stMain'] [role='tablist'] { flex-wrap: wrap; gap: 0 1rem; overflow: visible; }
  [data-testid='stMain'] [role='tab'] { height: auto; min-height: 2.75rem; white-space: normal; }
  [data-testid='stMain'] .katex-display { overflow-x: auto; overflow-y: hidden; }
  [data-testid='stMarkdownContainer'] table { display: block; max-width: 100%; overflow-x: auto; }
  [data-testid='stMarkdownContainer'] code { white-space: pre-wrap; overflow-wrap: anywhere; }
  [data-testid='stLayoutWrapper']:has(> .st-key-page_more) { order: 1; }
}
@media (max-width: 640px), (pointer: coarse) {
  [data-testid='stSlider'] [role='group'] > [data-orientation] { padding-top: 22px; padding-bottom: 22px; }
  [data-testid='stSlider'] [role='group'] > [data-orientation] > div:has(input) { width: 1.125rem; height: 1.125rem; }
  [data-testid^='stBaseButton'], [data-testid='stPageLink-NavLink'],
  [data-testid='stNumberInputContainer'], [data-testid='stNumberInputContainer'] input,
  [data-testid='stRadioOption'] { min-height: 44px; }
  [data-testid='stRadioOption'] { align-items: center; }
}
</style>"""

# A formula or a table wider than its column scrolls sideways (a phone's width): the keyboard
# reaches such a scroll region only if it can take focus (WCAG 2.1.1), and Streamlit's KaTeX and
# markdown tables have no tabindex. Every one that overflows gets one, and loses it once it fits.
_SCROLL_KEYS = """<script>
if (!window.__shallowDeepScrollKeys) {
  window.__shallowDeepScrollKeys = true;
  let queued = false;
  const mark = () => {
    queued = false;
    for (const e of document.querySelectorAll(".katex-display, [data-testid='stMarkdownContainer'] table")) {
      const wide = e.scrollWidth > e.clientWidth + 1;
      if (wide && !e.hasAttribute("tabindex")) e.tabIndex = 0;
      else if (!wide && e.getAttribute("tabindex") === "0") e.removeAttribute("tabindex");
    }
  };
  const queue = () => { if (!queued) { queued = true; requestAnimationFrame(mark); } };
  new MutationObserver(queue).observe(document.body, { childList: true, subtree: true });
  window.addEventListener("resize", queue);
  queue();
}
</script>"""


def style() -> None:
    """The app's CSS and its keyboard reach into wide formulas (``st.html`` with only a style
    and a script takes no space on the page)."""
    st.html(_STYLE)
    st.html(_SCROLL_KEYS, unsafe_allow_javascript=True)


def intro(title: str, lead: str):
    """A page's opening: its title and one sentence; returns the container for the rest of its
    introduction (``with layout.intro(title, lead): ...``).

    On a phone (at most 640 px wide, where Streamlit stacks columns) that container is shown
    after everything else on the page (CSS ``order``), so that the first screen holds the title,
    the sentence and the page's main figure. The document keeps the written order, so a screen
    reader, a print-out and a desktop read the introduction where it is written.
    """
    st.title(title)
    st.markdown(lead)
    return st.container(key="page_more")


def sidebar(page: str, names: list[str]) -> dict:
    """Presets and the controls ``names`` in the sidebar; returns the current values of all params.

    The values come from ``ui.state.url``, so the sidebar itself is drawn after the page (app.py calls
    :func:`draw_sidebar`): the page's chart then reaches the browser first.
    """
    info = nav.BY_NAME[page]
    compare.current()  # a link's bad pins are reported here, at the top of the page, once

    def draw():
        widgets.preset_links(info.path, st.sidebar)
        if names:  # the Derivations page has none
            st.sidebar.markdown("**Parameters**")
        for name in names:
            widgets.control(name, st.sidebar)
        if page in compare.PAGES:
            st.sidebar.divider()
            compare.panel(state.values(), st.sidebar)
        footer()

    defer_sidebar(draw)
    return state.values()


def footer() -> None:
    """The end of every sidebar: the share hint and the zip of every figure."""
    st.sidebar.page_link(nav.BY_NAME["glossary"].path, label="Glossary of symbols",
                         icon=nav.BY_NAME["glossary"].icon)
    st.sidebar.caption("The address bar holds every parameter: copy it to share exactly this view.")
    show.download_all(compare.with_pins(state.values()), st.sidebar)  # pinned sets in the zip too


def defer_sidebar(draw) -> None:
    """Have app.py call ``draw()`` once the page has run (or ended early with ``nav.EndPage``)."""
    st.session_state[_SIDEBAR] = draw


def draw_sidebar() -> None:
    draw = st.session_state.pop(_SIDEBAR, None)
    if draw is not None:
        draw()


def views(page: str, sections: dict) -> None:
    """The page's sections as tabs, ``{label: function drawing it}``; only the open one runs.

    A key press then redraws one chart instead of every chart of the page (most of a rerun's
    time is plotly drawing in the browser). The open tab is the ``view`` parameter, so the
    address bar and shared links keep it.
    """
    labels = list(sections)
    assert len(labels) <= P.MAX_VIEWS, "raise ui.state.params.MAX_VIEWS"
    key = f"_tabs_{page}"
    current = labels[min(state.get("view"), len(labels) - 1)]
    tabs = st.tabs(labels, key=key, default=current, on_change=_switch, args=(key, labels))
    if state.first_run():  # a reconnecting browser's tab click: no callback in a first run
        opened = next((i for i, tab in enumerate(tabs) if tab.open), None)
        if opened is not None and labels[opened] != current:
            state.set_value("view", opened)
    for tab, draw in zip(tabs, sections.values()):
        if tab.open:
            with tab:
                draw()


def _switch(key: str, labels: list[str]) -> None:
    # A click sent along with a page switch runs this where the tabs are gone: nothing to do.
    label = st.session_state.get(key)
    if label in labels:
        state.set_value("view", labels.index(label))


def conventions(container=None) -> None:
    (container or st).caption(CONVENTIONS)
