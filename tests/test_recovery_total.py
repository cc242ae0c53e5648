"""Total recovery KL beyond the horizon (Theorem 20 summed over t, Remark 6): theory.total_recovery_kl
against 50-digit direct sums, the float sum of theory.recovery_kl, and its structural properties."""

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import theory


def _mp_kl(p, a):
    """KL*(p, a) = a r* - log(1 - p + p e^a) in the working mpmath precision."""
    log_z = mp.log1p(p * mp.expm1(a))
    return a * p * mp.exp(a - log_z) - log_z


def _mp_total(p, ratio, gamma, k, T):
    """sum_{t=k+1}^{T} KL*(p, ratio gamma^t) term by term at 50 digits."""
    with mp.workdps(50):
        p, ratio, gamma = mp.mpf(p), mp.mpf(ratio), mp.mpf(gamma)
        return float(mp.fsum(_mp_kl(p, ratio * gamma**t) for t in range(k + 1, T + 1)))


def _mp_total_inf(p, ratio, gamma, k):
    """The infinite sum: direct to where a_t < 1e-12, then bounded by KL*(a) <= a^2 / 8.

    KL*(a) = int_0^a x K''(x) dx with K'' = r(1 - r) <= 1/4, so the rest is at most
    sum_{t > t_end} a_t^2 / 8 = a_{t_end + 1}^2 / (8 (1 - gamma^2)). Returns (sum, bound).
    """
    with mp.workdps(50):
        p, ratio, gamma = mp.mpf(p), mp.mpf(ratio), mp.mpf(gamma)
        terms, t = [], k + 1
        while True:
            a = ratio * gamma**t
            if a < mp.mpf("1e-12"):
                break
            terms.append(_mp_kl(p, a))
            t += 1
        rest = (ratio * gamma**t) ** 2 / (8 * (1 - gamma**2))
        return float(mp.fsum(terms)), float(rest)


# (p, mu/beta, gamma, k, T): p from 1e-12 to 1 - 1e-9, shifts from 1e-4 to 1e6, so both the head
# (a_t > 1e-3, summed term by term) and the series tail are exercised.
FINITE = [
    (0.01, 5.0, 0.9, 5, 50),  # the app's defaults
    (0.01, 5.0, 0.9, 5, 400),
    (0.5, 1.0, 0.5, 0, 80),
    (1e-12, 1e6, 0.9, 0, 300),
    (1e-12, 30.0, 0.95, 3, 700),
    (1 - 1e-9, 2.0, 0.8, 1, 150),
    (0.3, 1e-4, 0.99, 0, 500),  # all tail
    (0.9, 1e3, 0.97, 10, 900),
    (1e-6, 40.0, 0.3, 2, 60),
    (0.2, 3.0, 1.0, 4, 30),  # gamma = 1
]


@pytest.mark.parametrize(("p", "ratio", "gamma", "k", "T"), FINITE)
def test_finite_depth_matches_50_digit_direct_sum(p, ratio, gamma, k, T):
    got = theory.total_recovery_kl(p, ratio, 1.0, gamma, k, T)
    assert got == pytest.approx(_mp_total(p, ratio, gamma, k, T), rel=1e-9)


INFINITE = [
    (0.01, 5.0, 0.9, 5),
    (0.5, 1.0, 0.5, 0),
    (1e-12, 1e6, 0.9, 0),
    (1e-12, 1e6, 0.99, 7),
    (1 - 1e-9, 2.0, 0.8, 1),
    (0.3, 1e-4, 0.99, 0),
    (0.9, 1e3, 0.97, 10),
    (1e-3, 100.0, 0.1, 0),
]


@pytest.mark.parametrize(("p", "ratio", "gamma", "k"), INFINITE)
def test_infinite_depth_matches_50_digit_sum_with_tail_bound(p, ratio, gamma, k):
    want, rest = _mp_total_inf(p, ratio, gamma, k)
    got = theory.total_recovery_kl(p, ratio, 1.0, gamma, k, math.inf)
    assert want <= got * (1 + 1e-12)
    assert abs(got - want) <= 1e-9 * want + rest


