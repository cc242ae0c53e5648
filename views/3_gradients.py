"""Gradients (paper sections 5-7): ||g_t|| with the Theorem 13 bound, zero beyond the horizon, and a
gradient-descent run of standard vs deep alignment on the toy model.

Page pattern as in views/5_deep_alignment.py; numbers from ``ui.data.toy``, figures from
``ui.figures.toy_gradients``.
"""

import streamlit as st

from ui.claims import toy as claims
from ui.data import toy as data_toy
from ui.page import layout, toy_controls, widgets
from ui.page.show import show_figure
from ui.state import limits, url as state
from ui.text.latex import num

v = toy_controls.sidebar("gradients", [])
s = data_toy.spec(v)

with layout.intro("Gradients",
                  "Training leaves late positions alone: the gradient of the expected harm with respect "
                  "to position t's parameters is a covariance with hₜ, so it vanishes where hₜ cannot "
                  "move, beyond the harm horizon."):
    toy_controls.describe(v)

g = toy_controls.model_or_stop(data_toy.gradients, s, spinner="Computing gradients…")
k, T = g["k"], len(g["t"])


def gradient_norms():
    fig_col, text_col = st.columns([3, 2], gap="large")
    show_figure("gradient_norms", v, fig_col)
    with text_col:
        st.markdown(f"**{claims.gradient_headline(g['norm'])}**")
        st.markdown("**Theorem 8.** For softmax logits θₜ at position t (one vector per prefix state)")
        # Three lines (\big( and \big) may sit on different lines): narrower overflows the column.
        st.latex(r"\begin{aligned}g_t&=\nabla_{\theta_t}\mathbb E_\pi[H]\\&=\mathbb E_{x_{<t}}"
                 r"\Big[\operatorname{Cov}\big(h_t,\\&\qquad\quad\nabla_{\theta_t}\log\pi(x_t\mid x_{<t})"
                 r"\big)\Big]\end{aligned}")
        st.caption("The covariance is over the next token xₜ given the prefix; the second "
                   "argument is the score function.")
        st.markdown("**Theorem 13.** With the Fisher information Fₜ (Definition 11; for a "
                    "softmax tr F = 1 − Σᵥ π(v)²), and ≤ √(c_F·Iₜ) when tr Fₜ ≤ c_F at every prefix:")
        st.latex(r"\|g_t\|\le\sqrt{I_t\cdot\mathbb E[\operatorname{tr}F_t]}")
        if k >= 1:
            i = k - 1
            st.latex(rf"\begin{{aligned}}\|g_{{{k}}}\|&={num(g['norm'][i])}\\&\le\sqrt{{{num(g['info'][i])}"
                     rf"\cdot{num(g['fisher'][i])}}}={num(g['thm13'][i])}\end{{aligned}}")
        st.markdown("**Theorem 10.** t > k ⇒ gₜ = 0 exactly.")
        if k < T:
            st.latex(claims.beyond_max(g["norm"], k, r"\|g_t\|"))
        else:
            st.caption(f"The horizon is k = {k} = T: every position can still move the harm.")
        toy_controls.conventions()


@limits.fragment
def training_section():
    """Only the training run depends on eta, mu, gamma, steps and lr."""
    st.markdown("Gradient descent on softmax logits from the base model, on the standard objective "
                "J_std = λ·E[H] + β·Σₜ KLₜ and on the deep one, which adds μ·Σₜ γᵗ·(1 − π(R | x<t)). "
                "Drag the step slider under the figure to see earlier steps; point at a position "
                "to read it in all four panels.")
    row1, row2 = st.columns(3), st.columns(3)
    eta, mu, gamma = (widgets.control(n, box) for n, box in zip(("eta", "mu", "gamma"), row1))
    steps, lr = (widgets.control(n, box) for n, box in zip(("steps", "lr"), row2))
    beta = v["beta"]
    run_steps = data_toy.train_steps(s, steps)
    toy_controls.note_shortened(s, steps, run_steps)
    runs = {}
    with st.spinner(f"Training {run_steps} gradient steps, standard and deep…"):
        for objective in ("standard", "deep"):
            runs[objective], err = data_toy.attempt(data_toy.training, s, objective, "tabular",
                                                    eta, beta, mu, gamma, run_steps, lr)
            if err:
                st.warning(f"Cannot train this model: {err}", icon="⚠️")
                return
    std, deep = runs["standard"], runs["deep"]
    toy_controls.warn_if_diverged(runs, lr)
    fig_col, text_col = st.columns([3, 2], gap="large")
    show_figure("training", state.values(), fig_col)
    with text_col:
        st.markdown("**" + claims.training_headline(
            standard=std["prefill"][-1], deep=deep["prefill"][-1],
            deep_kl_late=claims.late_kl(deep, k), mu=mu, gamma=gamma, k=k, T=T,
            steps=run_steps) + "**")
        st.markdown("**Standard** training (μ = 0) moves only positions t ≤ k: beyond the horizon "
                    "its gradient is zero at every step, so KLₜ stays 0 there. **Deep** training "
                    "also pushes late positions towards recovery, with penalty weight μγᵗ.")
        st.latex(rf"\eta=\lambda/\beta={num(eta)},\ \beta={num(beta)},\ \mu={num(mu)},\ "
                 rf"\gamma={num(gamma)}")
        # A table, not metrics: at 1280 px the metrics' labels and values were cut off.
        st.markdown(claims.training_table(std, deep, k, run_steps))
        st.caption("Recovery = probability of at least one recovery token "
                   f"in t = k+1…T after the first k = {k} tokens are forced harmful. Dotted: the "
                   "exact optima the runs converge to. β is set on the closed-form pages.")


layout.views("gradients", {
    "Gradient norm by position": gradient_norms,
    "Training: standard vs deep": training_section,
})
