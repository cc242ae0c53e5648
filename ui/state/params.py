"""The one table of app parameters: it drives the widgets, the validation and the URL.

Modelled on tensorflow/playground ``src/state.ts``: every parameter has a name (its URL key), a
type, a default, a valid range and a scale. :func:`parse` turns a raw URL string into a valid
value and never raises: junk falls back to the default, an out-of-range number to the nearest
valid value, each time with a human-readable warning (shown by :mod:`ui.state.url`).

Adding a parameter
------------------
Append one ``Param(...)`` to ``_TABLE`` below; nothing else. It is then read from and written to
the URL on every page (``ui.state.url``), and ``ui.page.widgets.control("<name>")`` renders it (slider plus
number box, or a log-scale slider when ``scale="log"``). If it must respect another parameter
(like ``k <= T``), give it ``upper=Bound("T", ...)``: :func:`constrain` (so every link, pin and
lesson), the widget's range (:func:`widget_hi`) and the readers of t (:func:`position_in_depth`)
all follow that one declaration. Read values on a page with ``ui.state.url.values()["<name>"]`` or
``ui.page.widgets.control("<name>")``.

The URL's other keys are in the table too: the classroom's text keys (:data:`TEXT`) and
Streamlit's own (:data:`RESERVED`). ``ui.state.link.read`` reads a URL by this table, once per run.

Conventions (THEORY.md section 0): positions are 1-indexed; the recovery penalty at position t has
weight mu * gamma**t; KL is in nats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ui.text.echo import quote


@dataclass(frozen=True)
class Bound:
    """An upper bound a parameter takes from another one's value, declared once, on the bounded
    parameter: :func:`constrain` clamps to it (a link's value with a warning saying ``why``), and
    the parameter's widget ends there (:func:`widget_hi`)."""

    of: str  # the parameter whose value bounds this one
    why: str = ""  # a link warning's words for a value beyond the bound (one it clamps)
    rest: bool = False  # the bound is 1 − of: two probabilities of one position share it
    clamp: bool = True  # False: a value beyond the bound is kept (only the widget stops there)
    widget: bool = True  # False: the widget keeps the table's range (see the parameter's note)

    def __post_init__(self):
        assert self.why or not self.clamp, f"a clamp needs its warning's words ({self.of})"

    def limit(self, values: dict):
        return 1.0 - values[self.of] if self.rest else values[self.of]


@dataclass(frozen=True)
class Param:
    name: str  # URL key and session-state key
    kind: type  # float or int
    default: float
    lo: float
    hi: float
    scale: Literal["linear", "log"] = "linear"
    label: str = ""  # plain Unicode: screen readers read it aloud (no LaTeX)
    help: str = ""  # units and conventions
    step: float | None = None  # slider step for linear parameters
    group: Literal["closed", "toy", "methods", "view"] = "closed"
    # A log slider cannot reach 0 by itself: when lo = 0 its stops are 0, then log_min … hi.
    log_min: float = 0.0
    tex: str = ""  # the symbol in LaTeX, for exported captions (empty: the label in words)
    upper: Bound | None = None  # a bound taken from another parameter (k <= T)

    def __post_init__(self):
        assert self.kind in (float, int), self.name
        assert self.lo <= self.default <= self.hi, self.name
        assert self.scale == "linear" or self.lo > 0 or (self.lo == 0 and 0 < self.log_min < self.hi), \
            f"{self.name}: a log scale needs lo > 0, or lo = 0 and a positive log_min"


MAX_VIEWS = 5  # tabs on the busiest page

_TABLE = [
    # --- closed forms (Theorems 19-22, Corollary 23) ---
    # μ reaches 1e6 so that the "μ needed" the Robustness page answers for ordinary targets
    # (891 at the defaults) is a value μ can take, and β as far so that μ/β, all the deep optimum
    # depends on, spans the same range either way. The closed forms hold that far.
    Param("beta", float, 1.0, 0.01, 1e6, "log", "KL weight β",
          "Weight of the KL penalty to the base model: a pure number (the KL itself is in nats). "
          "Only the ratio μ/β moves the deep optimum.", tex=r"\beta"),
    Param("mu", float, 5.0, 0.0, 1e6, "log", "Recovery penalty μ",
          "Strength of the deep-alignment penalty μ ≥ 0; μ = 0 is standard (shallow) RLHF. "
          "Position t gets weight μγ^t.", log_min=0.01, tex=r"\mu"),
    Param("gamma", float, 0.9, 0.0, 1.0, "linear", "Discount γ",
          "Penalty weight at position t is μγ^t (t = 1, 2, … is 1-indexed). γ = 1: uniform depth.",
          step=0.01, tex=r"\gamma"),
    Param("p_base", float, 0.01, 0.0, 0.9, "log", "Base recovery p_base",
          "Probability π_base(R | x<t) that the base model emits a recovery token "
          "(refusal) after a harmful prefix. Also used as p_min, its lower bound beyond the horizon. "
          "0 is allowed: then no finite μ creates recovery (Remark 8).", log_min=1e-12, tex=r"p_\mathrm{base}"),
    Param("delta", float, 0.5, 0.01, 0.99, "linear", "Target recovery δ",
          "Recovery probability the deep model must keep (δ-recoverability, Theorem 22).",
          step=0.01, tex=r"\delta"),
    Param("T", int, 50, 1, 1000, "linear", "Depth T (positions)",
          "Number of positions shown / depth up to which recovery is required (1-indexed).", step=1, tex=r"T"),
    Param("k", int, 5, 0, 200, "linear", "Harm horizon k",
          "Positions after k cannot change the harm (Theorem 9). Must be ≤ T.", step=1, tex=r"k",
          upper=Bound("T", "exceeds the depth T")),
    # One position for the whole session: the readout under every position-indexed chart, the
    # mark on it and the formulas at one position read this t. Up to T_toy's maximum, so a toy
    # chart can be read at any position; a chart (or formula) whose positions stop earlier reads
    # its nearest one and leaves t as it is (``position_in_depth``), so raising T brings it back.
    # Its widget beside the closed forms ends at T, where they stop.
    Param("t", int, 10, 1, 2000, "linear", "Position t",
          "The position (1-indexed) read under every chart indexed by position and substituted "
          "into the formulas at one position; where a chart's positions end before t, its "
          "nearest position is read.",
          step=1, tex=r"t", upper=Bound("T", clamp=False)),
    # --- toy harm model (THEORY.md section 6), used by pages 2-4 and the attack simulator ---
    Param("T_toy", int, 12, 1, 2000, "linear", "Toy model: length T",
          "Response length of the toy model (positions 1…T).", step=1, group="toy", tex=r"T"),
    Param("k_toy", int, 4, 0, 2000, "linear", "Toy model: horizon k",
          "Only positions 1…k decide the harm. Must be ≤ toy T.", step=1, group="toy", tex=r"k",
          upper=Bound("T_toy", "exceeds the toy length T_toy")),
    Param("p_recover", float, 0.1, 1e-12, 1.0, "log", "Toy model: p_R (recover)",
          "Base probability of a recovery token R at each position. p_R + p_C ≤ 1.", group="toy", tex=r"p_R"),
    # Base probabilities of R and C share one position: keep p_R, shrink p_C. The slider keeps
    # 0…1 (1 − p_R is no stop of it, 0.999999999999 at the smallest p_R); a larger p_C is cut.
    Param("p_harm", float, 0.2, 0.0, 1.0, "linear", "Toy model: p_C (comply)",
          "Base probability of a harmful token C at each position. The rest, 1 − p_R − p_C, is N.",
          step=0.01, group="toy", tex=r"p_C",
          upper=Bound("p_recover", "makes p_R + p_C exceed 1", rest=True, widget=False)),
    Param("h_undecided", float, 0.0, 0.0, 1.0, "linear", "Toy model: harm if undecided h_u",
          "Harm H when positions 1…k are all neutral (N).", step=0.05, group="toy", tex=r"h_u"),
    Param("decay", float, 1.0, 0.01, 1.0, "linear", "Toy model: recovery decay",
          "After n emitted C tokens the base recovery probability is p_R·decayⁿ (1 = no decay).",
          step=0.01, group="toy", tex=r"\text{decay}"),
    Param("eta", float, 1.0, 0.001, 100.0, "log", "Harm weight η = λ/β",
          "Only the ratio of harm weight λ to KL weight β matters.", group="toy", tex=r"\eta"),
    Param("L", int, 8, 0, 2000, "linear", "Attack length L",
          "Number of harmful tokens forced (prefilled) before the model continues. Must be ≤ toy T.",
          step=1, group="toy", tex=r"L", upper=Bound("T_toy", "exceeds the toy length T_toy")),
    Param("steps", int, 200, 1, 5000, "linear", "Training steps",
          "Gradient-descent steps of the toy training run.", step=1, group="toy"),
    Param("lr", float, 0.5, 1e-4, 10.0, "log", "Learning rate",
          "Step size of the toy gradient-descent run, taken on J/β (KL weight 1) so that "
          "it means the same at every β.", group="toy"),
    Param("toy_model", int, 0, 0, 2, "linear", "Toy harm model",
          "0 = refuse-or-comply, 1 = threshold harm, 2 = gradual harm.", step=1,
          group="toy"),
    Param("m_toy", int, 2, 0, 2000, "linear", "Toy model: threshold m",
          "Threshold harm: H = 1 if at least m of the first k tokens are C. Must be ≤ toy T.",
          step=1, group="toy", tex=r"m", upper=Bound("T_toy", "exceeds the toy length T_toy")),
    Param("fade", float, 0.5, 0.0, 1.0, "linear", "Toy model: fade",
          "Gradual harm: a harmful token at position t adds fade^(t−1) to H.", step=0.01,
          group="toy", tex=r"\text{fade}"),
    Param("n_paths", int, 20, 1, 200, "linear", "Sampled paths",
          "Number of sampled responses drawn as martingale paths.", step=1, group="toy"),
    Param("seed", int, 0, 0, 2**31 - 1, "linear", "Random seed",
          "Seed of sampled paths, so a shared link shows the same samples.", step=1, group="toy"),
    # --- the Methods lab: published deepening methods on the toy model. Published
    # values are the defaults; counts larger than the toy allows (Qi's K = 100, Bach's top-100)
    # are used as min(value, what the toy has), which the page states, rather than clamped with
    # a warning on every page.
    Param("alpha_aug", float, 0.2, 0.0, 10.0, "linear", "Augmentation weight α_aug",
          "Weight of Qi et al.'s recovery augmentation term against λ·E[H] + β·ΣKL. Qi's α = 0.2 "
          "weighs augmentation data against benign utility data; the default 0.2 is this app's "
          "reading of it.", step=0.05, group="methods", tex=r"\alpha_\mathrm{aug}"),
    Param("K_aug", int, 100, 1, 2000, "linear", "Augmentation: longest prefix K",
          "Harmful prefixes of L = 0 tokens (probability ½) or L uniform on 1…K (Qi: K = 100); "
          "used as min(K, T − 1) on the toy.", step=1, group="methods", tex=r"K"),
    Param("ft_steps", int, 100, 1, 2000, "linear", "Fine-tuning attack: steps",
          "Gradient steps of the fine-tuning attack on harmful responses (the attacker's budget).",
          step=1, group="methods", tex=r"\text{attack steps}"),
    Param("ft_lr", float, 0.1, 1e-3, 10.0, "log", "Fine-tuning attack: learning rate",
          "Step size of the fine-tuning attack.", group="methods", tex=r"\text{attack lr}"),
    Param("qi_beta1", float, 0.5, 0.01, 100.0, "log", "Constrained fine-tuning: β₁",
          "Qi et al.'s token-wise constraint at position 1 (Qi: 0.5). Large β holds the token "
          "near the aligned model; small β is plain fine-tuning.", group="methods", tex=r"\beta_1"),
    Param("qi_beta2_5", float, 2.0, 0.01, 100.0, "log", "Constrained fine-tuning: β₂…β₅",
          "Constraint at positions 2 to 5 (Qi: 2).", group="methods", tex=r"\beta_{2..5}"),
    Param("qi_beta_late", float, 0.1, 0.01, 100.0, "log", "Constrained fine-tuning: β after 5",
          "Constraint at positions 6 onward (Qi: 0.1).", group="methods", tex=r"\beta_{>5}"),
    Param("lam_teacher", float, 1.2, 0.0, 3.0, "linear", "Hybrid teacher λ_T",
          "Bach et al.'s teacher logits λ_T·aligned + (1 − λ_T)·base (Bach: 1.2; λ_T > 1 "
          "extrapolates away from the base). Not the harm weight λ.", step=0.05, group="methods",
          tex=r"\lambda_T"),
    Param("tau_d", float, 2.0, 0.1, 20.0, "log", "Distillation temperature τ_d",
          "Temperature of the distillation to the hybrid teacher (Bach: 2).", group="methods",
          tex=r"\tau_d"),
    Param("c_alpha", float, 1.0, 0.0, 100.0, "log", "Completion penalty α_c",
          "Weight of the L2 penalty on base-favored tokens at position 1 (Bach's α_base; the "
          "paper's summary gives no value).", log_min=0.01, group="methods", tex=r"\alpha_c"),
    Param("c_rise", float, 1.0, 0.0, 10.0, "linear", "Completion penalty rise ω",
          "The penalty at position t is α_c·(1 + ω·(t − 1)/(T − 1)): it grows with the position.",
          step=0.1, group="methods", tex=r"\omega"),
    Param("top_k", int, 100, 1, 1000, "linear", "Base-favored tokens: top K",
          "At most K base-favored tokens per position (Bach: 100); the toy has 3 tokens.",
          step=1, group="methods", tex=r"K_\mathrm{top}"),
    # --- what is on screen: the open tab of the page (ui.page.layout.views), so a link shows it ---
    Param("view", int, 0, 0, MAX_VIEWS - 1, "linear", "Open tab",
          "Which tab of the page is open (0 = the first). Reset to 0 on a page switch.", step=1,
          group="view"),
]

PARAMS: dict[str, Param] = {p.name: p for p in _TABLE}
assert len(PARAMS) == len(_TABLE), "duplicate parameter name"
_BOUNDED = [p for p in _TABLE if p.upper is not None]
for _p in _BOUNDED:
    _of = PARAMS[_p.upper.of]
    # One pass of constrain is enough only when no bound is itself bounded; a clamp never goes
    # below the parameter's own minimum when the bound's smallest value is above it.
    assert _of.upper is None, f"{_p.name}: its bound {_of.name} has a bound of its own"
    assert _p.lo <= (1.0 - _of.hi if _p.upper.rest else _of.lo), _p.name


@dataclass(frozen=True)
class Text:
    """A URL key that is no number of the theory: the classroom's (``ui.classroom``). A link is
    user text: at most :data:`TEXT_VALUES` values of at most :data:`TEXT_CHARS` characters each
    are read, so a hostile one costs little."""

    name: str
    kind: Literal["text", "flag", "pins"]  # how it reads: see ``ui.state.link.read``
    help: str


TEXT_VALUES, TEXT_CHARS = 10, 2000
FLAG_ON = {"1", "true", "yes", "on"}  # the words that turn a flag on (any case, spaces around)

_TEXT = [
    Text("lesson", "text", "The open lesson: its name, which ui.classroom looks up."),
    # Its bound is the lesson's length, which only the classroom knows (lessons.step_number).
    Text("step", "text", "The open step of the lesson, 1-indexed."),
    Text("present", "flag", "Presentation mode (large type, sidebar collapsed): on for "
                            "1, true, yes or on."),
    Text("pin", "pins", "One pinned parameter set per value (ui.state.pins)."),
]
TEXT: dict[str, Text] = {t.name: t for t in _TEXT}
RESERVED = ("embed", "embed_options")  # Streamlit's own URL keys: kept, never read
assert not set(PARAMS) & set(TEXT) and not (set(PARAMS) | set(TEXT)) & set(RESERVED)


def defaults() -> dict[str, float]:
    return {p.name: p.default for p in _TABLE}


def fmt(value) -> str:
    """Shortest text that reads back as the same number (``repr`` round-trips floats).

    ``+ 0.0`` turns -0.0 into 0.0: a value that rounds to zero from below shows as "0.0".
    """
    return str(value) if isinstance(value, int) else repr(float(value) + 0.0)


def parse(name: str, raw) -> tuple[float | int, str | None]:
    """Validate one raw value (a URL string, or a number). Returns ``(value, warning or None)``.

    Never raises for any ``raw``: junk gives the default, a number outside the range the nearest
    end of the range, a fractional int the nearest int. ``None`` (key absent) gives the default
    silently.
    """
    p = PARAMS[name]
    if raw is None:
        return p.default, None
    if isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, list | tuple):  # a repeated URL key: ?mu=1&mu=2
        raw = raw[-1] if raw else None
        if raw is None:
            return p.default, None
    try:
        x = float(str(raw).strip())
    except (TypeError, ValueError):
        x = math.nan
    shown = quote(f"{name}={raw}")  # user text: one line, short, a code span nothing breaks
    if math.isnan(x):
        return p.default, f"{shown} is not a number; using the default {fmt(p.default)}."
    value, why = x, None
    if x < p.lo:
        value, why = p.lo, f"is below the minimum {fmt(_cast(p, p.lo))}"
    elif x > p.hi:
        value, why = p.hi, f"is above the maximum {fmt(_cast(p, p.hi))}"
    value = _cast(p, value)
    if why is None and p.kind is int and value != x:
        why = "is not a whole number"
    if why is None:
        return value, None
    return value, f"{shown} {why}; using {fmt(value)}."


