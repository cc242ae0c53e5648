"""Cached data of the Evidence page: published measurements (``evidence/``) and the fits of
``theory.evidence`` and ``theory.evidence_attack`` to them. No formulas live here."""

from __future__ import annotations

import logging

import numpy as np
import streamlit as st

import evidence
from evidence import upload
from theory import evidence as fits, evidence_attack as attack_fits, refuse_or_comply
from ui.state import params
from ui.text import markdown

_log = logging.getLogger(__name__)

# A user's own curve: read and checked by ``evidence.upload`` (no cache: every upload is new).
MAX_ROWS, EXAMPLE_KL, EXAMPLE_LOGPROBS = upload.MAX_ROWS, upload.EXAMPLE_KL, upload.EXAMPLE_LOGPROBS
read_upload = upload.parse
HORIZON_SHARE = 0.01  # the share of Var H that defines the implied horizon (stated on the page)
HORIZON_DEFINITION = fits.horizon_definition(HORIZON_SHARE)
CAVEAT = attack_fits.CAVEAT  # what a toy model fitted to points read from a figure shows
SOURCES = evidence.SOURCES
SHORT = {  # legend names of the fitted curves
    "Llama-2-7B-Chat ‖ Llama-2-7B": "Llama-2",
    "Gemma-1.1-7B-IT ‖ Gemma-7B": "Gemma",
    "Llama-2-7B-Chat deepened by recovery augmentation ‖ Llama-2-7B": "deepened Llama-2",
}
LABEL = {"geometric": "geometric", "power": "power-law", "recovery": "deep-optimum"}
KIND = {"geometric": "geometric", "power": "power law", "recovery": "deep optimum"}


def _cache(fn):
    # cache_resource: the fits are frozen dataclasses (one holds a mappingproxy, which
    # cache_data cannot pickle); they are computed once per process and never mutated.
    return st.cache_resource(max_entries=16, show_spinner=False)(fn)


def fit_entry(fit) -> dict:
    """A fit as the figure and the tables read it."""
    return {"label": LABEL[fit.model], "kind": KIND[fit.model], "curve": fit.curve,
            "residuals": fit.normalized_residuals, "fit": fit}


@_cache
def kl_profiles() -> dict:
    """The three published KL curves with their fits: both shallow decays for the two aligned
    models (Theorem 14 + κ), the deep optimum (Theorem 20) for the deepened one."""
    df = evidence.kl_by_position()
    series = []
    for name, rows in df.groupby("series", sort=False):
        t, kl, sigma = (rows[c].to_numpy(dtype=float) for c in ("t", "kl_nats", "uncertainty_nats"))
        if "deepened" in name:
            found = [fits.fit_deep_profile(t, kl, sigma)]
        else:
            found = list(fits.fit_all_shallow(t, kl, sigma))
        series.append({"name": name, "short": SHORT.get(name, name), "t": t, "kl": kl,
                       "sigma": sigma, "source": rows["source"].iloc[0], "how": rows["how"].iloc[0],
                       "fits": [fit_entry(f) for f in found],
                       "horizons": {f.model: fits.implied_horizon(f, HORIZON_SHARE)
                                    for f in found if f.model != "recovery"}})
    return {"series": series, "t_max": int(df["t"].max())}


def aligned(series: list[dict]) -> list[dict]:
    """The standard-aligned models' curves, without the deepened one."""
    return [s for s in series if "deepened" not in s["name"]]


def deepened(series: list[dict]) -> dict:
    return next(s for s in series if "deepened" in s["name"])


def largest_amplitude(series: list[dict]) -> float:
    """The largest fitted amplitude A = (η²/2)·I₁ of the aligned models' shallow fits."""
    return max(e["fit"].values[0] for s in aligned(series) for e in s["fits"])


def kl_sources(series: list[dict]) -> str:
    """Where each published KL curve comes from, one entry a curve."""
    return "; ".join(sorted({f"{s['name']}: {SOURCES.get(s['name'], s['source'])}" for s in series}))


def attack_sources() -> str:
    """Where the attack-success curves and the augmentation table come from."""
    return SOURCES["qi2025_prefill_asr"] + "; " + SOURCES["qi2025_augmentation"]


@_cache
def leading_term_check(amplitude: float) -> tuple[float, float]:
    """(η, exact KL₁ / (η²/2)·I₁) in the app's default toy model at the smallest η a fitted
    amplitude A = (η²/2)·I₁ allows: I₁ ≤ Var H, so η ≥ √(2A / Var H)."""
    v = params.defaults()
    model = refuse_or_comply(T=v["T_toy"], k=v["k_toy"], p_recover=v["p_recover"],
                             p_harm=v["p_harm"], h_undecided=v["h_undecided"], decay=v["decay"])
    eta = float(np.sqrt(2.0 * amplitude / model.harm_variance()))
    lead = 0.5 * eta ** 2 * float(model.harm_information()[0])
    if lead == 0.0:  # A = 0 (or below rounding): η = 0, where the leading term is exact
        return eta, 1.0
    return eta, float(model.standard_equilibrium(lam=eta, beta=1.0).kl[0]) / lead


