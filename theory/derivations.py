"""Symbolic derivations (sympy) of the closed forms in :mod:`theory`.

Each result is *derived* here: sympy differentiates the Lagrangian, solves the stationarity
and normalisation equations, proves the sigmoid and the two KL forms equal, solves Corollary 23
for the position and Theorem 22 for the penalty, and sums Theorem 22's bound. Steps say which
they are: *derived* steps print, with ``sympy.latex``, expressions sympy computed or proved
equal, and keep them; *stated* steps are the paper's definitions and reasoning that connect
them, and are not derived here. The final expression is lambdified to numpy, and
:meth:`Derivation.check` compares it with the numeric core.

The last section, "stable forms for code generation", rewrites the results in the numerically
stable forms of the numeric core, special cases included, and proves them equal to the derived
ones (:func:`live_forms`); ``ui/live/jsmath.py`` prints them to JavaScript for the browser.

Importing this module imports sympy (about 0.4 s); ``import theory`` does not. Derivations are
computed once per process on first request (``get`` and ``live_forms`` are cached).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np
import sympy as sp
from scipy.special import logit as _scipy_logit
from sympy.codegen.cfunctions import expm1, log1p
from sympy.utilities.lambdify import implemented_function

from ._derivation_checks import REFERENCES as _REFERENCES
from .recovery import _SERIES_BELOW, _SERIES_TERMS

__all__ = ["Step", "Check", "Derivation", "names", "get", "to_tex", "LiveForm", "live_forms", "live_helpers"]


@dataclass(frozen=True)
class Step:
    """One line of a derivation: what was done, and the resulting expression in LaTeX.

    ``derived``: the LaTeX is ``sympy.latex`` of ``exprs``, expressions sympy computed (solve,
    diff, summation, substitution) or proved equal, joined only by relation signs and spacing.
    Otherwise the step is *stated*: a definition or a piece of the paper's reasoning, typed in
    or merely printed by sympy (then ``exprs`` holds what was printed).
    """

    title: str
    latex: str
    derived: bool
    exprs: tuple[sp.Basic, ...] = ()

    @property
    def kind(self) -> str:
        return "derived" if self.derived else "stated"


@dataclass(frozen=True)
class Check:
    """Largest relative difference between the lambdified result and the numeric core."""

    max_rel_error: float
    n_points: int
    against: str


@dataclass(frozen=True)
class Derivation:
    key: str
    title: str
    paper_ref: str
    steps: tuple[Step, ...]
    result: sp.Expr
    result_latex: str
    arguments: tuple[str, ...]
    numeric: Callable[..., np.ndarray]
    reference: Callable[..., np.ndarray]
    sample: Callable[[np.random.Generator, int], dict]

    def check(self, n_points: int = 500, seed: int = 0) -> Check:
        """Evaluate ``numeric`` and the numeric core on a random grid; report the worst gap."""
        args = self.sample(np.random.default_rng(seed), n_points)
        got = np.asarray(self.numeric(*(args[name] for name in self.arguments)), dtype=float)
        want = np.asarray(self.reference(**args), dtype=float)
        scale = np.maximum(np.abs(want), 1e-300)
        err = float(np.max(np.abs(got - want) / scale))
        return Check(err, n_points, f"theory.{self.reference.__name__}")


# Symbols shared by the derivations. Positivity lets sympy take logs apart where it is valid.
p, a, Z, r = sp.symbols("p a Z r", positive=True)
mu, beta, gamma, w = sp.symbols("mu beta gamma w", positive=True)
t, T, k = sp.symbols("t T k", positive=True)
# ell is the log-odds gap logit(delta) - logit(p_min), the paper's Delta of Corollary 23: the
# app keeps Delta_t for the harm innovation. nu is the Lagrange multiplier: lambda is the harm weight.
delta, p_min, ell = sp.symbols("delta p_min ell", positive=True)
mu_t, nu = sp.symbols("mu_t nu", real=True)
q_v, pi_v, rho_v = sp.symbols("q_v pi_v rho_v", positive=True)


def _logit(x):
    return sp.log(x / (1 - x))


def _sigma(x):
    return 1 / (1 + sp.exp(-x))


# Unevaluated function names, so displayed results read as the paper writes them.
_SIGMA_NAME = sp.Function(r"\sigma")
_LOGIT_NAME = sp.Function(r"\operatorname{logit}")


def _assert_equal(lhs, rhs, what: str) -> None:
    """Prove ``lhs == rhs`` symbolically; a derivation that fails this must not be shown."""
    diff = sp.simplify(sp.expand_log(sp.simplify(lhs - rhs), force=True))
    if diff != 0:
        raise AssertionError(f"sympy could not confirm {what}: residual {diff}")


def _eq(lhs, rhs) -> sp.Eq:
    # evaluate=False: an equation sympy can decide must still be shown, not collapse to True.
    return sp.Eq(lhs, rhs, evaluate=False)


def _step(title: str, *exprs, derived: bool, joiner: str = r",\quad ") -> Step:
    """A step whose LaTeX is sympy's printout of ``exprs`` (a chain when ``joiner`` is " = ")."""
    return Step(title, joiner.join(sp.latex(e) for e in exprs), derived, exprs)


