"""The Methods lab's sentences, computed from the runs of ``ui.data.methods``.

Every verb, comparison and headline is chosen from the numbers with a stated tolerance: a change
below ``MOVED`` is "no change", a gap below ``REACHED`` may be called "reaches", a fit whose rms
exceeds ``MATCHED`` of the recovery scale does not "act like" anything.
"""

from __future__ import annotations

import numpy as np

from ui.text import markdown
from ui.text.latex import text

ZERO_KL = 1e-12  # nats: "zero" KL (float noise of an untouched position is ~1e-17)
MOVED = 1e-3  # a change of E[H] or of a probability smaller than this is no change
REACHED = 0.01  # a trained recovery within this of the exact optimum has reached it
MATCHED = 0.1  # a penalty fit "matches" when its rms is under this share of the recovery range


def zero_beyond(runs: dict, names: dict, k: int, T: int) -> str | None:
    """Which methods spend (numerically) no KL beyond the horizon, or None."""
    zero = [names[key] for key, r in runs.items() if k < T and np.max(r["kl"][k:]) <= ZERO_KL]
    if not zero:
        return None
    return (f"KLₜ beyond the horizon (t > {k}) is below {ZERO_KL:.0e} nats, zero to rounding, "
            f"for: {', '.join(zero)}; such values are not drawn on the log axis.")


def completion_item(runs: dict, k: int) -> str:
    """Bach's targeted completion beside standard alignment: where it acts, what E[H] does."""
    moved = float(np.abs(runs["completion"]["kl"][k:] - runs["standard"]["kl"][k:]).max())
    std_late = float(runs["standard"]["kl"][k:].sum())
    before, after = float(runs["standard"]["harm"][-1]), float(runs["completion"]["harm"][-1])
    if after < before - MOVED:
        verb = f"It sharpens what standard alignment already changed (E[H] {text(before, 3)} → {text(after, 3)})."
    elif after > before + MOVED:
        verb = (f"It raises E[H] ({text(before, 3)} → {text(after, 3)}): this teacher undoes part "
                "of what standard alignment changed.")
    else:
        verb = f"It leaves E[H] where standard alignment put it ({text(before, 3)})."
    recovery = completion_recovery(runs, k)
    if std_late <= ZERO_KL and moved <= 1e-9:
        return (f"**Bach's targeted completion does not reach beyond the horizon.** {recovery} "
                f"The standard-aligned model equals the base there (its KL beyond t = {k} is "
                f"{text(std_late, 3)}), so no token is base-favored and the hybrid teacher "
                "λ_T·aligned + (1 − λ_T)·base *is* the base: after training, KLₜ beyond the "
                f"horizon changed by at most {text(moved, 3)} nats. {verb}")
    return (f"**Bach's targeted completion** beyond the horizon: {recovery} It changes KLₜ there "
            f"by up to {text(moved, 3)} nats (the standard-aligned model's KL there: "
            f"{text(std_late, 3)}). {verb}")


def completion_recovery(runs: dict, k: int) -> str:
    """What Bach's targeted completion does to recovery beyond the horizon, against standard
    alignment: the largest change of on-policy recovery at one position t > k, with both values."""
    std = np.asarray(runs["standard"]["recovery"][k:], dtype=float)
    bach = np.asarray(runs["completion"]["recovery"][k:], dtype=float)
    change = bach - std
    i = int(np.argmax(np.abs(change)))
    t, largest = k + 1 + i, float(change[i])
    if abs(largest) <= MOVED:
        return (f"Recovery beyond the horizon is unchanged: on-policy (averaged over the prefixes "
                f"the model writes) it is that of standard alignment to within {MOVED:g} at every "
                f"t > {k} (at most {text(abs(largest), 2)} apart).")
    verb = "raises" if largest > 0 else "lowers"
    return (f"It {verb} on-policy recovery (averaged over the prefixes the model writes) most at "
            f"t = {t}: {text(std[i], 3)} standard → {text(bach[i], 3)}.")


