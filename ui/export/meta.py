"""Put the title, alt text, parameters and share URL inside the exported files themselves.

So a figure pasted into a paper still says how to regenerate it: SVG gets ``<title>``, ``<desc>``
(its accessible name and description) and a Dublin Core ``<metadata>`` block; PDF gets its
document info (Title, Subject, Keywords plus custom keys); PNG gets text chunks.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG = "http://www.w3.org/2000/svg"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"


@dataclass(frozen=True)
class Info:
    title: str  # plain words, no LaTeX
    alt: str  # what the chart shows
    url: str  # share URL of the exact view
    params: str  # parameters JSON


def _text(tag: str, text: str, **attrs) -> str:
    element = ET.Element(tag, attrs)
    element.text = text
    return ET.tostring(element, encoding="unicode")


def svg(data: bytes, info: Info) -> bytes:
    """Insert metadata right after the root ``<svg …>`` tag (text surgery keeps the markup as drawn)."""
    text = data.decode("utf-8")
    start = text.index("<svg")
    end = text.index(">", start)
    head = text[start:end]
    if 'role="img"' not in head:  # announce the figure as one image, named by <title>
        head += ' role="img"'
    block = (
        _text("title", info.title) + _text("desc", info.alt)
        + f'<metadata><rdf:RDF xmlns:rdf="{RDF}" xmlns:dc="{DC}"><rdf:Description>'
        + _text("dc:title", info.title) + _text("dc:description", info.alt)
        + _text("dc:source", info.url) + _text("dc:identifier", info.url)
        + _text("dc:creator", "Shallow/Deep") + _text("dc:relation", info.params)
        + "</rdf:Description></rdf:RDF></metadata>"
    )
    return (text[:start] + head + ">" + block + text[end + 1:]).encode("utf-8")


def pdf(data: bytes, info: Info) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.add_metadata({
        "/Title": info.title,
        "/Subject": info.alt,
        "/Keywords": info.url,
        "/Creator": "Shallow/Deep",
        "/ShareURL": info.url,
        "/Parameters": info.params,
    })
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png(data: bytes, info: Info, *, dpi: float) -> bytes:
    from PIL import Image, PngImagePlugin

    image = Image.open(io.BytesIO(data))
    chunks = PngImagePlugin.PngInfo()
    for key, value in (("Title", info.title), ("Description", info.alt), ("Source", info.url),
                       ("Software", "Shallow/Deep"), ("Comment", info.params)):
        chunks.add_itxt(key, value)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=chunks, dpi=(dpi, dpi))
    return out.getvalue()
