"""Published evidence (evidence/*.csv against EVIDENCE.md) and the theory's fits (theory.evidence)."""

import math
import warnings
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import evidence
from theory import recovery_kl
from theory.evidence import (
    Fit,
    fit_all_shallow,
    fit_deep_profile,
    fit_shallow_profile,
    horizon_definition,
    implied_horizon,
)

EVIDENCE_MD = Path(__file__).resolve().parents[1].parent / "shared" / "EVIDENCE.md"
T = np.arange(1, 21, dtype=float)
SIGMA = 0.1
SEEDS = range(5)


def _md_tables(text: str) -> list[list[list[str]]]:
    """Every markdown table as rows of stripped cells, separator rows dropped."""
    tables, current = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r"-+", c) for c in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def _num(cell: str) -> float:
    return 0.0 if cell == "~0" else float(cell)


@pytest.fixture(scope="module")
def md() -> str:
    return EVIDENCE_MD.read_text(encoding="utf-8")


# --- the CSV files ------------------------------------------------------------------------------

def test_kl_csv_equals_evidence_md(md):
    table = next(t for t in _md_tables(md) if t[0][0] == "t")
    header, body = table[0], table[1:]
    df = evidence.kl_by_position()
    names = list(dict.fromkeys(df["series"]))
    assert names == ["Llama-2-7B-Chat ‖ Llama-2-7B", "Gemma-1.1-7B-IT ‖ Gemma-7B",
                     "Llama-2-7B-Chat deepened by recovery augmentation ‖ Llama-2-7B"]
    for j, name in enumerate(names, start=1):
        assert header[j].startswith(name)
        s = df[df["series"] == name]
        assert s["t"].tolist() == [int(r[0]) for r in body] == list(range(1, 21))
        assert s["kl_nats"].tolist() == [float(r[j]) for r in body]
        assert (s["uncertainty_nats"] == 0.1).all() and (s["how"] == "read from figure").all()
        figure = "Figure 4" if "deepened" in name else "Figure 1"
        assert (s["source"] == f"Qi et al. 2025, arXiv 2406.05946, {figure}").all()
        assert name in evidence.SOURCES


def test_prefill_csv_equals_evidence_md(md):
    table = next(t for t in _md_tables(md) if t[0][0].startswith("prefilled tokens"))
    ks = [int(c) for c in table[0][1:]]
    df = evidence.prefill_asr()
    for row in table[1:]:
        s = df[df["series"] == row[0]]
        assert s["k"].tolist() == ks
        assert s["asr_percent"].tolist() == [_num(c) for c in row[1:]]
        assert (s["uncertainty_percent"] == 2).all() and (s["how"] == "read from figure").all()
        assert (s["source"] == "Qi et al. 2025, arXiv 2406.05946, Figure 2").all()
    repro = re.search(r"k = 0, 3, 5, 7, 10:\s*([\d.,\s]+)\.", md).group(1)
    values = [float(v) for v in repro.split(",")]
    s = df[df["series"] == "Llama-2-7B-Chat (independent reproduction)"]
    assert s["k"].tolist() == ks and s["asr_percent"].tolist() == values
    p = np.array(values) / 100
    assert s["uncertainty_percent"].to_numpy() == pytest.approx(np.sqrt(p * (1 - p) / 330) * 100, abs=1e-4)
    assert (s["how"] == "table").all()
    assert (s["source"] == "eric15342335/shallow-vs-deep-alignment (public repository), n = 330").all()
    assert set(df["series"]) == {r[0] for r in table[1:]} | {"Llama-2-7B-Chat (independent reproduction)"}


def test_augmentation_csv_equals_table_2(md):
    x = r"(\d+(?:\.\d+)?)"
    rows = re.findall(rf"(\d+) tokens {x} ± {x} → {x} ± {x}", md)
    expected = [[int(r[0])] + [float(x) for x in r[1:]] for r in rows]
    assert expected == [[5, 42.1, 0.9, 2.8, 0.4], [10, 51.5, 1.6, 2.9, 0.2],
                        [20, 56.1, 2.5, 3.4, 0.6], [40, 57.0, 0.4, 4.5, 0.6]]
    df = evidence.augmentation()
    assert df.iloc[:, :5].values.tolist() == expected
    assert (df["how"] == "table").all()
    assert (df["source"] == "Qi et al. 2025, arXiv 2406.05946, Table 2").all()


