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

__all__ = [
    "recovery_shift",
    "recovery_probability",
    "recovery_kl",
    "total_recovery_kl",
    "gibbs_distribution",
]

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
# The same polynomials as the columns of one coefficient table, so that one polyval call evaluates
# them all (Polynomial.__call__ costs ~50 us each, which dominated calls on a few elements).
_CUMULANT_TABLE = np.column_stack(
    [np.pad(factor.coef, (0, _SERIES_TERMS - factor.coef.size)) for factor in _CUMULANT_FACTORS])


def _cumulant_factors(p) -> np.ndarray:
    """P_n(p) for n = 2 .. _SERIES_TERMS + 1, stacked along a new first axis."""
    return np.polynomial.polynomial.polyval(p, _CUMULANT_TABLE, tensor=True)


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
    return v.scalar_out(_kl(p, a))


def _kl(p, a) -> np.ndarray:
    """KL*(p, a) elementwise for validated ``p`` and ``a >= 0`` (may be inf)."""
    p, a = np.broadcast_arrays(p, a)
    kl = np.zeros(a.shape)
    small = a < _SERIES_BELOW
    large = ~small
    # Each form only where it is used: the series costs ~16 polynomials per element (and the
    # integrand of total_recovery_kl calls this with one element at a time).
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if small.any():
            kl[small] = _kl_series(p[small], a[small])
        if large.any():
            kl[large] = _kl_closed(p[large], a[large])
        # mu / beta can overflow to inf; the closed form gives inf - inf there, the limit is log(1/p)
        infinite = np.isinf(a)
        kl[infinite] = -np.log(p[infinite])
    kl[(p == 0.0) | (p == 1.0) | (a == 0.0)] = 0.0
    return np.maximum(kl, 0.0)


def _kl_series(p: np.ndarray, a: np.ndarray) -> np.ndarray:
    total = np.zeros(np.broadcast(p, a).shape)
    factors = _cumulant_factors(p)
    for coeff, factor in zip(reversed(_SERIES_COEFFS), factors[::-1]):
        total = total * a + coeff * factor
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


# total_recovery_kl: positions whose shift a_t is at most _TAIL_BELOW go to the cumulant series
# summed in closed form over t. Its terms shrink like a^n, so 8 cumulants leave a relative
# truncation error ~ (1e-3)^8 there.
_TAIL_BELOW = 1e-3
_TAIL_TERMS = 8
# The positions before that are summed one by one, _HEAD_CHUNK at a time (bounded memory). A head
# longer than _HEAD_MAX (gamma within ~1e-4 of 1, or mu/beta astronomically large; ~0.1 s at
# the cap) goes to Euler-Maclaurin instead, whose error terms scale like -log(gamma) <= 1e-4.
_HEAD_MAX = 2**18
_HEAD_CHUNK = 2**16


