"""Robustness & attacks (Theorem 22, Corollary 23), a "solve for" panel, and the prefilling-attack
simulator on the toy model (``ui.page.attack_panel``)."""

import streamlit as st

from ui.claims import bold, corollary23, robustness as claims
from ui.classroom import compare
from ui.data import closed as data
from ui.page import attack_panel, layout, widgets
from ui.page.show import show_figure
from ui.text.latex import num, text

v = layout.sidebar("robustness", ["beta", "mu", "gamma", "p_base", "delta", "T", "k"])
p, mu, beta, gamma = v["p_base"], v["mu"], v["beta"], v["gamma"]
delta, k, T = v["delta"], v["k"], v["T"]

intro = layout.intro("Robustness & attacks",
                     "Beyond the horizon and down to depth T the deep optimum recovers at least "
                     "r_min(T) (Theorem 22); a "
                     "prefilling attack must reach past the positions where recovery is still "
                     "above the target δ (Corollary 23).")
with intro:
    st.markdown("Here the base recovery probability slider p_base is read as **p_min**, a lower "
                "bound on π_base(R | x<t) at every position beyond the horizon. **δ** is the target "
                "recovery level you ask for; **r_min(T)** is the level Theorem 22 guarantees.")

solved = data.solve(delta, p, mu, beta, gamma, k, T)


def solve_for():
    """The numbers a student asks for first, above the tabs (on a phone, after the figures)."""
    s = solved
    attack = corollary23.attack(delta, p, mu, beta, gamma, k)
    c1, c2, c3 = st.columns(3)
    c1.metric(f"μ needed for δ = {delta:g} at depth T = {T}", text(s["mu_required"]),
              help="Theorem 22 solved for μ: the smallest μ with r_min(T) ≥ δ.")
    widgets.use_value("mu", s["mu_required"], c1)
    c2.metric(f"Attack length L* for δ = {delta:g}", text(attack.length) + " tokens",
              help=attack.case)
    c3.metric(f"Guaranteed recovery r_min({T})", text(s["delta_T"]),
              help="Theorem 22: σ(logit p_min + μγᵀ/β), the worst position k < t ≤ T.")
    left, right = st.columns(2)
    with left:
        st.markdown("**Theorem 22 solved for μ**, with ℓ = logit δ − logit p_min:")
        st.latex(r"\mu_{\mathrm{req}}=\max\!\big(0,\ \beta\,\ell\,\gamma^{-T}\big)"
                 rf"={num(beta)}\cdot{num(attack.gap)}\cdot{num(gamma)}^{{-{T}}}={num(s['mu_required'])}")
        if s["mu_required"] == 0:
            st.caption("δ ≤ p_min: the base model already recovers that often, no penalty is needed.")
        elif p == 0:
            st.caption("p_min = 0: no finite penalty creates recovery the base model never emits "
                       "(Remark 8).")
    with right:
        st.markdown("**Corollary 23** (L* = max(k, ⌊τ⌋) is the app's refinement):")
        for line in attack.latex:
            st.latex(line)
        st.caption(attack.case)


def recoverability():
    fig_col, text_col = st.columns([5, 4], gap="medium")
    show_figure("recoverability_by_depth", compare.with_pins(v), fig_col)
    depths = data.recoverability_by_depth(p, mu, beta, gamma, k, T)
    with text_col:
        st.markdown(bold(claims.depth_headline(depth=depths["depth"], r_min=depths["delta"],
                                                 delta=delta, k=k, T=T)))
        st.markdown("**Theorem 22.** If pₜ ≥ p_min for k < t ≤ T and 0 ≤ γ ≤ 1, the deep optimum "
                    "recovers with probability at least r_min(T) at every such position (the "
                    "worst one is t = T), so it is δ-recoverable at depth T for every target "
                    "δ ≤ r_min(T) (the paper calls this level δ):")
        st.latex(r"r_{\min}(T)=\sigma\!\left(\operatorname{logit}p_{\min}+\frac{\mu\gamma^{T}}{\beta}\right)")
        st.caption("Prefixes are drawn from the model itself (𝒟_adv = π, importance weight w = 1). "
                   "With another prefix distribution the shift becomes w·μγᵗ/β (Remark 9) and this "
                   "bound needs w ≥ 1.")
        st.markdown("and the KL it spends beyond the horizon is bounded:")
        st.latex(r"\sum_{t=k+1}^{T}\mathrm{KL}^*_t\le\sum_{t=k+1}^{T}\min\!\Big(\frac{\mu\gamma^t}{\beta},\ \log\frac1{p_{\min}}\Big)")
        st.markdown("With the current values:")
        st.latex(rf"\begin{{aligned}}r_{{\min}}({T})&=\sigma\!\left(\operatorname{{logit}}\,{num(p)}"
                 rf"+\frac{{{num(mu)}\cdot{num(gamma)}^{{{T}}}}}{{{num(beta)}}}\right)\\"
                 rf"&={num(solved['delta_T'], 6)}\end{{aligned}}")
        st.latex(rf"\sum_{{t={k + 1}}}^{{{T}}}\mathrm{{KL}}^*_t\le{num(solved['kl_bound'])}\ \text{{nats}}")
        layout.conventions()


def attack_length():
    attack = corollary23.attack(delta, p, mu, beta, gamma, k)
    double = corollary23.doubling(delta, p, mu, beta, gamma, k)
    fig_col, text_col = st.columns([5, 4], gap="medium")
    show_figure("attack_length_vs_mu", compare.with_pins(v), fig_col)
    with text_col:
        st.markdown(bold(claims.attack_headline(length=attack.length, delta=delta, mu=mu,
                                                  gamma=gamma)))
        st.markdown("**Corollary 23.** With the log-odds gap ℓ = logit δ − logit p_min, recovery "
                    "at position t is below δ exactly when t > τ:")
        st.latex(r"\tau=\frac{\ln\!\big(\mu/(\beta\ell)\big)}{\ln(1/\gamma)}")
        st.markdown("**The app's refinement:** the attacker must also cover the horizon, and τ "
                    "bounds the first suppressed *position*, so the shortest working prefix is "
                    "one shorter than that position:")
        st.latex(r"L^*=\max\!\big(k,\lfloor\tau\rfloor\big)")
        st.markdown("**With the current values**")
        for line in attack.latex:
            st.latex(line)
        st.markdown(double.sentence)
        st.latex(double.latex)
        st.markdown("**γ = 1** (uniform penalty): no finite attack works when μ/β ≥ ℓ, else "
                    "covering the horizon is enough (L* = k). Here:")
        relation = r"\ge" if mu / beta >= attack.gap else "<"
        st.latex(rf"\mu/\beta={num(mu / beta)}\ {relation}\ \ell={num(attack.gap)}")
        st.caption(attack.case + " If δ ≤ p_min no attack ever works (L* = ∞).")


with intro:
    solve_for()
layout.views("robustness", {
    "δ-recoverability by depth": recoverability,
    "Minimum prefilling-attack length": attack_length,
    "Prefilling attack on the toy model": attack_panel.show,
})
