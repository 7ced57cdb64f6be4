"""One way to form a rule's field: every source, every rule, the same sum."""

import numpy as np
import pytest

from eqselect.numerics.compiled import compile_components
from eqselect.numerics.dynamics.schedules import PaperAnnealing
from eqselect.numerics.sources.estimators import SampledSource
from eqselect.numerics.sources.fields import GradientSource, combine, rule_field
from eqselect.numerics.sources.markov import MarkovSource, ipd_components
from eqselect.numerics.sources.symbolic import SymbolicSource
from eqselect.theory import PAPER, COMPONENTS, Decomposition, GameError, Rule, builtin

METHODS = ("pg", "meta-pg", "peer-only", "meta-mapg", "lookahead", "lola")


@pytest.fixture(scope="module")
def dec():
    return Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)


def _by_hand(terms, method, lam, c):
    """The rules' table written out (docs/rules.md), independent of `coefficients`."""
    table = {"pg": (1, 0, 0, 0), "meta-pg": (1, c, 0, 0), "peer-only": (1, 0, lam, 0),
             "meta-mapg": (1, c, lam, 0), "lookahead": (1, 0, 0, 1), "lola": (1, 0, 1, 1)}
    a, b, p, q = table[method]
    return a * terms["cur"] + b * terms["own"] + p * terms["peer"] + q * terms["lookahead"]


@pytest.mark.parametrize("method", METHODS)
def test_symbolic_field_equals_the_sum_of_compiled_components(dec, method):
    x = np.random.default_rng(0).normal(size=(7, 2))
    comps = compile_components(dec)(x)
    terms = dict(zip(COMPONENTS, np.moveaxis(comps, 1, 0)))
    u = rule_field(SymbolicSource(dec), Rule(method, lam=2, own_coef=0.25))(x)
    assert np.allclose(u, _by_hand(terms, method, 2.0, 0.25), atol=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_markov_field_equals_the_sum_of_its_components(method):
    x = np.random.default_rng(1).normal(size=(3, 10))
    c = ipd_components(x)._asdict()
    u = rule_field(MarkovSource(), Rule(method, lam=0.5, own_coef=0.75))(x)
    assert np.allclose(u, _by_hand(c, method, 0.5, 0.75), atol=1e-12)


def test_sources_satisfy_the_protocol(dec):
    for src in (SymbolicSource(dec), MarkovSource(), SampledSource("2x2", 4, 0)):
        assert isinstance(src, GradientSource)


def test_sampled_source_refuses_a_rule_that_needs_lookahead():
    u = rule_field(SampledSource("2x2", 8, 0), Rule("lola"))
    with pytest.raises(GameError, match="lookahead"):
        u(np.zeros((2, 2)))


def test_annealed_field_interpolates_affinely(dec):
    x = np.random.default_rng(2).normal(size=(5, 2))
    sched = PaperAnnealing(lam_c=2.0, n0=3, tau=1.0)
    u = rule_field(SymbolicSource(dec), Rule("meta-mapg", annealing=sched))
    assert u.step_dependent
    for k in (0, 3, 7):
        fixed = rule_field(SymbolicSource(dec), Rule("meta-mapg", lam=sched.lam(k)))
        assert np.allclose(u(x, k), fixed(x), atol=1e-12)


def test_combine_skips_zero_terms_and_checks_missing_ones():
    t = {"cur": np.ones((1, 2)), "peer": np.full((1, 2), 2.0)}
    assert combine(t, {"cur": 1, "own": 0, "peer": 3}).tolist() == [[7.0, 7.0]]
    with pytest.raises(GameError, match="own"):
        combine(t, {"cur": 1, "own": 1})
