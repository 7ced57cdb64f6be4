"""Alignment on graphs: A1 and A2 at the consensus points, from sparse spectra.

P and R are the consensus profiles of a two-action network game: P the one
of highest welfare W = sum_i J_i (everyone at action a earns
sum_{j in N(i)} A_ij[a, a]), R the other. With J_M the Jacobian of the
shaping field M = own + peer (docs/theory.md section 3):

- A1: mu_M(P) = -lambda_max(sym J_M(P)) > 0;
- A2: mu_M(P) > mu_M(R).

Both margins are the top eigenvalue of a sparse symmetric matrix (ARPACK,
`eqselect.numerics.network.equilibria.spectrum`), so the verdicts are
floating point ("numerical"). Under the logit parameterisation the
consensus profiles lie at infinity, where every Jacobian vanishes; the
verdicts are then left undecided with that reason. A3 on graphs is
decided statistically (`a3_verdict` is where that check is called).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eqselect.numerics.network.equilibria import spectrum
from eqselect.numerics.network.jacobian import sparse_jacobian
from eqselect.proofs_check.verdict import Certified, Verdict, not_applicable

SHAPING = {"cur": 0.0, "own": 1.0, "peer": 1.0, "lookahead": 0.0}
A1 = r"\mu_M(P) = -\lambda_{\max}(\mathrm{sym}\, J_M(P)) > 0"
A2 = r"\mu_M(P) > \mu_M(R)"
A3 = r"\langle M(\phi), n_P(\phi) \rangle > 0 \text{ on } \Sigma"


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


def a3_verdict(field, rule, preferred: str, alternative: str) -> Verdict:
    """A3 on a graph game: the statistical basin-entry check is called here."""
    return not_applicable("A3", A3, "basin entry on a graph game is decided statistically "
                          "(sampled separatrix crossings); that check is not run for "
                          "network games by this command", P=preferred, R=alternative)


def check_network(field, rule) -> NetworkCheck:
    """A1, A2 (and the A3 call site) for a network field with two actions per agent.

    Examples
    --------
    >>> from eqselect.theory import Rule, builtin
    >>> from eqselect.theory.network import network_game, parse_graph
    >>> from eqselect.numerics.network.field import NetworkField
    >>> net = network_game(parse_graph("ring:6"), builtin("stag-hunt", "direct"), "direct")
    >>> [(v.id, v.holds) for v in check_network(NetworkField(net, 0.5), Rule("meta-mapg")).conditions]
    [('A1', False), ('A2', False), ('A3', None)]
    """
    welfare = consensus_welfare(field)
    order = sorted(welfare, key=lambda k: -welfare[k])
    p_name, r_name = order[0], order[1]
    if field.m != 2:
        reason = (f"A1 and A2 on graphs are checked for two actions per agent; this game "
                  f"has {field.m}")
        a1, a2 = (not_applicable(i, s, reason) for i, s in (("A1", A1), ("A2", A2)))
        return NetworkCheck(p_name, r_name, welfare, (a1, a2, a3_verdict(field, rule, p_name,
                                                                          r_name)))
    if field.net.parameterization != "direct":
        reason = ("under logit the consensus profiles lie at infinity, where J_M vanishes; "
                  "check the direct parameterisation (--param direct)")
        a1, a2 = (not_applicable(i, s, reason) for i, s in (("A1", A1), ("A2", A2)))
        return NetworkCheck(p_name, r_name, welfare, (a1, a2, a3_verdict(field, rule, p_name,
                                                                          r_name)))
    level = {name: 1.0 - a for a, name in enumerate(welfare)}  # action 0 <-> p = 1
    mu = {}
    for name in (p_name, r_name):
        J = sparse_jacobian(field, np.full(field.dim, level[name]), SHAPING)
        mu[name] = spectrum(J, k=1)[1]
    values = {"mu_M(P)": mu[p_name], "mu_M(R)": mu[r_name], "P": p_name, "R": r_name}
    a1 = Verdict("A1", A1, bool(mu[p_name] > 0), Certified.NUMERICAL, values,
                 {"route": "sparse spectrum of sym J_M (ARPACK)"})
    a2 = Verdict("A2", A2, bool(mu[p_name] > mu[r_name]), Certified.NUMERICAL, values,
                 {"route": "sparse spectra of sym J_M at P and R"})
    return NetworkCheck(p_name, r_name, welfare, (a1, a2, a3_verdict(field, rule, p_name,
                                                                      r_name)))
