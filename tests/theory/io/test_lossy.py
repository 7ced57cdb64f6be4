"""Writers refuse what the target cannot hold, unless the caller allows the loss."""

import pytest
import sympy as sp

from eqselect.theory import builtin, entropy_regularized, ipd
from eqselect.theory.errors import GameError
from eqselect.theory.io import convert
from eqselect.theory.io.losses import lost_in
from eqselect.theory.io.spec import load_spec
from eqselect.theory.io.write import write_game


@pytest.mark.parametrize("suffix", [".toml", ".json", ".nfg"])
def test_a_repeated_game_is_refused_and_nothing_is_written(tmp_path, suffix):
    with pytest.raises(GameError, match="5-state repeated game.*allow_lossy=True"):
        write_game(ipd(), tmp_path / f"x{suffix}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".toml", ".json", ".nfg"])
def test_allow_lossy_writes_the_stage_game(tmp_path, suffix):
    back = load_spec(write_game(ipd(), tmp_path / f"x{suffix}", allow_lossy=True))
    assert back.states == 1 and back.structure is None
    assert back.payoffs == builtin("prisoners-dilemma").payoffs


def test_what_each_target_loses():
    sym = builtin("stag-hunt", symbolic=True)
    reg = entropy_regularized(builtin("stag-hunt"), sp.Rational(1, 10))
    plain = builtin("stag-hunt")
    for target in (".nfg", "nashpy", "pygambit"):
        assert lost_in(plain, target) == []
        assert [s.split(" (")[0] for s in lost_in(sym, target)] == ["the payoff symbols a, b, c, d"]
        assert lost_in(reg, target) and "tau = 1/10" in lost_in(reg, target)[0]
    for target in (".toml", ".json"):
        assert lost_in(sym, target) == lost_in(reg, target) == []
        assert len(lost_in(ipd(), target)) == 1


def test_foreign_objects_refuse_a_repeated_game():
    pytest.importorskip("nashpy")
    with pytest.raises(GameError, match="repeated game"):
        convert.to_nashpy(ipd())
    n = convert.to_nashpy(ipd(), allow_lossy=True)
    assert n.payoff_matrices[0].tolist() == [[3, 0], [5, 1]]
