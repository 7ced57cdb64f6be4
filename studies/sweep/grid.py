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
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import sympy as sp

from eqselect.theory.budget import SWEEP_MAX_CELLS, SWEEP_MAX_CELLS_CEILING
from eqselect.theory.errors import GameError, OptionsError
from eqselect.theory.limits import current
from eqselect.theory.rules import Method
from eqselect.theory.serialize import Record, jsonable

#: An axis end: a decimal or fraction literal of at most this many characters,
#: no exponent (so no literal denotes a huge number).
_LITERAL = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:/\d+)?")
LITERAL_CHARS = 40
#: N of an axis: at most this many digits.
_COUNT = re.compile(r"\+?\d{1,10}")


@dataclass(frozen=True)
class Axis(Record):
    """One swept quantity: a payoff symbol or ``lam``, with exact values.

    Attributes
    ----------
    name : str
        The payoff symbol's name, ``"lam"`` for the shaping coefficient, or
        ``"graph"`` for a list of graph specs (docs/networks.md).
    values : tuple of sympy.Rational
        A + (B - A) k / (N - 1), k = 0 .. N - 1 (the indices 0 .. G - 1 of a
        labelled axis).
    labels : tuple of str
        The text a labelled axis stands for, one per value (the graph specs);
        empty for a numeric axis, and then absent from the JSON, so a numeric
        axis keeps its argument hash.

    Examples
    --------
    >>> parse_axis("a=4:5:3").values
    (4, 9/2, 5)
    """

    _json_skip = ("labels",)

    name: str
    values: tuple
    labels: tuple = ()

    def __post_init__(self):
        if self.labels and len(self.labels) != len(self.values):
            raise OptionsError(f"axis {self.name}: {len(self.labels)} labels for "
                               f"{len(self.values)} values")

    def _json_extra(self) -> dict:
        return {"labels": list(self.labels)} if self.labels else {}

    @property
    def floats(self) -> list[float]:
        """The values as floats (for plots)."""
        return [float(v) for v in self.values]

    def at(self, i: int):
        """What cell position ``i`` of this axis stands for: its label, else its value."""
        return self.labels[i] if self.labels else self.values[i]


def _split(text: str, name: str | None) -> tuple[str, str, str, str]:
    """(name, A, B, N) of ``SYMBOL=A:B:N`` (or ``A:B:N`` with ``name`` given), as text."""
    body = text
    if name is None:
        name, sep, body = text.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier() or len(name) > LITERAL_CHARS:
            raise OptionsError(f"expected SYMBOL=A:B:N, got {text[:80]!r}")
    parts = [p.strip() for p in body.split(":")]
    if len(parts) != 3:
        raise OptionsError(f"expected A:B:N for {name}, got {body[:80]!r}")
    a, b, n = parts
    for end in (a, b):
        if len(end) > LITERAL_CHARS or not _LITERAL.fullmatch(end):
            raise OptionsError(f"{name}: {end[:LITERAL_CHARS]!r} is not a number (a decimal or "
                               f"a fraction such as 2/3, at most {LITERAL_CHARS} characters)")
    if not _COUNT.fullmatch(n):
        raise OptionsError(f"{name}: N must be a whole number of at most 10 digits, "
                           f"got {n[:20]!r}")
    return name, a, b, n


def axis_length(text: str, name: str | None = None) -> int:
    """N of ``SYMBOL=A:B:N`` (or ``A:B:N``), read without building any value.

    Examples
    --------
    >>> axis_length("a=0:1:1000000000")
    1000000000

    Raises
    ------
    OptionsError
        For any other form, with the offending text.
    """
    return int(_split(text, name)[3])


def parse_axis(text: str, name: str | None = None, max_values: int | None = None) -> Axis:
    """An `Axis` from ``SYMBOL=A:B:N`` (or ``A:B:N`` with ``name`` given).

    A and B are decimal or fraction literals of at most 40 characters, parsed
    with ``fractions.Fraction`` (nothing is evaluated, no exponent notation);
    N >= 1, and N = 1 needs A = B. N is checked against ``max_values`` (and
    the sweep's cell count against its limit, `count_cells`) before any value
    is built.

    Raises
    ------
    OptionsError
        For any other form, with the offending text.
    """
    name, a_text, b_text, n_text = _split(text, name)
    n = int(n_text)
    if max_values is not None and n > max_values:
        raise OptionsError(f"{name}: N = {n} values is more than the sweep's cell limit "
                           f"{max_values} (--max-cells)")
    try:
        a, b = Fraction(a_text), Fraction(b_text)
    except (ValueError, ZeroDivisionError):
        raise OptionsError(f"expected numbers A:B:N for {name}, got {text[:80]!r}") from None
    if n < 1 or (n == 1 and a != b) or (n > 1 and a == b):
        raise OptionsError(f"{name}={a_text}:{b_text}:{n}: need N >= 2 with A != B, "
                           f"or N = 1 with A = B")
    step = (b - a) / (n - 1) if n > 1 else Fraction(0)
    values = tuple(sp.Rational(x.numerator, x.denominator)
                   for x in (a + step * k for k in range(n)))
    return Axis(name, values)


