"""Cached calls into the toy model (``theory.toy``) for pages 2-4 and the attack panel.

A toy model is named by a *spec*, a hashable tuple ``(preset, ((param, value), ...))`` made by
:func:`spec` from the app's parameter values, so ``st.cache_data`` keys every result on exactly
the numbers on screen. Each function returns a dict of numpy arrays / floats; no formulas here.
The engine raises ``ValueError`` for combinations it cannot do (e.g. a too long model to train):
pages catch it with :func:`attempt` and show the message as a warning.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import theory
from theory.toy.methods import open_on_harmful_path

from . import nav

# index = the app parameter "toy_model"
MODELS = ("refuse-or-comply", "threshold harm", "gradual harm")
_BUILDERS = (theory.refuse_or_comply, theory.threshold_harm, theory.gradual_harm)
# app parameter name -> engine argument, per preset (the sidebar shows exactly these)
MODEL_PARAMS = (
    {"T_toy": "T", "k_toy": "k", "p_recover": "p_recover", "p_harm": "p_harm",
     "h_undecided": "h_undecided", "decay": "decay"},
    {"T_toy": "T", "k_toy": "k", "m_toy": "m", "p_recover": "p_recover", "p_harm": "p_harm"},
    {"T_toy": "T", "p_recover": "p_recover", "p_harm": "p_harm", "fade": "fade"},
)
# Training costs ~1 us per step and position (bench/bench_toy.py): the cap keeps a run near
# 0.1 s, so a key press on the Gradients page stays interactive.
TRAIN_BUDGET = 100_000  # steps * T
FRAMES = 40  # recorded steps of a training run (animation frames), fewer for long models:
FRAME_CELLS = 20_000  # frames * T, which every rerun unpickles, hashes and sends to the browser


def spec(v: dict) -> tuple:
    """The hashable name of the toy model chosen by the parameter values ``v``."""
    i = int(v["toy_model"])
    return i, tuple((arg, v[name]) for name, arg in MODEL_PARAMS[i].items())


def build(s: tuple) -> theory.ToyModel:
    i, args = s
    return _BUILDERS[i](**dict(args))


def attempt(fn, *args, **kwargs):
    """``(result, None)`` or ``(None, message)`` when the engine rejects the parameters."""
    try:
        return fn(*args, **kwargs), None
    except ValueError as err:
        return None, str(err)


def model_or_stop(fn, *args, spinner: str = "Computing…"):
    """Run ``fn(*args)`` with a spinner; if the engine rejects the model, warn and end the page."""
    with st.spinner(spinner):
        result, err = attempt(fn, *args)
    if err:
        st.warning(f"The toy model cannot be built with these parameters: {err}", icon="⚠️")
        raise nav.EndPage
    return result


def _cache(fn):
    return st.cache_data(max_entries=64, show_spinner=False)(fn)


@_cache
def exact_horizon(s: tuple) -> int:
    """The toy model's exact harm horizon k (Theorem 9)."""
    return int(build(s).harm_horizon())


@_cache
def horizon(s: tuple, n_paths: int, seed: int) -> dict:
    """Page 2: I_t, both horizons, Var H (Corollary 7) and sampled martingale paths."""
    m = build(s)
    info = m.harm_information()
    out = {
        "t": np.arange(1, m.T + 1), "info": info, "k": m.harm_horizon(),
        "k_num": m.numerical_horizon(), "info_sum": float(info.sum()),
        "expected_harm": m.expected_harm(), "paths": m.sample_paths(n_paths, seed),
        "variance": None, "cross": None,
    }
    if m.T <= 400:  # the independent Var H and E[Δ_s Δ_t] cost O(T^2)
        check = m.martingale_check()
        out["variance"], out["cross"] = check.variance, check.max_cross_moment
    return out


@_cache
def gradients(s: tuple) -> dict:
    """Page 3: Theorem 8 norms and the Lemma 12 / Theorem 13 bounds, per position."""
    m = build(s)
    g = m.gradients()
    return {"t": np.arange(1, m.T + 1), "norm": g.norms, "thm13": g.bound_theorem13,
            "lemma12": g.bound_lemma12, "pointwise": g.bound_pointwise,
            "fisher": g.fisher_trace, "info": m.harm_information(), "k": m.harm_horizon(),
            # Theorem 14's g_t^T F_t^+ g_t, computed; equals "info" (I_t) for these tabular logits
            "natural": g.natural_norm_sq}


