"""Moving a control moves the shown numbers the way the theory says; the URL is the state (AppTest).

Numbers are read from what the page shows: the plotted series (decoded from the plotly JSON),
st.metric values, and the number boxes.
"""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import theory
from ui.state import params

APP = str(Path(__file__).resolve().parents[1] / "app.py")
DEEP, ROBUST, OVERVIEW = "views/5_deep_alignment.py", "views/6_robustness.py", "views/1_overview.py"


# Deep alignment's tabs (ui.page.layout.views): the ``view`` URL parameter opens one of them.
RECOVERY, KL, GIBBS = "0", "1", "2"


def open_page(path: str, query: dict | None = None) -> AppTest:
    """A first visit to ``path`` with ``query`` in its URL, as a pasted link does."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query or {})
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _array(v):
    if isinstance(v, dict) and "bdata" in v:  # plotly's typed-array JSON encoding
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
    return np.array([np.nan if x is None else x for x in v], dtype=float)


def series(at: AppTest, chart: int, name_starts: str) -> np.ndarray:
    """y values of the trace whose legend name starts with ``name_starts`` in chart number ``chart``."""
    spec = json.loads(at.get("plotly_chart")[chart].proto.spec)
    for trace in spec["data"]:
        if trace.get("name", "").startswith(name_starts):
            return _array(trace["y"]).astype(float)
    raise AssertionError(f"no trace {name_starts!r} in {[t.get('name') for t in spec['data']]}")


def metric(at: AppTest, label_starts: str) -> float:
    for m in at.metric:
        if m.label.startswith(label_starts):
            return math.inf if m.value.startswith("∞") else float(m.value.split()[0])
    raise AssertionError(f"no metric {label_starts!r}")


def set_param(at: AppTest, name: str, value) -> AppTest:
    at.number_input(key=f"_w_{name}_box").set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- the numbers follow the theory -------------------------------------------------------------

def test_higher_mu_raises_recovery_everywhere_beyond_the_horizon():
    at = open_page(DEEP)
    before = series(at, 0, "deep")
    at.select_slider(key="_w_mu_slider").set_value(20.0).run()
    after = series(at, 0, "deep")
    assert after.shape == before.shape
    assert np.all(after > before)
    assert at.query_params["mu"] == "20.0"


def test_mu_zero_is_the_base_model():
    at = open_page(DEEP, {"mu": "0", "p_base": "0.003"})
    np.testing.assert_allclose(series(at, 0, "deep"), 0.003, rtol=1e-12)
    at = open_page(DEEP, {"mu": "0", "p_base": "0.003", "view": KL})
    np.testing.assert_allclose(series(at, 0, "KL"), 0.0, atol=0.0)


def test_higher_beta_lowers_recovery():
    at = open_page(DEEP)
    before = series(at, 0, "deep")
    at.select_slider(key="_w_beta_slider").set_value(5.0).run()
    assert np.all(series(at, 0, "deep") < before)


def test_log_slider_sets_p_base_exactly_and_shallow_line_follows():
    at = open_page(DEEP)
    at.select_slider(key="_w_p_base_slider").set_value(1e-6).run()
    assert at.number_input(key="_w_p_base_box").value == pytest.approx(1e-6, rel=1e-12)
    np.testing.assert_allclose(series(at, 0, "standard"), 1e-6, rtol=1e-12)


def test_kl_never_exceeds_its_cap_and_grows_with_mu():
    at = open_page(DEEP, {"view": KL})
    kl, cap = series(at, 0, "KL"), series(at, 0, "cap")
    assert np.all(kl <= cap * (1 + 1e-12)) and np.all(kl > 0)
    set_param(at, "mu", 40.0)
    assert np.all(series(at, 0, "KL") > kl)


def test_position_t_fragment_follows_gamma_decay():
    at = open_page(DEEP, {"view": GIBBS})  # gamma = 0.9 < 1: the tilt shrinks with depth
    deep_at_10 = series(at, 0, "deep")
    at.slider(key="_w_t_slider").set_value(30).run()
    assert not at.exception
    deep_at_30 = series(at, 0, "deep")
    recovery = np.array([True, True, False, False, False, False, False])  # ui.data.closed.VOCAB
    assert deep_at_30[recovery].sum() < deep_at_10[recovery].sum()
    np.testing.assert_allclose(deep_at_30.sum(), 1.0, rtol=1e-12)
    assert at.query_params["t"] == "30"


def test_higher_gamma_guarantees_more_recovery_at_depth():
    at = open_page(ROBUST)
    before = metric(at, "Guaranteed recovery r_min")
    at.slider(key="_w_gamma_slider").set_value(0.99).run()
    assert metric(at, "Guaranteed recovery r_min") > before


def test_attack_length_grows_with_mu_and_required_mu_with_delta():
    at = open_page(ROBUST, {"mu": "50", "gamma": "0.9", "k": "2"})
    L_before, need_before = metric(at, "Attack length"), metric(at, "μ needed")
    set_param(at, "mu", 100.0)
    assert metric(at, "Attack length") > L_before  # Corollary 23: L* ~ log(mu) / log(1/gamma)
    assert metric(at, "μ needed") == pytest.approx(need_before)  # does not depend on mu
    at.slider(key="_w_delta_slider").set_value(0.9).run()
    assert metric(at, "μ needed") > need_before


def test_uniform_gamma_makes_attacks_impossible():
    at = open_page(ROBUST, {"gamma": "1", "mu": "10", "p_base": "0.01", "delta": "0.5"})
    assert metric(at, "Attack length") == math.inf  # mu/beta = 10 >= logit .5 - logit .01 = 4.6


# --- the URL is the state ----------------------------------------------------------------------

def test_url_restores_every_parameter():
    query = {"beta": "2.5", "mu": "12.5", "gamma": "0.97", "p_base": "3e-07", "delta": "0.8",
             "T": "120", "k": "7", "t": "33"}
    at = open_page(DEEP, query)
    assert not at.warning
    on_page = {n.key for n in at.number_input}
    for name, raw in query.items():
        assert float(at.query_params[name]) == float(raw)
        if f"_w_{name}_box" in on_page:
            assert at.number_input(key=f"_w_{name}_box").value == pytest.approx(float(raw), rel=1e-15)
    assert series(at, 0, "standard") == pytest.approx(3e-7, rel=1e-12)
    assert len(series(at, 0, "deep")) == 120 - 7
    at = open_page(DEEP, {**query, "view": GIBBS})  # the tab with the position-t control
    assert at.number_input(key="_w_t_box").value == 33
    assert at.query_params["view"] == GIBBS


def test_state_and_url_survive_switching_pages():
    at = open_page(DEEP, {"mu": "7.5", "p_base": "1e-05"})
    set_param(at, "gamma", 0.95)
    for path in (ROBUST, OVERVIEW, "views/10_derivations.py", DEEP):
        at.switch_page(path).run()
        assert not at.exception
        assert at.query_params["mu"] == "7.5" and at.query_params["gamma"] == "0.95"
        assert at.query_params["p_base"] == "1e-05"
    assert at.number_input(key="_w_gamma_box").value == 0.95


def test_preset_links_carry_their_values():
    at = open_page(ROBUST, {"mu": "7.5", "p_base": "0.02"})
    links = {link.proto.label: link.proto.query_string for link in at.get("page_link")}
    for label, overrides in params.PRESETS.items():
        assert label in links
        at.query_params.clear()
        at.query_params.update(dict(q.split("=") for q in links[label].split("&")))
        at.run()  # what clicking the link does: a rerun with its query string
        for name, value in overrides.items():
            assert at.number_input(key=f"_w_{name}_box").value == pytest.approx(value)
    assert at.number_input(key="_w_p_base_box").value == pytest.approx(1e-6)  # last preset


@pytest.mark.parametrize("path", [OVERVIEW, DEEP, ROBUST])
def test_junk_url_warns_and_falls_back(path):
    at = open_page(path, {"beta": "abc", "gamma": "5", "p_base": "-1"})
    warning = " ".join(w.value for w in at.warning)
    for name in ("beta", "gamma", "p_base"):
        assert name in warning
    assert at.query_params["beta"] == "1.0"  # not a number: the default
    assert at.query_params["gamma"] == "1.0"  # above the range: its top
    assert at.query_params["p_base"] == "0.0"  # below the range: its bottom
    for chart in at.get("plotly_chart"):
        assert "NaN" not in chart.proto.spec


def test_missing_keys_are_silent_and_take_defaults():
    at = open_page(DEEP, {"mu": "3"})
    assert not at.warning
    assert at.query_params["beta"] == params.fmt(params.PARAMS["beta"].default)


def test_horizon_beyond_depth_is_clamped_with_a_warning():
    at = open_page(DEEP, {"T": "20", "k": "50"})
    assert "k=50" in " ".join(w.value for w in at.warning)
    assert at.query_params["k"] == "20"


def test_warning_clears_once_the_user_moves_on():
    at = open_page(DEEP, {"beta": "abc"})
    assert at.warning
    set_param(at, "mu", 6.0)
    assert not at.warning


# --- ranges reach the app's own answers ---------------------------------------------

@pytest.mark.parametrize(("name", "raw"), [("mu", "1340"), ("mu", "1e5"), ("beta", "1e6")])
def test_links_with_large_values_keep_them_exactly(name, raw):
    at = open_page(ROBUST, {name: raw})
    assert not at.warning
    assert at.query_params[name] == params.fmt(float(raw))
    assert at.number_input(key=f"_w_{name}_box").value == float(raw)


def use_button(at: AppTest):
    return at.button(key="_w_mu_use")


@pytest.mark.parametrize("query", [{}, {"mu": "1340", "delta": "0.9", "T": "80", "beta": "0.3"}])
def test_use_this_value_sets_mu_needed_and_reaches_delta(query):
    at = open_page(ROBUST, query)
    shown = metric(at, "μ needed")
    assert not use_button(at).disabled
    use_button(at).click().run()
    assert not at.exception, [e.value for e in at.exception]
    mu = float(at.query_params["mu"])
    assert mu == pytest.approx(shown, rel=5e-4)  # the metric shows 4 significant digits
    assert at.number_input(key="_w_mu_box").value == mu
    assert not at.warning
    v = {name: at.number_input(key=f"_w_{name}_box").value for name in ("delta", "p_base", "beta",
                                                                          "gamma", "T")}
    # Theorem 22 at the new μ: the guaranteed recovery is exactly the target δ.
    r_min = theory.recoverability_bound(v["p_base"], mu, v["beta"], v["gamma"], v["T"])
    assert r_min == pytest.approx(v["delta"], rel=1e-9)
    assert metric(at, "Guaranteed recovery r_min") == pytest.approx(v["delta"], rel=1e-9)


def test_use_this_value_sets_mu_zero_when_no_penalty_is_needed():
    at = open_page(ROBUST, {"p_base": "0.6", "delta": "0.5"})
    assert metric(at, "μ needed") == 0
    use_button(at).click().run()
    assert at.query_params["mu"] == "0.0"


@pytest.mark.parametrize(("query", "reason"), [
    ({"p_base": "0"}, "∞"),  # Remark 8: no finite μ
    ({"gamma": "0.5", "T": "100"}, "outside the range"),  # μ needed ~ 1e30: beyond any μ offered
])
def test_use_this_value_is_disabled_with_a_reason(query, reason):
    at = open_page(ROBUST, query)
    button = use_button(at)
    assert button.disabled
    assert any(reason in c.value for c in at.caption)
    assert not button.help, "a tooltip opens over the answer above the button: the caption says it"
