"""Lesson files: parse and validate, never raise, one message per problem.

A lesson is a TOML file in ``lessons/`` (read with ``tomllib``, never executed)::

    title = "Making alignment deep"
    summary = "One paragraph for the Lessons page."
    formula = 'r^*_t=\\sigma(\\operatorname{logit}p+\\mu\\gamma^t/\\beta)'   # optional LaTeX
    order = 2                                                               # optional, for the list

    [[steps]]
    title = "A shift in log-odds"
    page = "deep_alignment"                 # a page of ui/state/nav.py (its url path)
    params = "mu=5&gamma=0.9&view=0"        # a URL query of ui/state/params.py names; the rest: defaults
    text = "What the student reads (Markdown)."
    why = "One paragraph shown after Reveal."

    [steps.question]                        # optional
    kind = "number"                         # or "choice"
    prompt = "Predict r* at t = k + 1."
    answer = "recovery_first"               # a quantity of ui/classroom/answers.py, or a number
    tolerance = 0.005                       # absolute; relative_tolerance = 0.01 also works

A choice question has ``choices = ["…", "…"]`` and either ``answer = "<the right choice's text>"``
(stated) or ``answer = "<quantity>"`` with ``values = [x1, x2, …]``, one number per choice: the
right choice is the one whose value is the computed quantity within the tolerance (``inf`` is a
TOML number). Computed answers are checked when the file is loaded, so a file whose computed
answer matches no choice (or two) is reported, not shown.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from ui.state import nav, params as P
from ui.text.echo import quote

from . import answers

FOLDER = Path(__file__).resolve().parents[2] / "lessons"
# One upload must not hold the server process a lecture hall shares. The shipped lessons have at
# most 6.3 kB, 57 keys, 4 dots on a line and brackets 2 deep: each limit leaves 4x room or more
# (tests/test_fuzz_uploads.py checks it).
MAX_BYTES = 32_000  # a lesson is a few kB of text; anything larger is a mistake or an attack
# tomllib takes time quadratic in the parts of one dotted key (a 62 kB `a.b.c… = 1` took 14-19 s),
# and a key fits on one line: counting the dots outside quotes on each line bounds it, cheaply.
MAX_LINE_DOTS = 40
MAX_NESTING = 8  # [ and { inside each other; tomllib recurses into them (1,000 deep: RecursionError)
MAX_KEYS = 1_000  # `=` outside quotes; twenty steps with every key are about 300
# Computed answers on the toy model cost about 0.15 ms per toy position each (up to 0.3 s at
# T_toy = 2,000) and are checked at upload: the sum of T_toy over the steps whose question is
# computed from the toy model is capped, so checking a file costs at most one such answer.
TOY_BUDGET = 2_000
MAX_STEPS = 20
MAX_TEXT = 4_000  # characters in one text field
MAX_CHOICES = 8
MAX_PROBLEMS = 30  # messages shown for one file (a broken file can produce hundreds)
KINDS = ("choice", "number")
PAGES = tuple(p.url_path for p in nav.PAGES if p.url_path != "lessons")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")

LESSON_KEYS = {"title", "summary", "formula", "order", "steps"}
STEP_KEYS = {"title", "page", "params", "text", "why", "question"}
QUESTION_KEYS = {"kind", "prompt", "choices", "answer", "values", "tolerance",
                 "relative_tolerance", "unit"}


@dataclass(frozen=True)
class Question:
    kind: str  # "choice" | "number"
    prompt: str
    quantity: str | None  # the answers.QUANTITIES name, when the app computes the answer
    stated: float | int | None  # the stated answer: a number, or the right choice's index
    choices: tuple[str, ...] = ()
    values: tuple[float, ...] = ()  # choice with a computed answer: one number per choice
    tolerance: float = 0.0
    relative_tolerance: float = 0.0
    unit: str = ""

    def answer(self, values: dict) -> float | int:
        """The right answer for the parameters ``values``: a number, or a choice's index.
        Raises ``ValueError`` when a computed answer is undefined or matches no single choice."""
        if self.quantity is None:
            return self.stated
        x = answers.compute(self.quantity, values)
        if self.kind == "number":
            return x
        hits = [i for i, c in enumerate(self.values)
                if answers.accepts(c, x, self.tolerance, self.relative_tolerance)]
        if len(hits) != 1:
            raise ValueError(f"the computed answer {x:.6g} matches {len(hits)} of the choices' "
                             f"values {list(self.values)} within the tolerance, not exactly one")
        return hits[0]

    def accepts(self, given, values: dict) -> bool:
        """Whether ``given`` (a typed number, or a choice's index) is right. Never raises."""
        try:
            right = self.answer(values)
        except (ValueError, KeyError):
            return False
        if self.kind == "choice":
            return given is not None and not isinstance(given, bool) and given == right
        return answers.accepts(given, right, self.tolerance, self.relative_tolerance)


@dataclass(frozen=True)
class Step:
    page: str  # a url path of ui.state.nav
    params: tuple[tuple[str, float | int], ...]  # the overrides, in the file's order
    text: str
    title: str = ""
    why: str = ""
    question: Question | None = None

    def values(self) -> dict:
        """Every parameter: the defaults with this step's overrides (so a step always shows the
        same thing, whatever the student moved before)."""
        values, _ = P.constrain({**P.defaults(), **dict(self.params)})
        return values

    @property
    def page_info(self) -> nav.PageInfo:
        return next(p for p in nav.PAGES if p.url_path == self.page)


@dataclass(frozen=True)
class Lesson:
    name: str  # the URL's ?lesson= value
    title: str
    steps: tuple[Step, ...]
    summary: str = ""
    formula: str = ""
    order: int = 100
    uploaded: bool = False


# --- the pre-check: cheap counts before tomllib ---------------------------------------------------

@dataclass(frozen=True)
class Shape:
    """What :func:`shape` counts outside quoted strings and comments."""

    keys: int  # `=` signs: one per key (inline tables' keys too)
    dots: int  # the most dots on one line: a dotted key has at most this many + 1 parts
    dots_line: int
    nesting: int  # the deepest nesting of [ and {
    nesting_line: int


def _string_end(source: str, i: int, quote: str) -> int:
    """The index just past the string whose text starts at ``i`` (``quote`` opened it), or the
    line's end for an unclosed one-line string (tomllib reports it; the count goes on)."""
    escapes, multi, n = quote[0] == '"', len(quote) == 3, len(source)
    while i < n:
        if escapes and source[i] == "\\":
            i += 2
        elif source.startswith(quote, i):
            return i + len(quote)
        elif source[i] == "\n" and not multi:
            return i
        else:
            i += 1
    return n


def shape(source: str) -> Shape:
    """Count keys, dots per line and bracket nesting in one pass over the TOML text (linear
    time, no parsing): the numbers that make tomllib slow or make it recurse."""
    keys = dots = dots_line = nesting = nesting_line = 0
    line, line_dots, depth = 1, 0, 0
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch in "\"'":
            quote = ch * 3 if source.startswith(ch * 3, i) else ch
            end = _string_end(source, i + len(quote), quote)
            if "\n" in source[i:end]:
                line, line_dots = line + source.count("\n", i, end), 0
            i = end
            continue
        if ch == "#":  # a comment runs to the end of the line
            end = source.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch == "\n":
            line, line_dots = line + 1, 0
        elif ch == ".":
            line_dots += 1
            if line_dots > dots:
                dots, dots_line = line_dots, line
        elif ch == "=":
            keys += 1
        elif ch in "[{":
            depth += 1
            if depth > nesting:
                nesting, nesting_line = depth, line
        elif ch in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return Shape(keys, dots, dots_line, nesting, nesting_line)


def _precheck(source: str, problems: _Problems) -> bool:
    """Refuse, before tomllib reads it, a file whose shape would make reading it slow."""
    before, s = len(problems), shape(source)
    if s.dots > MAX_LINE_DOTS:
        problems.add("", f"Line {s.dots_line} has {s.dots:,} dots outside quotes; at most "
                         f"{MAX_LINE_DOTS} are allowed on one line. Each dot of a dotted key such "
                         "as `a.b.c` opens a table, and a lesson needs one (`[steps.question]`); "
                         "the file is not read.")
    if s.nesting > MAX_NESTING:
        problems.add("", f"Brackets `[` and `{{` are nested {s.nesting:,} deep (line "
                         f"{s.nesting_line}); at most {MAX_NESTING} levels are allowed (a lesson "
                         "needs 2, as in `[[steps]]`); the file is not read.")
    if s.keys > MAX_KEYS:
        problems.add("", f"The file has {s.keys:,} keys (`=` signs outside quotes); at most "
                         f"{MAX_KEYS:,} are allowed (a lesson of {MAX_STEPS} steps needs about "
                         "300); the file is not read.")
    return len(problems) == before


# --- parsing -----------------------------------------------------------------------------------

class _Problems(list):
    """Messages about one file; ``where`` prefixes them ("Step 2, question: …")."""

    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}" if where else message)


