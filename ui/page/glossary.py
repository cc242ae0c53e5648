"""The glossary: one symbol, one meaning, app-wide.

Every symbol the pages show is listed once, with what it means here, the name the paper gives it
(R. Young, 2026) and the pages that use it. The Glossary page draws this table and every sidebar
links to it. Symbols are LaTeX (drawn by KaTeX); the other columns are plain text.

Where the app had one letter for two things, one of them was renamed:
the Lagrange multiplier of the Gibbs derivation is ν (λ is the harm weight); the log-odds gap of
Corollary 23 is ℓ (Δₜ is the harm innovation); the recovery guaranteed at depth T is r_min(T)
(δ is the target); the score ∇log π is written out (s is a toy-model state).
"""

from __future__ import annotations

from dataclasses import dataclass

from ui.text import markdown


@dataclass(frozen=True)
class Entry:
    symbol: str  # LaTeX, without $
    meaning: str
    paper: str  # the paper's name for it, with the result that introduces it
    where: str  # pages that use it


ALL = "every page"
CLOSED = "Overview, Deep alignment, Robustness & attacks, Derivations"
TOY = "Harm horizon, Gradients, Shallow equilibrium, toy-model tabs"
METHODS = "Methods lab"

ENTRIES = (
    Entry(r"t", "Position in the response, 1-indexed: t = 1, …, T.", "position", ALL),
    Entry(r"T", "Depth: the last position shown, and the depth down to which recovery is required "
          "(closed forms). On toy-model controls: the toy model's response length.",
          "response length / depth of Definition 21", ALL),
    Entry(r"x_{<t}", "The prefix before position t: x₁ … xₜ₋₁.", "prefix", ALL),
    Entry(r"\pi_{\mathrm{base}}", "The base (pre-alignment) model's next-token distribution.",
          "reference policy", ALL),
    Entry(r"\pi^*", "The optimum of the objective on screen (standard or deep).",
          "equilibrium / minimiser", ALL),
    Entry(r"H", "Harm of the whole response.", "harm function", TOY),
    Entry(r"h_t", "Expected harm given the first t tokens, E[H | x₁ … xₜ]; a martingale.",
          "conditional expected harm (Definition 1; a martingale by Proposition 2)", TOY),
    Entry(r"\Delta_t", "Harm innovation hₜ − hₜ₋₁: the jump of the expected harm at position t "
          "(always with its position index).", "harm innovation (Definition 3, Proposition 4)",
          "Harm horizon"),
    Entry(r"I_t", "Harm information E[Δₜ²] = E[Var(hₜ | x<t)]; sums to Var H.",
          "harm information (Definition 5, Proposition 6, Corollary 7)", TOY),
    Entry(r"k", "Harm horizon: the last position that can still change the harm (Iₜ = 0 for "
          "t > k). The closed-form pages and the toy model each have their own k; toy-model "
          "controls say \"toy model\".", "harm horizon (Theorem 9)", ALL),
    Entry(r"g_t", "Gradient of the expected harm with respect to position t's parameters.",
          "gradient contribution (Theorem 8)", "Gradients"),
    Entry(r"F_t", "Fisher information of position t's next-token distribution (tr F = 1 − Σᵥ π(v)²).",
          "conditional Fisher information (Definition 11)", "Gradients"),
    Entry(r"c_F", "An upper bound on tr Fₜ at every prefix (not the harmful token C).",
          "Fisher bound (Theorem 13)",
          "Overview, Gradients"),
    Entry(r"s", "A state of the toy model's automaton: what the model remembers of the prefix.",
          "— (the app's toy model)", TOY),
    Entry(r"\lambda", "Harm weight of the standard objective λ·E[H] + β·Σₜ KLₜ.",
          "harm weight (Eq. 2)", "Gradients, Shallow equilibrium"),
    Entry(r"\beta", "KL weight: how strongly the aligned model is held to the base model. "
          "A pure number (KL itself is in nats).", "KL coefficient (Eq. 2; written as 1 in the "
          "paper's Theorem 14)", ALL),
    Entry(r"\eta", "η = λ/β, the only combination of λ and β that moves the standard optimum.",
          "λ with the KL weight set to 1 (Theorem 14)", "Overview, toy-model pages"),
    Entry(r"\mathrm{KL}_t", "Per-position KL divergence from the base model, in nats, averaged "
          "over prefixes: E[KL(π(·|x<t) ‖ π_base(·|x<t))].", "per-position KL (Theorem 14)", ALL),
    Entry(r"R", "Recovery tokens (a refusal such as \"I'm sorry\").",
          "recovery tokens (Definition 16)", ALL),
    Entry(r"p,\ p_{\mathrm{base}}", "Base recovery probability π_base(R | x<t) after a harmful "
          "prefix; the slider p_base. Can be exactly 0 (then no finite μ creates recovery).",
          "base recovery probability (Theorem 20, Remark 8)", CLOSED),
    Entry(r"p_{\min}", "A lower bound on p at every position beyond the horizon; the Robustness "
          "page reads the p_base slider as p_min.", "p_min (Theorem 22)", "Robustness & attacks"),
    Entry(r"p_R,\ p_C", "Toy model: base probabilities of the recovery token R and the harmful "
          "token C at each position.", "— (the app's toy model)", TOY),
    Entry(r"\mu", "Strength of the recovery penalty; μ = 0 is standard (shallow) alignment.",
          "recovery penalty strength (Definition 17)", ALL),
    Entry(r"\gamma", "Discount: position t's penalty has weight μγᵗ; γ = 1 is uniform depth.",
          "discount factor (Definition 17)", ALL),
    Entry(r"\mathcal D_{\mathrm{adv}}", "The distribution of adversarial (prefilled) prefixes the "
          "recovery penalty averages over. The app draws prefixes from the model itself "
          "(on-policy), so w = 1.", "adversarial prefix distribution (Definition 17)", CLOSED),
    Entry(r"w", "Importance weight 𝒟_adv(x<t)/π(x<t) multiplying the shift; the app uses w = 1.",
          "density ratio (Remark 9)", CLOSED),
    Entry(r"a_t", "Log-odds shift wμγᵗ/β that the deep optimum adds to recovery at position t.",
          "shift in log-odds (Theorem 20, Remark 8)", CLOSED),
    Entry(r"r^*_t", "Recovery probability of the deep optimum at position t beyond the horizon: "
          "σ(logit p + aₜ).", "optimal recovery probability (Theorem 20)", CLOSED),
    Entry(r"\mathrm{KL}^*_t", "KL cost (nats) of that shift at one position.",
          "KL cost (Theorem 20)", CLOSED),
    Entry(r"J_t", "Recovery information E[pₜ(1 − pₜ)].", "recovery information (Definition 18)",
          "Deep alignment"),
    Entry(r"\delta", "Target recovery level: the recovery probability the deep model must keep.",
          "δ of δ-recoverability (Definition 21, Corollary 23)", "Robustness & attacks"),
    Entry(r"r_{\min}(T)", "Recovery guaranteed at every position k < t ≤ T: "
          "σ(logit p_min + μγᵀ/β). The model is δ-recoverable at depth T for every δ ≤ r_min(T).",
          "the δ of Theorem 22", "Deep alignment, Robustness & attacks"),
    Entry(r"\ell", "Log-odds gap logit δ − logit p_min: the shift needed to lift p_min to δ.",
          "— (the app's name; the quantity is in Corollary 23)", "Robustness & attacks, Overview"),
    Entry(r"\tau", "Threshold position: recovery at position t is below δ exactly when t > τ = "
          "ln(μ/(βℓ))/ln(1/γ).", "Corollary 23's threshold", "Robustness & attacks, Overview"),
    Entry(r"L^*", "Minimum prefilling-attack length in tokens: max(k, ⌊τ⌋); ∞ when no finite "
          "prefix suffices.", "minimum attack prefix length (Corollary 23; max(k, ⌊τ⌋) is the "
          "app's refinement)", "Robustness & attacks, Overview"),
    Entry(r"\mu_{\mathrm{req}}", "The penalty that keeps recovery ≥ δ down to depth T: βℓγ⁻ᵀ.",
          "Theorem 22 solved for μ", "Robustness & attacks"),
    Entry(r"L", "Toy model: number of harmful tokens the attacker prefills.",
          "prefix length (Corollary 23)", "Robustness & attacks (toy-model tab)"),
    Entry(r"\nu", "Lagrange multiplier of Σᵥ q(v) = 1 in the Gibbs derivation.",
          "Lagrange multiplier (proof of Theorem 20)", "Derivations"),
    Entry(r"\kappa", "Evidence fits: a floor of KL at every position, the untargeted incidental KL "
          "that shared parameters move (≥ 0).", "incidental KL of shared parameters (Appendix A, "
          "Proposition 26)", "Evidence"),
    Entry(r"A", "Evidence fits: the fitted profile's scale, (η²/2)·I₁ in nats.",
          "KLₜ ≈ (η²/2)·Iₜ (Theorem 14) at t = 1", "Evidence"),
    Entry(r"\rho,\ \alpha", "Evidence fits: the assumed decay of the harm information, Iₜ ∝ ρᵗ⁻¹ "
          "(geometric) or Iₜ ∝ t⁻ᵅ (power law); the theory does not give its shape.",
          "not in the paper (a modelling choice for the fit)", "Evidence"),
    Entry(r"\alpha_{\mathrm{aug}},\ K", "Methods lab: weight of Qi et al.'s recovery examples in "
          "the training objective, and the longest harmful prefix they use (its length L = 0 w.p. ½, else "
          "uniform on 1…K).", "not in the paper (Qi et al., arXiv 2406.05946)", METHODS),
    Entry(r"\beta_t", "Methods lab: Qi et al.'s token-wise constraint at position t of a "
          "fine-tuning attack (large: the token stays near the aligned model). Not the KL weight β.",
          "not in the paper (Qi et al., arXiv 2406.05946)", METHODS),
    Entry(r"\lambda_T,\ \tau_d", "Methods lab: Bach et al.'s hybrid teacher "
          "λ_T·aligned + (1 − λ_T)·base (logits) and the distillation temperature. Not the harm "
          "weight λ.",
          "not in the paper (Bach et al., arXiv 2511.12155)", METHODS),
    Entry(r"\alpha_c,\ \omega,\ K_{\mathrm{top}}", "Methods lab: the completion penalty on "
          "base-favored tokens at position t, α_c·(1 + ω·(t − 1)/(T − 1)), on at most K_top "
          "tokens per position.", "not in the paper (our reading of Bach et al.)", METHODS),
)


