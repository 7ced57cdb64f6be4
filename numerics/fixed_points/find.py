"""Every fixed point of a learning field: one entry point, an ordered table of routes.

- Direct parameterisation (box / simplex): the projected dynamics' fixed
  points face by face, exactly (`eqselect.numerics.fixed_points.exact_faces`),
  under a time budget; the list is complete.
- Direct parameterisation with an entropy term: interior roots by Newton
  in softmax coordinates (`eqselect.numerics.fixed_points.newton.entropy_interior`).
- Logit and softmax with two parameters: resultants and certified real-root
  isolation (`eqselect.numerics.fixed_points.resultants.two_parameter`,
  complete, with its certificate).
- Logit with two parameters and algebraic payoffs (sqrt(2), 2^(1/3)):
  the resultants normed to integer coefficients, each candidate decided by
  interval arithmetic (`eqselect.numerics.fixed_points.resultants.algebraic_payoffs`,
  complete when every candidate is decided); with a transcendental payoff the
  Newton points are each proven by the Krawczyk test
  (`eqselect.numerics.fixed_points.certify.krawczyk`).
- PG (and cur + k peer) under logit with an entropy term (one-state, two
  actions per agent): every zero lies in a box given by the entropy term's
  asymptotics, which is subdivided until each piece is excluded or proven to
  hold one zero (`eqselect.numerics.fixed_points.exclusion.entropy_logit`,
  complete when every piece is settled).
- PG under logit and softmax: the interior fixed points are the totally
  mixed Nash equilibria, solved exactly on the direct parameterisation's
  faces (`eqselect.numerics.fixed_points.nash.totally_mixed`, complete).
- Logit, softmax and continuous parameters otherwise (or where the
  resultant route refuses): exact solving of F = 0 where sympy decides it
  completely within the budget (then the list of finite fixed points is
  complete), otherwise mpmath Newton with deflation from
  many seeds (`eqselect.numerics.fixed_points.newton.multistart`), which can miss
  roots: the result then says how many seeds were tried and how they were drawn.

SGA, CGD and LSS (free regions) come first: their zeros are PG's where a
matrix is invertible (`eqselect.numerics.fixed_points.adaptive.from_pg`); SOS's
are LookAhead's filtered (`eqselect.numerics.fixed_points.adaptive.sos`).

`ROUTES` lists them in this order; each `RouteEntry` says which problems it
applies to and returns a `RouteResult`. `find_equilibria` takes the first
complete answer; a route that gives way leaves its reason in the notes, an
earlier partial list is preferred to the Newton fallback, and Newton's list
says which exact routes it replaces. Each `Equilibrium` says which route
found it (``route``); the `EquilibriumSet` says which route ran (a
`SetRoute`), whether the list is proven complete, and carries every note of
the search.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eqselect.theory import Decomposition, GameError, Method, RegionKind
from eqselect.theory.budget import DEFAULT_BUDGET
from eqselect.theory.serialize import Record

from eqselect.numerics.fixed_points.components import group_components
from eqselect.numerics.fixed_points.core.record import Equilibrium, Stability
from eqselect.numerics.fixed_points.core.routes import (FixedPointProblem, RouteEntry,
                                                       RouteResult, RouteStatus,
                                                       SearchOptions, SetRoute)
from eqselect.numerics.fixed_points.infinity.pure_profiles import (pure_profiles_at_infinity,
                                                                   saturating)
from eqselect.numerics.fixed_points.nash import totally_mixed
from eqselect.numerics.fixed_points.newton.entropy_interior import has_entropy
from eqselect.numerics.fixed_points.resultants import algebraic_payoffs
from eqselect.theory.rules import Rule
from eqselect.numerics.rule_argument import require_rule


@dataclass(frozen=True)
class EquilibriumSet(Record):
    """The fixed points of one field, with how the search went.

    Attributes
    ----------
    equilibria : list of Equilibrium
    method : str
    lam, own_coef : float
    complete : bool
        True when the route is exhaustive (exact face-by-face solving, exact
        solving of F = 0); False for seeded Newton, which can miss roots.
    notes : list of str
        Failures and warnings of the search (seeds that did not converge,
        continua of fixed points, a budget that ran out).
    route : SetRoute
        Which route produced the list (`SetRoute`: its value is the string
        printed, e.g. "exact-faces", "resultant", "newton";
        ``TIME_BUDGET`` when a caller's budget stopped the search before any
        route finished).
    seeds : int
        Newton starting points tried (0 for an exact route).
    sampling : str
        How the seeds were drawn ("" for an exact route).
    at_infinity : list of Equilibrium
        Under logit / softmax: the pure profiles that are fixed points at
        infinity (route AT_INFINITY; `pure_profiles_at_infinity`), not
        counted in ``equilibria``.
    certificate : dict or None
        For route "resultant": the square-free resultants in u_i =
        exp(theta_i) (integer coefficients, low degree first) and the
        certified isolating intervals of their positive roots; for
        "resultant-algebraic" the square-free norms likewise, plus
        ``algebraic_numbers`` and ``candidates`` (the decision per pair).
    components : list of Component
        Direct parameterisation, affine field: each connected set of fixed
        points made of continua (`eqselect.numerics.fixed_points.components`):
        its exact extreme points (for PG, pygambit's extreme equilibria) also
        as strategies, the largest dimension of its pieces, and the agents
        whose strategy varies over it (several best responses). A point's
        ``component`` indexes this list.
    incomplete_reason : str
        Why the list is not proven complete: the answering route's reason,
        and the reasons of the routes that gave way before it; "" when
        complete.
    """

    equilibria: list
    method: str
    lam: float
    own_coef: float
    complete: bool
    notes: list = field(default_factory=list)
    route: SetRoute = SetRoute.EXACT_FACES
    seeds: int = 0
    sampling: str = ""
    at_infinity: list = field(default_factory=list)
    certificate: dict | None = None
    components: list = field(default_factory=list)
    incomplete_reason: str = ""

    def __post_init__(self):
        object.__setattr__(self, "route", SetRoute(self.route))


def find_equilibria(dec: Decomposition, rule: Rule = Rule(), seed: int = 0,
                    n_seeds: int | None = None,
                    budget: float = DEFAULT_BUDGET) -> EquilibriumSet:
    """All fixed points of ``rule``'s field for the decomposition's game.

    Parameters
    ----------
    dec : Decomposition
        With numeric eta and payoffs (``Decomposition(game.substitute(), eta=...)``).
    rule : Rule
        Method and exact coefficients (`eqselect.theory.rules.resolve` makes
        one from what a user typed).
    seed, n_seeds : int
        numpy seed and size of the Newton route's Latin hypercube (default
        size grows with the dimension: ``default_seed_count``).
    budget : float
        Wall-clock seconds for each exact route; past it the exact solve of
        F = 0 falls back to Newton (labelled), and the face-by-face search
        of the direct parameterisation is refused.

    Raises
    ------
    GameError
        When payoff symbols or eta are left symbolic, or the face-by-face
        search runs out of budget.
    """
    # read from the symengine values the decomposition holds (no walk of the sympy trees)
    free = {str(s) for v in dec.values_engine() for s in v.free_symbols} - \
        {s.name for s in dec.game.parameters}
    if free or not dec.eta.is_number:
        names = sorted(free | ({str(dec.eta)} if not dec.eta.is_number else set()))
        raise GameError(f"fixed points need numbers for {', '.join(names)}")
    problem = FixedPointProblem(dec, require_rule(rule, "find_equilibria"),
                                SearchOptions(seed, n_seeds, budget))
    return solve(problem)


def solve(problem: FixedPointProblem, routes=None) -> EquilibriumSet:
    """Walk the route table (default `ROUTES`): the first complete answer, else the fallback.

    A route that does not apply is skipped silently; one that gives way
    leaves ``"label: reason"`` for the notes. A partial list is kept and
    returned when the table reaches the fallback (Newton) or its end.
    """
    reasons, partial = [], None
    for entry in ROUTES if routes is None else routes:
        if not entry.applies(problem):
            continue
        if entry.fallback and partial is not None:
            break
        result = entry.run(problem)
        if result.complete:
            return _assemble(problem, result, after=_gave_way(entry, reasons))
        if result.found and entry.fallback:
            return _assemble(problem, result, before=[_fallback_note(result, reasons)],
                             gave_way=reasons)
        if result.found and partial is None:
            partial = result
        if result.status is not RouteStatus.NOT_APPLICABLE:
            reasons.append((entry.label, result.reason))
    if partial is None:
        raise GameError(f"no fixed-point route answers for {problem.dec.game.name!r} "
                        f"({'; '.join(r for _, r in reasons) or 'none applies'})")
    return _assemble(problem, partial, gave_way=[x for x in reasons if x[1] != partial.reason])


def _assemble(problem, result: RouteResult, before=(), after=(), gave_way=()) -> EquilibriumSet:
    """The set of one route's answer: notes, fixed points at infinity, components."""
    r, game = problem.rule, problem.dec.game
    points, components = list(result.points), []
    if any(e.extreme_points for e in points):
        points, components = group_components(points, game)
    infinite = result.at_infinity
    if infinite is None:
        infinite = () if _box(problem) else pure_profiles_at_infinity(problem.dec, r)
    notes = [*before, *result.notes, *after]
    if not result.complete and points and _vanishes(problem, points):
        notes.insert(0, f"the field of {r.method.value} vanishes identically for this game: "
                        "every point is a fixed point (the whole region is one continuum); "
                        "the points listed are where the search's seeds landed")
    why = "" if result.complete else "; ".join(_named([*gave_way, ("", result.reason)]))
    return EquilibriumSet(points, r.method.value, float(r.lam), float(r.own_coef),
                          result.complete, notes, result.route, result.seeds, result.sampling,
                          list(infinite), result.certificate, components, why)


