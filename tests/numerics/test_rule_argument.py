"""Below the edge a rule is a `Rule`: a method name is refused with the resolver's name,
and the `eqselect` facade resolves names, lambda and c to the same Rule."""

import pytest

import eqselect as eq
from eqselect.numerics.compiled import compile_field, field_exact
from eqselect.numerics.continuation.branches import continue_in_lambda
from eqselect.numerics.dynamics.basins import basin_map, basin_monte_carlo
from eqselect.numerics.dynamics.starts import GridStarts, SampledStarts
from eqselect.numerics.fixed_points.find import find_equilibria
from eqselect.theory import PAPER, Decomposition, OptionsError, Rule, builtin


@pytest.fixture(scope="module")
def direct():
    return Decomposition(builtin("stag-hunt", "direct"), eta=PAPER.eta)


@pytest.mark.parametrize("call", [
    lambda d: find_equilibria(d, "pg"),
    lambda d: compile_field(d, "meta-mapg"),
    lambda d: field_exact(d, "peer-only", point=[0, 0]),
    lambda d: continue_in_lambda(d, "peer-only", (0, 1)),
    lambda d: basin_map(d, "pg", GridStarts(3), 5),
])
def test_a_method_name_below_the_edge_names_the_resolver(direct, call):
    with pytest.raises(OptionsError, match=r"takes a Rule, got '[a-z-]+'.*rules\.resolve"):
        call(direct)


def test_the_facade_resolves_to_the_rule_the_numerics_take(direct):
    rule = Rule("meta-mapg", 1.5, 0.35)
    assert eq.find_equilibria(direct, "meta-mapg", 1.5, 0.35).equilibria == \
        find_equilibria(direct, rule).equilibria
    grid = eq.basin_map(direct, "meta-mapg", 1.5, 0.35, grid=5, steps=20, low=0.1, high=0.9)
    ref = basin_map(direct, rule, GridStarts(5, 0.1, 0.9), 20)
    assert grid.to_json() == ref.to_json() and grid.outcomes == ref.outcomes
    mc = eq.basin_monte_carlo(direct, "pg", n=30, seed=4, steps=20, z=2.58)
    ref = basin_monte_carlo(direct, Rule("pg"), SampledStarts(30, 4, z=2.58), 20)
    assert mc.interval == ref.interval and mc.success.tolist() == ref.success.tolist()
