"""Methods lab: published deepening methods trained on the exact toy model, beside the paper's
recovery penalty. Numbers from ``ui.data.methods`` (math in ``theory.toy.methods``), sentences
and tables from ``ui.claims.methods``, figures via the catalog, prose in content/methods.toml."""

import streamlit as st

from ui.catalog import methods as specs
from ui.claims import methods as claims
from ui.data import methods as data_methods, toy as data_toy
from ui.page import layout, prose, toy_controls, widgets
from ui.page.attempt import attempt
from ui.page.show import show_figure
from ui.text.latex import text
from ui.text.markdown import bullets

v = toy_controls.sidebar("methods", ["eta", "beta", "mu", "gamma", "steps", "lr"])
s = data_toy.spec(v)
say = prose.of("methods")

with layout.intro("Methods lab", prose.markdown("methods", "lead")):
    say("intro")
    toy_controls.describe(v)


def _run(fn, names, spinner: str, what: str = "train the methods"):
    return attempt(fn, s, failed=f"Cannot {what} on this model", spinner=spinner,
                   **{n: v[n] for n in names})


def side_by_side():
    widgets.settings("Method settings (published values are the defaults)",
                     ["alpha_aug", "K_aug", "lam_teacher", "tau_d"], ["c_alpha", "c_rise", "top_k"])
    if (d := _run(data_methods.compare, specs.COMPARE, "Training four methods…")) is None:
        return
    if note := claims.completion_skipped(d):
        st.info(note, icon="ℹ️")
    show_figure("methods_by_position", v)
    names = dict(data_methods.METHODS)
    if (zero := claims.zero_beyond(d["runs"], names, d["k"], d["T"])) is not None:
        st.caption(zero)
    st.markdown(claims.side_by_side_table(d, names))
    toy_controls.note_shortened(s, v["steps"], d["steps_run"])
    say("runs", steps=d["steps_run"], lr=v["lr"], eta=v["eta"], mu_beta=v["mu"] / v["beta"],
        alpha_beta=v["alpha_aug"] / v["beta"])
    st.markdown("#### What the toy shows at these settings")
    st.markdown(bullets(claims.findings(d, names)))
    left, right = st.columns(2, gap="large")
    left.markdown(f"**{claims.prefill_headline(d, names)}**")
    right.markdown(f"**{claims.training_headline(d, names)}**")
    show_figure("methods_prefill", v, left)
    show_figure("methods_training", v, right)
    with st.expander("The four objectives (what is trained)"):
        say("objectives", K=d["K"], top_k=d["top_k"])


def finetune_attack():
    say("finetune")
    widgets.settings("Attack and schedule settings", ["ft_steps", "ft_lr"],
                     ["qi_beta1", "qi_beta2_5", "qi_beta_late"])
    f = _run(data_methods.finetune, specs.FINETUNE, "Fine-tuning three ways…", "run the attack")
    if f is None:
        return
    left, right = st.columns([3, 2], gap="large")
    show_figure("methods_finetune", v, left)
    right.markdown(claims.finetune_table(f))
    toy_controls.note_shortened(s, v["ft_steps"], f["ft_steps"])
    say("finetune_budget", right, steps=f["ft_steps"], lr=v["ft_lr"],
        start=text(f["runs"]["plain"]["harm"][0], 3),
        aligned_steps=data_methods.train_steps(s, v["steps"]))
    show_figure("methods_finetune_positions", v)
    st.markdown("#### What the toy shows at these settings")
    st.markdown(bullets(claims.finetune_items(f, claims.opened(f), f["k"])))


def penalty_fit():
    say("penalty_fit")
    widgets.settings("Augmentation settings", ["alpha_aug", "K_aug"])
    g = _run(data_methods.penalty_fit, specs.FIT, "Training augmentation and fitting μ, γ…",
             "fit")
    if g is None:
        return
    show_figure("methods_penalty_fit", v)
    st.markdown(claims.penalty_fit_table(g))
    level, why = claims.penalty_fit_bound(g) or (None, None)
    if level == "warning":
        st.warning(why, icon="⚠️")
    elif level == "info":
        st.info(why, icon="ℹ️")
    st.markdown(claims.penalty_fit_item(g, v["alpha_aug"]))
    a, b = st.columns(2)
    mu, gamma = claims.fitted_values(g)
    widgets.use_value("mu", mu, a, label=f"Use μ = {mu:g}")
    widgets.use_value("gamma", gamma, b, label=f"Use γ = {gamma:g}")
    say("fit_buttons")


def base_favored():
    say("base_favored")
    widgets.settings("Teacher and detection settings", ["lam_teacher", "top_k"])
    if (d := _run(data_methods.compare, specs.COMPARE, "Training…")) is None:
        return
    if note := claims.teacher_skipped(d):
        st.info(note, icon="ℹ️")
    show_figure("methods_base_favored", v)
    st.markdown(claims.base_favored_item(d))
    say("base_favored_aligned")


layout.views("methods", {
    "Side by side": side_by_side,
    "Fine-tuning attack (Qi's βₜ)": finetune_attack,
    "Which μ, γ match augmentation": penalty_fit,
    "Base-favored tokens (Bach)": base_favored,
})