def total_recovery_kl(p_base, mu, beta, gamma, horizon, depth):
    r"""Total KL cost of the deep optimum beyond the horizon (Theorem 20, Remark 6), in nats.

    .. math::
        \sum_{t=k+1}^{T} \mathrm{KL}^*(p, a_t), \qquad a_t = \mu\gamma^t/\beta,
        \qquad \mathrm{KL}^*(p, a) = a K'(a) - K(a),\quad K(a) = \log(1 - p + p e^{a}),

    with ``KL*`` the per-position cost of :func:`recovery_kl` at a base recovery probability
    ``p`` that is the same at every position. For ``gamma < 1`` the sum converges as
    ``T -> inf`` (Remark 6: the terms decay like :math:`\tfrac{p(1-p)}{2}a_t^2 \propto \gamma^{2t}`);
    for ``gamma = 1`` every position costs ``KL*(p, mu/beta)`` and the sum grows without bound.

    Evaluation: positions with :math:`a_t > 10^{-3}` (the head) are summed term by term; the
    remaining ones with the cumulant series :math:`\mathrm{KL}^*(a) = \sum_{n\ge2}
    \frac{n-1}{n!}\kappa_n(p)\,a^n` summed over ``t`` in closed form,
    :math:`\sum_{t=t_0}^{T} a_t^n = (\mu/\beta)^n \gamma^{n t_0}
    (1 - \gamma^{n(T-t_0+1)})/(1 - \gamma^n)`. A head longer than 2**18 positions (``gamma``
    within ~1e-4 of 1) is summed by Euler-Maclaurin: the integral
    :math:`\frac{1}{-\log\gamma}\int \mathrm{KL}^*(p, e^u)\,du` (``scipy.integrate.quad``) plus
    the end corrections up to the third derivative.

    Parameters
    ----------
    p_base : array_like
        Base recovery probability ``p`` in ``[0, 1]`` at every position ``t > k``.
    mu, beta, gamma : array_like
        Penalty strength ``>= 0``, KL weight ``> 0``, discount in ``[0, 1]``.
    horizon : array_like
        ``k``, a whole number ``>= 0``.
    depth : array_like
        ``T``, a whole number ``>= 0`` or ``math.inf``; the sum is empty (0) when ``T <= k``.

    Returns
    -------
    float or ndarray
        The total, non-decreasing in ``T``. ``inf`` for ``T = inf`` with ``gamma = 1``,
        ``mu > 0`` and ``0 < p < 1``; exactly 0 when ``mu = 0``, ``gamma = 0``, ``p = 0`` (no
        recovery to shift, Remark 10) or ``p = 1``.

    Examples
    --------
    >>> round(total_recovery_kl(0.5, mu=1.0, beta=1.0, gamma=1.0, horizon=2, depth=5), 12)
    0.332832215015
    >>> total_recovery_kl(0.5, mu=1.0, beta=1.0, gamma=1.0, horizon=2, depth=math.inf)
    inf
    >>> round(total_recovery_kl(0.01, mu=5.0, beta=1.0, gamma=0.9, horizon=5, depth=math.inf), 9)
    0.709314062
    >>> total_recovery_kl(0.01, 5.0, 1.0, 0.9, horizon=5, depth=[10, 100, math.inf]).round(6)
    array([0.570191, 0.709314, 0.709314])
    """
    p = v.closed("p_base", p_base, 0.0, 1.0)
    mu = v.nonnegative("mu", mu)
    beta = v.positive("beta", beta)
    gamma = v.closed("gamma", gamma, 0.0, 1.0)
    k = v.nonnegative_int("horizon", horizon)
    T = _whole_or_inf("depth", depth)
    p, mu, beta, gamma, k, T = np.broadcast_arrays(p, mu, beta, gamma, k, T)
    total = np.zeros(p.shape)
    for i in np.ndindex(p.shape):
        total[i] = _total_one(float(p[i]), float(mu[i]), float(beta[i]), float(gamma[i]),
                              float(k[i]), float(T[i]))
    return v.scalar_out(total)


def _whole_or_inf(name: str, value) -> np.ndarray:
    arr = v.closed(name, value, 0.0, math.inf)
    bad = arr != np.floor(arr)  # floor(inf) = inf passes
    if bad.any():
        bad_value = arr[bad].flat[0] if arr.ndim else arr.item()
        raise ValueError(f"{name} must be a whole number >= 0 or inf, got {bad_value!r}")
    return arr


def _total_one(p: float, mu: float, beta: float, gamma: float, k: float, T: float) -> float:
    """sum_{t=k+1}^{T} KL*(p, mu gamma^t / beta) for one set of validated scalars."""
    if T <= k or mu == 0.0 or gamma == 0.0 or p == 0.0 or p == 1.0:
        return 0.0
    log_ratio = math.log(mu) - math.log(beta)  # log(mu/beta): mu/beta itself may overflow
    if gamma == 1.0:
        return math.inf if math.isinf(T) else (T - k) * float(_kl(p, _exp(log_ratio)))
    log_gamma = math.log(gamma)
    # First position of the tail: a_t <= _TAIL_BELOW iff t >= (log(mu/beta) - log s) / -log(gamma).
    t_tail = max(k + 1.0, math.ceil((log_ratio - math.log(_TAIL_BELOW)) / -log_gamma))
    head_end = min(T, t_tail - 1.0)
    head = 0.0
    if head_end - k > _HEAD_MAX:
        head = _euler_maclaurin(p, log_ratio, log_gamma, k + 1.0, head_end)
    elif head_end > k:
        for start in np.arange(k + 1.0, head_end + 1.0, _HEAD_CHUNK):
            t = np.arange(start, min(start + _HEAD_CHUNK, head_end + 1.0))
            head += float(np.sum(_kl(p, _exp(log_ratio + t * log_gamma))))
    tail = 0.0
    if T >= t_tail:
        tail = _tail_series(p, log_ratio + t_tail * log_gamma, log_gamma, T - t_tail + 1.0)
    return head + tail