def penalty_item(d: dict) -> str:
    """The trained recovery penalty against its exact optimum: on-policy, and on the harmful
    path an attack forces, where gradient descent is slow (the model rarely writes it)."""
    k, T, steps = d["k"], d["T"], d["steps_run"]
    run, exact = d["runs"]["deep"], d["deep_exact"]
    on_policy = float(np.abs(run["recovery"][k:] - exact["recovery"][k:]).max())
    gap = np.abs(exact["path_trained"][k:] - exact["path_exact"][k:])
    i = int(np.argmax(gap))
    t = k + 1 + i
    worst = float(gap[i])
    L = min(k, T - 1)
    if max(on_policy, worst) <= REACHED:
        return (f"**The recovery penalty reaches its exact optimum** (Theorem 20 beyond the horizon): "
                f"after {steps} steps the trained recovery is within {REACHED:g} of it, on-policy "
                f"(within {text(on_policy, 2)}) and on the harmful path an attack forces (within "
                f"{text(worst, 2)}).")
    return (f"**The recovery penalty has not reached its exact optimum after {steps} steps.** "
            f"On-policy, averaged over the prefixes the model itself writes, its recovery beyond "
            f"the horizon is within {text(on_policy, 2)} of the optimum's. On the harmful path an "
            f"attack forces it is not: at t = {t}, after {t - 1} harmful tokens, it recovers with "
            f"probability {text(exact['path_trained'][t - 1], 3)} against the optimum's "
            f"{text(exact['path_exact'][t - 1], 3)}, and after L = {L} prefilled tokens it recovers "
            f"before the end {text(run['prefill'][L], 3)} against {text(exact['prefill'][L], 3)}. "
            f"Gradient descent is slow there because the model itself writes that path with "
            f"probability {text(exact['path_reach'][t - 1], 2)}: the gradient of an on-policy "
            "objective is an expectation over the model's own prefixes (Theorem 8), so states it "
            "rarely reaches get little of it. More steps close the gap.")


def augmentation_item(d: dict) -> str:
    """Recovery augmentation against standard alignment after L prefilled tokens."""
    k, T, runs = d["k"], d["T"], d["runs"]
    L = min(k, T - 1)
    before, after = runs["standard"]["prefill"][L], runs["augmentation"]["prefill"][L]
    verb = "raises" if after > before + MOVED else ("lowers" if after < before - MOVED else "does not change")
    return (f"**Recovery augmentation** {verb} recovery after L = {L} harmful tokens "
            f"({text(before, 3)} standard → {text(after, 3)}) and spends "
            f"{text(runs['augmentation']['kl'][k:].sum(), 3)} nats beyond the horizon. Its extra "
            "term changes the model only at the first position and in the states harmful tokens "
            "lead to. Which penalty μγᵗ it matches: the third tab.")


def _late_kl(kl, k: int, T: int) -> str:
    return text(kl[k:].sum(), 4) if k < T else "—"


def side_by_side_table(d: dict, names: dict) -> str:
    """Each trained method, the recovery penalty's exact optimum and the base model: E[H], the
    total KL, the KL beyond the horizon ("—" when no position lies beyond it) and the recovery
    after L = min(k, T − 1) prefilled harmful tokens."""
    k, T = d["k"], d["T"]
    L = min(k, T - 1)
    rows = [[names[key], text(r["harm"][-1], 4), text(r["total_kl"][-1], 4), _late_kl(r["kl"], k, T),
             text(r["prefill"][L], 4)] for key, r in d["runs"].items()]
    exact = d["deep_exact"]
    rows.insert(2, ["recovery penalty, exact optimum", text(exact["harm"], 4),
                    text(exact["kl"].sum(), 4), _late_kl(exact["kl"], k, T), text(exact["prefill"][L], 4)])
    rows.append(["base model", "", "0", "0", text(d["prefill_base"][L], 4)])
    return markdown.table(["method", "E[H]", "total KL (nats)", f"KL beyond k = {k} (nats)",
                           f"recovery after L = {L} harmful tokens"], rows)


