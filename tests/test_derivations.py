"""The sympy derivations: each result equals the numeric core; LaTeX comes from sympy."""

import re

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

import theory
from theory import derivations


@pytest.mark.parametrize("key", derivations.names())
def test_lambdified_result_equals_numeric_core(key):
    check = derivations.get(key).check(n_points=2000, seed=7)
    assert check.n_points == 2000
    assert check.max_rel_error < 1e-10, check


@pytest.mark.parametrize("key", derivations.names())
def test_steps_are_latex_from_sympy(key):
    d = derivations.get(key)
    assert len(d.steps) >= 2
    assert d.result_latex == sp.latex(d.result) or "\\sigma" in d.result_latex or "\\ell" in d.result_latex
    tex = derivations.to_tex(key)
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    assert tex.count("\\[") == tex.count("\\]") == len(d.steps)


def test_theorem_20_chain_has_the_five_stages():
    titles = " | ".join(s.title for s in derivations.get("recovery_probability").steps)
    for stage in ("Lagrangian", "Stationarity", "Gibbs form", "Normalisation", "sigmoid"):
        assert stage in titles


def test_derivation_is_cached_and_unknown_key_is_clear():
    assert derivations.get("recovery_kl") is derivations.get("recovery_kl")
    with pytest.raises(ValueError, match="unknown derivation"):
        derivations.get("nope")


def test_symbolic_kl_at_high_precision_equals_core_at_extremes():
    # The sympy expression evaluated by mpmath at 80 digits is an exact reference where the
    # naive float formula would cancel; the core must agree there too.
    d = derivations.get("recovery_kl")
    f = sp.lambdify([sp.Symbol(n, positive=True) for n in d.arguments], d.result, modules="mpmath")
    cases = [(1e-250, 1e-3, 1.0, 1.0, 0, 1.0), (0.5, 1e-9, 1.0, 1.0, 0, 1.0), (1 - 1e-12, 3.0, 1.0, 0.9, 5, 1.0),
             (1e-30, 2e5, 0.2, 1.0, 0, 1.0), (0.3, 1.0, 1.0, 0.5, 40, 1.0)]
    with mp.workdps(80):
        for args in cases:
            want = float(f(*[mp.mpf(x) for x in args]))
            assert theory.recovery_kl(*args) == pytest.approx(want, rel=1e-11)


def test_solved_threshold_reproduces_integer_attack_length():
    d = derivations.get("attack_threshold")
    tau = d.numeric(0.5, 0.01, 100.0, 1.0, 0.9)
    assert int(np.floor(tau)) == theory.min_attack_length(0.5, 0.01, 100.0, 1.0, 0.9)


# Control sequences the Derivations page may hand to KaTeX (step and result LaTeX, and the $…$
# in step titles). Built from what the derivations emit; every one is a KaTeX built-in.
KATEX_MACROS = {
    r"\left", r"\right", r"\le", r"\leq", r"\ge", r"\geq", r"\sum", r"\frac", r"\log",
    r"\operatorname", r"\mathrm", r"\mathbf", r"\mathcal", r"\text", r"\sigma", r"\mu", r"\beta",
    r"\gamma", r"\nu", r"\tau", r"\delta", r"\Delta", r"\ell", r"\pi", r"\rho", r"\partial", r"\lfloor",
    r"\rfloor", r"\max", r"\min", r"\Rightarrow", r"\quad", r"\qquad", r"\in", r"\setminus",
    r"\begin", r"\end",
}
# The .tex file is a whole document: these frame the math and never reach KaTeX.
DOCUMENT_MACROS = {r"\documentclass", r"\usepackage", r"\section", r"\item"}
CONTROL_SEQUENCE = re.compile(r"\\[A-Za-z]+")


