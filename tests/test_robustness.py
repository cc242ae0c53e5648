"""Theorem 22 and Corollary 23 against brute-force scans over positions."""

import math

import numpy as np
import pytest
from scipy.special import expit, logit

import theory

SCAN_LIMIT = 20_000


def _brute_force_attack_length(delta, p_min, mu, beta, gamma, k):
    """Scan t = k+1, k+2, ... for the first position whose recovery falls below delta.

    Recovery at t is computed by the plain formula sigma(logit p_min + mu gamma^t / beta),
    not by the library; the prefix is one shorter than that position.
    """
    for t in range(k + 1, SCAN_LIMIT):
        if expit(logit(p_min) + mu * gamma**t / beta) < delta:
            return t - 1
    return math.inf


def _random_cases(seed, n):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        p_min = 10 ** rng.uniform(-8, -0.5)
        delta = rng.uniform(0.01, 0.99)
        mu = 10 ** rng.uniform(-2, 3)
        beta = 10 ** rng.uniform(-1, 1)
        gamma = rng.choice([rng.uniform(0.3, 0.999), 1.0, 0.0], p=[0.8, 0.1, 0.1])
        k = int(rng.integers(0, 30))
        yield delta, p_min, mu, beta, gamma, k


def _near_tie(delta, p_min, mu, beta, gamma):
    """tau within rounding of an integer: the strict '<' is then decided by float error."""
    if gamma in (0.0, 1.0):
        return False  # tau is 0 or infinite by definition there, not a computed value
    tau = theory.attack_threshold(delta, p_min, mu, beta, gamma)
    return math.isfinite(tau) and abs(tau - round(tau)) < 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_min_attack_length_matches_scan(seed):
    checked = 0
    for delta, p_min, mu, beta, gamma, k in _random_cases(seed, 200):
        if _near_tie(delta, p_min, mu, beta, gamma):
            continue
        want = _brute_force_attack_length(delta, p_min, mu, beta, gamma, k)
        got = theory.min_attack_length(delta, p_min, mu, beta, gamma, horizon=k)
        if want == math.inf and got != math.inf:
            assert got >= SCAN_LIMIT - 1  # finite but beyond the scan
        else:
            assert got == want, (delta, p_min, mu, beta, gamma, k)
        checked += 1
    assert checked > 190


@pytest.mark.parametrize(
    "delta, p_min, mu, beta, gamma, k, expected, why",
    [
        (0.05, 0.1, 1.0, 1.0, 0.9, 3, math.inf, "delta <= p_min: recovery never drops below delta"),
        (0.5, 0.01, 10.0, 1.0, 1.0, 3, math.inf, "gamma = 1 and mu/beta >= Delta"),
        (0.5, 0.01, 1.0, 1.0, 1.0, 3, 3, "gamma = 1 and mu/beta < Delta: cover the horizon"),
        (0.5, 0.01, 100.0, 1.0, 0.0, 4, 4, "gamma = 0: penalty gone from t = 1"),
        (0.5, 0.01, 0.0, 1.0, 0.9, 2, 2, "mu = 0: standard RLHF, horizon only"),
        (0.5, 0.0, 100.0, 1.0, 0.9, 2, 2, "p_min = 0: Remark 10, recovery impossible"),
    ],
)
def test_min_attack_length_special_cases(delta, p_min, mu, beta, gamma, k, expected, why):
    got = theory.min_attack_length(delta, p_min, mu, beta, gamma, horizon=k)
    assert got == expected, why
    assert isinstance(got, int) or got == math.inf
    if expected != math.inf and p_min > 0:
        assert got == _brute_force_attack_length(delta, p_min, mu, beta, gamma, k)


def test_min_attack_length_is_logarithmic_in_mu():
    # tau = ln(mu/(beta Delta)) / ln(1/gamma): each factor 1/gamma in mu adds one position.
    gamma = 0.5
    lengths = [theory.min_attack_length(0.5, 0.01, 100 * 2.0**j, 1.0, gamma) for j in range(6)]
    assert np.all(np.diff(lengths) == 1)


def test_min_attack_length_vectorised():
    got = theory.min_attack_length(0.5, 0.01, np.array([0.0, 100.0, 1e4]), 1.0, np.array([0.9, 0.9, 1.0]), horizon=3)
    assert got.dtype == float
    np.testing.assert_array_equal(got, [3.0, 29.0, np.inf])


@pytest.mark.parametrize("seed", range(3))
def test_required_penalty_is_the_inverse(seed):
    rng = np.random.default_rng(seed)
    for _ in range(100):
        p_min, delta = 10 ** rng.uniform(-6, -1), rng.uniform(0.2, 0.95)
        beta, gamma, T = 10 ** rng.uniform(-1, 1), rng.uniform(0.5, 1.0), int(rng.integers(0, 60))
        mu_req = theory.required_penalty(delta, p_min, beta, gamma, T)
        if delta <= p_min:
            assert mu_req == 0.0
            continue
        # At mu_req recovery at depth T is exactly delta; 1% less penalty falls short.
        assert theory.recoverability_bound(p_min, mu_req, beta, gamma, T) == pytest.approx(delta, rel=1e-10)
        assert theory.recoverability_bound(p_min, 0.99 * mu_req, beta, gamma, T) < delta


