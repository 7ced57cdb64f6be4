"""Every fixed point of a learning field: one entry point, labelled routes.

- Direct parameterisation (box / simplex): the projected dynamics' fixed
  points face by face, exactly (`eqselect.numerics.fixed_points.projected`),
  under a time budget; the list is complete.
- Direct parameterisation with an entropy term: interior roots by Newton
  in softmax coordinates (`eqselect.numerics.fixed_points.interior`).
- Logit and softmax with two parameters: resultants and certified real-root
  isolation (`eqselect.numerics.fixed_points.resultant`, complete, with its
  certificate).
- Logit with two parameters and algebraic payoffs (sqrt(2), 2^(1/3)):
  the resultants normed to integer coefficients, each candidate decided by
  interval arithmetic (`eqselect.numerics.fixed_points.algebraic`, complete
  when every candidate is decided); with a transcendental payoff the Newton
  points are each proven by the Krawczyk test (`krawczyk`).
- PG under logit and softmax: the interior fixed points are the totally
  mixed Nash equilibria, solved exactly on the direct parameterisation's
  faces (`eqselect.numerics.fixed_points.nash_interior`, complete).
- Logit, softmax and continuous parameters otherwise (or where the
  resultant route refuses): exact solving of F = 0 where sympy decides it
  completely within the budget (then the list of finite fixed points is
  complete), otherwise mpmath Newton with deflation from
  many seeds (`eqselect.numerics.fixed_points.newton`), which can miss roots:
  the result then says how many seeds were tried and how they were drawn.

Each `Equilibrium` says which route found it (``route``); the
`EquilibriumSet` says which route ran, whether the list is proven complete,
and carries every note of the search.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from eqselect.theory import Decomposition, GameError, RegionKind
from eqselect.theory.serialize import Record

from eqselect.numerics.fixed_points import algebraic, nash_interior
from eqselect.numerics.fixed_points.budget import DEFAULT_BUDGET
from eqselect.theory.rules import resolve
from eqselect.numerics.fixed_points.infinity import pure_profiles_at_infinity, saturating
from eqselect.numerics.fixed_points.interior import has_entropy, interior_fixed_points
from eqselect.numerics.fixed_points.record import Equilibrium, Stability


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
    route : str
        "exact-faces" (direct parameterisation), "exact-solve" (sympy on
        F = 0), "resultant" (two logit / softmax parameters: resultants and
        certified root isolation), "resultant-algebraic" (the same with
        algebraic payoffs: norms over Q(alpha), candidates decided by interval
        arithmetic, `algebraic`), "nash-interior" (PG under logit /
        softmax: the totally mixed Nash equilibria, exact, `nash_interior`),
        "sos-from-lookahead" (SOS: LookAhead's zeros filtered, `sos`),
        "newton" (deflated Newton, the fallback) or
        "newton-interior" (entropy under the direct parameterisation).
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
    components : list of dict
        Direct parameterisation, affine field: each connected set of fixed
        points made of continua, ``{"extreme_points", "dimension",
        "varying_agents"}`` (`continua`): its exact extreme points (for PG,
        pygambit's extreme equilibria), the largest dimension of its pieces,
        and the agents whose strategy varies over it (several best responses).
    """

    equilibria: list
    method: str
    lam: float
    own_coef: float
    complete: bool
    notes: list = field(default_factory=list)
    route: str = "exact-faces"
    seeds: int = 0
    sampling: str = ""
    at_infinity: list = field(default_factory=list)
    certificate: dict | None = None
    components: list = field(default_factory=list)


