"""eqselect.numerics.dynamics: the paper's schedule, the projected flow, the basin engine
(`run_basins` and its judges), separatrices; the compiled kernels are in ``kernels/``.

See docs/replay.md for the schedule and docs/theory.md for the geometry.
"""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.dynamics.basins": ["basin_map", "basin_monte_carlo", "run_basins"],
    "eqselect.numerics.dynamics.problem": ["BasinProblem"],
    "eqselect.numerics.dynamics.basin_map": ["BasinMap"],
    "eqselect.numerics.dynamics.judges": ["AttractorJudge", "SuccessJudge"],
    "eqselect.numerics.dynamics.starts": ["GivenStarts", "GridStarts", "SampledStarts"],
    "eqselect.numerics.dynamics.outcomes": ["wilson_interval"],
    "eqselect.numerics.dynamics.attractors": ["Attractor", "attractor_list", "classify_ends"],
    "eqselect.numerics.dynamics.flow": ["FlowResult", "integrate_flow", "integrate_until_settled"],
    "eqselect.numerics.dynamics.slices": ["SliceStarts"],
    "eqselect.numerics.dynamics.schedules": [
        "ConstantSchedule", "PaperAnnealing", "PaperSchedule", "run_schedule"],
    "eqselect.numerics.dynamics.separatrix": ["Separatrix", "basin_area", "separatrix"],
}, globals())
