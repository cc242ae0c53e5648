"""Sentences of the Deep alignment page: the recovery KL summed beyond the horizon, to the depth T
and to infinity (Theorem 20 summed over t, Remark 6), beside Theorem 22's bound.

The case comes from the parameters, which decide it exactly: nothing is shifted when μ = 0, γ = 0
or p = 0 (aₜ = 0, or Remark 8); with γ = 1 every position beyond the horizon pays the same KL*,
so the sum to infinity diverges; with 0 < γ < 1 the shift fades like γᵗ and the sum converges.
The numbers are ``theory``'s, passed in (``ui.data.recovery_profile``, ``recovery_kl_limit``).
"""

from __future__ import annotations

from ..latex import text

SIG = 4  # digits of the sums on screen (ui.latex.text)


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

