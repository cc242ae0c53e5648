"""The Derivations page's data: every closed form derived with sympy, checked, and as .tex.

sympy takes ~0.4 s to import, so ``theory.derivations`` is imported here only when the page asks.
"""

from __future__ import annotations

import streamlit as st


@st.cache_resource(show_spinner="Deriving with sympy (once per server)…")
def load() -> dict:
    """All derivations with their numerical checks and .tex files (sympy runs once)."""
    from theory import derivations  # imports sympy (~0.4 s): only on this page

    return {key: (derivations.get(key), derivations.get(key).check(), derivations.to_tex(key))
            for key in derivations.names()}
