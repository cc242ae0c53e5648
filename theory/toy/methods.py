"""Deepening methods as training objectives on the exact toy model (beyond the paper).

Every method is an objective J(theta) on the tabular softmax logits theta[t-1, s, v] (one logit
vector per position t and automaton state s, shape (T, S, V)), minimised by plain gradient descent
from the base policy (or from an aligned policy where the method starts there):

1. :func:`train_standard`: J_std = lam E[H] + beta sum_t KL_t (the paper's Eq. 2).
2. :func:`train_deep`: J_deep = J_std + sum_t mu gamma^t E[1 - pi(R | x_<t)] on-policy (the
   paper's Definition 17; beyond the horizon its optimum is Theorem 20's r*).
3. :func:`train_augmentation`: Qi et al.'s recovery data augmentation (arXiv 2406.05946,
   Section 3 / Table 2): J_std + alpha E_k[-log pi(R | k harmful tokens prefilled)], k = 0 with
   probability 1/2, else uniform on 1..K.
4. :func:`finetune_attack`: a fine-tuning attack on harmful (all-C) responses, from an aligned
   policy, with plain cross-entropy or Qi et al.'s token-wise constrained loss (arXiv 2406.05946,
   Section 4 / Table 3): sum_t -(2/beta_t) log sigmoid(beta_t log(pi_theta/pi_aligned)(x_t|x_<t)).
5. :func:`train_targeted_completion`: Bach et al.'s targeted completion (arXiv 2511.12155, as
   summarised in seed 004): distillation to the hybrid teacher lam*aligned + (1-lam)*base at
   temperature tau, plus an L2 completion penalty on base-favored tokens with a weight rising
   with the position. The summary gives the parts, not the equations; the reading here is
   stated at :func:`completion_loss`.

:func:`fit_deep_to_prefill` fits the paper's penalty (mu, gamma) to any run's recovery after a
prefilled harmful prefix, using the exact deep optimum (no training inside the fit).

The standard and deep objectives reuse :mod:`theory.toy.training`'s exact value and gradient
(:class:`training._Step`); the new terms are small functions ``(logits) -> (value, gradient)`` of
the same shape, added to it. The descent loop here is the plain one of :func:`training.train`
(tabular, logits -= lr * grad), written once for any such objective.

Positions are 1-indexed (index t - 1 is position t); KL in nats.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares
from scipy.special import expit, log_expit

from . import _params, martingale, training
from .attacks import forced_state
from .automaton import logsumexp, safe_log
from .equilibria import gibbs_policy_stacked

QI_BETAS = (0.5, 2.0, 2.0, 2.0, 2.0)  # beta_1..beta_5 of Qi et al.'s Table 3; 0.1 after
QI_BETA_LATE = 0.1


@dataclass(frozen=True)
class MethodRun:
    """One method trained by gradient descent on the toy model's tabular logits.

    Rows of the per-step arrays are the recorded steps ``steps`` (``steps[0] == 0``: the start).
    ``objective_value`` is the method's own objective; ``expected_harm`` is E_pi[H];
    ``total_kl`` = sum_t KL_t(pi || pi_base) (the capability proxy). At the end: ``kl`` = KL_t by
    position, ``recovery`` = E_pi[pi(R | x_<t)] on-policy by position, ``prefill_recovery[L]`` =
    P(a recovery token in L+1..T | x_1..x_L forced harmful) for L = 0..T (0 at L = T), and the
    final ``logits`` (T, S, V). ``training_steps`` = the number of gradient steps taken.
    """

    method: str
    params: dict
    steps: np.ndarray
    objective_value: np.ndarray
    expected_harm: np.ndarray
    total_kl: np.ndarray
    kl: np.ndarray
    recovery: np.ndarray
    prefill_recovery: np.ndarray
    logits: np.ndarray = field(repr=False)
    training_steps: int

    @property
    def policy(self) -> np.ndarray:
        """The final policy pi(v | s, t), shape (T, S, V)."""
        return softmax(self.logits)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Rows of exp(logits) / sum exp(logits) along the last axis (-inf logits give 0)."""
    return np.exp(logits - logsumexp(logits, axis=-1))


