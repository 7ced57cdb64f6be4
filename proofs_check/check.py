"""`check_game`: the alignment conditions A0-A5 and the paper's statements for one game.

1. Build the game (entropy-regularised when tau is given) and its exact
   decomposition at numeric eta; the shaping field of the rule.
2. Every fixed point of v (a list that says whether it is complete); choose
   P and R (:mod:`eqselect.proofs_check.choice`).
3. mu and mu_M at P and R (exact at exact points, else enclosed).
4. A0-A5, then the statements (IFT shift, Weyl, certified radius, two-phase,
   N_0, speed-up, restarts, estimator lemma).
Every verdict says how it was certified; what cannot apply is a finding with
its reason, never a pass (docs/alignment.md).
"""

from __future__ import annotations

import sympy as sp

from eqselect.theory import (
    PAPER, Decomposition, Game, GameError, RegionKind, as_rule, entropy_regularized)
from eqselect.theory.exact import to_exact
from eqselect.theory.games.entropy import without_entropy
from eqselect.numerics.shaping import ShapingField, margins_at
from eqselect.proofs_check import adapter, geometry, rates
from eqselect.proofs_check.basin_entry import check_a3
from eqselect.proofs_check.choice import alternative, choose_candidates
from eqselect.proofs_check.local import boundary_margins, check_a0, check_a1, check_a2
from eqselect.proofs_check.persistence import check_a5, tau_paths
from eqselect.proofs_check.verdict import CheckResult, PointReport
from eqselect.proofs_check.welfare import check_a4


def _report(sf, c) -> PointReport:
    if c is None:
        return None
    base = dict(label=c.label, point=c.point, exact=c.exact, strategies=c.strategies,
                at_infinity=c.at_infinity, welfare=c.welfare if c.payoffs else None)
    if c.at_infinity:
        return PointReport(**base, mu=0.0, mu_M=0.0, certified="limit")
    face = boundary_margins(sf, c.exact)
    if face is not None:  # the face margins, as `eqselect equilibria` prints them
        return PointReport(**base, **{k: v for k, v in face.items() if k != "face"})
    m = margins_at(sf, c.point, c.exact)
    return PointReport(**base, mu=m.mu, mu_M=m.mu_M, exact_mu=m.exact_mu,
                       exact_mu_M=m.exact_mu_M, certified=m.certified,
                       enclosure_mu=m.enclosure_mu, enclosure_mu_M=m.enclosure_mu_M)


def _games(game: Game, tau):
    """(the checked game, its plain game, tau): substituted, regularised once."""
    if game.tau is not None:
        if tau is not None and to_exact(tau, "temperature tau") != game.tau:
            raise GameError(f"game {game.name!r} is already entropy-regularised "
                            f"(tau = {game.tau}); pass tau=None or the plain game")
        g = game.substitute()
        return g, without_entropy(g), g.tau
    base = game.substitute()
    return (entropy_regularized(base, tau) if tau is not None else base), base, tau


def _decomposition(g: Game, eta, shared: Decomposition | None) -> Decomposition:
    """The caller's decomposition when it is that of ``g`` at ``eta``; else a new one."""
    eta = to_exact(eta, "inner learning rate eta")
    if shared is None:
        return Decomposition(g, eta=eta)
    if shared.game != g or shared.eta != eta:
        raise GameError("check_game: the decomposition given is not that of the checked "
                        "game at this eta")
    return shared


def check_game(game: Game, rule="meta-mapg", *, eta=PAPER.eta, tau=None,
               preferred="payoff-dominant", lam_max=None, statements: bool = True,
               tau_high: float = 10.0, n_seeds: int | None = None,
               decomposition: Decomposition | None = None) -> CheckResult:
    """Decide A0-A5 and the paper's statements for ``game`` under ``rule``.

    Parameters
    ----------
    game : Game
        Payoff symbols are set to their defaults. An entropy-regularised game
        (``game.tau`` set) is checked at its own temperature.
    rule : Rule or method name
    eta : number
        Inner learning rate.
    tau : number or None
        Entropy temperature (the plain game is regularised first).
    preferred : str or int
        "payoff-dominant", "welfare", a profile ("C,C") or an index.
    lam_max : number or None
        Upper end of the lambda range (default 2 lambda).
    statements : bool
        Also check the paper's statements (the claims).
    tau_high : float
        Starting temperature of the QRE branches (tau > 0 only).
    n_seeds : int or None
        Newton seeds for the fixed points of v (None: 64 for up to two
        parameters or a regularised game, 16 otherwise).
    decomposition : Decomposition or None
        The caller's decomposition of the checked game (substituted,
        regularised) at ``eta``, used instead of deriving it again.

    Returns
    -------
    CheckResult
    """
    r = as_rule(rule)
    g, base, tau = _games(game, tau)
    dec = _decomposition(g, eta, decomposition)
    sf = ShapingField(dec, r)
    if n_seeds is None:  # seeded Newton costs grow with the dimension; QREs are finite
        n_seeds = 64 if len(g.parameters) <= 2 or g.tau is not None else 16
    fps = adapter.fixed_points(dec, "pg", 0, n_seeds=n_seeds)
    choice = choose_candidates(g, fps.points, preferred)
    Pc, Rc, notes = choice.P, choice.R, list(choice.notes)
    P, R = _report(sf, Pc), _report(sf, Rc)
    findings = list(notes)
    if not fps.complete:
        findings.append("the fixed-point list of v comes from seeded Newton and is not proven "
                        "complete: P and R are chosen from what was found")
    for who, x in (("P", P), ("R", R)):
        if x is not None and x.at_infinity:
            findings.append(f"{who} = pure profile {x.label} lies at infinity under "
                            f"{g.parameterization}: mu, mu_M -> 0 there; A1 and A2 read "
                            "its vertex in the direct closure where the rule allows it "
                            "(docs/alignment.md), the local statements need --param direct "
                            "or --tau > 0 where the quantities are finite")
    lam_max = float(2 * r.lam) if lam_max is None else float(lam_max)
    if P is None:
        return _without_p(g, r, dec, sf, fps, findings, statements)
    conditions = [check_a0(sf, fps.points), check_a1(sf, P), check_a2(sf, P, R),
                  check_a3(sf, fps.points, P, R), check_a4(sf), check_a5(sf, P, R, lam_max)]
    if tau is not None and to_exact(tau) > 0 and len(g.parameters) <= 2:
        conditions[5] = _with_tau(conditions[5], tau_paths(base, sf, P, R, tau, tau_high))
    claims = _claims(sf, r, P, g, lam_max) if statements else []
    return CheckResult(g.name, g.parameterization, {**r.to_json(), "eta": str(dec.eta)},
                       tuple(str(s) for s in g.parameters), P, R, tuple(conditions),
                       tuple(claims), tuple(findings), fps.complete, _ties(sf, choice))


