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
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from .attacks import continue_after
from .results import TrainingRun

MAX_CELLS = 2_000_000  # T |S| |V| logits


class _Problem:
    def __init__(self, model, lam, beta, tilt):
        T = model.T
        self.model, self.lam, self.beta, self.tilt = model, lam, beta, tilt
        self.log_base = np.stack([model.log_base(t) for t in range(1, T + 1)])
        self.harm = np.stack([model.harm_step(t) for t in range(1, T + 1)])
        self.next = np.stack([model.step(t).next_state for t in range(1, T + 1)])
        self.bonus = tilt[:, None, None] * model.recovery  # a_t beta = mu gamma^t, per beta
        self.constant = beta * tilt.sum()

    def evaluate(self, logits):
        """Policy, objective, logit gradient and per-position statistics at ``logits``."""
        m, T = self.model, self.model.T
        log_pi = logits - logsumexp(logits, axis=2, keepdims=True)
        pi = np.exp(log_pi)
        probs = np.empty((T + 1, m.n_states))
        probs[0] = m.start()
        for t in range(T):
            probs[t + 1] = np.bincount(self.next[t].ravel(), (probs[t][:, None] * pi[t]).ravel(),
                                       minlength=m.n_states)
        # Cost-to-go W (objective) and harm-to-go Hv under pi, by one backward pass.
        log_ratio = np.where(pi > 0, log_pi - np.where(pi > 0, self.log_base, 0.0), 0.0)
        cost = self.beta * (log_ratio - self.bonus) + self.lam * self.harm
        grad = np.empty_like(pi)
        effect = np.empty(T)
        w = self.lam * m.final_harm
        hv = m.final_harm.copy()
        for t in range(T - 1, -1, -1):
            q = cost[t] + w[self.next[t]]
            h = self.harm[t] + hv[self.next[t]]
            w = (pi[t] * q).sum(axis=1)
            hv = (pi[t] * h).sum(axis=1)
            grad[t] = probs[t][:, None] * pi[t] * (q - w[:, None])
            effect[t] = probs[t] @ ((pi[t] - np.exp(self.log_base[t])) * h).sum(axis=1)
        kl = np.einsum("ts,tsv->t", probs[:-1], pi * log_ratio)
        recovery = np.einsum("ts,tsv->t", probs[:-1], pi * m.recovery)
        harm = float(np.einsum("ts,tsv->", probs[:-1], pi * self.harm) + probs[-1] @ m.final_harm)
        return pi, float(w[m.initial] + self.constant), grad, kl, recovery, harm, effect


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
        pi, value, grad, kl, recovery, harm, effect = problem.evaluate(logits)
        if step % record_every == 0 or step == steps:
            attack = continue_after(model, lambda t: pi[t - 1], model.harm_horizon())[1]
            for key, item in zip(records, (step, value, np.sqrt((grad**2).sum(axis=(1, 2))), kl,
                                           recovery, harm, effect, attack)):
                records[key].append(item)
        if step == steps:
            break
        if shared:
            phi -= lr * grad.sum(axis=0)
            psi -= lr * grad.sum(axis=1)
        else:
            logits = logits - lr * grad
    arrays = {key: np.array(value) for key, value in records.items()}
    return TrainingRun(
        objective=objective, parameterization=parameterization, steps=arrays["steps"],
        objective_value=arrays["J"], grad_norms=arrays["norms"], kl=arrays["kl"],
        recovery=arrays["rec"], expected_harm=arrays["harm"], harm_effect=arrays["effect"],
        prefill_recovery=arrays["attack"], exact_kl=exact_kl)
