"""The paper's numbered results: the one table every citation on screen comes from.

R. Young (2026), "Why Is RLHF Alignment Shallow? A Gradient Analysis". Names and titles are the
paper's (seed 002); statements and conditions are the project's reconstruction
(``../shared/THEORY.md``, the seed lost its formulas). ``exact`` is False for the results that
hold only to first order (small η, small shift) or as a bound: a sentence that says "exactly"
must cite an exact one. ``tests/test_citations.py`` checks that every result cited by a page,
lesson, caption, alt text or docstring is in this table.

>>> RESULTS["Theorem 10"].title
'Zero Gradient Beyond Horizon'
>>> cite("Cor. 23")
'Corollary 23'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Result", "RESULTS", "CITATION", "cite", "citations", "normalise"]


@dataclass(frozen=True)
class Result:
    """One numbered result of the paper.

    Attributes
    ----------
    name : str
        How the paper numbers it, e.g. ``"Theorem 20"``.
    title : str
        The paper's title for it.
    statement : str
        What it says, in words (the project's reconstruction).
    conditions : str
        When it holds; empty for a definition.
    exact : bool
        True when the statement is exact under its conditions; False for a first-order
        approximation or an inequality used as an approximation.
    """

    name: str
    title: str
    statement: str
    conditions: str = ""
    exact: bool = True


def _table(*rows: tuple) -> dict[str, Result]:
    table = {}
    for row in rows:
        result = Result(*row)
        assert result.name not in table, result.name
        table[result.name] = result
    return table


RESULTS: dict[str, Result] = _table(
    ("Eq. 2", "Alignment objective",
     "Standard alignment minimises λ·E_π[H] + β·KL(π ‖ π_base); only η = λ/β matters.",
     "The paper writes the KL weight as 1."),
    ("Definition 1", "Conditional Expected Harm",
     "h_t(x_≤t) = E[H | x_≤t], the expected harm given the response so far."),
    ("Proposition 2", "Martingale Property", "(h_t) is a martingale: E[h_t | x_<t] = h_{t−1}.",
     "Under a fixed model (the base model unless said otherwise)."),
    ("Definition 3", "Harm Innovation", "Δ_t = h_t − h_{t−1}, the change in expected harm at position t."),
    ("Proposition 4", "Doob Decomposition",
     "H = h_0 + Σ_t Δ_t with orthogonal innovations, E[Δ_s Δ_t] = 0 for s ≠ t."),
    ("Definition 5", "Harm Information", "I_t = E[Δ_t²], the harm information at position t."),
    ("Proposition 6", "Variance Reduction Characterization",
     "I_t = E[Var(h_t | x_<t)], the expected reduction in the variance of harm at position t."),
    ("Corollary 7", "Variance Decomposition", "Σ_t I_t = Var H."),
    ("Remark 1", "Information-Theoretic Interpretation",
     "With a variance-based conditional information, Σ_t I_t = Var H reads as a chain rule."),
    ("Theorem 8", "Gradient Characterization",
     "g_t = E[Cov(h_t, ∇ log π(x_t | x_<t) | x_<t)]: the gradient of E[H] at position t is a "
     "covariance of expected harm with the score.",
     "Per-position parameters θ_t."),
    ("Remark 2", "Intuition",
     "The gradient at position t is weak when every token leads to a similar expected harm."),
    ("Theorem 9", "Harm Horizon Characterization",
     "I_t = 0 for all t > k if and only if H is a function of x_≤k; the smallest such k is the "
     "harm horizon."),
    ("Theorem 10", "Zero Gradient Beyond Horizon",
     "g_t = 0 exactly for every position t beyond the harm horizon k.", "t > k."),
    ("Remark 3", "Why Alignment is Shallow",
     "When harm is decided early (whether the response opens with a refusal), positions beyond "
     "the horizon get no gradient, alignment pressure concentrates on early positions and later "
     "positions stay at the base model.", "Per-position parameters, t > k."),
    ("Definition 11", "Conditional Fisher Information",
     "F_t(x_<t) = E[∇ log π ∇ log πᵀ | x_<t]; its average over prefixes is F_t."),
    ("Lemma 12", "Pointwise Cauchy-Schwarz Bound",
     "‖g_t(x_<t)‖ ≤ √(Var(h_t | x_<t) · tr F_t(x_<t)) for each prefix.", "", False),
    ("Theorem 13", "Gradient Bound",
     "‖g_t‖ ≤ √(I_t · E[tr F_t]); if tr F_t ≤ c_F everywhere, ‖g_t‖ ≤ √(c_F · I_t).", "", False),
    ("Remark 4", "Qualitative Conclusion", "Gradient magnitude scales with the square root of harm information."),
    ("Remark 5", "Tightness", "Lemma 12 is tight when the score is proportional to the harm innovation."),
    ("Theorem 14", "Equilibrium Characterization",
     "KL_t = (η²/2)·g_tᵀF_t⁻¹g_t + O(η³) at the optimum; for the tabular softmax model "
     "g_tᵀF_t⁺g_t = I_t, so KL_t = (η²/2)·I_t + O(η³).",
     "Small η; an exponential family with one parameter vector per position (the identity with "
     "I_t is the tabular case).", False),
    ("Corollary 15", "KL Tracks Harm Information",
     "Positions with I_t ≈ 0 have KL_t ≈ 0: they stay close to the base model.",
     "As Theorem 14: small η, per-position parameters.", False),
    ("Definition 16", "Recovery Tokens and Failure",
     "R, the recovery tokens; recovery failure at position t is 1 − π(R | x_<t)."),
    ("Definition 17", "Deep Alignment Objective",
     "J_deep = J_std + μ·Σ_t γ^t·E_{x_<t∼𝒟_adv}[1 − π(R | x_<t)].",
     "𝒟_adv a distribution of adversarial prefixes; μ ≥ 0, 0 ≤ γ ≤ 1."),
    ("Definition 18", "Recovery Information", "J_t = E[p_t(1 − p_t)] with p_t = π_base(R | x_<t)."),
    ("Theorem 19", "Deep Equilibrium",
     "For small shifts, KL_t ≈ (η²/2)·I_t + (a_t²/2)·J_t; beyond the horizon KL_t ≈ (a_t²/2)·J_t.",
     "Small η and small a_t = μγ^t/β; per-position parameters.", False),
    ("Theorem 20", "Exact Recovery Probability",
     "Beyond the horizon the optimum is the Gibbs tilt of the base model: recovery "
     "r* = σ(logit p + a_t) with a_t = μγ^t/β, KL cost KL* = a_t·r* − log(1 − p + p·e^{a_t}).",
     "t > k, per prefix, 0 < p < 1 (p = 0: no recovery for any finite μ)."),
    ("Definition 21", "Recoverability",
     "δ-recoverable at depth T: recovery ≥ δ at every position up to T after 𝒟_adv-almost every prefix."),
    ("Theorem 22", "Robustness Guarantee",
     "If p_t ≥ p_min beyond the horizon, the deep optimum is δ-recoverable at depth T with "
     "δ = σ(logit p_min + μγ^T/β); its recovery KL beyond the horizon is at most "
     "Σ_t min(μγ^t/β, log(1/p_min)).",
     "p_t ≥ p_min for k < t ≤ T; 0 ≤ γ ≤ 1; importance weight w ≥ 1."),
    ("Corollary 23", "Prefilling Attack Resistance",
     "Under standard alignment a prefix covering the horizon leaves no recovery beyond the base "
     "model's; under deep alignment recovery stays ≥ δ up to position τ, and the shortest prefix "
     "that suppresses it is L* = max(k, ⌊τ⌋), τ = ln(μ/(βℓ))/ln(1/γ), ℓ = logit δ − logit p_min.",
     "0 < γ < 1 for the formula; γ = 1 with μ/β ≥ ℓ, or δ ≤ p_min: no finite prefix suffices."),
    ("Lemma 24", "Fisher–Hessian Identity",
     "The Hessian of the per-position KL at the base model is the Fisher information.",
     "Any smooth parameterisation."),
    ("Proposition 25", "Shared-Parameter Equilibrium",
     "With shared parameters the first-order condition couples all positions.", "Small η.", False),
    ("Proposition 26", "Incidental Change is Safety-Irrelevant",
     "Beyond the horizon the incidental change of shared parameters is uncorrelated with "
     "expected harm: untargeted, not zero.", "t > k."),
    ("Theorem 27", "Shared-Parameter Equilibrium",
     "With shared parameters KL_t beyond the horizon may be nonzero, but that change is "
     "uncorrelated with harm; with per-position parameters it reduces to Theorem 14.",
     "Small η; smooth parameterisation.", False),
    ("Lemma 28", "Recovery Gradient Bound", "The recovery gradient is bounded by √(J_t · E[tr F_t]).",
     "", False),
    ("Remark 6", "Aggregate recovery KL",
     "For γ < 1 the total recovery KL beyond the horizon scales like Σ_t γ^{2t}, which diverges "
     "as γ → 1: depth costs capability.", "Small shifts (Theorem 19).", False),
    ("Remark 7", "Non-degeneracy of recovery gradient",
     "J_t > 0 whenever some prefix has 0 < p_t < 1; generically the recovery gradient is then nonzero."),
    ("Remark 8", "Interpretation",
     "The penalty is an additive shift in log-odds; it needs p > 0: if the base model never "
     "emits a recovery token after a prefix, no finite μ creates recovery there."),
    ("Remark 9", "Importance weighting",
     "When 𝒟_adv differs from π, the shift is multiplied by w = 𝒟_adv(x_<t)/π(x_<t)."),
    ("Proposition 29", "Within-Horizon Solution",
     "Within the horizon q*(v) ∝ π_base(v | x_<t)·exp(−η·h_t(x_<t, v) + a_t·1[v ∈ R]): the harm "
     "tilt and the recovery tilt reinforce or compete.",
     "t ≤ k; first order in η (the exact optimum is a backward pass).", False),
    ("Remark 10", "Softmax models",
     "A softmax base model has p > 0, but p may be exponentially small deep in harmful text: "
     "recovery ≥ δ then needs μγ^t/β ≥ logit δ − logit p ≈ log(1/p)."),
    ("Appendix A", "Relaxing the Exponential Family Assumption",
     "With parameters shared across positions, later positions change too (incidental KL), "
     "untargeted by the objective (Proposition 26)."),
    ("Appendix B", "Proofs and Supplementary Results for Deep Alignment",
     "Proofs of Theorems 19, 20, 22 and Corollary 23; Proposition 29 and Remarks 6-10."),
)

# A citation as written on screen: the kind (or its abbreviation) and the number, or a plural
# kind and a list ("Theorems 9, 14 and 20").
CITATION = re.compile(r"\b(Theorems?|Thm\.?|Corollar(?:y|ies)|Cor\.?|Propositions?|Prop\.?|Lemmas?|"
                      r"Remarks?|Definitions?|Def\.?|Appendix|Eq\.)\s?"
                      r"((?:\d+|[AB])(?:\s*(?:,|and|&)\s*\d+)*)\b")
_FULL = {"Thm": "Theorem", "Cor": "Corollary", "Prop": "Proposition", "Def": "Definition",
         "Theorems": "Theorem", "Corollaries": "Corollary", "Propositions": "Proposition",
         "Lemmas": "Lemma", "Remarks": "Remark", "Definitions": "Definition"}


def normalise(kind: str, number: str) -> str:
    """``("Cor.", "23")`` → ``"Corollary 23"``: the table's key for a citation as written."""
    kind = kind if kind == "Eq." else kind.rstrip(".")
    return f"{_FULL.get(kind, kind)} {number}"


def citations(text: str) -> list[str]:
    """Every result ``text`` cites, as the table names them, in order (lists expanded).

    >>> citations("Theorems 9, 14 and 20; Cor. 23 (Thm 22)")
    ['Theorem 9', 'Theorem 14', 'Theorem 20', 'Corollary 23', 'Theorem 22']
    """
    found = []
    for kind, numbers in CITATION.findall(text):
        for number in re.findall(r"\d+|[AB]", numbers):
            found.append(normalise(kind, number))
    return found


def cite(text: str) -> str:
    """The table's name of the one result cited in ``text`` (e.g. ``"Prop. 29"``).

    Raises
    ------
    KeyError
        If ``text`` cites no result, several, or one the paper does not have.
    """
    found = citations(text)
    if len(found) != 1 or found[0] not in RESULTS:
        raise KeyError(f"{text!r} cites {found or 'nothing'}; the table has {sorted(RESULTS)}")
    return found[0]
