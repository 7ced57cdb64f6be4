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

from dataclasses import dataclass, replace

import sympy as sp

from eqselect.theory import (
    PAPER, Decomposition, Game, GameError, RegionKind, Rule, as_rule, entropy_regularized)
from eqselect.theory.errors import EqselectError, OptionsError
from eqselect.theory.exact import to_exact
from eqselect.theory.validate import real
from eqselect.theory.games.entropy import without_entropy
from eqselect.theory.outcomes import parse_outcome
from eqselect.numerics.shaping import ShapingField, margins_at
from eqselect.proofs_check import adapter, geometry, rates
from eqselect.proofs_check.basin_entry import check_a3
from eqselect.proofs_check.choice import alternative, choose_candidates, no_p_reason
from eqselect.proofs_check.local import boundary_margins, check_a0, check_a1, check_a2
from eqselect.proofs_check.outcome_checks import (
    OutcomeChoice, choose_outcomes, outcome_report, outcome_verdicts)
from eqselect.proofs_check.paired_starts import SampleOptions
from eqselect.proofs_check.persistence import check_a5, tau_paths
from eqselect.proofs_check.verdict import Certified, CheckResult, PointReport
from eqselect.proofs_check.verdict_text import with_to_decide
from eqselect.proofs_check.welfare import check_a4


def point_report(sf, c) -> PointReport | None:
    """The `PointReport` of a chosen point ``c`` (P or R): its margins mu and mu_M
    under the shaping field ``sf``; None when nothing was chosen."""
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


@dataclass(frozen=True)
class CheckOptions:
    """What `check_game` is asked, beside the game and the rule.

    Attributes
    ----------
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
    sampling : SampleOptions or None
        The paired sample of starts the outcome route runs (A1, A2 at faces,
        statistical A3, A5 for outcomes, the selection effect) for games with
        policies; None: no sample, the point route only.
    """

    eta: object = PAPER.eta
    tau: object = None
    preferred: object = "payoff-dominant"
    lam_max: object = None
    statements: bool = True
    tau_high: float = 10.0
    n_seeds: int | None = None
    sampling: SampleOptions | None = SampleOptions()

    def __post_init__(self):
        if not isinstance(self.statements, bool):
            raise OptionsError(f"statements must be True or False, not {self.statements!r}")
        if not (isinstance(self.tau_high, (int, float)) and 0 < self.tau_high < float("inf")):
            raise OptionsError("tau_high must be a positive finite number, "
                               f"not {self.tau_high!r}")
        if self.lam_max is not None:
            real(self.lam_max, "lam_max (the upper end of the lambda range)", 0, strict=True)
        if self.n_seeds is not None and not (
                isinstance(self.n_seeds, int) and not isinstance(self.n_seeds, bool)
                and 1 <= self.n_seeds <= MAX_SEEDS):
            raise OptionsError(f"n_seeds must be an integer in [1, {MAX_SEEDS}], "
                               f"not {self.n_seeds!r}")
        if self.sampling is not None and not isinstance(self.sampling, SampleOptions):
            raise OptionsError(f"sampling must be SampleOptions or None, not {self.sampling!r}")


#: Newton seeds a check may ask for (each seed is a Newton run in the full dimension).
MAX_SEEDS = 10_000