def completion_skipped(d: dict) -> str | None:
    """Why Bach's targeted completion did not run, if it did not."""
    if not d["skipped"]:
        return None
    return (f"Bach's targeted completion cannot run on this model: {d['skipped']['completion']}"
            " (p_C = 0 or p_R + p_C = 1 leaves a token the base model never emits).")


def teacher_skipped(d: dict) -> str | None:
    """Why Bach's hybrid teacher could not be built, if it could not."""
    if not d["skipped"]:
        return None
    return f"The hybrid teacher cannot be built on this model: {d['skipped']['completion']}"


def findings(d: dict, names: dict) -> list[str]:
    """The first tab's findings, in order."""
    k, T, runs = d["k"], d["T"], d["runs"]
    if k >= T:
        return [f"The harm horizon is the whole response here (k = T = {T}): no position lies "
                "beyond it, so what deepens alignment cannot be seen. Pick a model with k < T."]
    items = []
    if "completion" in runs:
        items.append(completion_item(runs, k))
    items.append(penalty_item(d))
    if d["r_star"] is None:
        items.append("Theorem 20's r* is not drawn: with recovery decay < 1 the base recovery "
                     "differs between states, so no single p_base applies.")
    items.append(augmentation_item(d))
    return items


# --- fine-tuning attack ----------------------------------------------------------------------

def _sub(t: int) -> str:
    return str(t).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _moves(before: float, after: float) -> str:
    if after > before + MOVED:
        return f"raises E[H] to {text(after, 3)}"
    if after < before - MOVED:
        return f"lowers E[H] to {text(after, 3)}"
    return f"leaves E[H] at {text(after, 3)}"


def schedule_verdict(f: dict, opened: list[int]) -> str:
    """How the schedule's β on the harm-deciding positions explains its result."""
    if not opened:
        return ""
    runs = f["runs"]
    start = float(runs["plain"]["harm"][0])
    if abs(float(runs["plain"]["harm"][-1]) - start) <= MOVED:
        return (" Even plain fine-tuning moved E[H] by less than "
                f"{MOVED:g} with this budget, so the schedules cannot be told apart here: give the "
                "attack more steps or a larger learning rate.")
    weakest = min(opened, key=lambda t: f["betas"][t - 1])
    beta = f["betas"][weakest - 1]
    gap = float(runs["schedule"]["harm"][-1] - runs["uniform"]["harm"][-1])
    if gap > MOVED:
        why = (f"its weakest β on a harm-deciding position is β{_sub(weakest)} = {beta:g} < "
               f"{f['uniform']:g}: the attack gets through there" if beta < f["uniform"] else
               "the attack gets through")
        return f" Your schedule protects less than the uniform constraint: {why}."
    if gap < -MOVED:
        return " Your schedule protects more than the uniform one on the harm-deciding positions."
    return (f" Your schedule and the uniform one end at the same E[H] (within {MOVED:g}) with "
            "this attack.")


FINETUNE_NAMES = {"plain": "plain fine-tuning", "schedule": "constrained, your βₜ",
                  "uniform": "constrained, β₂…₅ at every t"}


def opened(f: dict) -> list[int]:
    """The positions t at which, after a harmful prefix, the next token still changes the harm."""
    return [int(t) for t in f["t"][f["open"]]]


def finetune_table(f: dict) -> str:
    """E[H] and the total KL to the base model after each attack."""
    runs = f["runs"]
    return markdown.table(["attack loss", "E[H] after", "total KL (nats)"],
                          [[name, text(runs[key]["harm"][-1], 3), text(runs[key]["total_kl"][-1], 3)]
                           for key, name in FINETUNE_NAMES.items()])


