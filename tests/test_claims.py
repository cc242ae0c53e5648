"""Every sentence computed from numbers (ui/claims/, ui/claims/corollary23.py) swept over the domain a user
can reach, against an independent computation of what the sentence claims.

Hypothesis draws parameters from the parameter table's ranges with their corners pinned as
explicit examples (p_base = 0 and 1e-12, μ = 0, μ and β up to 1e6, γ = 0 and 1, the toy's fade 0
and 1, m = 0 and m > k, one training step). The sentence is parsed for its verb, case and numbers,
and those are checked against ``theory`` computed here, not against the function's own branches.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import theory
from ui.claims import corollary23
from ui.claims import evidence as ev
from ui.claims import methods as mc
from ui.claims import toy as tc

FEW = settings(max_examples=40, deadline=None)  # each example solves a toy model exactly
TRAINED = settings(max_examples=12, deadline=None)  # each example trains four methods

probability = st.one_of(st.sampled_from([0.0, 1e-12, 0.5, 0.9]),
                        st.floats(1e-12, 0.9).map(lambda x: float(f"{x:.3g}")))
positive = st.floats(1e-2, 1e6).map(lambda x: float(f"{x:.3g}"))
penalty = st.one_of(st.just(0.0), positive)
discount = st.one_of(st.sampled_from([0.0, 1.0, 0.5, 0.9, 0.999]), st.floats(0.0, 1.0))
target = st.floats(0.01, 0.99).map(lambda x: float(f"{x:.3g}"))


def _number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    assert found, (pattern, text)
    return float(found.group(1).replace("−", "-"))


# --- Corollary 23: τ's digits and what doubling μ does --------------------------------------

@given(delta=target, p=probability, mu=penalty, beta=positive, gamma=discount,
       k=st.integers(0, 200))
@example(delta=0.5, p=0.01, mu=148.3, beta=1.0, gamma=0.9, k=5)  # τ = 32.97
@example(delta=0.5, p=0.01, mu=4.595 * 0.9 ** -50.0, beta=1.0, gamma=0.9, k=5)  # τ just under 50
@settings(max_examples=300, deadline=None)
def test_the_floor_shown_follows_from_the_tau_shown(delta, p, mu, beta, gamma, k):
    readout = corollary23.attack(delta, p, mu, beta, gamma, k)
    line = readout.latex[-1]
    shown = re.search(r"\\lfloor([-0-9.]+)\\rfloor\\big\)=(\d+)", line)
    if shown:  # 0 < γ < 1 with the numbers written out
        tau, length = float(shown.group(1)), int(shown.group(2))
        assert max(k, math.floor(tau)) == length == theory.min_attack_length(delta, p, mu, beta, gamma, k)


@given(delta=target, p=probability, mu=penalty, beta=positive, gamma=discount,
       k=st.integers(0, 200))
@example(delta=0.5, p=0.01, mu=3.0, beta=1.0, gamma=1.0, k=3)  # 2μ/β crosses ℓ: τ jumps
@example(delta=0.5, p=0.9, mu=5.0, beta=1.0, gamma=0.9, k=3)  # δ ≤ p_min
@example(delta=0.5, p=0.0, mu=5.0, beta=1.0, gamma=0.9, k=3)
@example(delta=0.5, p=0.01, mu=0.0, beta=1.0, gamma=0.9, k=3)
@settings(max_examples=300, deadline=None)
def test_doubling_mu_says_what_happens_to_tau(delta, p, mu, beta, gamma, k):
    sentence = corollary23.doubling(delta, p, mu, beta, gamma, k).sentence
    tau = float(theory.attack_threshold(delta, p, mu, beta, gamma))
    tau_2 = float(theory.attack_threshold(delta, p, 2 * mu, beta, gamma))
    if "moves τ by" in sentence:
        moved = _number(r"= ([0-9.e+-]+) positions", sentence)
        assert math.isfinite(tau) and math.isfinite(tau_2)
        assert tau_2 - tau == pytest.approx(moved, rel=1e-3)
    elif "does not move τ" in sentence:
        assert tau == tau_2
    else:
        assert "turns τ from −∞ to ∞" in sentence and (tau, tau_2) == (-math.inf, math.inf)


# --- The toy model's description: the horizon it states is the model's ---------------------

def _stated_horizon(sentence: str) -> int | None:
    for pattern, value in ((r"horizon 0\b", 0), (r"horizon 1\b", 1)):
        if re.search(pattern, sentence):
            return value
    if (m := re.search(r"horizon k = T = (\d+)", sentence)):
        return int(m.group(1))
    if (m := re.search(r"until position k = (\d+), the horizon", sentence)):
        return int(m.group(1))
    return None


@given(T=st.integers(1, 12), k=st.integers(0, 12), m=st.integers(0, 13), p_r=probability,
       p_c=probability)
@example(T=12, k=4, m=0, p_r=0.1, p_c=0.2)
@example(T=12, k=4, m=5, p_r=0.1, p_c=0.2)
@FEW
def test_threshold_description_states_the_models_horizon(T, k, m, p_r, p_c):
    k, m = min(k, T), min(m, T)
    if p_r + p_c > 1:
        return
    model = theory.threshold_harm(T, k, m, p_r, p_c)
    sentence = tc.description(1, {"m_toy": m, "k_toy": k, "T_toy": T}, model.harm_horizon())
    assert _stated_horizon(sentence) == model.harm_horizon()
    if model.harm_horizon() == 0:
        assert model.harm_variance() == pytest.approx(0.0, abs=1e-15)


@given(T=st.integers(1, 12), p_r=probability, p_c=probability,
       fade=st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)))
@example(T=12, p_r=0.1, p_c=0.2, fade=0.0)
@example(T=12, p_r=0.1, p_c=0.2, fade=1.0)
@FEW
def test_gradual_description_states_the_models_horizon(T, p_r, p_c, fade):
    if p_r + p_c > 1:
        return
    model = theory.gradual_harm(T, p_r, p_c, fade)
    sentence = tc.description(2, {"fade": fade, "T_toy": T}, model.harm_horizon())
    assert _stated_horizon(sentence) == model.harm_horizon()
    if "does not fade" in sentence:
        assert fade == 1.0


# --- Shallow equilibrium: the total KL against η -------------------------------------------

def _toy(i, T, k, p_r, p_c, extra):
    if i == 0:
        return theory.refuse_or_comply(T, k, p_r, p_c, h_undecided=extra[0], decay=extra[1])
    if i == 1:
        return theory.threshold_harm(T, k, min(extra[2], k) or 1, p_r, p_c)
    return theory.gradual_harm(T, p_r, p_c, extra[1])


toy_args = dict(i=st.integers(0, 2), T=st.integers(1, 10), k=st.integers(0, 10),
                p_r=st.floats(1e-12, 0.6), p_c=st.floats(0.0, 0.4),
                extra=st.tuples(st.floats(0.0, 1.0), st.floats(0.01, 1.0), st.integers(1, 10)))


@given(**toy_args)
@example(i=0, T=12, k=4, p_r=0.05, p_c=0.8, extra=(0.0, 1.0, 1))  # bends above the line
@example(i=2, T=12, k=12, p_r=0.1, p_c=0.2, extra=(0.0, 0.8, 1))  # still rising at η = 100
@FEW
def test_eta_sweep_bends_the_way_it_says(i, T, k, p_r, p_c, extra):
    model = _toy(i, T, min(k, T), p_r, p_c, extra)
    eta = np.logspace(-3, 2, 26)
    kl = np.array([model.standard_equilibrium_kl(e, 1.0).sum() for e in eta])
    approx = 0.5 * eta ** 2 * model.harm_variance()
    limit = float(model.standard_equilibrium_kl(1e6, 1.0).sum())
    sentence = tc.eta_sweep(eta, kl, approx, limit)
    if (m := re.search(r"bends (below|above) it \(from η ≈ ([0-9.e+-]+)", sentence)):
        at = float(m.group(2))
        exact = model.standard_equilibrium_kl(at, 1.0).sum()
        line = 0.5 * at ** 2 * model.harm_variance()
        assert (exact < line) if m.group(1) == "below" else (exact > line)
    if "levels off" in sentence:
        assert model.standard_equilibrium_kl(100.0, 1.0).sum() == pytest.approx(limit, rel=0.011)
    elif "still" in sentence:
        assert abs(model.standard_equilibrium_kl(100.0, 1.0).sum() - limit) > 0.009 * limit


# --- Robustness: the prefilling attack on the toy model -------------------------------------

@given(**toy_args, L=st.integers(0, 9), mu=penalty, gamma=discount)
@example(i=1, T=12, k=4, p_r=0.1, p_c=0.2, extra=(0.0, 1.0, 2), L=1, mu=5.0, gamma=0.9)
@example(i=2, T=12, k=12, p_r=0.1, p_c=0.2, extra=(0.0, 0.8, 1), L=3, mu=5.0, gamma=1.0)
@FEW
def test_the_attack_caption_states_the_standard_optimum_truly(i, T, k, p_r, p_c, extra, L, mu, gamma):
    model = _toy(i, T, min(k, T), p_r, p_c, extra)
    L = min(L, T - 1)
    a = model.prefill_attack(L, 1.0, 1.0, mu, gamma)
    d = {"k": model.harm_horizon(), "end_base": float(a.recover_before_end_base),
         "end_standard": float(a.recover_before_end_standard)}
    sentence = tc.attack_caption(d, L, gamma)
    if "recovers no more often" in sentence:
        assert L >= model.harm_horizon()
        assert a.recover_before_end_standard == pytest.approx(a.recover_before_end_base, abs=1e-9)
    elif "more often than" in sentence:
        assert a.recover_before_end_standard > a.recover_before_end_base
    elif "less often than" in sentence:
        assert a.recover_before_end_standard < a.recover_before_end_base
    fades = {1.0: "is the same at every position", 0.0: "is 0 at every position"}.get(gamma, "fades with γᵗ")
    assert fades in sentence


@given(p_r=st.floats(1e-12, 0.5), decay=st.floats(0.01, 0.99), L=st.integers(1, 30),
       mu=penalty, gamma=discount)
@example(p_r=0.1, decay=0.9, L=8, mu=5.0, gamma=0.9)
@example(p_r=0.1, decay=0.5, L=20, mu=20.0, gamma=0.99)
@FEW
def test_the_decay_caption_says_rarely_only_when_it_is_rare(p_r, decay, L, mu, gamma):
    model = theory.refuse_or_comply(40, 4, p_r, 0.2, decay=decay)
    a = model.prefill_attack(L, 1.0, 1.0, mu, gamma)
    p_next = float(a.recovery_base[0])
    shift = float(theory.recovery_shift(mu, 1.0, gamma, L + 1))
    sentence = tc.decay_caption(p_next, shift, float(a.recover_before_end_deep),
                                float(a.recover_before_end_base))
    if "rarely recovers" in sentence:
        assert a.recover_before_end_deep < 0.1
        assert shift < -math.log(p_next / (1 - p_next))  # "the shift does not overcome it"
    else:
        assert a.recover_before_end_deep >= 0.1


# --- Evidence: rises, floors, the deepened profile, the heuristic reading ------------------

curves = st.integers(3, 20).flatmap(lambda n: st.tuples(
    st.lists(st.floats(0.05, 10.0), min_size=n, max_size=n),
    st.lists(st.floats(0.01, 0.5), min_size=n, max_size=n)))


@given(curves, curves)
@settings(max_examples=200, deadline=None)
def test_rises_lists_exactly_the_resolved_ones(a, b):
    series = [{"short": name, "kl": np.array(kl), "sigma": np.array(sig), "t": np.arange(1, len(kl) + 1)}
              for name, (kl, sig) in (("A", a), ("B", b))]
    sentence = ev.rises(series)
    resolved = set()
    for s in series:
        kl, sig = s["kl"], s["sigma"]
        for i in range(len(kl) - 1):
            z = (kl[i + 1] - kl[i]) / math.hypot(sig[i], sig[i + 1])
            if z >= ev.RESOLVED:
                resolved.add((s["short"], i + 1, i + 2))
    listed = set()
    if "only " in sentence:
        head = sentence.split("only ", 1)[1].split(f" exceed")[0]
        listed = {(n, int(x), int(y)) for n, x, y in re.findall(r"(\w)'s t = (\d+) → (\d+) \(", head)}
    assert listed == resolved, sentence


def test_floor_ranges_are_the_published_values_beyond_each_horizon():
    from ui.data import evidence as data_evidence

    series = [s for s in data_evidence.kl_profiles()["series"] if "deepened" not in s["name"]]
    sentence = ev.floor(series)
    for s in series:
        for entry in s["fits"]:
            h = s["horizons"][entry["fit"].model]
            if math.isfinite(h.position) and h.position <= s["t"].max():
                beyond = s["kl"][s["t"] >= h.position]
                assert f"(t ≥ {h.position:.0f}) it stays at {beyond.min():.2f}–{beyond.max():.2f}" in sentence
            else:
                assert f"the {entry['label']} fit implies no horizon" in sentence


@given(st.lists(st.floats(0.1, 12.0), min_size=5, max_size=20), st.floats(0.05, 0.5))
@settings(max_examples=30, deadline=None)  # each example is a deep-profile fit (~0.1 s)
def test_the_deepened_profile_trend_is_a_weighted_fit(kl, sigma):
    from theory.evidence import fit_deep_profile

    t = np.arange(1, len(kl) + 1, dtype=float)
    kl = np.array(kl)
    sig = np.full(t.size, sigma)
    fit = fit_deep_profile(t, kl, sig)
    sentence = ev.deepened({"t": t, "kl": kl, "sigma": sig}, fit)
    slope = np.polyfit(t, kl, 1, w=1 / sig)[0]
    err = sigma / math.sqrt(((t - t.mean()) ** 2).sum())  # the slope's σ, equal weights
    if "*rises* with t" in sentence:
        assert slope > ev.RESOLVED * err
    elif "falls with t" in sentence:
        assert slope < -ev.RESOLVED * err
    else:
        assert abs(slope) <= ev.RESOLVED * err * (1 + 1e-9)
    assert f"{kl.min():.2f}" in sentence and f"{kl.max():.2f}" in sentence


@given(st.floats(0.0, 50.0))
@example(8.43)
@example(1e-4)
@example(0.0)
@example(5e-324)
@settings(max_examples=30, deadline=None)
def test_the_heuristic_reading_computes_its_condition(amplitude):
    model = theory.refuse_or_comply(12, 4, 0.1, 0.2)
    eta = math.sqrt(2 * amplitude / model.harm_variance())
    lead = 0.5 * eta ** 2 * model.harm_information()[0]
    ratio = model.standard_equilibrium_kl(eta, 1.0)[0] / lead if lead > 0 else 1.0
    sentence = ev.shallow_reading(amplitude, eta, ratio)
    assert f"√(2A) = {math.sqrt(2 * amplitude):.2g}" in sentence
    assert ("far from it" in sentence) == (abs(ratio - 1) > ev.CLOSE)


# --- Methods lab ----------------------------------------------------------------------------

def _compare(T, k, p_r, p_c, steps, lr, mu, gamma, lam_teacher):
    from ui.data import methods as data_methods

    s = (0, (("T", T), ("k", k), ("p_recover", p_r), ("p_harm", p_c), ("h_undecided", 0.0),
             ("decay", 1.0)))
    return data_methods.compare(s, eta=1.0, beta=1.0, mu=mu, gamma=gamma, alpha_aug=0.2, K_aug=100,
                                lam_teacher=lam_teacher, tau_d=2.0, c_alpha=1.0, c_rise=1.0,
                                top_k=100, steps=steps, lr=lr)


methods_args = dict(T=st.integers(3, 8), k=st.integers(1, 4), p_r=st.floats(0.02, 0.4),
                    p_c=st.floats(0.05, 0.4), steps=st.sampled_from([1, 10, 200, 2000]),
                    lr=st.sampled_from([0.1, 1.0]), mu=st.sampled_from([0.0, 0.5, 5.0, 50.0]),
                    gamma=st.sampled_from([0.0, 0.5, 0.9, 1.0]),
                    lam_teacher=st.sampled_from([0.0, 0.9, 1.2, 3.0]))


@given(**methods_args)
@example(T=12, k=4, p_r=0.1, p_c=0.2, steps=200, lr=1.0, mu=5.0, gamma=0.9, lam_teacher=1.2)
@example(T=12, k=4, p_r=0.1, p_c=0.2, steps=200, lr=1.0, mu=5.0, gamma=0.9, lam_teacher=0.0)
@TRAINED
def test_methods_findings_state_their_runs(T, k, p_r, p_c, steps, lr, mu, gamma, lam_teacher):
    k = min(k, T - 1)
    d = _compare(T, k, p_r, p_c, steps, lr, mu, gamma, lam_teacher)
    runs, names = d["runs"], {"standard": "standard", "deep": "deep", "augmentation": "aug",
                               "completion": "bach"}
    items = mc.findings(d, names)
    text = " ".join(items)
    # Theorem 20 on every prefix beyond the horizon (decay 1: one p_R), computed here.
    r_star = theory.recovery_probability(p_r, mu, 1.0, gamma, np.arange(k + 1, T + 1))
    trained = d["deep_exact"]["path_trained"]  # the trained run on the all-harmful path
    if "reaches its exact optimum" in text:
        assert np.abs(trained[k:] - r_star).max() <= mc.REACHED + 1e-9
        assert np.abs(runs["deep"]["recovery"][k:] - r_star).max() <= mc.REACHED + 1e-9
    else:
        assert "has not reached its exact optimum" in text
        assert max(np.abs(trained[k:] - r_star).max(),
                   np.abs(runs["deep"]["recovery"][k:] - r_star).max()) > mc.REACHED - 1e-9
    before, after = runs["standard"]["harm"][-1], runs["completion"]["harm"][-1]
    if "sharpens" in text:
        assert after < before - mc.MOVED
    elif "raises E[H]" in text:
        assert after > before + mc.MOVED
    else:
        assert abs(after - before) <= mc.MOVED
    # Bach's effect on recovery beyond the horizon, against standard alignment, computed here
    change = runs["completion"]["recovery"][k:] - runs["standard"]["recovery"][k:]
    if (m := re.search(r"(raises|lowers) on-policy recovery .*? most at t = (\d+): ", text)):
        t = int(m.group(2))
        assert abs(change[t - k - 1]) == pytest.approx(np.abs(change).max())
        assert (change[t - k - 1] > mc.MOVED) if m.group(1) == "raises" else (change[t - k - 1] < -mc.MOVED)
        standard = _number(rf"t = {t}: ([0-9.e+-]*[0-9]) standard", text)
        assert standard == pytest.approx(runs["standard"]["recovery"][t - 1], rel=5e-3, abs=1e-12)
    else:
        assert f"that of standard alignment to within {mc.MOVED:g} at every t > {k}" in text
        assert np.abs(change).max() <= mc.MOVED
    if "None beyond the horizon" in mc.base_favored_item(d):  # "the aligned model is the base there"
        assert np.max(runs["standard"]["kl"][k:]) <= mc.ZERO_KL
    caption = mc.zero_beyond(runs, names, k, T) or ""
    for key, name in names.items():
        if re.search(rf"\b{name}\b", caption.split("for: ")[-1]):
            assert np.max(runs[key]["kl"][k:]) <= mc.ZERO_KL


@given(start=st.floats(0.0, 1.0), ends=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0),
                                                  st.floats(0.0, 1.0)),
       betas=st.tuples(st.floats(0.01, 100.0), st.floats(0.01, 100.0)))
@settings(max_examples=200, deadline=None)
def test_finetune_verbs_follow_the_numbers(start, ends, betas):
    runs = {key: {"harm": np.array([start, end])} for key, end in zip(("plain", "schedule", "uniform"), ends)}
    f = {"runs": runs, "betas": np.array([betas[0], betas[1], betas[1]]), "uniform": betas[1]}
    second = mc.finetune_items(f, [1], 4)[1]
    for key, (label, end) in zip(("plain", "schedule", "uniform"),
                                 zip(("Plain fine-tuning", "your schedule", "at every"), ends)):
        part = second.split(label, 1)[1]
        verb = re.search(r"(raises|lowers|leaves) E\[H\]", part).group(1)
        want = "raises" if end > start + mc.MOVED else "lowers" if end < start - mc.MOVED else "leaves"
        assert verb == want, (key, second)
    if abs(ends[0] - start) <= mc.MOVED:
        assert "cannot be told apart" in second
    elif "protects less" in second:
        assert ends[1] - ends[2] > mc.MOVED


@given(T=st.integers(3, 8), k=st.integers(1, 4), p_r=st.sampled_from([1e-12, 1e-6, 0.05, 0.3]),
       alpha=st.sampled_from([0.0, 0.2, 2.0]), steps=st.sampled_from([1, 200]))
@example(T=12, k=4, p_r=1e-12, alpha=0.2, steps=200)  # the fit never leaves its start
@example(T=12, k=4, p_r=0.1, alpha=0.2, steps=200)
@TRAINED
def test_the_penalty_fit_claims_only_what_its_rms_allows(T, k, p_r, alpha, steps):
    from ui.data import methods as data_methods

    k = min(k, T - 1)
    s = (0, (("T", T), ("k", k), ("p_recover", p_r), ("p_harm", 0.2), ("h_undecided", 0.0),
             ("decay", 1.0)))
    g = data_methods.penalty_fit(s, eta=1.0, beta=1.0, alpha_aug=alpha, K_aug=100, steps=steps, lr=1.0)
    sentence = mc.penalty_fit_item(g, alpha)
    # The fitted penalty's own recovery, recomputed here from its μ, γ by theory's backward pass.
    model = theory.refuse_or_comply(T, k, p_r, 0.2)
    from theory.toy import methods as M

    fitted = M.prefill_recoveries(model, M.aligned_logits(model, 1.0, 1.0, g["mu"], g["gamma"]))
    lengths = np.arange(1, T)
    rms = float(np.sqrt(np.mean((fitted[lengths] - g["augmented"][lengths]) ** 2)))
    spread = float(np.ptp(np.concatenate([g["augmented"][1:-1], g["fitted"][1:-1]])))
    if "acts like" in sentence:
        assert rms <= mc.MATCHED * spread + 1e-12 and not g["unmoved"]
    elif "no recovery penalty" in sentence:
        assert rms > mc.MATCHED * spread - 1e-12
    else:
        assert "never left its starting point" in sentence and g["unmoved"]


# --- Headlines: where a per-position quantity is largest ------------------------------------

def _named_positions(sentence: str) -> list[int]:
    where = re.search(r"at (.+?): ", sentence).group(1)
    if (run := re.fullmatch(r"t = (\d+)…(\d+)", where)):
        return list(range(int(run.group(1)), int(run.group(2)) + 1))
    if where.endswith("positions") or "…" in where:
        return [int(x) for x in re.findall(r"\d+", where.split("t = ")[1])]
    return [int(x) for x in re.findall(r"\d+", where)]


def _check_peak(sentence: str, y: np.ndarray, whole: float | None):
    """The positions named hold the largest value (ties all named), the value shown is it, and
    the share shown is its share of ``whole``."""
    top = y.max()
    named = _named_positions(sentence)
    tied = [t for t in range(1, y.size + 1) if y[t - 1] >= top * (1 - tc.TIED)]
    if "positions, t = " in sentence:  # a long, non-consecutive tie: first two and last named
        assert len(tied) == int(re.search(r"(\d+) positions", sentence).group(1))
        assert named == tied[:2] + tied[-1:]
    else:
        assert named == tied, (sentence, y)
    assert ("tied" in sentence) == (len(tied) > 1)
    shown = _number(r": ([0-9.e+-]*[0-9])", sentence)
    assert shown == pytest.approx(top, rel=1e-3)
    if whole is None:
        return
    share = top / whole
    if ", all of" in sentence:
        assert share == pytest.approx(1.0, rel=1e-6)
    elif "over 99 %" in sentence:
        assert 0.995 <= share < 1.0
    else:
        percent = _number(r", ([0-9.e+-]+) % of", sentence)
        assert percent == pytest.approx(100 * share, rel=0.06, abs=0.51)


@given(**toy_args)
@example(i=0, T=12, k=4, p_r=0.1, p_c=0.2, extra=(0.0, 1.0, 1))  # the defaults
@example(i=0, T=1, k=1, p_r=0.1, p_c=0.2, extra=(0.0, 1.0, 1))  # T = 1: all of Var H
@example(i=0, T=6, k=0, p_r=0.1, p_c=0.2, extra=(0.0, 1.0, 1))  # horizon 0: Var H = 0
@example(i=2, T=6, k=6, p_r=1e-12, p_c=0.0, extra=(0.0, 1.0, 1))  # no harm at all
@example(i=0, T=6, k=4, p_r=1e-12, p_c=0.0, extra=(0.5, 1.0, 1))  # Var H ~ 1e-12, not 0
@FEW
def test_the_harm_information_headline_names_its_peak(i, T, k, p_r, p_c, extra):
    model = _toy(i, T, min(k, T), p_r, p_c, extra)
    info = np.asarray(model.harm_information(), dtype=float)
    variance = float(model.harm_variance())  # an independent second-moment pass (Corollary 7)
    sentence = tc.information_headline(info, variance)
    if not (info > 0).any():
        assert "Var H = 0" in sentence and variance == pytest.approx(0.0, abs=1e-15)
        return
    _check_peak(sentence, info, variance)


@given(**toy_args, eta=st.sampled_from([0.001, 1.0, 100.0]))
@example(i=0, T=1, k=1, p_r=0.1, p_c=0.2, extra=(0.0, 1.0, 1), eta=1.0)
@example(i=0, T=6, k=0, p_r=0.1, p_c=0.2, extra=(0.0, 1.0, 1), eta=1.0)
@example(i=0, T=6, k=6, p_r=0.5, p_c=0.0, extra=(0.0, 1.0, 1), eta=1.0)  # KLₜ ~1e-17: rounding
@FEW
def test_the_kl_and_gradient_headlines_name_their_peaks(i, T, k, p_r, p_c, extra, eta):
    model = _toy(i, T, min(k, T), p_r, p_c, extra)
    kl = np.asarray(model.standard_equilibrium_kl(eta, 1.0), dtype=float)
    sentence = tc.kl_headline(kl)
    if (kl > tc.ZERO_KL).any():
        _check_peak(sentence, kl, float(kl.sum()))
    else:
        assert f"below {tc.ZERO_KL:.0e} nats at every position" in sentence
    norms = np.asarray(model.gradient_norms(), dtype=float)
    sentence = tc.gradient_headline(norms)
    if (norms > 0).any():
        _check_peak(sentence, norms, None)
    else:
        assert "‖gₜ‖ = 0 at every position" in sentence


@pytest.mark.parametrize("values,words", [
    ([0.25, 0.25, 0.25, 0.25], "tied, at t = 1…4: 0.25, 25 % of Var H each."),
    ([0.2, 0.2, 0.1, 0.2], "tied, at t = 1, 2 and 4: 0.2, 29 % of Var H each."),
    ([0.5], "at t = 1: 0.5, all of Var H."),
])
def test_ties_and_a_single_position_read_plainly(values, words):
    assert tc.information_headline(values, sum(values)).endswith(words)


# --- Headlines of the closed-form charts (Deep alignment, Robustness) -----------------------

from ui.claims import deep as dc
from ui.claims import robustness as rc


def _r_star(p: float, mu: float, beta: float, gamma: float, t: int) -> float:
    """Theorem 20's recovery written out here: σ(logit p + μγᵗ/β), in log space."""
    if p == 0:
        return 0.0
    z = math.log(p) - math.log1p(-p) + mu * gamma ** t / beta
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def _numbers(sentence: str) -> list[float]:
    return [float(x) for x in re.findall(r"(?<![tTk′ₜ_])\b\d+(?:\.\d+)?(?:e[+-]?\d+)?", sentence)]


