"""Tests for theory.evidence_attack: the toy's prefilling-attack curve (paper section 9,
Corollary 23, Theorem 20) and its fits to published attack success rates."""

import itertools
import math

import numpy as np
import pytest

from theory import refuse_or_comply
import evidence
from theory.evidence_attack import CAVEAT, TABLE2_L, attack_success, fit_deep, fit_family
from ui.data.evidence import FAMILIES


def published(series: str) -> np.ndarray:
    """A published attack-success curve, k = 0, 3, 5, 7, 10, from evidence/ (its one source)."""
    df = evidence.prefill_asr()
    return df[df["series"] == series].sort_values("k")["asr_percent"].to_numpy(float)


def fit_published_family(name: str, **kwargs):
    base, aligned = FAMILIES[name]
    return fit_family(published(base), [published(a) for a in aligned], **kwargs)


def table2(column: str) -> np.ndarray:
    return evidence.augmentation().sort_values("prefill_tokens")[column].to_numpy(float)


def brute_asr(L, T, horizon, p_r, p_c, decay, h_u, eta, tilt):
    """Enumerate every continuation: an independent check that shares no code with the
    backward passes (probabilities per path, harm by reading the whole response)."""
    q = 1.0 - p_r - p_c
    num = den = 0.0
    for cont in itertools.product("RCN", repeat=T - L):
        x = "C" * L + "".join(cont)
        prob, n = 1.0, L
        for v in cont:
            pr = p_r * decay**n
            moved = p_r - pr
            share = p_c / (p_c + q) if p_c + q > 0 else 1.0
            prob *= {"R": pr, "C": p_c + moved * share, "N": q + moved * (1 - share)}[v]
            n += v == "C"
        first = next((v for v in x[:horizon] if v != "N"), None)
        H = {"C": 1.0, "R": 0.0, None: h_u}[first]
        log_w = -eta * H + sum(tilt[t] for t in range(L, T) if x[t] == "R")
        w = prob * math.exp(log_w)
        den += w
        num += w * ("R" not in cont)
    return 100 * num / den


CASES = [  # T, horizon, p_R, p_C, decay, h_u, eta, mu, gamma
    (5, 2, 0.3, 0.2, 1.0, 0.0, 1.5, 1.0, 0.8),
    (5, 3, 0.2, 0.5, 0.6, 0.4, 3.0, 2.0, 1.0),
    (4, 0, 0.25, 0.25, 0.7, 0.3, 2.0, 0.5, 0.5),
    (6, 4, 0.4, 0.6, 0.5, 0.0, 0.7, 1.2, 0.9),  # q = 0: no neutral token
    (3, 3, 0.0, 0.3, 1.0, 0.0, 1.0, 3.0, 0.7),  # p_R = 0: no recovery at all
]


@pytest.mark.parametrize("T, h, p_r, p_c, decay, h_u, eta, mu, gamma", CASES)
def test_matches_brute_force_enumeration(T, h, p_r, p_c, decay, h_u, eta, mu, gamma):
    ks = np.arange(T + 1)
    for model in ("base", "standard", "deep"):
        e = 0.0 if model == "base" else eta
        m, g = (mu, gamma) if model == "deep" else (0.0, 1.0)
        tilt = m * np.power(g, np.arange(1, T + 1, dtype=float))
        want = [brute_asr(L, T, h, p_r, p_c, decay, h_u, e, tilt) for L in ks]
        got = attack_success(ks, T=T, horizon=h, p_recover=p_r, p_harm=p_c, decay=decay,
                             eta=eta, mu=mu, gamma=gamma, model=model, h_undecided=h_u)
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("decay", [1.0, 0.8])
def test_matches_the_repo_prefill_attack(decay):
    # the toy package's forward pass is the reference the app shows elsewhere
    T, h, eta, mu, gamma = 12, 3, 2.0, 1.5, 0.9
    m = refuse_or_comply(T, h, 0.15, 0.35, decay=decay)
    for model in ("base", "standard", "deep"):
        got = attack_success(np.arange(T + 1), T=T, horizon=h, p_recover=0.15, p_harm=0.35,
                             decay=decay, eta=eta, mu=mu, gamma=gamma, model=model)
        want = [100 * (1 - getattr(m.prefill_attack(L, eta, 1.0, mu, gamma),
                                   f"recover_before_end_{model}")) for L in range(T + 1)]
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_base_closed_form_without_decay():
    k = np.arange(0, 21)
    got = attack_success(k, T=20, horizon=4, p_recover=0.07, p_harm=0.3)
    np.testing.assert_allclose(got, 100 * 0.93 ** (20 - k), rtol=1e-12)


