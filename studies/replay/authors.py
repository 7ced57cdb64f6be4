"""The authors' protocol: their starts, seeds, repetitions, batch sizes, counting and steps.

The paper's figures come from its authors' experiment script (docs/replay.md,
"The authors' protocol", which cites the script line by line). It differs
from eqselect's protocol in how randomness is laid out, not in the
dynamics: every training run has its own generator, seeded from the run's
index, and the experiments use their own batch sizes and step totals:

| experiment | run seed(s) | starts | batch | steps |
|---|---|---|---|---|
| basin map (PG, Meta-MAPG) | 12000 + 101 i + 13 j + (0 PG, 1 Meta-MAPG) | grid cell (i, j) | 192 | 140 |
| peer sweep | 31000 + 101 i + 13 j + round(100 lambda) | grid cell (i, j) | 192 | 140 |
| ablation | 1000 + 37 s, the start drawn first from the same stream | N(0, 1.35^2) | 384 | 260 |
| restarts | master 9000 + 41 s: per epoch a start U[-3, 3] then a run seed | uniform | 384 | 120 |
| restart selection | master 18000 + 53 s, 12 epochs, PG and Meta-MAPG | uniform | 384 | 120 |
| annealing | starts from one stream 50000; runs 51000 + 71 s + (0, 1, 2) | N(0, 1.35^2) | 256 | 2000 |
| estimator | 16000 + 97 r + B per repetition r, 80 repetitions | logit(0.58) | B | - |

(i indexes agent 1's probability, j agent 2's, s the seed, r the
repetition.) With ``seed`` S > 0 every run seed is shifted by S * SEED_STRIDE,
a replica of the protocol with the same layout. In exact mode the same
starts are drawn (the random calls that follow them included, so the
streams stay aligned) and the updates use the exact terms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eqselect.numerics.dynamics.schedules import PaperAnnealing
from eqselect.numerics.dynamics.starts import GivenStarts
from eqselect.studies.replay.counting import AUTHORS
from eqselect.studies.replay.runs import METHODS, Setting, exact_source, run_method, run_rule, tick
from eqselect.studies.replay.streams import RunStreams, generators

#: Seeds of replica S are the protocol's seeds plus S * SEED_STRIDE (the
#: protocol's own seeds are all below it, so no two replicas share one of them).
SEED_STRIDE = 100_000
#: The upper bound (exclusive) of the run seeds a restart epoch draws.
RUN_SEED_BOUND = 2 ** 31 - 1
#: The basin map and restart selection run these two methods only.
TWO_METHODS = ("pg", "meta-mapg")


@dataclass(frozen=True)
class AuthorsSetting:
    """The authors' batch sizes, repetitions and step totals (docs/replay.md).

    ``base`` holds what both protocols share (coefficients, threshold, grid
    steps, the sweep's lambdas, the estimator's batches), with the authors'
    counting convention.
    """

    base: Setting = Setting(counting=AUTHORS, estimator_reps=80)
    map_batch: int = 192
    sweep_batch: int = 192
    batch: int = 384
    seeds: int = 100
    anneal_batch: int = 256
    anneal_steps: int = 2000
    selection_budget: int = 12
    seed: int = 0

    def run_seed(self, base: int) -> int:
        """The run seed of the protocol's ``base`` in this replica."""
        return int(base) + SEED_STRIDE * int(self.seed)


def _grid(n: int) -> np.ndarray:
    return np.linspace(0.05, 0.95, n)


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def _cells(n: int):
    """Grid cells (i, j) in the authors' order: agent 1's probability outer."""
    return [(i, j) for i in range(n) for j in range(n)]


def _source(mode: str, game: str, batch: int, gens, eta: float):
    return exact_source(game) if mode == "exact" else RunStreams(game, batch, gens, eta)


def grid_outcome(a: AuthorsSetting, mode: str, method: str, seed_of, n: int,
                 batch: int, lam: float | None = None):
    """One method over the n x n grid of starts theta = logit(p), run (i, j) seeded
    ``seed_of(i, j)``; the `Outcome` of the runs in the authors' order."""
    s, p = a.base, _grid(n)
    cells = _cells(n)
    x0 = np.array([[_logit(p[i]), _logit(p[j])] for i, j in cells])
    gens = generators(a.run_seed(seed_of(i, j)) for i, j in cells)
    src = _source(mode, "stag-hunt", batch, gens, s.eta)
    return run_method(src, "stag-hunt", method, GivenStarts(x0), s.map_steps, s, lam=lam)


def basin_map(a: AuthorsSetting, mode: str, grid: int = 21, progress=None) -> dict:
    """PG and Meta-MAPG over the 21 x 21 grid, batch 192, 140 steps."""
    out = {}
    for k, m in enumerate(TWO_METHODS):
        out[m] = grid_outcome(a, mode, m, lambda i, j, k=k: 12000 + 101 * i + 13 * j + k, grid,
                              a.map_batch)
        tick(progress)
    return out


