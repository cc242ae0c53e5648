"""Property tests (hypothesis) of the closed forms over the whole documented domain."""

import math
import warnings

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import theory

# The documented domain: p = 0 or normal floats (>= 2.2e-308); subnormal p lose relative digits.
probability = st.one_of(
    st.floats(0.0, 1.0, allow_subnormal=False),
    st.floats(1e-300, 1e-6),
    st.floats(1 - 1e-6, 1.0),
)
strength = st.floats(0.0, 1e6)
kl_weight = st.floats(1.0, 1e3)
discount = st.floats(0.0, 1.0)
position = st.one_of(st.integers(0, 1000), st.integers(0, 10**6))


@given(probability, strength, kl_weight, discount, position)
def test_recovery_finite_in_range_and_above_base(p, mu, beta, gamma, t):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = theory.recovery_probability(p, mu, beta, gamma, t)
        kl = theory.recovery_kl(p, mu, beta, gamma, t)
    assert 0.0 <= r <= 1.0 and math.isfinite(kl)
    assert r >= p * (1 - 1e-12)
    a = theory.recovery_shift(mu, beta, gamma, t)
    cap = math.inf if p == 0 else -math.log(p)
    assert 0.0 <= kl <= min(a, cap) * (1 + 1e-12) + 1e-300


@given(probability, strength, st.floats(1.01, 10.0), kl_weight, discount, st.integers(0, 200))
def test_recovery_and_kl_increase_in_mu(p, mu, factor, beta, gamma, t):
    assert theory.recovery_probability(p, mu * factor, beta, gamma, t) >= theory.recovery_probability(
        p, mu, beta, gamma, t
    )
    assert theory.recovery_kl(p, mu * factor, beta, gamma, t) >= theory.recovery_kl(p, mu, beta, gamma, t) * (
        1 - 1e-12
    )


@given(probability, strength, kl_weight, st.floats(0.0, 0.999), st.integers(0, 10**5), st.integers(1, 100))
def test_recovery_non_increasing_in_position_when_discounted(p, mu, beta, gamma, t, dt):
    later = theory.recovery_probability(p, mu, beta, gamma, t + dt)
    # Slack of the documented accuracy (~|log p| ulps through the log-odds for large shifts).
    assert later <= theory.recovery_probability(p, mu, beta, gamma, t) * (1 + 1e-12)


@given(
    st.floats(1e-12, 0.5), st.floats(0.0, 1e4), st.floats(0.01, 100.0), discount,
    st.integers(0, 50), st.integers(0, 500),
)
def test_theorem_22_bounds_hold(p_min, mu, beta, gamma, k, extra):
    T = k + extra
    delta = theory.recoverability_bound(p_min, mu, beta, gamma, T)
    t = np.arange(k + 1, T + 1)
    r = theory.recovery_probability(p_min, mu, beta, gamma, t)
    assert np.all(r >= delta * (1 - 1e-12))
    total = theory.total_recovery_kl_bound(p_min, mu, beta, gamma, k, T)
    assert math.isfinite(total)
    assert theory.recovery_kl(p_min, mu, beta, gamma, t).sum() <= total * (1 + 1e-10) + 1e-300


@given(st.floats(1e-6, 0.9), st.floats(0.01, 0.99), st.floats(0.0, 1e4), st.floats(0.01, 100.0), discount, st.integers(0, 100))
def test_attack_length_consistent_with_recovery(p_min, delta, mu, beta, gamma, k):
    length = theory.min_attack_length(delta, p_min, mu, beta, gamma, horizon=k)
    if length == math.inf:
        return
    assert length >= k
    tau = theory.attack_threshold(delta, p_min, mu, beta, gamma)
    if math.isfinite(tau) and abs(tau - round(tau)) < 1e-6:
        return  # exact ties are decided by rounding; not a property of the formula
    assert theory.recovery_probability(p_min, mu, beta, gamma, length + 1) < delta
