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


#: The test modules that take longest (seconds of one run on two cores), in that
#: order. pyproject's addopts hand xdist whole modules in collection order
#: (``--dist loadscope --no-loadscope-reorder``): these go first, so that the
#: workers finish together instead of one running a long module alone at the
#: end. A module missing from the list is scheduled after them, as collected.
LONGEST_FIRST = (
    "tests/test_notebooks.py",                           # 56
    "tests/cli/test_report.py",                          # 55
    "tests/studies/sweep/test_sweep_cli.py",             # 37
    "tests/numerics/fixed_points/test_random_scale.py",  # 36
    "tests/studies/sweep/test_sweep_cluster.py",         # 35
    "tests/studies/sweep/test_sweep_cell_compiled.py",   # 30
    "tests/test_fuzz.py",                                # 25
    "tests/cli/test_interrupt.py",                       # 23
    "tests/proofs_check/test_conditions_flip.py",        # 23
    "tests/numerics/dynamics/kernels/test_fused.py",     # 22
    "tests/proofs_check/test_check_stag_hunt.py",        # 21
    "tests/cli/test_network_cli.py",                     # 20
    "tests/proofs_check/test_persistence.py",            # 20
    "tests/proofs_check/test_choice_and_margins.py",     # 19
    "tests/proofs_check/test_exact_verdicts.py",         # 19
    "tests/numerics/dynamics/kernels/test_chain.py",     # 18
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