def _text(table: dict, key: str, where: str, problems: _Problems, *, required: bool,
          limit: int = MAX_TEXT) -> str:
    value = table.get(key)
    if value is None:
        if required:
            problems.add(where, f"`{key}` is missing.")
        return ""
    if not isinstance(value, str):
        problems.add(where, f"`{key}` must be text in quotes, not {quote(value)}.")
        return ""
    if required and not value.strip():
        problems.add(where, f"`{key}` is empty.")
    if len(value) > limit:
        problems.add(where, f"`{key}` has {len(value)} characters; at most {limit} are allowed.")
        return value[:limit]
    return value.strip()


def _unknown_keys(table: dict, known: set, where: str, problems: _Problems) -> None:
    for key in table:
        if key not in known:
            problems.add(where, f"unknown key {quote(key)} (known: {', '.join(sorted(known))}).")


def _number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _params(raw, where: str, problems: _Problems) -> tuple[tuple[str, float | int], ...]:
    """A step's ``params``: a URL query of ``ui.state.params`` names, validated like a link's."""
    if raw is None:
        return ()
    if not isinstance(raw, str):
        problems.add(where, f"`params` must be a URL query in quotes such as \"mu=5&gamma=0.9\", "
                            f"not {quote(raw)}.")
        return ()
    if len(raw) > 2000:
        problems.add(where, "`params` is longer than 2000 characters.")
        return ()
    pairs = parse_qsl(raw.strip().lstrip("?"), keep_blank_values=True)
    out: dict[str, float | int] = {}
    for name, value in pairs:
        if name not in P.PARAMS:
            problems.add(where, f"{quote(name)} in `params` is not a parameter (known: "
                                f"{', '.join(P.PARAMS)}).")
            continue
        if name in out:
            problems.add(where, f"`{name}` appears twice in `params`.")
            continue
        out[name], warning = P.parse(name, value)
        if warning:
            problems.add(where, f"in `params`, {_no_fix(warning)}")
    _, warnings = P.constrain({**P.defaults(), **out})
    for warning in warnings:
        problems.add(where, f"in `params`, {_no_fix(warning)}")
    return tuple(out.items())


