"""A second floor for bench_latency.py: the explorer's page frame with one chart and no theory.

Multipage navigation, six preset links whose query strings follow the slider, six twin controls
(slider + number box) in the sidebar, a title, tabs, the chart with its caption and expander,
four formulas: what every page of the explorer has around its chart. Comparing a page with this
tells what the page itself costs beyond Streamlit rendering this layout.
"""

import plotly.graph_objects as go
import streamlit as st

st.set_page_config(layout="wide")


def body():
    x = st.sidebar.slider("x", 0, 100, 50, key="x")
    for i in range(6):
        st.sidebar.page_link(pages[0], label=f"preset {i}", query_params={"x": str(x), "i": str(i)})
    for i in range(6):
        left, right = st.sidebar.columns([5, 3])
        left.slider(f"parameter {i}", 0.0, 10.0, 5.0, key=f"s{i}")
        right.number_input(f"n{i}", 0.0, 10.0, 5.0, key=f"n{i}", label_visibility="collapsed")
    st.title("Page frame")
    st.markdown("A paragraph of *markdown* introducing the page. " * 4)
    with st.tabs(["first", "second", "third", "fourth", "fifth"])[0]:
        chart, text = st.columns([5, 4])
        fig = go.Figure(go.Scatter(x=list(range(40)), y=[(x + 1) * 0.97**t for t in range(40)],
                                   mode="lines+markers"))
        chart.plotly_chart(fig, key="chart")
        chart.caption("The chart's alt text, a sentence or two long. " * 4)
        chart.expander("Data table and downloads")
        for j in range(4):
            text.latex(rf"r^*_{{{j}}}=\sigma\left(\operatorname{{logit}}p+{x / 7:.4f}\right)")
        text.caption("Conventions: positions are 1-indexed; KL is in nats. " * 3)


pages = [st.Page(body, title="Frame", url_path="frame", default=True)]
pages += [st.Page(lambda: None, title=f"Page {i}", url_path=f"page{i}") for i in range(6)]
st.navigation(pages).run()
