"""The Evidence page's sentences, computed from the published curves and the fits to them.

Each function takes arrays or fit results (``theory.evidence``), never reads a file, and returns
markdown. Read-off uncertainties are one σ per point; a difference of two points has
σ = √(σ₁² + σ₂²), and a change counts as resolved at ``RESOLVED`` of those.
"""

from __future__ import annotations

import math

import numpy as np

from ui.text import markdown

RESOLVED = 3.0  # a change is resolved when it exceeds this many σ of the difference
CLOSE = 0.1  # the leading term "is close" when the exact KL is within 10 % of it


# --- The fit tables: each fitted parameter with its standard error, or why it has none ---------

SYMBOLS = {"A": "A = (η²/2)·I₁ (nats)", "rho": "ρ (geometric decay)", "alpha": "α (power-law exponent)",
           "kappa": "κ (incidental KL, nats)", "log_mu_over_beta": "μ/β", "gamma": "γ",
           "log_p_base": "p_base"}
LOGS = {"log_mu_over_beta", "log_p_base"}  # fitted on a log scale: shown as the value, ×/÷ factor


def param_text(name: str, value: float, err: float, at_bound: bool = False) -> str:
    """One fitted parameter: ± its standard error (×/÷ a factor when fitted on a log scale), or
    "at its bound" / "not determined" when the fit gives it no error."""
    if at_bound:
        return f"{math.exp(value) if name in LOGS else value:.3g} (at its bound)"
    if name in LOGS:
        if not math.isfinite(err):
            return f"{math.exp(value):.3g} (not determined)"
        return f"{math.exp(value):.3g} (×/÷ {math.exp(err):.2g})"
    if not math.isfinite(err):
        return f"{value:.3g} (not determined)"
    return f"{value:.3g} ± {err:.2g}"


def _horizon(horizon) -> str:
    if horizon is None:
        return "—"
    return "∞" if horizon.position == float("inf") else f"t = {horizon.position:.0f}"


def fit_table(series: list[dict]) -> str:
    """Every fit of every curve (``ui.data.evidence``: "short", "fits", "horizons"): its
    parameters, χ²/dof, AIC and implied horizon ("—" for the deep optimum, which has none)."""
    rows = []
    for s in series:
        for entry in s["fits"]:
            f = entry["fit"]
            params = "; ".join(f"{SYMBOLS.get(n, n)} = {param_text(n, val, err, n in f.at_bound)}"
                               for n, (val, err) in f.params.items())
            rows.append([s["short"], entry["label"], params, f"{f.chi2_per_dof:.1f}", f"{f.aic:.1f}",
                         _horizon(s["horizons"].get(f.model))])
    return markdown.table(["data", "fit", "parameters (± standard error)", "χ²/dof", "AIC",
                           "implied horizon"], rows)


def fit_notes(series: list[dict]) -> list[str]:
    """What each fit says, a Markdown list item each, its horizons' messages nested under it."""
    notes = []
    for s in series:
        notes += [f"- **{s['short']}, {entry['label']} fit:** {entry['fit'].message}"
                  for entry in s["fits"]]
        notes += [f"  - {h.message}" for h in s["horizons"].values()]
    return notes


def p_base_line(t, p_base, shown: int = 12) -> str:
    """An uploaded curve's base recovery probability at its first ``shown`` positions."""
    return ("**p_base per position** (mean base probability of your recovery tokens): "
            + ", ".join(f"t = {ti}: {p:.3g}" for ti, p in zip(t[:shown], p_base[:shown]))
            + (" …" if len(t) > shown else ""))


def _range(values) -> str:
    lo, hi = float(np.min(values)), float(np.max(values))
    return f"{lo:.2f}" if math.isclose(lo, hi) else f"{lo:.2f}–{hi:.2f}"