def _shift_expr():
    return w * mu * gamma**t / beta


def _derive_gibbs():
    """Theorem 20: Lagrangian -> stationarity -> Gibbs form -> normalisation -> sigmoid."""
    steps = []
    i = sp.Symbol("v", integer=True, positive=True)
    vocab = (i, 1, sp.Symbol("|V|", integer=True, positive=True))
    q_i, pi_i, rho_i = (sp.IndexedBase(n)[i] for n in ("q", r"\pi_{\mathrm{base}}", r"\rho"))
    lagrangian = (
        mu_t * (1 - sp.Sum(rho_i * q_i, vocab))
        + beta * sp.Sum(q_i * sp.log(q_i / pi_i), vocab)
        + nu * (sp.Sum(q_i, vocab) - 1)
    )
    steps.append(_step(
        r"Lagrangian of $\min_q \mu_t(1-q(R)) + \beta\,\mathrm{KL}(q\,\|\,\pi_{\mathrm{base}})$"
        r" with $\rho_v = \mathbf 1[v\in R]$ and the multiplier $\nu$ of $\sum_v q_v = 1$",
        _eq(sp.Symbol(r"\mathcal{L}"), lagrangian), derived=False,
    ))
    # Only the terms holding q_v depend on it, so differentiate one token's share.
    per_token = -mu_t * rho_v * q_v + beta * q_v * sp.log(q_v / pi_v) + nu * q_v
    stationarity = sp.Eq(sp.diff(per_token, q_v), 0)
    steps.append(_step(r"Stationarity $\partial\mathcal L/\partial q_v = 0$", stationarity, derived=True))
    (solution,) = sp.solve(stationarity, q_v)
    steps.append(_step("Solve for $q_v$", _eq(q_v, solution), derived=True))
    gibbs = pi_v * sp.exp(a * rho_v) / Z
    _assert_equal(solution.subs(mu_t, a * beta), gibbs.subs(Z, sp.exp(1 + nu / beta)), "Gibbs form")
    steps.append(_step(
        r"Gibbs form, with $a = \mu_t/\beta$ and $Z = e^{1+\nu/\beta}$", _eq(q_v, gibbs), derived=True,
    ))
    # q is proportional to pi_base on R and on V \ R, so each group sums like one token.
    in_r, not_in_r = gibbs.subs({rho_v: 1, pi_v: p}), gibbs.subs({rho_v: 0, pi_v: 1 - p})
    normalisation = sp.Eq(in_r + not_in_r, 1)
    (z_value,) = sp.solve(normalisation, Z)
    steps.append(_step(
        r"Normalisation $\sum_v q_v = 1$, with $p = \pi_{\mathrm{base}}(R)$",
        normalisation, _eq(Z, z_value), derived=True, joiner=r" \;\Rightarrow\; ",
    ))
    recovery_prob = in_r.subs(Z, z_value)
    steps.append(_step(r"Recovery probability $r^* = q(R)$", _eq(r, recovery_prob), derived=True))
    sigmoid = _sigma(_logit(p) + a)
    _assert_equal(recovery_prob, sigmoid, "r* = sigma(logit p + a)")
    steps.append(_step(
        r"Equals a sigmoid: a shift $a$ in log-odds",
        _eq(r, sigmoid), _SIGMA_NAME(_LOGIT_NAME(p) + a), derived=True, joiner=" = ",
    ))
    return steps, recovery_prob, z_value


