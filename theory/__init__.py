"""eqselect.theory: games and the exact own / peer decomposition (sympy).

Sub-packages: ``games`` (built-ins, normal-form, IPD, Tandem, entropy) and
``io`` (game files, Gambit .nfg, nashpy / pygambit conversion). The
decomposition cur / own / peer / lookahead and the rules built from it are in
docs/theory.md and docs/rules.md.
"""

from eqselect.theory.lazy import lazy_exports

# every name is imported on first use (PEP 562): a process that only loads a
# compiled kernel or reads an error class does not import sympy
__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.theory.games.builtins": ["BUILTINS", "builtin", "two_by_two"],
    "eqselect.theory.decomposition": ["COMPONENTS", "ETA", "Decomposition"],
    "eqselect.theory.games.entropy": ["entropy_regularized", "shannon_entropy"],
    "eqselect.theory.game": ["Game", "Region", "RegionKind"],
    "eqselect.theory.games.ipd": ["ipd"],
    "eqselect.theory.errors": ["EqselectError", "GameError", "OptionsError"],
    "eqselect.theory.rules": ["LAMBDA", "OWN_COEF", "PAPER", "Method", "Rule", "as_rule",
                              "coefficients"],
    "eqselect.theory.games.normal_form": ["normal_form_game"],
    "eqselect.theory.parameterizations": ["Parameterization", "sigmoid"],
    "eqselect.theory.games.tandem": ["tandem"],
    "eqselect.theory.unrolled": ["series_check", "unrolled_meta_gradient"],
    "eqselect.theory.io.resolve": ["load_game"],
    "eqselect.theory.io.spec": ["load_spec"],
    "eqselect.theory.io.write": ["write_game"],
}, globals())
