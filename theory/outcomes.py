"""Named outcomes: the regions of strategy space a preferred outcome P or an
alternative R may be (docs/alignment.md, "Outcomes as P and R").

An outcome is described by what it holds, never by a point alone:

- a **face** (at infinity under logit / softmax): a set of saturated
  coordinates, each an (agent, state, action) whose probability is at least
  ``threshold``; the coordinates it does not hold are free. A pure profile
  of a one-state game holds every agent's action; the IPD's
  ``mutual-cooperation`` holds cooperation in the start state and in CC, the
  states mutual cooperation visits, and leaves CD, DC, DD free;
- a **region** given by a predicate of the same form: the paper's
  ``success`` (every agent's probability of its first action in the first
  state >= 0.82) holds the start-state coordinates;
- a **point**: a finite stable fixed point (probability coordinates), reached
  when an end point lies within ``tol`` of it.

The named outcomes of a game are `named_outcomes`; `parse_outcome` reads
what a user typed after ``--preferred`` (a name, ``success``, or a profile
on a subset of states, ``start:C,C;CC:C,C``). This module only describes
outcomes; deciding which starts reach one is numerics
(`eqselect.proofs_check.outcome_regions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sympy as sp

from eqselect.theory.engine import to_sympy
from eqselect.theory.errors import OptionsError
from eqselect.theory.rules import PAPER

#: The IPD's states, as `eqselect.theory.games.ipd` numbers them.
IPD_STATES = ("start", "CC", "CD", "DC", "DD")
#: The name of the paper's success predicate as an outcome.
SUCCESS = "success"


@dataclass(frozen=True)
class Outcome:
    """A preferred or alternative outcome.

    Attributes
    ----------
    name : str
        How it is called (``mutual-cooperation``, ``success``, ``C,C``, ``#2``).
    kind : "face", "region" or "point"
    held : tuple of (int, int, int)
        (agent, state, action) whose probability must be >= ``threshold``
        (face, region); empty for a point.
    point : tuple of float or None
        A point outcome's probability coordinates (one per parameter).
    payoffs : tuple of sympy numbers
        Each agent's per-round payoff when the outcome is played (the pure
        profile it holds); empty when the outcome fixes no profile.
    threshold : float
        The probability a held coordinate must reach (the paper's 0.82).
    tol : float
        A point outcome's radius (Euclidean, probability coordinates).
    description : str
    """

    name: str
    kind: Literal["face", "region", "point"]
    held: tuple = ()
    point: tuple | None = None
    payoffs: tuple = ()
    threshold: float = float(PAPER.success)
    tol: float = 0.05
    description: str = ""

    def __post_init__(self):
        if self.kind not in ("face", "region", "point"):
            raise OptionsError(f"outcome kind must be face, region or point, not {self.kind!r}")
        if self.kind == "point" and self.point is None:
            raise OptionsError(f"point outcome {self.name!r} needs its point")
        if self.kind != "point" and not self.held:
            raise OptionsError(f"{self.kind} outcome {self.name!r} holds no coordinate")

    @property
    def welfare(self):
        """Sum of the per-round payoffs (None when the outcome fixes no profile)."""
        return sum(self.payoffs) if self.payoffs else None

    def to_json(self) -> dict:
        return {"name": self.name, "kind": self.kind,
                "held": [list(h) for h in self.held],
                "point": None if self.point is None else [float(x) for x in self.point],
                "payoffs": [str(x) for x in self.payoffs], "threshold": str(self.threshold),
                "description": self.description}


def _is_ipd(game) -> bool:
    """A memory-one repeated 2x2 game: five states and the outcome chain
    (`eqselect.theory.games.ipd.MarkovChain`: per-outcome rewards and the
    per-state cooperation probabilities) as its structure."""
    chain = getattr(game, "structure", None)
    return (game.states == len(IPD_STATES) and hasattr(chain, "rewards")
            and hasattr(chain, "coop"))


def _stage_payoffs(game, profile) -> tuple:
    """Each agent's payoff of one round of ``profile`` (the IPD: from its chain)."""
    if _is_ipd(game):
        chain = game.structure
        outcome = 2 * profile[0] + profile[1]
        return tuple(sp.nsimplify(r[outcome]) for r in chain.rewards)
    if game.payoffs and game.states == 1:
        out = []
        for t in game.payoffs:
            x = t
            for a in profile:
                x = x[a]
            out.append(to_sympy(x))
        return tuple(out)
    return ()


def success_outcome(game) -> Outcome:
    """The paper's success predicate: every agent's first action in the first state."""
    held = tuple((i, 0, 0) for i in range(len(game.agents)))
    return Outcome(SUCCESS, "region", held, description=(
        "every agent's probability of its first action in the first state >= "
        f"{PAPER.success}"))


def named_outcomes(game) -> tuple:
    """The outcomes a game knows by name (besides its fixed points and pure profiles).

    Every game with policies has ``success``; the IPD also has
    ``mutual-cooperation`` (C in the start state and in CC, both agents) and
    ``mutual-defection`` (D in the start state and in DD).
    """
    if not game.strategies:
        return ()
    out = []
    if _is_ipd(game):
        for name, a, state in (("mutual-cooperation", 0, 1), ("mutual-defection", 1, 4)):
            held = tuple((i, s, a) for i in range(2) for s in (0, state))
            out.append(Outcome(name, "face", held, payoffs=_stage_payoffs(game, (a, a)),
                               description=f"both agents play {'CD'[a]} in the start state "
                                           f"and in {IPD_STATES[state]}, the states it visits"))
    out.append(success_outcome(game))
    return tuple(out)


def profile_outcome(game, profile, name: str | None = None) -> Outcome:
    """The face of a pure profile of a one-state game (every agent's action held)."""
    held = tuple((i, 0, int(a)) for i, a in enumerate(profile))
    return Outcome(name or ",".join(map(str, profile)), "face", held,
                   payoffs=_stage_payoffs(game, tuple(profile)),
                   description="the pure profile, at infinity under logit / softmax")


def _state_index(game, text: str) -> int:
    names = IPD_STATES if _is_ipd(game) else tuple(str(s) for s in range(game.states))
    if text in names:
        return names.index(text)
    if text.isdigit() and int(text) < game.states:
        return int(text)
    raise OptionsError(f"--preferred: {text!r} is not a state of game {game.name!r} "
                       f"({', '.join(names)}, or an index 0..{game.states - 1})")


def state_profile(game, text: str) -> Outcome:
    """A profile on a subset of states, ``STATE:A1,A2[;STATE:...]`` (``start:C,C;CC:C,C``).

    Each part names a state and one action per agent (action names, C / D
    for two actions, or indices); the outcome is the face holding them.
    """
    held = []
    for part in filter(None, (x.strip() for x in text.split(";"))):
        if ":" not in part:
            raise OptionsError(f"--preferred {text!r}: write a state profile as "
                               "STATE:A1,A2[;STATE:...], e.g. start:C,C;CC:C,C")
        state, actions = (x.strip() for x in part.split(":", 1))
        s = _state_index(game, state)
        acts = [a.strip() for a in actions.split(",")]
        if len(acts) != len(game.agents):
            raise OptionsError(f"--preferred {text!r}: state {state} needs one action per "
                               f"agent ({len(game.agents)})")
        held += [(i, s, _action_index(game, i, a, text)) for i, a in enumerate(acts)]
    if not held:
        raise OptionsError(f"--preferred {text!r}: no state profile given")
    return Outcome(text, "face", tuple(held), description="a profile on a subset of states")


def _action_index(game, agent: int, text: str, whole: str) -> int:
    m = int(game.actions[agent]) if game.actions else 2
    names = [game.action_name(agent, a) for a in range(m)]
    if text in names:
        return names.index(text)
    if m == 2 and text.upper() in ("C", "D"):
        return "CD".index(text.upper())
    if text.isdigit() and int(text) < m:
        return int(text)
    raise OptionsError(f"--preferred {whole!r}: {text!r} is not an action of agent "
                       f"{agent + 1} ({', '.join(names)}, or an index 0..{m - 1})")


def parse_outcome(game, text) -> Outcome | None:
    """The outcome a ``--preferred`` text names, or None when it names none.

    ``success``, a name of `named_outcomes`, or a state profile (a text with
    ``:``); None for the other forms (payoff-dominant, welfare, a pure
    profile, an index), which name fixed points and pure profiles.
    """
    if not isinstance(text, str):
        return None
    for o in named_outcomes(game):
        if o.name == text:
            return o
    if text == SUCCESS:
        raise OptionsError(f"--preferred success: game {game.name!r} has no policies")
    if ":" in text:
        return state_profile(game, text)
    return None


__all__ = ["IPD_STATES", "SUCCESS", "Outcome", "named_outcomes", "parse_outcome",
           "profile_outcome", "state_profile", "success_outcome"]
