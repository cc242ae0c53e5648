"""Accessibility of every figure: Okabe-Ito colours, non-colour cues, alt text, a data table."""

import itertools

import pytest

from ui import catalog
from ui.state import params as P
from ui.figures import table as tables
from ui.figures._style import OKABE_ITO

PALETTE = {c.upper() for c in OKABE_ITO.values()}
NEUTRAL = {"GREY", "GRAY", "#444444", "#808080"}  # reference lines and annotations, never a series
POINTS = [P.defaults(), dict(P.defaults(), mu=0.0, gamma=1.0, T=8, k=2, t=3, delta=0.05)]


def figures():
    for values in POINTS:
        for name in catalog.FIGURES:
            yield name, values, catalog.build(name, values).fig


def colours(trace):
    for part in ("line", "marker"):
        obj = getattr(trace, part, None)
        colour = getattr(obj, "color", None) if obj is not None else None
        if isinstance(colour, str):
            yield colour.upper()


def cue(trace):
    """What tells a trace apart without colour: dash, marker symbol, bar pattern."""
    line = getattr(trace, "line", None)
    marker = getattr(trace, "marker", None)
    pattern = getattr(marker, "pattern", None) if marker is not None else None
    return (getattr(line, "dash", None), getattr(marker, "symbol", None),
            getattr(pattern, "shape", None) if pattern is not None else None)


@pytest.mark.parametrize("name,values,fig", list(figures()), ids=lambda x: x if isinstance(x, str) else "")
def test_series_use_okabe_ito_and_differ_beyond_colour(name, values, fig):
    for trace in fig.data:
        assert set(colours(trace)) <= PALETTE | NEUTRAL, (name, trace.name)
    by_axes = {}  # panel -> series name -> first trace (same-named traces, e.g. paths, are one series)
    for trace in fig.data:
        by_axes.setdefault((trace.xaxis, trace.yaxis), {}).setdefault(trace.name, trace)
    for traces in by_axes.values():
        for a, b in itertools.combinations(traces.values(), 2):
            assert cue(a) != cue(b), f"{name}: '{a.name}' and '{b.name}' differ only by colour"


@pytest.mark.parametrize("name,values,fig", list(figures()), ids=lambda x: x if isinstance(x, str) else "")
def test_alt_text_states_what_the_chart_shows(name, values, fig):
    alt = catalog.alt_text(name, values)
    assert alt.startswith(catalog.FIGURES[name].summary)
    for trace in fig.data:
        assert trace.name in alt
    for axis in ("xaxis", "yaxis"):
        title = fig.layout[axis].title.text
        if title:
            assert title.lower() in alt.lower() or axis == "xaxis"  # shared x axes carry the title on the bottom panel
    assert "nan" not in alt.lower().replace("nans", "")


@pytest.mark.parametrize("name,values,fig", list(figures()), ids=lambda x: x if isinstance(x, str) else "")
def test_data_table_has_every_plotted_point(name, values, fig):
    table = tables.frame(catalog.build(name, values))
    assert list(table.columns) == tables.COLUMNS
    assert len(table) == sum(len(t.y) for t in fig.data if t.y is not None)