def own_profile(curve) -> dict:
    """A user's curve (``evidence.upload.Curve``) with both shallow fits; fits that cannot be
    made (too few points, no uncertainty) are reported in ``problems``."""
    sigma = curve.uncertainty
    assumed = sigma is None
    if assumed:  # no uncertainty given: weigh every point alike, say so
        sigma = np.full(len(curve.t), max(0.1 * float(np.median(np.abs(curve.kl))), 1e-6))
    found, problems = [], []
    for decay in ("geometric", "power"):
        try:
            fit = fits.fit_shallow_profile(curve.t, curve.kl, sigma, decay=decay)
        except Exception:  # noqa: BLE001 - scipy's words ("array must not contain infs") never reach the page
            _log.warning("own-curve %s fit failed", decay, exc_info=True)
            problems.append(_fit_failed(LABEL[decay], curve, sigma))
            continue
        if not np.isfinite(fit.values).all():  # did not converge: no numbers to show
            problems.append(f"The {LABEL[decay]} fit did not converge on these data, so it is not "
                            "shown. " + _where_to_look(curve, sigma))
            continue
        found.append(fit)
    return {"t": curve.t, "kl": curve.kl, "sigma": None if assumed else sigma, "name": "your curve",
            "fits": [fit_entry(f) for f in found], "problems": problems, "assumed_sigma": assumed,
            "horizons": {f.model: fits.implied_horizon(f, HORIZON_SHARE) for f in found}}


def _where_to_look(curve, sigma) -> str:
    big, small = int(np.argmax(curve.kl)), int(np.argmin(sigma))
    return (f"Look at the largest KL ({curve.kl[big]:.3g} nats at t = {curve.t[big]}) and the "
            f"smallest uncertainty ({sigma[small]:.3g} at t = {curve.t[small]}): a single extreme "
            "row can dominate the fit; correct it, drop it, or give realistic uncertainties.")


def _fit_failed(label: str, curve, sigma) -> str:
    return f"The {label} fit could not be computed from these numbers. " + _where_to_look(curve, sigma)


# Which published curves form one model family: the base model and its aligned versions.
FAMILIES = {
    "Llama-2-7B": ("Llama-2-7B (base)", ("Llama-2-7B-Chat", "Llama-2-7B-Chat (independent reproduction)")),
    "Gemma-7B": ("Gemma-7B (base)", ("Gemma-1.1-7B-IT",)),
}
ATTACK_SYMBOLS = {"p_recover": "p_R", "p_harm": "p_C", "decay": "decay", "eta": "η = λ/β",
                  "mu": "μ (β = 1)", "gamma": "γ", "horizon": "horizon k", "T": "length T"}


def _number(x: float, err: float | None = None) -> str:
    if err is None or not np.isfinite(err):
        return f"{x:.3g}"
    return f"{x:.3g} ± {err:.2g}"


ATTACK_HEADERS = ("family", "fitted (± standard error)", "held fixed", "χ²/dof")


def _attack_row(label: str, fit) -> list[str]:
    def shown(n, v, s):
        if not fit.identified and not np.isfinite(s) and n not in fit.at_bound:
            return "not identified (ridge)"
        return _number(v, s) + (" (at its bound)" if n in fit.at_bound else "")

    fitted = "; ".join(f"{ATTACK_SYMBOLS.get(n, n)} = {shown(n, v, s)}"
                       for n, v, s in zip(fit.names, fit.values, fit.stderr))
    fixed = ", ".join(f"{ATTACK_SYMBOLS.get(n, n)} = {_number(v)}" for n, v in fit.fixed.items()
                      if n in ("T", "horizon") or (n not in fit.names and n in ATTACK_SYMBOLS))
    per_dof = fit.chi2 / fit.dof if fit.dof > 0 else float("nan")
    return [label, fitted, fixed, f"{per_dof:.1f}"]


@_cache
def family_fits() -> dict:
    """The toy model fitted to each family's base and standard-aligned curves (Figure 2)."""
    df = evidence.prefill_asr()
    out = {}
    for family, (base, aligned) in FAMILIES.items():
        rows = {name: df[df["series"] == name].sort_values("k") for name in (base, *aligned)}
        k = rows[base]["k"].to_numpy(dtype=int)
        out[family] = attack_fits.fit_family(
            rows[base]["asr_percent"].to_numpy(float),
            [rows[a]["asr_percent"].to_numpy(float) for a in aligned], k,
            base_sigma=rows[base]["uncertainty_percent"].to_numpy(float),
            aligned_sigma=[rows[a]["uncertainty_percent"].to_numpy(float) for a in aligned],
            labels=(base, *aligned), joint=False)  # base first: a believable base curve, then η
    return out


