"""The prefilling-attack simulator on the toy model (page 6 panel): the attacker writes the first L
tokens as harmful ones (C), the model continues; recovery afterwards for base, standard, deep.

``views/6_robustness.py`` shows :func:`show` as one of its tabs. It uses the page's β, μ, γ and
its own toy controls (in an expander, since the sidebar belongs to the closed-form parameters).
"""

from __future__ import annotations

import streamlit as st

import theory
from ui.claims import toy as claims
from ui.data import toy as data_toy
from ui.state import limits, url as state
from ui.text.latex import num, text

from . import toy_controls
from .show import show_figure


@limits.fragment
def show() -> None:
    """The panel; a fragment, so moving L or a toy parameter reruns only this panel."""
    st.markdown("The attacker prefills x₁…x_L with harmful tokens (C); the model writes the rest. "
                "Does it recover (emit R)? Exact probabilities on the toy model, with the page's "
                "β, μ and γ.")
    fig_col, text_col = st.columns([3, 2], gap="large")
    with text_col:
        L = toy_controls.control("L", text_col)
        eta = toy_controls.control("eta", text_col)
        with st.expander("Toy model"):
            i = toy_controls.picker(st)
            for name in data_toy.MODEL_PARAMS[i]:
                toy_controls.control(name, st)
            toy_controls.describe(state.values())
    v = state.values()
    L, beta, mu, gamma = v["L"], v["beta"], v["mu"], v["gamma"]
    with st.spinner("Solving the three models…"):
        d, err = data_toy.attempt(data_toy.attack, data_toy.spec(v), L, eta, beta, mu, gamma)
    if err:
        st.warning(f"Cannot simulate this attack: {err}", icon="⚠️")
        return
    if L >= d["T"]:
        fig_col.info(f"The attack covers all T = {d['T']} positions: nothing is left to recover. "
                     "Lower L or raise the toy length.")
    else:
        show_figure("toy_attack", v, fig_col)
        with fig_col:  # the wide column: three numbers side by side stay readable
            st.markdown(f"**Recovered before the end** (at least one R in t = {L + 1}…{d['T']}):")
            a, b, c = st.columns(3)
            a.metric("base", text(d["end_base"]))
            b.metric("standard", text(d["end_standard"]))
            c.metric("deep", text(d["end_deep"]))
    with text_col:
        _formula(d, L, mu, beta, gamma)
        if v["toy_model"] == 0 and v["decay"] < 1 and L < d["T"]:
            st.caption(claims.decay_caption(d["base"][0], d["shift"], d["end_deep"], d["end_base"]))
        if L < d["T"]:
            st.caption(claims.attack_caption(d, L, gamma))


def _formula(d: dict, L: int, mu: float, beta: float, gamma: float) -> None:
    """Theorem 20 at the first free position t = L + 1, or, inside the horizon, what applies there.

    The number shown is the exact optimum's; Theorem 20's per-prefix value stands beside it (they
    differ when the base recovery depends on the history, decay < 1)."""
    if L >= d["T"]:
        return
    t, k = L + 1, d["k"]
    shift = rf"a_{{{t}}}=\frac{{{num(mu)}\cdot{num(gamma)}^{{{t}}}}}{{{num(beta)}}}={num(d['shift'])}"
    per_prefix = float(theory.recovery_probability(d["base"][0], mu, beta, gamma, t))
    # Three lines: on one they overflow the narrow text column.
    values = (rf"\begin{{gathered}}q^*(R)\big|_{{t={t}}}={num(d['deep'][0])}\ \text{{(exact)}}\\"
              rf"\sigma(\operatorname{{logit}}p_{{{t}}}+a_{{{t}}})={num(per_prefix)}\\"
              rf"\text{{base: }}p_{{{t}}}={num(d['base'][0])}\end{{gathered}}")
    if t > k or d["decided_after_prefix"]:
        if t > k:
            st.markdown("**Theorem 20** (beyond the horizon, t > k): the deep optimum shifts the "
                        "log-odds of recovery by aₜ")
        else:
            st.markdown(f"**Theorem 20's tilt applies here too.** The first free position t = {t} "
                        f"is inside the horizon (t ≤ k = {k}), but after the harmful prefix the "
                        "harm is already decided: every next token leads to the same expected "
                        "harm, so the harm tilt −η·hₜ is the same for all of them and cancels. "
                        "What is left shifts the log-odds of recovery by aₜ")
        # Two lines: side by side they overflow the narrow text column.
        st.latex(r"\begin{gathered}q^*(R\mid x_{<t})=\sigma\!\big(\operatorname{logit}p_t+a_t\big),"
                 r"\\ a_t=\frac{\mu\gamma^t}{\beta}\end{gathered}")
        st.latex(shift)
        st.latex(values)
        return
    st.warning(f"The first free position t = {t} is inside the toy model's harm horizon "
               f"(t ≤ k = {k}) and the harm is still open there. Theorem 20 needs t > k and does "
               "not apply: the optimum also carries the harm tilt −η·hₜ (Proposition 29, first "
               "order in η).", icon=":material/warning:")
    st.markdown("**Proposition 29** (t ≤ k): both tilts act on the next token")
    st.latex(r"q^*(v)\propto\pi_{\mathrm{base}}(v\mid x_{<t})\,e^{-\eta h_t(x_{<t},v)+a_t\mathbf 1[v\in R]}")
    st.latex(shift)
    st.latex(rf"q^*(R)\big|_{{t={t}}}={num(d['deep'][0])}\quad"
             rf"(\text{{exact optimum; base }}{num(d['base'][0])})")
