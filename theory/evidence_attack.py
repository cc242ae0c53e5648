"""The refuse-or-comply toy model's prefilling-attack curve, fitted to published attack success
rates (Qi et al. 2025, arXiv 2406.05946, Figure 2 and Table 2; the numbers live in
evidence/*.csv and are passed in by the caller).

Paper results this module illustrates: section 9's prefilling attacks, Corollary 23 (under
standard alignment the model has no recovery capability beyond the base model's once the prefix
covers the harm horizon; under deep alignment recovery keeps the additive log-odds shift
a_t = mu gamma^t / beta of Theorem 20 at every position).

What "attack success" means in the toy
--------------------------------------
The toy (THEORY.md section 6, :func:`theory.refuse_or_comply`) has tokens R (recover / refuse),
C (harmful compliance) and N (neutral). Its *training* harm H is set by the first non-N token
among positions 1..horizon. An attacker prefills x_1..x_L with C (for L >= 1 and horizon >= 1
this fixes H = 1 at position 1). The published metric is a judge's verdict on the whole
response, and a later refusal ("I cannot continue ...") turns a harmful start into a refused
response. So we use

    attack success after L prefilled tokens = 100 * P(no R among positions L+1..T | x_1..x_L = C),

i.e. ``100 * (1 - recover_before_end)`` of :meth:`theory.ToyModel.prefill_attack`: the
evaluation harm (no recovery) is *not* the training harm H. That gap is the paper's point: the
standard optimum pi* proportional to pi_base exp(-eta H) has the base model's conditionals once H
is decided, so in this toy its curve equals the base curve for every L >= 1 (Corollary 23), and
eta moves only the L = 0 point. One toy position stands for one real token.

Units: beta = 1, so ``eta`` is lambda/beta and ``mu`` is mu/beta (tilt a_t = mu gamma^t).

Computation: two backward passes over (phase, count of C tokens) give every L at once, exact
and O(T^2); tests check them against brute-force enumeration and against
:meth:`theory.ToyModel.prefill_attack`. Pure numpy/scipy, no Streamlit.
"""

from __future__ import annotations

import math
import time
import types
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

CAVEAT = ("A toy model fitted to a handful of points read from a figure illustrates the theory; "
          "it does not validate it.")

# Qi et al. 2025 (arXiv 2406.05946), Figure 2 (HEx-PHI, GPT-4 judge), read from the figure: the
# reading error (about +-2 points) is the uncertainty used for the fits.
PREFILL_L = (0, 3, 5, 7, 10)
FIGURE_SIGMA = 2.0
# The published numbers themselves live in evidence/*.csv (one source per row); the fits take
# them as arguments. These are only the prefill lengths L of Figure 2 and Table 2.
TABLE2_L = (5, 10, 20, 40)

MODELS = ("base", "standard", "deep")
NEUTRAL_FLOOR = 1e-15  # as theory.toy.presets: a rounding-level q is no neutral token
R, C, N = 0, 1, 2
UNDECIDED, COMPLIED, RECOVERED = 0, 1, 2


def _log(p):
    p = np.asarray(p, dtype=float)
    return np.log(p, out=np.full_like(p, -np.inf), where=p > 0)


def _check(T, horizon, p_recover, p_harm, decay, h_undecided):
    if not (isinstance(T, (int, np.integer)) and 1 <= T <= 2000):
        raise ValueError(f"T must be a whole number in [1, 2000], got {T!r}")
    if not (isinstance(horizon, (int, np.integer)) and 0 <= horizon <= T):
        raise ValueError(f"horizon must be a whole number in [0, T={T}], got {horizon!r}")
    for name, v in (("p_recover", p_recover), ("p_harm", p_harm)):
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"{name} must be in [0, 1], got {v!r}")
    if p_recover + p_harm > 1.0 + 1e-12:
        raise ValueError(f"p_recover + p_harm must be in [0, 1], got {p_recover + p_harm!r}")
    if not 0.0 < decay <= 1.0:
        raise ValueError(f"decay must be in (0, 1], got {decay!r}")
    if not math.isfinite(h_undecided):
        raise ValueError(f"h_undecided must be finite, got {h_undecided!r}")