def _no_fix(warning: str) -> str:
    """A link's warning says how the app corrected the value; a lesson file is rejected instead."""
    return warning.rsplit("; using", 1)[0] + "."  # the last: the value quoted may hold one


def _tolerance(q: dict, key: str, where: str, problems: _Problems) -> float:
    x = q.get(key, 0.0)
    if not _number(x) or not math.isfinite(x) or x < 0:
        problems.add(where, f"`{key}` must be a number ≥ 0, not {quote(x)}.")
        return 0.0
    return float(x)


def _question(q, where: str, problems: _Problems) -> Question | None:
    if not isinstance(q, dict):
        problems.add(where, "`question` must be a table: a line `[steps.question]` followed by "
                            "its keys.")
        return None
    before = len(problems)
    _unknown_keys(q, QUESTION_KEYS, where, problems)
    kind = q.get("kind")
    if kind not in KINDS:
        problems.add(where, f"`kind` must be \"choice\" or \"number\", not {quote(kind)}.")
        return None
    prompt = _text(q, "prompt", where, problems, required=True)
    unit = _text(q, "unit", where, problems, required=False, limit=20)
    tol = _tolerance(q, "tolerance", where, problems)
    rel = _tolerance(q, "relative_tolerance", where, problems)
    answer = q.get("answer")
    quantity, stated, choices, values = None, None, (), ()
    if isinstance(answer, str) and (kind == "number" or "values" in q):
        quantity = answer
        if quantity not in answers.QUANTITIES:
            problems.add(where, f"the answer {quote(quantity)} is not a quantity the app "
                                f"computes (known: {', '.join(answers.QUANTITIES)}).")
    if kind == "number":
        if "choices" in q or "values" in q:
            problems.add(where, "a number question has no `choices` or `values`.")
        if quantity is None:
            if not _number(answer) or not math.isfinite(answer):
                problems.add(where, "`answer` must be a finite number, or the name of a quantity "
                                    f"in quotes, not {quote(answer)}.")
            else:
                stated = float(answer)
    else:
        raw = q.get("choices")
        if (not isinstance(raw, list) or not 2 <= len(raw) <= MAX_CHOICES
                or not all(isinstance(c, str) and c.strip() for c in raw)):
            problems.add(where, f"`choices` must be a list of 2 to {MAX_CHOICES} texts, such as "
                                "[\"rises\", \"falls\"].")
        elif len({c.strip() for c in raw}) != len(raw):
            problems.add(where, "two choices have the same text.")
        else:
            choices = tuple(c.strip()[:300] for c in raw)
        if "values" in q:
            raw_values = q["values"]
            if (not isinstance(raw_values, list) or not all(_number(x) for x in raw_values)
                    or any(math.isnan(x) for x in raw_values)):
                problems.add(where, "`values` must be a list of numbers, one per choice.")
            elif choices and len(raw_values) != len(choices):
                problems.add(where, f"`values` has {len(raw_values)} numbers for "
                                    f"{len(choices)} choices.")
            else:
                values = tuple(float(x) for x in raw_values)
            if not isinstance(answer, str):
                problems.add(where, "with `values`, `answer` must name a quantity in quotes.")
        elif not isinstance(answer, str) or answer.strip() not in choices:
            if choices:
                problems.add(where, f"`answer` {quote(answer)} is not one of the choices (copy "
                                    "the right choice's text exactly), and there are no `values` "
                                    "to compute it.")
        else:
            stated = choices.index(answer.strip())
    if len(problems) > before:
        return None
    return Question(kind, prompt, quantity, stated, choices, values, tol, rel, unit)


