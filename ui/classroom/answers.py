"""The quantities a lesson's question may ask for, each computed from ``theory``.

A question names a quantity (``answer = "attack_length"``); the app computes it with the step's
parameter values, so a lesson cannot go stale when the theory or a default changes. Each function
takes the full parameter dict (``ui.state.params`` names) and returns a float; it calls the same cached
helpers as the page that shows the number (``ui.data.closed``, ``ui.data.toy``, ``ui.claims.corollary23``), so
the answer is the number on the page. Nothing here evaluates text: a lesson file only names one
of these functions.

Adding a quantity: write a function below with the ``@quantity(...)`` decorator; its name is the
name lessons use. Raise ``ValueError`` with a readable message when the parameters make it
meaningless (the lesson validator shows the message).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from ui.claims import corollary23
from ui.data import closed as data, toy as data_toy
from ui.state import params as P


@dataclass(frozen=True)
class Quantity:
    name: str
    label: str  # what it is, in words, for the lesson panel and the format reference
    unit: str  # "" for a pure number
    source: str  # the paper's result (or the data set) it comes from
    page: str  # the ui.state.nav page that shows it
    fn: Callable[[dict], float]
    toy: bool = False  # built from the exact toy model: costs time ~ T_toy (lessons.TOY_BUDGET)


QUANTITIES: dict[str, Quantity] = {}


def quantity(label: str, source: str, page: str, unit: str = "", toy: bool = False):
    def register(fn):
        QUANTITIES[fn.__name__] = Quantity(fn.__name__, label, unit, source, page, fn, toy)
        return fn
    return register


def compute(name: str, values: dict) -> float:
    """The value of quantity ``name`` for the parameters ``values``. Raises ``KeyError`` for an
    unknown name and ``ValueError`` when the parameters make it meaningless."""
    x = float(QUANTITIES[name].fn(values))
    if math.isnan(x):
        raise ValueError(f"{name} is undefined for these parameters")
    return x


def _closed(v: dict) -> tuple:
    return v["p_base"], v["mu"], v["beta"], v["gamma"]


# --- Theorem 20: the deep optimum beyond the horizon (Deep alignment page) --------------------

@quantity("recovery probability r* at the first position beyond the horizon, t = k + 1",
          "Theorem 20", "deep_alignment")
def recovery_first(v: dict) -> float:
    prof = data.recovery_profile(*_closed(v), v["k"], v["T"])
    if not prof["t"].size:
        raise ValueError("no position lies beyond the horizon (k = T)")
    return prof["deep"][0]


@quantity("recovery probability r*ₜ at position t", "Theorem 20", "deep_alignment")
def recovery_at_t(v: dict) -> float:
    return data.at_position(*_closed(v), P.position_in_depth(v))["deep"]


@quantity("log-odds shift aₜ = μγᵗ/β at position t", "Theorem 20", "deep_alignment")
def shift_at_t(v: dict) -> float:
    return data.at_position(*_closed(v), P.position_in_depth(v))["shift"]


@quantity("recovery KL cost KL*ₜ at position t", "Theorem 20", "deep_alignment", "nats")
def kl_at_t(v: dict) -> float:
    return data.at_position(*_closed(v), P.position_in_depth(v))["kl"]


@quantity("total recovery KL beyond the horizon, t = k+1 … T", "Theorem 20", "deep_alignment",
          "nats")
def kl_total(v: dict) -> float:
    return data.recovery_profile(*_closed(v), v["k"], v["T"])["kl_total"]


@quantity("1 if the total recovery KL stays finite as the depth T → ∞, else 0",
          "Theorem 20, Remark 6", "deep_alignment")
def kl_limit_is_finite(v: dict) -> float:
    p, mu, beta, gamma = _closed(v)
    return float(math.isfinite(data.recovery_kl_limit(p, mu, beta, gamma, v["k"])["limit"]))


# --- Theorem 22 and Corollary 23 (Robustness page) ---------------------------------------------

@quantity("guaranteed recovery r_min(T) at depth T", "Theorem 22", "robustness")
def recoverability(v: dict) -> float:
    return data.solve(v["delta"], *_closed(v), v["k"], v["T"])["delta_T"]


@quantity("penalty μ needed for recovery δ down to depth T", "Theorem 22", "robustness")
def mu_required(v: dict) -> float:
    return data.solve(v["delta"], *_closed(v), v["k"], v["T"])["mu_required"]


def _attack(v: dict, mu_factor: float = 1.0):
    p, mu, beta, gamma = _closed(v)
    return corollary23.attack(v["delta"], p, mu * mu_factor, beta, gamma, v["k"])


@quantity("minimum prefilling-attack length L*", "Corollary 23", "robustness", "tokens")
def attack_length(v: dict) -> float:
    return _attack(v).length


@quantity("minimum prefilling-attack length L* when μ is doubled", "Corollary 23", "robustness",
          "tokens")
def attack_length_doubled(v: dict) -> float:
    p, mu, beta, gamma = _closed(v)
    return corollary23.doubling(v["delta"], p, mu, beta, gamma, v["k"]).length


@quantity("threshold position τ of Corollary 23", "Corollary 23", "robustness")
def attack_threshold(v: dict) -> float:
    return _attack(v).tau


# --- The exact toy model (Harm horizon, Gradients, Shallow equilibrium, attack panel) ---------

def _toy(fn, *args):
    result, err = data_toy.attempt(fn, data_toy.spec(args[0]), *args[1:])
    if err:
        raise ValueError(f"the toy model cannot be built: {err}")
    return result


@quantity("exact harm horizon k of the toy model", "Theorem 9", "harm_horizon", toy=True)
def harm_horizon(v: dict) -> float:
    # exact_horizon, not horizon(): that one also checks the martingale in O(T²) (1 s at T = 400)
    return _toy(data_toy.exact_horizon, v)


@quantity("Σₜ Iₜ = Var H of the toy model", "Corollary 7", "harm_horizon", toy=True)
def harm_variance(v: dict) -> float:
    return float(_toy(data_toy.gradients, v)["info"].sum())  # Σ Iₜ, without the O(T²) check


@quantity("largest gradient norm beyond the horizon, max over t > k of ‖gₜ‖",
          "Theorems 8 and 10", "gradients", toy=True)
def max_gradient_beyond_horizon(v: dict) -> float:
    g = _toy(data_toy.gradients, v)
    beyond = g["norm"][g["k"]:]
    return float(beyond.max()) if beyond.size else 0.0


@quantity("largest KLₜ of the standard optimum beyond the horizon", "Theorem 10",
          "shallow_equilibrium", "nats", toy=True)
def standard_kl_beyond_horizon(v: dict) -> float:
    d = _toy(data_toy.standard, v, v["eta"])
    beyond = d["kl"][d["k"]:]
    return float(beyond.max()) if beyond.size else 0.0


@quantity("KLₖ / (η²·Iₖ) at the horizon position k (about 1/2 for small η)",
          "Theorem 14", "shallow_equilibrium", toy=True)
def kl_per_information(v: dict) -> float:
    d = _toy(data_toy.standard, v, v["eta"])
    k = d["k"]
    if k < 1 or d["info"][k - 1] == 0:
        raise ValueError("the toy model has no position with harm information (k = 0)")
    return float(d["kl"][k - 1] / (v["eta"] ** 2 * d["info"][k - 1]))


def _prefill(v: dict) -> dict:
    d = _toy(data_toy.attack, v, v["L"], v["eta"], v["beta"], v["mu"], v["gamma"])
    if v["L"] >= d["T"]:
        raise ValueError("the attack covers every position (L ≥ toy T): nothing is left to recover")
    return d


@quantity("probability the base model recovers before the end after L forced harmful tokens",
          "toy model", "robustness", toy=True)
def prefill_recovery_base(v: dict) -> float:
    return _prefill(v)["end_base"]


@quantity("probability the standard optimum recovers before the end after L forced harmful tokens",
          "Corollary 23", "robustness", toy=True)
def prefill_recovery_standard(v: dict) -> float:
    return _prefill(v)["end_standard"]


@quantity("probability the deep optimum recovers before the end after L forced harmful tokens",
          "Theorem 20", "robustness", toy=True)
def prefill_recovery_deep(v: dict) -> float:
    return _prefill(v)["end_deep"]


def _sign(x: float, tol: float = 1e-12) -> float:
    return 0.0 if abs(x) <= tol else math.copysign(1.0, x)


@quantity("sign of (standard − base) recovery after L forced harmful tokens: 1, 0 or −1",
          "Corollary 23", "robustness", toy=True)
def standard_vs_base_after_prefill(v: dict) -> float:
    d = _prefill(v)
    return _sign(d["end_standard"] - d["end_base"])


@quantity("sign of (deep − base) recovery after L forced harmful tokens: 1, 0 or −1",
          "Theorem 20", "robustness", toy=True)
def deep_vs_base_after_prefill(v: dict) -> float:
    d = _prefill(v)
    return _sign(d["end_deep"] - d["end_base"])


# --- Published measurements (Evidence page; Qi et al. 2025) -------------------------------------

def _published_asr(series: str, tokens: int) -> float:
    import evidence  # the CSV loaders (pandas): only when a lesson asks

    df = evidence.prefill_asr()
    rows = df[(df["series"] == series) & (df["k"] == tokens)]
    if rows.empty:
        raise ValueError(f"no published measurement for {series} at {tokens} tokens")
    return float(rows["asr_percent"].iloc[0])


@quantity("published attack success on Llama-2-7B-Chat, no harmful tokens prefilled",
          "Qi et al. 2025, Figure 2", "evidence", "%")
def published_asr_llama_chat_0(v: dict) -> float:
    return _published_asr("Llama-2-7B-Chat", 0)


@quantity("published attack success on Llama-2-7B-Chat with 10 harmful tokens prefilled",
          "Qi et al. 2025, Figure 2", "evidence", "%")
def published_asr_llama_chat_10(v: dict) -> float:
    return _published_asr("Llama-2-7B-Chat", 10)


@quantity("published attack success with 10 tokens prefilled after recovery augmentation",
          "Qi et al. 2025, Table 2", "evidence", "%")
def published_asr_augmented_10(v: dict) -> float:
    import evidence

    df = evidence.augmentation()
    rows = df[df["prefill_tokens"] == 10]
    if rows.empty:
        raise ValueError("no published measurement at 10 prefilled tokens")
    return float(rows["asr_after_percent"].iloc[0])


def accepts(given: float, answer: float, tolerance: float, relative: float = 0.0) -> bool:
    """Whether ``given`` is ``answer`` within max(tolerance, relative·|answer|); ∞ only equals ∞."""
    if given is None or isinstance(given, bool):
        return False
    given, answer = float(given), float(answer)
    if math.isnan(given) or math.isnan(answer):
        return False
    if math.isinf(answer) or math.isinf(given):
        return given == answer
    return bool(abs(given - answer) <= max(tolerance, relative * abs(answer)) * (1 + 1e-12))


__all__ = ["QUANTITIES", "Quantity", "compute", "accepts"]