def peer_sweep(a: AuthorsSetting, mode: str, grid: int = 11, progress=None) -> dict:
    """Meta-MAPG over the 11 x 11 grid for every lambda of the sweep."""
    out = {}
    for lam in a.base.peer_sweep:
        shift = int(round(100.0 * float(lam)))
        out[f"{lam:g}"] = grid_outcome(
            a, mode, "meta-mapg", lambda i, j: 31000 + 101 * i + 13 * j + shift, grid,
            a.sweep_batch, lam)
        tick(progress)
    return out


def ablation(a: AuthorsSetting, mode: str, progress=None) -> dict:
    """Four methods from N(0, 1.35^2) starts, each run's start the first draw of its stream."""
    s, out = a.base, {}
    for game in ("stag-hunt", "ipd"):
        out[game] = {}
        for m in METHODS:
            gens = generators(a.run_seed(1000 + 37 * k) for k in range(a.seeds))
            x0 = np.array([g.normal(0.0, s.ablation_std, size=(2, _states(game))).ravel()
                           for g in gens])
            src = _source(mode, game, a.batch, gens, s.eta)
            out[game][m] = run_method(src, game, m, GivenStarts(x0), s.ablation_steps, s)
            tick(progress)
    return out


def _states(game: str) -> int:
    return 1 if game == "stag-hunt" else 5


def epochs_to_success(a: AuthorsSetting, mode: str, game: str, method: str, master_seed,
                      epochs: int) -> np.ndarray:
    """Index of the first successful epoch of every seed (``epochs`` when none).

    Seed k's master stream default_rng(master_seed(k)) gives, per epoch, a
    start uniform in [-3, 3]^d and then the epoch's run seed; the epochs of
    all seeds still without a success run together, one epoch at a time.
    Since the master stream is used for nothing else, its draws do not
    depend on the outcomes.
    """
    s = a.base
    masters = generators(a.run_seed(master_seed(k)) for k in range(a.seeds))
    first = np.full(a.seeds, epochs)
    for epoch in range(epochs):
        drawn = [(g.uniform(-s.restart_range, s.restart_range, size=(2, _states(game))).ravel(),
                  int(g.integers(0, RUN_SEED_BOUND))) for g in masters]
        todo = np.flatnonzero(first == epochs)
        if not todo.size:
            break
        x0 = np.array([drawn[k][0] for k in todo])
        src = _source(mode, game, a.batch, generators(drawn[k][1] for k in todo), s.eta)
        ok = run_method(src, game, method, GivenStarts(x0), s.restart_steps, s).success
        first[todo[ok]] = epoch
    return first


def restarts(a: AuthorsSetting, mode: str, progress=None) -> dict:
    """Restarts before the first success: up to 12 restarts (13 epochs) of 120 steps."""
    out = {}
    for game in ("stag-hunt", "ipd"):
        out[game] = {}
        for m in METHODS:
            out[game][m] = epochs_to_success(a, mode, game, m, lambda k: 9000 + 41 * k,
                                             a.base.restart_budget + 1)
            tick(progress)
    return out


def restart_selection(a: AuthorsSetting, mode: str, progress=None) -> dict:
    """Index of the first epoch (of 12) reaching (C, C), PG and Meta-MAPG, Stag Hunt."""
    out = {"stag-hunt": {}}
    for m in TWO_METHODS:
        out["stag-hunt"][m] = epochs_to_success(a, mode, "stag-hunt", m,
                                                lambda k: 18000 + 53 * k, a.selection_budget)
        tick(progress)
    return out


def annealing(a: AuthorsSetting, mode: str, progress=None) -> dict:
    """PG, constant lambda and two-phase Meta-MAPG from 80 shared starts, 2000 steps."""
    s, game = a.base, "stag-hunt"
    master = np.random.default_rng(a.run_seed(50000))
    x0 = np.array([master.normal(0.0, s.ablation_std, size=(2, 1)).ravel()
                   for _ in range(s.anneal_seeds)])
    rules = {"pg": s.rule("pg"), "constant": s.rule("meta-mapg"),
             "two-phase": s.rule("meta-mapg", annealing=PaperAnnealing(
                 lam_c=s.lam, n0=s.anneal_n0))}
    out = {}
    for offset, (label, rule) in enumerate(rules.items()):
        gens = generators(a.run_seed(51000 + 71 * k + offset) for k in range(s.anneal_seeds))
        src = _source(mode, game, a.anneal_batch, gens, s.eta)
        out[label] = run_rule(src, game, rule, GivenStarts(x0), a.anneal_steps, s)
        tick(progress)
    return out


def estimator_generators(a: AuthorsSetting, batch: int) -> list:
    """Repetition r's generator at batch B: default_rng(16000 + 97 r + B)."""
    return generators(a.run_seed(16000 + 97 * r + batch) for r in range(a.base.estimator_reps))
