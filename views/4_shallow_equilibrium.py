"""Shallow equilibrium (paper section 8, Appendix A): the standard optimum's KL_t against
(eta^2/2) I_t (Theorem 14) and the shared-parameter variant.

Page pattern as in views/5_deep_alignment.py; numbers from ``ui.data.toy``, sentences and
formulas from ``ui.claims.toy``, figures from ``ui.figures.toy_equilibrium``.
"""

import streamlit as st

from ui.claims import toy as claims
from ui.data import toy as data_toy
from ui.page import layout, prose, toy_controls
from ui.page.attempt import attempt
from ui.page.show import show_figure

v = toy_controls.sidebar("shallow_equilibrium", ["eta"])
s, eta = data_toy.spec(v), v["eta"]
say = prose.of("shallow_equilibrium")

with layout.intro("Shallow equilibrium", prose.markdown("shallow_equilibrium", "lead")):
    say("intro")
    toy_controls.describe(v)

d = toy_controls.model_or_stop(data_toy.standard, s, eta, spinner="Solving for the optimum…")
k, T = d["k"], len(d["t"])


def kl_by_position():
    fig_col, text_col = st.columns([3, 2], gap="large")
    show_figure("kl_vs_information", v, fig_col)
    grads = data_toy.gradients(s)
    with text_col:
        st.markdown(f"**{claims.kl_headline(d['kl'])}**")
        say("optimum")
        if k >= 1:
            at_k, exact_at_k = claims.leading_term_latex(d, grads["natural"], k, eta)
            st.latex(at_k)
            say("leading_term")
            st.latex(exact_at_k)
        if k < T:
            say("beyond")
            st.latex(claims.beyond_max(d["kl"], k, r"\mathrm{KL}_t"))
        a, b = st.columns(2)
        for col, (label, value) in zip((a, b, a, b), claims.equilibrium_metrics(d)):
            col.metric(label, value)
        say("curves")
        toy_controls.conventions()


def kl_vs_eta():
    fig_col, text_col = st.columns([3, 2], gap="large")
    sweep = attempt(data_toy.eta_sweep, s, spinner="Sweeping η…",
                    failed="Cannot sweep η on this model")
    if sweep is None:
        return
    show_figure("kl_vs_eta", v, fig_col)
    with text_col:
        say("eta")
        st.markdown(claims.eta_sweep(sweep["eta"], sweep["kl"], sweep["approx"], sweep["limit"]))


def shared_parameters():
    say("shared")
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
    base = shared["prefill_base"]
    with text_col:
        st.markdown("**" + claims.shared_headline(
            shared_kl_late=claims.late_kl(shared, k), tab_kl_late=claims.late_kl(tab, k),
            base=base, shared=shared["prefill"][-1], k=k, T=T) + "**")
        say("shared_panels")
        # A table, not metrics: four numbers with long labels were cut off at 1280 px.
        st.markdown(claims.shared_table(shared, tab, k))
        st.caption("Recovery = probability of at least one recovery token after the first L = k tokens "
                   "are forced harmful. " + claims.per_position_recovery(tab["prefill"][-1] - base, lr))
        if effect := claims.shared_effect(shared, k, T):
            st.caption(effect)
        say("shared_run", run_steps=run_steps, lr=lr)


layout.views("shallow_equilibrium", {
    "Where the optimum spends its KL": kl_by_position,
    "As η moves": kl_vs_eta,
    "Shared parameters (Appendix A)": shared_parameters,
})
