"""Suppression-aware views of the facts store: what reports, charts and sentences read.

A view gathers one entity's rows from several facts tables, derives the comparisons a
reader needs (gaps to all students and to the state) and passes everything through
:func:`kit.metrics.suppression.suppress` before returning it. Nothing downstream sees a
figure the suppression rules hide.

One module per report family (``subgroups``, ``index``, ``district``, ``items``), as in
:mod:`kit.narrative`, :mod:`kit.charts` and :mod:`kit.tables`; ``context`` holds the
:class:`~kit.views.context.ReportContext` every family takes.
"""
