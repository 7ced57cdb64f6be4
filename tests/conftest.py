import os
import sys

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
