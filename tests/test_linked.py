"""Linked views (ui/figures/linked.py): the Vega-Lite chart draws exactly the numbers of the
plotly figure that the readout, the data table, the alt text and the exported files read; its
panels share one selection on t; Vega compiles it (vl-convert runs the same Vega offline) and
draws the selected position's label in every panel."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from ui import catalog
from ui.state import params
from ui.figures import table as tables
from ui.figures import linked

MODELS = {  # each toy model; k = 0 and k = T; a numerical horizon before the exact one (log axis)
    "defaults": {},
    "threshold": {"toy_model": 1, "T_toy": 30, "k_toy": 10, "m_toy": 3},
    "gradual-log": {"toy_model": 2, "T_toy": 60, "fade": 0.5},
    "k=0": {"k_toy": 0},
    "k=T": {"T_toy": 6, "k_toy": 6},
    "T=1": {"T_toy": 1, "k_toy": 1},
}


def values(name: str) -> dict:
    return {**params.defaults(), **MODELS[name]}


def units(spec: dict) -> list[dict]:
    return list(linked._units(spec))


@pytest.mark.parametrize("model", MODELS)
def test_the_linked_chart_draws_the_numbers_of_the_figure_the_table_reads(model):
    v = values(model)
    spec, fig = catalog.linked("harm_information", v), catalog.build("harm_information", v)
    rows = spec["datasets"]["series"]
    cols = tables.columns(fig)
    assert [r["t"] for r in rows] == [int(x) for x in cols[0].x]
    for i, c in enumerate(cols):
        drawn = np.array([np.nan if r[f"s{i}"] is None else r[f"s{i}"] for r in rows])
        np.testing.assert_array_equal(drawn, c.y)  # the same floats, not a recomputation
    json.dumps(spec, allow_nan=False)  # JSON has no NaN: a gap is null


@pytest.mark.parametrize("model", MODELS)
def test_the_horizon_and_the_log_axis_are_the_plotly_figures(model):
    v = values(model)
    spec, fig = catalog.linked("harm_information", v), catalog.build("harm_information", v).fig
    vertical = sorted({s.x0 for s in fig.layout.shapes if s.x0 == s.x1})  # horizon lines (one per panel)
    assert [r["t"] for r in spec["datasets"]["horizon"]] == vertical
    log = fig.layout.yaxis.type == "log"
    assert ('"type": "log"' in json.dumps(spec["vconcat"][0])) == log
    assert model != "gradual-log" or log


def test_one_selection_on_t_lives_on_the_pointer_layer_of_each_panel():
    spec = catalog.linked("harm_information", params.defaults())
    names = {u.get("name") for u in units(spec)}
    (select,) = [p for p in spec["params"] if p["name"] == linked.SELECTION]
    assert select["select"]["fields"] == ["t"] and select["select"]["on"] == "pointerover"
    assert len(select["views"]) == len(spec["vconcat"]) == 2  # one view per panel, no more
    assert set(select["views"]) <= names
    assert select["value"] == [{"t": 5}]  # the readout's first position beyond k = 4
    # every panel marks the selection: a rule and a label filtered by it
    for panel in spec["vconcat"]:
        filtered = [u.get("name", "") for u in units(panel)
                    if {"filter": {"param": linked.SELECTION}} in u.get("transform", [])]
        assert any("_rule" in n for n in filtered) and any("_label" in n for n in filtered)


@pytest.mark.parametrize("model", ["defaults", "gradual-log"])
def test_vega_compiles_it_and_labels_the_selected_position_in_both_panels(model):
    """vl-convert runs Vega offline: a spec Vega rejects (e.g. "Duplicate signal name", what
    Altair's own view list for named layers gave) fails here, not only in a browser."""
    vl_convert = pytest.importorskip("vl_convert")
    v = values(model)
    spec = catalog.linked("harm_information", v)
    svg = vl_convert.vegalite_to_svg(json.dumps(spec))
    t = spec["params"][0]["value"][0]["t"]
    info = tables.columns(catalog.build("harm_information", v))[0].y
    labels = re.findall(r">(t = [^<]*)</text>", svg)
    assert len(labels) == 2 and all(label.startswith(f"t = {t} ") for label in labels), labels
    shown = labels[0].rsplit("= ", 1)[1]
    assert float(shown) == pytest.approx(info[t - 1], rel=1e-5, abs=0)


def test_the_shape_is_written_once_and_each_call_is_a_fresh_dict():
    linked.information_shape.cache_clear()
    a = catalog.linked("harm_information", params.defaults())
    b = catalog.linked("harm_information", {**params.defaults(), "T_toy": 20})
    assert linked.information_shape.cache_info().misses == 1
    assert a is not b and a["datasets"] is not b["datasets"]  # Streamlit takes datasets out
    assert len(b["datasets"]["series"]) == 20


def test_a_log_axis_labels_powers_of_ten_as_the_plotly_figures_do():
    vl_convert = pytest.importorskip("vl_convert")
    spec = catalog.linked("harm_information", values("gradual-log"))
    ticks = re.findall(r">(10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)</text>", vl_convert.vegalite_to_svg(json.dumps(spec)))
    assert "10⁰" in ticks and "10⁻⁵" in ticks, ticks


# The shared-parameter figure (Shallow equilibrium, Appendix A): two series in each panel
SHARED = {"defaults": {}, "threshold": {"toy_model": 1, "T_toy": 30, "k_toy": 10, "m_toy": 3},
          "k=T": {"T_toy": 6, "k_toy": 6}, "k=0": {"k_toy": 0}}
SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def readout_value(text: str) -> float:
    """A value as ``ui.text.latex.readout_number`` writes it: 0.0222030, −0.05, 4.4616×10⁻¹⁸."""
    text = text.replace("−", "-")
    mantissa, _, exponent = text.partition("×10")
    return float(mantissa) * 10 ** int(exponent.translate(SUPERSCRIPT)) if exponent else float(text)


def shared_values(model: str) -> dict:
    return {**params.defaults(), "steps": 60, **SHARED[model]}


@pytest.mark.parametrize("model", SHARED)
def test_the_shared_chart_draws_the_numbers_ranges_and_band_of_the_plotly_figure(model):
    v = shared_values(model)
    spec, built = catalog.linked("shared_variant", v), catalog.build("shared_variant", v)
    fig = built.fig
    rows = spec["datasets"]["series"]
    cols = tables.columns(built)
    assert len(cols) == 4 and [r["t"] for r in rows] == [int(x) for x in cols[0].x]
    for i, c in enumerate(cols):
        drawn = np.array([np.nan if r[f"s{i}"] is None else r[f"s{i}"] for r in rows])
        np.testing.assert_array_equal(drawn, c.y)  # the same floats, not a recomputation
    # each panel folds one series of each run, on the plotly figure's own y range
    values = {p["name"]: p.get("value") for p in spec["params"]}
    assert values["y_top"] == list(fig.layout.yaxis.range)
    assert values["y_bottom"] == list(fig.layout.yaxis2.range)
    for panel, fields in zip(spec["vconcat"], (["s0", "s2"], ["s1", "s3"])):
        folds = [t["fold"] for u in units(panel) for t in u.get("transform", []) if "fold" in t]
        assert folds and all(f == fields for f in folds)
    # the band is the plotly figure's: positions 1..k, none when k = 0
    bands = sorted({(s.x0, s.x1) for s in fig.layout.shapes if s.type == "rect"})
    assert [(r["t"], r["t2"]) for r in spec["datasets"]["horizon"]] == bands
    assert (not bands) == (model == "k=0")
    json.dumps(spec, allow_nan=False)


def test_the_shared_chart_has_one_legend_entry_per_run_and_one_selection_on_t():
    spec = catalog.linked("shared_variant", params.defaults())
    colors = [u["encoding"]["color"] for u in units(spec) if "legend" in u["encoding"].get("color", {})
              and u["encoding"]["color"]["legend"] is not None]
    assert colors and all(c["scale"]["domain"] == ["per-position parameters",
                                                   "shared parameters (App. A)"] for c in colors)
    (select,) = [p for p in spec["params"] if p["name"] == linked.SELECTION]
    assert select["select"]["fields"] == ["t"] and len(select["views"]) == 2
    assert select["value"] == [{"t": 5}]  # the first position beyond k = 4, as the readout
    for panel in spec["vconcat"]:
        filtered = [u.get("name", "") for u in units(panel)
                    if {"filter": {"param": linked.SELECTION}} in u.get("transform", [])]
        assert any("_rule" in n for n in filtered) and any("_label" in n for n in filtered)


@pytest.mark.parametrize("start", [None, 2, 9])
def test_vega_compiles_the_shared_chart_and_labels_both_runs_at_the_start(start):
    vl_convert = pytest.importorskip("vl_convert")
    v = params.defaults()
    spec = catalog.linked("shared_variant", v, start)
    svg = vl_convert.vegalite_to_svg(json.dumps(spec))
    t = start or 5
    kl_tab, effect_tab, kl_shared, effect_shared = (c.y for c in tables.columns(
        catalog.build("shared_variant", v)))
    labels = re.findall(r">(t = [^<]*)</text>", svg)
    assert len(labels) == 2 and all(label.startswith(f"t = {t} · ") for label in labels), labels
    for label, (tab, shared) in zip(labels, ((kl_tab, kl_shared), (effect_tab, effect_shared))):
        named = dict(re.findall(r"([\w-]+): (\S+)", label))
        assert named.keys() == {"per-position", "shared"}, label
        assert readout_value(named["per-position"]) == pytest.approx(tab[t - 1], rel=1e-5, abs=0)
        assert readout_value(named["shared"]) == pytest.approx(shared[t - 1], rel=1e-5, abs=0)
    assert "inside horizon (t ≤ 4)" in svg and "per-position parameters" in svg