def test_corollary_23_standard_equals_base_after_one_token():
    kw = dict(T=30, horizon=5, p_recover=0.05, p_harm=0.3, decay=0.9)
    k = np.arange(1, 31)
    base = attack_success(k, **kw)
    np.testing.assert_allclose(attack_success(k, eta=8.0, model="standard", **kw), base,
                               rtol=1e-12)
    assert attack_success(0, eta=8.0, model="standard", **kw) < attack_success(0, **kw)
    # deep alignment keeps recovering after the prefill (Theorem 20's log-odds shift)
    assert np.all(attack_success(k[:-1], eta=8.0, mu=2.0, gamma=0.95, model="deep", **kw)
                  < base[:-1])


def test_large_tilts_stay_finite():
    out = attack_success([0, 5, 50], T=60, horizon=3, p_recover=0.01, p_harm=0.4, decay=0.5,
                         eta=1e4, mu=1e4, gamma=1.0, model="deep")
    assert np.all(np.isfinite(out)) and out[-1] < 1e-6


@pytest.mark.parametrize("kwargs", [
    dict(L=[0, 11]), dict(L=[-1]), dict(L=[1.5]), dict(model="shallow"), dict(model="standard"),
    dict(decay=0.0), dict(p_harm=0.95), dict(horizon=11),
])
def test_invalid_arguments(kwargs):
    args = dict(L=[0, 1], T=10, horizon=2, p_recover=0.1, p_harm=0.2, decay=1.0)
    args.update(kwargs)
    with pytest.raises(ValueError):
        attack_success(args.pop("L"), **args)


# --- fits ------------------------------------------------------------------------------------

TRUE = dict(T=40, horizon=3, p_recover=0.02, p_harm=0.3, decay=0.85)
K = np.array([0, 3, 5, 7, 10, 15])


def synthetic(eta, sigma, seed):
    rng = np.random.default_rng(seed)
    base = attack_success(K, **TRUE)
    std = attack_success(K, eta=eta, model="standard", **TRUE)
    return base + sigma * rng.standard_normal(K.size), std + sigma * rng.standard_normal(K.size)


def within(fit, truth, n_se=3.0):
    for name, value, se in zip(fit.names, fit.values, fit.stderr):
        if name in truth and np.isfinite(se):
            assert abs(value - truth[name]) <= n_se * se + 1e-9, (name, value, se, truth[name])


@pytest.mark.parametrize("joint", [True, False])
def test_family_fit_reproduces_synthetic_curves(joint):
    # Only the curves are asserted here: the base curve pins two combinations of (p_R, p_C,
    # decay) and the aligned curve adds one k = 0 point for (eta, p_C), so parameters along the
    # flat valley are not recoverable from these data (a limit the page must state).
    sigma = 0.3
    base, aligned = synthetic(eta=1.0, sigma=sigma, seed=1)
    fit = fit_family(base, aligned, K, base_sigma=sigma, aligned_sigma=sigma, T=40,
                     horizons=[3], joint=joint)
    assert fit.converged and fit.dof == 2 * K.size - 4
    clean_base = attack_success(K, **TRUE)
    assert np.all(np.abs(fit.fitted[0] - clean_base) < 3 * sigma)
    assert float(((fit.residuals[0] / sigma) ** 2).sum()) < 4 * K.size
    if joint:  # the staged fit may miss the k = 0 aligned point, see fit_family
        assert fit.chi2 / fit.dof < 4
    assert CAVEAT in fit.message


def test_family_fit_recovers_identified_parameters():
    # with decay = 1 the base curve is (1 - p_R)^(T - k): p_R and the integer T are identified
    truth = dict(TRUE, decay=1.0)
    sigma = 0.3
    base = attack_success(K, **truth) + sigma * np.random.default_rng(4).standard_normal(K.size)
    fit = fit_family(base, L=K, base_sigma=sigma, T=[30, 35, 40, 45, 50], fit_decay=False)
    assert fit.fixed["T"] == 40 and fit.converged and fit.fixed["decay"] == 1.0
    i = fit.names.index("p_recover")
    assert np.isfinite(fit.stderr[i]) and abs(fit.values[i] - 0.02) <= 3 * fit.stderr[i]