HEADERS = ("Symbol", "Meaning here", "The paper's name", "Where")


def markdown_table() -> str:
    """The glossary as one markdown table (symbols in $…$, drawn by KaTeX)."""
    return markdown.table(list(HEADERS), [(f"${e.symbol}$", e.meaning, e.paper, e.where)
                                          for e in ENTRIES])


# On a phone four columns do not fit (390 px): scrolled sideways, the table showed two of them
# with nothing to say there were more. There each symbol is a block, every cell after the symbol
# under its column's name; the header row stays for screen readers, out of sight.
TABLE_KEY = "glossary_table"  # the st.container the page draws the table in
_RULES = """
.st-key-glossary_table table { display: block; overflow: visible; border: none; }
.st-key-glossary_table thead, .st-key-glossary_table thead th { position: absolute; left: 0;
  width: 1px; height: 1px; padding: 0; border: 0; overflow: hidden; clip-path: inset(50%); }
.st-key-glossary_table tbody, .st-key-glossary_table tr, .st-key-glossary_table td { display: block; }
.st-key-glossary_table tr { border-top: 1px solid rgba(49, 51, 63, 0.2); padding: 0.5rem 0; }
.st-key-glossary_table td { border: none; padding: 0.15rem 0; }
.st-key-glossary_table td:first-child { font-size: 1.25rem; }
"""


def phone_css() -> str:
    """The table's CSS on a phone (at most 640 px wide): a block per symbol."""
    labels = "".join(f'.st-key-{TABLE_KEY} td:nth-child({i})::before {{ content: "{h}: "; '
                     "font-weight: 600; }\n" for i, h in enumerate(HEADERS[1:], 2))
    return f"<style>@media (max-width: 640px) {{ {_RULES}{labels} }}</style>"