def _exp(x):
    """exp(x), inf on overflow (the shifts a_t = exp(log(mu/beta) + t log gamma) may overflow)."""
    with np.errstate(over="ignore"):
        return np.exp(x)


def _tail_series(p: float, log_a0: float, log_gamma: float, count: float) -> float:
    """sum of KL*(p, a0 gamma^j) over j = 0..count-1 (count may be inf), all shifts <= 1e-3."""
    total = 0.0
    factors = _cumulant_factors(p)
    for n, (coeff, factor) in enumerate(zip(_SERIES_COEFFS[:_TAIL_TERMS], factors), start=2):
        # sum_j a_j^n = a0^n (1 - gamma^(n count)) / (1 - gamma^n), each 1 - x^m as -expm1(m log x)
        geometric = -math.expm1(n * count * log_gamma) if math.isfinite(count) else 1.0
        power_sum = math.exp(n * log_a0) * geometric / -math.expm1(n * log_gamma)
        total += coeff * float(factor) * power_sum
    return p * (1.0 - p) * total


def _euler_maclaurin(p: float, log_ratio: float, log_gamma: float, first: float, last: float) -> float:
    r"""sum_{t=first}^{last} f(t), f(t) = KL*(p, a_t), a_t = exp(log_ratio + t log_gamma).

    .. math:: \sum f = \int_{first}^{last} f\,dt + \frac{f(first) + f(last)}{2}
        + \frac{f'(last) - f'(first)}{12} - \frac{f'''(last) - f'''(first)}{720} + R

    With D = a d/da: d/dt = log(gamma) D, D KL* = a^2 K'' and D^3 KL* = 4a^2 K'' + 5a^3 K''' +
    a^4 K'''', where K^{(n)} are the Bernoulli cumulants at the tilted probability r* = sigma(logit
    p + a). Used only for heads longer than _HEAD_MAX, where |log gamma| < ~1e-3 and R
    (~ |log gamma|^5 D^5 KL* / 30240) is far below the float precision of the sum.
    """
    from scipy.integrate import quad  # here, not at the top: it would double `import theory`'s time

    def f(u):
        return float(_kl(p, _exp(u)))

    def derivatives(u):
        x = float(logit(p) + _exp(u))
        r = float(expit(x))
        k2 = r * (1.0 - r)
        log_k2 = float(log_expit(x) + log_expit(-x))
        # a^n K'' as exp(n u + log K''): a^4 alone overflows while K'' underflows
        a2, a3, a4 = (math.exp(n * u + log_k2) for n in (2, 3, 4))
        first_d = log_gamma * a2
        third_d = log_gamma**3 * (4.0 * a2 + 5.0 * a3 * (1.0 - 2.0 * r) + a4 * (1.0 - 6.0 * k2))
        return first_d, third_d

    u_first, u_last = log_ratio + first * log_gamma, log_ratio + last * log_gamma
    integral, _ = quad(f, u_last, u_first, epsabs=0.0, epsrel=1e-13, limit=200)
    d1_first, d3_first = derivatives(u_first)
    d1_last, d3_last = derivatives(u_last)
    return (integral / -log_gamma + (f(u_first) + f(u_last)) / 2.0
            + (d1_last - d1_first) / 12.0 - (d3_last - d3_first) / 720.0)


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
