"""Fused basin kernels for the IPD on its Markov chain instead of its closed form.

For the discounted memory-one IPD (a game whose ``structure`` is the
`eqselect.theory.games.ipd.MarkovChain`, logit or direct, no entropy term)
and every rule whose field is a fixed combination of cur, own, peer,
look-ahead and self look-ahead (pg, meta-pg, peer-only, meta-mapg,
meta-mapg-exact, lookahead, lola, lola-foerster), the fused kernel's field
is `eqselect.numerics.sources.chain_field.chain_terms`: the 4 x 4 inverse
of the chain and Hessian-vector products on it, some 1 000 operations a
step instead of the closed form's 12 000. The loop around it (schedule,
clip or box, annealing, success test) is the generic kernel's
(`eqselect.numerics.dynamics.kernels.source`); the field lines are

    th = p;  chain_terms(th, out, ws, q)
    u_j = out_j + w_peer(lambda) out_{10+j}     (w_peer(0), w_peer(1) when annealed)

with q the kernel's run-time values (`chain_values`): the chain's gamma and
rewards, the rule's eta c_own, eta c_la and eta, and the peer weights. The
compiled kernel therefore serves every eta, lambda, own coefficient and
payoff: a second eta costs no compilation. `chain_kernel` returns None for
any other game or rule, which then keeps the generic kernel; the numpy
backend stays the closed-form reference.

The disk-cache key covers the text of ``chain_field.py`` (numba's cache of
a kernel does not see changes in the functions it calls), the schedule, the
annealing, the region and the predicate, and none of the values.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from eqselect.theory import PAPER, RegionKind, Rule
from eqselect.theory.engine import to_engine
from eqselect.theory.games.ipd import MarkovChain
from eqselect.theory.parameterizations import Parameterization, policy
from eqselect.numerics.rule_argument import require_rule
from eqselect.numerics.sources import chain_layout
from eqselect.numerics.dynamics.kernels.cache import cached_kernel
from eqselect.numerics.dynamics.kernels.codegen import coordinate, success_test
from eqselect.numerics.dynamics.kernels.source import (
    _JIT, _loop, _Parts, _projection, annealing_code, module_tail, schedule_code)

__all__ = ["chain_constants", "chain_game", "chain_kernel", "chain_rule_field", "chain_source",
           "chain_values", "chain_weights"]

#: Bumped whenever the generated text's form changes.
CHAIN_FORMAT = "eqselect-chain-kernel-5"
_D = chain_layout.AGENTS * chain_layout.STATES


def _is_number(x) -> bool:
    """Whether x is a Python or sympy number (no symbols)."""
    return isinstance(x, (int, float)) or bool(getattr(x, "is_number", False))


def chain_game(game) -> MarkovChain | None:
    """The game's chain if `chain_field` computes its field, else None.

    The game must be the discounted memory-one IPD as `ipd` builds it:
    numeric gamma and rewards, no entropy term, ten parameters and
    pi_i(C | s) = sigma(theta_{i,s}) (logit) or theta_{i,s} (direct).
    """
    chain = getattr(game, "structure", None)
    if not isinstance(chain, MarkovChain) or chain.horizon is not None or game.tau is not None:
        return None
    kind = game.parameterization
    if kind not in ("logit", "direct") or len(game.parameters) != _D:
        return None
    numbers = [chain.gamma, *chain.rewards[0], *chain.rewards[1]]
    if not all(_is_number(x) for x in numbers):
        return None
    par = Parameterization.parse(kind)
    for block, coop in zip(game.agents, chain.coop):
        if len(block) != chain_layout.STATES or any(
                c != policy(par, [t], 2)[0] for t, c in zip(block, coop)):
            return None
    return chain


#: The terms `chain_field` computes.
CHAIN_TERMS = ("cur", "own", "peer", "lookahead", "self_lookahead")


def chain_weights(rule: Rule) -> tuple | None:
    """(c_own + c_sla, c_la, peer weight at lambda = 0, at lambda = 1, at lambda), or None.

    None for rules `chain_field` does not compute: SOS (adaptive weight),
    SGA, consensus, EG, CGD, LSS, HOLA (terms beyond `CHAIN_TERMS`), symbolic
    coefficients, or own / look-ahead weights that move with lambda.
    Hess_{ii} J_i is symmetric, so the self look-ahead equals own.
    """
    r = require_rule(rule, "chain_weights")
    if r.spec.adaptive:
        return None
    at = [r.with_(lam=lam).coefficients for lam in (0, 1)] + [r.coefficients]
    if any(v != 0 for c in at for k, v in c.items() if k not in CHAIN_TERMS):
        return None
    own = [c["own"] + c.get("self_lookahead", 0) for c in at]
    la = [c["lookahead"] for c in at]
    peer = [c["peer"] for c in at]
    if not all(_is_number(x) for x in own + la + peer):
        return None
    if len(set(own)) > 1 or len(set(la)) > 1:
        return None
    return float(own[0]), float(la[0]), float(peer[0]), float(peer[1]), float(peer[2])


def chain_constants(chain: MarkovChain, logit: bool, eta, weights) -> np.ndarray:
    """The constants array C of `chain_field.chain_terms`."""
    C = np.zeros(chain_layout.N_CONST)
    C[chain_layout.GAMMA] = float(chain.gamma)
    C[chain_layout.REWARDS:chain_layout.REWARDS + 4] = [float(x) for x in chain.rewards[0]]
    C[chain_layout.REWARDS + 4:chain_layout.LOGIT] = [float(x) for x in chain.rewards[1]]
    C[chain_layout.LOGIT] = 1.0 if logit else 0.0
    eta = float(eta)
    C[chain_layout.OWN], C[chain_layout.LA] = eta * weights[0], eta * weights[1]
    C[chain_layout.PEER] = eta if any(weights[2:]) else 0.0
    return C


#: Where the run-time values put the peer weights: after the chain's constants.
W0, W1, W = chain_layout.N_CONST, chain_layout.N_CONST + 1, chain_layout.N_CONST + 2


def chain_values(chain: MarkovChain, logit: bool, eta, weights) -> np.ndarray:
    """The run-time values ``q`` of a chain kernel: `chain_constants`, then the
    peer weights at lambda = 0, at lambda = 1 and at lambda (`W0`, `W1`, `W`)."""
    return np.concatenate([chain_constants(chain, logit, eta, weights),
                           np.array(weights[2:], dtype=float)])


def chain_source(annealed: bool, schedule, annealing, region, coop=None,
                 threshold: float = PAPER.success) -> str:
    """The text of a kernel module whose field is `chain_field.chain_terms`.

    Parameters are those of `eqselect.numerics.dynamics.kernels.source.
    kernel_source`, with the field read from the run-time values ``q``
    (`chain_values`: the chain's gamma and rewards, eta times the rule's
    coefficients, the peer weights), so one compiled kernel serves every
    eta, lambda, own coefficient and payoff; ``coop`` are the success
    coordinates in the game's parameters, renamed by the caller to
    `coordinate` symbols.
    """
    params = [coordinate(i) for i in range(_D)]
    s_lines, s_test, s_used = success_test(coop, params, float(threshold))
    lr_code, clip = schedule_code(schedule)
    lines = [f"_th[{j}] = _p{j}" for j in range(_D)] + ["chain_terms(_th, _out, _ws, q)"]
    for j in range(_D):
        peer = f"_out[{_D + j}]"
        if annealed:
            lines += [f"_u{j} = _out[{j}] + _q{W0} * {peer}",
                      f"_v{j} = _out[{j}] + _q{W1} * {peer}"]
        else:
            lines.append(f"_u{j} = _out[{j}] + _q{W} * {peer}")
    parts = _Parts(_D, W + 1, annealed, lines, set(), 1, s_lines, s_test, s_used,
                   _projection(region, clip, _D), False, work=("_th", "_out", "_ws"),
                   start_lines=(f"for _j in range({chain_layout.WORK}):", "    _ws[_j] = 0.0"))
    work = ((_D, "float64"), (2 * _D, "float64"), (chain_layout.WORK, "float64"))
    imports = ["from eqselect.numerics.sources.chain_field import chain_terms",
               "globals()['chain_terms'] = chain_terms"]
    return "\n".join([
        "import math", "import numpy as np", "",
        "from eqselect.numerics.dynamics.kernels.entry import KernelEntry", "",
        f"WORK = {work!r}", lr_code, annealing_code(annealing), _loop(parts),
        module_tail(imports, _JIT[:-1] + ", _nrt=False)")])


def _field_digest() -> str:
    """SHA-256 of the chain field's source (read beside its layout: importing it
    would import numba)."""
    here = Path(chain_layout.__file__)
    return hashlib.sha256(here.with_name("chain_field.py").read_bytes()
                          + here.read_bytes()).hexdigest()


def chain_kernel(problem, sched, with_success: bool, threshold: float = PAPER.success):
    """(kernel module, run-time values) of a basin problem, or None when it does not qualify.

    The module depends on the schedule, the annealing, the region and the
    predicate only: eta, the rule's coefficients and the chain's payoffs and
    discount are its run-time values (`chain_values`), so a new eta or
    lambda reuses the compiled kernel.

    Parameters
    ----------
    problem : BasinProblem
    sched : PaperSchedule or ConstantSchedule
    with_success : bool
        Compile the paper's success predicate in.
    threshold : float
    """
    game, rule = problem.game, problem.rule
    chain, weights = chain_game(game), chain_weights(rule)
    if chain is None or weights is None or not _is_number(problem.dec.eta):
        return None
    if game.region.kind not in (RegionKind.BOX, RegionKind.FREE):
        return None
    values = chain_values(chain, game.parameterization == "logit", problem.dec.eta, weights)
    annealed = rule.annealing is not None
    ren = {to_engine(s): coordinate(i) for i, s in enumerate(game.parameters)}
    coop = ([to_engine(s[0]).xreplace(ren) for s in game.strategies] if with_success
            else None)
    spec = "\n".join([
        CHAIN_FORMAT, _field_digest(), repr(annealed), schedule_code(sched)[0],
        repr(schedule_code(sched)[1]), annealing_code(rule.annealing), str(game.region.kind),
        repr([str(c) for c in coop or []]), repr(with_success), repr(float(threshold))])
    module = cached_kernel(spec, lambda: chain_source(
        annealed, sched, rule.annealing, game.region, coop, threshold))
    return module, values


def chain_rule_field(problem):
    """The rule's field on the chain as a vectorised `RuleField`, or None.

    For the phases of a basin map that step many starts from Python (the
    cycle test after the run, the probe of the field at the end points)
    when the compiled kernel runs the dynamics: the same field as the
    kernel's, evaluated by `chain_field.chain_batch` over the cores, in
    place of the closed form (some 12 000 operations a point). None for
    an annealed rule or one the chain does not compute (the caller keeps
    the closed form).
    """
    from eqselect.numerics.sources.fields import RuleField

    game, rule = problem.game, problem.rule
    chain, weights = chain_game(game), chain_weights(rule)
    if (chain is None or weights is None or rule.annealing is not None
            or not _is_number(problem.dec.eta)):
        return None
    from eqselect.numerics.sources import chain_field  # numba: only for a chain game

    C = chain_constants(chain, game.parameterization == "logit", problem.dec.eta, weights)

    def field(x):
        x = np.ascontiguousarray(np.atleast_2d(x), dtype=float)
        out = np.empty_like(x)
        chain_field.chain_batch(x, C, weights[4], out)
        return out

    return RuleField(field, False, float(rule.lam))
