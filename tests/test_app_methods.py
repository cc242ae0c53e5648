"""The Methods lab page in AppTest: every tab runs, the findings it states are the
numbers the data layer computes, its parameters travel in the URL, and models the methods
cannot handle give a message, not an exception."""

from __future__ import annotations

import numpy as np
import pytest

from test_app_pages import open_page, shown_text
from ui.data import methods as data_methods, toy as data_toy
from ui.state import params as P
from ui.catalog import methods as specs

PAGE = "views/8_methods.py"


def _text(at) -> str:
    return " ".join(shown_text(at))


def _values(**overrides) -> dict:
    values, _ = P.constrain({**P.defaults(), **overrides})
    return values


@pytest.mark.parametrize("view", range(4))
def test_every_tab_runs_and_shows_its_figures(view):
    at = open_page(PAGE, {"view": str(view)})
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning, [w.value for w in at.warning]
    charts = at.get("plotly_chart")
    assert len(charts) == sum(1 for s in specs.SPECS if s.view == view)
    text = _text(at)
    assert "nan" not in text.lower().split()
    assert "What the toy shows" in text or "Base-favored tokens on a harmful response" in text


def test_side_by_side_states_the_computed_numbers():
    v = _values()
    d = data_methods.compare(data_toy.spec(v), **{n: v[n] for n in specs.COMPARE})
    text = _text(open_page(PAGE, {"view": "0"}))
    k = d["k"]
    # the hybrid-teacher finding holds in the data it is stated for
    assert d["runs"]["standard"]["kl"][k:].max() <= 1e-12
    assert np.abs(d["runs"]["completion"]["kl"][k:]).max() <= 1e-9
    assert "does not reach beyond the horizon" in text
    # On-policy the trained deep model is near r* beyond the horizon, but on the harmful path an
    # attack forces it is far from its exact optimum: the page says so, with both numbers.
    gap = np.abs(d["runs"]["deep"]["recovery"][k:] - d["r_star"][k:]).max()
    assert gap < 0.01
    e = d["deep_exact"]
    assert e["path_exact"][k] - e["path_trained"][k] > 0.3
    assert "reaches Theorem 20" not in text and "has not reached its exact optimum" in text
    assert f"{e['path_trained'][k]:.3g}" in text and f"{e['path_exact'][k]:.3g}" in text
    for key, run in d["runs"].items():
        assert f"{run['total_kl'][-1]:.4g}" in text, key


def test_finetune_tab_explains_the_schedule_by_the_harm_deciding_positions():
    text = _text(open_page(PAGE, {"view": "1"}))
    assert "only at position(s) 1" in text and "β₁ = 0.5" in text
    assert "protects less than the uniform constraint" in text
    # with β₁ raised to β₂…₅ the schedule is the uniform one on position 1: the verdict follows
    text = _text(open_page(PAGE, {"view": "1", "qi_beta1": "2"}))
    assert "end at the same E[H]" in text
    assert "protects less" not in text


def test_penalty_fit_tab_shows_the_fit_and_its_buttons_set_mu_and_gamma():
    v = _values()
    g = data_methods.penalty_fit(data_toy.spec(v), **{n: v[n] for n in specs.FIT})
    at = open_page(PAGE, {"view": "2"})
    text = _text(at)
    assert f"μ ≈ {g['mu']:.3g}" in text and f"γ ≈ {g['gamma']:.3g}" in text
    assert g["rms"] < 0.01  # augmentation is well described by a penalty at the defaults
    mu = float(f"{g['mu']:.3g}")
    button = next(b for b in at.button if b.label.startswith("Use μ"))
    button.click().run()
    assert float(at.query_params["mu"]) == pytest.approx(mu)


def test_method_parameters_travel_in_the_url():
    at = open_page(PAGE, {"view": "2", "alpha_aug": "0.5", "K_aug": "3", "qi_beta1": "4"})
    assert not at.exception
    for key, value in (("alpha_aug", "0.5"), ("K_aug", "3"), ("qi_beta1", "4.0")):
        assert at.query_params[key] == value
    assert "(α_aug = 0.5, K = 3)" in _text(at)
    box = at.number_input(key="_w_alpha_aug_box")
    box.set_value(0.8).run()
    assert at.query_params["alpha_aug"] == "0.8"
    assert "(α_aug = 0.8, K = 3)" in _text(at)


@pytest.mark.parametrize("query, message", [
    ({"p_harm": "0", "view": "0"}, "targeted completion cannot run"),
    ({"p_harm": "0", "view": "1"}, "no harmful response to fine-tune on"),
    ({"T_toy": "1", "view": "2"}, "nothing to fit"),
])
def test_models_the_methods_cannot_do_give_a_message(query, message):
    at = open_page(PAGE, query)
    assert not at.exception, [e.value for e in at.exception]
    assert message in _text(at)