def _curve(T, horizon, p_r, p_c, decay, h_u, eta, tilt):
    """ASR(L) in [0, 1] for L = 0..T under pi_base exp(-eta H + sum_t tilt_t 1[x_t = R]).

    Given the forced prefix, the optimum's continuation is the base one reweighted by the factors
    that still depend on it, so ASR(L) = N_L / M_L with backward messages over (phase, count):
    M = E_base[weight | state], N = the same restricted to paths with no R.
    """
    q = 1.0 - p_r - p_c
    q = q if q > NEUTRAL_FLOOR else 0.0
    n = np.arange(T + 1)
    # Remark 10 decay, exactly as refuse_or_comply: removed recovery mass goes to C and N in
    # proportion to their base probabilities (all to C when both are 0).
    p_rn = p_r * decay ** n
    moved = p_r - p_rn
    other = p_c + q
    share = p_c / other if other > 0 else 1.0
    lp = np.stack([_log(p_rn), _log(p_c + moved * share), _log(q + moved * (1.0 - share))])
    up = np.minimum(n + 1, T)
    harm = np.array([h_u, 1.0, 0.0])
    M = np.empty((T + 1, 3, T + 1))
    W = np.empty((T + 1, 3, T + 1))
    M[T] = W[T] = (-eta * harm)[:, None]
    # With no reweighting the optimum is the base model and M = log 1 everywhere.
    plain = eta == 0.0 and not np.any(tilt)
    if plain:
        M[:] = 0.0
    lae = np.logaddexp
    for t in range(T, 0, -1):
        m, w = M[t], W[t]
        within = t <= horizon  # the first non-N token still decides H: undecided moves on R, C
        if within:
            w_c = w[[COMPLIED, COMPLIED, RECOVERED]][:, up]
        else:
            w_c = w[:, up]
        W[t - 1] = lae(lp[C] + w_c, lp[N] + w)
        if not plain:
            if within:
                m_r = m[[RECOVERED, COMPLIED, RECOVERED]]
                m_c = m[[COMPLIED, COMPLIED, RECOVERED]][:, up]
            else:
                m_r, m_c = m, m[:, up]
            M[t - 1] = lae(lae(lp[R] + tilt[t - 1] + m_r, lp[C] + m_c), lp[N] + m)
    L = np.arange(T + 1)
    phase = np.where((L >= 1) & (horizon >= 1), COMPLIED, UNDECIDED)
    with np.errstate(invalid="ignore"):
        out = np.exp(W[L, phase, L] - M[L, phase, L])
    return np.clip(np.nan_to_num(out, nan=0.0), 0.0, 1.0)


def attack_success(L, *, T, horizon, p_recover, p_harm, decay=1.0, eta=None, mu=0.0, gamma=1.0,
                   model="base", h_undecided=0.0) -> np.ndarray:
    """Toy attack success rate (percent) after prefilling L harmful tokens (section 9, Cor. 23).

    100 * P(no R at positions L+1..T | x_1..x_L = C) under the base model, the exact standard
    optimum (harm weight ``eta`` = lambda/beta) or the exact deep optimum (additionally the
    recovery tilt mu gamma^t of Theorem 20, beta = 1) of ``refuse_or_comply(T, horizon, ...)``.
    Equals ``100 * (1 - prefill_attack(L, ...).recover_before_end_*)``; see the module docstring
    for why no-recovery, not H, is the attack's success. ``L`` is an int or array in [0, T].

    Examples
    --------
    >>> attack_success([0, 2], T=4, horizon=1, p_recover=0.5, p_harm=0.2).round(2)
    array([ 6.25, 25.  ])
    """
    if model not in MODELS:
        raise ValueError(f"model must be in {list(MODELS)}, got {model!r}")
    T = int(T) if isinstance(T, (int, np.integer)) else T
    p_recover, p_harm, decay = float(p_recover), float(p_harm), float(decay)
    _check(T, horizon, p_recover, p_harm, decay, float(h_undecided))
    L_arr = np.asarray(L)
    if (L_arr.size and (not np.issubdtype(L_arr.dtype, np.integer) and
                        not np.all(L_arr == np.round(L_arr)))) or np.any((L_arr < 0) | (L_arr > T)):
        raise ValueError(f"L must be whole numbers in [0, T={T}], got {L!r}")
    if model == "base":
        eta_v, tilt = 0.0, np.zeros(T)
    else:
        if eta is None:
            raise ValueError(f"eta (= lambda/beta) is required for model={model!r}")
        eta_v = float(eta)
        if not 0.0 <= eta_v <= 1e6:
            raise ValueError(f"eta must be in [0, 1e6], got {eta!r}")
        tilt = np.zeros(T)
        if model == "deep":
            if not (0.0 <= mu <= 1e6 and 0.0 <= gamma <= 1.0):
                raise ValueError("mu must be in [0, 1e6] and gamma in [0, 1], "
                                 f"got {mu!r}, {gamma!r}")
            tilt = float(mu) * np.power(float(gamma), np.arange(1, T + 1, dtype=float))
    curve = _curve(T, int(horizon), p_recover, p_harm, decay, float(h_undecided), eta_v, tilt)
    return 100.0 * curve[L_arr.astype(int)]