def test_family_fit_finds_the_integer_length_exactly():
    base, _ = synthetic(eta=1.0, sigma=0.0, seed=0)
    fit = fit_family(base, L=K, T=[34, 40, 46])
    assert fit.fixed["T"] == 40 and fit.converged and fit.chi2 < 1e-6
    assert "horizon does not enter" in fit.message


def test_unidentified_horizon_is_reported():
    base, aligned = synthetic(eta=1.0, sigma=0.0, seed=0)
    fit = fit_family(base, aligned, K, T=40, horizons=[2, 3, 4])
    assert "horizon is not identified" in fit.message
    assert [g[1] for g in fit.grid] == [2, 3, 4]


def test_parameter_at_bound_is_reported():
    kw = dict(TRUE, decay=1.0)
    base = attack_success(K, **kw)
    fit = fit_family(base, L=K, T=40, base_sigma=0.3)
    assert "decay" in fit.at_bound and "At a bound" in fit.message
    assert np.isnan(fit.stderr[fit.names.index("decay")])


def test_non_convergence_is_reported():
    base, aligned = synthetic(eta=1.0, sigma=0.3, seed=2)
    fit = fit_family(base, aligned, K, T=40, horizons=[3], max_nfev=1)
    assert not fit.converged and "did not converge" in fit.message
    deep = fit_deep([50.0, 50.0, 50.0, 50.0], after_sigma=1.0, T=60, horizon=3, p_recover=0.02,
                    p_harm=0.3, max_nfev=1)
    assert not deep.converged and "did not converge" in deep.message


def test_deep_fit_recovers_synthetic_penalty():
    toy = dict(T=60, horizon=3, p_recover=0.02, p_harm=0.3, decay=0.9, eta=2.0)
    mu, gamma, sigma = 1.5, 0.97, 0.3
    clean = attack_success(TABLE2_L, mu=mu, gamma=gamma, model="deep", **toy)
    noisy = clean + sigma * np.random.default_rng(3).standard_normal(clean.size)
    fit = fit_deep(noisy, after_sigma=sigma, initial=table2("asr_initial_percent"),
                   initial_sigma=table2("std_initial_percent"), **toy)
    assert fit.converged and fit.names == ("mu", "gamma")
    within(fit, dict(mu=mu, gamma=gamma))
    assert np.all(np.isfinite(fit.stderr))
    # the comparison is the standard optimum = base model beyond the horizon (Corollary 23)
    pred = attack_success(TABLE2_L, **{k: v for k, v in toy.items() if k != "eta"})
    np.testing.assert_allclose(fit.comparison.prediction[0], pred, rtol=1e-12)
    assert CAVEAT in fit.message and "Corollary 23" in fit.message


@pytest.mark.parametrize("name", list(FAMILIES))
def test_published_family_fits_are_fast_and_honest(name):
    for joint in (True, False):
        fit = fit_published_family(name, joint=joint)
        assert fit.converged and fit.seconds < 15  # the page's budget is ~5 s; shared CI is slow
        assert fit.data.shape == (1 + len(FAMILIES[name][1]), 5)
        np.testing.assert_allclose(fit.data[0], published(FAMILIES[name][0]))
        np.testing.assert_allclose(fit.residuals, fit.data - fit.fitted)
        # the toy's standard curve is the base curve for k >= 1: the published gap shows up
        np.testing.assert_allclose(fit.fitted[1:, 1:], np.repeat(fit.fitted[:1, 1:],
                                                                  fit.fitted.shape[0] - 1, 0))
        assert "does not describe these data" in fit.message and CAVEAT in fit.message
    deep = fit_deep(table2("asr_after_percent"), after_sigma=table2("std_after_percent"),
                    initial=table2("asr_initial_percent"),
                    initial_sigma=table2("std_initial_percent"), **fit.toy_params())
    assert deep.converged and deep.comparison is not None and deep.seconds < 5
