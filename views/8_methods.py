"""Methods lab: published deepening methods trained on the exact toy model, beside
the paper's recovery penalty. Numbers from ``ui.data.methods`` (math in
``theory.toy.methods``), figures from ``ui.figures.methods`` through the catalog."""

import streamlit as st

from ui.catalog import methods as specs
from ui.claims import methods as claims
from ui.data import methods as data_methods, toy as data_toy
from ui.page import layout, toy_controls, widgets
from ui.page.show import show_figure
from ui.text.latex import text

v = toy_controls.sidebar("methods", ["eta", "beta", "mu", "gamma", "steps", "lr"])
s = data_toy.spec(v)

st.title("Methods lab")
st.markdown(
    "The paper explains why standard alignment is shallow and analyses one cure, a recovery "
    "penalty μγᵗ. Two published methods deepen alignment in other ways: **Qi et al.** "
    "(arXiv 2406.05946) train on recovery examples and constrain fine-tuning token by token; "
    "**Bach et al.** (arXiv 2511.12155) penalise base-favored tokens and distil from a hybrid "
    "teacher. Here each is a training objective on the toy model, run by gradient descent and "
    "measured by the quantities the theory names. The toy illustrates the mechanisms exactly; "
    "it is not a language model, and its numbers are not the papers' measurements.")
toy_controls.describe(v)


def _settings(label: str, *rows: list[str]) -> None:
    """A collapsed expander of method parameters, one row of number boxes per list (their values
    come back through ``v``; four sliders in a row would be cramped)."""
    with st.expander(label, expanded=False):
        for names in rows:
            for col, name in zip(st.columns(len(names)), names):
                widgets.control(name, col, slider=False)