# --- fits ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Comparison:
    """A prediction that was *not* fitted, set against data (chi2 with the data's sigma)."""

    label: str
    data: np.ndarray
    sigma: np.ndarray
    prediction: np.ndarray
    residuals: np.ndarray  # data - prediction, percent
    chi2: float


@dataclass(frozen=True)
class AttackFit:
    """A weighted least-squares fit of toy attack-success curves to published ones.

    ``names``/``values``/``stderr`` are the fitted parameters (stderr from the Jacobian,
    cov = (J^T J)^-1 with residuals divided by sigma; NaN where not meaningful: at a bound or
    unidentified). ``fixed`` holds everything held fixed, including the integer grid winners.
    ``data``, ``sigma``, ``fitted``, ``residuals`` (= data - fitted) are (curves, len(L)) in
    percent with row labels ``curves``. ``grid`` lists (T, horizon, chi2) for every grid point.
    """

    kind: str
    names: tuple
    values: tuple
    stderr: tuple
    fixed: types.MappingProxyType
    L: np.ndarray
    curves: tuple
    data: np.ndarray
    sigma: np.ndarray
    fitted: np.ndarray
    residuals: np.ndarray
    chi2: float
    dof: int
    converged: bool
    at_bound: tuple
    message: str
    grid: tuple = ()
    comparison: Comparison | None = None
    identified: bool = True  # False: some fitted parameters are flat or on a ridge (no stderr)
    seconds: float = field(default=0.0, compare=False)

    def params(self) -> dict:
        """Fitted and fixed parameters in one dict."""
        return {**dict(self.fixed), **dict(zip(self.names, self.values))}

    def toy_params(self) -> dict:
        """The keyword arguments of :func:`attack_success` / :func:`fit_deep` this fit pins."""
        p = self.params()
        keys = ("T", "horizon", "p_recover", "p_harm", "decay", "eta")
        return {key: p[key] for key in keys if key in p}


def _as_curves(values, sigma, n_k, what):
    arr = np.atleast_2d(np.asarray(values, dtype=float))
    if arr.shape[1] != n_k:
        raise ValueError(f"{what} must have one value per L ({n_k}), got shape {arr.shape}")
    sig = np.broadcast_to(np.asarray(sigma, dtype=float), arr.shape).copy()
    if not (np.all(np.isfinite(arr)) and np.all(sig > 0)):
        raise ValueError(f"{what} must be finite with sigma > 0")
    return arr, sig


_COND_MAX = 1e12  # beyond this the curvature matrix has a direction the data do not see


def _cov(jac, at_bound_mask):
    """(covariance, mask of free parameters the data do not constrain, condition number),
    cov = (J^T J)^-1.

    A zero Jacobian column (e.g. eta once the L = 0 point sits at its eta -> infinity limit) has
    no finite stderr; the others are computed without it. A near-singular rest (a direction
    the data cannot see: the parameters lie on a ridge) gives NaN rather than a meaningless
    huge number, and its condition number says how flat the ridge is.
    """
    n = jac.shape[1]
    cov = np.full((n, n), np.nan)
    norms = np.linalg.norm(jac, axis=0)
    flat = ~at_bound_mask & (norms <= 1e-8 * max(norms.max(), 1e-300))
    use = np.flatnonzero(~at_bound_mask & ~flat)
    cond = 1.0
    if use.size:
        # conditioning judged on unit-norm columns, so parameter units do not decide it
        Jn = jac[:, use] / norms[use]
        JtJ = Jn.T @ Jn
        cond = float(np.linalg.cond(JtJ))
        if cond < _COND_MAX:
            cov[np.ix_(use, use)] = np.linalg.inv(JtJ) / np.outer(norms[use], norms[use])
    return cov, flat, cond


