"""Symbolic derivations (sympy) of the closed forms in :mod:`theory`.

Each result is *derived* here, not typed in: sympy differentiates the Lagrangian, solves the
stationarity and normalisation equations, proves the sigmoid and the two KL forms equal, and
solves Corollary 23 for the position and for the penalty. Every step keeps the sympy expression
it came from and its LaTeX is produced by ``sympy.latex``. The final expression is lambdified
to numpy, and :meth:`Derivation.check` compares it with the numeric core.

Importing this module imports sympy (about 0.4 s); ``import theory`` does not. Derivations are
computed once per process on first request (``get`` is cached).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np
import sympy as sp

from ._derivation_checks import REFERENCES as _REFERENCES

__all__ = ["Step", "Check", "Derivation", "names", "get", "to_tex"]


@dataclass(frozen=True)
class Step:
    """One line of a derivation: what was done, and the resulting expression in LaTeX."""

    title: str
    latex: str


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
delta, p_min, Delta = sp.symbols("delta p_min Delta", positive=True)
mu_t, lam = sp.symbols("mu_t lambda", real=True)
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


def _eq(lhs, rhs) -> str:
    return f"{sp.latex(lhs)} = {sp.latex(rhs)}"


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
        + lam * (sp.Sum(q_i, vocab) - 1)
    )
    steps.append(Step(
        r"Lagrangian of $\min_q \mu_t(1-q(R)) + \beta\,\mathrm{KL}(q\,\|\,\pi_{\mathrm{base}})$"
        r" with $\rho_v = \mathbf 1[v\in R]$",
        _eq(sp.Symbol(r"\mathcal{L}"), lagrangian),
    ))
    # Only the terms holding q_v depend on it, so differentiate one token's share.
    per_token = -mu_t * rho_v * q_v + beta * q_v * sp.log(q_v / pi_v) + lam * q_v
    stationarity = sp.Eq(sp.diff(per_token, q_v), 0)
    steps.append(Step(r"Stationarity $\partial\mathcal L/\partial q_v = 0$", sp.latex(stationarity)))
    (solution,) = sp.solve(stationarity, q_v)
    steps.append(Step("Solve for $q_v$", _eq(q_v, solution)))
    gibbs = pi_v * sp.exp(a * rho_v) / Z
    _assert_equal(solution.subs(mu_t, a * beta), gibbs.subs(Z, sp.exp(1 + lam / beta)), "Gibbs form")
    steps.append(Step(
        r"Gibbs form, with $a = \mu_t/\beta$ and $Z = e^{1+\lambda/\beta}$",
        _eq(q_v, gibbs),
    ))
    normalisation = sp.Eq(p * sp.exp(a) / Z + (1 - p) / Z, 1)
    (z_value,) = sp.solve(normalisation, Z)
    steps.append(Step(
        r"Normalisation $\sum_v q_v = 1$, with $p = \pi_{\mathrm{base}}(R)$",
        rf"{sp.latex(normalisation)} \;\Rightarrow\; {_eq(Z, z_value)}",
    ))
    recovery_prob = p * sp.exp(a) / z_value
    steps.append(Step(r"Recovery probability $r^* = q(R)$", _eq(r, recovery_prob)))
    sigmoid = _sigma(_logit(p) + a)
    _assert_equal(recovery_prob, sigmoid, "r* = sigma(logit p + a)")
    steps.append(Step(
        r"Equals a sigmoid: a shift $a$ in log-odds",
        rf"{_eq(r, sigmoid)} = {sp.latex(_SIGMA_NAME(_LOGIT_NAME(p) + a))}",
    ))
    return steps, recovery_prob, z_value


def _recovery_probability() -> tuple:
    steps, _, _ = _derive_gibbs()
    result = _sigma(_logit(p) + _shift_expr())
    display = _SIGMA_NAME(_LOGIT_NAME(p) + _shift_expr())
    steps.append(Step(
        r"Penalty weight $\mu_t = \mu\gamma^t$ and importance weight $w$ (Remark 9)",
        _eq(r, display),
    ))
    return steps, result, display


def _recovery_kl() -> tuple:
    _, recovery_prob, z_value = _derive_gibbs()
    steps = [Step(r"From the Gibbs form, $r^*$ and $Z$", rf"{_eq(r, recovery_prob)},\quad {_eq(Z, z_value)}")]
    grouped = r * sp.log(r / p) + (1 - r) * sp.log((1 - r) / (1 - p))
    steps.append(Step(
        r"KL grouped by $R$ and $V\setminus R$ (the ratio $q/\pi_{\mathrm{base}}$ is constant on each)",
        _eq(sp.Symbol(r"\mathrm{KL}^*"), grouped),
    ))
    gibbs_form = a * r - sp.log(Z)
    steps.append(Step(
        r"KL from $\log(q/\pi_{\mathrm{base}}) = a\rho_v - \log Z$",
        _eq(sp.Symbol(r"\mathrm{KL}^*"), gibbs_form),
    ))
    grouped_at_optimum = grouped.subs(r, recovery_prob)
    gibbs_at_optimum = gibbs_form.subs({r: recovery_prob, Z: z_value})
    _assert_equal(grouped_at_optimum, gibbs_at_optimum, "the two KL forms")
    steps.append(Step(
        "At the optimum the two forms agree: sympy simplifies their difference to 0",
        rf"\left[{sp.latex(grouped_at_optimum)}\right] - \left[{sp.latex(gibbs_at_optimum)}\right] = 0",
    ))
    result = gibbs_form.subs({r: recovery_prob, Z: z_value}).subs(a, _shift_expr())
    display = (a * _SIGMA_NAME(_LOGIT_NAME(p) + a) - sp.log(z_value)).subs(a, _shift_expr())
    steps.append(Step(r"With $a = w\mu\gamma^t/\beta$", _eq(sp.Symbol(r"\mathrm{KL}^*"), display)))
    return steps, result, display


def _recoverability_bound() -> tuple:
    shift = mu * gamma**T / beta
    steps = [
        Step(r"$r^*$ increases in $p$ and in the shift; for $\gamma\le1$ the shift is smallest at $t=T$",
             rf"\min_{{k<t\le T,\ p_t\ge p_{{\min}}}} r^*_t = r^*(p_{{\min}}, \mu\gamma^T/\beta)"),
    ]
    result = _sigma(_logit(p_min) + shift)
    display = _SIGMA_NAME(_LOGIT_NAME(p_min) + shift)
    steps.append(Step("Theorem 22", _eq(delta, display)))
    return steps, result, display


def _tau() -> tuple:
    shift = mu * gamma**t / beta
    condition = sp.Lt(_logit(p_min) + shift, _logit(delta))
    steps = [
        Step(r"Recovery at position $t$ is below $\delta$", sp.latex(condition)),
        Step(r"With $\Delta = \operatorname{logit}\delta - \operatorname{logit}p_{\min}$", sp.latex(sp.Lt(shift, Delta))),
    ]
    (tau,) = sp.solve(sp.Eq(shift, Delta), t)
    steps.append(Step(r"Solve the boundary for $t$ (for $0<\gamma<1$ the inequality flips: $t > \tau$)",
                      _eq(sp.Symbol(r"\tau"), tau)))
    steps.append(Step(
        r"First suppressed position and minimum prefix (Corollary 23)",
        r"t^* = \max(k+1, \lfloor\tau\rfloor + 1),\qquad L^* = t^* - 1 = \max(k, \lfloor\tau\rfloor)",
    ))
    return steps, tau.subs(Delta, _logit(delta) - _logit(p_min)), tau


def _required_penalty() -> tuple:
    shift = mu * gamma**T / beta
    (mu_req,) = sp.solve(sp.Eq(_logit(p_min) + shift, _logit(delta)), mu)
    steps = [
        Step(r"Recovery exactly $\delta$ at depth $T$", sp.latex(sp.Eq(_logit(p_min) + shift, _logit(delta)))),
        Step(r"Solve for $\mu$", _eq(sp.Symbol(r"\mu_{\mathrm{req}}"), mu_req)),
    ]
    result = beta * Delta * gamma**(-T)
    _assert_equal(mu_req, result.subs(Delta, _logit(delta) - _logit(p_min)), "mu_req = beta Delta gamma^-T")
    steps.append(Step(r"In terms of $\Delta$", _eq(sp.Symbol(r"\mu_{\mathrm{req}}"), result)))
    return steps, mu_req, result


def _geometric_tail() -> tuple:
    s, n = sp.symbols("s n", integer=True, positive=True)
    summand = mu / beta * gamma**n
    total = sp.piecewise_fold(sp.summation(summand, (n, s, T)))
    steps = [
        Step(r"Theorem 22: $\mathrm{KL}^*_t \le \min(\mu\gamma^t/\beta, \log(1/p_{\min}))$; "
             r"past the first position $s$ where the shift drops below $\log(1/p_{\min})$ the terms are geometric",
             _eq(sp.Sum(summand, (n, s, T)), total)),
    ]
    capped = (s - k - 1) * sp.log(1 / p_min)
    steps.append(Step(
        r"Add the $s-k-1$ positions $k < t < s$ where the cap $\log(1/p_{\min})$ is the smaller term",
        _eq(sp.Symbol(r"\sum_{t=k+1}^{T}\mathrm{KL}^*_t"), sp.Symbol(r"\le") * 0 + capped + total)
        .replace("=", r"\le", 1),
    ))
    # sympy returns both cases: gamma = 1 (uniform, T - s + 1 equal terms) and gamma < 1.
    return steps, total, total


_SPECS = {
    "recovery_probability": (
        "Recovery probability", "Theorem 20", _recovery_probability, ("p", "mu", "beta", "gamma", "t", "w"),
    ),
    "recovery_kl": ("KL cost of recovery", "Theorem 20", _recovery_kl, ("p", "mu", "beta", "gamma", "t", "w")),
    "recoverability_bound": (
        "Robustness guarantee", "Theorem 22", _recoverability_bound, ("p_min", "mu", "beta", "gamma", "T"),
    ),
    "attack_threshold": ("Minimum prefilling attack", "Corollary 23", _tau, ("delta", "p_min", "mu", "beta", "gamma")),
    "required_penalty": ("Penalty needed for depth T", "Corollary 23", _required_penalty,
                         ("delta", "p_min", "beta", "gamma", "T")),
    "total_kl_tail": ("Total recovery KL beyond the horizon", "Theorem 22", _geometric_tail,
                      ("s", "T", "mu", "beta", "gamma")),
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
        rf"\section*{{{d.title} ({d.paper_ref})}}",
        r"From ``Why Is RLHF Alignment Shallow? A Gradient Analysis'' (R.~Young, 2026);"
        r" derived with sympy by Shallow/Deep.",
        r"\begin{enumerate}",
    ]
    for step in d.steps:
        lines += [rf"\item {step.title}", r"\[", step.latex, r"\]"]
    lines += [r"\end{enumerate}", r"\end{document}", ""]
    return "\n".join(lines)

