"""Frozen result records returned by :class:`theory.toy.ToyModel`.

Every per-position array has length ``T`` and index ``i`` holds position ``t = i + 1``
(positions are 1-indexed, THEORY.md section 0). Arrays over ``t = 0..T`` say so. KL is in nats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HarmValues:
    """Backward values of the base model (Proposition 2) on the automaton's states.

    ``values[t, s]`` is E[harm still to come | s_t = s] for t = 0..T (row 0 is the empty prefix).
    For presets whose harm is a function of the final state (refuse_or_comply, threshold_harm) this
    is h_t itself; for gradual_harm, h_t = harm accrued so far + ``values[t, s_t]``.
    ``probability[t, s]`` is P(s_t = s) under the base model and ``reachable`` is ``probability > 0``.
    """

    values: np.ndarray
    probability: np.ndarray
    reachable: np.ndarray


@dataclass(frozen=True)
class MartingaleCheck:
    """Corollary 7 and Proposition 4 as numbers: ``information_sum`` (sum of I_t) against
    ``variance`` (Var H from an independent second-moment pass), and ``max_cross_moment``, the
    largest |E[Delta_s Delta_t]| over s != t (zero up to rounding)."""

    information_sum: float
    variance: float
    max_cross_moment: float


@dataclass(frozen=True)
class Gradients:
    """Theorem 8 gradients of E[H] w.r.t. per-position, per-state softmax logits at the base model.

    ``g[t-1, s, v]`` = dE[H]/d theta_{t,s,v}; ``norms`` = ||g_t||; ``bound_lemma12`` =
    E[sqrt(Var(h_t | x_<t) tr F_t)]; ``bound_theorem13`` = sqrt(I_t E[tr F_t]);
    ``bound_pointwise`` = sqrt(c_t I_t) with c_t the largest tr F_t over reachable states;
    ``fisher_trace`` = E[tr F_t]. Every bound is >= ``norms`` (Lemma 12 / Theorem 13).
    ``natural_norm_sq`` = g_t^T F_t^+ g_t, the squared natural-gradient norm of Theorem 14
    (KL_t = (lam^2/2) g_t^T F_t^-1 g_t + O(lam^3)), with F_t the marginal Fisher information at
    position t and ``+`` the Moore-Penrose pseudo-inverse; for these tabular logits it equals I_t.
    """

    g: np.ndarray
    norms: np.ndarray
    bound_lemma12: np.ndarray
    bound_theorem13: np.ndarray
    bound_pointwise: np.ndarray
    fisher_trace: np.ndarray
    natural_norm_sq: np.ndarray


@dataclass(frozen=True)
class StandardEquilibrium:
    """The exact standard optimum pi* proportional to pi_base exp(-eta H), eta = lam/beta (section 8).

    ``kl`` is KL_t(pi*), ``kl_small_eta`` the Theorem 14 leading term (eta^2/2) I_t,
    ``recovery`` the on-policy recovery probability E[pi*(R | x_<t)]; expected harms under pi*
    and under the base model.
    """

    eta: float
    kl: np.ndarray
    kl_small_eta: np.ndarray
    recovery: np.ndarray
    expected_harm: float
    expected_harm_base: float


@dataclass(frozen=True)
class DeepEquilibrium:
    """The deep optimum (Definition 17) exactly and in the paper's per-prefix forms.

    ``tilt`` is a_t = mu gamma^t / beta. ``*_exact``: the exact on-policy optimum
    pi* proportional to pi_base exp(-eta H + sum_t a_t 1[x_t in R]) (THEORY.md section 5, backward
    message Psi_t). ``*_per_prefix``: Theorem 20 for t > k and Proposition 29 for t <= k, applied
    at every prefix and run on-policy, Proposition 29 with the base model's h_t: first order, gap
    O(eta). ``*_per_prefix_cont``: the same with the optimum's own h_t, h*_t(x_<t, v) =
    E_{pi*}[H | x_<t, v] (pi* writes the rest; -d/deta log Psi_t): gap O(eta^2) when the base
    recovery does not depend on the history (decay = 1). Beyond the horizon both apply Theorem 20
    (the same conditionals; the same curves when decay = 1). ``recovery_*`` is E[q(R | x_<t)], ``kl_*`` is KL_t.
    """

    eta: float
    tilt: np.ndarray
    recovery_exact: np.ndarray
    kl_exact: np.ndarray
    recovery_per_prefix: np.ndarray
    kl_per_prefix: np.ndarray
    expected_harm_exact: float
    expected_harm_per_prefix: float
    recovery_per_prefix_cont: np.ndarray
    kl_per_prefix_cont: np.ndarray
    expected_harm_per_prefix_cont: float

    @property
    def recovery_gap(self) -> np.ndarray:
        """Per-prefix (Prop. 29 with the base h_t) minus exact recovery probability, per position."""
        return self.recovery_per_prefix - self.recovery_exact

    @property
    def kl_gap(self) -> np.ndarray:
        """Per-prefix (Prop. 29 with the base h_t) minus exact KL_t, per position."""
        return self.kl_per_prefix - self.kl_exact

    @property
    def recovery_gap_cont(self) -> np.ndarray:
        """Per-prefix (Prop. 29 with the optimum's h_t) minus exact recovery probability."""
        return self.recovery_per_prefix_cont - self.recovery_exact

    @property
    def kl_gap_cont(self) -> np.ndarray:
        """Per-prefix (Prop. 29 with the optimum's h_t) minus exact KL_t, per position."""
        return self.kl_per_prefix_cont - self.kl_exact


@dataclass(frozen=True)
class PrefillAttack:
    """A prefilling attack: x_1..x_L forced to the harmful token, the model writes t = L+1..T.

    ``positions`` = L+1..T; ``recovery_*[i]`` is the probability of emitting a recovery token at
    ``positions[i]`` (E[pi(R | x_<t)] given the prefill); ``recover_before_end_*`` is the
    probability of at least one recovery token in L+1..T. Models: base, the exact standard optimum,
    and the exact deep optimum.
    """

    L: int
    positions: np.ndarray
    recovery_base: np.ndarray
    recovery_standard: np.ndarray
    recovery_deep: np.ndarray
    recover_before_end_base: float
    recover_before_end_standard: float
    recover_before_end_deep: float


@dataclass(frozen=True)
class TrainingRun:
    """Gradient descent on softmax logits from the base model (beyond the paper).

    Rows are the recorded steps ``steps``. ``grad_norms[i, t-1]`` = norm of dJ/d(logits at
    position t) (all states); ``kl``/``recovery`` as in :class:`StandardEquilibrium`;
    ``harm_effect[i, t-1]`` = sum_s P(s_{t-1}=s) sum_v (pi - pi_base)(v|s,t) h_t(s,v), the change
    in E[H] carried by position t's change (Proposition 26: zero beyond the horizon);
    ``prefill_recovery`` = probability of recovering before the end after the first k tokens are
    prefilled with harmful content (k the horizon); ``steps[0] == 0``, so its first entry is the
    base model's (:attr:`prefill_recovery_base`). ``exact_kl`` is the exact optimum's KL profile.
    """

    objective: str
    parameterization: str
    steps: np.ndarray
    objective_value: np.ndarray
    grad_norms: np.ndarray
    kl: np.ndarray
    recovery: np.ndarray
    expected_harm: np.ndarray
    harm_effect: np.ndarray
    prefill_recovery: np.ndarray
    exact_kl: np.ndarray

    @property
    def prefill_recovery_base(self) -> float:
        """The base model's late recovery (step 0). With shared parameters standard training moves
        it either way (Appendix A: incidental, untargeted); per position it stays (Theorem 14)."""
        return float(self.prefill_recovery[0])

    @property
    def diverged(self) -> bool:
        """The run ended above its starting objective (or off the reals): the step was too large
        for this model, and the recorded curves show that, not the optimum."""
        J = self.objective_value
        return bool(not np.isfinite(J).all() or J[-1] > J[0] + 1e-9 * max(1.0, abs(J[0])))
