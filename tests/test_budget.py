"""Every toy request is bounded by what it costs (ui.data.budget): within its share of a request, or
refused at once with the control to lower and to what.

The corner sweep opens every toy page and tab at the parameter table's maxima, with each toy
model, and checks the page answers: a result whose counted work fits in a request, or a refusal
naming the app's controls. Work is counted, not timed (bench/bench_budget.py times it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from hypothesis import given, settings, strategies as hs
from streamlit.testing.v1 import AppTest

import theory
from theory.toy.presets import cells
from ui.data import budget, methods as data_methods, toy as data_toy
from ui import cli
from ui.state import params as P

APP = str(Path(__file__).resolve().parent.parent / "app.py")
MAXIMA = {"T_toy": 2000, "k_toy": 2000, "m_toy": 2000, "L": 2000, "steps": 5000,
          "ft_steps": 2000, "n_paths": 200}
CORNERS = {
    "refuse-or-comply": {"toy_model": 0, **MAXIMA, "decay": 1.0},
    "refuse-or-comply, decay 0.01": {"toy_model": 0, **MAXIMA, "decay": 0.01},
    "threshold harm": {"toy_model": 1, **MAXIMA},
    "gradual harm": {"toy_model": 2, **MAXIMA},
}
# (page, view): every toy page and tab
TABS = [("views/2_harm_horizon.py", 0), ("views/2_harm_horizon.py", 1),
        ("views/3_gradients.py", 0), ("views/3_gradients.py", 1),
        ("views/4_shallow_equilibrium.py", 0), ("views/4_shallow_equilibrium.py", 1),
        ("views/4_shallow_equilibrium.py", 2), ("views/5_deep_alignment.py", 4),
        ("views/6_robustness.py", 2), ("views/8_methods.py", 0), ("views/8_methods.py", 1),
        ("views/8_methods.py", 2), ("views/8_methods.py", 3)]
REFUSAL = re.compile(r"would take about [\d.e+]+ s of server time, more than the [\d.]+ s")


def spec(**v) -> tuple:
    return data_toy.spec({**P.defaults(), **v})


@settings(max_examples=80, deadline=None)
@given(hs.integers(1, 300), hs.integers(0, 300), hs.sampled_from([1.0, 0.999, 0.5, 0.01]))
def test_cells_are_the_built_models_logits(T, m, decay):
    m = min(m, T)
    for built, counted in (
            (theory.refuse_or_comply(T=T, k=T, p_recover=0.1, p_harm=0.2, decay=decay),
             cells("refuse_or_comply", T=T, decay=decay)),
            (theory.threshold_harm(T=T, k=T, m=m, p_recover=0.1, p_harm=0.2),
             cells("threshold_harm", T=T, m=m)),
            (theory.gradual_harm(T=T, p_recover=0.1, p_harm=0.2, fade=0.5),
             cells("gradual_harm", T=T))):
        assert built.T * built.n_states * built.n_tokens == counted


@pytest.mark.parametrize("v, name, arg", [
    ({"toy_model": 1, "T_toy": 2000, "k_toy": 2000, "m_toy": 2000}, "T_toy", "T"),
    ({"toy_model": 1, "T_toy": 2000, "k_toy": 2000, "m_toy": 2000}, "m_toy", "m"),
    ({"toy_model": 0, "T_toy": 2000, "k_toy": 2000, "decay": 0.3}, "T_toy", "T"),
])
def test_the_advice_is_the_largest_value_that_fits(v, name, arg):
    s = spec(**v)
    with pytest.raises(budget.TooCostly) as refused:
        data_toy.require(s, "the gradient norms", {"exact": 1}, budget.HEADER_SECONDS)
    message = str(refused.value)
    label = P.PARAMS[name].label
    found = re.search(rf"lower “{re.escape(label)}” \(now (\d+)\) to at most (\d+)", message)
    assert found, message
    now, best = map(int, found.groups())
    assert now == v[name]
    cost = lambda x: budget.seconds(*data_toy.size(x), {"exact": 1})  # noqa: E731
    assert cost(data_toy._resized(s, arg, best)) <= budget.HEADER_SECONDS
    assert cost(data_toy._resized(s, arg, best + 1)) > budget.HEADER_SECONDS


@settings(max_examples=60, deadline=None)
@given(hs.integers(1, 2000), hs.integers(0, 2000), hs.integers(1, 5000), hs.sampled_from([0, 1, 2]))
def test_training_is_shortened_to_fit_or_refused(T, m, steps, model):
    s = spec(toy_model=model, T_toy=T, k_toy=T, m_toy=min(m, T))
    run = data_toy.train_steps(s, steps)
    assert 1 <= run <= steps
    work = {"step": run, "exact": 1}
    fits = budget.seconds(*data_toy.size(s), work) <= budget.TAB_SECONDS / 2
    assert fits or run == min(steps, budget.MIN_STEPS)  # too short to be worth it: refused
    methods = data_methods.train_steps(s, steps)
    assert 1 <= methods <= run  # four methods get no more steps than one run


def _corner_page(corner: str, page: str, view: int) -> AppTest:
    st.cache_data.clear()  # count every computation, as on a fresh server
    budget.reset_ledger()
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in {**CORNERS[corner], "view": view}.items():
        at.query_params[key] = P.fmt(value)
    at.switch_page(page).run()
    return at


@pytest.mark.parametrize("page, view", TABS, ids=[f"{p[6:-3]}-{v}" for p, v in TABS])
@pytest.mark.parametrize("corner", CORNERS)
def test_every_toy_tab_at_the_tables_corners_fits_or_is_refused(corner, page, view):
    at = _corner_page(corner, page, view)
    assert not at.exception, [e.message for e in at.exception]
    spent = sum(seconds for _, seconds in budget.ledger())
    assert spent <= budget.HEADER_SECONDS + budget.TAB_SECONDS <= budget.REQUEST_SECONDS, \
        budget.ledger()
    refusals = [w.value for w in at.warning if "server time" in w.value]
    for message in refusals:
        assert REFUSAL.search(message), message
        # names one of the app's own controls with its value, or says none fits
        assert re.search(r"“Toy model: [^”]+” \(now [\d.]+\)", message) or \
            "No smaller model" in message, message
    assert refusals or at.get("plotly_chart") or at.get("bidi_component") or at.markdown, \
        "the tab showed neither a result nor a refusal"


def test_the_command_line_refuses_the_same_work_per_figure(tmp_path, capsys):
    url = ("http://localhost:8501/gradients?toy_model=1&T_toy=2000&k_toy=2000&m_toy=2000"
           "&steps=5000")
    figures = "gradient_norms,training,kl_vs_eta,toy_attack,methods_prefill,harm_information"
    status = cli.main(["export", "--url", url, "--formats", "csv", "--only", figures,
                       "--out", str(tmp_path / "figs"), "-q"])
    err = capsys.readouterr().err
    assert status == 3, err
    for name in figures.split(","):
        line = next((x for x in err.splitlines() if x.startswith(f"problem: {name}:")), None)
        assert line is not None and "server time" in line, err
    assert "Traceback" not in err
