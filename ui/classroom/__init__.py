"""The classroom: lessons with predict-then-reveal questions (``lessons/`` holds their
text), pinned parameter sets overlaid on the closed-form figures, and presentation mode.

Their URL keys (``lesson``, ``step``, ``present``, ``pin``) are ``ui.state.url.EXTRA_KEYS``: held in
the session and the URL beside the parameters, validated here.
"""