def _recovery_probability() -> tuple:
    steps, _, _ = _derive_gibbs()
    result = _sigma(_logit(p) + a).subs(a, _shift_expr())
    display = _SIGMA_NAME(_LOGIT_NAME(p) + a).subs(a, _shift_expr())
    steps.append(_step(
        r"Penalty weight $\mu_t = \mu\gamma^t$ and importance weight $w$ (Remark 9)",
        _eq(r, display), derived=True,
    ))
    return steps, result, display


def _recovery_kl() -> tuple:
    _, recovery_prob, z_value = _derive_gibbs()
    kl = sp.Symbol(r"\mathrm{KL}^*")
    steps = [_step(r"From the Gibbs form, $r^*$ and $Z$", _eq(r, recovery_prob), _eq(Z, z_value), derived=True)]
    grouped = r * sp.log(r / p) + (1 - r) * sp.log((1 - r) / (1 - p))
    steps.append(_step(
        r"KL grouped by $R$ and $V\setminus R$ (the ratio $q/\pi_{\mathrm{base}}$ is constant on each)",
        _eq(kl, grouped), derived=False,
    ))
    gibbs_form = a * r - sp.log(Z)
    steps.append(_step(r"KL from $\log(q/\pi_{\mathrm{base}}) = a\rho_v - \log Z$", _eq(kl, gibbs_form), derived=False))
    grouped_at_optimum = grouped.subs(r, recovery_prob)
    gibbs_at_optimum = gibbs_form.subs({r: recovery_prob, Z: z_value})
    _assert_equal(grouped_at_optimum, gibbs_at_optimum, "the two KL forms")
    # Brackets keep each form whole; sympy would merge a printed difference into one sum.
    steps.append(Step(
        "At the optimum the two forms agree: sympy simplifies their difference to 0",
        rf"\left[{sp.latex(grouped_at_optimum)}\right] - \left[{sp.latex(gibbs_at_optimum)}\right] = 0",
        True, (grouped_at_optimum, gibbs_at_optimum),
    ))
    result = gibbs_at_optimum.subs(a, _shift_expr())
    display = gibbs_form.subs({r: _SIGMA_NAME(_LOGIT_NAME(p) + a), Z: z_value}).subs(a, _shift_expr())
    steps.append(_step(r"With $a = w\mu\gamma^t/\beta$", _eq(kl, display), derived=True))
    return steps, result, display


def _recoverability_bound() -> tuple:
    shift = mu * gamma**T / beta
    steps = [
        Step(r"$r^*$ increases in $p$ and in the shift; for $\gamma\le1$ the shift is smallest at $t=T$",
             rf"\min_{{k<t\le T,\ p_t\ge p_{{\min}}}} r^*_t = r^*(p_{{\min}}, \mu\gamma^T/\beta)", derived=False),
    ]
    at_worst = {p: p_min, a: shift}
    result = _sigma(_logit(p) + a).subs(at_worst)
    display = _SIGMA_NAME(_LOGIT_NAME(p) + a).subs(at_worst)
    steps.append(_step(r"Theorem 22: Theorem 20's $r^*$ at $p = p_{\min}$ and $t = T$", _eq(delta, display),
                       derived=True))
    return steps, result, display


_GAP_TITLE = (r"the log-odds gap $\ell = \operatorname{logit}\delta - \operatorname{logit}p_{\min}$"
              r" (the paper's $\Delta$ of Corollary 23; the app keeps $\Delta_t$ for the harm innovation)")