def _vanishes(problem, points) -> bool:
    """Whether the rule's field is identically 0 (every payoff equal, for instance),
    asked only when every point a search found is degenerate."""
    if any(e.stability is not Stability.DEGENERATE for e in points):
        return False
    try:
        F = problem.dec.field(problem.rule)
    except GameError:  # a rule with no closed form here: not decided, not claimed
        return False
    return all(e == 0 for e in F)


def _gave_way(entry, reasons) -> list:
    """The entry's note that it answered after other routes gave way (if it has one)."""
    if not entry.after_others or not reasons:
        return []
    return [entry.after_others.format(reasons="; ".join(_named(reasons)))]


def _fallback_note(result, reasons) -> str:
    bare = [why for label, why in reasons if not label]
    why = "; ".join(bare + _named([(lb, w) for lb, w in reasons if lb]))
    return (f"exact route not used ({why}); fell back to Newton with deflation from "
            f"{result.seeds} seed(s), {result.sampling}: the list may be incomplete")


def _named(reasons) -> list:
    return [f"{label}: {why}" if label else why for label, why in reasons if why]


# -- the routes --------------------------------------------------------------------
def _box(p) -> bool:
    return p.dec.game.region.kind in (RegionKind.BOX, RegionKind.SIMPLEX)


#: Rules whose fixed points are PG's where a matrix is invertible (`adaptive.from_pg`);
#: on free regions no other route runs for them (LSS's field has poles where det H = 0).
FROM_PG = (Method.SGA, Method.CGD, Method.LSS)


