"""Every fixed point of a learning field: one entry point, two routes.

- Direct parameterisation (box / simplex): the projected dynamics' fixed
  points face by face, exactly (:mod:`.projected_fixed_points`).
- Logit, softmax and continuous parameters: exact solving of F = 0 where
  sympy can decide it completely (then the list is complete), otherwise
  mpmath Newton with deflation from many seeds (:mod:`.newton_deflation`).

Each `Equilibrium` says which route found it (``route``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eqselect.theory import Decomposition, GameError, RegionKind

from eqselect.numerics.fixed_points.record import Equilibrium, Stability


@dataclass(frozen=True)
class EquilibriumSet:
    """The fixed points of one field, with how the search went.

    Attributes
    ----------
    equilibria : list of Equilibrium
    method : str
    lam, own_coef : float
    complete : bool
        True when the route is exhaustive (exact face-by-face solving);
        False for seeded Newton, which can miss roots.
    notes : list of str
        Failures and warnings of the search (seeds that did not converge,
        continua of fixed points).
    """

    equilibria: list
    method: str
    lam: float
    own_coef: float
    complete: bool
    notes: list = field(default_factory=list)

    def to_json(self) -> dict:
        """The contract's ``equilibria --json`` object (plus search metadata)."""
        return {
            "equilibria": [e.to_json() for e in self.equilibria],
            "method": self.method, "lam": self.lam, "own_coef": self.own_coef,
            "complete": self.complete, "notes": list(self.notes),
        }


def find_equilibria(dec: Decomposition, method="pg", lam=1.5, own_coef=0.35,
                    seed: int = 0, n_seeds: int = 64) -> EquilibriumSet:
    """All fixed points of ``method``'s field for the decomposition's game.

    Parameters
    ----------
    dec : Decomposition
        With numeric eta and payoffs (``Decomposition(game.substitute(), eta=0.55)``).
    method : str
    lam, own_coef : float
        Shaping and own coefficients (ignored by methods that do not use them).
    seed, n_seeds : int
        Seeding of the Newton route.

    Raises
    ------
    GameError
        When payoff symbols or eta are left symbolic.
    """
    free = set().union(*(v.free_symbols for v in dec.game.values)) - set(dec.game.parameters)
    if free or not dec.eta.is_number:
        names = sorted(str(s) for s in free | ({dec.eta} if not dec.eta.is_number else set()))
        raise GameError(f"fixed points need numbers for {', '.join(names)}")
    if dec.game.region.kind in (RegionKind.BOX, RegionKind.SIMPLEX):
        from eqselect.numerics.fixed_points.projected import projected_fixed_points

        points = projected_fixed_points(dec, method=method, lam=lam, own_coef=own_coef)
        notes = sorted({n for e in points for n in e.notes})
        return EquilibriumSet(points, str(method), float(lam), float(own_coef), True, notes)
    from eqselect.numerics.fixed_points.newton import exact_fixed_points, newton_fixed_points

    exact = exact_fixed_points(dec, method=method, lam=lam, own_coef=own_coef)
    if exact is not None:
        notes = sorted({n for e in exact for n in e.notes})
        notes.append("F = 0 solved exactly: every finite fixed point is listed")
        return EquilibriumSet(exact, str(method), float(lam), float(own_coef), True, notes)
    result = newton_fixed_points(dec, method=method, lam=lam, own_coef=own_coef,
                                 n_seeds=n_seeds, seed=seed)
    notes = list(result.notes)
    singular = [e for e in result.equilibria if e.stability is Stability.DEGENERATE]
    if len(singular) > 1:
        notes.append(f"{len(singular)} degenerate points with a singular Jacobian: the field "
                     "has a continuum of fixed points and these are samples of it")
    return EquilibriumSet(list(result.equilibria), str(method), float(lam), float(own_coef),
                          False, notes)


def sort_key(e: Equilibrium) -> tuple:
    """Order fixed points by their coordinates (for stable output)."""
    return tuple(round(float(x), 12) for x in e.point)
