"""Deepening methods as training objectives on the exact toy model (issue 16, beyond the paper).

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

The standard and deep objectives reuse :mod:`theory.toy.training`'s exact value and gradient
(:class:`training._Step`); the new terms are small functions ``(logits) -> (value, gradient)`` of
the same shape, added to it. The descent loop here is the plain one of :func:`training.train`
(tabular, logits -= lr * grad), written once for any such objective.

Positions are 1-indexed (index t - 1 is position t); KL in nats.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit, log_expit

from . import _params, training
from .attacks import continue_after, forced_state
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


def _log_prob_grad(logits_row: np.ndarray, tokens: np.ndarray):
    """log pi(tokens) = log sum_{v in tokens} pi(v) for one logit row, and its gradient
    1[v in tokens] pi(v) / pi(tokens) - pi(v)."""
    log_pi = logits_row - logsumexp(logits_row)
    pi = np.exp(log_pi)
    log_set = float(logsumexp(np.where(tokens, log_pi, -np.inf))[0])
    grad = np.where(tokens, np.exp(log_pi - log_set), 0.0) - pi
    return log_set, grad


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
    grad = np.zeros_like(logits)
    value = 0.0
    for k, weight in enumerate(augmentation_weights(K)):
        if weight == 0.0:
            continue
        s = forced_state(model, k)
        log_r, g = _log_prob_grad(logits[k, s], model.recovery)
        value -= weight * log_r
        grad[k, s] -= weight * g
    return value, grad


def harmful_path(model) -> list[int]:
    """States s_0..s_{T-1} along the all-harmful response (x_t = C for every t)."""
    return [forced_state(model, t) for t in range(model.T)]


def qi_betas(T: int, late: float = QI_BETA_LATE) -> np.ndarray:
    """Qi et al.'s schedule beta_1 = 0.5, beta_2..5 = 2, beta_t = ``late`` (0.1) for t > 5."""
    betas = np.full(T, float(late))
    n = min(T, len(QI_BETAS))
    betas[:n] = QI_BETAS[:n]
    return betas


def finetune_loss(model, logits: np.ndarray, aligned: np.ndarray, betas: np.ndarray | None):
    """Fine-tuning loss on the all-harmful response x = (C, ..., C), and its gradient.

    ``betas is None``: plain SFT, sum_t -log pi_theta(x_t | x_<t). Otherwise Qi et al.'s
    token-wise constrained loss sum_t -(2/beta_t) log sigmoid(beta_t Delta_t) with
    Delta_t = (log pi_theta - log pi_aligned)(x_t | x_<t) (arXiv 2406.05946, Section 4.2).
    d/dDelta_t = -2 sigmoid(-beta_t Delta_t): plain SFT's weight -1 at Delta_t = 0, fading once
    pi_theta(x_t) exceeds pi_aligned(x_t) by ~1/beta_t nats.
    """
    token = np.zeros(model.n_tokens, dtype=bool)
    token[model.harmful] = True
    grad = np.zeros_like(logits)
    value = 0.0
    for t, s in enumerate(harmful_path(model)):
        log_p, g = _log_prob_grad(logits[t, s], token)
        if betas is None:
            value -= log_p
            grad[t, s] -= g
        else:
            delta = log_p - (aligned[t, s, model.harmful] - logsumexp(aligned[t, s])[0])
            b = betas[t]
            value -= (2.0 / b) * float(log_expit(b * delta))
            grad[t, s] -= 2.0 * float(expit(-b * delta)) * g
    return value, grad


# --- the descent loop and the records ---------------------------------------------------------
def _summary(model, problem, logits):
    """(E[H], KL_t, on-policy recovery_t) of the policy at ``logits``."""
    point = training._Step(problem, logits)
    _, _, kl, recovery, harm, _, _ = point.record()
    return harm, kl, recovery


def prefill_recoveries(model, logits: np.ndarray) -> np.ndarray:
    """P(recovery in L+1..T | x_1..x_L forced harmful) for L = 0..T (Corollary 23's attack)."""
    pi = softmax(logits)
    cond = lambda t: pi[t - 1]  # noqa: E731
    return np.array([continue_after(model, cond, L)[1] for L in range(model.T + 1)])


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
