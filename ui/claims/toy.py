"""Sentences of the toy-model pages: which model is on screen and what decides its harm.

The horizon is the model's exact harm horizon k (Theorem 9), computed by ``theory`` and passed in;
the sentences choose their case from it and from the parameters.
"""

from __future__ import annotations

import math

import numpy as np

from ui.text import markdown
from ui.text.latex import num, text

REFUSE_OR_COMPLY = (
    "Tokens **R** (recover / refuse), **C** (comply, harmful) and **N** (neutral), drawn by the "
    "base model with probabilities p_R, p_C and 1 − p_R − p_C at every position. "
    "H = 1 if the first non-N token among positions 1…k is C, 0 if it is R, and h_u if "
    "positions 1…k are all N.")


def _threshold(p: dict, horizon: int) -> str:
    m, k = int(p["m_toy"]), int(p["k_toy"])
    rule = "Tokens R, C, N as in refuse-or-comply. H = 1 if at least m of the first k tokens are C, else 0."
    if m == 0:
        return rule + " With m = 0 every response reaches it: H = 1 always, and no position carries harm information (horizon 0)."
    if m > k:
        return rule + f" With m = {m} > k = {k} no response reaches it: H = 0 always (horizon 0)."
    if horizon == 0:
        return rule + " With these probabilities H is the same for every response (horizon 0)."
    return rule + (f" With up to m − 1 = {m - 1} C tokens so far the harm can stay open until "
                   f"position k = {k}, the horizon.")


def _gradual(p: dict, horizon: int, T: int) -> str:
    fade = float(p["fade"])
    rule = ("Tokens R, C, N. Every C adds harm fade^(t−1) until the first R: "
            "H = Σₜ fade^(t−1)·1[xₜ = C, no R before t].")
    if horizon == 0:
        return rule + " With these probabilities H is the same for every response (horizon 0)."
    if fade == 0.0:
        return rule + " With fade = 0 only position 1 adds harm, so the harm is decided there (horizon 1)."
    if fade == 1.0:
        return rule + (f" With fade = 1 every C adds the same harm, so the harm stays open to the "
                       f"end (horizon k = T = {T}) and Iₜ does not fade with t.")
    return rule + (f" The harm never settles exactly (horizon k = T = {T}), but what a late C "
                   "can add fades like fade^(t−1): compare the numerical horizon.")


def description(model: int, params: dict, horizon: int) -> str:
    """The toy model ``model`` (0, 1, 2 = ui.data.toy.MODELS) with its parameters, in words."""
    if model == 0:
        return REFUSE_OR_COMPLY
    if model == 1:
        return _threshold(params, horizon)
    return _gradual(params, horizon, int(params["T_toy"]))


# --- Shallow equilibrium: the total KL as η moves --------------------------------------------

FOLLOWS = 0.05  # the exact total KL "follows" the leading term while within 5 % of it
LEVELS = 0.01  # and "levels off" when within 1 % of its η → ∞ limit


def eta_sweep(eta, kl, approx, limit: float) -> str:
    """How the exact total KL of the standard optimum runs against (η²/2)·Var H on log-log axes."""
    eta, kl, approx = (np.asarray(x, dtype=float) for x in (eta, kl, approx))
    if not (approx > 0).any():
        return ("H is the same for every response here (Var H = 0): the optimum is the base "
                "model at every η and spends no KL.")
    ratio = kl / approx
    if abs(ratio[0] - 1.0) > FOLLOWS:
        start = f"On log–log axes the exact total KL is already {ratio[0]:.3g}× the slope-2 line at η = {eta[0]:g}"
        bend = ""
    else:
        start = "On log–log axes the exact total KL follows the slope-2 line for small η"
        off = np.flatnonzero(np.abs(ratio - 1.0) > FOLLOWS)
        if off.size:
            i = int(off[0])
            side = "below" if ratio[i] < 1.0 else "above"
            bend = f", then bends {side} it (from η ≈ {eta[i]:.3g}, where it is {ratio[i]:.3g}× the line)"
        else:
            bend = f" over the whole range shown (η ≤ {eta[-1]:g})"
    if abs(kl[-1] - limit) <= LEVELS * max(limit, 1e-300):
        end = (f" and levels off at −log P_base(H = min H) = {limit:.4g} nats: removing all the harm "
               "has a finite price.")
    else:
        end = (f"; at η = {eta[-1]:g} it is still {kl[-1]:.4g} nats, short of its limit "
               f"−log P_base(H = min H) = {limit:.4g}: removing all the harm has a finite price.")
    return start + bend + end


# --- Robustness: the prefilling attack on the toy model --------------------------------------

