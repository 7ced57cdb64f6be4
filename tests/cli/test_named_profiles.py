"""equilibria, basins and check name points by the game file's players and actions.

The game: a Stag Hunt whose players (Alice, Bob) name their actions
differently (Stag / Hare, Deer / Rabbit), so that a name taken from the
wrong player or the wrong index shows. The expected names are computed here
from the payoff tensors (pure Nash profiles by best responses), independently
of eqselect.
"""

import itertools
import json
from fractions import Fraction

import pytest

from eqselect.cli import main

PLAYERS = ["Alice", "Bob"]
ACTIONS = [["Stag", "Hare"], ["Deer", "Rabbit"]]
#: payoffs[i][a1][a2]: player i's payoff when Alice plays a1 and Bob a2.
PAYOFFS = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]


@pytest.fixture
def game_file(tmp_path):
    path = tmp_path / "named-hunt.toml"
    path.write_text(f'name = "named-hunt"\nplayers = {json.dumps(PLAYERS)}\n'
                    f"actions = {json.dumps(ACTIONS)}\npayoffs = {json.dumps(PAYOFFS)}\n")
    return str(path)


def _pure_nash():
    """Index profiles where neither player gains by deviating alone."""
    out = []
    for a in itertools.product(range(2), range(2)):
        if all(PAYOFFS[i][a[0]][a[1]] >= PAYOFFS[i][b[0]][b[1]]
               for i in range(2) for b in ([(d, a[1]) for d in range(2)] if i == 0
                                           else [(a[0], d) for d in range(2)])):
            out.append(a)
    return out


def _names(profile):
    return [ACTIONS[i][a] for i, a in enumerate(profile)]


def _expected_profile(strategies):
    """The action names of a pure point from its float strategies, else None."""
    pure = [[a for a, x in enumerate(s) if x >= 1 - 1e-9] for s in strategies]
    return _names([p[0] for p in pure]) if all(len(p) == 1 for p in pure) else None


def _run(argv, capsys):
    assert main(argv) == 0
    return capsys.readouterr().out


def _check_named_strategies(record):
    assert len(record["named_strategies"]) == 2
    for i, (named, s) in enumerate(zip(record["named_strategies"], record["strategies"])):
        assert list(named) == ACTIONS[i]
        assert [float(Fraction(v)) for v in named.values()] == pytest.approx(s, abs=1e-12)


def test_equilibria_name_profiles_by_the_file_s_actions(game_file, capsys):
    argv = ["equilibria", game_file, "--param", "direct", "--method", "pg"]
    doc = json.loads(_run(argv + ["--json"], capsys))
    assert doc["players"] == PLAYERS and doc["actions"] == ACTIONS
    profiles = []
    for record in doc["equilibria"]:
        assert record["profile"] == _expected_profile(record["strategies"])
        _check_named_strategies(record)
        profiles.append(record["profile"])
    nash = sorted(_names(a) for a in _pure_nash())
    assert nash == [["Hare", "Rabbit"], ["Stag", "Deer"]]
    assert sorted(p for p in profiles if p is not None) == nash
    mixed = [r for r in doc["equilibria"] if r["profile"] is None]
    assert [r["named_strategies"] for r in mixed] == [
        [{"Stag": "2/3", "Hare": "1/3"}, {"Deer": "2/3", "Rabbit": "1/3"}]]
    text = _run(argv, capsys)
    listed = [line.split("  ")[1] for line in text.splitlines()[1:] if line.startswith("  (")]
    assert sorted(listed) == sorted([f"({a}, {b})" for a, b in nash] + ["(p1=2/3, p2=2/3)"])


def test_equilibria_at_infinity_are_named_too(game_file, capsys):
    doc = json.loads(_run(["equilibria", game_file, "--method", "pg", "--json"], capsys))
    far = doc["at_infinity"]
    assert far and all(r["profile"] == _expected_profile(r["strategies"]) for r in far)
    assert sorted(r["profile"] for r in far) == sorted(_names(a) for a in _pure_nash())


def test_basins_name_attractors_by_the_file_s_actions(game_file, capsys):
    argv = ["basins", game_file, "--method", "pg", "--grid", "5", "--steps", "200"]
    doc = json.loads(_run(argv + ["--json"], capsys))
    assert doc["players"] == PLAYERS and doc["actions"] == ACTIONS
    assert sum(r["named_profile"] is not None for r in doc["attractors"]) >= 2
    for record in doc["attractors"]:
        expected = _expected_profile(record["strategies"])
        assert record["named_profile"] == expected
        if expected is not None:
            assert record["name"] == "(" + ", ".join(expected) + ")"
            assert record["profile"] == [ACTIONS[i].index(n) for i, n in enumerate(expected)]
        _check_named_strategies(record)
    nash = [f"({a}, {b})" for a, b in (_names(p) for p in _pure_nash())]
    assert set(nash) <= set(doc["outcomes"])
    text = _run(argv, capsys)
    assert all(f"    {name} (" in text for name in nash)


@pytest.mark.parametrize("param", ["direct", "logit"])
def test_check_names_p_and_r_by_the_file_s_actions(game_file, capsys, param):
    argv = ["check", game_file, "--param", param, "--method", "peer-only"]
    doc = json.loads(_run(argv + ["--json"], capsys))
    assert doc["players"] == PLAYERS and doc["actions"] == ACTIONS
    # payoff-dominant P: the pure Nash profile whose payoffs are largest for both
    nash = _pure_nash()
    best = max(nash, key=lambda a: [PAYOFFS[i][a[0]][a[1]] for i in range(2)])
    assert all(PAYOFFS[i][best[0]][best[1]] >= PAYOFFS[i][a[0]][a[1]]
               for a in nash for i in range(2))
    other = next(a for a in nash if a != best)
    lines = _run(argv, capsys).splitlines()
    for line, key, profile in ((lines[1], "preferred", best), (lines[2], "alternative", other)):
        letter = {"preferred": "P", "alternative": "R"}[key]
        record = doc[key]
        assert record["profile"] == _names(profile)
        _check_named_strategies(record)
        # a label that spells the profile ("Stag,Deer", logit) is not repeated
        named = ("" if record["label"] == ",".join(_names(profile))
                 else f" ({', '.join(_names(profile))})")
        assert line.startswith(f"{letter}: {record['label']}{named} at (")
    assert param == "logit" or lines[1].startswith("P: #")


def test_unnamed_actions_keep_the_parameter_form(tmp_path, capsys):
    path = tmp_path / "plain.toml"
    path.write_text(f"payoffs = {json.dumps(PAYOFFS)}\n")
    argv = ["equilibria", str(path), "--param", "direct", "--method", "pg"]
    doc = json.loads(_run(argv + ["--json"], capsys))
    assert doc["players"] == ["1", "2"] and doc["actions"] == [["0", "1"], ["0", "1"]]
    assert sorted(r["profile"] for r in doc["equilibria"] if r["profile"]) == [["0", "0"],
                                                                              ["1", "1"]]
    text = _run(argv, capsys)
    assert "(p1=1, p2=1)" in text and "(p1=0, p2=0)" in text and "(0, 0)" not in text
