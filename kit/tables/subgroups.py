"""The subgroups report's table (``tab_subgroups``), formatted with the same ``fmt_*`` as the
sentences."""

from __future__ import annotations

import pandas as pd

from kit._frames import records
from kit.fmt import fmt_int, fmt_num, fmt_pct, fmt_signed
from kit.views.context import ReportContext


def tab_subgroups(view: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """The subgroup view as display strings; hidden figures show why they are hidden."""
    rows = []
    for rec in records(view):
        d = int(rec.get("index_digits") or 1)
        if rec["suppression_reason"] == "small":
            n_text = f"<{ctx.reporting_min_n}"
        elif rec["suppression_reason"] == "complement":
            n_text = "n/r"
        else:
            n_text = fmt_int(rec["n"])
        row = {
            "Group": rec["label"],
            "Students": n_text,
            "% proficient+": fmt_pct(rec["pct_proficient"]),
            "vs all": fmt_signed(rec["gap_pct"]) if rec["group"] != "all" else "",
            "vs state": fmt_signed(rec["gap_state"]),
            ctx.headline_model.upper().replace("_", " "): fmt_num(rec["index"], d),
        }
        for lv, name in enumerate(ctx.level_names, start=1):
            row[f"% {name}"] = fmt_pct(rec[f"pct_l{lv}"], 0)
        rows.append(row)
    return pd.DataFrame(rows)
