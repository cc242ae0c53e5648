"""The sentences a sweep of v0.8.0 found false for reachable parameters, opened as a student would
open them (a link with those parameters), each checked for what the page now says instead.

Each failed on v0.8.0: the page printed the listed wrong sentence at these parameters.
"""

from __future__ import annotations

import pytest

from test_app_pages import open_page, shown_text
from ui.state import nav

ROBUST, SHALLOW, METHODS = (nav.BY_NAME[n].path for n in ("robustness", "shallow_equilibrium", "methods"))

CASES = [  # (page, query, must not appear, must appear)
    (ROBUST, {"view": "1", "mu": "0"}, "moves τ by", "does not move τ"),
    (ROBUST, {"view": "1", "gamma": "1", "mu": "3", "p_base": "0.01", "delta": "0.5"},
     "moves τ by", "turns τ from −∞ to ∞"),
    (ROBUST, {"view": "2", "decay": "0.5", "T_toy": "40", "L": "20", "mu": "20", "gamma": "0.99"},
     "rarely recovers", "still recovers before the end"),
    (ROBUST, {"view": "2", "toy_model": "1", "L": "1"}, "recovers no more often", "more often than"),
    (ROBUST, {"view": "2", "gamma": "1"}, "fades with γᵗ", "is the same at every position"),
    (ROBUST, {"view": "2", "L": "2"}, "does not apply", "harm is already decided"),
    (SHALLOW, {"view": "1", "p_harm": "0.8"}, "bends below", "bends above"),
    (SHALLOW, {"view": "1", "toy_model": "2"}, "levels off", "still"),
    (SHALLOW, {"toy_model": "1", "m_toy": "0"}, "can stay open", "H = 1 always"),
    (SHALLOW, {"toy_model": "2", "fade": "0"}, "horizon k = T", "horizon 1"),
    (METHODS, {"lam_teacher": "0"}, "sharpens", "raises E[H]"),
    (METHODS, {"view": "2", "p_recover": "1e-12"}, "acts like", "never left its starting point"),
    (METHODS, {"view": "1", "k_toy": "0"}, "raises E[H] to 0;", "leaves E[H] at 0"),
    (METHODS, {"mu": "0.01", "beta": "1e6"}, "exactly 0 beyond the horizon", "below 1e-12 nats"),
    (METHODS, {"decay": "0.5", "p_recover": "1e-12", "mu": "30", "gamma": "1"}, "of r* = σ(logit p_R",
     "r* is not drawn"),
    (METHODS, {}, "reaches Theorem 20", "has not reached its exact optimum"),
]


@pytest.mark.parametrize("page, query, wrong, right", CASES,
                         ids=[f"{p.split('/')[-1][:-3]}-{'&'.join(f'{k}={v}' for k, v in q.items())}"
                              for p, q, _, _ in CASES])
def test_the_sentence_found_false_is_now_true(page, query, wrong, right):
    at = open_page(page, query)
    assert not at.exception, [e.value for e in at.exception]
    text = "\n".join(shown_text(at))
    assert wrong not in text
    assert right in text
