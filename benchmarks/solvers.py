"""Solver speed for ``python -m benchmarks``: continuation and fixed points.

- Continuation: Meta-MAPG on logit Stag Hunt followed in lambda over
  [0, 3] by pseudo-arclength, and peer-only on direct Stag Hunt (which also
  meets a branch point and a boundary event): points computed along the
  branches per second of wall time.
- Fixed points of a 3 x 3 game (payoffs below, the direct parameterisation,
  solved face by face and exactly, so the list is proven complete) and of the
  same game with softmax policies (seeded deflated Newton).
"""

from __future__ import annotations

import time

import numpy as np

from eqselect.numerics.continuation.branches import continue_in_lambda
from eqselect.numerics.fixed_points.find import find_equilibria
from eqselect.theory import PAPER, Decomposition, builtin, normal_form_game
from eqselect.theory.rules import Rule, resolve

#: A 3 x 3 coordination game with a dominated third action.
PAYOFFS_3X3 = [[4, 0, 1], [3, 2, 0], [0, 1, 3]]


def continuation_speed() -> dict:
    """Points per second along continuation branches (see the module docstring)."""
    out = {}
    for name, param, method in [("stag-hunt", "logit", "meta-mapg"),
                                ("stag-hunt", "direct", "peer-only")]:
        dec = Decomposition(builtin(name, param), eta=PAPER.eta)
        t0 = time.perf_counter()
        res = continue_in_lambda(dec, resolve(method), (0.0, 3.0))
        seconds = time.perf_counter() - t0
        points = int(sum(len(b.points) for b in res.branches))
        out[f"{name} {param} {method}"] = {
            "seconds": seconds, "branches": len(res.branches), "points": points,
            "events": len(res.events), "points_per_second": points / seconds}
    return out


def fixed_points_3x3() -> dict:
    """Every fixed point of PG on a 3 x 3 game, direct (exact) and softmax (Newton)."""
    a = np.array(PAYOFFS_3X3)
    out = {}
    for param in ("direct", "softmax"):
        game = normal_form_game([a.tolist(), a.T.tolist()], param, name="3x3")
        dec = Decomposition(game, eta=PAPER.eta)
        t0 = time.perf_counter()
        found = find_equilibria(dec, Rule("pg"))
        out[param] = {"seconds": time.perf_counter() - t0,
                      "fixed_points": len(found.equilibria),
                      "complete": bool(found.complete)}
    return out


#: Random degenerate bimatrix games (payoffs in -5..5, so ties and continua):
#: per size, (number of games, numpy seed); each game is to be solved within 10x
#: of pygambit's ``enummixed_solve``.
DEGENERATE_SETS = {3: (50, 35), 4: (20, 45)}


def degenerate_tables(n: int, count: int, seed: int) -> list:
    """``count`` random n x n bimatrix games, integer payoffs in -5..5 (numpy ``seed``)."""
    rng = np.random.default_rng(seed)
    return [[rng.integers(-5, 6, (n, n)).tolist() for _ in range(2)] for _ in range(count)]


def _best_of(fn, repeats: int, cold: bool = False) -> tuple[float, float]:
    """The least wall time and the least CPU time of this process over ``repeats`` calls.

    ``cold``: sympy's cache emptied before each call (a repeated game would
    otherwise find its expressions cached, which a new game does not). CPU
    time does not count the time other processes hold the core, so on a
    shared machine it is the steadier of the two.
    """
    from sympy.core.cache import clear_cache

    wall = cpu = float("inf")
    for _ in range(repeats):
        if cold:
            clear_cache()
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu


def _eqselect_solve(tables):
    game = normal_form_game(tables, "direct")
    return game, find_equilibria(Decomposition(game, eta=PAPER.eta), Rule("pg"))


def _gambit_solve(tables):
    import pygambit as gbt

    g = gbt.StrategicGame.from_arrays(*[np.array(t, dtype=object) for t in tables])
    return g, gbt.nash.enummixed_solve(g, rational=True)