def base_logits(model) -> np.ndarray:
    """log pi_base, (T, S, V) (-inf where the base model never emits a token)."""
    return model.stack(lambda seg: seg.log_base).copy()


def aligned_logits(model, lam=1.0, beta=1.0, mu=0.0, gamma=1.0) -> np.ndarray:
    """Logits (log-probabilities) of the exact optimum of J_std (mu = 0, Theorem 14) or J_deep
    (Definition 17): pi_base exp(-eta H + sum_t a_t 1[x_t in R]), a_t = mu gamma^t / beta."""
    eta = _params.eta(lam, beta)
    tilt = _params.tilt(mu, gamma, beta, model.T)
    return safe_log(gibbs_policy_stacked(model, eta, tilt))


# --- objectives: (logits) -> (value, gradient with respect to logits) ------------------------
def _alignment(model, lam, beta, tilt):
    """lam E[H] + beta sum_t KL_t - sum_t beta tilt_t E[pi(R)] + beta sum_t tilt_t: the exact value
    and gradient of :mod:`theory.toy.training` (J_std for tilt = 0, J_deep otherwise)."""
    problem = training._Problem(model, lam, beta, tilt)

    def objective(logits):
        point = training._Step(problem, logits)
        return float(point.w[0, model.initial, 0] + problem.constant), point.grad

    return objective


def augmentation_weights(K: int) -> np.ndarray:
    """P(k) for k = 0..K of Qi et al.'s prefix lengths: 1/2 at k = 0, else uniform on 1..K."""
    weights = np.zeros(K + 1)
    if K == 0:
        weights[0] = 1.0
    else:
        weights[0] = 0.5
        weights[1:] = 0.5 / K
    return weights


def augmentation_loss(model, logits: np.ndarray, K: int):
    """Qi et al.'s recovery augmentation term E_k[-log pi(R | x_1..x_k harmful, position k+1)]
    (k = 0 w.p. 1/2, else uniform on 1..K; K <= T - 1) and its gradient with respect to logits.
    The refusal of Qi's triplets is the recovery token at position k + 1 here."""
    weights = augmentation_weights(K)
    k = np.arange(K + 1)
    states = np.asarray(_path(model))[k]
    rows = logits[k, states]  # (K+1, V): position k+1 after k harmful tokens
    log_pi = rows - logsumexp(rows, axis=-1)
    log_r = logsumexp(np.where(model.recovery, log_pi, -np.inf), axis=-1)  # (K+1, 1)
    # d(-log pi(R))/dz = pi - 1[v in R] pi(v)/pi(R); exp of at most 0: no overflow
    g = np.exp(log_pi) - np.exp(np.where(model.recovery, log_pi - log_r, -np.inf))
    grad = np.zeros_like(logits)
    grad[k, states] = weights[:, None] * g
    return float(-(weights * log_r[:, 0]).sum()), grad


def harmful_path(model) -> list[int]:
    """States s_0..s_{T-1} along the all-harmful response (x_t = C for every t)."""
    states = [model.initial]
    for t in range(1, model.T):
        states.append(int(model.step(t).next_state[states[-1], model.harmful]))
    return states


def _path(model) -> list[int]:
    """:func:`harmful_path`, computed once per model (the losses need it at every step)."""
    return model._cached("harmful_path", lambda: harmful_path(model))


def harmful_path_log_probs(model, logits) -> np.ndarray:
    """(T, V) log pi(v | x_1..x_{t-1} all harmful) of the policy with these logits."""
    rows = np.stack([logits[t, s] for t, s in enumerate(harmful_path(model))])
    return rows - logsumexp(rows, axis=-1)


