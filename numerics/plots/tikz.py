"""pgfplots versions of the bifurcation diagram and the phase portrait.

The same data as the PNG figures, as a ``tikzpicture`` a paper can restyle
(needs ``\\usepackage{pgfplots}``). Each function returns the LaTeX text and,
when given ``path``, also writes it there. Styles mirror the PNGs: stable
stretches solid, others dashed, events as black marks; fixed points by
stability class.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from eqselect.numerics.dynamics.starts import parameters_to_probability
from eqselect.numerics.fixed_points.core.record import Stability
from eqselect.numerics.plots.bifurcation import branch_table, parameter_axis_label
from eqselect.numerics.plots.portrait import probability_field, separatrix_line
from eqselect.numerics.plots.style import SERIES

_MARKS = {"fold": "*", "boundary": "square*", "branch": "diamond*", "hopf": "triangle*"}
_FIXED = {Stability.STABLE: "mark=*, fill=black", Stability.SADDLE: "mark=x, very thick",
          Stability.UNSTABLE: "mark=o, thick", Stability.CENTER: "mark=diamond*",
          Stability.DEGENERATE: "mark=square*"}


def _colors() -> str:
    return "\n".join(rf"\definecolor{{eqs{k}}}{{HTML}}{{{c[1:]}}}" for k, c in enumerate(SERIES))


def _coords(rows) -> str:
    return " ".join(f"({x:.6g},{y:.6g})" for x, y in rows)


def _write(text: str, path) -> str:
    if path is not None:
        Path(path).write_text(text)
    return text


def bifurcation_tikz(result, coordinate: int = 0, *, ylabel: str | None = None,
                     path=None) -> str:
    """The bifurcation diagram as a pgfplots ``tikzpicture``.

    Parameters
    ----------
    result : ContinuationResult
    coordinate : int
    ylabel : str, optional
        LaTeX math for the coordinate's name (e.g. ``p_{1}``).
    path : str or Path, optional
    """
    xlabel = parameter_axis_label(result.parameter)
    ylabel = ylabel or rf"\phi_{{{coordinate + 1}}}"
    lines = [_colors(), r"\begin{tikzpicture}",
             rf"\begin{{axis}}[width=0.68\linewidth, height=0.45\linewidth, xlabel={{{xlabel}}},"
             rf" ylabel={{${ylabel}$}},"
             r" legend pos=outer north east, legend cell align=left]"]
    for k, stable, rows in branch_table(result, coordinate):
        style = "thick" if stable else "densely dashed"
        lines.append(rf"\addplot[eqs{k % len(SERIES)}, {style}, no marks, forget plot]"
                     rf" coordinates {{{_coords(rows)}}};")
    lines += [r"\addlegendimage{black, thick}\addlegendentry{stable}",
              r"\addlegendimage{black, densely dashed}\addlegendentry{not stable}"]
    kinds = {}
    for ev in result.events:
        kinds.setdefault(ev.type.value, []).append((ev.value, ev.point[coordinate]))
    for kind, rows in kinds.items():
        lines.append(rf"\addplot[only marks, mark={_MARKS.get(kind, 'x')}, black]"
                     rf" coordinates {{{_coords(rows)}}};\addlegendentry{{{kind} point}}")
    lines += [r"\end{axis}", r"\end{tikzpicture}", ""]
    return _write("\n".join(lines), path)


def phase_portrait_tikz(dec, rule, *, fixed_points=None,
                        separatrix=None, n: int = 15, labels=("p_{1}", "p_{2}"),
                        path=None) -> str:
    """The phase portrait as a pgfplots quiver plot in probability coordinates.

    Arrows have one length (the direction of the flow); the separatrix and
    the fixed points are drawn as in :func:`~eqselect.numerics.plots.portrait.phase_portrait`.
    """
    game = dec.game
    P1, P2, U, V = probability_field(dec, rule, n)
    speed = np.hypot(U, V)
    scale = 0.6 / (n - 1) / np.where(speed > 0, speed, 1.0)
    rows = "\n".join(f"{x:.4f} {y:.4f} {u:.4f} {v:.4f}" for x, y, u, v in zip(
        P1.ravel(), P2.ravel(), (U * scale).ravel(), (V * scale).ravel()))
    lines = [r"\begin{tikzpicture}",
             rf"\begin{{axis}}[width=0.6\linewidth, height=0.6\linewidth, xmin=0, xmax=1,"
             rf" ymin=0, ymax=1, xlabel={{${labels[0]}$}}, ylabel={{${labels[1]}$}},"
             r" axis equal image]",
             r"\addplot[gray, -stealth, quiver={u=\thisrow{u}, v=\thisrow{v}}]"
             r" table[x=x, y=y] {x y u v",
             rows, "};"]
    if separatrix is not None:
        line = separatrix_line(game, separatrix)
        lines.append(rf"\addplot[red!70!black, very thick, no marks] coordinates"
                     rf" {{{_coords(line[::max(len(line) // 200, 1)])}}};")
    for eq in fixed_points or ():
        q = parameters_to_probability(game, np.array([eq.point], dtype=float))[0]
        lines.append(rf"\addplot[only marks, {_FIXED[eq.stability]}] coordinates"
                     rf" {{({q[0]:.6g},{q[1]:.6g})}};")
    lines += [r"\end{axis}", r"\end{tikzpicture}", ""]
    return _write("\n".join(lines), path)


__all__ = ["bifurcation_tikz", "phase_portrait_tikz"]
