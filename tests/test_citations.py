"""Every result cited on screen is in the paper's table (``theory.paper``), and cited for what it proves.

The texts are every string the app can show: each string literal of views/, ui/, theory/ and
evidence/ (read with ``ast``, so adjacent literals and the constant parts of f-strings come
whole), every string of lessons/*.toml and of the pages' content/*.toml, and the README. A page,
lesson, caption or alt text cannot cite a result the paper does not have, and a sentence that
states something *exactly* (the base model itself, "no more often", "exactly zero") cannot lean
on a first-order result such as Corollary 15.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from theory import paper

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "002_41e42bf9f90954ae.txt"


def _strings(node) -> list[str]:
    out = []
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            out.append(n.value)
        elif isinstance(n, ast.JoinedStr):  # an f-string: its text with a marker for each value
            out.append("".join(v.value if isinstance(v, ast.Constant) else "{…}" for v in n.values))
    return out


def _toml_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _toml_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _toml_strings(v)]
    return []


def texts() -> list[tuple[str, str]]:
    """(where, text) for every text the app, its lessons and its README can show."""
    found = []
    for folder in ("views", "ui", "theory", "evidence"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for s in _strings(ast.parse(path.read_text(encoding="utf-8"))):
                found.append((path.relative_to(ROOT).as_posix(), s))
    for path in sorted([*(ROOT / "lessons").glob("*.toml"), *(ROOT / "content").glob("*.toml")]):
        for s in _toml_strings(tomllib.loads(path.read_text(encoding="utf-8"))):
            found.append((path.relative_to(ROOT).as_posix(), s))
    found.append(("README.md", (ROOT / "README.md").read_text(encoding="utf-8")))
    return found


TEXTS = texts()


def test_the_scan_reads_the_app():
    cited = {c for _, t in TEXTS for c in paper.citations(t)}
    assert {"Theorem 20", "Corollary 23", "Theorem 10", "Proposition 29"} <= cited
    assert any(w.startswith("lessons/") for w, t in TEXTS if paper.citations(t))
    assert any(w.startswith("content/") for w, t in TEXTS if paper.citations(t))


def test_every_cited_result_is_in_the_table():
    unknown = sorted({(where, c) for where, t in TEXTS for c in paper.citations(t)
                      if c not in paper.RESULTS})
    assert not unknown, unknown


# What states a result exactly. The first result cited after such a phrase, in the same sentence,
# is what the sentence leans on: it must hold exactly (Theorem 10 and the exact optimum, Corollary
# 23, Theorem 20), not to first order (Theorem 14, Corollary 15, Theorem 19, Proposition 29).
EXACT_CLAIM = re.compile(r"\*is\* the base|\bis the base model|\bequals? the base|exactly the base|"
                         r"no more often|exactly (?:zero|0)\b|\bis exactly\b", re.I)


def exact_claims_citing_approximations(text: str) -> list[tuple[str, str]]:
    """(sentence, result) for each exact claim in ``text`` whose first citation is inexact."""
    bad = []
    for sentence in re.split(r"(?<=[.;!?])\s+|\n\s*\n", text):
        for claim in EXACT_CLAIM.finditer(sentence):
            after = paper.citations(sentence[claim.end():])
            if after and after[0] in paper.RESULTS and not paper.RESULTS[after[0]].exact:
                bad.append((sentence.strip()[:200], after[0]))
    return bad


def test_the_exact_claim_check_catches_the_old_sentences():
    # Two that were on screen in v0.8.0.
    old = ["Beyond t ≈ 15 Llama's KL stays flat: the shallow optimum of a tabular model would be "
           "exactly the base model there (Corollary 15).",
           "Beyond the horizon the standard optimum equals the base model (Corollary 15), so it "
           "recovers no more often."]
    assert all(exact_claims_citing_approximations(s) for s in old)
    fixed = ("It is at most √(c_F·Iₜ) (Theorem 13), and exactly zero for t > k (Theorem 10); "
             "KLₜ ≈ (η²/2)·Iₜ for small η (Theorem 14).")
    assert not exact_claims_citing_approximations(fixed)


def test_exact_claims_cite_exact_results():
    bad = [(where, s, c) for where, t in TEXTS for s, c in exact_claims_citing_approximations(t)]
    assert not bad, "\n".join(f"{w}: cites {c} for: {s}" for w, s, c in bad)


@pytest.mark.skipif(not SEED.exists(), reason="the paper's text lives in ../shared/seeds")
def test_names_and_titles_are_the_papers():
    headings = dict(re.findall(r"^((?:Definition|Proposition|Corollary|Theorem|Lemma|Remark) \d+) "
                               r"\((.+?)\)\.?$", SEED.read_text(encoding="utf-8"), flags=re.M))
    assert len(headings) >= 39  # every numbered result of the seed (it numbers Eq. 2 and the appendices apart)
    numbered = {n: r for n, r in paper.RESULTS.items() if n in headings}
    assert set(headings) <= set(paper.RESULTS), set(headings) - set(paper.RESULTS)
    for name, result in numbered.items():
        assert result.title == headings[name], name


def test_cite_refuses_what_the_paper_does_not_have():
    assert paper.cite("(Prop. 29)") == "Proposition 29"
    for bad in ("Theorem 99", "no citation", "Theorems 20 and 22"):
        with pytest.raises(KeyError):
            paper.cite(bad)