def kl_by_position(model, logits) -> np.ndarray:
    """KL_t(pi || pi_base) for t = 1..T, on-policy (nats), of the policy with these logits.

    A -inf logit (a token an exact optimum never emits) is raised to 800 nats below its row's
    largest: its probability is still exactly 0.0 in floating point (exp(-800) underflows), but
    0 * log 0 no longer makes NaN in the cost."""
    logits = np.asarray(logits, dtype=float)
    logits = np.maximum(logits, logits.max(axis=-1, keepdims=True) - 800.0)
    return _summary(model, training._Problem(model, 1.0, 1.0, np.zeros(model.T)), logits)[1]


def open_on_harmful_path(model) -> np.ndarray:
    """(T,) booleans: at position t, after x_1..x_{t-1} all harmful, does the token x_t still
    change the expected harm? (Some two tokens the base model can emit lead to different
    E_base[H | x_1..x_t].) These are the positions a fine-tuning attack on harmful responses
    must move to raise the harm; beyond the harm horizon k none is (Theorem 9)."""
    values = martingale.harm_values(model).values
    out = np.zeros(model.T, dtype=bool)
    for t, s in enumerate(harmful_path(model), start=1):
        seg = model.step(t)
        emit = seg.base[s] > 0
        h = model.harm_step(t)[s] + values[t, seg.next_state[s]]
        out[t - 1] = emit.any() and np.ptp(h[emit]) > 1e-12 * max(1.0, np.abs(h[emit]).max())
    return out


def qi_betas(T: int, late: float = QI_BETA_LATE, first: float = QI_BETAS[0],
             early: float = QI_BETAS[1]) -> np.ndarray:
    """Qi et al.'s schedule beta_1 = 0.5, beta_2..5 = 2, beta_t = ``late`` (0.1) for t > 5
    (``first`` and ``early`` replace 0.5 and 2)."""
    betas = np.full(T, float(late))
    betas[1:5] = early
    betas[0] = first
    return betas[:T].copy()


def finetune_loss(model, logits: np.ndarray, aligned: np.ndarray, betas: np.ndarray | None):
    """Fine-tuning loss on the all-harmful response x = (C, ..., C), and its gradient.

    ``betas is None``: plain SFT, sum_t -log pi_theta(x_t | x_<t). Otherwise Qi et al.'s
    token-wise constrained loss sum_t -(2/beta_t) log sigmoid(beta_t Delta_t) with
    Delta_t = (log pi_theta - log pi_aligned)(x_t | x_<t) (arXiv 2406.05946, Section 4.2).
    d/dDelta_t = -2 sigmoid(-beta_t Delta_t): plain SFT's weight -1 at Delta_t = 0, fading once
    pi_theta(x_t) exceeds pi_aligned(x_t) by ~1/beta_t nats.
    """
    t = np.arange(model.T)
    states = np.asarray(_path(model))
    rows = logits[t, states]  # (T, V) on the all-harmful response
    log_pi = rows - logsumexp(rows, axis=-1)
    log_p = log_pi[:, model.harmful]
    onehot = np.zeros(model.n_tokens)
    onehot[model.harmful] = 1.0
    d_log_p = onehot - np.exp(log_pi)  # d log pi(C) / dz
    if betas is None:
        value, weight = -log_p.sum(), np.ones(model.T)
    else:
        a_rows = aligned[t, states]
        delta = log_p - (a_rows[:, model.harmful] - logsumexp(a_rows, axis=-1)[:, 0])
        value = float(-((2.0 / betas) * log_expit(betas * delta)).sum())
        weight = 2.0 * expit(-betas * delta)
    grad = np.zeros_like(logits)
    grad[t, states] = -weight[:, None] * d_log_p
    return float(value), grad


# --- the descent loop and the records ---------------------------------------------------------
def _summary(model, problem, logits):
    """(E[H], KL_t, on-policy recovery_t) of the policy at ``logits``."""
    point = training._Step(problem, logits)
    _, _, kl, recovery, harm, _, _ = point.record()
    return harm, kl, recovery


