"""The fixed-point lists that name a basin map's attractors, kept between processes.

A basin map of a rule names its attractors from the rule's fixed points
(`eqselect.numerics.fixed_points.find.find_equilibria`); for a small game
that search costs more than the map of the paper's 21 x 21 grid. A list
proven complete (an exhaustive route: ``complete``) is a function of its
inputs alone, so it is kept on disk (`eqselect.numerics.disk_cache`, under
``fixed_points/``) and read back by the next process that asks the same
question. A list that is not proven complete (seeded Newton, a search
stopped by its time budget) depends on the seeds and the clock and is never
kept.

The key is the SHA-256 of everything the list depends on (`search_key`):

- the game: its name, parameterisation, parameter symbols, exact value
  expressions J_i, strategies, payoff tensors, payoff symbols with their
  values, region, actions, states, tau; and the decomposition's eta;
- the rule: method, lambda, own coefficient and annealing;
- the code that computes it: the text of every module of
  ``eqselect.theory`` and ``eqselect.numerics``, and the versions of
  eqselect, sympy, symengine and numpy.

Only games of at most `MAX_PARAMETERS` parameters are kept: their value
expressions print in microseconds, and their searches finish; a larger game
(the IPD's closed form prints for seconds) searches every time.
An entry is framed with its checksum (`disk_cache.frame`); one that is
damaged, does not unpickle, or holds something else than an
`EquilibriumSet` is ignored and written again after the search.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from eqselect.numerics.disk_cache import cache_root, digest, load, store

#: Bumped whenever the stored form changes (old entries are then never read).
FORMAT = "eqselect-fixed-points-1"
#: Games with more parameters than this are searched every time.
MAX_PARAMETERS = 4

_CODE: list = []


def code_digest() -> str:
    """SHA-256 of the text of every module of eqselect.theory and eqselect.numerics,
    and of the versions of the libraries the search runs on (computed once a process)."""
    if not _CODE:
        import numpy
        import symengine
        import sympy

        import eqselect.numerics
        import eqselect.theory
        from eqselect.theory.serialize import package_version

        h = hashlib.sha256(" ".join([package_version(), sympy.__version__,
                                     symengine.__version__, numpy.__version__]).encode())
        for package in (eqselect.theory, eqselect.numerics):
            root = Path(package.__file__).parent
            for path in sorted(root.rglob("*.py")):
                h.update(f"\n{package.__name__}/{path.relative_to(root).as_posix()}\n".encode())
                h.update(path.read_bytes())
        _CODE.append(h.hexdigest())
    return _CODE[0]


def search_key(dec, rule) -> str | None:
    """The cache key of the fixed points of ``rule`` on ``dec`` (None: not kept)."""
    from sympy import srepr  # the symbols' assumptions too, which the search reads

    game = dec.game
    if len(game.parameters) > MAX_PARAMETERS:
        return None
    text = "\n".join([
        FORMAT, code_digest(), repr(game.name), str(game.parameterization),
        *(srepr(p) for p in game.parameters), *(srepr(v) for v in game.values),
        srepr(game.strategies), srepr(game.payoffs),
        srepr(sorted((game.payoff_symbols or {}).items(), key=str)),
        repr(game.region), repr(game.actions), str(game.states),
        srepr(game.tau), srepr(dec.eta), rule.method.value, srepr(rule.lam),
        srepr(rule.own_coef), repr(rule.annealing)])
    return digest(text)


def _path(key: str) -> Path:
    return cache_root() / "fixed_points" / f"e_{key}.pkl"


def cached_search(dec, rule):
    """The kept `EquilibriumSet` of ``rule`` on ``dec``, or None (not kept, absent,
    damaged)."""
    from eqselect.numerics.fixed_points.find import EquilibriumSet

    key = search_key(dec, rule)
    payload = None if key is None else load(_path(key))
    if payload is None:
        return None
    try:
        found = pickle.loads(payload)  # noqa: S301 -- an entry this module wrote, checksummed
    except Exception:  # a foreign or outdated entry: searched again and rewritten
        return None
    return found if isinstance(found, EquilibriumSet) and found.complete else None


def keep_search(dec, rule, found) -> bool:
    """Keep ``found`` for the next process when it is proven complete; whether it was
    written (False also for an unwritable cache folder)."""
    key = search_key(dec, rule)
    if key is None or not found.complete:
        return False
    return store(_path(key), pickle.dumps(found))


__all__ = ["FORMAT", "MAX_PARAMETERS", "cached_search", "code_digest", "keep_search",
           "search_key"]