def _at_bound(x, lo, hi):
    return (x - lo <= 1e-6 * (hi - lo)) | (hi - x <= 1e-6 * (hi - lo))


def _percents(values) -> str:
    return ", ".join(f"{v:.1f}" for v in np.asarray(values, dtype=float))


def _status_text(ok, why=""):
    return "converged" if ok else f"did not converge ({why})"


_SHOWN = {"mu": "μ", "gamma": "γ", "p_recover": "p_R", "p_harm": "p_C", "harm_share": "p_C share",
          "decay": "decay", "eta": "η"}


def _ridge(bound, flat, cond):
    """Mask of the free parameters left without a stderr by a near-singular curvature matrix."""
    return ~bound & ~flat if cond >= _COND_MAX else np.zeros_like(bound)


def _notes(names, bound, flat, cond):
    parts = []
    if bound.any():
        parts.append("At a bound (no stderr): "
                     + ", ".join(_SHOWN.get(names[i], names[i]) for i in np.flatnonzero(bound)) + ".")
    if flat.any():
        parts.append("Not constrained by the data (flat direction, no stderr): "
                     + ", ".join(_SHOWN.get(names[i], names[i]) for i in np.flatnonzero(flat)) + ".")
    ridge = _ridge(bound, flat, cond)
    if ridge.sum() >= 2:
        parts.append("Not identified: " + " and ".join(_SHOWN.get(names[i], names[i])
                                                        for i in np.flatnonzero(ridge))
                     + f" lie on a ridge (the curvature matrix's condition number is {cond:.0e}), "
                     "so the data fix a combination of them, not each; no stderr.")
    elif ridge.any():
        parts.append(f"Not identified (condition number {cond:.0e}): "
                     + ", ".join(_SHOWN.get(names[i], names[i]) for i in np.flatnonzero(ridge)) + "; no stderr.")
    return parts


@dataclass(frozen=True, eq=False)  # eq=False: a generated == would compare arrays and raise
class _Family:
    """One family's published curves and the toy's curves for them, at given (T, horizon).

    The parameter vector x is (p_recover, harm_share[, decay][, eta]): p_harm = harm_share *
    (1 - p_recover), so box bounds keep p_R + p_C <= 1.
    """

    L: np.ndarray
    base: np.ndarray  # (1, len(L)), percent
    base_sigma: np.ndarray
    aligned: np.ndarray  # (curves, len(L)), no rows without aligned curves
    aligned_sigma: np.ndarray
    has_aligned: bool
    fit_decay: bool
    h_undecided: float
    max_nfev: int

    @property
    def n_base(self) -> int:
        return 3 if self.fit_decay else 2

    @property
    def names(self) -> list:
        return (["p_recover", "harm_share", "decay"][:self.n_base]
                + (["eta"] if self.has_aligned else []))

    @property
    def lo(self) -> np.ndarray:
        return np.array([1e-6, 0.0, 1e-3][:self.n_base] + ([0.0] if self.has_aligned else []))

    @property
    def hi(self) -> np.ndarray:
        return np.array([1 - 1e-6, 1.0, 1.0][:self.n_base] + ([50.0] if self.has_aligned else []))

    @property
    def data(self) -> np.ndarray:
        return np.vstack([self.base, self.aligned])

    @property
    def sigma(self) -> np.ndarray:
        return np.vstack([self.base_sigma, self.aligned_sigma])

    def unpack(self, x):
        """(p_recover, p_harm, decay, eta) of the parameter vector ``x``."""
        return x[0], x[1] * (1.0 - x[0]), (x[2] if self.fit_decay else 1.0), (
            x[self.n_base] if self.has_aligned else 0.0)

    def base_rows(self, x, T):
        p_r, p_c, decay, _ = self.unpack(x)
        return 100 * _curve(T, 1, p_r, p_c, decay, self.h_undecided, 0.0, np.zeros(T))[self.L][None]

    def aligned_rows(self, x, T, horizon):
        p_r, p_c, decay, eta = self.unpack(x)
        std = 100 * _curve(T, horizon, p_r, p_c, decay, self.h_undecided, eta, np.zeros(T))[self.L]
        return np.repeat(std[None], self.aligned.shape[0], axis=0)

    def model(self, x, T, horizon):
        return np.vstack([self.base_rows(x, T)]
                         + ([self.aligned_rows(x, T, horizon)] if self.has_aligned else []))

    def least_squares(self, fun, x0, lo, hi):
        return optimize.least_squares(fun, np.clip(x0, lo + 1e-9, hi - 1e-9), bounds=(lo, hi),
                                      max_nfev=self.max_nfev, x_scale="jac", ftol=1e-6, xtol=1e-6)


