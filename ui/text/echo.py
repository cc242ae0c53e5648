"""Text from outside the app (a link, an upload, a lesson file) repeated on screen as text.

Every message that repeats what a visitor typed or uploaded goes through :func:`quote`: one line,
at most ``limit`` characters, inside a Markdown code span. Streamlit renders messages as Markdown,
so without it a value such as ``1\\n\\n[Click here](http://evil.example)`` becomes a live link in
the warning: the blank line ends any code span around it. Inside a code span Streamlit 1.67 shows
``$x$``, ``:red[x]``, ``[a](b)`` and bare URLs as typed (checked in a browser). :func:`plain` is
the same line without the code span, for the terminal. :func:`inert` is for the rare sentence
that holds user text but is no message (the chart caption names the pinned sets).
"""

from __future__ import annotations

import re
import unicodedata

LIMIT = 40  # characters of user text in one message

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
# Where a word joiner (U+2060, invisible) goes so that GFM does not link a bare URL or address.
_BARE_LINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)


def _line(text: str) -> str:
    """``text`` on one line: each run of whitespace, control or format characters (line breaks,
    bidirectional overrides) becomes one space; none at either end."""
    out, space = [], False
    for ch in text:
        if ch.isspace() or unicodedata.category(ch).startswith("C"):
            space = True
            continue
        if space and out:
            out.append(" ")
        space = False
        out.append(ch)
    return "".join(out)


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
    line = _line(text[: 4 * limit]).replace("`", "'")  # never walk a megabyte to show forty
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


def inert(raw) -> str:
    r"""``raw`` as Markdown text that shows exactly its characters, on one line, uncut.

    For a sentence that holds user text and cannot be a code span (a chart's alt text, also read
    aloud). Every ASCII punctuation character is backslash-escaped (no emphasis, link, math or
    ``:red[…]``), and a word joiner (invisible) goes inside ``://``, ``www.`` and after ``@``:
    GFM links bare URLs and e-mail addresses after parsing, so escaping alone leaves them live.

    >>> print(inert("*a*\n\n[b](c) $x$"))
    \*a\* \[b\]\(c\) \$x\$
    >>> inert("www.x") == "www\u2060\\.x"
    True
    """
    text = raw if isinstance(raw, str) else repr(raw)
    return _PUNCTUATION.sub(r"\\\1", _BARE_LINK.sub("\u2060", _line(text)))
