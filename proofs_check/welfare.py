"""A4 welfare alignment: <peer(phi), grad W(phi)> >= 0 on the region, W = sum_i J_i.

g(phi) = <peer, grad W> is a polynomial in the direct parameterisation and a
rational function of u = e^theta under logit (with theta and
log terms under entropy regularisation). Its sign on the region is
decided exactly first, by interval subdivision only for what is left:

1. g is factored (:func:`eqselect.proofs_check.signs.signed_factors`) into
   factors whose sign follows from their structure (squares, exp > 0, sums
   of one sign, monotone pairs (x - y)(e^x - e^y)) and a residual r. When
   nothing is left, the verdict is exact, on the whole region (all of R^d
   under logit). g = K r with K of one sign vanishing only on a nowhere-dense
   set, so g >= 0 exactly where sign(K) r >= 0.
2. sign(K) r (or g, when no factor other than a constant was set aside) is
   subdivided (:func:`eqselect.proofs_check.signs.box_sign`): every box
   either has an enclosure >= 0 or yields a counterexample at its centre,
   confirmed on g itself. In the direct parameterisation the centres are
   rational, so a counterexample is re-evaluated exactly (the verdict is
   then exact). Under logit the region R^d is cut to the window
   |theta_i| <= ``window`` (the paper's clip), which the verdict states.
3. When boxes are left undecided in the direct parameterisation and g is
   affine in each agent's block of parameters (every one-state two-player
   game), its minimum over the product of simplices is taken at a vertex
   (:mod:`eqselect.proofs_check.multi_affine`): g is evaluated exactly at
   every vertex and the verdict is exact.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp
from flint import arb

from eqselect.theory import RegionKind, engine
from eqselect.numerics import intervals as iv
from eqselect.numerics.differences import field_operations
from eqselect.numerics.shaping import ShapingField
from eqselect.proofs_check.multi_affine import parameter_blocks, vertex_minimum
from eqselect.proofs_check.signs import Sign, box_sign, signed_factors
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


def _window(sf: ShapingField, window: float):
    """(lower, upper, f-guard, words): the box that is subdivided and how it is named."""
    game, d = sf.dec.game, len(sf.symbols)
    if game.region.kind is RegionKind.FREE:
        return ([-window] * d, [window] * d, None,
                f"the window |theta_i| <= {window} (the region R^{d} cut at the paper's clip)")
    where = "the box [0, 1]^d" if game.region.kind is RegionKind.BOX else \
        "the product of simplices (bounding box [0, 1]^d, boxes outside skipped)"
    guard = (lambda f: _simplex_guard(game, f)) if game.region.kind is RegionKind.SIMPLEX \
        else None
    return [sp.Integer(0)] * d, [sp.Integer(1)] * d, guard, where


def _factored(sf: ShapingField, g):
    """The signed factorisation of g (probabilities of the direct parameterisation >= 0)."""
    if g is None:
        return None
    direct = sf.dec.game.region.kind is not RegionKind.FREE
    return signed_factors(g, frozenset(sf.symbols) if direct else frozenset())


def _factor_values(fac) -> dict:
    return {"factored": fac.expr, "signed_factors": [(f, s.value) for f, s in fac.known],
            "residual": fac.residual}


def _exact_verdict(sf: ShapingField, g, fac, where: str):
    """A4 decided by the signs of g's factors alone (no subdivision), or None."""
    sign = fac.decided
    free = sf.dec.game.region.kind is RegionKind.FREE
    values = {"inner_product": g, **_factor_values(fac)}
    if sign in (Sign.ZERO, Sign.POSITIVE, Sign.NONNEGATIVE):
        region = f"all of R^{len(sf.symbols)}" if free else where
        values["region"] = region
        why = "g = 0 identically" if sign is Sign.ZERO else \
            "every factor of g has a sign on the whole region"
        return Verdict("A4", A4, True, Certified.EXACT, values, {},
                       f"{why} (squares, exp > 0, sums of one sign, monotone pairs "
                       f"(x - y)(e^x - e^y) >= 0): g >= 0 on {region}")
    if sign is Sign.NEGATIVE and free:  # g < 0 everywhere: any point refutes A4
        point = tuple(sp.Integer(0) for _ in sf.symbols)
        values.update({"region": f"all of R^{len(sf.symbols)}", "counterexample": point,
                       "value_there": sp.nsimplify(g.xreplace(dict(zip(sf.symbols, point))))})
        return Verdict("A4", A4, False, Certified.EXACT, values, {},
                       "every factor of g has a sign and their product is < 0 everywhere")
    return None


