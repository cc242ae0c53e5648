"""Cached runs of the Methods lab: each deepening method trained on the toy model.

Every function takes the toy model's spec (``ui.data.toy.spec``) and plain numbers, so
``st.cache_data`` keys it on exactly what is on screen, and returns a dict of numpy arrays and
floats; the math is in :mod:`theory.toy.methods`. The engine's ``ValueError`` (e.g. a hybrid
teacher needs every base probability positive) propagates: pages catch it with
``ui.data.toy.attempt``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import theory
from theory.toy import methods as M
from ui.state import params as P

from . import budget, toy as data_toy

# (key, legend name): the order of every figure and table of the page
METHODS = (
    ("standard", "standard (Eq. 2)"),
    ("deep", "recovery penalty μγᵗ (paper)"),
    ("augmentation", "augmentation (Qi)"),
    ("completion", "targeted completion (Bach)"),
)


def _cache(fn):
    return st.cache_data(max_entries=32, show_spinner=False)(fn)


def _run(run: M.MethodRun) -> dict:
    numbers = (run.expected_harm, run.total_kl, run.kl, run.recovery, run.prefill_recovery)
    if not all(np.isfinite(x).all() for x in numbers):
        raise ValueError(f"training diverged at learning rate {run.params['lr']:g}: lower the "
                         "learning rate")
    return {"steps": run.steps, "harm": run.expected_harm, "total_kl": run.total_kl,
            "kl": run.kl, "recovery": run.recovery, "prefill": run.prefill_recovery,
            "objective": run.objective_value, "trained": run.training_steps}


def effective_counts(T: int, K_aug: int, top_k: int, n_tokens: int = 3) -> tuple[int, int]:
    """Qi's K and Bach's top-K as used on a toy of length T: at most T - 1 prefix lengths, at
    most the toy's tokens."""
    return max(0, min(int(K_aug), T - 1)), max(1, min(int(top_k), n_tokens))


def settings(v: dict) -> dict:
    """The method parameters of the values ``v`` (the keyword arguments of :func:`compare`)."""
    return {name: v[name] for name in ("eta", "beta", "mu", "gamma", "alpha_aug", "K_aug",
                                       "lam_teacher", "tau_d", "c_alpha", "c_rise", "top_k",
                                       "steps", "lr")}


# What each tab computes, for ui.data.budget: the four methods of the first tab train together (three
# objectives on J_std, Bach's completion a little dearer), beside the deep objective's exact
# optimum and three passes of prefill recoveries; the fine-tuning tab reruns the standard
# alignment and then three attacks; the fit tab trains augmentation and fits the penalty.
_COMPARE = {"per_step": {"step": 3, "completion_step": 1}, "fixed": {"deep": 1, "exact": 3}}


def train_steps(s: tuple, steps: int) -> int:
    """Steps each method trains on the model ``s``: as many of ``steps`` as fit in a request
    (never fewer than min(steps, MIN_STEPS): then :func:`compare` refuses, saying why)."""
    fit = budget.steps_that_fit(*data_toy.size(s), steps, allowance=budget.TAB_SECONDS,
                                **_COMPARE)
    return max(fit, min(int(steps), budget.MIN_STEPS))


def finetune_steps(s: tuple, steps: int, ft_steps: int) -> int:
    """Steps of each fine-tuning attack after the alignment run of ``train_steps`` steps."""
    fit = budget.steps_that_fit(*data_toy.size(s), ft_steps, {"step": 3},
                                {"step": train_steps(s, steps)}, budget.TAB_SECONDS)
    return max(fit, min(int(ft_steps), budget.MIN_STEPS))


def _require(s: tuple, what: str, work) -> None:
    """Refuse the tab if ``work(spec)`` ({kind: count}) does not fit in a request."""
    cost = lambda x: budget.seconds(*data_toy.size(x), work(x))  # noqa: E731
    budget.require(what, cost(s), budget.TAB_SECONDS,
                   lambda: data_toy.advice(s, lambda x: cost(x) <= budget.TAB_SECONDS))


def _compare_work(steps):
    def work(x):
        n = train_steps(x, steps)
        return {k: c * n for k, c in _COMPARE["per_step"].items()} | _COMPARE["fixed"]
    return work


# Every objective built on J_std is trained KL-normalised (divided by beta: KL weight 1, harm
# weight eta, penalty mu/beta, augmentation weight alpha_aug/beta), as the toy pages do: the same
# optimum, and a step size that does not grow with beta (at beta = 1e4 the unnormalised descent
# overflowed). Bach's J_Bach has no beta and is trained as written.
def _standard_run(model, eta, steps, lr, every):
    return M.train_standard(model, lam=eta, beta=1.0, steps=steps, lr=lr, record_every=every)


