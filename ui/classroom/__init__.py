"""The classroom: lessons with predict-then-reveal questions (``lessons/`` holds their
text), pinned parameter sets overlaid on the closed-form figures, and presentation mode.

Their URL keys (``lesson``, ``step``, ``present``, ``pin``) are in the parameter table
(``ui.state.params.TEXT``): held in the session and the URL beside the parameters; a lesson's name
and step are validated here, against the lessons.
"""
