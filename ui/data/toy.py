"""Cached calls into the toy model (``theory.toy``) for pages 2-4 and the attack panel.

A toy model is named by a *spec*, a hashable tuple ``(preset, ((param, value), ...))`` made by
:func:`spec` from the app's parameter values, so ``st.cache_data`` keys every result on exactly
the numbers on screen. Each function returns a dict of numpy arrays / floats; no formulas here.
The engine raises ``ValueError`` for combinations it cannot do, and :mod:`ui.data.budget` for work
longer than a request may take (counted before it starts): :func:`attempt` turns both into a
message, which the page shows (``ui.page.toy_controls.model_or_stop``); nothing here draws.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import theory
from theory.toy.methods import open_on_harmful_path
from theory.toy.presets import cells as preset_cells
from ui.state import params as P

from . import budget

# index = the app parameter "toy_model"
MODELS = ("refuse-or-comply", "threshold harm", "gradual harm")
_BUILDERS = (theory.refuse_or_comply, theory.threshold_harm, theory.gradual_harm)
# app parameter name -> engine argument, per preset (the sidebar shows exactly these)
MODEL_PARAMS = (
    {"T_toy": "T", "k_toy": "k", "p_recover": "p_recover", "p_harm": "p_harm",
     "h_undecided": "h_undecided", "decay": "decay"},
    {"T_toy": "T", "k_toy": "k", "m_toy": "m", "p_recover": "p_recover", "p_harm": "p_harm"},
    {"T_toy": "T", "p_recover": "p_recover", "p_harm": "p_harm", "fade": "fade"},
)
FRAMES = 40  # recorded steps of a training run (animation frames), fewer for long models:
FRAME_CELLS = 20_000  # frames * T, which every rerun unpickles, hashes and sends to the browser


def spec(v: dict) -> tuple:
    """The hashable name of the toy model chosen by the parameter values ``v``."""
    i = int(v["toy_model"])
    return i, tuple((arg, v[name]) for name, arg in MODEL_PARAMS[i].items())


_PRESETS = ("refuse_or_comply", "threshold_harm", "gradual_harm")


def cells(s: tuple) -> int:
    """T·|S|·|V| of the model ``s`` names, without building it (what its computations cost)."""
    i, args = s
    a = dict(args)
    return preset_cells(_PRESETS[i], T=a["T"], m=a.get("m", 0),
                                    decay=a.get("decay", 1.0))


def size(s: tuple) -> tuple[int, int]:
    """(T·|S|·|V|, T) of the model ``s``: what :func:`ui.data.budget.seconds` counts with."""
    return cells(s), int(dict(s[1])["T"])


def _resized(s: tuple, arg: str, x: int) -> tuple:
    """``s`` with engine argument ``arg`` set to ``x``, the table's relations kept (k, m <= T)."""
    i, args = s
    name = {a: n for n, a in MODEL_PARAMS[i].items()}
    values, _ = P.constrain({**P.defaults(), **{name[a]: v for a, v in args}, name[arg]: x})
    return i, tuple((a, values[name[a]]) for a, _ in args)


def advice(s: tuple, fits) -> str:
    """Which controls to lower, and to what, so that ``fits(spec)`` holds (a sentence)."""
    i, args = s
    a = dict(args)
    names = {arg: name for name, arg in MODEL_PARAMS[i].items()}
    options = []
    for arg in ("T", "m"):
        if arg not in a or a[arg] <= 1:
            continue
        lo, hi = 0, a[arg]  # the largest x < a[arg] that fits, by bisection (cost grows with x)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if fits(_resized(s, arg, mid)) else (lo, mid)
        if lo >= 1 or (arg == "m" and fits(_resized(s, arg, 0))):
            p = P.PARAMS[names[arg]]
            options.append(f"lower “{p.label}” (now {a[arg]}) to at most {lo}")
    if a.get("decay", 1.0) < 1.0:
        options.append(f"set “{P.PARAMS['decay'].label}” (now {P.fmt(a['decay'])}) to 1, "
                       "which drops the count of harmful tokens from the state")
    if not options:
        return "No smaller model of this kind fits: choose another toy model."
    return "To compute it, " + "; or ".join(options) + "."


def require(s: tuple, what: str, work: dict, allowance: float) -> None:
    """Refuse ``work`` on the model ``s`` if it would take longer than ``allowance`` seconds."""
    cost = lambda x: budget.seconds(*size(x), work)  # noqa: E731
    budget.require(what, cost(s), allowance, lambda: advice(s, lambda x: cost(x) <= allowance))


