"""Packaging facts: import cost, no eager sympy, public names."""

import subprocess
import sys
import time

import theory

EXPECTED = {
    "recovery_probability", "recovery_kl", "gibbs_distribution", "recoverability_bound",
    "total_recovery_kl_bound", "min_attack_length", "required_penalty",
}


def test_public_names():
    assert EXPECTED <= set(theory.__all__)
    for name in theory.__all__:
        assert callable(getattr(theory, name))


def test_import_theory_does_not_import_sympy_and_is_fast():
    code = "import sys, time; t=time.perf_counter(); import theory; print(time.perf_counter()-t, 'sympy' in sys.modules, 'streamlit' in sys.modules)"
    best = min(
        float((out := subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())[0])
        for _ in range(3)
    )
    flags = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()[1:]
    assert flags == ["False", "False"]
    assert best < 1.0
