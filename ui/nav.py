"""The page list: one place that app.py's router and the cross-page links both read.

Adding a page: create ``pages/<n>_<name>.py`` whose first Streamlit call is
``layout.sidebar("<name>", [...])`` or ``nav.ensure_router()`` (see below), following any existing
page for the pattern (read params with ``ui.widgets``, call ``theory`` through ``ui.data``, build a figure with
``ui.figures``, show it with ``st.plotly_chart`` beside ``st.latex``), then add one ``PageInfo``
below. The URL path is its ``url_path``; parameters travel in the query string automatically.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import streamlit as st

_ROUTED = "_routed_by_app"  # True while app.py is running this run's page


@dataclass(frozen=True)
class PageInfo:
    path: str  # relative to app.py
    title: str
    icon: str
    url_path: str
    summary: str  # one line for the overview's links


PAGES = (
    PageInfo("pages/1_overview.py", "Overview", ":material/home:", "overview",
             "The argument in five steps."),
    PageInfo("pages/2_harm_horizon.py", "Harm horizon", ":material/timeline:", "harm_horizon",
             "Harm is decided early: the harm information I_t vanishes after the horizon k."),
    PageInfo("pages/3_gradients.py", "Gradients", ":material/trending_down:", "gradients",
             "The alignment gradient at position t is zero beyond the horizon (Theorems 8, 10, 13)."),
    PageInfo("pages/4_shallow_equilibrium.py", "Shallow equilibrium", ":material/balance:",
             "shallow_equilibrium",
             "The optimum changes nothing beyond the horizon: KL_t tracks I_t (Theorem 14)."),
    PageInfo("pages/5_deep_alignment.py", "Deep alignment", ":material/layers:", "deep_alignment",
             "A recovery penalty μγ^t shifts the log-odds of recovery at every depth (Theorem 20)."),
    PageInfo("pages/6_robustness.py", "Robustness & attacks", ":material/shield:", "robustness",
             "How deep recovery reaches and how long a prefilling attack must be (Thm 22, Cor 23)."),
    PageInfo("pages/7_derivations.py", "Derivations", ":material/function:", "derivations",
             "Every closed form derived step by step with sympy, checked numerically."),
)

BY_NAME = {p.path.split("/")[-1].split("_", 1)[1].removesuffix(".py"): p for p in PAGES}


@contextlib.contextmanager
def routing():
    """app.py runs the router and the page inside this; pages check it with ensure_router()."""
    st.session_state[_ROUTED] = True
    try:
        yield
    finally:  # also after st.rerun / st.stop / an exception inside the page
        st.session_state[_ROUTED] = False


def ensure_router() -> None:
    """Re-run through app.py if this page was started without it.

    Streamlit 1.67 falls back to its old multipage mode whenever a ``pages/`` folder exists, until
    some run calls ``st.navigation``: the first visitor after a server start who opens a page URL
    directly (``/robustness?mu=3``) gets that page file run alone, without app.py's URL sync and
    page setup (AppTest does the same on every run after the first). Clearing that process-wide
    flag and re-running routes the run through app.py, which keeps the page and the query string.
    """
    if st.session_state.get(_ROUTED):
        return
    from streamlit.runtime.pages_manager import PagesManager  # internal; see docstring

    if not getattr(PagesManager, "uses_pages_directory", False):
        return  # a Streamlit without the flag: rerunning could not help and would loop
    PagesManager.uses_pages_directory = False
    st.rerun()
