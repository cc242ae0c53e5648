"""Every statement on screen is true to the paper (AppTest, one test per statement).

Each test reads what a student reads (markdown, LaTeX, captions, metrics, warnings) and asserts
the corrected statement or value; each failed on v0.4.1.
"""

from __future__ import annotations

import math
import re

import pytest

import theory
from test_app_controls import metric, open_page
from test_app_pages import CHARTED, PAGES, shown_text
from test_app_toy_pages import table_row
from ui import catalog
from ui.page import glossary
from ui.state import nav, params

OVERVIEW, SHALLOW, DEEP, ROBUST = (nav.BY_NAME[n].path for n in (
    "overview", "shallow_equilibrium", "deep_alignment", "robustness"))
DEEP_TABS = {"recovery": "0", "kl": "1", "gibbs": "2", "capability": "3", "exact": "4"}


def everything(at) -> str:
    return "\n".join(shown_text(at))


@pytest.mark.parametrize("preset", list(params.PRESETS))
def test_overview_attack_length_is_corollary_23(preset):
    """Item 2: the Overview's L* is theory.min_attack_length (it showed log(μ)/log(1/γ) = 15.3)."""
    values = params.defaults() | params.PRESETS[preset]
    at = open_page(OVERVIEW, {k: params.fmt(v) for k, v in params.PRESETS[preset].items()})
    want = theory.min_attack_length(values["delta"], values["p_base"], values["mu"],
                                    values["beta"], values["gamma"], values["k"])
    assert metric(at, "Minimum attack length L*") == want
    assert "log(μ)/log(1/γ)" not in everything(at)


def test_overview_and_robustness_agree_on_attack_length():
    query = {"mu": "40", "gamma": "0.95", "k": "3", "delta": "0.7"}
    want = theory.min_attack_length(0.7, 0.01, 40.0, 1.0, 0.95, 3)  # tau = 38.9
    assert (metric(open_page(OVERVIEW, query), "Minimum attack length L*")
            == metric(open_page(ROBUST, query), "Attack length L*") == want == 38)


def test_shared_parameters_are_untargeted_not_recovery_free():
    """Item 3: the incidental change may raise or lower recovery; shown as a signed change."""
    at = open_page(SHALLOW, {"view": "2"})
    text = everything(at)
    assert "no recovery" not in text and "does not raise it" not in text
    assert "untargeted" in text and "raise or lower" in text
    shared, tabular = table_row(at, "change in that recovery")
    assert shared[:1] in "+−" and len(shared) > 1 and tabular == "0"  # signed: here a fall


def test_prop29_shows_both_continuations_with_their_orders():
    """Item 4: Proposition 29 with the base h_t (gap O(η)) and with the optimum's h_t (O(η²))."""
    text = everything(open_page(DEEP, {"view": DEEP_TABS["exact"]}))
    assert "O(η)" in text and "O(η²)" in text
    assert "base model's hₜ" in text and "optimum's own hₜ" in text


def test_capability_tab_says_which_case_with_the_limit():
    """Item 5: γ = 1 grows without bound; γ < 1 converges, with the limit as a number."""
    uniform = everything(open_page(DEEP, {"view": DEEP_TABS["capability"], "gamma": "1"}))
    assert "grows without bound" in uniform
    at = open_page(DEEP, {"view": DEEP_TABS["capability"], "gamma": "0.9"})
    text = everything(at)
    assert "converges" in text and "grows without bound as T" not in text
    limit = theory.total_recovery_kl(0.01, 5.0, 1.0, 0.9, 5, math.inf)
    assert f"={float(f'{limit:.4g}'):.4g}" in text.replace(r"\ \text{nats}", "")
    assert "capability taken" not in uniform + text
    assert "proxy for lost capability" in text


def test_theorem_14_is_the_papers_form_with_the_tabular_identity():
    """Item 6: the paper's gᵀF⁻¹g form, the identity as the app's step, the remainder shown."""
    text = everything(open_page(SHALLOW))
    assert r"g_t^{\top}F_t^{-1}g_t" in text and r"g_t^{\top}F_t^{+}g_t=I_t" in text
    assert "exact here" not in text and "remainder" in text
    assert "β = 1, λ = η" in text  # the KL-normalised convention where it is used


@pytest.mark.parametrize("path", [DEEP, ROBUST])
def test_adversarial_prefixes_and_importance_weight_are_stated(path):
    """Item 7: 𝒟_adv and w = 1 are named where Theorem 20/22 stand."""
    text = everything(open_page(path))
    assert "𝒟_adv" in text and "w = 1" in text