def finetune_items(f: dict, opened: list[int], k: int) -> list[str]:
    runs = f["runs"]
    start = float(runs["plain"]["harm"][0])
    where = ", ".join(str(t) for t in opened)
    betas = ", ".join(f"β{_sub(t)} = {f['betas'][t - 1]:g}" for t in opened[:6])
    first = (f"**Where a harmful response still decides the harm.** After a harmful prefix the "
             f"next token still changes the expected harm only at position(s) {where} (inside the "
             f"harm horizon k = {k}, Theorem 9). An attack raises the harm only through those "
             f"positions; the constraint protects only where its βₜ is large there. Your schedule "
             f"has {betas} there." if opened else
             "**No position of a harmful response decides the harm** in this model: after a "
             "harmful prefix no token changes the expected harm.")
    second = (f"**Plain fine-tuning** {_moves(start, runs['plain']['harm'][-1])}; **your schedule** "
              f"{_moves(start, runs['schedule']['harm'][-1])}; **β = {f['uniform']:g} at every "
              f"position** {_moves(start, runs['uniform']['harm'][-1])} (from {text(start, 3)})."
              + schedule_verdict(f, opened))
    third = ("Beyond the horizon the constraint changes no harm: what it holds there is the "
             "aligned model's behaviour, which standard alignment left equal to the base.")
    return [first, second, third]


# --- which penalty matches augmentation -----------------------------------------------------

def penalty_fit_item(g: dict, alpha_aug: float) -> str:
    """What the fitted penalty says, only as strongly as its rms allows."""
    scale = float(np.ptp(np.concatenate([g["augmented"][1:-1], g["fitted"][1:-1]]))) if g["T"] > 2 else 0.0
    method = f"recovery augmentation (α_aug = {alpha_aug:g}, K = {g['K']})"
    head = "**What the toy shows:** "
    if g.get("unmoved"):
        return (head + f"for {method} the fit never left its starting point (μ, γ) = "
                f"({g['mu']:.3g}, {g['gamma']:.3g}): the recoveries it fits span only "
                f"{text(scale, 2)}, too little for the least squares to move, so no μ, γ is "
                "singled out.")
    if scale > 0 and g["rms"] > MATCHED * scale or scale == 0 and g["rms"] > MOVED:
        return (head + f"no recovery penalty μγᵗ matches {method}: the best fit (μ ≈ {g['mu']:.3g}, "
                f"γ ≈ {g['gamma']:.3g}) misses its recoveries after L = 1 … {g['T'] - 1} harmful "
                f"tokens by {text(g['rms'], 2)} (root mean square), more than {MATCHED:g} of their "
                f"range {text(scale, 2)}.")
    cheaper = g["total_kl_fitted"] < g["total_kl_augmented"]
    text_ = (head + f"{method} acts like a recovery penalty with μ ≈ {g['mu']:.3g}, γ ≈ {g['gamma']:.3g}: "
             f"their recoveries after L = 1 … {g['T'] - 1} harmful tokens differ by "
             f"{text(g['rms'], 2)} (root mean square). ")
    if cheaper:
        return text_ + "The penalty reaches that recovery with **less** total KL than augmentation."
    more_first = g["kl_augmented"][0] > g["kl_fitted"][0]
    return (text_ + "Augmentation reaches that recovery with **less** total KL than the penalty: "
            "beyond the first position its extra term changes the model only in the states "
            "harmful tokens lead to, while the penalty changes it in every state the model reaches"
            + (" (the KL panel: augmentation spends more at t = 1 and less later)." if more_first else "."))


def penalty_fit_table(g: dict) -> str:
    """Augmentation as trained beside the fitted penalty: μ, γ and the total KL of each."""
    return markdown.table(["policy", "μ", "γ", "total KL (nats)"], [
        ["recovery augmentation (Qi), trained", "—", "—", text(g["total_kl_augmented"], 4)],
        ["recovery penalty, fitted", f"{g['mu']:.4g}", f"{g['gamma']:.4g}", text(g["total_kl_fitted"], 4)]])


