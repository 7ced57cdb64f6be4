"""Paired starts: one sample of starts run under F_lambda at several lambdas.

Common random numbers: the same n starts x_1..x_n (drawn once from a seed)
are run under the family F_lambda = v + lambda M at every lambda asked for,
through the one basin engine (`eqselect.numerics.dynamics.basins.run_basins`,
the compiled kernels; the IPD's chain field), on the paper's schedule. Each
end point is judged by the outcomes P and R (`outcome_regions.members`). The
difference between two lambdas is then a paired difference: start k counts
+1 when it reaches P at the larger lambda only, -1 when at the smaller only.

`PairedSample` holds the end points' judgements; `paired_difference` turns
two of its lambdas into the counts and an interval (docs/alignment.md,
"Statistical verdicts"):

- gains g (P at the larger lambda only) and losses l (P at the smaller only)
  among the n starts; the change of P's basin mass is D = (g - l) / n;
- D's interval is the Wald interval of the mean of the paired differences
  d_k in {-1, 0, 1}: D +- z sqrt(((g + l)/n - D^2) / (n - 1)), z the two-sided
  normal quantile of the confidence;
- the sign of D is decided when the interval excludes 0 **and** the exact
  conditional (McNemar) test agrees: given m = g + l discordant starts,
  g ~ Binomial(m, 1/2) under "no change"; its two-sided p-value must be
  below 1 - confidence. A sample with no discordant start decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from eqselect.theory import GameError, OptionsError
from eqselect.proofs_check.binomial import two_sided_half
from eqselect.numerics.dynamics.starts import start_kind

#: Steps of a run: the paper's ablation (docs/replay.md), long enough for the
#: IPD's policies to saturate on the states they visit.
STEPS = 260


@dataclass(frozen=True)
class SampleOptions:
    """How the paired sample is drawn and judged.

    Attributes
    ----------
    n : int or None
        Starts (each run once per lambda); None: `SMALL_N` for games of up
        to `SMALL` parameters, `LARGE_N` otherwise (`sample_size`).
    seed : int
        Seed of the starts.
    steps : int
        Steps of the paper's schedule per run.
    confidence : float
        Confidence of every interval (0.95: z = 1.96).
    delta : float or None
        The small lambda of A3's pair (0, delta); None: lambda / 5 of the rule.
    kernel : "auto", "numba" or "numpy"
        The engine's stepping loop: the fused compiled kernel (numba), or the
        vectorised loop over the compiled field (numpy). "auto": numba for
        the IPD's chain field and games of more than `SMALL` parameters,
        where the run outweighs a kernel's compilation (a few seconds per
        lambda), numpy for smaller games.
    """

    n: int | None = None
    seed: int = 0
    steps: int = STEPS
    confidence: float = 0.95
    delta: float | None = None
    kernel: str = "auto"

    def __post_init__(self):
        if self.n is not None and (isinstance(self.n, bool) or int(self.n) != self.n
                                   or not 10 <= self.n <= 10 ** 7):
            raise OptionsError(f"samples must be an integer in [10, 10^7], not {self.n!r}")
        if isinstance(self.steps, bool) or int(self.steps) != self.steps or self.steps < 1:
            raise OptionsError(f"steps must be a positive integer, not {self.steps!r}")
        if not 0.5 <= float(self.confidence) < 1:
            raise OptionsError(f"confidence must be in [0.5, 1), not {self.confidence!r}")
        if self.delta is not None and not float(self.delta) > 0:
            raise OptionsError(f"delta must be > 0, not {self.delta!r}")
        if self.kernel not in ("auto", "numba", "numpy"):
            raise OptionsError(f"kernel must be auto, numba or numpy, not {self.kernel!r}")

    @property
    def z(self) -> float:
        """The two-sided normal quantile of the confidence (the standard normal's
        inverse distribution function; ``scipy.special`` imports in a fifth of the
        time ``scipy.stats`` takes)."""
        from scipy.special import ndtri

        return float(ndtri(0.5 + float(self.confidence) / 2))


#: Parameters up to which "auto" steps with numpy (see `SampleOptions.kernel`).
SMALL = 4
#: Default sample sizes: small games run fast on the vectorised loop, and a
#: small net flux needs many starts to be resolved; larger games run 2000.
SMALL_N, LARGE_N = 4000, 2000


def sample_size(game, options: "SampleOptions") -> int:
    """``options.n``, else the default for the game's dimension."""
    if options.n is not None:
        return int(options.n)
    return SMALL_N if len(game.parameters) <= SMALL else LARGE_N


def kernel_for(game, options: SampleOptions) -> str:
    """The engine's kernel for ``options.kernel`` (resolving "auto")."""
    if options.kernel != "auto":
        return options.kernel
    from eqselect.numerics.dynamics.kernels.chain import chain_game
    from eqselect.numerics.dynamics.kernels.fused import available

    if not available():
        return "numpy"
    return "numba" if chain_game(game) is not None or len(game.parameters) > SMALL else "numpy"


