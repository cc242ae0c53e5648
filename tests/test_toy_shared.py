"""Appendix A / Proposition 26 on the toy model: shared parameters move late recovery, either way.

Standard training with one logit table shared by all positions changes the late positions too
("incidental" KL). Nothing in the objective aims that change at recovery (Prop. 26), so the late
recovery probability (at least one recovery token after the first k tokens are forced harmful,
``TrainingRun.prefill_recovery``) can go up or down: "untargeted", not "no recovery" (THEORY.md
section 4). Per-position (tabular) training leaves it at the base value: beyond the horizon the
standard optimum is the base model (Theorem 14), and the gradient there is 0 (Theorem 10).
"""

from __future__ import annotations

import pytest

import theory
from ui.data import toy as data_toy


def _run(model, eta, parameterization):
    """As the Shallow equilibrium page trains (ui/data/toy.py ``training``)."""
    return model.train("standard", lam=eta, beta=1.0, mu=0.0, gamma=1.0, steps=200, lr=0.5,
                       parameterization=parameterization)


THEORY_CASE = (lambda: theory.refuse_or_comply(8, 4, 0.1, 0.1, h_undecided=1.0), 10.0)
APP_DEFAULTS = (lambda: theory.refuse_or_comply(12, 4, 0.1, 0.2, h_undecided=0.0, decay=1.0), 1.0)


@pytest.mark.parametrize("case", [THEORY_CASE, APP_DEFAULTS], ids=["theory", "defaults"])
def test_first_record_is_the_base_model(case):
    make, eta = case
    model = make()
    run = _run(model, eta, "shared")
    base = model.prefill_attack(model.harm_horizon(), eta, 1.0, 0.0, 1.0).recover_before_end_base
    assert run.steps[0] == 0
    assert run.prefill_recovery_base == run.prefill_recovery[0] == pytest.approx(base, abs=1e-12)


def test_shared_raises_late_recovery_in_the_theory_case():
    """T = 8, k = 4, p_R = p_C = 0.1, h_u = 1, eta = 10: 0.3439 (= 1 - 0.9^4) -> 0.6415."""
    make, eta = THEORY_CASE
    run = _run(make(), eta, "shared")
    assert not run.diverged
    assert run.prefill_recovery_base == pytest.approx(1 - 0.9**4, abs=1e-12)
    assert run.prefill_recovery[-1] > run.prefill_recovery_base + 0.25  # measured +0.2976


def test_shared_lowers_late_recovery_at_the_app_defaults():
    """T = 12, k = 4, p_R = 0.1, p_C = 0.2, h_u = 0, eta = 1: 0.5695 (= 1 - 0.9^8) -> 0.5607."""
    make, eta = APP_DEFAULTS
    run = _run(make(), eta, "shared")
    assert not run.diverged
    assert run.prefill_recovery_base == pytest.approx(1 - 0.9**8, abs=1e-12)
    assert run.prefill_recovery[-1] < run.prefill_recovery_base - 0.005  # measured -0.0088


@pytest.mark.parametrize("case", [THEORY_CASE, APP_DEFAULTS], ids=["theory", "defaults"])
def test_per_position_training_leaves_late_recovery_at_base(case):
    make, eta = case
    run = _run(make(), eta, "tabular")
    assert abs(run.prefill_recovery - run.prefill_recovery_base).max() < 1e-12


def test_app_training_reports_the_base_value():
    """The page shows the signed change prefill[-1] - prefill_base."""
    s = (0, (("T", 12), ("k", 4), ("p_recover", 0.1), ("p_harm", 0.2), ("h_undecided", 0.0),
             ("decay", 1.0)))
    shared = data_toy.training(s, "standard", "shared", 1.0, 1.0, 0.0, 1.0, 200, 0.5)
    assert shared["prefill_base"] == pytest.approx(1 - 0.9**8, abs=1e-12)
    assert shared["prefill"][-1] - shared["prefill_base"] == pytest.approx(-0.0088, abs=5e-4)
