"""``eqselect report``: everything for one game, as LaTeX, figures and JSON.

The report is written to a folder: ``report.tex`` (compiles with pdflatex),
PNG figures (and, with ``--tikz``, pgfplots ``.tex`` beside them) and
``report.json``. :mod:`~eqselect.studies.report.build` computes the sections as result
objects, :mod:`~eqselect.studies.report.document` renders them, and
:mod:`eqselect.commands.report` is the command line's entry. A game on a graph
gets its report from the sparse machinery: :mod:`~eqselect.studies.report.network`
computes it, ``network_terms``, ``network_figures`` and ``network_document`` write
its edge templates, figures and LaTeX (docs/networks.md, "The report").
"""

from eqselect.studies.report.build import REPORT_METHODS, Report, ReportOptions, build_report
from eqselect.studies.report.document import report_latex

__all__ = ["REPORT_METHODS", "Report", "ReportOptions", "build_report", "report_latex"]
