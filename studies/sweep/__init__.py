"""eqselect.studies.sweep: the selection atlas over payoff symbols and lambda (docs/sweep.md).

``grid`` (axes, cells, chunks, the argument hash), ``cell`` (fixed points and
basin shares of one cell), ``verdicts`` (its alignment verdicts A1-A3 from the
checker), ``runner`` (chunks on dask into a resumable ``store``), ``events``
(the exact corner-boundary curves), ``atlas`` (the document as typed records)
and ``plots`` (the heat maps).
"""