def shallow_reading(amplitude: float, toy_eta: float, toy_ratio: float) -> str:
    """What the fitted amplitude A = (η²/2)·I₁ says about η, against Theorem 14's conditions.

    I₁ ≤ Var H (Corollary 7), so A needs η·sd(H) ≥ √(2A). ``toy_eta`` is that smallest η in the
    app's default toy model and ``toy_ratio`` its exact KL₁ over the leading term (η²/2)·I₁.
    """
    need = math.sqrt(2.0 * max(amplitude, 0.0))
    close = abs(toy_ratio - 1.0) <= CLOSE
    verdict = (f"in the app's toy model at that η (η = {toy_eta:.3g}) the exact KL₁ is "
               f"{toy_ratio:.2g}× the leading term (η²/2)·I₁, ")
    verdict += ("close to it: the fitted shape can be read as the theory's leading term."
                if close else
                "far from it: η is not small, and the fitted shape is a heuristic reading of "
                "the theory, not its prediction.")
    return (f"**Read as a heuristic.** Theorem 14 holds for small η with one parameter vector per "
            f"position (KLₜ = (η²/2)·Iₜ + O(η³) is the app's tabular case). The largest fitted "
            f"amplitude, A = {amplitude:.3g} nats, needs η·sd(H) ≥ √(2A) = {need:.2g}, since "
            f"I₁ ≤ Var H (Corollary 7); {verdict} Real models also share parameters across "
            "positions (Appendix A).")


def spike(series: list[dict]) -> str:
    """The first-token spike of each aligned model, and what the theory leaves open about it."""
    parts = [f"{s['short']}'s KL at t = 1 is {s['kl'][0]:.2f} nats, {s['kl'][0] / s['kl'][1]:.1f}× "
             f"its value at t = 2 ({s['kl'][1]:.2f})" for s in series]
    return (f"**The first-token spike.** {'; '.join(parts)} (Qi et al. Figure 1). That is where "
            "the theory puts the decision: the paper's Remark 3 names the opening, whether the "
            "response starts with a refusal, as where harm is decided, and the refuse-or-comply "
            "toy model is that case, its first non-neutral token deciding H. What the theory "
            "leaves open is the ratio KL₁/KL₂: for small η it is I₁/I₂ (Theorem 14), and nothing "
            "in the theory sets the harm information of one position against the next. Lin et al. "
            "(URIAL, arXiv 2312.01552) found aligned and base models disagreeing on the top token "
            "at only 7.8 % of positions for Llama-2-7B-Chat, mostly early stylistic tokens.")


def rises(series: list[dict]) -> str:
    """Where the published KL rises from one position to the next, measured against the σ of
    the difference, in words: which rises are resolved and which are read-off noise."""
    resolved, largest = [], []
    for s in series:
        kl, sig, t = (np.asarray(s[k], dtype=float) for k in ("kl", "sigma", "t"))
        step = np.diff(kl)
        z = step / np.sqrt(sig[1:] ** 2 + sig[:-1] ** 2)
        up = np.flatnonzero(step > 0)
        for i in up[z[up] >= RESOLVED]:
            resolved.append(f"{s['short']}'s t = {t[i]:.0f} → {t[i + 1]:.0f} ({kl[i]:.2f} → "
                            f"{kl[i + 1]:.2f}, +{step[i]:.2f} nats, {z[i]:.1f} σ of the difference)")
        small = up[z[up] < RESOLVED]
        if small.size:
            i = small[np.argmax(step[small])]
            largest.append(f"{s['short']}'s largest, t = {t[i]:.0f} → {t[i + 1]:.0f} (+{step[i]:.2f} "
                           f"nats, {z[i]:.1f} σ)")
    head = "**Rises that are not monotone.** "
    if resolved:
        head += ("Of the rises from one position to the next, only " + "; ".join(resolved)
                 + f" exceed{'s' if len(resolved) == 1 else ''} {RESOLVED:g} σ of the difference "
                 "of two read-off points. ")
    else:
        head += f"No rise from one position to the next exceeds {RESOLVED:g} σ of the difference. "
    if largest:
        head += "The others are within the read-off noise (" + "; ".join(largest) + "). "
    return (head + "Theorem 9 says Iₜ = 0 beyond the horizon; it says nothing about Iₜ falling "
            "monotonically before it. Every decay fitted here is monotone, so a real rise stays in "
            "the residuals.")


