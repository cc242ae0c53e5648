"""Deepening methods on the exact toy model (theory/toy/methods.py): gradients against
finite differences, gradient descent against a direct optimiser, and the theorems' limits."""

import numpy as np
import pytest
from scipy.optimize import minimize

from theory import recovery_probability, refuse_or_comply, threshold_harm
from theory.toy import methods as M


def _models():
    return [refuse_or_comply(T=4, k=2, p_recover=0.2, p_harm=0.3),
            refuse_or_comply(T=4, k=2, p_recover=0.25, p_harm=0.3, h_undecided=0.4, decay=0.6),
            threshold_harm(T=4, k=3, m=2, p_recover=0.2, p_harm=0.4)]


def _random_logits(model, seed):
    rng = np.random.default_rng(seed)
    return M.base_logits(model) + rng.normal(scale=0.7, size=M.base_logits(model).shape)


def _central_differences(fun, x, h=1e-6):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (fun(up)[0] - fun(down)[0]) / (2 * h)
    return grad


def _objectives(model, aligned):
    return {
        "standard": M.standard_objective(model, lam=2.0, beta=0.7),
        "deep": M.deep_objective(model, lam=2.0, beta=0.7, mu=0.8, gamma=0.9),
        "augmentation_term": lambda z: M.augmentation_loss(model, z, model.T - 1),
        "augmentation": M.augmentation_objective(model, lam=2.0, beta=0.7, alpha=0.2, K=2),
        "finetune_plain": M.finetune_objective(model, aligned),
        "finetune_constrained": M.finetune_objective(model, aligned, M.qi_betas(model.T)),
    }


@pytest.mark.parametrize("which", range(3))
@pytest.mark.parametrize("name", ["standard", "deep", "augmentation_term", "augmentation",
                                  "finetune_plain", "finetune_constrained"])
def test_gradient_matches_central_differences(which, name):
    model = _models()[which]
    aligned = _random_logits(model, 1)
    objective = _objectives(model, aligned)[name]
    x = _random_logits(model, 2)
    _, grad = objective(x)
    numeric = _central_differences(objective, x)
    scale = np.abs(grad).max()
    assert scale > 1e-3
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8 * scale)


def _direct(objective, start):
    """scipy's L-BFGS on the same objective over all logits, from the same start."""
    shape = start.shape

    def fun(flat):
        value, grad = objective(flat.reshape(shape))
        return value, grad.ravel()

    result = minimize(fun, start.ravel(), jac=True, method="L-BFGS-B",
                      options=dict(maxiter=5000, ftol=1e-15, gtol=1e-11))
    return result.fun, result.x.reshape(shape)


@pytest.mark.parametrize("method", ["standard", "deep", "augmentation"])
def test_gradient_descent_reaches_the_direct_optimum(method):
    # Augmentation trains states the aligned policy rarely visits (after harmful tokens), where
    # the on-policy KL curvature is small: gradient descent converges slowly there when E[H] is
    # pushed far down (lam = 2, p_harm = 0.3 needs ~3e4 steps for 1e-6); this instance needs 2000.
    model = refuse_or_comply(T=3, k=2, p_recover=0.3, p_harm=0.4)
    settings = dict(lam=1.0, beta=1.0)
    budget = dict(steps=2000, lr=2.0, record_every=2000)
    if method == "standard":
        run = M.train_standard(model, **settings, **budget)
        objective = M.standard_objective(model, **settings)
    elif method == "deep":
        run = M.train_deep(model, **settings, mu=1.0, gamma=0.8, **budget)
        objective = M.deep_objective(model, **settings, mu=1.0, gamma=0.8)
    else:
        run = M.train_augmentation(model, **settings, alpha=0.2, K=2, **budget)
        objective = M.augmentation_objective(model, **settings, alpha=0.2, K=2)
    value, logits = _direct(objective, M.base_logits(model))
    assert run.objective_value[-1] == pytest.approx(value, rel=1e-6)
    assert run.objective_value[-1] <= run.objective_value[0]
    np.testing.assert_allclose(run.policy, M.softmax(logits), atol=1e-4)


