"""The sympy-printed JavaScript of the live figures, run in Chromium, against the numeric core.

No Streamlit server: a blank page loads ``ui.live.jsmath.source()`` as a classic script, and each
generated function runs in batches (arrays in, a loop in JS, arrays out) on 10^4 random points
over the sliders' whole range and on a grid of extremes. Agreement: rtol 1e-9, with exact
equality for the special values (0, 1, +-inf). The samplers and the comparison are shared with
tests/test_live_math.py.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from test_live_math import NAMES, RTOL, reference, sample, worst
from ui.live import jsmath

pytestmark = pytest.mark.e2e

N_POINTS = 10_000

_RUN = """([name, columns]) => {
  const f = globalThis[name];
  const n = columns[0].length;
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = f(...columns.map((c) => c[i]));
  return out;
}"""

_TIME = """([name, columns, repeats]) => {
  const f = globalThis[name];
  const n = columns[0].length;
  const rows = Array.from({length: n}, (_, i) => columns.map((c) => c[i]));
  let sink = 0;
  const start = performance.now();
  for (let r = 0; r < repeats; r++) for (const row of rows) sink += f(...row) === 0.123 ? 1 : 0;
  return [(performance.now() - start) / (repeats * n) * 1000, sink];
}"""


@pytest.fixture(scope="module")
def page(browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=jsmath.source())
    yield page
    ctx.close()


def run(page, name: str, args: dict) -> np.ndarray:
    columns = [np.asarray(args[a], dtype=float).tolist() for a in jsmath.arguments(name)]
    return np.asarray(page.evaluate(_RUN, [name, columns]), dtype=float)


def test_playwright_keeps_special_numbers(page):
    # Infinity, NaN and -0 must survive page.evaluate both ways, or the comparisons below lie.
    back = page.evaluate("(xs) => xs.concat([Infinity, -Infinity, NaN, -0, 5e-324])",
                         [math.inf, -math.inf, -0.0, 1e-300])
    assert back[:2] == [math.inf, -math.inf] and math.copysign(1, back[2]) == -1 and back[3] == 1e-300
    assert back[4:6] == [math.inf, -math.inf] and math.isnan(back[6])
    assert math.copysign(1, back[7]) == -1 and back[8] == 5e-324


def test_every_function_is_defined(page):
    defined = page.evaluate("(names) => names.map((n) => typeof globalThis[n])", list(NAMES))
    assert defined == ["function"] * len(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_random_points_match_numeric_core(page, name):
    args = sample(name, N_POINTS, seed=2)
    err, message = worst(name, args, run(page, name, args), reference(name, args))
    print(message)
    assert err <= RTOL, message


def _extremes(name: str) -> dict[str, np.ndarray]:
    """Every combination of the sliders' extreme (and a few ordinary) values."""
    probability = [0.0, 1e-12, 1e-6, 0.3, 0.5, 0.9, 1.0]
    levels = {
        "p": probability, "p_min": probability, "mu": [0.0, 1e-2, 1.0, 1e6, 1e8],
        "beta": [1e-2, 1.0, 1e6], "gamma": [0.0, 1e-3, 0.5, 0.9, 1.0 - 1e-6, 1.0],
        "t": [1.0, 2.0, 100.0, 1e4], "T": [0.0, 1.0, 200.0, 1e4], "k": [0.0, 1.0, 200.0],
        "delta": [0.01, 0.5, 0.99],
    }
    arguments = jsmath.arguments(name)
    grid = np.array(list(itertools.product(*(levels[a] for a in arguments))), dtype=float)
    return {a: grid[:, i] for i, a in enumerate(arguments)}


@pytest.mark.parametrize("name", NAMES)
def test_extremes_match_numeric_core(page, name):
    args = _extremes(name)
    err, message = worst(name, args, run(page, name, args), reference(name, args))
    print(message)
    assert err <= RTOL, message