def test_loader_dtypes_and_sources():
    for load, ints in ((evidence.kl_by_position, "t"), (evidence.prefill_asr, "k"),
                       (evidence.augmentation, "prefill_tokens")):
        df = load()
        assert df[ints].dtype == np.int64
        assert all(df[c].dtype == np.float64 for c in df.columns if c.endswith(("_nats", "_percent")))
        assert set(df["source"]) and df["source"].str.len().min() > 10
    assert all("2406.05946" in v or "eric15342335" in v for v in evidence.SOURCES.values())


@pytest.mark.parametrize("content, fault", [
    ("series,t,kl_nats,uncertainty_nats,how\nA,1,1.0,0.1,x\n", "columns"),
    ("series,t,kl_nats,uncertainty_nats,how,source\nA,1,abc,0.1,x,y\n", "numeric"),
    ("series,t,kl_nats,uncertainty_nats,how,source\nA,1.5,1.0,0.1,x,y\n", "whole"),
    ("series,t,kl_nats,uncertainty_nats,how,source\nA,1,,0.1,x,y\n", "empty"),
    ("series,t,kl_nats,uncertainty_nats,how,source\n", "no rows"),
])
def test_malformed_csv_raises(tmp_path, monkeypatch, content, fault):
    (tmp_path / "qi2025_kl_by_position.csv").write_text(content, encoding="utf-8")
    monkeypatch.setattr(evidence, "FOLDER", tmp_path)
    with pytest.raises(ValueError, match=fault):
        evidence.kl_by_position()


# --- the fits -----------------------------------------------------------------------------------

TRUTH = {
    "geometric": (5.0, 0.6, 0.3),
    "power": (6.0, 1.8, 0.5),
    "recovery": (math.log(20.0), 0.8, math.log(1e-3)),  # ln(mu/beta), gamma, ln p_base
}


def _clean(model: str, values) -> np.ndarray:
    a, b, c = values
    if model == "geometric":
        return a * b ** (T - 1) + c
    if model == "power":
        return a * T ** -b + c
    return recovery_kl(math.exp(c), math.exp(a), 1.0, b, T)


def _fit(model: str, kl) -> Fit:
    return fit_deep_profile(T, kl, SIGMA) if model == "recovery" else fit_shallow_profile(T, kl, SIGMA, model)


@pytest.mark.parametrize("model", list(TRUTH))
@pytest.mark.parametrize("seed", SEEDS)
def test_fit_recovers_known_parameters(model, seed):
    truth = np.array(TRUTH[model])
    kl = _clean(model, truth) + np.random.default_rng(seed).normal(0.0, SIGMA, T.size)
    fit = _fit(model, kl)
    assert fit.converged and not fit.degenerate and fit.at_bound == ()
    assert np.isfinite(fit.stderr).all() and (fit.stderr > 0).all()
    assert np.all(np.abs(fit.values - truth) < 3 * fit.stderr), (fit.values, fit.stderr)
    assert fit.dof == 17 and fit.aic == pytest.approx(6 + fit.chi2)
    assert fit.chi2 == pytest.approx(np.sum((fit.residuals / SIGMA) ** 2))
    assert fit.curve(T) == pytest.approx(fit.fitted) and fit.fitted + fit.residuals == pytest.approx(kl)
    assert "Converged inside the bounds" in fit.message


@pytest.mark.parametrize("model", list(TRUTH))
def test_flat_curve_is_degenerate(model):
    fit = _fit(model, np.full(T.size, 1.0))
    assert fit.degenerate
    assert "Degenerate" in fit.message


@pytest.mark.parametrize("model", list(TRUTH))
@pytest.mark.parametrize("seed", SEEDS)
def test_pure_noise_is_degenerate_or_at_bound(model, seed):
    fit = _fit(model, 1.0 + np.random.default_rng(100 + seed).normal(0.0, SIGMA, T.size))
    assert fit.degenerate or fit.at_bound
    assert "Degenerate" in fit.message or "bound" in fit.message


