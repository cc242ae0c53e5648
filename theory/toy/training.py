"""Gradient descent on softmax logits for J_std and J_deep, from the base model (beyond the paper).

J(theta) = E_pi[lam H - sum_t mu gamma^t 1[x_t in R]] + beta sum_t KL_t + mu sum_t gamma^t
(the on-policy J_deep of THEORY.md section 1; mu = 0 gives J_std). Its exact gradient for softmax
logits is the Theorem 8 covariance with the cost-to-go Q in place of h:
dJ/dlogit(t, s, v) = P(s_{t-1} = s) pi(v|s,t) (Q_t(s, v) - W_{t-1}(s)).

Parameterisations
-----------------
``"tabular"``: one logit vector per (position, state); the optimum is the exact Gibbs optimum.
``"shared"``: logits(t, s) = log pi_base(.|s,t) + phi[s] + psi[t], one table phi shared by all
positions plus a per-position offset psi[t] shared by all states (Appendix A's coupling).
phi steps along its gradient averaged over the T positions that share it (as a loss averaged
over a sequence's tokens): with the plain sum its step grew with T and, at lr = 0.5, gradient
descent diverged for T >= 60. The scaling changes the path, not the stationary points.

Speed: every step is a handful of whole-array operations on (T, S, V) arrays; the two passes
along the positions (state distribution forward, values backward) are one banded triangular
solve each (:mod:`theory.toy.chain`), and the tables that do not change between steps are built
once in :class:`_Problem`.
"""

from __future__ import annotations

import numpy as np
from scipy.special import rel_entr

from .attacks import forced_state
from .automaton import logsumexp
from .chain import Chain
from .equilibria import gibbs_policy_stacked
from .results import TrainingRun

MAX_CELLS = 2_000_000  # T |S| |V| logits


class _Problem:
    """The step-independent tables of one training run, stacked over positions: (T, S, V)."""

    def __init__(self, model, lam, beta, tilt):
        self.model, self.beta = model, beta
        self.log_base = model.stack(lambda seg: seg.log_base)
        self.base = np.exp(self.log_base)
        # Tokens the base model never emits keep pi = 0 and count 0 nats; mask them only if any.
        self.support = None if self.base.all() else self.base > 0
        self.log_base_finite = np.where(self.base > 0, self.log_base, 0.0)
        self.harm = model.harm_weights[:, None, None] * model.stack(lambda seg: seg.harm_step)
        self.lam_harm = lam * self.harm
        self.chain = Chain(model.stack(lambda seg: seg.next_state))
        self.bonus = tilt[:, None, None] * model.recovery  # a_t beta = mu gamma^t, per beta
        self.constant = beta * tilt.sum()
        self.start = model.start()
        self.final = lam * model.final_harm[:, None]
        # Prefilling attack on the horizon k: the state after k forced harmful tokens.
        self.horizon = model.harm_horizon()
        self.forced = np.zeros(model.n_states)
        self.forced[forced_state(model, self.horizon)] = 1.0


