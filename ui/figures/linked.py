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
fills in the named datasets and the parameter values of a copy of that Vega-Lite dict. The
training figure's recorded steps are a Vega-Lite parameter bound to a slider under the chart:
the step moves in the browser too.
Streamlit draws it with the vega, vega-lite and vega-embed it bundles (nothing is downloaded).
"""

from __future__ import annotations

import copy
import functools
import math
import warnings

import altair as alt
import numpy as np

from ui.text.latex import READOUT_SIG, readout_number as number

from . import table as tables
from ._style import BOUND, HORIZON_FILL, OKABE_ITO

SELECTION = "position"  # the shared selection's name (the browser test reads it by this name)
T = "t"  # the position field
LAST = "T_max"  # parameter: the last position (the x axes end half a position after it)
VALUE_FORMAT = ".6~g"  # the tooltips: six significant digits, as the readout card and the data table
LABEL = "#444"  # text and rules that are not data
MARKERS = 60  # a line shows its points up to this many positions (plotly's max_markers=60)
# Vega-Lite sizes a view of a concatenation to its container without its axes (it fits a chart,
# axes included, only for a single or layered view), so a panel's view is the container's width,
# axes included: its plot spans [AXIS, width - PAD] px and its y axis is moved inside that width
AXIS, PAD = 72, 10  # px: the y axis (labels and title); the last x tick label
# A y axis's title at the view's left edge (its labels would place it: a wide one, out of the view)
TITLE_AT_EDGE = {"titleX": 2 - AXIS, "titleBaseline": "top"}  # from the axis, drawn at AXIS
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


def selection(nearest: bool = True) -> alt.Parameter:
    """The position under the pointer, shared by every panel. It stays where the pointer left
    it (a projector's pointer wanders off); its first value is set per parameter set.
    ``nearest``: chosen by the nearest point (else by the mark under the pointer)."""
    return alt.selection_point(name=SELECTION, fields=[T], on="pointerover", nearest=nearest,
                               clear=False, value=[{T: 1}])


def x_axis(title: str | None) -> alt.X:
    return alt.X(f"{T}:Q", title=title, axis=alt.Axis(format="d", tickMinStep=1),
                 scale=alt.Scale(domain=alt.ExprRef(f"[0.5, {LAST} + 0.5]"), nice=False,
                                 range=[alt.ExprRef(f"{AXIS}"), alt.ExprRef(f"width - {PAD}")]))


def y_axes(field: str, title: str, scale: alt.Scale, stack=alt.Undefined,
           **axis) -> tuple[alt.Y, alt.Y]:
    """A panel's y encoding with its axis moved from the view's left edge to the plot's, and the
    same without an axis but for the grid, which stays (an axis's offset moves its grid too).
    A panel that uses both resolves its y axes as independent (one scale, two axes)."""
    y = alt.Y(field, title=title, scale=scale, stack=stack,
              axis=alt.Axis(orient="left", grid=False, offset=-AXIS, **TITLE_AT_EDGE, **axis))
    grid = alt.Y(field, scale=scale, axis=alt.Axis(orient="left", grid=True, labels=False,
                                                   ticks=False, domain=False, title=None))
    return y, grid


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
        x=alt.value(AXIS), y=alt.value(-8), text="label:N").properties(name=f"{panel}_label")
    return [dot, text]


def horizon(labelled: bool) -> list[alt.Chart]:
    """Dashed rules between positions k and k + 1 (after them the harm cannot change), one per
    row of the ``horizon`` dataset (none when 0 = k or k = T), labelled in the top panel."""
    rows = alt.Chart(alt.NamedData("horizon"))
    # row 0 dashed (exact), row 1 dotted (numerical): fixed per layer, as the plotly figure draws them
    # aria=False: the label says where the horizon is; an unlabelled graphics symbol says nothing
    rules = [rows.transform_filter(f"datum.row == {row}").mark_rule(
        color="grey", strokeWidth=1.5, strokeDash=dash, aria=False).encode(x=f"{T}:Q")
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
    y = alt.Y(f"{y}:Q", axis=None)  # on the panel's scale; the panel draws the axis
    rule = rows.mark_rule(color=BOUND[0], strokeDash=[2, 3], strokeWidth=2).encode(
        x=alt.value(AXIS), x2=alt.value(alt.ExprRef(f"width - {PAD}")), y=y)  # across the plot
    text = rows.mark_text(align="right", baseline="top", dy=4, color=LABEL, fontSize=12).encode(
        x=alt.value(alt.ExprRef(f"width - {PAD}")), y=y, text="label:N")
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
        y_info, grid_info = y_axes("s0:Q", info_title, alt.Scale(type="log"), stack=None,
                                   labelExpr=POWER_OF_TEN)
        bars = bars.transform_filter("datum.s0 > 0")
    else:
        y_info, grid_info = y_axes("s0:Q", info_title, alt.Scale(), format="~g")
    y_sum, grid_sum = y_axes("s1:Q", sum_title, alt.Scale(domainMin=0), format="~g")
    x_top, x_bottom = x_axis(None), x_axis(x_title)
    top = alt.layer(
        rule(select, x_top, "information"),
        bars.mark_bar(color=blue, width={"band": 0.85}).encode(
            x=x_top, y=y_info, tooltip=_tooltip("s0", "Iₜ")),
        *horizon(labelled=True), pointer(select, x_top, "information"),
        *marker(select, x_top, grid_info, "s0", "Iₜ", blue, "information"),
    ).resolve_axis(y="independent").properties(width="container", height=200)
    line = alt.Chart(alt.NamedData("series")).mark_line(
        color=red, strokeDash=[6, 3], strokeWidth=2.5,
        point=alt.OverlayMarkDef(shape="cross", color=red, size=40) if points else False).encode(
        x=x_bottom, y=y_sum, tooltip=_tooltip("s1", "Σₛ≤ₜ Iₛ"))
    bottom = alt.layer(
        rule(select, x_bottom, "sum"), line, *level("s1"), *horizon(labelled=False),
        pointer(select, x_bottom, "sum"), *marker(select, x_bottom, grid_sum, "s1", "Σₛ≤ₜ Iₛ", red, "sum"),
    ).resolve_axis(y="independent").properties(width="container", height=130)
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


def series_marks(select: alt.Parameter, x: alt.X, y: alt.Y, grid: alt.Y, title: str,
                 fields: tuple[str, ...], names: tuple[str, ...], short: tuple[str, ...], panel: str,
                 points: bool) -> list[alt.Chart]:
    """The series ``fields`` of a panel (folded into ``value``, on the y axis ``y`` titled
    ``title``, the dots on ``grid``: ``y_axes``) as lines, one colour and dash per series named
    in the legend (``names``), and at the selected position a dot on each and above the panel
    the position and every value as the readout card writes it,
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
        x=x, y=grid, color=alt.Color("series:N", scale=colors, legend=None)
    ).properties(name=f"{panel}_dot")
    label = f"'{T} = ' + datum.{T}" + "".join(
        f" + ' · {s}: ' + datum.{f}_text" for f, s in zip(fields, short))
    text = chosen.transform_calculate(label=label).mark_text(
        align="left", baseline="bottom", fontSize=14, fontWeight="bold", color=LABEL).encode(
        x=alt.value(AXIS), y=alt.value(-8), text="label:N").properties(name=f"{panel}_label")
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
        x=f"{T}:Q", y=alt.Y(f"{y}:Q", axis=None), text="label:N")


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
        y, grid = y_axes("value:Q", title, alt.Scale(domain=alt.ExprRef(RANGES[i]), nice=False,
                                                     zero=False), format="~g")
        lines, dots, text = series_marks(select, x, y, grid, title, fields, names, short, panel,
                                         points)
        panels.append(alt.layer(
            *band(height if i == 0 else None), rule(select, x, panel), lines,
            *([note("y")] if i == 0 else []), pointer(select, x, panel), dots, text,
        ).resolve_axis(y="independent").properties(width="container", height=height))
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


