"""What a dask worker runs before a sweep's first task: which eqselect it has.

This module imports nothing but the standard library, and its functions are
sent to workers by value (``cloudpickle.register_pickle_by_value``), so it
runs on a worker where eqselect is missing or broken and says so instead of
failing to unpickle a task.
"""

from __future__ import annotations


def worker_eqselect() -> str:
    """The worker's eqselect version, or "!" and why it has none.

    Imports the module the sweep's tasks live in, so a worker that has
    eqselect but cannot run a sweep (a missing dependency) also answers "!".
    """
    try:
        from importlib import import_module, metadata

        import_module("eqselect.studies.sweep.runner")
        return metadata.version("eqselect")
    except Exception as exc:  # noqa: BLE001 -- every failure is the answer
        return f"!{type(exc).__name__}: {exc}"