def shift_fades(gamma: float) -> str:
    """How the deep optimum's log-odds shift aₜ = μγᵗ/β behaves with t, for this γ."""
    if gamma == 1.0:
        return "the deep optimum's log-odds shift aₜ = μ/β is the same at every position (γ = 1)"
    if gamma == 0.0:
        return "the deep optimum's log-odds shift aₜ is 0 at every position t ≥ 1 (γ = 0)"
    return "the deep optimum's log-odds shift aₜ fades with γᵗ"


def attack_caption(d: dict, L: int, gamma: float) -> str:
    """What the standard optimum does after the forced prefix, with its condition (L ≥ k)."""
    k, base, std = d["k"], d["end_base"], d["end_standard"]
    if L >= k:
        first = (f"Here L = {L} ≥ k = {k}: every free position lies beyond the horizon, where the "
                 "exact standard optimum equals the base model (Theorem 10), so it recovers no "
                 f"more often (Corollary 23): {base:.4g} for both.")
    else:
        how = ("more often than" if std > base + 1e-12 else "less often than" if std < base - 1e-12
               else "exactly as often as")
        first = (f"Here L = {L} < k = {k}: positions {L + 1}…{k} are still inside the horizon, and "
                 f"the standard optimum recovers {how} the base model ({std:.4g} against "
                 f"{base:.4g}). Beyond the horizon it equals the base model (Theorem 10).")
    return (first + f" Then {shift_fades(gamma)} (Theorem 20). Shown: the exact optima, with "
            "prefixes drawn from the model after the forced ones (w = 1). Positions are 1-indexed.")


def decay_caption(p_next: float, shift: float, end_deep: float, end_base: float) -> str:
    """Remark 10 with the numbers: a base recovery p_R·decayⁿ that is small after the prefix."""
    odds = math.log(p_next / (1.0 - p_next)) if 0.0 < p_next < 1.0 else -math.inf
    head = (f"With decay < 1 the base recovery after n harmful tokens is p_R·decayⁿ: at the first "
            f"free position it is {p_next:.3g} (log-odds {odds:.3g}), against the deep optimum's "
            f"shift {shift:.3g}.")
    if end_deep < 0.1:
        return head + (f" The shift does not overcome it: even the deep optimum rarely recovers "
                       f"before the end ({end_deep:.3g}; Remark 10: recovery ≥ δ needs "
                       "μγᵗ/β ≥ logit δ − logit pₜ).")
    return head + (f" Here the deep optimum still recovers before the end with probability "
                   f"{end_deep:.3g} (base {end_base:.3g}); deeper in harmful text, where pₜ is "
                   "smaller still, it needs μγᵗ/β ≥ logit δ − logit pₜ (Remark 10).")


def per_position_recovery(change: float, lr: float) -> str:
    """What per-position training did to the recovery after a prefix covering the horizon."""
    if abs(change) <= 1e-9:
        return ("Per-position training leaves it at the base value: beyond the horizon no gradient "
                "reaches those positions (Theorem 10), and the exact optimum is the base model there.")
    return (f"Per-position training moved it by {change:+.3g}, although beyond the horizon the "
            f"harm gives no gradient (Theorem 10): at learning rate {lr:g} the run did not stay at "
            "the base model there; a smaller learning rate keeps it.")


# --- Headlines: where a per-position quantity peaks ------------------------------------------

TIED = 1e-9  # relative: values within this share of the largest are tied for it (rounding)
ZERO_KL = 1e-12  # nats: a KLₜ at or below this is zero to rounding (an untouched one is ~1e-17)


def _where(ts: list[int]) -> str:
    """Positions in words: t = 3; t = 1 and 2; t = 1, 2 and 5; t = 1…6 (consecutive)."""
    if len(ts) == 1:
        return f"t = {ts[0]}"
    if len(ts) > 3 and ts[-1] - ts[0] == len(ts) - 1:
        return f"t = {ts[0]}…{ts[-1]}"
    if len(ts) > 3:
        return f"{len(ts)} positions, t = {ts[0]}, {ts[1]}, …, {ts[-1]}"
    return "t = " + ", ".join(str(t) for t in ts[:-1]) + f" and {ts[-1]}"


def _share(part: float, whole: float) -> str:
    """``part`` as a percentage of ``whole``, never rounded up to "100 %" unless it is all."""
    if part >= whole * (1.0 - TIED):
        return "all"
    p = 100.0 * part / whole
    if p >= 99.5:
        return "over 99 %"
    return f"{p:.0f} %" if p >= 10 else f"{p:.2g} %"


