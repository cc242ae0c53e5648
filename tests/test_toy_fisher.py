"""Theorem 14's quadratic form g_t^T F_t^+ g_t on the toy model (THEORY.md section 4).

For one softmax logit vector per (position, state) the identity g_t^T F_t^+ g_t = I_t holds
exactly; the engine computes the left side as a quadratic form, so these tests check the
identity, and a brute-force Moore-Penrose pseudo-inverse of the assembled marginal Fisher checks
the engine's closed form.
"""

from __future__ import annotations

import numpy as np
import pytest

import theory
from theory.toy.automaton import forward
from theory.toy.martingale import base_policy

MODELS = [
    ("refuse_or_comply", dict(T=12, k=4, p_recover=0.1, p_harm=0.2)),  # the app's defaults
    ("refuse_or_comply", dict(T=9, k=9, p_recover=0.3, p_harm=0.5, h_undecided=0.4)),
    ("refuse_or_comply", dict(T=10, k=3, p_recover=1e-12, p_harm=0.2, decay=0.5)),
    ("refuse_or_comply", dict(T=30, k=6, p_recover=1e-3, p_harm=0.2, h_undecided=-0.7, decay=0.1)),
    ("refuse_or_comply", dict(T=8, k=5, p_recover=0.0, p_harm=0.3)),  # R never emitted
    ("refuse_or_comply", dict(T=8, k=5, p_recover=0.4, p_harm=0.6)),  # no neutral token: k = 1
    ("refuse_or_comply", dict(T=8, k=5, p_recover=1e-12, p_harm=1 - 1e-12)),
    ("refuse_or_comply", dict(T=6, k=0, p_recover=0.1, p_harm=0.2)),  # H constant: I = 0
    ("threshold_harm", dict(T=10, k=6, m=2, p_recover=0.1, p_harm=0.3)),
    ("threshold_harm", dict(T=15, k=10, m=4, p_recover=0.05, p_harm=0.5)),
    ("threshold_harm", dict(T=7, k=7, m=1, p_recover=1e-9, p_harm=0.01)),
    ("gradual_harm", dict(T=20, p_recover=0.1, p_harm=0.3, fade=0.8)),
    ("gradual_harm", dict(T=30, p_recover=0.05, p_harm=0.3, fade=0.5)),
    ("gradual_harm", dict(T=12, p_recover=0.2, p_harm=0.7, fade=1.0)),
]


def _build(name, params):
    return getattr(theory, name)(**params)


@pytest.mark.parametrize(("name", "params"), MODELS)
def test_natural_norm_equals_harm_information(name, params):
    """g_t^T F_t^+ g_t = I_t at every position, including those beyond the horizon (both 0)."""
    model = _build(name, params)
    natural = model.gradients().natural_norm_sq
    info = model.harm_information()
    assert natural.shape == (model.T,)
    np.testing.assert_allclose(natural, info, rtol=1e-10, atol=1e-10 * max(info.max(), 1e-300))
    k = model.harm_horizon()
    assert np.all(np.abs(natural[k:]) <= 1e-15)  # Theorem 10: g_t = 0 beyond the horizon


def _pinv_form(model) -> np.ndarray:
    """g_t^T F_t^+ g_t with F_t assembled as a (|S||V|)^2 matrix and numpy.linalg.pinv."""
    g = model.gradients().g
    probs = forward(model, base_policy(model))
    out = np.empty(model.T)
    for t in range(1, model.T + 1):
        pi = model.step(t).base
        blocks = probs[t - 1][:, None, None] * (
            np.einsum("sv,vw->svw", pi, np.eye(pi.shape[1])) - pi[:, :, None] * pi[:, None, :])
        S, V = pi.shape
        fisher = np.zeros((S * V, S * V))
        for s in range(S):
            fisher[s * V:(s + 1) * V, s * V:(s + 1) * V] = blocks[s]
        flat = g[t - 1].ravel()
        out[t - 1] = flat @ np.linalg.pinv(fisher, hermitian=True) @ flat
    return out


# Well-conditioned cases only: with pi(v) ~ 1e-12 the SVD amplifies rounding (the reason the
# engine uses the closed form), and a (|S||V|)^2 matrix needs few states.
@pytest.mark.parametrize(("name", "params"), [
    ("refuse_or_comply", dict(T=7, k=4, p_recover=0.1, p_harm=0.2)),
    ("refuse_or_comply", dict(T=6, k=6, p_recover=0.3, p_harm=0.5, h_undecided=0.4, decay=0.6)),
    ("refuse_or_comply", dict(T=6, k=3, p_recover=0.0, p_harm=0.3)),
    ("threshold_harm", dict(T=8, k=6, m=2, p_recover=0.1, p_harm=0.3)),
    ("gradual_harm", dict(T=8, p_recover=0.1, p_harm=0.3, fade=0.8)),
])
def test_closed_form_is_the_moore_penrose_quadratic_form(name, params):
    model = _build(name, params)
    np.testing.assert_allclose(model.gradients().natural_norm_sq, _pinv_form(model),
                               rtol=1e-9, atol=1e-13)


def test_shared_logits_break_the_identity():
    """The identity needs a logit vector per state: with one vector shared by all prefixes at
    position t, g_t^T F_t^+ g_t falls below I_t (THEORY.md section 4: 0.0325 vs I_2 = 0.065 in
    its example; here checked as an inequality on the app's defaults)."""
    model = _build("refuse_or_comply", dict(T=12, k=4, p_recover=0.1, p_harm=0.2))
    grads = model.gradients()
    probs = forward(model, base_policy(model))
    info = model.harm_information()
    for t in range(2, model.harm_horizon() + 1):
        pi = model.step(t).base
        g_shared = grads.g[t - 1].sum(axis=0)  # chain rule: the shared logit feeds every state
        fisher = np.einsum("s,sv,vw->vw", probs[t - 1], pi, np.eye(pi.shape[1])) - np.einsum(
            "s,sv,sw->vw", probs[t - 1], pi, pi)
        shared = g_shared @ np.linalg.pinv(fisher, hermitian=True) @ g_shared
        assert shared < info[t - 1] * (1 - 1e-6)
