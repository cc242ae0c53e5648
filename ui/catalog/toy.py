"""The toy-model figures (pages Harm horizon, Gradients, Shallow equilibrium, and the attack panel).

Each ``build`` repeats its page's data calls (cached in ``ui.data.toy``, so the page pays once);
the engine's ``ValueError`` for parameters it cannot do propagates to the caller.
"""

from __future__ import annotations

from ui.data import toy as data_toy
from ui.figures import linked, toy_attack, toy_deep, toy_equilibrium, toy_gradients, toy_horizon

from .spec import FigureSpec


def model_params(*extra: str):
    """Caption parameters: the chosen toy model, its own parameters, then ``extra``."""
    def names(v: dict) -> tuple[str, ...]:
        return ("toy_model", *data_toy.MODEL_PARAMS[int(v["toy_model"])], *extra)
    return names


def _paths(v):
    return toy_horizon.build_martingale_paths(data_toy.horizon(data_toy.spec(v), v["n_paths"], v["seed"]))


def _information(v):
    return toy_horizon.build_information(data_toy.horizon(data_toy.spec(v), 1, 0))


def _information_linked(v, built, start=None):
    d = data_toy.horizon(data_toy.spec(v), 1, 0)
    k, T = d["k"], len(d["t"])
    variance = d["variance"] if d["variance"] is not None else d["info_sum"]
    return linked.harm_information(built, k=k, k_num=d["k_num"], variance=variance,
                                   default=start or (k + 1 if k < T else 1),
                                   log=built.fig.layout.yaxis.type == "log")


def _norms(v):
    return toy_gradients.build_gradient_norms(data_toy.gradients(data_toy.spec(v)))


def _training_runs(v):
    s = data_toy.spec(v)
    steps = data_toy.train_steps(s, v["steps"])
    return tuple(data_toy.training(s, objective, "tabular", v["eta"], v["beta"], v["mu"],
                                   v["gamma"], steps, v["lr"]) for objective in ("standard", "deep"))


def _training(v):
    return toy_gradients.build_training(*_training_runs(v), mu=v["mu"], gamma=v["gamma"])


def _training_linked(v, fig, start=None):
    std, _ = _training_runs(v)
    k, T = std["k"], len(std["t"])
    return linked.training(fig, k=k, default=start or (k + 1 if k < T else 1))


def _standard(v):
    return data_toy.standard(data_toy.spec(v), v["eta"])


def _kl_info(v):
    return toy_equilibrium.build_kl_vs_information(_standard(v), eta=v["eta"])


def _kl_eta(v):
    return toy_equilibrium.build_kl_vs_eta(data_toy.eta_sweep(data_toy.spec(v)), eta=v["eta"])


def _shared_runs(v):
    s = data_toy.spec(v)
    steps = data_toy.train_steps(s, v["steps"])
    return tuple(data_toy.training(s, "standard", kind, v["eta"], 1.0, 0.0, 1.0, steps, v["lr"])
                 for kind in ("tabular", "shared"))


def _shared(v):
    return toy_equilibrium.build_shared_variant(*_shared_runs(v))


def _shared_linked(v, built, start=None):
    tab, _ = _shared_runs(v)
    k, T = tab["k"], len(tab["t"])
    return linked.shared_variant(built, k=k, default=start or (k + 1 if k < T else 1))


def _attack(v):
    d = data_toy.attack(data_toy.spec(v), v["L"], v["eta"], v["beta"], v["mu"], v["gamma"])
    if v["L"] >= d["T"]:
        raise ValueError(f"the attack covers all T = {d['T']} positions: nothing is left to recover")
    return toy_attack.build_attack_recovery(d, L=v["L"], mu=v["mu"], gamma=v["gamma"])


def _exact_deep(v):
    s = data_toy.spec({**v, "toy_model": 0})  # decay belongs to refuse-or-comply
    return toy_deep.build_exact_vs_per_prefix(data_toy.deep(s, v["eta"], v["beta"], v["mu"], v["gamma"]))


def _exact_deep_params(v: dict) -> tuple[str, ...]:
    return (*data_toy.MODEL_PARAMS[0], "eta", "beta", "mu", "gamma")