def braces_balance(latex: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", latex):  # \{ and \} are literal braces
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("key", derivations.names())
def test_every_control_sequence_is_one_katex_knows(key):
    d = derivations.get(key)
    shown = [s.latex for s in d.steps] + [s.title for s in d.steps] + [d.result_latex]
    for latex in shown:
        unknown = set(CONTROL_SEQUENCE.findall(latex)) - KATEX_MACROS
        assert not unknown, (unknown, latex)
    unknown = set(CONTROL_SEQUENCE.findall(derivations.to_tex(key))) - KATEX_MACROS - DOCUMENT_MACROS
    assert not unknown, unknown
    assert r"\lek" not in KATEX_MACROS  # the bug this guards: "=" of "t=k+1" turned into "\le"


@pytest.mark.parametrize("key", derivations.names())
def test_braces_and_delimiters_balance_in_every_step(key):
    d = derivations.get(key)
    for latex in [s.latex for s in d.steps] + [d.result_latex]:
        assert braces_balance(latex), latex
        assert latex.count(r"\left") == latex.count(r"\right"), latex


def test_total_kl_bound_is_an_inequality_with_its_sum_intact():
    steps = derivations.get("total_kl_tail").steps
    for step in steps:  # the statement and its closed form: the sum over t = k+1..T stays whole
        assert step.latex.split(r" \leq ")[0] in (step.latex, r"\sum_{t=k + 1}^{T} {\mathrm{KL}^*}_{t}")
    assert steps[-1].latex.startswith(r"\sum_{t=k + 1}^{T} {\mathrm{KL}^*}_{t} \leq ")


def test_lagrange_multiplier_is_nu_not_the_harm_weight_lambda():
    for key in derivations.names():
        d = derivations.get(key)
        for step in d.steps:
            assert r"\lambda" not in step.latex + step.title, step
    gibbs = derivations.get("recovery_probability").steps
    assert r"\nu" in gibbs[0].latex and r"e^{1+\nu/\beta}" in gibbs[3].title


# What may join the printed expressions of a derived step: relation signs and spacing.
GLUE = re.compile(r"\\;|\\quad|\\qquad|\\Rightarrow|\\left\[|\\right\]|[\s=,\-0]")


@pytest.mark.parametrize("key", derivations.names())
def test_derived_steps_are_sympys_output_and_the_others_say_stated(key):
    d = derivations.get(key)
    assert any(s.derived for s in d.steps)
    for step in d.steps:
        if step.derived:
            assert step.exprs, step
            rest = step.latex
            for expr in step.exprs:
                printed = sp.latex(expr)
                assert printed in rest, (printed, step.latex)
                rest = rest.replace(printed, "", 1)
            assert not GLUE.sub("", rest), (rest, step.latex)  # nothing typed in besides the glue
        for expr in step.exprs:
            assert isinstance(expr, sp.Basic)
    tex = derivations.to_tex(key)
    assert tex.count("(derived)") == sum(s.derived for s in d.steps)
    assert tex.count("(stated)") == sum(not s.derived for s in d.steps)


def test_hand_written_steps_are_marked_stated():
    bound = derivations.get("recoverability_bound").steps
    assert r"\min_{k<t\le T" in bound[0].latex and not bound[0].derived
    attack = derivations.get("attack_threshold").steps
    (prefix,) = [s for s in attack if "L^{*}" in s.latex]
    assert prefix.derived and r"\max\left(k, \left\lfloor{\tau}\right\rfloor\right)" in prefix.latex
    (first,) = [s for s in attack if s.latex.startswith("t^{*}")]
    assert not first.derived  # the first integer beyond tau and the horizon: the app's reasoning


def test_paper_references_say_what_the_paper_has_and_what_the_app_adds():
    assert derivations.get("required_penalty").paper_ref == r"Theorem 22, solved for $\mu$"
    assert derivations.get("total_kl_tail").paper_ref == "Theorem 22 (bound summed in closed form)"
    assert derivations.get("attack_threshold").paper_ref == "Corollary 23"
    titles = " ".join(s.title for s in derivations.get("attack_threshold").steps)
    assert "refinement of Corollary 23" in titles and "horizon" in titles and "one shorter" in titles


@pytest.mark.parametrize("key", derivations.names())
def test_the_log_odds_gap_is_defined_before_it_is_used(key):
    steps = derivations.get(key).steps
    uses = [i for i, s in enumerate(steps) if r"\ell" in s.latex]
    if uses:
        defined = " ".join(s.title for s in steps[: uses[0] + 1])
        assert r"\ell = \operatorname{logit}\delta - \operatorname{logit}p_{\min}" in defined
    assert not any(r"\Delta" in s.latex for s in steps)  # Delta_t is the harm innovation


def test_the_page_labels_every_step_derived_or_stated():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60)
    at.switch_page("views/10_derivations.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [m.value for m in at.markdown]
    expected = [f"**Step {i} ({s.kind}).** {s.title}"
                for key in derivations.names() for i, s in enumerate(derivations.get(key).steps, start=1)]
    assert [m for m in shown if m.startswith("**Step ")] == expected
    assert any(m.startswith("**Step 1 (stated).** Lagrangian") for m in shown)
    assert any(m.startswith("**Step 2 (derived).** Stationarity") for m in shown)
    intro = next(m for m in shown if "Steps marked" in m)
    assert "*derived*" in intro and "*stated*" in intro and "not typed in" not in intro
    assert not any(r"\lek" in formula.value for formula in at.latex)