def prefill_recoveries(model, logits: np.ndarray) -> np.ndarray:
    """P(recovery in L+1..T | x_1..x_L forced harmful) for L = 0..T (Corollary 23's attack).

    One backward pass, O(T |S| |V|): q_t(s) = P(a recovery token in t+1..T | s_t = s) obeys
    q_T = 0 and q_{t-1}(s) = sum_v pi(v | s, t) (1[v in R] + 1[v not in R] q_t(next(s, v))); the
    answer for L is q_L at the state the forced prefix reaches. (``attacks.continue_after`` does
    one forward pass per L, O(T^2); the tests check that the two agree.)"""
    pi = softmax(logits)
    path = harmful_path(model) + [forced_state(model, model.T)]
    q = np.zeros(model.n_states)
    out = np.zeros(model.T + 1)
    for t in range(model.T, 0, -1):
        nxt = model.step(t).next_state
        cont = np.where(model.recovery, 1.0, q[nxt])  # (S, V)
        q = (pi[t - 1] * cont).sum(axis=1)
        out[t - 1] = min(q[path[t - 1]], 1.0)
    return out


def _descend(model, method, params, objective, start, steps, lr, record_every) -> MethodRun:
    steps = _params.whole("steps", steps, 0, 100_000)
    lr = _params.closed("lr", lr, 1e-12, 1e3)
    record_every = _params.whole("record_every", record_every, 1, max(1, steps))
    cells = model.T * model.n_states * model.n_tokens
    if cells > training.MAX_CELLS:
        raise ValueError(f"T * |S| * |V| must be at most {training.MAX_CELLS}, got {cells}")
    stats = training._Problem(model, 1.0, 1.0, np.zeros(model.T))  # for E[H] and KL_t only
    logits = np.array(start, dtype=float)
    rows = {key: [] for key in ("steps", "J", "harm", "kl")}
    for step in range(steps + 1):
        value, grad = objective(logits)
        if step % record_every == 0 or step == steps:
            harm, kl, _ = _summary(model, stats, logits)
            for key, item in zip(rows, (step, value, harm, float(kl.sum()))):
                rows[key].append(item)
        if step == steps:
            break
        logits = logits - lr * grad
    harm, kl, recovery = _summary(model, stats, logits)
    return MethodRun(
        method=method, params=dict(params, steps=steps, lr=lr),
        steps=np.array(rows["steps"]), objective_value=np.array(rows["J"]),
        expected_harm=np.array(rows["harm"]), total_kl=np.array(rows["kl"]), kl=kl,
        recovery=recovery, prefill_recovery=prefill_recoveries(model, logits), logits=logits,
        training_steps=steps)


def standard_objective(model, lam=1.0, beta=1.0):
    """J_std as ``(logits) -> (value, gradient)``."""
    _params.eta(lam, beta)
    return _alignment(model, float(lam), float(beta), np.zeros(model.T))


def deep_objective(model, lam=1.0, beta=1.0, mu=1.0, gamma=1.0):
    """J_deep (paper Definition 17, penalty mu gamma^t, on-policy prefixes) as
    ``(logits) -> (value, gradient)``."""
    _params.eta(lam, beta)
    return _alignment(model, float(lam), float(beta), _params.tilt(mu, gamma, beta, model.T))


def augmentation_objective(model, lam=1.0, beta=1.0, alpha=0.2, K=None):
    """J_std + alpha * :func:`augmentation_loss` as ``(logits) -> (value, gradient)``."""
    K = _default_K(model, K)
    alpha = _params.closed("alpha", alpha, 0.0, _params.MAX_WEIGHT)
    standard = standard_objective(model, lam, beta)

    def objective(logits):
        value, grad = standard(logits)
        aug_value, aug_grad = augmentation_loss(model, logits, K)
        return value + alpha * aug_value, grad + alpha * aug_grad

    return objective


