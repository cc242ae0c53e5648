"""The martingale decomposition of H under the base model (paper section 4, THEORY.md section 2)."""

from __future__ import annotations

import numpy as np

from .automaton import base_values, forward, push
from .results import HarmValues, MartingaleCheck

MAX_T_COVARIANCE = 400  # the full E[Delta_s Delta_t] matrix costs O(T^2 |S| |V|)


def base_policy(model):
    return lambda t: model.step(t).base


def innovations(model, values, t) -> np.ndarray:
    """(S, V) Delta_t = h_t - h_{t-1} when v is emitted from state s at position t."""
    seg = model.step(t)
    return model.harm_step(t) + values[t][seg.next_state] - values[t - 1][:, None]


def harm_values(model) -> HarmValues:
    probs = forward(model, base_policy(model))
    return HarmValues(values=base_values(model), probability=probs, reachable=probs > 0)


def harm_information(model) -> np.ndarray:
    """I_t = E[Delta_t^2] = E[Var(h_t | x_<t)] for t = 1..T (Definition 5, Proposition 6)."""
    values = base_values(model)
    p = model.start()
    info = np.empty(model.T)
    for t in range(1, model.T + 1):
        seg = model.step(t)
        info[t - 1] = p @ (seg.base * innovations(model, values, t) ** 2).sum(axis=1)
        p = push(p, seg.base, seg.next_state)
    return info


def second_moment(model) -> tuple[float, float]:
    """(E[H], E[H^2]) by a backward pass of the first two moments, independent of I_t."""
    mean = model.final_harm.copy()
    square = model.final_harm**2
    for t in range(model.T, 0, -1):
        seg = model.step(t)
        c = model.harm_step(t)
        nxt_mean, nxt_square = mean[seg.next_state], square[seg.next_state]
        mean = (seg.base * (c + nxt_mean)).sum(axis=1)
        square = (seg.base * (c**2 + 2 * c * nxt_mean + nxt_square)).sum(axis=1)
    return float(mean[model.initial]), float(square[model.initial])


def numerical_horizon(info: np.ndarray, mean: float, square: float) -> int:
    """Last t with I_t above 1e-12 max(Var H, 1e-12 E[H^2], 1e-300) (THEORY.md section 2)."""
    variance = max(square - mean**2, 0.0)
    threshold = 1e-12 * max(variance, 1e-12 * square, 1e-300)
    above = np.flatnonzero(info > threshold)
    return int(above[-1] + 1) if above.size else 0


def innovation_covariance(model) -> np.ndarray:
    """(T, T) matrix E[Delta_s Delta_t]: diagonal I_t, off-diagonal zero (Proposition 4)."""
    T = model.T
    values = base_values(model)
    probs = forward(model, base_policy(model))
    deltas = [innovations(model, values, t) for t in range(1, T + 1)]
    cov = np.zeros((T, T))
    for t in range(1, T + 1):
        seg = model.step(t)
        cov[t - 1, t - 1] = probs[t - 1] @ (seg.base * deltas[t - 1] ** 2).sum(axis=1)
        ahead = (seg.base * deltas[t - 1]).sum(axis=1)  # E[Delta_t | s_{t-1}]
        for u in range(t - 1, 0, -1):  # walk E[Delta_t | s_u] back and pair it with Delta_u
            seg_u = model.step(u)
            pair = seg_u.base * deltas[u - 1] * ahead[seg_u.next_state]
            cov[u - 1, t - 1] = cov[t - 1, u - 1] = probs[u - 1] @ pair.sum(axis=1)
            ahead = (seg_u.base * ahead[seg_u.next_state]).sum(axis=1)
    return cov


def martingale_check(model, info: np.ndarray) -> MartingaleCheck:
    mean, square = second_moment(model)
    cov = innovation_covariance(model)
    off = cov - np.diag(np.diag(cov))
    return MartingaleCheck(information_sum=float(info.sum()), variance=square - mean**2,
                           max_cross_moment=float(np.abs(off).max()) if model.T > 1 else 0.0)


def sample_paths(model, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """(n_paths, T+1) sampled martingale paths h_0..h_T under the base model (h_T = H)."""
    values = base_values(model)
    state = np.full(n_paths, model.initial)
    accrued = np.zeros(n_paths)
    paths = np.empty((n_paths, model.T + 1))
    paths[:, 0] = values[0, model.initial]
    for t in range(1, model.T + 1):
        seg = model.step(t)
        cumulative = np.cumsum(seg.base[state], axis=1)
        draw = rng.random(n_paths)[:, None]
        token = np.minimum((draw >= cumulative).sum(axis=1), model.n_tokens - 1)
        accrued += model.harm_step(t)[state, token]
        state = seg.next_state[state, token]
        paths[:, t] = accrued + values[t, state]
    return paths
