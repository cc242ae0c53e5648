"""Builders return the figure and its table (ui.figures.table.Built): every reader reads the table.

The readout, the page's data table, the alt text, the CSV and the linked views read
``Built.table``, made once when the figure is built; whether a readout appears is the builder's
declaration (``Built.positions``), not a guess from the axis title; one parameter set builds its
figure once, and its chart dict once.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import plotly.graph_objects as go
from streamlit.testing.v1 import AppTest

from ui import catalog
from ui.figures import table as tables
from ui.figures._plot import Plot
from ui.page import readout as position_readout
from ui.state import nav, params

APP = str(Path(__file__).resolve().parents[1] / "app.py")
D = params.defaults()


def _readout_cards(built):
    ro = position_readout.build(built)
    return ro.label, ro.positions, ro.default, [ro.card(t) for t in ro.positions]


def test_every_reader_reads_the_table_not_the_plotly_figure():
    """The same table under an empty plotly figure reads the same: nothing parses the figure."""
    for name in ("recovery_by_position", "recoverability_by_depth", "martingale_paths"):
        built = catalog.build(name, D)
        blank = tables.Built(go.Figure(), built.table, built.positions, built.horizon)
        assert tables.to_csv(blank) == tables.to_csv(built) and tables.to_csv(blank).count("\n") > 2
        assert tables.describe(blank) == tables.describe(built) != ""
        assert tables.frame(blank).equals(tables.frame(built))
        wide = tables.wide(built)
        assert (wide is None) == (tables.wide(blank) is None)
        assert wide is None or tables.wide(blank).equals(wide)
        assert _readout_cards(blank) == _readout_cards(built)


def test_whether_a_readout_appears_is_declared_by_the_builder_not_read_from_the_axis_title():
    def built(x_title: str, positions):
        p = Plot()
        p.scatter([1, 2, 3], [0.5, 0.25, 0.125], name="a")
        p.xaxis(title=x_title)
        return p.built(positions=positions)

    assert position_readout.build(built("position t (1-indexed)", None)) is None
    declared = position_readout.build(built("training step", tables.BY_POSITION))
    assert (declared.label, declared.symbol, declared.positions) == ("position t", "t", (1, 2, 3))
    depth = position_readout.build(built("anything", tables.BY_DEPTH))
    assert (depth.label, depth.symbol) == ("depth T′", "T′")


def test_the_readout_opens_beyond_the_horizon_the_builder_marks():
    p = Plot()
    p.scatter([1, 2, 3, 4], [1.0, 2.0, 3.0, 4.0], name="a")
    p.mark_horizon(2)
    p.mark_horizon(3)  # the first horizon marked counts
    assert position_readout.build(p.built(positions=tables.BY_POSITION)).default == 3


def test_the_chart_dict_is_made_once_and_the_mark_copies_no_data():
    built = catalog.build("recovery_by_position", D)
    assert catalog.build("recovery_by_position", dict(D)) is built  # cached by parameter set
    assert built.chart is built.chart
    ro = position_readout.build(built)
    shown = position_readout.marked(built.chart, ro, ro.default)
    assert shown["data"] is built.chart["data"]  # only the layout's shapes are new
    assert len(shown["layout"]["shapes"]) == len(built.chart["layout"]["shapes"]) + 1


def test_a_page_builds_its_figure_once_per_run_and_nothing_on_a_warm_rerun(monkeypatch):
    built, tabled = Counter(), Counter()
    for name, spec in catalog.FIGURES.items():
        def counted(values, build=spec.build, name=name):
            built[name] += 1
            return build(values)
        monkeypatch.setitem(catalog.FIGURES, name, dataclasses.replace(spec, build=counted))
    made = tables.Table.of.__func__

    def of(cls, *args):
        tabled["all"] += 1
        return made(cls, *args)
    monkeypatch.setattr(tables.Table, "of", classmethod(of))
    catalog._build.cache_clear()
    catalog._alt_text.cache_clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["more_recovery_by_position"] = True  # data table and downloads open too
    at.query_params["mu"] = "7.5"  # a parameter set no other test has built
    at.switch_page(nav.BY_NAME["deep_alignment"].path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert built == {"recovery_by_position": 1} and tabled["all"] == 1
    assert at.dataframe and at.get("plotly_chart")  # the table and the chart were drawn
    at.run()
    assert built == {"recovery_by_position": 1} and tabled["all"] == 1