def draw_starts(game, options: SampleOptions) -> np.ndarray:
    """The starts: theta ~ N(0, 1.35^2) under logit (the paper's ablation),
    probabilities uniform in [0.05, 0.95] (each simplex uniform) otherwise."""
    from eqselect.numerics.dynamics.starts import monte_carlo_starts

    sampler = "normal" if start_kind(game) == "logit" else "probability"
    return monte_carlo_starts(game, sample_size(game, options), int(options.seed), sampler)[1]


@dataclass(frozen=True)
class PairedSample:
    """The judgements of one sample of starts at several lambdas.

    Attributes
    ----------
    lams : tuple of float
    in_P, in_R : dict float -> ndarray of bool, shape (n,)
        Which starts end in P (in R) at each lambda.
    final : dict float -> ndarray, shape (n, d)
        The end points at each lambda.
    n : int
    options : SampleOptions
    notes : tuple of str
        The engine's notes (fallbacks, non-finite runs).
    """

    lams: tuple
    in_P: dict
    in_R: dict
    final: dict
    n: int
    options: SampleOptions
    notes: tuple = field(default=())

    def mass(self, lam: float, which: str = "P") -> dict:
        """Basin mass of P (or R) at ``lam``: share, count and Wilson interval."""
        from eqselect.numerics.dynamics.outcomes import wilson_interval

        hits = (self.in_P if which == "P" else self.in_R)[lam]
        k = int(hits.sum())
        return {"lam": lam, "mass": k / self.n, "count": k,
                "interval": wilson_interval(k, self.n, self.options.z)}


def run_paired(dec, family, game, outcomes, lams, options: SampleOptions) -> PairedSample:
    """Run the starts under ``family(lam)`` for each lambda and judge them by P and R.

    Parameters
    ----------
    dec : Decomposition
        With numeric eta and payoffs.
    family : callable
        lambda -> the `Rule` whose field is F_lambda.
    game : Game
        ``dec.game``.
    outcomes : (Outcome, Outcome or None)
        P and R.
    lams : sequence of float
    options : SampleOptions
    """
    from eqselect.numerics.dynamics.basins import run_basins
    from eqselect.numerics.dynamics.judges import SuccessJudge
    from eqselect.numerics.dynamics.problem import BasinProblem
    from eqselect.numerics.dynamics.schedules import PaperSchedule
    from eqselect.numerics.dynamics.starts import GivenStarts
    from eqselect.proofs_check.outcome_regions import members

    P, R = outcomes
    x0 = draw_starts(game, options)
    in_P, in_R, final, notes = {}, {}, {}, []
    judge = SuccessJudge(lambda x: members(game, P, x))
    kernel = kernel_for(game, options)
    for lam in dict.fromkeys(float(x) for x in lams):
        problem = BasinProblem(dec, family(lam), GivenStarts(x0), int(options.steps),
                               PaperSchedule(), judge, kernel=kernel)
        bm = run_basins(problem)
        final[lam] = bm.final
        in_P[lam] = members(game, P, bm.final)
        in_R[lam] = (members(game, R, bm.final) if R is not None
                     else np.zeros(len(x0), dtype=bool))
        notes += [nt for nt in bm.notes if nt not in notes and "first-hit" not in nt]
    if not in_P:
        raise GameError("paired starts need at least one lambda")
    return PairedSample(tuple(in_P), in_P, in_R, final, len(x0), options, tuple(notes))


def paired_difference(a: np.ndarray, b: np.ndarray, options: SampleOptions) -> dict:
    """Counts, change and interval of the paired indicators a (smaller lambda) -> b:
    `flips` with gains = b and not a, losses = a and not b."""
    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    return flips(b & ~a, a & ~b, options)


def flips(gained: np.ndarray, lost: np.ndarray, options: SampleOptions) -> dict:
    """Counts, change and interval of paired differences d_k = gained_k - lost_k.

    Returns
    -------
    dict
        ``gains`` (b only), ``losses`` (a only), ``n``, ``change`` = (g - l)/n,
        ``interval`` (Wald, module docstring), ``p_value`` (exact McNemar),
        ``sign``: +1, -1, or 0 when not decided at the confidence.
    """
    n = len(gained)
    g, l = int(np.sum(gained)), int(np.sum(lost))
    change = (g - l) / n
    var = max((g + l) / n - change ** 2, 0.0)
    half = options.z * np.sqrt(var / max(n - 1, 1))
    m = g + l
    p = two_sided_half(g, m)
    lo, hi = change - half, change + half
    alpha = 1 - float(options.confidence)
    sign = 0
    if m and p < alpha and (lo > 0 or hi < 0):
        sign = 1 if lo > 0 else -1
    return {"gains": g, "losses": l, "n": n, "change": change,
            "interval": (float(lo), float(hi)), "p_value": p, "sign": sign,
            "confidence": float(options.confidence)}
