"""A lesson step as a static page: its text, its question (predict, then reveal in pack.js),
its figures and its "why".

The answer and the sentence that shows it are computed here, when the pack is made, by the same
code as the app's lesson panel (``Question.answer``, ``lesson_panel.answer_text``), so a pack
cannot disagree with the app. A step on a closed-form page carries its live figures (Theorems 20,
22, Corollary 23 redrawn in the page); any other figure is an SVG at the step's parameters, with a
line saying so and a link to the same step in the app.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from ui import catalog
from ui.catalog import toy as toy_specs
from ui.classroom import lessons
from ui.classroom.lesson_panel import answer_text, question_notes
from ui.live import export as live_export, specs
from ui.state import link as share

from . import formulas, page


@dataclass(frozen=True)
class StaticFigure:
    """A figure drawn as an SVG file at a step's parameters (``svg``: its path in the pack)."""

    name: str
    svg: str


def filename(lesson: lessons.Lesson, n: int) -> str:
    return f"lessons/{lesson.name}-{n}.html"


def figures(step: lessons.Step) -> list[str]:
    """The figures of the step's page and tab, in the catalog's order (what the app shows)."""
    view = step.values()["view"]
    return [s.name for s in catalog.FIGURES.values() if s.page == step.page and s.view == view]


def app_link(lesson: lessons.Lesson, n: int, base: str | None) -> str:
    """The same step in the app: its parameters, the lesson and the step (as the panel's links)."""
    step = lesson.steps[n - 1]
    return share.share_url(step.values(), _page_name(step), base) + f"&lesson={lesson.name}&step={n}"


def _page_name(step: lessons.Step) -> str:
    from ui.state import nav

    return next(k for k, p in nav.BY_NAME.items() if p.url_path == step.page)


def question_data(q: lessons.Question, values: dict) -> dict:
    """The question as pack.js checks it: the right answer computed now, and how it is shown."""
    right = q.answer(values)
    data = {"kind": q.kind, "answer": right, "shown": answer_text(q, right),
            "tolerance": q.tolerance, "relative_tolerance": q.relative_tolerance}
    if q.kind == "choice":
        data["choices"] = list(q.choices)
    return data


def _question(q: lessons.Question, values: dict, key: str) -> str:
    data = question_data(q, values)
    script = json.dumps(data).replace("</", "<\\/")  # nothing in it can close the element
    notes = question_notes(q, data["answer"])
    if q.kind == "choice":
        field = "\n".join(
            f'<label><input type="radio" name="{key}" value="{i}"> {html.escape(c)}</label>'
            for i, c in enumerate(q.choices))
        field = f'<fieldset><legend class="note">Your answer</legend>\n{field}\n</fieldset>'
    else:
        label = f"Your answer ({q.unit})" if q.unit else "Your answer"
        field = (f'<label for="{key}">{html.escape(label)}</label>\n<input type="number" '
                 f'id="{key}" step="any" placeholder="Type a number" inputmode="decimal">')
    return f"""<form class="question" data-kind="{q.kind}">
<p><strong>Predict:</strong> {html.escape(q.prompt)}</p>
{field}
<p><button type="submit" class="reveal">Reveal</button>
<button type="button" class="again" hidden>Hide again</button>
<span class="note hint">The figure and the explanation stay hidden until you reveal: predict first.</span></p>
<p class="result" role="status" tabindex="-1" hidden></p>
<p class="note" data-until-reveal hidden>{html.escape(" ".join(notes))}</p>
<script type="application/json">{script}</script>
</form>"""


def _figure(name: str, values: dict, static: dict[str, StaticFigure], app: str) -> str:
    spec = catalog.FIGURES[name]
    alt = catalog.alt_text(name, values)
    if name in specs.LIVE:
        return (f'<figure class="figure-live" aria-label="{html.escape(spec.heading)}">\n'
                f'<h2>{html.escape(spec.heading)}</h2>\n'
                f'{live_export.mount(name, values, f"live-{name}")}\n'
                f'<figcaption>{html.escape(alt)} Live: move a slider and the curves are '
                f'recomputed in this page.</figcaption>\n</figure>\n{formulas.block(name, values)}')
    why = ("the exact toy model is computed by the app's server" if name in _TOY
           else "only the app redraws this figure")
    return (f'<figure>\n<h2>{html.escape(spec.heading)}</h2>\n<img src="{static[name].svg}" '
            f'alt="{html.escape(alt)}">\n<figcaption>Drawn at this step\'s parameters, not live '
            f'({why}). <a href="{html.escape(app)}">The same step in the app</a>, where it '
            'moves with the sliders.</figcaption>\n</figure>')


_TOY = {s.name for s in toy_specs.SPECS}


def step_page(lesson: lessons.Lesson, n: int, static: dict[str, StaticFigure],
              base: str | None) -> str:
    """The HTML of step ``n`` of ``lesson`` (figure paths in ``static`` relative to lessons/)."""
    step = lesson.steps[n - 1]
    values = step.values()
    count = len(lesson.steps)
    app = app_link(lesson, n, base)
    names = figures(step)
    key = f"answer-{lesson.name}-{n}"
    hide = ' data-until-reveal hidden' if step.question is not None else ""
    shown = [_figure(f, values, static, app) for f in names]
    prev = (f'<a class="button" data-step="prev" href="{lesson.name}-{n - 1}.html">← Previous</a>'
            if n > 1 else "")
    nxt = (f'<a class="button" data-step="next" href="{lesson.name}-{n + 1}.html">Next: '
           f'{html.escape(lesson.steps[n].title or f"step {n + 1}")} →</a>' if n < count else
           '<a class="button" data-step="next" href="../index.html#lessons">Finish: all lessons</a>')
    # The app's order: text, question, why, then the page's figures. In presentation mode on a
    # wide screen the figures take the right-hand column, so both are in view at 1280×800.
    body = f"""<div class="step{' with-figures' if shown else ''}">
<div class="step-text">
<p class="crumb">Lesson · <strong>{html.escape(lesson.title)}</strong> · step {n} of {count}
· page {html.escape(step.page_info.title)}</p>
<h1>{html.escape(step.title or f"Step {n}")}</h1>
{page.markdown(step.text)}
{_question(step.question, values, key) if step.question is not None else ""}
{f'<section{hide}><h2>Why</h2>{page.markdown(step.why)}</section>' if step.why else ""}
<nav class="steps" aria-label="Steps">{prev}<span class="spacer"></span>{nxt}
<a id="present-toggle" href="?present=1">Presentation mode</a></nav>
<p class="note present-only">Presentation mode: ← / → or PageUp / PageDown move between steps.</p>
<p class="note"><a href="{html.escape(app)}">This step in the app</a>, with this step's parameters
(the app's address when the pack was made).</p>
</div>
<section class="step-figures"{hide} aria-label="The step's figures">
{"".join(shown)}
</section>
</div>"""
    live = any(f in specs.LIVE for f in names)
    return page.document(f"{lesson.title}, step {n}: {step.title}", body, root="../",
                         live=live, math=live, description=f"{lesson.title}, step {n} of {count}")