def test_standard_optimum_is_the_gibbs_optimum():
    """Theorem 14's exact optimum is what gradient descent and the direct optimiser reach."""
    model = refuse_or_comply(T=3, k=2, p_recover=0.2, p_harm=0.3)
    run = M.train_standard(model, lam=2.0, beta=1.0, steps=3000, lr=1.0, record_every=3000)
    np.testing.assert_allclose(run.policy, M.softmax(M.aligned_logits(model, 2.0, 1.0)),
                               atol=1e-6)
    np.testing.assert_allclose(run.kl, model.standard_equilibrium_kl(2.0, 1.0), atol=1e-8)


def test_standard_alignment_changes_nothing_beyond_the_horizon():
    model = refuse_or_comply(T=5, k=2, p_recover=0.2, p_harm=0.3)
    run = M.train_standard(model, lam=3.0, beta=1.0, steps=500, lr=1.0)
    assert run.kl[:2].min() > 1e-2
    assert np.abs(run.kl[2:]).max() < 1e-10
    # same descent as ToyModel.train, whose value and gradient it reuses
    reference = model.train("standard", lam=3.0, beta=1.0, steps=500, lr=1.0, record_every=10)
    np.testing.assert_allclose(run.kl, reference.kl[-1], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(run.expected_harm, reference.expected_harm, rtol=1e-10)
    # late recovery after a prefilled horizon is the base model's
    base = M.prefill_recoveries(model, M.base_logits(model))
    np.testing.assert_allclose(run.prefill_recovery[2:], base[2:], atol=1e-10)


@pytest.mark.parametrize("gamma", [1.0, 0.7])
def test_deep_optimum_matches_theorem_20_beyond_the_horizon(gamma):
    model = refuse_or_comply(T=5, k=2, p_recover=0.2, p_harm=0.3)  # decay = 1
    mu, beta = 1.5, 1.0
    run = M.train_deep(model, lam=2.0, beta=beta, mu=mu, gamma=gamma, steps=3000, lr=1.0,
                       record_every=3000)
    t = np.arange(3, 6)
    expected = recovery_probability(0.2, mu, beta, gamma, t)
    np.testing.assert_allclose(run.recovery[2:], expected, rtol=1e-6)
    # per state too, in every state reachable beyond the horizon (undecided, complied, recovered)
    np.testing.assert_allclose(run.policy[2:, :, 0], np.repeat(expected[:, None], 3, 1), rtol=1e-6)
    # and the exact optimum's KL profile (training.exact_optimum_kl, Definition 17)
    np.testing.assert_allclose(run.kl, model.deep_equilibrium(2.0, beta, mu, gamma).kl_exact,
                               rtol=1e-6, atol=1e-10)


def test_augmentation_raises_late_recovery_and_standard_does_not():
    model = refuse_or_comply(T=5, k=2, p_recover=0.2, p_harm=0.3)
    standard = M.train_standard(model, lam=2.0, beta=1.0, steps=400)
    augmented = M.train_augmentation(model, lam=2.0, beta=1.0, alpha=0.2, steps=400)
    assert augmented.params["K"] == 4
    assert (augmented.prefill_recovery[2:5] > standard.prefill_recovery[2:5] + 0.05).all()
    assert (augmented.kl[2:] > 1e-3).all()
    np.testing.assert_allclose(M.augmentation_weights(4), [0.5, 0.125, 0.125, 0.125, 0.125])
    assert M.augmentation_weights(0).tolist() == [1.0]
    with pytest.raises(ValueError, match="K must be"):
        M.train_augmentation(model, K=5)


def test_finetune_attack_constrained_against_plain():
    model = refuse_or_comply(T=5, k=2, p_recover=0.2, p_harm=0.3)
    aligned = M.aligned_logits(model, lam=3.0, beta=1.0)
    # At the aligned start Delta = 0, so the first constrained gradient is plain SFT's.
    plain_grad = M.finetune_objective(model, aligned)(aligned)[1]
    constrained_grad = M.finetune_objective(model, aligned, M.qi_betas(5))(aligned)[1]
    np.testing.assert_allclose(constrained_grad, plain_grad, rtol=1e-12, atol=1e-15)
    plain = M.finetune_attack(model, aligned, constrained=False, steps=60, lr=0.5)
    strong = M.finetune_attack(model, aligned, constrained=True, betas=np.full(5, 2.0), steps=60,
                               lr=0.5)
    start = plain.expected_harm[0]
    assert start == pytest.approx(strong.expected_harm[0], rel=1e-14)
    assert plain.expected_harm[-1] > 0.9
    assert start < strong.expected_harm[-1] < plain.expected_harm[-1] - 0.2
    assert plain.total_kl[-1] > strong.total_kl[-1]
    assert np.all(np.diff(plain.objective_value) <= 1e-12)
    assert M.qi_betas(7).tolist() == [0.5, 2.0, 2.0, 2.0, 2.0, 0.1, 0.1]
    with pytest.raises(ValueError, match="betas must be"):
        M.finetune_attack(model, aligned, constrained=True, betas=[1.0, 2.0])


def test_method_run_record():
    model = refuse_or_comply(T=4, k=2, p_recover=0.2, p_harm=0.3)
    run = M.train_deep(model, mu=1.0, gamma=0.9, steps=25, lr=0.5, record_every=10)
    assert run.method == "deep" and run.training_steps == 25
    assert run.steps.tolist() == [0, 10, 20, 25]
    assert run.expected_harm.shape == run.total_kl.shape == run.objective_value.shape == (4,)
    assert run.total_kl[0] == pytest.approx(0.0, abs=1e-14)
    assert run.kl.shape == run.recovery.shape == (4,) and run.prefill_recovery.shape == (5,)
    assert run.prefill_recovery[-1] == 0.0
    assert run.total_kl[-1] == pytest.approx(run.kl.sum(), rel=1e-12)
    assert run.params == dict(lam=1.0, beta=1.0, mu=1.0, gamma=0.9, steps=25, lr=0.5)


@pytest.mark.parametrize("which", range(3))
def test_distillation_gradient_matches_central_differences(which):
    model = _models()[which]
    objective = M.distillation_objective(model, _random_logits(model, 1), lam_teacher=1.2, tau=2.0)
    x = _random_logits(model, 2)
    _, grad = objective(x)
    numeric = _central_differences(objective, x)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8 * np.abs(grad).max())