def _vertex_verdict(sf: ShapingField, g, where: str):
    """A4 decided at the vertices of the region when g is affine in every agent's
    block of direct parameters (:mod:`eqselect.proofs_check.multi_affine`), or None."""
    region = sf.dec.game.region
    if g is None or region.kind is RegionKind.FREE:
        return None
    blocks = parameter_blocks(len(sf.symbols), region.blocks)
    m = vertex_minimum(g, sf.symbols, blocks)
    if m is None:
        return None
    values = {"inner_product": g, "region": where, "vertices": m.n_vertices}
    why = ("g is affine in each agent's block of parameters, so its minimum over the "
           "region is taken at a vertex (a pure profile)")
    if m.negative:
        values.update({"counterexample": m.point, "value_there": m.value})
        return Verdict("A4", A4, False, Certified.EXACT, values, {},
                       f"{why}; g < 0 at the vertex {_shown(m.point)}")
    values.update({"minimum_vertex": m.point, "minimum": m.value})
    return Verdict("A4", A4, True, Certified.EXACT, values, {},
                   f"{why}, and g >= 0 at all {m.n_vertices} vertices: g >= 0 on {where}")


def _shown(point) -> str:
    return "(" + ", ".join(map(str, point)) + ")"


def check_a4(sf: ShapingField, window: float = 8.0, min_width: float = 1e-3,
             max_boxes: int = 6000) -> Verdict:
    """A4 on the region (see the module docstring)."""
    lower, upper, guard, where = _window(sf, window)
    if all(x == 0 for x in sf.dec.peer):
        region = where if sf.dec.game.region.kind is not RegionKind.FREE \
            else f"all of R^{len(sf.symbols)}"
        return Verdict("A4", A4, True, Certified.EXACT,
                       {"inner_product": sp.Integer(0), "region": region}, {},
                       "peer = 0 identically")
    g_engine = _inner_product_engine(sf)
    g, shown = _reported(g_engine, sf)
    fac = _factored(sf, g)
    if fac is not None:
        exact = _exact_verdict(sf, g, fac, where)
        if exact is not None:
            return exact
    fg = iv.IntervalFunction([g_engine], sf.symbols)

    def f_g(box):
        return fg(box)[0]

    f, residual = f_g, None
    if fac is not None and fac.reduced and fac.sign is not Sign.UNKNOWN:
        # g = K r with K of one sign and zero only on a nowhere-dense set: g >= 0
        # exactly where sign(K) r >= 0, and r carries none of K's tiny saturated values
        flip = fac.sign in (Sign.NEGATIVE, Sign.NONPOSITIVE)
        residual = -fac.residual if flip else fac.residual
        fr = iv.IntervalFunction([residual], sf.symbols)

        def f(box):
            return fr(box)[0]
    res = box_sign(guard(f) if guard else f, lower, upper, min_width=min_width,
                   max_boxes=max_boxes)
    if residual is not None and res.holds is False and not f_g(
            [iv.to_arb(c) for c in res.counterexample]) < 0:
        residual = None  # the residual's counterexample is a zero of K: subdivide g itself
        res = box_sign(guard(f_g) if guard else f_g, lower, upper, min_width=min_width,
                       max_boxes=max_boxes)
    values = {"inner_product": shown, "region": where}
    if residual is not None:
        values.update(_factor_values(fac))
        values["subdivided"] = residual
    evidence = {"boxes_proven": res.proven, "minimum_lower_bound": res.minimum_lower,
                "undecided_boxes": res.undecided, "n_undecided": res.n_undecided,
                "min_width": min_width}
    if res.holds is None:  # e.g. one payoff dwarfing the others makes enclosures too wide
        at_vertices = _vertex_verdict(sf, g, where)
        if at_vertices is not None:
            return replace(at_vertices, evidence=evidence)
    return _subdivision_verdict(sf, g, res, values, evidence, where, min_width)


def _subdivision_verdict(sf, g, res, values, evidence, where, min_width) -> Verdict:
    game = sf.dec.game
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
                   "nor holding a counterexample (g touches 0 there)",
                   to_decide=f"a subdivision below min_width = {min_width} around the "
                   "undecided boxes (evidence), or an exact factorisation of g that "
                   "isolates the factor vanishing there")