def find_equilibria(dec: Decomposition, rule="pg", lam=None, own_coef=None,
                    seed: int = 0, n_seeds: int | None = None,
                    budget: float = DEFAULT_BUDGET) -> EquilibriumSet:
    """All fixed points of ``rule``'s field for the decomposition's game.

    Parameters
    ----------
    dec : Decomposition
        With numeric eta and payoffs (``Decomposition(game.substitute(), eta=...)``).
    rule : Rule, Method or str
    lam, own_coef : number, optional
        Override the rule's coefficients (ignored by methods that do not use them).
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
    free = set().union(*(v.free_symbols for v in dec.game.values)) - set(dec.game.parameters)
    if free or not dec.eta.is_number:
        names = sorted(str(s) for s in free | ({dec.eta} if not dec.eta.is_number else set()))
        raise GameError(f"fixed points need numbers for {', '.join(names)}")
    r = resolve(rule, lam, own_coef)
    if r.spec.adaptive and dec.game.region.kind not in (RegionKind.BOX, RegionKind.SIMPLEX):
        from eqselect.numerics.fixed_points.sos import sos_fixed_points

        return sos_fixed_points(dec, r, find_equilibria, seed=seed, n_seeds=n_seeds,
                                budget=budget)
    head = (r.method.value, float(r.lam), float(r.own_coef))
    if dec.game.region.kind in (RegionKind.BOX, RegionKind.SIMPLEX) and has_entropy(dec):
        return _interior(dec, r, head, seed, n_seeds)
    if dec.game.region.kind in (RegionKind.BOX, RegionKind.SIMPLEX):
        points = _projected(dec, r, budget)
        notes = sorted({n for e in points for n in e.notes})
        return EquilibriumSet(points, *head, True, notes, "exact-faces",
                              components=continua(points, dec.game))
    return _free_region(dec, r, head, seed, n_seeds, budget)


def _free_region(dec, r, head, seed, n_seeds, budget) -> EquilibriumSet:
    """The free-region routes in order (module docstring); Newton last, labelled."""
    from eqselect.numerics.fixed_points.exact_solve import exact_attempt

    infinite = pure_profiles_at_infinity(dec, r)
    reasons, two_logits = [], len(dec.game.parameters) == 2 and saturating(dec.game)
    if two_logits:
        from eqselect.numerics.fixed_points.resultant import resultant_attempt

        res = resultant_attempt(dec, r, budget=budget)
        if res.equilibria is not None:
            notes = ["resultants and certified real-root isolation: every finite fixed "
                     "point is listed"]
            return EquilibriumSet(res.equilibria, *head, True, notes, "resultant",
                                  at_infinity=infinite, certificate=res.certificate)
        reasons.append(f"resultant route: {res.reason}")
    if nash_interior.applies(dec, r):
        found, why = nash_interior.pg_interior_fixed_points(dec, r, budget)
        if found is not None:
            notes = ["PG's interior fixed points are the totally mixed Nash equilibria, "
                     "solved exactly face by face: every finite fixed point is listed"]
            return EquilibriumSet(found, *head, True, notes, "nash-interior",
                                  at_infinity=infinite)
        reasons.append(f"interior Nash route: {why}")
    alg = algebraic.algebraic_attempt(dec, r, budget) if two_logits else None
    if alg is not None and alg.complete:
        return EquilibriumSet(alg.equilibria, *head, True, alg.notes, algebraic.ROUTE,
                              at_infinity=infinite, certificate=alg.certificate)
    if alg is not None:
        reasons.append(f"algebraic resultant route: {alg.reason}")
    attempt = exact_attempt(dec, r, budget=budget)
    if attempt.equilibria is not None:
        notes = sorted({n for e in attempt.equilibria for n in e.notes})
        notes.append("F = 0 solved exactly: every finite fixed point is listed")
        if reasons:
            notes.append(f"exact solve after the {'; '.join(reasons)}")
        return EquilibriumSet(attempt.equilibria, *head, True, notes, "exact-solve",
                              at_infinity=infinite)
    if alg is not None and alg.equilibria is not None:  # undecided candidates: not complete
        return EquilibriumSet(alg.equilibria, *head, False, alg.notes, algebraic.ROUTE,
                              at_infinity=infinite, certificate=alg.certificate)
    reason = "; ".join([attempt.reason] + reasons)
    found = _newton(dec, r, head, seed, n_seeds, reason)
    if alg is not None and alg.transcendental:
        found = algebraic.certified_newton(dec, r, found)
    return replace(found, at_infinity=infinite)


def _projected(dec, rule, budget) -> list:
    from eqselect.numerics.fixed_points.projected import projected_fixed_points

    return projected_fixed_points(dec, rule, budget=budget)


def _interior(dec, rule, head, seed, n_seeds) -> EquilibriumSet:
    """Entropy-regularised direct fields: interior Newton points, each interval-certified."""
    from eqselect.numerics.fixed_points.krawczyk import certify_points

    result = interior_fixed_points(dec, rule, n_seeds=n_seeds, seed=seed)
    notes = list(result.notes)
    if result.failures:
        notes.append(f"{result.failures} candidate(s) did not polish")
    points, proven = certify_points(dec, rule, list(result.equilibria))
    if points:
        notes.append(f"{proven} of {len(points)} interior point(s) interval-certified "
                     "(Krawczyk test on the field's arb enclosure, rigorous for the "
                     "entropy term's logarithms)")
    return EquilibriumSet(points, *head, False, notes, "newton-interior",
                          result.seeds, result.sampling)


def _newton(dec, rule, head, seed, n_seeds, reason) -> EquilibriumSet:
    from eqselect.numerics.fixed_points.newton import newton_fixed_points

    result = newton_fixed_points(dec, rule, n_seeds=n_seeds, seed=seed)
    notes = [f"exact route not used ({reason}); fell back to Newton with deflation from "
             f"{result.seeds} seed(s), {result.sampling}: the list may be incomplete"]
    notes += list(result.notes)
    singular = [e for e in result.equilibria if e.stability is Stability.DEGENERATE]
    if len(singular) > 1:
        notes.append(f"{len(singular)} degenerate points with a singular Jacobian: the field "
                     "has a continuum of fixed points and these are samples of it")
    return EquilibriumSet(list(result.equilibria), *head, False, notes, "newton",
                          result.seeds, result.sampling)


def continua(points, game) -> list:
    """Group the continua's extreme points into connected components.

    Two continua (one per face, each with its vertices in ``extreme_points``)
    belong to one component when they share an extreme point.
    """
    pieces = [(set(e.extreme_points), _dimension(e)) for e in points if e.extreme_points]
    merged = []
    for pts, dim in pieces:
        hits = [m for m in merged if m[0] & pts]
        for m in hits:
            merged.remove(m)
            pts, dim = pts | m[0], max(dim, m[1])
        merged.append((pts, dim))
    out = []
    for pts, dim in merged:
        ordered = sorted(pts, key=lambda p: [float(x) for x in p])
        blocks = [game.slices[i] for i in range(len(game.slices))]
        varying = [i + 1 for i, sl in enumerate(blocks)
                   if len({p[sl] for p in ordered}) > 1]
        out.append({"extreme_points": [[str(x) for x in p] for p in ordered],
                    "dimension": dim, "varying_agents": varying})
    return out


def _dimension(e: Equilibrium) -> int:
    for n in e.notes:
        if "(dimension " in n:
            return int(n.split("(dimension ")[1].split(")")[0])
    return 1


def sort_key(e: Equilibrium) -> tuple:
    """Order fixed points by their coordinates (for stable output)."""
    return tuple(round(float(x), 12) for x in e.point)


__all__ = ["EquilibriumSet", "continua", "find_equilibria", "sort_key"]
