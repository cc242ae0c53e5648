"""The tables, formulas and case choices the pages took out into ``ui.claims``, tested without
AppTest: each is read back (tables cell by cell) and checked against the numbers it was given,
computed again here, at the boundaries where its case changes."""

from __future__ import annotations

import math
import re
from types import SimpleNamespace

import numpy as np
import pytest

from test_markdown import cells
from ui.claims import deep as dc, derivations as dv, evidence as ec, methods as mc, toy as tc
from ui.text.latex import num, text


def table(markdown: str) -> list[list[str]]:
    """Header and body rows of a Markdown table (the rule line dropped)."""
    lines = markdown.splitlines()
    return [cells(lines[0])] + [cells(line) for line in lines[2:]]


# --- Methods lab --------------------------------------------------------------------------------

NAMES = {"standard": "std", "deep": "deep", "augmentation": "aug", "completion": "bach"}


def _methods_runs(k: int, T: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    runs = {key: {"harm": rng.random(3), "total_kl": rng.random(3), "kl": rng.random(T),
                  "prefill": rng.random(T + 1)} for key in NAMES}
    return {"k": k, "T": T, "runs": runs, "prefill_base": rng.random(T + 1),
            "deep_exact": {"harm": 0.25, "kl": rng.random(T), "prefill": rng.random(T + 1)}}


@pytest.mark.parametrize(("k", "T"), [(4, 12), (0, 3), (3, 3), (5, 3)])
def test_the_side_by_side_table_states_each_run(k, T):
    d = _methods_runs(k, T)
    rows = table(mc.side_by_side_table(d, NAMES))
    L = min(k, T - 1)
    assert rows[0][3:] == [f"KL beyond k = {k} (nats)", f"recovery after L = {L} harmful tokens"]
    assert [r[0] for r in rows[1:]] == ["std", "deep", "recovery penalty, exact optimum", "aug",
                                        "bach", "base model"]
    trained = [r for r in rows[1:] if r[0] in NAMES.values()]
    for key, row in zip(NAMES, trained):
        run = d["runs"][key]
        assert float(row[1]) == pytest.approx(run["harm"][-1], rel=1e-3)
        assert float(row[2]) == pytest.approx(run["total_kl"][-1], rel=1e-3)
        assert row[3] == ("—" if k >= T else text(run["kl"][k:].sum(), 4))
        assert float(row[4]) == pytest.approx(run["prefill"][L], rel=1e-3)
    exact = rows[3]
    assert float(exact[2]) == pytest.approx(d["deep_exact"]["kl"].sum(), rel=1e-3)
    assert rows[-1][1:4] == ["", "0", "0"]


def test_the_fit_on_a_bound_is_reported_mu_first():
    g = {"at_bound": (), "gamma": 1.0}
    assert mc.penalty_fit_bound(g) is None
    level, why = mc.penalty_fit_bound({**g, "at_bound": ("gamma",)})
    assert level == "info" and "The best γ is 1, the edge of the paper's range" in why
    level, why = mc.penalty_fit_bound({**g, "at_bound": ("gamma", "mu")})
    assert level == "warning" and "μ's search range" in why


def test_the_buttons_set_the_fit_rounded():
    assert mc.fitted_values({"mu": 12.3456, "gamma": 0.87654}) == (12.3, 0.88)
    assert mc.fitted_values({"mu": 0.000123456, "gamma": 1.0}) == (0.000123, 1.0)


def test_the_finetune_table_and_open_positions():
    f = {"t": np.arange(1, 6), "open": np.array([True, True, False, False, False]),
         "runs": {key: {"harm": np.array([0.2, h]), "total_kl": np.array([0.0, 2 * h])}
                  for key, h in (("plain", 0.9), ("schedule", 0.5), ("uniform", 0.25))}}
    assert mc.opened(f) == [1, 2]
    rows = table(mc.finetune_table(f))
    assert rows == [["attack loss", "E[H] after", "total KL (nats)"],
                    ["plain fine-tuning", "0.9", "1.8"], ["constrained, your βₜ", "0.5", "1"],
                    ["constrained, β₂…₅ at every t", "0.25", "0.5"]]


def test_a_skipped_completion_says_why_and_nothing_otherwise():
    assert mc.completion_skipped({"skipped": {}}) is None and mc.teacher_skipped({"skipped": {}}) is None
    d = {"skipped": {"completion": "p_C = 0"}}
    assert mc.completion_skipped(d).startswith("Bach's targeted completion cannot run on this model: p_C = 0")
    assert mc.teacher_skipped(d) == "The hybrid teacher cannot be built on this model: p_C = 0"


# --- Deep alignment -------------------------------------------------------------------------

def _exact(k: int, T: int, scale: float = 1.0) -> dict:
    rng = np.random.default_rng(k * 100 + T)
    keys = ("recovery_gap", "recovery_gap_cont", "kl_gap", "kl_gap_cont")
    return {"k": k, "t": np.arange(1, T + 1), **{key: scale * rng.normal(size=T) for key in keys}}


@pytest.mark.parametrize(("k", "T", "scale"), [(4, 12, 1.0), (0, 5, 1.0), (5, 5, 1.0), (2, 6, 1e-14)])
def test_the_gap_table_states_the_largest_gap_on_each_side_of_the_horizon(k, T, scale):
    d = _exact(k, T, scale)
    rows = table(dc.exact_gap_table(d))
    assert rows[0] == ["largest per-prefix − exact gap", f"t ≤ {k}", f"t > {k}"]
    for row, key in zip(rows[1:], ("recovery_gap", "recovery_gap_cont", "kl_gap", "kl_gap_cont")):
        for cell, part in zip(row[1:], (d[key][:k], d[key][k:])):
            if not part.size:
                assert cell == "—"
                continue
            largest = float(np.abs(part).max())
            assert float(cell) == pytest.approx(largest, rel=5e-3)
            assert ("e-" in cell) == (largest < dc.ROUNDING)  # rounding-level gaps keep their size


def test_the_decay_caption_says_when_the_forms_coincide():
    assert "per-prefix form *is* the exact optimum" in dc.decay_caption(1.0)
    for decay in (0.99, 0.5, 0.01):
        caption = dc.decay_caption(decay)
        assert caption.startswith(f"decay = {decay:g} < 1") and "*is*" not in caption


def test_the_position_notes_change_case_at_the_horizon_and_the_depth():
    assert dc.inside_horizon(6, 5) is None
    assert dc.inside_horizon(5, 5).startswith("t = 5 is inside the harm horizon (t ≤ k = 5)")
    assert dc.beyond_depth(50, 50) is None
    assert "t = 51" in dc.beyond_depth(51, 50) and "shown at t = 50" in dc.beyond_depth(51, 50)


@pytest.mark.parametrize(("gamma", "to_inf", "shown"), [(0.9, 2.5, True), (1.0, math.inf, False),
                                                         (0.9, 0.0, False), (0.5, math.nan, False)])
def test_the_sums_are_written_out_only_when_finite_and_not_zero(gamma, to_inf, shown):
    lines = dc.kl_sums_latex(gamma=gamma, k=5, T=50, sums={"to_T": 1.25, "to_inf": to_inf})
    assert bool(lines) == shown
    if shown:
        assert lines == [r"\sum_{t=6}^{50}\mathrm{KL}^*_t=1.25\ \text{nats}",
                         r"\sum_{t=6}^{\infty}\mathrm{KL}^*_t=2.5\ \text{nats}"]


def test_the_formulas_name_the_first_and_last_position_beyond_the_horizon():
    t = np.arange(6, 51)
    profile = {"t": t, "shift": 0.1 * t, "deep": 0.5 + 0 * t, "kl": 0.01 * t}
    first, last = dc.recovery_latex(0.01, profile)
    assert first.startswith("r^*_{6}=") and last.startswith("r^*_{50}=")
    assert rf"+{num(5.0)}\right)" in last
    assert dc.kl_latex(profile) == [rf"\mathrm{{KL}}^*_{{6}}={num(0.06)},\quad\mathrm{{KL}}^*_{{50}}={num(0.5)}"]
    empty = {"t": np.arange(6, 6), "shift": np.zeros(0), "deep": np.zeros(0), "kl": np.zeros(0)}
    assert dc.recovery_latex(0.01, empty) == [] and dc.kl_latex(empty) == []


def test_the_kl_sums_text_is_the_table_and_the_sentence_of_the_same_sums():
    sums = {"to_T": 1.0, "to_inf": 1.5, "bound_T": 2.0, "bound_inf": 3.0, "per_position": 0.1}
    table_md, sentence = dc.kl_sums_text(p=0.01, mu=5.0, gamma=0.9, k=5, T=50, sums=sums)
    assert table_md == dc.kl_sums_table(k=5, T=50, to_T=1.0, to_inf=1.5, bound_T=2.0, bound_inf=3.0)
    assert table(table_md)[1][1:] == ["1", "1.5"] and table(table_md)[2][1:] == ["2", "3"]
    assert "the positions after T = 50 add 0.5 nats" in sentence


# --- Toy-model pages ------------------------------------------------------------------------

@pytest.mark.parametrize(("x", "want"), [(0.0, "0"), (0.0123, "+0.0123"), (-0.0123, "−0.0123"),
                                         (4e-4, "+4.0e−04"), (-4e-4, "−4.0e−04"), (5e-4, "+0.0005")])
def test_a_change_keeps_its_sign(x, want):
    assert tc.signed(x) == want


def _run(T: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {"kl": rng.random((3, T)), "prefill": rng.random(3), "prefill_base": 0.57,
            "effect": rng.normal(size=(3, T))}


def test_the_shared_table_states_both_runs_and_their_change():
    k, shared, tab = 4, _run(12, 1), _run(12, 2)
    rows = table(tc.shared_table(shared, tab, k))
    assert [float(c) for c in rows[1][1:]] == pytest.approx(
        [shared["kl"][-1][k:].sum(), tab["kl"][-1][k:].sum()], rel=2e-3)
    assert [float(c) for c in rows[2][1:]] == pytest.approx([shared["prefill"][-1], tab["prefill"][-1]], rel=1e-3)
    assert rows[3][0] == "change in that recovery from the base model's 0.57"
    assert rows[3][1:] == [tc.signed(shared["prefill"][-1] - 0.57), tc.signed(tab["prefill"][-1] - 0.57)]
    assert tc.shared_effect(shared, k, 12).endswith(
        f"{text(np.abs(shared['effect'][-1][k:]).max(), 2)} (Proposition 26: 0).")
    assert tc.shared_effect(shared, 12, 12) is None


def test_the_training_table_states_both_objectives():
    k, std, deep = 4, _run(12, 3), _run(12, 4)
    rows = table(tc.training_table(std, deep, k, 200))
    assert rows[0] == ["after 200 steps", "standard", "deep"]
    assert rows[1] == [f"Σ KLₜ over t > {k} (nats)", text(std["kl"][-1][k:].sum()),
                       text(deep["kl"][-1][k:].sum())]
    assert tc.late_kl(deep, k) == pytest.approx(deep["kl"][-1][k:].sum())


def test_the_largest_value_beyond_the_horizon():
    values = np.array([5.0, 4.0, 1e-17, 3e-17, 2e-17])
    assert tc.beyond_max(values, 2, r"\|g_t\|") == rf"\max_{{t>2}}\|g_t\|={num(3e-17)}"


def test_the_equilibrium_metrics_sum_the_exact_kl_and_its_leading_term():
    d = {"kl": np.array([0.5, 0.25, 0.0]), "approx": np.array([0.4, 0.2, 0.0]), "harm_base": 0.3,
         "harm": 0.2}
    assert tc.equilibrium_metrics(d) == [("Σₜ KLₜ (nats)", "0.75"), ("(η²/2)·Var H (nats)", "0.6"),
                                         ("E[H], base model", "0.3"), ("E[H], optimum π*", "0.2")]


def test_the_leading_term_formulas_show_the_remainder():
    d = {"info": np.array([0.1, 0.05]), "kl": np.array([0.06, 0.03]), "approx": np.array([0.05, 0.025])}
    at_k, exact = tc.leading_term_latex(d, np.array([0.1, 0.05]), 2, 1.0)
    assert at_k == rf"g_{{2}}^{{\top}}F_{{2}}^{{+}}g_{{2}}={num(0.05, 6)},\quad I_{{2}}={num(0.05, 6)}"
    assert rf"\text{{remainder}}&={num(0.03 - 0.025)}" in exact


# --- Evidence -------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "value", "err", "bound", "want"), [
    ("rho", 0.5, 0.01, False, "0.5 ± 0.01"), ("rho", 0.5, math.inf, False, "0.5 (not determined)"),
    ("kappa", 0.0, 0.0, True, "0 (at its bound)"),
    ("log_mu_over_beta", math.log(20.0), math.log(2.0), False, "20 (×/÷ 2)"),
    ("log_p_base", math.log(0.01), math.nan, False, "0.01 (not determined)"),
    ("log_p_base", math.log(0.01), 0.1, True, "0.01 (at its bound)")])