def _check_answer(question: Question, values: dict, where: str, problems: _Problems) -> None:
    """Compute the answer now, so a lesson that cannot be answered is reported at load time."""
    try:
        right = question.answer(values)
    except (ValueError, KeyError, ArithmeticError) as err:
        problems.add(where, f"the answer cannot be computed for this step's parameters: "
                            f"{quote(str(err), 200)}.")
        return
    if question.kind == "number":
        if not math.isfinite(right):
            problems.add(where, f"the answer is {right}: a student cannot type that; ask a "
                                "choice question instead.")
        elif (question.tolerance == 0 and question.relative_tolerance == 0
              and right != round(right)):
            problems.add(where, f"the answer {right:.6g} is not a whole number and the tolerance "
                                "is 0: no typed number would be accepted; give a `tolerance`.")


def _step(raw, n: int, problems: _Problems) -> Step | None:
    where = f"Step {n}"
    if not isinstance(raw, dict):
        problems.add(where, "each step must be a table starting with the line `[[steps]]`.")
        return None
    before = len(problems)
    _unknown_keys(raw, STEP_KEYS, where, problems)
    page = raw.get("page")
    if page not in PAGES:
        problems.add(where, f"`page` = {quote(page)} is not a page; use one of: "
                            f"{', '.join(PAGES)}.")
    params = _params(raw.get("params"), where, problems)
    text = _text(raw, "text", where, problems, required=True)
    title = _text(raw, "title", where, problems, required=False, limit=120)
    why = _text(raw, "why", where, problems, required=False)
    question = None
    if "question" in raw:
        question = _question(raw["question"], f"{where}, question", problems)
        if question is not None and not why:
            problems.add(where, "a step with a question needs a `why`: the paragraph shown "
                                "after Reveal.")
    if len(problems) > before:
        return None
    return Step(page, params, text, title, why, question)


def _check_answers(steps, problems: _Problems) -> None:
    """Compute every computed answer now, within the toy budget (see ``TOY_BUDGET``)."""
    toy_positions = 0
    for n, step in enumerate(steps, start=1):
        if step is None or step.question is None:
            continue
        where, q, values = f"Step {n}, question", step.question, step.values()
        if q.quantity is not None and answers.QUANTITIES[q.quantity].toy:
            toy_positions += values["T_toy"]
            if toy_positions > TOY_BUDGET:
                problems.add(where, f"`{q.quantity}` is computed from the toy model with T_toy = "
                                    f"{values['T_toy']:,}, which brings this file's toy-model "
                                    f"questions to {toy_positions:,} toy positions (the sum of "
                                    f"T_toy over them); at most {TOY_BUDGET:,} are allowed, so "
                                    "that checking an upload stays quick. Lower T_toy in "
                                    "`params`, ask fewer toy-model questions, or state the answer "
                                    "as a number.")
                return  # later toy answers are not computed: the file is refused anyway
        _check_answer(q, values, where, problems)


