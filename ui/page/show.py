"""The one call that puts a figure on a page: chart, alt text, data table and downloads.

    from ui.page.show import show_figure
    show_figure("recovery_by_position", values, fig_col)

The figure comes from ``ui.catalog`` (so ``python -m ui export`` writes the same one). Below the
chart: for a figure indexed by position, a readout (a position box and every series' value
there, ``ui.page.readout``); a caption that says in words what it shows (the alt text: screen readers
read it, and it is also embedded in the exported files); then an expander with the data as a
table (one row per x value, one column per series, ``tables.wide``) and SVG/PDF/PNG/CSV/JSON
downloads. ``download_all`` offers every figure as one zip. All of them read the one built
figure of the catalog (``ui.figures.table.Built``): its chart dict, its table.
"""

from __future__ import annotations

import streamlit as st
from plotly.basedatatypes import BaseFigure

from ui import catalog
from ui.classroom import compare
from ui.export import bundle, publish, renderer
from ui.figures import table as tables
from ui.live import component as live, specs as live_specs
from ui.state import limits, link as share, params as P
from ui.text.echo import inert

from . import readout as position_readout

TABLE_HEIGHT = 300  # px: the data table scrolls inside this
COLUMN_WIDTH = 120  # px of a value column (wider tables scroll sideways; free room is shared out)
NUMBER_FORMAT = "%.6g"  # the table's numbers: 6 significant digits, as the readout (not 0 for 1e-7)
_ZIP = "_export_zip"  # (params JSON, zip bytes, problems) of the last prepared zip


class _Sent(BaseFigure):
    """A chart's finished dict as ``st.plotly_chart`` takes it as it is. Given a dict, Streamlit
    validates it through ``go.Figure(**dict)`` (10-70 ms here, per rerun); given a figure, it
    only calls ``to_dict()`` and serialises what that returns. So this figure object is nothing
    but that dict (plotly's own object tree is never built)."""

    def __init__(self, chart: dict):  # not BaseFigure.__init__: it would build the tree
        self._chart = chart

    def to_dict(self) -> dict:
        return self._chart


def _plotly_chart(chart: dict, *, key: str, alt: str, box=None) -> None:
    """Draw a chart's dict (``Built.chart``, possibly marked) with ``st.plotly_chart``."""
    (box if box is not None else st).plotly_chart(_Sent(chart), key=key, alt=alt)


def _base() -> str:
    try:
        url = st.context.url
    except Exception:  # noqa: BLE001 - outside a browser session (AppTest, bare mode)
        url = None
    return share.base_from_page_url(url) if url else share.base_url()


def show_figure(name: str, values: dict, container=None, *, key: str | None = None) -> None:
    """Draw figure ``name`` for ``values`` with its alt text, data table and downloads."""
    spec = catalog.FIGURES[name]
    key = key or name
    if "t" not in spec.param_names(values):
        # t is where the readout reads, not an input of this figure: one cached figure serves
        # every position (tests/test_readout.py checks that no other figure reads t).
        values = {**values, "t": P.PARAMS["t"].default}
    built = catalog.build(name, values)
    alt = catalog.alt_text(name, values)
    box = (container if container is not None else st).container()
    reading = position_readout.of(built)  # None unless the x axis is a position
    with box:
        if reading is None:
            _chart(name, values, built, key, alt)
        else:  # the chart marks the readout's position: both rerun when it moves
            _chart_and_readout(name, values, built, key, alt, reading)
    box.caption("**Chart:** " + inert(alt))  # it names the pins: user text
    # The table and the download buttons are built only while the expander is open: on a key
    # press they would otherwise cost as much as the chart, for something rarely looked at.
    more = box.expander(f"Data table and downloads: {spec.heading}", icon=":material/table:",
                        key=f"more_{key}", on_change="rerun")
    if more.open:
        with more:
            _table(built.table)
            _downloads(name, dict(values), key)


def _chart(name: str, values: dict, built, key: str, alt: str, reading=None) -> None:
    t = position_readout.position(reading) if reading is not None else None
    if name in live_specs.LIVE and live.available():  # redrawn in the browser as sliders move
        shapes = position_readout.mark_shapes(reading, t) if t is not None else []
        live.mount(name, values, st.container(), key, alt=alt, shapes=shapes)
    elif catalog.FIGURES[name].linked is not None:  # panels linked on t in the browser
        st.vega_lite_chart(spec=catalog.linked_chart(name, values, start=t), key=f"fig_{key}",
                           alt=alt, width="stretch")  # the mark starts at the readout's t
    else:  # alt: the accessible name of the chart
        shown = built.chart if t is None else position_readout.marked(built.chart, reading, t)
        _plotly_chart(shown, key=f"fig_{key}", alt=alt)
    if values.get("pin"):  # pinned sets drawn (ui.classroom.compare.with_pins): how they differ
        compare.difference_table(values, st.container())


@limits.fragment
def _chart_and_readout(name: str, values: dict, built, key: str, alt: str, reading) -> None:
    """Chart and readout in one fragment: moving the position redraws this chart (its mark) and
    the card, not the page. A live figure's released slider changes the page's parameters, so
    its release asks for the whole page (``live.released``)."""
    if live.released(key):
        st.rerun()
    _chart(name, values, built, key, alt, reading)
    position_readout.show(reading, key)


