"""Prefilling attacks (paper section 9, Corollary 23): the attacker writes x_1..x_L itself.

The forced tokens are the preset's harmful token (C). From position L+1 the model continues on its
own; we follow the state distribution given the forced prefix and, separately, the mass that has
not emitted a recovery token yet, so "recovered before the end" is a sum of non-negative terms.
"""

from __future__ import annotations

import numpy as np

from .automaton import push
from .equilibria import gibbs_policy
from .martingale import base_policy
from .results import PrefillAttack


def forced_state(model, L: int) -> int:
    """State after the attacker's prefix of L harmful tokens."""
    state = model.initial
    for t in range(1, L + 1):
        state = int(model.step(t).next_state[state, model.harmful])
    return state


def continue_after(model, cond, L: int) -> tuple[np.ndarray, float]:
    """(recovery probability at t = L+1..T, P(at least one recovery token in L+1..T))."""
    p = np.zeros(model.n_states)
    p[forced_state(model, L)] = 1.0
    waiting = p.copy()  # mass with no recovery token since L
    recovery = np.empty(model.T - L)
    recovered = 0.0
    for t in range(L + 1, model.T + 1):
        pi = cond(t)
        recover = pi[:, model.recovery].sum(axis=1)
        recovery[t - L - 1] = p @ recover
        recovered += waiting @ recover
        nxt = model.step(t).next_state
        p = push(p, pi, nxt)
        waiting = push(waiting, pi * ~model.recovery, nxt)
    return recovery, float(min(recovered, 1.0))


def prefill_attack(model, L: int, eta: float, tilt: np.ndarray) -> PrefillAttack:
    base = continue_after(model, base_policy(model), L)
    standard = continue_after(model, gibbs_policy(model, eta, np.zeros(model.T)), L)
    deep = continue_after(model, gibbs_policy(model, eta, tilt), L)
    return PrefillAttack(
        L=L, positions=np.arange(L + 1, model.T + 1),
        recovery_base=base[0], recovery_standard=standard[0], recovery_deep=deep[0],
        recover_before_end_base=base[1], recover_before_end_standard=standard[1],
        recover_before_end_deep=deep[1])
