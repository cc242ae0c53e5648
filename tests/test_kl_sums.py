"""The KL cost tab's sums beyond the horizon (Deep alignment): Σ KL*ₜ to the depth T and to ∞
(Theorem 20 summed, Remark 6) beside Theorem 22's bound, and the sentence that says which case
the parameters are in (ui.claims.deep), swept over the parameter table's range against an
independent computation (mpmath, and the bound summed term by term)."""

from __future__ import annotations

import math
import re

import mpmath as mp
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import theory
from test_app_controls import open_page
from ui.state import nav
from ui.claims import deep as dc
from ui.text.latex import text

DEEP = nav.BY_NAME["deep_alignment"].path
probability = st.one_of(st.sampled_from([0.0, 1e-12, 0.5, 0.9]),
                        st.floats(1e-12, 0.9).map(lambda x: float(f"{x:.3g}")))
positive = st.floats(1e-2, 1e6).map(lambda x: float(f"{x:.3g}"))
penalty = st.one_of(st.just(0.0), positive)
discount = st.one_of(st.sampled_from([0.0, 1.0, 0.5, 0.9, 0.999]), st.floats(0.0, 1.0))


def bound_terms(p, mu, beta, gamma, k, T) -> float:
    """Theorem 22's bound Σ_{t=k+1}^{T} min(μγᵗ/β, log 1/p), summed term by term (mpmath)."""
    cap = mp.inf if p == 0 else -mp.log(mp.mpf(p))
    return float(mp.fsum(min(mp.mpf(mu) * mp.mpf(gamma) ** t / beta, cap) for t in range(k + 1, T + 1)))


@settings(max_examples=60, deadline=None)
@given(probability, penalty, positive, st.floats(0.0, 0.99), st.integers(0, 30))
def test_the_bound_to_infinity_is_the_limit_of_the_bounds_and_bounds_the_sum(p, mu, beta, gamma, k):
    at_inf = theory.total_recovery_kl_bound(p, mu, beta, gamma, k, math.inf)
    exact = theory.total_recovery_kl(p, mu, beta, gamma, k, math.inf)
    # γ ≤ 0.99: the terms after t = k + 4000 are below γ^4000 μ/β ≤ 1e-17 μ/β of the first
    far = bound_terms(p, mu, beta, gamma, k, k + 4000)
    assert at_inf == pytest.approx(far, rel=1e-9, abs=1e-300)
    assert exact <= at_inf * (1 + 1e-9) + 1e-300
    assert at_inf >= theory.total_recovery_kl_bound(p, mu, beta, gamma, k, k + 50) * (1 - 1e-12)


def test_the_bound_to_infinity_diverges_only_with_gamma_one():
    assert theory.total_recovery_kl_bound(0.01, 5.0, 1.0, 1.0, 5, math.inf) == math.inf
    assert theory.total_recovery_kl_bound(0.01, 0.0, 1.0, 1.0, 5, math.inf) == 0.0
    assert theory.total_recovery_kl_bound(0.0, 5.0, 1.0, 0.9, 5, math.inf) == pytest.approx(
        5.0 * 0.9 ** 6 / 0.1)  # p = 0: no cap, a geometric tail
    with pytest.raises(ValueError, match="depth"):
        theory.total_recovery_kl_bound(0.01, 5.0, 1.0, 0.9, 5, 2.5)


@settings(max_examples=80, deadline=None)
@given(probability, penalty, positive, discount, st.integers(0, 200), st.integers(1, 1000))
@example(0.01, 5.0, 1.0, 1.0, 5, 50)
@example(0.01, 5.0, 1.0, 0.9, 5, 50)
@example(0.0, 5.0, 1.0, 0.9, 5, 50)
@example(0.01, 5.0, 1.0, 0.9, 5, 5)
@example(0.01, 5.0, 1.0, 0.9, 5, 6)
@example(0.9, 1e6, 0.01, 0.9999, 0, 1000)
def test_the_sentence_says_the_case_the_numbers_are_in(p, mu, beta, gamma, k, T):
    k = min(k, T)
    to_T = theory.total_recovery_kl(p, mu, beta, gamma, k, T)
    to_inf = theory.total_recovery_kl(p, mu, beta, gamma, k, math.inf)
    first = theory.recovery_kl(p, mu, beta, gamma, k + 1)
    sentence = dc.kl_sums_sentence(mu=mu, gamma=gamma, p=p, k=k, T=T, to_T=to_T, to_inf=to_inf,
                                   per_position=first)
    # independent: the sum to infinity is a limit of partial sums, read off at a far depth
    far = theory.total_recovery_kl(p, mu, beta, gamma, k, k + 10**6)
    if "both sums are 0" in sentence:
        assert to_T == to_inf == 0.0 and far == 0.0
    elif "diverges" in sentence:
        assert gamma == 1 and math.isinf(to_inf)
        assert far == pytest.approx(10**6 * first, rel=1e-9) and far > to_T  # linear in T
        assert "grows without bound" in sentence
        assert f"KL\\*ₜ = {text(first)} nats" in sentence
    else:
        assert "converges" in sentence and gamma < 1 and math.isfinite(to_inf)
        assert to_T <= to_inf * (1 + 1e-12) and far <= to_inf * (1 + 1e-9)
        added = float(re.search(r"add ([0-9.e+-]+) nats", sentence).group(1))
        assert added == pytest.approx(float(text(max(to_inf - to_T, 0.0))), rel=1e-12, abs=0)
        if "already equals it" in sentence:
            assert text(to_T) == text(to_inf)
        else:
            assert text(to_T) != text(to_inf)
    assert "∞" not in text(to_inf) or "diverges" in sentence


def table_cells(at) -> list[list[str]]:
    table = next(m.value for m in at.markdown if m.value.startswith("| nats |"))
    return [[c.strip() for c in row.strip("|").split("|")] for row in table.split("\n")]


@pytest.mark.parametrize("gamma", ["0.9", "1", "0.5"])
def test_the_kl_cost_tab_shows_both_sums_beside_the_bound(gamma):
    at = open_page(DEEP, {"view": "1", "gamma": gamma})
    g = float(gamma)
    rows = table_cells(at)
    assert rows[0][1:] == ["t\u00a0=\u00a06\u00a0…\u00a050", "t\u00a0=\u00a06\u00a0…\u00a0∞"]
    exact = [theory.total_recovery_kl(0.01, 5.0, 1.0, g, 5, T) for T in (50, math.inf)]
    bound = [theory.total_recovery_kl_bound(0.01, 5.0, 1.0, g, 5, T) for T in (50, math.inf)]
    assert rows[2][0].startswith("Σ KL\\*ₜ, exact (Theorem 20)")
    assert rows[2][1:] == [text(x) for x in exact]
    assert "Theorem 22" in rows[3][0] and rows[3][1:] == [text(x) for x in bound]
    said = " ".join(m.value for m in at.markdown)
    if g == 1:
        assert rows[2][2] == "∞" and "diverges" in said and "grows without bound" in said
    else:
        assert "converges" in said and "diverges" not in said and "nats" in rows[0][0]
    assert "Total KL" not in said