def test_infinite_depth_matches_mpmath_nsum():
    with mp.workdps(30):
        want = mp.nsum(lambda t: _mp_kl(mp.mpf(0.05), 8 * mp.mpf(0.7) ** t), [3, mp.inf])
    got = theory.total_recovery_kl(0.05, mu=8.0, beta=1.0, gamma=0.7, horizon=2, depth=math.inf)
    assert got == pytest.approx(float(want), rel=1e-12)


def _float_sum(p, mu, beta, gamma, k, T):
    t = np.arange(k + 1, T + 1)
    return math.fsum(theory.recovery_kl(p, mu, beta, gamma, t))


@pytest.mark.parametrize(("p", "mu", "beta", "gamma", "k", "T"), [
    (0.01, 5.0, 1.0, 0.9, 5, 50),
    (1e-12, 1e6, 1.0, 0.999, 0, 30_000),
    (0.4, 2e5, 0.2, 0.9999, 3, 400_000),  # head of 1.6e5 positions: several chunks
    (1e-12, 1e6, 1.0, 0.99999, 0, 1_000_000),  # head longer than 2**18: Euler-Maclaurin
    (0.7, 3.0, 2.0, 0.99999, 20, 800_000),  # Euler-Maclaurin head (7.3e5) and series tail
    (0.0, 5.0, 1.0, 0.9, 0, 100),
    (0.3, 0.0, 1.0, 0.9, 0, 100),
    (0.3, 5.0, 1.0, 0.0, 0, 100),
    (0.3, 5.0, 1.0, 1.0, 0, 100),
])
def test_equals_the_sum_of_recovery_kl(p, mu, beta, gamma, k, T):
    got = theory.total_recovery_kl(p, mu, beta, gamma, k, T)
    np.testing.assert_allclose(got, _float_sum(p, mu, beta, gamma, k, T), rtol=1e-12, atol=0.0)


def test_gamma_near_one_infinite_depth_equals_long_sum_plus_tail():
    """gamma = 0.99999, mu/beta = 1e6, p = 1e-12: a_t < 1e-3 from t ~ 2.07e6 on. The float sum to
    T = 3.2e6 (a_T ~ 1e-8) and the KL* <= a^2/8 bound on the rest bracket the T = inf value."""
    args = (1e-12, 1e6, 1.0, 0.99999, 0)
    T = 3_200_000
    a_T = 1e6 * 0.99999**T
    rest = a_T**2 / (8 * (1 - 0.99999**2))
    got = theory.total_recovery_kl(*args, math.inf)
    want = _float_sum(*args, T)
    assert abs(got - want) <= 1e-12 * want + rest
    assert rest < 1e-6 * want  # the check is not vacuous


def test_special_cases():
    inf = math.inf
    assert theory.total_recovery_kl(0.3, 1.0, 1.0, 1.0, 0, inf) == inf
    assert theory.total_recovery_kl(1e-12, 1e-8, 1.0, 1.0, 5, inf) == inf
    for p, mu, gamma in [(0.0, 5.0, 0.9), (0.3, 0.0, 0.9), (0.3, 5.0, 0.0), (1.0, 5.0, 0.9),
                         (0.0, 5.0, 1.0), (0.3, 0.0, 1.0), (1.0, 5.0, 1.0)]:
        assert theory.total_recovery_kl(p, mu, 1.0, gamma, 3, inf) == 0.0
        assert theory.total_recovery_kl(p, mu, 1.0, gamma, 3, 40) == 0.0
    assert theory.total_recovery_kl(0.3, 5.0, 1.0, 0.9, 7, 7) == 0.0  # empty sum
    assert theory.total_recovery_kl(0.3, 5.0, 1.0, 0.9, 9, 4) == 0.0
    # mu / beta overflows the float range: the early positions saturate at log(1/p)
    got = theory.total_recovery_kl(0.5, 1e300, 1e-300, 0.5, 0, 3)
    assert got == pytest.approx(3 * math.log(2), rel=1e-15)
    per_position = theory.recovery_kl([0.5, 1e-300], 1e300, 1e-300)  # was nan (inf - inf)
    np.testing.assert_allclose(per_position, [math.log(2), math.log(1e300)], rtol=1e-15)


