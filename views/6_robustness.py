"""Robustness & attacks (Theorem 22, Corollary 23), a "solve for" panel, and the prefilling-attack
simulator on the toy model (``ui.attack_panel``)."""

import streamlit as st

from ui import attack_panel, data, layout
from ui.show import show_figure
from ui.latex import num, text

v = layout.sidebar("robustness", ["beta", "mu", "gamma", "p_base", "delta", "T", "k"])
p, mu, beta, gamma = v["p_base"], v["mu"], v["beta"], v["gamma"]
delta, k, T = v["delta"], v["k"], v["T"]
REFERENCE_GAMMAS = (0.5, 0.9, 0.99, 1.0)  # comparison lines on the L* figure

st.title("Robustness & attacks")
st.markdown("Here the base recovery probability p is read as **p_min**, a lower bound on "
            "π_base(R | prefix) at every position beyond the horizon.")

solved = data.solve(delta, p, mu, beta, gamma, k, T)


def solve_for():
    """The numbers a student asks for first, above the tabs."""
    s = solved
    c1, c2, c3 = st.columns(3)
    c1.metric(f"μ needed for δ = {delta:g} at depth T = {T}", text(s["mu_required"]))
    c2.metric(f"Attack length L* for δ = {delta:g}", text(s["attack_length"]) + " tokens")
    c3.metric(f"Recovery guaranteed at T = {T}", text(s["delta_T"]))
    st.latex(r"\mu_{\mathrm{req}}=\beta\,\Delta\,\gamma^{-T}"
             rf"={num(beta)}\cdot\Delta\cdot{num(gamma)}^{{-{T}}}={num(s['mu_required'])},"
             rf"\qquad L^*(\delta={num(delta)},\ \mu={num(mu)},\ k={k})={num(s['attack_length'])}")
    if s["mu_required"] == 0:
        st.caption("δ ≤ p_min: the base model already recovers that often, no penalty is needed.")


def recoverability():
    fig_col, text_col = st.columns([5, 4], gap="medium")
    show_figure("recoverability_by_depth", v, fig_col)
    with text_col:
        st.markdown("**Theorem 22.** If p_t ≥ p_min for k < t ≤ T and 0 ≤ γ ≤ 1, the deep optimum "
                    "recovers with probability at least δ at every such position; the worst one is t = T:")
        st.latex(r"\delta=\sigma\!\left(\operatorname{logit}p_{\min}+\frac{\mu\gamma^{T}}{\beta}\right)")
        st.markdown("and the KL it spends beyond the horizon is bounded:")
        st.latex(r"\sum_{t=k+1}^{T}\mathrm{KL}^*_t\le\sum_{t=k+1}^{T}\min\!\Big(\frac{\mu\gamma^t}{\beta},\ \log\frac1{p_{\min}}\Big)")
        st.markdown("With the current values:")
        st.latex(rf"\begin{{aligned}}\delta_{{T={T}}}&=\sigma\!\left(\operatorname{{logit}}\,{num(p)}"
                 rf"+\frac{{{num(mu)}\cdot{num(gamma)}^{{{T}}}}}{{{num(beta)}}}\right)\\"
                 rf"&={num(solved['delta_T'], 6)}\end{{aligned}}")
        st.latex(rf"\sum_{{t={k + 1}}}^{{{T}}}\mathrm{{KL}}^*_t\le{num(solved['kl_bound'])}\ \text{{nats}}")
        layout.conventions()


def attack_length():
    gammas = tuple(sorted(set(REFERENCE_GAMMAS) | {gamma}))
    ad = data.attack_length_vs_mu(delta, p, beta, gammas, k)
    fig_col, text_col = st.columns([5, 4], gap="medium")
    show_figure("attack_length_vs_mu", v, fig_col)
    with text_col:
        st.markdown("**Corollary 23.** With Δ = logit δ − logit p_min, recovery at position t is below "
                    "δ exactly when t > τ. An attacker who prefills L tokens must also cover the "
                    "horizon, so the shortest working prefix is")
        st.latex(r"\tau=\frac{\ln\!\big(\mu/(\beta\Delta)\big)}{\ln(1/\gamma)},\qquad L^*=\max\!\big(k,\lfloor\tau\rfloor\big)")
        st.markdown("logarithmic in μ: doubling the penalty buys only ln 2 / ln(1/γ) more tokens. "
                    "With γ = 1 either no attack works (μ/β ≥ Δ) or L* = k; if δ ≤ p_min none ever does (L* = ∞).")


solve_for()
layout.views("robustness", {
    "δ-recoverability by depth": recoverability,
    "Minimum prefilling-attack length": attack_length,
    "Prefilling attack on the toy model": attack_panel.show,
})
