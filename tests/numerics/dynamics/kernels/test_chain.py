"""The IPD's field on its Markov chain against the closed form, and its basin kernel."""

from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from eqselect.numerics.dynamics.kernels import fused as kernels
from eqselect.numerics.dynamics.basins import basin_monte_carlo
from eqselect.numerics.dynamics.outcomes import cooperation_success
from eqselect.numerics.dynamics.problem import BasinProblem
from eqselect.numerics.dynamics.schedules import (
    ConstantSchedule, PaperAnnealing, PaperSchedule, run_schedule)
from eqselect.numerics.sources.fields import rule_field
from eqselect.numerics.sources.symbolic import SymbolicSource
from eqselect.theory import PAPER, Decomposition, Rule, entropy_regularized, ipd
from eqselect.theory.rules import method_names

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")

from eqselect.numerics.sources import chain_field  # noqa: E402  (numba)
from eqselect.numerics.dynamics.kernels import chain as chain_kernel  # noqa: E402
from eqselect.numerics.dynamics.starts import SampledStarts
from eqselect.theory.rules import resolve

GAMES = {
    "paper": lambda: ipd("logit"),
    "other-payoffs": lambda: ipd("logit", gamma=sp.Rational(1, 2), payoff=((2, -1), (3, 0))),
    "direct": lambda: ipd("direct", gamma=sp.Rational(9, 10)),
}
QUALIFYING = [m for m in method_names() if chain_kernel.chain_weights(Rule(m)) is not None]


@pytest.fixture(scope="module")
def sources():
    """Each game's decomposition (eta = 11/20) and its compiled closed-form components."""
    out = {}
    for name, make in GAMES.items():
        dec = Decomposition(make(), eta=PAPER.eta)
        src = SymbolicSource(dec)
        src.components(np.zeros((1, 10)))  # compile once
        out[name] = (dec, src)
    return out


def test_the_qualifying_rules_are_those_built_from_gradients_and_hessian_products():
    assert set(QUALIFYING) == {"pg", "meta-pg", "peer-only", "meta-mapg", "meta-mapg-exact",
                               "lookahead", "lola", "lola-foerster"}
    assert chain_kernel.chain_weights(Rule("meta-mapg", lam=sp.Symbol("lambda"))) is None


def _structured(dec, rule, x):
    """The rule's field at the points x from `chain_terms` (lambda as in the rule)."""
    weights = chain_kernel.chain_weights(rule if isinstance(rule, Rule) else Rule(rule))
    C = chain_kernel.chain_constants(dec.game.structure, dec.game.parameterization == "logit",
                                     dec.eta, weights)
    ws, out = chain_field.workspace(), np.empty(20)
    rows = []
    for p in x:
        chain_field.chain_terms(np.array(p, dtype=float), out, ws, C)
        rows.append(out[:10] + weights[4] * out[10:])
    return np.array(rows)


def _closed_form(src, rule, x):
    """sum of coefficient x term over the compiled closed-form terms (sla = own)."""
    comp = src.components(x)
    coef = {k: float(v) for k, v in Rule(rule).coefficients.items()}
    own = coef["own"] + coef.get("self_lookahead", 0.0)
    return (comp["cur"] + own * comp["own"] + coef["peer"] * comp["peer"]
            + coef["lookahead"] * comp["lookahead"])


def _relative(a, b):
    return np.abs(a - b).max() / max(np.abs(b).max(), 1e-300)


@given(st.lists(st.floats(-5, 5), min_size=10, max_size=10),
       st.lists(st.floats(0, 1), min_size=10, max_size=10))
def test_structured_field_equals_the_closed_form_for_every_qualifying_rule(sources, th, p):
    for name, (dec, src) in sources.items():
        x = np.array([p if name == "direct" else th])
        for rule in QUALIFYING:
            assert _relative(_structured(dec, rule, x), _closed_form(src, rule, x)) < 1e-10, \
                (name, rule)