def floor(series: list[dict]) -> str:
    """The KL measured beyond the horizon each fit implies, against the exact optimum's zero."""
    parts = []
    t_max = 0
    for s in series:
        t, kl = np.asarray(s["t"], dtype=float), np.asarray(s["kl"], dtype=float)
        t_max = max(t_max, int(t.max()))
        readings = []
        for entry in s["fits"]:
            h = s["horizons"].get(entry["fit"].model)
            if h is None:
                continue
            if math.isfinite(h.position) and h.position <= t.max():
                beyond = kl[t >= h.position]
                readings.append(f"beyond the {entry['label']} fit's horizon (t ≥ {h.position:.0f}) "
                                f"it stays at {_range(beyond)} nats")
            else:
                readings.append(f"the {entry['label']} fit implies no horizon within t ≤ "
                                f"{t.max():.0f}, so no measured position is beyond one")
        if readings:
            parts.append(f"{s['short']}: " + "; ".join(readings))
    return ("**A floor that is not zero.** " + ". ".join(parts) + ". Beyond the horizon the exact "
            "optimum of a model with one parameter vector per position is the base model, KLₜ = 0 "
            "(Theorem 10). The theory attributes KL there to shared parameters (Appendix A: "
            "untargeted, it may raise or lower recovery), and the fit measures it as κ; it does "
            "not predict its size. Implied horizon: the first position where the fitted Iₜ falls "
            "below 1 % of Var H.")


def deepened(s: dict, fit) -> str:
    """The deepened model's profile against the deep optimum's KL*ₜ (Theorem 20)."""
    t, kl, sig = (np.asarray(s[k], dtype=float) for k in ("t", "kl", "sigma"))
    X = np.column_stack([np.ones_like(t), t]) / sig[:, None]
    (_, slope), *_ = np.linalg.lstsq(X, kl / sig, rcond=None)
    err = float(np.sqrt(np.linalg.inv(X.T @ X)[1, 1]))
    if slope > RESOLVED * err:
        trend = f"*rises* with t (a straight line through it climbs {slope:.3f} ± {err:.3f} nats a position)"
    elif slope < -RESOLVED * err:
        trend = f"falls with t ({slope:.3f} ± {err:.3f} nats a position)"
    else:
        trend = f"shows no trend in t ({slope:+.3f} ± {err:.3f} nats a position)"
    names = list(fit.names)
    p_base = math.exp(fit.values[names.index("log_p_base")])
    undetermined = [label for name, label in (("log_mu_over_beta", "μ/β"), ("gamma", "γ"))
                    if not math.isfinite(fit.stderr[names.index(name)])]
    said = ("the data determine neither " + " nor ".join(undetermined) if len(undetermined) == 2
            else f"the data do not determine {undetermined[0]}" if undetermined
            else "μ/β and γ are determined")
    return (f"**The deepened model's profile comes from data, not from the objective.** Qi et al.'s "
            f"deepened Llama-2 (Figure 4) keeps {_range(kl)} nats at every position up to "
            f"t = {t.max():.0f}, and its KL {trend}. It was made by recovery *augmentation*: "
            "fine-tuning on harmful answers cut after L tokens (L = 0 with probability 0.5, else "
            "uniform on 1…100) and followed by a refusal (Table 2's recipe), not by the penalty μγᵗ "
            "the theorems analyse. With one constant p_base, as fitted here, the deep optimum's "
            "KL*ₜ can only stay level or fall with t (the shift μγᵗ/β shrinks or stays, Theorem 20); "
            "a p_base that falls deeper into harmful text (Remark 10) lets KL*ₜ approach log(1/pₜ) "
            f"and rise. The fit reaches the level only because KL* ≤ log(1/p) allows it at "
            f"p_base ≈ {p_base:.2g} (log(1/p) = {math.log(1 / p_base):.1f} nats); {said}.")


