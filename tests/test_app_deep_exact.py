"""Deep alignment page, toy section: the exact on-policy optimum against the paper's per-prefix
forms (Theorem 20, Proposition 29). They coincide beyond the horizon when base recovery does not depend
on the history (decay = 1) and differ when it does (decay < 1). Read from what the page shows."""

from __future__ import annotations

from test_app_controls import DEEP, open_page, series, set_param
from ui.figures.toy_deep import EXACT_NAME, GAP_RECOVERY, GAP_RECOVERY_CONT, PER_PREFIX_NAME

HEADING = "Exact vs per-prefix (toy model)"  # the tab's label
VIEW = "4"  # its index among Deep alignment's tabs


def _chart(at) -> int:
    """Index of the section's chart: the one with both optima."""
    for i in range(len(at.get("plotly_chart"))):
        try:
            series(at, i, EXACT_NAME)
            return i
        except AssertionError:
            continue
    raise AssertionError("no exact-vs-per-prefix chart")


def _beyond_gap(at) -> float:
    """Largest plotted |per-prefix − exact| recovery beyond the toy horizon."""
    k = int(at.query_params.get("k_toy", 4))
    return float(abs(series(at, _chart(at), GAP_RECOVERY)[k:]).max())


def test_section_renders_labelled():
    at = open_page(DEEP, {"view": VIEW})
    assert HEADING in [t.proto.label for t in at.tabs]
    i = _chart(at)
    exact, per_prefix = series(at, i, EXACT_NAME), series(at, i, PER_PREFIX_NAME)
    assert exact.size == per_prefix.size == 12  # default toy T
    assert ((0 <= exact) & (exact <= 1)).all()
    assert any("Psi_t" in x.value for x in at.latex)


def test_decay_one_coincides_beyond_the_horizon():
    at = open_page(DEEP, {"view": VIEW, "decay": "1.0"})
    assert _beyond_gap(at) < 1e-10
    assert abs(series(at, _chart(at), GAP_RECOVERY)[4:]).max() < 1e-10  # plotted, t > k = 4
    # Prop. 29 with the optimum's own h_t: Theorem 20 beyond k too, and O(eta^2) within it
    cont, base = series(at, _chart(at), GAP_RECOVERY_CONT), series(at, _chart(at), GAP_RECOVERY)
    assert abs(cont[4:]).max() < 1e-10
    assert abs(cont[:4]).max() < 0.1 * abs(base[:4]).max()  # measured 6.1e-4 vs 2.3e-2
    assert any(c.value.startswith("decay = 1:") for c in at.caption)


def test_decay_below_one_differs_beyond_the_horizon():
    at = open_page(DEEP, {"view": VIEW})
    set_param(at, "decay", 0.5)
    assert at.query_params["decay"] == "0.5"
    assert _beyond_gap(at) > 1e-4
    assert any(c.value.startswith("decay = 0.5 < 1") for c in at.caption)


def test_a_model_too_large_for_a_request_is_refused_naming_the_controls():
    at = open_page(DEEP, {"view": VIEW, "decay": "0.5", "T_toy": "2000"})  # decay < 1: state = count
    shown = " ".join(w.value for w in at.warning)
    assert "cannot compute the toy model" in shown and "server time" in shown, shown
    assert "“Toy model: length T” (now 2000) to at most" in shown, shown
    assert "“Toy model: recovery decay” (now 0.5) to 1" in shown, shown
