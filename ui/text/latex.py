"""Numbers as LaTeX for the "formula with current values substituted" lines. Never prints NaN."""

from __future__ import annotations

import math


def num(x, sig: int = 4) -> str:
    """``x`` with ``sig`` significant digits: 0.0123, 1.23\\times10^{-7}, \\infty."""
    x = float(x)
    if math.isnan(x):
        return r"\text{undefined}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    if x == 0:
        return "0"
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    if 1e-3 <= abs(x) < 1e5:
        return f"{x:.{sig}g}"
    mantissa, exponent = f"{x:.{sig - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return rf"{mantissa}\times10^{{{int(exponent)}}}"


def num_floor(x, sig: int = 4) -> str:
    """``num(x)`` with as many more digits as it takes for ⌊shown⌋ to be ⌊x⌋ (49.99…, not 50)."""
    x = float(x)
    if not math.isfinite(x):
        return num(x, sig)
    for digits in range(sig, 18):
        shown = f"{x:.{digits}g}"
        if math.floor(float(shown)) == math.floor(x):
            return num(float(shown), digits) if "e" not in shown else num(x, digits)
    return repr(x)


def text(x, sig: int = 4) -> str:
    """``x`` as plain text (for st.metric and captions): 0.0123, 1.23e-07, ∞."""
    x = float(x)
    if math.isnan(x):
        return "undefined"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:z.{sig}g}"  # z: -0.0 (say, 0 times a negative number) reads "0", not "-0"


READOUT_SIG = 6  # significant digits on a position card (the charts' hover shows 6-8)
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def readout_number(x: float) -> str:
    """``x`` with ``READOUT_SIG`` significant digits, powers of ten written out: 0.0524302, 1.5×10⁻¹²."""
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    if 1e-4 <= abs(x) < 1e6:
        out = f"{x:.{READOUT_SIG}g}"
    else:
        mantissa, exponent = f"{x:.{READOUT_SIG - 1}e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        out = f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    return out.replace("-", "−", 1) if out.startswith("-") else out
