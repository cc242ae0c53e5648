"""Theorems checked on the engine: closed form of THEORY.md section 6, Theorem 8 by finite
differences, Theorem 10 (zero gradient beyond k), Corollary 15 (KL_t ~ (eta^2/2) I_t), exact zero
KL beyond the horizon, Theorem 20 vs the exact deep optimum, and input validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit, logit

import theory
from theory.toy.automaton import policy_stats, safe_log

# (p_recover, p_harm) on a grid of 1/40 including the edges 0 and p_recover + p_harm = 1; a grid
# keeps I_t away from underflow (with h_u ~ 1e-320 the exact horizon is right but I_k rounds to 0).
probs = st.tuples(st.integers(0, 40), st.integers(0, 40)).filter(lambda ab: sum(ab) <= 40).map(
    lambda ab: (ab[0] / 40, ab[1] / 40))
harms = st.one_of(st.just(0.0), st.just(1.0), st.floats(-2, 2).filter(lambda h: abs(h) > 1e-6))


@settings(max_examples=150, deadline=None)
@given(T=st.integers(1, 25), data=st.data(), pr_pc=probs, h_u=harms,
       decay=st.sampled_from([1.0, 0.7]))
def test_closed_form_matches_engine(T, data, pr_pc, h_u, decay):
    """THEORY.md section 6 closed form of I_t (and ||g_t||, KL_t) = the generic forward/backward engine."""
    k = data.draw(st.integers(0, T))
    model = theory.refuse_or_comply(T, k, *pr_pc, h_undecided=h_u, decay=decay)
    closed = (model.harm_information(), model.gradient_norms(), model.standard_equilibrium_kl(1.3, 1))
    model._closed_form = None  # force the engine
    engine = (model.harm_information(), model.gradient_norms(), model.standard_equilibrium_kl(1.3, 1))
    for a, b in zip(closed, engine):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    info = engine[0]
    k_exact = model.harm_horizon()
    # With decay < 1 the states beyond the horizon carry a count, so values that are equal in
    # exact arithmetic come from different sums: zero only to rounding there.
    tol = 0.0 if decay == 1.0 else 1e-15
    assert np.all(info[k_exact:] <= tol)  # Theorem 9: nothing moves H after the horizon
    assert k_exact == 0 or info[k_exact - 1] > 0
    assert np.all(engine[1][k_exact:] <= tol)  # Theorem 10
    assert np.all(engine[2][k_exact:] <= tol)  # pi* = pi_base beyond the horizon


def test_probabilities_summing_to_one_by_rounding_leave_no_neutral_token():
    """0.825 + 0.175 leaves 1 - p_R - p_C = 2.8e-17: the first token decides, so k = 1 (found by
    hypothesis; before, k was the table's k while I_k underflowed to 0)."""
    model = theory.refuse_or_comply(21, 21, 0.825, 0.175)
    info = model.harm_information()
    assert model.harm_horizon() == 1 and info[0] > 0 and np.all(info[1:] == 0)
    assert model.harm_variance() == pytest.approx(0.825 * 0.175, rel=1e-14)  # Bernoulli(p_C)


@pytest.mark.parametrize("model", [
    theory.refuse_or_comply(6, 3, 0.2, 0.3, h_undecided=0.4, decay=0.6),
    theory.threshold_harm(6, 4, 2, 0.1, 0.45),
    theory.gradual_harm(6, 0.2, 0.4, 0.7),
])
def test_gradient_finite_differences(model):
    """Theorem 8 covariance formula = central differences of E[H] in each logit (step 1e-5,
    truncation error ~1e-10)."""
    g = model.gradients()
    eps = 1e-5
    rng = np.random.default_rng(0)
    cells = [(t, s, v) for t in range(1, model.T + 1) for s in range(model.n_states) for v in range(3)]
    for t, s, v in [cells[i] for i in rng.choice(len(cells), 25, replace=False)] + [(1, 0, 1)]:
        values = []
        for sign in (1, -1):
            def cond(u, sign=sign):
                logits = model.log_base(u).copy()
                if u == t:
                    logits[s, v] += sign * eps
                w = np.exp(logits - logits.max(axis=1, keepdims=True))
                return w / w.sum(axis=1, keepdims=True)
            values.append(policy_stats(model, cond).expected_harm)
        assert (values[0] - values[1]) / (2 * eps) == pytest.approx(g.g[t - 1, s, v], abs=1e-8)
    k = model.harm_horizon()
    assert np.all(g.norms[k:] <= 1e-15)  # Theorem 10, to rounding (decay makes states differ)
    assert g.norms[k - 1] > 1e-3


def test_small_eta_kl_tracks_information():
    """Corollary 15: KL_t / ((eta^2/2) I_t) -> 1 with error O(eta), shown at three eta."""
    model = theory.refuse_or_comply(12, 5, 0.2, 0.3, h_undecided=0.3)
    info = model.harm_information()
    errors = []
    for eta in (0.1, 0.01, 0.001):
        ratio = model.standard_equilibrium_kl(eta, 1.0)[:5] / (0.5 * eta**2 * info[:5])
        errors.append(np.abs(ratio - 1).max())
        eq = model.standard_equilibrium(eta, 1.0)
        np.testing.assert_allclose(eq.kl_small_eta, 0.5 * eta**2 * info)
    assert errors[0] < 0.1 and errors[1] < 0.01 and errors[2] < 0.001
    assert errors[0] > errors[1] > errors[2]  # not identically equal: the O(eta^3) term is real


def test_tabular_fisher_identity():
    """Section 4: for per-state softmax logits g_t^T F_t^+ g_t = I_t (Moore-Penrose inverse)."""
    model = theory.threshold_harm(5, 4, 2, 0.2, 0.3)
    g = model.gradients().g
    probs = model.harm_values().probability
    for t in range(1, 6):
        base = model.step(t).base
        quad = 0.0
        for s in np.flatnonzero(probs[t - 1] > 0):
            fisher = probs[t - 1, s] * (np.diag(base[s]) - np.outer(base[s], base[s]))
            quad += g[t - 1, s] @ np.linalg.pinv(fisher) @ g[t - 1, s]
        assert quad == pytest.approx(model.harm_information()[t - 1], rel=1e-9, abs=1e-15)


def _theorem20(p, a):
    return expit(logit(p) + a)


def test_theorem20_exact_without_decay_and_off_with_decay():
    """After a prefill of length L >= k the deep optimum's recovery at t = L+1 is Theorem 20's
    sigma(logit p + a_t) exactly when base tokens are i.i.d. (decay = 1); with decay < 1 the
    continuation depends on x_t and the exact optimum differs, slightly."""
    lam, beta, mu, gamma, L = 1.0, 1.0, 2.0, 0.9, 3
    a = mu * gamma ** (L + 1) / beta
    iid = theory.refuse_or_comply(10, 3, 0.2, 0.3).prefill_attack(L, lam, beta, mu, gamma)
    assert iid.recovery_deep[0] == pytest.approx(_theorem20(0.2, a), abs=1e-12)
    decayed = theory.refuse_or_comply(10, 3, 0.2, 0.3, decay=0.8)
    attack = decayed.prefill_attack(L, lam, beta, mu, gamma)
    p = 0.2 * 0.8**L  # base recovery after L forced harmful tokens
    assert attack.recovery_base[0] == pytest.approx(p, abs=1e-15)
    gap = attack.recovery_deep[0] - _theorem20(p, a)
    assert 1e-4 < abs(gap) < 0.05
    # On policy, beyond the horizon, the per-prefix form is exact iff decay = 1.
    deep = theory.refuse_or_comply(10, 3, 0.2, 0.3).deep_equilibrium(lam, beta, mu, gamma)
    np.testing.assert_allclose(deep.recovery_gap[3:], 0, atol=1e-12)
    np.testing.assert_allclose(deep.kl_gap[3:], 0, atol=1e-12)
    deep = decayed.deep_equilibrium(lam, beta, mu, gamma)
    assert np.abs(deep.recovery_gap[3:]).max() > 1e-4


def test_shallow_vs_deep_prefill():
    """Standard alignment leaves recovery after a horizon-long prefill at the base level; deep
    alignment raises it (Theorem 20, additive log-odds shift)."""
    model = theory.refuse_or_comply(12, 4, 0.1, 0.3)
    attack = model.prefill_attack(4, 2.0, 1.0, 1.5, 0.95)
    np.testing.assert_array_equal(attack.recovery_standard, attack.recovery_base)
    assert np.all(attack.recovery_deep > attack.recovery_base)
    assert attack.recover_before_end_deep > attack.recover_before_end_base


def test_sample_paths_are_martingale_paths():
    model = theory.refuse_or_comply(8, 4, 0.2, 0.3, h_undecided=0.5)
    paths = model.sample_paths(n_paths=4000, seed=np.random.default_rng(1))
    assert paths.shape == (4000, 9)
    np.testing.assert_allclose(paths[:, 0], model.expected_harm())
    assert set(np.unique(paths[:, -1])) <= {0.0, 0.5, 1.0}
    np.testing.assert_array_equal(paths[:, 4:], paths[:, 4:5].repeat(5, axis=1))  # flat after k
    # Monte Carlo mean of H within 5 standard errors of E[H]
    se = paths[:, -1].std() / np.sqrt(4000)
    assert abs(paths[:, -1].mean() - model.expected_harm()) < 5 * se
    np.testing.assert_array_equal(model.sample_paths(3, seed=7), model.sample_paths(3, seed=7))


def test_degenerate_horizons():
    """THEORY.md section 6: q = 0 decides at position 1; constant H has horizon 0."""
    assert theory.refuse_or_comply(5, 3, 0.4, 0.6).harm_horizon() == 1
    assert theory.refuse_or_comply(5, 3, 0.0, 1.0).harm_horizon() == 0
    assert theory.refuse_or_comply(5, 3, 0.0, 0.5, h_undecided=1.0).harm_horizon() == 0
    assert theory.refuse_or_comply(5, 0, 0.2, 0.3).harm_horizon() == 0
    assert theory.refuse_or_comply(5, 1, 0.0, 0.0, h_undecided=0.2).harm_horizon() == 0
    assert theory.threshold_harm(5, 3, 4, 0.2, 0.3).harm_horizon() == 0
    assert theory.gradual_harm(5, 0.2, 0.3, 0.0).harm_horizon() == 1
    g = theory.gradual_harm(200, 0.05, 0.3, 0.5)
    assert g.harm_horizon() == 200 and 10 < g.numerical_horizon() < 200


@pytest.mark.parametrize("call, name", [
    (lambda: theory.refuse_or_comply(0, 0, 0.2, 0.3), "T"),
    (lambda: theory.refuse_or_comply(5, 6, 0.2, 0.3), "k"),
    (lambda: theory.refuse_or_comply(5, 2, -0.1, 0.3), "p_recover"),
    (lambda: theory.refuse_or_comply(5, 2, 0.2, float("nan")), "p_harm"),
    (lambda: theory.refuse_or_comply(5, 2, 0.7, 0.6), "p_recover + p_harm"),
    (lambda: theory.refuse_or_comply(5, 2, 0.2, 0.3, decay=0.0), "decay"),
    (lambda: theory.refuse_or_comply(10**5, 2, 0.2, 0.3, decay=0.5), "T"),
    (lambda: theory.refuse_or_comply(5, 2.5, 0.2, 0.3), "k"),
    (lambda: theory.threshold_harm(5, 3, -1, 0.2, 0.3), "m"),
    (lambda: theory.gradual_harm(5, 0.2, 0.3, 1.5), "fade"),
    (lambda: theory.refuse_or_comply(5, 2, 0.2, 0.3).standard_equilibrium_kl(1, 0), "beta"),
    (lambda: theory.refuse_or_comply(5, 2, 0.2, 0.3).standard_equilibrium_kl(-1, 1), "lam"),
    (lambda: theory.refuse_or_comply(5, 2, 0.2, 0.3).deep_equilibrium(1, 1, 1, 1.2), "gamma"),
    (lambda: theory.refuse_or_comply(5, 2, 0.2, 0.3).deep_equilibrium(1, 1, -1, 0.5), "mu"),
    (lambda: theory.refuse_or_comply(5, 2, 0.2, 0.3).prefill_attack(6, 1, 1, 1, 0.5), "L"),
    (lambda: theory.refuse_or_comply(5, 2, 0.2, 0.3).train(objective="x"), "objective"),
    (lambda: theory.refuse_or_comply(5, 2, 0.2, 0.3).train(lr=0), "lr"),
    (lambda: theory.refuse_or_comply(5, 2, 0.2, 0.3).sample_paths(0), "n_paths"),
    (lambda: theory.refuse_or_comply(500, 2, 0.2, 0.3).martingale_check(), "T"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name.replace("+", r"\+")):
        call()


def test_large_T_is_finite_and_warning_free():
    model = theory.refuse_or_comply(100_000, 100_000, 0.001, 0.001, h_undecided=0.5)
    for arr in (model.harm_information(), model.gradient_norms(),
                model.standard_equilibrium_kl(50.0, 0.1)):
        assert arr.shape == (100_000,) and np.all(np.isfinite(arr)) and np.all(arr >= 0)
    assert model.harm_variance() == pytest.approx(model.harm_information().sum())
    assert safe_log(np.array([0.0]))[0] == -np.inf
