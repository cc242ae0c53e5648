"""Benchmark: exact refuse-or-comply quantities at T = 1e3, 1e4, 1e5 (decay = 1, the O(T) path).

Prints the best-of-15 time per size and the ratio per 10x in T (target <= 12x; T = 1e5 under 1 s).
Run: .venv/bin/python bench/bench_toy.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import theory  # noqa: E402


def exact_quantities(T: int) -> None:
    model = theory.refuse_or_comply(T, T // 2, p_recover=0.001, p_harm=0.002, h_undecided=0.3)
    model.harm_information()
    model.harm_horizon()
    model.harm_variance()
    model.gradient_norms()
    model.standard_equilibrium_kl(lam=2.0, beta=1.0)


def best_time(T: int, repeats: int = 15) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        exact_quantities(T)
        times.append(time.perf_counter() - start)
    return min(times)


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


if __name__ == "__main__":
    main()
