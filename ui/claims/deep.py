"""Sentences, tables and formulas of the Deep alignment page: the recovery KL summed beyond the
horizon, to the depth T and to infinity (Theorem 20 summed over t, Remark 6), beside Theorem 22's
bound; each chart's headline; Theorem 20's formulas with the current values; and the toy model's
exact optimum against the per-prefix forms (Theorem 20, Proposition 29).

The case comes from the parameters, which decide it exactly: nothing is shifted when μ = 0, γ = 0
or p = 0 (aₜ = 0, or Remark 8); with γ = 1 every position beyond the horizon pays the same KL*,
so the sum to infinity diverges; with 0 < γ < 1 the shift fades like γᵗ and the sum converges.
The numbers are ``theory``'s, passed in (``ui.data.closed``, ``ui.data.toy.deep``).
"""

from __future__ import annotations

import numpy as np

from ui.text import markdown
from ui.text.latex import num, text

SIG = 4  # digits of the sums on screen (ui.text.latex.text)


def _shown(x: float) -> str:
    return text(x, SIG)


def kl_sums_table(*, k: int, T: int, to_T: float, to_inf: float, bound_T: float,
                  bound_inf: float) -> str:
    """Markdown: the exact sums and Theorem 22's bounds, to the depth T and to infinity, in nats."""
    nb = "\u00a0"  # no-break spaces: a column head must not wrap in the narrow text column
    head = f"t{nb}={nb}{k + 1}{nb}…{nb}{T}" + ("" if T > k else " (none: T = k)")
    return markdown.table(["nats", head, f"t{nb}={nb}{k + 1}{nb}…{nb}∞"], [
        ["Σ KL\\*ₜ, exact (Theorem 20)", _shown(to_T), _shown(to_inf)],
        ["Σ min(aₜ, log 1/p), the bound of Theorem 22", _shown(bound_T), _shown(bound_inf)],
    ], align="lrr")


def kl_sums_sentence(*, mu: float, gamma: float, p: float, k: int, T: int, to_T: float,
                     to_inf: float, per_position: float) -> str:
    """Which case the current parameters are in, for the sums of ``kl_sums_table``.

    ``per_position``: KL*ₜ at t = k + 1 (with γ = 1 every position beyond the horizon pays it).
    """
    zero = [name for name, off in (("μ = 0", mu == 0), ("γ = 0", gamma == 0), ("p = 0", p == 0))
            if off]
    if zero:
        why = " and ".join(zero)
        return (f"With {why} nothing is shifted beyond the horizon (aₜ = 0"
                + (", or no recovery to shift, Remark 8" if p == 0 else "")
                + "): KL\\*ₜ = 0 at every t > k, so both sums are 0 nats.")
    if gamma == 1:
        return (f"**Here γ = 1**: every position beyond the horizon pays the same KL\\*ₜ = "
                f"{_shown(per_position)} nats, so the sum to T is (T − k)·KL\\*ₜ and the sum to ∞ "
                "diverges: the total grows without bound as the depth T → ∞ (linearly in T).")
    after = max(to_inf - to_T, 0.0)
    if _shown(to_T) == _shown(to_inf):
        rest = (f"to the {SIG} digits shown, the sum to T = {T} already equals it (the "
                f"positions after T add {_shown(after)} nats)")
    else:
        rest = f"the positions after T = {T} add {_shown(after)} nats"
    return (f"**Here γ = {gamma:g} < 1**: the shift aₜ = μγᵗ/β fades like γᵗ, so the total "
            f"recovery KL beyond the horizon converges as the depth T → ∞ (Remark 6); {rest}.")



def kl_sums_text(*, p: float, mu: float, gamma: float, k: int, T: int, sums: dict) -> tuple[str, str]:
    """:func:`kl_sums_table` and :func:`kl_sums_sentence` of ``ui.data.closed.kl_sums``."""
    table = kl_sums_table(k=k, T=T, to_T=sums["to_T"], to_inf=sums["to_inf"],
                          bound_T=sums["bound_T"], bound_inf=sums["bound_inf"])
    return table, kl_sums_sentence(mu=mu, gamma=gamma, p=p, k=k, T=T, to_T=sums["to_T"],
                                   to_inf=sums["to_inf"], per_position=sums["per_position"])


def kl_sums_latex(*, gamma: float, k: int, T: int, sums: dict) -> list[str]:
    """Both sums as formulas, when they are finite and not zero (the sentence says the rest)."""
    if gamma == 1 or not sums["to_inf"] > 0:
        return []
    return [rf"\sum_{{t={k + 1}}}^{{{T}}}\mathrm{{KL}}^*_t={num(sums['to_T'])}\ \text{{nats}}",
            rf"\sum_{{t={k + 1}}}^{{\infty}}\mathrm{{KL}}^*_t={num(sums['to_inf'])}\ \text{{nats}}"]


