"""Text from outside the app (a link, an upload, a lesson file) repeated on screen as text.

Every message that repeats what a visitor typed or uploaded goes through :func:`quote`: one line,
at most ``limit`` characters, inside a Markdown code span. Streamlit renders messages as Markdown,
so without it a value such as ``1\\n\\n[Click here](http://evil.example)`` becomes a live link in
the warning: the blank line ends any code span around it. :func:`plain` is the same line without
the code span, for the terminal.
"""

from __future__ import annotations

import unicodedata

LIMIT = 40  # characters of user text in one message


def plain(raw, limit: int = LIMIT) -> str:
    """``raw`` as one printable line of at most ``limit`` characters (``…`` marks a cut).

    Line breaks, tabs and other control or format characters (bidirectional overrides
    included) become one space each run; backticks become ``'``.

    >>> plain("a\\n\\n[b](c)")
    'a [b](c)'
    >>> plain("x" * 50, limit=10)
    'xxxxxxxxx…'
    """
    text = raw if isinstance(raw, str) else repr(raw)
    out, space = [], False
    for ch in text[: 4 * limit]:  # never walk a megabyte to show forty characters
        if ch.isspace() or unicodedata.category(ch).startswith("C"):
            space = True
            continue
        if space and out:
            out.append(" ")
        space = False
        out.append("'" if ch == "`" else ch)
    line = "".join(out)
    cut = len(line) > limit or len(text) > 4 * limit
    return line[: limit - 1] + "…" if cut else line


def quote(raw, limit: int = LIMIT) -> str:
    """``raw`` as a Markdown code span that nothing inside can break (see :func:`plain`).

    >>> quote("1\\n\\n[Click here](http://evil.example)")
    '`1 [Click here](http://evil.example)`'
    >>> quote("")
    '(empty)'
    """
    line = plain(raw, limit)
    return f"`{line}`" if line else "(empty)"