def test_failed_or_degenerate_horizon_says_so():
    flat = fit_shallow_profile(T, np.full(T.size, 1.0), SIGMA)
    assert "not meaningful" in implied_horizon(flat).message


@pytest.mark.parametrize("model", ["geometric", "power"])
@pytest.mark.parametrize("seed", SEEDS)
def test_aic_prefers_the_generating_model(model, seed):
    kl = _clean(model, TRUTH[model]) + np.random.default_rng(seed).normal(0.0, SIGMA, T.size)
    best, other = fit_all_shallow(T, kl, SIGMA)
    assert best.model == model and best.aic < other.aic


# --- implied horizon ----------------------------------------------------------------------------

def _brute_horizon(f, share: float, n: int, tail: float = 0.0) -> float:
    i = f(np.arange(1, n + 1, dtype=float))
    var_h = i.sum() + tail
    return float(np.argmax(i < share * var_h) + 1)


@pytest.mark.parametrize("rho", [0.0, 0.285, 0.6, 0.842, 0.97, 0.995])
@pytest.mark.parametrize("share", [0.001, 0.01, 0.05])
def test_geometric_horizon_against_brute_force(rho, share):
    fit = fit_shallow_profile(T, 4.0 * rho ** (T - 1) + 0.5, SIGMA)
    rho_hat = fit.values[1]
    h = implied_horizon(fit, share)
    assert h.position == _brute_horizon(lambda t: rho_hat ** (t - 1), share, 20000)
    if rho_hat < 1:
        assert h.var_h_over_i1 == pytest.approx(1 / (1 - rho_hat))


@pytest.mark.parametrize("alpha", [1.3, 1.8, 2.5, 4.0])
@pytest.mark.parametrize("share", [0.001, 0.01, 0.05])
def test_power_horizon_against_brute_force(alpha, share):
    fit = fit_shallow_profile(T, 6.0 * T ** -alpha + 0.5, SIGMA, decay="power")
    a = fit.values[1]
    n = 2_000_000
    tail = n ** (1 - a) / (a - 1)  # integral bound on sum_{t > n} t^-a, first order
    h = implied_horizon(fit, share)
    assert h.position == _brute_horizon(lambda t: t ** -a, share, n, tail)
    assert h.var_h_over_i1 == pytest.approx(np.sum(np.arange(1, n + 1.0) ** -a) + tail, rel=1e-6)


def test_heavy_tail_has_no_finite_horizon():
    fit = fit_shallow_profile(T, 3.0 * T ** -0.6 + 0.2, SIGMA, decay="power")
    h = implied_horizon(fit)
    assert h.position == math.inf and "too heavy" in h.message
    assert "1 %" in horizon_definition(0.01) and "Var H" in horizon_definition()


def test_horizon_input_checks():
    deep = fit_deep_profile(T, _clean("recovery", TRUTH["recovery"]), SIGMA)
    with pytest.raises(ValueError, match="shallow"):
        implied_horizon(deep)
    shallow = fit_shallow_profile(T, _clean("geometric", TRUTH["geometric"]), SIGMA)
    with pytest.raises(ValueError, match="share"):
        implied_horizon(shallow, share=1.0)


# --- inputs -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, name", [
    (dict(t=T[:-1]), "equal lengths"),
    (dict(kl=np.r_[np.nan, np.ones(19)]), "kl must be finite"),
    (dict(sigma=0.0), "sigma"),
    (dict(sigma=np.ones(3)), "sigma"),
    (dict(t=T - 1), "t must be positions"),
    (dict(t=T[:3], kl=np.ones(3)), "at least 4 points"),
])
def test_bad_inputs_name_the_argument(kwargs, name):
    args = dict(t=T, kl=np.ones(T.size), sigma=SIGMA) | kwargs
    for fit in (fit_shallow_profile, fit_deep_profile):
        with pytest.raises(ValueError, match=name):
            fit(**args)
    with pytest.raises(ValueError, match="decay"):
        fit_shallow_profile(T, np.ones(T.size), SIGMA, decay="exponential")


