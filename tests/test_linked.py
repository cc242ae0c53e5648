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
from ui.text.latex import readout_number as number

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


# The training figure (Gradients): four panels, every recorded step, a slider for the step
TRAINING = {"defaults": {}, "k=0": {"k_toy": 0, "steps": 60},
            "uneven": {"steps": 203}}  # recorded 0, 5, …, 200, 203
PANELS = ("grad0", "grad1", "kl0", "kl1")  # standard, deep gradient norm; standard, deep KLₜ


def training_values(model: str) -> dict:
    return {**params.defaults(), **TRAINING[model]}


def param(spec: dict, name: str) -> dict:
    (found,) = [p for p in spec["params"] if p["name"] == name]
    return found


@pytest.mark.parametrize("model", TRAINING)
def test_the_training_chart_holds_every_recorded_step_of_the_plotly_figure(model):
    v = training_values(model)
    spec, built = catalog.linked("training", v), catalog.build("training", v)
    fig = built.fig
    rows = spec["datasets"]["series"]  # one per position, a column per series and recorded step
    cols = tables.columns(built)
    assert [r["t"] for r in rows] == [int(x) for x in cols[0].x]
    recorded = param(spec, linked.RECORDED)["value"]
    assert recorded == [int(f.name) for f in fig.frames]
    column = lambda name: np.array([np.nan if r[name] is None else r[name] for r in rows])
    for i, frame in enumerate(fig.frames):
        for s, trace in enumerate(frame.data):  # the same floats as plotly's frame, per trace
            np.testing.assert_array_equal(column(f"s{s}_{i}"), np.asarray(trace.y, float))
        assert param(spec, linked.GRAD_RANGES)["value"][i] == [list(frame.layout.yaxis.range),
                                                               list(frame.layout.yaxis2.range)]
    for s in range(4):  # the last step is what the table, the readout and the files read
        np.testing.assert_array_equal(column(f"s{s}_{len(recorded) - 1}"), cols[s].y)
    np.testing.assert_array_equal(column("s4"), cols[4].y)  # the exact optima
    np.testing.assert_array_equal(column("s5"), cols[5].y)
    assert param(spec, linked.KL_RANGES)["value"] == [list(fig.layout.yaxis3.range),
                                                      list(fig.layout.yaxis4.range)]
    bands = sorted({(s.x0, s.x1) for s in fig.layout.shapes if s.type == "rect"})
    assert [(r["t"], r["t2"]) for r in spec["datasets"]["horizon"]] == bands
    json.dumps(spec, allow_nan=False)


def test_the_four_training_panels_share_one_selection_and_the_slider_starts_at_the_last_step():
    spec = catalog.linked("training", params.defaults())
    select = param(spec, linked.SELECTION)
    assert select["select"]["fields"] == ["t"] and select["value"] == [{"t": 5}]  # first beyond k = 4
    # one pointer per row, over both runs (Altair numbers the layers' names: grad_pointer_0)
    assert [v.rsplit("_", 1)[0] for v in sorted(select["views"])] == ["grad_pointer", "kl_pointer"]
    for name in PANELS:  # each panel draws the selection: a rule and a label filtered by it
        marked = [u.get("name", "") for u in units(spec)
                  if {"filter": {"param": linked.SELECTION}} in u.get("transform", [])]
        assert any(m.startswith(f"{name}_rule") for m in marked), (name, marked)
        assert any(m.startswith(f"{name}_label") for m in marked), (name, marked)
    step = param(spec, linked.STEP)
    assert step["value"] == 200 == param(spec, linked.RECORDED)["value"][-1]
    assert step["bind"] == {"input": "range", "min": 0, "max": 200, "step": 5,
                            "name": "gradient step "}  # one stop per recorded step


def test_uneven_recorded_steps_slide_in_their_common_step():
    spec = catalog.linked("training", training_values("uneven"))
    assert param(spec, linked.RECORDED)["value"][-3:] == [195, 200, 203]
    assert param(spec, linked.STEP)["bind"]["step"] == 1  # gcd(5, 3): 203 is reachable


