"""Sentences of the Deep alignment page: the recovery KL summed beyond the horizon, to the depth T
and to infinity (Theorem 20 summed over t, Remark 6), beside Theorem 22's bound.

The case comes from the parameters, which decide it exactly: nothing is shifted when μ = 0, γ = 0
or p = 0 (aₜ = 0, or Remark 8); with γ = 1 every position beyond the horizon pays the same KL*,
so the sum to infinity diverges; with 0 < γ < 1 the shift fades like γᵗ and the sum converges.
The numbers are ``theory``'s, passed in (``ui.data.closed.recovery_profile``, ``recovery_kl_limit``).
"""

from __future__ import annotations

from ui.text.latex import text

SIG = 4  # digits of the sums on screen (ui.text.latex.text)


def _shown(x: float) -> str:
    return text(x, SIG)


def kl_sums_table(*, k: int, T: int, to_T: float, to_inf: float, bound_T: float,
                  bound_inf: float) -> str:
    """Markdown: the exact sums and Theorem 22's bounds, to the depth T and to infinity, in nats."""
    nb = "\u00a0"  # no-break spaces: a column head must not wrap in the narrow text column
    head = f"t{nb}={nb}{k + 1}{nb}…{nb}{T}" + ("" if T > k else " (none: T = k)")
    return "\n".join([
        f"| nats | {head} | t{nb}={nb}{k + 1}{nb}…{nb}∞ |",
        "|---|---:|---:|",
        f"| Σ KL\\*ₜ, exact (Theorem 20) | {_shown(to_T)} | {_shown(to_inf)} |",
        f"| Σ min(aₜ, log 1/p), the bound of Theorem 22 | {_shown(bound_T)} | {_shown(bound_inf)} |",
    ])


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
