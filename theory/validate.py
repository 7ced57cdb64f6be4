"""The checks every value a user gives passes where it enters eqselect.

The Python API (`eqselect.api`, the games, the rules) and the command line
(`eqselect.options`, `eqselect.commands`) call these functions, so one rule
gives one answer and one message whichever way a value comes in:

- types: a number is an ``int``, ``float``, ``Fraction``, numpy or sympy real
  number, never ``bool`` or text; an integer is one (``2.0`` is 2, ``2.5``
  is refused);
- ranges: finite numbers in the stated interval, seeds in [0, 2^32),
  budgets finite and > 0, digits of precision within
  ``budget.WORK_LIMITS.dps``;
- no duplicates in a list of methods or of coordinates held fixed;
- a coefficient given as a symbol (``eta``) that is not one of the game's
  policy parameters or payoff symbols;
- the sizes of the work a call asks for, estimated before the work
  (`check_basin_work`, `check_seeds`; the limits are in `eqselect.theory.budget`).

Every refusal is an `OptionsError` (or its `LimitError` for sizes) whose
message names the value and the rule, on one line.
"""

from __future__ import annotations

import math
import operator
from fractions import Fraction
from numbers import Real

import sympy as sp

from eqselect.theory import budget, limits
from eqselect.theory.errors import OptionsError
from eqselect.theory.exact import to_exact


def _shown(value) -> str:
    return repr(value)[:60]


