"""Connected components of the continua of fixed points (direct parameterisation).

Under an affine field a face's fixed points can form a polytope; each face
search reports one representative carrying the polytope's exact extreme
points and its dimension (`Equilibrium.extreme_points`,
`Equilibrium.dimension`). Two such polytopes that share an extreme point
belong to one connected set: a `Component`, whose dimension is the largest
of its pieces' and whose varying agents are those whose strategy is not the
same at every extreme point (several best responses). For PG the extreme
points are pygambit's extreme equilibria.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from eqselect.theory.serialize import Record

from eqselect.numerics.fixed_points.core.nash_check import strategies_at
from eqselect.numerics.fixed_points.core.record import Equilibrium


@dataclass(frozen=True)
class Component(Record):
    """One connected set of fixed points made of continua.

    Attributes
    ----------
    extreme_points : tuple of tuple of sympy.Expr
        The exact extreme points of its pieces, in coordinate order.
    dimension : int
        The largest dimension of its pieces (>= 1).
    varying_agents : tuple of int
        The agents (from 1) whose strategy varies over it.
    extreme_strategies : tuple
        Each extreme point as every agent's full mixed strategy (exact).

    The JSON form keeps the keys ``extreme_points`` (coordinates as strings),
    ``dimension`` and ``varying_agents`` and adds ``extreme_strategies``;
    ``component["key"]`` reads the JSON form, as the command line prints it.
    """

    extreme_points: tuple
    dimension: int
    varying_agents: tuple
    extreme_strategies: tuple = ()

    def __post_init__(self):
        if self.dimension < 1:
            raise ValueError(f"a component of continua has dimension >= 1, got {self.dimension}")

    def _json_extra(self) -> dict:
        return {"extreme_points": [[str(x) for x in p] for p in self.extreme_points],
                "extreme_strategies": [[[str(x) for x in s] for s in p]
                                       for p in self.extreme_strategies]}

    def __getitem__(self, key: str):
        return self.to_json()[key]


def group_components(points, game) -> tuple[list, list]:
    """The components of ``points`` and the points labelled with their component.

    Two continua (one per face, each with its vertices in ``extreme_points``)
    belong to one component when they share an extreme point; a point lies
    on a component when it represents one of its continua or is one of its
    extreme points.

    Returns
    -------
    (list of Equilibrium, list of Component)
        ``points`` in the same order with ``component`` set, and the components.
    """
    merged = []
    for e in points:
        if not e.extreme_points:
            continue
        pts, dim = set(e.extreme_points), max(e.dimension, 1)
        hits = [m for m in merged if m[0] & pts]
        for m in hits:
            merged.remove(m)
            pts, dim = pts | m[0], max(dim, m[1])
        merged.append((pts, dim))
    comps = [_component(pts, dim, game) for pts, dim in merged]
    return [_labelled(e, comps) for e in points], comps


def _component(pts, dim, game) -> Component:
    ordered = tuple(sorted(pts, key=lambda p: [float(x) for x in p]))
    varying = tuple(i + 1 for i, sl in enumerate(game.slices)
                    if len({p[sl] for p in ordered}) > 1)
    strategies = tuple(strategies_at(game, p) for p in ordered) if game.strategies else ()
    return Component(ordered, dim, varying, strategies)


def _labelled(e: Equilibrium, comps) -> Equilibrium:
    own = set(e.extreme_points)
    for k, comp in enumerate(comps):
        pts = set(comp.extreme_points)
        if (own and own <= pts) or (e.exact is not None and tuple(e.exact) in pts):
            return replace(e, component=k)
    return e


__all__ = ["Component", "group_components"]
