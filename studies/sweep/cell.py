"""One cell of a selection atlas: the only place a sweep calls the numerics.

For one game, payoff-symbol values and rule (method, lambda, c), a cell holds
(docs/sweep.md):

1. the fixed points of the rule's field and their stability at exact
   payoffs: for the direct parameterisation from `find_equilibria` (face by
   face and exact, so "(D, D) exists" is decided exactly and the list is
   complete); for logit / softmax from seeded deflated Newton
   (`newton_fixed_points`, bounded in time, possibly incomplete), since the
   exact solver of `find_equilibria` has no time budget there;
2. the basin share of each attractor: a grid of starts in probability space
   run with the paper's schedule (or the projected flow), each end point
   labelled by the nearest stable fixed point within ``tol`` in probability
   coordinates, else (logit) by the nearest pure profile within ``tol``, else
   ``unresolved``; ``fraction`` is the share meeting the paper's success
   predicate (every agent's first-action probability >= 0.82);
3. a slot for the alignment verdicts A1-A3, reported as not computed: the
   runner fills it from the checker (`eqselect.studies.sweep.verdicts`) when
   the sweep asks for the verdicts.

The rule's field is compiled once per worker process and (game, method, c,
eta), with the payoff symbols and lambda as run-time parameters, and reused
for every cell of that rule; maps of at least ``COMPILED_MIN_WORK``
start-steps run the paper's schedule on the fused numba kernel built the
same way (`eqselect.numerics.dynamics.kernels`, cached on disk), the numpy
schedule being the reference and the fallback without numba. Swapping in
other kernels changes this module only.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import sympy as sp

from eqselect.theory import Decomposition, GameError, RegionKind
from eqselect.theory.exact import to_exact
from eqselect.theory.io.resolve import load_game
from eqselect.theory.rules import LAMBDA, PAPER, Rule, as_rule
from eqselect.theory.games.builtins import BUILTINS
from eqselect.theory.serialize import Record, package_version
from eqselect.numerics.codegen import compile_exprs
from eqselect.numerics.dynamics.outcomes import cooperation_success
from eqselect.numerics.dynamics.starts import (
    GridStarts, parameters_to_probability, probability_kind)
from eqselect.numerics.dynamics.basins import run_basins
from eqselect.numerics.dynamics.judges import NamedPointJudge
from eqselect.numerics.dynamics.kernels.fused import available as kernels_available
from eqselect.numerics.dynamics.kernels.fused import compiled_kernel
from eqselect.numerics.dynamics.problem import BasinProblem
from eqselect.numerics.dynamics.schedules import PaperSchedule
from eqselect.numerics.fixed_points.find import find_equilibria, sort_key
from eqselect.numerics.fixed_points.newton.multistart import newton_fixed_points
from eqselect.numerics.fixed_points.core.record import Stability
from eqselect.studies.sweep.grid import read_game_file

#: What a sweep says in place of the alignment verdicts it does not compute.
ALIGNMENT_NOT_COMPUTED = {
    "status": "not computed",
    "conditions": ["A1", "A2", "A3"],
    "reason": "not requested: the numerics alone do not evaluate the verdicts; eqselect "
              "sweep adds them from the checker unless --no-verdicts is given",
}


@dataclass(frozen=True)
class GameSpec:
    """Which game a sweep runs: a built-in name or file, and a parameterisation.

    Attributes
    ----------
    game : str
        A built-in name or a game file's path (its name, for messages and the
        game's default name).
    parameterization : str or None
    digest : str
        sha256 of the file's bytes ("" for a built-in): with the eqselect
        version, the key of every cache of the game's compiled fields, so an
        edited file is never served from a cache.
    text : str
        The file's text ("" for a built-in, or to read ``game`` from disk):
        the game travels to workers as this content, not as a path.
    """

    game: str
    parameterization: str | None = None
    digest: str = ""
    text: str = field(default="", repr=False, compare=False)


@lru_cache(maxsize=1)
def eqselect_version() -> str:
    """This process's eqselect version, read once (the lookup scans the installed
    distributions: milliseconds, as much as a small cell)."""
    return package_version()


def with_content(spec: GameSpec) -> GameSpec:
    """``spec`` carrying its game file's text and digest (read now when missing).

    Built-ins are returned as they are.
    """
    if spec.text or spec.game in BUILTINS:
        return spec
    text, digest = read_game_file(spec.game)
    if not digest:
        return spec  # not a file: `sweep_game` names the problem
    return GameSpec(spec.game, spec.parameterization, digest, text)


@dataclass(frozen=True)
class CellOptions:
    """How a cell's basin map and labels are computed.

    Attributes
    ----------
    eta : sympy.Rational
        Inner learning rate.
    grid, steps : int
        Starts per axis (linspace in probability space) and updates per start.
    schedule : str
        ``"paper"`` (lr_k = 0.9 / (k + 10)^0.24) or ``"flow"`` (RK4, dt = 0.05).
    tol : float
        Distance (probability coordinates) within which an end point counts
        as having reached an attractor.
    """

    eta: object = PAPER.eta
    grid: int = 21
    steps: int = PAPER.steps
    schedule: str = "paper"
    tol: float = 0.05


@dataclass(frozen=True)
class CellResult(Record):
    """What one cell holds.

    Attributes
    ----------
    method, lam : str
        The rule's method and lambda (exact, as text).
    symbols : dict of str to str
        Every payoff symbol's exact value in this cell.
    fraction : float
        Share of starts meeting the success predicate (the preferred outcome).
    outcomes : dict of str to int
        Starts per attractor label (probability coordinates), plus ``unresolved``.
    n_starts : int
    equilibria : tuple of dict
        Each fixed point: label, exact, point, stability, nash, boundary, route.
    equilibria_complete : bool
        Whether the fixed-point list is proven complete.
    alignment : dict
        ``ALIGNMENT_NOT_COMPUTED``.
    notes : tuple of str
    """

    method: str
    lam: str
    symbols: dict
    fraction: float
    outcomes: dict
    n_starts: int
    equilibria: tuple
    equilibria_complete: bool
    alignment: dict
    notes: tuple = ()


def sweep_game(spec: GameSpec):
    """The game with its payoff symbols kept free (2x2 built-ins as a, b, c, d).

    A spec that carries its file's text is loaded from that text (in a
    private temporary folder, under the file's name), never from the path,
    so a worker needs no copy of the file and sees the content the client hashed.

    Raises
    ------
    GameError
        Unknown game or malformed file.
    """
    if spec.text:
        return _game_from_text(spec)
    try:
        return load_game(spec.game, spec.parameterization, symbolic=True)
    except GameError:
        return load_game(spec.game, spec.parameterization)


_GAMES: dict = {}


def _game_from_text(spec: GameSpec):
    """The game of a file's text; one per process and (digest, parameterisation, version)."""
    key = (spec.digest, spec.parameterization, eqselect_version())
    if key not in _GAMES:
        name = Path(spec.game).name
        with tempfile.TemporaryDirectory(prefix="eqselect-game-") as folder:
            path = Path(folder) / name
            path.write_text(spec.text, encoding="utf-8")
            _GAMES[key] = load_game(str(path), spec.parameterization)
    return _GAMES[key]


