"""Theorem 8 gradients and the Lemma 12 / Theorem 13 bounds (paper sections 5-7, THEORY.md section 3).

Parameters: one softmax logit vector per (position, automaton state), at the base model. For a
softmax the score of token v is e_v - pi, so Theorem 8's covariance becomes
g_{t,s,v} = P(s_{t-1} = s) pi(v|s,t) (h_t(s,v) - h_{t-1}(s)).

The marginal Fisher information at position t over these logits is block diagonal over states,
F_t = blockdiag_s P(s_{t-1} = s) (diag pi_s - pi_s pi_s^T), and Theorem 14's quadratic form
g_t^T F_t^+ g_t (Moore-Penrose pseudo-inverse: F_t is singular) is a sum over the blocks.
"""

from __future__ import annotations

import numpy as np

from .automaton import base_values, push
from .martingale import innovations
from .results import Gradients


def _natural_form(base: np.ndarray, c: np.ndarray) -> np.ndarray:
    r"""(S,) quadratic forms c_s^T F_s^+ c_s with F_s = diag(pi_s) - pi_s pi_s^T, in closed form.

    F_s is singular: its null space holds the logit shift 1 and the logits of tokens with
    pi_s(v) = 0 (score and Fisher are 0 there). For c_s in the range of F_s (Theorem 8's
    covariance: sum_v c_s(v) = 0, c_s(v) = 0 off the support) the pseudo-inverse form equals the
    ordinary inverse form in coordinates that drop those directions: fix the logit of a reference
    token r (the most probable one) and keep the other support tokens u. There, by
    Sherman-Morrison with 1 - sum_u pi(u) = pi(r),

    .. math:: \tilde F^{-1} = \operatorname{diag}(1/\pi_u) + \mathbf 1\mathbf 1^\top/\pi_r,
        \qquad c^\top F^+ c = \sum_u c_u^2/\pi_u + \Big(\sum_u c_u\Big)^2/\pi_r .

    Why not ``numpy.linalg.pinv``: F_s has eigenvalues ~ pi_s(v) (down to 1e-300 in the decay
    preset) next to the exact 0, and the SVD mixes their eigenvectors, so the rounding of c_s
    along 1 is amplified by 1 / pi_s(v) (relative errors ~1e-5 at pi = 1e-12). Taking the
    largest pi_s(v) as reference keeps 1 / pi_r <= |V|.
    """
    ref = np.argmax(base, axis=1)
    keep = (base > 0) & (np.arange(base.shape[1]) != ref[:, None])
    pi_ref = np.take_along_axis(base, ref[:, None], axis=1)[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        # c (c / pi) rather than c^2 / pi: c = pi delta would underflow when squared at pi ~ 1e-300.
        diagonal = np.where(keep, c * (c / base), 0.0).sum(axis=1)
        shift = np.where(keep, c, 0.0).sum(axis=1)
        return diagonal + np.where(pi_ref > 0, shift**2 / pi_ref, 0.0)


def gradients(model) -> Gradients:
    values = base_values(model)
    p = model.start()
    T, S, V = model.T, model.n_states, model.n_tokens
    g = np.empty((T, S, V))
    lemma12 = np.empty(T)
    info = np.empty(T)
    fisher = np.empty(T)
    largest = np.empty(T)
    natural = np.empty(T)
    for t in range(1, T + 1):
        seg = model.step(t)
        delta = innovations(model, values, t)
        g[t - 1] = p[:, None] * seg.base * delta
        variance = (seg.base * delta**2).sum(axis=1)  # Var(h_t | s_{t-1} = s)
        trace = np.maximum(1.0 - (seg.base**2).sum(axis=1), 0.0)  # tr F = 1 - sum_v pi(v)^2
        lemma12[t - 1] = p @ np.sqrt(variance * trace)
        info[t - 1] = p @ variance
        fisher[t - 1] = p @ trace
        largest[t - 1] = trace[p > 0].max()
        # Block s: g_s = P(s) c_s and (P(s) F_s)^+ = F_s^+ / P(s), so its term is
        # P(s) c_s^T F_s^+ c_s. Factoring P(s) out keeps tiny or subnormal P(s) from
        # overflowing 1 / P(s); unreachable states (P(s) = 0, g_s = 0) contribute 0 either way.
        c = seg.base * delta  # Cov(h_t, score | s_{t-1} = s)
        natural[t - 1] = p @ _natural_form(seg.base, c)
        p = push(p, seg.base, seg.next_state)
    return Gradients(
        g=g, norms=np.sqrt((g**2).sum(axis=(1, 2))), bound_lemma12=lemma12,
        bound_theorem13=np.sqrt(info * fisher), bound_pointwise=np.sqrt(largest * info),
        fisher_trace=fisher, natural_norm_sq=natural)
