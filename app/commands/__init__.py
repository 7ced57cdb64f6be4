"""The ``eqselect`` subcommands, one module each (docs/cli.md).

Every module has ``run(args) -> int``: the subcommand's body, given the
parsed arguments, returning the exit status; bad input raises `OptionsError`
or `GameError`, which :func:`eqselect.cli.main` turns into one line and
status 2. `eqselect.cli` builds the parser and imports a module only when its
subcommand runs. :mod:`eqselect.commands.inputs` holds what several use: the
game named on the command line and the inputs block of a JSON document.
"""