# --- Formulas with the current values substituted --------------------------------------------

def recovery_latex(p: float, profile: dict) -> list[str]:
    """Theorem 20's r*ₜ at the first position beyond the horizon and at the depth T
    (``ui.data.closed.recovery_profile``); none when no position lies beyond the horizon."""
    t = profile["t"]
    return [rf"r^*_{{{t[i]}}}=\sigma\!\left(\operatorname{{logit}}\,{num(p)}"
            rf"+{num(profile['shift'][i])}\right)={num(profile['deep'][i], 6)}"
            for i in ((0, -1) if t.size else ())]


def kl_latex(profile: dict) -> list[str]:
    """KL*ₜ at the first position beyond the horizon and at the depth T."""
    t = profile["t"]
    if not t.size:
        return []
    return [rf"\mathrm{{KL}}^*_{{{t[0]}}}={num(profile['kl'][0])},\quad"
            rf"\mathrm{{KL}}^*_{{{t[-1]}}}={num(profile['kl'][-1])}"]


def gibbs_latex(*, p: float, mu: float, beta: float, gamma: float, t: int, d: dict) -> list[str]:
    """The shift aₜ, q*(R) = r*ₜ and KL*ₜ at position t (``ui.data.closed.at_position``)."""
    return [rf"a_{{{t}}}=\frac{{{num(mu)}\cdot{num(gamma)}^{{{t}}}}}{{{num(beta)}}}={num(d['shift'])}",
            rf"q^*(R)=r^*_{{{t}}}={num(d['deep'], 6)}\quad(\text{{base }}p={num(p)})",
            rf"\mathrm{{KL}}^*_{{{t}}}={num(d['kl'])}\ \text{{nats}}"]


# --- Headlines: what each chart shows, in one sentence ---------------------------------------

def _p(p: float) -> str:
    return f"{p:g}"


def recovery_headline(*, p: float, mu: float, gamma: float, k: int, T: int, deep) -> str:
    """The recovery chart in one sentence: Theorem 20's r*ₜ at the first position beyond the
    horizon and at the depth T, against standard RLHF, which is the base model there (Theorem 10).
    ``deep``: r*ₜ at t = k + 1 … T (``ui.data.closed.recovery_profile``)."""
    if T <= k:
        return f"No position lies beyond the horizon (T = k = {k}): there is no recovery to show."
    if p == 0:
        return ("With p = 0 the base model never recovers and no finite μ changes that "
                "(Remark 8): r*ₜ = 0 at every t > k, deep or standard.")
    first, last = float(deep[0]), float(deep[-1])
    if mu == 0 or gamma == 0:
        why = "μ = 0" if mu == 0 else "γ = 0"
        return (f"With {why} nothing is shifted: deep recovery is the base p = {_p(p)} at every "
                f"t = {k + 1}…{T}, as for standard RLHF.")
    if T == k + 1:
        return (f"Deep recovery at the one position beyond the horizon, t = {T}: r* = "
                f"{text(first, 3)}, against standard RLHF's base p = {_p(p)}.")
    if gamma == 1:
        return (f"Deep recovery is r*ₜ = {text(first, 3)} at every t = {k + 1}…{T} (γ = 1), "
                f"against standard RLHF's base p = {_p(p)}.")
    return (f"Deep recovery is r*ₜ = {text(first, 3)} at t = {k + 1} and {text(last, 3)} at the "
            f"depth T = {T}; standard RLHF stays at the base p = {_p(p)}.")


def gibbs_headline(*, p: float, t: int, deep: float, shift: float) -> str:
    """The Gibbs bars in one sentence (Theorem 20): the recovery tokens' mass p → q*(R) = r*ₜ,
    each recovery token scaled by r*/p = e^(aₜ)/Z, every other token by (1 − r*)/(1 − p) = 1/Z."""
    if p == 0:
        return (f"With p = 0 there is no recovery token to tilt (Remark 8): at t = {t} the deep "
                "optimum is the base distribution.")
    if deep == p:
        return (f"At t = {t} the shift is aₜ = {text(shift, 3)}: to the float precision the deep "
                f"optimum is the base distribution (q*(R) = p = {_p(p)}).")
    up, down = deep / p, (1.0 - deep) / (1.0 - p)
    return (f"At t = {t} the deep optimum lifts the recovery tokens from p = {_p(p)} to q*(R) = "
            f"{text(deep, 3)} (each ×{text(up, 3)}) and scales every other token by "
            f"×{text(down, 3)}.")


