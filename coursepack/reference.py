"""The glossary and the derivations as pages of the pack (the app's Glossary and Derivations).

Symbols and sympy's steps are LaTeX, typeset by the pack's own MathJax; each derivation also
comes as its standalone .tex file (``theory.derivations.to_tex``), linked from its section.
"""

from __future__ import annotations

import html

from ui.page import glossary
from ui.page.layout import CONVENTIONS

from . import page


def glossary_page() -> str:
    rows = "\n".join(
        f'<tr><td data-label="Symbol">\\({html.escape(e.symbol)}\\)</td>'
        f'<td data-label="Meaning here">{html.escape(e.meaning)}</td>'
        f'<td data-label="The paper\'s name">{html.escape(e.paper)}</td>'
        f'<td data-label="Where">{html.escape(e.where)}</td></tr>'
        for e in glossary.ENTRIES)
    body = f"""<h1>Glossary</h1>
<p>One symbol, one meaning, on every page. The third column gives the name the paper
(R. Young, 2026) uses and the result that introduces it.</p>
<div class="table-wrap"><table class="stack">
<thead><tr><th scope="col">Symbol</th><th scope="col">Meaning here</th>
<th scope="col">The paper's name</th><th scope="col">Where</th></tr></thead>
<tbody>
{rows}
</tbody></table></div>
<p class="note">{html.escape(CONVENTIONS)}</p>"""
    return page.document("Glossary", body, root="", math=True,
                         description="Every symbol of the explorer, its meaning and the paper's name")


def derivations() -> dict[str, tuple]:
    """{key: (derivation, check, tex)}: sympy runs here (a few seconds)."""
    from theory import derivations as d  # imports sympy

    return {key: (d.get(key), d.get(key).check(), d.to_tex(key)) for key in d.names()}


def derivations_page(derived: dict[str, tuple]) -> str:
    from ui.claims.derivations import check_verdict

    toc = "\n".join(f'<li><a href="#{key}">{html.escape(d.title)}</a></li>'
                    for key, (d, _, _) in derived.items())
    sections = []
    for key, (d, check, _) in derived.items():
        steps = "\n".join(
            f"<li><p><strong>Step {i} ({html.escape(s.kind)}).</strong> {page.inline_math(s.title)}</p>"
            f"\n<div>\\[{html.escape(s.latex)}\\]</div></li>" for i, s in enumerate(d.steps, 1))
        passed, message = check_verdict(check)
        sections.append(f"""<section class="card" id="{key}">
<h2>{html.escape(d.title)} — {html.escape(d.paper_ref)}</h2>
<ol class="steps">
{steps}
</ol>
<p><strong>Result</strong></p>
<div>\\[{html.escape(d.result_latex)}\\]</div>
<p class="note">{"" if passed else "Failed: "}{html.escape(message.replace("`", ""))}</p>
<p><a href="tex/{key}.tex" download>{html.escape(d.title)} as .tex</a></p>
</section>""")
    body = f"""<h1>Derivations</h1>
<p>Each closed form used by the explorer is derived with sympy from the paper's definitions.
Steps marked <em>derived</em> are sympy's own output: expressions it computed (by solving,
differentiating, summing or substituting) or proved equal, printed by <code>sympy.latex</code>.
Steps marked <em>stated</em> are the definitions and the paper's reasoning that connect them;
they are typed in or only printed by sympy, and are not derived here. The final expression is
then turned into a numpy function and compared with the numeric code behind every figure at
random points.</p>
<ul>
{toc}
</ul>
{"".join(sections)}"""
    return page.document("Derivations", body, root="", math=True,
                         description="Every closed form derived step by step with sympy")
