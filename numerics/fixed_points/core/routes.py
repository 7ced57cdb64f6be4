"""The route protocol: what a fixed-point search is asked, and what every route answers.

A route is one way of finding the fixed points of a field: exact face by
face, resultants, sympy's solve of F = 0, Newton from seeds, ... Each takes a
`FixedPointProblem` (the decomposition, the resolved rule and the
`SearchOptions`) and returns one `RouteResult`: the points, a `RouteStatus`
(complete, partial, not applicable, undecided, or stopped by its budget),
the reason in words, its notes and certificate. `find_equilibria` walks an
ordered table of `RouteEntry` (which problems a route applies to, the
callable) and keeps the first complete answer; `SetRoute` names the route
of the whole set.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable

from eqselect.theory import Decomposition
from eqselect.theory.budget import DEFAULT_BUDGET
from eqselect.theory.errors import OptionsError
from eqselect.theory.rules import Rule


class SetRoute(str, Enum):
    """Which route produced a list of fixed points (``EquilibriumSet.route``).

    Its value is the string the command line prints and ``--json`` writes.
    """

    EXACT_FACES = "exact-faces"  # direct parameterisation: the projected dynamics face by face
    EXACT_SOLVE = "exact-solve"  # sympy on F = 0
    RESULTANT = "resultant"  # two logit / softmax parameters: resultants, certified roots
    RESULTANT_ALGEBRAIC = "resultant-algebraic"  # the same over algebraic payoffs
    NASH_INTERIOR = "nash-interior"  # PG under logit / softmax: totally mixed Nash equilibria
    ENTROPY_EXCLUSION = "entropy-exclusion"  # logit with entropy: exclusion by subdivision
    SOS_FROM_LOOKAHEAD = "sos-from-lookahead"  # SOS: LookAhead's zeros filtered
    ZEROS_OF_V = "zeros-of-v"  # SGA, CGD, LSS: PG's zeros where the rule's matrix is invertible
    NEWTON = "newton"  # deflated Newton from seeds, the fallback
    NEWTON_INTERIOR = "newton-interior"  # entropy under the direct parameterisation
    TIME_BUDGET = "none (time budget)"  # no route finished within the caller's budget

    def __str__(self) -> str:
        return self.value


class RouteStatus(str, Enum):
    """How one route ended."""

    COMPLETE = "complete"  # every finite fixed point is listed
    PARTIAL = "partial"  # points found, the list may be incomplete
    NOT_APPLICABLE = "not applicable"  # the problem is outside the route's reach
    UNDECIDED = "undecided"  # the route ran but could not decide
    BUDGET_EXHAUSTED = "budget exhausted"  # stopped at its wall-clock budget


@dataclass(frozen=True)
class SearchOptions:
    """How hard a search may try.

    Attributes
    ----------
    seed : int
        numpy seed of the Newton seeds (>= 0).
    n_seeds : int or None
        Newton starting points (None: `default_seed_count`); >= 0.
    budget : float
        Wall-clock seconds of each exact route (>= 0; 0 refuses them).
    """

    seed: int = 0
    n_seeds: int | None = None
    budget: float = DEFAULT_BUDGET

    def __post_init__(self):
        if int(self.seed) != self.seed or self.seed < 0:
            raise OptionsError(f"the seed must be an integer >= 0, got {self.seed}")
        if self.n_seeds is not None and not (int(self.n_seeds) == self.n_seeds >= 0):
            raise OptionsError(f"the number of seeds must be an integer >= 0, got {self.n_seeds}")
        if not float(self.budget) >= 0:
            raise OptionsError(f"the budget must be >= 0 s, got {self.budget}")


@dataclass(frozen=True)
class FixedPointProblem:
    """What a route is asked: the fixed points of ``rule``'s field for ``dec``'s game."""

    dec: Decomposition
    rule: Rule
    options: SearchOptions = SearchOptions()


@dataclass(frozen=True)
class RouteResult:
    """What every route returns.

    Attributes
    ----------
    route : SetRoute
    status : RouteStatus
    points : tuple of Equilibrium
        The fixed points found (empty unless ``status`` is COMPLETE or PARTIAL).
    reason : str
        Why the route is not complete, in words ("" when it is).
    notes : tuple of str
        For the set's notes.
    certificate : dict or None
        The route's proof data (resultants and isolating intervals).
    seeds : int
        Newton starting points tried (0 for an exact route).
    sampling : str
        How the seeds were drawn ("" for an exact route).
    at_infinity : tuple of Equilibrium or None
        The fixed points at infinity when the route found them itself; None
        leaves them to `find_equilibria` (the pure profiles of a free region).
    """

    route: SetRoute
    status: RouteStatus
    points: tuple = ()
    reason: str = ""
    notes: tuple = ()
    certificate: dict | None = None
    seeds: int = 0
    sampling: str = ""
    at_infinity: tuple | None = None

    def __post_init__(self):
        if self.points and not self.found:
            raise ValueError(f"a route with status {self.status.value!r} returns no points")

    @property
    def complete(self) -> bool:
        """Whether every finite fixed point is listed."""
        return self.status is RouteStatus.COMPLETE

    @property
    def found(self) -> bool:
        """Whether the route produced a list (complete or not)."""
        return self.status in (RouteStatus.COMPLETE, RouteStatus.PARTIAL)


def not_found(route: SetRoute, reason: str, budget_out: bool = False) -> RouteResult:
    """A route's answer when it produced no list: undecided, or out of budget."""
    status = RouteStatus.BUDGET_EXHAUSTED if budget_out else RouteStatus.UNDECIDED
    return RouteResult(route, status, reason=reason)


@dataclass(frozen=True)
class RouteEntry:
    """One row of the route table.

    Attributes
    ----------
    route : SetRoute
    label : str
        How the notes name the route when it gives way to the next one
        ("resultant route"); "" to quote its reason alone.
    applies : callable
        ``applies(problem) -> bool``: the games and rules the route is for.
    run : callable
        ``run(problem) -> RouteResult``.
    fallback : bool
        The route that answers when no earlier one completed (Newton): a
        partial list of an earlier route is preferred to it.
    after_others : str
        The note added when the route completes after others gave way, with
        ``{reasons}`` for their labelled reasons ("" for none).
    """

    route: SetRoute
    label: str
    applies: Callable[[FixedPointProblem], bool]
    run: Callable[[FixedPointProblem], RouteResult]
    fallback: bool = False
    after_others: str = ""


__all__ = ["FixedPointProblem", "RouteEntry", "RouteResult", "RouteStatus", "SearchOptions",
           "SetRoute", "not_found"]