def _ties(sf, choice) -> tuple:
    """A1 and A2 with each candidate tied for P taken as P (R chosen for it as for P)."""
    out = []
    for c in choice.ties:
        T, R = _report(sf, c), _report(sf, alternative(choice.candidates, c))
        out.append({"label": c.label, "point": T.point, "mu_M": T.mu_M,
                    "alternative": None if R is None else R.label,
                    "A1": check_a1(sf, T), "A2": check_a2(sf, T, R)})
    return tuple(out)


def _without_p(g, r, dec, sf, fps, findings, statements):
    """Only what needs no P: A0, A4 and the schedule check; the rest does not apply."""
    from eqselect.proofs_check.local import A1, A2
    from eqselect.proofs_check.basin_entry import A3
    from eqselect.proofs_check.persistence import A5
    from eqselect.proofs_check.verdict import not_applicable

    why = "v has no stable equilibrium to prefer: no P, so the condition does not apply"
    conditions = [check_a0(sf, fps.points), not_applicable("A1", A1, why),
                  not_applicable("A2", A2, why), not_applicable("A3", A3, why),
                  check_a4(sf), not_applicable("A5", A5, why)]
    claims = [rates.check_two_phase()] if statements else []
    return CheckResult(g.name, g.parameterization, {**r.to_json(), "eta": str(dec.eta)},
                       tuple(str(s) for s in g.parameters), None, None, tuple(conditions),
                       tuple(claims), tuple(findings), fps.complete)


def _with_tau(verdict, paths):
    from dataclasses import replace

    return replace(verdict, values={**verdict.values, "tau_branches": paths})


def _claims(sf, r, P, g, lam_max):
    lam = r.lam if sf.rule.uses_lam else sp.Integer(1)
    radius0 = geometry.check_radius(ShapingField(sf.dec, "pg"), P, 0,
                                    lambda x: margins_at(sf, x)) if not P.at_infinity else None
    radius = geometry.check_radius(sf, P, lam, lambda x: margins_at(sf, x))
    out = [geometry.check_ift(sf, P), geometry.check_weyl(sf, P, lam_max), radius,
           rates.check_two_phase(), rates.check_n0(radius, P, lam)]
    if radius0 is not None:
        out.append(rates.check_speedup(radius0, radius, lam, _first_hits(sf, lam, radius0,
                                                                          radius)))
    if radius.holds is True and g.region.kind is RegionKind.FREE:
        mass = adapter.basin_mass(sf.F(lam), sf.symbols, radius.values["phi*_lambda"],
                                  -3.0, 3.0, n=200, steps=1500)
        out.append(rates.check_restart(radius, mass, 200))
    est = _estimator(sf, g)
    if est is not None:
        out.append(est)
    return out


def _first_hits(sf, lam, r0, rl, n: int = 64):
    """First-hit steps under v and F_lambda from starts around P (certified radii only)."""
    if r0.holds is not True or rl.holds is not True:
        return None
    import numpy as np

    rho = min(r0.values["rho"], rl.values["rho"])
    c0, cl = np.asarray(r0.values["phi*_lambda"]), np.asarray(rl.values["phi*_lambda"])
    starts = c0 + np.random.default_rng(0).uniform(-1.0, 1.0, size=(n, len(c0)))
    return (adapter.first_hit_steps(sf.v, sf.symbols, starts, c0, rho),
            adapter.first_hit_steps(sf.F(lam), sf.symbols, starts, cl, rho))


def _estimator(sf, g):
    """The estimator lemma for one-shot 2x2 logit games without entropy."""
    if g.parameterization != "logit" or g.actions != (2, 2) or g.tau is not None:
        return None
    import numpy as np

    payoffs = np.array([[[float(x) for x in row] for row in t] for t in g.payoffs])
    fc = adapter.compiled_components(sf.dec)
    return rates.check_estimator(fc, [0.3, -0.4], payoffs, float(sf.dec.eta))
