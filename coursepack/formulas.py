"""The formulas beside each live figure, typeset with the current values (pack.js redraws them
whenever a slider moves the figure).

Each line is LaTeX with ``@name@`` for a parameter's current value (``k1`` is k + 1, the first
position beyond the horizon) and ``@i@`` for the i-th computed value: a function of ``live.js``
(sympy-printed from ``theory.derivations.live_forms``) at the current values, so a formula shows
the same number the figure draws. The statements are THEORY.md's, with their conditions.
"""

from __future__ import annotations

import html
import json

from ui.live import specs

_CLOSED = ("p_base", "mu", "beta", "gamma")
# Short lines, so that a phone shows each one whole.
_SUBS = [r"\mu=@mu@,\ \beta=@beta@,\ \gamma=@gamma@", r"p=@p_base@,\ k=@k@,\ T=@T@"]

FORMULAS: dict[str, dict] = {
    "recovery_by_position": {
        "source": "Theorem 20 (beyond the horizon, t > k)",
        "lines": [r"r^*_t=\sigma\!\left(\operatorname{logit}p+\mu\gamma^{t}/\beta\right)", *_SUBS,
                  r"r^*_{@k1@}=@0@,\qquad r^*_{@T@}=@1@"],
        "values": [("recoveryProbability", (*_CLOSED, "k1")),
                   ("recoveryProbability", (*_CLOSED, "T"))],
    },
    "kl_by_position": {
        "source": "Theorem 20 (t > k); the cap min(aₜ, log 1/p) of Theorem 22",
        "lines": [r"\mathrm{KL}^*_t=a_t\,r^*_t-\log\!\left(1-p+p\,e^{a_t}\right)",
                  r"a_t=\mu\gamma^{t}/\beta", *_SUBS,
                  r"\mathrm{KL}^*_{@k1@}=@0@\ \le\ \min\!\left(a_{@k1@},\log\tfrac1p\right)=@1@",
                  r"\mathrm{KL}^*_{@T@}=@2@"],
        "values": [("recoveryKl", (*_CLOSED, "k1")), ("klCap", (*_CLOSED, "k1")),
                   ("recoveryKl", (*_CLOSED, "T"))],
    },
    "recoverability_by_depth": {
        "source": "Theorem 22 (p ≥ p_min at every k < t ≤ T, 0 ≤ γ ≤ 1)",
        "lines": [r"r_{\min}(T)=\sigma\!\left(\operatorname{logit}p_{\min}+\mu\gamma^{T}/\beta\right)",
                  _SUBS[0], r"p_{\min}=@p_base@,\ k=@k@,\ T=@T@", r"r_{\min}(@T@)=@0@",
                  r"\sum_{t=@k1@}^{@T@}\mathrm{KL}^*_t\ \le\ @1@"],
        "values": [("recoverabilityBound", (*_CLOSED, "T")),
                   ("totalKlBound", (*_CLOSED, "k", "T"))],
    },
    "attack_length_vs_mu": {
        "source": "Corollary 23 (the form for 0 < γ < 1 and δ > p_min; its other cases give "
                  "L* = k or ∞, and so do the numbers below)",
        # ℓ, as the app's Robustness page writes it (Δ is the harm innovation there)
        "lines": [r"L^*=\max\!\left(k,\lfloor\tau\rfloor\right),\quad"
                  r"\tau=\frac{\ln\!\left(\mu/(\beta\ell)\right)}{\ln(1/\gamma)}",
                  r"\ell=\operatorname{logit}\delta-\operatorname{logit}p_{\min}",
                  r"\delta=@delta@,\ p_{\min}=@p_base@,\ k=@k@", _SUBS[0],
                  r"\tau=@0@,\qquad L^*=@1@"],
        "values": [("attackThreshold", ("delta", "p_base", "mu", "beta", "gamma")),
                   ("minAttackLength", ("delta", "p_base", "mu", "beta", "gamma", "k"))],
    },
}
assert set(FORMULAS) == set(specs.LIVE), "one formula block per live figure"

PARAMS = ("p_base", "mu", "beta", "gamma", "k", "T", "delta")


def spec(name: str, values: dict) -> dict:
    """What pack.js needs for figure ``name``: the lines, the values to compute, the parameters
    at the pack's values (the figure's sliders override theirs)."""
    f = FORMULAS[name]
    return {"figure": name, "lines": f["lines"], "params": {k: values[k] for k in PARAMS},
            "values": [{"fn": fn, "args": list(args)} for fn, args in f["values"]]}


def block(name: str, values: dict) -> str:
    """The formulas' HTML: empty lines that pack.js fills, and their spec as JSON."""
    f = FORMULAS[name]
    data = json.dumps(spec(name, values)).replace("</", "<\\/")
    lines = "\n".join('<div class="formula"></div>' for _ in f["lines"])
    return (f'<section class="formulas" aria-label="Formulas at the current values" '
            f'data-figure="{name}">\n<p class="note">{html.escape(f["source"])}, at the '
            f'current values:</p>\n{lines}\n<script type="application/json">{data}</script>\n</section>')
