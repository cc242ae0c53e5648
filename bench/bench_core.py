"""Throughput of theory.recovery_probability, as ratios measured in one run.

Targets: at most 1.5x the raw numpy expression expit(logit(p) + mu*gamma**t/beta)
on 10^6 points (the library adds validation and exact edge cases), and at least 1000x faster
than evaluating the sympy derivation point by point with subs/evalf. And `import theory` in a
fresh process as a ratio to importing what it is built on (numpy, scipy.special): sympy and
streamlit stay out of it (tests/test_package.py checks that), so the ratio should stay near 1.
Run: .venv/bin/python bench/bench_core.py
"""

import subprocess
import sys
import timeit

import numpy as np
from scipy.special import expit, logit

import theory
from theory import derivations

N = 10**6
rng = np.random.default_rng(0)
p = rng.uniform(1e-6, 1 - 1e-6, N)
mu_arr, beta_arr = rng.uniform(0, 10, N), rng.uniform(0.1, 5, N)
gamma_arr, t_arr = rng.uniform(0.5, 1, N), rng.integers(0, 50, N).astype(float)


def best_of(fn, repeat=7):
    return min(timeit.repeat(fn, number=1, repeat=repeat))


def cold_import_s(statement: str, repeat: int = 5) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    return min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True).stdout) for _ in range(repeat))


def main():
    base = cold_import_s("import numpy, scipy.special")
    lib = cold_import_s("import theory")
    print(f"cold import (best of 5): numpy + scipy.special {base:.2f} s, theory {lib:.2f} s, "
          f"ratio {lib / base:4.2f}x (target <= 1.5x)")
    print(f"recovery_probability on {N:,} points (best of 7)")
    cases = {
        "scalar mu, beta, gamma, t": ((p, 2.0, 1.0, 0.9, 5.0), (p, 2.0, 1.0, 0.9, 5.0)),
        "every argument an array": ((p, mu_arr, beta_arr, gamma_arr, t_arr),) * 2,
    }
    for label, (args, raw_args) in cases.items():
        pp, mu, beta, gamma, t = raw_args
        raw = best_of(lambda: expit(logit(pp) + mu * gamma**t / beta))
        lib = best_of(lambda: theory.recovery_probability(*args))
        print(f"  {label:28s} raw numpy {raw * 1e3:7.1f} ms   theory {lib * 1e3:7.1f} ms   "
              f"ratio {lib / raw:4.2f}x (target <= 1.5x)")

    d = derivations.get("recovery_probability")
    sym = d.result
    symbols = sorted(sym.free_symbols, key=lambda s: s.name)
    sample = 200
    values = [dict(p=p[i], mu=mu_arr[i], beta=beta_arr[i], gamma=gamma_arr[i], t=t_arr[i], w=1.0) for i in range(sample)]

    def sympy_loop():
        for val in values:
            sym.subs({s: val[s.name] for s in symbols}).evalf()

    per_point_sympy = best_of(sympy_loop, repeat=3) / sample
    per_point_lib = best_of(lambda: theory.recovery_probability(p, mu_arr, beta_arr, gamma_arr, t_arr)) / N
    print(f"sympy subs/evalf: {per_point_sympy * 1e6:8.1f} us/point; theory: {per_point_lib * 1e9:6.1f} ns/point; "
          f"speed-up {per_point_sympy / per_point_lib:,.0f}x (target >= 1000x)")


if __name__ == "__main__":
    main()
