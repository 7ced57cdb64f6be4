"""Choosing the preferred equilibrium P and the alternative R.

Candidates are the stable fixed points of the plain field v (from a list that
says whether it is complete) and, under logit / softmax without entropy, the
strict pure Nash profiles, which no finite parameter reaches: they lie at
infinity (docs/alignment.md, "P and R").

``preferred`` is one of
- ``"payoff-dominant"`` (default): the candidate whose payoff vector weakly
  dominates every other candidate's (falls back to welfare, with a note);
- ``"welfare"``: the candidate with the largest W = sum_i J_i;
- a pure profile ``"C,C"`` / ``"0,1"`` (action indices, or C / D for two-action
  games where index 0 = C): the candidate nearest to it;
- an integer N (or ``"N"``): the N-th entry of the fixed-point list of v.
R is the stable candidate other than P with the largest welfare.

Payoffs at pure profiles are compared exactly (10^13 + 1 beats 10^13); payoffs
at other points, which are floats, within the relative tolerance `TIE_RTOL`.
A preference that several candidates meet equally (equal payoff vectors for
``payoff-dominant``, equal welfare for ``welfare`` or its fallback: the two
pure equilibria of Battle of the Sexes, of Hawk-Dove) is a tie: P is the
first of them in the fixed-point list, and `Choice.ties` lists them all so
that each is checked and the user can name one (a profile or an index).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import sympy as sp

from eqselect.theory import Game, OptionsError, RegionKind
from eqselect.theory.exact import to_exact
from eqselect.theory.profile_names import profile_actions

_LETTERS = {"C": 0, "D": 1}
#: Relative tolerance within which two payoffs or welfares count as equal.
TIE_RTOL = 1e-12


@dataclass(frozen=True)
class Candidate:
    """A possible P or R."""

    label: str
    point: tuple
    exact: tuple | None
    strategies: tuple
    stable: bool
    at_infinity: bool
    payoffs: tuple
    index: int | None = None  # into the fixed-point list of v
    exact_payoffs: tuple | None = None  # at a pure profile: the payoff entries, exact

    @property
    def welfare(self) -> float:
        """W = sum_i J_i (payoffs, without entropy)."""
        return float(sum(self.payoffs))

    @property
    def compared_payoffs(self) -> tuple:
        """The payoffs P and R are chosen by: exact where known, else floats."""
        return self.exact_payoffs if self.exact_payoffs is not None else self.payoffs

    @property
    def compared_welfare(self):
        """W from `compared_payoffs` (exact at a pure profile)."""
        return sum(self.compared_payoffs)


def expected_payoffs(game: Game, strategies) -> tuple:
    """Each agent's expected payoff under mixed ``strategies`` (one-state games)."""
    out = []
    for tensor in game.payoffs:
        t = np.array(sp.Matrix(np.array(tensor, dtype=object).ravel()).evalf(), dtype=float)
        t = t.reshape(game.actions)
        for s in reversed(strategies):
            t = t @ np.asarray(s, dtype=float)
        out.append(float(t))
    return tuple(out)


def pure_nash_profiles(game: Game) -> list[tuple]:
    """Strict pure Nash profiles of a one-state normal-form game (exact)."""
    if not game.payoffs or game.states != 1:
        return []
    tensors = [np.array(t, dtype=object) for t in game.payoffs]
    out = []
    for a in itertools.product(*(range(m) for m in game.actions)):
        strict = True
        for i, t in enumerate(tensors):
            for b in range(game.actions[i]):
                if b != a[i]:
                    alt = a[:i] + (b,) + a[i + 1:]
                    if not to_exact(t[a] - t[alt], "payoff difference") > 0:
                        strict = False
        if strict:
            out.append(a)
    return out


def _pure_strategies(game, profile):
    return tuple(tuple(1.0 if k == a else 0.0 for k in range(m))
                 for a, m in zip(profile, game.actions))


def pure_profile_of(strategies) -> tuple | None:
    """The action indices when every strategy is exactly a unit vector, else None."""
    out = []
    for s in strategies:
        ones = [k for k, x in enumerate(s) if x == 1]
        if len(ones) != 1 or any(x != 0 for k, x in enumerate(s) if k != ones[0]):
            return None
        out.append(ones[0])
    return tuple(out)