class _Step:
    """The policy at ``logits``, its state distribution, cost-to-go and logit gradient.

    Only what the gradient needs is computed here; the recorded statistics (a few steps only)
    are computed by :meth:`record`.
    """

    def __init__(self, problem: _Problem, logits: np.ndarray):
        self.problem = p = problem
        log_pi = logits - logsumexp(logits, axis=2)
        self.pi = pi = np.exp(log_pi)
        log_ratio = log_pi - p.log_base_finite  # log pi - log pi_base
        if p.support is not None:  # -inf there; multiplied by pi = 0 it must count 0
            log_ratio = np.where(p.support, log_ratio, 0.0)
        self.log_ratio = log_ratio
        self.moves = p.chain.under(pi)
        self.probs = self.moves.forward(p.start)[:, :, None]  # (T+1, S, 1)
        # Cost-to-go W under pi (one backward solve), then Q_t(s, v) = cost + W_t(next).
        cost = p.beta * (log_ratio - p.bonus) + p.lam_harm
        w_after = self.moves.backward((pi * cost).sum(axis=2)[:, :, None], p.final)
        q = cost + p.chain.gather(w_after[:, :, 0])
        # W_{t-1} recomputed from this q (not read from the solve) so that q - w is centred on
        # exactly the same numbers as sum_v pi q: a row with constant q gets a ~0 gradient.
        self.w = (pi * q).sum(axis=2, keepdims=True)
        self.grad = self.probs[:-1] * pi * (q - self.w)

    def record(self) -> tuple:
        """J, ||dJ/dlogits_t||, KL_t, recovery_t, E[H], harm effect_t and the prefill recovery."""
        p, pi, probs = self.problem, self.pi, self.probs[:-1]
        value = float(self.w[0, p.model.initial, 0] + p.constant)
        norms = np.sqrt((self.grad**2).sum(axis=(1, 2)))
        # KL of each state's next-token distribution is >= 0; rounding leaves -1e-17 where pi = base
        kl = np.einsum("tsi,ts->t", probs, np.maximum((pi * self.log_ratio).sum(axis=2), 0.0))
        recovery = np.einsum("tsi,tsv->t", probs, pi * p.model.recovery)
        harm = float(np.einsum("tsi,tsv->", probs, pi * p.harm)
                     + self.probs[-1, :, 0] @ p.model.final_harm)
        # Harm-to-go under pi, for the change in E[H] carried by each position.
        hv_after = self.moves.backward((pi * p.harm).sum(axis=2)[:, :, None],
                                       p.model.final_harm[:, None])
        h = p.harm + p.chain.gather(hv_after[:, :, 0])
        effect = np.einsum("tsi,ts->t", probs, ((pi - p.base) * h).sum(axis=2))
        return value, norms, kl, recovery, harm, effect, self.prefill_recovery()

    def prefill_recovery(self) -> float:
        """P(a recovery token in k+1..T | x_1..x_k forced harmful), as attacks.continue_after:
        the mass that has not recovered yet, pushed forward, times pi(R) at each position."""
        p, recovery = self.problem, self.problem.model.recovery
        waiting = p.chain.under(self.pi * ~recovery).forward(p.forced, p.horizon)
        recover = self.pi[:, :, recovery].sum(axis=2)
        return float(min(np.einsum("ts,ts->", waiting[p.horizon:-1], recover[p.horizon:]), 1.0))


def exact_optimum_kl(model, eta: float, tilt: np.ndarray) -> np.ndarray:
    """KL_t of the exact optimum pi_base exp(-eta H + sum_t tilt_t 1[x_t in R]) (tilt = 0: the
    standard one): ``policy_stats(model, gibbs_policy(...)).kl`` with whole-array passes."""
    pi = gibbs_policy_stacked(model, eta, tilt)
    probs = Chain(model.stack(lambda seg: seg.next_state)).under(pi).forward(model.start())
    per_state = rel_entr(pi, model.stack(lambda seg: seg.base)).sum(axis=2)
    return np.einsum("ts,ts->t", probs[:-1], np.maximum(per_state, 0.0))  # >= 0 (rounding: -1e-17)


def train(model, lam, beta, tilt, objective, parameterization, steps, lr, record_every,
          exact_kl) -> TrainingRun:
    problem = _Problem(model, lam, beta, tilt)
    T, S, V = problem.log_base.shape
    shared = parameterization == "shared"
    phi, psi = np.zeros((S, V)), np.zeros((T, V))
    logits = problem.log_base.copy()
    records = {key: [] for key in ("steps", "J", "norms", "kl", "rec", "harm", "effect", "attack")}
    for step in range(steps + 1):
        if shared:
            logits = problem.log_base + phi[None] + psi[:, None, :]
        point = _Step(problem, logits)
        if step % record_every == 0 or step == steps:
            for key, item in zip(records, (step,) + point.record()):
                records[key].append(item)
        if step == steps:
            break
        if shared:
            phi -= (lr / T) * point.grad.sum(axis=0)
            psi -= lr * point.grad.sum(axis=1)
        else:
            logits = logits - lr * point.grad
    arrays = {key: np.array(value) for key, value in records.items()}
    return TrainingRun(
        objective=objective, parameterization=parameterization, steps=arrays["steps"],
        objective_value=arrays["J"], grad_norms=arrays["norms"], kl=arrays["kl"],
        recovery=arrays["rec"], expected_harm=arrays["harm"], harm_effect=arrays["effect"],
        prefill_recovery=arrays["attack"], exact_kl=exact_kl)