def parse(source: str | bytes, name: str, *, uploaded: bool = False) -> tuple[Lesson | None, list[str]]:
    """Validate one lesson file's text. Returns ``(lesson, [])`` or ``(None, [messages])``.

    Never raises, whatever ``source`` holds: each problem becomes one readable message
    (at most ``MAX_PROBLEMS``).
    """
    problems = _Problems()
    try:
        lesson = _parse(source, name, uploaded, problems)
    except Exception as err:  # noqa: BLE001 - a bug here must not reach the student as a traceback
        problems.add("", f"The file could not be read ({type(err).__name__}: {quote(str(err), 200)}).")
        lesson = None
    if problems:
        extra = len(problems) - MAX_PROBLEMS
        shown = list(problems[:MAX_PROBLEMS])
        if extra > 0:
            shown.append(f"… and {extra} more problems.")
        return None, shown
    return lesson, []


def _parse(source, name: str, uploaded: bool, problems: _Problems) -> Lesson | None:
    if isinstance(source, bytes):
        if len(source) > MAX_BYTES:
            problems.add("", f"The file has {len(source):,} bytes; a lesson file may have at most "
                             f"{MAX_BYTES:,} (the shipped ones have about 6,000).")
            return None
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.add("", "The file is not UTF-8 text (a lesson is a plain-text TOML file).")
            return None
    if len(source.encode("utf-8", "replace")) > MAX_BYTES:
        problems.add("", f"The file is longer than {MAX_BYTES:,} bytes, the limit for a lesson.")
        return None
    if not _precheck(source, problems):
        return None
    if not NAME.match(name):
        problems.add("", f"The lesson name {quote(name)} must be lower-case letters, digits, "
                         "- and _ (it goes into the link as ?lesson=…).")
    try:
        doc = tomllib.loads(source)
    except tomllib.TOMLDecodeError as err:
        problems.add("", f"This is not valid TOML: {quote(str(err), 200)}. (Text values need "
                         "quotes; long text goes between triple quotes \"\"\" … \"\"\".)")
        return None
    _unknown_keys(doc, LESSON_KEYS, "", problems)
    title = _text(doc, "title", "", problems, required=True, limit=120)
    summary = _text(doc, "summary", "", problems, required=False)
    formula = _text(doc, "formula", "", problems, required=False, limit=500)
    order = doc.get("order", 100)
    if not isinstance(order, int) or isinstance(order, bool):
        problems.add("", f"`order` must be a whole number, not {quote(order)}.")
        order = 100
    raw_steps = doc.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        problems.add("", "There are no steps: add at least one table starting with `[[steps]]`.")
        return None
    if len(raw_steps) > MAX_STEPS:
        problems.add("", f"There are {len(raw_steps)} steps; at most {MAX_STEPS} are allowed.")
        return None
    steps = tuple(_step(raw, n, problems) for n, raw in enumerate(raw_steps, start=1))
    _check_answers(steps, problems)
    if problems:
        return None
    return Lesson(name, title, steps, summary, formula, order, uploaded)


# --- the shipped lessons -------------------------------------------------------------------------

def shipped() -> tuple[dict[str, Lesson], dict[str, list[str]]]:
    """Every ``lessons/*.toml``: ``({name: lesson}, {file name: problems})``, in lesson order."""
    good, bad = {}, {}
    for path in sorted(FOLDER.glob("*.toml")):
        try:
            source = path.read_bytes()
        except OSError as err:
            bad[path.name] = [f"cannot be read: {err.strerror}"]
            continue
        lesson, problems = parse(source, path.stem)
        if lesson is None:
            bad[path.name] = problems
        else:
            good[lesson.name] = lesson
    order = sorted(good.values(), key=lambda lesson: (lesson.order, lesson.name))
    return {lesson.name: lesson for lesson in order}, bad


def upload_name(filename: str) -> str:
    """The session-only name of an uploaded file: ``upload-<stem>``, cleaned to fit the URL."""
    stem = Path(filename or "lesson").stem.lower()
    stem = re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-_")[:30] or "lesson"
    return f"upload-{stem}"


def step_number(raw: list[str], lesson: Lesson) -> tuple[int, str | None]:
    """The URL's ``step`` (1-indexed) as a valid step number, with a message when it was not."""
    if not raw:
        return 1, None
    text = raw[-1].strip()
    n_steps = len(lesson.steps)
    try:
        n = int(text)
    except ValueError:
        return 1, f"{quote('step=' + text)} is not a step number; showing step 1 of {n_steps}."
    if not 1 <= n <= n_steps:
        near = min(max(n, 1), n_steps)
        return near, (f"{quote(f'step={n}')} is outside this lesson's steps 1–{n_steps}; "
                      f"showing step {near}.")
    return n, None