# The training figure: a 2×2 grid, standard | deep (columns) × gradient norm, KLₜ (rows), over
# the recorded gradient steps. Vega-Lite sizes the views of a concatenation to the container
# only in a column (Streamlit sets each row's width; in a row "container" reads the container's
# height), so each row is one layered view whose two runs share its width through their x
# ranges, and one pointer layer per row (a selection defined in two layers of one view gives
# Vega "Duplicate signal name") reaches both runs on a scale of the row's width.
# One row of data per position, a column per series and recorded step (``s2_40``: the deep run's
# gradient norm at recorded step 40): a new step changes a field of the same rows, which Vega
# redraws in place (one row per step and position made it draw every mark anew, ~1 s at T = 2000).
STEP = "step"  # parameter: the gradient step on the slider under the chart
FRAME = "frame"  # parameter: the recorded step drawn, the last one at or before STEP
RECORDED, EVERY = "recorded", "every"  # parameters: the recorded steps, every EVERY-th and the last
NAMES, TITLES = "names", "titles"  # parameters: legend names (two runs, exact optimum), column titles
GRAD_RANGES, KL_RANGES = "grad_ranges", "kl_ranges"  # parameters: y ranges (per frame, per run)
GAPS = "gaps"  # parameter: why s0-s3 lack a value where they do
STRIDE = "stride"  # parameter: positions per pointer column (1 up to COLUMNS positions)
COLUMNS = 250  # pointer columns per run at most: a run is ~160 px wide at 1280 px, and each
# column is an SVG element that a new step re-encodes (4 × 2000 of them took ~0.3 s a step)
# Each row's width is the container's (Streamlit sets it), axes included: the plots span
# [AXIS, width - PAD] px, the left run in the first SPLIT[0] of it, the right run after SPLIT[1]
HEIGHT = 170  # px of each row's plots
SPLIT = (0.42, 0.58)  # the right run's y-axis labels sit between
HALVES = ((0.0, SPLIT[0]), (SPLIT[1], 1.0))
RUN_STYLES = ((OKABE_ITO["vermillion"], [6, 3], "cross", 45),  # plotly's dashed line with x marks
              (OKABE_ITO["blue"], [1, 0], "circle", 0))
