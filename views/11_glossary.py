"""Glossary: every symbol the app shows, its meaning, the paper's name for it, where it appears."""

import streamlit as st

from ui.page import glossary, layout

layout.sidebar("glossary", [])  # presets only: keeps the URL and the shared state intact

layout.intro("Glossary", "One symbol, one meaning, on every page, with the name the paper "
                         "(R. Young, 2026) gives it and the result that introduces it.")
st.html(glossary.phone_css())
with st.container(key=glossary.TABLE_KEY):
    st.markdown(glossary.markdown_table())
layout.conventions()
