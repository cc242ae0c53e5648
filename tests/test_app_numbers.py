"""The numbers the theory turns on are on screen as numbers (AppTest)."""

from __future__ import annotations

import math

import theory
from scipy.special import logit
from test_app_controls import open_page
from ui.state import nav
from ui.text.latex import num

ROBUST = nav.BY_NAME["robustness"].path
ATTACK_TAB = "1"


def latex(at) -> str:
    return "\n".join(e.value for e in at.latex)


def test_gap_tau_and_attack_length_beside_their_formulas():
    at = open_page(ROBUST, {"view": ATTACK_TAB, "mu": "50", "k": "3"})
    shown = latex(at)
    gap = logit(0.5) - logit(0.01)
    tau = theory.attack_threshold(0.5, 0.01, 50.0, 1.0, 0.9)
    assert f"={num(gap)}" in shown and f"={num(tau)}" in shown
    assert f"={theory.min_attack_length(0.5, 0.01, 50.0, 1.0, 0.9, 3)}" in shown


def test_doubling_mu_adds_ln2_over_ln_inverse_gamma():
    at = open_page(ROBUST, {"view": ATTACK_TAB, "mu": "50", "k": "3"})
    shown = latex(at)
    assert f"={num(math.log(2) / math.log(1 / 0.9))}" in shown  # 6.579 positions
    assert f"L^*(2\\mu)={theory.min_attack_length(0.5, 0.01, 100.0, 1.0, 0.9, 3)}" in shown


def test_uniform_gamma_condition_is_a_live_comparison():
    at = open_page(ROBUST, {"view": ATTACK_TAB, "gamma": "1", "mu": "10"})
    assert r"\mu/\beta=10\ \ge\ \ell=4.595" in latex(at)
    at = open_page(ROBUST, {"view": ATTACK_TAB, "gamma": "1", "mu": "3"})
    assert r"\mu/\beta=3\ <\ \ell=4.595" in latex(at)
