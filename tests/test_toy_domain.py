"""Nothing the toy pages compute is NaN or infinite anywhere in the app's parameter table.

Values are drawn from ``ui.state.params`` itself (every toy parameter and the weights the toy pages
use, with their endpoints drawn often: NaN hid at η ≥ 38 with decay ≤ 0.05 and p_C = 0), then
corrected by ``ui.state.params.constrain`` as a link would be. Lengths stay short so that a draw is
fast; the values, not the sizes, are what break the arithmetic. The data functions are called
through ``__wrapped__`` (the functions under ``st.cache_data``), as the pages call them.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from ui.data import methods as data_methods, toy as data_toy
from ui.state import params as P

NAMES = ("toy_model", "T_toy", "k_toy", "m_toy", "p_recover", "p_harm", "h_undecided", "decay",
         "fade", "eta", "beta", "mu", "gamma", "L", "lr", "ft_lr", "qi_beta1", "qi_beta2_5",
         "qi_beta_late")
SHORT = {"T_toy": 14, "k_toy": 14, "m_toy": 14, "L": 14}  # the largest length drawn


def value(name: str):
    """Endpoints (and a log parameter's log_min) half the time, else uniform on the scale."""
    p = P.PARAMS[name]
    hi = min(p.hi, SHORT.get(name, p.hi))
    ends = sorted({p.lo, hi} | ({p.log_min} if p.log_min else set()))
    if p.kind is int:
        inner = st.integers(int(p.lo), int(hi))
    elif p.scale == "log":
        low = p.lo if p.lo > 0 else p.log_min
        inner = st.floats(math.log10(low), math.log10(hi)).map(lambda x: 10.0 ** x)
    else:
        inner = st.floats(p.lo, hi)
    return st.one_of(st.sampled_from(ends), inner).map(p.kind)


values = st.fixed_dictionaries({name: value(name) for name in NAMES}).map(
    lambda drawn: P.constrain({**P.defaults(), **drawn})[0])


def finite(tree, where=""):
    """Every number in a (nested) result is finite; None and strings are allowed."""
    if isinstance(tree, dict):
        for key, item in tree.items():
            finite(item, f"{where}.{key}")
    elif isinstance(tree, (list, tuple)):
        for i, item in enumerate(tree):
            finite(item, f"{where}[{i}]")
    elif isinstance(tree, (np.ndarray, float, int, np.floating, np.integer)) and not isinstance(tree, bool):
        arr = np.asarray(tree, dtype=float)
        assert np.isfinite(arr).all(), f"{where} is not finite: {arr}"


def call(fn, *args, **kwargs):
    """The result, or None for a refusal the page shows as a message: in the app's words (a
    budget refusal, or a message naming the app's own control), never the engine's."""
    result, err = data_toy.attempt(fn.__wrapped__, *args, **kwargs)
    assert err is None or "server time" in err or "“Toy model: " in err, err
    return result


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_every_toy_page_number_is_finite(v):
    s = data_toy.spec(v)
    eta, beta, mu, gamma = v["eta"], v["beta"], v["mu"], v["gamma"]
    finite(call(data_toy.horizon, s, 3, 0), "horizon")
    finite(call(data_toy.gradients, s), "gradients")
    finite(call(data_toy.standard, s, eta), "standard")
    finite(call(data_toy.deep, data_toy.spec({**v, "toy_model": 0}), eta, beta, mu, gamma), "deep")
    finite(call(data_toy.attack, s, v["L"], eta, beta, mu, gamma), "attack")
    for objective in ("standard", "deep"):
        finite(call(data_toy.training, s, objective, "tabular", eta, beta, mu, gamma, 12, v["lr"]),
               objective)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_the_eta_sweep_and_the_methods_are_finite_or_refused(v):
    s = data_toy.spec(v)
    finite(call(data_toy.eta_sweep, s), "eta_sweep")
    settings_ = {**data_methods.settings(v), "steps": 12}
    finite(call(data_methods.compare, s, **settings_), "compare")
    attack = {n: v[n] for n in ("ft_lr", "qi_beta1", "qi_beta2_5", "qi_beta_late")}
    finite(call(data_methods.finetune, s, eta=v["eta"], steps=12, lr=v["lr"], ft_steps=12,
                **attack), "finetune")