def build(s: tuple) -> theory.ToyModel:
    i, args = s
    return _BUILDERS[i](**dict(args))


def attempt(fn, *args, **kwargs):
    """``(result, None)`` or ``(None, message)`` when the engine rejects the parameters."""
    try:
        return fn(*args, **kwargs), None
    except ValueError as err:
        return None, str(err)


def _cache(fn):
    return st.cache_data(max_entries=64, show_spinner=False)(fn)


@_cache
def exact_horizon(s: tuple) -> int:
    """The toy model's exact harm horizon k (Theorem 9)."""
    return int(build(s).harm_horizon())


@_cache
def horizon(s: tuple, n_paths: int, seed: int) -> dict:
    """Page 2: I_t, both horizons, Var H (Corollary 7) and sampled martingale paths."""
    require(s, "the harm information and the sampled paths", {"scan": 1}, budget.HEADER_SECONDS)
    m = build(s)
    info = m.harm_information()
    return {"t": np.arange(1, m.T + 1), "info": info, "k": m.harm_horizon(),
            "k_num": m.numerical_horizon(), "info_sum": float(info.sum()),
            "expected_harm": m.expected_harm(), "paths": m.sample_paths(n_paths, seed),
            **_martingale(s)}


@_cache
def _martingale(s: tuple) -> dict:
    """The independent Var H and max |E[Δ_s Δ_t]| (Corollary 7, Proposition 4), when they fit
    in a request: they cost O(T²) (``None`` otherwise: the page then shows Σ I_t alone)."""
    T = dict(s[1])["T"]
    work = {"martingale": T}
    if T > theory.toy.martingale.MAX_T_COVARIANCE or \
            budget.seconds(*size(s), work) > budget.HEADER_SECONDS:
        return {"variance": None, "cross": None}
    budget.require("the martingale check", budget.seconds(*size(s), work), budget.HEADER_SECONDS,
                   str)
    check = build(s).martingale_check()
    return {"variance": check.variance, "cross": check.max_cross_moment}


@_cache
def gradients(s: tuple) -> dict:
    """Page 3: Theorem 8 norms and the Lemma 12 / Theorem 13 bounds, per position."""
    require(s, "the gradient norms", {"exact": 1}, budget.HEADER_SECONDS)
    m = build(s)
    g = m.gradients()
    return {"t": np.arange(1, m.T + 1), "norm": g.norms, "thm13": g.bound_theorem13,
            "lemma12": g.bound_lemma12, "pointwise": g.bound_pointwise,
            "fisher": g.fisher_trace, "info": m.harm_information(), "k": m.harm_horizon(),
            # Theorem 14's g_t^T F_t^+ g_t, computed; equals "info" (I_t) for these tabular logits
            "natural": g.natural_norm_sq}


# One training run of a page: two run side by side in the open tab (standard and deep, or
# per-position and shared parameters), each with the exact optimum's KL for comparison.
_RUN = {"per_step": {"step": 1}, "fixed": {"exact": 1}, "allowance": budget.TAB_SECONDS / 2}


def train_steps(s: tuple, steps: int) -> int:
    """Steps actually run on the model ``s``: as many of ``steps`` as fit in a request, and never
    fewer than min(steps, MIN_STEPS) (then :func:`training` refuses, saying what to lower)."""
    fit = budget.steps_that_fit(*size(s), steps, **_RUN)
    return max(fit, min(int(steps), budget.MIN_STEPS))


