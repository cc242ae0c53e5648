"""The floor for bench_latency.py: one slider, one small plotly chart, nothing else.

Whatever Streamlit itself costs per key press is measured here, so the explorer's pages can be
reported as a ratio to it.
"""

import plotly.graph_objects as go
import streamlit as st

x = st.slider("x", 0, 100, 50)
st.plotly_chart(go.Figure(go.Scatter(x=[0, 1, 2], y=[0, x, 2 * x])), key="chart")
