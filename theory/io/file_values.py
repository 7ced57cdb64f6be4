"""Numbers and symbol defaults as a game file writes them (docs/cli.md, "Game files").

A value is a finite number or exact text over no symbols ("1/10", "sqrt(2)"),
read by `eqselect.theory.io.expressions.parse_expression`, never by sympy's
parser; ``symbols`` maps each payoff symbol's name to its default.
"""

from __future__ import annotations

import math

import sympy as sp

from eqselect.theory.errors import GameError
from eqselect.theory.exact import to_exact
from eqselect.theory.games.normal_form import check_symbol_name
from eqselect.theory.io.expressions import parse_expression


def file_number(x, what: str):
    """A finite number, or exact text over no symbols ("1/10")."""
    if isinstance(x, str):
        return parse_expression(x, {})
    if isinstance(x, float) and not math.isfinite(x):
        raise GameError(f"{what} is not finite: {x!r}")
    return to_exact(x, what)


def declared_defaults(table) -> dict:
    """``{Symbol: exact default}`` from a file's ``symbols`` table."""
    if not isinstance(table, dict):
        raise GameError("'symbols' must map names to default values")
    out = {}
    for name, value in table.items():
        check_symbol_name(name)
        out[sp.Symbol(name)] = file_number(value, f"default of symbol {name}")
    return out


def file_texts(data: dict, default_name: str, fallback: str, parameterization=None) -> dict:
    """The file's name, description and parameterisation (``parameterization``, when
    given, overrides the file's; ``fallback`` stands in when neither says one), each
    text of at most 1000 characters."""
    texts = {k: data.get(k, d) for k, d in (("name", default_name), ("description", ""),
                                              ("parameterization", fallback))}
    if parameterization is not None:
        texts["parameterization"] = parameterization
    for key, value in texts.items():
        if not isinstance(value, str) or len(value) > 1000:
            raise GameError(f"'{key}' must be text of at most 1000 characters")
    return texts
