"""The Evidence page's figures: published measurements of real models beside the theory's fits.

They depend on no parameter (the data are published, the fits are computed once), so their
exports and share links are the same for every parameter set.
"""

from __future__ import annotations

from ui.data import evidence as data_evidence
from ui.figures import evidence as figures

from .spec import FigureSpec


def _kl(v):
    return figures.kl_evidence(data_evidence.kl_profiles())


def _attacks(v):
    return figures.attack_evidence(data_evidence.attack_curves())


def _augmentation(v):
    return figures.augmentation_evidence(data_evidence.augmentation_curves())


def _ridge(v):
    return figures.ridge_evidence(data_evidence.augmentation_curves())


SPECS = [
    FigureSpec(
        "evidence_kl", "evidence", "Per-token KL of real models with the theory's fits",
        r"$\text{Per-token KL(aligned}\,\|\,\text{base), Qi et al. 2025, with fitted profiles}$",
        "Published per-token KL between aligned and base models by response position (Qi et al. "
        "2025, Figures 1 and 4, read from the figures, ±0.1 nats), with the shallow equilibrium's "
        "profile (Theorem 14 plus an incidental floor κ) and the deep optimum's (Theorem 20) "
        "fitted to them, and the residuals in units of σ.", (), _kl,
        source_tex=r"$\text{Data: Qi et al. 2025 (arXiv 2406.05946), Figs. 1 and 4, read off: }\sigma = 0.1\text{ nats}$"),
    FigureSpec(
        "evidence_attacks", "evidence", "Prefilling-attack success of real models with toy-model fits",
        r"$\text{Prefilling-attack success vs prefilled tokens }L\text{, with toy-model fits}$",
        "Published attack success against the number of prefilled harmful tokens L (Qi et al. "
        "2025, Figure 2, ±2 points; and an independent reproduction), with the exact toy model's "
        "prefilling-attack curve fitted to them.", (), _attacks, view=1,
        source_tex=r"$\text{Data: Qi et al. 2025 (arXiv 2406.05946), Fig. 2, read off: }\sigma = 2\text{ points}$"),
    FigureSpec(
        "evidence_augmentation", "evidence", "Recovery augmentation against the deep optimum",
        r"$\text{Recovery augmentation (Qi et al. 2025, Table 2) and the toy's deep optimum}$",
        "Attack success of Llama-2-7B-Chat before and after recovery augmentation (Qi et al. 2025, "
        "Table 2, mean ± std over 3 runs) against prefilled tokens L, with the toy model's standard "
        "optimum and its deep optimum fitted to them (the data do not identify μ and γ apart: "
        "the ridge figure).", (), _augmentation, view=1,
        source_tex=r"$\text{Data: Qi et al. 2025 (arXiv 2406.05946), Table 2: mean} \pm \text{std, }n = 3\text{ runs}$"),
    FigureSpec(
        "evidence_ridge", "evidence", "Where the deep fit's μ and γ are not identified",
        r"$\text{Deep optimum fitted to Table 2: }\chi^2\text{ along }\mu\text{, }\gamma\text{ re-fitted}$",
        "The toy model's deep optimum fitted to Qi et al.'s Table 2 (after recovery augmentation): "
        "at each recovery penalty μ the discount γ is re-fitted, and the χ² that leaves is drawn "
        "against μ (top, log) with that γ (bottom). Where χ² stays at its minimum the data do "
        "not tell μ and γ apart: a ridge.", (), _ridge, view=1,
        source_tex=r"$\text{Data: Qi et al. 2025 (arXiv 2406.05946), Table 2: mean} \pm \text{std, }n = 3\text{ runs}$"),
]
