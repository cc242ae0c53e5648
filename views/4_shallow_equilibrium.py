"""Shallow equilibrium (paper section 8, Appendix A): the standard optimum's KL_t against
(eta^2/2) I_t (Theorem 14) and the shared-parameter variant.

Page pattern as in views/5_deep_alignment.py; numbers from ``ui.data.toy``, figures from
``ui.figures.toy_equilibrium``.
"""

import streamlit as st

from ui.claims import toy as claims
from ui.data import toy as data_toy
from ui.page import layout, toy_controls
from ui.page.show import show_figure
from ui.text.latex import num, text

v = toy_controls.sidebar("shallow_equilibrium", ["eta"])
s, eta = data_toy.spec(v), v["eta"]

st.title("Shallow equilibrium")
st.markdown("The best standard-RLHF model (harm weight λ, KL weight β), the exact optimum over "
            "all response distributions, changes the base model only where the harm is still "
            "being decided. Beyond the horizon it *is* the base model (Theorem 10), so after a "
            "harmful prefix that covers the horizon it recovers no more often than the base "
            "model (Corollary 23).")
toy_controls.describe(v)

d = toy_controls.model_or_stop(data_toy.standard, s, eta, spinner="Solving for the optimum…")
k, T = d["k"], len(d["t"])


def kl_by_position():
    fig_col, text_col = st.columns([3, 2], gap="large")
    show_figure("kl_vs_information", v, fig_col)
    grads = data_toy.gradients(s)
    with text_col:
        st.markdown(f"**{claims.kl_headline(d['kl'])}**")
        st.markdown("The exact optimum tilts the base model by the harm (a backward recursion on "
                    "Φₜ = E[e^(−ηH) | x≤t]). It depends on λ and β only through η = λ/β, so the "
                    "app computes it KL-normalised: β = 1, λ = η.")
        st.latex(r"\pi^*(x)\propto\pi_{\mathrm{base}}(x)\,e^{-\eta H(x)},\qquad\eta=\lambda/\beta")
        st.markdown("**Theorem 14** (the paper, KL weight 1, small λ):")
        st.latex(r"\mathrm{KL}_t=\frac{\lambda^2}{2}\,g_t^{\top}F_t^{-1}g_t+O(\lambda^3)")
        st.markdown("With KL weight β, λ becomes η = λ/β. **The app's step** (not in the paper): "
                    "for the tabular softmax model here, one logit vector per toy-model state at "
                    "each position, Fₜ is singular and its pseudo-inverse F⁺ gives")
        # Two lines: side by side they overflow the narrow text column.
        st.latex(r"\begin{gathered}g_t^{\top}F_t^{+}g_t=I_t\\ \Longrightarrow\ "
                 r"\mathrm{KL}_t=\frac{\eta^2}{2}\,I_t+O(\eta^3)\end{gathered}")
        if k >= 1:
            i = k - 1
            st.latex(rf"g_{{{k}}}^{{\top}}F_{{{k}}}^{{+}}g_{{{k}}}={num(grads['natural'][i], 6)},"
                     rf"\quad I_{{{k}}}={num(d['info'][i], 6)}")
            st.markdown("(η²/2)·Iₜ is the leading term, not the exact KL. The exact optimum "
                        "against it, and what is left over (the O(η³) remainder):")
            st.latex(rf"\begin{{aligned}}\mathrm{{KL}}_{{{k}}}\ \text{{(exact)}}&={num(d['kl'][i])}\\"
                     rf"\tfrac{{{num(eta)}^2}}{{2}}\,I_{{{k}}}&={num(d['approx'][i])}\\"
                     rf"\text{{remainder}}&={num(d['kl'][i] - d['approx'][i])}\end{{aligned}}")
        if k < T:
            st.markdown("**Beyond the horizon** Iₜ = 0 (Theorem 9), and there the exact optimum "
                        "π* ∝ π_base·e^(−ηH) *is* the base model: H no longer depends on the "
                        "token, so neither does the tilt (Theorem 10 gives its zero gradient):")
            st.latex(rf"\max_{{t>{k}}}\mathrm{{KL}}_t={num(d['kl'][k:].max())}")
        a, b = st.columns(2)
        a.metric("Σₜ KLₜ (nats)", text(d["kl"].sum()))
        b.metric("(η²/2)·Var H (nats)", text(d["approx"].sum()))
        a.metric("E[H], base model", text(d["harm_base"]))
        b.metric("E[H], optimum π*", text(d["harm"]))
        st.caption("The two curves agree for small η and part for large η (the O(η³) term); both "
                   "are exactly zero after the horizon.")
        toy_controls.conventions()