def _cast(p: Param, x: float):
    # + 0.0: ?gamma=-0 is a valid 0, and must not reach the page as "-0"
    return int(round(x)) if p.kind is int else float(x) + 0.0


def constrain(values: dict) -> tuple[dict, list[str]]:
    """Enforce the table's relations (``Param.upper``); returns a corrected copy and warnings."""
    v = dict(values)
    warnings = []
    for p in _BOUNDED:
        hi = p.upper.limit(v)
        if p.upper.clamp and v[p.name] > hi:
            warnings.append(f"`{p.name}={fmt(v[p.name])}` {p.upper.why}; using {fmt(hi)}.")
            v[p.name] = hi
    return v, warnings


def widget_hi(name: str, values: dict):
    """The top of parameter ``name``'s widget at ``values``: the table's maximum, or the other
    parameter's value where the table bounds ``name`` by it (k's slider ends at T)."""
    p = PARAMS[name]
    if p.upper is None or not p.upper.widget:
        return p.hi
    return min(p.hi, p.upper.limit(values))


def position_in_depth(values: dict) -> int:
    """The position t as the closed forms at one position read it (Theorem 20's Gibbs tab, the
    lessons' answers): positions there run 1..T, so a t beyond the depth T reads T. t itself may
    exceed T (a toy chart's position); the URL keeps it."""
    return min(values["t"], PARAMS["t"].upper.limit(values))


def flag(raw: list[str]) -> bool:
    """A flag's URL values (a :data:`TEXT` key of kind ``"flag"``): on when the last is on."""
    return bool(raw) and raw[-1].strip().lower() in FLAG_ON


def parse_all(raw: dict) -> tuple[dict, list[str]]:
    """Parse every parameter from a mapping of raw values (absent keys -> defaults)."""
    values, warnings = {}, []
    for name in PARAMS:
        values[name], w = parse(name, raw.get(name))
        if w:
            warnings.append(w)
    values, more = constrain(values)
    return values, warnings + more


# Named presets: partial overrides applied on top of the current values (so "Weak base recovery"
# followed by "Deep, uniform" combines both). Shown as links by ui.page.widgets.preset_links.
PRESETS: dict[str, dict[str, float]] = {
    "Standard RLHF (shallow)": {"mu": 0.0},
    "Deep, uniform γ = 1": {"mu": 5.0, "gamma": 1.0},
    "Deep, discounted γ = 0.9": {"mu": 5.0, "gamma": 0.9},
    "Weak base recovery p_base = 1e-6": {"p_base": 1e-6},
}
for _preset in PRESETS.values():
    assert all(parse(k, v) == (v, None) for k, v in _preset.items()), _preset
