"""Deep alignment (Theorems 19, 20): recovery, its KL cost, the Gibbs solution, depth vs capability.

The page pattern: parameters from ``layout.sidebar``, numbers from ``ui.data``, sentences and
formulas with the current values from ``ui.claims``, fixed text from ``content/<page>.toml``."""

import streamlit as st

from ui.claims import bold, deep as deep_claims
from ui.classroom import compare
from ui.data import closed as data, toy as data_toy
from ui.page import layout, prose, widgets
from ui.page.attempt import attempt
from ui.page.show import show_figure
from ui.state import limits, url as state
from ui.text.latex import num

v = layout.sidebar("deep_alignment", ["beta", "mu", "gamma", "p_base", "T", "k"])
p, mu, beta, gamma, k, T = v["p_base"], v["mu"], v["beta"], v["gamma"], v["k"], v["T"]
SUBS = rf"\mu={num(mu)},\ \beta={num(beta)},\ \gamma={num(gamma)},\ p={num(p)}"
say = prose.of("deep_alignment")

with layout.intro("Deep alignment", prose.markdown("deep_alignment", "lead")):
    say("intro")

prof, sums = data.recovery_profile(p, mu, beta, gamma, k, T), data.kl_sums(p, mu, beta, gamma, k, T)
kl_table, kl_sentence = deep_claims.kl_sums_text(p=p, mu=mu, gamma=gamma, k=k, T=T, sums=sums)


def recovery():
    fig_col, text_col = st.columns([5, 4], gap="medium")
    show_figure("recovery_by_position", compare.with_pins(v), fig_col)
    with text_col:
        st.markdown(bold(deep_claims.recovery_headline(p=p, mu=mu, gamma=gamma, k=k, T=T,
                                                         deep=prof["deep"])))
        say("recovery")
        st.latex(SUBS)
        prose.formulas(deep_claims.recovery_latex(p, prof))
        if not prof["t"].size:
            st.info("No position lies beyond the horizon: raise T or lower k.")
        layout.conventions()


def kl_cost():
    fig_col, text_col = st.columns([5, 4], gap="medium")
    show_figure("kl_by_position", compare.with_pins(v), fig_col)
    with text_col:
        say("kl_cost")
        prose.formulas(deep_claims.kl_latex(prof))
        say("kl_sums")
        st.markdown(kl_table)
        st.markdown(kl_sentence)
        say("kl_cap")


@limits.fragment
def at_one_position():
    """Only this part depends on t, so moving t reruns only this fragment."""
    fig_col, text_col = st.columns([5, 4], gap="medium")
    t = widgets.control("t", text_col)  # t beyond the depth T (a toy chart's) reads T
    if note := deep_claims.beyond_depth(state.get("t"), T):
        text_col.caption(note)
    d = data.at_position(p, mu, beta, gamma, t)
    show_figure("gibbs_bars", state.values(), fig_col)
    with text_col:
        st.markdown(bold(deep_claims.gibbs_headline(p=p, t=t, deep=float(d["deep"]),
                                                      shift=float(d["shift"]))))
        say("gibbs")
        prose.formulas(deep_claims.gibbs_latex(p=p, mu=mu, beta=beta, gamma=gamma, t=t, d=d))
        if note := deep_claims.inside_horizon(t, k):
            st.warning(note)
        say("gibbs_vocabulary")


def depth_vs_capability():
    fig_col, text_col = st.columns([5, 4], gap="medium")
    show_figure("tradeoff_vs_gamma", v, fig_col)
    with text_col:
        st.markdown(bold(deep_claims.tradeoff_headline(p=p, mu=mu, gamma=gamma, k=k, T=T,
            kl_total=prof["kl_total"], **data.tradeoff_ends(p, mu, beta, gamma, k, T))))
        say("tradeoff", T=T)
        st.markdown(kl_sentence)  # the KL cost tab says the same beside its table
        prose.formulas(deep_claims.kl_sums_latex(gamma=gamma, k=k, T=T, sums=sums))
        say("tradeoff_curves")


@limits.fragment
def exact_vs_per_prefix():
    """The exact on-policy optimum on the toy model against the paper's per-prefix forms
    (Theorem 20, Proposition 29). Its own controls rerun only this fragment."""
    say("exact")
    fig_col, text_col = st.columns([5, 4], gap="medium")
    with text_col:
        widgets.control("decay", st.container())
        widgets.control("eta", st.container())
        with st.expander("Other toy-model parameters (shared with the toy pages)"):
            widgets.control("T_toy", st.container())
            widgets.control("k_toy", st.container())
            widgets.controls(["p_recover", "p_harm", "h_undecided"], st.container())
    w = state.values()
    s = data_toy.spec({**w, "toy_model": 0})  # decay belongs to refuse-or-comply
    d = attempt(data_toy.deep, s, w["eta"], beta, mu, gamma, container=text_col,
                failed="This tab cannot compute the toy model with these parameters")
    if d is None:
        return
    show_figure("exact_vs_per_prefix", w, fig_col)  # ui.catalog: the same data_toy.deep call
    say("exact_figure", fig_col, Tt=len(d["t"]), kt=d["k"], **w)
    with text_col:
        say("exact_forms")
        st.markdown(deep_claims.exact_gap_table(d))
        st.markdown(deep_claims.exact_harm(d))
        st.caption(deep_claims.decay_caption(w["decay"]))


layout.views("deep_alignment", {
    "Recovery by position": recovery,
    "KL cost": kl_cost,
    "Gibbs solution at one position": at_one_position,
    "Depth vs capability (γ → 1)": depth_vs_capability,
    "Exact vs per-prefix (toy model)": exact_vs_per_prefix,
})
