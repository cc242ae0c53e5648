"""Theorem 20 by direct numerical optimisation over the simplex (scipy.optimize)."""

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import rel_entr, softmax

import theory


def _solve_on_simplex(base, mask, mu_t, beta):
    """min_q mu_t (1 - q(R)) + beta KL(q || base), parametrised by softmax logits."""

    def objective(z):
        q = softmax(z)
        return mu_t * (1 - q[mask].sum()) + beta * rel_entr(q, base).sum()

    start = np.log(base)
    res = minimize(objective, start, method="BFGS", options={"gtol": 1e-12, "maxiter": 10_000})
    q = softmax(res.x)
    return q, res.fun


@pytest.mark.parametrize("seed", range(12))
def test_closed_forms_match_optimizer(seed):
    rng = np.random.default_rng(seed)
    V = rng.integers(3, 9)
    base = rng.dirichlet(np.ones(V))
    mask = rng.random(V) < 0.4
    mask[rng.integers(V)] = True
    if mask.all():
        mask[0] = False
    mu, beta, gamma, t = rng.uniform(0.1, 4), rng.uniform(0.3, 3), rng.uniform(0.7, 1), rng.integers(0, 6)
    mu_t = mu * gamma**t

    q_opt, value = _solve_on_simplex(base, mask, mu_t, beta)
    q_star = theory.gibbs_distribution(base, mask, mu, beta, gamma, t)
    p = base[mask].sum()
    r_star = theory.recovery_probability(p, mu, beta, gamma, t)
    kl_star = theory.recovery_kl(p, mu, beta, gamma, t)

    np.testing.assert_allclose(q_opt, q_star, atol=1e-6)
    assert q_opt[mask].sum() == pytest.approx(r_star, abs=1e-6)
    assert rel_entr(q_opt, base).sum() == pytest.approx(kl_star, abs=1e-6)
    # The closed form is at least as good as anything the optimiser found.
    closed_value = mu_t * (1 - r_star) + beta * kl_star
    assert closed_value <= value + 1e-10
