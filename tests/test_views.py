"""Pages compose: each file of views/ places what the parts of ``ui`` return, read with ``ast``.

What is checked, for every ``views/*.py``:

- it has at most ``MAX_LINES`` lines;
- every import in it (module level, inside functions, any form) is of ``streamlit``, ``ui`` or
  ``coursepack`` (the offline pack's download):
  no numpy, scipy or pandas, and no ``theory`` (pages reach it through ``ui.data``);
- no comparison has a number literal other than 0 or 1 on either side (``x >= 1e-12``,
  ``decay == 0.5``, ``len(rows) > 12``): such a number is a threshold, and a threshold decides a
  sentence, which ``ui.claims`` chooses; 0 and 1 stay for counts and positions (``k >= 1``: a
  position exists);
- no module-level name is bound to a number (``CHECK_TOLERANCE = 1e-9``);
- no array reduction is called (``.sum()``, ``.max()``, ``.argmax()``, … as a method): numbers
  computed from arrays come from ``ui.data`` or ``ui.claims``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "views").glob("*.py"))
MAX_LINES = 120
# coursepack: the Lessons page's download of the offline pack (it sits above ui, beside the pages)
ALLOWED_IMPORTS = ("streamlit", "ui", "coursepack")
ALLOWED_LITERALS = (0, 1)
REDUCTIONS = {"sum", "max", "min", "mean", "std", "var", "prod", "argmax", "argmin", "any",
              "all", "ptp", "cumsum", "nonzero"}


def _number(node) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool))


def problems(source: str) -> list[str]:
    """What in ``source`` (a page's text) breaks the rules above, one line each."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = ["." * node.level + (node.module or "")]
        else:
            names = []
        found += [f"{node.lineno}: imports {n}" for n in names
                  if n.split(".")[0] not in ALLOWED_IMPORTS]
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                if _number(side) and not (type(ast.literal_eval(side)) is int
                                          and ast.literal_eval(side) in ALLOWED_LITERALS):
                    found.append(f"{node.lineno}: compares with {ast.unparse(side)}")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in REDUCTIONS):
            found.append(f"{node.lineno}: reduces an array ({ast.unparse(node.func)}())")
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None \
                and _number(node.value):
            found.append(f"{node.lineno}: binds a number at module level")
    return found


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_a_page_is_short(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name}: {lines} lines"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_a_page_only_places_what_ui_returns(path):
    assert problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(("source", "expected"), [
    ("import numpy as np\n", ["1: imports numpy"]),
    ("def f():\n    from theory import evidence\n", ["2: imports theory"]),
    ("import math\n", ["1: imports math"]),
    ("if x >= 1e-12:\n    pass\n", ["1: compares with 1e-12"]),
    ("y = 3 < len(z)\n", ["1: compares with 3"]),
    ("y = d == -0.5\n", ["1: compares with -0.5"]),
    ("y = decay == 1.0\n", ["1: compares with 1.0"]),
    ("TOL = 1e-9\n", ["1: binds a number at module level"]),
    ("x = d['kl'][k:].max()\n", ["1: reduces an array (d['kl'][k:].max())"]),
    # What stays on a page: counts and positions against 0 and 1, streamlit and ui.
    ("import streamlit as st\nfrom ui.page import layout\nif k >= 1 and t > k and n == 0:\n"
     "    st.markdown(layout.CONVENTIONS)\n", []),
])
def test_the_rules_catch_what_they_name(source, expected):
    assert problems(source) == expected
