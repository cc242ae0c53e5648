"""A live figure as HTML that opens offline, from a file, sliders and all.

One page builder for two uses: :func:`page` inlines plotly.js (from the installed package), the
sympy-printed math and the runtime into one self-contained file (``python -m ui export`` writes
one per live figure, ``ui.export.bundle``); the course pack (``coursepack``) links them instead,
from one ``lib/`` folder shared by all its pages (:func:`linked`). The figure's data is computed
in the page, exactly as on the app's page.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from ui import catalog
from ui.state import link as share

from . import assets, specs


def _inline(text: str) -> str:
    """Text safe inside a <script> element: nothing in it can close the element early."""
    return text.replace("</", "<\\/")


@dataclass(frozen=True)
class Assets:
    """How a page gets plotly.js, the runtime and its CSS: written into the page, or linked."""

    head: str  # into <head>: the CSS and plotly.js
    runtime_tag: str = ""  # before the figure: a script element that defines ``liveMount``
    runtime_code: str = ""  # or its code, put at the start of the figure's own script
    css: str = ""  # inline CSS (empty when linked)


def inline() -> Assets:
    """Everything inside the page: one file, no other file needed."""
    return Assets(head=f"<script>{_inline(assets.plotly_source())}</script>",
                  runtime_code=_inline(assets.script()), css=assets.runtime_css())


LIB_FILES = {"plotly": "plotly.min.js", "live": "live.js", "css": "live.css"}


def lib_files() -> dict[str, str]:
    """The files :func:`linked` pages load, by name under ``lib/``: written once per folder."""
    return {LIB_FILES["plotly"]: assets.plotly_source(), LIB_FILES["live"]: assets.script(),
            LIB_FILES["css"]: assets.runtime_css()}


def linked(lib: str) -> Assets:
    """Relative ``<script src>`` and ``<link>`` into the folder ``lib`` (works from file://)."""
    src = {k: html.escape(f"{lib}/{v}") for k, v in LIB_FILES.items()}
    return Assets(head=f'<link rel="stylesheet" href="{src["css"]}">\n'
                       f'<script src="{src["plotly"]}"></script>',
                  runtime_tag=f'<script src="{src["live"]}"></script>')


def mount(name: str, values: dict, element_id: str = "live-figure", runtime_code: str = "") -> str:
    """The figure's element and the script that draws it (``runtime_code`` first, if given;
    otherwise the runtime must be loaded before)."""
    data = specs.payload(name, values) | {"alt": catalog.alt_text(name, values)}
    return (f'<div id="{element_id}"></div>\n<script>\n{runtime_code}\nliveMount(document.'
            f'getElementById("{element_id}"), {_inline(json.dumps(data))}, () => {{}});\n</script>')


def page(name: str, values: dict, *, base: str | None = None, with_assets: Assets | None = None) -> str:
    """The HTML document of live figure ``name`` at ``values`` (assets inlined unless given)."""
    spec = catalog.FIGURES[name]
    url = share.share_url(spec.link_values(values), spec.page, base)
    alt = catalog.alt_text(name, values)
    got = with_assets or inline()
    title = f"{spec.heading} (Shallow/Deep)"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<meta name="description" content="{html.escape(alt)}">
<style>
body {{ font-family: system-ui, sans-serif; color: #1B1F24; max-width: 60rem; margin: 1.5rem auto;
  padding: 0 1rem; }}
h1 {{ font-size: 1.3rem; }} p {{ font-size: 0.9rem; line-height: 1.4; }}
{got.css}
</style>
{got.head}
</head>
<body>
<h1>{html.escape(spec.heading)}</h1>
{got.runtime_tag}
{mount(name, values, runtime_code=got.runtime_code)}
<p>{html.escape(alt)}</p>
<p>Move a slider: the curves are recomputed in this page from the closed forms of R. Young
(2026), <em>Why Is RLHF Alignment Shallow? A Gradient Analysis</em>, printed to JavaScript by
sympy. Exported from Shallow/Deep; the same view in the app:
<a href="{html.escape(url)}">{html.escape(url)}</a></p>
</body>
</html>
"""
