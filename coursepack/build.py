"""Write the pack: every page into a new folder beside the target, then one rename, so a failure
or an interrupt leaves nothing partial; then the zip of it, the same way.

The libraries are written once, in ``lib/`` (plotly.js, the live runtime with the sympy-printed
math, MathJax 3 from django-static-mathjax); pages link them with relative paths, which work from
``file://``. ``index.html`` states the pack's size, measured after every other file is written.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ui import catalog
from ui.classroom import lessons as lesson_files
from ui.live import export as live_export, specs
from ui.state import link as share, nav, params as P

from . import formulas, page, reference, steps

ASSETS = Path(__file__).resolve().parent / "assets"
MARKER = ".shallow-deep-pack"  # in every pack: a folder without it is never replaced
MARKER_TEXT = ("Written by `python -m ui export --course-pack`. It may replace this folder with a "
               "new pack; delete this file to make it refuse.\n")


class PackError(Exception):
    """An argument the pack cannot be made with: nothing was written."""


@dataclass
class Report:
    folder: Path
    zip: Path
    size: int  # bytes of the folder's files
    zip_size: int
    files: int
    problems: list[str] = field(default_factory=list)  # figures that could not be drawn


def choose_lessons(names: list[str] | None) -> list[lesson_files.Lesson]:
    """The shipped lessons named (all of them when none is), in the order given."""
    good, bad = lesson_files.shipped()
    if bad:
        raise PackError("lesson files with problems: " + ", ".join(sorted(bad)))
    if not names:
        return list(good.values())
    unknown = [n for n in names if n not in good]
    if unknown:
        raise PackError(f"no lesson {', '.join(repr(n) for n in unknown)}; the lessons are: "
                        f"{', '.join(good)}")
    return [good[n] for n in dict.fromkeys(names)]


def _check_target(out: Path) -> None:
    if not str(out) or out.name in ("", ".", ".."):
        raise PackError(f"'{out}' is not a folder name")
    if out.exists() and not (out.is_dir() and (out / MARKER).is_file()):
        raise PackError(f"'{out}' exists and is not a course pack written by this command "
                        "(choose a new folder)")
    if not out.parent.is_dir():
        raise PackError(f"the folder '{out.parent}' does not exist")


def write(out: str | Path, *, lessons: list[str] | None = None, values: dict | None = None,
          base: str | None = None, progress: Callable[[str], None] | None = None) -> Report:
    """The pack at ``out`` and ``out``.zip, for the named lessons and the parameter ``values``
    (the defaults when None). Raises ``PackError`` before writing anything for a bad argument."""
    out = Path(out)
    chosen = choose_lessons(lessons)
    _check_target(out)
    values = P.constrain(values or P.defaults())[0]
    zip_path = out.with_name(out.name + ".zip")
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    tmp_zip = tmp.with_name(tmp.name + ".zip")
    try:
        problems = build(tmp, chosen, values, base, progress or (lambda what: None))
        (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        zip_size = write_zip(tmp, tmp_zip, out.name)
        if out.exists():
            old = tmp.with_name(tmp.name + ".old")
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
        os.replace(tmp_zip, zip_path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp_zip.unlink(missing_ok=True)
        raise
    files = [p for p in out.rglob("*") if p.is_file()]
    return Report(out, zip_path, sum(p.stat().st_size for p in files), zip_size, len(files),
                  problems)


def write_zip(folder: Path, target: Path, top: str) -> int:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, f"{top}/{path.relative_to(folder).as_posix()}")
    return target.stat().st_size


def zip_bytes(lessons: list[str] | None = None, values: dict | None = None,
              base: str | None = None) -> tuple[bytes, Report]:
    """The pack as a zip's bytes (the Lessons page's download), built in a temporary folder."""
    with tempfile.TemporaryDirectory() as where:
        report = write(Path(where) / "shallow-deep-course-pack", lessons=lessons, values=values,
                       base=base)
        return report.zip.read_bytes(), report


# --- the pages ----------------------------------------------------------------------------------

def _put(folder: Path, name: str, text: str | bytes) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)


def _libraries(folder: Path) -> None:
    from ui.export import renderer

    for name, text in live_export.lib_files().items():
        _put(folder, f"lib/{name}", text)
    for asset in ("pack.js", "pack.css", "mathjax-config.js"):
        shutil.copyfile(ASSETS / asset, folder / "lib" / asset)
    mathjax = renderer.mathjax_path()
    if mathjax is None:
        raise PackError("MathJax is not installed (pip install django-static-mathjax)")
    _put(folder, f"lib/{page.MATHJAX}", mathjax.read_bytes())


def _static_figures(folder: Path, chosen, problems: list[str], progress) -> dict:
    """Every non-live figure of every step as one SVG per figure and parameter set."""
    from ui.export import bundle, renderer

    out: dict[tuple, steps.StaticFigure] = {}
    unavailable = renderer.problem()
    for lesson in chosen:
        for step in lesson.steps:
            values = step.values()
            for name in steps.figures(step):
                key = (name, tuple(sorted(values.items())))
                if name in specs.LIVE or key in out:
                    continue
                digest = hashlib.sha256(repr(key).encode()).hexdigest()[:10]
                rel = f"img/{name}-{digest}.svg"
                out[key] = steps.StaticFigure(name, rel)
                progress(f"lessons/{rel}")
                if unavailable:
                    svg = _placeholder(catalog.FIGURES[name].heading, unavailable)
                    problems.append(f"{name}: {unavailable}")
                else:
                    try:
                        svg = bundle.figure_file(name, values, "svg", caption=False)
                    except (ValueError, renderer.RendererUnavailable) as err:
                        svg = _placeholder(catalog.FIGURES[name].heading, str(err))
                        problems.append(f"{name}: {err}")
                _put(folder, f"lessons/{rel}", svg)
    return out


def _placeholder(heading: str, why: str) -> bytes:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="80"><text x="10" y="45" '
            f'font-family="sans-serif" font-size="14">{html.escape(heading)}: not drawn '
            f'({html.escape(why[:120])})</text></svg>').encode()


def _figure_page(name: str, values: dict, base: str | None) -> str:
    spec = catalog.FIGURES[name]
    url = share.share_url(spec.link_values(values), spec.page, base)
    alt = catalog.alt_text(name, values)
    body = f"""<p class="crumb">Live figure · page {html.escape(nav.BY_NAME[spec.page].title)}</p>
