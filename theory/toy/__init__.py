"""The exact toy harm model: a finite-state autoregressive model where every quantity of the paper
is computed exactly by forward/backward passes in O(T |S| |V|) (THEORY.md section 6).

Build a model with a preset, then call its methods:

- :func:`refuse_or_comply` (T, k, p_recover, p_harm, h_undecided=0.0, decay=1.0)
- :func:`threshold_harm` (T, k, m, p_recover, p_harm)
- :func:`gradual_harm` (T, p_recover, p_harm, fade)

All return a :class:`ToyModel` with ``harm_values``, ``expected_harm``, ``harm_information``,
``harm_variance``, ``harm_horizon``, ``numerical_horizon``, ``martingale_check``,
``sample_paths``, ``gradients``, ``gradient_norms``, ``standard_equilibrium``,
``standard_equilibrium_kl``, ``deep_equilibrium``, ``prefill_attack`` and ``train``. Results are
frozen dataclasses of numpy arrays (:mod:`theory.toy.results`). Positions are 1-indexed: index
``t - 1`` of a per-position array is position t. KL in nats; deep penalty weight mu gamma^t.

Examples
--------
>>> from theory import refuse_or_comply
>>> m = refuse_or_comply(T=10, k=3, p_recover=0.3, p_harm=0.2)
>>> m.harm_horizon(), bool(m.gradient_norms()[3:].max() == 0)
(3, True)
"""

from .model import ToyModel
from .presets import gradual_harm, refuse_or_comply, threshold_harm
from .results import (DeepEquilibrium, Gradients, HarmValues, MartingaleCheck, PrefillAttack,
                      StandardEquilibrium, TrainingRun)

__all__ = [
    "ToyModel",
    "refuse_or_comply",
    "threshold_harm",
    "gradual_harm",
    "HarmValues",
    "MartingaleCheck",
    "Gradients",
    "StandardEquilibrium",
    "DeepEquilibrium",
    "PrefillAttack",
    "TrainingRun",
]