closed_args = dict(p=probability, mu=penalty, beta=positive, gamma=discount,
                   k=st.integers(0, 200), T=st.integers(1, 1000))
CLOSED_CORNERS = [dict(p=0.01, mu=5.0, beta=1.0, gamma=0.9, k=5, T=50),  # the defaults
                  dict(p=0.01, mu=5.0, beta=1.0, gamma=1.0, k=5, T=50),
                  dict(p=0.0, mu=5.0, beta=1.0, gamma=0.9, k=5, T=50),
                  dict(p=0.01, mu=0.0, beta=1.0, gamma=0.9, k=5, T=50),
                  dict(p=0.01, mu=5.0, beta=1.0, gamma=0.0, k=5, T=50),
                  dict(p=0.01, mu=5.0, beta=1.0, gamma=0.9, k=0, T=1),
                  dict(p=0.01, mu=5.0, beta=1.0, gamma=0.9, k=50, T=50),
                  dict(p=0.9, mu=1e6, beta=0.01, gamma=0.999, k=0, T=1000)]


def _closed(fn):
    for c in CLOSED_CORNERS:
        fn = example(**c)(fn)
    return given(**closed_args)(settings(max_examples=200, deadline=None)(fn))


@_closed
def test_the_recovery_headline_states_theorem_20_at_both_ends(p, mu, beta, gamma, k, T):
    k = min(k, T)
    t = np.arange(k + 1, T + 1)
    sentence = dc.recovery_headline(p=p, mu=mu, gamma=gamma, k=k, T=T,
                                    deep=theory.recovery_probability(p, mu, beta, gamma, t))
    if T == k:
        assert "No position lies beyond the horizon" in sentence
        return
    first, last = _r_star(p, mu, beta, gamma, k + 1), _r_star(p, mu, beta, gamma, T)
    if p == 0:
        assert "r*ₜ = 0 at every t > k" in sentence and first == last == 0.0
    elif mu == 0 or gamma == 0:
        assert f"the base p = {p:g} at every" in sentence and first == pytest.approx(p)
    elif T == k + 1:
        assert _number(r"r\* = ([0-9.e+-]*[0-9])", sentence) == pytest.approx(first, rel=5e-3)
    elif gamma == 1:
        assert "at every t" in sentence and first == pytest.approx(last)
        assert _number(r"r\*ₜ = ([0-9.e+-]*[0-9])", sentence) == pytest.approx(first, rel=5e-3)
    else:
        assert _number(r"r\*ₜ = ([0-9.e+-]*[0-9]) at t", sentence) == pytest.approx(first, rel=5e-3)
        assert _number(r"and ([0-9.e+-]*[0-9]) at the depth", sentence) == pytest.approx(last, rel=5e-3)
        assert f"depth T = {T};" in sentence
    assert "standard" in sentence  # standard RLHF is the base model there (Theorem 10)


