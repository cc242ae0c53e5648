"""The stable forms printed to JavaScript for the live figures (no browser).

The forms of ``theory.derivations.live_forms``, lambdified with numpy, must agree with the numeric
core to rtol 1e-9 over the whole slider domain, special cases exactly; ``ui.live.jsmath`` must
be sympy's printout of them. The samplers and the comparison are shared with the browser test
(tests/e2e/test_e2e_live_math.py), which runs the printed JavaScript in Chromium.
"""

from __future__ import annotations

import re

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from sympy.printing.jscode import jscode

import theory
from theory import derivations
from theory.recovery import _CUMULANT_FACTORS
from ui.live import jsmath

RTOL = 1e-9
# Below the smallest normal float (2.2e-308) digits are lost to underflow, in the core as in any
# other evaluation: results there are compared to an absolute 1e-309 (rtol times this floor).
FLOOR = 1e-300
NAMES = ("recoveryProbability", "recoveryKl", "klCap", "recoverabilityBound", "totalKlBound",
         "attackThreshold", "minAttackLength")


# --- Points: the sliders' whole range, log-uniform, with the exact special values ------------

def _log_uniform(rng, lo, hi, n):
    return np.exp(rng.uniform(np.log(lo), np.log(hi), n))


def _with(rng, values, specials, share=0.05):
    """``values`` with about ``share`` of the entries replaced by the exact ``specials``."""
    values = values.copy()
    hit = rng.random(values.size) < share
    values[hit] = rng.choice(np.asarray(specials, dtype=float), hit.sum())
    return values


def _probability(rng, n):
    return _with(rng, _log_uniform(rng, 1e-12, 0.9, n), [0.0, 1e-12, 0.9, 1.0], 0.08)


def _mu(rng, n):
    return _with(rng, _log_uniform(rng, 1e-2, 1e6, n), [0.0])


def _gamma(rng, n):
    # Half uniform on [0, 1], half close to 1 (1 - gamma log-uniform down to 1e-9), where the
    # discount barely acts and 1 - gamma^n cancels.
    near_one = 1.0 - _log_uniform(rng, 1e-9, 1.0, n)
    values = np.where(rng.random(n) < 0.5, rng.uniform(0.0, 1.0, n), near_one)
    return _with(rng, values, [0.0, 1.0, 1.0 - 1e-6, 0.5], 0.1)


def _position(rng, n, lo=1):
    """Whole numbers lo .. 10^4 (lo is 0 or 1), log-uniform, with both ends."""
    values = np.floor(_log_uniform(rng, 1.0, 1e4 + 2.0, n)) - (1 - lo)
    return _with(rng, np.minimum(values, 1e4), [lo, 1e4], 0.02)


