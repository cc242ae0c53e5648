"""Each export format is a valid file carrying its metadata; CSV and JSON round-trip."""

import io
import json
import struct
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from _export_support import require_renderer

from ui import catalog
from ui.state import params as P
from ui.export import bundle, meta, publish, renderer
from ui.state import link as share
from ui.figures import table as tables

VALUES = dict(P.defaults(), mu=7.5, gamma=0.95, T=40)
NAME = "recovery_by_position"
DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture(scope="module")
def files():
    require_renderer()
    return dict(bundle.figure_files(NAME, VALUES, bundle.ALL_FORMATS))


@pytest.fixture(scope="module")
def url():
    return share.share_url(VALUES, catalog.FIGURES[NAME].page)


def test_svg_parses_and_carries_url_params_and_alt_text(files, url):
    root = ET.fromstring(files["svg"])
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.find("{http://www.w3.org/2000/svg}title").text.startswith("Recovery after")
    assert "standard RLHF" in root.find("{http://www.w3.org/2000/svg}desc").text
    description = root.find(".//{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description")
    assert description.find(f"{DC}source").text == url
    assert share.values_from_json(description.find(f"{DC}relation").text) == share.values_from_url(url)


def test_pdf_is_a_pdf_with_url_and_params_in_its_info(files, url):
    from pypdf import PdfReader

    assert files["pdf"].startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(files["pdf"]))
    assert len(reader.pages) == 1
    info = reader.metadata
    assert info["/ShareURL"] == url and info["/Keywords"] == url
    assert info["/Title"].startswith("Recovery after")
    assert json.loads(info["/Parameters"])["mu"] == 7.5
    width_pt = float(reader.pages[0].mediabox.width)
    assert width_pt == pytest.approx(publish.WIDTH * 0.75, rel=0.02)  # 800 px at 96 dpi


def test_png_signature_size_and_text_chunks(files, url):
    from PIL import Image

    data = files["png"]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    spec = catalog.FIGURES[NAME]
    styled = publish.publication(catalog.build(NAME, VALUES).fig, title=spec.title,
                                 caption_tex=publish.caption(spec.param_names(VALUES), VALUES))
    assert (width, height) == (publish.WIDTH * bundle.PNG_SCALE, styled.layout.height * bundle.PNG_SCALE)
    image = Image.open(io.BytesIO(data))
    assert image.text["Source"] == url
    assert round(image.info["dpi"][0]) == 96 * bundle.PNG_SCALE


def test_csv_round_trips_the_plotted_data():
    built = catalog.build(NAME, VALUES)
    fig = built.fig
    back = pd.read_csv(io.StringIO(bundle.figure_file(NAME, VALUES, "csv").decode()))
    expected = tables.frame(built)
    assert list(back.columns) == tables.COLUMNS
    assert set(back["series"]) == {t.name for t in fig.data}
    assert back["x"].tolist() == expected["x"].tolist()
    assert back["y"].tolist() == expected["y"].tolist()  # exact: written with 17 digits


def test_csv_leaves_undrawn_points_empty():
    values = dict(VALUES, gamma=1.0)  # gamma = 1 has no finite attack for some mu: None in the trace
    built = catalog.build("attack_length_vs_mu", values)
    fig = built.fig
    back = pd.read_csv(io.StringIO(tables.to_csv(built)))
    assert len(back) == sum(len(t.y) for t in fig.data)
    assert back["y"].isna().any() and back["y"].notna().any()


@pytest.mark.parametrize("values", [P.defaults(), VALUES, dict(P.defaults(), p_base=1e-12, T=1000)])
def test_params_json_and_share_url_round_trip(values):
    text = share.params_json(values)
    assert json.loads(text) == {k: values[k] for k in P.PARAMS}
    assert share.values_from_json(text) == values
    assert share.values_from_url(share.share_url(values, "robustness")) == values
    assert share.query(values) == {k: P.fmt(values[k]) for k in P.PARAMS}


def test_share_url_base_from_the_page_address():
    assert share.base_from_page_url("https://x.org/app/robustness?mu=1") == "https://x.org/app"
    assert share.base_from_page_url("http://localhost:8501/") == "http://localhost:8501"


def test_metadata_survives_odd_characters():
    info = meta.Info(title="a < b & c", alt='"quoted" <tag>', url="http://h/p?a=1&b=2", params="{}")
    svg = meta.svg(b'<svg xmlns="http://www.w3.org/2000/svg" width="1"><g/></svg>', info)
    root = ET.fromstring(svg)
    assert root.find("{http://www.w3.org/2000/svg}title").text == "a < b & c"


def test_altair_exports_without_a_browser():
    import altair as alt

    chart = alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3, 4]})).mark_line().encode(x="x", y="y")
    assert ET.fromstring(renderer.altair_bytes(chart, "svg")).tag.endswith("svg")
    assert renderer.altair_bytes(chart, "pdf").startswith(b"%PDF")
    assert renderer.altair_bytes(chart, "png")[:8] == b"\x89PNG\r\n\x1a\n"


def test_doctests_of_the_export_modules():
    import doctest

    from ui.export import publish as pub

    for module in (share, tables, pub):
        assert doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
