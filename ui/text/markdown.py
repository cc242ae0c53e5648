"""Markdown tables: the one place a table of the app is written as GitHub-flavoured Markdown.

A cell is Markdown, shown as it would be outside a table, on one line: a bare ``|`` would end the
cell and a line break the table, so every ``|`` not already escaped gets a backslash (``\\|``, also
inside ``$…$`` and code spans, where GFM reads it first) and every line break becomes a space. A
column whose cells come from outside the app (an upload, a link) goes through
:func:`ui.text.echo.inert` first, which escapes every punctuation character: no link, emphasis or
math.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from . import echo

_RULE = {"l": "---", "r": "---:", "c": ":---:"}  # "l": GFM's unmarked column, drawn left
# A pipe after an even number of backslashes (none, or escaped backslashes) ends a GFM cell.
_BARE_PIPE = re.compile(r"(?<!\\)((?:\\\\)*)\|")


def _cell(value) -> str:
    return _BARE_PIPE.sub(r"\1\\|", " ".join(str(value).splitlines()))


def table(headers: Sequence, rows: Iterable[Sequence], align: str | None = None,
          outside: Iterable[int] = ()) -> str:
    """``headers`` and ``rows`` (one sequence of cells each) as a Markdown table.

    ``align``: one letter a column, ``l`` (the default), ``r`` or ``c``. ``outside``: the indexes of
    the columns whose cells are text from outside the app.

    >>> print(table(["a", "b|c"], [[1, "x"], ["", "y\\nz"]], align="lr"))
    | a | b\\|c |
    |---|---:|
    | 1 | x |
    |  | y z |
    """
    outside = set(outside)
    align = align or "l" * len(headers)
    if len(align) != len(headers):
        raise ValueError(f"{len(headers)} columns, {len(align)} alignments")
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |",
             "|" + "".join(_RULE[a] + "|" for a in align)]
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"a row of {len(row)} cells under {len(headers)} columns: {row!r}")
        cells = (_cell(echo.inert(c) if i in outside else c) for i, c in enumerate(row))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def bullets(items: Iterable[str]) -> str:
    """``items`` as a Markdown list, one item a line.

    >>> print(bullets(["a", "b"]))
    - a
    - b
    """
    return "\n".join(f"- {item}" for item in items)
