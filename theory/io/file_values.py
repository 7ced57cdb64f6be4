"""Numbers and symbol defaults as a game file writes them (docs/cli.md, "Game files").

A value is a finite number or exact text over no symbols ("1/10", "sqrt(2)"),
read by `eqselect.theory.io.expressions.parse_expression`, never by sympy's
parser; ``symbols`` maps each payoff symbol's name to its default.
"""

from __future__ import annotations

import math
import unicodedata

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
    if "name" in data:  # a default from the file name comes through `shown_name`
        check_display_text(texts["name"], "'name'")
    check_display_text(texts["description"], "'description'", line_breaks=True)
    return texts


#: Unicode categories that change what a terminal shows rather than show a
#: character: controls (escape sequences, NUL, bell), format characters
#: (bidirectional overrides, zero-width joiners) and line / paragraph separators.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp"})


def check_display_text(text: str, what: str, *, line_breaks: bool = False) -> None:
    r"""Refuse text that would act on a terminal instead of being printed.

    A game's name heads every text output and its description becomes an
    ``.nfg`` title, so both are printed as given: a control character
    (ESC starts a terminal escape sequence), a format character such as the
    right-to-left override U+202E, or a line break in a name would rewrite
    or split what the user reads. ``line_breaks`` admits newlines and tabs
    (a description may be a paragraph).

    Raises
    ------
    GameError
        Naming the first offending character by its code point.

    Examples
    --------
    >>> check_display_text("Stag Hunt", "'name'")
    >>> check_display_text("two\nlines", "'description'", line_breaks=True)
    """
    allowed = "\n\t" if line_breaks else ""
    for ch in text:
        if ch not in allowed and unicodedata.category(ch) in _HIDDEN:
            raise GameError(f"{what} {text[:40]!r} holds the control or format character "
                            f"U+{ord(ch):04X}; game texts are printed as given, so they may "
                            f"not hold {'tabs, ' if not line_breaks else ''}line breaks, "
                            "escape sequences or direction overrides")


def shown_name(stem: str) -> str:
    r"""A game's default name from its file name, each control or format
    character (see `check_display_text`) shown as ``?``: a file may be named
    anything the file system allows, and it is read whatever its name.

    Examples
    --------
    >>> shown_name("stag\x1b[2J")
    'stag?[2J'
    """
    return "".join("?" if unicodedata.category(ch) in _HIDDEN else ch for ch in stem)