@_cache
def attack_curves() -> dict:
    """Published attack success by prefilled tokens, with the toy's fitted base and standard
    curves for each family."""
    df = evidence.prefill_asr()
    names = list(dict.fromkeys(df["series"]))
    series = [{"name": n, "k": rows["k"].to_numpy(int), "asr": rows["asr_percent"].to_numpy(float),
               "sigma": rows["uncertainty_percent"].to_numpy(float)}
              for n in names for rows in [df[df["series"] == n].sort_values("k")]]
    k_max = int(df["k"].max())
    fine = np.arange(0, k_max + 1)
    curves, rows, messages = [], [], []
    for family, fit in family_fits().items():
        base, aligned = FAMILIES[family]
        toy = fit.toy_params()
        for model, who, kind in (("base", base, "base model"), ("standard", aligned[0], "standard optimum")):
            curves.append({"k": fine, "asr": attack_fits.attack_success(fine, model=model, **toy),
                           "name": f"toy fit, {kind}: {who}", "kind": kind,
                           "color": names.index(who)})
        rows.append(_attack_row(family, fit))
        messages.append(f"- **{family}:** {fit.message}")
    explanation = (
        "**The toy model** (refuse-or-comply; see the Harm horizon page): tokens R (refuse or "
        "recover), C (comply) and N (neutral); the first non-N token within the horizon decides "
        "the training harm. The attacker prefills x₁…x_L with C; **attack success** here is the "
        "probability that the continuation never emits R afterwards. Fitted per family: p_R, p_C "
        "and the recovery decay from the base model's curve, η = λ/β of the exact standard optimum "
        "π* ∝ π_base·e^(−ηH) from the aligned curves; the horizon by a grid search. As Corollary 23 says, "
        "once the prefix covers the horizon the standard optimum recovers no more often than the "
        "base model: in the toy its curve equals the base curve for L ≥ 1, and η moves only L = 0. "
        "The real aligned models recover far more often than their bases at every L shown: that "
        "gap is what the toy cannot fit.")
    return {"series": series, "fits": curves, "k_max": k_max, "table": markdown.table(ATTACK_HEADERS, rows),
            "messages": "\n".join(messages), "explanation": explanation}


@_cache
def augmentation_curves() -> dict:
    """Table 2 before/after recovery augmentation, with the toy's standard optimum (Llama-2's
    family fit) and its deep optimum with μ and γ fitted to the "after" column."""
    df = evidence.augmentation().sort_values("prefill_tokens")
    k = df["prefill_tokens"].to_numpy(int)
    family = family_fits()["Llama-2-7B"]
    toy = {**family.toy_params(), "T": 60}  # long enough for k = 40
    deep = attack_fits.fit_deep(
        df["asr_after_percent"].to_numpy(float), k,
        after_sigma=df["std_after_percent"].to_numpy(float),
        initial=df["asr_initial_percent"].to_numpy(float),
        initial_sigma=df["std_initial_percent"].to_numpy(float), **toy)
    fine = np.arange(0, int(k.max()) + 1)
    params = deep.params()
    standard = attack_fits.attack_success(fine, model="standard", **deep.toy_params())
    deep_curve = attack_fits.attack_success(fine, model="deep", mu=params["mu"], gamma=params["gamma"],
                                            **deep.toy_params())
    table = markdown.table(("fit", *ATTACK_HEADERS[1:]),
                           [_attack_row("deep optimum, Table 2 after augmentation", deep)])
    # Two decimals of μ and γ in a legend would read as a measurement; off the ridge they are one.
    what = (f"μ = {params['mu']:.3g}, γ = {params['gamma']:.3g}" if deep.identified
            else "μ, γ not identified: a ridge")
    return {"k": k, "initial": df["asr_initial_percent"].to_numpy(float),
            "initial_std": df["std_initial_percent"].to_numpy(float),
            "after": df["asr_after_percent"].to_numpy(float),
            "after_std": df["std_after_percent"].to_numpy(float), "fine_k": fine,
            "standard": standard, "deep": deep_curve,
            "standard_name": "toy fit, standard optimum (Llama-2 family)",
            "deep_name": f"toy fit, deep optimum ({what})",
            "table": table, "message": deep.message, "fit": deep,
            "ridge": attack_fits.ridge_profile(deep)}