def _tau() -> tuple:
    """Corollary 23's threshold tau, and the app's minimum prefix length max(k, floor(tau))."""
    shift = mu * gamma**t / beta
    condition = sp.Lt(_logit(p_min) + shift, _logit(delta))
    gap = _logit(delta) - _logit(p_min)
    moved = sp.Lt(condition.lhs - _logit(p_min), condition.rhs - _logit(p_min)).subs(gap, ell)
    steps = [
        _step(r"Recovery at position $t$ is below $\delta$ (Theorem 20's $r^*$, in log-odds)", condition,
              derived=False),
        _step("With " + _GAP_TITLE, moved, derived=True),
    ]
    (tau,) = sp.solve(sp.Eq(moved.lhs, moved.rhs), t)
    steps.append(_step(r"Solve the boundary for $t$ (for $0<\gamma<1$ the inequality flips: $t > \tau$)",
                       _eq(sp.Symbol(r"\tau"), tau), derived=True))
    tau_name = sp.Symbol(r"\tau", real=True)
    first, prefix = sp.Max(k + 1, sp.floor(tau_name) + 1), sp.Max(k, sp.floor(tau_name))
    # simplify does not see through Max; written as cases it does.
    _assert_equal((first - 1).rewrite(sp.Piecewise), prefix.rewrite(sp.Piecewise), "L* = t* - 1")
    t_star, l_star = sp.symbols("t^* L^*")
    steps.append(_step(
        r"First suppressed position: the first integer $t > \tau$ beyond the horizon $k$ "
        r"(the app's refinement of Corollary 23: the attacker must also cover the horizon)",
        _eq(t_star, first), derived=False,
    ))
    steps.append(_step(
        r"Minimum prefix length: the app's refinement of Corollary 23 ($\tau$ bounds the position, "
        r"the prefix is one shorter)",
        _eq(l_star, t_star - 1), prefix, derived=True, joiner=" = ",
    ))
    return steps, tau.subs(ell, gap), tau


def _required_penalty() -> tuple:
    """Theorem 22's guarantee solved for mu (the paper states this inverse with Corollary 23)."""
    shift = mu * gamma**T / beta
    at_depth = sp.Eq(_logit(p_min) + shift, _logit(delta))
    (mu_req,) = sp.solve(at_depth, mu)
    mu_req_name = sp.Symbol(r"\mu_{\mathrm{req}}")
    result = beta * ell * gamma**(-T)
    _assert_equal(mu_req, result.subs(ell, _logit(delta) - _logit(p_min)), "mu_req = beta ell gamma^-T")
    steps = [
        _step(r"Theorem 22's guarantee exactly $\delta$ at depth $T$", at_depth, derived=False),
        _step(r"Solve for $\mu$", _eq(mu_req_name, mu_req), derived=True),
        _step("In terms of " + _GAP_TITLE, _eq(mu_req_name, result), derived=True),
    ]
    return steps, mu_req, result


def _geometric_tail() -> tuple:
    """Theorem 22's bound on the total recovery KL beyond the horizon, summed in closed form."""
    s = sp.Symbol("s", integer=True, positive=True)
    n = sp.Symbol("t", integer=True, positive=True)  # the summation index, printed t as in the paper
    total_kl = sp.Sum(sp.IndexedBase(r"\mathrm{KL}^*")[n], (n, k + 1, T))
    capped = sp.Sum(sp.log(1 / p_min), (n, k + 1, s - 1))
    tail = sp.Sum(mu / beta * gamma**n, (n, s, T))
    # sympy returns both cases: gamma = 1 (uniform, T - s + 1 equal terms) and gamma < 1.
    tail_value = sp.piecewise_fold(tail.doit())
    steps = [
        _step(r"Theorem 22 term by term, $\mathrm{KL}^*_t \le \min(\mu\gamma^t/\beta, \log(1/p_{\min}))$: "
              r"the cap $\log(1/p_{\min})$ at the $s-k-1$ positions $k<t<s$, the geometric term from the "
              r"first position $s$ where the shift drops below the cap",
              sp.Le(total_kl, capped + tail, evaluate=False), derived=False),
        _step(r"The geometric terms, summed by sympy (both cases: $\gamma = 1$ and $\gamma < 1$)",
              _eq(tail, tail_value), derived=True),
        _step("Both sums in closed form", sp.Le(total_kl, capped.doit() + tail_value, evaluate=False),
              derived=True),
    ]
    return steps, tail_value, tail_value