def test_special_values_are_exact(page):
    cases = [
        ("recoveryProbability", dict(p=0.0, mu=1e8, beta=1e-2, gamma=1.0, t=1.0), 0.0),  # Remark 10
        ("recoveryProbability", dict(p=1.0, mu=1.0, beta=1.0, gamma=0.5, t=3.0), 1.0),
        ("recoveryProbability", dict(p=0.25, mu=0.0, beta=1.0, gamma=0.5, t=3.0), 0.25),
        ("recoveryProbability", dict(p=0.25, mu=5.0, beta=1.0, gamma=0.0, t=1e4), 0.25),
        ("recoveryKl", dict(p=0.0, mu=1e8, beta=1e-2, gamma=1.0, t=1.0), 0.0),
        ("recoveryKl", dict(p=1.0, mu=1.0, beta=1.0, gamma=1.0, t=1.0), 0.0),
        ("recoveryKl", dict(p=0.5, mu=0.0, beta=1.0, gamma=1.0, t=1.0), 0.0),
        ("klCap", dict(p=0.0, mu=0.0, beta=1.0, gamma=0.5, t=1.0), 0.0),
        ("klCap", dict(p=0.0, mu=2.0, beta=1.0, gamma=1.0, t=1.0), 2.0),
        ("totalKlBound", dict(p_min=0.5, mu=1.0, beta=1.0, gamma=0.5, k=200.0, T=200.0), 0.0),
        ("totalKlBound", dict(p_min=0.5, mu=1.0, beta=1.0, gamma=0.5, k=200.0, T=10.0), 0.0),
        ("totalKlBound", dict(p_min=1.0, mu=1.0, beta=1.0, gamma=1.0, k=0.0, T=10.0), 0.0),
        ("totalKlBound", dict(p_min=0.5, mu=1.0, beta=1.0, gamma=0.0, k=0.0, T=10.0), 0.0),
        ("attackThreshold", dict(delta=0.01, p_min=0.5, mu=1.0, beta=1.0, gamma=0.5), math.inf),
        ("attackThreshold", dict(delta=0.5, p_min=1.0, mu=1.0, beta=1.0, gamma=0.5), math.inf),
        ("attackThreshold", dict(delta=0.5, p_min=0.0, mu=1.0, beta=1.0, gamma=0.5), -math.inf),
        ("attackThreshold", dict(delta=0.5, p_min=0.01, mu=0.0, beta=1.0, gamma=0.5), -math.inf),
        ("attackThreshold", dict(delta=0.5, p_min=0.01, mu=1.0, beta=1.0, gamma=0.0), 0.0),
        ("attackThreshold", dict(delta=0.5, p_min=0.01, mu=1e6, beta=1.0, gamma=1.0), math.inf),
        ("attackThreshold", dict(delta=0.5, p_min=0.01, mu=1.0, beta=1.0, gamma=1.0), -math.inf),
        ("minAttackLength", dict(delta=0.5, p_min=0.01, mu=1e6, beta=1.0, gamma=1.0, k=3.0), math.inf),
        ("minAttackLength", dict(delta=0.5, p_min=0.01, mu=1.0, beta=1.0, gamma=1.0, k=3.0), 3.0),
        ("minAttackLength", dict(delta=0.5, p_min=0.01, mu=100.0, beta=1.0, gamma=0.9, k=3.0), 29.0),
        ("minAttackLength", dict(delta=0.5, p_min=0.01, mu=100.0, beta=1.0, gamma=0.0, k=7.0), 7.0),
    ]
    for name, point, want in cases:
        args = {a: np.array([v]) for a, v in point.items()}
        got = run(page, name, args)[0]
        core = float(reference(name, args)[0])
        assert got == want == core, (name, point, got, core)


def test_each_call_takes_microseconds(page):
    # A live frame evaluates ~1000 points per trace within 16 ms.
    for name in NAMES:
        args = sample(name, 1000, seed=3)
        columns = [args[a].tolist() for a in jsmath.arguments(name)]
        microseconds, _ = page.evaluate(_TIME, [name, columns, 20])
        print(f"{name}: {microseconds:.3f} us per call")
        assert microseconds < 5.0, (name, microseconds)
