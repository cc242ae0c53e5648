"""Evidence: published measurements of real models beside the theory, with honest fits.

One idea per tab: per-token KL with fitted profiles; prefilling attacks with the toy model
fitted; what the theory does not explain; your own curve.
"""

import streamlit as st

import evidence
from theory import evidence as fits, evidence_attack
from evidence import upload as evidence_upload
from ui.claims import evidence as claims
from ui.data import evidence as data_evidence
from ui.figures import evidence as figures
from ui.page import layout
from ui.page.show import show_figure, show_plain_figure

v = layout.sidebar("evidence", [])

st.title("Evidence: real models beside the theory")
st.markdown(
    "Does this happen in real models? Qi et al. (2025, *Safety Alignment Should Be Made More "
    "Than Just a Few Tokens Deep*, ICLR 2025, arXiv 2406.05946) measured what the theory "
    "explains: the KL between an aligned model and its base concentrated in the first response "
    "tokens, and prefilling attacks that succeed more the more harmful tokens are prefilled. "
    "Their numbers are shown here as published; points **read from a figure** carry the "
    "read-off uncertainty (±0.1 nats for KL, ±2 points for attack success).")
st.info("A model with two or three parameters fitted to twenty points read from a figure "
        "**illustrates** the theory; it does not validate it. Each fit below shows its "
        "residuals and says when the data do not determine it.", icon=":material/info:")

SYMBOLS = {"A": "A = (η²/2)·I₁ (nats)", "rho": "ρ (geometric decay)", "alpha": "α (power-law exponent)",
           "kappa": "κ (incidental KL, nats)", "log_mu_over_beta": "μ/β", "gamma": "γ",
           "log_p_base": "p_base"}
LOGS = {"log_mu_over_beta", "log_p_base"}  # fitted on a log scale: shown as the value, ×/÷ factor


def _param_text(name: str, value: float, err: float, at_bound: bool = False) -> str:
    import math

    if at_bound:
        return f"{math.exp(value) if name in LOGS else value:.3g} (at its bound)"
    if name in LOGS:
        if not math.isfinite(err):
            return f"{math.exp(value):.3g} (not determined)"
        return f"{math.exp(value):.3g} (×/÷ {math.exp(err):.2g})"
    if not math.isfinite(err):
        return f"{value:.3g} (not determined)"
    return f"{value:.3g} ± {err:.2g}"


def _fit_table(rows) -> str:
    lines = ["| data | fit | parameters (± standard error) | χ²/dof | AIC | implied horizon |",
             "|---|---|---|---|---|---|"]
    for data_name, entry, horizon in rows:
        f = entry["fit"]
        params = "; ".join(f"{SYMBOLS.get(n, n)} = {_param_text(n, val, err, n in f.at_bound)}"
                           for n, (val, err) in f.params.items())
        h = "—" if horizon is None else ("∞" if horizon.position == float("inf") else f"t = {horizon.position:.0f}")
        lines.append(f"| {data_name} | {entry['label']} | {params} | {f.chi2_per_dof:.1f} | "
                     f"{f.aic:.1f} | {h} |")
    return "\n".join(lines)


def kl_tab():
    d = data_evidence.kl_profiles()
    show_figure("evidence_kl", v)
    st.markdown(f"**{claims.kl_headline(d['series'])}**")
    st.markdown("**The shallow equilibrium's shape** (Theorem 14 with the app's tabular identity: "
                "for small η the optimum spends KLₜ ≈ (η²/2)·Iₜ at position t, where Iₜ is the harm "
                "information). Real models share parameters across positions, which moves later "
                "positions too (untargeted, Appendix A): a floor κ ≥ 0. The harm information's "
                "decay is not given by the theory, so two shapes are fitted and compared by AIC:")
    st.latex(r"\mathrm{KL}_t \approx A\,f(t)+\kappa,\qquad f(t)=\rho^{\,t-1}\ \text{(geometric)}"
             r"\quad\text{or}\quad f(t)=t^{-\alpha}\ \text{(power law)},\qquad A=\tfrac{\eta^2}{2}I_1")
    st.markdown("**The deepened model** (recovery augmentation, Qi et al. Figure 4) against the deep "
                "optimum's recovery KL (Theorem 20), with μ/β, γ and p_base fitted:")
    st.latex(r"\mathrm{KL}^*_t = a_t r^*_t-\log\!\left(1-p+p\,e^{a_t}\right),\qquad a_t=\mu\gamma^t/\beta,"
             r"\qquad \mathrm{KL}^*_t\le\log\tfrac1p")
    rows = []
    for s in d["series"]:
        for entry in s["fits"]:
            rows.append((s["short"], entry, s["horizons"].get(entry["fit"].model)))
    st.markdown(_fit_table(rows))
    amplitude = max(e["fit"].values[0] for s in d["series"] if "deepened" not in s["name"]
                    for e in s["fits"])
    st.markdown(claims.shallow_reading(amplitude, *data_evidence.leading_term_check(amplitude)))
    st.caption("Standard errors from curve_fit's covariance with the read-off uncertainty as σ; "
               "where χ²/dof is well above 1 the model misses structure the data have and the "
               "errors are too small. Implied horizon: " + fits.horizon_definition(data_evidence.HORIZON_SHARE))
    with st.expander("What each fit says"):
        for s in d["series"]:
            for entry in s["fits"]:
                st.markdown(f"- **{s['short']}, {entry['label']} fit:** {entry['fit'].message}")
            for h in s["horizons"].values():
                st.markdown(f"  - {h.message}")
    st.caption("Sources: " + "; ".join(sorted({f"{s['name']}: {evidence.SOURCES.get(s['name'], s['source'])}"
                                               for s in d["series"]})))


