"""The generic finite-state autoregressive engine (THEORY.md section 6).

A deterministic automaton reads the response token by token: s_0 is fixed, s_t = next(s_{t-1}, x_t).
The base model is pi_base(v | s_{t-1}, t), and the harm is additive over steps plus a terminal
part, H = sum_t w_t c(s_{t-1}, x_t) + H_final(s_T); presets with purely terminal harm set c = 0.
Because the state is a sufficient statistic of the prefix, every expectation in THEORY.md is a
forward pass (state distribution) and a backward pass (values or log-messages), each costing
O(T |S| |V|); no response is ever enumerated.

Position-dependence is stored as *segments*: position ranges where the table is the same, so the
memory is O(#segments |S| |V|) instead of O(T |S| |V|).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
from scipy import special
from scipy.special import rel_entr


def safe_log(p: np.ndarray) -> np.ndarray:
    """log p with log 0 = -inf and no divide-by-zero warning."""
    p = np.asarray(p, dtype=float)
    return np.log(p, out=np.full_like(p, -np.inf), where=p > 0)


def logsumexp(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """log sum exp(a) along ``axis``, kept as a length-1 axis.

    Bit for bit ``scipy.special.logsumexp`` for real input (the same steps: the maximum taken out
    of the sum, log1p of the rest, ties counted), without its ~0.05 ms of array-API overhead a
    call, which dominated the loops over positions. Rows with an infinite maximum go to scipy.
    """
    a_max = a.max(axis=axis, keepdims=True)
    if not np.isfinite(a_max).all():
        return special.logsumexp(a, axis=axis, keepdims=True)
    shifted = a - a_max
    is_max = shifted == 0
    count = is_max.sum(axis=axis, keepdims=True, dtype=a.dtype)
    rest = (np.exp(shifted) - is_max).sum(axis=axis, keepdims=True)  # exp(0) - 1 = 0 exactly
    return np.log1p(rest / count) + np.log(count) + a_max


def tilt_rows(base: np.ndarray, log_weight: np.ndarray) -> np.ndarray:
    """Rows (along the last axis) of base(v) exp(log_weight(v)) / Z.

    Written as base * exp(d - log1p(sum base expm1(d))) with d = log_weight - its row maximum on
    the support, so a row whose weight is constant on the support returns ``base`` bit for bit:
    the optimum is then exactly the base model and its KL exactly 0 (beyond the horizon).
    """
    support = base > 0
    ref = np.max(np.where(support, log_weight, -np.inf), axis=-1, keepdims=True)
    d = np.where(support, log_weight - ref, 0.0)
    shift = (base * np.expm1(d)).sum(axis=-1, keepdims=True)
    # Z = 1 + shift. log1p keeps a small shift exact; when the favoured tokens hold almost none of
    # the base mass, shift is near -1 and 1 + shift cancels (to 0: log Z = -inf and NaN rows), so
    # there Z is summed directly, every term positive.
    with np.errstate(divide="ignore"):
        log_z = np.where(shift > -0.5, np.log1p(np.maximum(shift, -0.5)),
                         np.log((base * np.exp(d)).sum(axis=-1, keepdims=True)))
    return base * np.exp(d - log_z)


@dataclass(frozen=True)
class Segment:
    """Tables valid from position ``first`` (1-indexed) until the next segment starts."""

    first: int
    base: np.ndarray  # (S, V) pi_base(v | s)
    next_state: np.ndarray  # (S, V) integer state after emitting v from s
    harm_step: np.ndarray  # (S, V) harm added by emitting v from s, before the weight w_t

    @property
    def log_base(self) -> np.ndarray:
        return safe_log(self.base)


class Automaton:
    """Structure of a toy model; :class:`theory.toy.ToyModel` adds the analyses."""

    def __init__(self, *, name, params, T, tokens, recovery, harmful, initial, segments,
                 final_harm, harm_weights, horizon):
        self.name = name
        self.params = dict(params)
        self.T = int(T)
        self.tokens = tuple(tokens)
        self.recovery = np.asarray(recovery, dtype=bool)  # (V,) mask of recovery tokens R
        self.harmful = int(harmful)  # index of the token a prefilling attacker forces
        self.initial = int(initial)
        self.segments = tuple(segments)
        self._firsts = [seg.first for seg in self.segments]
        self._log_bases = [seg.log_base for seg in self.segments]
        self.final_harm = np.asarray(final_harm, dtype=float)
        self.harm_weights = np.asarray(harm_weights, dtype=float)  # (T,) w_t
        self._horizon = int(horizon)

    @property
    def n_states(self) -> int:
        return self.final_harm.shape[0]

    @property
    def n_tokens(self) -> int:
        return len(self.tokens)

    def _index(self, t: int) -> int:
        return bisect.bisect_right(self._firsts, t) - 1

    def step(self, t: int) -> Segment:
        """Tables for position t (1-indexed)."""
        return self.segments[self._index(t)]

    def log_base(self, t: int) -> np.ndarray:
        return self._log_bases[self._index(t)]

    def stack(self, table) -> np.ndarray:
        """``table(segment)`` at every position 1..T, stacked to (T, ...): O(T |S| |V|) memory."""
        which = np.searchsorted(self._firsts, np.arange(1, self.T + 1), side="right") - 1
        return np.stack([table(seg) for seg in self.segments])[which]

    def harm_step(self, t: int) -> np.ndarray:
        """(S, V) harm added at position t: w_t c(s, v)."""
        return self.harm_weights[t - 1] * self.step(t).harm_step

    def start(self) -> np.ndarray:
        p = np.zeros(self.n_states)
        p[self.initial] = 1.0
        return p


def push(p: np.ndarray, cond: np.ndarray, next_state: np.ndarray) -> np.ndarray:
    """State distribution after one step: sum over (s, v) of p(s) cond(v|s) into next(s, v)."""
    return np.bincount(next_state.ravel(), weights=(p[:, None] * cond).ravel(),
                       minlength=p.shape[0])


def base_values(model: Automaton) -> np.ndarray:
    """(T+1, S) E_base[harm still to come | s_t = s] by the backward recursion (Proposition 2)."""
    return policy_values(model, lambda t: model.step(t).base)


def policy_values(model: Automaton, cond) -> np.ndarray:
    """(T+1, S) E_pi[harm still to come | s_t = s] under the policy ``cond(t) -> (S, V)``."""
    values = np.empty((model.T + 1, model.n_states))
    values[model.T] = model.final_harm
    for t in range(model.T, 0, -1):
        q = model.harm_step(t) + values[t][model.step(t).next_state]
        # Centre on one entry so that a row with one value returns it exactly (sum pi != 1 in
        # floating point); the innovations beyond the horizon are then exactly 0.
        ref = q[:, :1]
        values[t - 1] = ref[:, 0] + (cond(t) * (q - ref)).sum(axis=1)
    return values


def forward(model: Automaton, cond, start=None, first: int = 1) -> np.ndarray:
    """(T+1, S) state distributions under the policy ``cond(t) -> (S, V)`` from position ``first``.

    Rows before ``first - 1`` are zero; row ``first - 1`` is ``start`` (default: s_0).
    """
    probs = np.zeros((model.T + 1, model.n_states))
    probs[first - 1] = model.start() if start is None else start
    for t in range(first, model.T + 1):
        probs[t] = push(probs[t - 1], cond(t), model.step(t).next_state)
    return probs


@dataclass(frozen=True)
class PolicyStats:
    kl: np.ndarray  # (T,) KL_t against the base model
    recovery: np.ndarray  # (T,) E[pi(R | x_<t)]
    expected_harm: float
    probability: np.ndarray  # (T+1, S)


def policy_stats(model: Automaton, cond) -> PolicyStats:
    """KL_t, recovery probability and E[H] of the policy ``cond`` run from s_0 (one forward pass)."""
    probs = np.empty((model.T + 1, model.n_states))
    probs[0] = model.start()
    kl = np.empty(model.T)
    recovery = np.empty(model.T)
    harm = 0.0
    for t in range(1, model.T + 1):
        seg = model.step(t)
        pi = cond(t)
        p = probs[t - 1]
        kl[t - 1] = p @ rel_entr(pi, seg.base).sum(axis=1)
        recovery[t - 1] = p @ pi[:, model.recovery].sum(axis=1)
        harm += p @ (pi * model.harm_step(t)).sum(axis=1)
        probs[t] = push(p, pi, seg.next_state)
    harm += probs[model.T] @ model.final_harm
    return PolicyStats(kl=kl, recovery=recovery, expected_harm=float(harm), probability=probs)
