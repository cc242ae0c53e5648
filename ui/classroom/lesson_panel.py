"""The lesson step above a page (``?lesson=<name>&step=<n>``).

``app.py`` calls :func:`show` after the URL is synced and before the page runs. When a lesson is
open and this page is its current step's page, a panel shows the step's text, its question
(predict, then "Reveal"), and previous / next links. Until Reveal the page below the panel is
hidden (CSS only: the page still runs, so its numbers are computed and tested as usual), so that
"predict before you look" means something.

Going to a step (the links, a pasted ``?lesson=…&step=…``) applies the step's parameters: the
defaults with the step's overrides, so a step always shows the same thing. The student may then
move any slider; the question's answer stays the one for the step's parameters.
"""

from __future__ import annotations

import streamlit as st

from ui.state import nav, params as P, url as state
from ui.text.echo import quote
from ui.text.latex import text

from . import answers, lessons, present

PANEL = "lesson_panel"  # the panel's container key: CSS and the e2e tests find it by it
UPLOADS = "_lesson_uploads"  # {name: Lesson} uploaded in this session (views/9_lessons.py)
_AT = "_lesson_at"  # (lesson, step, page) of the last run: tells an arrival from a rerun
_REVEALED = "_lesson_revealed"  # {(lesson, step)} revealed in this session
_NOTE = "_lesson_note"  # a message about the link, kept across the switch to the step's page
LESSONS_PAGE = nav.BY_NAME["lessons"].path


# --- finding a lesson ----------------------------------------------------------------------------

def _signature() -> tuple:
    out = []
    for path in sorted(lessons.FOLDER.glob("*.toml")):
        try:
            s = path.stat()
        except OSError:
            continue
        out.append((path.name, s.st_mtime_ns, s.st_size))
    return tuple(out)


@st.cache_resource(show_spinner=False, max_entries=4)
def _shipped(signature: tuple) -> tuple[dict, dict]:
    return lessons.shipped()  # lessons are frozen dataclasses: safe to share between sessions


def shipped() -> tuple[dict[str, lessons.Lesson], dict[str, list[str]]]:
    """The lessons in ``lessons/`` and the problems of those that failed, re-read when a file
    changes."""
    return _shipped(_signature())


def uploads() -> dict[str, lessons.Lesson]:
    return st.session_state.setdefault(UPLOADS, {})


def find(name: str) -> lessons.Lesson | None:
    return shipped()[0].get(name) or uploads().get(name)


# --- links -------------------------------------------------------------------------------------

def step_query(lesson: lessons.Lesson, n: int) -> dict:
    """The query of a link to step ``n``: its parameters, the lesson, and the classroom keys
    that should travel along (presentation mode, pins)."""
    query = state.url_for(lesson.steps[n - 1].values())
    query.update(lesson=lesson.name, step=str(n))
    for key in ("present", "pin"):
        if state.text(key):
            query[key] = state.text(key)
    return query


def step_link(lesson: lessons.Lesson, n: int, label: str, container=None, **kwargs) -> None:
    step = lesson.steps[n - 1]
    (container or st).page_link(step.page_info.path, label=label,
                                query_params=step_query(lesson, n), **kwargs)


def leave() -> None:
    state.set_text("lesson", None)
    state.set_text("step", None)


# --- arriving at a step ------------------------------------------------------------------------

def _arrive(lesson: lessons.Lesson, n: int, url_path: str) -> None:
    """Apply the step's parameters when the student arrives at it.

    A new step (or a fresh visit) sets every parameter; coming back to the step's page from
    another page sets only the open tab (``view``), which ``state.enter_page`` reset to the first.
    """
    now = (lesson.name, n, url_path)
    last = st.session_state.get(_AT)
    st.session_state[_AT] = now
    step = lesson.steps[n - 1]
    if url_path != step.page or last == now:
        return
    wanted = step.values()
    fresh = last is None or last[:2] != now[:2] or last[2] is None  # None: switched here by show
    names = list(P.PARAMS) if fresh else ["view"]
    for name in names:  # table order: T before k, p_R before p_C, so constrain keeps them
        if state.get(name) != wanted[name]:
            state.set_value(name, wanted[name])


# --- the panel ------------------------------------------------------------------------------------

