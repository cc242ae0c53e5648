"""Deep alignment beyond the harm horizon: the per-prefix recovery optimum (Theorem 20).

Conventions (THEORY.md section 0 and 5): positions are 1-indexed; the recovery penalty at
position ``t`` has weight ``mu_t = mu * gamma**t`` (so ``gamma**0 = 1`` at ``t = 0``); the
log-odds shift is ``a_t = weight * mu * gamma**t / beta``, where ``weight`` is the importance
weight of Remark 9 (1 when adversarial prefixes follow the model's own law). KL is in nats.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit, log_expit, logit

from . import _validate as v

__all__ = ["recovery_shift", "recovery_probability", "recovery_kl", "gibbs_distribution"]

# Below this shift the closed form loses digits to cancellation (KL ~ a^2 while its two
# terms are ~ a), so recovery_kl switches to the cumulant series, whose terms shrink like
# (a / pi)^n: 16 terms leave a truncation error far below double precision.
_SERIES_BELOW = 0.05
_SERIES_TERMS = 16


def _bernoulli_cumulant_factors() -> list[np.polynomial.Polynomial]:
    """P_n with kappa_n(p) = p (1 - p) P_n(p) for the Bernoulli(p) cumulants, n >= 2.

    The cumulants obey kappa_1 = p and kappa_{n+1} = p (1 - p) d kappa_n / dp. Keeping the
    factor p (1 - p) outside keeps them accurate for p near 0 and near 1.
    """
    P = np.polynomial.Polynomial
    pq = P([0.0, 1.0, -1.0])
    kappa = P([0.0, 1.0])
    factors = []
    for _ in range(2, _SERIES_TERMS + 2):
        kappa = pq * kappa.deriv()
        quotient, remainder = divmod(kappa, pq)
        assert np.allclose(remainder.coef, 0.0)
        factors.append(quotient)
    return factors


_CUMULANT_FACTORS = _bernoulli_cumulant_factors()
# KL* = a K'(a) - K(a) with K the cumulant generating function: sum_{n>=2} (n-1)/n! kappa_n a^n.
_SERIES_COEFFS = [(n - 1) / math.factorial(n) for n in range(2, _SERIES_TERMS + 2)]


def recovery_shift(mu, beta, gamma=1.0, t=0, weight=1.0):
    r"""Log-odds shift :math:`a_t = w\,\mu\,\gamma^t/\beta` of the deep optimum (Theorem 20).

    Parameters
    ----------
    mu : array_like
        Recovery-penalty strength, ``mu >= 0``.
    beta : array_like
        KL weight, ``beta > 0``.
    gamma : array_like, optional
        Discount in ``[0, 1]``; ``gamma**0 = 1``.
    t : array_like, optional
        Position, ``t >= 0`` (1-indexed positions; 0 gives the undiscounted ``mu / beta``).
    weight : array_like, optional
        Importance weight ``w >= 0`` of Remark 9.

    Returns
    -------
    float or ndarray
        The shift; ``inf`` only if ``mu / beta`` itself exceeds the float range.

    Examples
    --------
    >>> recovery_shift(mu=2.0, beta=0.5, gamma=0.5, t=2)
    1.0
    """
    return v.scalar_out(_shift(mu, beta, gamma, t, weight))


def _shift(mu, beta, gamma, t, weight) -> np.ndarray:
    mu = v.nonnegative("mu", mu)
    beta = v.positive("beta", beta)
    gamma = v.closed("gamma", gamma, 0.0, 1.0)
    t = v.nonnegative("t", t)
    weight = v.nonnegative("weight", weight)
    with np.errstate(over="ignore"):
        return weight * mu * gamma**t / beta


def recovery_probability(p_base, mu, beta, gamma=1.0, t=0, weight=1.0):
    r"""Recovery probability of the deep optimum beyond the horizon (Theorem 20).

    .. math:: r^* = \sigma\!\left(\operatorname{logit} p + w\,\mu\,\gamma^t/\beta\right)

    the base log-odds of recovery shifted by :math:`a_t = w\mu\gamma^t/\beta`.

    Parameters
    ----------
    p_base : array_like
        Base recovery probability ``p = pi_base(R | x_<t)`` in ``[0, 1]``. Full relative
        accuracy down to the smallest normal float (2.2e-308); subnormal ``p`` lose digits.
    mu, beta, gamma, t, weight : array_like
        As in :func:`recovery_shift`. All arguments broadcast.

    Returns
    -------
    float or ndarray
        ``r*`` in ``[0, 1]``. Special cases are exact: ``p = 0`` gives 0 for every ``mu``
        (Remark 10: no penalty can create recovery the base model never emits), ``p = 1``
        gives 1, ``mu = 0`` gives ``p``.

    Examples
    --------
    >>> recovery_probability(0.5, mu=1.0, beta=1.0)     # sigma(0 + 1)
    0.7310585786300049
    >>> recovery_probability(0.0, mu=1e6, beta=1e-3)
    0.0
    >>> recovery_probability([0.1, 0.1], mu=1.0, beta=1.0, gamma=0.5, t=[1, 2]).round(4)
    array([0.1548, 0.1249])
    """
    p = v.closed("p_base", p_base, 0.0, 1.0)
    a = _shift(mu, beta, gamma, t, weight)
    p, a = np.broadcast_arrays(p, a)
    with np.errstate(invalid="ignore", divide="ignore"):
        # r* = p / (p + (1 - p) e^{-a}) = p / (1 + u): exact at a = 0 and accurate while
        # 1 + u >= 0.5. Larger shifts go through the log-odds, which never loses digits there.
        u = (1.0 - p) * np.expm1(-a)
        r = np.array(p / (1.0 + u), dtype=float)  # 0-d inputs give a numpy scalar; make it writable
        far = u <= -0.5
        if far.any():
            p_far, a_far = p[far], a[far]
            # p = 0 with an infinite shift is -inf + inf in log-odds; Remark 10 says 0.
            r[far] = np.where(p_far == 0.0, 0.0, expit(logit(p_far) + a_far))
    return v.scalar_out(r)


def recovery_kl(p_base, mu, beta, gamma=1.0, t=0, weight=1.0):
    r"""KL cost of the deep optimum's recovery shift at one prefix (Theorem 20), in nats.

    .. math::
        \mathrm{KL}^* = r^*\log\frac{r^*}{p} + (1-r^*)\log\frac{1-r^*}{1-p}
                      = a\,r^* - \log\left(1 - p + p\,e^{a}\right),
        \qquad a = w\mu\gamma^t/\beta .

    Evaluated without cancellation: for ``a < 0.05`` by the cumulant series
    :math:`\sum_{n\ge2} \frac{n-1}{n!}\kappa_n(p)\,a^n` (leading term :math:`\frac{a^2}{2}p(1-p)`),
    otherwise from the two log-ratios computed in the form that keeps their digits.

    Parameters
    ----------
    p_base, mu, beta, gamma, t, weight : array_like
        As in :func:`recovery_probability`.

    Returns
    -------
    float or ndarray
        ``KL*`` with ``0 <= KL* <= min(a, log(1/p))``; exactly 0 when ``p`` is 0 or 1 or ``a = 0``.

    Examples
    --------
    >>> round(recovery_kl(0.5, mu=1.0, beta=1.0), 12)   # sigma(1) - log((1 + e)/2)
    0.110944071672
    >>> recovery_kl(1e-300, mu=1e6, beta=1.0) <= math.log(1e300)
    True
    """
    p = v.closed("p_base", p_base, 0.0, 1.0)
    a = _shift(mu, beta, gamma, t, weight)
    p, a = np.broadcast_arrays(p, a)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        kl = np.where(a < _SERIES_BELOW, _kl_series(p, a), _kl_closed(p, a))
    kl = np.where((p == 0.0) | (p == 1.0) | (a == 0.0), 0.0, kl)
    return v.scalar_out(np.maximum(kl, 0.0))


def _kl_series(p: np.ndarray, a: np.ndarray) -> np.ndarray:
    a = np.minimum(a, _SERIES_BELOW)  # np.where evaluates both branches; keep this one tame
    total = np.zeros(np.broadcast(p, a).shape)
    for coeff, factor in zip(reversed(_SERIES_COEFFS), reversed(_CUMULANT_FACTORS)):
        total = total * a + coeff * factor(p)
    return p * (1.0 - p) * a * a * total


def _kl_closed(p: np.ndarray, a: np.ndarray) -> np.ndarray:
    # KL* = r log(r/p) - (1 - r) log Z with r = p (r/p) and 1 - r = (1 - p) / Z. Each factor is
    # computed in the form that keeps its relative accuracy, also for p near 0 or 1.
    z = logit(p)
    log_z = np.where(
        a < 700.0,
        np.log1p(p * np.expm1(np.minimum(a, 700.0))),
        np.logaddexp(np.log1p(-p), np.log(p) + a),  # log(1 - p + p e^a) without overflow
    )
    u = (1.0 - p) * np.expm1(-a)  # log(r/p) = -log1p(u); near u = -1 log1p loses the digits
    log_r_over_p = np.where(u > -0.99, -np.log1p(u), log_expit(z + a) - np.log(p))
    r = p * np.exp(log_r_over_p)
    one_minus_r = (1.0 - p) * np.exp(-log_z)
    return r * log_r_over_p - one_minus_r * log_z


def gibbs_distribution(base_probs, recovery_mask, mu, beta, gamma=1.0, t=0):
    r"""Optimal next-token distribution over a whole vocabulary (Theorem 20).

    .. math:: q^*(v) = \frac{\pi_{\text{base}}(v)\, e^{a\,\mathbf 1[v\in R]}}{1 - p + p\,e^{a}},
        \qquad p = \pi_{\text{base}}(R),\; a = \mu\gamma^t/\beta .

    Equivalently each recovery token is scaled by ``r*/p`` and every other token by
    ``(1 - r*)/(1 - p)``: the base proportions within ``R`` and within ``V \ R`` are kept.

    Parameters
    ----------
    base_probs : array_like, shape (..., V)
        Base next-token probabilities; each row sums to 1.
    recovery_mask : array_like of bool, shape (V,) or broadcastable
        True for the recovery tokens ``R``.
    mu, beta, gamma, t : float
        As in :func:`recovery_probability` (scalars or arrays broadcasting against the rows).

    Returns
    -------
    ndarray, shape (..., V)
        ``q*``, rows summing to 1.

    Examples
    --------
    >>> gibbs_distribution([0.25, 0.25, 0.5], [True, False, False], mu=math.log(3), beta=1.0)
    array([0.5       , 0.16666667, 0.33333333])
    """
    base = v.probability_vector("base_probs", base_probs)
    mask = np.asarray(recovery_mask)
    if mask.dtype != bool:
        raise ValueError("recovery_mask must be an array of booleans (True marks a recovery token)")
    try:
        mask = np.broadcast_to(mask, base.shape)
    except ValueError:
        raise ValueError(
            f"recovery_mask of shape {mask.shape} does not match base_probs of shape {base.shape}"
        ) from None
    p = np.where(mask, base, 0.0).sum(axis=-1)
    p = np.clip(p, 0.0, 1.0)
    r = np.asarray(recovery_probability(p, mu, beta, gamma, t))
    with np.errstate(divide="ignore", invalid="ignore"):
        scale_r = np.where(p > 0.0, r / p, 0.0)
        scale_n = np.where(p < 1.0, (1.0 - r) / (1.0 - p), 0.0)
    return np.where(mask, base * scale_r[..., None], base * scale_n[..., None])
