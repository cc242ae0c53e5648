"""Overview (the default page): the paper's argument in five steps and one live hero figure."""

import streamlit as st

from ui.claims import corollary23
from ui.classroom import compare
from ui.data import closed as data
from ui.page import layout
from ui.page.show import show_figure
from ui.state import nav
from ui.text.latex import num, text

v = layout.sidebar("overview", ["mu", "gamma", "p_base", "beta", "delta", "k", "T"])

with layout.intro("Why is RLHF alignment shallow?",
                  "Standard alignment only *targets* the positions where the harm of a response "
                  "is still being decided; a recovery penalty at every depth reaches beyond them, "
                  "at a price."):
    st.markdown(
        "An interactive reading of R. Young (2026), *Why Is RLHF Alignment Shallow? A Gradient "
        "Analysis*. Parameters shared across positions change later positions too, but untargeted "
        "(Appendix A). After a harmful prefix that covers the harm horizon, the standard optimum "
        "recovers no more often than the base model (Corollary 23).")

hero, steps = st.columns([5, 4], gap="medium")
with hero:
    d = data.recovery_profile(v["p_base"], v["mu"], v["beta"], v["gamma"], v["k"], v["T"])
    show_figure("recovery_by_position", compare.with_pins(v), key="hero")
    st.caption(
        f"Probability of recovering (e.g. refusing) at position t after a harmful prefix, beyond "
        f"the harm horizon k = {v['k']}. Shallow: stays at the base value p = {v['p_base']:g}. "
        "Deep: the penalty μγᵗ lifts the log-odds by μγᵗ/β (Theorem 20). Move μ and γ in the sidebar."
    )
    st.latex(r"r^*_t=\sigma\!\Big(\operatorname{logit}p+\frac{\mu\gamma^{t}}{\beta}\Big)"
             r"\quad\text{(Theorem 20, } t>k)")
    if d["t"].size:
        st.latex(rf"r^*_{{{d['t'][0]}}}={num(d['deep'][0])}\ \text{{(deep)}}\quad\text{{vs}}\quad"
                 rf"{num(v['p_base'])}\ \text{{(shallow)}}")
    layout.conventions()

STEPS = [
    ("harm_horizon", "**1. Harm is decided early.** The expected harm hₜ = E[H | x₁…xₜ] is a "
     "martingale; its jumps carry *harm information* Iₜ, and Iₜ = 0 after the harm horizon k "
     "(Theorem 9)."),
    ("gradients", "**2. So the gradient vanishes there.** The gradient of expected harm with "
     "respect to position t's parameters is a covariance with hₜ (Theorem 8); it is at most "
     "√(c_F·Iₜ), where c_F bounds the trace of the Fisher information (Theorem 13), and exactly zero "
     "for t > k (Theorem 10)."),
    ("shallow_equilibrium", "**3. The optimum is shallow.** Standard RLHF weighs harm by λ and KL "
     "to the base model by β; only η = λ/β matters. For small η its optimum spends "
     "KLₜ ≈ (η²/2)·Iₜ at position t (Theorem 14, with the app's tabular identity), so nothing "
     "beyond k: there the exact optimum *is* the base model (Theorem 10). After a harmful prefix "
     "it recovers no more often than the base model (Corollary 23)."),
    ("deep_alignment", "**4. Deep alignment.** Penalising non-recovery with weight μγᵗ at every "
     "position shifts the log-odds of recovery by μγᵗ/β (Theorem 20). The KL this costs stays "
     "finite as the depth grows when γ < 1 and grows without bound when γ = 1 (Remark 6)."),
]
with steps:
    st.subheader("The argument in five steps")
    for page, words in STEPS:
        info = nav.BY_NAME[page]
        st.markdown(words)
        st.page_link(info.path, label=f"Open: {info.title}", icon=info.icon)
    attack = corollary23.attack(v["delta"], v["p_base"], v["mu"], v["beta"], v["gamma"], v["k"])
    st.markdown("**5. Robustness and attacks.** Beyond the horizon the deep optimum recovers with "
                "probability at least r_min(T) = σ(logit p_min + μγᵀ/β) at every depth down to T "
                "(Theorem 22; p_min is the p_base slider). A prefilling attack must cover the horizon and reach the first "
                "position t > τ where recovery falls below the target δ (Corollary 23; "
                "L* = max(k, ⌊τ⌋) is the app's refinement of it). With the current values:")
    for line in attack.latex:
        st.latex(line)
    st.metric(f"Minimum attack length L* for δ = {v['delta']:g}", text(attack.length) + " tokens",
              help=attack.case)
    st.caption(attack.case)
    info = nav.BY_NAME["robustness"]
    st.page_link(info.path, label=f"Open: {info.title}", icon=info.icon)
    st.page_link(nav.BY_NAME["derivations"].path, label="Every closed form, derived with sympy",
                 icon=nav.BY_NAME["derivations"].icon)