def attack_tab():
    with st.spinner("Fitting the toy model to the published curves (a few seconds, once)…"):
        d = data_evidence.attack_curves()
        data_evidence.augmentation_curves()
    show_figure("evidence_attacks", v)
    st.markdown(f"**{claims.attacks_headline(d['series'])}**")
    st.markdown(d["explanation"])
    st.markdown(d["table"])
    with st.expander("What each fit says"):
        st.markdown(d["messages"])
    st.markdown("**Recovery augmentation** (Qi et al. Table 2) against the toy model's deep "
                "optimum: the penalty μγᵗ on not recovering (Theorems 20 and 22) fitted to the "
                "augmented model's attack success; the standard optimum beside it.")
    show_figure("evidence_augmentation", v, key="augmentation")
    a = data_evidence.augmentation_curves()
    st.markdown(f"**{claims.augmentation_headline(a)}**")
    st.markdown(a["table"])
    st.caption(a["message"])
    if not a["fit"].identified:
        st.markdown("**Why μ and γ are not given:** along μ, with γ re-fitted at each value, the "
                    "fit is equally good over a wide range.")
        show_figure("evidence_ridge", v, key="ridge")
        st.caption(a["ridge"].message)
    st.warning(evidence_attack.CAVEAT, icon=":material/info:")
    st.caption("Sources: " + evidence.SOURCES["qi2025_prefill_asr"] + "; "
               + evidence.SOURCES["qi2025_augmentation"])


def limits_tab():
    d = data_evidence.kl_profiles()
    aligned = [s for s in d["series"] if "deepened" not in s["name"]]
    deep = next(s for s in d["series"] if "deepened" in s["name"])
    for paragraph in (claims.spike(aligned), claims.rises(aligned), claims.floor(aligned),
                      claims.deepened(deep, deep["fits"][0]["fit"]), claims.MEASURED):
        st.markdown(paragraph)
    st.caption("Sources: Qi et al. 2025 (arXiv 2406.05946), Figures 1, 2, 4 and Table 2; Lin et al. "
               "2023 (arXiv 2312.01552). The paper: R. Young 2026, Theorems 9, 10, 14, 20, Remarks "
               "3 and 10, Appendix A.")


def own_tab():
    st.markdown("Paste or upload a CSV of **per-position KL** (columns `t, kl`, optional "
                "`uncertainty`, in nats), or of **per-position log-probabilities** of sampled "
                "responses scored by the aligned and the base model (columns `response, t, "
                "logp_aligned, logp_base`, optional `logp_base_recovery`): the page then computes "
                "KLₜ as the mean of logp_aligned − logp_base over the responses that reach t (the "
                "Monte Carlo estimate of KL(aligned ‖ base) when the responses are the aligned "
                "model's), with its standard error, and p_base per position from the recovery "
                "column. Nothing you upload is run as code; files up to 2 MB and "
                f"{evidence_upload.MAX_ROWS:,} rows.")
    left, right = st.columns(2)
    left.download_button("Example: per-position KL", evidence_upload.EXAMPLE_KL,
                         file_name="own_kl_example.csv", mime="text/csv", on_click="ignore",
                         icon=":material/download:")
    right.download_button("Example: log-probabilities", evidence_upload.EXAMPLE_LOGPROBS,
                          file_name="own_logprobs_example.csv", mime="text/csv", on_click="ignore",
                          icon=":material/download:")
    upload = st.file_uploader("Upload a CSV file", type=["csv", "txt"], key="own_curve_file",
                              max_upload_size=2)
    pasted = st.text_area("…or paste CSV text here", key="own_curve_text", height=140,
                          placeholder="t,kl,uncertainty\n1,3.2,0.1\n2,1.9,0.1\n…")
    if upload is not None:
        curve, problems = evidence_upload.parse(upload.getvalue(), name=upload.name)
    elif pasted.strip():
        curve, problems = evidence_upload.parse(pasted)
    else:
        st.caption("Nothing to fit yet: upload a file, paste text, or try an example.")
        return
    if curve is None:
        st.error("**This data cannot be used:**\n" + "\n".join(f"- {p}" for p in problems),
                 icon=":material/error:")
        return
    d = data_evidence.own_profile(curve)
    fig = figures.own_curve(d)
    show_plain_figure(fig, "evidence_own", "Your per-token KL curve with the theory's fits",
                      "Your per-position KL with the shallow equilibrium's profile (Theorem 14 plus "
                      "an incidental floor κ) fitted: geometric and power-law decay, residuals in σ.")
    for note in curve.notes:
        st.caption(note)
    if d["assumed_sigma"]:
        st.caption("No uncertainty given: every point weighs the same (σ = 10 % of the median KL), "
                   "so standard errors and χ² are only relative.")
    for p in d["problems"]:
        st.warning(p, icon="⚠️")
    st.markdown(_fit_table([("your curve", e, d["horizons"].get(e["fit"].model)) for e in d["fits"]]))
    for e in d["fits"]:
        st.markdown(f"- **{e['label']} fit:** {e['fit'].message}")
    if curve.p_base is not None:
        st.markdown("**p_base per position** (mean base probability of your recovery tokens): "
                    + ", ".join(f"t = {t}: {p:.3g}" for t, p in zip(curve.t[:12], curve.p_base[:12]))
                    + (" …" if len(curve.t) > 12 else ""))


layout.views("evidence", {
    "Per-token KL": kl_tab,
    "Prefilling attacks": attack_tab,
    "What the theory does not explain": limits_tab,
    "Your own curve": own_tab,
})
