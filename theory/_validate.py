"""Boundary checks shared by every public function in :mod:`theory`.

Each checker converts its input to a float array (so scalars and arrays follow one path) and
raises ``ValueError`` naming the parameter and its allowed range. NaN never passes.
"""

from __future__ import annotations

import math

import numpy as np


def _as_float_array(name: str, value) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not be NaN")
    return arr


def _fail(name: str, allowed: str, arr: np.ndarray, bad: np.ndarray) -> None:
    example = arr[bad].flat[0] if arr.ndim else arr.item()
    raise ValueError(f"{name} must be in {allowed}, got {example!r}")


def closed(name: str, value, lo: float, hi: float) -> np.ndarray:
    """``lo <= value <= hi``."""
    arr = _as_float_array(name, value)
    bad = (arr < lo) | (arr > hi)
    if bad.any():
        _fail(name, f"[{lo:g}, {hi:g}]", arr, bad)
    return arr


def open_interval(name: str, value, lo: float, hi: float) -> np.ndarray:
    """``lo < value < hi``."""
    arr = _as_float_array(name, value)
    bad = (arr <= lo) | (arr >= hi)
    if bad.any():
        _fail(name, f"({lo:g}, {hi:g})", arr, bad)
    return arr


def positive(name: str, value) -> np.ndarray:
    """``0 < value < inf``."""
    arr = _as_float_array(name, value)
    bad = ~(arr > 0) | ~np.isfinite(arr)
    if bad.any():
        _fail(name, "(0, inf)", arr, bad)
    return arr


def nonnegative(name: str, value) -> np.ndarray:
    """``0 <= value < inf``."""
    arr = _as_float_array(name, value)
    bad = ~(arr >= 0) | ~np.isfinite(arr)
    if bad.any():
        _fail(name, "[0, inf)", arr, bad)
    return arr


def nonnegative_int(name: str, value) -> np.ndarray:
    """A whole number ``>= 0`` (given as int or as an integral float)."""
    arr = nonnegative(name, value)
    bad = arr != np.floor(arr)
    if bad.any():
        _fail(name, "the whole numbers 0, 1, 2, ...", arr, bad)
    return arr


def probability_vector(name: str, value, atol: float = 1e-9) -> np.ndarray:
    """Non-negative entries along the last axis that sum to 1 within ``atol``."""
    arr = closed(name, value, 0.0, 1.0)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(f"{name} must be a non-empty vector of probabilities")
    sums = arr.sum(axis=-1)
    if not np.allclose(sums, 1.0, rtol=0.0, atol=atol):
        raise ValueError(f"{name} must sum to 1 along its last axis, got sums {np.unique(sums)[:3]}")
    return arr


def scalar_out(arr):
    """Return a Python ``float`` for 0-d results and the array otherwise."""
    arr = np.asarray(arr)
    return float(arr) if arr.ndim == 0 else arr


def int_or_inf(value: float):
    """A finite whole-number float as ``int``; infinity as ``math.inf``."""
    return math.inf if math.isinf(value) else int(value)
