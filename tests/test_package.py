"""Packaging facts: no eager sympy or streamlit, public names."""

import subprocess
import sys

import theory

EXPECTED = {
    "recovery_probability", "recovery_kl", "gibbs_distribution", "recoverability_bound",
    "total_recovery_kl_bound", "min_attack_length", "required_penalty",
}


def test_public_names():
    assert EXPECTED <= set(theory.__all__)
    for name in theory.__all__:
        assert callable(getattr(theory, name))


def test_import_theory_does_not_import_sympy_or_streamlit():
    # What keeps `import theory` light; its time is a benchmark (bench/bench_core.py), not a test.
    code = "import sys, theory; print('sympy' in sys.modules, 'streamlit' in sys.modules)"
    flags = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert flags == ["False", "False"]
