"""The frame every page of the pack shares: head (libraries linked from ``lib/``), bar, footer."""

from __future__ import annotations

import html
import re
from importlib import metadata

from markdown_it import MarkdownIt

from ui.live import export as live_export

NAME = "Shallow/Deep"
CITATION = ("R. Young (2026), <em>Why Is RLHF Alignment Shallow? A Gradient Analysis</em>.")
_MARKDOWN = MarkdownIt("commonmark", {"html": False})
MATHJAX = "mathjax/tex-svg.js"  # under lib/: MathJax 3 from django-static-mathjax


def version() -> str:
    try:
        return metadata.version("shallow-deep")
    except metadata.PackageNotFoundError:  # run from a checkout without installing
        return "unknown"


def document(title: str, body: str, *, root: str, description: str = "", live: bool = False,
             math: bool = False) -> str:
    """A whole page; ``root`` is the way back to the pack's top folder ("" or "../")."""
    lib = f"{root}lib"
    head = [f'<link rel="stylesheet" href="{lib}/pack.css">']
    if live:
        assets = live_export.linked(lib)
        head += [assets.head, assets.runtime_tag]
    if math:
        head += [f'<script src="{lib}/mathjax-config.js"></script>',
                 f'<script defer src="{lib}/{MATHJAX}"></script>']
    head.append(f'<script defer src="{lib}/pack.js"></script>')
    bar = " ".join(f'<a href="{root}{href}">{label}</a>' for href, label in (
        ("index.html#lessons", "Lessons"), ("index.html#figures", "Live figures"),
        ("glossary.html", "Glossary"), ("derivations.html", "Derivations")))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · {NAME}</title>
<meta name="description" content="{html.escape(description or title)}">
{chr(10).join(head)}
</head>
<body>
<header class="bar"><a class="name" href="{root}index.html">{NAME} course pack</a>
<nav aria-label="Pack">{bar}</nav></header>
<main>
{body}
</main>
<footer>{NAME} {html.escape(version())}, an explorer of {CITATION} Offline course pack: every
number on these pages was computed by the explorer's theory code when the pack was made, or is
recomputed in the page by functions sympy printed from the same formulas.</footer>
</body>
</html>
"""


def markdown(text: str) -> str:
    """A lesson's Markdown (CommonMark, as the app renders it) as HTML. Raw HTML in the text is
    shown as text, never as markup: a lesson file is content, not code."""
    return _MARKDOWN.render(text).strip()


def inline_math(text: str) -> str:
    """Plain text with ``$…$`` LaTeX (as the app's Markdown writes it) as HTML for MathJax."""
    parts = re.split(r"\$([^$]+)\$", text)
    return "".join(html.escape(part) if i % 2 == 0 else f"\\({html.escape(part)}\\)"
                   for i, part in enumerate(parts))
