"""A simulated class: students that speak Streamlit's websocket protocol instead of driving a
browser (``protocol``), so one small machine can load a deployment with hundreds of them."""
