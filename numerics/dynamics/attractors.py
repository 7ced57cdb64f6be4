"""Attractors of a learning rule, and which one each end point of a basin map reached.

The candidates come from the fixed-point list of the rule's own field
(`eqselect.numerics.fixed_points.find.find_equilibria`): its stable (and
degenerate, e.g. weak pure Nash) finite fixed points and, under logit /
softmax, the pure profiles that are fixed points at infinity
(`eqselect.numerics.fixed_points.infinity.pure_profiles`). An end point phi_K is
classified (docs/cli.md, "basins") as

- the finite attractor whose strategies are within ``tol`` of its own
  (max-norm over every action probability);
- the pure profile at infinity within ``tol`` *and* pushed outward: one
  more small step along the field does not lower the probability of any
  agent's profile action (so the run is heading to that vertex, not
  passing it);
- otherwise "still moving" (index `MOVING`), or "cycle" (index `CYCLE`)
  when a window of extra steps shows it returning to where it was
  (`eqselect.numerics.dynamics.recurrence`).

Names use the game's action names: ``(C, D)`` for a pure profile, the
weights of each action for a mixed one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eqselect.theory import GameError, OptionsError
from eqselect.theory.serialize import Record
from eqselect.numerics.fixed_points.core.record import Route, Stability
from eqselect.numerics.dynamics.end_screen import BAND, pushed_out, vertex_screen
from eqselect.numerics.dynamics.narrow import row_argmin, row_max_distance
from eqselect.numerics.dynamics.hull import hull_distance
from eqselect.numerics.dynamics.outcomes import fixed_point_label, wilson_interval
from eqselect.numerics.dynamics.starts import action_blocks, parameters_to_strategies

#: Labels of the end points that reached no attractor.
MOVING, CYCLE = -1, -2
#: Outcome names of those labels.
MOVING_NAME, CYCLE_NAME = "still moving", "cycle"
#: End points classified together (bounds the temporaries of a large map).
CLASSIFY_CHUNK = 1 << 16
#: Stability classes that can attract (degenerate: weak pure Nash, continua).
ATTRACTING = (Stability.STABLE, Stability.DEGENERATE)


@dataclass(frozen=True)
class Attractor(Record):
    """One possible outcome of a run.

    Attributes
    ----------
    name : str
        ``(C, D)`` for a pure profile, else each agent's weights.
    kind : str
        ``"fixed point"`` (finite) or ``"at infinity"`` (a pure profile of
        logit / softmax policies).
    stability : str
        Of the fixed point (``stable`` or ``degenerate``).
    point : tuple of float
        Parameters (+-inf at infinity).
    strategies : tuple of tuple of float
        Each agent's full mixed strategy (every state).
    profile : tuple of int or None
        The action of each agent when the attractor is a pure profile of a
        one-state game.
    payoffs : tuple of float
        Each agent's expected payoff there (one-state normal-form games).
    vertices : tuple of tuple of float
        For kind ``"continuum"`` (a polytope of fixed points of the direct
        parameterisation's affine field, e.g. weak equilibria): the full
        strategies (flattened) at its extreme points; empty otherwise.
    """

    name: str
    kind: str
    stability: str
    point: tuple
    strategies: tuple
    profile: tuple | None
    payoffs: tuple = ()
    vertices: tuple = ()


def attractor_name(game, strategies, fallback: str) -> str:
    """``(C, D)`` for a pure one-state profile, ``(0.5 C + 0.5 D, ...)`` when mixed."""
    if game.states != 1 or not game.actions or len(strategies) != game.n_agents:
        return fallback
    parts = []
    for i, s in enumerate(strategies):
        if s is None:
            continue
        s = np.asarray(s, dtype=float)
        if s.max() >= 1 - 1e-9:
            parts.append(game.action_name(i, int(s.argmax())))
        else:
            parts.append(" + ".join(f"{w:.3g} {game.action_name(i, a)}"
                                    for a, w in enumerate(s) if w > 1e-9))
    return "(" + ", ".join(parts) + ")"


def expected_payoffs(game, strategies) -> tuple:
    """Each agent's expected payoff under mixed ``strategies`` (one-state games)."""
    if not game.payoffs or game.states != 1:
        return ()
    out = []
    for tensor in game.payoffs:
        try:
            t = np.array(tensor, dtype=float)
        except TypeError:  # symbolic payoffs left
            return ()
        for s in reversed(strategies):
            t = t @ np.asarray(s, dtype=float)
        out.append(float(t))
    return tuple(out)


def attractor_list(game, found) -> tuple[Attractor, ...]:
    """The attractors of a fixed-point search (`EquilibriumSet`), finite ones first.

    A continuum of fixed points (a representative with ``extreme_points``)
    is one attractor of kind ``"continuum"``; listed points lying on it are
    folded into it.
    """
    pieces = [_continuum(game, eq) for eq in found.equilibria
              if eq.extreme_points and eq.stability in ATTRACTING]
    out = list(pieces)
    for eq in list(found.equilibria) + list(getattr(found, "at_infinity", ())):
        if eq.stability not in ATTRACTING or not eq.strategies or eq.extreme_points:
            continue
        strategies = tuple(tuple(float(v) for v in s) for s in eq.strategies)
        if any(hull_distance(_flat(strategies)[None, :], c.vertices)[0] < 1e-9
               for c in pieces):
            continue
        infinite = eq.route is Route.AT_INFINITY
        pure = game.states == 1 and all(max(s) >= 1 - 1e-9 for s in strategies)
        profile = tuple(int(np.argmax(s)) for s in strategies) if pure else None
        name = attractor_name(game, strategies, fixed_point_label(eq))
        if any(a.name == name for a in out):
            name = f"{name} #{len(out)}"
        out.append(Attractor(name, "at infinity" if infinite else "fixed point",
                             eq.stability.value, tuple(float(v) for v in eq.point), strategies,
                             profile, expected_payoffs(game, strategies)))
    return tuple(out)


def _continuum(game, eq) -> Attractor:
    """The continuum of fixed points that ``eq`` represents, named by its ends."""
    ends = parameters_to_strategies(game, np.array(eq.extreme_points, dtype=float))
    strategies = tuple(tuple(float(v) for v in s) for s in eq.strategies)
    parts, col = [], 0
    for i, s in enumerate(strategies):
        block = ends[:, col:col + len(s)]
        col += len(s)
        names = list(dict.fromkeys(attractor_name(game, _one(game, i, b), "?")[1:-1]
                                   for b in block))
        parts.append(names[0] if len(names) == 1 else "[" + " .. ".join(names) + "]")
    return Attractor("(" + ", ".join(parts) + ")", "continuum", eq.stability.value,
                     tuple(float(v) for v in eq.point), strategies, None,
                     expected_payoffs(game, strategies), tuple(map(tuple, ends.tolist())))


def _one(game, agent, s):
    """Strategies of which only ``agent``'s is named (the others pure placeholders)."""
    return tuple(tuple(s) if i == agent else None for i in range(game.n_agents))


#: Most listed attractors shown with their counts even when no start reaches them.
MAX_LISTED_OUTCOMES = 12
#: Most pure profiles tried as unlisted attractors at infinity.
MAX_PURE_CANDIDATES = 256
#: Stability given to a pure profile the fixed-point list does not hold.
UNLISTED = "unlisted"


def pure_candidates(game, attractors) -> tuple[Attractor, ...]:
    """Pure profiles of a one-state logit / softmax game that the list lacks.

    The search for fixed points at infinity reads a pure profile at the
    vertex of the direct parameterisation; for rules whose logit field is
    not the direct field times sigma' (the peer and own terms carry higher
    powers of sigma'), a profile can attract the logit dynamics without
    being listed. Such profiles are candidates: an end point is put there
    only by the same test as a listed one (within ``tol``, field pushing
    outward), with stability ``"unlisted"``.
    """
    import itertools

    if (game.parameterization not in ("logit", "softmax") or game.states != 1
            or not game.actions or int(np.prod([int(m) for m in game.actions]))
            > MAX_PURE_CANDIDATES):
        return ()
    have = {a.profile for a in attractors}
    out = []
    for profile in itertools.product(*(range(int(m)) for m in game.actions)):
        if profile in have:
            continue
        strategies = tuple(tuple(1.0 if k == a else 0.0 for k in range(int(m)))
                           for a, m in zip(profile, game.actions))
        point = tuple(float("inf") if k == a else float("-inf")
                      for a, m in zip(profile, game.actions) for k in range(int(m) - 1))
        out.append(Attractor(attractor_name(game, strategies, str(profile)), "at infinity",
                             UNLISTED, point, strategies, profile,
                             expected_payoffs(game, strategies)))
    return tuple(out)


def _flat(strategies) -> np.ndarray:
    return np.concatenate([np.asarray(s, dtype=float) for s in strategies])


def classify_ends(game, attractors, final, field_at=None, tol: float = 0.05,
                  step: float = 1e-3) -> np.ndarray:
    """Label each end point by the attractor it reached (`MOVING` if none).

    The labels are the definition's (module docstring); in one-state games of
    two-action logits most end points are decided from their logits alone
    (`eqselect.numerics.dynamics.end_screen`).

    Parameters
    ----------
    game : Game
    attractors : sequence of Attractor
    final : ndarray, shape (n, d)
        End parameters.
    field_at : callable or None
        ``field_at(x)`` -> the update direction at x; needed to tell an end
        point heading to a pure profile at infinity from one passing it.
    tol : float
        Max-norm distance in strategy space.
    step : float
        Length of the probe step along the field.

    Returns
    -------
    ndarray of int, shape (n,)
    """
    final = np.atleast_2d(np.asarray(final, dtype=float))
    labels = np.full(len(final), MOVING, dtype=int)
    if not attractors or not len(final):
        return labels
    if field_at is None and any(a.kind == "at infinity" for a in attractors):
        raise GameError("classifying pure profiles at infinity needs the field")
    screen = vertex_screen(game, attractors, tol)
    for a in range(0, len(final), CLASSIFY_CHUNK):  # bounded temporaries
        part = slice(a, min(len(final), a + CLASSIFY_CHUNK))
        labels[part] = (_classify(game, attractors, final[part], field_at, tol, step)
                        if screen is None else
                        _screened(game, attractors, final[part], field_at, (tol, step), screen))
    return labels


def _screened(game, attractors, final, field_at, tol_step, screen) -> np.ndarray:
    """`_classify` of the end points in the vertex screen's band; the others from
    their logits, with the probe of those that reach a profile at infinity."""
    labels = screen.targets(final)
    band = np.flatnonzero(labels == BAND)
    if band.size:
        labels[band] = _classify(game, attractors, final[band], field_at, *tol_step)
    for j, a in enumerate(attractors):
        rows = np.flatnonzero(labels == j) if a.kind == "at infinity" else ()
        if len(rows):
            x = final[rows]
            ok = pushed_out(game, x, field_at(x), a.profile, tol_step[1])
            labels[rows[~ok]] = MOVING
    return labels


def _classify(game, attractors, final, field_at, tol, step) -> np.ndarray:
    """The definition: the nearest attractor within tol, a profile at infinity
    only where the probe finds the field pushing outward.

    An attractor at infinity farther than tol cannot be the label whatever
    its probe says, so only the end points within tol of one take it.
    """
    labels = np.full(len(final), MOVING, dtype=int)
    s = parameters_to_strategies(game, final)
    dist = np.empty((len(final), len(attractors)))
    for j, a in enumerate(attractors):
        dist[:, j] = (hull_distance(s, a.vertices) if a.vertices
                      else row_max_distance(s, _flat(a.strategies)))
    far = [j for j, a in enumerate(attractors) if a.kind == "at infinity"]
    near = np.zeros(len(final), dtype=bool)
    for j in far:
        near |= dist[:, j] <= tol
    rows = np.flatnonzero(near)
    u = field_at(final[rows]) if rows.size else None
    for j in far:
        ok = np.zeros(len(final), dtype=bool)
        if rows.size:
            ok[rows] = pushed_out(game, final[rows], u, attractors[j].profile, step, s[rows])
        dist[:, j] = np.where(ok, dist[:, j], np.inf)
    best, nearest = row_argmin(dist)
    ok = nearest <= tol
    labels[ok] = best[ok]
    return labels


def distance_to_fixed_points(game, found, final) -> np.ndarray:
    """Max-norm strategy distance of each end point to its nearest fixed point
    of any stability, finite, on a continuum or at infinity (inf when none)."""
    final = np.atleast_2d(np.asarray(final, dtype=float))
    eqs = [e for e in list(found.equilibria) + list(getattr(found, "at_infinity", ()))
           if e.strategies]
    if not eqs or not len(final):
        return np.full(len(final), np.inf)
    s = parameters_to_strategies(game, final)
    return np.min([hull_distance(s, _continuum(game, e).vertices) if e.extreme_points
                   else row_max_distance(s, _flat(e.strategies)) for e in eqs], axis=0)


def preferred_attractor(game, attractors, preferred) -> tuple[int | None, list[str]]:
    """Index of the preferred attractor (as ``eqselect check`` chooses P) and notes.

    Parameters
    ----------
    preferred : "payoff-dominant", "welfare", tuple of int or int
        payoff-dominant: the attractor whose payoffs weakly dominate every
        other's (else the welfare-maximal one, with a note); welfare: the
        largest sum of payoffs; a pure profile (action indices): the
        attractor at that profile (else the nearest within 0.25); an int:
        that entry of the attractor list.
    """
    n = len(attractors)
    if isinstance(preferred, int):
        if not 0 <= preferred < n:
            raise OptionsError(f"--preferred {preferred}: the attractor list has {n} entries"
                               + (f" (0..{n - 1})" if n else ""))
        return preferred, []
    if isinstance(preferred, tuple):
        if not n:
            raise OptionsError("--preferred: the rule has no attractor to name")
        return _nearest(game, attractors, preferred), []
    if preferred not in ("payoff-dominant", "welfare"):
        raise OptionsError(f"--preferred {preferred!r}: valid: payoff-dominant, welfare, "
                           "a pure profile (e.g. C,C) or an index into the attractor list")
    listed = [j for j, a in enumerate(attractors) if a.stability != UNLISTED]
    if not listed:
        return None, ["no attractor among the fixed points: there is no outcome to prefer"]
    pays = {j: attractors[j].payoffs for j in listed}
    if not all(pays.values()):
        return None, ["the game has no payoff tensors: name the preferred attractor by index"]
    notes = []
    if preferred == "payoff-dominant":
        for j, p in pays.items():
            if all(all(x >= y - 1e-12 for x, y in zip(p, q)) for q in pays.values()):
                return j, notes
        notes.append("no attractor is payoff-dominant; the preferred one is the "
                     "welfare-maximal one")
    welfare = {j: sum(p) for j, p in pays.items()}
    best = max(listed, key=lambda j: (welfare[j], -j))
    ties = [attractors[j].name for j in listed if welfare[j] >= welfare[best] - 1e-12]
    if len(ties) > 1:
        notes.append(f"attractors {', '.join(ties)} tie on welfare; the first is preferred")
    return best, notes


def _nearest(game, attractors, profile) -> int:
    if len(profile) != game.n_agents:
        raise OptionsError(f"--preferred: give one action per player ({game.n_agents})")
    target = []
    for i, a in enumerate(profile):
        m = game.actions[i]
        target += [1.0 if k == a else 0.0 for k in range(m)] * game.states
    gap = [np.abs(_flat(a.strategies) - np.array(target)).max() for a in attractors]
    best = int(np.argmin(gap))
    if gap[best] > 0.25:
        names = ", ".join(game.action_name(i, a) for i, a in enumerate(profile))
        raise OptionsError(f"--preferred {names}: no attractor at or near that profile "
                           f"(attractors: {', '.join(a.name for a in attractors)})")
    return best


def label_counts(labels: np.ndarray, n_attractors: int) -> np.ndarray:
    """How many end points carry each label, in one pass: entry j for attractor j,
    entries -1 and -2 (`MOVING`, `CYCLE`) at the end, as Python's negative
    indices read them.

    Examples
    --------
    >>> c = label_counts(np.array([0, 1, 1, MOVING, CYCLE, CYCLE]), 3)
    >>> [int(c[k]) for k in (1, 2, MOVING, CYCLE)]
    [2, 0, 1, 2]
    """
    return np.roll(np.bincount(np.asarray(labels, dtype=np.intp) - CYCLE,
                               minlength=n_attractors - CYCLE), CYCLE)


def volumes(attractors, labels, sampled: bool, z: float = 1.96) -> tuple[dict, dict, dict]:
    """(counts, shares, Wilson intervals) per attractor, then still moving and cycle.

    Unlisted pure profiles (`pure_candidates`) appear only when reached, and
    so do listed ones when there are more than `MAX_LISTED_OUTCOMES` (the
    IPD's Newton search lists many).
    Shares sum to 1 over every start; intervals only for random starts.
    """
    n = len(labels)
    tally = label_counts(labels, len(attractors))
    listed = sum(a.stability != UNLISTED for a in attractors)
    keys = [(j, a.name) for j, a in enumerate(attractors) if tally[j]
            or (a.stability != UNLISTED and listed <= MAX_LISTED_OUTCOMES)]
    keys += [(MOVING, MOVING_NAME), (CYCLE, CYCLE_NAME)]
    counts = {name: int(tally[j]) for j, name in keys}
    if not counts[CYCLE_NAME]:
        del counts[CYCLE_NAME]
    shares = {k: (v / n if n else 0.0) for k, v in counts.items()}
    intervals = ({k: list(wilson_interval(v, n, z)) for k, v in counts.items()}
                 if sampled and n else {})
    return counts, shares, intervals


__all__ = ["Attractor", "CYCLE", "CYCLE_NAME", "MOVING", "MOVING_NAME", "UNLISTED",
           "attractor_list", "pure_candidates",
           "attractor_name", "classify_ends", "distance_to_fixed_points", "expected_payoffs",
           "label_counts", "preferred_attractor", "volumes"]
