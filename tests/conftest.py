import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# "ci" is derandomised so that a run is reproducible; "dev" explores new examples.
settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=10, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("EQSELECT_HYPOTHESIS", "ci"))

# test helpers shared across the suite (the pygambit oracle) live beside this file
sys.path.insert(0, os.path.dirname(__file__))

# A run starts dozens of Python processes (the xdist workers, the command line,
# notebook kernels, dask workers), each importing sympy, numpy and eqselect. Under
# PYTHONDONTWRITEBYTECODE, as some CI images set it, every one of them would
# compile each module it imports from source (about 3 s for sympy alone, where
# loading the compiled file takes 0.4 s): this process and its children write
# the compiled files once, beside the sources, and later processes load them.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


@pytest.fixture(scope="session")
def direct_sh():
    """Stag Hunt, direct parameterisation, eta = 11/20: shared by the dynamics and plot tests."""
    from eqselect.theory import Decomposition, builtin

    return Decomposition(builtin("stag-hunt", "direct"), eta=0.55)


@pytest.fixture(scope="session")
def logit_sh():
    """Stag Hunt, logit parameterisation, eta = 11/20."""
    from eqselect.theory import Decomposition, builtin

    return Decomposition(builtin("stag-hunt", "logit"), eta=0.55)


@pytest.fixture(scope="session")
def printed():
    """``printed(args)``: what ``eqselect ARGS`` prints on stdout, its exit status 0
    asserted. Run in-process once per argument list and shared by every test that
    asks for the same list: for commands that write no file and print the same text
    for the same arguments (check, derive, ... with --json, --latex or the text)."""
    import contextlib
    import io

    from eqselect.cli import main

    seen = {}

    def run(args):
        key = tuple(args)
        if key not in seen:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                assert main(list(args)) == 0, args
            seen[key] = out.getvalue()
        return seen[key]

    return run


@pytest.fixture(scope="session")
def checked_direct_sh():
    """`check_game` of the direct Stag Hunt under peer-only shaping, eta = 11/20, without
    the paper's statements. Read, never changed, by the checker's, the choice's and the
    check command's tests."""
    import sympy as sp

    from eqselect.proofs_check.check import check_game
    from eqselect.theory import builtin

    return check_game(builtin("stag-hunt", "direct"), "peer-only", eta=sp.Rational(11, 20),
                      statements=False)


@pytest.fixture(scope="session")
def checked_regularised_sh():
    """`check_game` of the logit Stag Hunt regularised at tau = 1/2 under peer-only
    shaping, without the paper's statements (what ``eqselect check stag-hunt --tau 1/2
    --method peer-only`` decides). Read, never changed, by the checker's and the report's
    tests."""
    import sympy as sp

    from eqselect.proofs_check.check import check_game
    from eqselect.theory import builtin

    return check_game(builtin("stag-hunt"), "peer-only", tau=sp.Rational(1, 2),
                      statements=False)


#: The test modules that take longest (seconds of CPU in one run with empty caches), in that
#: order. pyproject's addopts hand xdist whole modules in collection order
#: (``--dist loadscope --no-loadscope-reorder``): these go first, so that the
#: workers finish together instead of one running a long module alone at the
#: end. A module missing from the list is scheduled after them, as collected.
LONGEST_FIRST = (
    "tests/cli/test_report.py",                                         # 54
    "tests/test_notebooks.py",                                          # 28
    "tests/studies/sweep/test_sweep_cluster.py",                        # 26
    "tests/numerics/dynamics/kernels/test_chain.py",                    # 20
    "tests/numerics/fixed_points/test_random_scale.py",                 # 18
    "tests/cli/test_interrupt.py",                                      # 17
    "tests/numerics/dynamics/kernels/test_machine_code.py",             # 15
    "tests/proofs_check/test_check_stag_hunt.py",                       # 14
    "tests/numerics/dynamics/kernels/test_fused.py",                    # 12
    "tests/numerics/dynamics/kernels/test_simd_random_games.py",        # 12
    "tests/numerics/dynamics/kernels/test_simd.py",                     # 11
    "tests/proofs_check/test_basin_entry.py",                           # 11
    "tests/numerics/continuation/test_continuation_events.py",          # 10
    "tests/studies/sweep/test_sweep_cli.py",                            # 10
    "tests/numerics/dynamics/kernels/test_cache.py",                    # 10
    "tests/numerics/fixed_points/exclusion/test_entropy_logit.py",      # 9
    "tests/numerics/fixed_points/resultants/test_algebraic_payoffs.py", # 9
    "tests/cli/test_check_output.py",                                   # 8
    "tests/numerics/test_codegen.py",                                   # 8
    "tests/cli/test_startup.py",                                        # 8
    "tests/proofs_check/test_choice_and_margins.py",                    # 8
    "tests/theory/test_decomposition.py",                               # 7
)


def pytest_collection_modifyitems(config, items):
    """Put the modules of `LONGEST_FIRST` first, longest first (a stable sort)."""
    rank = {name: k for k, name in enumerate(LONGEST_FIRST)}
    root = Path(str(config.rootpath))

    def where(item):
        try:
            name = Path(str(item.path)).relative_to(root).as_posix()
        except ValueError:
            return len(rank)
        return rank.get(name, len(rank))

    items.sort(key=where)
