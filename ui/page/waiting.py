"""The light pages of a session that is not let in (``ui.state.limits``): the class is full, or
the student was away too long. Neither computes anything of the app; both keep the address
bar's page and parameters, so coming in runs exactly the link the student opened."""

from __future__ import annotations

import streamlit as st

from ui.state import limits

FULL_TITLE = "This class is full — try again in a minute"
AWAY_TITLE = "Welcome back"


def show(verdict: str) -> None:
    """The page for ``verdict`` (``"full"`` or ``"away"``), then the end of the run."""
    st.header(FULL_TITLE if verdict == "full" else AWAY_TITLE)
    if verdict == "full":
        cap = limits.SETTINGS.max_sessions
        places = "the one place" if cap == 1 else f"all **{cap}** places"
        st.markdown(f"Right now {places} on this server {'is' if cap == 1 else 'are'} taken. The "
                    "lecturer set that limit so that everyone exploring gets quick answers.")
        _retry()
    else:
        minutes = limits.SETTINGS.idle_minutes or 0
        st.markdown(f"This tab was idle for more than {minutes:g} minutes, so the server let "
                    "its place go. Your link still holds every parameter you set.")
        st.button("Continue where I was", type="primary")  # any run of a new session is a new arrival
    st.stop()


@st.fragment(run_every=limits.RETRY_SECONDS)
def _retry() -> None:
    if limits.has_room():
        st.rerun()  # the whole app, with this tab's page and query
    st.caption(f"This page asks again by itself every {limits.RETRY_SECONDS} seconds and lets you "
               "in as soon as a place frees up; it keeps your link. No need to reload.")
