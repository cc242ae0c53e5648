"""Corollary 23 with the current values substituted: the lines the Overview and the Robustness page
both show, so the two pages can never disagree about L*.

Numbers come from ``theory`` (``attack_threshold``, ``min_attack_length``); this module only says
which case of Corollary 23 applies and writes it as LaTeX and words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import logit

import theory
from ui.text.latex import num, num_floor


@dataclass(frozen=True)
class AttackReadout:
    gap: float  # ℓ = logit δ − logit p_min (inf when p_min = 0)
    tau: float  # Corollary 23's threshold position (±inf in the special cases)
    length: float  # L* = max(k, ⌊τ⌋), inf when no finite prefix suffices
    case: str  # which case of Corollary 23, in words
    latex: tuple[str, ...]  # the formulas with the values substituted


def attack(delta: float, p: float, mu: float, beta: float, gamma: float, k: int) -> AttackReadout:
    """ℓ, τ and L* for the current values, with the case that decides them (Corollary 23)."""
    with np.errstate(divide="ignore"):
        gap = float(logit(delta) - logit(p))
    tau = float(theory.attack_threshold(delta, p, mu, beta, gamma))
    length = theory.min_attack_length(delta, p, mu, beta, gamma, k)
    gap_line = rf"\ell=\operatorname{{logit}}\delta-\operatorname{{logit}}p_{{\min}}={num(gap)}"
    rule = r"L^*=\max\!\big(k,\lfloor\tau\rfloor\big)"
    if gap <= 0:
        case = (f"δ = {delta:g} ≤ p_min = {p:g}: the base model already recovers that often, so "
                "recovery never falls below δ and no attack length suffices (L* = ∞).")
        lines = (gap_line + r"\le 0", r"L^*=\infty")
    elif p == 0:
        case = ("p_min = 0: the base model never recovers, and no finite μ creates recovery "
                "(Remark 8), so covering the horizon is enough: L* = k.")
        lines = (r"p_{\min}=0\ \Rightarrow\ \ell=\infty,\ \tau=-\infty", rf"{rule}={k}")
    elif mu == 0:
        case = "μ = 0 (standard alignment): nothing lifts recovery beyond the horizon, so L* = k."
        lines = (gap_line, rf"\mu=0\ \Rightarrow\ \tau=-\infty,\quad {rule}={k}")
    elif gamma == 1:
        if math.isinf(length):
            case = (f"γ = 1 and μ/β = {mu / beta:.4g} ≥ ℓ = {gap:.4g}: recovery stays at least δ "
                    "at every depth, so no finite prefix suffices (L* = ∞).")
            lines = (gap_line, rf"\gamma=1,\ \mu/\beta={num(mu / beta)}\ge\ell\ \Rightarrow\ L^*=\infty")
        else:
            case = (f"γ = 1 and μ/β = {mu / beta:.4g} < ℓ = {gap:.4g}: recovery is below δ at "
                    "every position, so covering the horizon is enough: L* = k.")
            lines = (gap_line, rf"\gamma=1,\ \mu/\beta={num(mu / beta)}<\ell\ \Rightarrow\ L^*=k={k}")
    elif gamma == 0:
        case = "γ = 0: the penalty weight μγᵗ is 0 at every position t ≥ 1, so L* = k."
        lines = (gap_line, rf"\gamma=0\ \Rightarrow\ {rule}={k}")
    else:
        case = (f"0 < γ < 1: recovery at position t is below δ exactly when t > τ; the prefix must "
                f"also cover the horizon k = {k}.")
        lines = (
            gap_line,
            rf"\tau=\frac{{\ln\!\big(\mu/(\beta\ell)\big)}}{{\ln(1/\gamma)}}"
            rf"=\frac{{\ln\!\big({num(mu)}/({num(beta)}\cdot{num(gap)})\big)}}{{\ln(1/{num(gamma)})}}"
            rf"={num_floor(tau)}",
            rf"{rule}=\max\!\big({k},\lfloor{num_floor(tau)}\rfloor\big)={num(length)}",
        )
    return AttackReadout(gap, tau, float(length), case, lines)


@dataclass(frozen=True)
class Doubling:
    extra: float  # ln 2 / ln(1/γ): how far τ moves when μ doubles (0 < γ < 1, τ finite), else nan
    length: float  # L* at 2μ
    latex: str
    sentence: str  # what doubling μ does here, in words


def doubling(delta: float, p: float, mu: float, beta: float, gamma: float, k: int) -> Doubling:
    """What doubling μ does to L*: for 0 < γ < 1 and a finite τ, τ moves ln 2 / ln(1/γ)
    positions (Corollary 23); where τ is ±∞ or γ is 0 or 1, doubling μ does not move τ."""
    now = float(theory.min_attack_length(delta, p, mu, beta, gamma, k))
    length = float(theory.min_attack_length(delta, p, 2 * mu, beta, gamma, k))
    tau = float(theory.attack_threshold(delta, p, mu, beta, gamma))
    tau_2 = float(theory.attack_threshold(delta, p, 2 * mu, beta, gamma))
    change = rf"L^*(2\mu)={num(length)}\ \ (\text{{now }}{num(now)})"
    if 0 < gamma < 1 and math.isfinite(tau):
        extra = math.log(2.0) / -math.log(gamma)
        # Two lines: side by side they overflow the page's text column.
        return Doubling(extra, length, rf"\begin{{gathered}}\tau(2\mu)-\tau(\mu)="
                                       rf"\frac{{\ln 2}}{{\ln(1/\gamma)}}={num(extra)}\\ "
                                       + change + r"\end{gathered}",
                        f"**Doubling μ** moves τ by ln 2 / ln(1/γ) = {extra:.4g} positions: "
                        "logarithmic in μ.")
    if tau != tau_2:  # γ = 1 with μ/β < ℓ ≤ 2μ/β: the only jump
        return Doubling(math.nan, length, change,
                        "**Doubling μ** turns τ from −∞ to ∞ here: with γ = 1 the shift μ/β is the "
                        "same at every position, and 2μ/β reaches ℓ, so no finite prefill works "
                        "any more (L* = ∞).")
    if mu == 0:
        why = "with μ = 0 there is no penalty to double, τ = −∞"
    elif p == 0:
        why = "with p_min = 0 no finite μ creates recovery, τ = −∞ (Remark 8)"
    elif tau == math.inf and gamma != 1:
        why = "with δ ≤ p_min recovery never falls below δ, τ = ∞"
    elif gamma == 1:
        why = ("with γ = 1 the shift μ/β is the same at every position, and 2μ/β is still "
               + ("at least ℓ, so no finite prefill works (τ = ∞)" if tau == math.inf else
                  "below ℓ, so covering the horizon is still enough (τ = −∞)"))
    else:
        why = "with γ = 0 the penalty is gone from t = 1, so doubling it changes nothing"
    return Doubling(math.nan, length, change, f"**Doubling μ** does not move τ here: {why}.")