def penalty_fit_bound(g: dict) -> tuple[str, str] | None:
    """("warning" or "info", why) when the fit ended on an edge of its search range, else None."""
    if "mu" in g["at_bound"]:
        return ("warning", "The fit ended on the edge of μ's search range (μ/β in [10⁻⁴, 10⁴]): no "
                "penalty μγᵗ in that range matches this augmentation well.")
    if "gamma" in g["at_bound"]:
        return ("info", f"The best γ is {g['gamma']:g}, the edge of the paper's range (0 ≤ γ ≤ 1): "
                "augmentation holds recovery up at least as well late as early, and a penalty "
                "that grew with depth (γ > 1) might match it better.")
    return None


def fitted_values(g: dict) -> tuple[float, float]:
    """The fitted μ and γ as the buttons set them: μ to 3 significant digits, γ to 2 decimals."""
    return float(f"{g['mu']:.3g}"), round(g["gamma"], 2)


def base_favored_item(d: dict) -> str:
    """Which tokens Bach's detection flags on a harmful response, and why none lie beyond k."""
    k = d["k"]
    flagged = [(int(t) + 1, d["tokens"][i]) for t, i in np.argwhere(d["favored"])]
    listed = ", ".join(f"t = {t}: {tok}" for t, tok in flagged[:12]) or "none"
    late = [t for t, _ in flagged if t > k]
    if late:
        return (f"**Base-favored tokens on a harmful response:** {listed}. {len(late)} of them lie "
                f"beyond the horizon k = {k}.")
    return (f"**Base-favored tokens on a harmful response:** {listed}. None beyond the horizon "
            f"k = {k}: there the standard-aligned model is the base model (Theorem 10: no "
            "gradient reaches it, so training never moves it), so log π_base − log π_aligned = 0 "
            "for every token and the hybrid teacher equals the base (right panel). Detection "
            "finds the incomplete learning only where alignment already acted.")


# --- Headlines of the side-by-side figures ---------------------------------------------------

def _best(values: dict, names: dict, *, high: bool) -> list[str]:
    """The methods whose value is the best (highest or lowest), ties within ``MOVED`` all named."""
    top = max(values.values()) if high else min(values.values())
    return [names[key] for key, x in values.items() if abs(x - top) <= MOVED]


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def prefill_headline(d: dict, names: dict) -> str:
    """The prefill figure in one sentence: which method recovers most often after the longest
    harmful prefix that leaves a position to recover (L = T − 1), with standard alignment and the
    base beside it."""
    L = int(d["T"]) - 1
    at = {key: float(r["prefill"][L]) for key, r in d["runs"].items()}
    best = _best(at, names, high=True)
    after = "Without a prefill" if L == 0 else f"After the longest prefill that leaves a position, L = {L} harmful tokens"
    if len(best) == len(at):
        return (f"{after}, every method recovers about as often: {text(max(at.values()), 3)} "
                f"(within {MOVED:g}; base model {text(d['prefill_base'][L], 3)}).")
    head = (f"{after}, {_and(best)} {'recovers' if len(best) == 1 else 'recover'} most often "
            f"({text(max(at.values()), 3)})")
    if names["standard"] not in best:
        head += f"; standard alignment {text(at['standard'], 3)}"
    return head + f", the base model {text(d['prefill_base'][L], 3)}."


def training_headline(d: dict, names: dict) -> str:
    """The training figure in one sentence: which method ends with the lowest expected harm, and
    the total KL it pays for it, beside standard alignment."""
    runs = d["runs"]
    harm = {key: float(r["harm"][-1]) for key, r in runs.items()}
    best = _best(harm, names, high=False)
    keys = [key for key in runs if names[key] in best]
    kl = ", ".join(text(runs[key]["total_kl"][-1], 3) for key in keys)
    head = (f"After {d['steps_run']} steps, {_and(best)} {'ends' if len(best) == 1 else 'end'} "
            f"with the lowest expected harm, E[H] = {text(min(harm.values()), 3)}"
            f"{' (within ' + format(MOVED, 'g') + ')' if len(best) > 1 else ''}, for {kl} nats of "
            "total KL")
    if names["standard"] not in best:
        head += (f"; standard alignment {text(harm['standard'], 3)} for "
                 f"{text(runs['standard']['total_kl'][-1], 3)} nats")
    return head + "."
