"""The offline course pack: the explorer's lessons and live figures as one folder of static files.

It opens from a course site or a USB stick, from ``file://`` with the network off: no server, no
CDN. ``build.write`` makes it (``python -m ui export --course-pack DIR``, the Lessons page's
download button): ``index.html``; one page per lesson step with predict-then-reveal (the answers
computed by ``theory`` through ``ui.classroom.answers`` when the pack is made); every live figure
(Theorems 20 and 22, Corollary 23, redrawn in the page by the sympy-printed functions) with its
formulas at the current values; the glossary; the derivations with their .tex files. plotly.js,
the live runtime and MathJax are in ``lib/`` once, linked from every page.
"""

from .build import PackError, Report, write

__all__ = ["PackError", "Report", "write"]
