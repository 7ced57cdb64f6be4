"""The `eqselect` facade's numerics: what a user types, resolved once.

Each function here resolves its method name, lambda and own coefficient into
one `Rule` (`eqselect.theory.rules.resolve`), checks its other arguments and
the size of the work they ask for (`eqselect.theory.validate`, limits in
`eqselect.theory.budget`, docs/limits.md) and calls the function of the same
name in the numerics, which takes that `Rule` and nothing looser.

    >>> import eqselect as eq
    >>> dec = eq.Decomposition(eq.builtin("stag-hunt", "direct"), eta=eq.PAPER.eta)
    >>> eq.find_equilibria(dec, "peer-only", 1).equilibria == find_equilibria(
    ...     dec, eq.Rule("peer-only", lam=1)).equilibria
    True
"""

from __future__ import annotations

from eqselect.theory import PAPER, Decomposition
from eqselect.theory.budget import DEFAULT_BUDGET
from eqselect.theory import validate
from eqselect.theory.rules import resolve
from eqselect.numerics.continuation import branches
from eqselect.numerics.continuation.pseudo_arclength import ContinuationOptions
from eqselect.numerics.dynamics import basins
from eqselect.numerics.dynamics.starts import GridStarts, SampledStarts
from eqselect.numerics.fixed_points import find

#: The keyword options of `basin_monte_carlo` that describe its random starts.
SAMPLE_OPTIONS = ("sampler", "low", "high", "scale", "z")


def find_equilibria(dec, rule="pg", lam=None, own_coef=None, seed: int = 0,
                    n_seeds: int | None = None, budget: float = DEFAULT_BUDGET):
    """All fixed points of a rule's field (`eqselect.numerics.fixed_points.find.find_equilibria`).

    ``rule`` is a `Rule`, a `Method` or a method name (the paper's
    coefficients); ``lam`` / ``own_coef`` override its coefficients.
    """
    dec, rule = _dec(dec), resolve(rule, lam, own_coef)
    n_seeds = validate.check_seeds(n_seeds, len(dec.game.parameters))
    return find.find_equilibria(dec, rule, validate.seed(seed), n_seeds,
                                validate.seconds(budget))


def continue_in_lambda(dec, rule="pg", lam_range=(0.0, 3.0), own_coef=None, starts=None,
                       options=None):
    """Fixed points followed in lambda
    (`eqselect.numerics.continuation.branches.continue_in_lambda`); ``own_coef``
    overrides the rule's c."""
    dec, rule = _dec(dec), resolve(rule, None, own_coef)
    options = validate.instance(options, ContinuationOptions, "options", optional=True)
    return branches.continue_in_lambda(dec, rule, validate.interval(lam_range, "lam_range"),
                                       starts=_starts(starts, dec), options=options)


def continue_in_parameter(dec, rule="pg", parameter: str = "lam", value_range=(0.0, 3.0),
                          lam=None, own_coef=None, **keywords):
    """Fixed points followed in lambda or a payoff symbol
    (`eqselect.numerics.continuation.branches.continue_in_parameter`; ``keywords``:
    starts, options, algorithm); ``lam`` / ``own_coef`` override the rule's."""
    dec, rule = _dec(dec), resolve(rule, lam, own_coef)
    if "starts" in keywords:
        keywords["starts"] = _starts(keywords["starts"], dec)
    return branches.continue_in_parameter(dec, rule, parameter,
                                          validate.interval(value_range, "value_range"),
                                          **keywords)


def _precision(options: dict) -> None:
    """Check the ``precision`` option of the basin functions in place ("float64", "float32")."""
    if "precision" in options:
        options["precision"] = validate.float_type(options["precision"])


def basin_map(dec, rule="pg", lam=None, own_coef=None, grid: int = 21, *,
              low: float = PAPER.grid_low, high: float = PAPER.grid_high, **options):
    """Grid basin map over linspace(low, high, grid)^d
    (`eqselect.numerics.dynamics.basins.basin_map`; ``options``: steps,
    schedule, fixed_points, progress and the judge's and problem's options,
    ``precision="float32"`` among them: the compiled kernel in float32, its
    notes counting the sampled starts whose outcome differs from float64).

    >>> import eqselect as eq
    >>> dec = eq.Decomposition(eq.builtin("stag-hunt", "direct"), eta=0.55)
    >>> eq.basin_map(dec, "pg", grid=11, steps=60, schedule="flow", low=0.0, high=1.0).outcomes
    {'success': 28, 'failure': 93}
    """
    dec, rule = _dec(dec), resolve(rule, lam, own_coef)
    grid = validate.integer(grid, "grid", 1)
    _precision(options)
    d = len(dec.game.parameters)
    validate.check_basin_work(grid ** d, _steps(options), d, option="grid or steps")
    return basins.basin_map(dec, rule, GridStarts(grid, validate.real(low, "low"),
                                                  validate.real(high, "high")), **options)


def basin_monte_carlo(dec, rule="pg", lam=None, own_coef=None, n: int = 1000, seed: int = 0,
                      **options):
    """Monte-Carlo basin fraction with its Wilson interval
    (`eqselect.numerics.dynamics.basins.basin_monte_carlo`; ``options``: the
    sampler, low, high, scale and z of `SampledStarts`, then as `basin_map`)."""
    dec, rule = _dec(dec), resolve(rule, lam, own_coef)
    n, seed = validate.integer(n, "n", 1), validate.seed(seed)
    _precision(options)
    validate.check_basin_work(n, _steps(options), len(dec.game.parameters), option="n or steps")
    sample = {k: options.pop(k) for k in SAMPLE_OPTIONS if k in options}
    return basins.basin_monte_carlo(dec, rule, SampledStarts(n, seed, **sample), **options)


def select_outcomes(dec, start, methods=("pg", "peer-only", "meta-mapg"), lam=None,
                    own_coef=None, steps: int = PAPER.steps):
    """The outcome each method reaches from one start (`eqselect.studies.selection.select`).

    ``start`` gives probability coordinates, one per parameter; each method
    name is resolved with ``lam`` / ``own_coef`` into one `Rule`. Returns one
    `Selection` per method: the outcome, the steps it took, the trajectory.

    >>> import eqselect as eq
    >>> dec = eq.Decomposition(eq.builtin("stag-hunt"), eta=eq.PAPER.eta)
    >>> [(s.method, s.outcome) for s in eq.select_outcomes(dec, (0.6, 0.5), ("pg", "meta-mapg"))]
    [('pg', '(D, D)'), ('meta-mapg', '(C, C)')]
    """
    from eqselect.studies.selection import select

    dec = _dec(dec)
    start = validate.point(start, "start", len(dec.game.parameters))
    steps = validate.integer(steps, "steps", 1)
    validate.check_basin_work(1, steps, len(dec.game.parameters), len(methods),
                              option="steps")
    rules = [resolve(m, lam, own_coef) for m in validate.distinct(methods, "the method list")]
    return [select(dec, rule, start, steps) for rule in rules]


def _dec(dec) -> Decomposition:
    """The first argument of every function here, a `Decomposition`."""
    return validate.instance(dec, Decomposition, "the first argument (the decomposition)")


def _steps(options: dict) -> int:
    """The ``steps`` of a basin call's options, checked (default: the paper's)."""
    if "steps" in options:
        options["steps"] = validate.integer(options["steps"], "steps", 1)
    return options.get("steps", PAPER.steps)


def _starts(starts, dec):
    """None or a list of start points, each finite with one coordinate per parameter."""
    if starts is None:
        return None
    d = len(dec.game.parameters)
    return [validate.point(x, "start", d) for x in starts]
