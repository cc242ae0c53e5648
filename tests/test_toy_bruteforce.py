"""Every toy-model quantity against brute force: enumerate all 3^T responses (T <= 8) and recompute
from the definitions in THEORY.md sections 2-5, with H and pi_base written out directly from the
preset descriptions (not from the automaton). Agreement is required to 1e-12 absolute."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import theory

R, C, N = 0, 1, 2
TOL = 1e-12


def rc_base(p_r, p_c, decay):
    def base(prefix):
        n = prefix.count(C)
        pr = p_r * decay**n
        moved, other = p_r - pr, p_c + (1 - p_r - p_c)
        share = p_c / other if other > 0 else 1.0
        return np.array([pr, p_c + moved * share, (1 - p_r - p_c) + moved * (1 - share)])
    return base


def rc_harm(k, h_u):
    def harm(x):
        for token in x[:k]:
            if token != N:
                return 1.0 if token == C else 0.0
        return h_u
    return harm


def iid_base(p_r, p_c):
    return lambda prefix: np.array([p_r, p_c, 1 - p_r - p_c])


def threshold(k, m):
    return lambda x: float(x[:k].count(C) >= m)


def gradual(fade):
    def harm(x):
        total = 0.0
        for t, token in enumerate(x):
            if token == R:
                break
            total += fade**t * (token == C)
        return total
    return harm


CASES = {
    "rc": (lambda: theory.refuse_or_comply(5, 3, 0.2, 0.3), rc_base(0.2, 0.3, 1.0), rc_harm(3, 0.0)),
    "rc_hu_decay": (lambda: theory.refuse_or_comply(6, 2, 0.25, 0.35, h_undecided=0.6, decay=0.5),
                    rc_base(0.25, 0.35, 0.5), rc_harm(2, 0.6)),
    "rc_T8": (lambda: theory.refuse_or_comply(8, 5, 0.2, 0.45, h_undecided=0.25, decay=0.7),
              rc_base(0.2, 0.45, 0.7), rc_harm(5, 0.25)),
    "rc_q0": (lambda: theory.refuse_or_comply(4, 3, 0.4, 0.6), rc_base(0.4, 0.6, 1.0),
              rc_harm(3, 0.0)),
    "threshold": (lambda: theory.threshold_harm(5, 4, 2, 0.2, 0.4), iid_base(0.2, 0.4),
                  threshold(4, 2)),
    "gradual": (lambda: theory.gradual_harm(5, 0.15, 0.35, 0.6), iid_base(0.15, 0.35), gradual(0.6)),
}


class Brute:
    """All responses with their base probability, prefix marginals and conditionals."""

    def __init__(self, model, base, harm):
        self.model, self.base, self.T = model, base, model.T
        self.xs = list(itertools.product(range(3), repeat=self.T))
        self.H = np.array([harm(x) for x in self.xs])
        self.p = np.array([math.prod(base(x[:t])[x[t]] for t in range(self.T)) for x in self.xs])

    def state(self, prefix):
        s = self.model.initial
        for t, v in enumerate(prefix, start=1):
            s = int(self.model.step(t).next_state[s, v])
        return s

    def marginal(self, weights, t):
        """{x_<=t: total weight}."""
        out = {}
        for x, w in zip(self.xs, weights):
            out[x[:t]] = out.get(x[:t], 0.0) + w
        return out

    def h(self, t):
        """h_t(x_<=t) = E[H | x_<=t] under the base model."""
        mass, harm = self.marginal(self.p, t), self.marginal(self.p * self.H, t)
        return {key: harm[key] / mass[key] for key in mass if mass[key] > 0}

    def per_position(self, q):
        """KL_t, P(x_t in R), from the response distribution q (array over self.xs)."""
        kl, rec = np.zeros(self.T), np.zeros(self.T)
        for t in range(self.T):
            before, after = self.marginal(q, t), self.marginal(q, t + 1)
            for prefix, mass in before.items():
                if mass <= 0:
                    continue
                cond = np.array([after.get(prefix + (v,), 0.0) for v in range(3)]) / mass
                base = self.base(prefix)
                kl[t] += mass * sum(c * math.log(c / b) for c, b in zip(cond, base) if c > 0)
                rec[t] += mass * cond[R]
        return kl, rec

    def gibbs(self, eta, tilt):
        bonus = np.array([sum(tilt[t] for t, v in enumerate(x) if v == R) for x in self.xs])
        w = self.p * np.exp(-eta * self.H + bonus)
        return w / w.sum()


@pytest.fixture(params=list(CASES))
def case(request):
    make, base, harm = CASES[request.param]
    model = make()
    return model, Brute(model, base, harm)


def test_martingale_quantities(case):
    model, b = case
    mean = b.p @ b.H
    assert model.expected_harm() == pytest.approx(mean, abs=TOL)
    deltas = []
    for t in range(1, b.T + 1):
        ht, hprev = b.h(t), b.h(t - 1)
        deltas.append(np.array([ht.get(x[:t], 0.0) - hprev.get(x[: t - 1], 0.0) for x in b.xs]))
    info = np.array([b.p @ d**2 for d in deltas])
    np.testing.assert_allclose(model.harm_information(), info, rtol=0, atol=TOL)
    assert model.harm_variance() == pytest.approx(b.p @ (b.H - mean) ** 2, abs=TOL)
    check = model.martingale_check()
    assert check.variance == pytest.approx(b.p @ (b.H - mean) ** 2, abs=TOL)
    cross = max(abs(b.p @ (deltas[s] * deltas[t])) for s in range(b.T) for t in range(s))
    assert cross < TOL and check.max_cross_moment < TOL
    # h_t on reachable states (terminal-harm presets; gradual adds harm accrued so far)
    hv = model.harm_values()
    for t in range(b.T + 1):
        for prefix, value in b.h(t).items():
            s = b.state(prefix)
            accrued = b.H[b.xs.index(prefix + (N,) * (b.T - t))] if model.name == "gradual_harm" else 0.0
            assert hv.reachable[t, s]
            assert hv.values[t, s] + accrued == pytest.approx(value, abs=TOL)
    # the last position with I_t > 0 is the exact horizon
    above = np.flatnonzero(info > 1e-14)
    assert model.harm_horizon() == (above[-1] + 1 if above.size else 0)


def test_gradients_reinforce(case):
    """Theorem 8 against the score-function identity g = E[H d log pi(x)] summed over responses."""
    model, b = case
    g = np.zeros((b.T, model.n_states, 3))
    lemma12 = np.zeros(b.T)
    for x, px, hx in zip(b.xs, b.p, b.H):
        for t in range(b.T):
            s, pi = b.state(x[:t]), b.base(x[:t])
            score = -pi.copy()
            score[x[t]] += 1.0
            g[t, s] += px * hx * score
    for t in range(b.T):
        ht, mass = b.h(t + 1), b.marginal(b.p, t)
        for prefix, m in mass.items():
            pi = b.base(prefix)
            vals = np.array([ht.get(prefix + (v,), 0.0) for v in range(3)])
            var = pi @ (vals - pi @ vals) ** 2
            lemma12[t] += m * math.sqrt(var * (1 - pi @ pi))
    grads = model.gradients()
    np.testing.assert_allclose(grads.g, g, rtol=0, atol=TOL)
    np.testing.assert_allclose(grads.bound_lemma12, lemma12, rtol=0, atol=TOL)
    assert np.all(grads.norms <= grads.bound_lemma12 + TOL)
    assert np.all(grads.bound_lemma12 <= grads.bound_theorem13 + TOL)
    assert np.all(grads.bound_theorem13 <= grads.bound_pointwise + TOL)


@pytest.mark.parametrize("eta", [0.3, 2.5])
def test_standard_optimum(case, eta):
    model, b = case
    q = b.gibbs(eta, np.zeros(b.T))
    kl, rec = b.per_position(q)
    eq = model.standard_equilibrium(lam=eta * 2, beta=2)
    np.testing.assert_allclose(eq.kl, kl, rtol=0, atol=TOL)
    np.testing.assert_allclose(eq.recovery, rec, rtol=0, atol=TOL)
    np.testing.assert_allclose(model.standard_equilibrium_kl(eta, 1), kl, rtol=0, atol=TOL)
    assert eq.expected_harm == pytest.approx(q @ b.H, abs=TOL)


def _per_prefix(b, model, eta, tilt, hs=None):
    """Response distribution of Prop. 29 (t <= k) / Theorem 20 (t > k) applied at every prefix,
    with ``hs[t]`` = {x_<=t: h_t} (default: the base model's h_t)."""
    k = model.harm_horizon()
    hs = hs if hs is not None else [b.h(t) for t in range(b.T + 1)]
    q = np.ones(len(b.xs))
    for i, x in enumerate(b.xs):
        for t in range(b.T):
            base = b.base(x[:t])
            logw = np.log(base, where=base > 0, out=np.full(3, -np.inf)) + tilt[t] * (np.arange(3) == R)
            if t + 1 <= k:
                logw -= eta * np.array([hs[t + 1].get(x[:t] + (v,), 0.0) for v in range(3)])
            w = np.exp(logw - logw.max())
            q[i] *= w[x[t]] / w.sum()
    return q


def test_deep_optimum(case):
    model, b = case
    lam, beta, mu, gamma = 0.8, 0.5, 0.7, 0.8
    eta, tilt = lam / beta, mu * gamma ** np.arange(1, b.T + 1) / beta
    deep = model.deep_equilibrium(lam, beta, mu, gamma)
    q = b.gibbs(eta, tilt)
    kl, rec = b.per_position(q)
    np.testing.assert_allclose(deep.kl_exact, kl, rtol=0, atol=TOL)
    np.testing.assert_allclose(deep.recovery_exact, rec, rtol=0, atol=TOL)
    assert deep.expected_harm_exact == pytest.approx(q @ b.H, abs=TOL)
    approx = _per_prefix(b, model, eta, tilt)
    kl, rec = b.per_position(approx)
    np.testing.assert_allclose(deep.kl_per_prefix, kl, rtol=0, atol=TOL)
    np.testing.assert_allclose(deep.recovery_per_prefix, rec, rtol=0, atol=TOL)
    assert deep.expected_harm_per_prefix == pytest.approx(approx @ b.H, abs=TOL)


@pytest.mark.parametrize("L", [0, 1, 2])
def test_prefill_attack(case, L):
    model, b = case
    lam, beta, mu, gamma = 1.5, 1.0, 1.2, 0.9
    tilt = mu * gamma ** np.arange(1, b.T + 1) / beta
    attack = model.prefill_attack(L, lam, beta, mu, gamma)
    forced = np.array([x[:L] == (C,) * L for x in b.xs])
    for name, q in [("base", b.p), ("standard", b.gibbs(lam / beta, 0 * tilt)),
                    ("deep", b.gibbs(lam / beta, tilt))]:
        cond = np.where(forced, q, 0.0) / q[forced].sum()  # continuation law given the prefix
        rec = [cond @ np.array([x[t - 1] == R for x in b.xs]) for t in range(L + 1, b.T + 1)]
        ever = cond @ np.array([R in x[L:] for x in b.xs])
        np.testing.assert_allclose(getattr(attack, f"recovery_{name}"), rec, rtol=0, atol=TOL)
        assert getattr(attack, f"recover_before_end_{name}") == pytest.approx(ever, abs=TOL)


def test_optima_where_the_favoured_tokens_hold_almost_no_base_mass():
    """At η = 100 with p_R = 1e-12 and decay 0.01 the optimum piles its mass on tokens the base
    model gives ~1e-16: the normaliser 1 + Σ base·expm1(d) cancels there. It printed
    "KL₁ (exact) = undefined" on the Shallow equilibrium page; brute force gives 27.63 nats."""
    make = lambda: theory.refuse_or_comply(5, 1, 1e-12, 0.2, h_undecided=0.5, decay=0.01)  # noqa: E731
    model, b = make(), Brute(make(), rc_base(1e-12, 0.2, 0.01), rc_harm(1, 0.5))
    q = b.gibbs(100.0, np.zeros(b.T))
    kl, rec = b.per_position(q)
    eq = model.standard_equilibrium(lam=100.0, beta=1.0)
    assert np.isfinite(eq.kl).all() and np.isfinite(eq.recovery).all()
    np.testing.assert_allclose(eq.kl, kl, rtol=1e-9, atol=TOL)
    np.testing.assert_allclose(eq.recovery, rec, rtol=1e-9, atol=TOL)
    assert eq.expected_harm == pytest.approx(q @ b.H, abs=TOL)
    # The deep optimum after a prefill, where the base recovery is ~1e-17 and μγᵗ/β = 100 lifts it.
    attack = model.prefill_attack(3, 1.0, 1.0, 100.0, 1.0)
    tilt = 100.0 * np.ones(b.T)
    deep = b.gibbs(1.0, tilt)
    forced = np.array([x[:3] == (C,) * 3 for x in b.xs])
    cond = np.where(forced, deep, 0.0) / deep[forced].sum()
    ever = cond @ np.array([R in x[3:] for x in b.xs])
    assert attack.recover_before_end_deep == pytest.approx(ever, abs=1e-9)
