"""Every export of a figure, and the whole figure set: one function used by the page, zip and CLI.

``figure_file(name, values, fmt)`` gives the bytes of one file; ``write_set`` writes the full set
for one parameter point through any ``sink(filename, bytes)`` (a directory or a zip).
"""

from __future__ import annotations

import io
import zipfile
from typing import Callable

from ui import catalog
from ui.figures import table as tables
from ui.live import export as live_export, specs
from ui.state import link as share

from . import meta, publish, renderer

IMAGE_FORMATS = renderer.FORMATS
DATA_FORMATS = ("csv",)
# Interactive HTML: only the live figures (ui.live) have one; for the others it is skipped.
INTERACTIVE_FORMATS = ("html",)
ALL_FORMATS = IMAGE_FORMATS + DATA_FORMATS + INTERACTIVE_FORMATS
PNG_SCALE = 3  # 2400 px wide: sharp on a projector and at 300 dpi in an 8 in column
MIME = {"svg": "image/svg+xml", "pdf": "application/pdf", "png": "image/png", "csv": "text/csv",
        "json": "application/json", "zip": "application/zip", "html": "text/html"}


def has_format(name: str, fmt: str) -> bool:
    """Whether figure ``name`` exists as ``fmt`` (only live figures exist as HTML)."""
    return fmt not in INTERACTIVE_FORMATS or name in specs.LIVE


def info(name: str, values: dict, base: str | None = None) -> meta.Info:
    spec = catalog.FIGURES[name]
    link = spec.link_values(values)
    return meta.Info(title=f"{spec.heading} (Shallow/Deep)", alt=catalog.alt_text(name, values),
                     url=share.share_url(link, spec.page, base), params=share.params_json(link))


def figure_files(name: str, values: dict, formats=ALL_FORMATS, *, base: str | None = None,
                 caption: bool = True):
    """Yield ``(fmt, bytes)`` for figure ``name``: svg/pdf/png need the renderer, csv never does.

    The figure is built and styled once for all formats.
    """
    spec = catalog.FIGURES[name]
    built = catalog.build(name, values)
    styled = about = None
    for fmt in formats:
        if fmt == "csv":
            yield fmt, tables.to_csv(built).encode("utf-8")
            continue
        if fmt == "html":
            if has_format(name, fmt):
                yield fmt, live_export.page(name, values, base=base).encode("utf-8")
            continue
        if styled is None:
            lines = publish.caption(spec.param_names(values), values) if caption else None
            if caption:
                lines = [*lines, *publish.pin_caption(built.fig, values)]
            if caption and spec.source_tex:
                lines = [*lines, spec.source_tex]
            styled = publish.publication(built.fig, title=spec.title, caption_tex=lines)
            about = info(name, values, base)
        scale = PNG_SCALE if fmt == "png" else 1
        data = renderer.plotly_bytes(styled, fmt, scale=scale, width=styled.layout.width,
                                     height=styled.layout.height)
        if fmt == "svg":
            yield fmt, meta.svg(data, about)
        elif fmt == "pdf":
            yield fmt, meta.pdf(data, about)
        else:
            yield fmt, meta.png(data, about, dpi=96 * scale)


def figure_file(name: str, values: dict, fmt: str, **kwargs) -> bytes:
    """One export of figure ``name`` (svg, pdf, png or csv)."""
    return next(figure_files(name, values, (fmt,), **kwargs))[1]


def _index(values: dict, names, base, problems) -> str:
    """README.md of a set: what each file shows (alt text) and how to get back to it."""
    lines = ["# Shallow/Deep figures", "",
             "Regenerate with `python -m ui export --params params.json --out <dir>`.", ""]
    for name in names:
        spec = catalog.FIGURES[name]
        lines += [f"## {name}: {spec.heading}", "",
                  catalog.alt_text(name, values), "",
                  f"Open in the app: {share.share_url(spec.link_values(values), spec.page, base)}",
                  ""]
    if problems:
        lines += ["## Not exported", ""] + [f"- {p}" for p in problems] + [""]
    return "\n".join(lines)


def write_set(values: dict, sink: Callable[[str, bytes], None], *, names=None,
              formats=ALL_FORMATS, base: str | None = None, caption: bool = True,
              progress: Callable[[float, str], None] | None = None) -> list[str]:
    """Write every figure in every format, params.json and README.md; return the problems.

    A missing renderer does not stop the set: CSV and JSON are still written, and the returned
    list (and README.md) says what was skipped and why.
    """
    names = list(names or catalog.FIGURES)
    problems = []
    images = [f for f in formats if f in IMAGE_FORMATS]
    if images and (why := renderer.problem()):
        problems.append(why)
        images = []
    # Data first: if the renderer fails half-way, each figure still has its CSV.
    wanted = [f for f in formats if f in DATA_FORMATS + INTERACTIVE_FORMATS] + images
    done = 0
    total = sum(has_format(n, f) for n in names for f in wanted)
    sink("params.json", share.params_json(values).encode("utf-8"))
    refused = set()  # figures the model cannot compute here: no alt text for them in README.md
    for name in names:
        try:
            for fmt, data in figure_files(name, values, wanted, base=base, caption=caption):
                sink(f"{name}.{fmt}", data)
                done += 1
                if progress:
                    progress(done / max(total, 1), f"{name}.{fmt}")
        except renderer.RendererUnavailable as e:
            if str(e) not in problems:
                problems.append(str(e))
        except ValueError as e:  # parameters the model cannot do (the page shows the same message)
            problems.append(f"{name}: {e}")
            refused.add(name)
    # The index asks each figure for its alt text: a refused one would raise again.
    listed = [n for n in names if n not in refused]
    sink("README.md", _index(values, listed, base, problems).encode("utf-8"))
    return problems


def zip_set(values: dict, **kwargs) -> tuple[bytes, list[str]]:
    """The full set as one zip (for the page's "download all figures")."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        problems = write_set(values, z.writestr, **kwargs)
    return buffer.getvalue(), problems
