"""The per-cell alignment verdicts of a sweep against the checker and by hand."""

import threading
import time

import numpy as np
import pytest
import sympy as sp

from eqselect.theory import Decomposition
from eqselect.theory.errors import OptionsError
from eqselect.theory.io.resolve import load_game
from eqselect.theory.limits import TimeBudgetExceeded
from eqselect.theory.rules import LAMBDA, PAPER, Rule
from eqselect.numerics.codegen import compile_exprs
from eqselect.studies.sweep.cell import GameSpec
from eqselect.proofs_check import check_game
from eqselect.studies.sweep.verdicts import AlignmentVerdicts, cell_verdicts
from eqselect.theory.budget import call_with_budget

STAG = GameSpec("stag-hunt", "direct")


def _game_at(name, param, values):
    game = load_game(name, param, symbolic=True)
    full = dict(game.payoff_symbols)
    full.update({s: values[s.name] for s in game.free_symbols if s.name in values})
    return game.substitute(full)


@pytest.mark.parametrize("method,a,lam,preferred", [
    ("meta-mapg", 4, sp.Rational(1, 2), "payoff-dominant"),
    ("meta-mapg", 3, 2, "payoff-dominant"),  # (1, 1) is not strict: no R
    ("peer-only", sp.Rational(13, 2), 1, "welfare"),
    ("lola", 5, sp.Rational(3, 2), "D,D"),
    ("pg", 4, 0, "payoff-dominant"),  # M = 0
])
def test_cell_verdicts_equal_check_game_at_the_same_payoffs(method, a, lam, preferred):
    cell = cell_verdicts(STAG, {"a": a}, Rule(method, lam=lam), PAPER.eta, preferred=preferred)
    ref = check_game(_game_at("stag-hunt", "direct", {"a": a}), Rule(method, lam=lam),
                     eta=PAPER.eta, preferred=preferred, statements=False)
    assert cell["status"] == "computed"
    for k in ("A1", "A2", "A3"):
        mine, theirs = cell["conditions"][k], ref.verdict(k)
        assert mine["holds"] == theirs.holds, k
        assert mine["certified"] == theirs.certified.value, k
        assert mine["reason"] == theirs.reason, k
    for k in ("mu_M(P)",):
        if k in ref.verdict("A1").values:
            assert cell["conditions"]["A1"]["values"][k] == str(ref.verdict("A1").values[k])
    for k, v in ref.verdict("A2").values.items():
        assert cell["conditions"]["A2"]["values"][k] == str(v)
    assert cell["P"]["exact"] == [str(x) for x in ref.preferred.exact]
    assert (cell["R"] is None) == (ref.alternative is None)
    if ref.alternative is not None:
        assert cell["R"]["exact"] == [str(x) for x in ref.alternative.exact]
        assert cell["values"]["mu_M(R)"] == pytest.approx(ref.alternative.mu_M)


GAME_FILE = """
name = "stag-lead"
description = "row: Stag Hunt; column: (C, C) 4, (C, D) 3, (D, C) h, (D, D) 2"
payoffs = [
  [[4, 0], [3, 2]],
  [[4, 3], ["h", 2]],
]
[symbols]
h = 0
"""


def _face_margin_by_finite_differences(game, method, point, h=1e-6):
    """The boundary margin of M at a point of the box [0, 1]^d (docs/theory.md):
    min of -lambda_max(sym J_M) over the free coordinates and the multipliers
    M_k (p_k = 1), -M_k (p_k = 0), from the compiled rule field M = F_1 - F_0."""
    dec = Decomposition(game, eta=PAPER.eta)
    f = compile_exprs(dec.field_engine(method, LAMBDA, PAPER.own), game.parameters, (LAMBDA,))

    def M(x):
        x = np.asarray(x, dtype=float)[None]
        return (f(x, np.array([1.0])) - f(x, np.array([0.0])))[0]

    at = M(point)
    pieces = [at[k] if x == 1 else -at[k] for k, x in enumerate(point) if x in (0, 1)]
    free = [k for k, x in enumerate(point) if 0 < x < 1]
    if free:
        J = np.column_stack([(M(point + h * e) - M(point - h * e)) / (2 * h)
                             for e in np.eye(len(point))])[np.ix_(free, free)]
        pieces.append(-np.linalg.eigvalsh((J + J.T) / 2).max())
    return min(pieces)


