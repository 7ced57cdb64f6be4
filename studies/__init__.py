"""eqselect.studies: sweeps, replays and reports, orchestrated above the checker.

A study runs the numerics and the alignment checker together over many
inputs and writes what it found:

- ``sweep``: the selection atlas over payoff symbols and lambda, on dask,
  each cell with its fixed points, basin shares and alignment verdicts
  (docs/sweep.md);
- ``replay``: the paper's experiments, exact or sampled (docs/replay.md);
- ``report``: everything for one game as LaTeX, figures and JSON
  (``eqselect report``).

The everyday names are re-exported here and imported on first use::

    from eqselect.studies import replay, run_sweep, build_report
"""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.studies.sweep.grid": ["SweepSpec", "parse_axis"],
    "eqselect.studies.sweep.runner": ["SweepRun", "run_sweep"],
    "eqselect.studies.replay.experiments": ["ReplayResult", "replay"],
    "eqselect.studies.report.build": ["Report", "ReportOptions", "build_report"],
}, globals())
