"""Cached calls into ``theory`` that assemble what the figures plot. No formulas live here.

Each function takes plain numbers (so ``st.cache_data`` can hash them), calls the vectorised
``theory`` functions over a grid and returns a dict of numpy arrays / floats. The toy-model pages
should add their own cached helpers in the same style (e.g. ``ui/data/toy.py``).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import theory

# A small illustrative vocabulary for the Gibbs distribution: two recovery tokens (R) sharing the
# base recovery mass p, five others sharing 1 - p. Only the proportions within each group matter.
VOCAB = (("I'm sorry", True, 0.6), ("I can't", True, 0.4), ("Sure", False, 0.35),
         ("Here", False, 0.25), ("First", False, 0.2), ("Step", False, 0.12), ("The", False, 0.08))


def _cache(fn):
    return st.cache_data(max_entries=256, show_spinner=False)(fn)


@_cache
def recovery_profile(p: float, mu: float, beta: float, gamma: float, k: int, T: int) -> dict:
    """Theorem 20 at positions t = k+1..T (beyond the horizon), deep (mu) and shallow (mu = 0)."""
    t = np.arange(k + 1, T + 1)
    kl = theory.recovery_kl(p, mu, beta, gamma, t)
    return {
        "t": t,
        "deep": theory.recovery_probability(p, mu, beta, gamma, t),
        "shallow": theory.recovery_probability(p, 0.0, beta, gamma, t),
        "shift": theory.recovery_shift(mu, beta, gamma, t),
        "kl": kl,
        # Theorem 22's per-position cap min(a_t, log 1/p): the bound summed over the single t.
        "kl_cap": theory.total_recovery_kl_bound(p, mu, beta, gamma, t - 1, t),
        "kl_total": float(np.sum(kl)),
        "kl_total_bound": theory.total_recovery_kl_bound(p, mu, beta, gamma, k, T),
    }


@_cache
def recovery_kl_limit(p: float, mu: float, beta: float, gamma: float, k: int) -> dict:
    """Total recovery KL beyond the horizon as T -> inf (Theorem 20, Remark 6), in nats.

    Finite for gamma < 1; for gamma = 1 (and mu > 0, 0 < p < 1) it is inf: the cost grows
    without bound, which is the only case the page may describe that way.
    """
    return {
        "gamma_is_one": bool(gamma == 1.0),
        "limit": float(theory.total_recovery_kl(p, mu, beta, gamma, k, np.inf)),
        # Theorem 22's bound on the same tail, p_min = p (the same p at every position)
        "bound": float(theory.total_recovery_kl_bound(p, mu, beta, gamma, k, np.inf)),
    }


def kl_sums(p: float, mu: float, beta: float, gamma: float, k: int, T: int) -> dict:
    """The recovery KL beyond the horizon summed to the depth T and to infinity (Theorem 20),
    Theorem 22's bounds on both, and KL*ₜ at t = k + 1 (what every position pays when γ = 1)."""
    profile, limit = recovery_profile(p, mu, beta, gamma, k, T), recovery_kl_limit(p, mu, beta, gamma, k)
    return {"to_T": profile["kl_total"], "to_inf": limit["limit"], "bound_T": profile["kl_total_bound"],
            "bound_inf": limit["bound"], "per_position": at_position(p, mu, beta, gamma, k + 1)["kl"]}


@_cache
def at_position(p: float, mu: float, beta: float, gamma: float, t: int) -> dict:
    """Every Theorem 20 number at one position, for the formulas with values substituted."""
    base = np.array([w for _, _, w in VOCAB])
    mask = np.array([r for _, r, _ in VOCAB])
    base = np.where(mask, p * base / base[mask].sum(), (1 - p) * base / base[~mask].sum())
    return {
        "shift": theory.recovery_shift(mu, beta, gamma, t),
        "deep": theory.recovery_probability(p, mu, beta, gamma, t),
        "kl": theory.recovery_kl(p, mu, beta, gamma, t),
        "tokens": [name for name, _, _ in VOCAB],
        "is_recovery": mask,
        "base_probs": base,
        "deep_probs": theory.gibbs_distribution(base, mask, mu, beta, gamma, t),
    }


def _gamma_grid() -> np.ndarray:
    # gamma = 1 - 10^-s, s in [0, 4]: even on the log axis of 1 - gamma the figures use, dense
    # near 1 where depth starts to cost.
    return 1.0 - np.logspace(0.0, -4.0, 161)


@_cache
def tradeoff_vs_gamma(p: float, mu: float, beta: float, k: int, T: int) -> dict:
    """Theorem 19 / Remark 6: recovery at depth T against total recovery KL, as gamma -> 1."""
    g = _gamma_grid()
    t = np.arange(k + 1, T + 1)
    kl = theory.recovery_kl(p, mu, beta, g[:, None], t[None, :]) if t.size else np.zeros((g.size, 0))
    return {
        "gamma": g,
        "delta_T": theory.recoverability_bound(p, mu, beta, g, T),
        "kl_total": kl.sum(axis=1),
        "kl_bound": theory.total_recovery_kl_bound(p, mu, beta, g, k, T),
    }


def tradeoff_ends(p: float, mu: float, beta: float, gamma: float, k: int, T: int) -> dict:
    """The depth-vs-capability headline's numbers: the guarantee at depth T at the current γ
    (Theorem 22; 0 when no position lies beyond the horizon) and the chart's last γ, nearest 1,
    with its guarantee and total recovery KL."""
    ends = tradeoff_vs_gamma(p, mu, beta, k, T)
    return {"delta_T": float(recoverability_by_depth(p, mu, beta, gamma, k, T)["delta"][-1])
            if T > k else 0.0, "end_gamma": float(ends["gamma"][-1]),
            "end_delta_T": float(ends["delta_T"][-1]), "end_kl_total": float(ends["kl_total"][-1])}


@_cache
def recoverability_by_depth(p: float, mu: float, beta: float, gamma: float, k: int, T: int) -> dict:
    """Theorem 22 for every depth k+1..T: the guaranteed delta and the total-KL bound."""
    depth = np.arange(k + 1, T + 1)  # at depth <= k no position is beyond the horizon
    return {
        "depth": depth,
        "delta": theory.recoverability_bound(p, mu, beta, gamma, depth),
        "kl_bound": theory.total_recovery_kl_bound(p, mu, beta, gamma, k, depth),
    }


MU_GRID = (-2.0, 6.0, 321)  # log10 of the first and last μ, and the number of points


def mu_grid() -> np.ndarray:
    """The μ axis of the attack-length chart: the μ control's log range, 40 points a decade."""
    return np.logspace(*MU_GRID)


@_cache
def attack_length_vs_mu(delta: float, p: float, beta: float, gammas: tuple, k: int) -> dict:
    """Corollary 23: L*(mu) on a log grid of mu, one row per gamma (inf = no finite attack)."""
    mu = mu_grid()
    g = np.array(gammas)[:, None]
    return {"mu": mu, "gamma": np.array(gammas),
            "L": theory.min_attack_length(delta, p, mu[None, :], beta, g, k)}


@_cache
def solve(delta: float, p: float, mu: float, beta: float, gamma: float, k: int, T: int) -> dict:
    """The 'solve for' panel: mu needed for delta at depth T, and the attack length L*."""
    return {
        "mu_required": theory.required_penalty(delta, p, beta, gamma, T),
        "attack_length": theory.min_attack_length(delta, p, mu, beta, gamma, k),
        "delta_T": theory.recoverability_bound(p, mu, beta, gamma, T),
        "kl_bound": theory.total_recovery_kl_bound(p, mu, beta, gamma, k, T),
    }
