"""Figure builders: each RETURNS the figure built from a ``ui.data.closed`` dict together with its
data as a table (``table.Built``); none draws and none imports Streamlit (``ui.catalog`` caches
what they build).

Style (Okabe-Ito palette, a dash and a marker per series, axis titles stating the theorem's
conventions) lives in ``_style``; builders draw on ``_plot.Plot`` (plain plotly JSON, no
per-call validation). To add a figure: write a function in the module of its topic, start from
``Plot()``, style series with ``line_style(DEEP/SHALLOW/BASE/BOUND/...)``, finish with
``p.built(height=..., positions=table.BY_POSITION)`` (``positions`` only when the x axis is a
position that a readout should read), and export it here.
"""

from .recovery import gibbs_bars, kl_by_position, recovery_by_position, tradeoff_vs_gamma
from .robustness import attack_length_vs_mu, recoverability_by_depth

__all__ = [
    "recovery_by_position",
    "kl_by_position",
    "gibbs_bars",
    "tradeoff_vs_gamma",
    "recoverability_by_depth",
    "attack_length_vs_mu",
]
