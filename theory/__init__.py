"""Closed forms and an exact toy model for "Why Is RLHF Alignment Shallow?" (R. Young, 2026).

Pure numerics: importing this package loads numpy and scipy only. The sympy derivations live in
:mod:`theory.derivations` and are imported (and computed) only when asked for.
Conventions follow THEORY.md section 0: positions 1-indexed, penalty weight mu * gamma**t, KL in nats.
"""

from .recovery import (
    gibbs_distribution,
    recovery_kl,
    recovery_probability,
    recovery_shift,
    total_recovery_kl,
)
from .robustness import (
    attack_threshold,
    min_attack_length,
    recoverability_bound,
    required_penalty,
    total_recovery_kl_bound,
)

from .toy import ToyModel, gradual_harm, refuse_or_comply, threshold_harm

__all__ = [
    "recovery_shift",
    "recovery_probability",
    "recovery_kl",
    "total_recovery_kl",
    "gibbs_distribution",
    "recoverability_bound",
    "attack_threshold",
    "total_recovery_kl_bound",
    "min_attack_length",
    "required_penalty",
    "ToyModel",
    "refuse_or_comply",
    "threshold_harm",
    "gradual_harm",
]
