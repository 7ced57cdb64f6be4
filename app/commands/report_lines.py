"""The lines ``eqselect report`` prints under its folder's name, shared by every game."""

from __future__ import annotations


def print_verdicts(check, method, skipped: dict) -> None:
    """A report's alignment verdicts (``check`` None: none) and what it did not compute."""
    if check is not None:
        verdict = {True: "holds", False: "fails", None: "not decided"}
        print(f"  alignment ({method}): " + ", ".join(
            f"{v.id} {verdict[v.holds]}" for v in check.conditions))
    for k, v in skipped.items():
        print(f"  not computed ({k}): {v}")