def check_game(game: Game, rule="meta-mapg", options: CheckOptions | None = None, *,
               decomposition: Decomposition | None = None, **fields) -> CheckResult:
    """Decide A0-A5 and the paper's statements for ``game`` under ``rule``.

    Parameters
    ----------
    game : Game
        Payoff symbols are set to their defaults. An entropy-regularised game
        (``game.tau`` set) is checked at its own temperature.
    rule : Rule or method name
    options : CheckOptions or None
        eta, tau, the preferred equilibrium, the lambda range, ... (defaults:
        the paper's).
    decomposition : Decomposition or None
        The caller's decomposition of the checked game (substituted,
        regularised) at ``eta``, used instead of deriving it again.
    **fields
        Fields of `CheckOptions` given one by one (``eta=0.55, tau=0.25``).

    Returns
    -------
    CheckResult
    """
    o = replace(options or CheckOptions(), **fields)
    r = as_rule(rule)
    # exact, so that A5's exact route decides the closed range [0, 2 lambda] itself
    # (2 lambda = 80/297 is no float); the numerical checks take its float
    lam_range = 2 * r.lam if o.lam_max is None else to_exact(o.lam_max, "lam_max")
    lam_max = float(lam_range)
    if r.uses_lam and not lam_max > 0:  # A5 and the Weyl bound follow P over [0, lam_max]
        raise OptionsError(f"the lambda range [0, {lam_max:g}] of A5 is empty: give lambda > 0 "
                           "(the range is [0, 2 lambda]) or lam_max > 0")
    g, base, tau = _games(game, o.tau)
    dec = _decomposition(g, o.eta, decomposition)
    sf = ShapingField(dec, r)
    named = parse_outcome(g, o.preferred) if g.strategies else None  # bad input fails here
    fps, choice, findings = _candidates(g, dec, o, named is not None)
    outs = (choose_outcomes(g, o.preferred, choice) if g.strategies and o.sampling is not None
            else OutcomeChoice(None, None, False))
    if outs.notes:  # P is a named outcome: the point route's "no P" gives way to it
        findings = [f for f in findings if "there is no P to prefer" not in f] + list(outs.notes)
    if outs.named:
        return _on_outcomes(g, r, dec, sf, fps, findings, outs, lam_max, o)
    P, R = point_report(sf, choice.P), point_report(sf, choice.R)
    findings += _at_infinity_findings(g, P, R)
    if P is None:
        return _without_p(g, r, dec, sf, fps, findings, o.statements)
    conditions = [check_a0(sf, fps.points), check_a1(sf, P), check_a2(sf, P, R),
                  check_a3(sf, fps.points, P, R), check_a4(sf), check_a5(sf, P, R, lam_range)]
    if tau is not None and to_exact(tau) > 0 and len(g.parameters) <= 2:
        conditions[5] = _with_tau(conditions[5], tau_paths(base, sf, P, R, tau, o.tau_high))
    selection = None
    if outs.P is not None:
        conditions, selection, why, found = _undecided_on_outcomes(sf, conditions, outs,
                                                                   lam_max, o)
        findings += [why] if why else []
        if R is None and found is not None:
            R = found
            findings.append(f"v has no second stable candidate; R = {found.label} is the face "
                            "the flow of v reaches most often besides P (outcome route)")
    claims = _claims(sf, r, P, g, lam_max) if o.statements else []
    return CheckResult(g.name, g.parameterization, {**r.to_json(), "eta": str(dec.eta)},
                       tuple(str(s) for s in g.parameters), P, R,
                       tuple(map(with_to_decide, conditions)), tuple(map(with_to_decide, claims)),
                       tuple(findings), fps.complete, _ties(sf, choice), selection)


#: The conditions the outcome route decides, by their index in the conditions.
_ON_OUTCOMES = {1: "a1", 2: "a2", 3: "a3", 5: "a5"}


def _undecided_on_outcomes(sf, conditions, outs, lam_max, o):
    """Conditions the point route left undecided, decided on the outcomes' basins
    where that route decides them; the measured selection effect beside them."""
    try:
        ov = outcome_verdicts(sf, outs, lam_max, o.sampling)
    except EqselectError as exc:  # e.g. no basin map for an entropy game under direct
        return conditions, None, f"the outcome route was not run: {exc}", None
    out = list(conditions)
    for k, name in _ON_OUTCOMES.items():
        alt = getattr(ov, name)
        # an undecided statistical A3 says more (flips counted) than "not decidable here"
        if out[k].holds is None and (alt.holds is not None
                                     or alt.certified is Certified.STATISTICAL):
            out[k] = replace(alt, values={**alt.values, "point_route": out[k].reason})
    found = None
    if outs.R is None and ov.R is not None:
        found = outcome_report(ov.R, ov.margins.get("R"))
    return out, ov.selection, None, found