def test_attack_panel_inside_the_horizon_warns_that_theorem_20_does_not_apply():
    """Item 8: L + 1 <= k (toy) is inside the horizon: no Theorem 20 value there, unless the
    prefix has already decided the harm (refuse-or-comply after a C), where the harm tilt cancels."""
    at = open_page(ROBUST, {"view": "2", "L": "1", "k_toy": "4", "toy_model": "1"})  # threshold: open
    warnings = " ".join(w.value for w in at.warning)
    assert "Theorem 20 needs t > k" in warnings
    assert "Proposition 29" in everything(at)
    decided = open_page(ROBUST, {"view": "2", "L": "2", "k_toy": "4"})
    assert not decided.warning and "harm is already decided" in everything(decided)
    beyond = open_page(ROBUST, {"view": "2", "L": "6", "k_toy": "4"})
    assert not beyond.warning and "Theorem 20" in everything(beyond)


def test_one_symbol_one_meaning():
    """Item 9: Δ is only the innovation, δ only the target, λ only the harm weight."""
    robust = everything(open_page(ROBUST))
    assert r"\Delta" not in robust and "Δ =" not in robust and r"\delta_{T" not in robust
    assert "r_min(T)" in robust
    deep = everything(open_page(DEEP, {"view": DEEP_TABS["exact"]}))
    assert "Δ" not in deep
    symbols = [e.symbol for e in glossary.ENTRIES]
    assert len(symbols) == len(set(symbols))
    for needed in (r"\Delta_t", r"\ell", r"\delta", r"r_{\min}(T)", r"\lambda", r"\nu", r"s"):
        assert needed in symbols


@pytest.mark.parametrize("path", PAGES)
def test_glossary_is_linked_from_every_page(path):
    at = open_page(path)
    links = [e for e in at.get("page_link") if "Glossary" in e.proto.label]
    assert links and links[0].proto.page.endswith("glossary")


def test_labels_match_the_papers_results():
    """Item 11: results named by what they are."""
    horizon = everything(open_page(nav.BY_NAME["harm_horizon"].path, {"view": "1"}))
    assert "Corollary 7.** The jumps are orthogonal" not in horizon
    assert "Proposition 4" in horizon
    robust = open_page(ROBUST)
    helps = {m.label: m.proto.help for m in robust.metric}
    assert any("Theorem 22 solved for μ" in h for label, h in helps.items() if label.startswith("μ needed"))
    assert "app's refinement" in everything(robust)
    title = catalog.FIGURES["gradient_norms"].title
    assert r"\sqrt{C" not in title and r"\operatorname{tr}F_t" in title
    overview = everything(open_page(OVERVIEW))
    first_c, first_eta = overview.find("√(c_F·Iₜ)"), overview.find("η")
    assert first_c >= 0 and "c_F bounds" in overview[first_c - 5: first_c + 80]  # not C, the harmful token
    assert "η = λ/β" in overview[first_eta: first_eta + 10]


def test_small_ones():
    """Item 12: β has no unit; the threshold model's words; p_base = 0 reaches Remark 8."""
    assert "(nats)" not in params.PARAMS["beta"].help and "pure number" in params.PARAMS["beta"].help
    from ui.claims.toy import description
    threshold = description(1, {"m_toy": 2, "k_toy": 4, "T_toy": 12}, 4)
    assert "many C tokens" not in threshold and "m − 1" in threshold
    at = open_page(ROBUST, {"p_base": "0"})
    assert not at.warning and at.query_params["p_base"] == "0.0"
    assert "Remark 8" in everything(at)
    assert metric(at, "μ needed") == math.inf
    alt = catalog.alt_text("attack_length_vs_mu", params.defaults())
    assert "undefined" not in alt and "L* = ∞" in alt


@pytest.mark.parametrize("path", CHARTED)
def test_no_page_refers_to_files_a_student_cannot_open(path):
    """Item 13: no THEORY.md (or any .md file) on screen, in any tab, or in a control's help."""
    for view in range(len(open_page(path).tabs) or 1):
        text = everything(open_page(path, {"view": str(view)}))
        assert not re.search(r"THEORY|STACK_NOTES|\.md\b|§", text), (path, view)
    for p in params.PARAMS.values():
        assert not re.search(r"THEORY|\.md\b|§", p.help), p.name
