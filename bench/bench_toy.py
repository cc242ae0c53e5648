"""Benchmark: exact refuse-or-comply quantities at T = 1e3, 1e4, 1e5 (decay = 1, the O(T) path).

Prints the best-of-15 time per size and the ratio per 10x in T (target <= 12x; T = 1e5 under 1 s),
then the gradient-descent training time per step at T = 12 and 60 (the app's defaults) beside one
forward pass of the base model (a loop over positions) measured in the same run.
Run: .venv/bin/python bench/bench_toy.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import theory  # noqa: E402
from theory.toy.automaton import forward  # noqa: E402


def exact_quantities(T: int) -> None:
    model = theory.refuse_or_comply(T, T // 2, p_recover=0.001, p_harm=0.002, h_undecided=0.3)
    model.harm_information()
    model.harm_horizon()
    model.harm_variance()
    model.gradient_norms()
    model.standard_equilibrium_kl(lam=2.0, beta=1.0)


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def best_time(T: int, repeats: int = 15) -> float:
    return best_of(lambda: exact_quantities(T), repeats)


def training_per_step(T: int, steps: int = 200) -> None:
    """The app's default run: deep objective, 200 steps, 41 recorded frames."""
    model = theory.refuse_or_comply(T, 4, p_recover=0.1, p_harm=0.2)
    run = best_of(lambda: model.train("deep", lam=1.0, beta=1.0, mu=5.0, gamma=0.9, steps=steps,
                                      lr=0.5, record_every=5), 5)
    one_pass = best_of(lambda: forward(model, lambda t: model.step(t).base), 50)
    per_step = run / steps
    print(f"training T = {T:>3}: {run * 1e3:7.2f} ms for {steps} steps ="
          f" {per_step * 1e6:6.1f} us/step = {per_step / one_pass:.2f}x one base forward pass"
          f" ({one_pass * 1e6:.1f} us)")


def main() -> None:
    exact_quantities(10)  # warm imports and caches
    sizes = [1_000, 10_000, 100_000]
    times = [best_time(T) for T in sizes]
    print("refuse_or_comply exact quantities (I_t, k, Var H, ||g_t||, KL_t of pi*)")
    for i, (T, seconds) in enumerate(zip(sizes, times)):
        ratio = "" if i == 0 else f"   ratio per 10x: {seconds / times[i - 1]:.2f}x (target <= 12x)"
        print(f"T = {T:>7,}: {seconds * 1e3:8.3f} ms{ratio}")
    overall = (times[-1] / times[0]) ** 0.5
    print(f"T = 1,000 -> 100,000: {times[-1] / times[0]:.1f}x, geometric mean {overall:.2f}x per 10x")
    print(f"T = 100,000 under 1 s: {'yes' if times[-1] < 1.0 else 'NO'}")
    for T in (12, 60):
        training_per_step(T)


if __name__ == "__main__":
    main()