def test_a_parameter_is_shown_with_its_error_or_why_it_has_none(name, value, err, bound, want):
    assert ec.param_text(name, value, err, bound) == want


def test_the_fit_table_has_a_row_per_fit_with_its_horizon():
    fit = SimpleNamespace(params={"A": (1.5, 0.1), "rho": (0.5, math.inf)}, at_bound=(),
                          chi2_per_dof=2.25, aic=10.04, model="geometric")
    deep = SimpleNamespace(params={"gamma": (0.9, 0.05)}, at_bound=("gamma",), chi2_per_dof=1.0,
                           aic=3.0, model="recovery")
    series = [{"short": "Llama-2", "fits": [{"label": "geometric", "fit": fit}],
               "horizons": {"geometric": SimpleNamespace(position=12.0)}},
              {"short": "deep", "fits": [{"label": "deep-optimum", "fit": deep}], "horizons": {}},
              {"short": "flat", "fits": [{"label": "geometric", "fit": fit}],
               "horizons": {"geometric": SimpleNamespace(position=math.inf)}}]
    rows = table(ec.fit_table(series))
    assert rows[1] == ["Llama-2", "geometric", "A = (η²/2)·I₁ (nats) = 1.5 ± 0.1; ρ (geometric decay) "
                       "= 0.5 (not determined)", "2.2", "10.0", "t = 12"]
    assert rows[2][2:] == ["γ = 0.9 (at its bound)", "1.0", "3.0", "—"]
    assert rows[3][-1] == "∞"


