"""The compiled basin kernel against the numpy reference, and its disk cache."""

import numpy as np
import pytest

from eqselect.numerics.dynamics.kernels import fused as kernels
from eqselect.numerics.dynamics.kernels.cache import cache_dir, load_kernel
from eqselect.numerics.dynamics.kernels.source import kernel_source as kernel_text
from eqselect.numerics.dynamics.basins import basin_map
from eqselect.numerics.codegen import compile_exprs
from eqselect.numerics.dynamics.schedules import (
    ConstantSchedule, PaperAnnealing, PaperSchedule, run_schedule)
from eqselect.theory import PAPER, Decomposition, Region, RegionKind, Rule, builtin, normal_form_game
from eqselect.numerics.dynamics.starts import GridStarts

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")


def _agree(a, b):
    assert a.success.tolist() == b.success.tolist()
    assert a.first_hit.tolist() == b.first_hit.tolist()
    assert np.allclose(a.final, b.final, atol=1e-9)
    assert a.fraction == b.fraction and a.outcomes == b.outcomes


def test_annealed_meta_mapg_on_logit_stag_hunt_agrees_start_for_start():
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
    rule = Rule("meta-mapg", annealing=PaperAnnealing(n0=20, tau=5.0))
    ref = basin_map(dec, rule, steps=60, kernel="numpy", starts=GridStarts(grid=15))
    fast = basin_map(dec, rule, steps=60, kernel="numba", starts=GridStarts(grid=15))
    assert fast.schedule == ref.schedule == "annealed"
    _agree(fast, ref)


def test_peer_only_on_direct_chicken_box_agrees_start_for_start():
    dec = Decomposition(builtin("chicken", "direct"), eta=PAPER.eta)
    kw = dict(starts=GridStarts(13, 0.0, 1.0), steps=80, schedule=ConstantSchedule(0.05))
    _agree(basin_map(dec, Rule("peer-only", lam=2), kernel="numba", **kw),
           basin_map(dec, Rule("peer-only", lam=2), kernel="numpy", **kw))


def test_pg_on_a_direct_3x3_game_projects_onto_the_simplex_like_numpy():
    a = np.array([[3.0, 0, 1], [0, 2, 0], [1, 0, 1]])
    game = normal_form_game([a, a.T], "direct", name="3x3")
    dec = Decomposition(game, eta=PAPER.eta)
    kw = dict(starts=GridStarts(3, 0.05, 0.45), steps=40, schedule=ConstantSchedule(0.3),
              success=None)
    fast = basin_map(dec, Rule("meta-pg"), kernel="numba", **kw)
    ref = basin_map(dec, Rule("meta-pg"), kernel="numpy", **kw)
    assert np.allclose(fast.final, ref.final, atol=1e-9)
    blocks = [list(b) for b in game.region.blocks]
    assert all((fast.final[:, b].sum(axis=1) <= 1 + 1e-12).all() for b in blocks)
    assert fast.final.min() >= 0


def _text(schedule=PaperSchedule(), field=None, annealing=None):
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
    exprs = field or dec.field_engine("pg")
    return kernel_text((exprs,), dec.game.parameters, schedule, annealing,
                                 Region(RegionKind.FREE))


def test_cache_key_changes_with_field_and_schedule(tmp_path, monkeypatch):
    monkeypatch.setenv("EQSELECT_CACHE_DIR", str(tmp_path))
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
    base = load_kernel(_text())
    assert load_kernel(_text()) is base  # same field and schedule: reused
    others = [_text(PaperSchedule(power=0.3)), _text(ConstantSchedule(0.1)),
              _text(field=dec.field_engine("meta-mapg", 2, 0.35)),
              _text(annealing=PaperAnnealing())]
    keys = {load_kernel(t).key for t in others}
    assert base.key not in keys and len(keys) == len(others)
    written = sorted(p.name for p in (tmp_path / "kernels").glob("k_*.py"))
    assert len(written) == 1 + len(others)
    assert all(load_kernel(t).key in "".join(written) for t in others)


def test_large_fields_call_symengine_code_and_agree_with_numpy_to_the_bit(monkeypatch):
    from eqselect.numerics.dynamics.kernels import choice

    monkeypatch.setattr(choice, "NATIVE_LINES", 0)  # every field takes that route
    a = np.array([[3.0, 0, 1], [0, 2, 0], [1, 0, 1]])
    dec = Decomposition(normal_form_game([a, a.T], "direct", name="3x3 native"), eta=PAPER.eta)
    kw = dict(starts=GridStarts(3, 0.05, 0.45), steps=40, schedule=ConstantSchedule(0.3),
              success=None)
    fast = basin_map(dec, Rule("meta-mapg"), kernel="numba", **kw)
    ref = basin_map(dec, Rule("meta-mapg"), kernel="numpy", **kw)
    assert np.array_equal(fast.final, ref.final)
    assert any(p.suffix == ".field" for p in cache_dir().glob("k_*"))
    # more starts, in chunks on two threads
    monkeypatch.setattr(kernels, "threads", lambda: 2)
    x0 = np.random.default_rng(1).dirichlet(np.ones(3), size=(600, 2))[:, :, :2].reshape(600, 4)
    module = kernels.compiled_kernel((dec.field_engine("meta-mapg", PAPER.lam, PAPER.own),),
                                     dec.game.parameters, kw["schedule"], None, dec.game.region)
    final, _ = kernels.run_compiled(module, x0, 40)
    field = compile_exprs(dec.field_engine("meta-mapg", PAPER.lam, PAPER.own), dec.game.parameters)
    assert np.array_equal(final, run_schedule(field, x0, kw["schedule"], 40,
                                              region=dec.game.region).final)


