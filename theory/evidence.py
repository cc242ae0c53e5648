r"""Fits of the theory's per-position KL profiles to measured curves (pure numpy/scipy).

Two models of KL_t, the per-position KL(aligned ‖ base) in nats at 1-indexed positions t:

* **Shallow equilibrium** (Theorem 14 with the tabular identity :math:`g_t^\top F_t^+ g_t = I_t`,
  THEORY.md section 4): :math:`\mathrm{KL}_t \approx (\eta^2/2)\,I_t`, plus a floor
  :math:`\kappa \ge 0` for the untargeted incidental KL that shared parameters carry to later
  positions (Appendix A, Proposition 26). The harm information gets a parametric decay
  :math:`I_t = I_1 f(t)`, geometric :math:`f = \rho^{t-1}` or power law :math:`f = t^{-\alpha}`, so
  :math:`\mathrm{KL}_t = A f(t) + \kappa` with :math:`A = (\eta^2/2) I_1 \ge 0`.
* **Deep optimum beyond the horizon** (Theorem 20): :math:`\mathrm{KL}_t = \mathrm{KL}^*(p, \mu\gamma^t/\beta)`,
  evaluated by :func:`theory.recovery_kl`.

Every fit is weighted least squares (``scipy.optimize.curve_fit`` with bounds, ``sigma`` the
stated measurement uncertainty, ``absolute_sigma=True``). A fit is an illustration, not a
validation: the standard errors assume the model is right and ``sigma`` is the true noise, so
they understate the uncertainty whenever chi²/dof is well above 1. The result says in words
when a fit did not converge, ended at a bound, or found nothing to fit (see :class:`Fit`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit
from scipy.special import zeta

from .recovery import recovery_kl

__all__ = [
    "Fit",
    "Horizon",
    "fit_shallow_profile",
    "fit_all_shallow",
    "fit_deep_profile",
    "implied_horizon",
    "horizon_definition",
]

# Caps that keep the search finite. Beyond them the data cannot tell values apart: alpha = 50
# already puts all but 1e-15 of the decay before t = 2, and mu/beta = 1e3 saturates KL* at
# log(1/p) for every p >= 1e-12 while gamma**t stays near 1.
_ALPHA_MAX = 50.0
_LOG_MU_BETA = (math.log(1e-3), math.log(1e3))
_LOG_P = (math.log(1e-12), math.log(0.5))
# A constant must fit worse by this much AIC before we say the model found a decay.
_AIC_MARGIN = 2.0


def _geometric(t, A, rho, kappa):
    with np.errstate(under="ignore"):
        return A * rho ** (np.asarray(t, dtype=float) - 1.0) + kappa


def _power(t, A, alpha, kappa):
    with np.errstate(under="ignore"):
        return A * np.asarray(t, dtype=float) ** (-alpha) + kappa


def _recovery(t, log_mu_over_beta, gamma, log_p_base):
    return np.asarray(recovery_kl(math.exp(log_p_base), math.exp(log_mu_over_beta), 1.0,
                                  min(max(gamma, 0.0), 1.0), np.asarray(t, dtype=float)), dtype=float)


@dataclass(frozen=True)
class _Model:
    f: Callable
    formula: str
    names: tuple[str, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    # What a parameter stuck at its (lower, upper) bound means, in words.
    at_bound_meaning: dict[tuple[str, int], str]


_MODELS = {
    "geometric": _Model(
        _geometric, "KL_t = A·ρ^(t−1) + κ", ("A", "rho", "kappa"), (0.0, 0.0, 0.0), (np.inf, 1.0, np.inf),
        {("A", 0): "A = 0: no position-dependent part at all",
         ("rho", 0): "ρ = 0: everything decays before t = 2, so the rate is not identified",
         ("rho", 1): "ρ = 1: no decay, the profile is flat",
         ("kappa", 0): "κ = 0, no incidental floor"}),
    "power": _Model(
        _power, "KL_t = A·t^(−α) + κ", ("A", "alpha", "kappa"), (0.0, 0.0, 0.0), (np.inf, _ALPHA_MAX, np.inf),
        {("A", 0): "A = 0: no position-dependent part at all",
         ("alpha", 0): "α = 0: no decay, the profile is flat",
         ("alpha", 1): f"α at its cap {_ALPHA_MAX:g}: everything decays before t = 2, so the rate is not identified",
         ("kappa", 0): "κ = 0, no incidental floor"}),
    "recovery": _Model(
        _recovery, "KL_t = KL*(p_base, (μ/β)·γ^t)", ("log_mu_over_beta", "gamma", "log_p_base"),
        (_LOG_MU_BETA[0], 0.0, _LOG_P[0]), (_LOG_MU_BETA[1], 1.0, _LOG_P[1]),
        {("log_mu_over_beta", 0): "μ/β at its floor 1e-3: the recovery shift is negligible",
         ("log_mu_over_beta", 1): "μ/β at its cap 1e3: KL* is saturated at log(1/p), so μ/β is only bounded below",
         ("gamma", 0): "γ = 0: the penalty is gone by t = 1 and the profile is zero",
         ("gamma", 1): "γ = 1: the penalty does not fade, so the profile is flat",
         ("log_p_base", 0): "p_base at its floor 1e-12",
         ("log_p_base", 1): "p_base at its cap 0.5"}),
}
# A floor of zero can be a legitimate answer (no incidental KL), which the fit checks by freeing
# it (below); every other bound leaves a parameter the data do not determine.
_HARMLESS_BOUNDS = {("kappa", 0)}
# Freed, a floor that runs past this many times the data's scale is running off to -infinity.
_RUNAWAY = 1e3
# What the shallow profiles tend to as kappa -> -infinity with A -> infinity: A*f(t) + kappa with
# f = t^(-alpha), alpha -> 0, is a - b*ln t; with f = rho^(t-1), rho -> 1, it is a - b*(t - 1).
_LIMIT_LAW = {"power": ("ln t", np.log), "geometric": ("(t − 1)", lambda t: t - 1.0)}
# Parameter names as a reader sees them (messages).
_SHOWN = {"A": "A", "rho": "ρ", "alpha": "α", "kappa": "κ", "log_mu_over_beta": "μ/β",
          "gamma": "γ", "log_p_base": "p_base"}


@dataclass(frozen=True, eq=False)
class Fit:
    """One weighted least-squares fit of a KL profile.

    Attributes
    ----------
    model : str
        ``"geometric"`` or ``"power"`` (shallow equilibrium, Theorem 14) or ``"recovery"``
        (deep optimum, Theorem 20).
    formula : str
        The fitted curve in words and symbols.
    names : tuple of str
        Parameter names. Shallow: ``A, rho, kappa`` or ``A, alpha, kappa``. Deep:
        ``log_mu_over_beta, gamma, log_p_base`` (natural logs of μ/β and of p_base).
    values, stderr : ndarray
        Fitted values and standard errors (square roots of the covariance diagonal;
        ``inf`` where the covariance does not determine a parameter; ``nan`` for a parameter
        that ended at a bound, whose neighbours' errors are then computed with it held there).
    t, observed, sigma, fitted, residuals : ndarray
        The data, the fitted curve at ``t``, and ``observed - fitted`` (nats).
    chi2 : float
        Σ (residual/σ)².
    dof : int
        Number of points minus number of parameters.
    aic : float
        2k + chi². For Gaussian errors of known σ, −2 log L = chi² + a constant that depends on
        the data only, so AIC differences between models fitted to the same data are valid;
        values on different data are not comparable.
    converged : bool
        The optimiser reported success.
    at_bound : tuple of str
        Parameters that ended at a bound (their standard errors are not meaningful).
    degenerate : bool
        True when the data do not determine the model: no convergence, an undetermined
        parameter (infinite standard error), a parameter other than κ at a bound, κ at its
        bound while the data push it further (freed, it runs off to −∞), or a constant that
        fits within ``_AIC_MARGIN`` of the model's AIC (no decay identified).
    message : str
        A plain-language verdict; always states degeneracy and bounds when they occur.
    """

    model: str
    formula: str
    names: tuple[str, ...]
    values: np.ndarray
    stderr: np.ndarray
    t: np.ndarray
    observed: np.ndarray
    sigma: np.ndarray
    fitted: np.ndarray
    residuals: np.ndarray
    chi2: float
    dof: int
    aic: float
    converged: bool
    at_bound: tuple[str, ...]
    degenerate: bool
    message: str

    @property
    def params(self) -> dict[str, tuple[float, float]]:
        """``{name: (value, standard error)}``."""
        return {n: (float(v), float(s)) for n, v, s in zip(self.names, self.values, self.stderr)}

    @property
    def chi2_per_dof(self) -> float:
        """chi²/dof; well above 1 means the residuals exceed the stated uncertainty."""
        return self.chi2 / self.dof

    @property
    def normalized_residuals(self) -> np.ndarray:
        """Residuals in units of σ."""
        return self.residuals / self.sigma

    def curve(self, t) -> np.ndarray:
        """The fitted profile at any positions ``t`` (floats allowed; nan if the fit failed)."""
        t = np.asarray(t, dtype=float)
        if not np.isfinite(self.values).all():
            return np.full(t.shape, np.nan)
        return _MODELS[self.model].f(t, *self.values)


def _check(t, kl, sigma, n_params: int):
    arrays = []
    for name, value in (("t", t), ("kl", kl)):
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a 1-D array of numbers") from None
        if arr.ndim != 1:
            raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} must be finite")
        arrays.append(arr)
    t, kl = arrays
    if t.size != kl.size:
        raise ValueError(f"t and kl must have equal lengths, got {t.size} and {kl.size}")
    if (t < 1).any():
        raise ValueError("t must be positions >= 1 (1-indexed)")
    try:
        s = np.asarray(sigma, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("sigma must be a positive number or an array of them") from None
    if s.ndim == 0:
        s = np.full(t.size, float(s))
    if s.shape != t.shape:
        raise ValueError(f"sigma must be a number or have the length of t ({t.size}), got shape {s.shape}")
    if not (np.isfinite(s).all() and (s > 0).all()):
        raise ValueError("sigma must be finite and > 0")
    if t.size < n_params + 1:
        raise ValueError(f"t, kl need at least {n_params + 1} points for {n_params} parameters, got {t.size}")
    return t, kl, s


def _jacobian(m: _Model, t, sigma, p) -> np.ndarray:
    """d(residual/σ)/dp by central differences, kept inside the bounds."""
    lo, hi = np.asarray(m.lower), np.asarray(m.upper)
    jac = np.empty((t.size, p.size))
    for j in range(p.size):
        h = 1e-6 * max(1.0, abs(p[j]))
        up, down = p.copy(), p.copy()
        up[j], down[j] = min(p[j] + h, hi[j]), max(p[j] - h, lo[j])
        jac[:, j] = (m.f(t, *up) - m.f(t, *down)) / (up[j] - down[j]) / sigma
    return jac


def _stderr_held(m: _Model, t, sigma, p, held: np.ndarray) -> np.ndarray:
    """Standard errors of the free parameters with those in ``held`` fixed where they are
    (cov = (JᵀJ)⁻¹ over the free columns; nan for the held ones)."""
    jac = _jacobian(m, t, sigma, p)[:, ~held]
    out = np.full(p.size, np.nan)
    jtj = jac.T @ jac
    if jac.shape[1] and np.linalg.cond(jtj) < 1e14:
        out[~held] = np.sqrt(np.clip(np.diag(np.linalg.inv(jtj)), 0.0, None))
    return out


def _limit_law(model: str, t, kl, sigma) -> tuple[float, float, float]:
    """(a, b, chi²) of the weighted straight-line law a − b·g(t) the profile tends to."""
    _, g = _LIMIT_LAW[model]
    X = np.column_stack([np.ones_like(t), -g(t)]) / sigma[:, None]
    (a, b), *_ = np.linalg.lstsq(X, kl / sigma, rcond=None)
    chi2 = float(np.sum(((kl - (a - b * g(t))) / sigma) ** 2))
    return float(a), float(b), chi2


def _free_floor(m: _Model, model_name: str, t, kl, sigma, p, aic: float) -> tuple[bool, str]:
    """Free κ of a fit that ended at κ = 0: (the data push it further, the verdict in words)."""
    i = m.names.index("kappa")
    scale = 1.0 + float(np.abs(kl).max())
    lower = np.array(m.lower, dtype=float)
    lower[i] = -_RUNAWAY * scale
    free = _Model(m.f, m.formula, m.names, tuple(lower), m.upper, m.at_bound_meaning)
    starts = [p.copy()]
    for shift in (0.1, 1.0, 10.0):
        q = p.copy()
        q[i] -= shift * scale
        q[0] += shift * scale
        starts.append(q)
    best = None
    for p0 in starts:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", OptimizeWarning)
                popt, pcov = curve_fit(m.f, t, kl, p0=np.clip(p0, free.lower, free.upper), sigma=sigma,
                                       absolute_sigma=True, bounds=(free.lower, free.upper),
                                       x_scale="jac", max_nfev=6000)
        except RuntimeError:
            continue
        chi2 = float(np.sum(((kl - m.f(t, *popt)) / sigma) ** 2))
        if best is None or chi2 < best[0]:
            best = (chi2, popt, pcov)
    if best is None:
        return False, "Freed (κ < 0 allowed), the fit did not converge; κ = 0 is kept."
    chi2, popt, pcov = best
    kappa = float(popt[i])
    a, b, chi2_law = _limit_law(model_name, t, kl, sigma)
    # The law is the family's limit as κ → −∞: if it fits at least as well as any finite free
    # fit, the best free fit lies at infinity (optimisers only creep towards it).
    if kappa <= -0.5 * _RUNAWAY * scale or chi2_law <= chi2 + 0.1:
        what, _ = _LIMIT_LAW[model_name]
        return True, (f"Freed (κ < 0 allowed), the fit does not stay finite: κ runs off to −∞ "
                      f"while A grows, and the curve tends to the law {a:.3g} − {b:.2g}·{what} "
                      f"(AIC {4 + chi2_law:.1f} with its two parameters, against {aic:.1f} here). "
                      "So κ = 0 is where the bound stops the fit, not a floor the data show.")
    err = float(np.sqrt(pcov[i, i])) if np.isfinite(pcov[i, i]) and pcov[i, i] >= 0 else math.inf
    aic_free = 2 * len(m.names) + chi2
    if abs(kappa) <= 2 * err:
        return False, (f"Freed, κ = {kappa:.2g} ± {err:.2g}, within its error of 0: no incidental "
                       "floor is needed.")
    return True, (f"Freed, κ = {kappa:.3g} ± {err:.2g} (AIC {aic_free:.1f} against {aic:.1f} here): "
                  "the data ask for a negative floor, which a KL cannot have, so this shape does "
                  "not describe them.")


def _unconstrained(m: _Model, t, sigma, p) -> np.ndarray:
    """Mask of parameters in a direction the weighted residuals do not move along (to rounding)."""
    jac = _jacobian(m, t, sigma, p)
    _, s, vt = np.linalg.svd(jac, full_matrices=False)
    if not (s[0] > 0):
        return np.ones(p.size, dtype=bool)
    null = vt[s < 1e-8 * s[0]]
    return (np.abs(null) > 0.1).any(axis=0)


def _fit(model_name: str, t, kl, sigma, starts) -> Fit:
    m = _MODELS[model_name]
    k = len(m.names)
    best = None
    for p0 in starts:
        p0 = np.clip(np.asarray(p0, dtype=float), m.lower, m.upper)
        try:
            with warnings.catch_warnings():
                # A singular covariance is reported through infinite standard errors instead.
                warnings.simplefilter("ignore", OptimizeWarning)
                popt, pcov, _, _, ier = curve_fit(m.f, t, kl, p0=p0, sigma=sigma, absolute_sigma=True,
                                                  bounds=(m.lower, m.upper), full_output=True,
                                                  x_scale="jac", max_nfev=2000 * k)
        except RuntimeError:
            continue
        chi2 = float(np.sum(((kl - m.f(t, *popt)) / sigma) ** 2))
        if best is None or chi2 < best[0]:
            best = (chi2, popt, pcov, ier)

    if best is None:
        nan = np.full(k, np.nan)
        return Fit(model_name, m.formula, m.names, nan, nan, t, kl, sigma, np.full(t.size, np.nan),
                   np.full(t.size, np.nan), math.inf, t.size - k, math.inf, False, (), True,
                   "The fit did not converge from any starting point; no parameters are reported.")

    chi2, popt, pcov, ier = best
    converged = 1 <= int(ier) <= 4
    diag = np.diag(np.asarray(pcov, dtype=float))
    stderr = np.full(k, np.inf)
    good = np.isfinite(diag) & (diag >= 0)
    stderr[good] = np.sqrt(diag[good])
    # curve_fit's pseudo-inverse gives a variance of 0, not inf, along directions the data do
    # not constrain at all; find those from our own Jacobian and mark their parameters.
    stderr[_unconstrained(m, t, sigma, popt)] = np.inf
    fitted = m.f(t, *popt)

    hit = []
    for i, name in enumerate(m.names):
        span = m.upper[i] - m.lower[i]
        # Bounded parameters: within 0.1 % of the range; A and kappa (nats): within 1e-6 of the data scale.
        tol = 1e-3 * span if np.isfinite(span) else 1e-6 * (1.0 + float(np.abs(kl).max()))
        for side, bound in enumerate((m.lower[i], m.upper[i])):
            if np.isfinite(bound) and abs(popt[i] - bound) <= tol:
                hit.append((name, side))
    aic = 2 * k + chi2
    # A parameter on its bound has no standard error; the others get theirs with it held there
    # (the covariance of the free parameters alone), not as if it could still move.
    at_bound_mask = np.array([any(h[0] == name for h in hit) for name in m.names])
    if at_bound_mask.any():
        held = _stderr_held(m, t, sigma, popt, at_bound_mask)
        stderr = np.where(np.isinf(stderr), stderr, held)
    floor_pushed, floor_note = False, None
    if ("kappa", 0) in hit:
        floor_pushed, floor_note = _free_floor(m, model_name, t, kl, sigma, popt, aic)
    # The constant model KL_t = c (the weighted mean): what "no decay" would score.
    w = sigma ** -2.0
    aic_const = 2 + float(np.sum(w * (kl - np.sum(w * kl) / np.sum(w)) ** 2))
    no_decay = aic > aic_const - _AIC_MARGIN
    undetermined = [n for n, s, b in zip(m.names, stderr, at_bound_mask) if not b and not np.isfinite(s)]
    harmful_bounds = [h for h in hit if h not in _HARMLESS_BOUNDS]
    degenerate = (not converged) or bool(undetermined) or bool(harmful_bounds) or no_decay or floor_pushed

    notes = []
    if not converged:
        notes.append("The optimiser did not report convergence; treat the values as unreliable.")
    if no_decay:
        notes.append(f"Degenerate: a constant fits as well or nearly (AIC {aic_const:.1f} against {aic:.1f} "
                     "for this model), so no decay is identified in these data.")
    if undetermined:
        notes.append(f"Degenerate: {', '.join(_SHOWN[n] for n in undetermined)} not determined by the "
                     "data (singular covariance).")
    for name, side in hit:
        others = "the others' errors are computed with it held there"
        notes.append(f"{_SHOWN[name]} ended at its {'lower' if side == 0 else 'upper'} bound "
                     f"({m.at_bound_meaning[(name, side)]}): it has no standard error, and {others}.")
    if floor_note:
        notes.append(floor_note)
    dof = t.size - k
    if chi2 / dof > 4:
        notes.append(f"chi²/dof = {chi2 / dof:.1f}: the residuals are much larger than the stated "
                     "uncertainty, so the model misses real structure and the standard errors understate the error.")
    if not notes:
        notes.append(f"Converged inside the bounds; chi²/dof = {chi2 / dof:.2f}.")
    return Fit(model_name, m.formula, m.names, popt, stderr, t, kl, sigma, fitted, kl - fitted, chi2, dof,
               aic, converged, tuple(name for name, _ in hit), degenerate, " ".join(notes))


def fit_shallow_profile(t, kl, sigma, decay: str = "geometric") -> Fit:
    r"""Fit the shallow equilibrium's KL profile, :math:`\mathrm{KL}_t = A f(t) + \kappa`.

    Theorem 14 (tabular case): :math:`\mathrm{KL}_t \approx (\eta^2/2) I_t`, so the profile tracks
    the harm information; :math:`A = (\eta^2/2) I_1`. :math:`\kappa \ge 0` is the untargeted
    incidental KL of shared parameters (Appendix A, Proposition 26), constant in t here.

    Parameters
    ----------
    t : array_like
        Positions, 1-indexed (``>= 1``).
    kl : array_like
        Measured KL at those positions, nats.
    sigma : float or array_like
        Measurement uncertainty (one standard deviation), ``> 0``.
    decay : {"geometric", "power"}
        ``f(t) = rho**(t-1)`` with ``0 <= rho <= 1``, or ``f(t) = t**(-alpha)`` with
        ``0 <= alpha <= 50`` (a heavier tail).

    Returns
    -------
    Fit
        Parameters ``A, rho, kappa`` or ``A, alpha, kappa``.

    Examples
    --------
    >>> t = np.arange(1, 21)
    >>> fit = fit_shallow_profile(t, 5 * 0.6 ** (t - 1) + 0.3, 0.1)
    >>> [round(float(v), 6) for v in fit.values], fit.degenerate
    ([5.0, 0.6, 0.3], False)
    """
    if decay not in ("geometric", "power"):
        raise ValueError(f'decay must be "geometric" or "power", got {decay!r}')
    t, kl, sigma = _check(t, kl, sigma, 3)
    floor = max(float(kl.min()), 0.0)
    amp = max(float(kl[np.argmin(t)]) - floor, 1e-3)
    shapes = (0.2, 0.5, 0.8) if decay == "geometric" else (0.5, 1.5, 3.0)
    starts = [(amp, s, 0.5 * floor) for s in shapes]
    return _fit(decay, t, kl, sigma, starts)


def fit_all_shallow(t, kl, sigma) -> tuple[Fit, Fit]:
    """Both shallow decays (:func:`fit_shallow_profile`), best AIC first."""
    fits = [fit_shallow_profile(t, kl, sigma, decay) for decay in ("geometric", "power")]
    return tuple(sorted(fits, key=lambda f: f.aic))


def fit_deep_profile(t, kl, sigma) -> Fit:
    r"""Fit the deep optimum's recovery KL, :math:`\mathrm{KL}_t = \mathrm{KL}^*(p, \mu\gamma^t/\beta)` (Theorem 20).

    Beyond the harm horizon the deep optimum shifts the recovery log-odds by
    :math:`a_t = \mu\gamma^t/\beta` at a cost :math:`\mathrm{KL}^* = a_t r^* - \log(1 - p + p e^{a_t})`
    (:func:`theory.recovery_kl`). Only μ/β enters. Since :math:`\mathrm{KL}^* \le \log(1/p)`, a
    level near 10 nats forces :math:`p \lesssim e^{-10}`; once KL* saturates there, μ/β is only
    bounded below. KL* falls with t for γ < 1, so the model cannot follow a rising profile.

    Parameters
    ----------
    t, kl, sigma : array_like
        As in :func:`fit_shallow_profile`.

    Returns
    -------
    Fit
        Parameters ``log_mu_over_beta`` (natural log of μ/β, in [ln 1e-3, ln 1e3]), ``gamma``
        (in [0, 1]) and ``log_p_base`` (natural log of p_base, in [ln 1e-12, ln 0.5]).
    """
    t, kl, sigma = _check(t, kl, sigma, 3)
    level = max(float(kl.max()), 1e-3)
    log_p0 = -(level + 1.0)
    starts = [(math.log(c * (level + 2.0)), g, log_p0) for g in (0.5, 0.8, 0.95) for c in (1.0, 4.0)]
    return _fit("recovery", t, kl, sigma, starts)


def horizon_definition(share: float = 0.01) -> str:
    """The implied-horizon definition in words, for a page to state next to the number."""
    return (f"the first position t at which the fitted harm information I_t falls below {share:.3g} "
            f"({100 * share:.3g} %) of Var H = Σ_(t≥1) I_t (Corollary 7); the incidental floor κ is not "
            "harm information and is left out. This is a share horizon: the paper's horizon k "
            "(I_t = 0 for all t > k, Theorem 9) is never reached by a smooth decay.")


@dataclass(frozen=True)
class Horizon:
    """The implied harm horizon of a shallow fit (see :func:`horizon_definition`).

    Attributes
    ----------
    position : float
        First position t with I_t < share · Var H (an integer, or ``inf``).
    share : float
        The share of Var H used.
    var_h_over_i1 : float
        Var H / I_1 = Σ_t f(t): 1/(1 − ρ) or ζ(α); ``inf`` when the sum diverges.
    message : str
        The result in words, with its caveats.
    """

    position: float
    share: float
    var_h_over_i1: float
    message: str


def implied_horizon(fit: Fit, share: float = 0.01) -> Horizon:
    r"""First position where the fitted :math:`I_t` drops below ``share`` of :math:`\mathrm{Var}\,H`.

    With :math:`I_t = I_1 f(t)` and :math:`\sum_{t\ge1} I_t = \mathrm{Var}\,H` (Corollary 7), in
    closed form: geometric :math:`\mathrm{Var}\,H = I_1/(1-\rho)`, so the first t with
    :math:`(1-\rho)\rho^{t-1} <` share; power law :math:`\mathrm{Var}\,H = \zeta(\alpha) I_1`, so the
    first t with :math:`t^{-\alpha}/\zeta(\alpha) <` share, and for :math:`\alpha \le 1` the sum
    diverges (a tail too heavy for a finite Var H): position ``inf``.

    Parameters
    ----------
    fit : Fit
        A shallow fit (``model`` "geometric" or "power").
    share : float
        In (0, 1); default 0.01.

    Examples
    --------
    >>> t = np.arange(1, 21)
    >>> implied_horizon(fit_shallow_profile(t, 5 * 0.5 ** (t - 1), 0.1)).position   # first t with 0.5**t < 0.01
    7.0
    """
    if not isinstance(fit, Fit) or fit.model not in ("geometric", "power"):
        raise ValueError("fit must be a shallow Fit (decay geometric or power)")
    if not (isinstance(share, (int, float)) and 0 < share < 1):
        raise ValueError(f"share must be in (0, 1), got {share!r}")
    if not np.isfinite(fit.values).all():
        return Horizon(math.inf, share, math.nan, "No horizon: the fit failed. " + fit.message)

    decay = float(fit.values[1])
    if fit.model == "geometric":
        rho = decay
        if rho >= 1.0:
            return Horizon(math.inf, share, math.inf,
                           "No finite horizon: ρ = 1 means no decay, and Var H = Σ I_t diverges.")
        ratio = 1.0 / (1.0 - rho)
        if 1.0 - rho < share:
            position = 1.0
        elif rho == 0.0:
            position = 2.0
        else:  # smallest n = t - 1 >= 0 with rho**n (1 - rho) < share
            position = math.floor(math.log(share / (1.0 - rho)) / math.log(rho)) + 2.0
        what = f"geometric decay ρ = {rho:.3g}, Var H = I_1/(1 − ρ) = {ratio:.3g}·I_1"
    else:
        alpha = decay
        if alpha <= 1.0:
            return Horizon(math.inf, share, math.inf,
                           f"No finite horizon: α = {alpha:.3g} ≤ 1 is a tail too heavy for a finite "
                           "Var H (Σ t^(−α) diverges), so no share of it is defined.")
        ratio = float(zeta(alpha))
        position = math.floor((share * ratio) ** (-1.0 / alpha)) + 1.0
        what = f"power-law decay α = {alpha:.3g}, Var H = ζ(α)·I_1 = {ratio:.3g}·I_1"

    notes = [f"I_t falls below {100 * share:.3g} % of Var H from t = {position:.0f} on ({what})."]
    if position > fit.t.max():
        notes.append(f"That is beyond the measured positions (t ≤ {fit.t.max():.0f}): an extrapolation.")
    if fit.degenerate:
        notes.append("The fit is degenerate (see its message), so this horizon is not meaningful.")
    return Horizon(position, share, ratio, " ".join(notes))
