"""Accountability rule systems over the figures (AYP, goals, impact). Filled in by issue 3."""

from __future__ import annotations

import duckdb
import pandas as pd


def accountability_facts(con: duckdb.DuckDBPyConnection, fw) -> dict[str, pd.DataFrame | str]:
    """Facts tables of accountability: name -> DataFrame or SQL over ``con``.

    ``con`` holds the validated inputs and the temp tables ``counts``, ``perf`` (the
    performance table) and ``idx`` (index_scores).
    """
    return {}
