"""The stops a parameter's slider offers: 1-2-3-5 per decade on a log scale.

The sidebar's sliders (``ui.page.widgets``) and the live figures' finer sliders (``ui.live.specs``)
both take their stops from here, so the two can be compared stop by stop.
"""

from __future__ import annotations

import math

from . import params as P

_MANTISSAS = (1.0, 2.0, 3.0, 5.0)


def log_options(lo: float, hi: float, mantissas=_MANTISSAS) -> list[float]:
    """1-2-3-5 values (or ``mantissas``) per decade within ``[lo, hi]``, both ends included."""
    options = {lo, hi}
    for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in mantissas:
            x = float(f"{m}e{e}")  # exact decimal text, so labels read 3e-07, not 2.9999e-07
            if lo < x < hi:
                options.add(x)
    return sorted(options)


def slider_stops(p: P.Param) -> list[float]:
    """The stops of ``p``'s log slider: 0 first when its range starts at exactly 0."""
    if p.lo == 0:
        return [0.0, *log_options(p.log_min, p.hi)]
    return log_options(p.lo, p.hi)