def _on_outcomes(g, r, dec, sf, fps, findings, outs, lam_max, o):
    """P and R named as outcomes: A1, A2, A3, A5 on their basins; A0 and A4 as ever;
    of the statements only the schedule's (the others need a finite P)."""
    ov = outcome_verdicts(sf, outs, lam_max, o.sampling)
    P = outcome_report(outs.P, ov.margins.get("P"))
    R = outcome_report(outs.R or ov.R, ov.margins.get("R"))
    conditions = [check_a0(sf, fps.points), ov.a1, ov.a2, ov.a3, check_a4(sf), ov.a5]
    claims = [rates.check_two_phase()] if o.statements else []
    return CheckResult(g.name, g.parameterization, {**r.to_json(), "eta": str(dec.eta)},
                       tuple(str(s) for s in g.parameters), P, R,
                       tuple(map(with_to_decide, conditions)), tuple(map(with_to_decide, claims)),
                       tuple(findings), fps.complete, (), ov.selection)


def _candidates(g: Game, dec: Decomposition, o: CheckOptions, named: bool = False):
    """Every fixed point of v, the choice of P and R among them, and the findings so far."""
    n_seeds = o.n_seeds
    if n_seeds is None:  # seeded Newton costs grow with the dimension; QREs are finite
        n_seeds = 64 if len(g.parameters) <= 2 or g.tau is not None else 16
    fps = adapter.fixed_points(dec, Rule("pg", lam=0), n_seeds=n_seeds)
    choice = choose_candidates(g, fps.points, "payoff-dominant" if named else o.preferred,
                               fps.complete)
    findings = list(choice.notes)
    if not fps.complete:
        findings.append("the fixed-point list of v comes from seeded Newton and is not proven "
                        "complete: P and R are chosen from what was found")
    return fps, choice, findings


def _at_infinity_findings(g: Game, P, R) -> list:
    return [f"{who} = pure profile {x.label} lies at infinity under "
            f"{g.parameterization}: mu, mu_M -> 0 there; A1 and A2 read "
            "its vertex in the direct closure where the rule allows it "
            "(docs/alignment.md), the local statements need --param direct "
            "or --tau > 0 where the quantities are finite"
            for who, x in (("P", P), ("R", R)) if x is not None and x.at_infinity]


def _ties(sf, choice) -> tuple:
    """A1 and A2 with each candidate tied for P taken as P (R chosen for it as for P)."""
    out = []
    for c in choice.ties:
        T, R = point_report(sf, c), point_report(sf, alternative(choice.candidates, c))
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

    why = no_p_reason(fps.complete)
    conditions = [check_a0(sf, fps.points), not_applicable("A1", A1, why),
                  not_applicable("A2", A2, why), not_applicable("A3", A3, why),
                  check_a4(sf), not_applicable("A5", A5, why)]
    claims = [rates.check_two_phase()] if statements else []
    return CheckResult(g.name, g.parameterization, {**r.to_json(), "eta": str(dec.eta)},
                       tuple(str(s) for s in g.parameters), None, None,
                       tuple(map(with_to_decide, conditions)), tuple(map(with_to_decide, claims)),
                       tuple(findings), fps.complete)


def _with_tau(verdict, paths):
    from dataclasses import replace

    return replace(verdict, values={**verdict.values, "tau_branches": paths})


def _claims(sf, r, P, g, lam_max):
    lam = r.lam if sf.rule.uses_lam else sp.Integer(1)
    radius0 = geometry.check_radius(ShapingField(sf.dec, Rule("pg")), P, 0,
                                    lambda x: margins_at(sf, x)) if not P.at_infinity else None
    radius = geometry.check_radius(sf, P, lam, lambda x: margins_at(sf, x))
    out = [geometry.check_ift(sf, P), geometry.check_weyl(sf, P, lam_max), radius,
           rates.check_two_phase(), rates.check_n0(radius, P, lam)]
    if radius0 is not None:
        out.append(rates.check_speedup(radius0, radius, lam, _first_hits(sf, lam, radius0,
                                                                          radius)))
    if radius.holds is True and g.region.kind is RegionKind.FREE:
        mass = adapter.basin_mass(sf.F(lam), sf.symbols, radius.values["phi*_lambda"],
                                  adapter.UniformStarts(-3.0, 3.0, n=200), steps=1500)
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