def _table(rows: list[list[str]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def _run(fn, names, spinner: str, what: str):
    """``fn(spec, **those values)`` with a spinner; ``None`` and a warning if the model cannot."""
    with st.spinner(spinner):
        result, err = data_toy.attempt(fn, s, **{n: v[n] for n in names})
    if err:
        st.warning(f"Cannot {what} on this model: {err}", icon="⚠️")
    return result


def _compare(spinner: str = "Training four methods…"):
    return _run(data_methods.compare, specs.COMPARE, spinner, "train the methods")


def side_by_side():
    _settings("Method settings (published values are the defaults)",
              ["alpha_aug", "K_aug", "lam_teacher", "tau_d"], ["c_alpha", "c_rise", "top_k"])
    d = _compare()
    if d is None:
        return
    k, T = d["k"], d["T"]
    if d["skipped"]:
        st.info(f"Bach's targeted completion cannot run on this model: {d['skipped']['completion']}"
                " (p_C = 0 or p_R + p_C = 1 leaves a token the base model never emits).", icon="ℹ️")
    show_figure("methods_by_position", v)
    runs, names = d["runs"], dict(data_methods.METHODS)
    if (zero := claims.zero_beyond(runs, names, k, T)) is not None:
        st.caption(zero)
    L = min(k, T - 1)
    rows = [[names[key], text(r["harm"][-1], 4), text(r["total_kl"][-1], 4),
             text(r["kl"][k:].sum(), 4) if k < T else "—", text(r["prefill"][L], 4)]
            for key, r in runs.items()]
    exact = d["deep_exact"]
    rows.insert(2, ["recovery penalty, exact optimum", text(exact["harm"], 4), text(exact["kl"].sum(), 4),
                    text(exact["kl"][k:].sum(), 4) if k < T else "—", text(exact["prefill"][L], 4)])
    rows.append(["base model", "", "0", "0", text(d["prefill_base"][L], 4)])
    st.markdown(_table(rows, ["method", "E[H]", "total KL (nats)", f"KL beyond k = {k} (nats)",
                              f"recovery after L = {L} harmful tokens"]))
    toy_controls.note_shortened(s, v["steps"], d["steps_run"])
    st.caption(f"All runs: {d['steps_run']} gradient steps at learning rate {v['lr']:g} "
               f"(sidebar). Standard, deep and augmentation are trained on their objectives "
               f"divided by β (KL weight 1, harm weight η = {v['eta']:g}, penalty "
               f"μ/β = {v['mu'] / v['beta']:.3g}, augmentation weight α_aug/β = "
               f"{v['alpha_aug'] / v['beta']:.3g}): the same optima. They start from the base "
               "model; targeted completion (J_Bach, which has no β) starts from the trained "
               "standard model, as Bach fine-tunes an aligned model. The exact optimum of the "
               "recovery penalty is the backward pass the gradient descent is heading for.")
    st.markdown("#### What the toy shows at these settings")
    st.markdown("\n".join(f"- {item}" for item in claims.findings(d, names)))
    left, right = st.columns(2, gap="large")
    left.markdown(f"**{claims.prefill_headline(d, names)}**")
    right.markdown(f"**{claims.training_headline(d, names)}**")
    show_figure("methods_prefill", v, left)
    show_figure("methods_training", v, right)
    _objectives(d)


def _objectives(d):
    with st.expander("The four objectives (what is trained)"):
        st.markdown("Tabular softmax policy π(v | s, t): one logit vector per position and toy "
                    "state, trained by plain gradient descent on each objective.")
        st.latex(r"J_{\mathrm{std}}=\lambda\,\mathbb{E}_\pi[H]+\beta\sum_t\mathrm{KL}_t"
                 r"\qquad\text{(paper, Eq. 2)}")
        st.latex(r"J_{\mathrm{deep}}=J_{\mathrm{std}}+\sum_t\mu\gamma^t\,"
                 r"\mathbb{E}_\pi\!\left[1-\pi(R\mid x_{<t})\right]\qquad\text{(Definition 17 with }\mathcal{D}_{\mathrm{adv}}=\pi,\ w=1)")
        st.latex(r"J_{\mathrm{aug}}=J_{\mathrm{std}}+\alpha_{\mathrm{aug}}\,\mathbb{E}_{L}\!\left[-\log\pi(R\mid "
                 r"C^{L})\right],\quad L=0\ \text{w.p.}\ \tfrac12,\ \text{else}\ L\sim U\{1..K\}")
        st.markdown(f"Qi et al. weight their augmentation examples by α = 0.2 against benign "
                    "utility data, with K = 100; here α_aug weighs the augmentation term against "
                    "λ·E[H] + β·ΣKLₜ, and its default 0.2 is this app's reading of theirs. "
                    f"K = min(K, T − 1) = {d['K']}, since the toy's responses are short. Cᴸ is a prefix of L harmful tokens; the "
                    "recovery token at position L + 1 stands for Qi's refusal text.")
        st.latex(r"J_{\mathrm{Bach}}=\tau_d^2\sum_{t,s}d_t(s)\,\mathrm{KL}\!\left(\mathrm{softmax}"
                 r"\tfrac{z_{\mathrm{teacher}}}{\tau_d}\,\middle\|\,\mathrm{softmax}\tfrac{z}{\tau_d}"
                 r"\right)+\sum_t\alpha_{c,t}\!\!\sum_{v\in B_t}\!\pi(v\mid C^{t-1})^2")
        st.latex(r"z_{\mathrm{teacher}}=\lambda_T\,z_{\mathrm{aligned}}+(1-\lambda_T)\,z_{\mathrm{base}},"
                 r"\qquad\alpha_{c,t}=\alpha_c\left(1+\omega\,\tfrac{t-1}{T-1}\right)")
        st.markdown(
            f"Bᵗ: the base-favored tokens after a harmful prefix (log π_base > log π_aligned), "
            f"at most top-K = {d['top_k']}. d_t(s): how often the base model reaches state s "
            "before position t. **Our reading**: the summary of Bach et al. (seed 004) names an "
            "L2 penalty on detected tokens scaled by positional risk and the hybrid teacher, not "
            "their equations; we penalise the squared probability of each base-favored token on "
            "harmful prefixes and let the risk grow linearly with the position.")


def finetune_attack():
    st.markdown(
        "Qi et al. defend an aligned model against **fine-tuning on harmful data** with a "
        "token-wise constrained loss. Here the attacker fine-tunes the standard-aligned toy model "
        "on the all-harmful response C…C, with plain cross-entropy or with the constraint:")
    st.latex(r"\mathcal{L}_{\beta}=\sum_t-\frac{2}{\beta_t}\log\sigma\!\left(\beta_t\log"
             r"\frac{\pi_\theta(x_t\mid x_{<t})}{\pi_{\mathrm{aligned}}(x_t\mid x_{<t})}\right)")
    st.caption("Small βₜ: plain fine-tuning at that position. Large βₜ: the loss stops pulling "
               "once π_θ(xₜ) exceeds π_aligned(xₜ) by about 1/βₜ nats. Qi: β₁ = 0.5, "
               "β₂…₅ = 2, 0.1 after.")
    _settings("Attack and schedule settings", ["ft_steps", "ft_lr"],
              ["qi_beta1", "qi_beta2_5", "qi_beta_late"])
    f = _run(data_methods.finetune, specs.FINETUNE, "Fine-tuning three ways…", "run the attack")
    if f is None:
        return
    runs, k, T = f["runs"], f["k"], f["T"]
    opened = [int(t) for t in f["t"][f["open"]]]
    start = runs["plain"]["harm"][0]
    rows = [[name, text(runs[key]["harm"][-1], 3), text(runs[key]["total_kl"][-1], 3)]
            for key, name in _FINETUNE_NAMES.items()]
    left, right = st.columns([3, 2], gap="large")
    show_figure("methods_finetune", v, left)
    right.markdown(_table(rows, ["attack loss", "E[H] after", "total KL (nats)"]))
    toy_controls.note_shortened(s, v["ft_steps"], f["ft_steps"])
    right.caption(f"After {f['ft_steps']} steps at learning rate {v['ft_lr']:g}; E[H] before the "
                  f"attack: {text(start, 3)}. The attack starts from the standard-aligned model "
                  f"trained on the first tab ({data_methods.train_steps(s, v['steps'])} steps). "
                  "Total KL is to the base model. Neither loss has a finite "
                  "minimum (both fall toward π(C) = 1): steps and learning rate are the "
                  "attacker's budget.")
    show_figure("methods_finetune_positions", v)
    st.markdown("#### What the toy shows at these settings")
    st.markdown("\n".join(f"- {item}" for item in claims.finetune_items(f, opened, k)))


_FINETUNE_NAMES = {"plain": "plain fine-tuning", "schedule": "constrained, your βₜ",
                   "uniform": "constrained, β₂…₅ at every t"}


def penalty_fit():
    st.markdown(
        "Which recovery penalty μγᵗ does recovery augmentation act like? The toy is trained with "
        "augmentation; then μ and γ of the paper's deep objective are fitted so that its exact "
        "optimum's recovery after L = 1 … T − 1 prefilled harmful tokens matches (least squares "
        "in log μ and γ, scipy).")
    _settings("Augmentation settings", ["alpha_aug", "K_aug"])
    g = _run(data_methods.penalty_fit, specs.FIT, "Training augmentation and fitting μ, γ…",
             "fit")
    if g is None:
        return
    show_figure("methods_penalty_fit", v)
    st.markdown(_table(
        [["recovery augmentation (Qi), trained", "—", "—", text(g["total_kl_augmented"], 4)],
         ["recovery penalty, fitted", f"{g['mu']:.4g}", f"{g['gamma']:.4g}",
          text(g["total_kl_fitted"], 4)]],
        ["policy", "μ", "γ", "total KL (nats)"]))
    if "mu" in g["at_bound"]:
        st.warning("The fit ended on the edge of μ's search range (μ/β in [10⁻⁴, 10⁴]): no "
                   "penalty μγᵗ in that range matches this augmentation well.", icon="⚠️")
    elif "gamma" in g["at_bound"]:
        st.info(f"The best γ is {g['gamma']:g}, the edge of the paper's range (0 ≤ γ ≤ 1): "
                "augmentation holds recovery up at least as well late as early, and a penalty "
                "that grew with depth (γ > 1) might match it better.", icon="ℹ️")
    st.markdown(claims.penalty_fit_item(g, v["alpha_aug"]))
    a, b = st.columns(2)
    mu, gamma = float(f"{g['mu']:.3g}"), round(g["gamma"], 2)
    widgets.use_value("mu", mu, a, label=f"Use μ = {mu:g}")
    widgets.use_value("gamma", gamma, b, label=f"Use γ = {gamma:g}")
    st.caption("The buttons set the sidebar's μ or γ (rounded), so the first tab and the "
               "closed-form pages show the fitted penalty.")


def base_favored():
    st.markdown(
        "Bach et al. look for **base-favored tokens**: at a position of a harmful response, the "
        "tokens the base model prefers to the aligned model (log π_base > log π_aligned). They "
        "read them as places where alignment is incomplete, penalise them, and distil from a "
        "hybrid teacher that extrapolates past the aligned model (λ_T > 1).")
    _settings("Teacher and detection settings", ["lam_teacher", "top_k"])
    d = _compare("Training…")
    if d is None:
        return
    if d["skipped"]:
        st.info(f"The hybrid teacher cannot be built on this model: {d['skipped']['completion']}",
                icon="ℹ️")
    show_figure("methods_base_favored", v)
    st.markdown(claims.base_favored_item(d))
    st.caption("The aligned model here is the standard-aligned toy model trained on the first tab, "
               "with per-position parameters. In a real model shared parameters also move late "
               "positions (the Shallow equilibrium page, Appendix A), and Bach et al. locate the "
               "incomplete learning at later positions; with per-position parameters the toy has "
               "nothing there to detect.")


layout.views("methods", {
    "Side by side": side_by_side,
    "Fine-tuning attack (Qi's βₜ)": finetune_attack,
    "Which μ, γ match augmentation": penalty_fit,
    "Base-favored tokens (Bach)": base_favored,
})
