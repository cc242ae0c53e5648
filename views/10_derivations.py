"""Derivations: every closed form derived step by step with sympy, checked numerically, as .tex."""

import streamlit as st

from ui.claims.derivations import check_verdict
from ui.data import derivations
from ui.page import layout

layout.sidebar("derivations", [])  # presets only: keeps the URL and the shared state intact

with layout.intro("Derivations", "Each closed form used by the app is derived with sympy from "
                                 "the paper's definitions."):
    st.markdown("Steps marked *derived* are sympy's own output: expressions it computed (by "
                "solving, differentiating, summing or substituting) or proved equal, printed by "
                "`sympy.latex`. Steps marked *stated* are the definitions and the paper's "
                "reasoning that connect them; they are typed in or only printed by sympy, and are "
                "not derived here. The final expression is then turned into a numpy function and "
                "compared with the numeric code behind every figure at random points.")

derivs = derivations.load()
tabs = st.tabs([d.title for d, _, _ in derivs.values()])
for tab, (key, (d, check, tex)) in zip(tabs, derivs.items()):
    with tab:
        st.markdown(f"#### {d.title} — {d.paper_ref}")
        for i, step in enumerate(d.steps, start=1):
            st.markdown(f"**Step {i} ({step.kind}).** {step.title}")
            st.latex(step.latex)
        st.markdown("**Result**")
        st.latex(d.result_latex)
        passed, message = check_verdict(check)
        if passed:
            st.success(message, icon=":material/check:")
        else:
            st.error(message, icon=":material/error:")
        st.download_button("Download as .tex", tex, file_name=f"{key}.tex", mime="text/x-tex",
                           key=f"tex_{key}", icon=":material/download:")
layout.conventions()