EXACT_STYLE = ("grey", [2, 3])


def _px(half: int, end: int) -> str:
    """Where run ``half`` starts (``end`` 0) or ends (1), in px of the row (a Vega expression)."""
    return f"{AXIS} + (width - {AXIS + PAD}) * {HALVES[half][end]}"


def readout(value: str) -> str:
    """A Vega expression that writes the number ``value`` as the readout card does
    (``ui.latex.readout_number``: 0.0524302, −3.25, 1.5×10⁻¹²). The training chart's labels use
    it: its own words for every recorded step and position would be most of its data. (d3 and
    Python differ only on an exact tie in the last digit.)"""
    parts = f"split(format({value}, '.{READOUT_SIG - 1}~e'), 'e')"  # d3 writes 1.5e-12, 1e+6
    power = f"replace({parts}[1], '+', '')"
    for d, sup in zip("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"):
        power = f"replace({power}, /{d}/g, '{sup}')"
    return (f"({value} === 0 ? '0' : abs({value}) >= 1e-4 && abs({value}) < 1e6 "
            f"? format({value}, '.{READOUT_SIG}~g') : {parts}[0] + '×10' + {power})")


def _half_scale(half: int) -> alt.Scale:
    return alt.Scale(domain=alt.ExprRef(f"[0.5, {LAST} + 0.5]"), nice=False,
                     range=[alt.ExprRef(_px(half, 0)), alt.ExprRef(_px(half, 1))])


def _legend_scales() -> tuple[alt.Scale, alt.Scale]:
    """Colour and dash of the two runs and the exact optimum, named by the ``names`` parameter
    (a new μ or γ fills in a parameter instead of writing a new shape)."""
    styles = (*RUN_STYLES, EXACT_STYLE)
    return (alt.Scale(domain=alt.ExprRef(NAMES), range=[s[0] for s in styles]),
            alt.Scale(domain=alt.ExprRef(NAMES), range=[s[1] for s in styles]))