def test_hybrid_distillation_reaches_the_direct_optimum_and_the_hybrid_policy():
    model = refuse_or_comply(T=3, k=2, p_recover=0.3, p_harm=0.4)
    aligned = M.aligned_logits(model, lam=1.0, beta=1.0)
    run = M.train_hybrid_distillation(model, aligned, steps=2000, lr=2.0, record_every=2000)
    value, logits = _direct(M.distillation_objective(model, aligned), aligned)
    assert value == pytest.approx(0.0, abs=1e-12)
    assert run.objective_value[-1] == pytest.approx(value, abs=1e-10)
    hybrid = M.softmax(M.hybrid_teacher_logits(model, aligned))
    reached = M.context_weights(model) > 0
    np.testing.assert_allclose(run.policy[reached], hybrid[reached], atol=1e-6)
    np.testing.assert_allclose(M.softmax(logits)[reached], hybrid[reached], atol=1e-4)


def test_hybrid_teacher_changes_nothing_beyond_the_horizon_of_the_standard_optimum():
    model = refuse_or_comply(T=5, k=2, p_recover=0.2, p_harm=0.3)
    aligned = M.aligned_logits(model, lam=2.0, beta=1.0)
    run = M.train_hybrid_distillation(model, aligned, steps=500, lr=1.0)
    assert run.expected_harm[-1] < run.expected_harm[0] - 1e-3  # it does move the horizon
    assert np.abs(run.kl[2:]).max() < 1e-10
    base = M.prefill_recoveries(model, M.base_logits(model))
    np.testing.assert_allclose(run.prefill_recovery[2:], base[2:], atol=1e-10)