def drawn_at(spec: dict, step: int, t: int) -> tuple[list[str], dict[str, str]]:
    """The column titles and the four panels' labels Vega draws (vl-convert) with the slider
    at ``step`` and the selection at ``t``."""
    vl_convert = pytest.importorskip("vl_convert")
    spec = json.loads(json.dumps(spec))
    param(spec, linked.STEP)["value"] = step
    param(spec, linked.SELECTION)["value"] = [{"t": t}]
    svg = vl_convert.vegalite_to_svg(json.dumps(spec))
    titles = re.findall(r">((?:standard|deep) \(μ = [^<]*· step \d+)</text>", svg)
    labels = re.findall(r'class="[^"]*?(\w+?)_label[^"]*"[^>]*>.*?<text[^>]*>(t = [^<]*)</text>', svg)
    return titles, dict(labels)


@pytest.mark.parametrize("model, step, frame", [("defaults", 15, 3), ("uneven", 201, 40),
                                                ("uneven", 203, 41)])
def test_vega_draws_the_recorded_step_at_or_before_the_slider_in_the_readouts_words(model, step, frame):
    v = training_values(model)
    spec, fig = catalog.linked("training", v), catalog.build("training", v).fig
    recorded = int(fig.frames[frame].name)
    titles, labels = drawn_at(spec, step, 3)
    assert titles == [f"standard (μ = 0) · step {recorded}", f"deep (μ = 5) · step {recorded}"]
    assert sorted(labels) == sorted(PANELS), labels
    for s, name in enumerate(PANELS):  # grad0, grad1, kl0, kl1: traces 0, 2, 1, 3
        y = fig.frames[frame].data[(0, 2, 1, 3)[s]].y[2]
        assert labels[name] == f"t = 3 · {number(float(y))}", (name, labels)


def test_vegas_numbers_are_the_readout_cards():
    """``linked.readout`` (a Vega expression) writes what ``ui.latex.readout_number`` writes."""
    vl_convert = pytest.importorskip("vl_convert")
    rng = np.random.default_rng(0)
    values = [0.0, 1.5e-12, -1.5e-12, 7.90207e-06, 1e-4, 9.99999e-5, -3.25, 0.0524302134,
              123456.7, 999999.4, 1e6, 2.5e7, 1.0, -1e-300, 5e-324]
    values += (rng.choice([-1, 1], 60) * 10.0 ** rng.uniform(-15, 9, 60)).tolist()
    spec = {"data": {"values": [{"i": i, "v": v} for i, v in enumerate(values)]},
            "transform": [{"calculate": linked.readout("datum.v"), "as": "text"}],
            "mark": "text", "encoding": {"y": {"field": "i", "type": "ordinal", "axis": None},
                                         "text": {"field": "text"}}}
    shown = re.findall(r"<text[^>]*>([^<]*)</text>", vl_convert.vegalite_to_svg(json.dumps(spec)))
    assert shown == [number(v) for v in values]


def test_the_training_data_stay_small_at_the_largest_runs():
    """Numbers only (the labels write them in Vega), positions in 2 bytes: the largest run
    (recorded steps × T ≤ FRAME_CELLS, plus step 0 and the last) sends < 1 MB."""
    import pyarrow as pa

    from ui.data import toy as data_toy

    sent = catalog.linked_chart("training", params.defaults())["datasets"]["series"]
    schema = pa.ipc.open_stream(sent).schema
    assert {str(f.type) for f in schema if f.name != "t"} == {"double"}
    t = schema.field("t").type
    assert pa.types.is_integer(t) and t.bit_width <= 16  # whole positions ≤ 2000 in ≤ 2 bytes
    T = params.PARAMS["T_toy"].hi
    values = 4 * (data_toy.FRAME_CELLS + 2 * T) + 2 * T  # 4 moving series, 2 exact optima
    assert 8 * values + 2 * T < 1e6
