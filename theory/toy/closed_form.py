"""O(T) vectorised closed forms for refuse-or-comply (THEORY.md section 6).

Only the undecided prefix (all N so far) can move H, and it has never emitted C, so none of these
depend on ``decay``. With m = k - t + 1 decisive positions left at position t, the undecided
value is u_m = c + q^m (h_u - c), c = p_C / (p_C + p_R) (u_m = h_u when q = 1).
The engine computes the same numbers by forward/backward passes; tests hold them together.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp, rel_entr, xlogy

from .automaton import safe_log


def _log1m(x: np.ndarray) -> np.ndarray:
    """log(1 - x), -inf at x = 1, without warnings."""
    x = np.asarray(x, dtype=float)
    return np.log1p(-x, out=np.full_like(x, -np.inf), where=x < 1)


class RefuseOrComplyClosedForm:
    def __init__(self, T, k, p_r, p_c, h_u, q):
        """``q`` = P(N), as the preset rounds it (``presets._probabilities``)."""
        self.T, self.k, self.p_r, self.p_c, self.h_u, self.q = T, k, p_r, p_c, h_u, q
        self.t = np.arange(1, k + 1, dtype=float)  # positions that can move H
        self.m = k - self.t + 1  # decisive positions left, including t

    def _undecided(self, m):
        """u_m and u_{m-1} - u_m (the latter without cancellation)."""
        q, h_u = self.q, self.h_u
        if q == 1.0:
            return np.full_like(m, h_u), np.zeros_like(m)
        c = self.p_c / (self.p_c + self.p_r)
        return c + q**m * (h_u - c), q ** (m - 1) * (1.0 - q) * (h_u - c)

    def _pad(self, head: np.ndarray) -> np.ndarray:
        out = np.zeros(self.T)
        out[: self.k] = head
        return out

    def _steps(self):
        """Per position t <= k: P(undecided before t), (pi_v) and (h_t(v) - h_{t-1}) for R, C, N."""
        if not hasattr(self, "_step_cache"):  # shared by I_t and ||g_t||; the model is immutable
            self._step_cache = self._compute_steps()
        return self._step_cache

    def _compute_steps(self):
        u, du = self._undecided(self.m)
        reach = np.power(self.q, self.t - 1)  # 0.0**0 = 1: position 1 is always undecided
        pi = np.array([self.p_r, self.p_c, self.q])
        delta = np.stack([-u, 1.0 - u, du], axis=1)
        return reach, pi, delta

    def expected_harm(self) -> float:
        return float(self._undecided(np.array([float(self.k)]))[0][0]) if self.k else self.h_u

    def harm_information(self) -> np.ndarray:
        reach, pi, delta = self._steps()
        return self._pad(reach * (delta**2 @ pi))

    def gradient_norms(self) -> np.ndarray:
        reach, pi, delta = self._steps()
        return self._pad(reach * np.sqrt(((pi * delta) ** 2).sum(axis=1)))

    def _log_phi(self, m, eta, shift):
        """log E[exp(-eta (H - shift)) | undecided, m positions left], in log space."""
        q = self.q
        log_q = safe_log(np.array(q))
        lead = m * log_q if q > 0 else np.where(m == 0, 0.0, -np.inf)  # log q^m
        decided = _log1m(np.exp(lead)) - _log1m(np.array(q))  # log((1 - q^m) / (1 - q))
        terms = np.stack([
            safe_log(np.array(self.p_c)) - eta * (1.0 - shift) + decided,
            safe_log(np.array(self.p_r)) - eta * (0.0 - shift) + decided,
            lead - eta * (self.h_u - shift),
        ])
        return logsumexp(terms, axis=0)

    def standard_kl(self, eta: float) -> np.ndarray:
        """KL_t of pi* proportional to pi_base exp(-eta H), exactly (THEORY.md section 4)."""
        if self.k == 0 or self.q == 1.0 or eta == 0.0:
            return np.zeros(self.T)
        shift = min(0.0, 1.0, self.h_u)
        m = self.m
        table = self._log_phi(np.arange(self.k + 1, dtype=float), eta, shift)  # m = 0..k
        log_phi, log_phi_next, log_phi_k = table[1:][::-1], table[:-1][::-1], table[-1]
        log_reach = xlogy(self.t - 1, self.q) + log_phi - log_phi_k  # P*(undecided before t)
        log_tilt = np.stack([
            np.full_like(m, -eta * (0.0 - shift)), np.full_like(m, -eta * (1.0 - shift)),
            log_phi_next], axis=1) - log_phi[:, None]
        pi = np.array([self.p_r, self.p_c, self.q])
        star = np.exp(safe_log(pi) + log_tilt)
        return self._pad(np.exp(log_reach) * rel_entr(star, pi).sum(axis=1))