# --- Bach et al.'s targeted completion and the penalty fit -------------------------------------
@pytest.mark.parametrize("which", range(3))
def test_targeted_completion_gradient_matches_central_differences(which):
    model = _models()[which]
    aligned = _random_logits(model, 1)  # random: base-favored tokens at every position
    favored = M.base_favored_tokens(model, aligned, top_k=2)
    assert favored.any(axis=1).all()
    objective = M.targeted_completion_objective(model, aligned, alpha=0.7, rise=2.0, top_k=2)
    x = _random_logits(model, 2)
    _, grad = objective(x)
    numeric = _central_differences(objective, x)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8 * np.abs(grad).max())
    weights = M.completion_weights(model.T, 0.7, 2.0)
    term = lambda z: M.completion_loss(model, z, favored, weights)  # noqa: E731
    np.testing.assert_allclose(term(x)[1], _central_differences(term, x), rtol=1e-6,
                               atol=1e-8 * np.abs(term(x)[1]).max())


def test_base_favored_tokens_by_hand():
    model = refuse_or_comply(T=3, k=2, p_recover=0.2, p_harm=0.3)
    aligned = M.base_logits(model).copy()
    s0, s1 = M.harmful_path(model)[:2]
    aligned[0, s0, model.harmful] -= 1.0  # the aligned model emits C less: C base-favored
    aligned[1, s1, model.harmful] += 0.5  # C aligned-favored here: R and N gain relative to it
    favored = M.base_favored_tokens(model, aligned, top_k=100)
    assert favored[0].tolist() == [v == model.harmful for v in range(model.n_tokens)]
    assert favored[1].sum() == model.n_tokens - 1 and not favored[1, model.harmful]
    assert not favored[2].any()
    # top_k = 1 keeps the largest log-ratio; ties are broken by token order
    assert M.base_favored_tokens(model, aligned, top_k=1).sum(axis=1).tolist() == [1, 1, 0]
    np.testing.assert_allclose(M.completion_weights(3, 2.0, 1.0), [2.0, 3.0, 4.0])
    assert M.completion_weights(1, 2.0, 5.0).tolist() == [2.0]


def test_targeted_completion_reaches_the_direct_optimum():
    model = threshold_harm(T=3, k=3, m=2, p_recover=0.2, p_harm=0.4)
    aligned = M.aligned_logits(model, lam=1.0, beta=1.0)
    settings = dict(lam_teacher=1.2, tau=2.0, alpha=1.0, rise=1.0, top_k=100)
    run = M.train_targeted_completion(model, aligned, **settings, steps=3000, lr=2.0,
                                      record_every=3000)
    value, logits = _direct(M.targeted_completion_objective(model, aligned, **settings), aligned)
    assert run.objective_value[-1] == pytest.approx(value, rel=1e-6)
    assert run.objective_value[-1] < run.objective_value[0]
    np.testing.assert_allclose(run.policy, M.softmax(logits), atol=1e-4)


def test_targeted_completion_changes_nothing_beyond_the_horizon_of_the_standard_optimum():
    model = threshold_harm(T=6, k=3, m=2, p_recover=0.2, p_harm=0.3)
    aligned = M.aligned_logits(model, lam=2.0, beta=1.0)
    favored = M.base_favored_tokens(model, aligned)
    assert favored[:2].any() and not favored[3:].any()  # m = 2: open until 2 C's, then decided
    run = M.train_targeted_completion(model, aligned, alpha=5.0, rise=3.0, steps=400, lr=1.0)
    assert run.expected_harm[-1] < run.expected_harm[0] - 1e-3
    assert np.abs(run.kl[3:]).max() < 1e-10
    base = M.prefill_recoveries(model, M.base_logits(model))
    np.testing.assert_allclose(run.prefill_recovery[3:], base[3:], atol=1e-10)


