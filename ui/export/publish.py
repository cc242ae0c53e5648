"""Publication look of an exported figure: size, fonts, a LaTeX title and a parameter caption.

Works on a copy: the page's figures are cached objects shared between sessions.
"""

from __future__ import annotations

import plotly.graph_objects as go

from ui.data.toy import MODELS
from ui.state import params as P
from ui.text.latex import num

WIDTH = 800  # px at scale 1: about 8.3 in at 96 dpi, the width of a slide or a two-column figure
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"  # metric-compatible with Arial, embedded in PDFs
TITLE_SPACE = 125  # px above the plot: title, then the legend row
CAPTION_LINE = 26  # px per caption line below the plot
LEGEND_TOP, LEGEND_ROW = 62, 21  # px: where the legend starts under the title, and one row of it
TITLE_PIN = 38  # px from the top edge to the title's middle where plotly puts it with TITLE_SPACE


def _legend_rows(fig: go.Figure) -> int:
    """Rows the legend takes at WIDTH, over-estimated (plotly lays long entries in columns as
    wide as the widest): more rows than TITLE_SPACE holds push it up over the title."""
    names = [t.name for t in fig.data if t.name and t.showlegend is not False]
    if not names:
        return 0
    widest = 40 + 7.5 * max(len(n) for n in names)  # symbol + text at 13 px
    columns = max(1, int((WIDTH - 20) // widest))
    return -(-len(names) // columns)


def symbol(name: str) -> str:
    r"""LaTeX symbol of a parameter (its ``tex`` in ``ui.state.params``), else its label in words.

    >>> symbol("beta"), symbol("p_base"), symbol("steps")
    ('\\beta', 'p_\\mathrm{base}', '\\text{Training steps}')
    """
    p = P.PARAMS[name]
    return p.tex or rf"\text{{{p.label}}}"


def _value(name: str, value) -> str:
    if name == "toy_model":  # an index in the URL; people read the model's name
        return rf"\text{{{MODELS[int(value)]}}}"
    return num(value)


def caption(names, values: dict, per_line: int = 5) -> list[str]:
    r"""The parameters a figure depends on, as LaTeX lines (MathJax cannot break a line itself).

    >>> caption(["mu", "T"], {"mu": 5.0, "T": 50})
    ['$\\mu = 5,\\ T = 50$']
    """
    items = [f"{symbol(n)} = {_value(n, values[n])}" for n in names]
    return ["$" + r",\ ".join(items[i:i + per_line]) + "$" for i in range(0, len(items), per_line)]


def pin_caption(fig: go.Figure, values: dict) -> list[str]:
    r"""One caption line per pinned set the figure draws: its name and the parameters
    where it differs from the current set. Characters LaTeX reads as commands are left out of
    the name.

    >>> from ui.state import pins
    >>> v = dict(P.defaults(), pin=(pins.make("deep", dict(P.defaults(), mu=20.0)),))
    >>> fig = go.Figure([go.Scatter(y=[1], meta={"pin": 0})])
    >>> pin_caption(fig, v)
    ['$\\text{pin “deep”: }\\mu = 20$']
    """
    drawn = {t.meta["pin"] for t in fig.data if isinstance(t.meta, dict) and "pin" in t.meta}
    lines = []
    for i, pin in enumerate(values.get("pin", ())):
        if i not in drawn:
            continue
        differ = [n for n, x in pin.items if x != values[n]]
        name = "".join(c for c in pin.name if c not in "\\{}%&#_^~$")
        items = [f"{symbol(n)} = {_value(n, pin.values[n])}" for n in differ] or [r"\text{same}"]
        lines.append(rf"$\text{{pin “{name}”: }}" + r",\ ".join(items) + "$")
    return lines


def publication(fig: go.Figure, *, title: str | None, caption_tex: list[str] | None) -> go.Figure:
    """A styled copy of ``fig`` for files; its size is ``layout.width`` x ``layout.height``."""
    out = go.Figure(fig)
    # A file cannot animate: it shows the traces as built (the last step), without the controls.
    out.frames = []
    out.layout.sliders, out.layout.updatemenus = (), ()
    lines = caption_tex or []
    bottom = 60 + CAPTION_LINE * len(lines) + (10 if lines else 0)
    top = max(TITLE_SPACE, LEGEND_TOP + LEGEND_ROW * _legend_rows(out) + 4)
    height = int(out.layout.height or 420) + top + bottom - 40
    out.update_layout(
        width=WIDTH, height=height,
        font={"family": FONT, "size": 14, "color": "#000000"},
        # y is left to plotly: a fixed y/yanchor clips MathJax titles at the top edge.
        # With TITLE_SPACE plotly centres the title above the legend; a taller top (a legend of
        # many rows) must not move it down into the legend, so then it is pinned under the edge.
        title=({"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 17}}
               | ({} if top == TITLE_SPACE else
                  {"yref": "container", "y": 1 - TITLE_PIN / height, "yanchor": "middle"})
               if title else None),
        # The legend goes in its own row under the title, where it cannot cover the title or the
        # subplot titles (builders place it for the page, which has no title).
        legend={"orientation": "h", "yref": "container", "y": 1 - LEGEND_TOP / height, "yanchor": "top",
                "x": 0.0, "xanchor": "left", "font": {"size": 13}},
        margin={"l": max(out.layout.margin.l or 0, 80), "r": 30, "t": top, "b": bottom},
        paper_bgcolor="white", plot_bgcolor="white",
    )
    out.update_xaxes(showline=True, linecolor="#444444", ticks="outside", mirror=False)
    out.update_yaxes(showline=True, linecolor="#444444", ticks="outside", mirror=False)
    for i, line in enumerate(lines):
        out.add_annotation(text=line, xref="paper", yref="paper", x=0.0, y=0.0, xanchor="left",
                           yanchor="top", yshift=-62 - CAPTION_LINE * i, showarrow=False,
                           font={"size": 16})
    return out