def _training_panel(select: alt.Parameter, row: int, half: int, y_title: str,
                    x_title: str | None, points: bool) -> alt.LayerChart:
    """Run ``half`` (0 standard, 1 deep) in row ``row`` (0 gradient norm, 1 KLₜ) at the frame
    drawn: the horizon's band, the exact optimum (KLₜ), the run's line, and at the selected
    position a rule, a dot and above the panel the value as the readout card writes it.
    Vega names the marks ``<panel>_rule_marks``, ``<panel>_dot_marks``, ``<panel>_label_marks``
    with ``<panel>`` grad0, grad1, kl0, kl1."""
    field = f"s{2 * half + row}"  # the plotly figure's trace order: per run, gradient then KL
    panel = f"{('grad', 'kl')[row]}{half}"
    x = alt.X(f"{T}:Q", title=x_title, scale=_half_scale(half),
              axis=alt.Axis(format="d", tickMinStep=1, tickCount=5, orient="bottom"))
    ranges = f"{GRAD_RANGES}[{FRAME}][{half}]" if row == 0 else f"{KL_RANGES}[{half}]"
    scale = alt.Scale(domain=alt.ExprRef(ranges), nice=False, zero=False)
    # the axis moved from the row's left edge to the run's own; its grid (which would move
    # with it) drawn by a second axis that stays
    y = alt.Y("value:Q", title=y_title if half == 0 else None, scale=scale,
              axis=alt.Axis(format="~g", orient="left", grid=False,
                            offset=alt.ExprRef(f"-({_px(half, 0)})"), **TITLE_AT_EDGE))
    grid = alt.Y("value:Q", scale=scale, axis=alt.Axis(
        orient="left", grid=True, labels=False, ticks=False, domain=False, title=None))
    color, dash = _legend_scales()
    legend = alt.Legend(orient="bottom", direction="vertical", labelFontSize=13,
                        symbolStrokeWidth=2.5, symbolType="stroke", symbolSize=400, labelLimit=400)
    rows = alt.Chart(alt.NamedData("series"))
    drawn = f"datum['{field}_' + {FRAME}]"  # the run's value at the recorded step drawn

    def line(value: str, name: int, **style) -> alt.Chart:
        return rows.transform_calculate(value=value, series=f"{NAMES}[{name}]").transform_filter(
            "isValid(datum.value)").mark_line(**style).encode(
            x=x, y=y, strokeDash=alt.StrokeDash("series:N", scale=dash, legend=None),
            color=alt.Color("series:N", title=None, scale=color,
                            legend=legend if (row, half, name) == (0, 0, 0) else None))

    colour, shape, angle = RUN_STYLES[half][0], RUN_STYLES[half][2], RUN_STYLES[half][3]
    layers = _band(x, labelled=row == 1)
    if row == 1:  # the exact optimum's KLₜ, the same at every step
        layers.append(line(f"datum.s{4 + half}", 2, strokeWidth=1.5))
    layers += [rule(select, x, panel),
               line(drawn, half, strokeWidth=2.5, point=alt.OverlayMarkDef(
                   shape=shape, angle=angle, size=40, filled=True, color=colour) if points else False)]
    chosen = rows.transform_filter(select).transform_calculate(value=drawn)
    left = alt.ExprRef(_px(half, 0))
    layers += [
        chosen.transform_filter(
            "isValid(datum.value)").mark_point(filled=True, size=70, color=colour, opacity=1).encode(
            x=x, y=grid).properties(name=f"{panel}_dot"),
        chosen.transform_calculate(label=f"'{T} = ' + datum.{T} + ' · ' + (isValid(datum.value) "
                                         f"? {readout('datum.value')} : {GAPS}[{2 * half + row}])").mark_text(
            align="left", baseline="bottom", fontSize=13, fontWeight="bold", color=LABEL).encode(
            x=alt.value(left), y=alt.value(-8), text="label:N").properties(name=f"{panel}_label")]
    if row == 0:  # the run's title above the top row, with the recorded step drawn
        layers.append(alt.Chart(alt.Data(values=[{}])).mark_text(
            align="left", baseline="bottom", fontSize=13, color=LABEL).encode(
            x=alt.value(left), y=alt.value(-28),
            text=alt.value(alt.ExprRef(f"{TITLES}[{half}] + ' · step ' + {RECORDED}[{FRAME}]"))
        ).properties(name=f"{panel}_title"))
    return alt.layer(*layers).resolve_axis(y="independent")  # one scale, two axes


