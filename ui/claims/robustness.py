"""Sentences of the Robustness & attacks page: where Theorem 22's guarantee falls below the
target δ, and Corollary 23's minimum attack length, at the current parameters.

The numbers are ``theory``'s, passed in (``ui.data.closed.recoverability_by_depth``,
``ui.claims.corollary23.attack``); the case is chosen from them.
"""

from __future__ import annotations

import math

import numpy as np

from ui.text.latex import text


def depth_headline(*, depth, r_min, delta: float, k: int, T: int) -> str:
    """The δ-recoverability chart in one sentence: down to which depth T′ the guarantee
    r_min(T′) = σ(logit p_min + μγ^T′/β) of Theorem 22 stays at or above δ. r_min does not
    rise with T′ (γ ≤ 1), so the depths that reach δ come first."""
    r = np.asarray(r_min, dtype=float)
    if T <= k or not r.size:
        return (f"No depth lies beyond the horizon (T = k = {k}): Theorem 22 has no position to "
                "guarantee.")
    ok = r >= delta
    if ok.all():
        return (f"The guarantee r_min(T′) is at least δ = {delta:g} at every depth T′ = "
                f"{k + 1}…{T}: {text(r[-1], 3)} at T′ = {T}.")
    if not ok.any():
        return (f"The guarantee r_min(T′) is below δ = {delta:g} at every depth, already "
                f"{text(r[0], 3)} at T′ = {k + 1}.")
    j = int(np.argmin(ok))  # the first depth below δ
    return (f"The guarantee r_min(T′) stays at or above δ = {delta:g} down to depth T′ = "
            f"{int(depth[j - 1])} and is below it from T′ = {int(depth[j])} on ({text(r[-1], 3)} "
            f"at T′ = {T}).")


def attack_headline(*, length: float, delta: float, mu: float, gamma: float) -> str:
    """The attack-length chart in one sentence, at the current μ and γ (Corollary 23, with the
    app's refinement L* = max(k, ⌊τ⌋))."""
    at = f"At μ = {mu:g} and γ = {gamma:g}"
    if math.isinf(length):
        return (f"{at} no harmful prefix of any length pushes recovery below δ = {delta:g} "
                "(L* = ∞).")
    n = int(length)
    tokens = "token" if n == 1 else "tokens"
    if n == 0:
        return f"{at} recovery is below δ = {delta:g} without any prefix (L* = 0)."
    return (f"{at} the shortest harmful prefix after which recovery is below δ = {delta:g} has "
            f"L* = {n} {tokens}.")