def test_remark_6_small_shift_limit():
    """a_t small everywhere: KL* ~ (a^2/2) p (1-p), so the limit is that times a_{k+1}^2/(1-gamma^2)."""
    p, ratio, gamma, k = 0.2, 1e-6, 0.95, 4
    leading = p * (1 - p) / 2 * (ratio * gamma ** (k + 1)) ** 2 / (1 - gamma**2)
    got = theory.total_recovery_kl(p, ratio, 1.0, gamma, k, math.inf)
    assert got == pytest.approx(leading, rel=1e-5)


def test_broadcasting_and_scalar_output():
    out = theory.total_recovery_kl([[0.01], [0.1]], 5.0, 1.0, [0.5, 0.9, 1.0], 2, math.inf)
    assert out.shape == (2, 3)
    assert np.all(np.isfinite(out[:, :2])) and np.all(np.isinf(out[:, 2]))
    depths = theory.total_recovery_kl(0.01, 5.0, 1.0, 0.9, 5, [10, 100, math.inf])
    assert depths.shape == (3,)
    assert isinstance(theory.total_recovery_kl(0.01, 5.0, 1.0, 0.9, 5, 10), float)


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(depth=2.5), "depth must be a whole number"),
    (dict(depth=-1), "depth must be in"),
    (dict(depth=float("nan")), "depth must not be NaN"),
    (dict(depth=-math.inf), "depth must be in"),
    (dict(horizon=math.inf), "horizon must be in"),
    (dict(horizon=1.5), "horizon must be in the whole numbers"),
    (dict(p_base=1.5), "p_base must be in"),
    (dict(mu=-1.0), "mu must be in"),
    (dict(beta=0.0), "beta must be in"),
    (dict(gamma=1.01), "gamma must be in"),
])
def test_bad_input_names_parameter(kwargs, message):
    args = dict(p_base=0.1, mu=1.0, beta=1.0, gamma=0.9, horizon=2, depth=10) | kwargs
    with pytest.raises(ValueError, match=message):
        theory.total_recovery_kl(**args)


# Hypothesis: the whole domain. gamma up to 0.999 here (0.99999 has its own tests above: its heads
# of ~1e6 positions would make each example slow).
ps = st.one_of(st.just(0.0), st.just(1.0), st.floats(1e-12, 1.0),
               st.floats(-12, -1).map(lambda e: 10.0**e), st.floats(-12, -1).map(lambda e: 1 - 10.0**e))
ratios = st.one_of(st.just(0.0), st.floats(-6, 6).map(lambda e: 10.0**e))
gammas = st.one_of(st.just(0.0), st.just(1.0), st.floats(0.0, 0.999),
                   st.floats(-3, -1).map(lambda e: 1 - 10.0**e))


@given(p=ps, ratio=ratios, gamma=gammas, k=st.integers(0, 50), extra=st.integers(0, 300),
       more=st.integers(0, 5000))
def test_properties(p, ratio, gamma, k, extra, more):
    T1, T2 = k + extra, k + extra + more
    t1, t2, t_inf = theory.total_recovery_kl(p, ratio, 1.0, gamma, k, [T1, T2, math.inf])
    # non-negative and non-decreasing in depth (up to the rounding of different summation orders)
    assert 0.0 <= t1 <= t2 * (1 + 1e-13) and t2 <= t_inf * (1 + 1e-13)
    assert np.isfinite(t1) and np.isfinite(t2)
    degenerate = ratio == 0.0 or gamma == 0.0 or p in (0.0, 1.0)
    if degenerate:
        assert t_inf == 0.0
    elif gamma == 1.0:
        assert t_inf == math.inf
    else:
        assert np.isfinite(t_inf)
    # additive over consecutive ranges of positions
    split = theory.total_recovery_kl(p, ratio, 1.0, gamma, [k, T1], [T1, T2])
    assert t2 == pytest.approx(split.sum(), rel=1e-12, abs=1e-300)
    # Theorem 22: below the per-position cap min(a_t, log 1/p) summed (p_min = p here). p = 0 is
    # left out: total_recovery_kl_bound returns nan there for gamma < 1 (0 * inf; a known issue).
    if p > 0.0:
        bound = theory.total_recovery_kl_bound(p, ratio, 1.0, gamma, k, T2)
        assert t2 <= bound * (1 + 1e-12)
    # the first T1 - k terms, one by one
    assert t1 == pytest.approx(_float_sum(p, ratio, 1.0, gamma, k, T1), rel=1e-12, abs=1e-300)
