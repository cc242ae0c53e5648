"""The pages' fixed prose and formulas, read from ``content/<page>.toml`` at import (never executed).

A page keeps its logic and its computed sentences; what it would only print as typed (an
introduction, a theorem with its formula, a long caption) lives in its content file, so that the
page reads as a layout. A file is sections, each an array of tables (``[[intro]]``), one a block
with one key, ``markdown``, ``caption`` or ``latex``, drawn in order (by ``st.markdown``,
``st.caption``, ``st.latex``). ``{name}`` in a Markdown or caption block is a value the page
passes (``str.format``, so ``{{`` for a brace); LaTeX blocks are literal strings, as typed.
"""

from __future__ import annotations

import string
import tomllib
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[2] / "content"
KINDS = ("markdown", "caption", "latex")


def _block(where: str, block) -> tuple[str, str]:
    if not (isinstance(block, dict) and len(block) == 1 and next(iter(block)) in KINDS
            and isinstance(next(iter(block.values())), str)):
        raise ValueError(f"{where}: a block is one of {', '.join(KINDS)} with a string, not {block!r}")
    return next(iter(block.items()))


def _section(where: str, body) -> list[tuple[str, str]]:
    if not isinstance(body, list):
        raise ValueError(f"{where}: a section is an array of blocks ([[name]]), not {body!r}")
    return [_block(where, b) for b in body]


def _load(folder: Path) -> dict[str, dict[str, list[tuple[str, str]]]]:
    pages = {}
    for path in sorted(folder.glob("*.toml")):
        sections = tomllib.loads(path.read_text(encoding="utf-8"))
        pages[path.stem] = {name: _section(f"{path.name} [[{name}]]", body)
                            for name, body in sections.items()}
    return pages


PAGES = _load(FOLDER)


def fields(page: str, section: str) -> set[str]:
    """The values a section's Markdown and caption blocks ask for."""
    return {name for kind, body in PAGES[page][section] if kind != "latex"
            for _, name, _, _ in string.Formatter().parse(body) if name}


def blocks(page: str, section: str, **values) -> list[tuple[str, str]]:
    """The section's blocks as (kind, text), ``values`` filled in; a missing value is a KeyError."""
    return [(kind, body if kind == "latex" else body.format_map(values))
            for kind, body in PAGES[page][section]]