_SPECS = {
    "recovery_probability": (
        "Recovery probability", "Theorem 20", _recovery_probability, ("p", "mu", "beta", "gamma", "t", "w"),
    ),
    "recovery_kl": ("KL cost of recovery", "Theorem 20", _recovery_kl, ("p", "mu", "beta", "gamma", "t", "w")),
    "recoverability_bound": (
        "Robustness guarantee", "Theorem 22", _recoverability_bound, ("p_min", "mu", "beta", "gamma", "T"),
    ),
    "attack_threshold": ("Minimum prefilling attack", "Corollary 23", _tau, ("delta", "p_min", "mu", "beta", "gamma")),
    "required_penalty": ("Penalty needed for depth T", r"Theorem 22, solved for $\mu$", _required_penalty,
                         ("delta", "p_min", "beta", "gamma", "T")),
    "total_kl_tail": ("Total recovery KL beyond the horizon", "Theorem 22 (bound summed in closed form)",
                      _geometric_tail, ("s", "T", "mu", "beta", "gamma")),
}


def names() -> tuple[str, ...]:
    """Keys of the available derivations, in reading order."""
    return tuple(_SPECS)


@functools.cache
def get(key: str) -> Derivation:
    """The derivation ``key`` (one of :func:`names`), computed once per process."""
    if key not in _SPECS:
        raise ValueError(f"unknown derivation {key!r}; choose one of {', '.join(_SPECS)}")
    title, ref, build, arguments = _SPECS[key]
    steps, result, display = build()
    symbols = [sp.Symbol(name, positive=True) for name in arguments]
    numeric = sp.lambdify(symbols, result, modules="numpy")
    reference, sample = _REFERENCES[key]
    return Derivation(
        key=key, title=title, paper_ref=ref, steps=tuple(steps), result=result,
        result_latex=sp.latex(display), arguments=arguments, numeric=numeric,
        reference=reference, sample=sample,
    )


def to_tex(key: str) -> str:
    """A standalone LaTeX document with the derivation ``key``, step by step."""
    d = get(key)
    lines = [
        r"\documentclass{article}", r"\usepackage{amsmath,amssymb}", r"\begin{document}",
        rf"\section*{{{d.title} --- {d.paper_ref}}}",
        r"From ``Why Is RLHF Alignment Shallow? A Gradient Analysis'' (R.~Young, 2026);"
        r" derived with sympy by Shallow/Deep. Each step says whether it is derived (sympy computed"
        r" or proved equal the expressions shown) or stated (a definition or a step of the paper's"
        r" reasoning, not derived here).",
        r"\begin{enumerate}",
    ]
    for step in d.steps:
        lines += [rf"\item ({step.kind}) {step.title}", r"\[", step.latex, r"\]"]
    lines += [r"\end{enumerate}", r"\end{document}", ""]
    return "\n".join(lines)


# --- Stable forms for code generation ---------------------------------------------------------
# The derived results read as the paper writes them, but in floating point some of them cancel
# (KL* ~ a^2 is the difference of two terms ~ a) or overflow (e^a). The forms below are the same
# functions as the numeric core evaluates them (theory/recovery.py, theory/robustness.py): the
# same stable formulas, switches and special cases, so that code printed from them
# (ui/live/jsmath.py) agrees with the core to rounding. Each closed branch is proved equal to the
# result derived above; the small-shift series is derived here and checked against sympy's own.


@dataclass(frozen=True)
class LiveForm:
    """One result as a single sympy expression in ``arguments``, in a numerically stable form."""

    name: str
    arguments: tuple[str, ...]
    expr: sp.Expr
    doc: str


# logit stays a function call in the forms, so that conditions on log-odds stay one comparison
# (a Piecewise inside a condition multiplies into every combination of branches). Numerically it
# is scipy's logit; printed, it is the helper _STABLE_LOGIT, which evaluates as scipy does.
LOGIT = implemented_function(sp.Function("logit", real=True), _scipy_logit)
_x = sp.Symbol("x", nonnegative=True)
_STABLE_LOGIT = LiveForm(
    "logit", ("x",),
    # near 1/2, log(x / (1 - x)) loses digits that log1p(s) - log1p(-s), s = 2x - 1, keeps
    sp.Piecewise((log1p(2 * _x - 1) - log1p(1 - 2 * _x), (_x >= sp.Rational(3, 10)) & (_x <= sp.Rational(13, 20))),
                 (_logit(_x), True)),
    "log-odds log(x / (1 - x)), evaluated as scipy.special.logit.",
)


