"""Figure builders: each RETURNS a plotly figure built from a ``ui.data`` dict; none draws.

Style (Okabe-Ito palette, a dash and a marker per series, axis titles stating the theorem's
conventions) lives in ``_style``; builders draw on ``_plot.Plot`` (plain plotly JSON, no
per-call validation). To add a figure: write a function in the module of its topic, start from
``Plot()``, style series with ``line_style(DEEP/SHALLOW/BASE/BOUND/...)``, finish with
``p.figure(height=...)``, and export it here.
"""

import streamlit as st

from . import recovery as _recovery
from . import robustness as _robustness

# Cached so a rerun with unchanged inputs reuses the figure object (and ui.show its alt text
# and table). cache_resource hands back the same object without a pickle round trip: callers
# must not mutate a returned figure (build a new one instead). The plain builders stay
# available in the submodules for tests.
_cached = st.cache_resource(max_entries=128, show_spinner=False)

recovery_by_position = _cached(_recovery.recovery_by_position)
kl_by_position = _cached(_recovery.kl_by_position)
gibbs_bars = _cached(_recovery.gibbs_bars)
tradeoff_vs_gamma = _cached(_recovery.tradeoff_vs_gamma)
recoverability_by_depth = _cached(_robustness.recoverability_by_depth)
attack_length_vs_mu = _cached(_robustness.attack_length_vs_mu)

__all__ = [
    "recovery_by_position",
    "kl_by_position",
    "gibbs_bars",
    "tradeoff_vs_gamma",
    "recoverability_by_depth",
    "attack_length_vs_mu",
]