def test_required_penalty_edges():
    assert theory.required_penalty(0.5, 0.6, 1.0, 0.9, 10) == 0.0
    assert theory.required_penalty(0.5, 0.0, 1.0, 0.9, 10) == math.inf  # Remark 10
    assert theory.required_penalty(0.5, 0.01, 1.0, 0.0, 3) == math.inf
    assert theory.required_penalty(0.5, 0.01, 1.0, 0.0, 0) == pytest.approx(-logit(0.01))
    assert theory.required_penalty(0.5, 0.01, 1.0, 0.5, 10**6) == math.inf  # beyond float range


@pytest.mark.parametrize("seed", range(3))
def test_theorem_22_delta_bounds_every_position(seed):
    rng = np.random.default_rng(seed)
    for _ in range(50):
        p_min, mu, beta = 10 ** rng.uniform(-6, -0.5), 10 ** rng.uniform(-1, 2), 10 ** rng.uniform(-1, 1)
        gamma, k = rng.uniform(0.5, 1.0), int(rng.integers(0, 10))
        T = k + int(rng.integers(1, 40))
        delta = theory.recoverability_bound(p_min, mu, beta, gamma, T)
        t = np.arange(k + 1, T + 1)
        p_t = rng.uniform(p_min, 1.0, t.size)  # any base recovery at least p_min
        r_t = theory.recovery_probability(p_t, mu, beta, gamma, t)
        assert np.all(r_t >= delta * (1 - 1e-12))


@pytest.mark.parametrize("seed", range(3))
def test_total_kl_bound_matches_term_by_term_sum_and_bounds_the_cost(seed):
    rng = np.random.default_rng(seed)
    for _ in range(100):
        p_min = 10 ** rng.uniform(-10, -0.1)
        mu, beta = 10 ** rng.uniform(-2, 3), 10 ** rng.uniform(-1, 1)
        gamma = rng.choice([rng.uniform(0.0, 1.0), 1.0, 0.0], p=[0.8, 0.1, 0.1])
        k, T = int(rng.integers(0, 20)), int(rng.integers(0, 200))
        t = np.arange(k + 1, T + 1)
        terms = np.minimum(mu * gamma**t / beta, math.log(1 / p_min))
        got = theory.total_recovery_kl_bound(p_min, mu, beta, gamma, k, T)
        assert got == pytest.approx(terms.sum(), rel=1e-11, abs=1e-300)
        # ... and it bounds the actual recovery KL at any base recovery >= p_min.
        p_t = rng.uniform(p_min, 1.0, t.size)
        assert theory.recovery_kl(p_t, mu, beta, gamma, t).sum() <= got * (1 + 1e-12) + 1e-300


@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.9, 1.0])
def test_total_kl_bound_at_p_min_zero_is_the_geometric_sum(gamma):
    """p_min = 0 (Remark 8; the app's p_base slider reaches it): the cap log(1/p_min) is infinite,
    so every term is mu gamma^t / beta. It was nan (0 * inf) for 0 < gamma < 1."""
    t = np.arange(4, 51)
    got = theory.total_recovery_kl_bound(0.0, 5.0, 1.0, gamma, 3, 50)
    assert got == pytest.approx(float(np.sum(5.0 * gamma**t)), rel=1e-12)


def test_total_kl_bound_does_not_grow_with_depth_when_discounted():
    deep = [theory.total_recovery_kl_bound(1e-3, 5.0, 1.0, 0.9, 2, T) for T in (100, 10**4, 10**6)]
    assert deep[1] == pytest.approx(deep[2], rel=1e-12)
    assert theory.total_recovery_kl_bound(1e-3, 5.0, 1.0, 1.0, 2, 10**6) == pytest.approx((10**6 - 2) * 5.0)


def test_kl_at_p_min_is_not_a_bound():
    # THEORY.md section 5 warns that KL* is not monotone in p: at tiny p_min the per-position
    # cost at p_min is below the cost at a larger p, so sum_t KL*(p_min, a_t) would under-count.
    assert theory.recovery_kl(1e-6, 5.0, 1.0) < theory.recovery_kl(0.3, 5.0, 1.0)


@pytest.mark.parametrize(
    "fn, kwargs, message",
    [
        (theory.min_attack_length, dict(delta=1.0, p_min=0.1, mu=1, beta=1, gamma=0.9), "delta must be in \\(0, 1\\)"),
        (theory.min_attack_length, dict(delta=0.5, p_min=0.1, mu=1, beta=1, gamma=0.9, horizon=1.5), "horizon"),
        (theory.required_penalty, dict(delta=0.5, p_min=0.1, beta=1, gamma=0.9, depth=-1), "depth"),
        (theory.recoverability_bound, dict(p_min=2, mu=1, beta=1, gamma=0.9, depth=1), "p_min"),
        (theory.total_recovery_kl_bound, dict(p_min=0.1, mu=1, beta=-1, gamma=0.9, horizon=0, depth=1), "beta"),
    ],
)
def test_bad_input(fn, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fn(**kwargs)
