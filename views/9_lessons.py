"""Lessons: the shipped lessons with a start link each, and a lecturer's own file.

A lesson runs on the other pages (``ui.classroom.lesson_panel``); this page only lists them,
validates an uploaded file (``ui.classroom.lessons``) and explains the format.
"""

import streamlit as st

from coursepack import download as course_pack
from ui.classroom import answers, lesson_panel, lessons, present
from ui.page import layout
from ui.state import nav, params as P
from ui.text.echo import quote

layout.defer_sidebar(layout.footer)  # no parameters here: presets would change nothing

with layout.intro("Lessons", "Guided tours through the paper, one idea per step."):
    st.markdown("Each step opens a page with its parameters set and says what to look at; a step "
                "with a question hides the page until you **predict** and press **Reveal**, then "
                "shows the answer the app computes from the theory, and why. The address bar "
                "holds the lesson and the step (`?lesson=…&step=…`): share it to send a student "
                "to exactly that step.")
    st.caption("For a lecture hall: **Present** opens the lesson in presentation mode "
               "(`?present=1`): the sidebar folded away, large type and thick lines, and ← / → or "
               "a clicker's PageUp / PageDown to move between steps. `?embed=true` shows one page "
               "without Streamlit's frame, for a course site.")
    st.markdown("**Offline course pack:** every lesson below, the live figures, the glossary and "
                "the derivations as one folder of static files, for a course site or a USB stick: "
                "it opens from `file://` with the network off. (`python -m ui export "
                "--course-pack DIR` writes the same.)")
    course_pack.button()


def lesson_card(lesson: lessons.Lesson) -> None:
    with st.container(border=True):
        text_col, link_col = st.columns([4, 1], vertical_alignment="top")
        with text_col:
            st.subheader(lesson.title, anchor=False)
            if lesson.summary:
                st.markdown(lesson.summary)
            if lesson.formula:
                st.latex(lesson.formula)
            asked = sum(s.question is not None for s in lesson.steps)
            titles = " → ".join(s.title or f"step {i}" for i, s in enumerate(lesson.steps, 1))
            st.caption(f"{len(lesson.steps)} steps, {asked} questions: {titles}")
            if lesson.uploaded:
                st.caption(f"Uploaded as `{lesson.name}`: this session only.")
        with link_col:
            query = lesson_panel.step_query(lesson, 1)
            first = lesson.steps[0].page_info.path
            st.page_link(first, label="Start", icon=":material/play_arrow:",
                         query_params={k: v for k, v in query.items() if k != "present"})
            st.page_link(first, label="Present", icon=":material/slideshow:",
                         query_params={**query, **present.toggle_query(True)})


good, bad = lesson_panel.shipped()
for lesson in good.values():
    lesson_card(lesson)
for filename, problems in bad.items():
    st.error(f"The lesson file {quote('lessons/' + filename, 80)} has problems and is not listed:\n"
             + "\n".join(f"- {p}" for p in problems))

st.subheader("Your own lesson", anchor=False)
st.markdown("Upload a lesson file (`.toml`, plain text; it is read, never executed). It is checked "
            "at once and every problem is listed. A good file becomes a lesson **in this browser "
            "session only**: its link does not work for anyone else. To share it, add the file to "
            "the app's `lessons/` folder.")
st.caption(f"Limits, so that one upload cannot hold the server the whole class shares: at most "
           f"{lessons.MAX_BYTES:,} bytes, {lessons.MAX_LINE_DOTS} dots outside quotes on one line, "
           f"brackets nested {lessons.MAX_NESTING} deep, {lessons.MAX_KEYS:,} keys, "
           f"{lessons.MAX_STEPS} steps, and {lessons.TOY_BUDGET:,} toy positions (the sum of "
           "`T_toy`) over the questions the app computes from the toy model.")
upload = st.file_uploader("Lesson file (.toml)", type=["toml"], key="_lesson_upload",
                          max_upload_size=1)
if upload is not None:
    name = lessons.upload_name(upload.name)
    lesson, problems = lessons.parse(upload.getvalue(), name, uploaded=True)
    if lesson is None:
        st.error(f"{quote(upload.name)} cannot be used as a lesson:\n"
                 + "\n".join(f"- {p}" for p in problems))
    else:
        lesson_panel.uploads()[name] = lesson
        st.success(f"**{lesson.title}**: {len(lesson.steps)} steps, checked. It is kept in this "
                   f"session as `{name}`; it is not in a shareable link.")
for lesson in lesson_panel.uploads().values():
    lesson_card(lesson)

with st.expander("The lesson file format"):
    example = (lessons.FOLDER / "deep.toml")
    st.markdown(
        "A title, then one `[[steps]]` table per step. A step names a **page** and its "
        "**params** as a URL query (every parameter not named takes its default), a **text** in "
        "Markdown, and optionally a **question** with a **why** shown after Reveal. A question is "
        "`kind = \"number\"` (an `answer` and a `tolerance`) or `kind = \"choice\"` (a list of "
        "`choices`). The answer is a number or choice you state, or the name of a quantity the "
        "app computes with the step's parameters, so the lesson cannot go stale; a computed "
        "choice question gives one number per choice in `values`.")
    st.markdown("**Pages:** " + ", ".join(f"`{p}`" for p in lessons.PAGES))
    st.markdown("**Parameters:** " + ", ".join(f"`{p}`" for p in P.PARAMS)
                + " (see the Glossary for their meaning)")
    st.markdown("**Quantities the app computes:**\n" + "\n".join(
        f"- `{q.name}`: {q.label}{f' ({q.unit})' if q.unit else ''}; {q.source}, page "
        f"{nav.BY_NAME[q.page].title}" for q in answers.QUANTITIES.values()))
    if example.exists():
        st.markdown("**An example**, `lessons/deep.toml` (copy it with the button at its top right):")
        # wrapped: a block that scrolls sideways is a scroll region a keyboard cannot reach
        st.code(example.read_text(encoding="utf-8"), language="toml", wrap_lines=True)
