"""Item analysis tables (``tab_*``): compact, formatted with the same ``fmt_*`` as the prose.

At most eight columns, so each fits a Letter page in portrait.
"""

from __future__ import annotations

import pandas as pd

from kit._frames import records
from kit.fmt import fmt_int, fmt_pct, fmt_signed
from kit.views.items import ItemTestView, quality_items, trailing_items

_TYPE_NAMES = {"MC": "Multiple choice", "SR/OR": "Short / open response"}


def tab_trailing_items(view: ItemTestView, limit: int = 8) -> pd.DataFrame:
    """The items furthest below the state (at most ``limit``), one row each."""
    quality = set(quality_items(view)["item_id"])
    rows = []
    for rec in records(trailing_items(view, limit=limit)):
        row = {
            "Item": rec["item_id"],
            "Standard": rec["standard"] or "",
            "What it asks": rec["description"] or "",
            "Type": rec["item_type"],
            "% correct": fmt_pct(rec["pct_correct"]),
            "State": fmt_pct(rec["state_pct_correct"]),
            "vs state": fmt_signed(rec["diff_vs_state"]),
        }
        if view.compare_district:
            row["vs district"] = fmt_signed(rec["diff_vs_district"])
        row["Note"] = "item flagged state-wide" if rec["item_id"] in quality else ""
        rows.append(row)
    return pd.DataFrame(rows)


def tab_rollups(view: ItemTestView) -> pd.DataFrame:
    """Percent of points by reporting category, then by item type, against the state."""
    rows = []
    for label, frame in (("Category", view.categories), ("Item type", view.types)):
        frame = frame.sort_values(["gap_vs_state", "category"], na_position="last")
        for rec in records(frame):
            name = rec["category"] if isinstance(rec["category"], str) else "(none)"
            if label == "Item type":
                name = _TYPE_NAMES.get(name, name)
            rows.append(
                {
                    "Reporting category / item type": name,
                    "Items": fmt_int(rec["n_items"]),
                    "% of points": fmt_pct(rec["pct_earned"]),
                    "State": fmt_pct(rec["state_pct_earned"]),
                    "vs state": fmt_signed(rec["gap_vs_state"]),
                }
            )
    return pd.DataFrame(rows)
