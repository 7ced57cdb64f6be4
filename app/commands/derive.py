"""``eqselect derive``: the closed-form cur / own / peer / look-ahead terms of a game.

Text by default (one line per value and per component entry), ``--json``
(the contract's derive document, `derive_json`) or ``--latex`` (align*
blocks, a whole document with ``--standalone``).
"""

from __future__ import annotations

import json
import sys

from eqselect.commands.inputs import command_inputs, prepare_game
from eqselect.theory import Decomposition, limits
from eqselect.theory.errors import OptionsError
from eqselect.theory.serialize import document


def run(args) -> int:
    """Derive the decomposition of the command line's game and print it."""
    if args.standalone and not args.latex:
        raise OptionsError("eqselect derive: --standalone needs --latex")
    with limits.deadline("eqselect derive"):
        game = prepare_game(args, symbolic=args.symbolic)
        dec = Decomposition(game, eta=args.eta)
        if args.latex:
            text = dec.latex(standalone=args.standalone)
        else:
            doc = derive_json(dec)
    if args.latex:
        sys.stdout.write(text)
        return 0
    if args.json:
        print(json.dumps(document("derive", doc, command_inputs(args))))
        return 0
    print(f"{game.name} ({game.parameterization}); parameters {', '.join(doc['parameters'])}")
    for i, value in enumerate(doc["values"]):
        print(f"J{i + 1} = {value}")
    for name, exprs in doc["components"].items():
        for sym, e in zip(doc["parameters"], exprs):
            print(f"{name}[{sym}] = {e}")
    return 0


def derive_json(dec: Decomposition) -> dict:
    """The contract's ``derive --json`` object: ``Decomposition.to_json``."""
    return dec.to_json()
