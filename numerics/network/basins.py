"""Basins of a network game: a `BasinProblem` on the sparse field, judged by consensus.

The starts, the schedule and the stepping are the basin engine's
(`eqselect.numerics.dynamics.basins.run_basins`); the field is the network's
gradient source (`NetworkField`, whose fused numba kernel the engine runs for
two actions per agent) and the judge is `ConsensusJudge` (docs/networks.md,
"Basins").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eqselect.theory import PAPER, Rule
from eqselect.numerics.dynamics.consensus import ConsensusJudge
from eqselect.numerics.dynamics.problem import BasinProblem
from eqselect.numerics.dynamics.starts import SampledStarts
from eqselect.numerics.network.field import NetworkField
from eqselect.numerics.rule_argument import require_rule


@dataclass(frozen=True)
class NetworkBasinOptions:
    """How a network basin map runs.

    Attributes
    ----------
    starts : SampledStarts or GridStarts or GivenStarts
    steps : int
    schedule : "paper", PaperSchedule or ConstantSchedule
    judge : ConsensusJudge
    kernel : "numba" or "numpy"
    """

    starts: object = field(default_factory=lambda: SampledStarts(1000, 0))
    steps: int = PAPER.steps
    schedule: object = "paper"
    judge: ConsensusJudge = field(default_factory=ConsensusJudge)
    kernel: str = "numba"


def network_basin_problem(source: NetworkField, rule: Rule,
                          options: NetworkBasinOptions = NetworkBasinOptions()) -> BasinProblem:
    """The basin problem of a rule on a network game's sparse field.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> from eqselect.theory.network import network_game, parse_graph
    >>> from eqselect.numerics.dynamics.basins import run_basins
    >>> net = network_game(parse_graph("ring:6"), builtin("stag-hunt", "logit"), "logit")
    >>> opts = NetworkBasinOptions(SampledStarts(50, 0, low=0.9, high=0.95), 60, kernel="numpy")
    >>> run_basins(network_basin_problem(NetworkField(net, 0.55), Rule("pg"), opts)).fraction
    1.0
    """
    rule = require_rule(rule, "network_basin_problem")
    return BasinProblem(None, rule, options.starts, options.steps, options.schedule,
                        options.judge, source=source, game=source.net.frame,
                        kernel=options.kernel)
