"""Linked views (as in Distill's articles): the panels of one position-indexed figure drawn as one
Vega-Lite chart whose panels share a selection on the position t. Pointing at a position in any
panel marks it in every panel, with each series' value there, in the browser with no rerun.

The numbers are read from the table of the built figure of ``ui.catalog`` (``tables.columns``),
the one the readout, the data table, the alt text and every exported file read, so the linked
view cannot show other data than they do. Files are still exported from that plotly figure
(LaTeX title, metadata, the publication style of ``ui.export.publish``): a static file has no
pointer to link anything with.

Altair writes each chart's *shape* once (``functools.cache``: building and validating the
objects takes 100-400 ms here, against 1-5 ms for a plotly figure); every parameter set only
fills in the named datasets and two parameter values of a copy of that Vega-Lite dict.
Streamlit draws it with the vega, vega-lite and vega-embed it bundles (nothing is downloaded).
"""

from __future__ import annotations

import copy
import functools
import math
import warnings

import altair as alt
import numpy as np

from ui.text.latex import readout_number as number

from . import table as tables
from ._style import BOUND, HORIZON_FILL, OKABE_ITO

SELECTION = "position"  # the shared selection's name (the browser test reads it by this name)
T = "t"  # the position field
LAST = "T_max"  # parameter: the last position (the x axes end half a position after it)
VALUE_FORMAT = ".6~g"  # the tooltips: six significant digits, as the readout card and the data table
LABEL = "#444"  # text and rules that are not data
MARKERS = 60  # a line shows its points up to this many positions (plotly's max_markers=60)
DATASETS = ("series", "horizon", "level")  # what each parameter set fills in
# A log axis's tick as 10ⁿ, as the plotly figures write it (``_style.log_axis``), not "1e-5"
# (d3's format writes a minus as U+2212)
POWER_OF_TEN = "'10' + " + "replace(" * 11 + "format(round(log(datum.value) / LN10), 'd')" + \
    "".join(f", /{d}/g, '{s}')" for d, s in zip("−0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def series_rows(fig) -> tuple[list[dict], list[tables.Column]]:
    """One row per position, one field per plotted series (``s0``, ``s1``, …: Vega reads a field
    name with brackets or dots as a path), None where nothing is drawn, and beside each its value
    as the readout card writes it (``s0_text``); and those series."""
    cols = tables.columns(fig)
    positions = np.asarray(cols[0].x, dtype=int)
    if any(len(c.x) != len(positions) or np.any(np.asarray(c.x) != positions) for c in cols):
        raise ValueError("linked panels need the same positions in every series")
    rows = [{T: int(t)} for t in positions]
    for i, c in enumerate(cols):
        for row, y in zip(rows, c.y):
            finite = math.isfinite(y)
            row[f"s{i}"] = float(y) if finite else None
            # the readout card's own words for the value (1.5×10⁻¹², ∞, or why nothing is drawn)
            row[f"s{i}_text"] = number(float(y)) if finite else c.gap
    return rows, cols


def selection() -> alt.Parameter:
    """The position under the pointer, shared by every panel. It stays where the pointer left
    it (a projector's pointer wanders off); its first value is set per parameter set."""
    return alt.selection_point(name=SELECTION, fields=[T], on="pointerover", nearest=True,
                               clear=False, value=[{T: 1}])


def x_axis(title: str | None) -> alt.X:
    return alt.X(f"{T}:Q", title=title, axis=alt.Axis(format="d", tickMinStep=1),
                 scale=alt.Scale(domain=alt.ExprRef(f"[0.5, {LAST} + 0.5]"), nice=False))


def pointer(select: alt.Parameter, x: alt.X, panel: str) -> alt.Chart:
    """Invisible points at every position, all at one height: the one nearest the pointer is
    chosen by its x alone, wherever the pointer is in the panel."""
    return alt.Chart(alt.NamedData("series")).mark_point(opacity=0, size=1).encode(
        x=x, tooltip=alt.value(None)).add_params(select).properties(name=f"{panel}_pointer")


def rule(select: alt.Parameter, x: alt.X, panel: str) -> alt.Chart:
    """A rule across the panel at the selected position (drawn under the data)."""
    return alt.Chart(alt.NamedData("series")).transform_filter(select).mark_rule(
        color=LABEL, strokeWidth=1).encode(x=x).properties(name=f"{panel}_rule")


def marker(select: alt.Parameter, x: alt.X, y: alt.Y, field: str, symbol: str, color: str,
           panel: str) -> list[alt.Chart]:
    """At the selected position: a dot on the value, and above the panel the position and the
    value as the readout card writes it, ``t = 5 · Iₜ = 0.0776472``. Vega names their marks
    ``<panel>_dot_marks`` and ``<panel>_label_marks``."""
    chosen = alt.Chart(alt.NamedData("series")).transform_filter(select)
    dot = chosen.transform_filter(f"isValid(datum.{field})").mark_point(
        filled=True, size=70, color=color, opacity=1).encode(x=x, y=y).properties(name=f"{panel}_dot")
    text = chosen.transform_calculate(
        label=f"'{T} = ' + datum.{T} + ' · {symbol} = ' + datum.{field}_text"
    ).mark_text(align="left", baseline="bottom", fontSize=14, fontWeight="bold").encode(
        x=alt.value(0), y=alt.value(-8), text="label:N").properties(name=f"{panel}_label")
    return [dot, text]


def horizon(labelled: bool) -> list[alt.Chart]:
    """Dashed rules between positions k and k + 1 (after them the harm cannot change), one per
    row of the ``horizon`` dataset (none when 0 = k or k = T), labelled in the top panel."""
    rows = alt.Chart(alt.NamedData("horizon"))
    # row 0 dashed (exact), row 1 dotted (numerical): fixed per layer, as the plotly figure draws them
    rules = [rows.transform_filter(f"datum.row == {row}").mark_rule(
        color="grey", strokeWidth=1.5, strokeDash=dash).encode(x=f"{T}:Q")
        for row, dash in ((0, [6, 4]), (1, [2, 3]))]
    if not labelled:
        return rules
    # ``row`` is also the label's line (0 at the top), so two labels cannot meet
    return [*rules, *(rows.transform_filter(f"datum.row == {row}").mark_text(
        align="left", dx=6, baseline="top", color=LABEL, fontSize=12).encode(
        x=f"{T}:Q", y=alt.value(2 + 15 * row), text="label:N") for row in (0, 1))]


def level(y: str) -> list[alt.Chart]:
    """The dotted horizontal rule of the ``level`` dataset (Var H), labelled at its right end."""
    rows = alt.Chart(alt.NamedData("level"))
    rule = rows.mark_rule(color=BOUND[0], strokeDash=[2, 3], strokeWidth=2).encode(y=f"{y}:Q")
    text = rows.mark_text(align="right", baseline="top", dy=4, color=LABEL, fontSize=12).encode(
        x=alt.value(alt.ExprRef("width")), y=f"{y}:Q", text="label:N")
    return [rule, text]


def _tooltip(field: str, symbol: str) -> list[alt.Tooltip]:
    return [alt.Tooltip(f"{T}:Q", title="position t"),
            alt.Tooltip(f"{field}:Q", title=symbol, format=VALUE_FORMAT)]


@functools.cache
def information_shape(info_title: str, sum_title: str, x_title: str, log: bool,
                      points: bool) -> dict:
    """The harm-information shape (``_information_shape``), built once per titles and axes."""
    with warnings.catch_warnings():  # one selection in two panels is the point: not a mistake
        warnings.filterwarnings("ignore", "Automatically deduplicated selection parameter")
        return on_pointers(_information_shape(info_title, sum_title, x_title, log, points).to_dict())


def _units(spec):
    """Every unit view (a dict with a mark) of a Vega-Lite dict."""
    if isinstance(spec, dict):
        if "mark" in spec:
            yield spec
        for value in spec.values():
            yield from _units(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _units(value)


def on_pointers(spec: dict) -> dict:
    """``spec`` with the shared selection defined on the pointer layers only. Altair lists
    views by their names, and for named layers it also lists the rules, dots and labels that
    only read the selection (Vega then defines its signals twice: "Duplicate signal name")."""
    pointers = [u["name"] for u in _units(spec) if "_pointer" in u.get("name", "")]
    for p in spec["params"]:
        if p["name"] == SELECTION:
            p["views"] = pointers
    return spec


def _information_shape(info_title: str, sum_title: str, x_title: str, log: bool,
                       points: bool) -> alt.VConcatChart:
    """The Vega-Lite dict of the harm-information figure without its data: Definition 5's Iₜ
    (bars, top) over its running sum against Var H (Corollary 7, bottom), with Theorem 9's
    horizon, one selection on t across both panels."""
    select = selection()
    blue, red = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
    bars = alt.Chart(alt.NamedData("series"))
    if log:  # a zero has no place on a log axis: its bar is left out, the label says 0
        # not stacked: a stack starts at 0, which a log axis cannot hold (nothing was drawn)
        y_info = alt.Y("s0:Q", title=info_title, scale=alt.Scale(type="log"), stack=None,
                       axis=alt.Axis(labelExpr=POWER_OF_TEN))
        bars = bars.transform_filter("datum.s0 > 0")
    else:
        y_info = alt.Y("s0:Q", title=info_title, axis=alt.Axis(format="~g"))
    y_sum = alt.Y("s1:Q", title=sum_title, scale=alt.Scale(domainMin=0), axis=alt.Axis(format="~g"))
    x_top, x_bottom = x_axis(None), x_axis(x_title)
    top = alt.layer(
        rule(select, x_top, "information"),
        bars.mark_bar(color=blue, width={"band": 0.85}).encode(
            x=x_top, y=y_info, tooltip=_tooltip("s0", "Iₜ")),
        *horizon(labelled=True), pointer(select, x_top, "information"),
        *marker(select, x_top, y_info, "s0", "Iₜ", blue, "information"),
    ).properties(width="container", height=200)
    line = alt.Chart(alt.NamedData("series")).mark_line(
        color=red, strokeDash=[6, 3], strokeWidth=2.5,
        point=alt.OverlayMarkDef(shape="cross", color=red, size=40) if points else False).encode(
        x=x_bottom, y=y_sum, tooltip=_tooltip("s1", "Σₛ≤ₜ Iₛ"))
    bottom = alt.layer(
        rule(select, x_bottom, "sum"), line, *level("s1"), *horizon(labelled=False),
        pointer(select, x_bottom, "sum"), *marker(select, x_bottom, y_sum, "s1", "Σₛ≤ₜ Iₛ", red, "sum"),
    ).properties(width="container", height=130)
    chart = alt.vconcat(top, bottom, spacing=34).add_params(alt.param(name=LAST, value=1))
    return chart.configure_view(stroke=None).configure_axis(
        labelFontSize=12, titleFontSize=14).properties(
        usermeta={"embedOptions": {"renderer": "svg"}})  # SVG: text a reader and a test can select


def filled(shape: dict, *, last: int, default: int, values: dict | None = None,
           **datasets: list[dict]) -> dict:
    """A copy of ``shape`` with its datasets, its last position, the selection's first one and
    the other parameters' ``values``."""
    spec = copy.deepcopy(shape)
    spec["datasets"] = {name: datasets.get(name, []) for name in dict.fromkeys((*DATASETS, *datasets))}
    values = {**(values or {}), LAST: last}
    for p in spec["params"]:
        if p["name"] in values:
            p["value"] = values[p["name"]]
        elif p["name"] == SELECTION:
            p["value"] = [{T: default}]
    return spec


def horizons(k: int, k_num: int, last: int) -> list[dict]:
    """The ``horizon`` rows: Theorem 9's k (dashed), and the numerical horizon (dotted) where it
    differs, as the plotly figure draws them (``toy_horizon.build_information``)."""
    if k == k_num:
        return [{T: k + 0.5, "row": 0, "label": f"horizon k = {k} (exact = numerical)"}
                ] if 0 < k < last else []
    rows = [{T: k + 0.5, "row": 0, "label": f"exact horizon k = {k}"}] if k < last else []
    return rows + [{T: k_num + 0.5, "row": 1,
                    "label": f"numerical horizon {k_num} (Iₜ ≤ 1e-12·Var H after)"}]


def harm_information(fig, *, k: int, k_num: int, variance: float, default: int, log: bool) -> dict:
    """The linked harm-information chart (Vega-Lite dict) of the built figure ``fig``."""
    rows, (info, running) = series_rows(fig)
    last = rows[-1][T]
    shape = information_shape(info.quantity, running.quantity, info.x_title, log, last <= MARKERS)
    wall = horizons(k, k_num, last)
    return filled(shape, last=last, default=default, series=rows, horizon=wall,
                  level=[{"s1": variance, "label": f"Var H = {variance:.6g}"}])


# The shared-parameter figure: two series per panel, each on the plotly figure's own y range
RANGES = ("y_top", "y_bottom")  # parameters: [low, high] of each panel's y axis


def series_marks(select: alt.Parameter, x: alt.X, y: alt.Y, title: str, fields: tuple[str, ...],
                 names: tuple[str, ...], short: tuple[str, ...], panel: str,
                 points: bool) -> list[alt.Chart]:
    """The series ``fields`` of a panel (folded into ``value``, on the y axis ``y`` titled
    ``title``) as lines, one colour and dash per series named in the legend (``names``), and at the selected position a dot on each and above the panel the
    position and every value as the readout card writes it,
    ``t = 5 · per-position: 0.022203 · shared: 0.0108204``. The dots and the label read the
    wide row of the selected position; Vega names them ``<panel>_dot_marks``, ``<panel>_label_marks``."""
    styles = [OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["orange"], OKABE_ITO["green"]]
    dashes = [[1, 0], [6, 3], [6, 2, 2, 2], [10, 4]]  # as the plotly styles: solid, dash, dashdot, …
    # the folded field's series name: a chain of conditions (no object literal in a Vega expression)
    name = "".join(f"datum.field === '{f}' ? '{n}' : " for f, n in zip(fields[:-1], names)) + f"'{names[-1]}'"
    colors = alt.Scale(domain=list(names), range=styles[:len(names)])
    series = alt.Color("series:N", title=None, scale=colors,
                       legend=alt.Legend(orient="top", labelFontSize=13, symbolStrokeWidth=2.5,
                                         symbolType="stroke", symbolSize=400))
    dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=list(names), range=dashes[:len(names)]),
                          legend=None)
    folded = alt.Chart(alt.NamedData("series")).transform_fold(
        list(fields), as_=["field", "value"]).transform_calculate(series=name)
    lines = folded.transform_filter("isValid(datum.value)").mark_line(
        strokeWidth=2.5, point=alt.OverlayMarkDef(size=30, filled=True) if points else False).encode(
        x=x, y=y, color=series, strokeDash=dash,
        tooltip=[alt.Tooltip(f"{T}:Q", title="position t"), alt.Tooltip("series:N", title="series"),
                 alt.Tooltip("value:Q", title=title, format=VALUE_FORMAT)])
    chosen = alt.Chart(alt.NamedData("series")).transform_filter(select)
    dots = chosen.transform_fold(list(fields), as_=["field", "value"]).transform_calculate(
        series=name).transform_filter("isValid(datum.value)").mark_point(
        filled=True, size=70, opacity=1).encode(
        x=x, y=y, color=alt.Color("series:N", scale=colors, legend=None)
    ).properties(name=f"{panel}_dot")
    label = f"'{T} = ' + datum.{T}" + "".join(
        f" + ' · {s}: ' + datum.{f}_text" for f, s in zip(fields, short))
    text = chosen.transform_calculate(label=label).mark_text(
        align="left", baseline="bottom", fontSize=14, fontWeight="bold", color=LABEL).encode(
        x=alt.value(0), y=alt.value(-8), text="label:N").properties(name=f"{panel}_label")
    return [lines, dots, text]


def band(height: int | None) -> list[alt.Chart]:
    """The grey band over positions 1..k (inside the horizon: harm still moves there), from the
    ``horizon`` dataset (no row when k = 0), named at its lower right in the panel of ``height``
    (None: the other panels)."""
    rows = alt.Chart(alt.NamedData("horizon"))
    shade = rows.mark_rect(color=HORIZON_FILL).encode(x=f"{T}:Q", x2="t2:Q", tooltip=alt.value(None))
    if height is None:
        return [shade]
    return [shade, rows.mark_text(align="right", baseline="bottom", dx=-4, dy=-4, color=LABEL,
                                  fontSize=12).encode(
        x="t2:Q", y=alt.value(height), text="label:N")]


def note(y: str) -> alt.Chart:
    """The plotly figure's pointer to a point (``note`` dataset: its t, value and words)."""
    return alt.Chart(alt.NamedData("note")).mark_text(
        align="left", baseline="bottom", dx=10, dy=-14, color=LABEL, fontSize=11).encode(
        x=f"{T}:Q", y=f"{y}:Q", text="label:N")


@functools.cache
def shared_shape(names: tuple[str, str], short: tuple[str, str], titles: tuple[str, str],
                 x_title: str, points: bool) -> dict:
    """The shared-parameter shape (``_shared_shape``), built once per names, titles and axes."""
    with warnings.catch_warnings():  # one selection in two panels is the point: not a mistake
        warnings.filterwarnings("ignore", "Automatically deduplicated selection parameter")
        return on_pointers(_shared_shape(names, short, titles, x_title, points).to_dict())


def _shared_shape(names, short, titles, x_title, points) -> alt.VConcatChart:
    """The Vega-Lite dict of the shared-parameter figure without its data: KLₜ (top) and the
    change in expected harm caused at each position (bottom) after per-position and shared
    training (Appendix A, Proposition 26), the horizon's band, one selection on t across both."""
    select = selection()
    x_top, x_bottom = x_axis(None), x_axis(x_title)
    panels = []
    for i, (x, title, fields, panel, height) in enumerate((
            (x_top, titles[0], ("s0", "s2"), "kl", 200),
            (x_bottom, titles[1], ("s1", "s3"), "effect", 170))):
        y = alt.Y("value:Q", title=title, axis=alt.Axis(format="~g"),
                  scale=alt.Scale(domain=alt.ExprRef(RANGES[i]), nice=False, zero=False))
        lines, dots, text = series_marks(select, x, y, title, fields, names, short, panel, points)
        panels.append(alt.layer(
            *band(height if i == 0 else None), rule(select, x, panel), lines,
            *([note("y")] if i == 0 else []), pointer(select, x, panel), dots, text,
        ).properties(width="container", height=height))
    chart = alt.vconcat(*panels, spacing=34).add_params(
        alt.param(name=LAST, value=1), *(alt.param(name=r, value=[0, 1]) for r in RANGES))
    return chart.configure_view(stroke=None).configure_axis(
        labelFontSize=12, titleFontSize=14).properties(
        usermeta={"embedOptions": {"renderer": "svg"}})  # SVG: text a reader and a test can select


def shared_variant(built: tables.Built, *, k: int, default: int) -> dict:
    """The linked shared-parameter chart (Vega-Lite dict) of the built figure
    (``toy_equilibrium.build_shared_variant``: per-position KLₜ, effect, then shared ones)."""
    rows, cols = series_rows(built)
    layout = built.fig.layout
    last = rows[-1][T]
    names = (cols[0].series, cols[2].series)
    short = tuple(n.split(" parameters")[0] for n in names)  # "per-position", "shared"
    shape = shared_shape(names, short, (cols[0].quantity, cols[1].quantity), cols[0].x_title,
                         last <= MARKERS)
    ranges = {r: list(axis.range) for r, axis in zip(RANGES, (layout.yaxis, layout.yaxis2))}
    k = min(k, last)
    wall = [{T: 0.5, "t2": k + 0.5, "label": f"inside horizon (t ≤ {k})"}] if k >= 1 else []
    notes = [{T: a.x, "y": a.y, "label": a.text} for a in layout.annotations if a.showarrow]
    return filled(shape, last=last, default=default, values=ranges, series=rows, horizon=wall,
                  note=notes)
