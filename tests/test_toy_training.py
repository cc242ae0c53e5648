"""Gradient descent on tabular and shared softmax logits (beyond the paper).

Expected profiles come from the exact optima (tested against brute force in
test_toy_bruteforce.py); step counts and learning rates were chosen so the runs converge to well
below the tolerances (measured: max |KL_t - exact| ~ 1e-16 for the tabular standard run)."""

from __future__ import annotations

import numpy as np
import pytest

import theory


@pytest.fixture(scope="module")
def model():
    return theory.refuse_or_comply(8, 3, 0.2, 0.3)


def test_tabular_standard_converges_to_exact_optimum(model):
    run = model.train("standard", lam=1.0, beta=1.0, steps=600, lr=2.0, record_every=50)
    np.testing.assert_allclose(run.kl[-1], run.exact_kl, rtol=0, atol=1e-8)
    np.testing.assert_allclose(run.exact_kl, model.standard_equilibrium_kl(1.0, 1.0), atol=1e-15)
    assert run.kl[0].max() == 0.0 and run.kl[-1][:3].min() > 1e-3  # it did move, from the base
    assert np.all(np.diff(run.objective_value) <= 1e-12)  # descent
    # Theorem 10 throughout training: no gradient and no change beyond the horizon.
    assert np.abs(run.grad_norms[:, 3:]).max() <= 1e-15
    assert np.abs(run.kl[:, 3:]).max() <= 1e-15
    assert run.grad_norms[0, 0] > 0.1 and run.grad_norms[-1].max() < 1e-6


def test_tabular_deep_converges_to_exact_deep_optimum(model):
    run = model.train("deep", lam=1.0, beta=1.0, mu=0.5, gamma=0.9, steps=1500, lr=2.0,
                      record_every=100)
    exact = model.deep_equilibrium(1.0, 1.0, 0.5, 0.9)
    np.testing.assert_allclose(run.kl[-1], exact.kl_exact, rtol=0, atol=1e-7)
    np.testing.assert_allclose(run.recovery[-1], exact.recovery_exact, rtol=0, atol=1e-7)
    assert run.kl[-1][3:].min() > 1e-3  # deep alignment moves the late positions too
    assert run.prefill_recovery[-1] > run.prefill_recovery[0] + 0.05


def test_shared_parameters_give_incidental_kl_without_recovery(model):
    """Appendix A: with logits log pi_base + phi[s] + psi[t] the late positions move (KL_t > 0 for
    t > k) but the change carries no harm (Prop. 26) and recovery after a prefilled harmful
    prefix does not improve."""
    run = model.train("standard", lam=1.0, beta=1.0, steps=800, lr=0.3, record_every=100,
                      parameterization="shared")
    late = run.kl[-1][3:]
    assert late.min() > 1e-4  # incidental KL (measured 1.6e-3)
    assert np.abs(run.harm_effect[:, 3:]).max() < 1e-15  # uncorrelated with harm
    assert np.abs(run.harm_effect[-1][:3]).min() > 1e-2  # while early positions reduce harm
    assert run.prefill_recovery[-1] <= run.prefill_recovery[0] + 1e-12  # buys no recovery
    tabular = model.train("standard", lam=1.0, beta=1.0, steps=600, lr=2.0, record_every=600)
    assert run.objective_value[-1] > tabular.objective_value[-1]  # coupling costs optimality