def show(url_path: str) -> None:
    """Draw the current lesson step's panel when a lesson is open (app.py, before the page).

    A link to a step that opens on another page (``/?lesson=deep&step=2`` opens the Overview) goes
    on to the step's page with the step's parameters, as the lesson's own links do. Only on
    arriving at the step: a student who then opens another page sees a note with a link back.
    """
    url_path = url_path or nav.PAGES[0].url_path  # st.Page gives the default page the path ""
    raw = state.text("lesson")
    if not raw:
        st.session_state.pop(_AT, None)
        return
    name = raw[-1].strip()
    lesson = find(name)
    if lesson is None:
        _unknown(name)
        return
    n, message = lessons.step_number(state.text("step"), lesson)
    message = message or st.session_state.pop(_NOTE, "")  # said before a switch to the step's page
    if message:
        st.warning(message, icon="⚠️")
    if state.text("step") != [str(n)]:
        state.set_text("step", str(n))
    step = lesson.steps[n - 1]
    last = st.session_state.get(_AT)
    if last is None and state.whole_view_linked():
        # A view someone saw (a shared link, or a browser whose server went away): as it was,
        # on its page and with its values, not reset to the step's.
        st.session_state[_AT] = last = (lesson.name, n, url_path)
    if url_path != step.page and (last is None or last[:2] != (lesson.name, n)):
        st.session_state[_AT] = (lesson.name, n, None)  # switched once: no loop, a fresh arrival
        st.session_state[_NOTE] = message
        st.switch_page(step.page_info.path, query_params=step_query(lesson, n))
    _arrive(lesson, n, url_path)
    if url_path != step.page:
        _elsewhere(lesson, n)
        return
    _panel(lesson, n)


def _unknown(name: str) -> None:
    hint = (" Uploaded lessons live only in the browser session that uploaded them."
            if name.startswith("upload-") else "")
    st.warning(f"There is no lesson {quote(name)}.{hint} The lesson was closed; pick one on the "
               "Lessons page.", icon="⚠️")
    st.page_link(LESSONS_PAGE, label="All lessons", icon=nav.BY_NAME["lessons"].icon)
    leave()


def _elsewhere(lesson: lessons.Lesson, n: int) -> None:
    """A short note on another page: the lesson is still open, its step is elsewhere."""
    step = lesson.steps[n - 1]
    with st.container(border=True, key=f"{PANEL}_away"):
        left, mid, right = st.columns([5, 3, 2], vertical_alignment="center")
        left.markdown(f"You are in the lesson **{lesson.title}**, step {n} of "
                      f"{len(lesson.steps)}, on the page {step.page_info.title}.")
        step_link(lesson, n, "Back to the step", mid, icon=":material/undo:")
        right.button("Leave the lesson", key="_lesson_leave_away", on_click=leave)


def _panel(lesson: lessons.Lesson, n: int) -> None:
    step = lesson.steps[n - 1]
    revealed = (lesson.name, n) in st.session_state.get(_REVEALED, set())
    shown = step.question is None or revealed  # the page below the panel is visible
    projector = present.on()
    docked = projector and shown  # the card beside the page (present.dock)
    if docked:
        present.dock()
    with st.container(border=True, key=PANEL):
        where = f"Lesson · **{lesson.title}** · step {n} of {len(lesson.steps)}"
        if docked:
            where += f" · {step.page_info.title}"  # the page's own title is left out
        if lesson.uploaded:
            where += " · uploaded: this session only, not in a shareable link"
        st.caption(where)
        if projector:
            _navigation(lesson, n, short=docked)
        if step.title:
            st.subheader(step.title, anchor=False)
        if docked and step.question is not None:
            with st.expander("The step's text"):  # read before Reveal; the figure needs the room
                st.markdown(step.text)
        else:
            st.markdown(step.text)
        if step.question is not None:
            _question(lesson, n, revealed)
        if projector:
            _present_controls(docked)
        else:
            _navigation(lesson, n)
        # A new step opens at its top; on a projector the page shown by Reveal too.
        present.step_script("lesson", f"{lesson.name}/{n}" + (f"/{docked}" if projector else ""))
    if not shown:
        _hide_page()


def _hide_page() -> None:
    """Hide what follows the panel in the main area until Reveal (the page still runs)."""
    st.html(f"<style>.st-key-{PANEL} ~ *, *:has(> .st-key-{PANEL}) ~ * "
            "{ display: none !important; }</style>")


def _reveal(name: str, n: int) -> None:
    st.session_state[_REVEALED] = st.session_state.get(_REVEALED, set()) | {(name, n)}


def _hide_again(name: str, n: int) -> None:
    st.session_state[_REVEALED] = st.session_state.get(_REVEALED, set()) - {(name, n)}


def question_notes(q: lessons.Question, right: float) -> list[str]:
    """Under a revealed answer: where the app computed it, and what it accepts."""
    notes = []
    if q.quantity is not None:
        quantity = answers.QUANTITIES[q.quantity]
        notes.append(f"Computed by the app ({quantity.source}): {quantity.label}, with this "
                     "step's parameters.")
    if q.kind == "number" and (q.tolerance or q.relative_tolerance):
        tol = max(q.tolerance, q.relative_tolerance * abs(right))
        notes.append(f"Answers within ±{text(tol, 3)} are accepted.")
    return notes


def answer_text(question: lessons.Question, right) -> str:
    if question.kind == "choice":
        return f"“{question.choices[right]}”"
    unit = f" {question.unit}" if question.unit and question.unit != "%" else question.unit
    return f"{text(right, 4)}{unit}"