@dataclass(frozen=True, eq=False)
class _Point:
    """The fit at one (T, horizon) of the grid."""

    T: int
    horizon: int
    x: np.ndarray
    converged: bool
    why: str  # the optimizer's words when it did not converge
    jac_blocks: list  # (parameter indices, Jacobian) per least-squares stage
    chi2: float


def _fit_base(fam: _Family, T: int):
    """The base curve alone fitted at length ``T``: ``(start for the full fit, the fit)``.

    It pins p_R, p_C and decay (the horizon does not enter) but has local minima along the
    p_C-decay trade-off, hence a few starts.
    """
    n = fam.n_base
    # start p_R from the base L = 0 point: (1 - p_R)^T = ASR(0) when decay = 1
    asr0 = np.clip(fam.base[0, 0] / 100, 0.01, 0.99)
    x0 = np.array([1 - asr0 ** (1 / T), 0.3, 0.8][:n] + ([3.0] if fam.has_aligned else []))
    best = None
    for share0, decay0 in ((0.1, 0.9), (0.5, 0.9), (0.9, 0.7)):
        r = fam.least_squares(lambda y: ((fam.base_rows(np.r_[y, 0.0], T) - fam.base)
                                         / fam.base_sigma).ravel(),
                              np.array([x0[0], share0, decay0][:n]), fam.lo[:n], fam.hi[:n])
        if best is None or r.cost < best.cost:
            best = r
    x0[:n] = best.x
    return x0, best


def _fit_at(fam: _Family, T: int, horizon: int, x0, base_fit, joint: bool) -> _Point:
    """The toy fitted at fixed length ``T`` and horizon: all parameters to all curves from ``x0``
    (``joint``), or eta alone to the aligned curves with ``base_fit``'s base parameters."""
    n, lo, hi, data, sigma = fam.n_base, fam.lo, fam.hi, fam.data, fam.sigma
    if joint:
        res = fam.least_squares(lambda x: ((fam.model(x, T, horizon) - data) / sigma).ravel(),
                                x0, lo, hi)
        x, ok, why = res.x, res.status > 0, res.message
        jac_blocks = [(np.arange(x.size), res.jac)]
    else:
        r2 = min((fam.least_squares(lambda e: ((fam.aligned_rows(np.r_[base_fit.x, e], T, horizon)
                                                 - fam.aligned) / fam.aligned_sigma).ravel(),
                                    np.array([e0]), lo[n:], hi[n:]) for e0 in (0.3, 3.0)),
                 key=lambda r: r.cost)
        x = np.r_[base_fit.x, r2.x]
        ok = base_fit.status > 0 and r2.status > 0
        why = "; ".join(r.message for r in (base_fit, r2) if r.status <= 0)
        jac_blocks = [(np.arange(n), base_fit.jac), (np.arange(n, x.size), r2.jac)]
    chi2 = float((((fam.model(x, T, horizon) - data) / sigma) ** 2).sum())
    return _Point(T, horizon, x, ok, why, jac_blocks, chi2)


