"""Theorem 20: recovery probability, KL cost and Gibbs distribution against independent forms."""

import math

import mpmath as mp
import numpy as np
import pytest

import theory


def _mp_reference(p, a):
    """r* and KL* at 80 digits from the Gibbs form (independent of the float code paths)."""
    with mp.workdps(80):
        p, a = mp.mpf(p), mp.mpf(a)
        log_z = mp.log1p(p * mp.expm1(a))
        r = p * mp.exp(a - log_z)
        return float(r), float(a * r - log_z)


def _domain_grid(seed=0, n=3000):
    rng = np.random.default_rng(seed)
    tiny = 10 ** rng.uniform(-300, -1, n)
    near_one = 1 - 10 ** rng.uniform(-15, -0.5, n)
    p = np.where(rng.random(n) < 0.7, tiny, near_one)
    a = 10 ** rng.uniform(-12, 6, n)  # mu/beta up to 1e6, as the issue asks
    return p, a


def test_recovery_probability_matches_80_digit_reference_over_whole_domain():
    p, a = _domain_grid()
    got = theory.recovery_probability(p, a, 1.0)
    want = np.array([_mp_reference(pi, ai)[0] for pi, ai in zip(p, a)])
    normal = want > 1e-290  # below that the answer itself is subnormal
    np.testing.assert_allclose(got[normal], want[normal], rtol=1e-12)


def test_recovery_kl_matches_80_digit_reference_over_whole_domain():
    p, a = _domain_grid(seed=1)
    got = theory.recovery_kl(p, a, 1.0)
    want = np.array([_mp_reference(pi, ai)[1] for pi, ai in zip(p, a)])
    normal = want > 1e-290
    assert normal.sum() > 2500
    np.testing.assert_allclose(got[normal], want[normal], rtol=1e-11)


def test_recovery_kl_small_shift_has_quadratic_leading_term():
    # Theorem 19 / THEORY.md section 5: KL* = (a^2/2) p (1-p) + O(a^3).
    p = np.array([1e-200, 0.1, 0.5, 0.9, 1 - 1e-12])
    a = 1e-7
    got = theory.recovery_kl(p, a, 1.0)
    np.testing.assert_allclose(got, a * a / 2 * p * (1 - p), rtol=1e-6)


@pytest.mark.parametrize("p", [0.0, 1.0])
def test_endpoints_are_exact(p):
    mu = np.array([0.0, 1.0, 1e6])
    assert np.all(theory.recovery_probability(p, mu, 1e-6) == p)  # Remark 10 at p = 0
    assert np.all(theory.recovery_kl(p, mu, 1e-6) == 0.0)


def test_zero_penalty_leaves_base_model_unchanged():
    p = np.linspace(0, 1, 11)
    np.testing.assert_array_equal(theory.recovery_probability(p, 0.0, 2.0), p)
    np.testing.assert_array_equal(theory.recovery_kl(p, 0.0, 2.0), 0.0)


def test_discount_and_importance_weight_enter_as_one_shift():
    r = theory.recovery_probability(0.2, mu=3.0, beta=1.5, gamma=0.8, t=4, weight=0.5)
    shift = 0.5 * 3.0 * 0.8**4 / 1.5
    assert r == pytest.approx(1 / (1 + (0.8 / 0.2) * math.exp(-shift)), rel=1e-14)
    assert theory.recovery_shift(3.0, 1.5, 0.8, 4, 0.5) == pytest.approx(shift, rel=1e-15)


def test_broadcasting_shape():
    r = theory.recovery_probability(np.full((3, 1), 0.1), mu=np.array([0.0, 1.0, 2.0, 3.0]), beta=1.0)
    assert r.shape == (3, 4)
    assert np.all(np.diff(r, axis=1) > 0)


def test_gibbs_distribution_is_the_exponential_tilt():
    base = np.array([0.1, 0.2, 0.3, 0.4])
    mask = np.array([True, False, True, False])
    a = 1.3
    q = theory.gibbs_distribution(base, mask, mu=a, beta=1.0)
    tilted = base * np.exp(a * mask)
    np.testing.assert_allclose(q, tilted / tilted.sum(), rtol=1e-14)
    assert q[mask].sum() == pytest.approx(theory.recovery_probability(0.4, a, 1.0), rel=1e-14)


def test_gibbs_distribution_handles_rows_and_degenerate_masks():
    base = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    q = theory.gibbs_distribution(base, np.array([True, False, False]), mu=5.0, beta=1.0)
    np.testing.assert_allclose(q.sum(axis=-1), 1.0, rtol=1e-15)
    np.testing.assert_array_equal(q[1], [0.0, 0.0, 1.0])  # no recovery mass: unchanged
    assert q[0, 0] == pytest.approx(theory.recovery_probability(0.5, 5.0, 1.0))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(p_base=1.5, mu=1, beta=1), "p_base must be in \\[0, 1\\]"),
        (dict(p_base=-0.1, mu=1, beta=1), "p_base"),
        (dict(p_base=0.5, mu=-1, beta=1), "mu must be in \\[0, inf\\)"),
        (dict(p_base=0.5, mu=1, beta=0), "beta must be in \\(0, inf\\)"),
        (dict(p_base=0.5, mu=1, beta=1, gamma=1.01), "gamma must be in \\[0, 1\\]"),
        (dict(p_base=0.5, mu=1, beta=1, t=-1), "t must be in"),
        (dict(p_base=float("nan"), mu=1, beta=1), "p_base must not be NaN"),
        (dict(p_base="abc", mu=1, beta=1), "p_base must be a number"),
    ],
)
def test_bad_input_names_parameter_and_range(kwargs, message):
    for fn in (theory.recovery_probability, theory.recovery_kl):
        with pytest.raises(ValueError, match=message):
            fn(**kwargs)


def test_gibbs_rejects_bad_vocabularies():
    with pytest.raises(ValueError, match="sum to 1"):
        theory.gibbs_distribution([0.5, 0.4], [True, False], 1.0, 1.0)
    with pytest.raises(ValueError, match="booleans"):
        theory.gibbs_distribution([0.5, 0.5], [1, 0], 1.0, 1.0)
    with pytest.raises(ValueError, match="does not match"):
        theory.gibbs_distribution([0.5, 0.5], [True, False, True], 1.0, 1.0)
