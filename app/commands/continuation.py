"""``eqselect continue``: fixed points followed in lambda by pseudo-arclength.

(The module is not called ``continue``, a Python keyword.) Text by default:
one line per branch and per event (fold, boundary, branch point, Hopf);
``--json`` the contract's continue document; ``--plot FILE`` the
bifurcation diagram as a PNG.
"""

from __future__ import annotations

import json

from eqselect.commands.inputs import command_inputs, heading, numeric_decomposition, print_notes
from eqselect.output import check_plot_path, replaced_file
from eqselect.theory.serialize import document


def run(args) -> int:
    """Continue the fixed points of ``--method`` over ``--lam A:B`` and print the branches."""
    from eqselect.theory.rules import resolve
    from eqselect.numerics.continuation.branches import continue_in_lambda
    from eqselect.numerics.plots.bifurcation import bifurcation_diagram
    from eqselect.numerics.plots.style import parameter_label

    check_plot_path(args.plot)
    dec = numeric_decomposition(args)
    a, b = args.lam
    result = continue_in_lambda(dec, resolve(args.method, own_coef=float(args.own)),
                                (float(a), float(b)))
    if args.plot:
        with replaced_file(args.plot) as tmp:
            bifurcation_diagram(result, coordinate=0, path=tmp,
                                names=[parameter_label(s) for s in dec.game.parameters])
    if args.json:
        print(json.dumps(document("continue", result, command_inputs(args))))
        return 0
    doc = result.to_json()
    print(f"{heading(dec, args)}, lambda in "
          f"[{float(a):g}, {float(b):g}]: {len(doc['branches'])} branch(es)")
    for k, br in enumerate(doc["branches"]):
        first, last = br["points"][0], br["points"][-1]
        kinds = ", ".join(dict.fromkeys(br["stability"]))
        where = f" on {br['face']}" if br.get("face") else ""
        if br.get("origin") == "branch-switch":
            where += f" (branch switch, lambda = {br['switched_at']:.6g})"
        print(f"  branch {k}: lambda {first[0]:.4g} -> {last[0]:.4g}, "
              f"{len(br['points'])} points, {kinds}{where}")
    for ev in doc["events"]:
        pt = ", ".join(f"{x:.6g}" for x in ev["point"])
        print(f"  {ev['type']} at lambda = {ev['lam']:.10g}: ({pt})")
    print_notes(doc["notes"])
    return 0