def _free(p) -> bool:
    return not _box(p) and not p.rule.spec.adaptive and p.rule.method not in FROM_PG


def _two_logits(p) -> bool:
    return _free(p) and len(p.dec.game.parameters) == 2 and saturating(p.dec.game)


def _entropy_logit(p) -> RouteResult:
    """Logit with entropy: every zero confined to a box and found by exclusion."""
    from eqselect.numerics.fixed_points.exclusion.entropy_logit import entropy_logit_attempt

    res = entropy_logit_attempt(p.dec, p.rule, budget=max(4 * p.options.budget, 10.0))
    if res.equilibria is None:
        return RouteResult(SetRoute.ENTROPY_EXCLUSION, RouteStatus.UNDECIDED,
                           reason=f"does not apply: {res.reason}")
    status = RouteStatus.COMPLETE if res.complete else RouteStatus.PARTIAL
    return RouteResult(SetRoute.ENTROPY_EXCLUSION, status, tuple(res.equilibria), res.reason,
                       tuple(res.notes), res.certificate)


def _sos(p) -> RouteResult:
    from eqselect.numerics.fixed_points.adaptive.sos import sos_fixed_points

    o = p.options
    return sos_fixed_points(p.dec, p.rule, find_equilibria, seed=o.seed, n_seeds=o.n_seeds,
                            budget=o.budget)


def _from_pg(p) -> RouteResult:
    from eqselect.numerics.fixed_points.adaptive.from_pg import from_pg_fixed_points

    o = p.options
    return from_pg_fixed_points(p.dec, p.rule, find_equilibria, seed=o.seed,
                                n_seeds=o.n_seeds, budget=o.budget)


def _entropy_interior(p) -> RouteResult:
    """Entropy-regularised direct fields: interior Newton points, each interval-certified."""
    from eqselect.numerics.fixed_points.certify.krawczyk import certify_points
    from eqselect.numerics.fixed_points.newton.entropy_interior import interior_fixed_points

    result = interior_fixed_points(p.dec, p.rule, n_seeds=p.options.n_seeds, seed=p.options.seed)
    notes = list(result.notes)
    if result.failures:
        notes.append(f"{result.failures} candidate(s) did not polish")
    points, proven = certify_points(p.dec, p.rule, list(result.equilibria))
    if points:
        notes.append(f"{proven} of {len(points)} interior point(s) interval-certified "
                     "(Krawczyk test on the field's arb enclosure, rigorous for the "
                     "entropy term's logarithms)")
    return RouteResult(SetRoute.NEWTON_INTERIOR, RouteStatus.PARTIAL, tuple(points),
                       "seeded Newton", tuple(notes), seeds=result.seeds,
                       sampling=result.sampling)


