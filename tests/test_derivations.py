"""The sympy derivations: each result equals the numeric core; LaTeX comes from sympy."""

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
    assert d.result_latex == sp.latex(d.result) or "\\sigma" in d.result_latex or "\\Delta" in d.result_latex
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