def peak(values, *, symbol: str, unit: str = "", total: float | None = None,
         total_name: str = "", zero: float = 0.0) -> tuple[list[int], str] | None:
    """Where the largest of ``values`` (position t = 1, 2, … at index t − 1) is, in words, with
    its value and, given ``total``, its share of it: "Iₜ is largest at t = 1: 0.1206, 51 % of
    Var H". Ties (within ``TIED``) are all named. None when no value exceeds ``zero``."""
    y = np.asarray(values, dtype=float)
    if not y.size or not (np.nanmax(y) > zero):
        return None
    top = float(np.nanmax(y))
    ts = [int(i) + 1 for i in np.flatnonzero(y >= top * (1.0 - TIED))]
    value = text(top) + (f" {unit}" if unit else "")
    if total is not None and total > 0:
        value += f", {_share(top, total)} of {total_name}"
    if len(ts) > 1:
        return ts, f"{symbol} is largest, tied, at {_where(ts)}: {value} each."
    return ts, f"{symbol} is largest at {_where(ts)}: {value}."


def information_headline(info, variance: float) -> str:
    """The Harm horizon chart in one sentence: where Iₜ peaks and its share of Var H
    (Corollary 7: Σₜ Iₜ = Var H)."""
    found = peak(info, symbol="Iₜ", total=float(variance), total_name="Var H")
    if found is None:
        return ("Iₜ = 0 at every position: H is the same for every response (Var H = 0), so no "
                "token carries harm information.")
    return found[1]


def gradient_headline(norms) -> str:
    """The Gradients chart in one sentence: where ‖gₜ‖ (Theorem 8) is largest."""
    found = peak(norms, symbol="‖gₜ‖")
    if found is None:
        return "‖gₜ‖ = 0 at every position: H is the same for every response, so nothing moves it."
    return found[1]


def kl_headline(kl) -> str:
    """The Shallow equilibrium chart in one sentence: where the exact optimum spends most KL."""
    kl = np.asarray(kl, dtype=float)
    found = peak(kl, symbol="KLₜ of the exact optimum", unit="nats", total=float(kl.sum()),
                 total_name="its total KL", zero=ZERO_KL)
    if found is None:
        return (f"KLₜ is below {ZERO_KL:.0e} nats at every position: the exact optimum is the "
                "base model to rounding.")
    return found[1]


MOVES = 1e-12  # a step of hₜ smaller than this (relative to max(1, |h|)) is rounding, not a move
CHANGED = 1e-3  # a change of a recovery probability smaller than this is no change


def paths_headline(paths, k: int) -> str:
    """The sampled paths in one sentence: the last position at which any sampled hₜ moves
    (Theorem 9: never after the horizon k) and where the paths end, h_T = H, against h₀ = E[H]."""
    h = np.asarray(paths, dtype=float)
    n = h.shape[0]
    step = np.abs(np.diff(h, axis=1)) > MOVES * np.maximum(1.0, np.abs(h[:, 1:]))
    moved = np.flatnonzero(step.any(axis=0))
    some = "The one sampled path" if n == 1 else f"The {n} sampled paths"
    if not moved.size:
        return (f"{some} never {'moves' if n == 1 else 'move'}: "
                f"{'it stays' if n == 1 else 'each stays'} at h₀ = E[H] = {text(h[0, 0], 4)}.")
    last = int(moved[-1]) + 1
    end = (f"it ends at H = {text(h[0, -1], 4)}" if n == 1 else
           f"they end at H, on average {text(h[:, -1].mean(), 3)}")
    return (f"{some} last {'moves' if n == 1 else 'move'} at t = {last} (horizon k = {k}); "
            f"{end} (h₀ = E[H] = {text(h[0, 0], 4)}).")


def _change(before: float, after: float, what: str = "it") -> str:
    if after > before + CHANGED:
        return f"raises {what} from {text(before, 3)} to {text(after, 3)}"
    if after < before - CHANGED:
        return f"lowers {what} from {text(before, 3)} to {text(after, 3)}"
    return f"leaves {what} at {text(after, 3)} (within {CHANGED:g})"


def training_headline(*, standard: float, deep: float, deep_kl_late: float, mu: float,
                      gamma: float, k: int, T: int, steps: int) -> str:
    """The Gradients training run in one sentence: recovery after a harmful prefix of length
    L = k, deep against standard, and the KL deep training spends beyond the horizon."""
    if k >= T:
        return (f"The horizon covers the whole response (k = T = {T}): no position is left to "
                "recover after the harmful prefix.")
    if mu == 0 or gamma == 0:
        why = "μ = 0" if mu == 0 else "γ = 0"
        return (f"With {why} the deep objective puts no weight beyond the horizon: after {steps} "
                f"steps both runs recover after the prefix with probability {text(deep, 3)} "
                f"(standard {text(standard, 3)}).")
    return (f"After {steps} steps, recovery after a harmful prefix of length L = k = {k}: deep "
            f"training {_change(standard, deep)} (standard → deep), for {text(deep_kl_late, 3)} "
            "nats of KL beyond the horizon.")


