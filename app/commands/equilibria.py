"""``eqselect equilibria``: every fixed point of a method's field.

Text by default: one line per fixed point, then the continuum components and
the pure profiles at infinity (logit / softmax); ``--json`` the contract's
equilibria document. Both name points by the game's actions
(:mod:`eqselect.theory.profile_names`): a pure profile is ``(Stag, Stag)``
in the text when the game names its actions, and every equilibrium record
of the JSON carries ``"profile"`` (the action names of a pure profile, else
null) and ``"named_strategies"``, the document ``"players"`` and
``"actions"``.
"""

from __future__ import annotations

import json

from eqselect.commands.inputs import (
    check_seeds_option, command_inputs, heading, numeric_decomposition, print_notes)
from eqselect.theory.profile_names import (
    actions_are_named, player_and_action_names, point_names, profile_name, pure_profile,
    strategies_at)
from eqselect.theory.serialize import document


def run(args) -> int:
    """Find every fixed point of ``--method`` and print the list."""
    from eqselect.commands import network

    net = network.network_of(args)  # a game on a graph runs on its sparse field
    if net is not None:
        return network.equilibria(net, args)

    from eqselect.theory.rules import resolve
    from eqselect.numerics.fixed_points.find import find_equilibria, sort_key

    check_seeds_option(args)  # from the option alone, before the game is derived
    dec = numeric_decomposition(args)
    check_seeds_option(args, len(dec.game.parameters))
    found = find_equilibria(dec, resolve(args.method, args.lam, args.own), seed=args.seed,
                            n_seeds=args.seeds, budget=args.budget)
    found.equilibria.sort(key=sort_key)
    if args.json:
        print(json.dumps(equilibria_json(found, dec.game, command_inputs(args))))
        return 0
    names = [s.name for s in dec.game.parameters]
    where_on = [_on_continuum(eq, found.components) for eq in found.equilibria]
    print(f"{heading(dec, args)}: " + _count_heading(found, where_on)
          + ("" if found.complete else " found by seeded Newton (may be incomplete)")
          + f" [route {found.route}" + (", proven complete]" if found.complete else "]"))
    for eq, on in zip(found.equilibria, where_on):
        nash = {True: "Nash", False: "not Nash", None: ""}[eq.nash]
        tag = "" if on is None else f"  (on {on})"
        print(f"  {_where(eq, dec.game, names)}  {eq.stability.value:<10} "
              f"mu={eq.mu + 0.0:.4g}  {nash}  [{eq.route.value}]{tag}")
    _print_components(found.components, names)
    for eq in found.at_infinity:
        nash = {True: "Nash", False: "not Nash", None: ""}[eq.nash]
        profile = [list(s).index(max(s)) for s in eq.strategies]  # a vertex: 1 and 0s
        print(f"  at infinity: {profile_name(dec.game, profile)}  "
              f"{eq.stability.value:<10} {nash}")
    print_notes(list(found.notes) + ([LONG_EXACT_NOTE] if _long_exact(found.equilibria) else []))
    return 0


def equilibria_json(found, game, inputs: dict) -> dict:
    """The equilibria document, every fixed point (finite or at infinity) named by actions."""
    doc = document("equilibria", found, inputs)
    for key in ("equilibria", "at_infinity"):
        for record, eq in zip(doc.get(key, ()), getattr(found, key, ())):
            record.update(point_names(game, strategies_at(game, eq.exact, eq.strategies)))
    return {**doc, **player_and_action_names(game)}


def _where(eq, game, names) -> str:
    """``(Stag, Stag)`` for a pure profile of a game with named actions, else the
    parameters: exact where known, else six significant digits."""
    profile = pure_profile(game, strategies_at(game, eq.exact, eq.strategies))
    if profile is not None and actions_are_named(game):
        return profile_name(game, profile)
    if eq.exact is None:
        return "(" + ", ".join(f"{n}={x:.6g}" for n, x in zip(names, eq.point)) + ")"
    return "(" + ", ".join(_coordinate(n, v, x)
                           for n, v, x in zip(names, eq.exact, eq.point)) + ")"


#: Longest exact coordinate the text prints; a longer one (an algebraic number
#: written through a ``CRootOf`` of high degree, thousands of characters) is
#: printed as ``name~value`` to six digits, its exact form left to ``--json``.
EXACT_WIDTH = 60
#: The note under a list with such a coordinate.
LONG_EXACT_NOTE = (f"name~value: six digits of an exact coordinate longer than {EXACT_WIDTH} "
                   "characters (an algebraic number); --json holds its exact form")


def _coordinate(name, exact, approx: float) -> str:
    text = str(exact)
    return f"{name}={text}" if len(text) <= EXACT_WIDTH else f"{name}~{approx:.6g}"


def _long_exact(equilibria) -> bool:
    """Whether a point of the list has an exact coordinate past `EXACT_WIDTH`."""
    return any(len(str(v)) > EXACT_WIDTH for eq in equilibria for v in (eq.exact or ()))


def _on_continuum(eq, components):
    """'component k' when ``eq`` lies on the k-th continuum component, 'a continuum' when it
    represents a continuum that is not shown to be a polytope, None when it is isolated."""
    own = {tuple(str(x) for x in p) for p in eq.extreme_points}
    exact = tuple(str(x) for x in eq.exact) if eq.exact is not None else None
    for k, comp in enumerate(components):
        pts = {tuple(p) for p in comp["extreme_points"]}
        if (own and own <= pts) or exact in pts:
            return f"component {k}"
    return "a continuum" if any(n.startswith("continuum of fixed points") for n in eq.notes) \
        else None


def _count_heading(found, where_on) -> str:
    """'N fixed point(s)', or the isolated points and continua when a continuum exists
    (a list of points alone is then not the whole set of fixed points)."""
    n, sampled = len(found.equilibria), sum(on == "a continuum" for on in where_on)
    of_them = f", {sampled} of them sample(s) of a continuum of fixed points" if sampled else ""
    if not found.components:
        return f"{n} fixed point(s){of_them}"
    return (f"{sum(on is None for on in where_on)} isolated fixed point(s) and "
            f"{len(found.components)} continuum component(s) of fixed points; {n} listed "
            f"point(s){of_them}")


def _print_components(components, names) -> None:
    for k, comp in enumerate(components):
        pts = ", ".join("(" + ", ".join(f"{n}={v}" for n, v in zip(names, p)) + ")"
                        for p in comp["extreme_points"])
        agents = ", ".join(str(i) for i in comp["varying_agents"])
        print(f"  component {k}: a connected set of fixed points of dimension "
              f"{comp['dimension']}, extreme points {pts}; agent(s) {agents} indifferent "
              "on it (several best responses)")