def _max(*args):
    # Unevaluated: sympy's attempt to order the arguments is slow here, and never succeeds.
    return sp.Max(*args, evaluate=False)


def _min(*args):
    return sp.Min(*args, evaluate=False)


def _plain(expr):
    """``expr`` with log1p, expm1 and logit written out, for the proofs."""
    return (expr.replace(log1p, lambda x: sp.log(1 + x)).replace(expm1, lambda x: sp.exp(x) - 1)
            .replace(LOGIT, _logit))


def _assert_branches_equal(expr, target, what: str, probabilities=(p,)) -> None:
    """Every branch of ``expr`` equals ``target`` for ``probabilities`` in (0, 1)."""
    # As y / (1 + y) with y > 0 a probability is in (0, 1), and sympy may split log(1 - p).
    inside = {x: y / (1 + y) for x in probabilities for y in [sp.Dummy(positive=True)]}
    folded = sp.piecewise_fold(expr)
    branches = [e for e, _ in folded.args] if isinstance(folded, sp.Piecewise) else [folded]
    for i, branch in enumerate(branches):
        _assert_equal(_plain(branch).subs(inside), target.subs(inside), f"{what} (branch {i})")


def _log_expit(x):
    """log sigma(x) as scipy.special.log_expit evaluates it: neither branch overflows."""
    return sp.Piecewise((x - log1p(sp.exp(x)), x < 0), (-log1p(sp.exp(-x)), True))


def _stable_recovery_probability(p_, a_):
    """Theorem 20's r* as theory.recovery_probability evaluates it."""
    u = (1 - p_) * expm1(-a_)
    # p / (1 + u) is exact at a = 0 and accurate while 1 + u >= 1/2; beyond, the log-odds.
    return sp.Piecewise(
        (p_ / (1 + u), u > -sp.Rational(1, 2)),
        (0, sp.Eq(p_, 0)),  # Remark 10; also keeps -inf + inf out of the log-odds at a = inf
        (1 / (1 + sp.exp(-(LOGIT(p_) + a_))), True),
    )


def _stable_kl_closed(p_, a_):
    """KL* = r log(r/p) - (1 - r) log Z from log Z and log(r/p), as theory's _kl_closed does."""
    log_z = sp.Piecewise(
        (log1p(p_ * expm1(a_)), a_ < 700),
        # e^a overflows: log Z = log(p e^a) + log1p((1 - p) / (p e^a))
        (a_ + sp.log(p_) + log1p(sp.exp(log1p(-p_) - sp.log(p_) - a_)), True),
    )
    u = (1 - p_) * expm1(-a_)
    log_r_over_p = sp.Piecewise(
        (-log1p(u), u > -sp.Rational(99, 100)),  # near u = -1 log1p loses the digits
        (_log_expit(LOGIT(p_) + a_) - sp.log(p_), True),
    )
    # r = p (r/p) and 1 - r = (1 - p) / Z, each from its log, keep their relative accuracy.
    kl = p_ * sp.exp(log_r_over_p) * log_r_over_p - (1 - p_) * sp.exp(-log_z) * log_z
    return kl, log_z, log_r_over_p


def _kl_series(n_terms: int = _SERIES_TERMS) -> list:
    """c_n(p) with KL* = p (1 - p) a^2 sum_{n>=2} c_n(p) a^(n-2), for n = 2 .. n_terms + 1.

    K(a) = log(1 - p + p e^a) is the cumulant generating function of Bernoulli(p), and
    KL* = a K'(a) - K(a) = sum_n (n - 1)/n! kappa_n a^n. The cumulants obey kappa_1 = p,
    kappa_{n+1} = p (1 - p) d kappa_n / dp; each kappa_n (n >= 2) has the factor p (1 - p),
    kept outside so that the series stays accurate near p = 0 and p = 1.
    """
    variance = sp.Poly(p * (1 - p), p)
    kappa, coefficients = sp.Poly(p, p), []
    for n in range(2, n_terms + 2):
        kappa = variance * kappa.diff(p)
        factor, remainder = kappa.div(variance)
        assert remainder.is_zero
        coefficients.append(sp.Rational(n - 1, sp.factorial(n)) * factor.as_expr())
    return coefficients