@dataclass(frozen=True, eq=False)  # one per cache key of `kernel`: compared by identity
class _Kernel:
    game: object
    field: Callable  # field(x, p), p = (free symbols..., lambda)
    success: Callable
    exprs: tuple = ()  # the field's expressions, for the fused compiled kernel


_KERNELS: dict = {}


def kernel(spec: GameSpec, rule: Rule, eta) -> _Kernel:
    """The rule's field compiled with (payoff symbols, lambda) as parameters.

    Cached per process and (game, its content's digest, eqselect version,
    method, c, eta): a worker compiles it once, and an edited game file is a
    new key.
    """
    key = (spec.game, spec.parameterization, spec.digest, eqselect_version(), rule.method,
           str(rule.own_coef), str(eta))
    if key not in _KERNELS:
        game = sweep_game(spec)
        dec = Decomposition(game, eta=eta)
        exprs = dec.field_engine(rule.method, LAMBDA, rule.own_coef)
        f = compile_exprs(exprs, game.parameters, game.free_symbols + (LAMBDA,))
        _KERNELS[key] = _Kernel(game, f, cooperation_success(game), tuple(exprs))
    return _KERNELS[key]


def _values(game, symbol_values: dict) -> dict:
    """Every payoff symbol -> exact value (defaults, overridden by the sweep)."""
    names = {s.name: s for s in game.free_symbols}
    unknown = sorted(set(symbol_values) - set(names))
    if unknown:
        raise GameError(f"game {game.name!r} has no payoff symbol {unknown[0]!r}; "
                        f"symbols: {', '.join(names) or 'none'}")
    out = dict(game.payoff_symbols)
    out.update({names[k]: to_exact(v, f"value of {k}") for k, v in symbol_values.items()})
    return out