@_cache
def compare(s: tuple, *, eta, beta, mu, gamma, alpha_aug, K_aug, lam_teacher, tau_d, c_alpha,
            c_rise, top_k, steps, lr) -> dict:
    """The four methods side by side (standard, deep, augmentation from the base model; Bach's
    targeted completion from the trained standard policy), the base model's prefill recovery,
    and Theorem 20's r* beyond the horizon where it applies (one base recovery probability in
    every state)."""
    _require(s, "training the four methods", _compare_work(steps))
    model = data_toy.build(s)
    T, k = model.T, model.harm_horizon()
    steps = train_steps(s, steps)
    every = max(1, steps // data_toy.FRAMES)
    K, top = effective_counts(T, K_aug, top_k, model.n_tokens)
    standard = _standard_run(model, eta, steps, lr, every)
    runs = {
        "standard": standard,
        "deep": M.train_deep(model, lam=eta, beta=1.0, mu=mu / beta, gamma=gamma, steps=steps,
                             lr=lr, record_every=every),
        "augmentation": M.train_augmentation(model, lam=eta, beta=1.0, alpha=alpha_aug / beta,
                                             K=K, steps=steps, lr=lr, record_every=every),
    }
    skipped = {}
    try:  # Bach's teacher needs every base probability positive: the others still run
        runs["completion"] = M.train_targeted_completion(
            model, standard.logits, lam_teacher=lam_teacher, tau=tau_d, alpha=c_alpha,
            rise=c_rise, top_k=top, steps=steps, lr=lr, record_every=every)
        teacher = M.hybrid_teacher_logits(model, standard.logits, lam_teacher)
    except ValueError as err:
        skipped["completion"] = str(err)
        teacher = None
    t = np.arange(1, T + 1)
    p_r = model.stack(lambda seg: seg.base[:, model.recovery].sum(axis=1))  # (T, S)
    # One base recovery probability in every state (relative: p_R·decayⁿ spans decades at 1e-12)
    single = bool(np.allclose(p_r, p_r[0, 0], rtol=1e-9, atol=0.0))
    r_star = (theory.recovery_probability(float(p_r[0, 0]), mu, beta, gamma, t)
              if single else None)
    favored = M.base_favored_tokens(model, standard.logits, top)
    # The deep objective's exact optimum, beside the trained run: on-policy, on the all-harmful
    # path an attack forces, and after L prefilled tokens; and how often the base model writes
    # that path (gradient descent learns slowly in states it rarely reaches).
    exact = M.aligned_logits(model, eta, 1.0, mu / beta, gamma)
    deep_eq = model.deep_equilibrium(eta, 1.0, mu / beta, gamma)
    on_path = {name: np.exp(M.harmful_path_log_probs(model, logits))[:, model.recovery].sum(axis=1)
               for name, logits in (("trained", runs["deep"].logits), ("exact", exact))}
    own_path = M.harmful_path_log_probs(model, runs["deep"].logits)[:, model.harmful]
    reach = np.exp(np.concatenate([[0.0], np.cumsum(own_path[:-1])]))  # P_π(x_1..x_{t-1} = C)
    return {"t": t, "L": np.arange(T + 1), "k": k, "T": T, "steps_run": steps, "K": K, "top_k": top,
            "deep_exact": {"recovery": deep_eq.recovery_exact, "kl": deep_eq.kl_exact,
                           "harm": float(deep_eq.expected_harm_exact),
                           "prefill": M.prefill_recoveries(model, exact),
                           "path_trained": on_path["trained"], "path_exact": on_path["exact"],
                           "path_reach": reach},
            "runs": {key: _run(run) for key, run in runs.items()},
            "prefill_base": M.prefill_recoveries(model, M.base_logits(model)),
            "r_star": r_star, "p_recover": float(p_r[0, 0]) if single else None,
            "favored": favored, "tokens": model.tokens,
            "log_ratio": _log_ratio_on_harmful_path(model, standard.logits),
            "teacher_ratio": (None if teacher is None
                              else _log_ratio_on_harmful_path(model, teacher)),
            "skipped": skipped,
            "weights": M.completion_weights(T, c_alpha, c_rise)}


def _log_ratio_on_harmful_path(model, logits) -> np.ndarray:
    """(T, V) log pi_base - log pi(v | x_1..x_{t-1} harmful): positive = base-favored."""
    with np.errstate(invalid="ignore"):  # -inf - -inf: a token neither model emits
        ratio = (M.harmful_path_log_probs(model, M.base_logits(model))
                 - M.harmful_path_log_probs(model, logits))
    return np.nan_to_num(ratio, nan=0.0)


@_cache
def finetune(s: tuple, *, eta, steps, lr, ft_steps, ft_lr, qi_beta1, qi_beta2_5,
             qi_beta_late) -> dict:
    """Qi et al.'s fine-tuning attack on the standard-aligned policy (trained as on the first
    tab): plain SFT, the token-wise constraint with the chosen schedule, and the same constraint
    with β₂…₅'s value at every position (the schedule without its weak first and late
    positions)."""
    _require(s, "the fine-tuning attacks", lambda x: {
        "step": train_steps(x, steps) + 3 * finetune_steps(x, steps, ft_steps)})
    p_harm = dict(s[1])["p_harm"]
    if p_harm == 0:  # the engine would say so in its own words
        raise ValueError(f"with “{P.PARAMS['p_harm'].label}” = 0 the model never writes a harmful "
                         "token, so there is no harmful response to fine-tune on: raise it above 0.")
    model = data_toy.build(s)
    T = model.T
    ft_steps = finetune_steps(s, steps, ft_steps)
    steps = train_steps(s, steps)
    aligned = _standard_run(model, eta, steps, lr, steps).logits
    every = max(1, ft_steps // data_toy.FRAMES)
    schedule = M.qi_betas(T, late=qi_beta_late, first=qi_beta1, early=qi_beta2_5)
    uniform = np.full(T, float(qi_beta2_5))
    runs = {
        "plain": M.finetune_attack(model, aligned, constrained=False, steps=ft_steps, lr=ft_lr,
                                   record_every=every),
        "schedule": M.finetune_attack(model, aligned, constrained=True, betas=schedule,
                                      steps=ft_steps, lr=ft_lr, record_every=every),
        "uniform": M.finetune_attack(model, aligned, constrained=True, betas=uniform,
                                     steps=ft_steps, lr=ft_lr, record_every=every),
    }
    harm_c = lambda logits: M.harmful_path_log_probs(model, logits)[:, model.harmful]  # noqa: E731
    return {"t": np.arange(1, T + 1), "k": model.harm_horizon(), "T": T, "ft_steps": ft_steps,
            "betas": schedule, "uniform": float(qi_beta2_5),
            "open": M.open_on_harmful_path(model),
            "runs": {key: _run(run) | {"shift": harm_c(run.logits) - harm_c(aligned)}
                     for key, run in runs.items()}}


@_cache
def penalty_fit(s: tuple, *, eta, beta, alpha_aug, K_aug, steps, lr) -> dict:
    """The recovery penalty (μ, γ) whose exact deep optimum best matches recovery augmentation's
    recovery after L = 1..T-1 prefilled harmful tokens (least squares, theory.toy.methods)."""
    _require(s, "training augmentation and fitting the penalty", lambda x: {
        "step": train_steps(x, steps), "fit_eval": M.MAX_FIT_EVALUATIONS, "exact": 2})
    model = data_toy.build(s)
    T = model.T
    steps = train_steps(s, steps)
    K, _ = effective_counts(T, K_aug, 1)
    augmented = M.train_augmentation(model, lam=eta, beta=1.0, alpha=alpha_aug / beta, K=K,
                                     steps=steps, lr=lr, record_every=steps)
    _run(augmented)
    # Fitted in units of beta (mu/beta is what the optimum depends on), reported as mu.
    fit = M.fit_deep_to_prefill(model, augmented.prefill_recovery, lam=eta, beta=1.0)
    standard = M.aligned_logits(model, eta, 1.0)
    return {"L": np.arange(T + 1), "t": np.arange(1, T + 1), "k": model.harm_horizon(), "T": T,
            "K": K, "augmented": augmented.prefill_recovery, "fitted": fit.fitted,
            "standard": M.prefill_recoveries(model, standard), "mu": fit.mu * beta,
            "gamma": fit.gamma, "rms": fit.rms, "at_bound": fit.at_bound, "unmoved": fit.unmoved,
            "kl_augmented": augmented.kl, "kl_fitted": fit.kl,
            "total_kl_augmented": float(augmented.kl.sum()), "total_kl_fitted": fit.total_kl,
            "harm_augmented": float(augmented.expected_harm[-1])}