def exact_payoffs(game: Game, strategies) -> tuple | None:
    """Each agent's payoff, exact, at a pure profile of a one-state game; else None."""
    a = pure_profile_of(strategies) if strategies else None
    if a is None or not game.payoffs or game.states != 1:
        return None
    return tuple(to_exact(np.array(t, dtype=object)[a], "payoff") for t in game.payoffs)


def candidates(game: Game, fixed_points) -> list[Candidate]:
    """Stable fixed points of v, then strict pure Nash profiles at infinity."""
    out = []
    for k, fp in enumerate(fixed_points):
        if fp.stability != "stable":
            continue
        pay = expected_payoffs(game, fp.strategies) if game.payoffs and fp.strategies else ()
        out.append(Candidate(f"#{k}", fp.point, fp.exact, fp.strategies, True, False, pay, k,
                             exact_payoffs(game, fp.strategies) if pay else None))
    free = game.region.kind is RegionKind.FREE and game.tau is None and game.strategies
    if free:
        for a in pure_nash_profiles(game):
            st = _pure_strategies(game, a)
            name = ",".join(profile_actions(game, a))  # "C,C", as --preferred spells it
            out.append(Candidate(name, tuple(float("inf") if x == 0 else
                                                               float("-inf") for x in a),
                                 None, st, True, True, expected_payoffs(game, st),
                                 exact_payoffs=exact_payoffs(game, st)))
    return out


