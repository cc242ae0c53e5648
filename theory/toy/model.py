"""The public toy-model class: one class for every preset, each analysis one method.

Conventions (THEORY.md section 0): positions are 1-indexed and every per-position array has
index ``t - 1`` for position t; KL is in nats; the deep penalty weight at position t is
mu * gamma**t, so the tilt is a_t = mu gamma^t / beta; eta = lam / beta.
"""

from __future__ import annotations

import numpy as np

from . import _params, attacks, equilibria, gradients, martingale, training
from .automaton import Automaton
from .results import (DeepEquilibrium, Gradients, HarmValues, MartingaleCheck, PrefillAttack,
                      StandardEquilibrium, TrainingRun)


class ToyModel(Automaton):
    """A finite-state autoregressive harm model; build one with a preset such as
    :func:`theory.refuse_or_comply`. Every method is exact (forward/backward passes, no sampling
    except :meth:`sample_paths`) and costs O(T |S| |V|) unless it says otherwise.

    Examples
    --------
    >>> from theory import refuse_or_comply
    >>> m = refuse_or_comply(T=6, k=3, p_recover=0.3, p_harm=0.2)
    >>> m.harm_information().round(4)
    array([0.1225, 0.065 , 0.04  , 0.    , 0.    , 0.    ])
    """

    _closed_form = None  # refuse_or_comply sets its O(T) vectorised closed forms here

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.name}({args})"

    def _cached(self, key, compute):
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    # --- martingale decomposition (paper section 4) -------------------------------------
    def harm_values(self) -> HarmValues:
        """h_t on every state and the base state distribution (Proposition 2); see HarmValues."""
        return martingale.harm_values(self)

    def expected_harm(self) -> float:
        """E[H] = h_0 under the base model."""
        if self._closed_form is not None:
            return self._closed_form.expected_harm()
        return self._cached("moments", lambda: martingale.second_moment(self))[0]

    def harm_information(self) -> np.ndarray:
        """Harm information I_t = E[(h_t - h_{t-1})^2], t = 1..T (Definition 5, Proposition 6).

        Examples
        --------
        >>> from theory import refuse_or_comply
        >>> refuse_or_comply(T=4, k=2, p_recover=0.5, p_harm=0.5).harm_information()
        array([0.25, 0.  , 0.  , 0.  ])
        """
        if self._closed_form is not None:
            return self._closed_form.harm_information()
        return self._cached("info", lambda: martingale.harm_information(self)).copy()

    def harm_variance(self) -> float:
        """Var H = sum_t I_t (Corollary 7)."""
        return float(self.harm_information().sum())

    def harm_horizon(self) -> int:
        """The exact harm horizon k: I_t = 0 for all t > k and I_k > 0 (Theorem 9); 0 if H is constant.

        Known exactly from the preset's parameters, so a tiny but real I_t still counts.
        """
        return self._horizon

    def numerical_horizon(self) -> int:
        """Last t with I_t > 1e-12 max(Var H, 1e-12 E[H^2], 1e-300) (THEORY.md section 2).

        May cut off real but tiny tails; label it "numerical horizon".
        """
        mean, square = self._cached("moments", lambda: martingale.second_moment(self))
        return martingale.numerical_horizon(self.harm_information(), mean, square)

    def martingale_check(self) -> MartingaleCheck:
        """Corollary 7 (sum I_t = Var H) and Proposition 4 (orthogonal innovations) as numbers.

        The full E[Delta_s Delta_t] matrix costs O(T^2 |S| |V|): T is limited to 400.

        Examples
        --------
        >>> from theory import threshold_harm
        >>> c = threshold_harm(T=5, k=3, m=2, p_recover=0.2, p_harm=0.4).martingale_check()
        >>> abs(c.information_sum - c.variance) < 1e-15, c.max_cross_moment < 1e-15
        (True, True)
        """
        _params.whole("T", self.T, 1, martingale.MAX_T_COVARIANCE)
        info = martingale.harm_information(self)
        return martingale.martingale_check(self, info)

    def sample_paths(self, n_paths=20, seed=0) -> np.ndarray:
        """Sampled martingale paths h_0, ..., h_T under the base model, shape (n_paths, T+1).

        ``seed`` is an int or a ``numpy.random.Generator``. Column 0 is E[H], column T is H.
        """
        n_paths = _params.whole("n_paths", n_paths, 1, max(1, 10_000_000 // (self.T + 1)))
        return martingale.sample_paths(self, n_paths, np.random.default_rng(seed))

    # --- gradients (paper sections 5-7) --------------------------------------------------
    def gradients(self) -> Gradients:
        """Theorem 8 gradients per position and state, with the Lemma 12 / Theorem 13 bounds.

        Theorem 10: ``norms[t-1] == 0`` for t > k.
        """
        return gradients.gradients(self)

    def gradient_norms(self) -> np.ndarray:
        """||g_t||, the Theorem 8 gradient norm for per-position-per-state softmax logits.

        Examples
        --------
        >>> from theory import refuse_or_comply
        >>> refuse_or_comply(T=4, k=2, p_recover=0.3, p_harm=0.3).gradient_norms().round(4)
        array([0.2201, 0.1032, 0.    , 0.    ])
        """
        if self._closed_form is not None:
            return self._closed_form.gradient_norms()
        return gradients.gradients(self).norms

    # --- equilibria (paper sections 8-9) -------------------------------------------------
    def standard_equilibrium(self, lam, beta) -> StandardEquilibrium:
        """The exact standard optimum pi* proportional to pi_base exp(-(lam/beta) H), with the
        Theorem 14 leading term alongside (KL_t ~ (eta^2/2) I_t for small eta)."""
        return equilibria.standard_equilibrium(self, _params.eta(lam, beta))

    def standard_equilibrium_kl(self, lam, beta) -> np.ndarray:
        """KL_t of the exact standard optimum, t = 1..T; exactly 0 beyond the horizon.

        Examples
        --------
        >>> from theory import refuse_or_comply
        >>> refuse_or_comply(T=4, k=2, p_recover=0.3, p_harm=0.3).standard_equilibrium_kl(1, 1).round(4)
        array([0.0655, 0.0327, 0.    , 0.    ])
        """
        eta = _params.eta(lam, beta)
        if self._closed_form is not None:
            return self._closed_form.standard_kl(eta)
        return equilibria.standard_equilibrium(self, eta).kl

    def deep_equilibrium(self, lam, beta, mu, gamma) -> DeepEquilibrium:
        """The deep optimum (Definition 17): exact (backward message Psi_t) and per-prefix forms
        (Theorem 20 for t > k, Proposition 29 for t <= k), recovery probability and KL_t each.

        Proposition 29 twice: with the base model's h_t (``*_per_prefix``, first order, gap O(eta))
        and with the optimum's own h_t = E_{pi*}[H | x_<t, v] (``*_per_prefix_cont``, gap O(eta^2)).
        """
        eta = _params.eta(lam, beta)
        return equilibria.deep_equilibrium(self, eta, _params.tilt(mu, gamma, beta, self.T))

    # --- prefilling attack (Corollary 23) ------------------------------------------------
    def prefill_attack(self, L, lam, beta, mu, gamma) -> PrefillAttack:
        """Force x_1..x_L to the harmful token; recovery afterwards under base, standard and deep
        optima (the deep one with penalty mu gamma^t)."""
        L = _params.whole("L", L, 0, self.T)
        eta = _params.eta(lam, beta)
        return attacks.prefill_attack(self, L, eta, _params.tilt(mu, gamma, beta, self.T))

    # --- training (beyond the paper) -----------------------------------------------------
    def train(self, objective="standard", lam=1.0, beta=1.0, mu=0.0, gamma=1.0, steps=300,
              lr=1.0, record_every=10, parameterization="tabular") -> TrainingRun:
        """Gradient descent on softmax logits from the base model on J_std or J_deep.

        ``parameterization="shared"`` ties positions together (Appendix A, Proposition 26): late
        positions move ("incidental" KL) while ``harm_effect`` stays 0 beyond the horizon.
        """
        if objective not in ("standard", "deep"):
            raise ValueError(f"objective must be in ['standard', 'deep'], got {objective!r}")
        if parameterization not in ("tabular", "shared"):
            raise ValueError("parameterization must be in ['tabular', 'shared'], "
                             f"got {parameterization!r}")
        cells = self.T * self.n_states * self.n_tokens
        if cells > training.MAX_CELLS:
            raise ValueError(f"T must be in [1, {training.MAX_CELLS // (cells // self.T)}] "
                             f"for training this model, got {self.T}")
        steps = _params.whole("steps", steps, 0, 100_000)
        lr = _params.closed("lr", lr, 1e-12, 1e3)
        record_every = _params.whole("record_every", record_every, 1, max(1, steps))
        eta = _params.eta(lam, beta)
        if objective == "standard":
            tilt = np.zeros(self.T)
        else:
            tilt = _params.tilt(mu, gamma, beta, self.T)
        # standard_equilibrium(...).kl or deep_equilibrium(...).kl_exact, computed whole-array
        exact = training.exact_optimum_kl(self, eta, tilt)
        return training.train(self, eta * _params.positive("beta", beta), float(beta), tilt,
                              objective, parameterization, steps, lr, record_every, exact)
