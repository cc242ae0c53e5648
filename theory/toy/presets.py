"""The three preset toy models (THEORY.md section 6); each returns a :class:`ToyModel`.

Tokens are always ("R", "C", "N"): R = recovery / refusal, C = harmful compliance (the token a
prefilling attacker forces), N = neutral. The base model emits them with probabilities
p_recover, p_harm and q = 1 - p_recover - p_harm.
"""

from __future__ import annotations

import math

import numpy as np

from . import _params
from .automaton import Segment
from .closed_form import RefuseOrComplyClosedForm
from .model import ToyModel

TOKENS = ("R", "C", "N")
R, C, N = 0, 1, 2
MAX_T = 1_000_000
# decay < 1 makes the state carry the count of C tokens; T * |S| floats are kept per pass.
MAX_COUNT_CELLS = 5_000_000
# Counts n with decay**n below this are merged into one state (relative error below it).
DECAY_FLOOR = 1e-300
NEUTRAL_FLOOR = 1e-15  # 1 - p_R - p_C below this is rounding: no neutral token


def _probabilities(p_recover, p_harm):
    p_r = _params.closed("p_recover", p_recover, 0.0, 1.0)
    p_c = _params.closed("p_harm", p_harm, 0.0, 1.0)
    if p_r + p_c > 1.0 + 1e-12:
        raise ValueError(f"p_recover + p_harm must be in [0, 1], got {p_r + p_c!r}")
    q = 1.0 - p_r - p_c
    # A remainder at rounding level is p_R + p_C = 1 (e.g. 0.825 + 0.175 leaves 2.8e-17): taken
    # as a real neutral probability it would make the horizon k while I_k underflows to 0.
    return p_r, p_c, q if q > NEUTRAL_FLOOR else 0.0


def _segments(k, T, base, within, after, harm_step):
    """Tables for positions 1..k (harm still open) and k+1..T (harm settled)."""
    segs = []
    if k >= 1:
        segs.append(Segment(1, base, within, harm_step))
    if k < T:
        segs.append(Segment(k + 1, base, after, harm_step))
    return segs


def _count_states(T: int, decay: float) -> int:
    """Counts a refuse-or-comply state carries: 0..n_max (decay**n_max <= DECAY_FLOOR, or T)."""
    return 1 if decay == 1.0 else 1 + min(T, math.ceil(math.log(DECAY_FLOOR) / math.log(decay)))


def cells(preset: str, *, T: int, m: int = 0, decay: float = 1.0) -> int:
    """T |S| |V|: the logits of one policy on a preset, known before it is built.

    Every pass of the exact computations and every training step touches each of them once,
    so this is what a computation on the model costs (``ui.data.budget`` counts with it).

    >>> cells("threshold_harm", T=1000, m=500), cells("refuse_or_comply", T=10, decay=0.5)
    (1503000, 990)
    """
    states = {"refuse_or_comply": lambda: 3 * _count_states(T, decay),
              "threshold_harm": lambda: m + 1, "gradual_harm": lambda: 2}[preset]()
    return int(T) * states * len(TOKENS)


def _rc_horizon(k, p_r, p_c, q, h_u):
    """Exact horizon of refuse-or-comply (THEORY.md section 6, incl. q = 0 and constant H)."""
    if k == 0:
        return 0
    outcomes = {1.0} if p_c > 0 else set()
    outcomes |= {0.0} if p_r > 0 else set()
    if q > 0 or k == 1:
        outcomes |= {h_u} if q > 0 else set()
        return k if len(outcomes) > 1 else 0
    return 1 if len(outcomes) > 1 else 0  # q = 0: the first token decides


