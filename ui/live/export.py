"""A live figure as one self-contained HTML file: it opens offline, from a file, sliders and all.

plotly.js (from the installed package), the sympy-printed math and the runtime are inlined;
the figure's data is computed in the page, exactly as on the app's page. For slides and course
sites; ``python -m ui export`` writes one per live figure (``ui.export.bundle``).
"""

from __future__ import annotations

import html
import json

from ui import catalog
from ui.state import link as share

from . import assets, specs


def _inline(text: str) -> str:
    """Text safe inside a <script> element: nothing in it can close the element early."""
    return text.replace("</", "<\\/")


def page(name: str, values: dict, *, base: str | None = None) -> str:
    """The HTML document of live figure ``name`` at ``values``."""
    spec = catalog.FIGURES[name]
    link_values = spec.link_values(values)
    url = share.share_url(link_values, spec.page, base)
    alt = catalog.alt_text(name, values)
    data = specs.payload(name, values) | {"alt": alt}
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
{assets.runtime_css()}
</style>
<script>{_inline(assets.plotly_source())}</script>
</head>
<body>
<h1>{html.escape(spec.heading)}</h1>
<div id="live-figure"></div>
<p>{html.escape(alt)}</p>
<p>Move a slider: the curves are recomputed in this page from the closed forms of R. Young
(2026), <em>Why Is RLHF Alignment Shallow? A Gradient Analysis</em>, printed to JavaScript by
sympy. Exported from Shallow/Deep; the same view in the app:
<a href="{html.escape(url)}">{html.escape(url)}</a></p>
<script>
{_inline(assets.script())}
liveMount(document.getElementById("live-figure"), {_inline(json.dumps(data))}, () => {{}});
</script>
</body>
</html>
"""