@given(p=probability, mu=penalty, beta=positive, gamma=discount, t=st.integers(1, 2000))
@example(p=0.01, mu=5.0, beta=1.0, gamma=0.9, t=1)
@example(p=0.0, mu=5.0, beta=1.0, gamma=0.9, t=1)
@example(p=0.01, mu=0.0, beta=1.0, gamma=0.9, t=1)
@example(p=0.9, mu=1e6, beta=0.01, gamma=1.0, t=3)
@settings(max_examples=200, deadline=None)
def test_the_gibbs_headline_states_the_tilt_of_each_token(p, mu, beta, gamma, t):
    from ui.data import closed as data

    d = data.at_position(p, mu, beta, gamma, t)
    sentence = dc.gibbs_headline(p=p, t=t, deep=float(d["deep"]), shift=float(d["shift"]))
    assert f"At t = {t}" in sentence or f"at t = {t}" in sentence
    ratio = d["deep_probs"] / np.where(d["base_probs"] > 0, d["base_probs"], 1.0)  # the bars
    if p == 0 or float(d["deep"]) == p:
        assert "base distribution" in sentence
        assert np.allclose(d["deep_probs"], d["base_probs"], rtol=1e-12, atol=1e-300)
        return
    assert _number(r"q\*\(R\) = ([0-9.e+-]*[0-9])", sentence) == pytest.approx(
        d["deep_probs"][d["is_recovery"]].sum(), rel=5e-3)
    assert _number(r"each ×([0-9.e+-]*[0-9])", sentence) == pytest.approx(ratio[0], rel=5e-3)
    assert _number(r"by ×([0-9.e+-]*[0-9])", sentence) == pytest.approx(ratio[-1], rel=5e-3, abs=1e-300)
    assert np.allclose(ratio[d["is_recovery"]], ratio[0]) and np.allclose(ratio[~d["is_recovery"]], ratio[-1])


