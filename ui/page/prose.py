"""A page's fixed prose on screen: the blocks of ``ui.text.content`` drawn in order.

``say = prose.of("methods")`` at the top of a page, then ``say("intro")`` or
``say("objectives", container, K=3)`` where the text goes.
"""

from __future__ import annotations

import streamlit as st

from ui.text import content


def show(page: str, section: str, container=None, **values) -> None:
    box = container or st
    for kind, body in content.blocks(page, section, **values):
        getattr(box, kind)(body)


def formulas(lines, container=None) -> None:
    """Formulas with the current values (computed by ``ui.claims``), one ``st.latex`` each."""
    for line in lines:
        (container or st).latex(line)


def markdown(page: str, section: str, **values) -> str:
    """A section that is one Markdown block, as text (a page's lead sentence)."""
    (kind, body), = content.blocks(page, section, **values)
    if kind != "markdown":
        raise ValueError(f"content/{page}.toml [[{section}]] is {kind}, not one markdown block")
    return body


def of(page: str):
    """:func:`show` for one page's content file."""
    if page not in content.PAGES:
        raise KeyError(f"no content/{page}.toml")
    return lambda section, container=None, **values: show(page, section, container, **values)