def _exact_faces(p) -> RouteResult:
    from eqselect.numerics.fixed_points.exact_faces.projected import projected_fixed_points

    points = projected_fixed_points(p.dec, p.rule, budget=p.options.budget)
    notes = tuple(sorted({n for e in points for n in e.notes}))
    return RouteResult(SetRoute.EXACT_FACES, RouteStatus.COMPLETE, tuple(points), notes=notes)


def _resultant(p) -> RouteResult:
    from eqselect.numerics.fixed_points.resultants.two_parameter import resultant_attempt

    return resultant_attempt(p.dec, p.rule, budget=p.options.budget)


def _exact_solve(p) -> RouteResult:
    from eqselect.numerics.fixed_points.exact_faces.sympy_solve import exact_attempt

    return exact_attempt(p.dec, p.rule, budget=p.options.budget)


def _newton(p) -> RouteResult:
    """Deflated Newton (the fallback); with a transcendental payoff each point is proven."""
    from eqselect.numerics.fixed_points.newton.multistart import NewtonOptions, newton_fixed_points

    result = newton_fixed_points(p.dec, p.rule, options=NewtonOptions(
        n_seeds=p.options.n_seeds, seed=p.options.seed))
    notes = list(result.notes)
    singular = [e for e in result.equilibria if e.stability is Stability.DEGENERATE]
    if len(singular) > 1:
        notes.append(f"{len(singular)} degenerate points with a singular Jacobian: the field "
                     "has a continuum of fixed points and these are samples of it")
    found = RouteResult(SetRoute.NEWTON, RouteStatus.PARTIAL, tuple(result.equilibria),
                        "seeded Newton", tuple(notes), seeds=result.seeds,
                        sampling=result.sampling)
    if _two_logits(p) and algebraic_payoffs.transcendental_constants(
            list(p.dec.field(p.rule))):
        return algebraic_payoffs.certified_newton(p.dec, p.rule, found)
    return found


#: The routes in the order they are tried (module docstring). A new route is
#: one entry: which problems it applies to, and the callable returning a RouteResult.
ROUTES = (
    RouteEntry(SetRoute.ZEROS_OF_V, "", lambda p: p.rule.method in FROM_PG and not _box(p),
               _from_pg),
    RouteEntry(SetRoute.SOS_FROM_LOOKAHEAD, "",
               lambda p: p.rule.method is Method.SOS and not _box(p), _sos),
    RouteEntry(SetRoute.NEWTON_INTERIOR, "", lambda p: _box(p) and has_entropy(p.dec),
               _entropy_interior),
    RouteEntry(SetRoute.EXACT_FACES, "", lambda p: _box(p) and not has_entropy(p.dec),
               _exact_faces),
    RouteEntry(SetRoute.ENTROPY_EXCLUSION, "entropy-exclusion",
               lambda p: _free(p) and saturating(p.dec.game) and has_entropy(p.dec),
               _entropy_logit),
    RouteEntry(SetRoute.RESULTANT, "resultant route", _two_logits, _resultant),
    RouteEntry(SetRoute.NASH_INTERIOR, "interior Nash route",
               lambda p: _free(p) and totally_mixed.applies(p.dec, p.rule),
               lambda p: totally_mixed.pg_interior_fixed_points(p.dec, p.rule, p.options.budget)),
    RouteEntry(SetRoute.RESULTANT_ALGEBRAIC, "algebraic resultant route", _two_logits,
               lambda p: algebraic_payoffs.algebraic_attempt(p.dec, p.rule, p.options.budget)),
    RouteEntry(SetRoute.EXACT_SOLVE, "", _free, _exact_solve,
               after_others="exact solve after the {reasons}"),
    RouteEntry(SetRoute.NEWTON, "", _free, _newton, fallback=True),
)


def sort_key(e: Equilibrium) -> tuple:
    """Order fixed points by their coordinates (for stable output)."""
    return tuple(round(float(x), 12) for x in e.point)


__all__ = ["ROUTES", "EquilibriumSet", "find_equilibria", "solve", "sort_key"]
