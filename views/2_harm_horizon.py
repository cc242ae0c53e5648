"""Harm horizon (paper section 4): the martingale h_t, the harm information I_t, the horizon k.

Page pattern as in views/5_deep_alignment.py; the numbers come from the exact toy model
(``ui.data.toy``), the figures from ``ui.figures.toy_horizon``.
"""

import streamlit as st

from ui.claims import toy as claims
from ui.data import toy as data_toy
from ui.page import layout, toy_controls, widgets
from ui.page.show import show_figure
from ui.state import limits, url as state
from ui.text.latex import num, text

v = toy_controls.sidebar("harm_horizon", [])
s = data_toy.spec(v)

with layout.intro("Harm horizon",
                  "Follow the expected harm of a response as it is written, token by token: it is "
                  "settled early, and after the **harm horizon k** no token can change it (Theorem 9)."):
    toy_controls.describe(v)

base = toy_controls.model_or_stop(data_toy.horizon, s, 1, 0)
k, k_num, T = base["k"], base["k_num"], len(base["t"])


@limits.fragment
def paths_section():
    """Only the sampled paths depend on the number of paths and the seed."""
    fig_col, text_col = st.columns([3, 2], gap="large")
    with text_col:
        a, b = st.columns(2)
        n = widgets.control("n_paths", a, slider=False)
        seed = widgets.control("seed", b, slider=False)
    with st.spinner("Sampling paths…"):
        d = data_toy.horizon(s, n, seed)
    show_figure("martingale_paths", state.values(), fig_col)
    with text_col:
        st.markdown(f"**{claims.paths_headline(d['paths'], k)}**")
        st.markdown("**Proposition 2.** Under the base model, the expected harm given the first "
                    "t tokens is a martingale; it starts at E[H] and ends at H:")
        st.latex(r"h_t=\mathbb E[H\mid x_{\le t}],\qquad h_T=H")
        st.latex(rf"h_0=\mathbb E[H]={num(d['expected_harm'], 6)}")
        st.markdown("Each line is one sampled response. A path can only jump while the harm is "
                    f"still open; here nothing moves after t = {k}."
                    if 0 < k < T else "Each line is one sampled response.")
        st.caption("Sampled with the seed shown, so a shared link shows the same paths. "
                   "Overlapping paths draw on top of each other.")


def information():
    fig_col, text_col = st.columns([3, 2], gap="large")
    show_figure("harm_information", v, fig_col)
    variance = base["variance"] if base["variance"] is not None else base["info_sum"]
    with text_col:
        st.markdown(f"**{claims.information_headline(base['info'], variance)}**")
        st.markdown("**Definition 5.** The harm information at position t is the mean square of "
                    "the harm innovation Δₜ = hₜ − hₜ₋₁ (Definition 3); **Proposition 6**: it is "
                    "the expected drop in the variance of H when xₜ is seen:")
        st.latex(r"\begin{aligned}I_t&=\mathbb E\big[\Delta_t^2\big]=\mathbb E\big[\operatorname{Var}(h_t\mid x_{<t})\big]\\"
                 r"&=\mathbb E\big[\operatorname{Var}(H\mid x_{<t})\big]\\"
                 r"&\quad-\mathbb E\big[\operatorname{Var}(H\mid x_{\le t})\big]\end{aligned}")
        st.markdown("**Theorem 9.** The horizon k is the last position with Iₜ > 0; then H depends "
                    "on x₁…x_k only. **Proposition 4**: the innovations are orthogonal, so by "
                    "**Corollary 7**")
        st.latex(rf"\sum_{{t=1}}^{{{T}}}I_t=\operatorname{{Var}}H={num(variance, 6)}")
        last = rf"I_{{{k}}}={num(base['info'][k - 1])}" if k >= 1 else r"H\ \text{is constant}"
        after = rf",\quad I_{{{k + 1}}}=\dots=I_{{{T}}}=0" if 0 < k < T else ""
        st.latex(last + after)
        a, b = st.columns(2)
        a.metric("Exact horizon k", k, help="Known from the model's structure (Theorem 9).")
        b.metric("Numerical k", k_num,
                 help="Numerical horizon: the last t with Iₜ > 1e-12·Var H. It can cut off real but tiny tails.")
        c, e = st.columns(2)
        c.metric("Σₜ Iₜ", text(base["info_sum"]), help=f"Exactly {base['info_sum']!r}")
        if base["variance"] is not None:
            e.metric("Var H", text(base["variance"]),
                     help=f"From an independent second-moment pass: exactly {base['variance']!r}")
            st.caption(f"Largest |E[ΔₛΔₜ]|, s ≠ t: {text(base['cross'], 3)} (Proposition 4: 0).")
        else:
            e.metric("Var H", "T > 400: not recomputed",
                     help="The independent check costs O(T²); Σ Iₜ = Var H is exact.")
        if k != k_num:
            st.info(f"The exact horizon ({k}) and the numerical one ({k_num}) differ: beyond "
                    f"t = {k_num} the harm information is real but below 1e-12·Var H.")
        toy_controls.conventions()


layout.views("harm_horizon", {
    "Sampled paths hₜ": paths_section,
    "Harm information Iₜ": information,
})