def finetune_objective(model, aligned, betas=None):
    """:func:`finetune_loss` as ``(logits) -> (value, gradient)`` (``betas`` None: plain SFT)."""
    aligned = np.asarray(aligned, dtype=float)
    if not np.isfinite(harmful_path_log_probs(model, aligned)[:, model.harmful]).all():
        raise ValueError("the aligned model never emits the harmful token C after a harmful "
                         "prefix (p_C = 0?): there is no harmful response to fine-tune on")
    if betas is not None:
        betas = np.asarray(betas, dtype=float)
        if betas.shape != (model.T,) or not (betas > 0).all() or not np.isfinite(betas).all():
            raise ValueError(f"betas must be {model.T} positive numbers, got {betas!r}")
    return lambda logits: finetune_loss(model, logits, aligned, betas)


def _default_K(model, K):
    """Qi's K = 100 scaled to the toy: by default every prefix length that leaves a position."""
    return model.T - 1 if K is None else _params.whole("K", K, 0, model.T - 1)


def train_standard(model, *, lam=1.0, beta=1.0, steps=300, lr=1.0, record_every=10) -> MethodRun:
    """Standard alignment (paper Eq. 2) from the base policy: shallow (Theorems 10, 14)."""
    return _descend(model, "standard", dict(lam=lam, beta=beta),
                    standard_objective(model, lam, beta), base_logits(model), steps, lr,
                    record_every)


def train_deep(model, *, lam=1.0, beta=1.0, mu=1.0, gamma=1.0, steps=300, lr=1.0,
               record_every=10) -> MethodRun:
    """The paper's deep objective (Definition 17, recovery penalty mu gamma^t) from the base
    policy; beyond the horizon its optimum is Theorem 20's r* = sigmoid(logit p + mu gamma^t/beta)
    (exactly, when the base recovery does not depend on the history)."""
    return _descend(model, "deep", dict(lam=lam, beta=beta, mu=mu, gamma=gamma),
                    deep_objective(model, lam, beta, mu, gamma), base_logits(model), steps, lr,
                    record_every)


def train_augmentation(model, *, lam=1.0, beta=1.0, alpha=0.2, K=None, steps=300, lr=1.0,
                       record_every=10, start=None) -> MethodRun:
    """Qi et al.'s recovery data augmentation (arXiv 2406.05946, Table 2): J_std plus alpha times
    the cross-entropy of the recovery token after k prefilled harmful tokens (k = 0 w.p. 1/2, else
    uniform on 1..K; Qi: alpha = 0.2, K = 100; here K defaults to T - 1). From the base policy, or
    from ``start`` logits (e.g. :func:`aligned_logits`)."""
    K = _default_K(model, K)
    start = base_logits(model) if start is None else start
    return _descend(model, "augmentation", dict(lam=lam, beta=beta, alpha=alpha, K=K),
                    augmentation_objective(model, lam, beta, alpha, K), start, steps, lr,
                    record_every)


def finetune_attack(model, aligned, *, constrained: bool, betas=None, steps=100, lr=0.1,
                    record_every=10) -> MethodRun:
    """A fine-tuning attack on the all-harmful response, from the ``aligned`` logits (T, S, V).

    ``constrained=False``: plain SFT. ``constrained=True``: Qi et al.'s token-wise constrained
    objective (arXiv 2406.05946, Table 3) with ``betas`` (default :func:`qi_betas`: 0.5, 2, 2, 2,
    2, then 0.1). Neither loss has a finite minimiser (both fall towards pi(C) = 1), so ``steps``
    and ``lr`` are the attacker's budget; compare ``expected_harm`` and ``prefill_recovery``.
    """
    if constrained and betas is None:
        betas = qi_betas(model.T)
    method = "finetune_constrained" if constrained else "finetune_plain"
    params = dict(constrained=bool(constrained),
                  betas=None if not constrained else tuple(float(b) for b in betas))
    objective = finetune_objective(model, aligned, betas if constrained else None)
    return _descend(model, method, params, objective, aligned, steps, lr, record_every)


