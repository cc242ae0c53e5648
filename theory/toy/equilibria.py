"""Exact optima of J_std and J_deep, and the paper's per-prefix forms (sections 8-9, App. A-B).

Both exact optima are Gibbs measures pi_base(x) exp(-eta H(x) + sum_t a_t 1[x_t in R]) on whole
responses (a_t = 0 for the standard objective). Their conditionals come from a backward pass of
log-messages L_t(s) = log E_base[exp(-eta (harm after t) + sum_{u>t} a_u 1[x_u in R]) | s_t = s]
(Phi_t of THEORY.md section 4, Psi_t of section 5), kept in log space so that T up to 1e5 and
large eta never underflow.
"""

from __future__ import annotations

import numpy as np

from .automaton import base_values, logsumexp, policy_stats, policy_values, tilt_rows
from .results import DeepEquilibrium, StandardEquilibrium


def gibbs_policy(model, eta: float, tilt: np.ndarray):
    """Conditionals ``cond(t) -> (S, V)`` of pi_base exp(-eta H + sum_t tilt_t 1[x_t in R])."""
    bonus = model.recovery.astype(float)
    log_msg = np.empty((model.T + 1, model.n_states))
    log_msg[model.T] = -eta * model.final_harm
    for t in range(model.T, 0, -1):
        weights = (model.log_base(t) - eta * model.harm_step(t) + tilt[t - 1] * bonus
                   + log_msg[t][model.step(t).next_state])
        log_msg[t - 1] = logsumexp(weights, axis=1)[:, 0]

    def cond(t):
        seg = model.step(t)
        weights = -eta * model.harm_step(t) + tilt[t - 1] * bonus + log_msg[t][seg.next_state]
        return tilt_rows(seg.base, weights)

    return cond


def gibbs_policy_stacked(model, eta: float, tilt: np.ndarray) -> np.ndarray:
    """All conditionals of :func:`gibbs_policy` at once, (T, S, V), with the same arithmetic (so
    the same numbers); only the log-message recursion still runs position by position.
    O(T |S| |V|) memory: for training, which holds arrays of that size anyway."""
    bonus = tilt[:, None, None] * model.recovery
    harm = model.harm_weights[:, None, None] * model.stack(lambda seg: seg.harm_step)
    next_state = model.stack(lambda seg: seg.next_state)
    own = model.stack(lambda seg: seg.log_base) - eta * harm + bonus
    log_msg = np.empty((model.T + 1, model.n_states))
    log_msg[model.T] = -eta * model.final_harm
    for t in range(model.T, 0, -1):
        log_msg[t - 1] = logsumexp(own[t - 1] + log_msg[t][next_state[t - 1]], axis=1)[:, 0]
    after = log_msg[1:][np.arange(model.T)[:, None, None], next_state]
    return tilt_rows(model.stack(lambda seg: seg.base), -eta * harm + bonus + after)


def optimum_values(model, eta: float, tilt: np.ndarray) -> np.ndarray:
    """(T+1, S) E_{pi*}[harm still to come | s_t = s] under the exact optimum pi* (THEORY.md
    section 5), so that h*_t(x_<t, v) = E_{pi*}[H | x_<t, v] = harm so far + c_t(s, v) +
    values[t, next(s, v)]: the expected harm when pi* writes the rest, -d/deta log Psi_t."""
    return policy_values(model, gibbs_policy(model, eta, tilt))


def per_prefix_policy(model, eta: float, tilt: np.ndarray, values: np.ndarray | None = None):
    """Theorem 20 beyond the horizon, Proposition 29 within it, at every prefix (state).

    Theorem 20: q(v) proportional to pi_base(v) exp(a_t 1[v in R]).
    Proposition 29: q(v) proportional to pi_base(v) exp(-eta h_t(x_<t, v) + a_t 1[v in R]), with
    h_t from ``values`` (harm still to come per state, (T+1, S)):

    - default, the base model's (:func:`base_values`): Proposition 29 with the base model's h_t,
      first order, gap O(eta) to the exact optimum;
    - :func:`optimum_values`: Proposition 29 with the optimum's own h_t, gap O(eta^2). The
      recovery tilts of later positions then enter only through h_t's continuation; what they
      change in the base continuation itself (Psi_t at eta = 0) is left out, which is no error
      when that does not depend on x_t (decay = 1) and the same O(1) gap as Theorem 20's beyond
      the horizon when it does (decay < 1).
    """
    values = base_values(model) if values is None else values
    horizon = model.harm_horizon()
    bonus = model.recovery.astype(float)

    def cond(t):
        seg = model.step(t)
        weights = np.broadcast_to(tilt[t - 1] * bonus, seg.base.shape)
        if t <= horizon:
            weights = weights - eta * (model.harm_step(t) + values[t][seg.next_state])
        return tilt_rows(seg.base, weights)

    return cond


def standard_equilibrium(model, eta: float) -> StandardEquilibrium:
    stats = policy_stats(model, gibbs_policy(model, eta, np.zeros(model.T)))
    return StandardEquilibrium(
        eta=eta, kl=stats.kl, kl_small_eta=0.5 * eta**2 * model.harm_information(),
        recovery=stats.recovery, expected_harm=stats.expected_harm,
        expected_harm_base=model.expected_harm())


def deep_equilibrium(model, eta: float, tilt: np.ndarray) -> DeepEquilibrium:
    optimum = gibbs_policy(model, eta, tilt)
    exact = policy_stats(model, optimum)
    approx = policy_stats(model, per_prefix_policy(model, eta, tilt))
    cont = policy_stats(model, per_prefix_policy(model, eta, tilt, policy_values(model, optimum)))
    return DeepEquilibrium(
        eta=eta, tilt=tilt, recovery_exact=exact.recovery, kl_exact=exact.kl,
        recovery_per_prefix=approx.recovery, kl_per_prefix=approx.kl,
        expected_harm_exact=exact.expected_harm, expected_harm_per_prefix=approx.expected_harm,
        recovery_per_prefix_cont=cont.recovery, kl_per_prefix_cont=cont.kl,
        expected_harm_per_prefix_cont=cont.expected_harm)
