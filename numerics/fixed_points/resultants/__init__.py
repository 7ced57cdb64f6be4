"""Two logit / softmax parameters: resultants and certified real roots (docs/theory.md).

The field's numerators as polynomials in u_i = exp(theta_i)
(`exp_polynomials`), their resultants and isolated positive roots
(`two_parameter`), and the same over algebraic payoffs (`algebraic_payoffs`)
with each candidate decided by interval arithmetic (`interval_decision`).
"""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.fixed_points.resultants.two_parameter": ["resultant_attempt"],
    "eqselect.numerics.fixed_points.resultants.algebraic_payoffs": ["algebraic_attempt"],
}, globals())