<h1>{html.escape(spec.heading)}</h1>
<div class="figure-live">{live_export.mount(name, values, f"live-{name}")}</div>
<p class="note">{html.escape(alt)}</p>
{formulas.block(name, values)}
<p class="note">Move a slider (or type a value into its box): the curves and the formulas are
recomputed in this page from the closed forms, printed to JavaScript by sympy.
<a href="{html.escape(url)}">The same view in the app</a>, at the pack's parameters, where every
other page follows.</p>"""
    return page.document(spec.heading, body, root="../", live=True, math=True, description=alt)


def build(folder: Path, chosen, values: dict, base: str | None, progress) -> list[str]:
    """Write every file of the pack into ``folder`` (empty); the problems of figures not drawn."""
    problems: list[str] = []
    progress("lib/")
    _libraries(folder)
    static = {}
    for (name, items), fig in _static_figures(folder, chosen, problems, progress).items():
        static.setdefault(items, {})[name] = fig
    for lesson in chosen:
        for n, step in enumerate(lesson.steps, 1):
            progress(steps.filename(lesson, n))
            mine = static.get(tuple(sorted(step.values().items())), {})
            _put(folder, steps.filename(lesson, n), steps.step_page(lesson, n, mine, base))
    for name in specs.LIVE:
        progress(f"figures/{name}.html")
        _put(folder, f"figures/{name}.html", _figure_page(name, values, base))
    progress("glossary.html")
    _put(folder, "glossary.html", reference.glossary_page())
    progress("derivations.html")
    derived = reference.derivations()
    for key, (_, _, tex) in derived.items():
        _put(folder, f"tex/{key}.tex", tex)
    _put(folder, "derivations.html", reference.derivations_page(derived))
    progress("index.html")
    _write_index(folder, chosen, values, base)
    return problems


def _size_text(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def _write_index(folder: Path, chosen, values: dict, base: str | None) -> None:
    """index.html, stating the pack's size with itself included (written until it agrees)."""
    others = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    others += len(MARKER_TEXT.encode())
    own = 0
    for _ in range(5):
        text = index_page(chosen, values, base, others + own)
        if len(text.encode()) == own:
            break
        own = len(text.encode())
    _put(folder, "index.html", text)