def parse_profile(game: Game, text: str) -> tuple:
    """Action indices from action names ("stag,stag"), "C,C" or "0,1"; an error
    naming the valid forms."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != len(game.actions or ()):
        n = len(game.actions or ())
        if len(parts) == 1:  # one word: a misspelt keyword or a bad index, not a profile
            raise OptionsError(f"--preferred {text!r}: give payoff-dominant, welfare, an "
                               "index into the fixed-point list of v (0, 1, ...), or a profile "
                               f"with one action for each of the {n} agents (e.g. "
                               f"{','.join(['C'] * n)} or {','.join(['0'] * n)}); the "
                               "outcomes it also accepts are in docs/alignment.md")
        raise OptionsError(f"--preferred {text!r}: the game has {n} agents; "
                           "give one action per agent, e.g. C,C or 0,1")
    out = []
    for i, (p, m) in enumerate(zip(parts, game.actions)):
        names = [game.action_name(i, a) for a in range(m)]
        if p in names:  # the game's own action names first (game files, built-ins)
            out.append(names.index(p))
        elif p.upper() in _LETTERS and m == 2:
            out.append(_LETTERS[p.upper()])
        elif p.isascii() and p.isdigit() and int(p) < m:
            out.append(int(p))
        else:
            raise OptionsError(f"--preferred {text!r}: {p!r} is not an action of agent "
                               f"{i + 1} ({', '.join(names)}, or an index 0..{m - 1})")
    return tuple(out)


@dataclass(frozen=True)
class Choice:
    """P, R and how they were chosen.

    Attributes
    ----------
    P, R : Candidate or None
    notes : tuple of str
    ties : tuple of Candidate
        Every candidate meeting the preference as well as P (P first);
        empty when P is the only one.
    candidates : tuple of Candidate
        The stable candidates the choice was made from.
    """

    P: Candidate | None
    R: Candidate | None
    notes: tuple
    ties: tuple = ()
    candidates: tuple = ()


def choose(game: Game, fixed_points, preferred="payoff-dominant"):
    """(P, R, notes) for a preference; R is None when there is no alternative,
    P too when v has no stable candidate at all (an index still names a point).
    Ties are in `choose_candidates`."""
    c = choose_candidates(game, fixed_points, preferred)
    return c.P, c.R, list(c.notes)


def no_p_reason(complete: bool) -> str:
    """Why a condition that needs P is not decided when there is none: a fact when
    the fixed-point list of v is proven complete, else what was found."""
    if complete:
        return "v has no stable equilibrium to prefer: no P, so the condition does not apply"
    return ("no stable equilibrium of v was found, and the fixed-point list is not proven "
            "complete: no P, so the condition is not decided")


def choose_candidates(game: Game, fixed_points, preferred="payoff-dominant",
                      complete: bool = True) -> Choice:
    """The `Choice` of P and R for a preference, ties listed; ``complete`` says
    whether ``fixed_points`` is proven to hold every fixed point of v."""
    cands = candidates(game, fixed_points)
    notes, ties = [], ()
    if isinstance(preferred, int) or (isinstance(preferred, str) and preferred.isascii()
                                      and preferred.isdigit()):
        k = int(preferred)
        if not 0 <= k < len(fixed_points):
            n = len(fixed_points)
            held = ("is empty" if not n else "has one entry (index 0)" if n == 1 else
                    f"has {n} entries (indices 0..{n - 1})")
            raise OptionsError(f"--preferred {k}: the fixed-point list of v {held}")
        fp = fixed_points[k]
        pay = expected_payoffs(game, fp.strategies) if game.payoffs and fp.strategies else ()
        P = Candidate(f"#{k}", fp.point, fp.exact, fp.strategies, fp.stability == "stable",
                      False, pay, k, exact_payoffs(game, fp.strategies) if pay else None)
        if not P.stable:
            notes.append(f"P = fixed point #{k} is {fp.stability}, not stable")
    elif not cands:
        notes.append(f"game {game.name!r} has no stable equilibrium of v (nor a strict pure "
                     "Nash profile at infinity): there is no P to prefer" if complete else
                     f"no stable equilibrium of v (nor a strict pure Nash profile at "
                     f"infinity) was found for game {game.name!r}, whose fixed-point list "
                     "is not proven complete: there is no P to prefer among what was found")
        return Choice(None, None, tuple(notes))
    elif preferred in ("payoff-dominant", "welfare"):
        ties = _best(cands, preferred, notes)
        P = ties[0]
        if len(ties) > 1:
            notes.append(f"{len(ties)} candidates tie for P ({preferred}): "
                         f"{', '.join(c.label for c in ties)}; P is the first, each is "
                         "checked, and --preferred with a profile or an index chooses")
        else:
            ties = ()
    else:
        P = _nearest(game, cands, parse_profile(game, str(preferred)), notes, str(preferred))
    return Choice(P, alternative(cands, P), tuple(notes), tuple(ties), tuple(cands))


def alternative(cands, P):
    """R: the stable candidate other than P with the largest welfare (None if none)."""
    rest = [c for c in cands if c.point != P.point and c.stable]
    if not rest:
        return None
    best = rest[0]
    for c in rest[1:]:  # the first of equal welfares, as max() keeps it
        if _compare(c.compared_welfare, best.compared_welfare) > 0:
            best = c
    return best


def _same(x: float, y: float) -> bool:
    return abs(x - y) <= TIE_RTOL * max(1.0, abs(x), abs(y))


def _compare(x, y) -> int:
    """The sign of x - y: exact when both are exact numbers (payoffs at pure
    profiles), else within the float tolerance `TIE_RTOL` (0 for equal)."""
    if isinstance(x, sp.Basic) and isinstance(y, sp.Basic):
        d = x - y
        d = sp.simplify(d) if d.is_zero is None else d
        if d.is_zero:
            return 0
        if d.is_positive is not None:
            return 1 if d.is_positive else -1
    x, y = float(x), float(y)
    return 0 if _same(x, y) else (1 if x > y else -1)


def _best(cands, preferred, notes) -> list:
    """The candidates meeting the preference best (ties: more than one), in list order."""
    if preferred == "payoff-dominant" and all(c.payoffs for c in cands):
        top = [c for c in cands
               if all(all(_compare(x, y) >= 0 for x, y in zip(c.compared_payoffs,
                                                               o.compared_payoffs))
                      for o in cands)]
        if top:
            return top
        notes.append("no candidate is payoff-dominant; P is the welfare-maximal one")
    best = cands[0]
    for c in cands[1:]:
        if _compare(c.compared_welfare, best.compared_welfare) > 0:
            best = c
    return [c for c in cands if _compare(c.compared_welfare, best.compared_welfare) == 0]


def _nearest(game, cands, profile, notes, text: str):
    target = _pure_strategies(game, profile)
    flat = np.concatenate([np.asarray(s, dtype=float) for s in target])

    def dist(c):
        return float(np.abs(np.concatenate([np.asarray(s, dtype=float)
                                            for s in c.strategies]) - flat).max())
    best = min(cands, key=dist)
    if dist(best) > 0.25:
        raise OptionsError(f"--preferred {text!r} (action indices "
                           f"{','.join(map(str, profile))}): no stable equilibrium near that "
                           f"profile (the nearest, {best.label}, differs by {dist(best):.3g})")
    if dist(best) > 0:
        notes.append(f"P is the stable equilibrium nearest to the profile "
                     f"{','.join(map(str, profile))} (max strategy difference {dist(best):.3g})")
    return best