def test_a1_flips_where_mu_M_of_P_crosses_zero(tmp_path):
    """P = (1, 1) is a vertex: mu_M(P) is M's smallest normal-cone multiplier,
    M_2(P) = 4 eta (3 - h), which changes sign at h = 3, where A1 flips."""
    path = tmp_path / "stag-lead.toml"
    path.write_text(GAME_FILE)
    spec = GameSpec(str(path), "direct")
    seen = []
    for h in [sp.Rational(k, 2) for k in range(4, 13)]:  # h = 2 .. 6
        cell = cell_verdicts(spec, {"h": h}, Rule("meta-mapg", lam=1), PAPER.eta)
        game = _game_at(str(path), "direct", {"h": h})
        P = np.array([float(v) for v in cell["P"]["point"]])
        assert P.tolist() == [1.0, 1.0]
        independent = _face_margin_by_finite_differences(game, "meta-mapg", P)
        assert cell["values"]["mu_M(P)"] == pytest.approx(independent, abs=1e-6)
        assert sp.Rational(cell["conditions"]["A1"]["values"]["mu_M(P)"]) == \
            PAPER.eta * 4 * (3 - h)
        assert cell["conditions"]["A1"]["holds"] is bool(independent > 1e-9)
        seen.append(cell["conditions"]["A1"]["holds"])
    assert seen == [True] * 2 + [False] * 7  # holds for h < 3 (mu_M = 0 at h = 3), then fails


def test_a3_minimum_is_the_minimum_on_the_separatrix():
    """Direct Stag Hunt: Sigma is p1 + p2 = 4/3 (a = 4); sample <M, n/|n|> on it."""
    cell = cell_verdicts(STAG, {"a": 4}, "peer-only", PAPER.eta)
    a3 = cell["conditions"]["A3"]
    assert a3["holds"] is True and a3["certified"] == "exact"
    assert a3["values"] == {"min": "99*sqrt(2)/20", "min_kind": "exact minimum"}
    dec = Decomposition(_game_at("stag-hunt", "direct", {"a": 4}), eta=PAPER.eta)
    M = sp.lambdify(dec.game.parameters, list(dec.peer), "numpy")
    p1 = np.linspace(1 / 3, 1, 101)
    inner = (np.add(*M(p1, 4 / 3 - p1))) / np.sqrt(2)  # n_P = (1, 1)/sqrt 2 points at (1, 1)
    assert cell["values"]["A3 min"] == pytest.approx(inner.min(), rel=1e-12)


def test_past_the_budget_every_verdict_is_null_with_the_reason():
    start = time.perf_counter()
    cell = cell_verdicts(STAG, {"a": sp.Rational(41, 10)}, "meta-mapg", PAPER.eta,
                         seconds=1e-4)
    assert time.perf_counter() - start < 5
    assert cell["status"] == "timed out"
    for v in cell["conditions"].values():
        assert v["holds"] is None and "budget of 0.0001 s" in v["reason"]
    assert cell["values"] == {"mu_M(P)": None, "mu_M(R)": None, "A3 min": None}


def test_budget_interrupts_any_thread_and_never_fires_late():
    results = []

    def work():
        try:
            call_with_budget(lambda: [None for _ in iter(int, 1)], 0.2, "a loop")
        except TimeBudgetExceeded as exc:
            results.append(str(exc))
        results.append(call_with_budget(lambda: 7, 2.0, "quick"))
        time.sleep(0.1)  # nothing of the quick call may fire after it returned
        results.append("after")

    th = threading.Thread(target=work)
    th.start()
    th.join(10)
    assert not th.is_alive()
    assert results == ["a loop did not finish within its budget of 0.2 s", 7, "after"]


def test_a_budget_never_hides_an_error():
    with pytest.raises(ZeroDivisionError):
        call_with_budget(lambda: 1 / 0, 5.0, "division")


@pytest.mark.parametrize("preferred,seconds,message", [
    ("Z,Z", 30.0, "is not an action"), ("payoff-dominant", 0.0, "must be > 0")])
def test_bad_options_are_refused_before_the_sweep(preferred, seconds, message):
    with pytest.raises(OptionsError, match=message):
        AlignmentVerdicts.for_game(STAG, preferred, seconds)