def _check_kl_series(coefficients, kl_derived, order: int = 5) -> None:
    """The cumulant series equals sympy's Taylor series of the derived KL* up to a^(order-1)."""
    taylor = sp.series(kl_derived, a, 0, order).removeO()
    ours = sum(p * (1 - p) * c * a**n for n, c in enumerate(coefficients[: order - 2], start=2))
    if sp.expand(sp.simplify(sp.expand(taylor - ours))) != 0:
        raise AssertionError("sympy could not confirm the cumulant series of KL*")


def _stable_geometric(mu_, beta_, gamma_, first, count):
    """sum_{t=first}^{first+count-1} mu gamma^t / beta; 1 - gamma^count as -expm1 keeps gamma ~ 1."""
    return mu_ * gamma_**first / beta_ * -expm1(count * sp.log(gamma_)) / (1 - gamma_)


def _stable_total_kl_bound(p_min_, mu_, beta_, gamma_, k_, T_):
    """Theorem 22's bound on the total recovery KL, as theory.total_recovery_kl_bound sums it."""
    n = T_ - k_  # > 0 wherever it is used
    cap = -sp.log(p_min_)
    # The positions whose shift mu gamma^t / beta is at least the cap are the first ones, t <= t_cap.
    t_cap = (sp.log(cap) - (sp.log(mu_) - sp.log(beta_))) / sp.log(gamma_)
    m = _min(_max(sp.floor(t_cap) - k_, 0), n)
    geometric = _stable_geometric(mu_, beta_, gamma_, k_ + m + 1, n - m)
    return sp.Piecewise(
        (0, sp.Eq(mu_, 0) | sp.Eq(gamma_, 0) | (T_ <= k_) | sp.Eq(p_min_, 1)),
        (n * _min(mu_ / beta_, cap), sp.Eq(gamma_, 1)),
        (n * cap, m >= n),
        (geometric, m <= 0),  # no capped position: m * cap would be 0 * inf at p_min = 0
        (m * cap + geometric, True),
    )


def _stable_tau(delta_, p_min_, mu_, beta_, gamma_):
    """Corollary 23's tau with theory.attack_threshold's special cases (earlier ones win)."""
    gap = LOGIT(delta_) - LOGIT(p_min_)
    return sp.Piecewise(
        (sp.oo, gap <= 0),  # delta <= p_min: recovery never falls below delta
        (-sp.oo, sp.Eq(mu_, 0)),
        (0, sp.Eq(gamma_, 0)),
        (sp.oo, sp.Eq(gamma_, 1) & (mu_ / beta_ >= gap)),
        (-sp.oo, sp.Eq(gamma_, 1)),
        ((sp.log(mu_) - sp.log(beta_) - sp.log(gap)) / -sp.log(gamma_), True),
    )


def _closed_branch(piecewise):
    """The last (otherwise) branch of a Piecewise: the general case after the special ones."""
    return piecewise.args[-1][0]


def _prove_live_forms() -> list:
    """Prove the stable branches equal to the derived results; return the KL* series terms."""
    _, recovery_prob, z_value = _derive_gibbs()
    kl_derived = a * recovery_prob - sp.log(z_value)  # the Gibbs form, equal to the grouped KL
    x = sp.Symbol("x", positive=True)
    _assert_branches_equal(_STABLE_LOGIT.expr.subs(_x, x), _logit(x), "stable logit", (x,))
    _assert_branches_equal(_log_expit(x), sp.log(_sigma(x)), "log sigma")
    _assert_branches_equal(_stable_recovery_probability(p, a), recovery_prob, "stable r*")
    kl_from_logs, log_z, log_r_over_p = _stable_kl_closed(p, a)
    _assert_branches_equal(log_z, sp.log(z_value), "stable log Z")
    _assert_branches_equal(log_r_over_p, sp.log(recovery_prob / p), "stable log(r*/p)")
    kl_from_logs = kl_from_logs.subs({log_z: sp.log(z_value), log_r_over_p: sp.log(recovery_prob / p)})
    _assert_equal(kl_from_logs, kl_derived, "KL* from log Z and log(r*/p)")
    series = _kl_series()
    _check_kl_series(series, kl_derived)
    # Theorem 22's sum: the stable geometric term against the one sympy summed; one position of
    # that sum is the shift in the per-position cap.
    _, tail, _ = _geometric_tail()
    s = sp.Symbol("s", integer=True, positive=True)
    summed = _closed_branch(tail)  # gamma != 1
    _assert_equal(_plain(_stable_geometric(mu, beta, gamma, s, T - s + 1)), summed, "geometric tail")
    _assert_equal(summed.subs({s: t, T: t}), _shift_expr().subs(w, 1), "one position of the tail")
    _, tau_derived, _ = _tau()
    tau_closed = _closed_branch(_stable_tau(delta, p_min, mu, beta, gamma))
    _assert_branches_equal(tau_closed, tau_derived, "stable tau", (delta, p_min))
    return series


