"""Shallow/Deep: an explorer of "Why Is RLHF Alignment Shallow? A Gradient Analysis" (Young, 2026).

Run: ``streamlit run app.py``. This file only routes: it lets the session in or not
(``ui.state.limits``: a session beyond the cap, or closed for idleness, gets a light page and
computes nothing, not even the URL's parameters), sets up the page, syncs the parameters
between the URL and the session (``ui.state.url.sync``, which also repairs the URL after a page
switch, see STACK_NOTES.md), shows warnings about a bad link, and runs the chosen page.
Pages are listed in ``ui/state/nav.py``.
"""

from pathlib import Path

import streamlit as st

from ui.page import heap, layout, waiting
from ui.state import limits, nav, url as state
from ui.classroom import lesson_panel, present
from ui.live import assets as live_assets

# A file, not ":material/…": Streamlit turns a material page icon into a favicon fetched from
# fonts.gstatic.com on every page, and nothing may come from outside the server.
FAVICON = str(Path(__file__).resolve().parent / "assets" / "favicon.png")
pages = [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path, default=(i == 0))
         for i, p in enumerate(nav.PAGES)]
if (verdict := limits.enter()) != "in":
    st.set_page_config(page_title="Shallow/Deep", page_icon=FAVICON, layout="centered",
                       initial_sidebar_state="collapsed")
    st.navigation(pages, position="hidden")  # the address bar keeps its page
    waiting.show(verdict)
state.sync()  # the URL's one read: before the page config, so it and every page see its values
st.set_page_config(page_title="Shallow/Deep", page_icon=FAVICON, layout="wide",
                   initial_sidebar_state=present.sidebar_state())

layout.style()
present.style()
live_assets.warm()  # print the live figures' math with sympy now, not when a visitor asks
page = st.navigation(pages)
limits.remember("" if page.url_path == nav.PAGES[0].url_path else page.url_path)
state.enter_page(page.url_path)
state.show_warnings()
lesson_panel.show(page.url_path)
try:
    page.run()
except nav.EndPage:
    pass  # the page said why it ended
finally:
    layout.draw_sidebar()  # after the page, so its chart reaches the browser first
    heap.freeze_once()  # the first run has imported what every session shares
