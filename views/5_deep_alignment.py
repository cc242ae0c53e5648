"""Deep alignment (Theorems 19, 20): recovery, its KL cost, the Gibbs solution, depth vs capability.

The page pattern every page follows: read parameters (``layout.sidebar``), get numbers from
``theory`` through the cached ``ui.data.closed``, build figures with ``ui.figures``, show each figure
beside its theorem (``st.latex``) with the current values substituted, and state conventions.
"""

import streamlit as st

from ui.claims import bold, deep as deep_claims
from ui.classroom import compare
from ui.data import closed as data, toy as data_toy
from ui.page import layout, widgets
from ui.page.show import show_figure
from ui.state import url as state
from ui.text.latex import num, text

v = layout.sidebar("deep_alignment", ["beta", "mu", "gamma", "p_base", "T", "k"])
p, mu, beta, gamma, k, T = v["p_base"], v["mu"], v["beta"], v["gamma"], v["k"], v["T"]
SUBS = rf"\mu={num(mu)},\ \beta={num(beta)},\ \gamma={num(gamma)},\ p={num(p)}"

st.title("Deep alignment")
st.markdown("Add a penalty μ·Σₜ γᵗ·E[1 − π(R | x<t)] on *not recovering* at every position, "
            "with the prefixes x<t drawn from 𝒟_adv, a distribution of adversarial (prefilled) "
            "prefixes (Definition 17). Beyond the harm horizon the optimum has a closed form at "
            "every prefix (Theorem 20). The app draws prefixes from the model itself (𝒟_adv = π), "
            "so the importance weight of Remark 9 is w = 1 and the shift is aₜ = μγᵗ/β.")

prof = data.recovery_profile(p, mu, beta, gamma, k, T)
first, last = (prof["t"][0], prof["t"][-1]) if prof["t"].size else (None, None)


def recovery():
    fig_col, text_col = st.columns([5, 4], gap="medium")
    show_figure("recovery_by_position", compare.with_pins(v), fig_col)
    with text_col:
        st.markdown(bold(deep_claims.recovery_headline(p=p, mu=mu, gamma=gamma, k=k, T=T,
                                                         deep=prof["deep"])))
        st.markdown("**Theorem 20** (exact at every prefix beyond the horizon, t > k, for "
                    "0 < p < 1; with p = 0 no finite μ creates recovery, Remark 8)")
        st.latex(r"r^*_t=\sigma\!\left(\operatorname{logit}p+a_t\right),\qquad a_t=\frac{w\,\mu\gamma^{t}}{\beta},\ w=1")
        st.markdown("An additive shift of the log-odds of recovery. With the current values")
        st.latex(SUBS)
        if first is not None:
            for i, pos in ((0, first), (-1, last)):
                st.latex(rf"r^*_{{{pos}}}=\sigma\!\left(\operatorname{{logit}}\,{num(p)}"
                         rf"+{num(prof['shift'][i])}\right)={num(prof['deep'][i], 6)}")
        else:
            st.info("No position lies beyond the horizon: raise T or lower k.")
        layout.conventions()


def kl_cost():
    fig_col, text_col = st.columns([5, 4], gap="medium")
    show_figure("kl_by_position", compare.with_pins(v), fig_col)
    with text_col:
        st.markdown("**Theorem 20**: the price of the shift at one position, in nats")
        st.latex(r"\mathrm{KL}^*_t=a_t\,r^*_t-\log\!\left(1-p+p\,e^{a_t}\right)")
        st.latex(r"0\le\mathrm{KL}^*_t\le\min\!\left(a_t,\ \log\tfrac1p\right)")
        if first is not None:
            st.latex(rf"\mathrm{{KL}}^*_{{{first}}}={num(prof['kl'][0])},\quad"
                     rf"\mathrm{{KL}}^*_{{{last}}}={num(prof['kl'][-1])}")
        st.markdown("**Summed beyond the horizon**, to the depth T and to infinity, beside "
                    "**Theorem 22**'s bound (pₜ = p at every position, so p_min = p):")
        st.markdown(_kl_sums_table())
        st.markdown(_kl_sums_sentence())
        st.caption("The cap is far from tight while aₜ is small: there KL*ₜ ≈ (aₜ²/2)·p(1 − p) (Theorem 19).")


def _kl_limit() -> dict:
    return data.recovery_kl_limit(p, mu, beta, gamma, k)


def _kl_sums_table() -> str:
    limit = _kl_limit()
    return deep_claims.kl_sums_table(k=k, T=T, to_T=prof["kl_total"], to_inf=limit["limit"],
                                     bound_T=prof["kl_total_bound"], bound_inf=limit["bound"])


def _kl_sums_sentence() -> str:
    return deep_claims.kl_sums_sentence(
        mu=mu, gamma=gamma, p=p, k=k, T=T, to_T=prof["kl_total"], to_inf=_kl_limit()["limit"],
        per_position=data.at_position(p, mu, beta, gamma, k + 1)["kl"])


