"""Two-coordinate slices of the start space, for games with many parameters.

A slice grid varies two *axes* over linspace(low, high, N) and holds every
other coordinate fixed (docs/cli.md, "basins"). An axis is the probability
that one agent plays one action (in one state):

- ``P:A`` names it by player and action (names or indices: ``1:C``,
  ``row:stag``, ``2:0``; state 0);
- a parameter name names the action the parameter belongs to (``p1_0``,
  ``theta2_1``: agent 2's action 1; the IPD's ``theta1_3``: state 3).

Every agent starts from its uniform strategy. ``fixed`` probabilities are
held exactly; in the block (agent, state) of an axis the axis action takes
its grid value and the actions neither on an axis nor fixed share what is
left equally. Grid points where nothing (or, for logits, a negative or zero
amount) is left are not in the slice. A fixed parameter *value* (a logit of
a softmax agent with three or more actions, whose single logit does not
fix a probability) is written into the parameters after the map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eqselect.theory import PAPER, GameError, OptionsError
from eqselect.numerics.dynamics.starts import (
    action_blocks, grid_starts, start_kind, strategies_to_parameters)
from eqselect.numerics.dynamics.plain import plain

#: |logit| allowed in --fix (beyond it a logit stands for a pure strategy).
MAX_FIXED_LOGIT = 30.0


def coordinate(game, name: str) -> tuple[int, int, int]:
    """(agent, state, action) of an axis or --fix name; OptionsError if unknown.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> g = builtin("chicken", "logit")
    >>> coordinate(g, "2:D"), coordinate(g, "theta1")
    ((1, 0, 1), (0, 0, 0))
    """
    names = [s.name for s in game.parameters]
    if name in names:
        k = names.index(name)
        for agent, state, block, _ in action_blocks(game):
            if k in block:
                return agent, state, block.index(k)
    player, sep, action = name.partition(":")
    if sep:
        agent = _index(player, [game.player_name(i) for i in range(game.n_agents)], 1)
        if agent is not None:
            m = game.actions[agent] if game.actions else 2
            a = _index(action, [game.action_name(agent, j) for j in range(m)], 0)
            if a is not None:
                return agent, 0, a
    raise OptionsError(f"unknown axis {name[:40]!r} for game {game.name!r}: give a parameter "
                       f"({', '.join(names[:6])}{', ...' if len(names) > 6 else ''}) or "
                       "PLAYER:ACTION (e.g. 1:C)")


def _index(text: str, names: list[str], base: int):
    if text in names:
        return names.index(text)
    if text.isascii() and text.isdigit() and 0 <= int(text) - base < len(names):
        return int(text) - base
    return None


@dataclass(frozen=True)
class SliceStarts:
    """A grid over two axes with the other coordinates fixed.

    Attributes
    ----------
    grid : int
        Points per axis.
    axes : tuple of two str
        Axis names (`coordinate`).
    fixed : tuple of (str, float)
        ``--fix`` pairs: a probability for ``P:A`` names, for direct
        parameters and for logit agents' parameters (the value is then a
        logit, mapped by sigma); a logit value for a softmax agent with three
        or more actions.
    low, high : float
    """

    grid: int = 21
    axes: tuple = ()
    fixed: tuple = ()
    low: float = PAPER.grid_low
    high: float = PAPER.grid_high
    z: float = 1.96

    def draw(self, game) -> tuple[np.ndarray, np.ndarray]:
        """(axis probabilities, shape (n, 2), parameters, shape (n, d)) of the slice."""
        plane, strategies, writes = self._strategies(game)
        x = strategies_to_parameters(game, strategies)
        for k, v in writes:
            x[:, k] = v
        return plane, x

    def _strategies(self, game):
        if len(self.axes) != 2 or self.axes[0] == self.axes[1]:
            raise OptionsError(f"a slice needs two different axes, got {list(self.axes)}")
        axes = [coordinate(game, a) for a in self.axes]
        probs, writes = _fixed(game, self.fixed, axes)
        plane = grid_starts(2, self.grid, self.low, self.high)
        base = _base(game, probs, axes)
        rows = np.repeat(base[None, :], len(plane), axis=0)
        keep = np.ones(len(plane), dtype=bool)
        logit = start_kind(game) != "direct"
        for agent, state, _, m in action_blocks(game):
            on = [(j, ax[2]) for j, ax in enumerate(axes) if ax[:2] == (agent, state)]
            if not on:
                continue
            cols = [_column(game, agent, state, a) for a in range(m)]
            fixed_here = [a for (g, s, a) in probs if (g, s) == (agent, state)]
            taken = {a for _, a in on} | set(fixed_here)
            free = [a for a in range(m) if a not in taken]
            if not free:
                raise OptionsError(f"player {game.player_name(agent)}'s probabilities are all "
                                   "on axes or fixed: nothing is left for its other actions")
            left = 1.0 - sum(probs[(agent, state, a)] for a in fixed_here) \
                - sum(plane[:, j] for j, _ in on)
            keep &= (left > 1e-9) if logit else (left >= -1e-12)
            for a in fixed_here:
                rows[:, cols[a]] = probs[(agent, state, a)]
            for j, a in on:
                rows[:, cols[a]] = plane[:, j]
            for a in free:
                rows[:, cols[a]] = np.maximum(left, 0.0) / len(free)
        if not keep.any():
            raise OptionsError("no point of the slice is a mixed strategy: the axes and "
                               "--fix values leave nothing for the other actions")
        return plane[keep], rows[keep], writes

    def held(self) -> str:
        """The coordinates off the axes in words: the ``--fix`` pairs, or "the rest
        uniform" (every other action shares what the axes and fixes leave)."""
        return ", ".join(f"{k}={float(v):g}" for k, v in self.fixed) or "the rest uniform"

    def to_json(self) -> dict:
        return {"kind": "slice", "grid": int(self.grid), "axes": list(self.axes),
                "fixed": {k: v for k, v in self.fixed}, "low": self.low, "high": self.high}