def fit_family(base, aligned=None, L=PREFILL_L, *, base_sigma=FIGURE_SIGMA,
               aligned_sigma=FIGURE_SIGMA, T=60, horizons=range(1, 7), joint=True,
               h_undecided=0.0, fit_decay=True, max_nfev=200, labels=None) -> AttackFit:
    """Fit the base curve and (optionally) the standard-aligned curve(s) of one model family.

    Fitted: p_recover and p_harm (as p_harm = share * (1 - p_recover), so box bounds keep
    p_R + p_C <= 1; stderr of p_harm by the delta method) and decay (unless
    ``fit_decay=False``: fixed at 1), pinned by the base curve, and eta (the standard optimum's
    lambda/beta, Theorem 14) added by the aligned curve(s). ``joint=True`` fits all of them to
    all curves at once; ``joint=False`` fits the base parameters to the base curve alone and
    then eta to the aligned curve(s) with those fixed (eta's stderr is then conditional).
    ``aligned`` may hold several curves (e.g. the figure and the reproduction) sharing eta. The
    integer toy horizon (and T, if ``T`` is a sequence) is grid-searched, the continuous
    parameters fitted at each grid point.

    Fixed: T, h_undecided, beta = 1, the sigmas. In this toy the standard curve equals the base
    curve for every L >= 1 (Corollary 23), so eta and the horizon act on the L = 0 point only:
    the message says when chi2 is flat across horizons, and the aligned curve's L >= 1
    residuals measure the distance between the published aligned model and that prediction.

    Identifiability (measured, not assumed): the base curve fixes about two combinations of
    (p_R, p_C, decay) - along a valley the curves agree to ~0.05 points - and eta saturates
    (the L = 0 point reaches its eta -> infinity limit), so stderr are NaN or large there and
    the message names such parameters. Trust the fitted curves more than the parameters.
    """
    start = time.perf_counter()
    L = np.asarray(L, dtype=int)
    b, b_sig = _as_curves(base, base_sigma, L.size, "base")
    if b.shape[0] != 1:
        raise ValueError("base must be one curve")
    has_aligned = aligned is not None
    a, a_sig = (_as_curves(aligned, aligned_sigma, L.size, "aligned") if has_aligned
                else (np.empty((0, L.size)), np.empty((0, L.size))))
    Ts = [int(T)] if np.ndim(T) == 0 else [int(t) for t in T]
    horizons = [int(h) for h in horizons] if has_aligned else [1]
    if not horizons or not Ts:
        raise ValueError("horizons and T must not be empty")
    if min(Ts) < L.max() or min(horizons) < 0:
        raise ValueError(f"T must be at least max(L) = {L.max()} and horizons >= 0")
    fam = _Family(L, b, b_sig, a, a_sig, has_aligned, fit_decay, h_undecided, max_nfev)

    best, grid = None, []
    for T_ in Ts:
        x0, base_fit = _fit_base(fam, T_)
        for h in horizons:
            if h > T_:
                continue
            point = _fit_at(fam, T_, h, x0, base_fit, joint)
            x0 = point.x  # warm start the next horizon: neighbouring horizons fit alike
            grid.append((T_, h, point.chi2))
            if best is None or point.chi2 < best.chi2:
                best = point
    return _family_result(fam, best, grid, joint, labels, time.perf_counter() - start)


def _family_result(fam: _Family, best: _Point, grid: list, joint: bool, labels,
                   seconds: float) -> AttackFit:
    """The grid's best fit as an :class:`AttackFit`: stderr, and the message saying what the
    data do and do not determine (parameters at a bound or on a ridge, a flat horizon)."""
    x, T_, h, chi2 = best.x, best.T, best.horizon, best.chi2
    data, sigma, names = fam.data, fam.sigma, fam.names
    bound = _at_bound(x, fam.lo, fam.hi)
    cov = np.full((x.size, x.size), np.nan)
    flat = np.zeros(x.size, bool)
    conds = []
    for idx, jac in best.jac_blocks:
        c, f, cond = _cov(jac, bound[idx])
        cov[np.ix_(idx, idx)] = c
        flat[idx] = f
        conds.append(cond)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    p_r, p_c, decay, eta = fam.unpack(x)
    values = list(x)
    values[1] = p_c
    names[1] = "p_harm"
    # delta method: p_C = share (1 - p_R), so dp_C = -share dp_R + (1 - p_R) dshare
    g = np.array([-x[1], 1.0 - x[0]])
    se[1] = np.sqrt(max(g @ cov[:2, :2] @ g, 0.0)) if np.isfinite(cov[:2, :2]).all() else np.nan
    fitted = fam.model(x, T_, h)
    fixed = {"T": T_, "horizon": h, "h_undecided": float(fam.h_undecided), "beta": 1.0}
    if not fam.fit_decay:
        fixed["decay"] = 1.0
    dof = int(data.size - x.size - (len(grid) > 1))
    labels = tuple(labels) if labels is not None else (
        ("base",) + tuple(f"aligned {i + 1}" for i in range(fam.aligned.shape[0])))
    parts = [f"{'Joint' if joint else 'Staged'} fit {_status_text(best.converged, best.why)}; "
             f"chi2 = {chi2:.1f} for {dof} degrees of freedom."]
    parts += _notes(names, bound, flat, max(conds))
    if not fam.has_aligned:
        parts.append("Base curve only: the horizon does not enter it (fixed at 1).")
    else:
        flat_h = [g_[1] for g_ in grid if g_[0] == T_ and g_[2] - chi2 < 1.0]
        if len(flat_h) > 1:
            parts.append(f"The toy horizon is not identified: chi2 within 1 of the best for "
                         f"horizons {flat_h}.")
        gap = (fitted[1:, 1:] - data[1:, 1:]).mean()
        parts.append(
            "Corollary 23 in this toy: once one harmful token is prefilled the standard optimum "
            "continues like the base model, so its curve for L >= 1 is the base curve; the "
            f"published aligned curve lies {gap:.0f} points below the fitted one there on average.")
    if dof > 0 and chi2 / dof > 4:
        parts.append("chi2 per degree of freedom is large: the toy does not describe these data "
                     "within their uncertainty, and the stderr understate the real spread.")
    parts.append(CAVEAT)
    return AttackFit(
        kind="family", names=tuple(names), values=tuple(float(v) for v in values),
        stderr=tuple(float(s_) for s_ in se), fixed=types.MappingProxyType(fixed), L=fam.L,
        curves=labels, data=data, sigma=sigma, fitted=fitted, residuals=data - fitted,
        chi2=chi2, dof=dof, converged=bool(best.converged),
        at_bound=tuple(names[i] for i in np.flatnonzero(bound)),
        message=" ".join(parts), grid=tuple(grid), seconds=seconds)


