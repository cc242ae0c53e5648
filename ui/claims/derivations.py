"""The Derivations page's verdict on each derivation's numerical check."""

from __future__ import annotations

CHECK_TOLERANCE = 1e-9  # relative; the checks reach ~1e-13 or better


def check_verdict(check) -> tuple[bool, str]:
    """(passed, the sentence): the largest relative difference between the derived expression,
    turned into a numpy function, and the numeric code behind the figures, at random points."""
    message = (f"Checked numerically: largest relative difference {check.max_rel_error:.2g} "
               f"over {check.n_points} random points against `{check.against}`.")
    if check.max_rel_error <= CHECK_TOLERANCE:
        return True, message
    return False, message + f" That exceeds {CHECK_TOLERANCE:g}."