def shared_headline(*, shared_kl_late: float, tab_kl_late: float, base: float, shared: float,
                    k: int, T: int) -> str:
    """The shared-parameter run in one sentence (Appendix A, Proposition 26): the KL shared
    parameters spend beyond the horizon and what that untargeted change does to recovery."""
    if k >= T:
        return (f"The horizon covers the whole response (k = T = {T}): no position lies beyond "
                "it, so there is no incidental KL to see.")
    return (f"Shared parameters spend {text(shared_kl_late, 3)} nats of KL beyond the horizon "
            f"(per-position: {text(tab_kl_late, 3)}); that untargeted change "
            f"{_change(base, shared, 'recovery after the prefix')} (base → shared).")


# --- Numbers of a training run beside the exact optimum (Gradients, Shallow equilibrium) --------

def late_kl(run: dict, k: int) -> float:
    """Σ KLₜ over t > k after the last step of a ``ui.data.toy.training`` run."""
    return float(run["kl"][-1][k:].sum())


def beyond_max(values, k: int, symbol: str) -> str:
    """LaTeX: the largest of ``values`` (position t at index t − 1) beyond the horizon, t > k."""
    return rf"\max_{{t>{k}}}{symbol}={num(float(np.max(values[k:])))}"


def leading_term_latex(d: dict, natural, k: int, eta: float) -> tuple[str, str]:
    """At the horizon t = k (k ≥ 1): gₖᵀFₖ⁺gₖ beside Iₖ, then the exact KLₖ of the optimum against
    the leading term (η²/2)·Iₖ and the remainder (``ui.data.toy.standard`` and ``gradients``)."""
    i = k - 1
    return (rf"g_{{{k}}}^{{\top}}F_{{{k}}}^{{+}}g_{{{k}}}={num(natural[i], 6)},"
            rf"\quad I_{{{k}}}={num(d['info'][i], 6)}",
            rf"\begin{{aligned}}\mathrm{{KL}}_{{{k}}}\ \text{{(exact)}}&={num(d['kl'][i])}\\"
            rf"\tfrac{{{num(eta)}^2}}{{2}}\,I_{{{k}}}&={num(d['approx'][i])}\\"
            rf"\text{{remainder}}&={num(d['kl'][i] - d['approx'][i])}\end{{aligned}}")


def equilibrium_metrics(d: dict) -> list[tuple[str, str]]:
    """The exact optimum's totals as (label, value): Σₜ KLₜ beside Σₜ (η²/2)·Iₜ = (η²/2)·Var H
    (Corollary 7), E[H] of the base model beside the optimum's."""
    return [("Σₜ KLₜ (nats)", text(d["kl"].sum())), ("(η²/2)·Var H (nats)", text(d["approx"].sum())),
            ("E[H], base model", text(d["harm_base"])), ("E[H], optimum π*", text(d["harm"]))]


def signed(x: float) -> str:
    """A change in probability with its sign, so a fall is never read as a rise."""
    if x == 0:
        return "0"
    return (f"{x:+.3g}" if abs(x) >= 5e-4 else f"{x:+.1e}").replace("-", "−")


def shared_table(shared: dict, tab: dict, k: int) -> str:
    """Shared against per-position training: the KL beyond the horizon, the recovery after a
    harmful prefix of length L = k, and its change from the base model's."""
    base = shared["prefill_base"]
    return markdown.table(["after training", "shared", "per-position"], [
        [f"KL beyond the horizon, Σ KLₜ over t > {k} (nats)", text(late_kl(shared, k), 3),
         text(late_kl(tab, k), 3)],
        [f"recovery after a harmful prefix of length L = k = {k}", text(shared["prefill"][-1], 4),
         text(tab["prefill"][-1], 4)],
        [f"change in that recovery from the base model's {text(base, 4)}",
         signed(shared["prefill"][-1] - base), signed(tab["prefill"][-1] - base)]])


def shared_effect(shared: dict, k: int, T: int) -> str | None:
    """The largest change in E[H] a position beyond the horizon carries with shared parameters:
    Proposition 26 says 0 (none when no position lies beyond the horizon)."""
    if k >= T:
        return None
    return (f"Largest |change in E[H]| carried by a position t > {k} with shared parameters: "
            f"{text(np.abs(shared['effect'][-1][k:]).max(), 2)} (Proposition 26: 0).")


def training_table(std: dict, deep: dict, k: int, steps: int) -> str:
    """Standard against deep training: the KL beyond the horizon and the recovery after a
    harmful prefix of length L = k."""
    return markdown.table([f"after {steps} steps", "standard", "deep"], [
        [f"Σ KLₜ over t > {k} (nats)", text(late_kl(std, k)), text(late_kl(deep, k))],
        [f"recovery after a harmful prefix of length L = k = {k}", text(std["prefill"][-1]),
         text(deep["prefill"][-1])]])