def _base(game, probs, axes) -> np.ndarray:
    """Every block's strategy off the axes: fixed values, the rest shared equally."""
    out = []
    logit = start_kind(game) != "direct"
    for agent, state, _, m in action_blocks(game):
        row = np.full(m, 1.0 / m)
        fixed = {a: v for (g, s, a), v in probs.items() if (g, s) == (agent, state)}
        if fixed and not any(ax[:2] == (agent, state) for ax in axes):
            free = [a for a in range(m) if a not in fixed]
            left = 1.0 - sum(fixed.values())
            if free and (left <= 0 if logit else left < -1e-12):
                raise OptionsError(f"--fix: player {game.player_name(agent)}'s fixed "
                                   f"probabilities leave {left:g} for its other actions")
            for a in range(m):
                row[a] = fixed[a] if a in fixed else max(left, 0.0) / len(free)
        out.append(row)
    return np.concatenate(out)


def _column(game, agent: int, state: int, action: int) -> int:
    col = 0
    for g, s, _, m in action_blocks(game):
        if (g, s) == (agent, state):
            return col + action
        col += m
    raise GameError(f"no block for agent {agent}, state {state}")


def _fixed(game, fixed, axes) -> tuple[dict, list]:
    """(probabilities by (agent, state, action), parameter writes [(index, value)])."""
    probs, writes = {}, []
    names = [s.name for s in game.parameters]
    kind = start_kind(game)
    for name, value in fixed:
        where = coordinate(game, name)
        if where in axes:
            raise OptionsError(f"--fix {name}: {name!r} is an axis of the slice")
        value = float(value)
        if not np.isfinite(value):
            raise OptionsError(f"--fix {name}={plain(value)}: the value must be finite")
        if name in names and kind == "softmax":
            if abs(value) > MAX_FIXED_LOGIT:
                raise OptionsError(f"--fix {name}={value:g}: a logit must lie in "
                                   f"[-{MAX_FIXED_LOGIT:g}, {MAX_FIXED_LOGIT:g}]")
            if any(ax[:2] == where[:2] for ax in axes):
                raise OptionsError(f"--fix {name}: a logit of an axis player; fix its "
                                   "probability instead (PLAYER:ACTION=P)")
            writes.append((names.index(name), value))
            continue
        if name in names and kind == "logit":
            value = float(1.0 / (1.0 + np.exp(-value)))
        low_ok = value > 0 if kind != "direct" else value >= 0
        if not (low_ok and (value < 1 if kind != "direct" else value <= 1)):
            raise OptionsError(f"--fix {name}={value:g}: a probability must lie in "
                               + ("(0, 1)" if kind != "direct" else "[0, 1]"))
        probs[where] = value
    _check_block_sums(game, probs, axes)
    return probs, writes


def _check_block_sums(game, probs, axes) -> None:
    for agent, state, _, m in action_blocks(game):
        fixed = [a for (g, s, a) in probs if (g, s) == (agent, state)]
        total = sum(probs[(agent, state, a)] for a in fixed)
        if any(ax[:2] == (agent, state) for ax in axes):
            continue
        if total > 1 + 1e-12:
            raise OptionsError(f"--fix: player {game.player_name(agent)}'s fixed "
                               f"probabilities sum to {total:g} > 1")
        if len(fixed) == m and abs(total - 1) > 1e-9:
            raise OptionsError(f"--fix: player {game.player_name(agent)}'s probabilities "
                               f"sum to {total:g}, not 1")


__all__ = ["SliceStarts", "coordinate"]