@_closed
def test_the_tradeoff_headline_states_the_guarantee_and_its_kl(p, mu, beta, gamma, k, T):
    k = min(k, T)
    T = min(T, 300)  # the γ grid × positions stays small
    k = min(k, T)
    t = np.arange(k + 1, T + 1)
    ends = 1.0 - 1e-4
    kl_now = float(sum(theory.recovery_kl(p, mu, beta, gamma, int(s)) for s in t))
    kl_end = float(sum(theory.recovery_kl(p, mu, beta, ends, int(s)) for s in t))
    sentence = dc.tradeoff_headline(p=p, mu=mu, gamma=gamma, k=k, T=T,
                                    delta_T=_r_star(p, mu, beta, gamma, T), kl_total=kl_now,
                                    end_gamma=ends, end_delta_T=_r_star(p, mu, beta, ends, T),
                                    end_kl_total=kl_end)
    if T == k:
        assert "No position lies beyond the horizon" in sentence
    elif p == 0 or mu == 0:
        assert "0 nats" in sentence and kl_now == pytest.approx(0.0, abs=1e-300)
        assert kl_end == pytest.approx(0.0, abs=1e-300)
    else:
        shown = _number(rf"depth T = {T} is ([0-9.e+-]*[0-9])", sentence)
        assert shown == pytest.approx(_r_star(p, mu, beta, gamma, T), rel=5e-3)
        assert _number(r"for ([0-9.e+-]*[0-9]) nats of KL", sentence) == pytest.approx(kl_now, rel=5e-3, abs=1e-300)
        assert _number(r"for ([0-9.e+-]*[0-9]) nats\.$", sentence) == pytest.approx(kl_end, rel=5e-3, abs=1e-300)