def fit_deep(after, L=TABLE2_L, *, after_sigma, initial=None, initial_sigma=None,
             T=60, horizon, p_recover, p_harm, decay=1.0, eta=0.0, h_undecided=0.0,
             mu0=3.0, gamma0=0.99, max_nfev=200) -> AttackFit:
    """Fit the deep optimum's recovery penalty mu gamma^t (Definition 17, Theorem 20; beta = 1)
    to attack success after recovery augmentation (Table 2 "after"), everything else fixed
    (typically ``**family_fit.toy_params()`` with T long enough for L = 40).

    Fitted: mu (= mu/beta) and gamma. The standard optimum's prediction at the same fixed
    parameters is set against the "initial" column in ``comparison`` (not fitted). The sigmas
    are Table 2's std over 3 training runs, not a measurement error of the toy.
    """
    start = time.perf_counter()
    L = np.asarray(L, dtype=int)
    data, sigma = _as_curves(after, after_sigma, L.size, "after")
    T = int(T)
    _check(T, horizon, float(p_recover), float(p_harm), float(decay), float(h_undecided))
    if T < L.max():
        raise ValueError(f"T must be at least max(L) = {L.max()}")
    lo, hi = np.array([0.0, 0.0]), np.array([100.0, 1.0])
    powers = np.arange(1, T + 1, dtype=float)

    def model(x):
        tilt = x[0] * np.power(x[1], powers)
        return 100 * _curve(T, horizon, p_recover, p_harm, decay, h_undecided, eta, tilt)[L][None]

    x0 = np.clip([mu0, gamma0], lo + 1e-9, hi - 1e-9)
    res = optimize.least_squares(lambda x: ((model(x) - data) / sigma).ravel(), x0,
                                 bounds=(lo, hi), max_nfev=max_nfev, x_scale="jac")
    x = res.x
    bound = _at_bound(x, lo, hi)
    cov, flat, cond = _cov(res.jac, bound)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    fitted = model(x)
    chi2 = float(2 * res.cost)
    dof = data.size - x.size
    names = ("mu", "gamma")
    at_bound = tuple(names[i] for i in np.flatnonzero(bound))
    identified = not (_ridge(bound, flat, cond).any() or flat.any())
    comparison = None
    parts = [f"Fit {_status_text(res.status > 0, res.message)}; chi2 = {chi2:.1f} for {dof} "
             "degrees of freedom."]
    parts += _notes(names, bound, flat, cond)
    parts.append(f"The fitted curve is {_percents(fitted[0])} % against the published "
                 f"{_percents(data[0])} % (L = {', '.join(map(str, L))}).")
    if initial is not None:
        init, init_sig = _as_curves(initial, initial_sigma, L.size, "initial")
        pred = 100 * _curve(T, horizon, p_recover, p_harm, decay, h_undecided, eta,
                            np.zeros(T))[L][None]
        r = init - pred
        comparison = Comparison("standard optimum vs Table 2 initial", init, init_sig, pred, r,
                                float(((r / init_sig) ** 2).sum()))
        parts.append(
            f"The standard optimum at the same parameters predicts {np.round(pred[0], 1).tolist()}"
            f" for the initial model (published {init[0].tolist()}; chi2 {comparison.chi2:.0f}, "
            "not fitted): in the toy a prefill beyond the horizon returns it to the base model "
            "(Corollary 23), while the deep optimum keeps recovering (Theorem 20).")
    if dof > 0 and chi2 / dof > 4:
        parts.append("chi2 per degree of freedom is large: the toy does not describe these data "
                     "within their uncertainty.")
    parts.append(CAVEAT)
    fixed = {"T": T, "horizon": int(horizon), "p_recover": float(p_recover),
             "p_harm": float(p_harm), "decay": float(decay), "eta": float(eta),
             "h_undecided": float(h_undecided), "beta": 1.0}
    return AttackFit(
        kind="deep", names=names, values=tuple(float(v) for v in x),
        stderr=tuple(float(s) for s in se), fixed=types.MappingProxyType(fixed), L=L,
        curves=("after augmentation",), data=data, sigma=sigma, fitted=fitted,
        residuals=data - fitted, chi2=chi2, dof=dof, converged=bool(res.status > 0),
        at_bound=at_bound, message=" ".join(parts), comparison=comparison,
        identified=identified, seconds=time.perf_counter() - start)


