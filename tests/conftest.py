import os
import sys

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