@st.fragment
def at_one_position():
    """Only this part depends on t, so moving t reruns only this fragment."""
    fig_col, text_col = st.columns([5, 4], gap="medium")
    t = widgets.control("t", text_col)  # t beyond the depth T (a toy chart's) reads T
    if state.get("t") > T:
        text_col.caption(f"The position t = {state.get('t')} (from a link or a toy chart's readout) "
                         f"lies beyond the depth T = {T}: shown at t = {T}, and t is kept.")
    d = data.at_position(p, mu, beta, gamma, t)
    show_figure("gibbs_bars", state.values(), fig_col)
    with text_col:
        st.markdown(bold(deep_claims.gibbs_headline(p=p, t=t, deep=float(d["deep"]),
                                                      shift=float(d["shift"]))))
        st.markdown("**Theorem 20**: each recovery token is tilted by the same factor; the base "
                    "proportions within R and within the other tokens are kept.")
        st.latex(r"q^*(v)=\frac{\pi_{\mathrm{base}}(v)\,e^{a_t\mathbf 1[v\in R]}}{1-p+p\,e^{a_t}}")
        st.latex(rf"a_{{{t}}}=\frac{{{num(mu)}\cdot{num(gamma)}^{{{t}}}}}{{{num(beta)}}}={num(d['shift'])}")
        st.latex(rf"q^*(R)=r^*_{{{t}}}={num(d['deep'], 6)}\quad(\text{{base }}p={num(p)})")
        st.latex(rf"\mathrm{{KL}}^*_{{{t}}}={num(d['kl'])}\ \text{{nats}}")
        if t <= k:
            st.warning(f"t = {t} is inside the harm horizon (t ≤ k = {k}): there the optimum also "
                       "carries the harm tilt (Proposition 29), which this closed form leaves out.")
        st.caption("Example vocabulary: two recovery tokens share p, five others share 1 − p.")


def depth_vs_capability():
    limit = _kl_limit()
    fig_col, text_col = st.columns([5, 4], gap="medium")
    show_figure("tradeoff_vs_gamma", v, fig_col)
    with text_col:
        st.markdown(bold(_tradeoff_headline()))
        st.markdown("**Theorem 19** (small shifts): beyond the horizon the recovery KL at "
                    "position t is about")
        st.latex(r"\mathrm{KL}_t\approx\frac{a_t^2}{2}\,J_t,\qquad J_t=\mathbb E\big[p_t(1-p_t)\big]")
        st.markdown("**Remark 6**: summed over t > k it scales like")
        st.latex(r"\begin{gathered}\sum_{t>k}\gamma^{2t}=\frac{\gamma^{2(k+1)}}{1-\gamma^2}"
                 r"\quad(\gamma<1),\\ \text{unbounded as }\gamma\to1\end{gathered}")
        st.markdown(f"Raising γ keeps recovery high deeper (top: the guarantee at depth T = {T}), "
                    "but costs KL (bottom). The KL measures how far the aligned model moves from "
                    "the base model's distribution: the paper's proxy for lost capability.")
        st.markdown(_kl_sums_sentence())  # the KL cost tab says the same beside its table
        if not limit["gamma_is_one"] and limit["limit"] > 0:
            st.latex(rf"\sum_{{t={k + 1}}}^{{{T}}}\mathrm{{KL}}^*_t={num(prof['kl_total'])}\ \text{{nats}}")
            st.latex(rf"\sum_{{t={k + 1}}}^{{\infty}}\mathrm{{KL}}^*_t={num(limit['limit'])}\ \text{{nats}}")
        st.caption("Curves use Theorem 20's per-prefix optimum, exact when the base recovery "
                   "probability does not depend on the history (p fixed here).")


def _tradeoff_headline() -> str:
    d = data.tradeoff_vs_gamma(p, mu, beta, k, T)
    return deep_claims.tradeoff_headline(
        p=p, mu=mu, gamma=gamma, k=k, T=T, kl_total=prof["kl_total"],
        delta_T=float(data.recoverability_by_depth(p, mu, beta, gamma, k, T)["delta"][-1]) if T > k else 0.0, end_gamma=float(d["gamma"][-1]),
        end_delta_T=float(d["delta_T"][-1]), end_kl_total=float(d["kl_total"][-1]))


def _gap_text(x: float) -> str:
    return text(x, 3) if x >= 1e-12 else f"{x:.1e}"  # rounding-level gaps stay readable


