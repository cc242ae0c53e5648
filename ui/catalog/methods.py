"""The Methods lab's figures: deepening methods trained on the toy model."""

from __future__ import annotations

from ui.data import methods as data_methods, toy as data_toy
from ui.figures import methods

from .spec import FigureSpec
from .toy import model_params

NAMES = dict(data_methods.METHODS)
COMPARE = ("eta", "beta", "mu", "gamma", "alpha_aug", "K_aug", "lam_teacher", "tau_d", "c_alpha",
           "c_rise", "top_k", "steps", "lr")
FINETUNE = ("eta", "steps", "lr", "ft_steps", "ft_lr", "qi_beta1", "qi_beta2_5",
            "qi_beta_late")
FIT = ("eta", "beta", "alpha_aug", "K_aug", "steps", "lr")


def _compare(v):
    return data_methods.compare(data_toy.spec(v), **{n: v[n] for n in COMPARE})


def _finetune(v):
    return data_methods.finetune(data_toy.spec(v), **{n: v[n] for n in FINETUNE})


def _fit(v):
    return data_methods.penalty_fit(data_toy.spec(v), **{n: v[n] for n in FIT})


SPECS = [
    FigureSpec(
        "methods_by_position", "methods", "Deepening methods by position",
        r"$\text{Deepening methods on the toy model: KL}_t\text{ and recovery by position}$",
        "Standard alignment, the paper's recovery penalty, Qi's recovery augmentation and Bach's "
        "targeted completion trained on the toy model: KL_t to the base model (top, log scale) "
        "and the on-policy recovery probability (bottom) with Theorem 20's r* beyond the horizon.",
        model_params(*COMPARE), lambda v: methods.build_by_position(_compare(v), NAMES)),
    FigureSpec(
        "methods_prefill", "methods", "Deepening methods under a prefilling attack",
        r"$\text{Deepening methods: recovery after }L\text{ prefilled harmful tokens}$",
        "Probability of a recovery token after the first L tokens are forced harmful, for each "
        "method trained on the toy model, for the recovery penalty's exact optimum (where its "
        "training is heading) and for the base model.", model_params(*COMPARE),
        lambda v: methods.build_prefill(_compare(v), NAMES)),
    FigureSpec(
        "methods_training", "methods", "Deepening methods during training",
        r"$\text{Deepening methods: expected harm and total KL during training}$",
        "Expected harm (top) and total KL to the base model (bottom, the capability cost) of each "
        "method against the training step.", model_params(*COMPARE),
        lambda v: methods.build_training(_compare(v), NAMES)),
    FigureSpec(
        "methods_finetune", "methods", "Fine-tuning attack against the token-wise constraint",
        r"$\text{Fine-tuning attack: plain vs token-wise constrained }(\beta_t)$",
        "Expected harm during a fine-tuning attack on harmful responses, from the standard-aligned "
        "toy model: plain fine-tuning, Qi's token-wise constrained loss with the chosen β_t, and "
        "the constraint with β₂…₅ at every position.",
        model_params(*FINETUNE), lambda v: methods.build_finetune(_finetune(v)), view=1),
    FigureSpec(
        "methods_finetune_positions", "methods", "Where the token-wise constraint acts",
        r"$\text{Token-wise constraint }\beta_t\text{ and where the attack moved }\pi(C)$",
        "The β_t schedule by position with the positions where a harmful response still decides "
        "the harm (top), and how far each attack loss raised log π(C | harmful prefix) (bottom).",
        model_params(*FINETUNE), lambda v: methods.build_finetune_positions(_finetune(v)), view=1),
    FigureSpec(
        "methods_penalty_fit", "methods", "The recovery penalty that matches augmentation",
        r"$\text{Recovery penalty }\mu\gamma^t\text{ fitted to recovery augmentation}$",
        "Recovery after L prefilled harmful tokens of the toy model trained with Qi's recovery "
        "augmentation, and of the exact deep optimum whose μ and γ fit it best (least squares), "
        "with the KL_t each spends.", model_params(*FIT),
        lambda v: methods.build_penalty_fit(_fit(v)), view=2),
    FigureSpec(
        "methods_base_favored", "methods", "Base-favored tokens on a harmful response",
        r"$\text{Base-favored tokens: }\log\pi_\mathrm{base}-\log\pi\text{ after a harmful prefix}$",
        "On the harmful path of the toy model, log π_base − log π for each token under the "
        "standard-aligned model (positive: base-favored, penalised by targeted completion) and "
        "under Bach's hybrid teacher.", model_params("eta", "lam_teacher", "top_k", "steps", "lr"),
        lambda v: methods.build_base_favored(_compare(v)), view=3),
]
