"""A4 welfare alignment: <peer(phi), grad W(phi)> >= 0 on the region, W = sum_i J_i.

g(phi) = <peer, grad W> is a polynomial in the direct parameterisation and a
rational function of u = e^theta under logit. Its sign on the region is
decided by interval subdivision (:func:`eqselect.proofs_check.signs.box_sign`):
every box either has an enclosure >= 0 or yields a counterexample at its
centre. In the direct parameterisation the centres are rational, so a
counterexample is re-evaluated exactly (the verdict is then exact). Under
logit the region R^d is cut to the window |theta_i| <= ``window`` (the
paper's clip), which the verdict states.
"""

from __future__ import annotations

import sympy as sp
from flint import arb

from eqselect.theory import RegionKind, engine
from eqselect.numerics import intervals as iv
from eqselect.numerics.differences import field_operations
from eqselect.numerics.shaping import ShapingField
from eqselect.proofs_check.signs import box_sign
from eqselect.proofs_check.verdict import Certified, Verdict

A4 = (r"\langle \mathrm{peer}(\phi), \nabla W(\phi)\rangle \ge 0 \text{ on the region},"
      r"\quad W = \textstyle\sum_i J_i")


#: Operations past which g is reported by its size rather than printed.
PRINT_OPS = 2000


def welfare_alignment(sf: ShapingField) -> sp.Expr:
    """g = <peer, grad W>, exact."""
    return _exact(_inner_product_engine(sf), sf)


def _inner_product_engine(sf: ShapingField):
    """g = <peer, grad W> as one symengine expression (differentiated in symengine)."""
    dec = sf.dec
    W = sum(dec.values_engine(), engine.to_engine(0))
    grad = engine.gradient(W, dec.parameters_engine())
    return sum((p * q for p, q in zip(dec.term_engine("peer"), grad)), engine.to_engine(0))


def _exact(g_engine, sf: ShapingField) -> sp.Expr:
    g = engine.to_sympy(g_engine)
    return sp.expand(g) if g.is_polynomial(*sf.symbols) else g


def _reported(g_engine, sf: ShapingField):
    """g exact when small, else None and its size for the verdict (the check used it all)."""
    ops = field_operations([g_engine])
    if ops > PRINT_OPS:
        return None, f"<peer, grad W>: {ops} operations after cse (too large to print)"
    g = _exact(g_engine, sf)
    return g, g


def _simplex_guard(game, f):
    """Boxes wholly outside the simplex blocks are vacuous (enclosure 1)."""
    blocks = game.region.blocks

    def guarded(box):
        for block in blocks:
            if sum(float(box[k].lower()) for k in block) > 1:
                return arb(1)
        return f(box)

    return guarded


def check_a4(sf: ShapingField, window: float = 8.0, min_width: float = 1e-3,
             max_boxes: int = 6000) -> Verdict:
    """A4 on the region (see the module docstring)."""
    game = sf.dec.game
    d = len(sf.symbols)
    if all(x == 0 for x in sf.dec.peer):
        return Verdict("A4", A4, True, Certified.EXACT, {"inner_product": sp.Integer(0)}, {},
                       "peer = 0 identically")
    g_engine = _inner_product_engine(sf)
    g, shown = _reported(g_engine, sf)
    fi = iv.IntervalFunction([g_engine], sf.symbols)

    def f(box):
        return fi(box)[0]

    if game.region.kind is RegionKind.FREE:
        lower, upper = [-window] * d, [window] * d
        where = f"the window |theta_i| <= {window} (the region R^{d} cut at the paper's clip)"
    else:
        lower, upper = [sp.Integer(0)] * d, [sp.Integer(1)] * d
        where = "the box [0, 1]^d" if game.region.kind is RegionKind.BOX else \
            "the product of simplices (bounding box [0, 1]^d, boxes outside skipped)"
        if game.region.kind is RegionKind.SIMPLEX:
            f = _simplex_guard(game, f)
    res = box_sign(f, lower, upper, min_width=min_width, max_boxes=max_boxes)
    values = {"inner_product": shown, "region": where}
    evidence = {"boxes_proven": res.proven, "minimum_lower_bound": res.minimum_lower,
                "undecided_boxes": res.undecided, "n_undecided": res.n_undecided,
                "min_width": min_width}
    if res.holds is False:
        point = res.counterexample
        values["counterexample"] = point
        evidence["counterexample_enclosure"] = res.counter_enclosure
        if (game.region.kind is not RegionKind.FREE and g is not None
                and g.is_polynomial(*sf.symbols)):
            exact_pt = tuple(sp.Rational(x) for x in point)  # dyadic centres: exact
            val = g.xreplace(dict(zip(sf.symbols, exact_pt)))
            values["counterexample"], values["value_there"] = exact_pt, val
            return Verdict("A4", A4, False, Certified.EXACT, values, evidence,
                           "first counterexample of the breadth-first subdivision, "
                           "re-evaluated exactly")
        return Verdict("A4", A4, False, Certified.INTERVAL, values, evidence,
                       "first counterexample of the breadth-first subdivision (its "
                       "enclosure is < 0)")
    if res.holds:
        return Verdict("A4", A4, True, Certified.INTERVAL, values, evidence,
                       f"every box of the subdivision of {where} has an enclosure >= 0")
    return Verdict("A4", A4, None, Certified.INTERVAL, values, evidence,
                   f"{res.n_undecided} box(es) narrower than {min_width} neither proven >= 0 "
                   "nor holding a counterexample (g touches 0 there)")
