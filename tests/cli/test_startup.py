"""``eqselect --version`` and ``--help`` import nothing heavy; a subcommand's
arguments and modules come in only when it is named."""

import json
import subprocess
import sys

HEAVY = ("sympy", "numpy", "symengine", "numba", "eqselect.theory", "eqselect.numerics")

_PROBE = """
import json, sys
from eqselect.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
print(json.dumps(sorted({{m.split(".")[0] if not m.startswith("eqselect.")
                         else ".".join(m.split(".")[:2])
                         for m in sys.modules if m.startswith({heavy!r})}})), file=sys.stderr)
"""


def _imported(argv) -> tuple[str, list]:
    out = subprocess.run([sys.executable, "-c", _PROBE.format(argv=argv, heavy=HEAVY)],
                         capture_output=True, text=True, check=True)
    return out.stdout, json.loads(out.stderr.strip().splitlines()[-1])


def test_version_and_help_import_nothing_heavy():
    import eqselect

    for argv in (["--version"], ["--help"]):
        text, heavy = _imported(argv)
        assert heavy == [], (argv, heavy)
    assert _imported(["--version"])[0].strip() == f"eqselect {eqselect.__version__}"
    assert "basins" in _imported(["--help"])[0]


def test_a_named_subcommand_builds_its_arguments():
    text, heavy = _imported(["basins", "--help"])
    assert "--backend" in text and "(default: 0.55)" in text
    assert "eqselect.theory" in heavy


def test_the_version_is_the_installed_distributions():
    from importlib import metadata

    import eqselect

    assert eqselect.__version__ == metadata.version("eqselect")
    assert "__version__" in dir(eqselect)


def test_import_eqselect_defers_the_theory_until_a_name_is_read():
    code = ("import sys, eqselect; before = 'sympy' in sys.modules; eqselect.Decomposition; "
            "print(before, 'sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]


def test_a_small_basin_map_imports_neither_networkx_nor_numba():
    # the paper's 21 x 21 grid runs on numpy, and a normal-form game has no graph
    code = ("import sys, io, contextlib; from eqselect.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    code = main(['basins', 'stag-hunt', '--method', 'meta-mapg', '--grid', '5',\n"
            "                 '--json'])\n"
            "print(code, 'networkx' in sys.modules, 'numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["0", "False", "False"]