def _below(p, mu, beta, gamma, delta, depth) -> bool:
    """r_min(depth) < δ, decided in log-odds: μγ^depth/β < logit δ − logit p (None near a tie)."""
    if p == 0:
        return True
    gap = math.log(delta / (1 - delta)) - math.log(p / (1 - p))
    shift = mu * gamma ** depth / beta
    if abs(shift - gap) <= 1e-9 * max(1.0, abs(gap)):
        return None
    return shift < gap


@given(**closed_args, delta=target)
@example(**CLOSED_CORNERS[0], delta=0.5)
@example(**CLOSED_CORNERS[1], delta=0.5)
@example(**CLOSED_CORNERS[2], delta=0.5)
@example(**CLOSED_CORNERS[5], delta=0.5)
@example(**CLOSED_CORNERS[6], delta=0.5)
@example(p=0.5, mu=0.0, beta=1.0, gamma=0.9, k=5, T=50, delta=0.3)  # δ ≤ p: every depth
@settings(max_examples=300, deadline=None)
def test_the_depth_headline_names_where_the_guarantee_drops_below_delta(p, mu, beta, gamma, k, T, delta):
    k = min(k, T)
    depth = np.arange(k + 1, T + 1)
    below = [_below(p, mu, beta, gamma, delta, int(s)) for s in depth]
    if None in below:
        return  # a tie to rounding: either side is right
    sentence = rc.depth_headline(depth=depth, r_min=theory.recoverability_bound(p, mu, beta, gamma, depth),
                                 delta=delta, k=k, T=T)
    if T == k:
        assert "No depth lies beyond the horizon" in sentence
        return
    if not any(below):
        assert "at every depth" in sentence and "at least δ" in sentence
    elif all(below):
        assert "below δ" in sentence and "at every depth" in sentence
    else:
        last_ok = int(_number(r"down to depth T′ = (\d+)", sentence))
        assert not below[last_ok - k - 1] and below[last_ok - k]
        assert all(below[last_ok - k:]) and not any(below[:last_ok - k])  # r_min does not rise
        assert int(_number(r"from T′ = (\d+) on", sentence)) == last_ok + 1


