"""The offline course pack (coursepack): its files, its size, its answers, and the command line's
refusals, which write nothing. The browser side is tests/e2e/test_e2e_pack.py."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from coursepack import build, page, steps
from theory import derivations
from ui import cli
from ui.classroom import lessons
from ui.classroom.lesson_panel import answer_text
from ui.live import specs

MB = 1e6


@pytest.fixture(scope="module")
def pack(course_pack):
    where, code = course_pack
    assert code == 0, "the pack was written with problems (figures not drawn)"
    return where


def test_every_page_and_one_copy_of_each_library(pack):
    good, _ = lessons.shipped()
    want = {"index.html", "glossary.html", "derivations.html"}
    want |= {steps.filename(lesson, n) for lesson in good.values()
             for n in range(1, len(lesson.steps) + 1)}
    want |= {f"figures/{name}.html" for name in specs.LIVE}
    pages = {p.relative_to(pack).as_posix() for p in pack.rglob("*.html")}
    assert pages == want
    assert {p.stem for p in (pack / "tex").glob("*.tex")} == set(derivations.names())
    files = [p.relative_to(pack).as_posix() for p in pack.rglob("*") if p.is_file()]
    assert [f for f in files if "plotly" in f] == ["lib/plotly.min.js"]
    assert [f for f in files if f.endswith("tex-svg.js")] == ["lib/mathjax/tex-svg.js"]
    for name in want:  # linked, never inlined: every page is small
        text = (pack / name).read_text(encoding="utf-8")
        assert len(text) < 300_000, name
        assert not re.search(r'(src|href)="(https?:)?//', text.split("<main>")[0]), name


def test_size_is_stated_and_within_target(pack):
    size = sum(p.stat().st_size for p in pack.rglob("*") if p.is_file())
    stated = re.search(r"This pack: ([\d.]+) MB", (pack / "index.html").read_text()).group(1)
    assert stated == f"{size / MB:.1f}"
    assert size <= 15 * MB
    with zipfile.ZipFile(pack.with_name(pack.name + ".zip")) as z:
        inside = {n.split("/", 1)[1] for n in z.namelist()}
    assert inside == {p.relative_to(pack).as_posix() for p in pack.rglob("*") if p.is_file()}


def test_answers_in_the_pack_are_the_apps(pack):
    good, _ = lessons.shipped()
    asked = 0
    for lesson in good.values():
        for n, step in enumerate(lesson.steps, 1):
            text = (pack / steps.filename(lesson, n)).read_text(encoding="utf-8")
            found = re.search(r'<form class="question".*?<script type="application/json">(.*?)'
                              r"</script>", text, re.S)
            if step.question is None:
                assert found is None
                continue
            asked += 1
            data = json.loads(found.group(1))
            right = step.question.answer(step.values())
            assert data["answer"] == right and data["shown"] == answer_text(step.question, right)
            assert data["tolerance"] == step.question.tolerance
    assert asked == sum(s.question is not None for lesson in good.values() for s in lesson.steps)


@pytest.mark.parametrize("args", [
    ["--lesson", "nope"],
    ["--lesson", "deep", "--lesson", "../etc"],
    ["--url", "http://x/?mu=abc%"],
    ["--url", "http://x/deep_alignment?mu=1e99"],
    ["--url", "not a link at all"],
])
def test_a_malformed_argument_writes_nothing(tmp_path, capsys, args):
    target = tmp_path / "pack"
    assert cli.main(["export", "--course-pack", str(target), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {args[-2]} '") and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []  # no folder, no zip, no temporary folder


def test_a_failure_half_way_leaves_nothing(tmp_path, monkeypatch):
    def broken(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build.reference, "glossary_page", broken)
    assert cli.main(["export", "--course-pack", str(tmp_path / "pack"), "--lesson", "deep",
                     "-q"]) == 3
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_is_not_a_pack_is_refused(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "README.md").write_text("mine")
    assert cli.main(["export", "--course-pack", str(tmp_path / "notes"), "-q"]) == 2
    assert [p.name for p in (tmp_path / "notes").iterdir()] == ["README.md"]
    assert cli.main(["export", "--lesson", "deep", "--out", str(tmp_path / "figs")]) == 2


def test_lesson_text_is_escaped_and_only_its_markdown_becomes_markup():
    html = page.markdown("A **bold** <script>x</script> r\\*ₜ and `code`\n\nTwo")
    assert html == ("<p>A <strong>bold</strong> &lt;script&gt;x&lt;/script&gt; r*ₜ and "
                    "<code>code</code></p>\n<p>Two</p>")
