"""eqselect.numerics.continuation: fixed points followed in lambda or a payoff symbol.

Pseudo-arclength continuation of F(x, s) = 0 with fold, branch-point, Hopf and
boundary events; branches and events form a networkx graph (docs/theory.md).
"""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.continuation.branches": [
        "ContinuationResult", "branch_graph", "continue_in_lambda", "continue_in_parameter"],
    "eqselect.numerics.continuation.pseudo_arclength": [
        "Branch", "ContinuationOptions", "ContinuationProblem", "Event", "EventType",
        "PseudoArclength", "continuation"],
}, globals())
