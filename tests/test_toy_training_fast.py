"""The whole-array toy training (theory/toy/training.py, chain.py) against a slow, independent
reference: all 3^T responses enumerated, pi_base and H written from the preset descriptions, the
gradient from the score-function identity dJ/dtheta = E_pi[f(x) d log pi(x)/dtheta] (itself
checked against finite differences), and gradient descent run step by step in the test.

Tolerances: the two computations round differently (~1e-16 a step, over 30 steps of descent),
so recorded values must agree to 1e-10 relative and 1e-12 absolute (measured: ~3e-14); a wrong
index or a missed term moves them by 1e-4 or more.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import special

import theory
from theory.toy import chain as chain_module
from theory.toy import equilibria, training
from theory.toy.automaton import logsumexp

R, C, N = 0, 1, 2
RTOL, ATOL = 1e-10, 1e-12


# --- the presets from their descriptions (THEORY.md section 6), not from the automaton --------
def rc(T, k, p_r, p_c, h_u=0.0, decay=1.0):
    def base(prefix):
        n = prefix.count(C)
        pr = p_r * decay**n
        moved, other = p_r - pr, 1 - p_r
        share = p_c / other if other > 0 else 1.0
        return np.array([pr, p_c + moved * share, (1 - p_r - p_c) + moved * (1 - share)])

    def harm(x):  # (per-position harm, terminal harm): all terminal here
        first = next((v for v in x[:k] if v != N), None)
        return np.zeros(T), {None: h_u, C: 1.0, R: 0.0}[first]

    return theory.refuse_or_comply(T, k, p_r, p_c, h_undecided=h_u, decay=decay), base, harm


def threshold(T, k, m, p_r, p_c):
    def harm(x):
        return np.zeros(T), float(x[:k].count(C) >= m)

    return (theory.threshold_harm(T, k, m, p_r, p_c),
            lambda prefix: np.array([p_r, p_c, 1 - p_r - p_c]), harm)


def gradual(T, p_r, p_c, fade):
    def harm(x):
        steps = np.zeros(T)
        for t, v in enumerate(x):
            if v == R:
                break
            steps[t] = fade**t * (v == C)
        return steps, 0.0

    return (theory.gradual_harm(T, p_r, p_c, fade),
            lambda prefix: np.array([p_r, p_c, 1 - p_r - p_c]), harm)


CASES = {
    "rc": lambda: rc(5, 3, 0.2, 0.3),
    "rc_undecided": lambda: rc(5, 2, 0.25, 0.35, h_u=0.6),
    "rc_decay": lambda: rc(5, 3, 0.2, 0.3, h_u=0.3, decay=0.5),  # 18 states: the loop fallback
    "rc_no_recovery_token": lambda: rc(4, 2, 0.0, 0.6),  # pi_base(R) = 0: logits -inf
    "threshold": lambda: threshold(5, 3, 2, 0.1, 0.4),
    "gradual": lambda: gradual(5, 0.1, 0.3, 0.5),
}


class Reference:
    """Every response x in V^T with its automaton states (the parameterisation is per state),
    base probabilities and harm from the descriptions."""

    def __init__(self, model, base, harm):
        T, S, V = model.T, model.n_states, model.n_tokens
        self.model, self.T, self.S, self.V = model, T, S, V
        self.x = np.array(list(itertools.product(range(V), repeat=T)))  # (n, T)
        self.states = np.zeros((len(self.x), T + 1), dtype=int)
        self.states[:, 0] = model.initial
        for t in range(1, T + 1):
            self.states[:, t] = model.step(t).next_state[self.states[:, t - 1], self.x[:, t - 1]]
        self.base = np.array([[base(list(x[:t]))[x[t]] for t in range(T)] for x in self.x])
        harms = [harm(list(x)) for x in self.x]
        self.step_harm = np.array([h[0] for h in harms])  # (n, T)
        self.final_harm = np.array([h[1] for h in harms])
        # Harm from position t on: G_t = sum_{u >= t} c_u + terminal.
        to_go = np.cumsum(self.step_harm[:, ::-1], axis=1)[:, ::-1]
        self.harm_to_go = to_go + self.final_harm[:, None]
        self.recovery = self.x == R
        # logits: log pi_base at every (position, state); unreachable states get any base row
        self.log_base = np.zeros((T, S, V))
        for t in range(T):
            for s in range(S):
                rows = self.x[self.states[:, t] == s]
                row = base(list(rows[0][:t])) if len(rows) else np.full(V, 1 / V)
                with np.errstate(divide="ignore"):
                    self.log_base[t, s] = np.log(row)

    def policy(self, logits):
        return special.softmax(logits, axis=2)

    def token_probs(self, pi):
        t = np.arange(self.T)
        return pi[t, self.states[:, :-1], self.x]  # (n, T): pi(x_t | s_{t-1}, t)

    def objective_terms(self, pi, lam, beta, tilt):
        """P(x) and f(x) = lam H + beta sum_t (log pi/pi_base - a_t 1[x_t in R]) per response."""
        p_tok = self.token_probs(pi)
        prob = p_tok.prod(axis=1)
        live = prob > 0
        log_ratio = np.zeros_like(p_tok)
        log_ratio[live] = np.log(p_tok[live]) - np.log(self.base[live])
        f = lam * self.harm_to_go[:, 0] + beta * (log_ratio - tilt * self.recovery).sum(axis=1)
        return prob, f, log_ratio

    def objective(self, logits, lam, beta, tilt):
        prob, f, _ = self.objective_terms(self.policy(logits), lam, beta, tilt)
        return prob @ f + beta * tilt.sum()

    def gradient(self, logits, lam, beta, tilt):
        """dJ/dlogit(t, s, v) = E[f(x) 1[s_{t-1} = s] (1[x_t = v] - pi(v | s, t))]."""
        pi = self.policy(logits)
        prob, f, _ = self.objective_terms(pi, lam, beta, tilt)
        grad = np.zeros((self.T, self.S, self.V))
        for t in range(self.T):
            np.add.at(grad[t], (self.states[:, t], self.x[:, t]), prob * f)
            grad[t] -= grad[t].sum(axis=1, keepdims=True) * pi[t]
        return grad

    def statistics(self, logits, lam, beta, tilt):
        """J, ||grad_t||, KL_t, recovery_t, E[H], harm effect_t, prefill recovery at ``logits``."""
        pi = self.policy(logits)
        prob, f, log_ratio = self.objective_terms(pi, lam, beta, tilt)
        p_tok = self.token_probs(pi)
        grad = self.gradient(logits, lam, beta, tilt)
        # harm effect_t = E_pi[G_t (1 - pi_base(x_t) / pi(x_t))] (the pi - pi_base covariance)
        live = prob > 0
        ratio = np.zeros_like(p_tok)
        ratio[live] = self.base[live] / p_tok[live]
        effect = prob @ (self.harm_to_go * (1 - ratio))
        return (prob @ f + beta * tilt.sum(), np.sqrt((grad**2).sum(axis=(1, 2))), prob @ log_ratio,
                prob @ self.recovery, prob @ self.harm_to_go[:, 0], effect, self.prefill(pi))

    def prefill(self, pi):
        """P(some R in k+1..T | x_1..x_k = C), k the horizon: sum over the continuations."""
        k = self.model.harm_horizon()
        forced = (self.x[:, :k] == C).all(axis=1)
        cont = self.token_probs(pi)[forced][:, k:].prod(axis=1)
        return min(float(cont @ self.recovery[forced][:, k:].any(axis=1)), 1.0)


def reference_run(ref, objective, lam, beta, mu, gamma, steps, lr, record_every, shared):
    tilt = np.zeros(ref.T)
    if objective == "deep":
        tilt = (mu / beta) * gamma ** np.arange(1, ref.T + 1)
    phi, psi = np.zeros((ref.S, ref.V)), np.zeros((ref.T, ref.V))
    logits = ref.log_base.copy()
    rows = []
    for step in range(steps + 1):
        if shared:
            logits = ref.log_base + phi[None] + psi[:, None, :]
        if step % record_every == 0 or step == steps:
            rows.append(ref.statistics(logits, lam, beta, tilt))
        grad = ref.gradient(logits, lam, beta, tilt)
        if shared:
            phi -= (lr / ref.T) * grad.sum(axis=0)  # averaged over the positions sharing phi
            psi -= lr * grad.sum(axis=1)
        else:
            logits = logits - lr * grad
    return [np.array(column) for column in zip(*rows)]


FIELDS = ("objective_value", "grad_norms", "kl", "recovery", "expected_harm", "harm_effect",
          "prefill_recovery")


@pytest.mark.parametrize("case", sorted(CASES))
def test_reference_gradient_matches_finite_differences(case):
    """The test's own reference gradient is right: central differences of the enumerated J at a
    random point away from the base model (so every gradient entry is generic)."""
    ref = Reference(*CASES[case]())
    rng = np.random.default_rng(0)
    logits = ref.log_base + rng.normal(size=ref.log_base.shape)
    tilt = 0.7 * 0.9 ** np.arange(1, ref.T + 1)
    grad = ref.gradient(logits, 1.3, 0.8, tilt)
    h = 1e-5
    for index in np.ndindex(grad.shape):
        if not np.isfinite(logits[index]):
            assert grad[index] == 0.0
            continue
        up, down = logits.copy(), logits.copy()
        up[index] += h
        down[index] -= h
        numeric = (ref.objective(up, 1.3, 0.8, tilt)
                   - ref.objective(down, 1.3, 0.8, tilt)) / (2 * h)
        assert abs(numeric - grad[index]) < 1e-8, (index, numeric, grad[index])


@pytest.mark.parametrize("shared", [False, True], ids=["tabular", "shared"])
@pytest.mark.parametrize("objective", ["standard", "deep"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_training_matches_slow_reference(case, objective, shared):
    model, base, harm = CASES[case]()
    ref = Reference(model, base, harm)
    lam, beta, mu, gamma = 1.5, 0.8, 2.0, 0.9
    steps, lr, every = 30, (0.2 if shared else 0.5), 3
    run = model.train(objective, lam=lam, beta=beta, mu=mu, gamma=gamma, steps=steps, lr=lr,
                      record_every=every, parameterization="shared" if shared else "tabular")
    expected = reference_run(ref, objective, lam, beta, mu, gamma, steps, lr, every, shared)
    np.testing.assert_array_equal(run.steps, list(range(0, steps + 1, every)))
    for field, want in zip(FIELDS, expected):
        np.testing.assert_allclose(getattr(run, field), want, rtol=RTOL, atol=ATOL, err_msg=field)
    assert run.kl[-1].sum() > 1e-3  # the run moved away from the base model


@pytest.mark.parametrize("case", sorted(CASES))
def test_exact_kl_is_the_equilibrium_kl(case):
    model = CASES[case]()[0]
    tilt = 2.0 * 0.9 ** np.arange(1, model.T + 1)
    deep = model.deep_equilibrium(1.5, 1.0, 2.0, 0.9).kl_exact
    np.testing.assert_allclose(training.exact_optimum_kl(model, 1.5, tilt), deep, rtol=1e-13,
                               atol=1e-16)
    np.testing.assert_allclose(training.exact_optimum_kl(model, 1.5, np.zeros(model.T)),
                               model.standard_equilibrium_kl(1.5, 1.0), rtol=1e-13, atol=1e-16)
    cond = equilibria.gibbs_policy(model, 1.5, tilt)
    stacked = equilibria.gibbs_policy_stacked(model, 1.5, tilt)
    np.testing.assert_array_equal(stacked, np.stack([cond(t) for t in range(1, model.T + 1)]))


@pytest.mark.parametrize("banded", [False, True], ids=["loop", "banded"])
def test_chain_passes_against_position_loop(monkeypatch, banded):
    """Forward and backward passes, banded solve or loop, against the recursions written out."""
    monkeypatch.setattr(chain_module, "BAND_CELLS_PER_CELL", 10**9 if banded else 0)
    rng = np.random.default_rng(1)
    T, S, V = 7, 4, 3
    next_state = rng.integers(0, S, size=(T, S, V))
    weights = rng.random((T, S, V))
    chain = chain_module.Chain(next_state)
    assert chain.banded == banded
    moves = chain.under(weights)
    start = rng.random(S)
    probs = moves.forward(start, first=2)
    rewards, final = rng.normal(size=(T, S, 2)), rng.normal(size=(S, 2))
    values = moves.backward(rewards, final)
    want_p, want_v = np.zeros((T + 1, S)), np.zeros((T + 1, S, 2))
    want_p[2], want_v[T] = start, final
    for t in range(T):
        for s, v in itertools.product(range(S), range(V)):
            if t >= 2:
                want_p[t + 1, next_state[t, s, v]] += want_p[t, s] * weights[t, s, v]
    for t in range(T - 1, -1, -1):
        want_v[t] = rewards[t]
        for s, v in itertools.product(range(S), range(V)):
            want_v[t, s] += weights[t, s, v] * want_v[t + 1, next_state[t, s, v]]
    np.testing.assert_allclose(probs, want_p, rtol=1e-13, atol=0)
    np.testing.assert_allclose(values, want_v, rtol=1e-12, atol=1e-13)
    np.testing.assert_array_equal(chain.gather(want_p), want_p[1:][np.arange(T)[:, None, None],
                                                                    next_state])


def test_banded_and_loop_training_agree(monkeypatch):
    model = theory.threshold_harm(9, 4, 2, 0.1, 0.3)
    runs = []
    for cells in (0, 10**9):
        monkeypatch.setattr(chain_module, "BAND_CELLS_PER_CELL", cells)
        runs.append(model.train("deep", lam=1.0, beta=1.0, mu=3.0, gamma=0.9, steps=40, lr=0.5,
                                record_every=4, parameterization="shared"))
    for field in FIELDS:
        np.testing.assert_allclose(getattr(runs[0], field), getattr(runs[1], field), rtol=1e-12,
                                   atol=1e-14, err_msg=field)


def test_logsumexp_agrees_with_scipys():
    # The same steps as scipy (maximum out, log1p of the rest, ties counted), so today the two agree
    # bit for bit; a scipy that rounds a step differently may differ by a few roundings of the
    # terms summed, m + log(count) + log1p(rest): 4 eps times their size. Rows of -inf are exact.
    eps = np.finfo(float).eps
    rng = np.random.default_rng(2)
    for trial in range(200):
        a = rng.normal(size=(6, 4, 5)) * rng.choice([1e-3, 1.0, 700.0])
        if trial % 2:
            a = np.round(a)  # ties
        if trial % 3 == 0:
            a[rng.random(a.shape) < 0.3] = -np.inf
        for axis in range(3):
            ours, scipys = logsumexp(a, axis=axis), special.logsumexp(a, axis=axis, keepdims=True)
            size = np.abs(a).max(axis=axis, keepdims=True, initial=0.0, where=np.isfinite(a))
            scale = size + np.log(a.shape[axis]) + 1.0
            np.testing.assert_array_equal(np.isneginf(ours), np.isneginf(scipys))
            finite = np.isfinite(scipys)
            gap = np.abs(ours[finite] - scipys[finite])
            assert np.all(gap <= 4 * eps * scale[finite]), (trial, axis, gap.max())
