"""ui.figures._plot writes figures as unvalidated plotly JSON: check them against plotly itself.

Every catalog figure, for every preset, must pass plotly's own validation (a misspelt property
would otherwise be dropped silently by the browser), and the subplot grid must match what
``plotly.subplots.make_subplots`` lays out for the same arguments.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from ui import catalog
from ui.state import params as P
from ui.figures._plot import Plot, merge


def _values(overrides: dict) -> dict:
    values, _ = P.constrain({**P.defaults(), **overrides})
    return values


CASES = [(preset, name) for preset in ["defaults", *P.PRESETS] for name in catalog.FIGURES]


@pytest.mark.parametrize("preset,name", CASES)
def test_every_figure_passes_plotly_validation(preset, name):
    fig = catalog.build(name, _values(P.PRESETS.get(preset, {}))).fig
    checked = go.Figure(fig.to_dict())  # raises ValueError on any unknown property or bad value
    assert len(checked.data) == len(fig.data) > 0
    assert checked.layout.height == fig.layout.height


GRIDS = [
    dict(rows=1, cols=1),
    dict(rows=2, cols=1, vertical_spacing=0.08),
    dict(rows=2, cols=1, vertical_spacing=0.1, row_heights=[0.6, 0.4]),
    dict(rows=3, cols=1, vertical_spacing=0.06, row_heights=[0.36, 0.36, 0.28]),
    dict(rows=2, cols=2, vertical_spacing=0.1, horizontal_spacing=0.1),
]


@pytest.mark.parametrize("grid", GRIDS)
def test_grid_matches_make_subplots(grid):
    ours = Plot(**grid).figure().layout
    ref = make_subplots(shared_xaxes=True, **grid).layout
    for i in range(1, grid["rows"] * grid["cols"] + 1):
        for letter in "xy":
            key = f"{letter}axis" if i == 1 else f"{letter}axis{i}"
            a, b = ours[key], ref[key]
            assert np.allclose(a.domain, b.domain, atol=1e-9), (key, a.domain, b.domain)
            assert a.anchor == b.anchor and a.matches == b.matches, key
            assert bool(a.showticklabels is False) == bool(b.showticklabels is False), key


def test_traces_land_on_their_subplot_like_make_subplots():
    ours, ref = Plot(rows=2, cols=2), make_subplots(rows=2, cols=2, shared_xaxes=True)
    for row in (1, 2):
        for col in (1, 2):
            ours.scatter([1, 2], [3, 4], row=row, col=col)
            ref.add_scatter(x=[1, 2], y=[3, 4], row=row, col=col)
    got = [(t.xaxis or "x", t.yaxis or "y") for t in ours.figure().data]
    assert got == [(t.xaxis or "x", t.yaxis or "y") for t in ref.data]


def test_builder_settings_override_the_base_style():
    p = Plot()
    p.update(hovermode="closest", legend={"y": -0.2})
    layout = p.figure().layout
    assert layout.hovermode == "closest"
    assert layout.legend.y == -0.2 and layout.legend.orientation == "h"  # merged, not replaced
    assert Plot().figure().layout.hovermode == "x unified"  # the shared style was not mutated


def test_merge_is_recursive_and_replaces_leaves():
    assert merge({"a": {"b": 1, "c": 2}, "d": 1}, {"a": {"b": 3}, "d": [1]}) == \
        {"a": {"b": 3, "c": 2}, "d": [1]}


def test_labels_on_log_axes_sit_at_their_line():
    """Plotly places annotations on a log axis in log10 units but shapes in data units."""
    values = _values({"delta": 0.5})
    layout = catalog.build("recoverability_by_depth", values).fig.layout
    line = next(s for s in layout.shapes if s.type == "line" and s.y0 == 0.5)
    label = next(a for a in layout.annotations if a.text.startswith("target δ"))
    assert layout[line.yref.replace("y", "yaxis", 1)].type == "log"
    assert label.yref == line.yref and label.y == pytest.approx(np.log10(0.5))