SPECS = [
    FigureSpec(
        "martingale_paths", "harm_horizon", "Sampled paths of the expected harm",
        r"$\text{Expected harm is a martingale: }h_t=\mathbb{E}[H\mid x_1\dots x_t]$",
        "Sampled responses of the toy model: the expected harm h_t after each position, from "
        "E[H] at t = 0 to the harm H at t = T; nothing moves after the horizon k (Theorem 9).",
        model_params("n_paths", "seed"), _paths),
    FigureSpec(
        "harm_information", "harm_horizon", "Harm information by position",
        r"$\text{Harm information }I_t=\mathbb{E}[\Delta_t^2]\text{, zero after the horizon }k$",
        "Harm information I_t at each position of the toy model and its running sum, which "
        "reaches Var H (Corollary 7).", model_params(), _information, view=1,
        linked=_information_linked),
    FigureSpec(
        "gradient_norms", "gradients", "Gradient norm by position",
        r"$\text{Gradient norm by position: }\|g_t\|\le\sqrt{I_t\,\mathbb{E}[\operatorname{tr}F_t]}\text{ (Theorem 13)}$",
        "Norm of the gradient g_t of the expected harm at each position of the toy model with "
        "Theorem 13's bound √(I_t·E[tr F_t]): zero beyond the harm horizon.", model_params(), _norms),
    FigureSpec(
        "training", "gradients", "Training: standard vs deep",
        r"$\text{Training on the toy model: standard }(\mu=0)\text{ vs deep}$",
        "Gradient-descent training on the toy model, standard (left) and deep (right): gradient "
        "norm (top) and KL_t (bottom) at each position after the last step, with the exact "
        "optimum's KL_t.", model_params("eta", "beta", "mu", "gamma", "steps", "lr"), _training, view=1,
        linked=_training_linked),
    FigureSpec(
        "kl_vs_information", "shallow_equilibrium", "Where the standard optimum spends its KL",
        r"$\text{Standard optimum: }\mathrm{KL}_t=\tfrac{\eta^2}{2}I_t+O(\eta^3)\text{ (Theorem 14, tabular)}$",
        "KL_t of the exact standard optimum at each position of the toy model against its "
        "leading term (η²/2)·I_t (Theorem 14 with the tabular identity gᵀF⁺g = I_t): both are "
        "zero beyond the horizon (Iₜ by Theorem 9; KLₜ because the exact optimum is the base "
        "model there, Theorem 10).", model_params("eta"), _kl_info),
    FigureSpec(
        "kl_vs_eta", "shallow_equilibrium", "Total KL of the standard optimum as η moves",
        r"$\text{Total KL of the standard optimum against }\eta=\lambda/\beta$",
        "Total KL of the exact standard optimum against the harm weight η, with the small-η "
        "approximation (η²/2)·Var H (Theorem 14 summed with Corollary 7).", model_params("eta"),
        _kl_eta, view=1),
    FigureSpec(
        "shared_variant", "shallow_equilibrium", "Shared parameters (Appendix A)",
        r"$\text{Shared parameters: incidental KL, untargeted (Proposition 26)}$",
        "After standard training with per-position or shared parameters: KL_t (top) and the "
        "change in expected harm caused at each position (bottom); shared parameters also move "
        "the positions beyond the horizon, but untargeted: no change in harm there, and late "
        "recovery may rise or fall (Appendix A).",
        model_params("eta", "steps", "lr"), _shared, view=2, linked=_shared_linked),
    FigureSpec(
        "toy_attack", "robustness", "Prefilling attack on the toy model",
        r"$\text{Recovery after a prefilling attack of }L\text{ harmful tokens}$",
        "Probability of a recovery token at each position after the first L tokens were forced "
        "harmful, for the base model, the standard optimum and the deep optimum.",
        model_params("L", "eta", "beta", "mu", "gamma"), _attack, view=2),
    FigureSpec(
        "exact_vs_per_prefix", "deep_alignment", "Exact optimum vs the per-prefix form (toy model)",
        r"$\text{Deep optimum on the toy model: exact on-policy vs per-prefix form}$",
        "On the refuse-or-comply toy model, the exact on-policy deep optimum against the paper's "
        "per-prefix form at each position, and per-prefix minus exact with Proposition 29 taking "
        "the base model's h_t (gap O(η)) or the optimum's own h_t (gap O(η²)); beyond the horizon "
        "both are Theorem 20.", _exact_deep_params, _exact_deep, view=4),
]
