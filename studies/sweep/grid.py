"""The grid of a selection-atlas sweep: axes, cells, chunks and the argument hash.

A sweep evaluates one cell per (method, symbol values, lambda) (docs/sweep.md):

1. axes: each ``--over SYMBOL=A:B:N`` and ``--lam A:B:N`` is N exact, evenly
   spaced values A + (B - A) k / (N - 1), k = 0 .. N - 1 (sympy rationals);
2. cells: the product methods x axis_1 [x axis_2] x lambda, lambda varying
   fastest, numbered 0 .. n_cells - 1 in that order;
3. chunks: consecutive runs of ``chunk_size`` cells, the unit of work sent to
   a worker and of the resumable store;
4. the argument hash: sha256 of the canonical JSON of everything that decides
   a cell's content (game and its file's bytes, axes, rules, grid, steps,
   schedule, eta, chunk size, and whether and how the alignment verdicts are
   computed), so a restarted sweep can tell its own chunks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import sympy as sp

from eqselect.theory.errors import OptionsError
from eqselect.theory.rules import Method
from eqselect.theory.serialize import Record, jsonable

#: Hard limit on the number of cells of one sweep (a typo like N=10000 x 10000).
MAX_CELLS = 200_000


@dataclass(frozen=True)
class Axis(Record):
    """One swept quantity: a payoff symbol or ``lam``, with exact values.

    Attributes
    ----------
    name : str
        The payoff symbol's name, or ``"lam"`` for the shaping coefficient.
    values : tuple of sympy.Rational
        A + (B - A) k / (N - 1), k = 0 .. N - 1.

    Examples
    --------
    >>> parse_axis("a=4:5:3").values
    (4, 9/2, 5)
    """

    name: str
    values: tuple

    @property
    def floats(self) -> list[float]:
        """The values as floats (for plots)."""
        return [float(v) for v in self.values]


def parse_axis(text: str, name: str | None = None) -> Axis:
    """An `Axis` from ``SYMBOL=A:B:N`` (or ``A:B:N`` with ``name`` given).

    A and B are decimal or fraction literals, parsed with ``fractions.Fraction``
    (nothing is evaluated); N >= 1, and N = 1 needs A = B.

    Raises
    ------
    OptionsError
        For any other form, with the offending text.
    """
    body = text
    if name is None:
        name, sep, body = text.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise OptionsError(f"expected SYMBOL=A:B:N, got {text!r}")
    parts = body.split(":")
    if len(parts) != 3:
        raise OptionsError(f"expected A:B:N for {name}, got {body!r}")
    try:
        a, b = (Fraction(p.strip()) for p in parts[:2])
        n = int(parts[2])
    except (ValueError, ZeroDivisionError):
        raise OptionsError(f"expected numbers A:B:N for {name}, got {body!r}") from None
    if n < 1 or (n == 1 and a != b) or (n > 1 and a == b):
        raise OptionsError(f"{name}={body}: need N >= 2 with A != B, or N = 1 with A = B")
    step = (b - a) / (n - 1) if n > 1 else Fraction(0)
    values = tuple(sp.Rational(x.numerator, x.denominator)
                   for x in (a + step * k for k in range(n)))
    return Axis(name, values)


@dataclass(frozen=True)
class SweepSpec(Record):
    """Everything that decides the cells of one sweep.

    Attributes
    ----------
    game : str
        A built-in name or a game file path.
    parameterization : str or None
    over : tuple of Axis
        One or two payoff-symbol axes.
    lam : Axis
    methods : tuple of str
    eta, own_coef : sympy.Rational
    grid, steps : int
        Basin grid points per axis and updates per start.
    schedule : str
        ``"paper"`` or ``"flow"``.
    chunk_size : int
    game_digest : str
        sha256 of the game file's bytes ("" for a built-in).
    verdicts : AlignmentVerdicts or None
        Whether and how every cell gets its alignment verdicts A1-A3
        (`eqselect.studies.sweep.verdicts`); None for none. Its JSON form (the
        slot it fills, the procedure's name, its options) is stored under the
        key ``extension``, the name sweep manifests and cells.json use.
    """

    _json_skip = ("verdicts",)

    game: str
    parameterization: str | None
    over: tuple
    lam: Axis
    methods: tuple
    eta: object
    own_coef: object
    grid: int
    steps: int
    schedule: str
    chunk_size: int
    game_digest: str = ""
    verdicts: object = None

    def _json_extra(self) -> dict:
        return {"extension": jsonable(self.verdicts)}

    def __post_init__(self):
        if not 1 <= len(self.over) <= 2:
            raise OptionsError(f"a sweep takes one or two --over axes, got {len(self.over)}")
        names = [ax.name for ax in self.over]
        if len(set(names)) != len(names):
            raise OptionsError(f"--over names a symbol twice: {names}")
        for m in self.methods:
            Method.parse(m)
        if len(set(self.methods)) != len(self.methods):
            raise OptionsError(f"--method repeats a method: {list(self.methods)}")
        if self.schedule not in ("paper", "flow"):
            raise OptionsError(f"schedule must be paper or flow, got {self.schedule!r}")
        if self.chunk_size < 1 or self.grid < 1 or self.steps < 1:
            raise OptionsError("chunk size, grid and steps must be >= 1")
        if self.n_cells > MAX_CELLS:
            raise OptionsError(f"the sweep has {self.n_cells} cells (limit {MAX_CELLS})")

    @property
    def axes(self) -> tuple:
        """The symbol axes then the lambda axis."""
        return tuple(self.over) + (self.lam,)

    @property
    def shape(self) -> tuple:
        """(methods, axis_1 [, axis_2], lambda) lengths."""
        return (len(self.methods),) + tuple(len(ax.values) for ax in self.axes)

    @property
    def n_cells(self) -> int:
        """Number of cells."""
        n = 1
        for k in self.shape:
            n *= k
        return n

    @property
    def n_chunks(self) -> int:
        """Number of chunks (the last one may be short)."""
        return -(-self.n_cells // self.chunk_size)

    def cell(self, index: int) -> tuple[str, dict, object]:
        """(method, {symbol: value}, lam) of cell ``index`` (lambda fastest)."""
        if not 0 <= index < self.n_cells:
            raise IndexError(f"cell {index} outside 0..{self.n_cells - 1}")
        digits = []
        for k in reversed(self.shape):
            index, r = divmod(index, k)
            digits.append(r)
        m, *rest = reversed(digits)
        values = {ax.name: ax.values[i] for ax, i in zip(self.over, rest[:-1])}
        return self.methods[m], values, self.lam.values[rest[-1]]

    def chunk(self, k: int) -> range:
        """Cell indices of chunk ``k``."""
        if not 0 <= k < self.n_chunks:
            raise IndexError(f"chunk {k} outside 0..{self.n_chunks - 1}")
        return range(k * self.chunk_size, min((k + 1) * self.chunk_size, self.n_cells))

    def digest(self) -> str:
        """sha256 (hex) of the canonical JSON of this spec: the argument hash."""
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def file_digest(game: str) -> str:
    """sha256 of a game file's bytes, "" when ``game`` is not an existing file."""
    path = Path(game)
    if not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()