@given(delta=target, p=probability, mu=penalty, beta=positive, gamma=discount,
       k=st.integers(0, 200))
@example(delta=0.5, p=0.01, mu=5.0, beta=1.0, gamma=0.9, k=5)
@example(delta=0.5, p=0.01, mu=5.0, beta=1.0, gamma=1.0, k=5)
@example(delta=0.5, p=0.01, mu=0.0, beta=1.0, gamma=0.9, k=0)
@example(delta=0.3, p=0.5, mu=5.0, beta=1.0, gamma=0.9, k=5)
@example(delta=0.5, p=0.0, mu=5.0, beta=1.0, gamma=0.9, k=1)
@settings(max_examples=300, deadline=None)
def test_the_attack_headline_is_the_shortest_prefix_that_works(delta, p, mu, beta, gamma, k):
    """Brute force: the smallest L ≥ k after which recovery at L + 1 is below δ (it then stays
    below: the shift does not grow with t), scanned over 2·10⁶ positions."""
    t = np.arange(k + 1, k + 2_000_001, dtype=float)
    if p == 0:
        ok = np.ones_like(t, dtype=bool)
    else:
        gap = math.log(delta / (1 - delta)) - math.log(p / (1 - p))
        shift = mu * gamma ** t / beta
        if np.any(np.abs(shift - gap) <= 1e-9 * max(1.0, abs(gap))):
            return  # a tie to rounding
        ok = shift < gap
    found = int(t[np.argmax(ok)]) - 1 if ok.any() else math.inf
    readout = corollary23.attack(delta, p, mu, beta, gamma, k)
    sentence = rc.attack_headline(length=readout.length, delta=delta, mu=mu, gamma=gamma)
    if math.isinf(found):
        assert "(L* = ∞)" in sentence
    elif found == 0:
        assert "(L* = 0)" in sentence
    else:
        assert int(_number(r"L\* = (\d+) token", sentence)) == found