def test_the_fit_notes_nest_each_curves_horizons_under_its_fits():
    fit = SimpleNamespace(message="fits.")
    series = [{"short": "A", "fits": [{"label": "geometric", "fit": fit}, {"label": "power-law", "fit": fit}],
               "horizons": {"geometric": SimpleNamespace(message="h.")}},
              {"short": "B", "fits": [{"label": "deep-optimum", "fit": fit}], "horizons": {}}]
    assert ec.fit_notes(series) == ["- **A, geometric fit:** fits.", "- **A, power-law fit:** fits.",
                                    "  - h.", "- **B, deep-optimum fit:** fits."]


@pytest.mark.parametrize("n", [1, 12, 13, 40])
def test_p_base_is_listed_for_the_first_twelve_positions(n):
    line = ec.p_base_line(np.arange(1, n + 1), np.linspace(0.1, 0.2, n))
    assert len(re.findall(r"t = \d+: ", line)) == min(n, 12)
    assert line.endswith(" …") == (n > 12)


# --- Derivations ----------------------------------------------------------------------------

@pytest.mark.parametrize(("error", "passed"), [(0.0, True), (dv.CHECK_TOLERANCE, True),
                                               (2 * dv.CHECK_TOLERANCE, False), (math.nan, False)])
def test_a_derivation_passes_its_check_only_within_the_tolerance(error, passed):
    check = SimpleNamespace(max_rel_error=error, n_points=50, against="theory.recovery_kl")
    ok, message = dv.check_verdict(check)
    assert ok == passed
    assert message.startswith(f"Checked numerically: largest relative difference {error:.2g} over 50")
    assert message.endswith("That exceeds 1e-09.") != passed