def _band(x: alt.X, labelled: bool) -> list[alt.Chart]:
    """The grey band over positions 1..k of a panel (``horizon`` dataset, empty when k = 0),
    named in the KLₜ row, as the plotly figure names it on that row."""
    rows = alt.Chart(alt.NamedData("horizon"))
    shade = rows.mark_rect(color=HORIZON_FILL).encode(x=x, x2="t2:Q", tooltip=alt.value(None))
    if not labelled:
        return [shade]
    # at the bottom, where KLₜ is not inside the horizon (the top left holds its largest)
    return [shade, rows.mark_text(align="left", baseline="bottom", dx=3, dy=-9, color=LABEL,
                                  fontSize=11).encode(x=x, y=alt.value(HEIGHT),
                                                      text="label:N")]


def _training_pointer(select: alt.Parameter, row: int, symbol: str) -> alt.Chart:
    """A column per position and run (per ``stride`` positions centred on one, on long runs),
    the full height of the row, on a scale of the row's width (0 to 1): the pointer anywhere
    above a position of either run chooses it, and its tooltip gives the values there at the
    frame drawn."""
    fields = [f"s{row}", f"s{2 + row}"]  # standard, deep
    start = f"(datum.half ? {HALVES[1][0]} : {HALVES[0][0]})"
    end = f"(datum.half ? {HALVES[1][1]} : {HALVES[0][1]})"
    tooltip = [alt.Tooltip(f"{T}:Q", title="position t"), alt.Tooltip("run:N", title="training"),
               alt.Tooltip("step:Q", title="gradient step"),
               alt.Tooltip("value:Q", title=symbol, format=VALUE_FORMAT)]
    if row == 1:
        tooltip.append(alt.Tooltip("exact:Q", title="exact optimum KLₜ", format=VALUE_FORMAT))
    unit = alt.Scale(domain=[0, 1], nice=False, zero=False,
                     range=[alt.ExprRef(f"{AXIS}"), alt.ExprRef(f"width - {PAD}")])
    # two rows per position (a fold over the step-0 columns), then the values at the step drawn
    return alt.Chart(alt.NamedData("series")).transform_filter(
        f"(datum.{T} - 1) % {STRIDE} === 0").transform_fold(
        [f"{f}_0" for f in fields], as_=["field", "first"]).transform_calculate(
        half=f"datum.field === '{fields[1]}_0' ? 1 : 0").transform_calculate(
        run=f"{TITLES}[datum.half]", step=f"{RECORDED}[{FRAME}]",
        value=f"datum[(datum.half ? '{fields[1]}_' : '{fields[0]}_') + {FRAME}]",
        exact="datum.half ? datum.s5 : datum.s4",
        lo=f"{start} + max(0, datum.{T} - 1 - ({STRIDE} - 1) / 2) / {LAST} * ({end} - {start})",
        hi=f"{start} + min({LAST}, datum.{T} + ({STRIDE} - 1) / 2) / {LAST} * ({end} - {start})"
    ).mark_rect(fill="transparent").encode(
        x=alt.X("lo:Q", scale=unit, axis=None), x2="hi:Q", y=alt.value(0),
        y2=alt.value(HEIGHT), tooltip=tooltip).properties(name=f"{('grad', 'kl')[row]}_pointer")


