"""The benchmark and the load test run and print their figures, in small versions.

They assert nothing about time themselves; here they run with few presses and users, so that a
change that breaks them (a renamed selector, a page without a slider) fails CI instead of being
found the next time someone measures. The load test, even this small, is two users at once on
random pages: it must end with no error and no exception element. The budget benchmark runs one
corner of the toy domain on two pages (AppTest, no browser).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from e2e_util import ROOT

pytestmark = pytest.mark.e2e


def run(script: str, *args: str, timeout: float) -> str:
    done = subprocess.run([sys.executable, f"bench/{script}", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_latency_benchmark_prints_its_ratios(browser):  # browser: chromium is there (or CI fails)
    out = run("bench_latency.py", "--presses", "2", "--loads", "1", "--warmup", "0", timeout=420)
    assert re.search(r"median ratio heaviest / trivial: \d+\.\d\d", out), out
    assert re.search(r"p95 heaviest: \d+ ms", out), out
    assert re.search(r"slowest first chart: \d+\.\d\d s", out), out
    measured = re.findall(r"^(.+?) \[(\w+)\]\s+\d+", out, flags=re.M)
    assert len(measured) >= 5, out  # every page with a chart and a sidebar slider was timed


def test_load_test_prints_its_figures_with_no_errors(browser):
    out = run("load_test.py", "--users", "2", "--seconds", "8", "--think", "0.5", "1",
              "--idle-presses", "3", timeout=420)
    assert re.search(r"^errors: 0 \(0 steps over \d+ s\)\s+exception elements: 0\s+"
                     r"tracebacks in server log: 0", out, flags=re.M), out
    assert re.search(r"idle reference \(one user alone\): 3 timed slider presses, 0 errors", out), out
    assert re.search(r"server RSS \(MiB\): before load \d+", out), out
    assert "p95 under load / idle p95:" in out or "p95 ratio: not enough" in out, out


def test_live_benchmark_prints_its_figures(browser):
    out = run("bench_live.py", "--moves", "5", "--floor-presses", "2", timeout=420)
    for device in ("desktop 1400x1000", "phone 390x844, touch, CPU 4x slower"):
        assert re.search(rf"^live overall, {device}: median \d+\.\d\d frames \(\d+\.\d ms\), "
                         r"p95 \d+\.\d\d frames", out, flags=re.M), out
    assert re.search(r"^  ratio live / trivial key press: \d+\.\d\d$", out, flags=re.M), out
    figures = re.findall(r"^live figure (\w+) \((.+?)\): median \d+\.\d\d frames", out, flags=re.M)
    # every live figure on every page it is on, on both devices
    assert sorted(f for f, _ in figures) == sorted(2 * [
        "recovery_by_position", "recovery_by_position", "kl_by_position",
        "recoverability_by_depth", "attack_length_vs_mu"]), out


def test_budget_benchmark_prints_its_figures():
    out = run("bench_budget.py", "--quick", timeout=120)
    rows = re.findall(r"^  (.+?) \(view \d\)\s+cpu\s+\d+\.\d{3} s  estimate\s+\d+\.\d{3} s  "
                      r"estimate/cpu\s+(?:\d+\.\d\d|-)  (allowed|refused)$", out, flags=re.M)
    assert len(rows) == 2, out  # one corner, two pages
    assert re.search(r"^largest CPU of an allowed request: (\d+\.\d{3} s = \d+\.\d\d x "
                     r"REQUEST_SECONDS|none allowed)", out, flags=re.M), out
    assert re.search(r"^largest CPU of a refused request: (\d+\.\d{3} s|none refused)", out,
                     flags=re.M), out
    assert re.search(r"^smallest estimate / CPU where toy work ran: (\d+\.\d\d|no toy work)", out,
                     flags=re.M), out
    assert re.search(r"^exception elements: 0$", out, flags=re.M), out