def count_cells(n_methods: int, over: tuple, lam: str, max_cells: int) -> int:
    """The cells of a sweep from its arguments' text alone (methods x N_1 [x N_2] x N_lam).

    Raises
    ------
    OptionsError
        A malformed axis, or more than ``max_cells`` cells (no value built yet).

    Examples
    --------
    >>> count_cells(2, ("a=0:1:1000",), "0:3:1000", 10**7)
    2000000
    """
    n = n_methods * axis_length(lam, "lam")
    for text in over:
        n *= axis_length(text)
    check_cell_count(n, max_cells)
    return n


def check_cell_count(n_cells: int, max_cells: int) -> None:
    """Refuse more than ``max_cells`` cells with the option that raises the limit."""
    if n_cells > max_cells:
        raise OptionsError(
            f"the sweep has {n_cells} cells, more than its limit {max_cells}; raise it with "
            f"--max-cells (at most {SWEEP_MAX_CELLS_CEILING}) or use coarser axes")


@dataclass(frozen=True)
class SweepSpec(Record):
    """Everything that decides the cells of one sweep.

    Attributes
    ----------
    game : str
        A built-in name or a game file path.
    parameterization : str or None
    over : tuple of Axis
        One or two payoff-symbol (or graph) axes; a ``graph`` axis of specs first.
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
    game_text : str
        The game file's text ("" for a built-in): what workers load the game
        from, so they need no copy of the file. Not in the JSON: its hash
        ``game_digest`` is.
    max_cells : int
        The cell limit the spec was checked against (``--max-cells``; not in
        the JSON, since it decides no cell).
    """

    _json_skip = ("verdicts", "game_text", "max_cells")

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
    game_text: str = field(default="", repr=False, compare=False)
    max_cells: int = SWEEP_MAX_CELLS

    def _json_extra(self) -> dict:
        return {"extension": jsonable(self.verdicts)}

    def __post_init__(self):
        if not 1 <= len(self.over) <= 2:
            raise OptionsError(f"a sweep takes one or two --over axes, got {len(self.over)}")
        names = [ax.name for ax in self.over]
        if len(set(names)) != len(names):
            raise OptionsError(f"--over names a symbol twice: {names}")
        if isinstance(self.methods, str) or not self.methods:
            raise OptionsError(f"a sweep needs a tuple of one or more methods (--method), "
                               f"got {self.methods!r}"[:200])
        for m in self.methods:
            Method.parse(m)
        if len(set(self.methods)) != len(self.methods):
            raise OptionsError(f"--method repeats a method: {list(self.methods)}")
        if self.schedule not in ("paper", "flow"):
            raise OptionsError(f"schedule must be paper or flow, got {self.schedule!r}")
        if self.chunk_size < 1 or self.grid < 1 or self.steps < 1:
            raise OptionsError("chunk size, grid and steps must be >= 1")
        if self.game_text and hashlib.sha256(self.game_text.encode()).hexdigest() \
                != self.game_digest:
            raise OptionsError(f"the text given for game {self.game!r} does not have the "
                               f"digest {self.game_digest[:12]}")
        if not 1 <= self.max_cells <= SWEEP_MAX_CELLS_CEILING:
            raise OptionsError(f"--max-cells must be in [1, {SWEEP_MAX_CELLS_CEILING}], "
                               f"got {self.max_cells}")
        check_cell_count(self.n_cells, self.max_cells)

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
        """(method, {symbol: value}, lam) of cell ``index`` (lambda fastest); a labelled
        axis gives its label (a graph spec)."""
        if not 0 <= index < self.n_cells:
            raise IndexError(f"cell {index} outside 0..{self.n_cells - 1}")
        digits = []
        for k in reversed(self.shape):
            index, r = divmod(index, k)
            digits.append(r)
        m, *rest = reversed(digits)
        values = {ax.name: ax.at(i) for ax, i in zip(self.over, rest[:-1])}
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


def read_game_file(game: str) -> tuple[str, str]:
    """(text, sha256 of the bytes) of a game file, ("", "") when ``game`` is not a
    file (a built-in name). Text and digest come from one read, so they agree.

    Raises
    ------
    GameError
        A file that is not UTF-8 text or is larger than the game-file limit.
    """
    path = Path(game)
    if not path.is_file():
        return "", ""
    limit = current().max_file_bytes
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise GameError(f"game file {game[:200]!r} is larger than {limit} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise GameError(f"game file {game[:200]!r} is not UTF-8 text") from None
    return text, hashlib.sha256(data).hexdigest()


def file_digest(game: str) -> str:
    """sha256 of a game file's bytes, "" when ``game`` is not an existing file."""
    return read_game_file(game)[1]
