"""Robustness of deep alignment: Theorem 22 and Corollary 23.

Conventions (THEORY.md section 5): the horizon ``k`` and depth ``T`` are whole numbers of
positions (1-indexed); the penalty weight at position ``t`` is ``mu * gamma**t``; every position
``k < t <= T`` has base recovery probability at least ``p_min``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logit

from . import _validate as v
from .recovery import _whole_or_inf, recovery_probability

__all__ = [
    "attack_threshold",
    "recoverability_bound",
    "total_recovery_kl_bound",
    "min_attack_length",
    "required_penalty",
]


def recoverability_bound(p_min, mu, beta, gamma, depth):
    r"""Recovery guaranteed at every position up to ``depth`` (Theorem 22).

    .. math:: \delta = \sigma\!\left(\operatorname{logit} p_{\min} + \mu\gamma^{T}/\beta\right)

    For ``0 <= gamma <= 1`` the shift ``mu gamma^t / beta`` is smallest at ``t = T`` and the
    recovery probability increases in ``p``, so position ``T`` at ``p = p_min`` is the worst case.

    Parameters
    ----------
    p_min : array_like
        Lower bound on the base recovery probability beyond the horizon, in ``[0, 1]``.
    mu, beta, gamma : array_like
        Penalty strength ``>= 0``, KL weight ``> 0``, discount in ``[0, 1]``.
    depth : array_like
        ``T``, a whole number ``>= 0``.

    Returns
    -------
    float or ndarray
        ``delta`` in ``[0, 1]``.

    Examples
    --------
    >>> round(recoverability_bound(0.01, mu=10.0, beta=1.0, gamma=0.9, depth=20), 6)
    0.032947
    """
    p_min = v.closed("p_min", p_min, 0.0, 1.0)
    depth = v.nonnegative_int("depth", depth)
    return recovery_probability(p_min, mu, beta, gamma, depth)


def total_recovery_kl_bound(p_min, mu, beta, gamma, horizon, depth):
    r"""Bound on the total recovery KL beyond the horizon (Theorem 22), in nats.

    .. math:: \sum_{t=k+1}^{T} \mathrm{KL}^*_t \le \sum_{t=k+1}^{T}
              \min\!\left(\mu\gamma^t/\beta,\ \log(1/p_{\min})\right)

    Summed in closed form: the first positions, where the shift still exceeds
    ``log(1/p_min)``, contribute that constant each, the rest a geometric series, so the cost
    does not grow with ``T - k``. (``sum_t KL*(p_min, a_t)`` would *not* be a bound: ``KL*`` is
    not monotone in ``p``.)

    Parameters
    ----------
    p_min, mu, beta, gamma : array_like
        As in :func:`recoverability_bound`.
    horizon, depth : array_like
        ``k`` and ``T``, whole numbers ``>= 0``; the sum is empty (0) when ``T <= k``.
        ``T = math.inf``: the bound on the whole tail :math:`\sum_{t>k}^{\infty}\mathrm{KL}^*_t`,
        the limit of the bounds at depth T (each partial sum is below its bound, which is below
        the limit), finite for ``gamma < 1``.

    Returns
    -------
    float or ndarray
        The bound; ``inf`` only when ``p_min = 0`` with ``gamma = 1`` and ``mu > 0``, when
        ``T = inf`` with ``gamma = 1``, ``mu > 0`` and ``p_min < 1`` (or when it exceeds the
        float range).

    Examples
    --------
    >>> total_recovery_kl_bound(0.5, mu=1.0, beta=1.0, gamma=1.0, horizon=2, depth=5)  # 3 * log 2
    2.0794415416798357
    >>> round(total_recovery_kl_bound(0.5, mu=1.0, beta=1.0, gamma=0.5, horizon=0, depth=60), 12)
    1.0
    >>> total_recovery_kl_bound(0.5, mu=1.0, beta=1.0, gamma=0.5, horizon=0, depth=float("inf"))
    1.0
    """
    p_min = v.closed("p_min", p_min, 0.0, 1.0)
    mu = v.nonnegative("mu", mu)
    beta = v.positive("beta", beta)
    gamma = v.closed("gamma", gamma, 0.0, 1.0)
    k = v.nonnegative_int("horizon", horizon)
    T = _whole_or_inf("depth", depth)
    p_min, mu, beta, gamma, k, T = np.broadcast_arrays(p_min, mu, beta, gamma, k, T)
    n = np.maximum(T - k, 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        cap = -np.log(p_min)  # log(1/p_min), inf at p_min = 0
        log_ratio = np.log(mu) - np.log(beta)  # log(mu/beta), -inf at mu = 0
        log_gamma = np.log(gamma)
        # Positions with mu gamma^t / beta >= cap are t <= t_cap; they are the first ones.
        t_cap = (np.log(cap) - log_ratio) / log_gamma
        m = np.clip(np.floor(t_cap) - k, 0.0, n)
        m = np.where(np.isnan(m), 0.0, m)
        first = k + m + 1.0
        tail_terms = n - m
        geometric = (
            np.exp(log_ratio + first * log_gamma) * -np.expm1(tail_terms * log_gamma) / (1.0 - gamma)
        )
        # m * cap with m = 0 and cap = inf (p_min = 0) would be nan: no capped position, no term.
        capped = np.where(m > 0, m * cap, 0.0)
        discounted = np.where(tail_terms > 0, capped + geometric, n * cap)
        uniform = n * np.minimum(np.exp(log_ratio), cap)
        total = np.where(gamma == 1.0, uniform, discounted)
        total = np.where((mu == 0.0) | (gamma == 0.0) | (n == 0.0) | (cap == 0.0), 0.0, total)
    return v.scalar_out(total)


def _log_odds_gap(delta, p_min) -> np.ndarray:
    """Delta = logit(delta) - logit(p_min): the shift needed to lift p_min to delta."""
    delta = v.open_interval("delta", delta, 0.0, 1.0)
    p_min = v.closed("p_min", p_min, 0.0, 1.0)
    return logit(delta) - logit(p_min)


def attack_threshold(delta, p_min, mu, beta, gamma):
    r"""Position beyond which recovery falls below ``delta`` (Corollary 23's :math:`\tau`).

    .. math:: \tau = \frac{\ln\left(\mu / (\beta\Delta)\right)}{\ln(1/\gamma)},
              \qquad \Delta = \operatorname{logit}\delta - \operatorname{logit}p_{\min}

    For positions ``t >= 1`` at base recovery ``p_min``, recovery is below ``delta`` iff
    ``t > tau``. Special cases keep that meaning: ``inf`` when recovery never drops below
    ``delta`` (``Delta <= 0``, or ``gamma = 1`` with ``mu/beta >= Delta``); ``-inf`` when it is
    below everywhere (``mu = 0``, ``p_min = 0``, or ``gamma = 1`` with ``mu/beta < Delta``);
    0 when ``gamma = 0`` (the penalty is gone from ``t = 1``).

    Examples
    --------
    >>> round(attack_threshold(0.5, p_min=0.01, mu=100.0, beta=1.0, gamma=0.9), 4)
    29.2346
    """
    gap = _log_odds_gap(delta, p_min)
    mu = v.nonnegative("mu", mu)
    beta = v.positive("beta", beta)
    gamma = v.closed("gamma", gamma, 0.0, 1.0)
    return v.scalar_out(_tau(gap, mu, beta, gamma))


def _tau(gap, mu, beta, gamma) -> np.ndarray:
    gap, mu, beta, gamma = np.broadcast_arrays(gap, mu, beta, gamma)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        tau = (np.log(mu) - np.log(beta) - np.log(gap)) / -np.log(gamma)
        uniform = np.where(mu / beta >= gap, np.inf, -np.inf)
        tau = np.where(gamma == 1.0, uniform, tau)
        tau = np.where(gamma == 0.0, 0.0, tau)
        tau = np.where(mu == 0.0, -np.inf, tau)
        return np.where(gap <= 0.0, np.inf, tau)


def min_attack_length(delta, p_min, mu, beta, gamma, horizon=0):
    r"""Shortest prefilled prefix after which recovery falls below ``delta`` (Corollary 23).

    With :math:`\Delta = \operatorname{logit}\delta - \operatorname{logit}p_{\min}`, recovery at
    position ``t`` is below ``delta`` iff :math:`\mu\gamma^t/\beta < \Delta`, i.e. for
    :math:`t > \tau = \ln(\mu/(\beta\Delta))/\ln(1/\gamma)`. The attacker must also cover the
    harm horizon, so the first suppressed position is :math:`t^* = \max(k+1, \lfloor\tau\rfloor+1)`
    and the prefix is one shorter: :math:`L^* = \max(k, \lfloor\tau\rfloor)`.

    Special cases: ``Delta <= 0`` (``delta <= p_min``) gives ``inf`` (recovery never drops below
    ``delta``); ``gamma = 1`` gives ``inf`` if ``mu/beta >= Delta`` and ``k`` otherwise;
    ``gamma = 0`` or ``mu = 0`` gives ``k``.

    Parameters
    ----------
    delta : array_like
        Target recovery level in ``(0, 1)``.
    p_min, mu, beta, gamma : array_like
        As in :func:`recoverability_bound`.
    horizon : array_like, optional
        Harm horizon ``k``, a whole number ``>= 0``.

    Returns
    -------
    int or float or ndarray
        For scalar input an ``int``, or ``math.inf`` when no finite prefix suffices; for array
        input a float array with ``inf`` there.

    Examples
    --------
    >>> min_attack_length(0.5, p_min=0.01, mu=100.0, beta=1.0, gamma=0.9, horizon=3)
    29
    >>> min_attack_length(0.5, p_min=0.01, mu=100.0, beta=1.0, gamma=1.0)
    inf
    """
    gap = _log_odds_gap(delta, p_min)
    mu = v.nonnegative("mu", mu)
    beta = v.positive("beta", beta)
    gamma = v.closed("gamma", gamma, 0.0, 1.0)
    k = v.nonnegative_int("horizon", horizon)
    gap, mu, beta, gamma, k = np.broadcast_arrays(gap, mu, beta, gamma, k)
    length = np.maximum(k, np.floor(_tau(gap, mu, beta, gamma)))
    if length.ndim == 0:
        return v.int_or_inf(float(length))
    return length


def required_penalty(delta, p_min, beta, gamma, depth):
    r"""Smallest ``mu`` keeping recovery at least ``delta`` down to depth ``T`` (Corollary 23).

    .. math:: \mu_{\text{req}} = \beta\,\Delta\,\gamma^{-T},
              \qquad \Delta = \operatorname{logit}\delta - \operatorname{logit}p_{\min},

    and 0 when ``Delta <= 0``. It is ``inf`` when ``p_min = 0`` (Remark 10: no finite penalty
    creates recovery the base model never emits), when ``gamma = 0`` and ``T >= 1``, or when
    ``gamma**-T`` exceeds the float range.

    Parameters
    ----------
    delta : array_like
        Target recovery level in ``(0, 1)``.
    p_min, beta, gamma : array_like
        As in :func:`recoverability_bound`.
    depth : array_like
        ``T``, a whole number ``>= 0``.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(required_penalty(0.5, p_min=0.01, beta=1.0, gamma=0.9, depth=10), 4)
    13.1787
    """
    gap = _log_odds_gap(delta, p_min)
    beta = v.positive("beta", beta)
    gamma = v.closed("gamma", gamma, 0.0, 1.0)
    T = v.nonnegative_int("depth", depth)
    gap, beta, gamma, T = np.broadcast_arrays(gap, beta, gamma, T)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_mu = np.log(beta) + np.log(gap) - T * np.log(gamma)
        mu = np.where(T == 0.0, beta * gap, np.exp(log_mu))
        mu = np.where(gap <= 0.0, 0.0, mu)
    return v.scalar_out(mu)
