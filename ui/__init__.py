"""Streamlit-facing helpers: parameter table, URL state, figure builders."""
