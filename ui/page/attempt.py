"""A computation a tab may be refused: the engine's ``ValueError`` becomes a warning on the page.

``ui.page.toy_controls.model_or_stop`` ends the whole page when its model cannot be built; a tab that
computes more on top of it (a sweep, a training run) uses :func:`attempt`, warns, and lets the
other tabs stand.
"""

from __future__ import annotations

import streamlit as st

from ui.data import toy as data_toy


def attempt(fn, *args, failed: str, spinner: str | None = None, container=None, **kwargs):
    """``fn(*args, **kwargs)``, behind ``spinner`` if given; ``None`` and the warning
    "``failed``: the engine's reason" in ``container`` when the engine rejects the parameters."""
    if spinner is None:
        result, err = data_toy.attempt(fn, *args, **kwargs)
    else:
        with st.spinner(spinner):
            result, err = data_toy.attempt(fn, *args, **kwargs)
    if err:
        (container or st).warning(f"{failed}: {err}", icon="⚠️")
    return result