MEASURED = (
    "**What is measured.** Qi et al.'s Figure 1 (\"on Harmful HEx-PHI\") averages KL(aligned ‖ "
    "base) of the next-token distribution at each position over the benchmark's 330 harmful "
    "prompts and their responses. The theory's KLₜ is an expectation over the prefixes of one fixed "
    "prompt, and the paper gives no rule for combining prompts (its Limitations). Attack success is "
    "judged by GPT-4 (the reproduction uses another judge): the toy model's \"no recovery before "
    "the end\" is a stand-in for that judgment.")


# --- Headlines: what each published chart shows ----------------------------------------------

def kl_headline(series: list[dict]) -> str:
    """The per-token KL chart in one sentence: where each published curve is largest and its
    share of the KL summed over the positions shown; a peak is named as resolved only when it
    exceeds the runner-up by ``RESOLVED`` σ of the difference."""
    parts = []
    for s in series:
        t, kl, sig = (np.asarray(s[k], dtype=float) for k in ("t", "kl", "sigma"))
        order = np.argsort(-kl, kind="stable")  # a tie names the first position
        i, j = int(order[0]), int(order[1]) if kl.size > 1 else None
        share = 100.0 * kl[i] / kl.sum()
        part = (f"{s['short']} at t = {t[i]:.0f}, {kl[i]:.2f} nats ({share:.0f} % of its KL over "
                f"t = {t.min():.0f}…{t.max():.0f})")
        if j is not None and kl[i] - kl[j] < RESOLVED * math.hypot(sig[i], sig[j]):
            part += f", not resolved from t = {t[j]:.0f} ({kl[j]:.2f})"
        parts.append(part)
    return "KL is largest for " + "; for ".join(parts) + "."


def attacks_headline(series: list[dict]) -> str:
    """The attack chart in one sentence: each model's published attack success without a prefill
    and with the most prefilled tokens shown."""
    parts = [f"{s['name']} {s['asr'][0]:g} % → {s['asr'][-1]:g} %" for s in series]
    lo = {int(s["k"][0]) for s in series}
    hi = {int(s["k"][-1]) for s in series}
    if len(lo) == 1 and len(hi) == 1:
        return (f"Attack success from {lo.pop()} to {hi.pop()} prefilled harmful tokens: "
                + "; ".join(parts) + ".")
    return ("Attack success from the fewest to the most prefilled tokens shown: "
            + "; ".join(parts) + ".")


def augmentation_headline(a: dict) -> str:
    """Table 2 in one sentence: attack success before and after recovery augmentation at each
    prefill length, the verb chosen only where the change exceeds ``RESOLVED`` σ of it."""
    k, before, after = (np.asarray(a[x], dtype=float) for x in ("k", "initial", "after"))
    sigma = np.hypot(np.asarray(a["initial_std"], float), np.asarray(a["after_std"], float))
    down = after < before - RESOLVED * sigma
    up = after > before + RESOLVED * sigma
    span = (f"{before.min():.1f}–{before.max():.1f} % before to "
            f"{after.min():.1f}–{after.max():.1f} % after")
    lengths = f"{k.min():.0f}–{k.max():.0f} prefilled tokens"
    if down.all():
        return f"Recovery augmentation lowers attack success at every length in Table 2 ({lengths}): {span}."
    if up.all():
        return f"Recovery augmentation raises attack success at every length in Table 2 ({lengths}): {span}."
    return (f"Attack success in Table 2 ({lengths}) is {span} recovery augmentation; the change "
            f"is resolved ({RESOLVED:g} σ) at {int(down.sum() + up.sum())} of {k.size} lengths.")
