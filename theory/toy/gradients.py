"""Theorem 8 gradients and the Lemma 12 / Theorem 13 bounds (paper sections 5-7, THEORY.md section 3).

Parameters: one softmax logit vector per (position, automaton state), at the base model. For a
softmax the score of token v is e_v - pi, so Theorem 8's covariance becomes
g_{t,s,v} = P(s_{t-1} = s) pi(v|s,t) (h_t(s,v) - h_{t-1}(s)).
"""

from __future__ import annotations

import numpy as np

from .automaton import base_values, push
from .martingale import innovations
from .results import Gradients


def gradients(model) -> Gradients:
    values = base_values(model)
    p = model.start()
    T, S, V = model.T, model.n_states, model.n_tokens
    g = np.empty((T, S, V))
    lemma12 = np.empty(T)
    info = np.empty(T)
    fisher = np.empty(T)
    largest = np.empty(T)
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
        p = push(p, seg.base, seg.next_state)
    return Gradients(
        g=g, norms=np.sqrt((g**2).sum(axis=(1, 2))), bound_lemma12=lemma12,
        bound_theorem13=np.sqrt(info * fisher), bound_pointwise=np.sqrt(largest * info),
        fisher_trace=fisher)
