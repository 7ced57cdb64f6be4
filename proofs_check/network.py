"""Alignment on graphs: A1 and A2 at the consensus points, A3 from paired starts.

P and R are the consensus profiles of a two-action network game: P the one
of highest welfare W = sum_i J_i (everyone at action a earns
sum_{j in N(i)} A_ij[a, a]), R the other. M = own + peer is the shaping
field (docs/theory.md section 3).

Under the direct parameterisation a consensus profile is a vertex of the
box [0, 1]^N, a 0-dimensional face: its margin is the face margin of the
two-player check, the smallest of M's normal-cone multipliers (M_i where
p_i = 1, -M_i where p_i = 0; `vertex_margin`), so that a graph of one edge
gives the two-player verdicts of its edge game:

- A1: mu_M(P) > 0;
- A2: mu_M(P) > mu_M(R).

Both are floating point ("numerical"). Under logit the consensus profiles
lie at infinity, where every Jacobian vanishes; A1 and A2 are then left
undecided with that reason. A3 is decided from paired starts (`a3_verdict`,
certified "statistical"; docs/alignment.md, "Statistical verdicts").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eqselect.proofs_check.basin_entry import A3
from eqselect.proofs_check.paired_starts import PairedSample, SampleOptions, sample_size
from eqselect.proofs_check.statistical_entry import default_delta, verdict_from
from eqselect.proofs_check.verdict import Certified, Verdict, not_applicable

SHAPING = {"cur": 0.0, "own": 1.0, "peer": 1.0, "lookahead": 0.0}
#: Paired starts of A3 on a graph game (`SampleOptions.n` sets another number).
DEFAULT_A3_STARTS = 2000
A1 = r"\mu_M(P) = -\lambda_{\max}(\mathrm{sym}\, J_M(P)) > 0"
A2 = r"\mu_M(P) > \mu_M(R)"


@dataclass(frozen=True)
class NetworkCheck:
    """The verdicts on a network game, with P and R named."""

    preferred: str
    alternative: str
    welfare: dict
    conditions: tuple

    def to_json(self) -> dict:
        return {"preferred": self.preferred, "alternative": self.alternative,
                "welfare": self.welfare,
                "conditions": [c.to_json() for c in self.conditions], "claims": []}


def consensus_welfare(field) -> dict:
    """W at each consensus profile: sum over directed edges of A_ij[a, a]."""
    names = field.net.action_names or tuple(str(a) for a in range(field.m))
    return {f"consensus {names[a]}": float(field.payoffs[:, a, a].sum())
            for a in range(field.m)}


def lambda_family(rule):
    """lambda -> the rule whose field is F_lambda = v + lambda M on a graph game.

    M = (own +) peer with unit weights (`SHAPING`), as `persistence.field_rule`
    defines it for normal-form games: the own coefficient moves with lambda
    when the rule weighs own. None for a rule without lambda."""
    if not rule.uses_lam:
        return None
    if rule.uses_own:
        return lambda lam: rule.with_(lam=lam, own_coef=lam)
    return lambda lam: rule.with_(lam=lam)


def vertex_margin(field, level: float) -> float:
    """mu_M at a consensus vertex of the direct box (every p_i = ``level``, 0 or 1).

    A vertex is a 0-dimensional face: the face Jacobian has no directions and
    the margin is the smallest of M's normal-cone multipliers, M_i at p_i = 1
    and -M_i at p_i = 0 (how hard M pushes each coordinate against its bound;
    the two-player check's face margin, docs/theory.md). On a single edge it
    equals the two-player margin of the edge game.
    """
    x = np.full(field.dim, level)
    M = field.combination(x[None, :], SHAPING)[0]
    return float(np.min(M if level == 1.0 else -M))


def a3_verdict(field, rule, preferred: str, alternative: str,
               options: SampleOptions | None = None) -> Verdict:
    """A3 on a graph game from paired starts (docs/alignment.md, "Statistical verdicts").

    The same random starts run under F_0 = v and F_delta = v + delta M; a start
    enters P's basin when it ends in P's consensus at delta and not at 0, and
    leaves it the other way. The net change over delta estimates the flux of M
    across the boundary of P's basin (`statistical_entry.verdict_from` gives
    the interval, the exact test and the verdict, certified "statistical").
    """
    from eqselect.numerics.dynamics.basins import run_basins
    from eqselect.numerics.dynamics.consensus import ConsensusJudge, action_shares
    from eqselect.numerics.dynamics.kernels.fused import available
    from eqselect.numerics.dynamics.starts import SampledStarts
    from eqselect.numerics.network.basins import NetworkBasinOptions, network_basin_problem
    from eqselect.theory.outcomes import Outcome

    at = lambda_family(rule)
    if at is None:
        return not_applicable("A3", A3, f"{rule.method.value} has no shaping coefficient "
                              "lambda, so F_lambda = v + lambda M cannot be run",
                              P=preferred, R=alternative)
    o = options or SampleOptions(n=DEFAULT_A3_STARTS)
    delta = float(o.delta) if o.delta is not None else default_delta(rule)
    names = list(consensus_welfare(field))
    p_action, r_action = names.index(preferred), names.index(alternative)
    kernel = o.kernel if o.kernel != "auto" else (
        "numba" if available() and field.m == 2 else "numpy")
    starts = SampledStarts(sample_size(field.net.frame, o), int(o.seed))
    judge = ConsensusJudge(p_action)
    in_P, in_R, final, notes = {}, {}, {}, []
    for lam in (0.0, delta):
        opts = NetworkBasinOptions(starts, int(o.steps), "paper", judge, kernel)
        bm = run_basins(network_basin_problem(field, at(lam), opts))
        acts = action_shares(field.net.frame, bm.final, judge.threshold)
        in_P[lam] = np.all(acts == p_action, axis=1)
        in_R[lam] = np.all(acts == r_action, axis=1)
        final[lam] = bm.final
        notes += [n for n in bm.notes if n not in notes]
    sample = PairedSample((0.0, delta), in_P, in_R, final, starts.n, o, tuple(notes))
    def consensus(name, action):
        return Outcome(name, "face", held=tuple((i, 0, action) for i in range(field.net.graph.n)),
                       threshold=judge.threshold)

    return verdict_from(sample, delta, consensus(preferred, p_action),
                        consensus(alternative, r_action))


def check_network(field, rule, options: SampleOptions | None = None) -> NetworkCheck:
    """A1, A2 and A3 for a network field with two actions per agent.

    Examples
    --------
    >>> from eqselect.theory import Rule, builtin
    >>> from eqselect.theory.network import network_game, parse_graph
    >>> from eqselect.numerics.network.field import NetworkField
    >>> net = network_game(parse_graph("ring:6"), builtin("stag-hunt", "direct"), "direct")
    >>> [(v.id, v.holds) for v in check_network(NetworkField(net, 0.5), Rule("meta-mapg")).conditions]
    [('A1', True), ('A2', True), ('A3', True)]
    """
    welfare = consensus_welfare(field)
    order = sorted(welfare, key=lambda k: -welfare[k])
    p_name, r_name = order[0], order[1]
    if field.m != 2:
        reason = (f"A1 and A2 on graphs are checked for two actions per agent; this game "
                  f"has {field.m}")
        a1, a2 = (not_applicable(i, s, reason) for i, s in (("A1", A1), ("A2", A2)))
        return NetworkCheck(p_name, r_name, welfare, (a1, a2, a3_verdict(field, rule, p_name,
                                                                          r_name, options)))
    if field.net.parameterization != "direct":
        reason = ("under logit the consensus profiles lie at infinity, where J_M vanishes; "
                  "check the direct parameterisation (--param direct)")
        a1, a2 = (not_applicable(i, s, reason) for i, s in (("A1", A1), ("A2", A2)))
        return NetworkCheck(p_name, r_name, welfare, (a1, a2, a3_verdict(field, rule, p_name,
                                                                          r_name, options)))
    mu = {name: vertex_margin(field, 1.0 - a) for a, name in enumerate(welfare)}
    values = {"mu_M(P)": mu[p_name], "mu_M(R)": mu[r_name], "P": p_name, "R": r_name}
    route = {"route": "face margin at a vertex: M's normal-cone multipliers (docs/theory.md)"}
    a1 = Verdict("A1", A1, bool(mu[p_name] > 0), Certified.NUMERICAL, values, route)
    a2 = Verdict("A2", A2, bool(mu[p_name] > mu[r_name]), Certified.NUMERICAL, values, route)
    return NetworkCheck(p_name, r_name, welfare, (a1, a2, a3_verdict(field, rule, p_name,
                                                                      r_name, options)))