def kl_vs_eta():
    fig_col, text_col = st.columns([3, 2], gap="large")
    with st.spinner("Sweeping η…"):
        sweep, err = data_toy.attempt(data_toy.eta_sweep, s)
    if err:
        st.warning(f"Cannot sweep η on this model: {err}", icon="⚠️")
        return
    show_figure("kl_vs_eta", v, fig_col)
    with text_col:
        st.markdown("Summing the leading term over t (Corollary 7: Σₜ Iₜ = Var H), with β = 1 "
                    "and λ = η:")
        st.latex(r"\sum_t\mathrm{KL}_t(\pi^*)=\frac{\eta^2}{2}\operatorname{Var}H+O(\eta^3)")
        st.markdown(claims.eta_sweep(sweep["eta"], sweep["kl"], sweep["approx"], sweep["limit"]))


def shared_parameters():
    st.markdown("Real models share parameters across positions. Train the standard objective with "
                "one logit table shared by all positions plus a per-position offset: a change "
                "driven by early positions also changes late outputs (“incidental” KL). Beyond the "
                "horizon that change is uncorrelated with the harm (Proposition 26): nothing in "
                "the objective aims it at recovery. It is *untargeted*: it may raise or lower "
                "recovery, by accident.")
    steps, lr = v["steps"], v["lr"]
    run_steps = data_toy.train_steps(s, steps)
    toy_controls.note_shortened(s, steps, run_steps)
    with st.spinner(f"Training {run_steps} steps, per-position and shared…"):
        tab, err1 = data_toy.attempt(data_toy.training, s, "standard", "tabular", eta, 1.0, 0.0,
                                     1.0, run_steps, lr)
        shared, err2 = data_toy.attempt(data_toy.training, s, "standard", "shared", eta, 1.0, 0.0,
                                        1.0, run_steps, lr)
    if err1 or err2:
        st.warning(f"Cannot train this model: {err1 or err2}", icon="⚠️")
        return
    toy_controls.warn_if_diverged({"per-position": tab, "shared": shared}, lr)
    fig_col, text_col = st.columns([3, 2], gap="large")
    show_figure("shared_variant", v, fig_col)
    late = slice(k, T)
    with text_col:
        st.markdown("**" + claims.shared_headline(
            shared_kl_late=shared["kl"][-1][late].sum(), tab_kl_late=tab["kl"][-1][late].sum(),
            base=shared["prefill_base"], shared=shared["prefill"][-1], k=k, T=T) + "**")
        st.markdown("**Top:** KLₜ after training. **Bottom:** the change in expected harm carried by "
                    "position t's change, Σₛ P(sₜ₋₁ = s)·Σᵥ (π − π_base)(v|s,t)·hₜ(s, v), where s is "
                    "a state of the toy model.")
        base_rec = shared["prefill_base"]
        # A table, not metrics: four numbers with long labels were cut off at 1280 px.
        st.markdown("\n".join([
            "| after training | shared | per-position |", "|---|---|---|",
            f"| KL beyond the horizon, Σ KLₜ over t > {k} (nats) | "
            f"{text(shared['kl'][-1][late].sum(), 3)} | {text(tab['kl'][-1][late].sum(), 3)} |",
            f"| recovery after a harmful prefix of length L = k = {k} | "
            f"{text(shared['prefill'][-1], 4)} | {text(tab['prefill'][-1], 4)} |",
            f"| change in that recovery from the base model's {text(base_rec, 4)} | "
            f"{_signed(shared['prefill'][-1] - base_rec)} | {_signed(tab['prefill'][-1] - base_rec)} |",
        ]))
        st.caption("Recovery = probability of at least one recovery token after the first L = k tokens "
                   "are forced harmful. " + claims.per_position_recovery(tab["prefill"][-1] - base_rec, lr))
        if k < T:
            st.caption(f"Largest |change in E[H]| carried by a position t > {k} with shared "
                       f"parameters: {text(abs(shared['effect'][-1][late]).max(), 2)} (Proposition 26: 0).")
        st.caption(f"{run_steps} gradient steps at learning rate {lr:g} (set on the Gradients page), "
                   "β = 1 and λ = η (only η = λ/β matters). The change in recovery can have either "
                   "sign: the shared table moves to serve the early positions, not recovery.")


def _signed(x: float) -> str:
    """A change in probability with its sign, so a fall is never read as a rise."""
    if x == 0:
        return "0"
    return (f"{x:+.3g}" if abs(x) >= 5e-4 else f"{x:+.1e}").replace("-", "−")


layout.views("shallow_equilibrium", {
    "Where the optimum spends its KL": kl_by_position,
    "As η moves": kl_vs_eta,
    "Shared parameters (Appendix A)": shared_parameters,
})