def tradeoff_headline(*, p: float, mu: float, gamma: float, k: int, T: int, delta_T: float,
                      kl_total: float, end_gamma: float, end_delta_T: float,
                      end_kl_total: float) -> str:
    """The depth-vs-capability chart in one sentence: the recovery Theorem 22 guarantees at depth
    T and the recovery KL it costs beyond the horizon (Theorem 20 summed), at the current γ and
    at the chart's last γ (nearest 1)."""
    if T <= k:
        return (f"No position lies beyond the horizon (T = k = {k}): no recovery to guarantee and "
                "no KL to pay, at any γ.")
    if p == 0:
        return ("With p = 0 no γ creates recovery (Remark 8): the guarantee at depth T is 0 and "
                "the KL 0 nats at every γ.")
    if mu == 0:
        return (f"With μ = 0 nothing is shifted at any γ: the guarantee at depth T = {T} stays the "
                f"base p = {_p(p)} and the KL is 0 nats.")
    return (f"At γ = {gamma:g} the guarantee at depth T = {T} is {text(delta_T, 3)} for "
            f"{text(kl_total, 3)} nats of KL beyond the horizon; at γ = {end_gamma:g} it is "
            f"{text(end_delta_T, 3)} for {text(end_kl_total, 3)} nats.")


def beyond_depth(t: int, T: int) -> str | None:
    """The position slider's value when it lies beyond the depth T (from a link or a toy chart)."""
    if t <= T:
        return None
    return (f"The position t = {t} (from a link or a toy chart's readout) lies beyond the depth "
            f"T = {T}: shown at t = {T}, and t is kept.")


def inside_horizon(t: int, k: int) -> str | None:
    """Theorem 20's closed form at a position inside the horizon leaves out the harm tilt."""
    if t > k:
        return None
    return (f"t = {t} is inside the harm horizon (t ≤ k = {k}): there the optimum also carries the "
            "harm tilt (Proposition 29), which this closed form leaves out.")


# --- Exact vs per-prefix: the toy model's exact deep optimum against the paper's forms --------

ROUNDING = 1e-12  # a gap below this is float rounding: shown in powers of ten, not as "0"
_GAPS = (("recovery, base model's hₜ", "recovery_gap"),
         ("recovery, optimum's own hₜ", "recovery_gap_cont"),
         ("KLₜ (nats), base model's hₜ", "kl_gap"),
         ("KLₜ (nats), optimum's own hₜ", "kl_gap_cont"))


def _gap(x: float) -> str:
    return text(x, 3) if x >= ROUNDING else f"{x:.1e}"


def exact_gap_table(d: dict) -> str:
    """The largest |per-prefix − exact| gap inside (t ≤ k) and beyond (t > k) the horizon, for
    recovery and KLₜ, with each choice of hₜ in Proposition 29 ("—": no position there).
    ``d``: ``ui.data.toy.deep``."""
    k, T = d["k"], len(d["t"])
    parts = (slice(0, k), slice(k, T))
    rows = [[label] + [_gap(float(np.abs(d[key][part]).max())) if part.stop > part.start else "—"
                       for part in parts] for label, key in _GAPS]
    return markdown.table(["largest per-prefix − exact gap", f"t ≤ {k}", f"t > {k}"], rows)


def exact_harm(d: dict) -> str:
    """E[H] under the exact optimum and under both per-prefix forms."""
    return (f"Expected harm E[H]: {text(d['harm_exact'], 3)} under the exact optimum, "
            f"{text(d['harm_per_prefix'], 3)} (base hₜ) and "
            f"{text(d['harm_per_prefix_cont'], 3)} (optimum's hₜ) under the per-prefix forms.")


def decay_caption(decay: float) -> str:
    """Why the per-prefix form and the exact optimum coincide beyond the horizon only at decay 1:
    there base recovery does not depend on the history, so Ψₜ does not depend on the token at t."""
    if decay == 1:
        return ("decay = 1: base recovery does not depend on the history, so beyond the horizon "
                "Theorem 20's per-prefix form *is* the exact optimum (the gap is rounding, "
                "~1e-16). Inside the horizon Proposition 29 differs by O(η) with the base model's "
                "hₜ and by O(η²) with the optimum's own. Lower the decay to see a gap beyond the "
                "horizon.")
    return (f"decay = {decay:g} < 1: each harmful token lowers later base recovery, so Ψₜ depends "
            "on the token at t. The exact optimum also steers away from C to keep later recovery "
            "cheap; Theorem 20 looks at one position only. The two differ beyond the horizon too, "
            "and that gap does not shrink with η, whichever hₜ is used (set decay = 1 to make them "
            "coincide there).")