def integer(value, name: str, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an int in [low, high]; integral floats count, ``bool`` does not.

    Examples
    --------
    >>> integer(21.0, "grid", 1)
    21
    >>> integer(2.5, "grid", 1)
    Traceback (most recent call last):
    ...
    eqselect.theory.errors.OptionsError: grid must be an integer, got 2.5
    """
    if isinstance(value, bool) or isinstance(value, (str, bytes)):
        raise OptionsError(f"{name} must be an integer, got {_shown(value)}")
    try:
        out = operator.index(value)
    except TypeError:
        out = None
        if isinstance(value, Real) and math.isfinite(float(value)) \
                and float(value).is_integer() and abs(float(value)) < 2**53:
            out = int(value)
    if out is None:
        raise OptionsError(f"{name} must be an integer, got {_shown(value)}")
    if low is not None and out < low:
        raise OptionsError(f"{name} must be >= {low}, got {out}")
    if high is not None and out > high:
        raise OptionsError(f"{name} must be <= {high}, got {out}")
    return int(out)


def real(value, name: str, low: float | None = None, high: float | None = None,
         strict: bool = False) -> float:
    """``value`` as a finite float in [low, high] (in (low, high) when ``strict``).

    Accepts Python, ``Fraction``, numpy and sympy real numbers; refuses
    ``bool``, text, complex numbers, NaN and infinities.
    """
    if isinstance(value, sp.Basic):
        if not (isinstance(value, sp.Expr) and value.is_number and value.is_real):
            raise OptionsError(f"{name} must be a real number, got {_shown(value)}")
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, (Real, Fraction)):
        raise OptionsError(f"{name} must be a real number, got {_shown(value)}")
    try:
        x = float(value)
    except OverflowError:
        x = math.inf
    if not math.isfinite(x):
        raise OptionsError(f"{name} must be a finite number, got {_shown(value)}")
    below = low is not None and (x <= low if strict else x < low)
    above = high is not None and (x >= high if strict else x > high)
    if below or above:
        lo = "(" if strict else "["
        hi = ")" if strict else "]"
        span = f"{lo}{'-inf' if low is None else f'{low:g}'}, " \
               f"{'inf' if high is None else f'{high:g}'}{hi}"
        raise OptionsError(f"{name} must lie in {span}, got {x:g}")
    return x


def instance(value, kind: type, name: str, optional: bool = False):
    """``value`` when it is a ``kind`` (or None when ``optional``); one line otherwise."""
    if (value is None and optional) or isinstance(value, kind):
        return value
    raise OptionsError(f"{name} must be a {kind.__name__}{' or None' if optional else ''}, "
                       f"got {type(value).__name__}")


def seed(value, name: str = "seed") -> int:
    """A seed: an integer in [0, 2^32 - 1]."""
    return integer(value, name, 0, budget.WORK_LIMITS.max_seed)


def seconds(value, name: str = "budget") -> float:
    """A time budget: a finite number of seconds > 0."""
    return real(value, f"{name} (seconds)", 0, None, strict=True)


def precision(value, name: str = "dps") -> int:
    """Digits of an mpmath evaluation, within ``budget.WORK_LIMITS.dps``."""
    low, high = budget.WORK_LIMITS.dps
    return integer(value, name, low, high)


#: Floating-point types a basin kernel can step in.
FLOAT_TYPES = ("float64", "float32")


def float_type(value, name: str = "precision") -> str:
    """A kernel's floating-point type: "float64" or "float32" (a string, nothing else)."""
    if not isinstance(value, str) or value not in FLOAT_TYPES:
        raise OptionsError(f"{name} must be one of {', '.join(FLOAT_TYPES)}, got {_shown(value)}")
    return value


def temperature(value, name: str = "temperature tau"):
    """An entropy temperature: a number in [0, ``budget.WORK_LIMITS.max_tau``]
    (kept exact), or a symbolic expression."""
    tau = to_exact(value, name)
    if tau.is_number:
        real(tau, name, 0, budget.WORK_LIMITS.max_tau)
    return tau


def boolean(value, name: str) -> bool:
    """True or False, nothing else (``1``, ``"yes"`` and None are refused)."""
    if not isinstance(value, bool):
        raise OptionsError(f"{name} must be True or False, got {_shown(value)}")
    return value


def distinct(items, name: str) -> tuple:
    """``items`` as a tuple, refused when one of them is given twice."""
    out, seen = tuple(items), set()
    for item in out:
        if item in seen:
            raise OptionsError(f"{name} names {str(item)[:60]!r} twice")
        seen.add(item)
    return out


def interval(pair, name: str) -> tuple:
    """(A, B) as given (exact numbers stay exact), once checked: two finite
    numbers with A != B."""
    if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
        raise OptionsError(f"{name} must be a pair (A, B), got {_shown(pair)}")
    a, b = (real(v, name) for v in pair)
    if a == b:
        raise OptionsError(f"{name} is empty: ({a:g}, {b:g})")
    return tuple(pair)


def point(values, name: str, dim: int | None = None) -> tuple[float, ...]:
    """A point: finite real coordinates, ``dim`` of them when given."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise OptionsError(f"{name} must be a sequence of numbers, got {_shown(values)}")
    out = tuple(real(v, f"{name} coordinate") for v in values)
    if dim is not None and len(out) != dim:
        raise OptionsError(f"{name} has {len(out)} coordinates; the game has {dim}")
    return out


def coefficient(value, name: str, game=None):
    """An exact coefficient (eta, lambda, c) or a symbol that is not the game's.

    A symbol or expression may keep a coefficient symbolic, but not one
    that names a policy parameter or a payoff symbol of ``game``: the
    derivative with respect to a parameter would then see the coefficient.
    """
    if isinstance(value, sp.Basic) and value.free_symbols:
        taken = set() if game is None else \
            set(game.parameters) | set(getattr(game, "payoff_symbols", {}) or {})
        clash = sorted(str(s) for s in value.free_symbols & taken)
        if clash:
            raise OptionsError(f"{name} {value} uses {', '.join(clash)}, a parameter or "
                               f"payoff symbol of game {game.name[:60]!r}; give {name} a "
                               "number or a symbol of its own")
    return to_exact(value, name)


def check_basin_work(starts: int, steps: int, dim: int, methods: int = 1,
                     option: str = "steps") -> None:
    """Refuse a basin computation past the work limits, before anything is built.

    The time limit is the one in force (`eqselect.theory.limits`; on the
    command line ``--time-limit``), else ``budget.WORK_LIMITS.library_seconds``.

    Raises
    ------
    LimitError
    """
    budget.check_work(budget.basin_work(starts, steps, dim, methods, option),
                      limits.current().time_limit, limits.raise_hint("time_limit"))


def check_seeds(n_seeds, dim: int, name: str = "n_seeds") -> int | None:
    """None, or a number of Newton seeds in [0, ``max_seeds``] whose search fits the time."""
    if n_seeds is None:
        return None
    n = integer(n_seeds, name, 0, budget.WORK_LIMITS.max_seeds)
    budget.check_work(budget.seed_work(n, dim, name), limits.current().time_limit,
                      limits.raise_hint("time_limit"))
    return n


def annealing(value):
    """None or a lambda schedule: an object with a callable ``lam(k)``."""
    if value is not None and not callable(getattr(value, "lam", None)):
        raise OptionsError(f"annealing must be None or a schedule with a lam(k) method "
                           f"(e.g. PaperAnnealing), got {_shown(value)}")
    return value


__all__ = ["annealing", "boolean", "check_basin_work", "check_seeds", "coefficient",
           "distinct", "instance", "integer", "interval", "point", "precision", "real", "seconds",
           "seed", "temperature"]