@_cache
def training(s: tuple, objective: str, parameterization: str, eta: float, beta: float,
             mu: float, gamma: float, steps: int, lr: float) -> dict:
    """A gradient-descent run from the base model, ~FRAMES recorded steps. ``prefill`` is the
    late recovery (at least one recovery token after the first k tokens are forced harmful) per
    recorded step; ``prefill_base`` the base model's, for the signed change.

    Trained KL-normalised, on J/β (KL weight 1, harm weight η, penalty μ/β): the same optimum,
    and a step that does not grow with β (at β = 1e6 the plain descent overflows)."""
    work = {"step": steps, **_RUN["fixed"]}
    require(s, f"a training run of {steps} steps", work, _RUN["allowance"])
    m = build(s)
    frames = min(FRAMES, max(5, FRAME_CELLS // m.T))
    run = m.train(objective, lam=eta, beta=1.0, mu=mu / beta, gamma=gamma, steps=steps, lr=lr,
                  record_every=max(1, steps // frames), parameterization=parameterization)
    # ∇J = β ∇(J/β): the figure shows the gradient of J itself
    return {"steps": run.steps, "grad": beta * run.grad_norms, "kl": run.kl,
            "exact_kl": run.exact_kl,
            "effect": run.harm_effect, "prefill": run.prefill_recovery,
            "prefill_base": run.prefill_recovery_base, "k": m.harm_horizon(),
            "t": np.arange(1, m.T + 1), "diverged": run.diverged}


@_cache
def standard(s: tuple, eta: float) -> dict:
    """Page 4: KL_t of the exact standard optimum and (eta^2/2) I_t (Theorem 14)."""
    require(s, "the exact standard optimum", {"exact": 1}, budget.HEADER_SECONDS)
    m = build(s)
    eq = m.standard_equilibrium(eta, 1.0)  # only lam/beta = eta matters
    return {"t": np.arange(1, m.T + 1), "kl": eq.kl, "approx": eq.kl_small_eta,
            "info": m.harm_information(), "k": m.harm_horizon(),
            "harm": eq.expected_harm, "harm_base": eq.expected_harm_base}


def eta_grid() -> np.ndarray:
    return np.logspace(-3, 2, 26)


@_cache
def eta_sweep(s: tuple) -> dict:
    """Total KL of the exact optimum against eta, beside (eta^2/2) Var H."""
    eta = eta_grid()
    require(s, f"the η sweep ({eta.size + 1} exact optima)", {"exact": eta.size + 1},
            budget.TAB_SECONDS)
    m = build(s)
    kl = np.array([m.standard_equilibrium_kl(e, 1.0).sum() for e in eta])
    # As η → ∞ the optimum keeps only the least harmful responses: KL → −log P_base(H = min H),
    # reached (to rounding) by η = 1e6 in every preset.
    limit = float(m.standard_equilibrium_kl(1e6, 1.0).sum())
    return {"eta": eta, "kl": kl, "approx": 0.5 * eta**2 * m.harm_variance(), "limit": limit}


@_cache
def attack(s: tuple, L: int, eta: float, beta: float, mu: float, gamma: float) -> dict:
    """Page 6 panel: recovery after L forced harmful tokens, base / standard / deep optima."""
    require(s, "the prefilling attack", {"exact": 1, "deep": 1}, budget.TAB_SECONDS)
    m = build(s)
    a = m.prefill_attack(L, eta * beta, beta, mu, gamma)
    decided = L >= 1 and L < m.T and not bool(open_on_harmful_path(m)[L])
    return {"t": a.positions, "base": a.recovery_base, "standard": a.recovery_standard,
            "decided_after_prefix": decided,
            "deep": a.recovery_deep, "end_base": float(a.recover_before_end_base),
            "end_standard": float(a.recover_before_end_standard),
            "end_deep": float(a.recover_before_end_deep), "k": m.harm_horizon(), "T": m.T,
            "shift": float(theory.recovery_shift(mu, beta, gamma, L + 1))}


@_cache
def deep(s: tuple, eta: float, beta: float, mu: float, gamma: float) -> dict:
    """Page 5: the deep optimum exactly (backward message Psi_t) and in the paper's per-prefix
    form (Theorem 20 beyond the horizon, Proposition 29 within), recovery and KL_t per position.
    Keys ``*_per_prefix`` / ``recovery_gap`` / ``kl_gap``: Proposition 29 with the base model's h_t
    (gap O(eta)); ``*_per_prefix_cont`` / ``*_gap_cont``: with the optimum's own h_t (O(eta^2))."""
    require(s, "the exact deep optimum", {"deep": 1}, budget.TAB_SECONDS)
    m = build(s)
    eq = m.deep_equilibrium(eta * beta, beta, mu, gamma)
    return {"t": np.arange(1, m.T + 1), "k": m.harm_horizon(), "tilt": eq.tilt,
            "recovery_exact": eq.recovery_exact, "recovery_per_prefix": eq.recovery_per_prefix,
            "kl_exact": eq.kl_exact, "kl_per_prefix": eq.kl_per_prefix,
            "recovery_gap": eq.recovery_gap, "kl_gap": eq.kl_gap,
            "harm_exact": eq.expected_harm_exact, "harm_per_prefix": eq.expected_harm_per_prefix,
            "recovery_per_prefix_cont": eq.recovery_per_prefix_cont,
            "kl_per_prefix_cont": eq.kl_per_prefix_cont, "recovery_gap_cont": eq.recovery_gap_cont,
            "kl_gap_cont": eq.kl_gap_cont, "harm_per_prefix_cont": eq.expected_harm_per_prefix_cont}