def train_steps(T: int, steps: int) -> int:
    """Steps actually run: capped so that a run stays interactive."""
    return int(min(steps, max(1, TRAIN_BUDGET // T)))


@_cache
def training(s: tuple, objective: str, parameterization: str, eta: float, beta: float,
             mu: float, gamma: float, steps: int, lr: float) -> dict:
    """A gradient-descent run from the base model, ~FRAMES recorded steps. ``prefill`` is the
    late recovery (at least one recovery token after the first k tokens are forced harmful) per
    recorded step; ``prefill_base`` the base model's, for the signed change."""
    m = build(s)
    frames = min(FRAMES, max(5, FRAME_CELLS // m.T))
    run = m.train(objective, lam=eta * beta, beta=beta, mu=mu, gamma=gamma, steps=steps, lr=lr,
                  record_every=max(1, steps // frames), parameterization=parameterization)
    return {"steps": run.steps, "grad": run.grad_norms, "kl": run.kl, "exact_kl": run.exact_kl,
            "effect": run.harm_effect, "prefill": run.prefill_recovery,
            "prefill_base": run.prefill_recovery_base, "k": m.harm_horizon(),
            "t": np.arange(1, m.T + 1), "diverged": run.diverged}


def warn_if_diverged(runs: dict, lr: float) -> None:
    """Say which of ``{label: training(...)}`` ended above where they started (too large a step)."""
    bad = [label for label, run in runs.items() if run["diverged"]]
    if bad:
        st.warning(f"{' and '.join(bad).capitalize()} training diverged at learning rate {lr:g}: "
                   "the objective ended higher than it started, so these curves show the "
                   "oscillation, not the optimum. Lower the learning rate (Gradients page).",
                   icon="⚠️")


@_cache
def standard(s: tuple, eta: float) -> dict:
    """Page 4: KL_t of the exact standard optimum and (eta^2/2) I_t (Theorem 14)."""
    m = build(s)
    eq = m.standard_equilibrium(eta, 1.0)  # only lam/beta = eta matters
    return {"t": np.arange(1, m.T + 1), "kl": eq.kl, "approx": eq.kl_small_eta,
            "info": m.harm_information(), "k": m.harm_horizon(),
            "harm": eq.expected_harm, "harm_base": eq.expected_harm_base}


def eta_grid() -> np.ndarray:
    return np.logspace(-3, 2, 26)


@_cache
def eta_sweep(s: tuple) -> dict:
    """Total KL of the exact optimum against eta, beside (eta^2/2) Var H."""
    m = build(s)
    eta = eta_grid()
    kl = np.array([m.standard_equilibrium_kl(e, 1.0).sum() for e in eta])
    # As η → ∞ the optimum keeps only the least harmful responses: KL → −log P_base(H = min H),
    # reached (to rounding) by η = 1e6 in every preset.
    limit = float(m.standard_equilibrium_kl(1e6, 1.0).sum())
    return {"eta": eta, "kl": kl, "approx": 0.5 * eta**2 * m.harm_variance(), "limit": limit}


@_cache
def attack(s: tuple, L: int, eta: float, beta: float, mu: float, gamma: float) -> dict:
    """Page 6 panel: recovery after L forced harmful tokens, base / standard / deep optima."""
    m = build(s)
    a = m.prefill_attack(L, eta * beta, beta, mu, gamma)
    decided = L >= 1 and L < m.T and not bool(open_on_harmful_path(m)[L])
    return {"t": a.positions, "base": a.recovery_base, "standard": a.recovery_standard,
            "decided_after_prefix": decided,
            "deep": a.recovery_deep, "end_base": float(a.recover_before_end_base),
            "end_standard": float(a.recover_before_end_standard),
            "end_deep": float(a.recover_before_end_deep), "k": m.harm_horizon(), "T": m.T,
            "shift": float(theory.recovery_shift(mu, beta, gamma, L + 1))}


@_cache
def deep(s: tuple, eta: float, beta: float, mu: float, gamma: float) -> dict:
    """Page 5: the deep optimum exactly (backward message Psi_t) and in the paper's per-prefix
    form (Theorem 20 beyond the horizon, Proposition 29 within), recovery and KL_t per position.
    Keys ``*_per_prefix`` / ``recovery_gap`` / ``kl_gap``: Proposition 29 with the base model's h_t
    (gap O(eta)); ``*_per_prefix_cont`` / ``*_gap_cont``: with the optimum's own h_t (O(eta^2))."""
    m = build(s)
    eq = m.deep_equilibrium(eta * beta, beta, mu, gamma)
    return {"t": np.arange(1, m.T + 1), "k": m.harm_horizon(), "tilt": eq.tilt,
            "recovery_exact": eq.recovery_exact, "recovery_per_prefix": eq.recovery_per_prefix,
            "kl_exact": eq.kl_exact, "kl_per_prefix": eq.kl_per_prefix,
            "recovery_gap": eq.recovery_gap, "kl_gap": eq.kl_gap,
            "harm_exact": eq.expected_harm_exact, "harm_per_prefix": eq.expected_harm_per_prefix,
            "recovery_per_prefix_cont": eq.recovery_per_prefix_cont,
            "kl_per_prefix_cont": eq.kl_per_prefix_cont, "recovery_gap_cont": eq.recovery_gap_cont,
            "kl_gap_cont": eq.kl_gap_cont, "harm_per_prefix_cont": eq.expected_harm_per_prefix_cont}