def live_helpers() -> dict[str, LiveForm]:
    """Functions the live forms call besides the elementary ones (their code is printed too)."""
    return {_STABLE_LOGIT.name: _STABLE_LOGIT}


@functools.cache
def live_forms() -> dict[str, LiveForm]:
    """Theorem 20, Theorem 22 and Corollary 23 in stable forms for code generation (w = 1).

    Each agrees with its counterpart in :mod:`theory` to rounding, special cases included; the
    closed branches are proved equal to the derived results first. The forms call ``logit``
    (:func:`live_helpers`).
    """
    series = _prove_live_forms()
    P, MU, GAMMA, TT, P_MIN, T_, K, DELTA = sp.symbols("p mu gamma t p_min T k delta", nonnegative=True)
    BETA = sp.Symbol("beta", positive=True)  # nonnegative would let mu / beta be complex infinity
    shift = MU * GAMMA**TT / BETA
    horner = sp.horner(sum(c * a ** (n - 2) for n, c in enumerate(series, start=2)), a, p)
    # a * a unevaluated: sympy would expand a**2 into gamma**(2 t), which underflows while
    # a**2 is still a normal float.
    kl_series = sp.Mul(P * (1 - P) * horner.xreplace({p: P, a: shift}), shift, shift, evaluate=False)
    kl_closed, _, _ = _stable_kl_closed(P, shift)
    recovery_kl = sp.Piecewise(
        (0, sp.Eq(P, 0) | sp.Eq(P, 1) | sp.Eq(shift, 0)),
        (-sp.log(P), sp.Eq(shift, sp.oo)),  # mu / beta overflowed: the limit log(1/p)
        (_max(kl_series, 0), shift < sp.Rational(repr(_SERIES_BELOW))),
        (_max(kl_closed, 0), True),
    )
    r_star = _stable_recovery_probability(P, shift)
    tau = _stable_tau(DELTA, P_MIN, MU, BETA, GAMMA)
    forms = [
        LiveForm("recoveryProbability", ("p", "mu", "beta", "gamma", "t"), r_star,
                 "Theorem 20: recovery probability r* = sigma(logit p + mu gamma^t / beta)."),
        LiveForm("recoveryKl", ("p", "mu", "beta", "gamma", "t"), recovery_kl,
                 "Theorem 20: KL cost KL* of the recovery shift at position t, in nats."),
        LiveForm("klCap", ("p", "mu", "beta", "gamma", "t"), _min(shift, -sp.log(P)),
                 "Theorem 22: the per-position cap min(mu gamma^t / beta, log(1/p)) on KL*."),
        LiveForm("recoverabilityBound", ("p_min", "mu", "beta", "gamma", "T"),
                 r_star.xreplace({P: P_MIN, TT: T_}),
                 "Theorem 22: recovery delta guaranteed down to depth T."),
        LiveForm("totalKlBound", ("p_min", "mu", "beta", "gamma", "k", "T"),
                 _stable_total_kl_bound(P_MIN, MU, BETA, GAMMA, K, T_),
                 "Theorem 22: bound on the total recovery KL over positions k < t <= T, in nats."),
        LiveForm("attackThreshold", ("delta", "p_min", "mu", "beta", "gamma"), tau,
                 "Corollary 23: threshold tau; recovery is below delta at positions t > tau."),
        LiveForm("minAttackLength", ("delta", "p_min", "mu", "beta", "gamma", "k"),
                 _max(K, sp.floor(tau)),
                 "Corollary 23: minimum prefilled prefix length L* = max(k, floor(tau))."),
    ]
    return {form.name: form for form in forms}