@pytest.mark.parametrize("mu, gamma", [(0.8, 0.9), (3.0, 0.6)])
def test_penalty_fit_recovers_a_known_penalty(mu, gamma):
    model = refuse_or_comply(T=8, k=3, p_recover=0.1, p_harm=0.3)
    target = M.prefill_recoveries(model, M.aligned_logits(model, 1.0, 1.0, mu, gamma))
    fit = M.fit_deep_to_prefill(model, target)
    assert fit.mu == pytest.approx(mu, rel=1e-5) and fit.gamma == pytest.approx(gamma, rel=1e-5)
    assert fit.rms < 1e-8 and fit.at_bound == ()
    np.testing.assert_allclose(fit.fitted, target, atol=1e-8)
    exact = model.deep_equilibrium(1.0, 1.0, mu, gamma).kl_exact.sum()
    assert fit.total_kl == pytest.approx(exact, rel=1e-6)


def test_penalty_fit_to_augmentation_and_its_limits():
    model = refuse_or_comply(T=8, k=3, p_recover=0.1, p_harm=0.3)
    augmented = M.train_augmentation(model, alpha=0.2, steps=400, lr=0.5)
    fit = M.fit_deep_to_prefill(model, augmented.prefill_recovery)
    standard = M.prefill_recoveries(model, M.aligned_logits(model))
    # the fitted penalty explains the augmentation much better than no penalty at all
    gap = np.sqrt(np.mean((standard - augmented.prefill_recovery)[1:8] ** 2))
    assert fit.rms < 0.1 * gap
    # a target of the base model's own recovery needs no penalty: mu at its lower bound
    none = M.fit_deep_to_prefill(model, M.prefill_recoveries(model, M.base_logits(model)))
    assert "mu" in none.at_bound or none.mu < 1e-3
    with pytest.raises(ValueError, match="target must be"):
        M.fit_deep_to_prefill(model, np.zeros(3))


def test_positions_open_on_the_harmful_path():
    # refuse-or-comply: the first non-N token decides, so after x_1 = C nothing is open
    rc = refuse_or_comply(T=6, k=3, p_recover=0.2, p_harm=0.3)
    assert M.open_on_harmful_path(rc).tolist() == [True] + [False] * 5
    # threshold m = 2 of k = 4: open until the second C, i.e. positions 1 and 2
    th = threshold_harm(T=6, k=4, m=2, p_recover=0.2, p_harm=0.3)
    assert M.open_on_harmful_path(th).tolist() == [True, True] + [False] * 4
    # m = 3 > positions left? m = 3 of k = 4: positions 1..3 open
    th3 = threshold_harm(T=6, k=4, m=3, p_recover=0.2, p_harm=0.3)
    assert M.open_on_harmful_path(th3).tolist() == [True, True, True] + [False] * 3
    assert M.qi_betas(3, late=0.2, first=1.0, early=3.0).tolist() == [1.0, 3.0, 3.0]


@pytest.mark.parametrize("which", range(3))
def test_prefill_recoveries_match_the_forward_simulation(which):
    """The one backward pass against attacks.continue_after (one forward pass per L)."""
    from theory.toy.attacks import continue_after

    model = _models()[which]
    logits = _random_logits(model, 3)
    pi = M.softmax(logits)
    forward = [continue_after(model, lambda t: pi[t - 1], L)[1] for L in range(model.T + 1)]
    np.testing.assert_allclose(M.prefill_recoveries(model, logits), forward, rtol=1e-12,
                               atol=1e-15)


def test_methods_refuse_what_they_cannot_do():
    model = refuse_or_comply(T=4, k=2, p_recover=0.2, p_harm=0.0)  # C never emitted
    aligned = M.aligned_logits(model)
    with pytest.raises(ValueError, match="no harmful response"):
        M.finetune_attack(model, aligned, constrained=False)
    with pytest.raises(ValueError, match="finite aligned and base"):
        M.train_targeted_completion(model, aligned)


def test_kl_by_position_of_an_exact_optimum_that_never_emits_a_token():
    model = refuse_or_comply(T=5, k=2, p_recover=0.1, p_harm=0.2)
    logits = M.aligned_logits(model, 1.0, 1.0, mu=1e4, gamma=1.0)  # pi(C), pi(N) underflow to 0
    assert np.isneginf(logits).any()
    kl = M.kl_by_position(model, logits)
    assert np.isfinite(kl).all()
    np.testing.assert_allclose(kl, model.deep_equilibrium(1.0, 1.0, 1e4, 1.0).kl_exact, rtol=1e-9)