@pytest.mark.parametrize("method", ["meta-mapg", "meta-mapg-exact"])
def test_structured_field_equals_the_compiled_rule_field(sources, method):
    """The rule's field summed exactly and compiled (meta-mapg-exact: with the
    self look-ahead term itself, which the chain field takes equal to own)."""
    dec, src = sources["paper"]
    x = np.random.default_rng(3).normal(scale=2.0, size=(40, 10))
    assert _relative(_structured(dec, method, x), rule_field(src, Rule(method))(x)) < 1e-10


def test_games_and_rules_outside_the_chain_keep_the_generic_kernel():
    assert chain_kernel.chain_game(ipd("logit")) is not None
    assert chain_kernel.chain_game(ipd("direct", gamma=sp.Rational(1, 2))) is not None
    assert chain_kernel.chain_game(ipd("logit", gamma=sp.Rational(1, 2), horizon=2)) is None
    assert chain_kernel.chain_game(entropy_regularized(ipd("logit"), sp.Rational(1, 10))) is None
    for method in ("sos", "sga", "consensus"):
        assert chain_kernel.chain_weights(Rule(method)) is None


@pytest.mark.parametrize("method", ["meta-mapg", "pg", "lola"])
def test_basin_kernel_agrees_with_the_numpy_backend_start_for_start(sources, method):
    """On every start where the reference itself is stable under rounding.

    The reference is the numpy backend's route (`run_schedule` on the compiled
    closed-form field of `rule_field`, as `basin_monte_carlo` runs it). The
    paper's schedule on the IPD amplifies rounding on some starts (about 10%
    under Meta-MAPG and 20% under LOLA, none under PG): moving a start by 1e-13
    relative moves the reference's own end point by O(1) there. The chain field
    differs from the closed form by ~1e-13 relative, so on those starts no end
    point is the right one. On every other start (the reference moving less
    than 1e-7) the success flag and first hit must agree, and the end points
    within 100 times the reference's own spread under that perturbation (plus
    1e-9): a difference of 1e-13 per step, amplified as the reference amplifies
    a change of its start (observed up to 13 times that spread). A wrong field
    moves end points by O(1).
    """
    dec, src = sources["paper"]
    steps = 120
    fast = basin_monte_carlo(dec, resolve(method), kernel="numba", steps=steps,
                             starts=SampledStarts(n=300, seed=4, sampler="normal"))
    assert not fast.notes
    field, success = rule_field(src, Rule(method)), cooperation_success(dec.game)

    def reference(x0):
        return run_schedule(field, x0, PaperSchedule(), steps, success=success,
                            region=dec.game.region)

    ref = reference(fast.starts)
    spread = np.abs(reference(fast.starts * (1 + 1e-13)).final - ref.final).max(axis=1)
    stable = spread < 1e-7
    assert stable.mean() > 0.7 and (method != "pg" or stable.all())
    gap = np.abs(fast.final - ref.final).max(axis=1)
    assert (gap[stable] <= 100 * spread[stable] + 1e-9).all()
    assert np.median(gap) < 1e-9
    assert fast.success[stable].tolist() == success(ref.final)[stable].tolist()
    assert fast.first_hit[stable].tolist() == ref.first_hit[stable].tolist()


def test_annealed_direct_ipd_agrees_with_the_numpy_backend():
    dec = Decomposition(ipd("direct", gamma=sp.Rational(9, 10)), eta=PAPER.eta)
    rule = Rule("meta-mapg", annealing=PaperAnnealing(n0=10, tau=5.0))
    kw = dict(starts=SampledStarts(40, 2), steps=30, schedule=ConstantSchedule(0.05))
    fast = basin_monte_carlo(dec, rule, kernel="numba", **kw)
    ref = basin_monte_carlo(dec, rule, kernel="numpy", **kw)
    assert fast.schedule == ref.schedule == "annealed"
    assert np.abs(fast.final - ref.final).max() < 1e-9
    assert fast.success.tolist() == ref.success.tolist()


