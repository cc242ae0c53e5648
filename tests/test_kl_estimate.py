"""theory.kl_estimate: the per-position KL estimate from sampled log-probabilities is the mean
log-ratio with its standard error, unbiased for the KL of the aligned model's next token."""

from __future__ import annotations

import numpy as np
import pytest

from theory.kl_estimate import estimate_kl


def _rows(seed, n_resp=6, n_pos=9):
    """Responses of random lengths: one row per response and position, shuffled."""
    rng = np.random.default_rng(seed)
    t = np.concatenate([np.arange(1, rng.integers(1, n_pos + 1) + 1) for _ in range(n_resp)])
    order = rng.permutation(t.size)
    a = -rng.exponential(1.0, t.size)
    return t[order], a[order], (a - rng.normal(0.3, 0.4, t.size))[order], \
        -rng.exponential(2.0, t.size)[order]


@pytest.mark.parametrize("seed", range(5))
def test_each_position_is_the_mean_log_ratio_and_its_standard_error(seed):
    t, a, b, rec = _rows(seed)
    e = estimate_kl(t, a, b, rec)
    assert e.t.tolist() == sorted(set(t.tolist()))
    for i, ti in enumerate(e.t):
        d = (a - b)[t == ti]
        assert e.n[i] == d.size
        assert e.kl[i] == pytest.approx(d.mean(), rel=1e-12, abs=1e-15)
        assert e.log_ratio_sum[i] == pytest.approx(d.sum(), rel=1e-12, abs=1e-15)
        assert e.p_base[i] == pytest.approx(np.exp(rec[t == ti]).mean(), rel=1e-12)
        if d.size >= 2:
            assert e.stderr[i] == pytest.approx(d.std(ddof=1) / np.sqrt(d.size), rel=1e-9)
        else:
            assert np.isnan(e.stderr[i])


def test_unbiased_for_the_aligned_models_next_token_kl():
    """Tokens drawn from π_aligned at one position: the estimate lands within 4 standard errors
    of the exact KL(π_aligned ‖ π_base), and the standard error matches the log-ratio's spread."""
    p_al, p_base = np.array([0.6, 0.25, 0.1, 0.05]), np.array([0.2, 0.3, 0.3, 0.2])
    exact = float((p_al * np.log(p_al / p_base)).sum())
    log_ratio = np.log(p_al / p_base)
    spread = np.sqrt((p_al * (log_ratio - exact) ** 2).sum())
    n = 4000
    x = np.random.default_rng(1).choice(4, size=n, p=p_al)
    e = estimate_kl(np.ones(n, int), np.log(p_al[x]), np.log(p_base[x]))
    assert abs(e.kl[0] - exact) < 4 * e.stderr[0]
    assert e.stderr[0] == pytest.approx(spread / np.sqrt(n), rel=0.1)
    assert e.p_base is None


def test_a_sum_far_below_zero_is_rare_when_sampling_the_aligned_model():
    """Markov's bound of the docstring: P(Σ d_i ≤ −D) ≤ e^−D for responses from π_aligned, here
    with a base model that puts most mass where the aligned model puts little."""
    p_al, p_base = np.array([0.9, 0.1]), np.array([0.02, 0.98])
    rng = np.random.default_rng(2)
    trials, n = 20_000, 3
    x = rng.choice(2, size=(trials, n), p=p_al)
    t = np.tile(np.arange(1, trials + 1), (n, 1)).T.ravel()  # one position per trial
    e = estimate_kl(t, np.log(p_al[x]).ravel(), np.log(p_base[x]).ravel())
    for D in (1.0, 3.0):
        assert np.mean(e.log_ratio_sum <= -D) <= np.exp(-D)
    assert np.all(e.log_ratio_sum == pytest.approx(e.n * e.kl, rel=1e-12, abs=1e-12))


@pytest.mark.parametrize("args, match", [
    (([1, 2], [-1.0], [-1.0, -2.0]), "one length"),
    (([[1]], [[-1.0]], [[-1.0]]), "one-dimensional"),
    (([], [], []), "at least one"),
    (([1.5, 2.0], [-1.0, -1.0], [-1.0, -1.0]), "whole numbers"),
    (([1, 2], [-1.0, np.nan], [-1.0, -1.0]), "finite"),
    (([1, 2], [-1.0, -1.0], [-1.0, -np.inf]), "finite"),
])
def test_malformed_input_is_refused(args, match):
    with pytest.raises(ValueError, match=match):
        estimate_kl(*args)