# --- Bach et al.: hybrid-teacher distillation (the completion penalty is not implemented) -------
def hybrid_teacher_logits(model, aligned, lam_teacher=1.2) -> np.ndarray:
    """Bach et al.'s hybrid teacher (arXiv 2511.12155): lam * aligned + (1 - lam) * base logits
    (lam = 1.2 extrapolates past the aligned model, away from the base). Both must be finite."""
    aligned = np.asarray(aligned, dtype=float)
    base = base_logits(model)
    if not (np.isfinite(aligned).all() and np.isfinite(base).all()):
        raise ValueError("the hybrid teacher needs finite aligned and base logits "
                         "(every token with positive probability)")
    lam_teacher = _params.closed("lam_teacher", lam_teacher, -_params.MAX_WEIGHT,
                                 _params.MAX_WEIGHT)
    return lam_teacher * aligned + (1.0 - lam_teacher) * base


def context_weights(model) -> np.ndarray:
    """d_t(s) = P_base(s_{t-1} = s), (T, S): the training contexts, drawn once from the base model
    (a fixed data set, not re-sampled from the student)."""
    problem = training._Problem(model, 1.0, 1.0, np.zeros(model.T))
    return training._Step(problem, problem.log_base_finite).probs[:-1, :, 0]


def distillation_loss(logits, teacher, weights, tau=2.0):
    """tau^2 sum_{t,s} d_t(s) KL(softmax(teacher/tau) || softmax(logits/tau)) (Hinton-style
    distillation at temperature tau) and its gradient tau d_t(s) (q_tau - p_tau)."""
    p = softmax(teacher / tau)
    log_q = logits / tau - logsumexp(logits / tau, axis=-1)
    log_p = teacher / tau - logsumexp(teacher / tau, axis=-1)
    kl = (p * (log_p - log_q)).sum(axis=-1)
    value = float(tau**2 * (weights * kl).sum())
    grad = tau * weights[:, :, None] * (np.exp(log_q) - p)
    return value, grad


def distillation_objective(model, aligned, lam_teacher=1.2, tau=2.0, weights=None):
    """:func:`distillation_loss` to the hybrid teacher as ``(logits) -> (value, gradient)``."""
    tau = _params.positive("tau", tau)
    teacher = hybrid_teacher_logits(model, aligned, lam_teacher)
    weights = context_weights(model) if weights is None else np.asarray(weights, dtype=float)
    return lambda logits: distillation_loss(logits, teacher, weights, tau)


def train_hybrid_distillation(model, aligned, *, lam_teacher=1.2, tau=2.0, steps=300, lr=1.0,
                              record_every=10) -> MethodRun:
    """Bach et al.'s hybrid-teacher distillation (arXiv 2511.12155; seed 004), from ``aligned``:
    the student's tempered policy is pulled to softmax((lam aligned + (1 - lam) base) / tau) on
    the base model's contexts; its optimum is softmax(lam aligned + (1 - lam) base) at
    temperature 1 wherever a context has weight. Where the aligned logits equal the base's
    (beyond the horizon for the standard optimum) the teacher is the base: nothing changes.
    Bach's base-favored-token completion penalty is not part of this objective."""
    return _descend(model, "hybrid_distillation", dict(lam_teacher=lam_teacher, tau=tau),
                    distillation_objective(model, aligned, lam_teacher, tau), aligned, steps, lr,
                    record_every)


# --- Bach et al.: base-favored tokens and the targeted completion penalty ----------------------
# A log-ratio below this is float noise, not a base-favored token: the exact standard optimum
# equals the base beyond the horizon up to rounding (~1e-15).
FAVORED_TOL = 1e-9