def test_kernel_key_changes_with_field_schedule_predicate_and_runtime_symbols():
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
    g = dec.game

    def key(field=None, sched=PaperSchedule(), ann=None, coop=None, thr=0.82, extras=()):
        return kernels.kernel_key((field or dec.field_engine("pg"),), g.parameters, sched, ann,
                                  g.region, coop, thr, extras)

    base = key()
    assert key() == base  # a pure function of its inputs
    coop = [s[0] for s in g.strategies]
    variants = [key(field=dec.field_engine("meta-mapg")), key(sched=ConstantSchedule(0.1)),
                key(sched=PaperSchedule(clip=6.0)), key(ann=PaperAnnealing()), key(coop=coop),
                key(coop=coop, thr=0.9), key(extras=(g.parameters[0],))]
    assert len(set(variants) | {base}) == len(variants) + 1


def test_softmax_3x3_and_a_three_player_game_agree_start_for_start():
    """Fields with exponentials of several logits (no logistic form) and N = 3 players."""
    a = np.array([[3.0, 0, 1], [0, 2, 0], [1, 0, 1]])
    games = [normal_form_game([a, a.T], "softmax", name="3x3 softmax")]
    rng = np.random.default_rng(3)
    games.append(normal_form_game([rng.integers(0, 4, (2, 2, 2)).astype(float) for _ in range(3)],
                                  "logit", name="3 players"))
    for game in games:
        dec = Decomposition(game, eta=PAPER.eta)
        d = len(game.parameters)
        x0 = np.random.default_rng(0).normal(0, 1.5, (40, d))
        sched = ConstantSchedule(0.3)
        fast = kernels.run_compiled(kernels.compiled_kernel(
            (dec.field_engine("meta-mapg", PAPER.lam, PAPER.own),), game.parameters, sched, None,
            game.region), x0, 60)[0]
        field = compile_exprs(dec.field_engine("meta-mapg", PAPER.lam, PAPER.own), game.parameters)
        ref = run_schedule(field, x0, sched, 60, region=game.region).final
        assert np.allclose(fast, ref, atol=1e-9)


def test_softmax_normalisers_skip_the_symbolic_logistic_rewrite(monkeypatch):
    """A 3-action softmax field is no polynomial in the sigma(theta_i); the
    rewrite must refuse it before sympy's cancel, which took minutes there
    (a 3x3 softmax basin map spent 9 min generating its kernel)."""
    from eqselect.numerics.dynamics.kernels import codegen as kernel_codegen
    from eqselect.numerics.dynamics.kernels.source import coordinate
    from eqselect.theory.engine import to_engine

    def flat(game, method):
        f = Decomposition(game, eta=PAPER.eta).field_engine(method, PAPER.lam, PAPER.own)
        ren = {to_engine(s): coordinate(i) for i, s in enumerate(game.parameters)}
        return [to_engine(e).xreplace(ren) for e in f], [coordinate(i) for i in
                                                          range(len(game.parameters))]

    a = [[4, 4, -3], [5, -3, -3], [4, -3, 4]]
    b = [[-5, -5, 3], [3, -1, -4], [2, 3, 3]]
    softmax = normal_form_game([a, b], "softmax", name="3x3")

    def refuse(*args, **kw):
        raise AssertionError("sympy.cancel reached on a softmax field")

    with monkeypatch.context() as m:
        m.setattr(kernel_codegen.sp, "cancel", refuse)
        for method in ("pg", "meta-mapg"):
            assert kernel_codegen.logistic_form(*flat(softmax, method)) is None
    # logit fields still take the rewrite (one exponential per coordinate and step)
    for method in ("pg", "meta-mapg"):
        assert kernel_codegen.logistic_form(*flat(builtin("stag-hunt", "logit"), method))


def test_a_run_resumed_at_step_k_ends_where_the_whole_run_ends():
    # the schedule goes on from `start`: 25 steps, or 15 then 10 more from step 15
    # (annealed, so both lr_k and lambda_k must continue)
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
    rule = Rule("meta-mapg", annealing=PaperAnnealing(n0=5, tau=3.0))
    fields = (dec.field_engine("meta-mapg", 0, PAPER.own), dec.field_engine("meta-mapg", 1, PAPER.own))
    module = kernels.compiled_kernel(fields, dec.game.parameters, PaperSchedule(),
                                     rule.annealing, dec.game.region)
    x0 = np.random.default_rng(3).uniform(-2, 2, size=(40, 2))
    whole, _ = kernels.run_compiled(module, x0, 25)
    half, _ = kernels.run_compiled(module, x0, 15)
    resumed, _ = kernels.run_compiled(module, half, 10, start=15)
    restarted, _ = kernels.run_compiled(module, half, 10)
    assert np.array_equal(resumed, whole)
    assert not np.array_equal(restarted, whole)  # the offset matters
