"""Item analysis (PIM step 3, Appendix B). Filled in by the item analysis work (issue 4)."""

from __future__ import annotations

import duckdb
import pandas as pd


def item_facts(con: duckdb.DuckDBPyConnection, fw) -> dict[str, pd.DataFrame | str]:
    """Facts tables of item analysis: name -> DataFrame or SQL over ``con``.

    ``con`` holds the validated input tables; returns {} when the data have no items.
    """
    return {}
