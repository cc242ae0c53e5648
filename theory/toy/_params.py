"""Scalar parameter checks for the toy model, on top of :mod:`theory._validate`."""

from __future__ import annotations

import numpy as np

from .. import _validate

# exp(-eta H) and exp(a_t) are handled in log space, but eta and a_t themselves must stay finite
# and well inside float range so that differences of log-messages never meet inf - inf.
MAX_WEIGHT = 1e8


def _scalar(name: str, arr: np.ndarray) -> float:
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a single number, got an array of shape {arr.shape}")
    return float(arr)


def closed(name, value, lo, hi) -> float:
    return _scalar(name, _validate.closed(name, value, lo, hi))


def positive(name, value) -> float:
    return _scalar(name, _validate.positive(name, value))


def whole(name, value, lo: int, hi: int) -> int:
    """A whole number in [lo, hi] (lo >= 0)."""
    allowed = f"{name} must be a whole number in [{lo}, {hi}], got {value!r}"
    try:
        x = _scalar(name, _validate.nonnegative_int(name, value))
    except ValueError:
        raise ValueError(allowed) from None
    if not lo <= x <= hi:
        raise ValueError(allowed)
    return int(x)


def eta(lam, beta) -> float:
    """eta = lam / beta, the only combination the standard optimum depends on (THEORY.md section 1)."""
    lam = closed("lam", lam, 0.0, MAX_WEIGHT)
    beta = positive("beta", beta)
    e = lam / beta
    if e > MAX_WEIGHT:
        raise ValueError(f"lam/beta must be in [0, {MAX_WEIGHT:g}], got {e!r}")
    return e


def tilt(mu, gamma, beta, T: int) -> np.ndarray:
    """a_t = mu gamma^t / beta for t = 1..T (penalty weight mu gamma^t, THEORY.md section 1)."""
    mu = closed("mu", mu, 0.0, MAX_WEIGHT)
    gamma = closed("gamma", gamma, 0.0, 1.0)
    beta = positive("beta", beta)
    if mu / beta > MAX_WEIGHT:
        raise ValueError(f"mu/beta must be in [0, {MAX_WEIGHT:g}], got {mu / beta!r}")
    return (mu / beta) * np.power(gamma, np.arange(1, T + 1, dtype=float))