def _question(lesson: lessons.Lesson, n: int, revealed: bool) -> None:
    step = lesson.steps[n - 1]
    q = step.question
    key = f"_lesson_answer_{lesson.name}_{n}"
    st.markdown(f"**Predict:** {q.prompt}")
    if q.kind == "choice":
        given = st.radio("Your answer", list(range(len(q.choices))), index=None, key=key,
                         format_func=lambda i: q.choices[i], disabled=revealed,
                         label_visibility="collapsed")
    else:
        label = f"Your answer ({q.unit})" if q.unit else "Your answer"
        given = st.number_input(label, value=None, format="%g", key=key, disabled=revealed,
                                placeholder="Type a number")
    if not revealed:
        left, right = st.columns([2, 5], vertical_alignment="center")
        left.button("Check and reveal" if given is not None else "Reveal", key=f"{key}_reveal",
                    type="primary", on_click=_reveal, args=(lesson.name, n))
        right.caption("The page below stays hidden until you reveal: predict first.")
        return
    _result(lesson, n, given)
    st.button("Hide again", key=f"{key}_hide", on_click=_hide_again, args=(lesson.name, n),
              help="Hide the page again and answer anew (for the next student at the projector).")


def _result(lesson: lessons.Lesson, n: int, given) -> None:
    step = lesson.steps[n - 1]
    q, values = step.question, step.values()
    try:
        right = q.answer(values)
    except (ValueError, KeyError) as err:  # validated at load; a backstop only
        st.error(f"The app could not compute this answer: {quote(str(err), 200)}")
        return
    shown = answer_text(q, right)
    if given is None:
        st.info(f"The answer: {shown}.", icon=":material/lightbulb:")
    elif q.accepts(given, values):
        st.success(f"Correct: {shown}.", icon=":material/check_circle:")
    else:
        mine = answer_text(q, given) if q.kind == "choice" else text(given, 6)
        st.error(f"Not quite: the answer is {shown} (you said {mine}).", icon=":material/cancel:")
    st.markdown(f"**Why.** {step.why}")
    notes = question_notes(q, right)
    if notes:
        st.caption(" ".join(notes))
    moved = [P.PARAMS[k].label for k, v in state.values().items() if k != "view" and v != values[k]]
    if moved:
        st.caption(f"You have moved {', '.join(moved[:4])}{' …' if len(moved) > 4 else ''} since; "
                   "the answer is for this step's values.")
        step_link(lesson, n, "Back to this step's values", icon=":material/restart_alt:")


def _navigation(lesson: lessons.Lesson, n: int, short: bool = False) -> None:
    """Previous / next links, "Leave the lesson" below the text; on a projector the links come
    first (``short``: labels that fit the docked card, the step's name in the tooltip)."""
    count = len(lesson.steps)
    _link_style()
    if present.on():
        prev_col, next_col = st.columns([1, 1] if short else [1, 2], vertical_alignment="center")
    else:
        prev_col, next_col, leave_col = st.columns([2, 4, 2], vertical_alignment="center")
    if n > 1:
        with prev_col.container(key="lesson_prev"):
            step_link(lesson, n - 1, "Previous" if short else "Previous step",
                      icon=":material/arrow_back:", help=f"Step {n - 1}: {_name(lesson, n - 1)}")
    if n < count:
        with next_col.container(key="lesson_next"):
            label, tip = ("Next", f"Step {n + 1}: {_name(lesson, n + 1)}") if short else \
                (f"Next: {_name(lesson, n + 1)}", None)
            step_link(lesson, n + 1, label, icon=":material/arrow_forward:", help=tip)
    elif next_col.button("Finish" if short else "Finish: all lessons", key="_lesson_finish",
                         icon=":material/flag:", help="Close the lesson and open the Lessons page."):
        leave()
        st.switch_page(LESSONS_PAGE)
    if not present.on():
        leave_col.button("Leave the lesson", key="_lesson_leave", on_click=leave,
                         help="Close the lesson; the page and its parameters stay.")


def _present_controls(docked: bool) -> None:
    """The end of the card on a projector: the keys, leaving the lesson or presentation mode."""
    st.caption("Presentation mode: ← / → or PageUp / PageDown move between steps.")
    # The docked card is too narrow for the two buttons side by side (their labels were cut off).
    leave_at, exit_at = (st, st) if docked else st.columns(2, vertical_alignment="center")
    leave_at.button("Leave the lesson", key="_lesson_leave", on_click=leave,
                    help="Close the lesson; the page and its parameters stay.")
    exit_at.button("Exit presentation", key="_lesson_present_off",
                   on_click=state.set_text, args=("present", None))


def _link_style() -> None:
    """Previous / next look like buttons (a page link to the current page is otherwise drawn
    highlighted, the other one plain)."""
    st.html("<style>.st-key-lesson_prev a, .st-key-lesson_next a { border: 1px solid "
            "rgba(49, 51, 63, 0.2); border-radius: 0.5rem; padding: 0.35rem 0.75rem; "
            "background: transparent !important; }"
            ".st-key-lesson_prev a:hover, .st-key-lesson_next a:hover { border-color: "
            "currentColor; }"
            ".st-key-lesson_next a span, .st-key-lesson_prev a span { white-space: normal; }"
            "</style>")


def _name(lesson: lessons.Lesson, n: int) -> str:
    return lesson.steps[n - 1].title or f"step {n}"