@functools.cache
def training_shape(y_titles: tuple[str, str], symbols: tuple[str, str], x_title: str,
                   points: bool) -> dict:
    """The Vega-Lite dict of the training figure without its data: gradient norm (top) and KLₜ
    (bottom) per position after standard training (left) and deep training (right), with the
    exact optimum's KLₜ and the horizon's band; one selection on t across the four panels, and
    the recorded step chosen on a slider (Vega-Lite has no timer, so no play button). Built
    once per axis titles and markers."""
    select = selection(nearest=False)
    rows = [alt.layer(*(_training_panel(select, row, half, y_titles[row],
                                        x_title if row == 1 else None, points) for half in (0, 1)),
                      _training_pointer(select, row, symbols[row])).resolve_scale(
        x="independent", y="independent").resolve_axis(x="independent", y="independent").properties(
        width="container", height=HEIGHT) for row in (0, 1)]
    chart = alt.VConcatChart(
        vconcat=rows, spacing=40, usermeta={"embedOptions": {"renderer": "svg"}},  # SVG: text to select
        config=alt.Config(view=alt.ViewConfig(stroke=None),
                          axis=alt.AxisConfig(labelFontSize=12, titleFontSize=14)))
    step = alt.param(name=STEP, value=1, bind=alt.binding_range(min=0, max=1, step=1,
                                                                name="gradient step "))
    frame = alt.param(name=FRAME, expr=f"{STEP} >= peek({RECORDED}) ? length({RECORDED}) - 1 "
                                       f": floor({STEP} / {EVERY})")
    spec = chart.to_dict()
    # The parameters are written into the dict: Altair's add_params copies the whole chart for
    # each layer it lifts them through (~1.5 s here, against 0.3 s for the rest)
    spec["params"] = [p.param.to_dict() for p in (
        select, alt.param(name=LAST, value=1), step, alt.param(name=RECORDED, value=[0, 1]),
        alt.param(name=EVERY, value=1), frame, alt.param(name=NAMES, value=["a", "b", "c"]),
        alt.param(name=TITLES, value=["a", "b"]),
        alt.param(name=GRAD_RANGES, value=[[[0, 1], [0, 1]]]),
        alt.param(name=KL_RANGES, value=[[0, 1], [0, 1]]), alt.param(name=GAPS, value=["", "", "", ""]),
        alt.param(name=STRIDE, value=1))]
    return on_pointers(spec)


def _plain(ys) -> list:
    """Floats for JSON, which has no NaN: a gap is null."""
    return [y if math.isfinite(y) else None for y in np.asarray(ys, dtype=float).tolist()]


def training(built: tables.Built, *, k: int, default: int) -> dict:
    """The linked training chart (Vega-Lite dict) of the built figure
    (``toy_gradients.build_training``: per run the gradient norm and KLₜ, which its frames
    move, then the exact optima's KLₜ), its slider at the last recorded step as plotly's."""
    cols, fig = tables.columns(built), built.fig
    positions = [int(t) for t in cols[0].x]
    recorded = [int(f.name) for f in fig.frames]
    every = recorded[1] - recorded[0] if len(recorded) > 1 else 1
    # the recording rule (theory.toy.training): every EVERY-th step from 0, and the last one
    if recorded[:-1] != list(range(0, every * (len(recorded) - 1), every)):
        raise ValueError(f"recorded steps {recorded} are not every {every}-th and the last")
    # per position: the exact optima (s4, s5) and each moving series at each recorded step (sN_i);
    # frames carry traces 0-3 in the figure's order
    columns = {T: positions, "s4": _plain(cols[4].y), "s5": _plain(cols[5].y)}
    for i, frame in enumerate(fig.frames):
        columns |= {f"s{n}_{i}": _plain(trace.y) for n, trace in enumerate(frame.data)}
    rows = [dict(zip(columns, row)) for row in zip(*columns.values())]
    last = positions[-1]
    shape = training_shape((cols[0].quantity, cols[1].quantity), ("‖∇ₜ J‖", "KLₜ"),
                           cols[0].x_title, last <= MARKERS)
    titles = [a.text for a in fig.layout.annotations if a.yref == "paper"]  # the column titles
    k = min(k, last)
    wall = [{T: 0.5, "t2": k + 0.5, "label": f"inside horizon (t ≤ {k})"}] if k >= 1 else []
    settings = {RECORDED: recorded, EVERY: every, STEP: recorded[-1],
                NAMES: [cols[0].series, cols[2].series, cols[4].series], TITLES: titles,
                GRAD_RANGES: [[list(f.layout.yaxis.range), list(f.layout.yaxis2.range)]
                              for f in fig.frames],
                KL_RANGES: [list(fig.layout.yaxis3.range), list(fig.layout.yaxis4.range)],
                GAPS: [c.gap for c in cols[:4]], STRIDE: -(-len(positions) // COLUMNS)}
    spec = filled(shape, last=last, default=default, values=settings, series=rows, horizon=wall)
    gaps = np.diff(recorded)
    for p in spec["params"]:
        if p["name"] == STEP:  # one stop per recorded step where they are evenly spaced
            p["bind"].update(min=recorded[0], max=recorded[-1],
                             step=int(np.gcd.reduce(gaps)) if gaps.size else 1)
    return spec
