"""Serving the explorable to a class: nginx in front of several Streamlit processes (``hall``),
``python -m deploy`` to run it, and the container/cluster files beside them (Dockerfile,
compose.yaml, k8s/)."""
