"""Evidence: published measurements of real models beside the theory, with honest fits.

One idea per tab: per-token KL with fitted profiles; prefilling attacks with the toy model
fitted; what the theory does not explain; your own curve. Fits from ``ui.data.evidence``, their
sentences and tables from ``ui.claims.evidence``, fixed prose from ``content/evidence.toml``."""

import streamlit as st

from ui.claims import evidence as claims
from ui.data import evidence as data_evidence
from ui.figures import evidence as figures
from ui.page import layout, prose
from ui.page.show import show_figure, show_plain_figure
from ui.text.markdown import bullets

v = layout.sidebar("evidence", [])
say = prose.of("evidence")

with layout.intro("Evidence: real models beside the theory", prose.markdown("evidence", "lead")):
    say("intro")
    st.info("A model with two or three parameters fitted to twenty points read from a figure "
            "**illustrates** the theory; it does not validate it. Each fit below shows its "
            "residuals and says when the data do not determine it.", icon=":material/info:")


def kl_tab():
    d = data_evidence.kl_profiles()
    show_figure("evidence_kl", v)
    st.markdown(f"**{claims.kl_headline(d['series'])}**")
    say("kl_models")
    st.markdown(claims.fit_table(d["series"]))
    amplitude = data_evidence.largest_amplitude(d["series"])
    st.markdown(claims.shallow_reading(amplitude, *data_evidence.leading_term_check(amplitude)))
    say("kl_errors", horizon=data_evidence.HORIZON_DEFINITION)
    with st.expander("What each fit says"):
        for note in claims.fit_notes(d["series"]):
            st.markdown(note)
    st.caption("Sources: " + data_evidence.kl_sources(d["series"]))


def attack_tab():
    with st.spinner("Fitting the toy model to the published curves (a few seconds, once)…"):
        d = data_evidence.attack_curves()
        data_evidence.augmentation_curves()
    show_figure("evidence_attacks", v)
    st.markdown(f"**{claims.attacks_headline(d['series'])}**")
    st.markdown(d["explanation"])
    st.markdown(d["table"])
    with st.expander("What each fit says"):
        st.markdown(d["messages"])
    say("augmentation")
    show_figure("evidence_augmentation", v, key="augmentation")
    a = data_evidence.augmentation_curves()
    st.markdown(f"**{claims.augmentation_headline(a)}**")
    st.markdown(a["table"])
    st.caption(a["message"])
    if not a["fit"].identified:
        say("ridge")
        show_figure("evidence_ridge", v, key="ridge")
        st.caption(a["ridge"].message)
    st.warning(data_evidence.CAVEAT, icon=":material/info:")
    st.caption("Sources: " + data_evidence.attack_sources())


def limits_tab():
    d = data_evidence.kl_profiles()
    aligned, deep = data_evidence.aligned(d["series"]), data_evidence.deepened(d["series"])
    for paragraph in (claims.spike(aligned), claims.rises(aligned), claims.floor(aligned),
                      claims.deepened(deep, deep["fits"][0]["fit"]), claims.MEASURED):
        st.markdown(paragraph)
    say("limits_sources")


def own_tab():
    say("own", max_rows=data_evidence.MAX_ROWS)
    left, right = st.columns(2)
    left.download_button("Example: per-position KL", data_evidence.EXAMPLE_KL,
                         file_name="own_kl_example.csv", mime="text/csv", on_click="ignore",
                         icon=":material/download:")
    right.download_button("Example: log-probabilities", data_evidence.EXAMPLE_LOGPROBS,
                          file_name="own_logprobs_example.csv", mime="text/csv", on_click="ignore",
                          icon=":material/download:")
    upload = st.file_uploader("Upload a CSV file", type=["csv", "txt"], key="own_curve_file",
                              max_upload_size=2)
    pasted = st.text_area("…or paste CSV text here", key="own_curve_text", height=140,
                          placeholder="t,kl,uncertainty\n1,3.2,0.1\n2,1.9,0.1\n…")
    if upload is not None:
        curve, problems = data_evidence.read_upload(upload.getvalue(), name=upload.name)
    elif pasted.strip():
        curve, problems = data_evidence.read_upload(pasted)
    else:
        st.caption("Nothing to fit yet: upload a file, paste text, or try an example.")
        return
    if curve is None:
        st.error("**This data cannot be used:**\n" + bullets(problems), icon=":material/error:")
        return
    d = data_evidence.own_profile(curve)
    show_plain_figure(figures.own_curve(d), "evidence_own", "Your per-token KL curve with the theory's fits",
                      "Your per-position KL with the shallow equilibrium's profile (Theorem 14 plus "
                      "an incidental floor κ) fitted: geometric and power-law decay, residuals in σ.")
    for note in curve.notes:
        st.caption(note)
    if d["assumed_sigma"]:
        say("own_unweighted")
    for p in d["problems"]:
        st.warning(p, icon="⚠️")
    st.markdown(claims.fit_table([{**d, "short": "your curve"}]))
    for e in d["fits"]:
        st.markdown(f"- **{e['label']} fit:** {e['fit'].message}")
    if curve.p_base is not None:
        st.markdown(claims.p_base_line(curve.t, curve.p_base))


layout.views("evidence", {
    "Per-token KL": kl_tab,
    "Prefilling attacks": attack_tab,
    "What the theory does not explain": limits_tab,
    "Your own curve": own_tab,
})
