"""The one Markdown table helper (ui.text.markdown) and the pages' content files (ui.text.content).

Tables are read back with a row splitter that reads a row as GFM does (micromark's table
extension: a backslash takes the next ``\\`` or ``|`` with it, any other ``|`` ends a cell), so a
cell that broke its row shows up as a wrong cell count, and its text is compared as shown (each
backslash escape of ASCII punctuation resolved, as CommonMark does).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ui.text import content, echo, markdown

ROOT = Path(__file__).resolve().parents[1]


def cells(line: str) -> list[str]:
    """The raw cells of one table row, split where GFM splits them, trimmed of spaces."""
    assert line.startswith("|") and line.endswith("|"), line
    found, cell, i = [], "", 1
    while i < len(line) - 1:
        if line[i] == "\\" and line[i + 1] in "\\|":
            cell, i = cell + line[i:i + 2], i + 2
        elif line[i] == "|":
            found, cell, i = found + [cell], "", i + 1
        else:
            cell, i = cell + line[i], i + 1
    return [c.strip(" ") for c in found + [cell]]


def shown(source: str) -> str:
    """Markdown source as shown: CommonMark's backslash escapes of ASCII punctuation resolved."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", source)


def test_a_table_is_a_header_a_rule_and_one_line_a_row():
    out = markdown.table(["method", "E[H]"], [["standard", "0.5"], ["base model", ""]])
    assert out == ("| method | E[H] |\n|---|---|\n| standard | 0.5 |\n| base model |  |")


def test_alignment_marks_each_column():
    rule = markdown.table(["a", "b", "c"], [], align="lrc").splitlines()[1]
    assert rule == "|---|---:|:---:|"
    with pytest.raises(ValueError, match="3 columns, 2 alignments"):
        markdown.table(["a", "b", "c"], [], align="lr")


def test_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="a row of 1 cells under 2 columns"):
        markdown.table(["a", "b"], [["only one"]])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="ab |\\\n*$`ₜ", max_size=12), min_size=3, max_size=3),
                max_size=4))
def test_every_cell_stays_in_its_row_and_column_and_shows_its_text(rows):
    out = markdown.table(["x", "y|z", "w"], rows).splitlines()
    assert len(out) == 2 + len(rows)  # a line break inside a cell did not split its row
    assert [shown(c) for c in cells(out[0])] == ["x", "y|z", "w"]
    for line, row in zip(out[2:], rows):
        want = [shown(" ".join(c.splitlines()).strip(" ")) for c in row]  # as outside a table
        assert [shown(c) for c in cells(line)] == want


def test_an_escaped_pipe_is_not_escaped_twice():
    assert markdown.table(["a"], [["x \\| y"], ["x | y"], ["x \\\\| y"]]).splitlines()[2:] == [
        "| x \\| y |", "| x \\| y |", "| x \\\\\\| y |"]


def test_a_column_from_outside_shows_its_text_inert():
    link = "[Click](http://evil.example) | *x*"
    line = markdown.table(["name", "value"], [[link, "1"]], outside=[0]).splitlines()[2]
    first, second = cells(line)
    # shown as typed (a word joiner, invisible, keeps GFM from linking the bare URL)
    assert first == echo.inert(link) and shown(first).replace("\u2060", "") == link
    assert second == "1"


def test_bullets_are_one_item_a_line():
    assert markdown.bullets(["a", "b c"]) == "- a\n- b c"
    assert markdown.bullets([]) == ""


# --- content/*.toml: the pages' fixed prose ---------------------------------------------------

def _say_calls(path: Path) -> list[tuple[str, set[str] | None]]:
    """(section, keyword names or None when ``**values`` is passed) of every ``say(...)`` call,
    and of every ``prose.markdown(page, section)`` (a lead sentence, given as text)."""
    calls = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        names = {k.arg for k in node.keywords}
        if isinstance(node.func, ast.Name) and node.func.id == "say":
            calls.append((node.args[0].value, None if None in names else names))
        elif (isinstance(node.func, ast.Attribute) and node.func.attr == "markdown"
              and isinstance(node.func.value, ast.Name) and node.func.value.id == "prose"):
            assert node.args[0].value == _page_of(path), (path, node.args[0].value)
            calls.append((node.args[1].value, None if None in names else names))
    return calls


def _page_of(path: Path) -> str | None:
    """The content file a page reads (its ``prose.of("<name>")``)."""
    found = re.search(r'prose\.of\("(\w+)"\)', path.read_text(encoding="utf-8"))
    return found.group(1) if found else None


PAGES = {_page_of(p): p for p in sorted((ROOT / "views").glob("*.py")) if _page_of(p)}


def test_every_content_file_belongs_to_a_page_and_every_section_is_shown():
    assert set(content.PAGES) == set(PAGES)
    for page, path in PAGES.items():
        said = {section for section, _ in _say_calls(path)}
        assert said == set(content.PAGES[page]), page  # no section missing, none left unshown


def test_each_call_passes_the_values_its_section_asks_for():
    for page, path in PAGES.items():
        for section, names in _say_calls(path):
            if names is not None:
                assert content.fields(page, section) <= names, (page, section)
            content.blocks(page, section, **dict.fromkeys(content.fields(page, section), 1.5))


def test_latex_is_taken_as_typed_and_markdown_is_filled_in():
    kinds = {kind for page in content.PAGES.values() for blocks in page.values()
             for kind, _ in blocks}
    assert kinds == set(content.KINDS)
    latex = [body for kind, body in content.blocks("methods", "finetune") if kind == "latex"]
    assert latex[0].startswith(r"\mathcal{L}_{\beta}=\sum_t-\frac{2}{\beta_t}")  # braces kept
    caption = content.blocks("methods", "runs", steps=7, lr=0.5, eta=1, mu_beta=5, alpha_beta=0.2)
    assert caption[0][1].startswith("All runs: 7 gradient steps at learning rate 0.5 (sidebar).")
    with pytest.raises(KeyError):
        content.blocks("methods", "runs", steps=7)


def test_a_malformed_content_file_is_refused(tmp_path):
    (tmp_path / "bad.toml").write_text('[[intro]]\nmarkdown = "a"\nlatex = "b"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.toml \[\[intro\]\]: a block is one of"):
        content._load(tmp_path)
    (tmp_path / "bad.toml").write_text('intro = "a"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="a section is an array of blocks"):
        content._load(tmp_path)