def sample(name: str, n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """``n`` random arguments for the generated function ``name``, keyed by parameter."""
    rng = np.random.default_rng([seed, NAMES.index(name)])
    common = {"mu": _mu(rng, n), "beta": _log_uniform(rng, 1e-2, 1e6, n), "gamma": _gamma(rng, n)}
    if name in ("recoveryProbability", "recoveryKl"):
        return {"p": _probability(rng, n), **common, "t": _position(rng, n, lo=0)}
    if name == "klCap":
        return {"p": _probability(rng, n), **common, "t": _position(rng, n)}
    if name == "recoverabilityBound":
        return {"p_min": _probability(rng, n), **common, "T": _position(rng, n, lo=0)}
    if name == "totalKlBound":
        k = rng.integers(0, 201, n).astype(float)
        T = np.where(rng.random(n) < 0.1, rng.integers(0, 201, n), _position(rng, n, lo=0))  # T <= k too
        return {"p_min": _probability(rng, n), **common, "k": k, "T": T.astype(float)}
    delta = _with(rng, rng.uniform(0.01, 0.99, n), [0.01, 0.5, 0.99])
    args = {"delta": delta, "p_min": _probability(rng, n), **common}
    if name == "minAttackLength":
        args["k"] = rng.integers(0, 201, n).astype(float)
    return args


def reference(name: str, args: dict) -> np.ndarray:
    """The numeric core's value for the generated function ``name`` (vectorised)."""
    x = [args[a] for a in jsmath.arguments(name)]
    if name == "klCap":  # Theorem 22's bound over the one position t: horizon t - 1, depth t
        return np.asarray(theory.total_recovery_kl_bound(*x[:4], x[4] - 1, x[4]), dtype=float)
    core = {
        "recoveryProbability": theory.recovery_probability, "recoveryKl": theory.recovery_kl,
        "recoverabilityBound": theory.recoverability_bound, "totalKlBound": theory.total_recovery_kl_bound,
        "attackThreshold": theory.attack_threshold, "minAttackLength": theory.min_attack_length,
    }[name]
    return np.asarray(core(*x), dtype=float)


def special_inputs(args: dict) -> np.ndarray:
    """Where an argument sits at a special value, for which the core returns an exact constant."""
    special = np.zeros(len(next(iter(args.values()))), dtype=bool)
    for key in ("p", "p_min"):
        if key in args:
            special |= (args[key] == 0.0) | (args[key] == 1.0)
    special |= (args["mu"] == 0.0) | (args["gamma"] == 0.0) | (args["gamma"] == 1.0)
    if "T" in args and "k" in args:
        special |= args["T"] <= args["k"]
    return special


def relative_errors(got, want, args: dict) -> np.ndarray:
    """|got - want| / max(|want|, FLOOR); inf where an exact value (0, 1, +-inf) is missed."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(got - want) / np.maximum(np.abs(want), FLOOR)
    exact = np.isinf(want) | (special_inputs(args) & ((want == 0.0) | (want == 1.0)))
    err = np.where(exact | ~np.isfinite(got) | np.isnan(want), np.inf, err)
    return np.where(same, 0.0, err)


def worst(name: str, args: dict, got, want) -> tuple[float, str]:
    """The largest error and a message naming the point where it occurs."""
    err = relative_errors(got, want, args)
    i = int(np.argmax(err))
    point = ", ".join(f"{key}={float(values[i])!r}" for key, values in args.items())
    return float(err[i]), (f"{name}: worst relative error {err[i]:.3g} over {err.size} points "
                           f"at {point}: got {float(np.asarray(got)[i])!r}, want {float(np.asarray(want)[i])!r}")


# --- The forms, lambdified with numpy, against the core --------------------------------------

def _numpy(name: str):
    form = derivations.live_forms()[name]
    f = sp.lambdify([sp.Symbol(a) for a in form.arguments], form.expr, modules="numpy")

    def evaluate(args):
        with np.errstate(all="ignore"):  # numpy evaluates every Piecewise branch, used or not
            return np.broadcast_to(f(*(args[a] for a in form.arguments)), len(args[form.arguments[0]]))

    return evaluate


def test_forms_and_names():
    assert tuple(derivations.live_forms()) == NAMES == jsmath.names()
    assert derivations.live_forms() is derivations.live_forms()
    for name, form in derivations.live_forms().items():
        assert form.arguments == jsmath.arguments(name)
        assert {s.name for s in form.expr.free_symbols} == set(form.arguments)
        assert re.match(r"(Theorem 2[02]|Corollary 23): ", form.doc)


@pytest.mark.parametrize("name", NAMES)
def test_lambdified_form_equals_numeric_core(name):
    args = sample(name, 20_000, seed=1)
    err, message = worst(name, args, _numpy(name)(args), reference(name, args))
    assert err <= RTOL, message


# Correctly rounded logit is within 0.5 ulp of the true value; a form that takes a handful of
# rounded steps (a division, a log, a log1p, a subtraction) is within a few ulps of it. Two such
# forms, ours and scipy's, then differ by at most the sum of their errors: 2 + 2 ulps measured
# (scipy 1.17), so 4 ulps is the bound that still holds for any scipy whose logit is as accurate.
# A naive log(x / (1 - x)) is off by ~10^4 ulps near x = 1/2, where the result nears 0.
LOGIT_MAX_ULP = 2
LOGIT_VS_SCIPY_MAX_ULP = 4


def _logit_points() -> np.ndarray:
    return np.concatenate([np.linspace(0.0, 1.0, 100_001), [0.3, 0.65, 1e-300, 1 - 1e-16]])


def _stable_logit(x: np.ndarray) -> np.ndarray:
    form = derivations.live_helpers()["logit"]
    f = sp.lambdify([sp.Symbol("x")], form.expr, modules="numpy")
    with np.errstate(all="ignore"):
        return f(x)


def test_stable_logit_is_accurate_to_two_ulps():
    # Against a 40-digit mpmath logit, rounded once to a float: an independent reference.
    x = _logit_points()[::7]
    with mp.workdps(40):
        want = np.array([float(mp.log(mp.mpf(v) / (1 - mp.mpf(v)))) if 0 < v < 1
                         else (-np.inf if v == 0 else np.inf) for v in x])
    np.testing.assert_array_max_ulp(_stable_logit(x), want, maxulp=LOGIT_MAX_ULP)


def test_stable_logit_agrees_with_scipys():
    from scipy.special import logit

    x = _logit_points()
    np.testing.assert_array_max_ulp(_stable_logit(x), logit(x), maxulp=LOGIT_VS_SCIPY_MAX_ULP)


def test_series_coefficients_are_the_cores():
    # sympy's cumulant recurrence (exact rationals) gives the same P_n as theory's numpy recurrence.
    p = sp.Symbol("p", positive=True)
    for n, (coefficient, factor) in enumerate(zip(derivations._kl_series(), _CUMULANT_FACTORS), start=2):
        poly = sp.Poly(coefficient / sp.Rational(n - 1, sp.factorial(n)), p)
        # Integer polynomials: numpy's float recurrence holds them exactly today; 2 ulps allows
        # for a numpy whose division rounds differently and still fails on a wrong coefficient.
        want = np.array([float(c) for c in reversed(poly.all_coeffs())])
        np.testing.assert_array_max_ulp(factor.coef, want, maxulp=2)


def test_forms_agree_with_mpmath_at_50_digits():
    # An independent reference: the derived (naive) expressions evaluated at 50 digits.
    cases = {
        "recovery_probability": ("recoveryProbability", [
            (1e-12, 1e6, 1e-2, 1.0, 1.0), (0.9, 1e-2, 1e6, 0.999999, 1e4), (0.3, 5.0, 1.0, 0.9, 3.0),
            (1e-12, 1e8, 1e-2, 1.0 - 1e-6, 1e4)]),
        "recovery_kl": ("recoveryKl", [
            (1e-12, 1e-2, 1e6, 1.0, 1.0), (0.5, 1e-9, 1.0, 1.0, 0.0), (0.9, 0.049, 1.0, 1.0, 1.0),
            (0.9, 0.051, 1.0, 1.0, 1.0), (1e-12, 1e8, 1e-2, 1.0, 1.0), (0.3, 1.0, 1.0, 0.5, 40.0),
            (1e-12, 750.0, 1.0, 1.0, 1.0), (0.01, 3.0, 1.0, 0.999999, 1e4)]),
    }
    for key, (name, points) in cases.items():
        d = derivations.get(key)
        exact = sp.lambdify([sp.Symbol(n, positive=True) for n in d.arguments], d.result, modules="mpmath")
        f = _numpy(name)
        for point in points:
            with mp.workdps(50):
                want = float(exact(*[mp.mpf(x) for x in point], 1))  # w = 1
            got = float(f({a: np.array([x]) for a, x in zip(derivations.live_forms()[name].arguments, point)})[0])
            assert got == pytest.approx(want, rel=1e-13, abs=0), (name, point)


# --- The printed JavaScript -------------------------------------------------------------------

def test_source_is_sympys_printout_of_every_form():
    src = jsmath.source()
    assert src.startswith("// Generated by sympy") and "Do not edit" in src.splitlines()[1]
    helpers = derivations.live_helpers()
    forms = {**helpers, **derivations.live_forms()}
    declared = re.findall(r"^function (\w+)\(([^)]*)\) \{$", src, flags=re.M)
    assert declared == [(name, ", ".join(f.arguments)) for name, f in forms.items()]
    code = _code(src)
    assert not re.search(r"\b(export|import|let|var|class|for|while)\b", code)  # straight-line code
    assert code.count("{") == code.count("}") and code.count("(") == code.count(")")
    for form in forms.values():
        text = jsmath.function_source(form)
        assert text in src
        temps, (body,) = sp.cse(form.expr, symbols=sp.numbered_symbols("x"), order="none")
        # Lines without a Piecewise or an infinity are stock sympy: jscode prints them the same.
        for name, value in [*temps, ("return", body)]:
            if not value.has(sp.Piecewise, sp.oo, -sp.oo):
                printed = jscode(value, user_functions=jsmath.USER_FUNCTIONS)
                assert (f"const {name} = {printed};" if name != "return" else f"return {printed};") in text
    # The series is a fixed Horner polynomial (no loop, no Math.pow of high order).
    assert "Math.pow(x0, 2)" in jsmath.function_source(derivations.live_forms()["recoveryKl"])


def _code(src: str) -> str:
    return "\n".join(line for line in src.splitlines() if not line.lstrip().startswith("//"))


def test_source_uses_only_math_and_its_own_functions():
    code = _code(jsmath.source())
    called = set(re.findall(r"(?<![\w.])([A-Za-z_]\w*)\(", code))
    assert called <= {"function", "logit", *NAMES}, called
    members = set(re.findall(r"\bMath\.(\w+)", code))
    assert members <= {"log", "log1p", "exp", "expm1", "pow", "max", "min", "floor"}, members