def index_page(chosen, values: dict, base: str | None, size: int) -> str:
    lessons_html = []
    for lesson in chosen:
        items = "\n".join(
            f'<li><a data-lesson-step href="{steps.filename(lesson, n)}">'
            f'{html.escape(s.title or f"Step {n}")}</a>'
            f'{" · question" if s.question is not None else ""}</li>'
            for n, s in enumerate(lesson.steps, 1))
        lessons_html.append(f"""<section class="card">
<h3>{html.escape(lesson.title)}</h3>
{page.markdown(lesson.summary) if lesson.summary else ""}
<ol class="steps">
{items}
</ol>
<p><a class="button" href="{steps.filename(lesson, 1)}">Start</a>
<a class="button" href="{steps.filename(lesson, 1)}?present=1">Present</a></p>
</section>""")
    figures = "\n".join(
        f'<li><a href="figures/{name}.html">{html.escape(catalog.FIGURES[name].heading)}</a> '
        f'({html.escape(formulas.FORMULAS[name]["source"])})</li>' for name in specs.LIVE)
    rows = "\n".join(f"<tr><td>{html.escape(p.label)}</td><td><code>{p.name}</code></td>"
                     f"<td>{html.escape(P.fmt(values[p.name]))}</td></tr>"
                     for p in P.PARAMS.values())
    url = share.share_url(values, "overview", base)
    body = f"""<h1>{page.NAME}: the offline course pack</h1>
<p>The explorer's lessons, its live figures, the glossary and the derivations, for
{page.CITATION} Everything here opens from this folder, with no server and no network.
Version {html.escape(page.version())}.</p>
<p class="note">This pack: {_size_text(size)} in all; plotly.js and MathJax are in
<code>lib/</code> once, shared by every page.</p>
<h2 id="lessons">Lessons</h2>
<p>Each step says what to look at; a step with a question hides its figure until you
<strong>predict</strong> and press <strong>Reveal</strong>, then shows the answer the explorer
computed from the theory, and why. <strong>Present</strong> opens a lesson in presentation mode:
large type, and ← / → (or a clicker's PageUp / PageDown) move between steps.</p>
{"".join(lessons_html)}
<h2 id="figures">Live figures</h2>
<p>Sliders redraw the curves in the page, with the formulas at the current values:</p>
<ul>
{figures}
</ul>
<h2>Reference</h2>
<ul><li><a href="glossary.html">Glossary</a>: every symbol, its meaning and the paper's name</li>
<li><a href="derivations.html">Derivations</a>: every closed form derived with sympy, with its .tex</li></ul>
<h2>The parameters this pack was made with</h2>
<p>The live figures start here; each lesson step sets its own.
<a href="{html.escape(url)}">These parameters in the app</a>.</p>
<div class="table-wrap"><table><thead><tr><th scope="col">Parameter</th><th scope="col">URL key</th>
<th scope="col">Value</th></tr></thead><tbody>
{rows}
</tbody></table></div>
<p class="note">Cite the paper: R. Young (2026), Why Is RLHF Alignment Shallow? A Gradient
Analysis.</p>"""
    return page.document("Course pack", body, root="",
                         description=f"{page.NAME} course pack: lessons and live figures, offline")