def base_favored_tokens(model, aligned, top_k=100) -> np.ndarray:
    """Bach et al.'s base-favored tokens on the harmful path, (T, V) booleans: at position t
    (context x_1..x_{t-1} all harmful, the prefixes of a prefilling attack) the tokens with
    log pi_base - log pi_aligned > 0, the ``top_k`` largest (Bach: TopK(logits_base -
    logits_aligned), K = 100). Computed once from the base and aligned models, not the student."""
    top_k = _params.whole("top_k", top_k, 1, 100_000)
    base = base_logits(model)
    aligned = np.asarray(aligned, dtype=float)
    favored = np.zeros((model.T, model.n_tokens), dtype=bool)
    for t, s in enumerate(harmful_path(model)):
        log_base = base[t, s] - logsumexp(base[t, s])[0]
        log_aligned = aligned[t, s] - logsumexp(aligned[t, s])[0]
        with np.errstate(invalid="ignore"):  # -inf - -inf: a token neither model emits
            gap = np.where(np.isfinite(log_base), log_base - log_aligned, -np.inf)
        gap = np.nan_to_num(gap, nan=-np.inf)
        ranked = np.argsort(-gap, kind="stable")[:top_k]
        favored[t, ranked] = gap[ranked] > FAVORED_TOL
    return favored


def completion_weights(T: int, alpha=1.0, rise=1.0) -> np.ndarray:
    """alpha_t = alpha (1 + rise (t - 1)/(T - 1)) for t = 1..T: Bach's alpha_base (1 + gamma
    risk) with the risk level read as the relative position (0 at t = 1, 1 at t = T; Bach et al.
    locate the incomplete learning at later positions). T = 1: alpha."""
    alpha = _params.closed("alpha", alpha, 0.0, _params.MAX_WEIGHT)
    rise = _params.closed("rise", rise, 0.0, _params.MAX_WEIGHT)
    risk = np.arange(T, dtype=float) / max(T - 1, 1)
    return alpha * (1.0 + rise * risk)


def completion_loss(model, logits, favored, weights):
    """sum_t alpha_t sum_{v base-favored at t} pi_theta(v | x_1..x_{t-1} harmful)^2 and its
    gradient. The reading of Bach et al.'s "L2 penalty on detected tokens": the squared
    probability of each base-favored token, on the harmful contexts only. d/dz_j of pi_v^2 is
    2 pi_v^2 (1[v = j] - pi_j)."""
    grad = np.zeros_like(logits)
    value = 0.0
    for t, s in enumerate(_path(model)):
        if not favored[t].any():
            continue
        row = logits[t, s]
        pi = np.exp(row - logsumexp(row)[0])
        sq = np.where(favored[t], pi**2, 0.0)
        value += weights[t] * float(sq.sum())
        grad[t, s] += weights[t] * 2.0 * (sq - pi * sq.sum())
    return value, grad


def targeted_completion_objective(model, aligned, *, lam_teacher=1.2, tau=2.0, alpha=1.0,
                                  rise=1.0, top_k=100):
    """Bach et al.'s combined objective: :func:`distillation_loss` to the hybrid teacher (on the
    base model's contexts) + :func:`completion_loss` on the base-favored tokens of the harmful
    contexts, as ``(logits) -> (value, gradient)``."""
    distill = distillation_objective(model, aligned, lam_teacher, tau)
    favored = base_favored_tokens(model, aligned, top_k)
    weights = completion_weights(model.T, alpha, rise)

    def objective(logits):
        value, grad = distill(logits)
        c_value, c_grad = completion_loss(model, logits, favored, weights)
        return value + c_value, grad + c_grad

    return objective


def train_targeted_completion(model, aligned, *, lam_teacher=1.2, tau=2.0, alpha=1.0, rise=1.0,
                              top_k=100, steps=300, lr=1.0, record_every=10) -> MethodRun:
    """Bach et al.'s targeted completion (arXiv 2511.12155; seed 004) from ``aligned``: hybrid-
    teacher distillation plus the completion penalty on base-favored tokens. Where the aligned
    model equals the base (beyond the horizon, for the standard optimum) no token is
    base-favored and the teacher is the base: the method has nothing to act on there."""
    return _descend(model, "targeted_completion",
                    dict(lam_teacher=lam_teacher, tau=tau, alpha=alpha, rise=rise, top_k=top_k),
                    targeted_completion_objective(model, aligned, lam_teacher=lam_teacher,
                                                  tau=tau, alpha=alpha, rise=rise, top_k=top_k),
                    aligned, steps, lr, record_every)