# --- Headlines of the toy charts: paths, training runs ---------------------------------------

@given(**toy_args, n=st.sampled_from([1, 2, 20]), seed=st.integers(0, 3))
@example(i=0, T=12, k=4, p_r=0.1, p_c=0.2, extra=(0.0, 1.0, 1), n=20, seed=0)  # the defaults
@example(i=0, T=6, k=0, p_r=0.1, p_c=0.2, extra=(0.0, 1.0, 1), n=20, seed=0)  # horizon 0
@example(i=0, T=1, k=1, p_r=0.1, p_c=0.2, extra=(0.0, 1.0, 1), n=1, seed=0)  # T = 1
@FEW
def test_the_paths_headline_names_the_last_move(i, T, k, p_r, p_c, extra, n, seed):
    model = _toy(i, T, min(k, T), p_r, p_c, extra)
    paths = model.sample_paths(n, seed)
    horizon = model.harm_horizon()
    sentence = tc.paths_headline(paths, horizon)
    steps = np.abs(np.diff(paths, axis=1))
    if "never" in sentence:
        assert steps.max(initial=0.0) <= 1e-9
        return
    last = int(_number(r"last moves? at t = (\d+)", sentence))
    assert last <= max(horizon, 1) or horizon == model.T  # Theorem 9: nothing moves after k
    assert steps[:, last - 1].max() > 1e-12 and steps[:, last:].max(initial=0.0) <= 1e-9
    if n > 1:
        assert _number(r"on average ([0-9.e+-]*[0-9])", sentence) == pytest.approx(
            paths[:, -1].mean(), rel=5e-3, abs=1e-12)
    assert _number(r"E\[H\] = ([0-9.e+-]*[0-9])\)", sentence) == pytest.approx(
        model.expected_harm(), rel=5e-4, abs=1e-12)


def _verb_and_values(sentence: str) -> tuple[str, float, float | None]:
    m = re.search(r"(raises|lowers) (?:it|recovery after the prefix) from ([0-9.e+-]*[0-9]) to ([0-9.e+-]*[0-9])", sentence)
    if m:
        return m.group(1), float(m.group(2)), float(m.group(3))
    m = re.search(r"leaves (?:it|recovery after the prefix) at ([0-9.e+-]*[0-9])", sentence)
    assert m, sentence
    return "leaves", float(m.group(1)), None


def _check_change(sentence: str, before: float, after: float):
    verb, a, b = _verb_and_values(sentence)
    if verb == "leaves":
        assert abs(after - before) <= tc.CHANGED and a == pytest.approx(after, rel=5e-3, abs=1e-12)
        return
    assert (after - before > tc.CHANGED) if verb == "raises" else (before - after > tc.CHANGED)
    assert a == pytest.approx(before, rel=5e-3, abs=1e-12) and b == pytest.approx(after, rel=5e-3, abs=1e-12)


@given(T=st.integers(1, 8), k=st.integers(0, 8), p_r=st.floats(0.02, 0.4), p_c=st.floats(0.0, 0.4),
       steps=st.sampled_from([10, 200]), mu=st.sampled_from([0.0, 0.5, 5.0]),
       gamma=st.sampled_from([0.0, 0.9, 1.0]))
@example(T=12, k=4, p_r=0.1, p_c=0.2, steps=200, mu=5.0, gamma=0.9)  # the defaults
@example(T=6, k=6, p_r=0.1, p_c=0.2, steps=10, mu=5.0, gamma=0.9)  # k = T
@settings(max_examples=15, deadline=None)
def test_the_training_headlines_state_their_runs(T, k, p_r, p_c, steps, mu, gamma):
    from ui.data import toy as data_toy

    k = min(k, T)
    s = (0, (("T", T), ("k", k), ("p_recover", p_r), ("p_harm", p_c), ("h_undecided", 0.0),
             ("decay", 1.0)))
    runs = {o: data_toy.training(s, o, "tabular", 1.0, 1.0, mu, gamma, steps, 1.0)
            for o in ("standard", "deep")}
    std, deep = runs["standard"], runs["deep"]
    sentence = tc.training_headline(standard=std["prefill"][-1], deep=deep["prefill"][-1],
                                    deep_kl_late=deep["kl"][-1][k:].sum(), mu=mu, gamma=gamma,
                                    k=k, T=T, steps=steps)
    if k >= T:
        assert "covers the whole response" in sentence
    elif mu == 0 or gamma == 0:
        assert std["prefill"][-1] == pytest.approx(deep["prefill"][-1], abs=1e-9)
    else:
        _check_change(sentence, std["prefill"][-1], deep["prefill"][-1])
        assert _number(r"for ([0-9.e+-]*[0-9]) nats", sentence) == pytest.approx(
            deep["kl"][-1][k:].sum(), rel=5e-3, abs=1e-12)
    tab = data_toy.training(s, "standard", "tabular", 1.0, 1.0, 0.0, 1.0, steps, 1.0)
    shared = data_toy.training(s, "standard", "shared", 1.0, 1.0, 0.0, 1.0, steps, 1.0)
    sentence = tc.shared_headline(shared_kl_late=shared["kl"][-1][k:].sum(),
                                  tab_kl_late=tab["kl"][-1][k:].sum(), base=shared["prefill_base"],
                                  shared=shared["prefill"][-1], k=k, T=T)
    if k >= T:
        assert "covers the whole response" in sentence
        return
    _check_change(sentence, shared["prefill_base"], shared["prefill"][-1])
    assert _number(r"spend ([0-9.e+-]*[0-9]) nats", sentence) == pytest.approx(
        shared["kl"][-1][k:].sum(), rel=5e-3, abs=1e-12)
    # per-position parameters get no gradient beyond the horizon (Theorem 10)
    assert _number(r"per-position: ([0-9.e+-]*[0-9])\)", sentence) == pytest.approx(
        tab["kl"][-1][k:].sum(), rel=5e-3, abs=1e-12)


