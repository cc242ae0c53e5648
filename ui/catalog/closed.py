"""The closed-form figures (Theorems 19-22, Corollary 23): pages Overview, Deep alignment, Robustness."""

from __future__ import annotations

from ui import figures
from ui.data import closed as data
from ui.state.params import position_in_depth

from .spec import FigureSpec

REFERENCE_GAMMAS = (0.5, 0.9, 0.99, 1.0)  # comparison lines on the attack-length figure


def _profile(v):
    return data.recovery_profile(v["p_base"], v["mu"], v["beta"], v["gamma"], v["k"], v["T"])


def pinned(v) -> list[dict]:
    """The values of each pinned set (``v["pin"]``: ``ui.state.pins.Pin`` objects, put there
    by the page's compare control or absent), with its name under ``"name"``."""
    return [{**v, **pin.values, "name": pin.name} for pin in v.get("pin", ())]


def _recovery(v):
    pins = [(w["name"], d["t"], d["deep"]) for w in pinned(v) for d in [_profile(w)]]
    return figures.recovery_by_position(_profile(v), mu=v["mu"], gamma=v["gamma"], k=v["k"],
                                        T=v["T"], pins=pins)


def _kl(v):
    pins = [(w["name"], d["t"], d["kl"]) for w in pinned(v) for d in [_profile(w)]]
    return figures.kl_by_position(_profile(v), k=v["k"], T=v["T"], pins=pins)


def _gibbs(v):
    t = position_in_depth(v)  # t may lie beyond the depth T (a toy chart's position)
    d = data.at_position(v["p_base"], v["mu"], v["beta"], v["gamma"], t)
    return figures.gibbs_bars(d, t=t)


def _tradeoff(v):
    d = data.tradeoff_vs_gamma(v["p_base"], v["mu"], v["beta"], v["k"], v["T"])
    return figures.tradeoff_vs_gamma(d, gamma=v["gamma"], k=v["k"], T=v["T"])


def _depth_data(v):
    return data.recoverability_by_depth(v["p_base"], v["mu"], v["beta"], v["gamma"], v["k"], v["T"])


def _depth(v):
    pins = [(w["name"], d["depth"], d["delta"], d["kl_bound"])
            for w in pinned(v) for d in [_depth_data(w)]]
    return figures.recoverability_by_depth(_depth_data(v), delta=v["delta"], k=v["k"], T=v["T"],
                                           pins=pins)


def attack_gammas(gamma: float) -> tuple[float, ...]:
    return tuple(sorted(set(REFERENCE_GAMMAS) | {gamma}))


def _attack(v):
    d = data.attack_length_vs_mu(v["delta"], v["p_base"], v["beta"], attack_gammas(v["gamma"]), v["k"])
    # each pin at its own γ, δ, p_min, β and k, on the same μ grid
    pins = [(w["name"], data.attack_length_vs_mu(w["delta"], w["p_base"], w["beta"], (w["gamma"],),
                                                 w["k"])["L"][0]) for w in pinned(v)]
    return figures.attack_length_vs_mu(d, mu=v["mu"], gamma=v["gamma"], k=v["k"], pins=pins)


CLOSED = ("beta", "mu", "gamma", "p_base", "k", "T")

SPECS = [
    FigureSpec(
        "recovery_by_position", "deep_alignment",
        "Recovery after a harmful prefix, by position",
        r"$\text{Recovery after a harmful prefix: }r^*_t=\sigma\big(\operatorname{logit}p+\mu\gamma^{t}/\beta\big)$",
        "Recovery probability after a harmful prefix at each position beyond the harm horizon, "
        "standard RLHF against deep alignment (Theorem 20).", CLOSED, _recovery),
    FigureSpec(
        "kl_by_position", "deep_alignment",
        "KL cost per position",
        r"$\text{KL cost per position: }\mathrm{KL}^*_t\le\min\big(\mu\gamma^{t}/\beta,\ \log\tfrac{1}{p}\big)$",
        "KL cost in nats of the deep-alignment shift at each position beyond the horizon, with "
        "Theorem 22's per-position cap.", CLOSED, _kl, view=1),
    FigureSpec(
        "gibbs_bars", "deep_alignment",
        "Next-token distribution at one position",
        r"$\text{Next-token distribution at position }t:\ q^*(v)\propto\pi_{\mathrm{base}}(v)\,e^{a_t\mathbf{1}[v\in R]}$",
        "Next-token probabilities over a small example vocabulary at position t, base model "
        "against the deep optimum (Theorem 20).", ("beta", "mu", "gamma", "p_base", "t", "T"), _gibbs,
        view=2),
    FigureSpec(
        "tradeoff_vs_gamma", "deep_alignment",
        "Depth vs KL from the base model as γ → 1",
        r"$\text{Depth costs KL from the base model (the capability proxy) as }\gamma\to 1$",
        "Against the discount γ: recovery guaranteed at depth T (top) and the total KL it costs "
        "with its bound (bottom), Theorem 19 and Theorem 22.", CLOSED, _tradeoff, view=3),
    FigureSpec(
        "recoverability_by_depth", "robustness",
        "δ-recoverability by depth",
        r"$\delta\text{-recoverability by depth }T'\text{ (Theorem 22)}$",
        "Recovery probability guaranteed at every depth T′ against the target δ (top) and the "
        "total-KL bound up to that depth (bottom), Theorem 22.", CLOSED + ("delta",), _depth),
    FigureSpec(
        "attack_length_vs_mu", "robustness",
        "Minimum prefilling-attack length",
        r"$\text{Minimum prefilling-attack length }L^*=\max\big(k,\lfloor\tau\rfloor\big)$",
        "Minimum prefilling-attack length L* in tokens against the recovery penalty μ, one line "
        "per discount γ (Corollary 23, with the app's refinement L* = max(k, ⌊τ⌋)).", ("beta", "mu", "gamma", "p_base", "delta", "k"), _attack,
        view=1),
]