#: Decompositions at exact payoff values kept per process: cells run lambda
#: fastest, so the cells of a chunk mostly share their payoffs.
DECOMPOSITIONS_KEPT = 16


@lru_cache(maxsize=DECOMPOSITIONS_KEPT)
def _decomposition(k: _Kernel, values: tuple, eta) -> Decomposition:
    """The game of kernel ``k`` at exact payoff values, derived once per values.

    Keyed by the kernel (game content, version, rule), the values and eta; the
    shaping coefficient lambda is not part of it, so the cells along the
    lambda axis share one derivation.
    """
    return Decomposition(k.game.substitute(dict(values)), eta=eta)


def _label(prob) -> str:
    return "(" + ", ".join(str(v) if isinstance(v, sp.Basic) else f"{float(v):.4g}"
                           for v in prob) + ")"


#: Most pure profiles `outcome_names` lists (a larger game's names are left out).
MAX_NAMED_PROFILES = 4096


def outcome_names(game) -> dict:
    """{label: action names} of every pure profile of a one-state game that names
    its actions: ``{"(1, 1)": "(stag, stag)", "(0, 0)": "(hare, hare)", ...}``.

    A label is written in probability coordinates (`_label`, `NamedPointJudge`):
    per agent, the probabilities of its first m - 1 actions, so "(0, 0)" is
    everyone's last action. Empty when the game leaves its actions unnamed
    (the names would be indices, read against the label's probabilities), has
    several states, or more than `MAX_NAMED_PROFILES` profiles.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> outcome_names(builtin("stag-hunt", "direct"))["(0, 1)"]
    '(D, C)'
    """
    from itertools import product

    from eqselect.theory.profile_names import profile_name

    actions = [int(m) for m in (game.actions or (2,) * game.n_agents)]
    if not game.action_names or game.states != 1 or math.prod(actions) > MAX_NAMED_PROFILES:
        return {}
    out = {}
    for profile in product(*(range(m) for m in actions)):
        coords = [int(a == k) for a, m in zip(profile, actions) for k in range(m - 1)]
        out["(" + ", ".join(map(str, coords)) + ")"] = profile_name(game, profile)
    return out


def _fixed_points(dec, rule) -> tuple[list, bool, tuple]:
    """(equilibria, proven complete, notes) by the route of the module docstring."""
    if dec.game.region.kind in (RegionKind.BOX, RegionKind.SIMPLEX):
        found = find_equilibria(dec, Rule(rule.method, rule.lam, rule.own_coef))
        return found.equilibria, bool(found.complete), tuple(found.notes)
    found = newton_fixed_points(dec, Rule(rule.method, rule.lam, rule.own_coef))
    return list(found.equilibria), False, tuple(found.notes) + (
        "fixed points by seeded deflated Newton: the list may be incomplete",)


def _fixed_point_records(game, equilibria) -> tuple[list, list]:
    """(records for the JSON, [(label, probability point)] of the stable ones)."""
    records, stable = [], []
    for e in sorted(equilibria, key=sort_key):
        prob = parameters_to_probability(game, [e.point])[0]
        exact_prob = e.exact if e.exact is not None and probability_kind(game) == "direct" \
            else None
        label = _label(exact_prob if exact_prob is not None else prob)
        records.append({"label": label, **{k: v for k, v in e.to_json().items()
                                           if k in ("exact", "point", "stability", "nash",
                                                    "boundary", "route")}})
        if e.stability is Stability.STABLE:
            stable.append((label, prob))
    return records, stable


#: Basin maps of at least this many start-steps run on the fused compiled
#: kernel when numba is installed (the paper's 21 x 21 x 140 map has 61740);
#: below it, compiling the kernel once per worker does not pay.
COMPILED_MIN_WORK = 50_000

_COMPILED: dict = {}


