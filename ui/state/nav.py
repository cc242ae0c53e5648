"""The page list: one place that app.py's router and the cross-page links both read.

Adding a page: create ``views/<n>_<name>.py`` whose first Streamlit call is
``layout.sidebar("<name>", [...])``, following any existing page for the pattern (read params with ``ui.page.widgets``, call ``theory`` through ``ui.data.closed``, build a figure with
``ui.figures``, show it with ``st.plotly_chart`` beside ``st.latex``), then add one ``PageInfo``
below. The URL path is its ``url_path``; parameters travel in the query string automatically.

The folder is ``views/``, not ``pages/``: Streamlit treats a ``pages/`` folder as its legacy
multipage mode and, until some run calls ``st.navigation``, serves a deep link's page file
without app.py (no URL sync) and makes AppTest run each page twice.
"""

from __future__ import annotations

from dataclasses import dataclass


class EndPage(Exception):
    """Raised by a page to end its run early (e.g. after a warning); app.py still draws the
    sidebar, so the user can fix the parameter. ``st.stop()`` would stop that too."""


@dataclass(frozen=True)
class PageInfo:
    path: str  # relative to app.py
    title: str
    icon: str
    url_path: str
    summary: str  # one line for the overview's links


PAGES = (
    PageInfo("views/1_overview.py", "Overview", ":material/home:", "overview",
             "The argument in five steps."),
    PageInfo("views/2_harm_horizon.py", "Harm horizon", ":material/timeline:", "harm_horizon",
             "Harm is decided early: the harm information I_t vanishes after the horizon k."),
    PageInfo("views/3_gradients.py", "Gradients", ":material/trending_down:", "gradients",
             "The alignment gradient at position t is zero beyond the horizon (Theorems 8, 10, 13)."),
    PageInfo("views/4_shallow_equilibrium.py", "Shallow equilibrium", ":material/balance:",
             "shallow_equilibrium",
             "Beyond the horizon the optimum is the base model (Theorem 10); KL_t tracks I_t (Theorem 14)."),
    PageInfo("views/5_deep_alignment.py", "Deep alignment", ":material/layers:", "deep_alignment",
             "A recovery penalty μγ^t shifts the log-odds of recovery at every depth (Theorem 20)."),
    PageInfo("views/6_robustness.py", "Robustness & attacks", ":material/shield:", "robustness",
             "How deep recovery reaches and how long a prefilling attack must be (Theorem 22, Corollary 23)."),
    PageInfo("views/7_evidence.py", "Evidence", ":material/science:", "evidence",
             "Published measurements of real models beside the theory, with honest fits."),
    PageInfo("views/8_methods.py", "Methods lab", ":material/labs:", "methods",
             "Published deepening methods trained on the exact toy model, beside the recovery penalty."),
    PageInfo("views/9_lessons.py", "Lessons", ":material/school:", "lessons",
             "Guided lessons: predict, then reveal. For lecturers: your own lesson file."),
    PageInfo("views/10_derivations.py", "Derivations", ":material/function:", "derivations",
             "Every closed form derived step by step with sympy, checked numerically."),
    PageInfo("views/11_glossary.py", "Glossary", ":material/menu_book:", "glossary",
             "Every symbol: its meaning, the paper's name for it, where it appears."),
)

BY_NAME = {p.path.split("/")[-1].split("_", 1)[1].removesuffix(".py"): p for p in PAGES}
