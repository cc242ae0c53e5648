"""The page side of export (ui.page.show): chart, alt text, data table, downloads, the zip with progress."""

import io
import re
import zipfile

from _export_support import require_renderer
from streamlit.testing.v1 import AppTest

from ui import catalog
from ui.export import renderer

SCRIPT = """
from ui.state import params as P
from ui.page.show import download_all, show_figure
v = P.defaults()
show_figure("recovery_by_position", v)
show_figure("gibbs_bars", v)
download_all(v)
"""


def run_app(*, open_expanders: bool = True) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=120)
    if open_expanders:  # as if the user had opened "Data table and downloads" under each chart
        for name in ("recovery_by_position", "gibbs_bars"):
            at.session_state[f"more_{name}"] = True
    return at.run()


def test_table_and_downloads_are_built_only_when_asked_for():
    at = run_app(open_expanders=False)
    assert not at.exception
    assert len(at.expander) == 2 and len(at.get("plotly_chart")) == 2
    assert not at.dataframe and not at.get("download_button")


def test_each_figure_has_alt_text_table_and_downloads():
    at = run_app()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2
    # The caption escapes its punctuation (ui.text.echo.inert: it names the pins): read it resolved.
    alts = [re.sub(r"\\(.)", r"\1", c.value) for c in at.caption if c.value.startswith("**Chart:**")]
    assert len(alts) == 2 and catalog.FIGURES["gibbs_bars"].summary[:40] in alts[1]
    assert [e.label for e in at.expander] == [
        f"Data table and downloads: {catalog.FIGURES[n].heading}" for n in ("recovery_by_position", "gibbs_bars")]
    assert len(at.dataframe) == 2
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count("SVG") == labels.count("PDF") == labels.count("PNG") == 2
    assert labels.count("CSV") == labels.count("JSON") == 2


def test_missing_renderer_is_said_plainly_and_data_still_downloads(monkeypatch):
    monkeypatch.setattr(renderer, "browser_path", lambda: None)
    at = run_app()
    assert any("no Chromium browser" in i.value and "CSV and JSON still work" in i.value for i in at.info)
    buttons = {b.proto.label: b.proto.disabled for b in at.get("download_button")}
    assert buttons["SVG"] and buttons["PNG"] and buttons["PDF"]
    assert not buttons["CSV"] and not buttons["JSON"]


def test_download_all_builds_a_zip_with_a_progress_bar(monkeypatch):
    """The button, the progress and the zip's contents. That every figure renders in every format
    is test_export_cli.py's (the same ``bundle.write_set``, the real renderer for all of them);
    here the first real render of each format is reused for the rest, which keeps the metadata
    steps real and saves ~70 renders that would prove nothing new."""
    require_renderer()
    first, calls = {}, []

    def first_render_of_each_format(fig, fmt, **kwargs):
        calls.append(fmt)
        if fmt not in first:
            first[fmt] = real(fig, fmt, **kwargs)
        return first[fmt]

    real = renderer.plotly_bytes
    monkeypatch.setattr(renderer, "plotly_bytes", first_render_of_each_format)
    at = run_app()
    at.button[0].click().run()
    assert not at.exception
    assert sorted(calls) == sorted(f for _ in catalog.FIGURES for f in ("svg", "pdf", "png"))
    # The bar is emptied when done; the zip is kept for these parameters in the session.
    _, data, problems = at.session_state["_export_zip"]
    assert problems == []
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert {f"{n}.{f}" for n in catalog.FIGURES for f in ("svg", "pdf", "png", "csv")} <= names
    assert {"params.json", "README.md"} <= names
    assert "Download all figures (zip)" in [b.proto.label for b in at.get("download_button")]