def _table(data: tables.Table) -> None:
    """The plotted data: one row per x value and one column per series where the series share
    their x values, else one row per point. Scrolls inside a box of at most ``TABLE_HEIGHT``
    px; the table's own CSV download (its toolbar) gives exactly this table."""
    table, config = tables.wide(data), None
    if table is None:
        table = tables.frame(data)
    else:  # long headers: cut to a column's width, whole in the tooltip; x stays in view
        config = {table.columns[0]: st.column_config.Column(pinned=True)}
        config |= {c: st.column_config.NumberColumn(help=c, width=COLUMN_WIDTH, format=NUMBER_FORMAT)
                   for c in table.columns[1:]}
    st.dataframe(table, hide_index=True, column_config=config,
                 height=min(TABLE_HEIGHT, 35 * (len(table) + 1) + 3))


def _downloads(name: str, values: dict, key: str) -> None:
    base = _base()
    interactive = name in live_specs.LIVE
    cols = st.columns(6 if interactive else 5)
    why = renderer.problem()
    for col, fmt in zip(cols, bundle.IMAGE_FORMATS):
        # Rendered only when clicked (Streamlit calls `data` on a worker thread).
        col.download_button(fmt.upper(), lambda fmt=fmt: bundle.figure_file(name, values, fmt, base=base),
                            file_name=f"{name}.{fmt}", mime=bundle.MIME[fmt], key=f"dl_{key}_{fmt}",
                            on_click="ignore", disabled=why is not None, icon=":material/download:",
                            help=f"{fmt.upper()} rendered on the server, with the share link in its metadata")
    cols[3].download_button("CSV", lambda: bundle.figure_file(name, values, "csv"),
                            file_name=f"{name}.csv", mime="text/csv", key=f"dl_{key}_csv",
                            on_click="ignore", icon=":material/download:", help="The plotted data")
    cols[4].download_button("JSON", share.params_json(values), file_name="params.json",
                            mime="application/json", key=f"dl_{key}_json", on_click="ignore",
                            icon=":material/download:", help="The parameters, as in the share link")
    if interactive:
        cols[5].download_button("HTML", lambda: bundle.figure_file(name, values, "html", base=base),
                                file_name=f"{name}.html", mime=bundle.MIME["html"],
                                key=f"dl_{key}_html", on_click="ignore", icon=":material/download:",
                                help="Interactive, with its sliders: one self-contained file that "
                                     "opens offline (for slides and course sites)")
    if why:
        st.info(why + " CSV and JSON still work.", icon=":material/info:")


def download_all(values: dict, container=None) -> None:
    """Every figure of the app for the current parameters as one zip, with a progress bar."""
    box = container if container is not None else st.sidebar
    token = share.params_json(values) + repr(values.get("pin", ()))  # pins change the figures
    ready = st.session_state.get(_ZIP)
    if ready is None or ready[0] != token:
        if not box.button("Prepare all figures (zip)", icon=":material/folder_zip:",
                          help="SVG, PDF, PNG and CSV of every figure for these parameters"):
            return
        bar = box.progress(0.0, text="Rendering figures…")
        # Any click starts a new run, which stops this one at its next progress update: the
        # button only has to exist (the new run does not press "Prepare" again).
        stop = box.empty()
        stop.button("Cancel", icon=":material/close:", key="zip_cancel",
                    help="Stop preparing the zip")
        data, problems = bundle.zip_set(
            values, base=_base(), progress=lambda f, what: bar.progress(f, text=f"Rendered {what}"))
        bar.empty()
        stop.empty()
        ready = st.session_state[_ZIP] = (token, data, problems)
    _, data, problems = ready
    box.download_button("Download all figures (zip)", data, file_name="shallow_deep_figures.zip",
                        mime="application/zip", key="dl_all_zip", on_click="ignore",
                        icon=":material/download:", type="primary")
    for p in problems:
        # the renderer's problem leaves out every image; a figure's own, that one figure
        after = (" The zip holds CSV and JSON only." if p == renderer.problem()
                 else " That figure is not in the zip.")
        box.info(p + after, icon=":material/info:")


def show_plain_figure(built, name: str, heading: str, alt: str, container=None) -> None:
    """A figure made from data the catalog does not hold (a user's upload): chart, alt text and
    SVG/PDF/PNG/CSV downloads, the same files ``show_figure`` gives, without a share link."""
    box = (container if container is not None else st).container()
    _plotly_chart(built.chart, key=f"fig_{name}", alt=alt, box=box)
    box.caption("**Chart:** " + inert(alt))
    why = renderer.problem()
    with box.expander(f"Data table and downloads: {heading}", icon=":material/table:"):
        _table(built.table)
        cols = st.columns(4)
        for col, fmt in zip(cols, bundle.IMAGE_FORMATS):
            col.download_button(
                fmt.upper(), lambda fmt=fmt: _plain_image(built, heading, fmt), file_name=f"{name}.{fmt}",
                mime=bundle.MIME[fmt], key=f"dl_{name}_{fmt}", on_click="ignore",
                disabled=why is not None, icon=":material/download:")
        cols[3].download_button("CSV", tables.to_csv(built), file_name=f"{name}.csv", mime="text/csv",
                                key=f"dl_{name}_csv", on_click="ignore", icon=":material/download:")
        if why:
            st.info(why + " CSV still works.", icon=":material/info:")


def _plain_image(built, heading: str, fmt: str) -> bytes:
    styled = publish.publication(built.fig, title=heading, caption_tex=None)
    scale = bundle.PNG_SCALE if fmt == "png" else 1
    return renderer.plotly_bytes(styled, fmt, scale=scale, width=styled.layout.width,
                                 height=styled.layout.height)
