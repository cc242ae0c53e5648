"""Proposition 29 (t <= k) with two choices of h_t (THEORY.md section 5).

With the base model's h_t the per-prefix form is first order: its gap to the exact on-policy
optimum is O(eta). With h*_t(x_<t, v) = E_{pi*}[H | x_<t, v], the expected harm when the exact
optimum pi* writes the rest (-d/deta log Psi_t), the gap is O(eta^2): log Psi_t(v) = log Psi^0_t +
f(eta) with f(eta) = log E_rho[e^{-eta H} | v], and f - eta f' = -(eta^2/2) Var + O(eta^3), while
the base h_t differs from E_rho[H | v] by O(1) once a_t > 0. h*_t is checked against brute force.
"""

from __future__ import annotations

import numpy as np
import pytest

import theory
from test_toy_bruteforce import Brute, _per_prefix, rc_base, rc_harm
from theory.toy.equilibria import optimum_values

MU, BETA, GAMMA = 5.0, 1.0, 0.9
K = 4


@pytest.fixture(scope="module")
def model():
    return theory.refuse_or_comply(8, K, 0.1, 0.2, h_undecided=0.3)  # decay = 1


def _within_gaps(model, eta):
    """Max |recovery gap| inside the horizon: Prop. 29 with the base h_t, with the optimum's h_t."""
    deep = model.deep_equilibrium(eta * BETA, BETA, MU, GAMMA)
    return np.abs(deep.recovery_gap[:K]).max(), np.abs(deep.recovery_gap_cont[:K]).max()


@pytest.mark.parametrize("eta", [0.1, 0.01])
def test_gap_orders_in_eta(model, eta):
    """A 10x smaller eta: ~10x smaller gap with the base h_t, ~100x with the optimum's.
    Measured: 9.84 and 94.7 (eta 0.1 -> 0.01), 9.98 and 99.5 (0.01 -> 0.001)."""
    base_big, cont_big = _within_gaps(model, eta)
    base_small, cont_small = _within_gaps(model, eta / 10)
    assert 5 < base_big / base_small < 20
    assert 50 < cont_big / cont_small < 200
    assert cont_big < 0.01 * base_big  # and far smaller at the same eta


def test_both_are_theorem_20_beyond_the_horizon(model):
    """decay = 1: beyond the horizon the continuation does not depend on x_t, so both per-prefix
    forms and the exact optimum coincide there (rounding only)."""
    deep = model.deep_equilibrium(1.0, BETA, MU, GAMMA)
    for gap in (deep.recovery_gap, deep.recovery_gap_cont, deep.kl_gap, deep.kl_gap_cont):
        assert np.abs(gap[K:]).max() < 1e-12
    assert np.abs(deep.recovery_gap[:K]).max() > 1e-2  # while inside they differ (measured 2.7e-2)
    assert np.abs(deep.recovery_gap_cont[:K]).max() < 1e-3  # measured 6.1e-4


@pytest.fixture(params=[(6, 3, 0.2, 0.3, 0.4, 1.0), (6, 4, 0.25, 0.35, 0.6, 0.5),
                        (7, 5, 0.2, 0.45, 0.25, 0.7)], ids=["T6", "decay0.5", "T7"])
def brute(request):
    T, k, p_r, p_c, h_u, decay = request.param
    model = theory.refuse_or_comply(T, k, p_r, p_c, h_undecided=h_u, decay=decay)
    return model, Brute(model, rc_base(p_r, p_c, decay), rc_harm(k, h_u))


def _optimum_h(b, q, t):
    """{x_<=t: E_q[H | x_<=t]} from the response distribution q."""
    mass, harm = b.marginal(q, t), b.marginal(q * b.H, t)
    return {key: harm[key] / mass[key] for key in mass if mass[key] > 0}


@pytest.mark.parametrize("eta", [0.3, 2.0])
def test_optimum_h_against_brute_force(brute, eta):
    """h*_t from the backward pass under pi*'s conditionals against E_{pi*}[H | x_<=t] summed over
    all 3^T responses of the Gibbs measure pi_base exp(-eta H + sum_t a_t 1[x_t in R])."""
    model, b = brute
    tilt = MU * GAMMA ** np.arange(1, b.T + 1) / BETA
    values = optimum_values(model, eta, tilt)  # refuse_or_comply: terminal harm, h*_t = values
    q = b.gibbs(eta, tilt)
    for t in range(b.T + 1):
        for prefix, h in _optimum_h(b, q, t).items():
            assert values[t, b.state(prefix)] == pytest.approx(h, abs=1e-10)


def test_per_prefix_cont_against_brute_force(brute):
    """The whole per-prefix form with h*_t, recomputed response by response (Prop. 29 inside the
    horizon, Theorem 20 beyond), run on-policy."""
    model, b = brute
    eta = 0.7
    tilt = MU * GAMMA ** np.arange(1, b.T + 1) / BETA
    hs = [_optimum_h(b, b.gibbs(eta, tilt), t) for t in range(b.T + 1)]
    q = _per_prefix(b, model, eta, tilt, hs)
    kl, rec = b.per_position(q)
    deep = model.deep_equilibrium(eta * BETA, BETA, MU, GAMMA)
    np.testing.assert_allclose(deep.kl_per_prefix_cont, kl, rtol=0, atol=1e-12)
    np.testing.assert_allclose(deep.recovery_per_prefix_cont, rec, rtol=0, atol=1e-12)
    assert deep.expected_harm_per_prefix_cont == pytest.approx(q @ b.H, abs=1e-12)
