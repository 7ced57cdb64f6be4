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

Budgets (:mod:`eqselect.theory.limits`) are checked before the work: the
length of the text, the digits of each number, the nesting depth (every
parenthesis, function call, unary sign and power counts one level, so the
recursion stays far below Python's limit), the exponent of a power of a
symbol, and the magnitude of every number the expression denotes (a power
of numbers is judged before it is taken).
"""

from __future__ import annotations

import re
from fractions import Fraction

import sympy as sp

from eqselect.theory.errors import GameError
from eqselect.theory.exact import check_magnitude
from eqselect.theory.limits import current

FUNCTIONS = {"exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt}
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z_][A-Za-z_0-9]*)|(\*\*|[-+*/^()]))")


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def tokenize(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs; kind is "num", "name" or "op".

    Raises
    ------
    GameError
        At the first character that starts no token, for text longer than
        ``max_expr_chars`` and for numbers with more than ``max_digits`` digits.
    """
    if not isinstance(text, str):
        raise GameError(f"an expression must be text, got {type(text).__name__}")
    lim = current()
    if len(text) > lim.max_expr_chars:
        raise GameError(f"expression {_shown(text)} is {len(text)} characters long; "
                        f"the limit is {lim.max_expr_chars}")
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            bad = text[pos:].lstrip()[:1]
            raise GameError(f"unexpected token {bad!r} in expression {_shown(text)}")
        num, name, op = m.groups()
        if num and sum(c.isdigit() for c in num) > lim.max_digits:
            raise GameError(f"a number in expression {_shown(text)} has more than "
                            f"{lim.max_digits} digits")
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
    >>> parse_expression("9^9^9", {})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    eqselect.theory.errors.GameError: expression '9^9^9' denotes a number larger than 10^300 ...
    """
    parser = _Parser(tokenize(text), symbols, text)
    value = parser.expr()
    if parser.pos != len(parser.tokens):
        raise GameError(f"unexpected token {parser.tokens[parser.pos][1]!r} "
                        f"in expression {_shown(text)}")
    _check_degrees(value, parser.what)
    check_magnitude(value, {}, parser.what)
    return value


def _check_degrees(expr: sp.Expr, what: str) -> None:
    """Refuse b^e with symbols in b and |e| > max_exponent (after sympy has
    combined repeated factors, so a*a*...*a counts too)."""
    limit = current().max_exponent
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and node.exp.is_number and not node.base.is_number:
            if abs(node.exp) > limit:
                raise GameError(f"{what} raises a symbol to the power {node.exp}; "
                                f"exponents of symbols are limited to {limit}")


class _Parser:
    def __init__(self, tokens, symbols, text):
        self.tokens, self.symbols, self.text, self.pos = tokens, symbols, text, 0
        self.depth = 0
        self.what = f"expression {_shown(text)}"

    def peek(self):
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self):
        if self.pos >= len(self.tokens):
            raise GameError(f"{self.what} ends too early")
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expect(self, op):
        kind, tok = self.take()
        if tok != op:
            raise GameError(f"expected {op!r}, got {tok!r} in {self.what}")

    def nest(self, delta: int) -> None:
        self.depth += delta
        if self.depth > current().max_nesting:
            raise GameError(f"{self.what} nests deeper than {current().max_nesting} levels")

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
                raise GameError(f"division by zero in {self.what}")
            value = value * rhs if op == "*" else value / rhs
        return value

    def unary(self):
        if self.peek() in ("+", "-"):
            op = self.take()[1]
            self.nest(1)
            value = self.unary()
            self.nest(-1)
            return value if op == "+" else -value
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek() not in ("^", "**"):
            return base
        self.take()
        self.nest(1)
        exponent = self.unary()
        self.nest(-1)
        if base.is_number and exponent.is_number:
            # judged before sympy evaluates it: 9^9^9 must never be computed
            check_magnitude(sp.Pow(base, exponent, evaluate=False), {}, self.what)
        elif exponent.is_number and abs(exponent) > current().max_exponent:
            raise GameError(f"{self.what} raises a symbol to the power {exponent}; "
                            f"exponents of symbols are limited to {current().max_exponent}")
        if base == 0 and exponent.is_number and exponent < 0:
            raise GameError(f"division by zero in {self.what}")
        return base ** exponent

    def atom(self):
        kind, tok = self.take()
        if kind == "num":
            f = Fraction(tok)
            return sp.Rational(f.numerator, f.denominator)
        if kind == "name":
            if tok in FUNCTIONS and self.peek() == "(":
                self.take()
                return FUNCTIONS[tok](self.group())
            if tok in self.symbols:
                return self.symbols[tok]
            raise GameError(f"undeclared symbol {tok!r} in {self.what}")
        if tok == "(":
            return self.group()
        raise GameError(f"unexpected token {tok!r} in {self.what}")

    def group(self):
        """The expression after an opening parenthesis, through its ')'."""
        self.nest(1)
        value = self.expr()
        self.expect(")")
        self.nest(-1)
        return value
