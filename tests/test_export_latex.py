"""LaTeX labels are rendered by the local MathJax, not left as raw $…$ text."""

import xml.etree.ElementTree as ET

import plotly.graph_objects as go
import pytest
from _export_support import require_renderer

from ui import catalog
from ui.state import params as P
from ui.export import bundle, renderer

SVG = "{http://www.w3.org/2000/svg}"


def text_nodes(root):
    """Visible text of an SVG: element text and tails (attributes, e.g. data-unformatted, are not shown)."""
    for element in root.iter():
        for text in (element.text, element.tail):
            if text and text.strip():
                yield text


def math_groups(root):
    return [g for g in root.iter(f"{SVG}g") if "math-group" in (g.get("class") or "")]


def assert_latex_rendered(svg: bytes):
    root = ET.fromstring(svg)
    dollars = [t for t in text_nodes(root) if "$" in t and not t.startswith("{")]
    assert not dollars, f"raw LaTeX left in the SVG: {dollars[:3]}"
    groups = math_groups(root)
    assert groups, "no MathJax output in the SVG"
    for g in groups:  # MathJax draws glyphs as <path id="MJX-…"> inside a nested <svg>
        assert g.find(f"{SVG}svg") is not None
        assert any((p.get("id") or "").startswith("MJX-") for p in g.iter(f"{SVG}path"))


def test_a_latex_title_renders_as_mathjax_svg():
    require_renderer()
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 4, 9], name="series"))
    fig.update_layout(title=r"$r^*_t=\sigma\big(\operatorname{logit}p+\mu\gamma^{t}/\beta\big)$",
                      xaxis_title=r"$\text{position }t$")
    svg = renderer.plotly_bytes(fig, "svg", width=600, height=400)
    assert_latex_rendered(svg)
    assert len(math_groups(ET.fromstring(svg))) == 2  # title and axis title


@pytest.mark.parametrize("name", list(catalog.FIGURES))
def test_every_exported_figure_has_its_latex_title_and_caption_rendered(name):
    require_renderer()
    svg = bundle.figure_file(name, P.defaults(), "svg")
    assert_latex_rendered(svg)
    sources = {g.get("data-unformatted") for g in math_groups(ET.fromstring(svg))}
    assert catalog.FIGURES[name].title in sources  # the title, and the caption of parameters
    assert any(s and s.startswith("$") and "=" in s and s != catalog.FIGURES[name].title for s in sources)


def test_every_title_is_one_latex_string():
    for spec in catalog.FIGURES.values():  # plotly renders LaTeX only when the whole label is $…$
        assert spec.title.startswith("$") and spec.title.endswith("$") and spec.title.count("$") == 2