def test_cache_keys_differ_from_the_generic_kernel_and_between_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("EQSELECT_CACHE_DIR", str(tmp_path))
    dec = Decomposition(ipd("logit"), eta=PAPER.eta)

    def key(rule, sched=PaperSchedule(), success=True):
        problem = BasinProblem(dec, Rule(rule) if isinstance(rule, str) else rule)
        return kernels.problem_kernel(problem, sched, success).key

    base = key("meta-mapg")
    # coefficients are run-time values: every rule of the chain shares one kernel
    assert key("meta-mapg") == key("pg") == key("lola") == key(Rule("meta-mapg", lam=2)) == base
    variants = [key(Rule("meta-mapg", annealing=PaperAnnealing())),
                key("meta-mapg", PaperSchedule(power=0.3)),
                key("meta-mapg", ConstantSchedule(0.1)),
                key("meta-mapg", success=False)]
    assert len(set(variants) | {base}) == len(variants) + 1
    generic = kernels.kernel_key((dec.field_engine("meta-mapg", PAPER.lam, PAPER.own),),
                                 dec.game.parameters, PaperSchedule(), None, dec.game.region,
                                 [s[0] for s in dec.game.strategies])
    assert generic not in set(variants) | {base}
    module = kernels.problem_kernel(BasinProblem(dec, Rule("meta-mapg")), PaperSchedule(), True)
    text = Path(module.__file__).read_text()
    assert "chain_terms(_th, _out, _ws, q)" in text and "call_native" not in text


@pytest.mark.parametrize("method", ["pg", "meta-mapg", "lola"])
def test_the_batched_chain_field_is_the_pointwise_one_and_the_closed_form(sources, method):
    """`chain_rule_field` (the field of the attractor phases) against `chain_terms` point by
    point (the same terms; the sum may fuse a multiply-add) and against the closed-form
    rule field (rounding only)."""
    dec, src = sources["paper"]
    rule = Rule(method, lam=PAPER.lam, own_coef=PAPER.own)
    problem = BasinProblem(dec, rule, kernel="numba")
    field = chain_kernel.chain_rule_field(problem)
    x = np.random.default_rng(11).normal(scale=2.0, size=(64, 10))
    u = field(x)
    assert np.allclose(u, _structured(dec, rule, x), rtol=1e-14, atol=1e-14)
    ref = rule_field(src, rule)(x)
    assert np.abs(u - ref).max() <= 1e-10 * max(1.0, np.abs(ref).max())
    annealed = BasinProblem(dec, rule.with_(annealing=PaperAnnealing()), kernel="numba")
    assert chain_kernel.chain_rule_field(annealed) is None


def test_a_second_eta_and_lambda_reuse_the_compiled_kernel_with_their_own_values(
        tmp_path, monkeypatch):
    """eta, the coefficients and the payoffs are the kernel's run-time values: a
    new eta loads no new module, and the kernel's end points at that eta are the
    batched chain field's (`chain_rule_field`) stepped by the numpy schedule."""
    monkeypatch.setenv("EQSELECT_CACHE_DIR", str(tmp_path))
    rule = Rule("meta-mapg")
    starts = SampledStarts(n=30, seed=5, sampler="normal")
    ends = []
    for eta in (PAPER.eta, sp.Rational(3, 10)):
        dec = Decomposition(ipd("logit"), eta=eta)
        problem = BasinProblem(dec, rule, starts, steps=25, kernel="numba")
        module, values = kernels.problem_kernel_values(problem, PaperSchedule(), True)
        assert values[chain_field.PEER] == pytest.approx(float(eta))
        bm = basin_monte_carlo(dec, rule, starts, steps=25, kernel="numba")
        ref = run_schedule(chain_kernel.chain_rule_field(problem), bm.starts, PaperSchedule(),
                           25, region=dec.game.region)
        # rounding only (the batched sum may fuse a multiply-add; 25 steps amplify
        # it to ~1e-9 on some starts); another eta moves end points by > 1e-3
        assert np.abs(bm.final - ref.final).max() < 1e-7
        ends.append((module.key, bm.final))
    assert ends[0][0] == ends[1][0]  # one compiled kernel
    assert np.abs(ends[0][1] - ends[1][1]).max() > 1e-3  # for two different fields
