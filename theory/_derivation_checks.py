"""What each sympy derivation is checked against: a numeric-core function and a sampler.

Samplers draw from the region where the naive lambdified expressions are themselves accurate
to double precision (moderate log-odds and shifts), so a disagreement means a wrong formula,
not rounding. The full domain, with its extremes, is tested against mpmath in the tests.
"""

from __future__ import annotations

import numpy as np

from . import recovery, robustness


def _shift_args(rng: np.random.Generator, n: int) -> dict:
    # Shifts a = w mu gamma^t / beta stay in about [0.08, 100]: below that the naive KL
    # expression a r - log Z cancels to a^2 and loses digits (the core uses a series there).
    return {
        "p": rng.uniform(0.01, 0.99, n),
        "mu": rng.uniform(1.0, 10.0, n),
        "beta": rng.uniform(0.2, 2.0, n),
        "gamma": rng.uniform(0.8, 1.0, n),
        "t": rng.integers(0, 6, n).astype(float),
        "w": rng.uniform(0.5, 2.0, n),
    }


def recovery_probability(p, mu, beta, gamma, t, w):
    return recovery.recovery_probability(p, mu, beta, gamma, t, w)


def recovery_kl(p, mu, beta, gamma, t, w):
    return recovery.recovery_kl(p, mu, beta, gamma, t, w)


def _bound_args(rng: np.random.Generator, n: int) -> dict:
    return {
        "p_min": rng.uniform(0.01, 0.99, n),
        "mu": rng.uniform(0.0, 20.0, n),
        "beta": rng.uniform(0.2, 5.0, n),
        "gamma": rng.uniform(0.5, 1.0, n),
        "T": rng.integers(0, 30, n).astype(float),
    }


def recoverability_bound(p_min, mu, beta, gamma, T):
    return robustness.recoverability_bound(p_min, mu, beta, gamma, T)


def _attack_args(rng: np.random.Generator, n: int) -> dict:
    p_min = rng.uniform(0.001, 0.3, n)
    return {
        "delta": np.minimum(p_min + rng.uniform(0.05, 0.6, n), 0.99),
        "p_min": p_min,
        "mu": rng.uniform(0.1, 100.0, n),
        "beta": rng.uniform(0.2, 5.0, n),
        "gamma": rng.uniform(0.5, 0.99, n),
    }


def attack_threshold(delta, p_min, mu, beta, gamma):
    return robustness.attack_threshold(delta, p_min, mu, beta, gamma)


def _penalty_args(rng: np.random.Generator, n: int) -> dict:
    args = _attack_args(rng, n)
    del args["mu"]
    args["T"] = rng.integers(0, 40, n).astype(float)
    return args


def required_penalty(delta, p_min, beta, gamma, T):
    return robustness.required_penalty(delta, p_min, beta, gamma, T)


def _tail_args(rng: np.random.Generator, n: int) -> dict:
    s = rng.integers(1, 20, n).astype(float)
    return {
        "s": s,
        "T": s + rng.integers(0, 40, n),
        "mu": rng.uniform(0.0, 10.0, n),
        "beta": rng.uniform(0.5, 5.0, n),
        "gamma": rng.uniform(0.05, 0.99, n),
    }


def total_recovery_kl_bound(s, T, mu, beta, gamma):
    # With p_min = 1e-300 the cap log(1/p_min) ~ 690 never binds for mu/beta <= 20,
    # so the bound is exactly the geometric tail from position s = k + 1.
    return robustness.total_recovery_kl_bound(1e-300, mu, beta, gamma, horizon=s - 1, depth=T)


REFERENCES = {
    "recovery_probability": (recovery_probability, _shift_args),
    "recovery_kl": (recovery_kl, _shift_args),
    "recoverability_bound": (recoverability_bound, _bound_args),
    "attack_threshold": (attack_threshold, _attack_args),
    "required_penalty": (required_penalty, _penalty_args),
    "total_kl_tail": (total_recovery_kl_bound, _tail_args),
}