@st.fragment
def exact_vs_per_prefix():
    """The exact on-policy optimum on the toy model against the paper's per-prefix forms
    (Theorem 20, Proposition 29). Its own controls rerun only this fragment."""
    st.markdown("The other tabs use Theorem 20 *per prefix*. On the refuse-or-comply toy model "
                "(see the Harm horizon page) the deep optimum can be computed exactly, with "
                "prefixes drawn from the optimum itself (𝒟_adv = π, w = 1), by a backward "
                "pass. With **recovery decay** < 1 the base model recovers less after each harmful "
                "token C, so what is emitted now changes later recovery: the two then differ even "
                "beyond the horizon.")
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
    d, err = data_toy.attempt(data_toy.deep, s, w["eta"], beta, mu, gamma)
    if err:
        text_col.warning(f"This tab cannot compute the toy model with these parameters: {err}", icon="⚠️")
        return
    kt, Tt, decay, eta = d["k"], len(d["t"]), w["decay"], w["eta"]
    show_figure("exact_vs_per_prefix", w, fig_col)  # ui.catalog: the same data_toy.deep call
    fig_col.caption(f"Refuse-or-comply, T = {Tt}, horizon k = {kt}, p_R = {w['p_recover']:g}, "
                    f"p_C = {w['p_harm']:g}, h_u = {w['h_undecided']:g}, decay = {decay:g}, "
                    f"η = {eta:g}; μ = {mu:g}, β = {beta:g}, γ = {gamma:g} from the sidebar. Top: "
                    "recovery probability P(R at t), on-policy; middle: KLₜ (nats); bottom: "
                    "per-prefix minus exact. Grey: positions inside the horizon.")
    beyond, within = slice(kt, Tt), slice(0, kt)
    with text_col:
        st.markdown("**Exact on-policy optimum**: π* ∝ π_base·exp(−ηH + Σₜ aₜ·1[xₜ ∈ R]); "
                    "its conditionals carry the backward message Ψₜ")
        st.latex(r"q^*(v)\propto\pi_{\mathrm{base}}(v\mid x_{<t})\,e^{a_t\mathbf 1[v\in R]}"
                 r"\,\Psi_t(x_{<t},v)")
        st.latex(r"\Psi_t(x_{\le t})=\mathbb E_{\pi_{\mathrm{base}}}\Big[e^{-\eta H+\sum_{u>t}"
                 r"a_u\mathbf 1[x_u\in R]}\;\Big|\;x_{\le t}\Big]")
        st.markdown("**Per-prefix forms**: Theorem 20 for t > k; for t ≤ k, **Proposition 29** "
                    "(first order in η), with hₜ = hₜ(x<t, v) the expected harm after v")
        for cond, tilt in ((r"t>k", r"a_t\mathbf 1[v\in R]"),
                           (r"t\le k", r"a_t\mathbf 1[v\in R]-\eta h_t")):
            st.latex(rf"{cond}:\ q(v)\propto\pi_{{\mathrm{{base}}}}(v\mid x_{{<t}})\,e^{{{tilt}}}")
        st.markdown("Which hₜ enters decides how close it comes. With **the base model's hₜ** "
                    "(the rest written by π_base) the gap to the exact optimum is **O(η)**; with "
                    "**the optimum's own hₜ** (the rest written by π*, hₜ = −∂ log Ψₜ/∂η) it is "
                    "**O(η²)**. The O(η) gap is the base continuation's, not an error of the paper.")
        rows = [("recovery, base model's hₜ", "recovery_gap"),
                ("recovery, optimum's own hₜ", "recovery_gap_cont"),
                ("KLₜ (nats), base model's hₜ", "kl_gap"),
                ("KLₜ (nats), optimum's own hₜ", "kl_gap_cont")]
        table = [f"| largest per-prefix − exact gap | t ≤ {kt} | t > {kt} |", "|---|---|---|"]
        for label, key in rows:
            cells = [_gap_text(abs(d[key][part]).max()) if part.stop > part.start else "—"
                     for part in (within, beyond)]
            table.append(f"| {label} | {cells[0]} | {cells[1]} |")
        st.markdown("\n".join(table))
        st.markdown(f"Expected harm E[H]: {text(d['harm_exact'], 3)} under the exact optimum, "
                    f"{text(d['harm_per_prefix'], 3)} (base hₜ) and "
                    f"{text(d['harm_per_prefix_cont'], 3)} (optimum's hₜ) under the per-prefix forms.")
        if decay == 1:
            st.caption("decay = 1: base recovery does not depend on the history, so beyond the "
                       "horizon Theorem 20's per-prefix form *is* the exact optimum (the gap is "
                       "rounding, ~1e-16). Inside the horizon Proposition 29 differs by O(η) with "
                       "the base model's hₜ and by O(η²) with the optimum's own. Lower the decay "
                       "to see a gap beyond the horizon.")
        else:
            st.caption(f"decay = {decay:g} < 1: each harmful token lowers later base recovery, so "
                       "Ψₜ depends on the token at t. The exact optimum also steers away from C "
                       "to keep later recovery cheap; Theorem 20 looks at one position only. The "
                       "two differ beyond the horizon too, and that gap does not shrink with η, "
                       "whichever hₜ is used (set decay = 1 to make them coincide there).")


layout.views("deep_alignment", {
    "Recovery by position": recovery,
    "KL cost": kl_cost,
    "Gibbs solution at one position": at_one_position,
    "Depth vs capability (γ → 1)": depth_vs_capability,
    "Exact vs per-prefix (toy model)": exact_vs_per_prefix,
})
