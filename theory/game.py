"""The `Game` object: agents, parameter symbols, exact values and the region.

A game here is already *parameterised*: the values J_i are exact sympy
expressions in the policy parameters phi = (phi_1, ..., phi_N). Finite games
are built from payoff tensors by :mod:`eqselect.theory.games.normal_form` (or
:mod:`eqselect.theory.games.ipd`) together with a policy parameterisation from
:mod:`eqselect.theory.parameterizations`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Mapping

import sympy as sp

from eqselect.theory.errors import GameError


class RegionKind(str, Enum):
    """Where the parameters live."""

    BOX = "box"  # every parameter in [0, 1] (direct, two actions)
    SIMPLEX = "simplex"  # per block: parameters >= 0 with sum <= 1 (direct, m actions)
    FREE = "free"  # R^d (logit, softmax, continuous games)


@dataclass(frozen=True)
class Region:
    """The parameter region.

    Attributes
    ----------
    kind : RegionKind
    blocks : tuple of tuple of int
        For ``SIMPLEX``: groups of parameter indices whose sum is at most 1
        (one group per agent and state). Empty for the other kinds.
    """

    kind: RegionKind
    blocks: tuple[tuple[int, ...], ...] = ()

    def contains(self, point) -> bool:
        """Whether an (exact or float) point lies in the region."""
        if self.kind is RegionKind.FREE:
            return True
        if any(x < 0 or x > 1 for x in point):
            return False
        if self.kind is RegionKind.SIMPLEX:
            return all(sum(point[k] for k in block) <= 1 for block in self.blocks)
        return True


@dataclass(frozen=True)
class Game:
    """A parameterised N-agent game; agents maximise their values.

    Attributes
    ----------
    name : str
    agents : tuple of tuple of sympy.Symbol
        ``agents[i]`` are agent i's parameters phi_i (length d_i).
    values : tuple of sympy.Expr
        ``values[i]`` is J_i(phi), exact.
    region : Region
    parameterization : str
        ``"direct"``, ``"logit"``, ``"softmax"`` or ``"continuous"``.
    strategies : tuple of tuple of sympy.Expr
        Each agent's full mixed strategy (all actions, every state in
        order) as expressions in the parameters; empty for continuous games.
    payoff_symbols : Mapping[sympy.Symbol, sympy.Expr]
        Symbols left free in the values with their default (numeric) values.
    payoffs : tuple
        The payoff tensors as nested tuples of sympy expressions (finite
        games), for presentation; empty otherwise.
    actions : tuple of int
        Number of actions per agent (finite games).
    states : int
        Number of states a tabular policy is indexed by (1 for one-shot).
    description : str
    tau : sympy.Expr or None
        Entropy temperature if the game is entropy-regularised.
    structure : object
        Game-specific structure kept for exact numeric routes (for example
        the IPD's outcome Markov chain); None for most games.
    players : tuple of str
        Player names, one per agent; empty means the defaults "1", "2", ...
        (see :meth:`player_name`).
    action_names : tuple of tuple of str
        Action names per agent (finite games); empty means the defaults
        "0", "1", ... (see :meth:`action_name`). Game files set both
        (docs/cli.md, "Game files").
    """

    name: str
    agents: tuple[tuple[sp.Symbol, ...], ...]
    values: tuple[sp.Expr, ...]
    region: Region
    parameterization: str
    strategies: tuple[tuple[sp.Expr, ...], ...] = ()
    payoff_symbols: Mapping[sp.Symbol, sp.Expr] = field(default_factory=dict)
    payoffs: tuple = ()
    actions: tuple[int, ...] = ()
    states: int = 1
    description: str = ""
    tau: sp.Expr | None = None
    structure: object = None
    players: tuple[str, ...] = ()
    action_names: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self):
        if len(self.agents) != len(self.values):
            raise GameError(
                f"game {self.name!r} has {len(self.agents)} agents but "
                f"{len(self.values)} value expressions"
            )
        names = [s.name for s in self.parameters]
        if len(set(names)) != len(names):
            raise GameError(f"game {self.name!r} repeats a parameter name: {names}")

    @property
    def n_agents(self) -> int:
        """N, the number of agents."""
        return len(self.agents)

    @property
    def parameters(self) -> tuple[sp.Symbol, ...]:
        """phi, all parameters in agent order (phi_1, ..., phi_N)."""
        return tuple(s for block in self.agents for s in block)

    @property
    def slices(self) -> tuple[slice, ...]:
        """``slices[i]`` picks agent i's parameters out of phi."""
        out, start = [], 0
        for block in self.agents:
            out.append(slice(start, start + len(block)))
            start += len(block)
        return tuple(out)

    @property
    def free_symbols(self) -> tuple[sp.Symbol, ...]:
        """Payoff symbols left free in the values, sorted by name."""
        return tuple(sorted(self.payoff_symbols, key=lambda s: s.name))

    def substitute(self, values: Mapping[sp.Symbol, object] | None = None) -> "Game":
        """The same game with payoff symbols replaced by values.

        Parameters
        ----------
        values : mapping from symbol (or its name) to number or expression, optional
            Defaults to ``payoff_symbols`` (every symbol at its default).
            Floats are kept exact (0.55 -> 11/20); text is refused.

        Raises
        ------
        GameError
            For a key that is not one of the game's payoff symbols, a value
            that is not a number, or values under which a payoff would denote
            a number beyond the limits of :mod:`eqselect.theory.limits`
            (checked before anything is computed).
        """
        from eqselect.theory.exact import check_magnitude, to_exact  # exact imports this module

        if values is not None and not isinstance(values, Mapping):
            raise GameError("substitute takes a mapping from payoff symbols to values")
        values = dict(self.payoff_symbols if values is None else values)
        by_name = {s.name: s for s in self.payoff_symbols}
        sub = {}
        for key, value in values.items():
            name = key.name if isinstance(key, sp.Symbol) else key
            if not isinstance(name, str) or name not in by_name:
                declared = ", ".join(sorted(by_name)) or "none"
                raise GameError(f"{str(key)[:40]!r} is not a payoff symbol of game "
                                f"{self.name!r} (declared: {declared})")
            sub[by_name[name]] = to_exact(value, f"value of {name}")
            stray = sub[by_name[name]].free_symbols - set(self.payoff_symbols)
            if stray:  # a parameter symbol here would silently change the game's variables
                raise GameError(f"value of {name} may use only the game's payoff symbols, "
                                f"not {', '.join(sorted(str(s) for s in stray))}")
        if not sub:
            return self
        for entry in _flat(self.payoffs) or self.values:
            check_magnitude(to_exact(entry, "payoff"), sub, f"a payoff of {self.name!r}")
        rest = {k: v for k, v in self.payoff_symbols.items() if k not in sub}
        return replace(
            self,
            values=tuple(v.xreplace(sub) for v in self.values),
            payoffs=_map_nested(self.payoffs, lambda e: to_exact(e, "payoff").xreplace(sub)),
            payoff_symbols=rest,
        )

    def player_name(self, agent: int) -> str:
        """Agent's name: ``players[agent]`` if given, else ``str(agent + 1)``.

        Examples
        --------
        >>> from eqselect.theory.games.tandem import tandem
        >>> tandem().player_name(1)
        '2'
        """
        return self.players[agent] if self.players else str(agent + 1)

    def action_name(self, agent: int, action: int) -> str:
        """Name of one of agent's actions: ``action_names`` if given, else ``str(action)``."""
        return self.action_names[agent][action] if self.action_names else str(action)

    def strategy_of(self, agent: int, state: int = 0) -> tuple[sp.Expr, ...]:
        """Agent's mixed strategy over its actions in one state."""
        m = self.actions[agent]
        return self.strategies[agent][state * m:(state + 1) * m]


def _flat(obj) -> list:
    out, stack = [], [obj]
    while stack:
        top = stack.pop()
        if isinstance(top, (tuple, list)):
            stack.extend(top)
        else:
            out.append(top)
    return out


def _map_nested(obj, fn):
    if isinstance(obj, (tuple, list)):
        return tuple(_map_nested(o, fn) for o in obj)
    return fn(obj)
