"""How much a replayed outcome depends on the last digits of its start.

The IPD runs of the paper are sensitive to their starts: the same run seed
from a start moved by a rounding error can end elsewhere (docs/replay.md,
"Sensitivity"). The measurement runs the ablation and the restarts twice,
from the starts and from the starts moved by ``shift`` (1e-12) in every
coordinate, with the same random streams, and reports per game and method
the share of runs whose outcome differs:

- ablation: the success of a run;
- restarts: the number of restarts before the first success of a seed.

A share of 0 says the figure is a property of the starts and the streams;
a large share says a rounding change anywhere (another numpy, another
order of floating-point sums) redraws it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from eqselect.studies.replay.experiments import replay
from eqselect.studies.replay.runs import Setting

#: The move of every coordinate of every start.
SHIFT = 1e-12
#: The experiments measured.
MEASURED = ("ablation", "restarts")


def flip_shares(base: dict, moved: dict) -> dict:
    """Per experiment, game and method: the share of runs whose outcome differs.

    Parameters
    ----------
    base, moved : dict
        The ``raw`` outcomes of two replays (`ReplayResult.raw`).

    Returns
    -------
    dict
        ``{experiment: {game: {method: share}}}`` for the experiments of
        `MEASURED` both hold.
    """
    return {name: {g: {m: float(np.mean(_outcome(v) != _outcome(moved[name][g][m])))
                       for m, v in per.items()} for g, per in base[name].items()}
            for name in MEASURED if name in base and name in moved}


def _outcome(value) -> np.ndarray:
    """A run's outcome: an `Outcome`'s successes, or a seed's epoch of first success."""
    return np.asarray(getattr(value, "success", value))


def sensitivity(mode: str, seed: int = 0, protocol: str = "eqselect",
                setting: Setting = Setting(), shift: float = SHIFT, base: dict | None = None
                ) -> dict:
    """The flip shares of `flip_shares` for the ablation and the restarts.

    Parameters
    ----------
    mode : {"exact", "sampled"}
    seed : int
    protocol : {"eqselect", "authors"}
    setting : Setting
    shift : float
        The move of every start coordinate.
    base : dict or None
        The ``raw`` outcomes of the same replay from the unmoved starts, when
        already run (None: run here).

    Returns
    -------
    dict
        ``{"shift": shift, "ablation": {...}, "restarts": {...}}``.
    """
    def raw(moved_by: float) -> dict:
        return replay(list(MEASURED), mode, seed, replace(setting, start_shift=moved_by),
                      protocol=protocol).raw

    if base is None or not all(k in base for k in MEASURED):
        base = raw(setting.start_shift)
    return {"shift": float(shift),
            **flip_shares(base, raw(setting.start_shift + shift))}