@dataclass(frozen=True)
class Ridge:
    """chi2 of a deep fit along mu, gamma re-fitted at each mu (:func:`ridge_profile`)."""

    mu: np.ndarray
    gamma: np.ndarray
    chi2: np.ndarray
    chi2_min: float
    flat_from: float  # smallest and largest mu with chi2 within 1 of the minimum
    flat_to: float
    message: str


def ridge_profile(fit: AttackFit, mu=None) -> Ridge:
    """The profile of a :func:`fit_deep` along mu: at each mu, the gamma that minimises chi2.

    Where chi2 stays within 1 of its minimum over a range of mu, the data do not tell those
    (mu, gamma) apart: a ridge. Along it the tilt mu*gamma^t is held near the prefill positions
    the data probe, so gamma is searched between the values that keep mu*gamma^p fixed at
    p = 10 and p = 80 (p: a position), from the fit's own (mu, gamma).
    """
    if fit.kind != "deep":
        raise ValueError("ridge_profile needs a fit_deep result")
    p = fit.params()
    T, L = int(p["T"]), fit.L
    mu = np.logspace(0, 4, 25) if mu is None else np.asarray(mu, dtype=float)
    powers = np.arange(1, T + 1, dtype=float)
    data, sigma = fit.data[0], fit.sigma[0]

    def chi2(m, g):
        tilt = m * np.power(g, powers)
        curve = 100 * _curve(T, int(p["horizon"]), p["p_recover"], p["p_harm"], p["decay"],
                             p["h_undecided"], p["eta"], tilt)[L]
        return float((((curve - data) / sigma) ** 2).sum())

    mu0, g0 = p["mu"], min(max(p["gamma"], 1e-12), 1.0)
    gammas, chis = [], []
    for m in mu:
        ends = [min((mu0 * g0 ** q / m) ** (1.0 / q), 1.0) for q in (10.0, 80.0)]
        lo_g, hi_g = min(ends), max(ends)
        r = optimize.minimize_scalar(lambda g: chi2(m, g), bounds=(lo_g, hi_g), method="bounded",
                                     options={"xatol": 1e-10})
        gammas.append(float(r.x))
        chis.append(min(float(r.fun), chi2(m, hi_g)))
    chis = np.array(chis)
    best = float(min(chis.min(), fit.chi2))
    flat = mu[chis <= best + 1.0]
    lo_mu, hi_mu = (float(flat.min()), float(flat.max())) if flat.size else (math.nan, math.nan)
    if flat.size > 1:
        edge = " (the widest μ tried)" if hi_mu >= mu.max() else ""
        message = (f"Along μ, with γ re-fitted at each μ, χ² stays within 1 of its minimum "
                   f"{best:.1f} from μ = {lo_mu:,.3g} to {hi_mu:,.0f}{edge}: the data fix the "
                   "tilt μγᵗ near the prefill positions, not μ and γ apart.")
    else:
        message = f"χ² rises away from the fit along μ (minimum {best:.1f}): no ridge in this range."
    return Ridge(mu, np.array(gammas), chis, best, lo_mu, hi_mu, message)
