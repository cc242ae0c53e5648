"""Overview (the default page): the paper's argument in five steps and one live hero figure."""

import streamlit as st

from ui import data, layout, nav
from ui.show import show_figure
from ui.latex import num

v = layout.sidebar("overview", ["mu", "gamma", "p_base", "beta"])

st.title("Why is RLHF alignment shallow?")
st.markdown(
    "An interactive reading of R. Young (2026), *Why Is RLHF Alignment Shallow? A Gradient "
    "Analysis*. Standard alignment only changes the model where the harm of a response is still "
    "being decided; after a harmful prefix the model recovers no more often than the base model. "
    "A recovery penalty at every depth fixes that, at a price."
)

hero, steps = st.columns([5, 4], gap="medium")
with hero:
    d = data.recovery_profile(v["p_base"], v["mu"], v["beta"], v["gamma"], v["k"], v["T"])
    show_figure("recovery_by_position", v, key="hero")
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
     "martingale; its increments carry *harm information* Iₜ, and Iₜ = 0 after the harm horizon k "
     "(Theorem 9)."),
    ("gradients", "**2. So the gradient vanishes there.** The gradient of expected harm with "
     "respect to position t is a covariance with hₜ; it is bounded by √(C·Iₜ) and exactly zero "
     "for t > k (Theorems 8, 10, 13)."),
    ("shallow_equilibrium", "**3. The optimum is shallow.** Standard RLHF's optimum leaves every "
     "position beyond k at the base model: KLₜ ≈ (η²/2)·Iₜ = 0 (Theorem 14). After a harmful "
     "prefix, recovery is whatever the base model does."),
    ("deep_alignment", "**4. Deep alignment.** Penalising non-recovery with weight μγᵗ at every "
     "position shifts the log-odds of recovery by μγᵗ/β (Theorem 20), at a KL cost that grows "
     "as γ → 1 (Theorem 19)."),
    ("robustness", "**5. Robustness and attacks.** The deep optimum keeps recovery ≥ δ down to "
     "depth T (Theorem 22); a prefilling attack must be L* ≈ log(μ)/log(1/γ) tokens long "
     "(Corollary 23)."),
]
with steps:
    st.subheader("The argument in five steps")
    for page, text in STEPS:
        info = nav.BY_NAME[page]
        st.markdown(text)
        st.page_link(info.path, label=f"Open: {info.title}", icon=info.icon)
    st.page_link(nav.BY_NAME["derivations"].path, label="Every closed form, derived with sympy",
                 icon=nav.BY_NAME["derivations"].icon)
