"""What one request may cost: toy-model work is counted before it runs, and refused if too much.

One server answers a whole lecture hall, so a request with valid parameters must finish within
:data:`REQUEST_SECONDS` of server CPU, or be refused at once with a message naming the control to
lower and to what. Work is *counted*, not timed, so that a link is refused on every machine or on
none: each kind of toy computation costs about ``ns`` per logit cell (T·|S|·|V|,
:func:`theory.toy.presets.cells`), ``us_t`` per position (the loops along the response) and ``us``
per call (the Python and numpy overhead that dominates small models). The rates are measured on the CI machine kind; ``bench/bench_budget.py``
times the largest allowed requests and checks that the counts stay above what the work takes.

A page computes a header (the model's numbers above its tabs) and the open tab: the two shares
below split the request between them, and Streamlit and the figures take the rest. A training
run is shortened to the steps that fit (the page says so), and refused only when fewer than
:data:`MIN_STEPS` fit.
"""

from __future__ import annotations

from dataclasses import dataclass

REQUEST_SECONDS = 3.0
HEADER_SECONDS = 0.6  # one exact computation above the tabs (gradient norms, an optimum, ...)
TAB_SECONDS = 1.6  # what the open tab computes, all of it
MIN_STEPS = 10  # fewer gradient steps show nothing about training


@dataclass(frozen=True)
class Rate:
    ns: float  # per logit cell
    us_t: float  # per position
    us: float  # per call


# Measured (CPU time, 2-core CI machine; the three presets from the defaults to 1.5e6 cells and
# T = 2000) and rounded up by about half: the largest seen were 777 ns/cell and 160 us/position
# for a deep optimum, 45 us/position for an exact one, 390 ns/cell per targeted-completion step,
# 120 us per step of a tiny model.
RATES = {
    "exact": Rate(550, 70, 400),  # an exact optimum or the gradient norms
    "deep": Rate(1200, 240, 600),  # the exact deep optimum with its per-prefix form
    "step": Rate(350, 0, 180),  # one gradient step of an objective built on J_std
    "completion_step": Rate(600, 0, 300),  # one step of Bach's targeted completion
    "fit_eval": Rate(350, 0, 700),  # one exact deep optimum and its prefill recoveries (the fit)
    "scan": Rate(200, 20, 800),  # harm information, numerical horizon and sampled paths
    "martingale": Rate(30, 0, 0),  # per position: the O(T²) second-moment check of Corollary 7
}


class TooCostly(ValueError):
    """A request that would take longer than its share of :data:`REQUEST_SECONDS`."""


def seconds(cells: int, T: int, work: dict[str, float]) -> float:
    """Estimated server CPU seconds of ``work`` ({kind: count}) on a model of ``cells`` logits
    and ``T`` positions."""
    return sum(n * (RATES[kind].ns * 1e-9 * cells + RATES[kind].us_t * 1e-6 * T
                    + RATES[kind].us * 1e-6) for kind, n in work.items())


# Every estimate that passed, for the tests and the bench: what a page run would have cost.
_LEDGER: list[tuple[str, float]] = []


def ledger() -> list[tuple[str, float]]:
    return list(_LEDGER)


def reset_ledger() -> None:
    _LEDGER.clear()


def require(what: str, estimate: float, allowance: float, advice) -> None:
    """Refuse (:class:`TooCostly`) work estimated above ``allowance`` seconds.

    ``advice()`` (called only on refusal) says which controls to lower and to what.
    """
    if estimate > allowance:
        raise TooCostly(f"{what} would take about {estimate:.2g} s of server time, more than "
                        f"the {allowance:g} s it may use (one request may take "
                        f"{REQUEST_SECONDS:g} s in all, and one server answers everyone). "
                        f"{advice()}")
    _LEDGER.append((what, estimate))


def steps_that_fit(cells: int, T: int, steps: int, per_step: dict[str, float],
                   fixed: dict[str, float], allowance: float) -> int:
    """The most gradient steps, at most ``steps``, whose ``per_step`` work plus ``fixed`` fits."""
    left = allowance - seconds(cells, T, fixed)
    each = seconds(cells, T, per_step)
    return max(0, min(int(steps), int(left // each) if left > 0 else 0))
