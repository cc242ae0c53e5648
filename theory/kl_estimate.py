r"""Per-position KL(aligned ‖ base) estimated from the log-probabilities of sampled responses.

The fits of :mod:`theory.evidence` take a per-position KL curve. A curve is often measured the
way Qi et al. (2025) measured theirs: sample responses from the aligned model, score every token
under both models, and average the log-ratio per position. :func:`estimate_kl` is that estimator,
with its standard error. Pure numpy, no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["KLEstimate", "estimate_kl"]


@dataclass(frozen=True, eq=False)  # eq=False: a generated == would compare arrays and raise
class KLEstimate:
    """Per distinct position ``t`` (sorted): the estimate of :func:`estimate_kl` and its parts."""

    t: np.ndarray  # distinct positions, increasing (int64)
    n: np.ndarray  # responses that reach each position
    kl: np.ndarray  # estimated KL_t, nats
    stderr: np.ndarray  # its standard error; NaN where n < 2
    log_ratio_sum: np.ndarray  # sum over the responses of the log-ratio (n * kl)
    p_base: np.ndarray | None  # estimated base probability of the recovery tokens, or None


def estimate_kl(t, logp_aligned, logp_base, logp_base_recovery=None) -> KLEstimate:
    r"""Monte Carlo estimate of the per-position KL(π_aligned ‖ π_base) and its standard error.

    Parameters
    ----------
    t : array_like of int, shape (m,)
        Position (1-indexed) of each scored token: one entry per response and position.
    logp_aligned, logp_base : array_like of float, shape (m,)
        :math:`\log\pi_\text{aligned}(x_t \mid x_{<t})` and :math:`\log\pi_\text{base}(x_t \mid
        x_{<t})` of that token in nats, for responses :math:`x` sampled from the aligned model.
    logp_base_recovery : array_like of float, shape (m,), optional
        :math:`\log\pi_\text{base}(R \mid x_{<t})`, the base model's log-probability of the
        recovery tokens :math:`R` after the same prefix.

    Returns
    -------
    KLEstimate
        ``t`` the distinct positions, ``n`` the responses reaching each, ``kl`` the estimate,
        ``stderr`` its standard error, ``log_ratio_sum`` the sum it averages, ``p_base`` the
        estimated recovery probability (None without ``logp_base_recovery``).

    Raises
    ------
    ValueError
        If the arrays are not one-dimensional of one length, empty, ``t`` is not whole numbers,
        or a log-probability is not finite.

    Notes
    -----
    With :math:`n_t` responses :math:`x^{(i)}` reaching position :math:`t` and the log-ratios
    :math:`d_i = \log\pi_\text{aligned}(x^{(i)}_t \mid x^{(i)}_{<t}) - \log\pi_\text{base}
    (x^{(i)}_t \mid x^{(i)}_{<t})`,

    .. math::

        \widehat{\mathrm{KL}}_t = \frac{1}{n_t}\sum_i d_i, \qquad
        \mathrm{se}_t = \frac{s_t}{\sqrt{n_t}}, \qquad
        s_t^2 = \frac{1}{n_t - 1}\sum_i \bigl(d_i - \widehat{\mathrm{KL}}_t\bigr)^2 .

    Since :math:`x^{(i)}_t \sim \pi_\text{aligned}(\cdot \mid x^{(i)}_{<t})`, the conditional
    mean of :math:`d_i` is :math:`\mathrm{KL}(\pi_\text{aligned}(\cdot \mid x_{<t}) \,\|\,
    \pi_\text{base}(\cdot \mid x_{<t}))`: the estimate is unbiased for the per-position KL
    averaged over the aligned model's prefixes (over those that reach :math:`t`, when responses
    differ in length). For independent responses :math:`\mathrm{se}_t` is its standard error
    (sample standard deviation over :math:`\sqrt{n_t}`; the estimate is close to normal once
    :math:`n_t` is large, by the central limit theorem); it is NaN where :math:`n_t < 2`. A
    single :math:`d_i` may be negative, and so may the estimate where the KL is small: that is
    sampling noise, kept (clipping at 0 would bias the estimate).

    ``p_base`` is :math:`\frac{1}{n_t}\sum_i \pi_\text{base}(R \mid x^{(i)}_{<t})`, unbiased for
    the base model's recovery probability averaged over the aligned model's prefixes (clipped to
    [0, 1] against rounding).

    ``log_ratio_sum`` is :math:`\sum_i d_i`, a check on the sampling: for a token drawn from the
    aligned model :math:`\mathbb{E}[\pi_\text{base}/\pi_\text{aligned}] \le 1`, and the product of
    the ratios of independent responses keeps that bound, so by Markov's inequality
    :math:`P(\sum_i d_i \le -D) \le e^{-D}` whatever the two models. A sum far below 0 means the
    responses were not sampled from the aligned model (or the two columns are swapped).

    Examples
    --------
    >>> e = estimate_kl([1, 1, 2, 2], [-0.1, -0.3, -1.0, -1.0], [-0.5, -0.5, -1.2, -1.4])
    >>> e.t.tolist(), e.n.tolist(), e.kl.round(3).tolist(), e.stderr.round(3).tolist()
    ([1, 2], [2, 2], [0.3, 0.3], [0.1, 0.1])
    """
    t = np.asarray(t)
    logp = [np.asarray(x, dtype=float) for x in (logp_aligned, logp_base)
            + (() if logp_base_recovery is None else (logp_base_recovery,))]
    if t.ndim != 1 or any(x.shape != t.shape for x in logp):
        raise ValueError("t and the log-probabilities must be one-dimensional, of one length")
    if t.size == 0:
        raise ValueError("at least one scored token is needed")
    if not np.issubdtype(t.dtype, np.integer):
        raise ValueError(f"t must hold whole numbers, got dtype {t.dtype}")
    if not all(np.isfinite(x).all() for x in logp):
        raise ValueError("log-probabilities must be finite")

    positions, inverse, n = np.unique(t, return_inverse=True, return_counts=True)
    d = logp[0] - logp[1]
    total = np.bincount(inverse, weights=d)
    kl = total / n
    squares = np.bincount(inverse, weights=(d - kl[inverse]) ** 2)
    stderr = np.full(len(positions), np.nan)
    many = n >= 2
    stderr[many] = np.sqrt(squares[many] / (n[many] - 1) / n[many])
    p_base = None
    if logp_base_recovery is not None:
        p_base = np.clip(np.bincount(inverse, weights=np.exp(logp[2])) / n, 0.0, 1.0)
    return KLEstimate(t=positions.astype(np.int64), n=n, kl=kl, stderr=stderr,
                      log_ratio_sum=total, p_base=p_base)
