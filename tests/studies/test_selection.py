"""`select` from one start: a run resting on a continuum of fixed points has
settled on it; each note is said once."""

import numpy as np

from eqselect.studies.selection import select
from eqselect.theory import Decomposition, normal_form_game
from eqselect.theory.rules import Rule


def test_a_run_on_a_continuum_has_settled_from_its_first_step():
    """Every payoff 0, direct: the square is one continuum of fixed points; the run
    stays at its start, which the continuum holds, so it settled at step 0."""
    game = normal_form_game([[[0, 0], [0, 0]], [[0, 0], [0, 0]]], "direct", name="zero")
    s = select(Decomposition(game, eta=0.55), Rule("pg"), (0.3, 0.6), steps=20)
    assert s.steps == 0 and "[" in s.outcome  # a continuum's name: ([1 .. 0], [1 .. 0])
    assert np.allclose(s.trajectory, [[0.3, 0.6]] * len(s.checkpoints))


def test_every_note_is_said_once():
    """Logit, every payoff 0: the fixed points come from seeded Newton, a list not
    proven complete, which the run's notes say once."""
    game = normal_form_game([[[0, 0], [0, 0]], [[0, 0], [0, 0]]], "logit", name="zero")
    s = select(Decomposition(game, eta=0.55), Rule("pg"), (0.3, 0.6), steps=20)
    assert sum("not proven complete" in n for n in s.notes) == 1
    assert len(s.notes) == len(set(s.notes))