def _agrees(tables, game, found, g, res) -> bool:
    """Whether eqselect's isolated points and continua's extreme points are gambit's
    extreme equilibria (the property tests/numerics/fixed_points/test_continua.py checks)."""
    from fractions import Fraction

    from eqselect.numerics.fixed_points.core.nash_check import strategies_at

    ours = set()
    for e in found.equilibria:
        pts = e.extreme_points or (e.exact,)
        ours |= {tuple(tuple(Fraction(str(x)) for x in s) for s in strategies_at(game, p))
                 for p in pts}
    theirs = {tuple(tuple(Fraction(str(eq[pl][s])) for s in g.get_strategies(pl))
                    for pl in g.players) for eq in res.equilibria}
    return ours == theirs


def _ratios(ours, theirs) -> dict:
    """Medians (ms), their ratio, and the median and largest per-game ratio."""
    per_game = ours / theirs
    return {"eqselect_ms": float(np.median(ours)), "pygambit_ms": float(np.median(theirs)),
            "ratio": float(np.median(ours) / np.median(theirs)),
            "median_per_game_ratio": float(np.median(per_game)),
            "max_per_game_ratio": float(per_game.max())}


def degenerate_fixed_points(sets=None, repeats: int = 3) -> dict:
    """eqselect's exact fixed points of PG against pygambit's ``enummixed_solve``.

    On the same random degenerate games (`DEGENERATE_SETS`), each game is
    solved ``repeats`` times by each side and its best time kept (the least
    disturbed by other load), sympy's cache emptied before each of
    eqselect's runs: a repeat of the same game would otherwise find its own
    expressions cached, and an empty cache is the pessimistic side (a new
    game in a running session finds the sub-expressions it shares with
    earlier games cached). The figures are medians over the games.

    Two ways of counting, both reported:

    - ``with_construction``: eqselect builds the game (``normal_form_game``:
      the symbolic values J_i) and its ``Decomposition``, then solves;
      pygambit builds its ``StrategicGame`` from the arrays, then solves.
      This is what a user pays for one new game.
    - ``solve_only``: both games built beforehand; eqselect's
      ``Decomposition`` and ``find_equilibria`` (which derives the PG field
      from the built game) against ``enummixed_solve``.

    Each way is timed twice: wall time, and the CPU time of this process
    (``*_cpu``), which on a machine shared with other work is not inflated
    by the time other processes hold the core.

    Returns
    -------
    dict
        Per size ("3x3", "4x4"): games, seed, the medians in ms of each side
        both ways and by both clocks, the ratios eqselect / pygambit of the
        medians, the median and the largest of the per-game ratios, and how
        many games agree with pygambit's extreme equilibria.
    """
    import pygambit as gbt

    out = {}
    for n, (count, seed) in (sets or DEGENERATE_SETS).items():
        rows = []
        for tables in degenerate_tables(n, count, seed):
            game, found = _eqselect_solve(tables)
            g, res = _gambit_solve(tables)
            rows.append((*_best_of(lambda: _eqselect_solve(tables), repeats, cold=True),
                         *_best_of(lambda: _gambit_solve(tables), repeats),
                         *_best_of(lambda: find_equilibria(Decomposition(game, eta=PAPER.eta),
                                                           Rule("pg")), repeats, cold=True),
                         *_best_of(lambda: gbt.nash.enummixed_solve(g, rational=True),
                                   repeats),
                         _agrees(tables, game, found, g, res)))
        t = np.array([r[:8] for r in rows]) * 1e3
        out[f"{n}x{n}"] = {
            "games": count, "seed": seed, "repeats": repeats,
            "agree_with_gambit": int(sum(r[8] for r in rows)),
            "with_construction": _ratios(t[:, 0], t[:, 2]),
            "solve_only": _ratios(t[:, 4], t[:, 6]),
            "with_construction_cpu": _ratios(t[:, 1], t[:, 3]),
            "solve_only_cpu": _ratios(t[:, 5], t[:, 7])}
    return out
