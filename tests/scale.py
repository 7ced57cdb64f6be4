"""How much of each heavy test runs: a quick default, everything with EQSELECT_FULL_SCALE=1.

README, "Running the tests": the default suite fits a few minutes on two cores;
``EQSELECT_FULL_SCALE=1`` runs every property test at its full number of
examples and the slow instances (the IPD-sized fields) too.
"""

import os

import pytest

FULL = os.environ.get("EQSELECT_FULL_SCALE") == "1"


def examples(default, full):
    """The number of examples (games, points) a heavy test runs."""
    return full if FULL else default


#: marks a parameter or test that runs only with EQSELECT_FULL_SCALE=1
full_scale_only = pytest.mark.skipif(not FULL, reason="runs with EQSELECT_FULL_SCALE=1")
