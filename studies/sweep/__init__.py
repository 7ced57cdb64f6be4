"""eqselect.studies.sweep: the selection atlas over payoff symbols and lambda (docs/sweep.md).

``grid`` (axes, cells, chunks, the argument hash, cell counts from the
arguments), ``cell`` (fixed points and basin shares of one cell), ``verdicts``
(its alignment verdicts A1-A3 from the checker), ``tasks`` (chunks grouped
into tasks by measured work, serially or on dask), ``cluster`` (reaching and
checking a dask cluster within bounds; ``probe`` is what a worker runs first),
``runner`` (a sweep from its spec to its folder), ``store`` with ``files`` and
``lock`` (the resumable folder: checksummed chunks, their index, one writer),
``events`` (the exact corner-boundary curves), ``atlas`` (the document as typed
records, read lazily from a store), ``plots`` (the heat maps) and ``network``
(graph axes and the cell of a game on a graph, docs/networks.md).
"""