def test_published_curves_fit_without_warnings():
    df = evidence.kl_by_position()
    for name, s in df.groupby("series", sort=False):
        t, kl, sig = s["t"].to_numpy(float), s["kl_nats"].to_numpy(), s["uncertainty_nats"].to_numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # any warning (scipy's OptimizeWarning included) fails
            fits = (*fit_all_shallow(t, kl, sig), fit_deep_profile(t, kl, sig))
        assert all(f.converged and f.message for f in fits)
        if "deepened" in name:
            # The deepened profile has no decay any of these models can use.
            assert all(f.degenerate for f in fits)


# --- Active bounds: the free fit's verdict, errors with the bound held --------------------------

def _published(series_part: str):
    df = evidence.kl_by_position()
    rows = df[df["series"].str.startswith(series_part)]
    return tuple(rows[c].to_numpy(float) for c in ("t", "kl_nats", "uncertainty_nats"))


def test_a_floor_on_its_bound_reports_what_the_free_fit_does():
    """Gemma's power law: κ ends at 0 and, freed, runs to −∞ towards a log law (AIC 120.4)."""
    t, kl, sig = _published("Gemma")
    fit = fit_shallow_profile(t, kl, sig, "power")
    assert fit.at_bound == ("kappa",)
    assert fit.degenerate
    assert "no incidental floor is needed" not in fit.message
    assert "−∞" in fit.message and "4.05 − 0.97·ln t" in fit.message and "AIC 120.4" in fit.message
    # κ has no standard error; A and α have theirs with κ held at 0 (the Jacobian without κ).
    i = fit.names.index("kappa")
    assert math.isnan(fit.stderr[i])
    held = [j for j in range(3) if j != i]
    w = 1.0 / sig
    jac = np.column_stack([t ** -fit.values[1], -fit.values[0] * np.log(t) * t ** -fit.values[1]]) * w[:, None]
    want = np.sqrt(np.diag(np.linalg.inv(jac.T @ jac)))
    np.testing.assert_allclose(fit.stderr[held], want, rtol=1e-3)


def test_a_floor_on_its_bound_that_the_data_accept_says_so():
    # A pure decay a little below zero floor (by much less than σ): κ stops at 0, and freed it
    # lands within its error of 0, so "no floor is needed" is the data's answer.
    t = np.arange(1, 21, dtype=float)
    kl = 5 * t ** -1.5 - 0.004
    fit = fit_shallow_profile(t, kl, 0.05, "power")
    assert fit.at_bound == ("kappa",)
    assert not fit.degenerate
    assert "within its error of 0: no incidental floor is needed" in fit.message


def test_published_fits_are_pinned():
    """Today's fitted parameters and AIC ranking for the published curves (regression)."""
    want = {  # series: [(model, values, AIC)], best AIC first
        "Llama-2-7B-Chat ‖": [("power", (8.4323, 1.7608, 0.7690), 142.17),
                               ("geometric", (8.2113, 0.2853, 0.9586), 287.86)],
        "Gemma-1.1-7B-IT ‖": [("geometric", (2.7784, 0.8419, 1.1422), 101.26),
                               ("power", (4.3081, 0.3870, 0.0), 165.14)],
    }
    for series, fits in want.items():
        t, kl, sig = _published(series)
        got = fit_all_shallow(t, kl, sig)
        assert [f.model for f in got] == [m for m, _, _ in fits]
        for f, (_, values, aic) in zip(got, fits):
            np.testing.assert_allclose(f.values, values, rtol=2e-3, atol=2e-3)
            assert f.aic == pytest.approx(aic, abs=0.05)
    t, kl, sig = _published("Llama-2-7B-Chat deepened")
    deep = fit_deep_profile(t, kl, sig)
    assert deep.degenerate and deep.aic == pytest.approx(1886.18, abs=0.05)
    assert math.exp(deep.values[2]) == pytest.approx(math.exp(-9.2525), rel=1e-3)  # p_base
