"""Forward and backward passes for a policy given at all positions at once, shape (T, S, V).

With M_t[s, s'] = sum of weights(t, s, v) over the tokens v with next(t, s, v) = s', the state
distribution and the values of a policy obey

    p_{t+1} = p_t M_t                  (forward, from a start distribution)
    x_t     = r_t + M_t x_{t+1}        (backward, from terminal values x_T).

Ordering the unknowns (t, s) time-major, both are one unit lower-triangular *banded* system
A = I - L (L holds the blocks M_t^T just below the diagonal): the forward pass solves A p = e and
the backward pass A^T x = r, each by one LAPACK call (dtbtrs) instead of a Python loop over the
positions, whose interpreter overhead (microseconds per position) dominated gradient descent.

The band is at least S wide, so it costs O(T S^2) memory; automata with many states (decay < 1,
a large threshold m) keep the loop over positions, whose cost is then dominated by real work.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import lapack

# A band may hold up to this many times the T S V cells of one policy array.
BAND_CELLS_PER_CELL = 4


class Chain:
    """The automaton's transitions at positions 1..T, from the stacked ``next_state`` (T, S, V)."""

    def __init__(self, next_state: np.ndarray):
        T, S, V = next_state.shape
        self.next_state = next_state
        # Flat index of (t+1, next(t, s, v)) in a (T, S) array of values at positions 1..T.
        self.successor = np.arange(T)[:, None, None] * S + next_state
        # Unknown (t, s) is row t S + s; entry (t, s, v) of L sits at row (t+1) S + next, column
        # t S + s, i.e. on diagonal S + next - s of the band.
        diagonal = S + next_state - np.arange(S)[:, None]
        self.width = int(diagonal.max()) + 1  # band rows, the unit diagonal included
        self.size = (T + 1) * S
        self.banded = self.width * self.size <= BAND_CELLS_PER_CELL * next_state.size
        if self.banded:
            column = np.arange(T)[:, None, None] * S + np.arange(S)[:, None]
            self._slot = (column * self.width + diagonal).ravel()

    def gather(self, values: np.ndarray) -> np.ndarray:
        """values[t + 1, next(t, s, v)] as a (T, S, V) array, for ``values`` of shape (T+1, S)."""
        return values[1:].ravel()[self.successor]

    def under(self, weights: np.ndarray) -> Transitions:
        """The transitions weighted by ``weights`` (T, S, V), typically a policy pi(v | s, t)."""
        return Transitions(self, weights)


class Transitions:
    """Forward and backward passes of one weighting; build it with :meth:`Chain.under`."""

    def __init__(self, chain: Chain, weights: np.ndarray):
        self.chain, self.weights = chain, weights
        if chain.banded:
            # LAPACK lower band storage, transposed so that the C array is Fortran (width, n):
            # band[j, i - j] = A[i, j] = -L[i, j]. Duplicate (s, s') pairs add up in bincount;
            # row 0 (the unit diagonal) is never read (diag="U").
            band = np.bincount(chain._slot, weights.ravel(), minlength=chain.size * chain.width)
            self.band = np.negative(band, out=band).reshape(chain.size, chain.width).T

    def forward(self, start: np.ndarray, first: int = 0) -> np.ndarray:
        """(T+1, S) state distributions, row ``first`` = ``start``; earlier rows are 0."""
        T, S, _ = self.weights.shape
        if self.chain.banded:
            rhs = np.zeros(self.chain.size)
            rhs[first * S:(first + 1) * S] = start
            return self._solve(rhs[:, None], "N").reshape(T + 1, S)
        probs = np.zeros((T + 1, S))
        probs[first] = start
        for t in range(first, T):
            probs[t + 1] = np.bincount(self.chain.next_state[t].ravel(),
                                       (probs[t][:, None] * self.weights[t]).ravel(), minlength=S)
        return probs

    def backward(self, rewards: np.ndarray, final: np.ndarray) -> np.ndarray:
        """(T+1, S, K) values x_t = rewards[t] + M_t x_{t+1}, x_T = ``final`` (S, K);
        ``rewards`` is (T, S, K), K value functions at once."""
        T, S, _ = self.weights.shape
        if self.chain.banded:
            rhs = np.concatenate([rewards.reshape(T * S, -1), final])
            return self._solve(rhs, "T").reshape(T + 1, S, -1)
        values = np.empty((T + 1,) + final.shape)
        values[T] = final
        for t in range(T - 1, -1, -1):
            after = values[t + 1][self.chain.next_state[t]]  # (S, V, K)
            values[t] = rewards[t] + (self.weights[t][:, :, None] * after).sum(axis=1)
        return values

    def _solve(self, rhs: np.ndarray, trans: str) -> np.ndarray:
        x, info = lapack.dtbtrs(self.band, rhs, uplo="L", trans=trans, diag="U")
        if info != 0:  # cannot happen with a unit diagonal; a wrong call is a bug
            raise RuntimeError(f"dtbtrs failed with info={info}")
        return x
