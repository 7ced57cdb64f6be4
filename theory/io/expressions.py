"""A small whitelisting expression parser for game files.

Grammar (precedence climbing; ``^`` and ``**`` are powers, right-associative):

    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '/') unary)*
    unary  := ('+' | '-') unary | power
    power  := atom (('^' | '**') unary)?
    atom   := NUMBER | SYMBOL | FUNC '(' expr ')' | '(' expr ')'

Numbers are integers or decimals (kept exact: 0.55 -> 11/20); symbols must be
declared by the file; functions are ``exp``, ``log`` and ``sqrt``. Anything
else is refused naming the offending token. No text ever reaches ``eval``,
``sympify`` or ``parse_expr``: the parser builds sympy objects itself.
"""

from __future__ import annotations

import re
from fractions import Fraction

import sympy as sp

from eqselect.theory.game import GameError

FUNCTIONS = {"exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt}
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z_][A-Za-z_0-9]*)|(\*\*|[-+*/^()]))")


def tokenize(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs; kind is "num", "name" or "op".

    Raises
    ------
    GameError
        At the first character that starts no token.
    """
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            bad = text[pos:].lstrip()[:1]
            raise GameError(f"unexpected token {bad!r} in expression {text!r}")
        num, name, op = m.groups()
        out.append(("num", num) if num else ("name", name) if name else ("op", op))
        pos = m.end()
    return out


def parse_expression(text: str, symbols: dict[str, sp.Symbol]) -> sp.Expr:
    """The sympy expression written in ``text`` over the declared ``symbols``.

    Examples
    --------
    >>> a = sp.Symbol("a")
    >>> parse_expression("2*a^2 - 0.5", {"a": a})
    2*a**2 - 1/2
    >>> parse_expression("__import__('os')", {})  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    GameError: unexpected token "'" in expression "__import__('os')"
    """
    parser = _Parser(tokenize(text), symbols, text)
    value = parser.expr()
    if parser.pos != len(parser.tokens):
        raise GameError(f"unexpected token {parser.tokens[parser.pos][1]!r} in expression {text!r}")
    return value


class _Parser:
    def __init__(self, tokens, symbols, text):
        self.tokens, self.symbols, self.text, self.pos = tokens, symbols, text, 0

    def peek(self):
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self):
        if self.pos >= len(self.tokens):
            raise GameError(f"expression {self.text!r} ends too early")
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expect(self, op):
        kind, tok = self.take()
        if tok != op:
            raise GameError(f"expected {op!r}, got {tok!r} in expression {self.text!r}")

    def expr(self):
        value = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            value = value + self.term() if op == "+" else value - self.term()
        return value

    def term(self):
        value = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            rhs = self.unary()
            if op == "/" and rhs == 0:
                raise GameError(f"division by zero in expression {self.text!r}")
            value = value * rhs if op == "*" else value / rhs
        return value

    def unary(self):
        if self.peek() in ("+", "-"):
            op = self.take()[1]
            return self.unary() if op == "+" else -self.unary()
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek() in ("^", "**"):
            self.take()
            return base ** self.unary()
        return base

    def atom(self):
        kind, tok = self.take()
        if kind == "num":
            f = Fraction(tok)
            return sp.Rational(f.numerator, f.denominator)
        if kind == "name":
            if tok in FUNCTIONS and self.peek() == "(":
                self.take()
                arg = self.expr()
                self.expect(")")
                return FUNCTIONS[tok](arg)
            if tok in self.symbols:
                return self.symbols[tok]
            raise GameError(f"undeclared symbol {tok!r} in expression {self.text!r}")
        if tok == "(":
            value = self.expr()
            self.expect(")")
            return value
        raise GameError(f"unexpected token {tok!r} in expression {self.text!r}")
