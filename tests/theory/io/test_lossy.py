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


@pytest.mark.parametrize("suffix", [".nfg", ".toml", ".json"])
def test_convert_ipd_exits_2_with_one_line_naming_the_loss(tmp_path, capsys, suffix):
    """eqselect convert ipd x.nfg (or .toml / .json): status 2, one line on stderr
    naming the repeated game that would be lost and the option that writes it anyway."""
    from eqselect.cli import main

    out = tmp_path / f"x{suffix}"
    assert main(["convert", "ipd", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "5-state repeated game" in err and "--allow-lossy" in err
    assert not out.exists()


def test_convert_ipd_allow_lossy_names_the_stage_game(tmp_path, capsys):
    """Written anyway, the file is the stage game and says so (name, description, C and D)."""
    from eqselect.cli import main

    out = tmp_path / "x.toml"
    assert main(["convert", "ipd", str(out), "--allow-lossy"]) == 0
    back = load_spec(out)
    assert back.name == "ipd-stage" and back.description.startswith("stage game of")
    assert [back.action_name(0, a) for a in range(2)] == ["C", "D"]
    assert "does not hold the 5-state repeated game" in capsys.readouterr().err