# --- Headlines of the Methods lab's side-by-side figures -------------------------------------

@given(**methods_args)
@example(T=12, k=4, p_r=0.1, p_c=0.2, steps=200, lr=1.0, mu=5.0, gamma=0.9, lam_teacher=1.2)
@example(T=3, k=1, p_r=0.1, p_c=0.2, steps=1, lr=0.1, mu=0.0, gamma=0.9, lam_teacher=1.2)  # all tied
@TRAINED
def test_the_methods_headlines_name_the_best(T, k, p_r, p_c, steps, lr, mu, gamma, lam_teacher):
    k = min(k, T - 1)
    d = _compare(T, k, p_r, p_c, steps, lr, mu, gamma, lam_teacher)
    names = {"standard": "standard", "deep": "deep", "augmentation": "aug", "completion": "bach"}
    runs, L = d["runs"], T - 1
    sentence = mc.prefill_headline(d, names)
    at = {key: r["prefill"][L] for key, r in runs.items()}
    top = max(at.values())
    best = [names[key] for key in at if top - at[key] <= mc.MOVED]
    if "every method recovers about as often" in sentence:
        assert len(best) == len(at)
    else:
        shown = re.search(r"(?:tokens|prefill), (.+?) recovers? most often \(([0-9.e+-]*[0-9])\)", sentence)
        assert re.split(r", | and ", shown.group(1)) == best
        assert float(shown.group(2)) == pytest.approx(top, rel=5e-3, abs=1e-12)
    assert f"L = {L} harmful tokens" in sentence or L == 0
    assert _number(r"base model ([0-9.e+-]*[0-9])", sentence) == pytest.approx(
        d["prefill_base"][L], rel=5e-3, abs=1e-12)
    sentence = mc.training_headline(d, names)
    harm = {key: r["harm"][-1] for key, r in runs.items()}
    low = min(harm.values())
    best = [names[key] for key in harm if harm[key] - low <= mc.MOVED]
    shown = re.search(r"steps, (.+?) ends? with the lowest expected harm, E\[H\] = ([0-9.e+-]*[0-9])",
                      sentence)
    assert re.split(r", | and ", shown.group(1)) == best
    assert float(shown.group(2)) == pytest.approx(low, rel=5e-3, abs=1e-12)


# --- Headlines of the Evidence charts --------------------------------------------------------

def test_the_evidence_headlines_state_the_published_numbers():
    from ui.data import evidence as data_evidence

    series = data_evidence.kl_profiles()["series"]
    sentence = ev.kl_headline(series)
    for s in series:
        i = int(np.argmax(s["kl"]))
        assert f"{s['short']} at t = {s['t'][i]:.0f}, {s['kl'][i]:.2f} nats" in sentence
    attacks = data_evidence.attack_curves()["series"]
    sentence = ev.attacks_headline(attacks)
    for s in attacks:
        assert f"{s['name']} {s['asr'][0]:g} % → {s['asr'][-1]:g} %" in sentence
    import evidence
    df = evidence.augmentation()
    a = {"k": df["prefill_tokens"], "initial": df["asr_initial_percent"],
         "initial_std": df["std_initial_percent"], "after": df["asr_after_percent"],
         "after_std": df["std_after_percent"]}
    # Table 2: 42.1–57.0 % → 2.8–4.5 %, each drop far beyond its σ
    assert ev.augmentation_headline(a) == ("Recovery augmentation lowers attack success at every "
                                           "length in Table 2 (5–40 prefilled tokens): 42.1–57.0 % "
                                           "before to 2.8–4.5 % after.")


@given(kl=st.lists(st.floats(0.0, 10.0), min_size=2, max_size=20),
       sigma=st.floats(0.01, 1.0))
@example(kl=[1.0, 1.0], sigma=0.1)  # a tie: not resolved
@example(kl=[9.29, 2.52, 2.71], sigma=0.1)
def test_the_kl_headline_calls_a_peak_resolved_only_beyond_noise(kl, sigma):
    kl = np.asarray(kl)
    if kl.sum() == 0:
        return
    s = {"short": "M", "t": np.arange(1, kl.size + 1), "kl": kl, "sigma": np.full(kl.size, sigma)}
    sentence = ev.kl_headline([s])
    top = kl.max()
    second = np.sort(kl)[-2]
    assert _number(r", ([0-9.]+) nats", sentence) == pytest.approx(top, abs=0.005)
    assert ("not resolved" in sentence) == (top - second < ev.RESOLVED * math.hypot(sigma, sigma))
    assert _number(r"\(([0-9.]+) % of its KL", sentence) == pytest.approx(100 * top / kl.sum(), abs=0.5)


@given(before=st.lists(st.floats(0.0, 100.0), min_size=1, max_size=5),
       drop=st.floats(-50.0, 50.0), sigma=st.floats(0.1, 5.0))
def test_the_augmentation_verb_follows_the_resolved_changes(before, drop, sigma):
    b = np.asarray(before)
    after = np.clip(b - drop, 0.0, 100.0)
    a = {"k": np.arange(1, b.size + 1), "initial": b, "initial_std": np.full(b.size, sigma),
         "after": after, "after_std": np.full(b.size, sigma)}
    sentence = ev.augmentation_headline(a)
    limit = ev.RESOLVED * math.hypot(sigma, sigma)
    if sentence.startswith("Recovery augmentation lowers"):
        assert np.all(b - after > limit)
    elif sentence.startswith("Recovery augmentation raises"):
        assert np.all(after - b > limit)
    else:
        n = int(_number(r"resolved \(3 σ\) at (\d+) of", sentence))
        assert n == int(np.sum(np.abs(after - b) > limit))
        assert not (np.all(b - after > limit) or np.all(after - b > limit))
