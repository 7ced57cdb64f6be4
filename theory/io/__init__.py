"""eqselect.theory.io: game files in and out, and other libraries' game objects.

Read ``.toml`` / ``.json`` specs and Gambit ``.nfg`` files (a whitelisting
expression parser, never ``eval``), write them back, and convert to and from
nashpy and pygambit (docs/cli.md, "Game files"). Imported on first use.
"""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.theory.io.resolve": ["load_game"],
    "eqselect.theory.io.spec": ["load_spec", "spec_game"],
    "eqselect.theory.io.expressions": ["parse_expression"],
    "eqselect.theory.io.write": ["game_spec", "nfg_text", "write_game"],
    "eqselect.theory.io.convert": [
        "from_nashpy", "from_pygambit", "payoff_tables", "to_nashpy", "to_pygambit"],
}, globals())