def compiled_field_kernel(k: _Kernel):
    """The fused kernel of k's field, payoff symbols and lambda valued at run time.

    One per process and (game, method, c, eta), like `kernel`; its machine
    code is cached on disk (`eqselect.numerics.dynamics.kernels`).
    """
    if id(k) not in _COMPILED:
        game = k.game
        module = compiled_kernel((k.exprs,), game.parameters, PaperSchedule(), None,
                                 game.region, extras=tuple(game.free_symbols) + (LAMBDA,))
        _COMPILED[id(k)] = (k, module)
    return _COMPILED[id(k)][1]


class CellSource:
    """A cell's field as a gradient source for `run_basins`: k's compiled field at
    this cell's payoff values, lambda read from the rule it serves.

    ``exact_field(rule)`` is the numpy field; ``compiled(schedule)`` the fused
    kernel with the same values (`compiled_field_kernel`).
    """

    def __init__(self, k: _Kernel, values: np.ndarray):
        self.k, self.values, self.dim = k, np.asarray(values, dtype=float), len(k.game.parameters)

    def _with_lam(self, lam) -> np.ndarray:
        return np.append(self.values, float(lam))

    def exact_field(self, rule) -> Callable:
        p = self._with_lam(rule.lam)
        return lambda x: self.k.field(x, p)

    def compiled(self, schedule, rule):
        if not isinstance(schedule, PaperSchedule) or schedule != PaperSchedule():
            raise GameError("a sweep cell's compiled kernel runs the paper's schedule only")
        return compiled_field_kernel(self.k), self._with_lam(rule.lam)


def cell_basin_map(k: _Kernel, values: np.ndarray, rule: Rule, options: CellOptions,
                   stable: tuple = ()):
    """The cell's `BasinMap`: compiled for maps of at least ``COMPILED_MIN_WORK``
    start-steps when numba is installed, else numpy; its outcomes name each
    end point by the nearest of ``stable`` ((label, probability point) pairs),
    else by a pure profile, else unresolved (`NamedPointJudge`)."""
    game = k.game
    flow = options.schedule == "flow"
    low, high = (0.0, 1.0) if flow and probability_kind(game) == "direct" else (
        PAPER.grid_low, PAPER.grid_high)
    starts = GridStarts(options.grid, low, high)
    n = options.grid ** len(game.parameters)
    fused = not flow and kernels_available() and n * options.steps >= COMPILED_MIN_WORK
    problem = BasinProblem(None, rule, starts, options.steps, options.schedule,
                           NamedPointJudge(k.success, tuple(stable), options.tol),
                           source=CellSource(k, values), game=game,
                           kernel="numba" if fused else "numpy")
    return run_basins(problem)


def evaluate_cell(game_spec: GameSpec, symbol_values: dict, rule,
                  options: CellOptions = CellOptions()) -> CellResult:
    """Fixed points and basin shares of one rule at one set of payoff values.

    Parameters
    ----------
    game_spec : GameSpec
    symbol_values : dict of str to number
        Values of the swept payoff symbols; the others keep their defaults.
    rule : Rule or method name
    options : CellOptions

    Returns
    -------
    CellResult

    Raises
    ------
    GameError
        Unknown symbol, or a game whose starts have no probability grid.

    Examples
    --------
    >>> cell = evaluate_cell(GameSpec("stag-hunt", "direct"), {"a": 5},
    ...                      Rule("peer-only", lam=1), CellOptions(grid=5, steps=40))
    >>> [e["label"] for e in cell.equilibria], cell.fraction
    (['(1, 1)'], 1.0)
    """
    rule = as_rule(rule)
    k = kernel(with_content(game_spec), rule, options.eta)
    game = k.game
    values = _values(game, symbol_values)
    dec = _decomposition(k, tuple(values.items()), options.eta)
    equilibria, complete, notes = _fixed_points(dec, rule)
    records, stable = _fixed_point_records(game, equilibria)
    bm = cell_basin_map(k, np.array([float(values[s]) for s in game.free_symbols]), rule,
                        options, stable)
    return CellResult(
        method=rule.method.value, lam=str(rule.lam),
        symbols={s.name: str(values[s]) for s in game.free_symbols},
        fraction=float(bm.success.mean()),
        outcomes=bm.outcomes,
        n_starts=int(len(bm.final)), equilibria=tuple(records),
        equilibria_complete=complete, alignment=dict(ALIGNMENT_NOT_COMPUTED),
        notes=notes + tuple(bm.notes))
