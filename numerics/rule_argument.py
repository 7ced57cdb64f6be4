"""The rule argument of the numerics: a `Rule`, resolved at the edge.

What a user types (a method name, a lambda, an own coefficient) becomes a
`Rule` once, by `eqselect.theory.rules.resolve`, in the command line or the
`eqselect` facade; every function below them takes that `Rule`.
"""

from __future__ import annotations

from eqselect.theory import OptionsError, Rule


def require_rule(rule, where: str) -> Rule:
    """``rule`` itself when it is a `Rule`, else an `OptionsError` naming the resolver.

    Examples
    --------
    >>> require_rule(Rule("pg"), "find_equilibria").method.value
    'pg'
    >>> require_rule("pg", "find_equilibria")
    Traceback (most recent call last):
    ...
    eqselect.theory.errors.OptionsError: find_equilibria takes a Rule, got 'pg': build it with eqselect.theory.rules.resolve(rule, lam, own_coef)
    """
    if isinstance(rule, Rule):
        return rule
    raise OptionsError(f"{where} takes a Rule, got {rule!r}: build it with "
                       "eqselect.theory.rules.resolve(rule, lam, own_coef)")