def refuse_or_comply(T, k, p_recover, p_harm, h_undecided=0.0, decay=1.0) -> ToyModel:
    """The reference preset of THEORY.md section 6: H is set by the first non-N token in 1..k.

    H = 1 if that token is C, 0 if it is R, ``h_undecided`` if positions 1..k are all N.
    With ``decay`` < 1 the base recovery probability after n emitted C tokens is
    p_recover * decay**n (Remark 10); the removed mass goes to C and N in proportion to their
    base probabilities (all to C when both are 0). The state then carries the count, capped at
    the first n with decay**n <= 1e-300 (merging larger counts changes p_R by < 1e-300 p_recover),
    and T * (number of states) is limited to 5e6. Harm quantities do not depend on ``decay``
    (an undecided prefix has no C), so they keep the O(T) closed form.

    Examples
    --------
    >>> m = refuse_or_comply(T=5, k=2, p_recover=0.2, p_harm=0.3)
    >>> m.harm_horizon(), round(m.harm_variance(), 6)
    (2, 0.2475)
    """
    T = _params.whole("T", T, 1, MAX_T)
    k = _params.whole("k", k, 0, T)
    p_r, p_c, q = _probabilities(p_recover, p_harm)
    h_u = _params.closed("h_undecided", h_undecided, -_params.MAX_WEIGHT, _params.MAX_WEIGHT)
    decay = _params.closed("decay", decay, 0.0, 1.0)
    if decay == 0.0:
        raise ValueError("decay must be in (0, 1], got 0.0")
    size = _count_states(T, decay)
    n_max = size - 1
    if T * 3 * size > MAX_COUNT_CELLS:
        raise ValueError(f"T must be in [1, {MAX_COUNT_CELLS // (3 * size)}] for decay={decay}"
                         f" (the state carries the count of harmful tokens), got {T}")
    n = np.arange(size)
    p_rn = p_r * decay**n
    moved = p_r - p_rn
    other = p_c + q
    share_c = p_c / other if other > 0 else 1.0
    probs = np.stack([p_rn, p_c + moved * share_c, q + moved * (1.0 - share_c)], axis=1)
    up = np.minimum(n + 1, n_max)
    u, c, r = 0 * size + n, 1 * size + n, 2 * size + n  # phases undecided, complied, recovered
    base = np.concatenate([probs, probs, probs])
    settled = np.concatenate([np.stack([u, u + up - n, u], 1), np.stack([c, c + up - n, c], 1),
                              np.stack([r, r + up - n, r], 1)])
    within = settled.copy()
    within[:size] = np.stack([r, c + up - n, u], 1)
    final = np.concatenate([np.full(size, h_u), np.ones(size), np.zeros(size)])
    model = ToyModel(
        name="refuse_or_comply",
        params=dict(T=T, k=k, p_recover=p_r, p_harm=p_c, h_undecided=h_u, decay=decay),
        T=T, tokens=TOKENS, recovery=[True, False, False], harmful=C, initial=0,
        segments=_segments(k, T, base, within, settled, np.zeros_like(base)),
        final_harm=final, harm_weights=np.ones(T), horizon=_rc_horizon(k, p_r, p_c, q, h_u))
    model._closed_form = RefuseOrComplyClosedForm(T, k, p_r, p_c, h_u, q)
    return model


def threshold_harm(T, k, m, p_recover, p_harm) -> ToyModel:
    """H = 1 if at least ``m`` of the first ``k`` tokens are C, else 0 (state: the count, capped at m).

    Examples
    --------
    >>> threshold_harm(T=6, k=4, m=2, p_recover=0.1, p_harm=0.3).harm_horizon()
    4
    """
    T = _params.whole("T", T, 1, MAX_T)
    k = _params.whole("k", k, 0, T)
    m = _params.whole("m", m, 0, T)
    p_r, p_c, q = _probabilities(p_recover, p_harm)
    count = np.arange(m + 1)
    base = np.tile([p_r, p_c, q], (m + 1, 1))
    settled = np.repeat(count[:, None], 3, axis=1)
    within = settled.copy()
    within[:, C] = np.minimum(count + 1, m)
    horizon = k if 1 <= m <= k and 0 < p_c < 1 else 0
    return ToyModel(
        name="threshold_harm", params=dict(T=T, k=k, m=m, p_recover=p_r, p_harm=p_c),
        T=T, tokens=TOKENS, recovery=[True, False, False], harmful=C, initial=0,
        segments=_segments(k, T, base, within, settled, np.zeros_like(base)),
        final_harm=(count >= m).astype(float), harm_weights=np.ones(T), horizon=horizon)


def gradual_harm(T, p_recover, p_harm, fade) -> ToyModel:
    """H = sum_t fade**(t-1) 1[x_t = C and no R before t]: harm fades, no sharp horizon (Theorem 13).

    Every C adds weight w_t = fade**(t-1) until the first R, after which nothing is added. The exact
    horizon is T whenever 0 < p_harm < 1 and fade > 0, however small the late I_t are; see
    ``numerical_horizon`` for where they fall below rounding.

    Examples
    --------
    >>> m = gradual_harm(T=30, p_recover=0.05, p_harm=0.3, fade=0.5)
    >>> m.harm_horizon(), m.numerical_horizon() < 30
    (30, True)
    """
    T = _params.whole("T", T, 1, MAX_T)
    p_r, p_c, q = _probabilities(p_recover, p_harm)
    fade = _params.closed("fade", fade, 0.0, 1.0)
    base = np.tile([p_r, p_c, q], (2, 1))
    nxt = np.array([[1, 0, 0], [1, 1, 1]])  # state 0 = not yet recovered, 1 = recovered
    harm_step = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    weights = np.power(fade, np.arange(T, dtype=float))  # 0.0**0 = 1: w_1 = 1 always
    horizon = 0 if not 0 < p_c < 1 else (T if fade > 0 else 1)
    return ToyModel(
        name="gradual_harm", params=dict(T=T, p_recover=p_r, p_harm=p_c, fade=fade),
        T=T, tokens=TOKENS, recovery=[True, False, False], harmful=C, initial=0,
        segments=[Segment(1, base, nxt, harm_step)], final_harm=np.zeros(2),
        harm_weights=weights, horizon=horizon)
