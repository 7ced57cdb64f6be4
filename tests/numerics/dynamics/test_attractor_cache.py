"""The disk cache of the fixed-point lists that name a basin map's attractors."""

import pickle
from dataclasses import replace

import pytest
import sympy as sp

from eqselect.numerics.disk_cache import frame
from eqselect.numerics.dynamics import attractor_cache as ac
from eqselect.numerics.fixed_points.find import find_equilibria
from eqselect.theory import Decomposition, builtin, normal_form_game
from eqselect.theory.rules import resolve

STAG = ((4, 0), (3, 2))


def _stag(row=STAG, eta=sp.Rational(11, 20), name="stag"):
    col = tuple(zip(*row))
    return Decomposition(normal_form_game((row, col), "logit", name=name), eta=eta)


def _symbolic(a):
    """Stag Hunt with symbolic payoffs, the row player's top-left one valued ``a``."""
    game = builtin("stag-hunt", "logit", symbolic=True)
    values = {s: (a if str(s) == "a" else v) for s, v in game.payoff_symbols.items()}
    return Decomposition(replace(game, payoff_symbols=values), eta=sp.Rational(11, 20))


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EQSELECT_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_a_complete_list_is_kept_and_read_back(cache):
    dec, rule = _stag(), resolve("meta-mapg", sp.Rational(3, 2), sp.Rational(7, 20))
    assert ac.cached_search(dec, rule) is None
    found = find_equilibria(dec, rule)
    assert found.complete and ac.keep_search(dec, rule, found)
    again = ac.cached_search(_stag(), resolve("meta-mapg", sp.Rational(3, 2),
                                              sp.Rational(7, 20)))
    assert again == found
    assert [e.point for e in again.equilibria] == [e.point for e in found.equilibria]


def test_any_changed_input_misses_the_cache(cache):
    dec, rule = _stag(), resolve("meta-mapg", sp.Rational(3, 2), sp.Rational(7, 20))
    assert ac.keep_search(dec, rule, find_equilibria(dec, rule))
    other_payoffs = _stag(((5, 0), (3, 2)))
    others = [
        (other_payoffs, rule),
        (_stag(eta=sp.Rational(1, 2)), rule),
        (_stag(name="another"), rule),
        (dec, resolve("meta-mapg", sp.Rational(1, 2), sp.Rational(7, 20))),
        (dec, resolve("meta-mapg", sp.Rational(3, 2), sp.Rational(1, 4))),
        (dec, resolve("lola", sp.Rational(3, 2), sp.Rational(7, 20))),
        (Decomposition(builtin("stag-hunt", "direct"), eta=sp.Rational(11, 20)), rule),
        (_symbolic(4), rule),
        (_symbolic(5), rule),
    ]
    keys = {ac.search_key(d, r) for d, r in others} | {ac.search_key(dec, rule)}
    assert len(keys) == len(others) + 1
    for d, r in others:
        assert ac.cached_search(d, r) is None
    # the list those inputs would get differs: a hit there would have been wrong
    moved = find_equilibria(other_payoffs, rule)
    assert [e.point for e in moved.equilibria] != [
        e.point for e in ac.cached_search(dec, rule).equilibria]


def test_changed_code_misses_the_cache(cache, monkeypatch):
    dec, rule = _stag(), resolve("pg", 0, 0)
    before = ac.search_key(dec, rule)
    monkeypatch.setattr(ac, "_CODE", ["another version of the search"])
    assert ac.search_key(dec, rule) != before


def test_damaged_or_foreign_entries_are_not_read(cache):
    dec, rule = _stag(), resolve("pg", 0, 0)
    found = find_equilibria(dec, rule)
    assert ac.keep_search(dec, rule, found)
    path = ac._path(ac.search_key(dec, rule))
    blob = path.read_bytes()
    path.write_bytes(blob[:-3] + b"xyz")  # the checksum no longer matches
    assert ac.cached_search(dec, rule) is None
    path.write_bytes(frame(pickle.dumps({"not": "a fixed-point list"})))
    assert ac.cached_search(dec, rule) is None
    path.write_bytes(frame(b"not a pickle"))
    assert ac.cached_search(dec, rule) is None


def test_lists_not_proven_complete_and_large_games_are_not_kept(cache, monkeypatch):
    dec, rule = _stag(), resolve("pg", 0, 0)
    found = find_equilibria(dec, rule)
    incomplete = type(found)(found.equilibria, found.method, found.lam, found.own_coef,
                             False, ["seeded"], found.route)
    assert not ac.keep_search(dec, rule, incomplete)
    assert ac.cached_search(dec, rule) is None
    monkeypatch.setattr(ac, "MAX_PARAMETERS", 1)
    assert ac.search_key(dec, rule) is None and not ac.keep_search(dec, rule, found)