# --- which recovery penalty matches a method ---------------------------------------------------
@dataclass(frozen=True)
class PenaltyFit:
    """The paper's penalty mu gamma^t whose exact deep optimum best matches a target recovery
    after L prefilled harmful tokens (least squares over ``lengths``)."""

    mu: float
    gamma: float
    rms: float  # root-mean-square difference of the recoveries at the optimum
    fitted: np.ndarray  # the deep optimum's prefill recovery for L = 0..T
    kl: np.ndarray  # KL_t of that deep optimum, t = 1..T (nats)
    total_kl: float  # their sum
    lengths: np.ndarray
    at_bound: tuple[str, ...]  # parameters that ended on a bound of the search
    unmoved: bool = False  # the best fit is its starting point: the data single nothing out


MU_RANGE = (1e-4, 1e4)
FIT_STARTS = [(np.log(m), g) for m in (0.1, 1.0, 10.0) for g in (0.5, 0.95)]
# Each evaluation is one exact deep optimum: the cap bounds the fit's cost whatever the data (the
# six starts took 200-900 on the toy presets; a start that would pass the cap is cut short).
MAX_FIT_EVALUATIONS = 900


def fit_deep_to_prefill(model, target, *, lam=1.0, beta=1.0, lengths=None,
                        max_evaluations=MAX_FIT_EVALUATIONS) -> PenaltyFit:
    """Fit (mu, gamma) of the deep objective (Definition 17) so that its exact optimum's
    recovery after L prefilled harmful tokens matches ``target[L]`` (e.g. a
    :attr:`MethodRun.prefill_recovery`) for L in ``lengths`` (default 1..T-1). Least squares in
    (log mu, gamma) with scipy, from a small grid of starts; mu in MU_RANGE, gamma in [0, 1].
    At most ``max_evaluations`` exact optima are solved (the Jacobian's included): later starts
    are then skipped and the last one cut short, keeping the best point reached."""
    target = np.asarray(target, dtype=float)
    if target.shape != (model.T + 1,) or not np.isfinite(target).all():
        raise ValueError(f"target must be {model.T + 1} finite recoveries (L = 0..T)")
    lengths = np.arange(1, model.T) if lengths is None else np.asarray(lengths, dtype=int)
    if lengths.size == 0:
        raise ValueError("nothing to fit: a model of length 1 has no prefix to recover after")
    used = [0]

    def recoveries(x):
        used[0] += 1
        logits = aligned_logits(model, lam, beta, float(np.exp(x[0])), float(x[1]))
        return prefill_recoveries(model, logits)

    def residual(x):
        return recoveries(x)[lengths] - target[lengths]

    lo, hi = np.log(MU_RANGE[0]), np.log(MU_RANGE[1])
    best = begun = None
    for start in FIT_STARTS:
        # nfev counts the residual's calls without the two of each numerical Jacobian
        left = (max_evaluations - used[0]) // 3
        if left < 1:
            break
        result = least_squares(residual, start, bounds=([lo, 0.0], [hi, 1.0]), xtol=1e-12,
                               ftol=1e-14, gtol=1e-14, max_nfev=left)
        if best is None or result.cost < best.cost:
            best, begun = result, np.asarray(start, dtype=float)
    mu, gamma = float(np.exp(best.x[0])), float(best.x[1])
    edges = [name for name, x, a, b in (("mu", best.x[0], lo, hi), ("gamma", best.x[1], 0, 1))
             if min(x - a, b - x) < 1e-6]
    logits = aligned_logits(model, lam, beta, mu, gamma)
    kl = kl_by_position(model, logits)
    return PenaltyFit(mu=mu, gamma=gamma, rms=float(np.sqrt(np.mean(best.fun**2))),
                      fitted=prefill_recoveries(model, logits), kl=kl, total_kl=float(kl.sum()),
                      lengths=lengths, at_bound=tuple(edges),
                      unmoved=bool(np.allclose(best.x, begun, rtol=0.0, atol=1e-9)))
