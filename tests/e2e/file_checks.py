"""Validators for downloaded files: each raises AssertionError unless ``data`` is a real file of
its format (parsed, not just sniffed)."""

from __future__ import annotations

import csv
import io
import json
import re
import struct
import xml.etree.ElementTree as ET
import zipfile

FORMATS = ("svg", "png", "pdf", "csv", "json", "tex", "zip")


def check_svg(data: bytes):
    root = ET.fromstring(data)
    assert root.tag.rsplit("}", 1)[-1] == "svg", root.tag
    assert len(root) > 0, "empty SVG"


def check_png(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 50 and height > 50, (width, height)


def check_pdf(data: bytes):
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:], data[:16]
    try:
        from pypdf import PdfReader
    except ImportError:
        return
    assert len(PdfReader(io.BytesIO(data)).pages) >= 1


def check_csv(data: bytes):
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) >= 2, rows
    assert all(h.strip() for h in rows[0]), f"blank header in {rows[0]}"
    assert {len(r) for r in rows} == {len(rows[0])}, "ragged rows"

    def number(cell):
        try:
            float(cell)
            return True
        except ValueError:
            return False

    assert any(number(c) for r in rows[1:] for c in r), "no number in the data"


def check_json(data: bytes):
    assert isinstance(json.loads(data), dict | list)


def check_tex(data: bytes):
    text = data.decode("utf-8")
    assert "\\" in text and text.count("{") == text.count("}"), text[:200]


def check_zip(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist() and z.testzip() is None


CHECKS = {f: globals()[f"check_{f}"] for f in FORMATS}


def button_format(label: str) -> str | None:
    """The format a download button names; its text starts with the icon's ligature.

    >>> button_format("download\\nSVG"), button_format("Download as .tex"), button_format("Go")
    ('svg', 'tex', None)
    """
    words = re.findall(r"[a-z]+", label.lower())
    return next((w for w in reversed(words) if w in FORMATS), None)
