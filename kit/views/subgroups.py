"""The subgroups report's view: every student group's results beside all students and the
state, with the share at each achievement level (PIM 0-B), suppression applied."""

from __future__ import annotations

import pandas as pd

from kit.facts import Facts
from kit.metrics.suppression import apply_hidden
from kit.views._common import decisions, hide_other, measure_digits, shown_gap
from kit.views.context import ReportContext


def view_subgroups(
    facts: Facts, ctx: ReportContext, subject: str, grade: str = "ALL"
) -> pd.DataFrame:
    """One row per student group present at the entity, suppression applied.

    Columns: ``group``, ``label``, ``kind``, ``n`` (accountable tested), ``pct_proficient``,
    ``index`` (the framework's headline model), ``gap_pct`` and ``gap_index`` (group minus
    all students), ``state_pct_proficient``, ``gap_state`` (group minus the state's same
    group), ``pct_l1`` .. ``pct_lk`` (share at each level), ``suppressed`` and
    ``suppression_reason``. Rows keep the order of CONTRACT.md's group list.
    """
    keys = [ctx.year, ctx.entity_id, subject, grade]
    perf = facts.sql(
        """
        SELECT p."group", g.label, g.noun, g.kind, g."order", p.n_fay_tested AS n, p.pct_proficient,
               i.value AS "index", s.pct_proficient AS state_pct_proficient
        FROM performance p
        JOIN "groups" g ON g."group" = p."group"
        LEFT JOIN index_scores i ON i.year = p.year AND i.entity_id = p.entity_id
             AND i.subject = p.subject AND i.grade = p.grade AND i."group" = p."group"
             AND i.model = ?
        LEFT JOIN performance s ON s.year = p.year AND s.entity_id = 'STATE'
             AND s.subject = p.subject AND s.grade = p.grade AND s."group" = p."group"
        WHERE p.year = ? AND p.entity_id = ? AND p.subject = ? AND p.grade = ?
          AND p.n_enrolled > 0
        ORDER BY g."order"
        """,
        [ctx.headline_model, *keys],
    )
    levels = facts.sql(
        'SELECT "group", level, n FROM level_counts WHERE year = ? AND entity_id = ? '
        "AND subject = ? AND grade = ?",
        keys,
    ).pivot(index="group", columns="level", values="n")
    level_cols = []
    for lv in range(1, len(ctx.level_names) + 1):
        col = f"pct_l{lv}"
        level_cols.append(col)
        counts = levels[lv] if lv in levels.columns else 0
        perf[col] = (100.0 * perf["group"].map(counts) / perf["n"].where(perf["n"] > 0)).astype(
            "float64"
        )
    all_row = perf[perf["group"] == "all"]
    all_pct = all_row["pct_proficient"].iloc[0] if len(all_row) else float("nan")
    all_index = all_row["index"].iloc[0] if len(all_row) else float("nan")
    # Differences between the figures as the table shows them (kit.fmt.shown_diff).
    digits = measure_digits(facts, ctx.headline_model)
    perf["index_digits"] = digits
    perf["gap_pct"] = shown_gap(perf["pct_proficient"], all_pct)
    perf["gap_index"] = shown_gap(perf["index"], all_index, digits)
    if (
        ctx.entity_type == "district"
        and len(facts.districts(ctx.year)) == 1
        and ctx.source != "aggregates"  # a published file's state row is the state's
    ):
        # The data hold one district: the "state" is that district, no comparison to make.
        perf["state_pct_proficient"] = float("nan")
    perf["gap_state"] = shown_gap(perf["pct_proficient"], perf["state_pct_proficient"])
    perf = perf.assign(year=ctx.year, entity_id=ctx.entity_id, subject=subject, grade=grade)
    # The state's figure of a group the state hides would give it away: hide the comparison.
    state = decisions(facts, ["STATE"], [ctx.year], grade=grade)
    perf = hide_other(
        perf,
        state[state["subject"] == subject],
        ["state_pct_proficient", "gap_state"],
        on=["year", "subject", "grade", "group"],
    )
    dec = decisions(facts, [ctx.entity_id], [ctx.year], grade=grade)
    out = apply_hidden(
        perf,
        dec[dec["subject"] == subject],
        value_cols=[
            "n",
            "pct_proficient",
            "index",
            "gap_pct",
            "gap_index",
            "gap_state",
            *level_cols,
        ],
        key_cols=["year", "entity_id", "subject", "grade"],
    )
    return out.drop(columns=["order", "year", "entity_id", "subject", "grade"]).reset_index(
        drop=True
    )
